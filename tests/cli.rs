//! The command line end to end: the binary, its exit status, its JSON, its
//! report files, explain and replay.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

/// Runs the lab's binary with `args`, its reports under a directory of this
/// test's own.
fn synclab(args: &[&str], reports: &str) -> Output {
    let dir = std::env::temp_dir().join(format!("synclab-cli-{reports}-{}", std::process::id()));
    Command::new(env!("CARGO_BIN_EXE_synclab"))
        .args(args)
        .env("CARGO_TARGET_DIR", &dir)
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json_rows(output: &Output) -> Vec<Value> {
    let value: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    value.as_array().expect("an array of rows").clone()
}

#[test]
fn list_names_every_variant() {
    let output = synclab(&["list"], "list");
    assert!(output.status.success());
    let text = stdout(&output);
    for entry in synclab::catalogue::entries() {
        assert!(
            text.contains(entry.id),
            "{} missing from the list",
            entry.id
        );
    }
}

/// `--json` parses and carries the fields DESIGN.md names; the report files
/// are written; the exit status is 0 when every verdict is as expected.
#[test]
fn run_json_carries_the_design_fields() {
    let output = synclab(
        &[
            "run",
            "lock-relaxed",
            "--checker",
            "loom",
            "--checker",
            "shuttle-pct",
            "--json",
        ],
        "json",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The filter is a substring: lock-relaxed-data-race comes too.
    let rows: Vec<Value> = json_rows(&output)
        .into_iter()
        .filter(|row| row["id"] == "lock-relaxed")
        .collect();
    assert_eq!(rows.len(), 2);
    for row in &rows {
        for field in [
            "primitive",
            "variant",
            "broken",
            "bug",
            "checker",
            "expected",
            "verdict",
            "schedules",
            "millis",
            "failure",
        ] {
            assert!(row.get(field).is_some(), "{field} missing from {row}");
        }
    }
    let loom = &rows[0];
    assert_eq!(loom["checker"], "loom");
    assert_eq!(loom["verdict"], "caught");
    assert_eq!(loom["broken"], true);
    let failure = &loom["failure"];
    assert_eq!(failure["kind"], "assertion (stale-read)");
    assert!(!failure["trace"].as_array().expect("a trace").is_empty());
    assert!(
        failure["replay"]
            .as_str()
            .unwrap()
            .contains("replay lock-relaxed --checker loom")
    );
    assert_eq!(rows[1]["verdict"], "expected-escape");
    assert!(rows[1]["failure"].is_null());

    let dir = std::env::temp_dir()
        .join(format!("synclab-cli-json-{}", std::process::id()))
        .join("synclab");
    let report = std::fs::read_to_string(dir.join("report.md")).expect("report.md written");
    assert!(report.contains("sequenceDiagram") && report.contains("| # | T1 | T2 |"));
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 4);
}

/// A broken variant that escapes a checker that should catch it makes the
/// exit status non-zero: here shuttle gets a single schedule.
#[test]
fn an_escape_fails_the_run() {
    let output = synclab(
        &[
            "run",
            "event-notify-one",
            "--checker",
            "shuttle-random",
            "--iterations",
            "1",
            "--json",
        ],
        "escape",
    );
    assert!(!output.status.success());
    assert_eq!(json_rows(&output)[0]["verdict"], "escaped");
}

/// `explain` prints the story, the trace table and the diagram.
#[test]
fn explain_tells_the_story() {
    let output = synclab(&["explain", "counter-racy"], "explain");
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(text.contains("**Bug:** read, yield, write back"), "{text}");
    assert!(text.contains("| # | T1 | T2 |"), "{text}");
    assert!(text.contains("```mermaid\nsequenceDiagram"), "{text}");
    assert!(text.contains("lost-update"), "{text}");
}

/// The replay command a shuttle failure prints reproduces the same failure
/// and the same trace.
#[test]
fn replay_reproduces_a_shuttle_failure() {
    let output = synclab(
        &[
            "run",
            "queue-one-condition",
            "--checker",
            "shuttle-pct",
            "--json",
        ],
        "replay",
    );
    let row = &json_rows(&output)[0];
    let failure = &row["failure"];
    let command = failure["replay"].as_str().expect("a replay command");
    let args: Vec<&str> = command
        .split(" -- ")
        .nth(1)
        .expect("cargo run --release -- ...")
        .split(' ')
        .collect();
    assert_eq!(args[0], "replay");
    let args: Vec<&str> = args.into_iter().chain(["--raw"]).collect();
    let replayed = synclab(&args, "replayed");
    assert!(replayed.status.success(), "{}", stdout(&replayed));
    let text = stdout(&replayed);
    assert!(
        text.contains(failure["message"].as_str().unwrap()),
        "{text}"
    );
    // The same readable trace, row for row, and with --raw the same raw one.
    let (readable, raw) = text.split_once("The raw trace:").expect("--raw shows it");
    let steps = failure["steps"].as_array().unwrap();
    for (number, step) in steps.iter().enumerate() {
        let row = format!("| {} |", number + 1);
        let said = step["text"].as_str().unwrap();
        assert!(
            readable
                .lines()
                .any(|l| l.starts_with(&row) && l.contains(said)),
            "row {row} `{said}` of the JSON's steps: {readable}"
        );
    }
    let events = failure["trace"].as_array().unwrap().len();
    assert!(
        raw.contains(&format!("| {events} |")) && !raw.contains(&format!("| {} |", events + 1)),
        "the same {events}-event raw trace: {raw}"
    );
}

/// Bad input: an unknown variant or checker is a clear error, exit 2.
#[test]
fn bad_arguments_are_refused_clearly() {
    let unknown = synclab(&["explain", "no-such-variant"], "bad");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no variant `no-such-variant`"));
    let checker = synclab(&["run", "--checker", "bogus"], "bad");
    assert_eq!(checker.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&checker.stderr).contains("unknown checker `bogus`"));
    let _ = PathBuf::new();
}

/// Runs the binary and returns its exit code and standard error.
fn refused(args: &[&str]) -> (Option<i32>, String) {
    let output = synclab(args, "refused");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A budget that explores nothing, or runs (nearly) forever, is refused
/// with one line and exit 2, never taken as a pass.
#[test]
fn absurd_budgets_are_refused() {
    for (iterations, why) in [
        ("0", "explores nothing"),
        (
            "18446744073709551615",
            "not a schedule count from 1 to 1000000",
        ),
        ("a thousand", "not a schedule count"),
    ] {
        let (code, stderr) = refused(&["run", "lock-correct", "--iterations", iterations]);
        assert_eq!(code, Some(2), "--iterations {iterations}: {stderr}");
        assert!(stderr.contains(why), "--iterations {iterations}: {stderr}");
    }
}

/// A replay string that is empty, not hexadecimal, truncated, or not a
/// schedule of this scenario is refused with exit 2, never a panic and never
/// exit 0.
#[test]
fn bad_replay_strings_are_refused() {
    for (schedule, why) in [
        ("", "empty"),
        ("not-hex", "hexadecimal"),
        ("9101ff", "truncated"),
        ("91010203040506", "does not replay lock-no-wake"),
    ] {
        let (code, stderr) = refused(&["replay", "lock-no-wake", "--schedule", schedule]);
        assert_eq!(code, Some(2), "--schedule '{schedule}': {stderr}");
        assert!(stderr.contains(why), "--schedule '{schedule}': {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    }
}

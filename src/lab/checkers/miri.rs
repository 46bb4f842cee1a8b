//! Miri: a variant's scenario on real threads of the [`Std`](crate::backend::Std)
//! world, interpreted by Miri, which detects data races and undefined
//! behaviour, emulates weak memory, and schedules threads at random
//! (preempting at any step with a small probability).
//!
//! Miri needs the nightly toolchain and its own build of the crate, so the
//! lab runs it as a child: `cargo +nightly miri run --bin synclab --
//! native <id>` in the crate's own directory, with
//! `-Zmiri-many-seeds=0..SEEDS`, which runs the program once per seed and
//! stops at the first that fails. The first Miri cell of a lab run builds
//! it (about two minutes here); cargo's lock makes the others wait.
//! `native` runs the scenario once and, if it panics, prints the panic's
//! message (with the lab's tag, `[stale-read] …`) and exits with 1. Miri's own
//! findings (a data race, a deadlock, undefined behaviour) end the
//! interpretation with its report on standard error, trimmed here to the
//! lines that say what and where.
//!
//! Seeds run one at a time (`-Zthreads=1`), so a run is deterministic for a
//! given Miri: the same lowest failing seed, the same count. Where Miri is not
//! installed, the column is not applicable, and says how to install it
//! ([`INSTALL`]).

use std::process::Command;
use std::sync::OnceLock;

use super::{Checker, Run};
use crate::lab::failure::{Failure, FailureKind};

/// The seeds each Miri cell tries, `0..SEEDS`.
pub const SEEDS: u32 = 8;

/// The command that installs Miri.
pub const INSTALL: &str = "rustup component add --toolchain nightly miri rust-src";

/// The line `native` prints before a scenario's failure.
pub const FAILED: &str = "synclab-native-failure: ";

/// Whether `cargo +nightly miri` runs here (asked once).
pub fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        Command::new("cargo")
            .args(["+nightly", "miri", "--version"])
            .env("RUSTUP_AUTO_INSTALL", "0")
            .output()
            .is_ok_and(|output| output.status.success())
    })
}

/// Runs variant `id`'s scenario under Miri with [`SEEDS`] seeds.
pub(crate) fn check(id: &str) -> Run {
    let mut command = Command::new("cargo");
    command
        .args([
            "+nightly", "miri", "run", "--quiet", "--bin", "synclab", "--",
        ])
        .args(["native", id])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    run(command, "")
}

/// Runs `command`, a `cargo +nightly miri` invocation of a program that
/// prints a scenario's failure after [`FAILED`], with [`SEEDS`] seeds, and
/// judges what Miri reports. `flags` go to Miri with its seeds.
pub(crate) fn run(mut command: Command, flags: &str) -> Run {
    Run::timed(Checker::Miri, || {
        let output = command
            // One seed at a time: the lowest failing seed is the one
            // reported, and the count is of seeds run.
            .env(
                "MIRIFLAGS",
                format!("-Zmiri-many-seeds=0..{SEEDS} -Zthreads=1 {flags}"),
            )
            .env("RUSTUP_AUTO_INSTALL", "0")
            .output();
        match output {
            Ok(output) => judge(
                &String::from_utf8_lossy(&output.stdout),
                &String::from_utf8_lossy(&output.stderr),
                output.status.success(),
            ),
            Err(error) => {
                let why = format!("cargo +nightly miri could not start: {error}");
                (Some(Failure::new(FailureKind::Panic, why)), 0)
            }
        }
    })
}

/// The scenario's own failure, as `native` printed it, if it failed.
pub fn scenario_failure(stdout: &str) -> Option<Failure> {
    let message = stdout.lines().find_map(|line| line.strip_prefix(FAILED))?;
    Some(Failure::from_panic(Box::new(message.to_owned())))
}

/// What a Miri run's output says: the failure, if any, and the seeds it
/// ran (the failing one included). A run in which no seed started (Miri
/// could not build or start) ran nothing: 0 seeds, and a failure that
/// says why.
pub fn judge(stdout: &str, stderr: &str, success: bool) -> (Option<Failure>, usize) {
    let seeds = stderr
        .lines()
        .filter(|line| line.starts_with("Trying seed"))
        .count();
    if seeds == 0 {
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        let why = format!("Miri ran no seed: {}", tail.join(" / "));
        return (Some(Failure::new(FailureKind::Panic, why)), 0);
    }
    if success {
        return (None, seeds);
    }
    if let Some(failure) = scenario_failure(stdout) {
        return (Some(failure), seeds);
    }
    let error = stderr
        .lines()
        .find(|line| line.starts_with("error: ") || line.starts_with("fatal error: "))
        .unwrap_or("Miri failed without an error line");
    let kind = if error.contains("Data race detected") {
        FailureKind::DataRace
    } else if error.contains("deadlock") {
        FailureKind::Deadlock
    } else {
        FailureKind::Panic
    };
    // Where: the first place in the crate's own code, else the first.
    let places: Vec<&str> = stderr
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("--> "))
        .collect();
    let at = places
        .iter()
        .find(|place| place.starts_with("src/"))
        .or(places.first())
        .map(|place| format!(" at {place}"))
        .unwrap_or_default();
    let seed = stderr
        .lines()
        .find_map(|line| line.strip_prefix("FAILING SEED: "))
        .map(|seed| format!(" (seed {seed})"))
        .unwrap_or_default();
    let message = format!("Miri: {}{at}{seed}", error.trim_start_matches("error: "));
    (Some(Failure::new(kind, message)), seeds)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Miri's report of a data race is a data race, where it happened and
    /// at which seed; a scenario's own failure is its kind; a clean run of
    /// every seed is a pass of that many.
    #[test]
    fn judges_what_miri_reports() {
        let race = "Trying seed: 0\nerror: Undefined Behavior: Data race detected between (1) \
                    non-atomic write on thread `unnamed-1` and (2) non-atomic read\n   --> \
                    /rustlib/src/thread.rs:1:1\n   --> src/lock/scenarios.rs:141:51\nFAILING SEED: 0\n";
        let (failure, seeds) = judge("", race, false);
        let failure = failure.expect("a failure");
        assert_eq!((failure.kind, seeds), (FailureKind::DataRace, 1));
        assert!(
            failure.message.contains("at src/lock/scenarios.rs:141:51"),
            "{failure:?}"
        );
        let own = format!("{FAILED}[store-buffered] both read 0\n");
        let stderr = "Trying seed: 0\nTrying seed: 1\nTrying seed: 2\n";
        let (failure, seeds) = judge(&own, stderr, false);
        assert_eq!(seeds, 3);
        assert_eq!(
            failure.map(|f| f.kind),
            Some(FailureKind::Assertion(
                crate::lab::failure::Bug::StoreBuffered
            ))
        );
        let clean = "Trying seed: 0\n".repeat(8);
        assert!(matches!(judge("", &clean, true), (None, 8)));
        // Nothing ran: no seed, whatever the exit status says.
        let (failure, seeds) = judge("", "fatal error: failed to build the sysroot\n", true);
        assert_eq!(seeds, 0);
        assert!(failure.is_some_and(|f| f.message.contains("failed to build")));
    }
}

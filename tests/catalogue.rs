//! The catalogue as tests, generated from the catalogue itself (no second
//! list of ids): one test per cell, variant × checker, named so that the
//! output reads as the matrix —
//!
//! ```text
//! test lock-relaxed · loom · catches stale-read ... ok
//! test lock-relaxed · shuttle-pct · escapes (shuttle is SeqCst) ... ok
//! test lock-correct · loom · passes ... ok
//! ```
//!
//! — and one golden counterexample per broken variant: the interleaving
//! that tells its story, committed under `tests/golden/` and compared.
//! `SYNCLAB_BLESS=1 cargo test --test catalogue golden` writes them anew;
//! the diff then shows what changed, and the variant's story must be mended
//! with it.
//!
//! Filtering works as usual: `cargo test lock-relaxed`.

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use synclab::catalogue::entries;
use synclab::lab::Budget;
use synclab::lab::checkers::{Checker, Run};
use synclab::lab::entry::{Entry, Expect, RACES_ON_DATA};
use synclab::lab::failure::FailureKind;
use synclab::lab::runner::{self, Cell};
use synclab::lab::trace::Trace;

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for entry in entries() {
        for checker in Checker::ALL {
            let expect = entry.expectation(checker);
            let name = format!("{} · {checker} · {}", entry.id, expect.describe());
            let trial = Trial::test(name, move || check_cell(entry, checker));
            trials.push(trial.with_ignored_flag(matches!(expect, Expect::NotApplicable(_))));
        }
        if entry.is_broken() {
            let name = format!("{} · golden counterexample", entry.id);
            trials.push(Trial::test(name, move || golden(entry)));
        }
    }
    trials.push(Trial::test("catalogue · ids are primitive-variant", ids));
    trials.push(Trial::test("catalogue · coherent expectations", coherent));
    trials.push(Trial::test(
        "catalogue · a BUG marker per broken variant",
        markers,
    ));
    trials.push(Trial::test(
        "catalogue · no golden file without a variant",
        stray_goldens,
    ));
    trials.push(Trial::test(
        "catalogue · a scenario that races on data runs only under loom, Miri, TSan",
        data_races_only_under_loom,
    ));
    trials.push(Trial::test(
        "catalogue · the diagram check fails a line Mermaid's parser skips",
        diagram_check_can_fail,
    ));
    libtest_mimic::run(&args, trials).exit();
}

/// The budget of `entry`'s runs. A correct variant's stress run must pass,
/// so its watchdog is patient: these tests share two cores, and a starved
/// round is not a hang.
fn budget(entry: &Entry) -> Budget {
    if entry.is_broken() {
        Budget::default()
    } else {
        Budget::patient()
    }
}

/// Runs a cell: a stress run in a `synclab cell` process, so that a hung
/// round cannot slow the cells after it; any other in this one.
fn execute(entry: &'static Entry, checker: Checker, budget: &Budget) -> Option<Run> {
    match checker {
        Checker::Stress => runner::in_child(
            Path::new(env!("CARGO_BIN_EXE_synclab")),
            entry,
            checker,
            budget,
        ),
        _ => runner::in_process(entry, checker, budget),
    }
}

/// Runs one cell and checks it against the catalogue: a catch asserts what
/// was caught, a pass that something was explored, an escape its reason.
fn check_cell(entry: &'static Entry, checker: Checker) -> Result<(), Failed> {
    let expect = entry.expectation(checker);
    let cell = Cell::judge(entry, checker, execute(entry, checker, &budget(entry)));
    let Some(run) = &cell.run else {
        // An n/a cell (ignored, unless asked for) runs nothing, as it should.
        return match expect {
            Expect::NotApplicable(_) => Ok(()),
            _ => Err(format!("{checker} did not run, but the catalogue expects {expect:?}").into()),
        };
    };
    let explain = |what: String| -> Failed { format!("{what}\n\n{}", describe(&cell, run)).into() };
    if run.schedules == 0 {
        return Err(explain(format!("{checker} explored nothing")));
    }
    // A stress run of a broken variant reports and decides nothing.
    if let Expect::Observe(kind) = expect {
        println!(
            "{}: stress looked for {kind}: {:?} in {} rounds",
            entry.id, run.histogram, run.schedules
        );
    }
    // The one judgement: the entry's verdict against its expectation.
    match cell.verdict {
        Some(verdict) if verdict.is_expected() => Ok(()),
        Some(verdict) => Err(explain(format!(
            "verdict {verdict}, but the catalogue expects {expect:?}"
        ))),
        None => Err(explain("no verdict".to_owned())),
    }
}

/// The verdict, the failure and the trace of a cell, for a failing test.
fn describe(cell: &Cell, run: &Run) -> String {
    let mut out = format!(
        "verdict: {}\nschedules: {}",
        cell.verdict.map_or("n/a".to_owned(), |v| v.to_string()),
        run.schedules
    );
    if let Some(failure) = &run.failure {
        out.push_str(&format!("\nfailure: {failure}"));
    }
    if let Some(trace) = &run.trace {
        out.push_str(&format!("\n\n{}", trace.table()));
    }
    if let Some(command) = cell.replay_command() {
        out.push_str(&format!("\nreplay: {command}"));
    }
    out
}

fn golden_path(id: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{id}.md"))
}

/// The counterexample that tells `entry`'s story: the first deterministic
/// checker to catch it with a trace, loom first (fewest preemptions), as
/// `synclab explain` finds it.
fn counterexample(entry: &'static Entry) -> Result<String, String> {
    let cells = runner::explain(entry, &Budget::default());
    let cell = runner::showcase(&cells, entry)
        .ok_or_else(|| format!("no deterministic checker caught {} with a trace", entry.id))?;
    let run = cell.run.as_ref().expect("a showcase cell ran");
    let failure = run.failure.as_ref().expect("a showcase cell caught");
    let trace = run.trace.as_ref().expect("a showcase cell has a trace");
    renders(trace)?;
    Ok(format!(
        "# {}\n\n{}\n\nCaught by {}: {}\n\nThe interleaving ({} context switches):\n\n{}\n```mermaid\n{}```\n",
        entry.id,
        entry.bug.unwrap_or_default(),
        cell.checker,
        without_lines(&failure.to_string()),
        trace.switches(),
        trace.table(),
        trace.mermaid()
    ))
}

/// `text` with each source location's line and column taken out
/// (`src/pool/mod.rs:224:17` becomes `src/pool/mod.rs`), as the golden
/// table does: an edit that only moves lines changes no golden.
fn without_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(".rs:") {
        out.push_str(&rest[..at + 3]);
        rest = &rest[at + 3..];
        while let Some(tail) = rest.strip_prefix(':')
            && tail.starts_with(|c: char| c.is_ascii_digit())
        {
            rest = tail.trim_start_matches(|c: char| c.is_ascii_digit());
        }
    }
    out.push_str(rest);
    out
}

/// The trace's Mermaid diagram parses, with a Mermaid parser, into exactly
/// the participants, arrows and notes it was written with, and renders to
/// SVG: a line the parser would skip (which Mermaid would refuse or draw
/// wrongly) fails.
fn renders(trace: &Trace) -> Result<(), String> {
    let shape = trace.shape();
    renders_as(&trace.mermaid(), shape.participants, shape.arrows)
}

/// `text` parses into `participants`, `arrows` and as many notes as it has
/// `Note over` lines, and renders to SVG.
fn renders_as(text: &str, participants: usize, arrows: usize) -> Result<(), String> {
    let bad = |why: String| format!("the diagram: {why}\n{text}");
    let parsed = mermaid_rs_renderer::parse_mermaid_strict(text)
        .map_err(|e| bad(format!("does not parse: {e}")))?;
    let graph = &parsed.graph;
    let notes = text
        .lines()
        .filter(|l| l.trim_start().starts_with("Note over"))
        .count();
    let parsed_shape = (
        graph.sequence_participants.len(),
        graph.edges.len(),
        graph.sequence_notes.len(),
    );
    if parsed_shape != (participants, arrows, notes) {
        return Err(bad(format!(
            "parses as (participants, arrows, notes) {parsed_shape:?}, written as {:?}",
            (participants, arrows, notes)
        )));
    }
    let svg = mermaid_rs_renderer::render_strict(text, Default::default())
        .map_err(|e| bad(format!("does not render: {e}")))?;
    if !svg.contains("<svg") || !svg.contains("T1") {
        return Err(bad("renders no diagram".to_owned()));
    }
    Ok(())
}

/// The diagram check fails a line the parser skips: an async arrow
/// (`-)`, which this parser does not know) counted as an arrow.
fn diagram_check_can_fail() -> Result<(), Failed> {
    let text = "sequenceDiagram\n    participant T1\n    participant T2\n    T1-)T2: wakes\n";
    match renders_as(text, 2, 1) {
        Err(why) if why.contains("parses as") => Ok(()),
        other => Err(format!("a skipped arrow went unseen: {other:?}").into()),
    }
}

/// The counterexample agrees with its committed snapshot.
fn golden(entry: &'static Entry) -> Result<(), Failed> {
    let found = counterexample(entry)?;
    let path = golden_path(entry.id);
    if std::env::var_os("SYNCLAB_BLESS").is_some() {
        std::fs::write(&path, &found).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(());
    }
    let committed = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e}; write it with SYNCLAB_BLESS=1 cargo test --test catalogue golden",
            path.display()
        )
    })?;
    if committed.replace("\r\n", "\n") == found {
        return Ok(());
    }
    Err(format!(
        "{} fails differently from its golden counterexample: if its story changed, mend the \
         variant or its story, then bless (SYNCLAB_BLESS=1).\n\n--- committed\n{committed}\n--- found\n{found}",
        entry.id
    )
    .into())
}

/// Every id is its primitive (without a `(usage)` note, dashed) and its
/// variant: `lock-relaxed`, `bounded-semaphore-correct`.
fn ids() -> Result<(), Failed> {
    for entry in entries() {
        let primitive = entry
            .primitive
            .trim_end_matches(" (usage)")
            .replace(' ', "-");
        let expected = format!("{primitive}-{}", entry.variant);
        if entry.id != expected {
            return Err(format!("{}: the id should be {expected}", entry.id).into());
        }
        if entries().filter(|e| e.id == entry.id).count() != 1 {
            return Err(format!("{}: two entries share the id", entry.id).into());
        }
    }
    Ok(())
}

/// Every broken variant is expected to be caught by at least one
/// deterministic checker, and every correct one to pass all of them, but
/// where a checker's known limit flags it (an expected false alarm, with
/// its reason), which only a correct variant can have, and then beside a
/// deterministic checker that passes it (the second opinion).
fn coherent() -> Result<(), Failed> {
    for entry in entries() {
        let expectations = Checker::ALL.map(|checker| (checker, entry.expectation(checker)));
        let alarm = expectations
            .iter()
            .any(|(_, expect)| matches!(expect, Expect::FalseAlarm(..)));
        let second_opinion = expectations
            .iter()
            .any(|(checker, expect)| checker.is_deterministic() && *expect == Expect::Pass);
        let fine = if entry.is_broken() {
            !alarm
                && expectations
                    .iter()
                    .any(|(checker, expect)| checker.is_deterministic() && expect.is_catch())
        } else if alarm && !second_opinion {
            false
        } else {
            expectations.iter().all(|(_, expect)| {
                matches!(
                    expect,
                    Expect::Pass | Expect::NotApplicable(_) | Expect::FalseAlarm(..)
                )
            })
        };
        if !fine {
            return Err(format!("{}: incoherent expectations {expectations:?}", entry.id).into());
        }
    }
    Ok(())
}

/// Every broken variant is marked in the source at its changed line:
/// `// BUG(<id>): was ...`.
fn markers() -> Result<(), Failed> {
    let mut sources = String::new();
    let mut dirs = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for item in std::fs::read_dir(&dir).map_err(|e| e.to_string())? {
            let path = item.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                sources.push_str(&std::fs::read_to_string(&path).map_err(|e| e.to_string())?);
            }
        }
    }
    for entry in entries().filter(|e| e.is_broken()) {
        if !sources.contains(&format!("BUG({}): was", entry.marker)) {
            return Err(format!(
                "{}: no `// BUG({}): was ...` marker in src/",
                entry.id, entry.marker
            )
            .into());
        }
    }
    Ok(())
}

/// A scenario that races on plain data in its broken variants (undefined
/// behaviour) is never run on real threads nor under shuttle: every one of
/// the lab's own checkers but loom is not applicable to it, and running
/// one returns no run (Miri and ThreadSanitizer, which detect the race,
/// run it when asked); and the catalogue has such rows, caught by loom as
/// data races.
fn data_races_only_under_loom() -> Result<(), Failed> {
    let racing: Vec<&Entry> = entries().filter(|e| e.races_on_data).collect();
    if !racing.iter().any(|e| e.is_broken()) {
        return Err("no broken row races on data".into());
    }
    for entry in racing {
        for checker in Checker::ALL.into_iter().filter(|&c| c != Checker::Loom) {
            if entry.expectation(checker) != Expect::NotApplicable(RACES_ON_DATA) {
                return Err(format!("{} would run under {checker}", entry.id).into());
            }
            if entry.run(checker, &Budget::default()).is_some() {
                return Err(format!("{} ran under {checker}", entry.id).into());
            }
        }
        let loom = entry.expectation(Checker::Loom);
        let expected = match entry.is_broken() {
            true => Expect::Catch(FailureKind::DataRace),
            false => Expect::Pass,
        };
        if loom != expected {
            return Err(format!("{}: loom is expected to {loom:?}", entry.id).into());
        }
    }
    Ok(())
}

/// Every golden file belongs to a broken variant.
fn stray_goldens() -> Result<(), Failed> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for item in std::fs::read_dir(&dir).map_err(|e| e.to_string())? {
        let name = item.map_err(|e| e.to_string())?.file_name();
        let name = name.to_string_lossy();
        let id = name.trim_end_matches(".md");
        if !entries().any(|e| e.is_broken() && e.id == id) {
            return Err(format!("tests/golden/{name} belongs to no broken variant").into());
        }
    }
    Ok(())
}

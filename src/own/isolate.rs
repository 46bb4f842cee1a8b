//! A kit's stress runs in a child process: the user's own test binary, run
//! again for the one test that called the kit. A round that hangs with
//! spinning threads is killed with the child, and nothing it leaves behind
//! slows what the test, or the tests beside it, run next.
//!
//! How the child gets there. libtest runs each test on a thread named after
//! it, so `<test binary> <name> --exact` runs that test alone. The child runs
//! it from the start. Each [`Kit::check`] before the one that asked returns
//! the report the parent got (from the plan the parent writes on the
//! child's standard input), so the test takes the same path; the asking
//! check runs its one stress run, reports it (see [`child`]) and ends the
//! process.
//!
//! When. From a thread named after a test (not `main`) in a binary that
//! cargo built in a `deps` directory, which is where a test binary lives,
//! and whose `--list` names that thread's test (asked once per test), unless
//! `SYNCLAB_ISOLATE=0` is set. Elsewhere (a doctest, a binary's `main`, a
//! thread the test spawned, a `harness = false` binary that does not list
//! its tests as libtest does) the stress run stays in the process, as it
//! does when the child does not reach the check: a test whose path depends
//! on something other than the reports (the clock, a random number). The
//! thread then stops trying. A child never starts a child. Code a test runs
//! before its checks runs again in each child.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::thread;

use serde::{Deserialize, Serialize};

use super::{Kit, OwnReport, OwnRun, SPEC};
use crate::lab::Budget;
use crate::lab::checkers::{self, Checker, Run, Subject, Worlds};
use crate::lab::child::{self, Lost};

/// The environment variable that turns the isolation off when `0`.
pub const ISOLATE: &str = "SYNCLAB_ISOLATE";

/// The environment variable that marks a child: its plan is on standard
/// input.
const CHILD: &str = "SYNCLAB_KIT_CHILD";

/// What a child is to do: in test `test` of binary `exe`, replay the
/// reports of the checks `before`, then run the stress run of `scenario` in
/// check number `check`.
#[derive(Serialize, Deserialize)]
struct Plan {
    exe: PathBuf,
    test: String,
    before: Vec<Vec<Recorded>>,
    check: usize,
    scenario: String,
}

/// One run of a check's report, as the plan carries it.
#[derive(Clone, Serialize, Deserialize)]
struct Recorded {
    scenario: String,
    run: Run,
}

thread_local! {
    /// How many checks this thread has begun.
    static CHECKS: Cell<usize> = const { Cell::new(0) };
    /// The reports of the checks this thread has finished (a parent's).
    static DONE: RefCell<Vec<Vec<Recorded>>> = const { RefCell::new(Vec::new()) };
    /// Whether a child can be started for this thread's test: unknown
    /// (`None`) until first asked; false once a child failed to reach its
    /// check.
    static REACHABLE: Cell<Option<bool>> = const { Cell::new(None) };
}

/// Begins a check of `kit`: its number on this thread, or, in a child,
/// the parent's report of it (a check before the asking one). The asking
/// check itself runs its stress run here and ends the process.
pub(super) fn begin(kit: &Kit, budget: &Budget) -> Result<usize, OwnReport> {
    let check = CHECKS.get();
    CHECKS.set(check + 1);
    let Some(plan) = plan().filter(|plan| {
        thread::current().name() == Some(&plan.test)
            && std::env::current_exe().is_ok_and(|exe| exe == plan.exe)
    }) else {
        return Ok(check);
    };
    if let Some(runs) = plan.before.get(check) {
        let runs: Option<Vec<OwnRun>> = runs
            .iter()
            .map(|recorded| {
                let scenario = kit.name(&recorded.scenario)?;
                let run = recorded.run.clone();
                Some(OwnRun { scenario, run })
            })
            .collect();
        // A report that does not fit this kit: the test took another path.
        let runs = runs.unwrap_or_else(|| std::process::exit(3));
        return Err(OwnReport {
            kind: kit.kind,
            runs,
        });
    }
    let worlds = kit
        .scenarios
        .iter()
        .find(|(name, _)| check == plan.check && *name == plan.scenario)
        .map(|&(_, worlds)| worlds)
        .unwrap_or_else(|| std::process::exit(3));
    let reported = child::started().and_then(|()| child::report(&Some(in_process(worlds, budget))));
    std::process::exit(if reported.is_ok() { 0 } else { 1 })
}

/// Ends check number `check` with `report`: a later child replays it.
pub(super) fn end(check: usize, report: &OwnReport) {
    let recorded = report
        .runs
        .iter()
        .map(|own| Recorded {
            scenario: own.scenario.to_owned(),
            run: own.run.clone(),
        })
        .collect();
    DONE.with_borrow_mut(|done| {
        done.truncate(check);
        done.push(recorded);
    });
}

/// The stress run of `scenario` in check number `check`: in a child process
/// where it can be, in this one otherwise.
pub(super) fn stress(check: usize, scenario: &'static str, worlds: Worlds, budget: &Budget) -> Run {
    let Some((exe, test)) = vehicle() else {
        return in_process(worlds, budget);
    };
    let plan = Plan {
        exe: exe.clone(),
        test: test.clone(),
        before: DONE.with_borrow(|done| done[..check.min(done.len())].to_vec()),
        check,
        scenario: scenario.to_owned(),
    };
    let Ok(input) = serde_json::to_vec(&plan) else {
        return in_process(worlds, budget);
    };
    let mut command = Command::new(exe);
    command.args(rerun(&test)).env(CHILD, "1");
    match child::run(&mut command, input, child::limit(budget)) {
        Ok(Some(run)) => run,
        Err(Lost::Silent { started: false, .. }) | Ok(None) | Err(Lost::Start(_)) => {
            REACHABLE.set(Some(false));
            in_process(worlds, budget)
        }
        Err(Lost::Limit(limit)) => Run {
            inconclusive: Some(Lost::Limit(limit).to_string()),
            ..Run::empty(Checker::Stress)
        },
        Err(lost) => Run::panicked(Checker::Stress, format!("the stress run died: {lost}")),
    }
}

/// The arguments that make a libtest binary run test `test` alone.
fn rerun(test: &str) -> [&str; 4] {
    [test, "--exact", "--include-ignored", "--test-threads=1"]
}

/// Runs the stress checker on `worlds` in this process.
fn in_process(worlds: Worlds, budget: &Budget) -> Run {
    checkers::run(Checker::Stress, &Subject::scenario(worlds), budget)
        .unwrap_or_else(|| Run::panicked(Checker::Stress, "the stress checker did not run"))
}

/// The test binary and the test's name, where a child can be started.
fn vehicle() -> Option<(PathBuf, String)> {
    let off = std::env::var_os(ISOLATE).is_some_and(|v| v == "0");
    if off || std::env::var_os(CHILD).is_some() || REACHABLE.get() == Some(false) {
        return None;
    }
    let test = thread::current().name()?.to_owned();
    let exe = std::env::current_exe().ok()?;
    let in_deps = exe
        .parent()
        .and_then(|dir| dir.file_name())
        .is_some_and(|dir| dir == "deps");
    if test == "main" || !in_deps {
        return None;
    }
    if REACHABLE.get().is_none() {
        REACHABLE.set(Some(lists(&exe, &test)));
    }
    REACHABLE.get()?.then_some((exe, test))
}

/// Whether `exe --list` names `test` as libtest does: `<test>: test`.
fn lists(exe: &Path, test: &str) -> bool {
    let listed = Command::new(exe)
        .args([test, "--exact", "--list", "--format", "terse"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    listed.is_ok_and(|out| {
        out.status.success()
            && String::from_utf8_lossy(&out.stdout).trim() == format!("{test}: test")
    })
}

/// This process's plan, if it is a child: read from standard input.
fn plan() -> Option<&'static Plan> {
    static PLAN: OnceLock<Option<Plan>> = OnceLock::new();
    PLAN.get_or_init(|| {
        std::env::var_os(CHILD)?;
        serde_json::from_reader(std::io::stdin().lock()).ok()
    })
    .as_ref()
}

impl Kit {
    /// The `'static` name of the kit's scenario `name`, or [`SPEC`].
    fn name(&self, name: &str) -> Option<&'static str> {
        if name == SPEC {
            return Some(SPEC);
        }
        self.scenarios
            .iter()
            .map(|&(scenario, _)| scenario)
            .find(|&scenario| scenario == name)
    }
}

//! A kit's stress runs in a child process: the user's own test binary, run
//! again for the one test that called the kit. A round that hangs with
//! spinning threads is killed with the child, and nothing it leaves behind
//! slows what the test, or the tests beside it, run next.
//!
//! How the child gets there. libtest runs each test on a thread named after
//! it, so `<test binary> <name> --exact` runs that test alone. The child runs
//! it from the start. Each [`Kit::check`] before the one that asked returns
//! the report the parent got (from a plan file the parent writes), so the
//! test takes the same path; the asking check runs its one stress run,
//! reports it (see [`child`]) and ends the process.
//!
//! When. From a thread named after a test (not `main`) in a binary that
//! cargo built in a `deps` directory, which is where a test binary lives,
//! and unless `SYNCLAB_ISOLATE=0` is set. Elsewhere (a doctest, a binary's
//! `main`, a thread the test spawned) the stress run stays in the process,
//! as it does when the child does not reach the check: a test whose path
//! depends on something other than the reports (the clock, a random
//! number). The thread then stops trying. Code a test runs before its
//! checks runs again in each child.

use std::cell::{Cell, RefCell};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use serde::{Deserialize, Serialize};

use super::{Kit, OwnReport, OwnRun, SPEC};
use crate::lab::Budget;
use crate::lab::checkers::{self, Checker, Run, Subject, Worlds};
use crate::lab::child::{self, Lost};

/// The environment variable that turns the isolation off when `0`.
pub const ISOLATE: &str = "SYNCLAB_ISOLATE";

/// The environment variable that tells a child where its plan is.
const PLAN: &str = "SYNCLAB_KIT_PLAN";

/// What a child is to do: in test `test`, replay the reports of the checks
/// `before`, then run the stress run of `scenario` in check number `check`.
#[derive(Serialize, Deserialize)]
struct Plan {
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
    /// Whether a child failed to reach its check: then stop trying.
    static UNREACHABLE: Cell<bool> = const { Cell::new(false) };
}

/// Begins a check of `kit`: its number on this thread, or, in a child,
/// the parent's report of it (a check before the asking one). The asking
/// check itself runs its stress run here and ends the process.
pub(super) fn begin(kit: &Kit, budget: &Budget) -> Result<usize, OwnReport> {
    let check = CHECKS.get();
    CHECKS.set(check + 1);
    let Some(plan) = plan().filter(|plan| thread::current().name() == Some(&plan.test)) else {
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
        test: test.clone(),
        before: DONE.with_borrow(|done| done[..check.min(done.len())].to_vec()),
        check,
        scenario: scenario.to_owned(),
    };
    let path = plan_path();
    let written = serde_json::to_vec(&plan)
        .map_err(std::io::Error::other)
        .and_then(|json| std::fs::write(&path, json));
    if written.is_err() {
        return in_process(worlds, budget);
    }
    let mut command = Command::new(exe);
    command
        .args([&test, "--exact", "--include-ignored", "--test-threads=1"])
        .env(PLAN, &path);
    let outcome = child::run(&mut command, b"");
    let _ = std::fs::remove_file(&path);
    match outcome {
        Ok(Some(run)) => run,
        Err(Lost::Silent { started: false, .. }) | Ok(None) | Err(Lost::Start(_)) => {
            UNREACHABLE.set(true);
            in_process(worlds, budget)
        }
        Err(Lost::Limit) => Run {
            inconclusive: Some(Lost::Limit.to_string()),
            ..Run::empty(Checker::Stress)
        },
        Err(lost) => Run::panicked(Checker::Stress, format!("the stress run died: {lost}")),
    }
}

/// Runs the stress checker on `worlds` in this process.
fn in_process(worlds: Worlds, budget: &Budget) -> Run {
    checkers::run(Checker::Stress, &Subject::scenario(worlds), budget)
        .expect("stress applies to every scenario")
}

/// The test binary and the test's name, where a child can be started.
fn vehicle() -> Option<(PathBuf, String)> {
    if plan().is_some() || UNREACHABLE.get() || std::env::var_os(ISOLATE).is_some_and(|v| v == "0")
    {
        return None;
    }
    let test = thread::current().name()?.to_owned();
    let exe = std::env::current_exe().ok()?;
    let in_deps = exe
        .parent()
        .and_then(|dir| dir.file_name())
        .is_some_and(|dir| dir == "deps");
    (test != "main" && in_deps).then_some((exe, test))
}

/// This process's plan, if it is a child.
fn plan() -> Option<&'static Plan> {
    static PLAN_READ: OnceLock<Option<Plan>> = OnceLock::new();
    PLAN_READ
        .get_or_init(|| {
            let path = std::env::var_os(PLAN)?;
            let json = std::fs::read(path).ok()?;
            serde_json::from_slice(&json).ok()
        })
        .as_ref()
}

/// A fresh path for a plan file.
fn plan_path() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("synclab-kit-{}-{n}.json", std::process::id()))
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

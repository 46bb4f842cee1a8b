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
//! When. On Unix, from a thread named after a test (not `main`) in a binary
//! that cargo built in a `deps` directory, which is where a test binary lives,
//! and whose `--list` names that thread's test (asked once per test), unless
//! `SYNCLAB_ISOLATE=0` is set. Elsewhere (a doctest, a binary's `main`, a
//! thread the test spawned, a `harness = false` binary that does not list
//! its tests as libtest does) the stress run stays in the process, as it
//! does when the child does not reach the check: a test whose path depends
//! on something other than the reports (the clock, a random number), or
//! that waits for something its parent holds. The thread then stops trying.
//! A child never starts a child; a process the child's code starts is no
//! child (the marker names the parent's process id), and is killed with the
//! child's process group. Code a test runs before its checks runs again in
//! each child.

use std::cell::{Cell, RefCell};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{Kit, OwnReport, OwnRun, SPEC};
use crate::lab::Budget;
use crate::lab::checkers::{self, Checker, Run, Subject, Worlds};
use crate::lab::child::{self, Lost};

/// The environment variable that turns the isolation off when `0`.
pub const ISOLATE: &str = "SYNCLAB_ISOLATE";

/// The environment variable that marks a child: set to its parent's
/// process id, so that a process the child's code starts in turn (which
/// inherits it) is not taken for a child. Its plan is on standard input.
const CHILD: &str = "SYNCLAB_KIT_CHILD";

/// How long the `--list` probe of the test binary may take.
const PROBE_LIMIT: Duration = Duration::from_secs(10);

/// What a child is to do: in test `test` of binary `exe`, replay the
/// reports of the checks `before`, then run the stress run of `scenario` in
/// check number `check`, whose kit is `kit`.
#[derive(Serialize, Deserialize)]
struct Plan {
    exe: PathBuf,
    test: String,
    before: Vec<Option<Done>>,
    check: usize,
    kit: Vec<(String, usize)>,
    scenario: String,
}

/// A finished check: its kit, and its report's runs.
#[derive(Clone, Serialize, Deserialize)]
struct Done {
    kit: Vec<(String, usize)>,
    runs: Vec<Recorded>,
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
    /// The checks this thread has finished (a parent's), by number; `None`
    /// for one that unwound.
    static DONE: RefCell<Vec<Option<Done>>> = const { RefCell::new(Vec::new()) };
    /// Whether a child can be started for this thread's test: unknown
    /// (`None`) until first asked; false once a child failed to reach its
    /// check.
    static REACHABLE: Cell<Option<bool>> = const { Cell::new(None) };
}

/// Begins a check of `kit`: its number on this thread, or, in a child,
/// the parent's report of it (a check before the asking one). The asking
/// check itself runs its stress run here and ends the process. A child
/// whose test took another path than its parent's (another kit at this
/// number, a check the parent did not finish) ends at once without a
/// report, and the parent runs the stress run itself.
pub(super) fn begin(kit: &Kit, budget: &Budget) -> Result<usize, OwnReport> {
    let check = CHECKS.get();
    CHECKS.set(check + 1);
    let Some(plan) = plan().filter(|plan| {
        thread::current().name() == Some(&plan.test)
            && std::env::current_exe().is_ok_and(|exe| exe == plan.exe)
    }) else {
        return Ok(check);
    };
    let lost = || -> ! { std::process::exit(3) };
    if check < plan.check {
        let Some(Some(done)) = plan.before.get(check) else {
            lost()
        };
        if done.kit != kit.fingerprint() {
            lost();
        }
        let runs: Option<Vec<OwnRun>> = (done.runs.iter())
            .map(|recorded| {
                let scenario = kit.name(&recorded.scenario)?;
                let run = recorded.run.clone();
                Some(OwnRun { scenario, run })
            })
            .collect();
        let Some(runs) = runs else { lost() };
        return Err(OwnReport {
            kind: kit.kind,
            runs,
        });
    }
    if check > plan.check || plan.kit != kit.fingerprint() {
        lost();
    }
    let Some(&(_, worlds)) = kit
        .scenarios
        .iter()
        .find(|(name, _)| *name == plan.scenario)
    else {
        lost()
    };
    let reported = child::started().and_then(|()| child::report(&Some(in_process(worlds, budget))));
    std::process::exit(if reported.is_ok() { 0 } else { 1 })
}

/// Ends check number `check` of `kit` with `report`: a later child replays
/// it.
pub(super) fn end(kit: &Kit, check: usize, report: &OwnReport) {
    let runs = report
        .runs
        .iter()
        .map(|own| Recorded {
            scenario: own.scenario.to_owned(),
            run: own.run.clone(),
        })
        .collect();
    let done = Done {
        kit: kit.fingerprint(),
        runs,
    };
    DONE.with_borrow_mut(|finished| {
        finished.resize(check, None);
        finished.push(Some(done));
    });
}

/// The stress run of `scenario` of `kit` in check number `check`: in a
/// child process where it can be, in this one otherwise.
pub(super) fn stress(
    kit: &Kit,
    check: usize,
    scenario: &'static str,
    worlds: Worlds,
    budget: &Budget,
) -> Run {
    let Some((exe, test)) = vehicle() else {
        return in_process(worlds, budget);
    };
    let mut before = DONE.with_borrow(Clone::clone);
    before.resize(check, None);
    let plan = Plan {
        exe: exe.clone(),
        test: test.clone(),
        before,
        check,
        kit: kit.fingerprint(),
        scenario: scenario.to_owned(),
    };
    let Ok(input) = serde_json::to_vec(&plan) else {
        return in_process(worlds, budget);
    };
    let mut command = Command::new(exe);
    command
        .args(rerun(&test))
        .env(CHILD, std::process::id().to_string());
    match child::run(&mut command, input, child::limit(budget)) {
        Ok(Some(run)) => run,
        Err(Lost::Silent { started: false, .. } | Lost::NotStarted | Lost::Start(_)) | Ok(None) => {
            REACHABLE.set(Some(false));
            in_process(worlds, budget)
        }
        Err(lost) => lost.into_run(Checker::Stress),
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

/// The test binary and the test's name, where a child can be started: on
/// Unix, in a test binary, not in a child.
fn vehicle() -> Option<(PathBuf, String)> {
    let off = std::env::var_os(ISOLATE).is_some_and(|v| v == "0");
    if !cfg!(unix) || off || is_child() || REACHABLE.get() == Some(false) {
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

/// Whether `exe --list` names `test` as libtest does (`<test>: test`),
/// within [`PROBE_LIMIT`]. The probe runs with the isolation off, so that a
/// binary that is not a test binary after all cannot probe itself again.
fn lists(exe: &Path, test: &str) -> bool {
    let probe = Command::new(exe)
        .args([test, "--exact", "--list", "--format", "terse"])
        .env(ISOLATE, "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut probe) = probe else {
        return false;
    };
    let start = Instant::now();
    let succeeded = loop {
        match probe.try_wait() {
            Ok(Some(status)) => break status.success(),
            Ok(None) if start.elapsed() < PROBE_LIMIT => thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = probe.kill();
                let _ = probe.wait();
                return false;
            }
        }
    };
    let mut listed = String::new();
    let read = probe
        .stdout
        .take()
        .map(|mut out| out.read_to_string(&mut listed));
    succeeded && matches!(read, Some(Ok(_))) && listed.trim() == format!("{test}: test")
}

/// Whether this process is a kit's child: [`CHILD`] names its parent.
fn is_child() -> bool {
    #[cfg(unix)]
    let parent = std::os::unix::process::parent_id().to_string();
    #[cfg(not(unix))]
    let parent = String::new();
    std::env::var(CHILD).is_ok_and(|marked| marked == parent)
}

/// This process's plan, if it is a child: read from standard input.
fn plan() -> Option<&'static Plan> {
    static PLAN: OnceLock<Option<Plan>> = OnceLock::new();
    PLAN.get_or_init(|| {
        if !is_child() {
            return None;
        }
        serde_json::from_reader(std::io::stdin().lock()).ok()
    })
    .as_ref()
}

impl Kit {
    /// What tells this kit from another in the same binary: each scenario's
    /// name and where its code lies, relative to a function of the lab's
    /// (the same in every run of the binary, whatever its load address).
    fn fingerprint(&self) -> Vec<(String, usize)> {
        let anchor = in_process as fn(Worlds, &Budget) -> Run as usize;
        self.scenarios
            .iter()
            .map(|(name, worlds)| {
                (
                    (*name).to_owned(),
                    (worlds.std as usize).wrapping_sub(anchor),
                )
            })
            .collect()
    }

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

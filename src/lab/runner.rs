//! The runner: executes cells (an entry under a checker) and judges each
//! once. The report only renders what it returns.
//!
//! The deterministic cells (loom, shuttle, model, linearizability) run on
//! every core at once: each runs on its own thread, and their verdicts do not
//! depend on timing. The stress cells run afterwards, one at a time with the
//! machine to themselves, so that what they measure is the primitive's
//! behaviour and not the other cells' load.

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use super::checkers::{Checker, Run};
use super::entry::{Entry, Verdict};
use super::{Budget, child};

/// One cell of the matrix: an entry under a checker, what happened, and the
/// verdict judged against the catalogue.
#[derive(Clone, Debug)]
pub struct Cell {
    /// The variant.
    pub entry: &'static Entry,
    /// The checker.
    pub checker: Checker,
    /// The run, `None` where the checker does not apply.
    pub run: Option<Run>,
    /// The verdict, `None` where the checker does not apply.
    pub verdict: Option<Verdict>,
}

impl Cell {
    /// Runs `entry` under `checker` and judges the run.
    ///
    /// ```
    /// use synclab::catalogue;
    /// use synclab::lab::{Budget, checkers::Checker, entry::Verdict, runner::Cell};
    ///
    /// let racy = catalogue::find("counter-racy").unwrap();
    /// let cell = Cell::run(racy, Checker::ShuttlePct, &Budget::default());
    /// assert_eq!(cell.verdict, Some(Verdict::Caught));
    /// ```
    pub fn run(entry: &'static Entry, checker: Checker, budget: &Budget) -> Cell {
        Cell::judge(entry, checker, entry.run(checker, budget))
    }

    /// The cell of `run`, judged against the catalogue.
    pub fn judge(entry: &'static Entry, checker: Checker, run: Option<Run>) -> Cell {
        let verdict = run.as_ref().map(|run| entry.verdict(run));
        Cell {
            entry,
            checker,
            run,
            verdict,
        }
    }

    /// Whether this cell agrees with the catalogue.
    pub fn is_expected(&self) -> bool {
        self.verdict.is_none_or(Verdict::is_expected)
    }

    /// The command that replays this cell's failure, where there is one.
    pub fn replay_command(&self) -> Option<String> {
        let run = self.run.as_ref()?;
        // A shuttle catch replays its shrunk schedule: the trace shown.
        let shrunk = run.shrunk.as_ref().map(|shrunk| &shrunk.replay);
        let args = shrunk.or(run.replay.as_ref())?;
        Some(format!(
            "cargo run --release -- replay {} {args}",
            self.entry.id
        ))
    }
}

/// How a cell's run is executed: [`in_process`], or (the command line's
/// way) in a child process.
pub type Execute = dyn Fn(&'static Entry, Checker, &Budget) -> Option<Run> + Sync;

/// Executes a run in this process: [`Entry::run`].
pub fn in_process(entry: &'static Entry, checker: Checker, budget: &Budget) -> Option<Run> {
    entry.run(checker, budget)
}

/// Executes a run in a child process, `exe cell ENTRY CHECKER` with the
/// budget as JSON on its standard input: `exe` is the synclab binary
/// (`env!("CARGO_BIN_EXE_synclab")` in the crate's own tests). A stress
/// round that hangs is then killed with the child, and its threads cannot
/// slow the cells after it (see [`child`]). A child that
/// brings no run back is a `panic` failure of the cell (never an expected
/// verdict), with what it printed; one killed at its limit is inconclusive.
pub fn in_child(
    exe: &Path,
    entry: &'static Entry,
    checker: Checker,
    budget: &Budget,
) -> Option<Run> {
    let input = serde_json::to_vec(budget).unwrap_or_default();
    let mut command = Command::new(exe);
    command.args(["cell", entry.id, checker.name()]);
    child::run(&mut command, input, child::limit(budget))
        .unwrap_or_else(|lost| Some(lost.into_run(checker)))
}

/// Runs every `(entry, checker)` of `plan` with `execute` and returns the
/// judged cells in the plan's order: the deterministic ones `jobs` at once,
/// then the stress ones alone. `done(cell, finished, total)` is called as
/// each cell finishes (from the thread that ran it), for progress.
///
/// Several threads of one process gain little here: loom and shuttle map
/// and unmap coroutine stacks for every execution, which makes threads of
/// one process wait on each other in the kernel. The command line executes
/// each cell in a child process, which scales with the cores.
pub fn run_all(
    plan: &[(&'static Entry, Checker)],
    budget: &Budget,
    jobs: usize,
    execute: &Execute,
    done: impl Fn(&Cell, usize, usize) + Sync,
) -> Vec<Cell> {
    let total = plan.len();
    let finished = AtomicUsize::new(0);
    let cells: Mutex<Vec<Option<Cell>>> = Mutex::new(vec![None; total]);
    let run_one = |index: usize| {
        let (entry, checker) = plan[index];
        let cell = Cell::judge(entry, checker, execute(entry, checker, budget));
        done(&cell, finished.fetch_add(1, Ordering::Relaxed) + 1, total);
        cells.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(cell);
    };
    let (deterministic, stress): (Vec<usize>, Vec<usize>) =
        (0..total).partition(|&index| plan[index].1.is_deterministic());
    let next = AtomicUsize::new(0);
    thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, deterministic.len().max(1)) {
            scope.spawn(|| {
                while let Some(&index) = deterministic.get(next.fetch_add(1, Ordering::Relaxed)) {
                    run_one(index);
                }
            });
        }
    });
    stress.into_iter().for_each(run_one);
    cells
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|cell| cell.expect("every cell of the plan ran"))
        .collect()
}

/// The cells that tell `entry`'s story: the deterministic checkers in the
/// order that shows a bug best (loom first, for its fewest preemptions; then
/// PCT, random, linearizability, the model test), run until one catches it
/// with a trace. For a correct entry, all of them.
pub fn explain(entry: &'static Entry, budget: &Budget) -> Vec<Cell> {
    let mut cells = Vec::new();
    for checker in STORY_ORDER {
        let cell = Cell::run(entry, checker, budget);
        let told = entry.is_broken() && cell.tells_story();
        cells.push(cell);
        if told {
            break;
        }
    }
    cells
}

/// The checkers whose trace tells a story, best first.
const STORY_ORDER: [Checker; 5] = [
    Checker::Loom,
    Checker::ShuttlePct,
    Checker::ShuttleRandom,
    Checker::Linearizability,
    Checker::Model,
];

impl Cell {
    /// Whether this cell caught its entry's bug with a trace: a deterministic
    /// checker's failure, with the interleaving that produced it.
    pub fn tells_story(&self) -> bool {
        self.checker.is_deterministic()
            && self
                .run
                .as_ref()
                .is_some_and(|r| r.failure.is_some() && r.trace.is_some())
    }
}

/// The cell among `cells` whose trace best shows `entry`'s bug: the first
/// that [tells its story](Cell::tells_story), in [`explain`]'s order.
pub fn showcase<'a>(cells: &'a [Cell], entry: &Entry) -> Option<&'a Cell> {
    STORY_ORDER.iter().find_map(|&checker| {
        cells
            .iter()
            .find(|c| c.entry.id == entry.id && c.checker == checker && c.tells_story())
    })
}

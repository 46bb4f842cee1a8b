//! The checkers: library code that runs a scenario and says what it caught.
//!
//! | checker | world | decides tests? | what it finds |
//! |---|---|---|---|
//! | [`Checker::Loom`] | [`Loom`](crate::backend::Loom) | yes | every interleaving within a preemption bound, weak memory, deadlocks, data races on cells |
//! | [`Checker::ShuttleRandom`] | [`Shuttle`](crate::backend::Shuttle) | yes (fixed seed) | logic races, deadlocks, lost wakeups (sequentially consistent only) |
//! | [`Checker::ShuttlePct`] | [`Shuttle`](crate::backend::Shuttle) | yes (fixed seed) | the same, with PCT's probabilistic guarantee for shallow bugs |
//! | [`Checker::Stress`] | [`Std`](crate::backend::Std) | never for broken variants | how often a bug shows on real threads |
//! | [`Checker::Model`] | [`Std`](crate::backend::Std) | yes (fixed seed) | sequential bugs and bad inputs, against a reference model |
//! | [`Checker::Linearizability`] | [`Shuttle`](crate::backend::Shuttle) | yes (fixed seed) | recorded histories that no sequential order explains, lost wakeups as enabled pending operations |
//! | [`Checker::Miri`] | [`Std`](crate::backend::Std), interpreted | yes (fixed seeds), when asked | data races, weak-memory outcomes, deadlocks, undefined behaviour; a child on the nightly toolchain |
//! | [`Checker::Tsan`] | [`Std`](crate::backend::Std), instrumented | for data races nothing orders, when asked; otherwise a frequency | data races on real threads; a child on the nightly toolchain |
//!
//! Every run ends in a [`Run`]: the failure caught (if any), how many
//! schedules (or rounds, or cases) were explored until the verdict, and how
//! long that took.

mod giveup;
mod loom;
pub mod miri;
pub mod model;
pub(crate) mod shrink;
pub(crate) mod shuttle;
mod stress;
pub mod tsan;
pub(crate) mod watchdog;

use std::fmt;

use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

use super::Budget;
use super::failure::{Failure, FailureKind};
use super::kernel::Modelling;
use super::trace::{self, Trace};

pub use model::Sequential;
pub use stress::{Histogram, INCONCLUSIVE, OK};

/// A checker of the lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Checker {
    /// loom: exhaustive within a preemption bound, C11 weak memory.
    Loom,
    /// shuttle with its random scheduler and a fixed seed.
    ShuttleRandom,
    /// shuttle with its PCT scheduler and a fixed seed.
    ShuttlePct,
    /// Real threads, many rounds, an outcome histogram; guarded by a watchdog.
    Stress,
    /// proptest operation sequences against a sequential reference model.
    Model,
    /// Histories recorded under shuttle, checked against a sequential spec.
    Linearizability,
    /// The scenario on real threads under Miri, with several seeds; a
    /// child process on the nightly toolchain (see [`miri`]).
    Miri,
    /// The scenario on real threads instrumented by ThreadSanitizer, a few
    /// rounds; a child process on the nightly toolchain (see [`tsan`]).
    Tsan,
}

impl Checker {
    /// The lab's own checkers, in its column order: the default run's,
    /// and the catalogue tests'.
    pub const ALL: [Checker; 6] = {
        let every = Checker::EVERY;
        [every[0], every[1], every[2], every[3], every[4], every[5]]
    };

    /// Every checker: [`Checker::ALL`], then those that run in a child
    /// process on the nightly toolchain, only when asked (`--checker miri`,
    /// `--checker tsan`, `--all`).
    pub const EVERY: [Checker; 8] = [
        Checker::Loom,
        Checker::ShuttleRandom,
        Checker::ShuttlePct,
        Checker::Stress,
        Checker::Model,
        Checker::Linearizability,
        Checker::Miri,
        Checker::Tsan,
    ];

    /// Whether this is loom or a shuttle scheduler: a model checker of a
    /// scenario, which runs in a model world with the lab's
    /// [`kernel`](super::kernel).
    ///
    /// ```
    /// use synclab::lab::checkers::Checker;
    ///
    /// assert!(Checker::ShuttlePct.is_model() && !Checker::Stress.is_model());
    /// ```
    pub fn is_model(self) -> bool {
        matches!(
            self,
            Checker::Loom | Checker::ShuttleRandom | Checker::ShuttlePct
        )
    }

    /// The checker's name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Checker::Loom => "loom",
            Checker::ShuttleRandom => "shuttle-random",
            Checker::ShuttlePct => "shuttle-pct",
            Checker::Stress => "stress",
            Checker::Model => "model",
            Checker::Linearizability => "linearizability",
            Checker::Miri => "miri",
            Checker::Tsan => "tsan",
        }
    }

    /// The checker of this [name](Checker::name).
    ///
    /// ```
    /// use synclab::lab::checkers::Checker;
    ///
    /// assert_eq!(Checker::parse("shuttle-pct"), Ok(Checker::ShuttlePct));
    /// assert!(Checker::parse("nobody").unwrap_err().contains("the checkers are loom"));
    /// ```
    pub fn parse(name: &str) -> Result<Checker, String> {
        Checker::EVERY
            .into_iter()
            .find(|c| c.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Checker::EVERY.iter().map(|c| c.name()).collect();
                format!(
                    "unknown checker `{name}`; the checkers are {}",
                    names.join(", ")
                )
            })
    }

    /// Whether a run of this checker is deterministic, so that its verdict
    /// may decide a test. The real-thread runs, [`Checker::Stress`] and
    /// [`Checker::Tsan`], are not (they also run alone, after the others).
    pub fn is_deterministic(self) -> bool {
        !matches!(self, Checker::Stress | Checker::Tsan)
    }
}

impl fmt::Display for Checker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A scenario in the three worlds: the same generic function, instantiated
/// for each (see [`worlds!`](crate::worlds), which the backend defines).
#[derive(Clone, Copy, Debug)]
pub struct Worlds {
    /// On real threads.
    pub std: fn(u32),
    /// Inside `loom::model`.
    pub loom: fn(u32),
    /// Inside a shuttle runner.
    pub shuttle: fn(u32),
}

/// A primitive's sequential test, from its one [`Spec`](crate::lab::spec::Spec):
/// the proptest model test, and the same check on operations decoded from
/// fuzzer bytes. See [`Sequential`].
#[derive(Clone, Copy, Debug)]
pub struct SequentialTest {
    /// Runs `cases` proptest cases from `seed`: the (shrunk) failure, if
    /// any, and the cases run until the verdict.
    pub model: fn(cases: u32, seed: u64) -> (Option<Failure>, usize),
    /// Decodes fuzzer bytes into a case and checks it; `Err` says where the
    /// primitive and its spec disagree.
    pub operations: fn(data: &[u8]) -> Result<(), String>,
}

impl SequentialTest {
    /// The two tests of `T`.
    pub const fn of<T: Sequential>() -> SequentialTest {
        SequentialTest {
            model: model::model_test::<T>,
            operations: model::operations_test::<T>,
        }
    }
}

/// A linearizability test: records histories of a scenario within the
/// budget and checks them; returns the failure (if any) and the schedules
/// explored.
pub type LinTest = fn(&Budget) -> (Option<Failure>, usize);

/// What the checkers are pointed at: a scenario in the three worlds, and
/// optionally a sequential test and a linearizability test.
#[derive(Clone, Copy, Debug)]
pub struct Subject {
    /// The scenario, for loom, shuttle and stress.
    pub worlds: Worlds,
    /// For [`Checker::Model`] (and the operation fuzz targets).
    pub sequential: Option<SequentialTest>,
    /// For [`Checker::Linearizability`].
    pub linearizability: Option<LinTest>,
}

impl Subject {
    /// A scenario without sequential or linearizability tests.
    pub const fn scenario(worlds: Worlds) -> Subject {
        Subject {
            worlds,
            sequential: None,
            linearizability: None,
        }
    }
}

/// What one checker did with one scenario.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Run {
    /// The checker.
    pub checker: Checker,
    /// The failure caught, or `None` if the scenario survived the budget.
    pub failure: Option<Failure>,
    /// Schedules, rounds or cases explored until the verdict.
    pub schedules: usize,
    /// Wall time until the verdict.
    pub elapsed: Duration,
    /// A stress run's outcome histogram.
    pub histogram: Option<Histogram>,
    /// How to get this failure again: the arguments of `synclab replay`
    /// after the variant, e.g. `--checker shuttle-random --seed 1 --schedules 3`.
    pub replay: Option<String>,
    /// The failing execution's interleaving, where the checker records one
    /// (loom, shuttle, linearizability).
    pub trace: Option<Trace>,
    /// Why the exploration was cut short of its budget or bound without a
    /// failure (loom's execution cap, fewer schedules than asked), or `None`
    /// if it was complete. A run that stopped at a failure is complete: the
    /// failure is its verdict.
    #[serde(default)]
    pub incomplete: Option<String>,
    /// Why the checker gave up without a verdict, with the likely cause and
    /// its fix (loom's branch limit or shuttle-PCT's step bound in a loop
    /// with no scheduling point, a stress round whose threads were still
    /// running at its timeout), or `None`. An inconclusive run has no
    /// failure: it is neither caught nor passed.
    #[serde(default)]
    pub inconclusive: Option<String>,
    /// What loom or shuttle added to its world for this run: virtual time
    /// and spurious wakeups (see [`kernel`](super::kernel)); `None` for the
    /// other checkers.
    #[serde(default)]
    pub modelling: Option<Modelling>,
    /// A shuttle catch's schedule with its needless context switches taken
    /// out: replayed with its switches removed one at a time, kept where it
    /// fails the same way (the README's "Reading a failure"). The run's
    /// failure and trace are then the shrunk schedule's.
    #[serde(default)]
    pub shrunk: Option<ShrunkSchedule>,
}

/// A shuttle catch's shrunk schedule, as a run keeps it.
///
/// ```
/// use synclab::catalogue::find;
/// use synclab::lab::{Budget, checkers::Checker};
///
/// let run = find("counter-racy").unwrap().run(Checker::ShuttlePct, &Budget::default()).unwrap();
/// let shrunk = run.shrunk.unwrap();
/// assert!(shrunk.after < shrunk.before && shrunk.replay.starts_with("--schedule "));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShrunkSchedule {
    /// The arguments of `synclab replay <id>` that replay it:
    /// `--schedule <hex>`.
    pub replay: String,
    /// Context switches in the trace before shrinking.
    pub before: usize,
    /// Context switches in the trace after.
    pub after: usize,
    /// Replays the shrinking made.
    pub replays: usize,
}

impl Run {
    /// A run of `checker` that explored nothing and found nothing, for the
    /// caller to fill in.
    pub fn empty(checker: Checker) -> Run {
        Run {
            checker,
            failure: None,
            schedules: 0,
            elapsed: Duration::ZERO,
            histogram: None,
            replay: None,
            trace: None,
            incomplete: None,
            inconclusive: None,
            modelling: None,
            shrunk: None,
        }
    }

    /// A run of `checker` that failed with a `panic`: what happens when the
    /// lab cannot run it (a child process lost), never an expected verdict.
    pub fn panicked(checker: Checker, why: impl Into<String>) -> Run {
        Run {
            failure: Some(Failure::new(FailureKind::Panic, why)),
            ..Run::empty(checker)
        }
    }

    fn timed(checker: Checker, work: impl FnOnce() -> (Option<Failure>, usize)) -> Run {
        let start = Instant::now();
        let (failure, schedules) = work();
        Run {
            failure,
            schedules,
            elapsed: start.elapsed(),
            ..Run::empty(checker)
        }
    }

    /// Like [`Run::timed`], tracing the work: a failure keeps the failing
    /// execution's trace, and the replay arguments `replay` gives for the
    /// schedules it took.
    fn traced(
        checker: Checker,
        work: impl FnOnce() -> (Option<Failure>, usize),
        replay: impl FnOnce(usize) -> String,
    ) -> Run {
        let (mut run, trace) = trace::traced(|| Run::timed(checker, work));
        if run.failure.is_some() {
            run.trace = trace;
            run.replay = Some(replay(run.schedules));
        }
        run
    }
}

/// The `synclab replay` arguments that rerun a seeded checker up to the
/// failing schedule.
fn replay_args(checker: Checker, seed: u64, schedules: usize) -> String {
    format!("--checker {checker} --seed {seed} --schedules {schedules}")
}

/// Runs `subject` under `checker` within `budget`; `None` if the subject
/// has nothing for that checker (no sequential test, no linearizability
/// test).
///
/// ```
/// use std::sync::Arc;
/// use synclab::backend::{AtomicU32Ops, Backend, Join, Ordering};
/// use synclab::lab::Budget;
/// use synclab::lab::checkers::{self, Checker, Subject};
///
/// /// Two threads each add one with a read-modify-write: never lost.
/// fn two_adds<B: Backend>(_ops: u32) {
///     let count = Arc::new(B::AtomicU32::new(0));
///     let other = Arc::clone(&count);
///     let handle = B::spawn(move || other.fetch_add(1, Ordering::Relaxed));
///     count.fetch_add(1, Ordering::Relaxed);
///     handle.join();
///     assert_eq!(count.load(Ordering::Relaxed), 2);
/// }
///
/// let subject = Subject::scenario(synclab::worlds!(two_adds));
/// let run = checkers::run(Checker::Loom, &subject, &Budget::default()).unwrap();
/// assert!(run.failure.is_none() && run.schedules > 1);
/// ```
pub fn run(checker: Checker, subject: &Subject, budget: &Budget) -> Option<Run> {
    let worlds = &subject.worlds;
    let mut run = match checker {
        Checker::Loom => loom::check(worlds.loom, budget),
        Checker::ShuttleRandom => shuttle::check(shuttle::Strategy::Random, worlds.shuttle, budget),
        Checker::ShuttlePct => shuttle::check(shuttle::Strategy::Pct, worlds.shuttle, budget),
        Checker::Stress => stress::check(worlds.std, budget),
        Checker::Model => {
            let model = subject.sequential?.model;
            Run::timed(Checker::Model, || model(budget.model_cases, budget.seed))
        }
        Checker::Miri | Checker::Tsan => return None, // per entry: see `Entry::run`
        Checker::Linearizability => {
            let test = subject.linearizability?;
            let seed = budget.seed;
            Run::traced(
                Checker::Linearizability,
                || test(budget),
                |schedules| replay_args(Checker::Linearizability, seed, schedules),
            )
        }
    };
    if checker.is_model() {
        run.modelling = Some(budget.modelling);
    }
    giveup::judge(&mut run, subject, budget);
    // A seeded checker that stopped short of its budget without a failure
    // did not explore what it was asked to (loom states its own cap).
    let asked = match checker {
        Checker::Loom | Checker::Miri | Checker::Tsan => None,
        Checker::ShuttleRandom | Checker::ShuttlePct | Checker::Linearizability => {
            Some((budget.shuttle_iterations, "schedules"))
        }
        Checker::Stress => Some((budget.stress_rounds, "rounds")),
        Checker::Model => Some((budget.model_cases as usize, "cases")),
    };
    if let Some((asked, unit)) = asked
        && run.failure.is_none()
        && run.incomplete.is_none()
        && run.inconclusive.is_none()
        && run.schedules < asked
    {
        run.incomplete = Some(format!("{} of {asked} {unit}", run.schedules));
    }
    Some(run)
}

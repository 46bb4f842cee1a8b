//! Check your own primitive: every applicable checker, pointed at a type
//! the lab has never seen.
//!
//! Write the primitive over the [backend](crate::backend) (its atomics, its
//! futex, its yield). Then either:
//!
//! - **for a kind the lab lists** (a lock, a semaphore, an event, a queue,
//!   a thread pool):
//!   implement its [kind](crate::kinds) trait, name the primitive in every
//!   world with a family, and call the `check_*` of its kind. It runs the
//!   lab's scenarios for that kind, the model test against the kind's spec
//!   and the linearizability checker;
//! - **for any other kind**: write your scenarios as [`Scenario`]s (threads,
//!   operations, and invariants stated with [`ensure!`](crate::ensure)),
//!   optionally a sequential spec as a [`Model`], and put them in a
//!   [`Kit`].
//!
//! Either way, the [`OwnReport`] says what each checker found, and a test
//! ends with one of its assertions. A failure's replay works from the test
//! itself: [`Kit::replay`].
//!
//! Under loom and shuttle your primitive's futex waits time out in virtual
//! time and may wake spuriously once per execution (the lab's
//! [`kernel`](crate::lab::kernel)), so code that trusts a wakeup is caught.
//! The kernel's thread is one of loom's 4 spawned threads: a scenario of
//! yours may spawn 3 while it runs; for one that spawns 4, set the budget's
//! [`modelling`](crate::lab::Budget::modelling) to
//! [`Modelling::OFF`](crate::lab::kernel::Modelling::OFF).
//!
//! A countdown latch, a kind the lab does not list, with the classic bug of
//! a decrement done as a read and a write:
//!
//! ```
//! use std::sync::Arc;
//! use synclab::backend::{AtomicU32Ops, Backend, Deadline, Futex, Ordering, run_threads};
//! use synclab::ensure;
//! use synclab::lab::Budget;
//! use synclab::lab::failure::{Bug, FailureKind};
//! use synclab::own::{Kit, Scenario};
//!
//! /// `wait` returns once `count_down` has been called `n` times.
//! struct Latch<B: Backend>(B::Futex);
//!
//! impl<B: Backend> Latch<B> {
//!     fn count_down(&self) {
//!         let count = self.0.load(Ordering::Relaxed);
//!         self.0.store(count - 1, Ordering::Release); // should be one fetch_sub
//!         if count == 1 {
//!             self.0.wake_all();
//!         }
//!     }
//!     fn wait(&self) {
//!         while let count @ 1.. = self.0.load(Ordering::Acquire) {
//!             self.0.wait(count, Deadline::Never);
//!         }
//!     }
//! }
//!
//! /// Two threads count a latch of 2 down while a third waits for it.
//! struct TwoCountDowns;
//!
//! impl Scenario for TwoCountDowns {
//!     const NAME: &'static str = "two-count-downs";
//!     fn run<B: Backend>(_ops: u32) {
//!         let shared = Arc::new((Latch::<B>(B::Futex::new(2)), B::AtomicU32::new(0)));
//!         run_threads::<B, _>(3, &shared, |(latch, done), thread| {
//!             if thread < 2 {
//!                 done.fetch_add(1, Ordering::Relaxed);
//!                 latch.count_down();
//!             } else {
//!                 latch.wait();
//!                 let done = done.load(Ordering::Relaxed);
//!                 ensure!(done == 2, Bug::FalseState, "released after {done} of 2 count-downs");
//!             }
//!         });
//!     }
//! }
//!
//! let kit = Kit::new("latch").scenario::<TwoCountDowns>();
//! let report = kit.check(&Budget::default());
//! // Panics with the whole report (verdicts, trace, replay) if not caught:
//! // one count-down is lost, and the waiter sleeps forever.
//! report.assert_caught(FailureKind::Deadlock);
//! ```

pub mod isolate;
pub mod miri;
mod report;

use crate::backend::{Backend, Loom, Shuttle, Std};
use crate::facade::world;
use crate::kinds::model::{self, Model};
use crate::kinds::{EventFamily, LockFamily, PoolFamily, QueueFamily, SemaphoreFamily};
use crate::lab::Budget;
use crate::lab::checkers::{self, Checker, LinTest, Run, SequentialTest, Subject, Worlds};
use crate::{event, lock, pool, queue, semaphore, worlds};

pub use report::{OwnReport, OwnRun};

/// The name under which a report lists the runs of a kit's sequential spec:
/// the model test and the linearizability checker.
pub const SPEC: &str = "spec";

/// A concurrent scenario over a primitive: it starts threads (with
/// [`run_threads`](crate::backend::run_threads) or `B::spawn`), applies
/// operations, and states what must hold with [`ensure!`](crate::ensure) (or
/// any panic). Written once, generic over the world `B`, it runs under loom,
/// under shuttle's two schedulers and on real threads.
///
/// Keep it small for loom: 2–3 threads of 1–2 operations each.
pub trait Scenario: 'static {
    /// A short name for reports and [`Kit::replay`], e.g. `"two-count-downs"`.
    const NAME: &'static str;

    /// Runs the scenario once in world `B`. `ops` is how many rounds the
    /// budget asks each thread for ([`Budget::loom_ops`],
    /// [`Budget::shuttle_ops`], [`Budget::stress_ops`]); a scenario may
    /// ignore it.
    fn run<B: Backend>(ops: u32);
}

/// What the kit runs: scenarios, and optionally a sequential spec.
///
/// Build it with [`Kit::new`] and [`Kit::scenario`] (and [`Kit::model`]),
/// or take the kit of a kind the lab lists ([`Kit::lock`], [`Kit::queue`]...).
#[derive(Clone, Debug)]
pub struct Kit {
    kind: &'static str,
    scenarios: Vec<(&'static str, Worlds)>,
    /// Whether each scenario's std path also runs under Miri.
    miri: bool,
    sequential: Option<SequentialTest>,
    linearizability: Option<LinTest>,
}

impl Kit {
    /// An empty kit for a primitive of `kind` (a name for the report).
    pub fn new(kind: &'static str) -> Kit {
        Kit {
            kind,
            scenarios: Vec::new(),
            miri: false,
            sequential: None,
            linearizability: None,
        }
    }

    /// Adds scenario `S`, run under loom, shuttle (random and PCT) and
    /// stress.
    ///
    /// # Panics
    ///
    /// If the kit has a scenario of the same [`NAME`](Scenario::NAME)
    /// already, or the name is [`SPEC`].
    #[track_caller]
    pub fn scenario<S: Scenario>(self) -> Kit {
        let worlds = Worlds {
            std: S::run::<Std>,
            loom: S::run::<Loom>,
            shuttle: S::run::<Shuttle>,
        };
        self.with(S::NAME, worlds)
    }

    /// Adds the sequential spec of `M`: the model test, and the
    /// linearizability checker over programs of 2–3 threads generated from
    /// its operations.
    pub fn model<M: Model>(self) -> Kit {
        Kit {
            sequential: Some(model::sequential::<M>()),
            linearizability: Some(model::linearizability::<M>),
            ..self
        }
    }

    /// Runs each scenario's std path under Miri too (data races,
    /// undefined behaviour, weak memory; 8 seeds), as the lab's Miri
    /// column does: from a `#[test]` in a file under `tests/`, which Miri
    /// builds and runs again for the one scenario (see [`miri`]). The
    /// first such check builds the test under Miri (a minute or two).
    /// Where Miri is not installed the run is inconclusive, saying how to
    /// install it.
    pub fn with_miri(self) -> Kit {
        Kit { miri: true, ..self }
    }

    /// The lab's kit for a lock of family `F`.
    pub fn lock<F: LockFamily>() -> Kit {
        Kit::new("lock").subject("lock-exclusion", lock::scenarios::subject::<F>())
    }

    /// The lab's kit for a semaphore of family `F`.
    pub fn semaphore<F: SemaphoreFamily>() -> Kit {
        let subject = semaphore::scenarios::subject::<F>();
        Kit::new("semaphore").subject("semaphore-admission", subject)
    }

    /// The lab's kit for an event of family `F`.
    pub fn event<F: EventFamily>() -> Kit {
        Kit::new("event").subject("event-broadcast", event::scenarios::subject::<F>())
    }

    /// The lab's kit for a queue of family `F`.
    pub fn queue<F: QueueFamily>() -> Kit {
        Kit::new("queue")
            .subject("queue-handoff", queue::scenarios::subject::<F>())
            .with("queue-burst", worlds!(queue::scenarios::queue_burst, F))
    }

    /// The lab's kit for a thread pool of family `F`.
    pub fn pool<F: PoolFamily>() -> Kit {
        Kit::new("pool")
            .subject("pool-wait", pool::scenarios::subject::<F>())
            .with("pool-map", worlds!(pool::scenarios::pool_map, F))
            .with("pool-panic", worlds!(pool::scenarios::pool_panic, F))
    }

    /// Runs every scenario under every checker that applies, then the spec's
    /// checkers, within `budget`.
    ///
    /// The stress runs go to a child process where they can: see
    /// [`isolate`].
    ///
    /// # Panics
    ///
    /// If a [facade](crate::facade) value was used in a world it was not
    /// created in: no verdict of the check would hold.
    pub fn check(&self, budget: &Budget) -> OwnReport {
        if let Some(report) = miri::child(self, budget) {
            return report;
        }
        let checking = world::Checking::begin();
        let check = match isolate::begin(self, budget) {
            Ok(check) => check,
            Err(replayed) => {
                let failures = replayed
                    .runs
                    .iter()
                    .filter_map(|own| own.run.failure.as_ref());
                checking.end(failures.map(|failure| failure.message.as_str()));
                return replayed;
            }
        };
        let mut runs = Vec::new();
        for &(scenario, worlds) in &self.scenarios {
            let subject = Subject::scenario(worlds);
            runs.extend(
                Checker::ALL
                    .into_iter()
                    .filter_map(|checker| match checker {
                        Checker::Stress => {
                            Some(isolate::stress(self, check, scenario, worlds, budget))
                        }
                        _ => checkers::run(checker, &subject, budget),
                    })
                    .map(|run| OwnRun { scenario, run }),
            );
        }
        if self.miri {
            runs.extend(miri::runs(self));
        }
        let spec = self.spec();
        runs.extend(
            [Checker::Model, Checker::Linearizability]
                .into_iter()
                .filter_map(|checker| checkers::run(checker, &spec, budget))
                .map(|run| OwnRun {
                    scenario: SPEC,
                    run,
                }),
        );
        let report = OwnReport {
            kind: self.kind,
            runs,
        };
        checking.end(
            report
                .runs
                .iter()
                .filter_map(|own| own.run.failure.as_ref())
                .map(|f| f.message.as_str()),
        );
        isolate::end(self, check, &report);
        report
    }

    /// Runs a failure again from its replay: `budget` is the one the kit
    /// was checked with, `scenario` the failing run's
    /// [`OwnRun::scenario`], and `replay` its [`Run::replay`], e.g.
    /// `"--checker shuttle-random --seed 1 --schedules 3"`. The run returned
    /// stops at the same failure, with its trace; `Err` if no failure comes
    /// back (a failure the linearizability checker saw only on real threads
    /// does not replay).
    ///
    /// `Err` says why the replay cannot run: an unknown scenario, a checker
    /// that has no replay there (stress and the model test never have one;
    /// a scenario replays under loom and shuttle, the spec under the
    /// linearizability checker), or a malformed string.
    pub fn replay(&self, budget: &Budget, scenario: &str, replay: &str) -> Result<Run, String> {
        let (checker, seed, schedules) = parse_replay(replay)?;
        let replays = if scenario == SPEC {
            checker == Checker::Linearizability
        } else {
            checker.is_model()
        };
        if !replays {
            return Err(format!("{scenario:?} has no {checker} run to replay"));
        }
        let subject = if scenario == SPEC {
            self.spec()
        } else {
            let (_, worlds) = self
                .scenarios
                .iter()
                .find(|(name, _)| *name == scenario)
                .ok_or_else(|| format!("the kit has no scenario named {scenario:?}"))?;
            Subject::scenario(*worlds)
        };
        let checking = world::Checking::begin();
        let run = checkers::run(checker, &subject, &budget.replaying(seed, schedules));
        let failure = run.as_ref().and_then(|run| run.failure.as_ref());
        checking.end(failure.map(|failure| failure.message.as_str()));
        let run = run.ok_or_else(|| format!("{checker} does not apply to {scenario:?}"))?;
        match run.failure {
            Some(_) => Ok(run),
            None => Err(format!(
                "{scenario:?} under {checker} ran {} schedules without the failure: check that \
                 `budget` is the one the kit was checked with",
                run.schedules
            )),
        }
    }

    /// The kit's sequential spec, as a subject of its own.
    fn spec(&self) -> Subject {
        Subject {
            sequential: self.sequential,
            linearizability: self.linearizability,
            ..Subject::scenario(worlds!(nothing))
        }
    }

    /// Adds `worlds` as the scenario `name`; panics if the name is taken
    /// (or is [`SPEC`]), since a replay names its scenario.
    #[track_caller]
    fn with(mut self, name: &'static str, worlds: Worlds) -> Kit {
        let taken = name == SPEC || self.scenarios.iter().any(|(other, _)| *other == name);
        assert!(
            !taken,
            "the kit already has a scenario named {name:?}: give each its own `Scenario::NAME`"
        );
        self.scenarios.push((name, worlds));
        self
    }

    /// Adds a catalogue subject: its scenario as `name`, its tests as the
    /// spec's.
    fn subject(self, name: &'static str, subject: Subject) -> Kit {
        Kit {
            sequential: subject.sequential,
            linearizability: subject.linearizability,
            ..self.with(name, subject.worlds)
        }
    }
}

/// The spec's subject runs no scenario: only its sequential tests.
fn nothing<B: Backend>(_ops: u32) {}

/// Reads `--checker NAME [--seed N] [--schedules N]`.
fn parse_replay(replay: &str) -> Result<(Checker, Option<u64>, Option<usize>), String> {
    let malformed = || {
        format!("malformed replay {replay:?}: expected `--checker NAME [--seed N] [--schedules N]`")
    };
    let (mut checker, mut seed, mut schedules) = (None, None, None);
    let mut words = replay.split_whitespace();
    while let Some(flag) = words.next() {
        let value = words.next().ok_or_else(malformed)?;
        match flag {
            "--checker" => checker = Some(Checker::parse(value)?),
            "--seed" => seed = Some(value.parse().map_err(|_| malformed())?),
            "--schedules" => schedules = Some(Budget::schedule_count(value)?),
            _ => return Err(malformed()),
        }
    }
    Ok((checker.ok_or_else(malformed)?, seed, schedules))
}

/// Checks a lock: mutual exclusion and ordering (two threads updating data
/// inside, [`lock_exclusion`](lock::scenarios::lock_exclusion)), lost
/// wakeups, the model test of the lock's spec (timed acquires included) and
/// the linearizability of acquire/release histories. [`Kit::lock`], checked.
pub fn check_lock<F: LockFamily>(budget: &Budget) -> OwnReport {
    Kit::lock::<F>().check(budget)
}

/// Checks a semaphore: at most N holders of 2 permits
/// ([`semaphore_admission`](semaphore::scenarios::semaphore_admission)),
/// permits neither lost nor invented, lost wakeups, the model test (0 to 2
/// permits, timed acquires included) and linearizability.
/// [`Kit::semaphore`], checked.
pub fn check_semaphore<F: SemaphoreFamily>(budget: &Budget) -> OwnReport {
    Kit::semaphore::<F>().check(budget)
}

/// Checks an event: one `set` releases every waiter
/// ([`event_broadcast`](event::scenarios::event_broadcast)), and the model
/// test of the event's spec, timed waits included. [`Kit::event`], checked.
pub fn check_event<F: EventFamily>(budget: &Budget) -> OwnReport {
    Kit::event::<F>().check(budget)
}

/// Checks a queue: the producer-consumer handoff at capacity 1
/// ([`queue_handoff`](queue::scenarios::queue_handoff): capacity,
/// duplicates, lost items, lost wakeups) and at capacity 2
/// ([`queue_burst`](queue::scenarios::queue_burst): a wakeup per item, FIFO
/// order), the model test (unbounded and capacities 1 to 3, timed
/// operations included) and the linearizability of a recorded
/// put/get/task_done/join history at capacity 1. [`Kit::queue`], checked.
pub fn check_queue<F: QueueFamily>(budget: &Budget) -> OwnReport {
    Kit::queue::<F>().check(budget)
}

/// Checks a thread pool: waiting for futures with `result` and
/// `as_completed` ([`pool_wait`](pool::scenarios::pool_wait): lost
/// wakeups, late registrations, leaked workers), `map`'s order
/// ([`pool_map`](pool::scenarios::pool_map)), a task's panic
/// ([`pool_panic`](pool::scenarios::pool_panic): a worker must survive
/// it), the model test (1 to 3 workers, tasks that finish in reverse order
/// included) and linearizability. [`Kit::pool`], checked.
pub fn check_pool<F: PoolFamily>(budget: &Budget) -> OwnReport {
    Kit::pool::<F>().check(budget)
}

//! The catalogue: every variant of every primitive, with its scenario and
//! what each checker is expected to make of it.
//!
//! This is the one list. Tests, the command line and the docs read it; none
//! keeps a second.

use std::fmt;

use crate::checkers::{self, Budget, Checker, LinTest, ModelTest, Run, Subject, Worlds};
use crate::counter::{Atomic, Locked, Racy};
use crate::event::Correct as EventCorrect;
use crate::event::broken::{NotifyOneSet, UnlockedCheck};
use crate::failure::{Bug, FailureKind};
use crate::fuzzing::{self, OpsTest};
use crate::linearizability::scenarios as lin;
use crate::lock::Correct;
use crate::lock::broken::{NoWakeUnlock, Relaxed, TestThenSet};
use crate::queue::Correct as QueueCorrect;
use crate::queue::broken::{NoFullCheck, OneCondition, TaskDoneRace, UnlockedLength};
use crate::semaphore::Correct as SemaphoreCorrect;
use crate::semaphore::broken::{CheckThenDecrement, SilentRelease, UnboundedRelease};
use crate::{scenarios, worlds};

/// What a checker is expected to make of a variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// A correct variant: the checker must find nothing.
    Pass,
    /// A broken variant the checker must catch, with this kind of failure.
    Catch(FailureKind),
    /// A broken variant the checker must catch as either kind: a bug with
    /// two consequences, whichever schedule the checker meets first.
    CatchEither(FailureKind, FailureKind),
    /// A broken variant this checker cannot catch, and why.
    Escape(&'static str),
    /// A stress run of a broken variant: reports how often it sees this
    /// kind of failure, and decides nothing.
    Observe(FailureKind),
    /// The checker does not apply to this scenario, and why.
    NotApplicable(&'static str),
}

impl Expect {
    /// Whether this expects the checker to catch the variant.
    pub fn is_catch(self) -> bool {
        matches!(self, Expect::Catch(_) | Expect::CatchEither(..))
    }

    /// Whether a failure of `kind` is what this expects caught.
    pub fn catches(self, kind: FailureKind) -> bool {
        match self {
            Expect::Catch(expected) => kind == expected,
            Expect::CatchEither(one, other) => kind == one || kind == other,
            _ => false,
        }
    }
}

/// The expectation of each checker for one variant.
#[derive(Clone, Copy, Debug)]
pub struct Expectations {
    /// loom.
    pub loom: Expect,
    /// shuttle, random scheduler.
    pub shuttle_random: Expect,
    /// shuttle, PCT scheduler.
    pub shuttle_pct: Expect,
    /// Real-thread stress.
    pub stress: Expect,
    /// Sequential model-based proptest.
    pub model: Expect,
    /// Recorded histories under shuttle, against a sequential spec.
    pub linearizability: Expect,
}

impl Expectations {
    /// The expectation for `checker`.
    pub fn of(&self, checker: Checker) -> Expect {
        match checker {
            Checker::Loom => self.loom,
            Checker::ShuttleRandom => self.shuttle_random,
            Checker::ShuttlePct => self.shuttle_pct,
            Checker::Stress => self.stress,
            Checker::Model => self.model,
            Checker::Linearizability => self.linearizability,
        }
    }

    /// A correct variant: every checker passes it.
    const fn correct() -> Expectations {
        Expectations {
            loom: Expect::Pass,
            shuttle_random: Expect::Pass,
            shuttle_pct: Expect::Pass,
            stress: Expect::Pass,
            model: Expect::Pass,
            linearizability: Expect::Pass,
        }
    }

    /// A lost wakeup or a deadlock: the scheduling checkers report a
    /// deadlock, a stress run hangs (until its watchdog), the history of a
    /// run that hits it is not linearizable.
    const fn lost_wakeup() -> Expectations {
        Expectations {
            stress: Expect::Observe(FailureKind::Hang),
            ..Expectations::race(FailureKind::Deadlock)
        }
    }

    /// A race every scheduling checker catches as `kind`: stress observes
    /// it, the sequential model cannot see it, and the history of a run
    /// that hits it is not linearizable.
    const fn race(kind: FailureKind) -> Expectations {
        Expectations {
            loom: Expect::Catch(kind),
            shuttle_random: Expect::Catch(kind),
            shuttle_pct: Expect::Catch(kind),
            stress: Expect::Observe(kind),
            model: SEQUENTIAL,
            linearizability: Expect::Catch(FailureKind::NotLinearizable),
        }
    }
}

const SEQUENTIAL: Expect =
    Expect::Escape("a sequential run has no second thread, so no interleaving can expose the bug");
const NO_MODEL: Expect = Expect::NotApplicable("no sequential model test for this scenario");
const NO_SPEC: Expect = Expect::NotApplicable("no recorded scenario and spec for this scenario");
const SHUTTLE_IS_SC: Expect = Expect::Escape(
    "shuttle runs every atomic as SeqCst, so it cannot see a missing Acquire/Release",
);

/// One variant of one primitive (or one usage of it), as the lab runs it.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// The primitive, e.g. `"lock"` or `"lock (usage)"`.
    pub primitive: &'static str,
    /// The variant, e.g. `"test-then-set"`; correct variants are named for
    /// what makes them correct (`"correct"`, `"locked"`, `"lock-ordering"`).
    pub variant: &'static str,
    /// The id: `primitive-variant`, and for a broken variant the tag of its
    /// `// BUG(<id>)` marker in the source.
    pub id: &'static str,
    /// The bug in one sentence; `None` for a correct variant.
    pub bug: Option<&'static str>,
    /// The scenario, in prose: what the threads do and what must hold.
    pub scenario: &'static str,
    /// The scenario in the three worlds.
    pub worlds: Worlds,
    /// The sequential model test, for primitives that have one.
    pub model: Option<ModelTest>,
    /// The recorded scenario the linearizability checker judges, for
    /// primitives that have a spec.
    pub linearizability: Option<LinTest>,
    /// The fuzz target of operation sequences, for primitives that have a
    /// sequential model.
    pub operations: Option<OpsTest>,
    /// What each checker is expected to make of it.
    pub expect: Expectations,
}

impl Entry {
    /// Whether this is a deliberately broken variant.
    pub fn is_broken(&self) -> bool {
        self.bug.is_some()
    }

    /// What `checker` is expected to make of this entry: the catalogue's
    /// expectation, or not applicable where the entry has no test for it.
    pub fn expectation(&self, checker: Checker) -> Expect {
        match checker {
            Checker::Model if self.model.is_none() => NO_MODEL,
            Checker::Linearizability if self.linearizability.is_none() => NO_SPEC,
            _ => self.expect.of(checker),
        }
    }

    /// Runs this entry under `checker`; `None` when the checker does not apply.
    pub fn run(&self, checker: Checker, budget: &Budget) -> Option<Run> {
        if matches!(self.expectation(checker), Expect::NotApplicable(_)) {
            return None;
        }
        let subject = Subject {
            worlds: self.worlds,
            model: self.model,
            linearizability: self.linearizability,
        };
        checkers::run(checker, &subject, budget)
    }

    /// The verdict of `run`, judged against this entry's expectation.
    pub fn verdict(&self, run: &Run) -> Verdict {
        let caught = run.failure.as_ref().map(|failure| failure.kind);
        match (self.expectation(run.checker), caught) {
            (expect, Some(kind)) if expect.catches(kind) => Verdict::Caught,
            (Expect::Catch(expected) | Expect::CatchEither(expected, _), Some(kind)) => {
                Verdict::CaughtOther { expected, kind }
            }
            (Expect::Catch(_) | Expect::CatchEither(..), None) => Verdict::Escaped,
            (Expect::Pass | Expect::NotApplicable(_), None) => Verdict::Passed,
            (Expect::Pass | Expect::NotApplicable(_), Some(kind)) => Verdict::FalseAlarm(kind),
            (Expect::Escape(reason), None) => Verdict::ExpectedEscape(reason),
            (Expect::Escape(_), Some(kind)) => Verdict::CaughtUnexpectedly(kind),
            (Expect::Observe(_), Some(kind)) => Verdict::Observed(kind),
            (Expect::Observe(_), None) => Verdict::NotObserved,
        }
    }
}

/// How a run compares with the catalogue's expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A broken variant caught with the expected kind of failure.
    Caught,
    /// A correct variant that survived.
    Passed,
    /// A broken variant not caught by a checker that should catch it.
    Escaped,
    /// A correct variant flagged: a defect in the variant or the checker.
    FalseAlarm(FailureKind),
    /// A broken variant that escaped a checker known not to see it.
    ExpectedEscape(&'static str),
    /// A broken variant caught, but as a different kind of failure.
    CaughtOther {
        /// What the catalogue expected.
        expected: FailureKind,
        /// What was caught.
        kind: FailureKind,
    },
    /// A broken variant caught by a checker the catalogue says cannot see it.
    CaughtUnexpectedly(FailureKind),
    /// A stress run saw the bug (a frequency, not a judgement).
    Observed(FailureKind),
    /// A stress run did not see the bug this time (not a judgement).
    NotObserved,
}

impl Verdict {
    /// The verdict's stable name, as JSON reports carry it.
    pub fn slug(self) -> &'static str {
        match self {
            Verdict::Caught => "caught",
            Verdict::Passed => "passed",
            Verdict::Escaped => "escaped",
            Verdict::FalseAlarm(_) => "false-alarm",
            Verdict::ExpectedEscape(_) => "expected-escape",
            Verdict::CaughtOther { .. } => "caught-other",
            Verdict::CaughtUnexpectedly(_) => "caught-unexpectedly",
            Verdict::Observed(_) => "observed",
            Verdict::NotObserved => "not-observed",
        }
    }

    /// Whether this verdict agrees with the catalogue. Stress observations
    /// always do: they decide nothing.
    pub fn is_expected(self) -> bool {
        matches!(
            self,
            Verdict::Caught
                | Verdict::Passed
                | Verdict::ExpectedEscape(_)
                | Verdict::Observed(_)
                | Verdict::NotObserved
        )
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Caught => f.write_str("caught"),
            Verdict::Passed => f.write_str("passed"),
            Verdict::Escaped => f.write_str("ESCAPED"),
            Verdict::FalseAlarm(kind) => write!(f, "FALSE-ALARM ({kind})"),
            Verdict::ExpectedEscape(_) => f.write_str("escape (expected)"),
            Verdict::CaughtOther { kind, .. } => write!(f, "CAUGHT-OTHER ({kind})"),
            Verdict::CaughtUnexpectedly(kind) => write!(f, "caught-unexpectedly ({kind})"),
            Verdict::Observed(kind) => write!(f, "observed ({kind})"),
            Verdict::NotObserved => f.write_str("not observed"),
        }
    }
}

const LOST_UPDATE: FailureKind = FailureKind::Assertion(Bug::LostUpdate);
const TASK_DONE_RACE: Expect = Expect::CatchEither(LOST_UPDATE, FailureKind::Deadlock);

/// Every variant the lab knows, correct ones first within each primitive.
pub static CATALOGUE: &[Entry] = &[
    Entry {
        primitive: "counter",
        variant: "locked",
        id: "counter-locked",
        bug: None,
        scenario: COUNTER,
        worlds: worlds!(scenarios::counter_increments, Locked),
        model: Some(checkers::model::counter::<Locked>),
        operations: Some(fuzzing::counter::<Locked>),
        linearizability: Some(lin::counter_test::<Locked>),
        expect: Expectations::correct(),
    },
    Entry {
        primitive: "counter",
        variant: "atomic",
        id: "counter-atomic",
        bug: None,
        scenario: COUNTER,
        worlds: worlds!(scenarios::counter_increments, Atomic),
        model: Some(checkers::model::counter::<Atomic>),
        operations: Some(fuzzing::counter::<Atomic>),
        linearizability: Some(lin::counter_test::<Atomic>),
        expect: Expectations::correct(),
    },
    Entry {
        primitive: "counter",
        variant: "racy",
        id: "counter-racy",
        bug: Some(
            "read, yield, write back without the lock: another thread's update is overwritten",
        ),
        scenario: COUNTER,
        worlds: worlds!(scenarios::counter_increments, Racy),
        model: Some(checkers::model::counter::<Racy>),
        operations: Some(fuzzing::counter::<Racy>),
        linearizability: Some(lin::counter_test::<Racy>),
        expect: Expectations::race(LOST_UPDATE),
    },
    Entry {
        primitive: "lock",
        variant: "correct",
        id: "lock-correct",
        bug: None,
        scenario: LOCK,
        worlds: worlds!(scenarios::lock_exclusion, Correct),
        model: Some(checkers::model::lock::<Correct>),
        operations: Some(fuzzing::lock::<Correct>),
        linearizability: Some(lin::lock_test::<Correct>),
        expect: Expectations::correct(),
    },
    Entry {
        primitive: "lock",
        variant: "guarded-data",
        id: "lock-guarded-data",
        bug: None,
        scenario: "two threads increment a Lock<u32> through its guard; loom checks every access to the \
                   protected cell for races; the final value counts every update",
        worlds: worlds!(scenarios::lock_guarded_data),
        model: None,
        operations: None,
        linearizability: None,
        expect: Expectations::correct(),
    },
    Entry {
        primitive: "lock",
        variant: "test-then-set",
        id: "lock-test-then-set",
        bug: Some(
            "the free check (a load) and the take (a store) are separate steps: two threads both take it",
        ),
        scenario: LOCK,
        worlds: worlds!(scenarios::lock_exclusion, TestThenSet),
        model: Some(checkers::model::lock::<TestThenSet>),
        operations: Some(fuzzing::lock::<TestThenSet>),
        linearizability: Some(lin::lock_test::<TestThenSet>),
        expect: Expectations {
            // loom finds it first with no preemption at all, as a stale read:
            // T2's plain load may return the UNLOCKED from before T1's lock,
            // so T2 takes the lock without synchronizing with T1's unlock.
            loom: Expect::Catch(FailureKind::Assertion(Bug::StaleRead)),
            ..Expectations::race(FailureKind::Assertion(Bug::TwoHolders))
        },
    },
    Entry {
        primitive: "lock",
        variant: "relaxed",
        id: "lock-relaxed",
        bug: Some(
            "Relaxed instead of Acquire/Release: unlock does not publish the critical section",
        ),
        scenario: LOCK,
        worlds: worlds!(scenarios::lock_exclusion, Relaxed),
        model: Some(checkers::model::lock::<Relaxed>),
        operations: Some(fuzzing::lock::<Relaxed>),
        linearizability: Some(lin::lock_test::<Relaxed>),
        expect: Expectations {
            loom: Expect::Catch(FailureKind::Assertion(Bug::StaleRead)),
            shuttle_random: SHUTTLE_IS_SC,
            shuttle_pct: SHUTTLE_IS_SC,
            stress: Expect::Observe(FailureKind::Assertion(Bug::StaleRead)),
            model: SEQUENTIAL,
            linearizability: SHUTTLE_IS_SC,
        },
    },
    Entry {
        primitive: "lock",
        variant: "no-wake-unlock",
        id: "lock-no-wake",
        bug: Some(
            "unlock from the contended state forgets to wake the parked waiter: it sleeps forever",
        ),
        scenario: LOCK,
        worlds: worlds!(scenarios::lock_exclusion, NoWakeUnlock),
        model: Some(checkers::model::lock::<NoWakeUnlock>),
        operations: Some(fuzzing::lock::<NoWakeUnlock>),
        linearizability: Some(lin::lock_test::<NoWakeUnlock>),
        expect: Expectations::lost_wakeup(),
    },
    Entry {
        primitive: "lock (usage)",
        variant: "lock-ordering",
        id: "lock-ordering",
        bug: None,
        scenario: TWO_LOCKS,
        worlds: worlds!(scenarios::two_locks, false),
        model: None,
        operations: None,
        linearizability: None,
        expect: Expectations::correct(),
    },
    Entry {
        primitive: "lock (usage)",
        variant: "abba",
        id: "lock-abba",
        bug: Some(
            "two locks taken in opposite orders: each thread holds the lock the other waits for",
        ),
        scenario: TWO_LOCKS,
        worlds: worlds!(scenarios::two_locks, true),
        model: None,
        operations: None,
        linearizability: None,
        expect: Expectations::lost_wakeup(),
    },
    Entry {
        primitive: "lock (usage)",
        variant: "one-guard",
        id: "lock-one-guard",
        bug: None,
        scenario: RELOCK,
        worlds: worlds!(scenarios::relock_in_if_let, false),
        model: None,
        operations: None,
        linearizability: None,
        expect: Expectations::correct(),
    },
    Entry {
        primitive: "lock (usage)",
        variant: "guard-kept-alive",
        id: "lock-guard-kept-alive",
        bug: Some(
            "re-locking while the `if let` scrutinee's guard is still alive: the thread waits for itself",
        ),
        scenario: RELOCK,
        worlds: worlds!(scenarios::relock_in_if_let, true),
        model: None,
        operations: None,
        linearizability: None,
        expect: Expectations {
            // No interleaving needed: a thread deadlocks on itself in every
            // run, so even a real-thread run sees it every time.
            stress: Expect::Observe(FailureKind::Hang),
            ..Expectations::race(FailureKind::Deadlock)
        },
    },
    Entry {
        primitive: "semaphore",
        variant: "correct",
        id: "semaphore-correct",
        bug: None,
        scenario: SEMAPHORE,
        worlds: worlds!(scenarios::semaphore_admission, SemaphoreCorrect),
        model: Some(checkers::model::semaphore::<SemaphoreCorrect>),
        operations: Some(fuzzing::semaphore::<SemaphoreCorrect>),
        linearizability: Some(lin::semaphore_test::<SemaphoreCorrect>),
        expect: Expectations::correct(),
    },
    Entry {
        primitive: "semaphore",
        variant: "check-then-decrement",
        id: "semaphore-check-then-decrement",
        bug: Some(
            "the permit check (a load) and the decrement (a store) are separate steps: both take the last permit",
        ),
        scenario: SEMAPHORE,
        worlds: worlds!(scenarios::semaphore_admission, CheckThenDecrement),
        model: Some(checkers::model::semaphore::<CheckThenDecrement>),
        operations: Some(fuzzing::semaphore::<CheckThenDecrement>),
        linearizability: Some(lin::semaphore_test::<CheckThenDecrement>),
        expect: Expectations::race(FailureKind::Assertion(Bug::OverAdmission)),
    },
    Entry {
        primitive: "semaphore",
        variant: "silent-release",
        id: "semaphore-silent-release",
        bug: Some(
            "release adds the permit but wakes nobody: a parked acquirer sleeps beside a free permit",
        ),
        scenario: SEMAPHORE,
        worlds: worlds!(scenarios::semaphore_admission, SilentRelease),
        model: Some(checkers::model::semaphore::<SilentRelease>),
        operations: Some(fuzzing::semaphore::<SilentRelease>),
        linearizability: Some(lin::semaphore_test::<SilentRelease>),
        expect: Expectations::lost_wakeup(),
    },
    Entry {
        primitive: "bounded semaphore",
        variant: "correct",
        id: "bounded-semaphore-correct",
        bug: None,
        scenario: BOUNDED,
        worlds: worlds!(scenarios::bounded_over_release, SemaphoreCorrect),
        model: Some(checkers::model::bounded_semaphore::<SemaphoreCorrect>),
        operations: Some(fuzzing::bounded_semaphore::<SemaphoreCorrect>),
        linearizability: Some(lin::bounded_semaphore_test::<SemaphoreCorrect>),
        expect: Expectations::correct(),
    },
    Entry {
        primitive: "bounded semaphore",
        variant: "unbounded-release",
        id: "bounded-semaphore-unbounded-release",
        bug: Some(
            "release does not compare the permits with the bound: a surplus release is silently accepted",
        ),
        scenario: BOUNDED,
        worlds: worlds!(scenarios::bounded_over_release, UnboundedRelease),
        model: Some(checkers::model::bounded_semaphore::<UnboundedRelease>),
        operations: Some(fuzzing::bounded_semaphore::<UnboundedRelease>),
        linearizability: Some(lin::bounded_semaphore_test::<UnboundedRelease>),
        expect: Expectations {
            // A sequential bug: no interleaving is needed, so the model
            // test catches it too, as a release its reference refuses.
            model: Expect::Catch(FailureKind::Assertion(Bug::WrongResult)),
            ..Expectations::race(FailureKind::Assertion(Bug::OverRelease))
        },
    },
    Entry {
        primitive: "event",
        variant: "correct",
        id: "event-correct",
        bug: None,
        scenario: EVENT,
        worlds: worlds!(scenarios::event_broadcast, EventCorrect),
        model: Some(checkers::model::event::<EventCorrect>),
        operations: Some(fuzzing::event::<EventCorrect>),
        linearizability: None,
        expect: Expectations::correct(),
    },
    Entry {
        primitive: "event",
        variant: "notify-one-set",
        id: "event-notify-one",
        bug: Some("set wakes one waiter with notify_one: every other waiter sleeps on"),
        scenario: EVENT,
        worlds: worlds!(scenarios::event_broadcast, NotifyOneSet),
        model: Some(checkers::model::event::<NotifyOneSet>),
        operations: Some(fuzzing::event::<NotifyOneSet>),
        linearizability: None,
        expect: Expectations::lost_wakeup(),
    },
    Entry {
        primitive: "event",
        variant: "unlocked-check",
        id: "event-unlocked-check",
        bug: Some(
            "wait checks the flag before taking the lock, then waits once: a set in between is missed",
        ),
        scenario: EVENT,
        worlds: worlds!(scenarios::event_broadcast, UnlockedCheck),
        model: Some(checkers::model::event::<UnlockedCheck>),
        operations: Some(fuzzing::event::<UnlockedCheck>),
        linearizability: None,
        expect: Expectations::lost_wakeup(),
    },
    Entry {
        primitive: "condition (usage)",
        variant: "while",
        id: "condition-while",
        bug: None,
        scenario: CONSUMERS,
        worlds: worlds!(scenarios::condition_consumers, false),
        // The model test checks the Condition itself, sequentially.
        model: Some(checkers::model::condition),
        operations: Some(fuzzing::condition),
        linearizability: None,
        expect: Expectations::correct(),
    },
    Entry {
        primitive: "condition (usage)",
        variant: "if-not-while",
        id: "condition-if-not-while",
        bug: Some(
            "`if` instead of `while` around wait: a consumer whose item was taken proceeds anyway",
        ),
        scenario: CONSUMERS,
        worlds: worlds!(scenarios::condition_consumers, true),
        model: None,
        operations: None,
        linearizability: None,
        expect: Expectations::race(FailureKind::Assertion(Bug::FalseState)),
    },
    Entry {
        primitive: "condition (usage)",
        variant: "notify-after-state",
        id: "condition-notify-after-state",
        bug: None,
        scenario: HANDOFF,
        worlds: worlds!(scenarios::condition_handoff, false),
        model: None,
        operations: None,
        linearizability: None,
        expect: Expectations::correct(),
    },
    Entry {
        primitive: "condition (usage)",
        variant: "notify-before-state",
        id: "condition-notify-before-state",
        bug: Some(
            "notify sent before the state change: the waiter checks, finds nothing, and sleeps through it",
        ),
        scenario: HANDOFF,
        worlds: worlds!(scenarios::condition_handoff, true),
        model: None,
        operations: None,
        linearizability: None,
        expect: Expectations::lost_wakeup(),
    },
    Entry {
        primitive: "queue",
        variant: "correct",
        id: "queue-correct",
        bug: None,
        scenario: QUEUE,
        worlds: worlds!(scenarios::queue_handoff, QueueCorrect),
        model: Some(checkers::model::queue::<QueueCorrect>),
        operations: Some(fuzzing::queue::<QueueCorrect>),
        linearizability: None,
        expect: Expectations::correct(),
    },
    Entry {
        primitive: "queue",
        variant: "join",
        id: "queue-join",
        bug: None,
        scenario: JOIN,
        worlds: worlds!(scenarios::queue_join, QueueCorrect),
        model: None,
        operations: None,
        linearizability: Some(lin::queue_test::<QueueCorrect>),
        expect: Expectations::correct(),
    },
    Entry {
        primitive: "queue",
        variant: "one-condition",
        id: "queue-one-condition",
        bug: Some(
            "producers and consumers wait on one condition woken with notify_one: the wrong side swallows it",
        ),
        scenario: QUEUE,
        worlds: worlds!(scenarios::queue_handoff, OneCondition),
        model: Some(checkers::model::queue::<OneCondition>),
        operations: Some(fuzzing::queue::<OneCondition>),
        linearizability: Some(lin::queue_test::<OneCondition>),
        expect: Expectations::lost_wakeup(),
    },
    Entry {
        primitive: "queue",
        variant: "no-full-check",
        id: "queue-no-full-check",
        bug: Some("put never waits for room: the capacity is exceeded"),
        scenario: QUEUE,
        worlds: worlds!(scenarios::queue_handoff, NoFullCheck),
        model: Some(checkers::model::queue::<NoFullCheck>),
        operations: Some(fuzzing::queue::<NoFullCheck>),
        linearizability: Some(lin::queue_test::<NoFullCheck>),
        expect: Expectations {
            model: Expect::Catch(FailureKind::Assertion(Bug::WrongResult)),
            ..Expectations::race(FailureKind::Assertion(Bug::CapacityExceeded))
        },
    },
    Entry {
        primitive: "queue",
        variant: "unlocked-length",
        id: "queue-unlocked-length",
        bug: Some(
            "get checks emptiness outside the lock, then waits once: an item arriving in between strands",
        ),
        scenario: QUEUE,
        worlds: worlds!(scenarios::queue_handoff, UnlockedLength),
        model: Some(checkers::model::queue::<UnlockedLength>),
        operations: Some(fuzzing::queue::<UnlockedLength>),
        linearizability: Some(lin::queue_test::<UnlockedLength>),
        expect: Expectations::lost_wakeup(),
    },
    Entry {
        primitive: "queue",
        variant: "task-done-race",
        id: "queue-task-done-race",
        bug: Some(
            "task_done updates the unfinished count without the lock: an update is lost, so join hangs or task_done is refused",
        ),
        scenario: JOIN,
        worlds: worlds!(scenarios::queue_join, TaskDoneRace),
        model: Some(checkers::model::queue::<TaskDoneRace>),
        operations: Some(fuzzing::queue::<TaskDoneRace>),
        linearizability: Some(lin::queue_test::<TaskDoneRace>),
        expect: Expectations {
            // Either consequence, whichever schedule comes first: a lost
            // increment (put racing task_done: a later task_done is
            // refused) or a lost decrement (join waits forever).
            loom: TASK_DONE_RACE,
            shuttle_random: TASK_DONE_RACE,
            shuttle_pct: TASK_DONE_RACE,
            stress: Expect::Observe(FailureKind::Hang),
            ..Expectations::race(FailureKind::Deadlock)
        },
    },
];

const COUNTER: &str = "two threads increment a shared counter (read, yield, write back); \
                       the final count must equal the number of increments";
const LOCK: &str = "two threads take the lock and update Relaxed data inside; at most one holder, each \
                    holder sees the previous holder's write, and no update is lost";
const TWO_LOCKS: &str = "two threads each take two locks and update both; both must finish";
const RELOCK: &str = "two threads read a locked value in an `if let` and update it; \
                      every update must complete and none may be lost";

const SEMAPHORE: &str = "three threads take one of two permits and hold it; at most two holders, \
                         and every permit comes back";
const BOUNDED: &str = "two threads take and return the one permit of a bounded semaphore, then one \
                       release too many is attempted; it must be refused";
const EVENT: &str = "two threads wait for an event that a third sets; one set must release both";
const CONSUMERS: &str = "a producer adds two items one at a time; two consumers each wait for one; \
                         no consumer may take from an empty queue";
const QUEUE: &str = "a producer puts two items into a queue of capacity 1, two consumers take one each; \
                     never over capacity, nothing delivered twice, nothing lost";
const JOIN: &str = "the main thread puts two items and joins the queue while two consumers take them and \
                    mark them done; join must return, and only after both are processed";
const HANDOFF: &str = "one thread sets the state and notifies, the other waits for the state; \
                       the waiter must be released";

/// A known limit of a checker, which the lab states rather than hides.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// The checkers it applies to.
    pub checkers: &'static [Checker],
    /// What they cannot do, and what follows.
    pub limit: &'static str,
}

/// The checkers' known limits (DESIGN.md, section 1).
pub static LIMITS: &[Limit] = &[
    Limit {
        checkers: &[Checker::ShuttleRandom, Checker::ShuttlePct],
        limit: "every atomic is SeqCst: ordering bugs (a missing Acquire/Release) are invisible",
    },
    Limit {
        checkers: &[Checker::Loom],
        limit: "SeqCst is treated as AcqRel and load buffering is not modelled",
    },
    Limit {
        checkers: &[Checker::Loom, Checker::ShuttleRandom, Checker::ShuttlePct],
        limit: "time is not modelled: a zero timeout fails at once, any other timeout never fires, \
                so a timed wait is an untimed wait (a waiter nobody wakes is a deadlock)",
    },
    Limit {
        checkers: &[Checker::Loom, Checker::ShuttleRandom, Checker::ShuttlePct],
        limit: "no spurious wakeups: a condvar wait returns only when notified",
    },
    Limit {
        checkers: &[Checker::Loom],
        limit: "at most 4 spawned threads; the preemption bound (2 by default) limits what is explored",
    },
    Limit {
        checkers: &[Checker::Stress],
        limit: "not deterministic: a frequency, never a verdict on a broken variant",
    },
    Limit {
        checkers: &[Checker::Model],
        limit: "one thread: sees sequential bugs and bad inputs, never a race",
    },
];

/// The entry with this id, e.g. `"lock-relaxed"`.
pub fn find(id: &str) -> Option<&'static Entry> {
    CATALOGUE.iter().find(|entry| entry.id == id)
}

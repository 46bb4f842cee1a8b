//! The catalogue: every variant of every primitive, with its scenario and
//! what each checker is expected to make of it.
//!
//! This is the one list. Tests, the command line and the docs read it; none
//! keeps a second.

use std::fmt;

use crate::checkers::{self, Budget, Checker, ModelTest, Run, Worlds};
use crate::counter::{Atomic, Locked, Racy};
use crate::failure::{Bug, FailureKind};
use crate::lock::Correct;
use crate::lock::broken::{NoWakeUnlock, Relaxed, TestThenSet};
use crate::{scenarios, worlds};

/// What a checker is expected to make of a variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// A correct variant: the checker must find nothing.
    Pass,
    /// A broken variant the checker must catch, with this kind of failure.
    Catch(FailureKind),
    /// A broken variant this checker cannot catch, and why.
    Escape(&'static str),
    /// A stress run of a broken variant: reports how often it sees this
    /// kind of failure, and decides nothing.
    Observe(FailureKind),
    /// The checker does not apply to this scenario, and why.
    NotApplicable(&'static str),
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
        }
    }

    /// A correct variant: every checker passes it (no model test unless
    /// `model` is true).
    const fn correct(model: bool) -> Expectations {
        Expectations {
            loom: Expect::Pass,
            shuttle_random: Expect::Pass,
            shuttle_pct: Expect::Pass,
            stress: Expect::Pass,
            model: if model { Expect::Pass } else { NO_MODEL },
        }
    }

    /// A race every scheduling checker catches as `kind`; stress observes
    /// it; the sequential model cannot (if the scenario has one).
    const fn race(kind: FailureKind, model: bool) -> Expectations {
        Expectations {
            loom: Expect::Catch(kind),
            shuttle_random: Expect::Catch(kind),
            shuttle_pct: Expect::Catch(kind),
            stress: Expect::Observe(kind),
            model: if model { SEQUENTIAL } else { NO_MODEL },
        }
    }
}

const SEQUENTIAL: Expect =
    Expect::Escape("a sequential run has no second thread, so no interleaving can expose the bug");
const NO_MODEL: Expect =
    Expect::NotApplicable("a usage scenario, not a primitive: there is no sequential model of it");
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
    /// What each checker is expected to make of it.
    pub expect: Expectations,
}

impl Entry {
    /// Whether this is a deliberately broken variant.
    pub fn is_broken(&self) -> bool {
        self.bug.is_some()
    }

    /// Runs this entry under `checker`; `None` when the checker does not apply.
    pub fn run(&self, checker: Checker, budget: &Budget) -> Option<Run> {
        if matches!(self.expect.of(checker), Expect::NotApplicable(_)) {
            return None;
        }
        checkers::run(checker, &self.worlds, self.model, budget)
    }

    /// The verdict of `run`, judged against this entry's expectation.
    pub fn verdict(&self, run: &Run) -> Verdict {
        let caught = run.failure.as_ref().map(|failure| failure.kind);
        match (self.expect.of(run.checker), caught) {
            (Expect::Catch(expected), Some(kind)) if kind == expected => Verdict::Caught,
            (Expect::Catch(expected), Some(kind)) => Verdict::CaughtOther { expected, kind },
            (Expect::Catch(_), None) => Verdict::Escaped,
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
        expect: Expectations::correct(true),
    },
    Entry {
        primitive: "counter",
        variant: "atomic",
        id: "counter-atomic",
        bug: None,
        scenario: COUNTER,
        worlds: worlds!(scenarios::counter_increments, Atomic),
        model: Some(checkers::model::counter::<Atomic>),
        expect: Expectations::correct(true),
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
        expect: Expectations::race(LOST_UPDATE, true),
    },
    Entry {
        primitive: "lock",
        variant: "correct",
        id: "lock-correct",
        bug: None,
        scenario: LOCK,
        worlds: worlds!(scenarios::lock_exclusion, Correct),
        model: Some(checkers::model::lock::<Correct>),
        expect: Expectations::correct(true),
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
        expect: Expectations::correct(false),
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
        expect: Expectations {
            // loom finds it first with no preemption at all, as a stale read:
            // T2's plain load may return the UNLOCKED from before T1's lock,
            // so T2 takes the lock without synchronizing with T1's unlock.
            loom: Expect::Catch(FailureKind::Assertion(Bug::StaleRead)),
            ..Expectations::race(FailureKind::Assertion(Bug::TwoHolders), true)
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
        expect: Expectations {
            loom: Expect::Catch(FailureKind::Assertion(Bug::StaleRead)),
            shuttle_random: SHUTTLE_IS_SC,
            shuttle_pct: SHUTTLE_IS_SC,
            stress: Expect::Observe(FailureKind::Assertion(Bug::StaleRead)),
            model: SEQUENTIAL,
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
        expect: Expectations {
            stress: Expect::Observe(FailureKind::Hang),
            ..Expectations::race(FailureKind::Deadlock, true)
        },
    },
    Entry {
        primitive: "lock (usage)",
        variant: "lock-ordering",
        id: "lock-ordering",
        bug: None,
        scenario: TWO_LOCKS,
        worlds: worlds!(scenarios::two_locks, false),
        model: None,
        expect: Expectations::correct(false),
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
        expect: Expectations {
            stress: Expect::Observe(FailureKind::Hang),
            ..Expectations::race(FailureKind::Deadlock, false)
        },
    },
    Entry {
        primitive: "lock (usage)",
        variant: "one-guard",
        id: "lock-one-guard",
        bug: None,
        scenario: RELOCK,
        worlds: worlds!(scenarios::relock_in_if_let, false),
        model: None,
        expect: Expectations::correct(false),
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
        expect: Expectations {
            // No interleaving needed: a thread deadlocks on itself in every
            // run, so even a real-thread run sees it every time.
            stress: Expect::Observe(FailureKind::Hang),
            ..Expectations::race(FailureKind::Deadlock, false)
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

/// The entry with this id, e.g. `"lock-relaxed"`.
pub fn find(id: &str) -> Option<&'static Entry> {
    CATALOGUE.iter().find(|entry| entry.id == id)
}

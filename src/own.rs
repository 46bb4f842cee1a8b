//! Check your own primitive: the lab's scenarios and every applicable
//! checker, pointed at a type the lab has never seen.
//!
//! Write the primitive over the [backend](crate::backend) (its atomics, its
//! futex, its yield), implement the [kind](crate::kinds) it is (a lock, a
//! semaphore, an event, a queue), name it in every world with a family, and
//! call the `check_*` of its kind. The returned [`OwnReport`] says what each
//! checker found; a test asserts on it.
//!
//! ```
//! use synclab::backend::{AtomicU32Ops, Backend, Ordering};
//! use synclab::lab::failure::{Bug, FailureKind};
//! use synclab::kinds::{LockApi, LockFamily};
//! use synclab::lab::Budget;
//!
//! /// A spin lock with the classic bug: check, then take, in two steps.
//! struct NaiveSpin<B: Backend>(B::AtomicU32);
//!
//! impl<B: Backend> LockApi for NaiveSpin<B> {
//!     fn new() -> Self {
//!         NaiveSpin(B::AtomicU32::new(0))
//!     }
//!     fn try_lock(&self) -> bool {
//!         if self.0.load(Ordering::Acquire) != 0 {
//!             return false;
//!         }
//!         self.0.store(1, Ordering::Relaxed); // a second thread may be here too
//!         true
//!     }
//!     fn lock(&self) {
//!         while !self.try_lock() {
//!             B::yield_now();
//!         }
//!     }
//!     fn unlock(&self) {
//!         self.0.store(0, Ordering::Release);
//!     }
//! }
//!
//! struct Naive;
//! impl LockFamily for Naive {
//!     type Lock<B: Backend> = NaiveSpin<B>;
//! }
//!
//! let report = synclab::own::check_lock::<Naive>(&Budget::default());
//! // Panics with the whole report (verdicts, trace) if it was not caught.
//! report.assert_caught(FailureKind::Assertion(Bug::TwoHolders));
//! report.assert_caught(FailureKind::NotLinearizable);
//! ```

use std::fmt;

use crate::kinds::{EventFamily, LockFamily, QueueFamily, SemaphoreFamily};
use crate::lab::Budget;
use crate::lab::checkers::{self, Checker, Run, Subject};
use crate::lab::failure::{Failure, FailureKind};
use crate::{event, lock, queue, semaphore};

/// What the checkers made of a user's primitive.
///
/// A report asserts nothing until it is read: end a test with
/// [`assert_clean`](OwnReport::assert_clean) or
/// [`assert_caught`](OwnReport::assert_caught), which panic with the whole
/// report (each checker's verdict and the failing interleaving).
#[derive(Clone, Debug)]
#[must_use = "a report asserts nothing until it is read: call assert_clean() or assert_caught(kind)"]
pub struct OwnReport {
    /// The kind checked: `lock`, `semaphore`, `event` or `queue`.
    pub kind: &'static str,
    /// One run per applicable checker, in the lab's column order.
    pub runs: Vec<Run>,
}

impl OwnReport {
    /// The failures the deterministic checkers caught (stress runs are
    /// reported, never counted: see [`OwnReport::stress`]).
    pub fn failures(&self) -> impl Iterator<Item = (Checker, &Failure)> {
        self.runs
            .iter()
            .filter(|run| run.checker.is_deterministic())
            .filter_map(|run| run.failure.as_ref().map(|failure| (run.checker, failure)))
    }

    /// The first failure a deterministic checker caught.
    pub fn caught(&self) -> Option<&Failure> {
        self.failures().next().map(|(_, failure)| failure)
    }

    /// What `checker` caught, if it ran and caught something.
    pub fn caught_by(&self, checker: Checker) -> Option<&Failure> {
        self.run(checker).and_then(|run| run.failure.as_ref())
    }

    /// `checker`'s run, if it applies to this kind.
    pub fn run(&self, checker: Checker) -> Option<&Run> {
        self.runs.iter().find(|run| run.checker == checker)
    }

    /// Whether no deterministic checker found anything, and each explored
    /// what it was asked to: a run that explored nothing, or was cut short
    /// (loom's cap), is not clean.
    pub fn is_clean(&self) -> bool {
        self.caught().is_none()
            && self
                .runs
                .iter()
                .filter(|run| run.checker.is_deterministic())
                .all(|run| run.schedules > 0 && run.incomplete.is_none())
    }

    /// Panics, with the whole report, unless it [is clean](OwnReport::is_clean).
    #[track_caller]
    pub fn assert_clean(&self) {
        if !self.is_clean() {
            panic!("expected a clean report\n{self}");
        }
    }

    /// Panics, with the whole report, unless a deterministic checker caught a
    /// failure of `kind`; returns the first such failure.
    #[track_caller]
    pub fn assert_caught(&self, kind: FailureKind) -> &Failure {
        self.failures()
            .map(|(_, failure)| failure)
            .find(|failure| failure.kind == kind)
            .unwrap_or_else(|| panic!("expected {kind} to be caught\n{self}"))
    }

    /// The real-thread stress run: what it saw, as a frequency.
    pub fn stress(&self) -> Option<&Run> {
        self.run(Checker::Stress)
    }
}

impl fmt::Display for OwnReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "your {}:", self.kind)?;
        for run in &self.runs {
            match &run.failure {
                Some(failure) => writeln!(
                    f,
                    "- {}: caught after {} schedules: {failure}",
                    run.checker, run.schedules
                )?,
                None => match &run.incomplete {
                    _ if run.schedules == 0 => writeln!(
                        f,
                        "- {}: explored nothing (the budget allows no schedule)",
                        run.checker
                    )?,
                    Some(why) => {
                        writeln!(f, "- {}: nothing found, but incomplete: {why}", run.checker)?
                    }
                    None => writeln!(
                        f,
                        "- {}: nothing found in {} schedules",
                        run.checker, run.schedules
                    )?,
                },
            }
        }
        if let Some(trace) = self.runs.iter().find_map(|run| run.trace.as_ref()) {
            writeln!(f, "\n{}", trace.table())?;
        }
        Ok(())
    }
}

fn check(kind: &'static str, subject: Subject, budget: &Budget) -> OwnReport {
    let runs = Checker::ALL
        .into_iter()
        .filter_map(|checker| checkers::run(checker, &subject, budget))
        .collect();
    OwnReport { kind, runs }
}

/// Checks a lock: mutual exclusion and ordering (two threads updating data
/// inside, [`lock_exclusion`](lock::scenarios::lock_exclusion)), lost
/// wakeups, and the linearizability of acquire/release histories.
pub fn check_lock<F: LockFamily>(budget: &Budget) -> OwnReport {
    check("lock", lock::scenarios::subject::<F>(), budget)
}

/// Checks a semaphore: at most N holders
/// ([`semaphore_admission`](semaphore::scenarios::semaphore_admission)),
/// permits neither lost nor invented, lost wakeups, linearizability.
pub fn check_semaphore<F: SemaphoreFamily>(budget: &Budget) -> OwnReport {
    check("semaphore", semaphore::scenarios::subject::<F>(), budget)
}

/// Checks an event: one `set` releases every waiter
/// ([`event_broadcast`](event::scenarios::event_broadcast)).
pub fn check_event<F: EventFamily>(budget: &Budget) -> OwnReport {
    check("event", event::scenarios::subject::<F>(), budget)
}

/// Checks a queue: the producer-consumer handoff
/// ([`queue_handoff`](queue::scenarios::queue_handoff): capacity,
/// duplicates, lost items, lost wakeups) and the linearizability of a
/// put/get/task_done/join history.
pub fn check_queue<F: QueueFamily>(budget: &Budget) -> OwnReport {
    check("queue", queue::scenarios::subject::<F>(), budget)
}

//! The stress checker: real threads, many rounds, an outcome histogram in the
//! manner of jcstress. A watchdog cuts off a round that hangs.
//!
//! Its results are frequencies. They are reported, never used to decide
//! whether a broken variant's test passes: a real-thread run is not
//! deterministic, and a bug it did not see this time is still there.

use std::collections::BTreeMap;
use std::panic::catch_unwind;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;

use super::{Budget, Checker, Run};
use crate::failure::{Failure, FailureKind};
use crate::quiet;

/// How often each outcome was seen: `"ok"`, or a failure kind such as
/// `"assertion (lost-update)"` or `"hang"`.
pub type Histogram = BTreeMap<String, usize>;

/// The histogram key of a round that broke no invariant.
pub const OK: &str = "ok";

pub(super) fn check(scenario: fn(u32), budget: &Budget) -> Run {
    let mut histogram = Histogram::new();
    let mut run = Run::timed(Checker::Stress, || {
        let (rounds, ops) = (budget.stress_rounds, budget.stress_ops);
        let (sender, outcomes) = mpsc::channel();
        // The worker owns the rounds; if one hangs, its threads are
        // abandoned (they hold only `Arc`s) and the watchdog reports it.
        let spawned = thread::Builder::new()
            .name("synclab-stress".into())
            .spawn(move || {
                quiet::quietly(|| {
                    for _ in 0..rounds {
                        let outcome = catch_unwind(|| scenario(ops))
                            .err()
                            .map(Failure::from_panic);
                        if sender.send(outcome).is_err() {
                            break;
                        }
                    }
                })
            });
        if let Err(error) = spawned {
            let failure = Failure::new(
                FailureKind::Panic,
                format!("cannot spawn the stress worker: {error}"),
            );
            return (Some(failure), 0);
        }
        let mut first_failure = None;
        let mut done = 0;
        loop {
            let outcome = match outcomes.recv_timeout(budget.stress_round_timeout) {
                Ok(outcome) => outcome,
                Err(RecvTimeoutError::Timeout) => Some(Failure::new(
                    FailureKind::Hang,
                    format!(
                        "round {} did not finish within {:?}; its threads are abandoned",
                        done + 1,
                        budget.stress_round_timeout
                    ),
                )),
                Err(RecvTimeoutError::Disconnected) => break,
            };
            done += 1;
            let hung = outcome
                .as_ref()
                .is_some_and(|f| f.kind == FailureKind::Hang);
            let key = outcome
                .as_ref()
                .map_or(OK.to_owned(), |f| f.kind.to_string());
            *histogram.entry(key).or_insert(0) += 1;
            if first_failure.is_none() {
                first_failure = outcome;
            }
            if hung {
                break;
            }
        }
        (first_failure, done)
    });
    run.histogram = Some(histogram);
    run
}

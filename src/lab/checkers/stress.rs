//! The stress checker: real threads, many rounds, an outcome histogram in the
//! manner of jcstress. A watchdog cuts off a round that hangs: at once when
//! every thread of the round is blocked with nothing changing (a deadlock),
//! after the round timeout otherwise.
//!
//! Its results are frequencies. They are reported, never used to decide
//! whether a broken variant's test passes: a real-thread run is not
//! deterministic, and a bug it did not see this time is still there.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::panic::catch_unwind;

use super::watchdog::{Limits, Round, watch};
use super::{Budget, Checker, Run};
use crate::lab::failure::Failure;

/// How often each outcome was seen: `"ok"`, or a failure kind such as
/// `"assertion (lost-update)"` or `"hang"`.
pub type Histogram = BTreeMap<String, usize>;

/// The histogram key of a round that broke no invariant.
pub const OK: &str = "ok";

/// The histogram key of a round cut off at its timeout with threads still
/// running: neither a pass nor a hang.
pub const INCONCLUSIVE: &str = "inconclusive";

pub(super) fn check(scenario: fn(u32), budget: &Budget) -> Run {
    let mut histogram = Histogram::new();
    let mut starved = None;
    let mut run = Run::timed(Checker::Stress, || {
        let ops = budget.stress_ops;
        let round = move || {
            catch_unwind(|| scenario(ops))
                .err()
                .map(Failure::from_panic)
        };
        let mut first_failure = None;
        let limits = Limits {
            timeout: budget.stress_round_timeout,
            stall: budget.stress_stall,
        };
        let watched = watch(budget.stress_rounds, limits, round, |_, round| {
            let outcome = match round {
                Round::Done(outcome) => outcome,
                Round::Hung {
                    failure,
                    deadlock: false,
                } => {
                    *histogram.entry(INCONCLUSIVE.to_owned()).or_insert(0) += 1;
                    starved = Some(failure.message);
                    return ControlFlow::Continue(());
                }
                Round::Hung { failure, .. } => Some(failure),
            };
            let key = outcome
                .as_ref()
                .map_or(OK.to_owned(), |f| f.kind.to_string());
            *histogram.entry(key).or_insert(0) += 1;
            if first_failure.is_none() {
                first_failure = outcome;
            }
            ControlFlow::Continue(())
        });
        match watched {
            Ok(done) => (first_failure, done),
            Err(failure) => (Some(failure), 0),
        }
    });
    if let (None, Some(why)) = (&run.failure, starved) {
        run.inconclusive = Some(format!(
            "{why}. Its threads were still running: a livelock, or threads starved by \
             spinning ones (on real threads the lab cannot tell which; shuttle-random can)"
        ));
    }
    run.histogram = Some(histogram);
    run
}

//! When a model checker gives up instead of finding something: loom's
//! branch limit and shuttle's step bound end an execution that runs on
//! without end, which is either a loop the checker cannot finish (a spin
//! with no scheduling point, kept spinning by an unfair schedule) or a real
//! livelock. The lab tells the two apart where it can, and says so where it
//! cannot:
//!
//! - **shuttle-random** runs every thread again sooner or later, so a loop
//!   that never ends under it cannot be left under any fair schedule: a
//!   [`Livelock`](FailureKind::Livelock), a real bug.
//! - **shuttle-pct** keeps its priorities fixed between change points, so a
//!   spinning thread of high priority can starve the thread it waits for.
//!   Its give-up is re-checked with the random scheduler: if that finishes
//!   every schedule, PCT's give-up was its own artefact, and the run is
//!   inconclusive; if that livelocks too, so does this run.
//! - **loom** has no fair scheduler to ask. Its give-up is inconclusive,
//!   with a hint from the last execution: where the loop is, and whether it
//!   yields. shuttle-random's verdict on the same scenario is the one that
//!   tells a livelock.
//!
//! - any other checker's give-up (the linearizability checker's shuttle
//!   runs) is inconclusive, with the same hint.
//!
//! Each run keeps the last events of the looping execution as its trace.
//! A give-up is classified once, as [`FailureKind::GaveUp`], where every
//! caught panic is.

use super::loom::MAX_BRANCHES;
use super::shuttle::{self, MAX_STEPS, Strategy};
use super::{Budget, Checker, Run, Subject};
use crate::lab::failure::{Failure, FailureKind};

/// How many of a looping execution's last events a run keeps as its trace.
const TAIL: usize = 24;

/// Turns a give-up of `run` into an inconclusive run or a livelock.
pub(super) fn judge(run: &mut Run, subject: &Subject, budget: &Budget) {
    if run
        .failure
        .as_ref()
        .is_none_or(|f| f.kind != FailureKind::GaveUp)
    {
        return;
    }
    let trace = run.trace.take();
    let hint = trace
        .as_ref()
        .and_then(|trace| trace.spin())
        .map_or_else(|| "the trace shows no loop".to_owned(), |spin| spin.hint());
    run.trace = trace.map(|trace| trace.tail(TAIL));
    match run.checker {
        Checker::Loom => give_up(
            run,
            format!(
                "loom gave up: one execution exceeded its {MAX_BRANCHES} branches, the mark \
                 of a loop waiting for another thread; {hint}. loom cannot tell a livelock \
                 from a loop it cannot finish: shuttle-random can"
            ),
        ),
        Checker::ShuttleRandom => {
            run.failure = Some(Failure::new(
                FailureKind::Livelock,
                format!(
                    "an execution ran {MAX_STEPS} steps without end under the \
                     random scheduler, which runs every thread again sooner or later, so no \
                     fair schedule gets out; {hint}"
                ),
            ));
        }
        Checker::ShuttlePct => {
            let fair = shuttle::check(Strategy::Random, subject.worlds.shuttle, budget);
            match fair.failure {
                Some(livelock) if livelock.kind == FailureKind::GaveUp => {
                    run.failure = Some(Failure::new(
                        FailureKind::Livelock,
                        format!(
                            "an execution ran {MAX_STEPS} steps without end, and so \
                             did one under the random scheduler, a fair one; {hint}"
                        ),
                    ));
                }
                other => give_up(
                    run,
                    format!(
                        "PCT gave up: an execution ran {MAX_STEPS} steps without end, as PCT's \
                         fixed priorities can starve the thread a spinning one waits for; \
                         the random scheduler, a fair one, {}; {hint}",
                        match other {
                            None => format!("finished all {} schedules", fair.schedules),
                            Some(caught) => format!("caught {}", caught.kind),
                        }
                    ),
                ),
            }
        }
        // The linearizability checker's shuttle runs: no fair re-run here.
        checker => give_up(
            run,
            format!("{checker} gave up: an execution ran on without end; {hint}"),
        ),
    }
}

/// Makes `run` inconclusive for `why`: no failure, no replay.
fn give_up(run: &mut Run, why: String) {
    run.failure = None;
    run.replay = None;
    run.inconclusive = Some(why);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checkers' limits (`LIMITS`, in the report) state these bounds in
    /// words; a change here must change them there.
    #[test]
    fn the_stated_bounds_are_the_bounds() {
        let limits: Vec<&str> = crate::lab::entry::LIMITS.iter().map(|l| l.limit).collect();
        assert_eq!(MAX_BRANCHES, 1_000);
        assert_eq!(MAX_STEPS, 50_000);
        assert!(
            limits
                .iter()
                .any(|l| l.contains("more than 1,000 branches"))
        );
        assert!(limits.iter().any(|l| l.contains("more than 50,000 steps")));
    }
}

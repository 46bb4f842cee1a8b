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
//! Either way the run keeps the last events of the looping execution as its
//! trace.

use super::shuttle::{self, MAX_STEPS, Strategy};
use super::{Budget, Checker, Run, Subject};
use crate::lab::failure::{Failure, FailureKind};

/// How many of a looping execution's last events a run keeps as its trace.
const TAIL: usize = 24;

/// Turns a give-up of `run` into an inconclusive run or a livelock.
pub(super) fn judge(run: &mut Run, subject: &Subject, budget: &Budget) {
    let Some(failure) = &run.failure else {
        return;
    };
    let gave_up = match run.checker {
        Checker::Loom => failure
            .message
            .starts_with("Model exceeded maximum number of branches"),
        Checker::ShuttleRandom | Checker::ShuttlePct => {
            failure.message.contains("exceeded max_steps bound")
        }
        _ => false,
    };
    if !gave_up {
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
                "loom gave up: one execution exceeded its 1,000 branches, the mark of a loop \
                 waiting for another thread; {hint}. loom cannot tell a livelock from a \
                 loop it cannot finish: shuttle-random can"
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
        _ => {
            let fair = shuttle::check(Strategy::Random, subject.worlds.shuttle, budget);
            match fair.failure {
                Some(livelock) if livelock.message.contains("exceeded max_steps bound") => {
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
    }
}

/// Makes `run` inconclusive for `why`: no failure, no replay.
fn give_up(run: &mut Run, why: String) {
    run.failure = None;
    run.replay = None;
    run.inconclusive = Some(why);
}

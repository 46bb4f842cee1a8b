//! The loom checker: exhaustive within a preemption bound, raised step by
//! step so the failure found first is one with the fewest preemptions.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Budget, Checker, Run};
use crate::facade::world::{self, Kind};
use crate::lab::failure::{Failure, FailureKind};
use crate::lab::{kernel, quiet, trace};

pub(super) fn check(scenario: fn(u32), budget: &Budget) -> Run {
    let replay = |_| format!("--checker {}", Checker::Loom);
    let mut capped = None;
    let mut run = Run::traced(
        Checker::Loom,
        || {
            let mut executions = 0;
            for bound in 0..=budget.loom_preemptions {
                let (failure, explored) = explore(scenario, budget, bound);
                executions += explored;
                if let Some(failure) = failure {
                    return (Some(failure), executions);
                }
                if reached_cap(explored, budget) {
                    capped.get_or_insert(bound);
                }
            }
            (None, executions)
        },
        replay,
    );
    if let (Some(failure), Some(trace)) = (&mut run.failure, &run.trace)
        && trace.seq_cst
    {
        failure.message.push_str(SEQ_CST_NOTE);
    }
    if let (None, Some(bound)) = (&run.failure, capped) {
        run.incomplete = Some(format!(
            "{} executions; the cap of {} per bound was reached at preemption bound {bound}",
            run.schedules, budget.loom_max_executions
        ));
    }
    run
}

/// The most branches (atomic accesses and other scheduling choices) one
/// loom execution may take, loom's own default: an execution that takes
/// more is a loop waiting for another thread, and loom gives up on it (see
/// [`giveup`](super::giveup)).
pub(super) const MAX_BRANCHES: usize = 1_000;

/// What a loom catch says when its failing execution made a SeqCst access.
pub(crate) const SEQ_CST_NOTE: &str = "; note: the failing execution makes SeqCst accesses, and \
     loom treats SeqCst as AcqRel (a documented limit), so this may be a false alarm on code \
     that is correct under SeqCst: a sequentially consistent checker (shuttle) can confirm it";

/// Whether a bound's exploration stopped at the execution cap. loom checks
/// the cap before running the execution it counts, so a capped bound runs
/// one fewer; an exploration that ends by itself exactly there is taken as
/// capped too (the safe side).
fn reached_cap(explored: usize, budget: &Budget) -> bool {
    explored + 1 >= budget.loom_max_executions
}

/// One `loom::model` run at preemption bound `bound`: the failure (if any)
/// and how many executions it explored.
fn explore(scenario: fn(u32), budget: &Budget, bound: usize) -> (Option<Failure>, usize) {
    let executions = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&executions);
    let ops = budget.loom_ops;
    let mut modelling = budget.modelling;
    if bound > budget.loom_spurious_preemptions {
        modelling.spurious_wakeups = 0;
    }
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(bound);
    builder.max_permutations = Some(budget.loom_max_executions);
    // loom reads these from the environment (LOOM_MAX_DURATION,
    // LOOM_CHECKPOINT_FILE); either would cut or skip the exploration
    // without a word. The budget alone decides.
    builder.max_duration = None;
    builder.checkpoint_file = None;
    // LOOM_MAX_BRANCHES too: the give-up verdict names this bound.
    builder.max_branches = MAX_BRANCHES;
    // loom checks `max_permutations` only every `checkpoint_interval`
    // executions.
    builder.checkpoint_interval = 1;
    // Classified inside the quiet section, which knows where it panicked.
    let outcome = quiet::quietly(|| {
        kernel::modelled(modelling, || {
            catch_unwind(AssertUnwindSafe(|| {
                builder.check(move || {
                    counter.fetch_add(1, Ordering::Relaxed);
                    world::enter(Kind::Loom);
                    trace::execution(|| kernel::execution(&kernel::LOOM, || scenario(ops)));
                })
            }))
            .map_err(|payload| {
                let mut failure = Failure::from_panic(payload);
                if failure.kind == FailureKind::Deadlock
                    && let Some(note) = kernel::deadlock_note()
                {
                    failure.message.push_str(&note);
                }
                failure
            })
        })
    });
    world::leave();
    let failure = outcome.err().map(|mut failure| {
        failure.message = format!(
            "{} (loom, preemption bound {bound})",
            failure.message.trim_end()
        );
        failure
    });
    (failure, executions.load(Ordering::Relaxed))
}

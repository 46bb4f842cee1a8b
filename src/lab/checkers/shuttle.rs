//! The shuttle checkers: random and PCT schedules from a fixed seed, and the
//! one way the lab runs anything under shuttle ([`run_quietly`]), which the
//! linearizability recorder and the fuzz scheduler use too.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use shuttle::scheduler::{PctScheduler, RandomScheduler, Scheduler};
use shuttle::{Config, FailurePersistence, MaxSteps, Runner};

use super::{Budget, Checker, Run};
use crate::lab::failure::Failure;
use crate::lab::{kernel, quiet, trace};

/// The most steps one shuttle execution may take: the lab's scenarios take
/// a few hundred, so an execution that reaches it is a loop that does not
/// end (see [`giveup`](super::giveup)). shuttle's own default is 1,000,000,
/// which a traced execution would take seconds and hundreds of megabytes
/// to reach.
pub(crate) const MAX_STEPS: usize = 50_000;

/// Which shuttle scheduler to use.
#[derive(Clone, Copy, Debug)]
pub(super) enum Strategy {
    Random,
    Pct,
}

/// Runs `test` under shuttle with `scheduler` until the scheduler stops or
/// an execution fails; each execution is traced afresh. shuttle's own report
/// of the failure is kept quiet, panics and standard error alike: the lab
/// reports it.
pub(crate) fn run_quietly(
    scheduler: impl Scheduler + 'static,
    test: impl Fn() + Send + Sync + 'static,
) -> Result<(), Failure> {
    quiet::muted(|| run(scheduler, test))
}

/// [`run_quietly`] that leaves standard error alone (for the fuzz targets,
/// whose sanitizer and libFuzzer reports must show): shuttle's own report
/// of a failure is printed there.
pub(crate) fn run(
    scheduler: impl Scheduler + 'static,
    test: impl Fn() + Send + Sync + 'static,
) -> Result<(), Failure> {
    let mut config = Config::new();
    config.failure_persistence = FailurePersistence::None;
    config.silence_warnings = true;
    config.max_steps = MaxSteps::FailAfter(MAX_STEPS);
    // Classified inside the quiet section, which knows where it panicked.
    quiet::quietly(|| {
        catch_unwind(AssertUnwindSafe(|| {
            Runner::new(scheduler, config)
                .run(move || trace::execution(|| kernel::execution(&kernel::SHUTTLE, &test)));
        }))
        .map_err(Failure::from_panic)
    })
}

pub(super) fn check(strategy: Strategy, scenario: fn(u32), budget: &Budget) -> Run {
    let checker = match strategy {
        Strategy::Random => Checker::ShuttleRandom,
        Strategy::Pct => Checker::ShuttlePct,
    };
    let seed = budget.seed;
    let replay = |schedules| super::replay_args(checker, seed, schedules);
    Run::traced(
        checker,
        || {
            let schedules = Arc::new(AtomicUsize::new(0));
            let counter = Arc::clone(&schedules);
            let ops = budget.shuttle_ops;
            let test = move || {
                counter.fetch_add(1, Ordering::Relaxed);
                scenario(ops);
            };
            let iterations = budget.shuttle_iterations;
            let outcome = kernel::modelled(budget.modelling, || match strategy {
                Strategy::Random => {
                    run_quietly(RandomScheduler::new_from_seed(seed, iterations), test)
                }
                Strategy::Pct => run_quietly(
                    PctScheduler::new_from_seed(seed, budget.pct_depth, iterations),
                    test,
                ),
            });
            (outcome.err(), schedules.load(Ordering::Relaxed))
        },
        replay,
    )
}

//! The shuttle checkers: random and PCT schedules from a fixed seed, and the
//! one way the lab runs anything under shuttle ([`run_quietly`]), which the
//! linearizability recorder and the fuzz scheduler use too.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use shuttle::scheduler::{PctScheduler, RandomScheduler, Schedule, Scheduler};
use shuttle::{Config, FailurePersistence, MaxSteps, Runner};

use super::shrink::{Recording, shrink, shrinkable};
use super::{Budget, Checker, Run, ShrunkSchedule};
use crate::facade::world::{self, Kind};
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
    let outcome = quiet::quietly(|| {
        catch_unwind(AssertUnwindSafe(|| {
            Runner::new(scheduler, config).run(move || {
                world::enter(Kind::Shuttle);
                trace::execution(|| kernel::execution(&kernel::SHUTTLE, &test))
            });
        }))
        .map_err(Failure::from_panic)
    });
    world::leave();
    outcome
}

pub(super) fn check(strategy: Strategy, scenario: fn(u32), budget: &Budget) -> Run {
    let checker = match strategy {
        Strategy::Random => Checker::ShuttleRandom,
        Strategy::Pct => Checker::ShuttlePct,
    };
    let seed = budget.seed;
    let replay = |schedules| super::replay_args(checker, seed, schedules);
    let ops = budget.shuttle_ops;
    let recorded = Arc::new(Mutex::new(Schedule::new(0)));
    let mut run = Run::traced(
        checker,
        || {
            let schedules = Arc::new(AtomicUsize::new(0));
            let counter = Arc::clone(&schedules);
            let test = move || {
                counter.fetch_add(1, Ordering::Relaxed);
                scenario(ops);
            };
            let iterations = budget.shuttle_iterations;
            let recorded = Arc::clone(&recorded);
            let outcome = kernel::modelled(budget.modelling, || match strategy {
                Strategy::Random => run_quietly(
                    Recording::new(RandomScheduler::new_from_seed(seed, iterations), recorded),
                    test,
                ),
                Strategy::Pct => run_quietly(
                    Recording::new(
                        PctScheduler::new_from_seed(seed, budget.pct_depth, iterations),
                        recorded,
                    ),
                    test,
                ),
            });
            (outcome.err(), schedules.load(Ordering::Relaxed))
        },
        replay,
    );
    // A catch that comes from the schedule alone (not a loop given up on,
    // nor a panic of the lab's) is shown with its needless switches out.
    if let Some(failure) = &run.failure
        && shrinkable(failure.kind)
    {
        let schedule = recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let trace = run.trace.as_ref();
        let started = Instant::now();
        let shrunk = shrink(scenario, ops, budget.modelling, &schedule, failure, trace);
        // The verdict's time includes the shrinking: the matrix shows
        // what the user waits for.
        run.elapsed += started.elapsed();
        if let Some(shrunk) = shrunk {
            run.shrunk = Some(ShrunkSchedule {
                replay: format!("--schedule {}", shrunk.schedule),
                before: shrunk.switches.0,
                after: shrunk.switches.1,
                replays: shrunk.replays,
            });
            run.failure = Some(shrunk.failure);
            run.trace = shrunk.trace;
        }
    }
    run
}

//! The shuttle checkers: random and PCT schedules from a fixed seed.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use shuttle::scheduler::{PctScheduler, RandomScheduler};
use shuttle::{Config, FailurePersistence, Runner};

use super::{Budget, Checker, Run};
use crate::failure::Failure;
use crate::{quiet, trace};

/// Which shuttle scheduler to use.
#[derive(Clone, Copy, Debug)]
pub(super) enum Strategy {
    Random,
    Pct,
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
                trace::reset();
                counter.fetch_add(1, Ordering::Relaxed);
                scenario(ops);
            };
            let mut config = Config::new();
            // The lab reports failures itself; keep shuttle's own report quiet.
            config.failure_persistence = FailurePersistence::None;
            config.silence_warnings = true;
            let (seed, iterations) = (budget.seed, budget.shuttle_iterations);
            let outcome = quiet::quietly(|| {
                catch_unwind(AssertUnwindSafe(|| match strategy {
                    Strategy::Random => {
                        let scheduler = RandomScheduler::new_from_seed(seed, iterations);
                        Runner::new(scheduler, config).run(test)
                    }
                    Strategy::Pct => {
                        let scheduler =
                            PctScheduler::new_from_seed(seed, budget.pct_depth, iterations);
                        Runner::new(scheduler, config).run(test)
                    }
                }))
            });
            let failure = outcome.err().map(Failure::from_panic);
            (failure, schedules.load(Ordering::Relaxed))
        },
        replay,
    )
}

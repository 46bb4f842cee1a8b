//! proptest-generated concurrent programs: threads × operations of any
//! [`Spec`], run under shuttle and on real threads, every history checked,
//! a failing program shrunk to a small one. A primitive supplies the
//! operations to draw from and how to run a program in each world (its
//! folder's `scenarios.rs`); this module does the rest.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use proptest::collection::vec;
use proptest::prelude::*;

use super::{Recorder, Spec, check_recorded, check_recorded_std};
use crate::lab::Budget;
use crate::lab::checkers::model::run_cases;
use crate::lab::failure::{Failure, FailureKind};

/// A concurrent program: a parameter of the object (a queue's capacity, a
/// semaphore's permits) and each thread's operations.
#[derive(Clone, Debug)]
pub struct Program<Op> {
    /// The object's parameter.
    pub parameter: usize,
    /// Thread `t` runs `threads[t]` in order.
    pub threads: Vec<Vec<Op>>,
}

impl<Op> Program<Op> {
    /// How many operations the program has in all.
    pub fn len(&self) -> usize {
        self.threads.iter().map(Vec::len).sum()
    }

    /// Whether the program has no operation.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Programs of 2–3 threads with 1–3 operations each drawn from `op`, the
/// parameter drawn from `parameter`.
pub fn programs<Op: Clone + Debug>(
    parameter: impl Strategy<Value = usize>,
    op: impl Strategy<Value = Op> + Clone,
) -> impl Strategy<Value = Program<Op>> {
    (parameter, vec(vec(op, 1..=3), 2..=3))
        .prop_map(|(parameter, threads)| Program { parameter, threads })
}

/// How a primitive runs generated programs: its spec's start state for a
/// parameter, and the program run in each world with every operation
/// recorded.
pub trait Runs: 'static {
    /// The spec the histories are checked against.
    type Spec: Spec + Send + Sync + 'static;
    /// The spec's state for a program's parameter.
    fn initial(parameter: usize) -> Self::Spec;
    /// Runs `program` under shuttle, recording.
    fn on_shuttle(program: &Program<OpOf<Self>>, recorder: Arc<Recorder<Self::Spec>>);
    /// Runs `program` on real threads, recording.
    fn on_std(program: &Program<OpOf<Self>>, recorder: Arc<Recorder<Self::Spec>>);
}

/// The operation type of `R`'s spec.
pub type OpOf<R> = <<R as Runs>::Spec as Spec>::Op;

/// Checks one program: `iterations` shuttle schedules, then (if those pass)
/// `rounds` real-thread runs, each history against the spec. A run in which
/// every thread blocks is fine if the spec explains it (a `get` nobody
/// feeds); a lost wakeup is not.
pub fn check_program<R: Runs>(
    program: &Program<OpOf<R>>,
    iterations: usize,
    seed: u64,
    rounds: usize,
) -> Option<Failure> {
    let program = Arc::new(program.clone());
    let spec = R::initial(program.parameter);
    let budget = Budget {
        shuttle_iterations: iterations,
        seed,
        ..Budget::default()
    };
    let on_shuttle = {
        let program = Arc::clone(&program);
        move |recorder| R::on_shuttle(&program, recorder)
    };
    if let (Some(failure), _) = check_recorded(spec.clone(), on_shuttle, &budget, true) {
        return Some(failure);
    }
    let on_std = move |recorder| R::on_std(&program, recorder);
    check_recorded_std(spec, on_std, rounds, Duration::from_millis(100), true).0
}

/// proptest over `programs`: `cases` programs from `seed`, each checked with
/// [`check_program`] (50 shuttle schedules, 2 real-thread rounds). A failure
/// names the shrunk program.
pub fn check_programs<R: Runs>(
    programs: impl Strategy<Value = Program<OpOf<R>>>,
    cases: u32,
    seed: u64,
) -> Result<usize, Failure> {
    let (failure, run) = run_cases(
        programs,
        cases,
        seed,
        |program| match check_program::<R>(program, 50, seed, 2) {
            None => Ok(()),
            Some(failure) => Err(failure.message),
        },
        FailureKind::NotLinearizable,
        "",
    );
    failure.map_or(Ok(run), Err)
}

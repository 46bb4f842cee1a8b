//! proptest-generated concurrent programs: threads × operations of any
//! [`Spec`], run under shuttle and on real threads, every history checked,
//! a failing program shrunk to a small one. A primitive supplies the
//! operations to draw from and how to run a program in each world (any
//! primitive with a [`Model`](crate::kinds::model::Model) does, through
//! [`Programs`](crate::kinds::model::Programs)); this module does the rest.

use std::cell::Cell;
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use proptest::collection::vec;
use proptest::prelude::*;

use super::{Recorder, Spec, check_recorded, check_recorded_std};
use crate::lab::Budget;
use crate::lab::checkers::model::{Shrunk, run_cases};
use crate::lab::failure::Failure;
use crate::lab::trace;

/// A concurrent program: a parameter of the object (a queue's capacity, a
/// semaphore's permits) and each thread's operations.
#[derive(Clone, Debug)]
pub struct Program<Op> {
    /// The object's parameter.
    pub parameter: usize,
    /// Thread `t` runs `threads[t]` in order.
    pub threads: Vec<Vec<Op>>,
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

/// The shuttle schedules [`linearizability`] gives each program.
pub const SCHEDULES_PER_PROGRAM: usize = 50;

/// Checks one program: `iterations` shuttle schedules, then (if those pass)
/// `rounds` real-thread runs, each history against the spec. A run in which
/// every thread blocks is fine if the spec explains it (a `get` nobody
/// feeds); a lost wakeup is not. Returns the failure, if any, and the
/// shuttle schedules explored.
pub fn check_program<R: Runs>(
    program: &Program<OpOf<R>>,
    iterations: usize,
    seed: u64,
    rounds: usize,
) -> (Option<Failure>, usize) {
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
    let (failure, schedules) = check_recorded(spec.clone(), on_shuttle, &budget, true);
    if failure.is_some() || rounds == 0 {
        return (failure, schedules);
    }
    let on_std = move |recorder| R::on_std(&program, recorder);
    let timeout = Duration::from_millis(100);
    (
        check_recorded_std(spec, on_std, rounds, timeout, true).0,
        schedules,
    )
}

/// The linearizability checker's run over generated programs within
/// `budget`: as many programs from `budget.seed` as make up
/// `budget.shuttle_iterations` schedules at [`SCHEDULES_PER_PROGRAM`] each.
/// Returns the failure naming the shrunk program, if any, and the shuttle
/// schedules explored until the verdict.
///
/// A failure's trace, if the checker is tracing, is the shrunk program's
/// failing shuttle execution; a program caught only on real threads has
/// none.
pub fn linearizability<R: Runs>(
    programs: impl Strategy<Value = Program<OpOf<R>>>,
    budget: &Budget,
) -> (Option<Failure>, usize) {
    let cases = budget.shuttle_iterations.div_ceil(SCHEDULES_PER_PROGRAM);
    let cases = u32::try_from(cases).unwrap_or(u32::MAX);
    let (failure, schedules) = explore::<R>(programs, cases, budget.seed);
    let failure = failure.map(|(failure, program)| {
        // Shrinking ran passing programs after the failing one: run the
        // shrunk one again, so that the last execution traced is its
        // failure, or nothing is.
        trace::execution(|| ());
        let again = program.and_then(|program| {
            check_program::<R>(&program, SCHEDULES_PER_PROGRAM, budget.seed, 0).0
        });
        if again.is_none() {
            trace::execution(|| ());
        }
        failure
    });
    (failure, schedules)
}

/// Checks `cases` programs from `seed`: the failure and its shrunk program,
/// if any, and the shuttle schedules explored until the verdict.
fn explore<R: Runs>(
    programs: impl Strategy<Value = Program<OpOf<R>>>,
    cases: u32,
    seed: u64,
) -> (Shrunk<Program<OpOf<R>>>, usize) {
    let (schedules, failed) = (Cell::new(0), Cell::new(false));
    let (failure, _) = run_cases(programs, cases, seed, |program| {
        let (failure, explored) = check_program::<R>(program, SCHEDULES_PER_PROGRAM, seed, 2);
        if !failed.get() {
            schedules.set(schedules.get() + explored);
            failed.set(failure.is_some());
        }
        failure.map_or(Ok(()), Err)
    });
    (failure, schedules.get())
}

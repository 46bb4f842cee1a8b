//! proptest-generated concurrent scenarios: threads × operations on a
//! queue (a [`QueueFamily`]), run under shuttle and on real threads, every history checked,
//! a failing program shrunk to a small one.

use std::sync::Arc;
use std::time::Duration;

use proptest::collection::vec;
use proptest::prelude::*;

use super::specs::{QueueOp, QueueRet, QueueSpec};
use super::{Recorder, check_recorded, check_recorded_std};
use crate::backend::{Backend, Shuttle, Std};
use crate::checkers::Budget;
use crate::checkers::model::run_cases;
use crate::failure::{Failure, FailureKind};
use crate::kinds::{QueueApi, QueueFamily};
use crate::scenarios::run_threads;

/// A concurrent program: the queue's capacity, and each thread's operations.
#[derive(Clone, Debug)]
pub struct Program {
    /// The queue's capacity (`maxsize`).
    pub capacity: usize,
    /// Thread `t` runs `threads[t]` in order.
    pub threads: Vec<Vec<QueueOp>>,
}

impl Program {
    /// How many operations the program has in all.
    pub fn len(&self) -> usize {
        self.threads.iter().map(Vec::len).sum()
    }

    /// Whether the program has no operation.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn op() -> impl Strategy<Value = QueueOp> {
    prop_oneof![
        (0..4u32).prop_map(QueueOp::Put),
        (0..4u32).prop_map(QueueOp::TryPut),
        Just(QueueOp::Get),
        Just(QueueOp::TryGet),
        Just(QueueOp::TaskDone),
        Just(QueueOp::Len),
        Just(QueueOp::Join),
    ]
}

/// Programs of 2–3 threads with 1–3 operations each, capacity 1–2.
pub fn programs() -> impl Strategy<Value = Program> {
    (1..=2usize, vec(vec(op(), 1..=3), 2..=3))
        .prop_map(|(capacity, threads)| Program { capacity, threads })
}

/// Runs `program` on a queue of family `F` in world `B`, recording it.
pub fn run<B: Backend, F: QueueFamily>(program: &Arc<Program>, recorder: Arc<Recorder<QueueSpec>>) {
    let queue = <F::Queue<B> as QueueApi>::new(program.capacity);
    let shared = Arc::new((recorder, queue, Arc::clone(program)));
    run_threads::<B, _>(
        program.threads.len(),
        &shared,
        |(recorder, queue, program), thread| {
            for &op in &program.threads[thread] {
                recorder.record(thread, op, || apply(queue, op));
            }
        },
    );
}

/// Performs `op` on `queue` and returns what it returned, as the spec says it.
pub fn apply<Q: QueueApi>(queue: &Q, op: QueueOp) -> QueueRet {
    match op {
        QueueOp::Put(item) => {
            queue.put(item);
            QueueRet::Done
        }
        QueueOp::TryPut(item) => QueueRet::Accepted(queue.try_put(item)),
        QueueOp::Get => QueueRet::Item(queue.get()),
        QueueOp::TryGet => QueueRet::Maybe(queue.try_get()),
        QueueOp::TaskDone => QueueRet::Marked(queue.task_done()),
        QueueOp::Join => {
            queue.join();
            QueueRet::Done
        }
        QueueOp::Len => QueueRet::Len(queue.len()),
    }
}

/// Checks one program: `iterations` shuttle schedules, then (if those pass)
/// `rounds` real-thread runs, each history against the spec. A run in which
/// every thread blocks is fine if the spec explains it (a `get` nobody
/// feeds); a lost wakeup is not.
pub fn check_program<F: QueueFamily>(
    program: &Program,
    iterations: usize,
    seed: u64,
    rounds: usize,
) -> Option<Failure> {
    let program = Arc::new(program.clone());
    let spec = QueueSpec::bounded(program.capacity);
    let budget = Budget {
        shuttle_iterations: iterations,
        seed,
        ..Budget::default()
    };
    let on_shuttle = {
        let program = Arc::clone(&program);
        move |recorder| run::<Shuttle, F>(&program, recorder)
    };
    if let (Some(failure), _) = check_recorded(spec.clone(), on_shuttle, &budget, true) {
        return Some(failure);
    }
    let on_std = move |recorder| run::<Std, F>(&program, recorder);
    check_recorded_std(spec, on_std, rounds, Duration::from_millis(100), true).0
}

/// proptest over [`programs`]: `cases` programs from `seed`, each checked
/// with [`check_program`] (50 shuttle schedules, 2 real-thread rounds). A
/// failure names the shrunk program.
pub fn queue<F: QueueFamily>(cases: u32, seed: u64) -> Result<usize, Failure> {
    run_cases(
        programs(),
        cases,
        seed,
        |program| match check_program::<F>(program, 50, seed, 2) {
            None => Ok(()),
            Some(failure) => Err(failure.message),
        },
        FailureKind::NotLinearizable,
        "",
    )
}

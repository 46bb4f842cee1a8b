//! The queue's scenarios, each stating its invariant: the guide's
//! producer-consumer ([`queue_handoff`]) and its `join` ([`queue_join`]);
//! the recorded scenario the linearizability checker judges; and the
//! generated concurrent programs.

use std::sync::Arc;

use super::spec::{QueueModel, QueueOp, QueueSpec, perform};
use crate::backend::{AtomicU32Ops, Backend, Join, Ordering, Shuttle, run_threads, spawn_threads};
use crate::ensure;
use crate::kinds::model;
use crate::kinds::{QueueApi, QueueFamily};
use crate::lab::Budget;
use crate::lab::checkers::Subject;
use crate::lab::failure::{Bug, Failure};
use crate::lab::linearizability::{Recorder, check_recorded};
use crate::worlds;

/// The capacity of the queue in the catalogue's scenarios: 1, where a
/// producer must wait for every consumer.
const CAPACITY: usize = 1;

/// What the queue scenarios' threads share.
struct Handoff<B: Backend, Q> {
    queue: Q,
    capacity: usize,
    /// Bit `i % 32` of word `i / 32` set: item `i` was delivered.
    delivered: Vec<B::AtomicU32>,
    /// Items taken and processed, for `join`.
    processed: B::AtomicU32,
    ops: u32,
}

impl<B: Backend, Q: QueueApi> Handoff<B, Q> {
    fn new(ops: u32, capacity: usize) -> Arc<Self> {
        let words = (2 * ops / 32 + 1) as usize;
        Arc::new(Handoff {
            queue: Q::new(capacity),
            capacity,
            delivered: (0..words)
                .map(|word| B::AtomicU32::new(0).named(&format!("delivered[{word}]")))
                .collect(),
            processed: B::AtomicU32::new(0).named("processed"),
            ops,
        })
    }

    /// Thread 0 puts items `0..2·ops`, one at a time; threads 1 and 2 take
    /// `ops` each, check that each takes them in increasing order (a single
    /// producer's FIFO), mark them delivered, and mark them done.
    fn work(&self, index: usize) {
        if index == 0 {
            for item in 0..2 * self.ops {
                self.queue.put(item);
                let (len, capacity) = (self.queue.len(), self.capacity);
                ensure!(
                    len <= capacity,
                    Bug::CapacityExceeded,
                    "{len} items in a queue of capacity {capacity}"
                );
            }
            return;
        }
        let mut last = None;
        for _ in 0..self.ops {
            let item = self.queue.get();
            ensure!(
                last < Some(item),
                Bug::OutOfOrder,
                "got item {item} after item {}, which was put after it",
                last.unwrap_or_default()
            );
            last = Some(item);
            let (word, bit) = ((item / 32) as usize, 1 << (item % 32));
            // Relaxed read-modify-writes see every earlier delivery.
            let before = self.delivered[word].fetch_or(bit, Ordering::Relaxed);
            ensure!(
                before & bit == 0,
                Bug::Duplicate,
                "item {item} delivered twice"
            );
            self.processed.fetch_add(1, Ordering::Relaxed);
            ensure!(
                self.queue.task_done(),
                Bug::LostUpdate,
                "task_done refused after a get: the unfinished count lost an increment"
            );
        }
    }

    fn check_delivered(&self) {
        let lost: Vec<u32> = (0..2 * self.ops)
            .filter(|&i| {
                self.delivered[(i / 32) as usize].load(Ordering::Relaxed) & (1 << (i % 32)) == 0
            })
            .collect();
        ensure!(
            lost.is_empty(),
            Bug::LostItem,
            "items {lost:?} were put but never delivered"
        );
    }
}

/// The guide's producer-consumer: one producer puts `2 × ops` items into a
/// queue of family `F` (for the lab's variants, a [`Queue`](crate::Queue))
/// of capacity 1, two consumers take `ops` each.
///
/// Invariants: the queue never holds more than its capacity; no item is
/// delivered twice; every item is delivered (no deadlock, nothing lost).
pub fn queue_handoff<B: Backend, F: QueueFamily>(ops: u32) {
    handoff::<B, F>(ops, CAPACITY);
}

/// The producer-consumer at capacity 2: the producer can put two items
/// before a consumer runs, so each `put` must wake a consumer of its own
/// (a queue that signals only when it stops being empty strands one), and
/// a consumer that takes two items sees whether they come out in order (a
/// LIFO looks FIFO at capacity 1).
///
/// Invariants: those of [`queue_handoff`], and each consumer takes its
/// items in the order they were put.
pub fn queue_burst<B: Backend, F: QueueFamily>(ops: u32) {
    handoff::<B, F>(ops, 2);
}

fn handoff<B: Backend, F: QueueFamily>(ops: u32, capacity: usize) {
    let shared = Handoff::<B, F::Queue<B>>::new(ops, capacity);
    run_threads::<B, _>(3, &shared, |s, index| s.work(index));
    shared.check_delivered();
}

/// The guide's `join` pattern: the main thread puts `2 × ops` items into a
/// queue of family `F` of capacity 1 and waits with `join` while two consumers take
/// them and mark each done.
///
/// Invariant: `join` returns (no deadlock), and only once every item has
/// been processed.
pub fn queue_join<B: Backend, F: QueueFamily>(ops: u32) {
    let shared = Handoff::<B, F::Queue<B>>::new(ops, CAPACITY);
    let consumers = spawn_threads::<B, _>(2, &shared, |s, index| s.work(index + 1));
    shared.work(0);
    shared.queue.join();
    let processed = shared.processed.load(Ordering::Relaxed);
    consumers.into_iter().for_each(Join::join);
    ensure!(
        processed == 2 * ops,
        Bug::EarlyJoin,
        "join returned with {processed} of {} items processed",
        2 * ops
    );
    shared.check_delivered();
}

/// The producer-consumer with `join`: thread 0 puts two items into a queue
/// of family `F` of capacity 1, reading its length after each, and joins
/// it; threads 1 and 2 each take one and mark it done. Every operation
/// recorded.
pub fn recorded<B: Backend, F: QueueFamily>(recorder: Arc<Recorder<QueueSpec>>) {
    let shared = Arc::new((recorder, <F::Queue<B> as QueueApi>::new(CAPACITY)));
    run_threads::<B, _>(3, &shared, |(recorder, queue), thread| {
        let ops = if thread == 0 {
            [
                QueueOp::Put(0),
                QueueOp::Len,
                QueueOp::Put(1),
                QueueOp::Len,
                QueueOp::Join,
            ]
            .as_slice()
        } else {
            [QueueOp::Get, QueueOp::TaskDone].as_slice()
        };
        for op in ops {
            recorder.record(thread, *op, || perform(queue, op));
        }
    });
}

/// [`recorded`] under shuttle, against an empty queue of its capacity.
pub fn linearizability<F: QueueFamily>(budget: &Budget) -> (Option<Failure>, usize) {
    let initial = QueueSpec::bounded(CAPACITY);
    check_recorded(initial, recorded::<Shuttle, F>, budget, false)
}

/// What the checkers run for a queue of family `F`: [`queue_handoff`], the
/// model test of its spec and the recorded histories.
pub const fn subject<F: QueueFamily>() -> Subject {
    Subject {
        worlds: worlds!(queue_handoff, F),
        sequential: Some(model::sequential::<QueueModel<F>>()),
        linearizability: Some(linearizability::<F>),
    }
}

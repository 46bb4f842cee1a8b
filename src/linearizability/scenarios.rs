//! Recorded scenarios: the catalogue's scenarios as the linearizability
//! checker sees them, each operation recorded with its result. Generic over
//! the world and the variant, like every scenario.

use std::sync::Arc;

use super::specs::{
    CounterOp, CounterRet, CounterSpec, LockOp, LockRet, LockSpec, QueueOp, QueueRet, QueueSpec,
    SemaphoreOp, SemaphoreRet, SemaphoreSpec,
};
use super::{Recorder, check_recorded};
use crate::backend::{Backend, Shuttle};
use crate::checkers::Budget;
use crate::counter::{Counter, CounterKind};
use crate::failure::Failure;
use crate::kinds::{LockApi, LockFamily, QueueApi, QueueFamily, SemaphoreApi, SemaphoreFamily};
use crate::scenarios::run_threads;
use crate::semaphore::{BoundedSemaphore, SemaphoreVariant};

/// The permits of the [`semaphore`] scenario's semaphore.
const PERMITS: u32 = 2;
/// The bound of the [`bounded_semaphore`] scenario's semaphore.
const BOUND: u32 = 1;
/// The capacity of the [`queue`] scenario's queue.
const CAPACITY: usize = 1;

/// Two threads each increment the [`Counter`] and read it.
pub fn counter<B: Backend, K: CounterKind>(recorder: Arc<Recorder<CounterSpec>>) {
    let shared = Arc::new((recorder, Counter::<B, K>::new_in()));
    run_threads::<B, _>(2, &shared, |(recorder, counter), thread| {
        recorder.record(thread, CounterOp::Increment, || {
            counter.increment();
            CounterRet::Done
        });
        recorder.record(thread, CounterOp::Get, || CounterRet::Value(counter.get()));
    });
}

/// Two threads each take a lock of family `F`, hold it across a yield (a
/// critical section long enough to overlap another thread's), and give it
/// back.
pub fn lock<B: Backend, F: LockFamily>(recorder: Arc<Recorder<LockSpec>>) {
    let shared = Arc::new((recorder, <F::Lock<B> as LockApi>::new()));
    run_threads::<B, _>(2, &shared, |(recorder, lock), thread| {
        recorder.record(thread, LockOp::Acquire, || {
            lock.lock();
            LockRet::Done
        });
        B::yield_now();
        recorder.record(thread, LockOp::Release, || {
            lock.unlock();
            LockRet::Done
        });
    });
}

/// Three threads each take a permit of a two-permit semaphore of family
/// `F`, hold it across a yield, and give it back.
pub fn semaphore<B: Backend, F: SemaphoreFamily>(recorder: Arc<Recorder<SemaphoreSpec>>) {
    let shared = Arc::new((recorder, <F::Semaphore<B> as SemaphoreApi>::new(PERMITS)));
    run_threads::<B, _>(3, &shared, |(recorder, semaphore), thread| {
        recorder.record(thread, SemaphoreOp::Acquire, || {
            semaphore.acquire();
            SemaphoreRet::Done
        });
        B::yield_now();
        recorder.record(thread, SemaphoreOp::Release, || {
            SemaphoreRet::Released(semaphore.release())
        });
    });
}

/// Two threads each take the one permit of a [`BoundedSemaphore`] and give
/// it back; the first then releases once more, which must be refused.
pub fn bounded_semaphore<B: Backend, V: SemaphoreVariant>(recorder: Arc<Recorder<SemaphoreSpec>>) {
    let shared = Arc::new((recorder, BoundedSemaphore::<B, V>::new_in(BOUND)));
    run_threads::<B, _>(2, &shared, |(recorder, semaphore), thread| {
        recorder.record(thread, SemaphoreOp::Acquire, || {
            semaphore.acquire().forget();
            SemaphoreRet::Done
        });
        let releases = if thread == 0 { 2 } else { 1 };
        for _ in 0..releases {
            recorder.record(thread, SemaphoreOp::Release, || {
                SemaphoreRet::Released(semaphore.release().is_ok())
            });
        }
    });
}

/// The producer-consumer with `join`: thread 0 puts two items into a queue
/// of family `F` of capacity 1, reading its length after each, and joins
/// it; threads 1 and 2 each take one and mark it done.
pub fn queue<B: Backend, F: QueueFamily>(recorder: Arc<Recorder<QueueSpec>>) {
    let shared = Arc::new((recorder, <F::Queue<B> as QueueApi>::new(CAPACITY)));
    run_threads::<B, _>(3, &shared, |(recorder, queue), thread| {
        if thread == 0 {
            for item in 0..2 {
                recorder.record(thread, QueueOp::Put(item), || {
                    queue.put(item);
                    QueueRet::Done
                });
                recorder.record(thread, QueueOp::Len, || QueueRet::Len(queue.len()));
            }
            recorder.record(thread, QueueOp::Join, || {
                queue.join();
                QueueRet::Done
            });
        } else {
            recorder.record(thread, QueueOp::Get, || QueueRet::Item(queue.get()));
            recorder.record(thread, QueueOp::TaskDone, || {
                QueueRet::Marked(queue.task_done())
            });
        }
    });
}

// Each recorded scenario with the spec state it starts from, as a
// linearizability test (`checkers::LinTest`): the histories of the budget's
// shuttle schedules, each checked. The catalogue and `own` both use these.

/// [`counter`] under shuttle, against a counter at 0.
pub fn counter_test<K: CounterKind>(budget: &Budget) -> (Option<Failure>, usize) {
    check_recorded(CounterSpec::default(), counter::<Shuttle, K>, budget, false)
}

/// [`lock`] under shuttle, against a free lock.
pub fn lock_test<F: LockFamily>(budget: &Budget) -> (Option<Failure>, usize) {
    check_recorded(LockSpec::default(), lock::<Shuttle, F>, budget, false)
}

/// [`semaphore`] under shuttle, against its permits.
pub fn semaphore_test<F: SemaphoreFamily>(budget: &Budget) -> (Option<Failure>, usize) {
    check_recorded(
        SemaphoreSpec::new(PERMITS),
        semaphore::<Shuttle, F>,
        budget,
        false,
    )
}

/// [`bounded_semaphore`] under shuttle, against its bound.
pub fn bounded_semaphore_test<V: SemaphoreVariant>(budget: &Budget) -> (Option<Failure>, usize) {
    check_recorded(
        SemaphoreSpec::bounded(BOUND),
        bounded_semaphore::<Shuttle, V>,
        budget,
        false,
    )
}

/// [`queue`] under shuttle, against an empty queue of its capacity.
pub fn queue_test<F: QueueFamily>(budget: &Budget) -> (Option<Failure>, usize) {
    check_recorded(
        QueueSpec::bounded(CAPACITY),
        queue::<Shuttle, F>,
        budget,
        false,
    )
}

//! The queue's broken variants: each overrides one step of [`QueueVariant`].
//! The items stay under the lock in every variant, so none has undefined
//! behaviour on real threads: the bugs lose wakeups, exceed the capacity or
//! miscount tasks.

use super::{Queue, QueueVariant, TaskDoneError};
use crate::backend::{Backend, Deadline};
use crate::condition::Condvar;

/// Producers and consumers wait on one condition, woken one at a time.
///
/// **Bug:** producers wait for room on `not_empty`, the consumers' condition,
/// so `notify_one` may wake the wrong side, which re-checks, waits again, and
/// swallows the wakeup.
///
/// | P (2 items, capacity 1) | C1 | C2 |
/// |---|---|---|
/// | | get: empty, wait | get: empty, wait |
/// | put 1, notify one: C1 | | |
/// | put 2: full, wait | | |
/// | | take 1, notify one: C2 | |
/// | | | empty again, wait |
/// | sleeps | done | sleeps |
///
/// **Consequence:** everybody asleep with an item to move: loom and shuttle
/// report a deadlock; the linearizability checker sees a pending `get` that
/// could complete.
#[derive(Debug, Clone, Copy, Default)]
pub struct OneCondition;

impl QueueVariant for OneCondition {
    fn room<T, B: Backend>(queue: &Queue<T, B, Self>) -> &Condvar<B> {
        &queue.not_empty // BUG(queue-one-condition): was &queue.not_full
    }
}

/// `put` does not wait when the queue is full.
///
/// **Bug:** the fullness test always says "room".
///
/// | P (capacity 1) |
/// |---|
/// | put 1 |
/// | put 2: not refused, 2 items |
///
/// **Consequence:** the capacity is exceeded (back-pressure is gone). No
/// interleaving needed: every checker catches it, the sequential model too.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFullCheck;

impl QueueVariant for NoFullCheck {
    fn is_full(_len: usize, _capacity: usize) -> bool {
        false // BUG(queue-no-full-check): was len >= capacity
    }
}

/// `get` checks for emptiness outside the lock, then waits once.
///
/// **Bug:** between the unlocked check and the wait, a `put` can come and
/// notify before the consumer waits.
///
/// | C1 | P | C2 |
/// |---|---|---|
/// | unlocked: empty | | |
/// | | put 1, notify (nobody waits) | |
/// | | | get 1 |
/// | | put 2, notify (nobody waits) | |
/// | lock, wait | | |
/// | sleeps beside item 2 | | |
///
/// **Consequence:** a stranded item and a lost wakeup: loom and shuttle
/// report a deadlock.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnlockedLength;

impl QueueVariant for UnlockedLength {
    fn before_get<T, B: Backend>(queue: &Queue<T, B, Self>, deadline: Deadline) {
        // BUG(queue-unlocked-length): was nothing: emptiness is checked
        // only under the lock, in get's `while` loop.
        if queue.is_empty() {
            let state = queue.state.lock();
            drop(queue.not_empty.wait_until(state, deadline));
        }
    }
}

/// `task_done` updates the unfinished count without the lock.
///
/// **Bug:** the count's read and write are two steps that `put` and other
/// `task_done`s can come between.
///
/// | C1 | C2 |
/// |---|---|
/// | read 2 | |
/// | | read 2 |
/// | write 1 | |
/// | | write 1 |
///
/// **Consequence:** a lost decrement makes `join` hang; a lost increment of
/// a concurrent `put` makes it return early.
#[derive(Debug, Clone, Copy, Default)]
pub struct TaskDoneRace;

impl QueueVariant for TaskDoneRace {
    fn task_done<T, B: Backend>(queue: &Queue<T, B, Self>) -> Result<(), TaskDoneError> {
        // BUG(queue-task-done-race): was `let _state = queue.state.lock();` first
        queue.finish_task()
    }
}

//! The queue's broken variants: each overrides one step of [`QueueVariant`].
//! The items stay under the lock in every variant, so none has undefined
//! behaviour on real threads: the bugs lose wakeups, exceed the capacity or
//! miscount tasks.

use super::{Queue, QueueVariant, TaskDoneError};
use crate::backend::Backend;
use crate::condition::Condvar;

/// Producers and consumers wait on one condition, woken one at a time.
///
/// **Bug:** producers wait for room on `not_empty`, the consumers' condition,
/// so `notify_one` may wake the wrong side, which re-checks, waits again, and
/// swallows the wakeup.
///
/// | P (2 items, capacity 1) | C1 | C2 |
/// |---|---|---|
/// | put 1: no consumer waits, no notify | | |
/// | put 2: full, wait for room on `not_empty` | | |
/// | | get: takes 1; notify one on `not_empty`, meant for P: counted, not yet sent | |
/// | | | get: empty, wait on `not_empty`: sleeps |
/// | sleeps: its wait reads the count stale, so C1's notify does not stop it | | |
/// | | the wake goes to C2, asleep first | |
/// | | done | woken: still empty, waits again |
/// | sleeps forever | | sleeps forever |
///
/// P sleeps through a notify already counted because the model futex
/// compares with a Relaxed load, which may be stale under loom's weak
/// memory (the wake still comes, and goes to C2). Under sequential
/// consistency (shuttle) P's wait would see the count changed and return,
/// so the same bug needs both consumers asleep first: P's put 1 wakes C1,
/// and C1's notify, meant for P (full, asleep), wakes C2, which finds the
/// queue empty and waits again.
///
/// **Consequence:** everybody asleep with an item to move. **Caught by**
/// loom and shuttle, as a deadlock, and the linearizability checker, as a
/// pending operation that could complete; a real-thread run hangs until its
/// watchdog fires. **Escapes** the sequential model run, because one thread
/// never waits.
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
/// | put 1; len: 1 |
/// | put 2: no wait for room; len: 2 |
///
/// **Consequence:** the capacity is exceeded (back-pressure is gone). No
/// interleaving needed: **caught by** loom, shuttle, the linearizability
/// checker, and the sequential model too (a `try_put` its spec refuses); a
/// real-thread stress run sees it on every run.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFullCheck;

impl QueueVariant for NoFullCheck {
    fn is_full(_len: usize, _capacity: usize) -> bool {
        false // BUG(queue-no-full-check): was len >= capacity
    }
}

/// `get` decides to wait on the emptiness it read before taking the lock.
///
/// **Bug:** the check and the wait are not under one lock. A `put` the look
/// misses (one between the look and the lock, or under weak memory one
/// already done) sends no notify, since no consumer is waiting yet, and the
/// consumer then sleeps beside the item. (After a wakeup it re-checks under
/// the lock as the correct `get` does: the bug is the first decision alone.)
///
/// | P (2 items, capacity 1) | C1 | C2 |
/// |---|---|---|
/// | put 1: no consumer waits, no notify | | |
/// | put 2: full, wait for room | | |
/// | | looks: empty (a stale read: the put's store is not yet visible) | |
/// | | lock, wait beside item 1 | |
/// | | | looks: empty (stale too) |
/// | | | lock, wait beside item 1 |
/// | sleeps | sleeps | sleeps |
///
/// No preemption needed: under weak memory the unlocked look may miss a put
/// that is already done. Under sequential consistency (shuttle) the put must
/// come between a consumer's look and its lock: both consumers look, empty;
/// P puts 1 (no consumer waits yet, so no notify) and waits for room; both
/// lock and wait beside item 1.
///
/// **Consequence:** a stranded item and a lost wakeup. **Caught by** loom
/// and shuttle, as a deadlock, and the linearizability checker, as a
/// pending `get` that could complete; a real-thread run hangs when the
/// window opens. **Escapes** the sequential model run, which never waits
/// beside an item.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnlockedLength;

impl QueueVariant for UnlockedLength {
    // BUG(queue-unlocked-length): was true: emptiness is read under the lock
    // before the first wait.
    const CHECK_UNDER_LOCK: bool = false;
}

/// `task_done` updates the unfinished count without the lock.
///
/// **Bug:** the count's read and write are two steps, and without the lock
/// nothing orders them with a `put`'s update or another `task_done`'s.
///
/// The main thread P puts two items and joins; C1 and C2 each take one and
/// mark it done:
///
/// | P (2 items, capacity 1) | C1 | C2 |
/// |---|---|---|
/// | put 1: unfinished 0 → 1 | | |
/// | put 2: full, wait for room | | |
/// | | get 1, wake P | |
/// | | task_done, no lock: read 1, write 0 | |
/// | put 2: read 1 (a stale read: C1's write is not yet visible), write 2 | | |
/// | join: reads 0 — C1's 0 is ordered after P's 2, the increment is lost — and returns | | |
/// | | | get 2; task_done: reads 0, refused |
///
/// No preemption needed: under weak memory the put (under the lock) may
/// read the count from before C1's unlocked write. Under sequential
/// consistency (shuttle) the same race needs a switch inside `task_done`:
/// C1 reads 1, P's put reads 1 and writes 2, C1 writes 0 (a lost increment);
/// or two `task_done`s both read 2 and both write 1 (a lost decrement).
///
/// **Consequence:** a lost increment makes a later `task_done` be refused,
/// and lets `join` return early; a lost decrement makes `join` wait forever.
/// **Caught by** loom and shuttle, either way, whichever schedule comes
/// first (a refused `task_done`: a lost update, or a deadlock); by the
/// linearizability checker, as a history no order explains; a real-thread
/// stress run observes a hang when a decrement is lost. **Escapes** the
/// sequential model run, because one thread cannot race.
#[derive(Debug, Clone, Copy, Default)]
pub struct TaskDoneRace;

impl QueueVariant for TaskDoneRace {
    fn task_done<T, B: Backend>(queue: &Queue<T, B, Self>) -> Result<(), TaskDoneError> {
        // BUG(queue-task-done-race): was `let _state = queue.state.lock();` first
        queue.finish_task()
    }
}

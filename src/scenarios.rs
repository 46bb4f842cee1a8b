//! Scenarios: small concurrent programs that state an invariant.
//!
//! Each scenario is generic over the world `B` and the variant under test, so
//! the same program runs under loom, shuttle and on real threads. It takes
//! `ops`, the operations each thread performs: loom gets 1 (its cost grows
//! exponentially), shuttle a few, a stress run many. A scenario reports a
//! broken invariant with [`ensure!`](crate::ensure), naming the [`Bug`].
//!
//! Shared state travels in `std::sync::Arc`, never `loom::sync::Arc`: a loom
//! `Arc` dropped while a caught failure unwinds reaches for the finished
//! model and aborts the process (DESIGN.md, section 1).

use std::sync::Arc;

use crate::backend::{AtomicU32Ops, Backend, Join, Ordering};
use crate::condition::Condition;
use crate::counter::{Counter, CounterKind};
use crate::ensure;
use crate::failure::Bug;
use crate::kinds::{
    EventApi, EventFamily, LockApi, LockFamily, QueueApi, QueueFamily, SemaphoreApi,
    SemaphoreFamily,
};
use crate::lock::Lock;
use crate::semaphore::{BoundedSemaphore, SemaphoreVariant};

/// Runs `body(thread_index)` on `threads` threads of world `B`, joins them
/// all, and resumes the first panic among them.
pub fn run_threads<B: Backend, S: Send + Sync + 'static>(
    threads: usize,
    shared: &Arc<S>,
    body: fn(&S, usize),
) {
    spawn_threads::<B, S>(threads, shared, body)
        .into_iter()
        .for_each(Join::join);
}

/// Starts `body(thread_index)` on `threads` threads of world `B` and returns
/// their handles, for a scenario whose main thread has work of its own.
pub fn spawn_threads<B: Backend, S: Send + Sync + 'static>(
    threads: usize,
    shared: &Arc<S>,
    body: fn(&S, usize),
) -> Vec<B::JoinHandle<()>> {
    (0..threads)
        .map(|index| {
            let shared = Arc::clone(shared);
            B::spawn(move || body(&shared, index))
        })
        .collect()
}

/// Two threads increment a [`Counter`] `ops` times each.
///
/// Invariant: after both finish, the count is `2 × ops` — no update lost.
pub fn counter_increments<B: Backend, K: CounterKind>(ops: u32) {
    let counter = Arc::new((Counter::<B, K>::new_in(), ops));
    run_threads::<B, _>(2, &counter, |(counter, ops), _| {
        (0..*ops).for_each(|_| counter.increment());
    });
    let (seen, expected) = (counter.0.get(), 2 * ops);
    ensure!(
        seen == expected,
        Bug::LostUpdate,
        "counter is {seen} after {expected} increments"
    );
}

/// What the [`lock_exclusion`] threads share: the lock, and data that lives
/// in `Relaxed` atomics so that a broken lock shows wrong values, not UB.
struct Exclusion<B: Backend, L> {
    lock: L,
    /// Threads inside the critical section right now.
    holders: B::AtomicU32,
    /// Critical sections entered so far (a read-modify-write, so it counts
    /// every entry whatever the lock's ordering).
    entries: B::AtomicU32,
    /// Written by each holder: the number of critical sections completed.
    data: B::AtomicU32,
    ops: u32,
}

/// Two threads take a lock of family `F` (for the lab's variants, a
/// [`RawLock`](crate::lock::RawLock)) `ops` times each and update data inside.
///
/// Invariants: at most one holder at a time; each holder reads the value the
/// previous holder wrote (the lock orders critical sections); the final value
/// counts every critical section.
pub fn lock_exclusion<B: Backend, F: LockFamily>(ops: u32) {
    let shared = Arc::new(Exclusion::<B, F::Lock<B>> {
        lock: LockApi::new(),
        holders: B::AtomicU32::new(0),
        entries: B::AtomicU32::new(0),
        data: B::AtomicU32::new(0),
        ops,
    });
    run_threads::<B, _>(2, &shared, |s, _| {
        for _ in 0..s.ops {
            s.lock.lock();
            // All Relaxed: whatever orders these accesses must come from the
            // lock, which is what this scenario tests.
            let others = s.holders.fetch_add(1, Ordering::Relaxed);
            ensure!(
                others == 0,
                Bug::TwoHolders,
                "{} threads hold the lock",
                others + 1
            );
            let entry = s.entries.fetch_add(1, Ordering::Relaxed);
            let seen = s.data.load(Ordering::Relaxed);
            ensure!(
                seen == entry,
                Bug::StaleRead,
                "holder #{} read {seen}; the previous holder wrote {entry}",
                entry + 1
            );
            s.data.store(seen + 1, Ordering::Relaxed);
            s.holders.fetch_sub(1, Ordering::Relaxed);
            s.lock.unlock();
        }
    });
    let (seen, expected) = (shared.data.load(Ordering::Relaxed), 2 * ops);
    ensure!(
        seen == expected,
        Bug::LostUpdate,
        "data is {seen} after {expected} critical sections"
    );
}

/// Two threads update a [`Lock<u32>`](Lock) through its guard, `ops` times
/// each: the correct lock with its data, so loom checks every access to the
/// protected cell for races.
///
/// Invariant: the final value counts every update.
pub fn lock_guarded_data<B: Backend>(ops: u32) {
    let shared = Arc::new((Lock::<u32, B>::new_in(0), ops));
    run_threads::<B, _>(2, &shared, |(lock, ops), _| {
        (0..*ops).for_each(|_| *lock.lock() += 1);
    });
    let (seen, expected) = (*shared.0.lock(), 2 * ops);
    ensure!(
        seen == expected,
        Bug::LostUpdate,
        "value is {seen} after {expected} locked updates"
    );
}

/// The guide's pitfall: two threads take two locks. With `ABBA` the second
/// thread takes them in the opposite order; without, both follow one order
/// (the fix: a global lock order).
///
/// Invariant: both threads finish (no deadlock), and every update lands.
pub fn two_locks<B: Backend, const ABBA: bool>(ops: u32) {
    let shared = Arc::new((Lock::<u32, B>::new_in(0), Lock::<u32, B>::new_in(0), ops));
    run_threads::<B, _>(2, &shared, |(a, b, ops), index| {
        let (first, second) = if ABBA && index == 1 {
            (b, a) // BUG(lock-abba): was (a, b), the one order all threads follow
        } else {
            (a, b)
        };
        for _ in 0..*ops {
            let mut first = first.lock();
            let mut second = second.lock();
            *first += 1;
            *second += 1;
        }
    });
    let seen = (*shared.0.lock(), *shared.1.lock());
    ensure!(
        seen == (2 * ops, 2 * ops),
        Bug::LostUpdate,
        "locks hold {seen:?} after {} updates each",
        2 * ops
    );
}

/// The guide's pitfall: re-locking while a guard is kept alive. With
/// `KEEP_GUARD` the guard is a temporary of an `if let` scrutinee, which
/// lives until the end of the `if let` body, so the body's `lock()` waits for
/// itself. The fix binds the guard and updates through it: one critical
/// section, no second `lock()`. (Copying the value out and locking again
/// would not deadlock, but would lose updates between the two sections.)
/// Two threads do it, as workers of the guide would.
///
/// Invariant: every update completes, and none is lost.
pub fn relock_in_if_let<B: Backend, const KEEP_GUARD: bool>(ops: u32) {
    let shared = Arc::new((Lock::<Option<u32>, B>::new_in(Some(0)), ops));
    run_threads::<B, _>(2, &shared, |(lock, ops), _| {
        for _ in 0..*ops {
            if KEEP_GUARD {
                // BUG(lock-guard-kept-alive): was `let mut guard = lock.lock();`
                // and `*guard = ...`; the scrutinee's guard lives on here.
                if let Some(n) = *lock.lock() {
                    *lock.lock() = Some(n + 1);
                }
            } else {
                let mut guard = lock.lock();
                if let Some(n) = *guard {
                    *guard = Some(n + 1);
                }
            }
        }
    });
    let (seen, expected) = (*shared.0.lock(), Some(2 * ops));
    ensure!(
        seen == expected,
        Bug::LostUpdate,
        "value is {seen:?} after {} updates",
        2 * ops
    );
}

/// The permits of [`semaphore_admission`]'s semaphore.
pub const SEMAPHORE_PERMITS: u32 = 2;

/// What the [`semaphore_admission`] threads share.
struct Admission<B: Backend, S> {
    semaphore: S,
    /// Threads holding a permit right now.
    inside: B::AtomicU32,
    ops: u32,
}

/// Three threads take a permit of a two-permit semaphore of family `F` (for
/// the lab's variants, a [`Semaphore`](crate::Semaphore)) `ops` times each,
/// and probe it with `try_acquire` at the end.
///
/// Invariants: at most two holders at a time; once every holder has left,
/// both permits can be taken again, and no third.
pub fn semaphore_admission<B: Backend, F: SemaphoreFamily>(ops: u32) {
    let shared = Arc::new(Admission::<B, F::Semaphore<B>> {
        semaphore: SemaphoreApi::new(SEMAPHORE_PERMITS),
        inside: B::AtomicU32::new(0),
        ops,
    });
    run_threads::<B, _>(3, &shared, |s, _| {
        for _ in 0..s.ops {
            s.semaphore.acquire();
            // Relaxed read-modify-writes count exactly, whatever the order.
            let inside = s.inside.fetch_add(1, Ordering::Relaxed) + 1;
            ensure!(
                inside <= SEMAPHORE_PERMITS,
                Bug::OverAdmission,
                "{inside} holders inside a semaphore of {SEMAPHORE_PERMITS} permits"
            );
            s.inside.fetch_sub(1, Ordering::Relaxed);
            s.semaphore.release();
        }
    });
    let permits = (0..=SEMAPHORE_PERMITS)
        .take_while(|_| shared.semaphore.try_acquire())
        .count();
    ensure!(
        permits == SEMAPHORE_PERMITS as usize,
        Bug::OverAdmission,
        "{permits} permits to take after every holder left a semaphore of {SEMAPHORE_PERMITS}"
    );
}

/// Two threads take and return the one permit of a [`BoundedSemaphore`]
/// `ops` times each; then one more `release` is attempted.
///
/// Invariant: the extra release is refused, and the permits stay at the
/// bound.
pub fn bounded_over_release<B: Backend, V: SemaphoreVariant>(ops: u32) {
    let shared = Arc::new((BoundedSemaphore::<B, V>::new_in(1), ops));
    run_threads::<B, _>(2, &shared, |(semaphore, ops), _| {
        (0..*ops).for_each(|_| drop(semaphore.acquire()));
    });
    let semaphore = &shared.0;
    let refused = semaphore.release().is_err();
    let permits = semaphore.available_permits();
    ensure!(
        refused && permits == 1,
        Bug::OverRelease,
        "a release past the bound of 1 was accepted: {permits} permits"
    );
}

/// Two threads wait for an event of family `F` (for the lab's variants, an
/// [`Event`](crate::Event)) that a third sets once.
///
/// One round whatever `ops` is: a second `set` would wake the waiter that
/// the first one missed, and hide the bug this scenario is for.
///
/// Invariants: one `set` releases every waiter (no deadlock), and a waiter
/// returns only with the flag set.
pub fn event_broadcast<B: Backend, F: EventFamily>(_ops: u32) {
    let event = Arc::new(<F::Event<B> as EventApi>::new());
    run_threads::<B, _>(3, &event, |event, index| {
        if index == 0 {
            event.set();
        } else {
            event.wait();
            ensure!(
                event.is_set(),
                Bug::FalseState,
                "wait returned with the event unset"
            );
        }
    });
}

/// The guide's consumer loop: one producer adds two items, one at a time,
/// and two consumers take one each, waiting on a [`Condition`] while the
/// queue is empty. With `IF_NOT_WHILE` the consumers check with `if`.
///
/// Invariant: a consumer never takes from an empty queue.
pub fn condition_consumers<B: Backend, const IF_NOT_WHILE: bool>(ops: u32) {
    let shared = Arc::new((Condition::<u32, B>::new_in(0), ops));
    run_threads::<B, _>(3, &shared, |(condition, ops), index| {
        for _ in 0..*ops {
            if index == 0 {
                for _ in 0..2 {
                    *condition.lock() += 1;
                    condition.notify_one();
                }
                continue;
            }
            let mut items = condition.lock();
            if IF_NOT_WHILE {
                // BUG(condition-if-not-while): was `while`; another consumer
                // can take the item between the notify and our wakeup.
                if *items == 0 {
                    items = condition.wait(items);
                }
            } else {
                while *items == 0 {
                    items = condition.wait(items);
                }
            }
            ensure!(
                *items > 0,
                Bug::FalseState,
                "a consumer woke to an empty queue and took from it"
            );
            *items -= 1;
        }
    });
}

/// A hand-off on a [`Condition`]: one thread sets `ready` and notifies, the
/// other waits while not ready. With `NOTIFY_FIRST` the notify is sent
/// before the state change.
///
/// Invariant: the waiter is released (no deadlock) and sees `ready`.
pub fn condition_handoff<B: Backend, const NOTIFY_FIRST: bool>(ops: u32) {
    let shared = Arc::new((Condition::<u32, B>::new_in(0), ops));
    run_threads::<B, _>(2, &shared, |(condition, ops), index| {
        for round in 1..=*ops {
            if index == 0 {
                if NOTIFY_FIRST {
                    // BUG(condition-notify-before-state): was: change the
                    // state, then notify.
                    condition.notify_one();
                    *condition.lock() = round;
                } else {
                    *condition.lock() = round;
                    condition.notify_one();
                }
            } else {
                let guard = condition.wait_while(condition.lock(), |ready| *ready < round);
                ensure!(
                    *guard >= round,
                    Bug::FalseState,
                    "woke in round {round} with state {}",
                    *guard
                );
            }
        }
    });
}

/// What the queue scenarios' threads share.
struct Handoff<B: Backend, Q> {
    queue: Q,
    /// Bit `i % 32` of word `i / 32` set: item `i` was delivered.
    delivered: Vec<B::AtomicU32>,
    /// Items taken and processed, for `join`.
    processed: B::AtomicU32,
    ops: u32,
}

impl<B: Backend, Q: QueueApi> Handoff<B, Q> {
    fn new(ops: u32) -> Arc<Self> {
        let words = (2 * ops / 32 + 1) as usize;
        Arc::new(Handoff {
            queue: Q::new(1),
            delivered: (0..words).map(|_| B::AtomicU32::new(0)).collect(),
            processed: B::AtomicU32::new(0),
            ops,
        })
    }

    /// Thread 0 puts items `0..2·ops`, one at a time; threads 1 and 2 take
    /// `ops` each, mark them delivered, and mark them done.
    fn work(&self, index: usize) {
        if index == 0 {
            for item in 0..2 * self.ops {
                self.queue.put(item);
                let len = self.queue.len();
                ensure!(
                    len <= 1,
                    Bug::CapacityExceeded,
                    "{len} items in a queue of capacity 1"
                );
            }
            return;
        }
        for _ in 0..self.ops {
            let item = self.queue.get();
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
    let shared = Handoff::<B, F::Queue<B>>::new(ops);
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
    let shared = Handoff::<B, F::Queue<B>>::new(ops);
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

//! The lock's scenarios, each stating its invariant: mutual exclusion and
//! ordering ([`lock_exclusion`]), the guarded data ([`lock_guarded_data`];
//! and [`lock_guarded_cell`], which races on plain data under a broken lock
//! and so runs only under loom, Miri and ThreadSanitizer),
//! and the guide's two usage pitfalls ([`two_locks`], [`relock_in_if_let`]);
//! and the recorded scenario the linearizability checker judges.

use std::sync::Arc;

use super::Lock;
use super::spec::{LockModel, LockOp, LockSpec, perform};
use crate::backend::{
    AtomicU32Ops, Backend, CellOps, Join, Operation, Ordering, Shuttle, run_threads,
};
use crate::ensure;
use crate::kinds::model;
use crate::kinds::{LockApi, LockFamily};
use crate::lab::checkers::Subject;
use crate::lab::failure::{Bug, Failure};
use crate::lab::linearizability::{Recorder, check_recorded};
use crate::lab::{Budget, TIMEOUT};
use crate::worlds;

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
        holders: B::AtomicU32::new(0).named("holders"),
        entries: B::AtomicU32::new(0).named("entries"),
        data: B::AtomicU32::new(0).named("data"),
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

/// What [`lock_guarded_cell`]'s threads share: a lock and the plain value
/// it guards.
struct Guarded<B: Backend, L> {
    lock: L,
    value: B::Cell<u32>,
    ops: u32,
}

// SAFETY: every access to `value` is made holding `lock`, so a correct lock
// makes them exclusive. A broken lock makes them race: undefined behaviour,
// which is why the scenario runs only where a race is detected, never on
// real threads (`Entry::races_on_data`).
unsafe impl<B: Backend, L: Sync> Sync for Guarded<B, L> {}

// SAFETY: the cell owns a plain `u32`, which may move between threads; the
// world's cell type only adds access tracking.
unsafe impl<B: Backend, L: Send> Send for Guarded<B, L> {}

/// Two threads take a lock of family `F` `ops` times each and increment a
/// plain (non-atomic) value inside: the lock is all that orders the
/// accesses. A lock that lets two threads in, or whose release and acquire
/// do not order memory, makes them a data race, which loom's cell tracking
/// reports.
///
/// Invariant: no data race, and the value counts every increment.
pub fn lock_guarded_cell<B: Backend, F: LockFamily>(ops: u32) {
    let shared = Arc::new(Guarded::<B, F::Lock<B>> {
        lock: LockApi::new(),
        value: B::Cell::new(0),
        ops,
    });
    run_threads::<B, _>(2, &shared, |s, _| {
        for _ in 0..s.ops {
            s.lock.lock();
            // The trace's only word for the plain access: loom's cells are
            // not traced atomics.
            Operation::<B>::around("value += 1", || {
                // SAFETY: inside the lock (see `Guarded`).
                s.value.with_mut(|value| unsafe { *value += 1 });
            });
            s.lock.unlock();
        }
    });
    // SAFETY: the threads are joined.
    let seen = shared.value.with(|value| unsafe { *value });
    ensure!(
        seen == 2 * ops,
        Bug::LostUpdate,
        "value is {seen} after {} locked increments",
        2 * ops
    );
}

/// The guide's pitfall: two threads take two locks. With `ABBA` the second
/// thread takes them in the opposite order; without, both follow one order
/// (the fix: a global lock order).
///
/// With `ABBA`, each thread can hold the lock the other waits for:
///
/// | T1 (a, then b) | T2 (b, then a) |
/// |---|---|
/// | lock a | |
/// | | lock b |
/// | | lock a: held, park |
/// | lock b: held, park | |
/// | sleeps forever | sleeps forever |
///
/// One preemption (after T1's first lock) is all it takes.
/// **Consequence:** a deadlock. **Caught by** loom and shuttle; a
/// real-thread run hangs until its watchdog fires. No sequential model or
/// recorded scenario applies to this usage.
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
/// With `KEEP_GUARD`, no interleaving is needed:
///
/// | T1 | T2 |
/// |---|---|
/// | lock (the `if let` guard) | |
/// | lock again: held — by T1 itself; park | |
/// | | lock: held; park |
/// | sleeps forever | sleeps forever |
///
/// **Consequence:** a deadlock: the thread waits for itself, and every
/// other thread that wants the lock sleeps too. **Caught by** loom and
/// shuttle; a real-thread run hangs every time, until its watchdog fires.
/// No sequential model or recorded scenario applies to this usage.
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

/// The main thread holds a lock of family `F` (for the lab's variants, a
/// [`RawLock`](crate::lock::RawLock)) while T1 waits for it without limit
/// and T2 for at most [`TIMEOUT`]; then it lets go and joins both.
/// Under loom and shuttle the timeout fires in the lab's virtual time
/// (see [`kernel`](crate::lab::kernel)), while main could still run or once
/// everyone else is blocked.
///
/// Invariant: the lock is released to T1 in the end, whether or not T2
/// timed out (no waiter is left parked on a free lock: no deadlock).
pub fn lock_timed_waiter<B: Backend, F: LockFamily>(_ops: u32) {
    let lock = Arc::new(<F::Lock<B> as LockApi>::new());
    lock.lock();
    let waiter = |timed: bool| {
        let lock = Arc::clone(&lock);
        B::spawn(move || {
            if !timed {
                lock.lock();
                lock.unlock();
            } else if lock.try_lock_for(TIMEOUT) {
                lock.unlock();
            }
        })
    };
    let (untimed, timed) = (waiter(false), waiter(true));
    lock.unlock();
    untimed.join();
    timed.join();
}

/// Two threads each take a lock of family `F`, hold it across a yield (a
/// critical section long enough to overlap another thread's), and give it
/// back, every operation recorded.
pub fn recorded<B: Backend, F: LockFamily>(recorder: Arc<Recorder<LockSpec>>) {
    let shared = Arc::new((recorder, <F::Lock<B> as LockApi>::new()));
    run_threads::<B, _>(2, &shared, |(recorder, lock), thread| {
        recorder.record(thread, LockOp::Acquire, || perform(lock, &LockOp::Acquire));
        B::yield_now();
        recorder.record(thread, LockOp::Release, || perform(lock, &LockOp::Release));
    });
}

/// [`recorded`] under shuttle, against a free lock.
pub fn linearizability<F: LockFamily>(budget: &Budget) -> (Option<Failure>, usize) {
    check_recorded(LockSpec::default(), recorded::<Shuttle, F>, budget, false)
}

/// What the checkers run for a lock of family `F`: [`lock_exclusion`], the
/// model test of its spec and the recorded histories.
pub const fn subject<F: LockFamily>() -> Subject {
    Subject {
        worlds: worlds!(lock_exclusion, F),
        sequential: Some(model::sequential::<LockModel<F>>()),
        linearizability: Some(linearizability::<F>),
    }
}

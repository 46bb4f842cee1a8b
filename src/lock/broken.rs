//! The lock's broken variants: each overrides one step of [`LockVariant`].
//!
//! None of them guards data of its own (see [`RawLock`](super::RawLock)), so
//! none has undefined behaviour on real threads; the scenarios that expose
//! them keep their shared data in `Relaxed` atomics.

use super::{LOCKED, LockVariant, UNLOCKED};
use crate::backend::{Futex, Ordering};

/// Checks that the lock is free, then takes it, in two separate steps.
///
/// **Bug:** the test (a load) and the set (a store) are not one atomic step,
/// so two threads can both see `UNLOCKED` and both store `LOCKED`.
///
/// | T1 | T2 |
/// |---|---|
/// | load: `UNLOCKED` | |
/// | | load: `UNLOCKED` |
/// | store `LOCKED` — holds | |
/// | | store `LOCKED` — holds too |
///
/// **Consequence:** two holders. **Caught by** loom and shuttle (a schedule
/// switch between the two steps is all it takes); a sequential model run
/// cannot see it, and a real-thread stress run sees it only as often as the
/// window opens.
#[derive(Debug, Clone, Copy, Default)]
pub struct TestThenSet;

impl LockVariant for TestThenSet {
    fn try_acquire<F: Futex>(state: &F) -> bool {
        // BUG(lock-test-then-set): was one compare_exchange(UNLOCKED, LOCKED)
        if state.load(Self::ACQUIRE) != UNLOCKED {
            return false;
        }
        state.store(LOCKED, Ordering::Relaxed);
        true
    }
}

/// Takes and releases the lock with `Relaxed` instead of Acquire/Release.
///
/// **Bug:** mutual exclusion still holds (the lock word is changed by
/// read-modify-writes), but unlocking no longer *publishes* the critical
/// section: the next holder may read values older than the previous holder's
/// writes.
///
/// | T1 | T2 |
/// |---|---|
/// | lock (Relaxed CAS) | |
/// | data = 1 | |
/// | unlock (Relaxed swap) | |
/// | | lock (Relaxed CAS): sees `UNLOCKED` |
/// | | reads data: may still see 0 |
///
/// **Consequence:** stale reads inside the critical section, hence lost
/// updates. **Caught by** loom only, which models the C11 memory model.
/// **Escapes** shuttle, which runs every atomic as SeqCst, and in practice
/// real threads on x86, whose stores are ordered anyway.
#[derive(Debug, Clone, Copy, Default)]
pub struct Relaxed;

impl LockVariant for Relaxed {
    const ACQUIRE: Ordering = Ordering::Relaxed; // BUG(lock-relaxed): was Acquire
    const RELEASE: Ordering = Ordering::Relaxed; // BUG(lock-relaxed): was Release
}

/// Unlocks without waking the thread parked on the lock.
///
/// **Bug:** `unlock` sees `CONTENDED`, sets `UNLOCKED`, and forgets to wake
/// the parked waiter.
///
/// | T1 | T2 |
/// |---|---|
/// | lock: `UNLOCKED → LOCKED` | |
/// | | lock: swap `CONTENDED`, park |
/// | unlock: `CONTENDED → UNLOCKED`, no wake | |
/// | exits | sleeps forever |
///
/// **Consequence:** a waiter that sleeps forever (a lost wakeup): loom and
/// shuttle report a deadlock, a real-thread run hangs until its watchdog
/// fires. A sequential model run never parks, so it cannot see it.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoWakeUnlock;

impl LockVariant for NoWakeUnlock {
    fn wake_after_unlock<F: Futex>(_state: &F) {
        // BUG(lock-no-wake): was state.wake_one()
    }
}

//! The lock's broken variants: each overrides one step of [`LockVariant`].
//!
//! None of them guards data of its own (see [`RawLock`](super::RawLock)), so
//! none has undefined behaviour on real threads; the scenarios that expose
//! them keep their shared data in `Relaxed` atomics.

use super::{CONTENDED, LOCKED, LockVariant, UNLOCKED};
use crate::backend::{Futex, Ordering};

/// Checks that the lock is free, then takes it, in two separate steps.
///
/// **Bug:** the test (a load) and the set (a store) are not one atomic step:
/// the load may see an `UNLOCKED` that is no longer the lock's state.
///
/// | T1 | T2 |
/// |---|---|
/// | load: `UNLOCKED`; store `LOCKED` — holds | |
/// | data = 1 | |
/// | unlock | |
/// | | load: `UNLOCKED` — a stale read: the value from before T1's lock, not T1's unlock |
/// | | store `LOCKED` — holds, not synchronized with T1's unlock |
/// | | reads data: 0 |
///
/// No preemption needed: under weak memory the plain load may return the
/// old `UNLOCKED` even after T1 is done, so T2's critical section is not
/// ordered after T1's (a compare-exchange would read T1's unlock and
/// synchronize with it). Under sequential consistency (shuttle) the same bug
/// needs a switch between the two steps: both threads load `UNLOCKED`, both
/// store `LOCKED`, and both hold the lock at once.
///
/// **Consequence:** a holder that misses the previous holder's writes (a
/// stale read, hence lost updates), or two holders at once. **Caught by**
/// loom, as the stale read; by shuttle and the linearizability checker on
/// it, as two holders. A real-thread stress run sees two holders only as
/// often as the window opens. **Escapes** the sequential model run, because
/// one thread cannot race.
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
/// | | reads data: 0 — a stale read |
///
/// No preemption needed: T2 runs after T1 is done, and its CAS reads T1's
/// unlock, but two Relaxed operations do not synchronize, so T1's write to
/// the data need not be visible yet.
///
/// **Consequence:** stale reads inside the critical section, hence lost
/// updates. **Caught by** loom only, which models the C11 memory model.
/// **Escapes** shuttle and the linearizability checker that runs on it,
/// because shuttle runs every atomic as SeqCst; the sequential model run,
/// because one thread cannot race; and in practice real threads on x86,
/// whose stores are ordered anyway (a stress run only observes).
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
/// **Consequence:** a waiter that sleeps forever (a lost wakeup). **Caught
/// by** loom and shuttle, as a deadlock, and the linearizability checker, as
/// a pending acquire that could complete; a real-thread run hangs until its
/// watchdog fires. **Escapes** the sequential model run, because one thread
/// never parks.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoWakeUnlock;

impl LockVariant for NoWakeUnlock {
    fn wake_after_unlock<F: Futex>(_state: &F) {
        // BUG(lock-no-wake): was state.wake_one()
    }
}

/// A timed lock that gives up takes back the `CONTENDED` mark it set.
///
/// **Bug:** on its timeout the waiter turns `CONTENDED` back into `LOCKED`,
/// as if it had been the only thread parked; another parked thread is then
/// never woken, since the holder's unlock wakes only from `CONTENDED`.
///
/// | main (holds the lock) | T1 (`lock`) | T2 (`try_lock_for` 10 ms) |
/// |---|---|---|
/// | | held: marks `CONTENDED`, sleeps | |
/// | | | held: `CONTENDED`, sleeps until 10 ms |
/// | | | times out: `CONTENDED` → `LOCKED`, gives up |
/// | unlock: was `LOCKED`, wakes nobody | | |
/// | joins T1 | sleeps forever | |
///
/// Two preemptions: main's, before its unlock, and the lab's kernel
/// thread's, which fires T2's deadline in virtual time while main could
/// still run (the trace, where main is T1, shows the timeout in T3's
/// column). Without a model
/// of time (loom's and shuttle's own world) the timed wait never times out,
/// and the bug never shows.
///
/// **Consequence:** a lost wakeup: a waiter sleeps forever on a free lock.
/// **Caught by** loom and shuttle, as a deadlock; a real-thread run hangs
/// only if a timeout lands in that window. No sequential model or recorded
/// scenario applies.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimeoutUnmark;

impl LockVariant for TimeoutUnmark {
    fn give_up<F: Futex>(state: &F) {
        // BUG(lock-timeout-unmark): was nothing; `CONTENDED` stands for
        // every parked thread, not just this one.
        // Relaxed: the mark publishes nothing.
        let _ = state.compare_exchange(CONTENDED, LOCKED, Ordering::Relaxed, Ordering::Relaxed);
    }
}

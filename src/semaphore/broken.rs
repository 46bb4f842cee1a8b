//! The semaphore's broken variants: each overrides one step of
//! [`SemaphoreVariant`]. A semaphore guards no data, so none has undefined
//! behaviour on real threads.

use super::{PERMITS, SemaphoreVariant};
use crate::backend::{Futex, Ordering};

/// Checks for a permit, then takes it, in two separate steps.
///
/// **Bug:** the check (a load) and the decrement (a store) are not one
/// atomic step: a take can decrement a count that is no longer the
/// semaphore's, so two threads take the same permit.
///
/// Three threads, two permits, one take and one return each; then the main
/// thread counts the permits:
///
/// | T1 | T2 | T3 | T4 (main) |
/// |---|---|---|---|
/// | take: load 2, store 1 | | | |
/// | return: 1 → 2 | | | |
/// | | take: load 2 — a stale read: T1's take and return are not yet visible; store 1 | | |
/// | | return: finds 2 (T1's return, ordered after T2's store 1), makes 3 | | |
/// | | | the same: load 2, store 1; return: 3 → 4 | |
/// | | | | takes 3 permits of a semaphore of 2 |
///
/// No preemption needed: under weak memory a later take's load may return
/// the initial count, and its plain store is not ordered after the returns
/// it missed, so the take is lost and its return is a surplus permit. Under
/// sequential consistency (shuttle) the same bug needs a switch between the
/// two steps: two threads load the same count and both store it minus one,
/// so more threads get in than there are permits.
///
/// **Consequence:** over-admission: more holders than permits, or the
/// permit count ends higher than it started. **Caught by** loom, shuttle,
/// and the linearizability checker (a history no order of acquires and
/// releases explains); a stress run sees it as often as the window opens.
/// **Escapes** the sequential model run, because one thread cannot race.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckThenDecrement;

impl SemaphoreVariant for CheckThenDecrement {
    fn try_take<F: Futex>(state: &F) -> bool {
        // BUG(semaphore-check-then-decrement): was a compare_exchange loop
        let current = state.load(Ordering::Acquire);
        if current & PERMITS == 0 {
            return false;
        }
        state.store(current - 1, Ordering::Relaxed);
        true
    }
}

/// Releases without waking the thread parked for a permit.
///
/// **Bug:** `release` adds the permit and clears `WAITERS`, but wakes nobody.
///
/// Three threads, two permits:
///
/// | T1 | T2 | T3 |
/// |---|---|---|
/// | acquire: 2 → 1 permit | | |
/// | release: preempted before the permit is back | | |
/// | | acquire: the last permit, 1 → 0 | |
/// | | | acquire: none left, set `WAITERS`, park |
/// | release lands: 1 permit, `WAITERS` cleared, no wake | | |
/// | exits | release: 2 permits, `WAITERS` clear: nothing to wake | |
/// | | exits | sleeps forever beside 2 free permits |
///
/// T2's release wakes nobody, as the correct one would not either: the wake
/// was T1's to send, since its release cleared `WAITERS`.
///
/// **Consequence:** a lost wakeup. **Caught by** loom and shuttle, as a
/// deadlock, and the linearizability checker, as a pending acquire that
/// could complete; a real-thread run hangs until its watchdog fires.
/// **Escapes** the sequential model run, because one thread never parks.
#[derive(Debug, Clone, Copy, Default)]
pub struct SilentRelease;

impl SemaphoreVariant for SilentRelease {
    fn wake_after_release<F: Futex>(_state: &F) {
        // BUG(semaphore-silent-release): was state.wake_one()
    }
}

/// A bounded semaphore that accepts releases past its bound.
///
/// **Bug:** `release` does not compare the permits with the bound.
///
/// `BoundedSemaphore::new(1)`; two threads take and return its permit, then
/// the main thread releases once more:
///
/// | T1 | T2 | T3 (main) |
/// |---|---|---|
/// | acquire, release: 1 permit | | |
/// | | acquire, release: 1 permit | |
/// | | | release again: accepted, 2 permits |
/// | | | takes 2 permits of a bound of 1 |
///
/// **Consequence:** a surplus permit: the "at most N" promise is gone, and
/// the extra release, a bug in the caller, goes unreported. No interleaving
/// needed: **caught by** loom, shuttle, the linearizability checker, and the
/// sequential model too (a release its spec refuses); a real-thread stress
/// run sees it on every run.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnboundedRelease;

impl SemaphoreVariant for UnboundedRelease {
    fn admits_release(_permits: u32, _bound: u32) -> bool {
        true // BUG(bounded-semaphore-unbounded-release): was permits < bound
    }
}

/// A timed acquire whose timeout races with a release takes the permit on
/// its way out, and still reports the timeout.
///
/// **Bug:** the last look after the deadline (for a permit that a release
/// added as the timeout fired) takes the permit but returns `false`: the
/// caller, told it has no permit, never gives it back.
///
/// | T1 (`try_acquire_for` 10 ms) | main |
/// |---|---|
/// | no permit: sleeps until 10 ms | |
/// | | release: 0 → 1 permit |
/// | times out, before the release's wake: last look takes the permit; reports the timeout | |
/// | | wake: nobody sleeps |
/// | | join T1; try to take the permit released: none |
///
/// Two preemptions: main's, before its release, and the lab's kernel
/// thread's, which fires T1's deadline in virtual time between the
/// release's count and its wake (the trace shows the timeout in T1's
/// column). Without a model of time (loom's and shuttle's own world) the
/// timed wait never times out, T1 gets the permit the ordinary way, and the
/// bug never shows.
///
/// **Consequence:** a permit lost for good (cpython#90155's class: a waiter
/// that times out as a release arrives swallows the permit). **Caught by**
/// loom and shuttle; a real-thread run sees it only if a timeout lands in
/// that window. No sequential model or recorded scenario applies.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimeoutSwallow;

impl SemaphoreVariant for TimeoutSwallow {
    fn last_look<F: Futex>(state: &F) -> bool {
        // BUG(semaphore-timeout-swallow): was `Self::try_take(state)`,
        // returned; a permit taken is a permit held.
        let _ = Self::try_take(state);
        false
    }
}

//! The semaphore's broken variants: each overrides one step of
//! [`SemaphoreVariant`]. A semaphore guards no data, so none has undefined
//! behaviour on real threads.

use super::{PERMITS, SemaphoreVariant};
use crate::backend::{Futex, Ordering};

/// Checks for a permit, then takes it, in two separate steps.
///
/// **Bug:** the check (a load) and the decrement (a store) are not one
/// atomic step: two threads can both see the last permit and both take it.
///
/// | T1 | T2 |
/// |---|---|
/// | load: 1 permit | |
/// | | load: 1 permit |
/// | store 0 — inside | |
/// | | store 0 — inside too |
///
/// **Consequence:** over-admission: more holders than permits, and the
/// permit count ends higher than it started. **Caught by** loom and shuttle;
/// a stress run sees it as often as the window opens; a sequential model
/// run cannot.
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
/// | T1 | T2 |
/// |---|---|
/// | acquire: the only permit | |
/// | | acquire: none left, set `WAITERS`, park |
/// | release: permit back, no wake | |
/// | exits | sleeps forever beside a free permit |
///
/// **Consequence:** a lost wakeup: loom and shuttle report a deadlock, a
/// real-thread run hangs until its watchdog fires; a sequential model run
/// never parks, so it cannot see it.
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
/// | T1 |
/// |---|
/// | `BoundedSemaphore::new(1)` |
/// | acquire, release: 1 permit |
/// | release again: accepted, 2 permits |
///
/// **Consequence:** a surplus permit: the "at most N" promise is gone, and
/// the extra release, a bug in the caller, goes unreported. No interleaving
/// needed, so **every** checker catches it, the sequential model included.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnboundedRelease;

impl SemaphoreVariant for UnboundedRelease {
    fn admits_release(_permits: u32, _bound: u32) -> bool {
        true // BUG(bounded-semaphore-unbounded-release): was permits < bound
    }
}

//! `Semaphore` and `BoundedSemaphore`: the guide's "allow N threads at once".
//!
//! # The state machine
//!
//! One futex word holds the available permits and a flag:
//!
//! | bits | name | meaning |
//! |---|---|---|
//! | 0–30 | permits | permits available now (at most [`MAX_PERMITS`]) |
//! | 31 | `WAITERS` | threads may be parked on the word |
//!
//! Transitions:
//!
//! - `acquire` fast path: `permits → permits − 1` by compare-exchange
//!   (Acquire), while permits are available.
//! - `acquire` slow path: with no permit, set `WAITERS` and park while the
//!   word is unchanged. A permit taken in the slow path is taken with
//!   `WAITERS` set, since other threads may still be parked; if permits are
//!   left after it, the taker wakes the next sleeper ("passes the baton").
//! - `release`: `permits → permits + 1` and clear `WAITERS` in one
//!   compare-exchange (Release); if `WAITERS` was set, wake one sleeper.
//!
//! Invariant: while a thread is parked, `WAITERS` is set or a wake is on its
//! way to a thread that will set it again or pass the baton. A release that
//! finds `WAITERS` clear wakes nobody, so the woken thread that leaves permits
//! behind must wake the next: otherwise two quick releases would wake only
//! one of two sleepers.

mod bounded;
pub mod broken;
pub mod entries;
pub mod scenarios;
pub mod spec;

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

pub use bounded::{Bounded, BoundedSemaphore};

use crate::backend::{AtomicU32Ops, Backend, Deadline, Futex, Operation, Ordering, Std};
use crate::kinds::{SemaphoreApi, SemaphoreFamily};

/// The most permits a semaphore can hold: `2³¹ − 1` (bit 31 is `WAITERS`).
pub const MAX_PERMITS: u32 = PERMITS;

/// The permits field of the word.
pub(crate) const PERMITS: u32 = (1 << 31) - 1;
/// Threads may be parked on the word.
pub(crate) const WAITERS: u32 = 1 << 31;

/// The steps in which the semaphore's variants differ.
///
/// The provided methods are the correct semaphore; a broken variant (see
/// [`broken`]) overrides one, marked `// BUG(<id>): was ...`.
pub trait SemaphoreVariant: Send + Sync + 'static {
    /// Takes one permit if one is available now; true if it did.
    #[inline]
    fn try_take<F: Futex>(state: &F) -> bool {
        // Relaxed: only a first guess; the compare-exchange decides.
        let mut current = state.load(Ordering::Relaxed);
        while current & PERMITS != 0 {
            // Acquire: pairs with the Release of the release() that added
            // this permit.
            match state.compare_exchange(current, current - 1, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return true,
                Err(actual) => current = actual,
            }
        }
        false
    }

    /// Whether a release may add a permit when `permits` are available and
    /// the semaphore's bound is `bound`.
    #[inline]
    fn admits_release(permits: u32, bound: u32) -> bool {
        permits < bound
    }

    /// Wakes one sleeper, after a release that found `WAITERS` set.
    #[inline]
    fn wake_after_release<F: Futex>(state: &F) {
        state.wake_one();
    }

    /// Whether a timed acquire whose deadline passed leaves with a permit:
    /// it takes one last look, for a permit a release added as the timeout
    /// fired (whose wake then found it gone), and says what it found.
    #[inline]
    fn last_look<F: Futex>(state: &F) -> bool {
        Self::try_take(state)
    }
}

/// The correct semaphore.
#[derive(Debug, Clone, Copy, Default)]
pub struct Correct;

impl SemaphoreVariant for Correct {}

/// A release was refused: the semaphore already holds as many permits as
/// its bound allows. Python's `BoundedSemaphore` raises `ValueError` here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverRelease {
    /// The bound that a release would have exceeded.
    pub bound: u32,
}

impl fmt::Display for OverRelease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "semaphore released too many times: it already holds its bound of {} permits",
            self.bound
        )
    }
}

impl std::error::Error for OverRelease {}

/// The guide's `Semaphore`: at most as many holders as there are permits.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::thread;
/// use synclab::Semaphore;
///
/// let pool = Arc::new(Semaphore::new(2)); // two connections
/// let inside = Arc::new(AtomicU32::new(0));
/// let handles: Vec<_> = (0..6)
///     .map(|_| {
///         let (pool, inside) = (Arc::clone(&pool), Arc::clone(&inside));
///         thread::spawn(move || {
///             let _permit = pool.acquire();
///             assert!(inside.fetch_add(1, Ordering::SeqCst) < 2);
///             inside.fetch_sub(1, Ordering::SeqCst);
///         })
///     })
///     .collect();
/// handles.into_iter().for_each(|h| h.join().unwrap());
/// assert_eq!(pool.available_permits(), 2);
/// ```
///
/// Zero permits is a valid start: every `acquire` waits for a `release`.
pub struct Semaphore<B: Backend = Std, V: SemaphoreVariant = Correct> {
    /// Permits and `WAITERS`: see the [module docs](self).
    state: B::Futex,
    variant: PhantomData<fn() -> V>,
}

impl Semaphore {
    /// A semaphore with `permits` permits, for real threads.
    ///
    /// # Panics
    ///
    /// If `permits` exceeds [`MAX_PERMITS`].
    pub fn new(permits: u32) -> Self {
        Self::new_in(permits)
    }
}

impl<B: Backend, V: SemaphoreVariant> Semaphore<B, V> {
    /// A semaphore with `permits` permits, of world `B` and variant `V`.
    ///
    /// # Panics
    ///
    /// If `permits` exceeds [`MAX_PERMITS`].
    pub fn new_in(permits: u32) -> Self {
        assert!(
            permits <= MAX_PERMITS,
            "a semaphore holds at most MAX_PERMITS ({MAX_PERMITS}) permits, not {permits}"
        );
        Semaphore {
            state: B::Futex::new(permits).named("semaphore"),
            variant: PhantomData,
        }
    }

    /// Takes a permit, parking until one is available.
    #[inline]
    pub fn acquire(&self) -> Permit<'_, B, V> {
        Operation::<B>::around("acquire()", || {
            if !V::try_take(&self.state) {
                self.acquire_contended(Deadline::Never);
            }
            self.permit(MAX_PERMITS)
        })
    }

    /// Takes a permit if one is available now.
    #[inline]
    pub fn try_acquire(&self) -> Option<Permit<'_, B, V>> {
        Operation::<B>::returning("try_acquire()", || V::try_take(&self.state))
            .then(|| self.permit(MAX_PERMITS))
    }

    /// Takes a permit, waiting at most `timeout`.
    ///
    /// `Duration::ZERO` makes one attempt and never sleeps; a timeout too
    /// large for the clock waits without limit. Under loom and shuttle the
    /// timeout runs in the lab's virtual time (see the
    /// [kernel](crate::lab::kernel)).
    pub fn try_acquire_for(&self, timeout: Duration) -> Option<Permit<'_, B, V>> {
        let op = Operation::<B>::begin(|| format!("try_acquire_for({timeout:?})"));
        op.returns(self.take_for(timeout))
            .then(|| self.permit(MAX_PERMITS))
    }

    /// Adds a permit, waking a waiter if there is one (Python's `release`).
    ///
    /// # Panics
    ///
    /// If the semaphore already holds [`MAX_PERMITS`] permits.
    pub fn release(&self) {
        if let Err(error) = self.release_within(MAX_PERMITS) {
            panic!("Semaphore::release: {error}");
        }
    }

    /// The permits available now: a snapshot, stale as soon as it returns.
    pub fn available_permits(&self) -> u32 {
        // Relaxed: a snapshot orders nothing.
        self.state.load(Ordering::Relaxed) & PERMITS
    }

    #[inline]
    fn permit(&self, bound: u32) -> Permit<'_, B, V> {
        Permit {
            semaphore: self,
            bound,
        }
    }

    fn take_for(&self, timeout: Duration) -> bool {
        V::try_take(&self.state) || self.acquire_contended(Deadline::after_in::<B>(timeout))
    }

    /// The slow path: park until a permit is ours, or `deadline` passes.
    #[cold]
    fn acquire_contended(&self, deadline: Deadline) -> bool {
        // Relaxed: only a first guess; every change is a compare-exchange.
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state & PERMITS != 0 {
                // Take it with WAITERS set: other threads may still be parked.
                // Acquire: pairs with the Release of the permit's release().
                let taken = (state - 1) | WAITERS;
                match self.state.compare_exchange(
                    state,
                    taken,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        if taken & PERMITS != 0 {
                            // Pass the baton: a later release may have found
                            // WAITERS clear and woken nobody.
                            self.state.wake_one();
                        }
                        return true;
                    }
                    Err(actual) => state = actual,
                }
                continue;
            }
            if state & WAITERS == 0 {
                // Relaxed: setting the flag publishes nothing.
                let flagged = state | WAITERS;
                match self.state.compare_exchange(
                    state,
                    flagged,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => state = flagged,
                    Err(actual) => {
                        state = actual;
                        continue;
                    }
                }
            }
            if !self.state.wait(state, deadline) {
                return V::last_look(&self.state);
            }
            // Relaxed: a fresh guess after the wake, as at the start.
            state = self.state.load(Ordering::Relaxed);
        }
    }

    /// Adds a permit unless that would exceed `bound`.
    #[inline]
    fn release_within(&self, bound: u32) -> Result<(), OverRelease> {
        Operation::<B>::around("release()", || self.add_within(bound))
    }

    /// [`Semaphore::release_within`], untraced.
    #[inline]
    fn add_within(&self, bound: u32) -> Result<(), OverRelease> {
        // A guess, not a load: a permit returned to a semaphore with no
        // permits left and nobody waiting (the uncontended case) goes in
        // with one compare-exchange; a wrong guess costs the load it saved,
        // since the failed compare-exchange returns the actual word. (With
        // 0 permits a release is refused only at a bound of 0, where it is
        // refused whatever the word.)
        let mut state = 0;
        loop {
            let permits = state & PERMITS;
            if !V::admits_release(permits, bound) {
                return Err(OverRelease { bound });
            }
            // Release: pairs with the Acquire of whoever takes the permit.
            // The new word clears WAITERS: the sleeper we wake sets it again.
            match self.state.compare_exchange(
                state,
                permits + 1,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        if state & WAITERS != 0 {
            V::wake_after_release(&self.state);
        }
        Ok(())
    }
}

impl<B: Backend, V: SemaphoreVariant> fmt::Debug for Semaphore<B, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("available_permits", &self.available_permits())
            .finish()
    }
}

/// A permit of a [`Semaphore`] or [`BoundedSemaphore`]; returned on drop,
/// also when its holder panics and unwinds (nothing is poisoned).
///
/// A permit returned to a bounded semaphore that already holds its bound
/// (because of an extra `release`) is refused, as that release would be.
///
/// ```
/// use synclab::Semaphore;
///
/// let semaphore = Semaphore::new(1);
/// let permit = semaphore.acquire();
/// assert_eq!(semaphore.available_permits(), 0);
/// permit.forget(); // Python style: taken now, released by hand later
/// assert_eq!(semaphore.available_permits(), 0);
/// semaphore.release();
/// assert_eq!(semaphore.available_permits(), 1);
/// ```
#[must_use = "the permit is returned as soon as it is dropped"]
pub struct Permit<'a, B: Backend = Std, V: SemaphoreVariant = Correct> {
    semaphore: &'a Semaphore<B, V>,
    bound: u32,
}

impl<B: Backend, V: SemaphoreVariant> Permit<'_, B, V> {
    /// Keeps the permit taken: dropping `self` will not return it. Give it
    /// back later with `release`, the Python way.
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

impl<B: Backend, V: SemaphoreVariant> Drop for Permit<'_, B, V> {
    #[inline]
    fn drop(&mut self) {
        if !B::abandon_guards() {
            // Refused only past the bound, which the type documents.
            let _ = self.semaphore.release_within(self.bound);
        }
    }
}

/// The semaphore as the [semaphore kind](SemaphoreApi), Python style:
/// permits are taken and given back by hand.
impl<B: Backend, V: SemaphoreVariant> SemaphoreApi for Semaphore<B, V> {
    fn new(permits: u32) -> Self {
        Semaphore::new_in(permits)
    }
    fn acquire(&self) {
        Semaphore::acquire(self).forget();
    }
    fn try_acquire(&self) -> bool {
        Semaphore::try_acquire(self).map(Permit::forget).is_some()
    }
    fn release(&self) -> bool {
        Semaphore::release(self);
        true
    }
    fn try_acquire_for(&self, timeout: Duration) -> bool {
        Semaphore::try_acquire_for(self, timeout)
            .map(Permit::forget)
            .is_some()
    }
}

/// Each semaphore variant is the family of its [`Semaphore`].
impl<V: SemaphoreVariant> SemaphoreFamily for V {
    type Semaphore<B: Backend> = Semaphore<B, V>;
}

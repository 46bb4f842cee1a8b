//! `BoundedSemaphore`: the semaphore whose `release` refuses to pass its
//! bound.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use super::{Correct, OverRelease, Permit, Semaphore, SemaphoreVariant};
use crate::backend::{Backend, Std};
use crate::kinds::{SemaphoreApi, SemaphoreFamily};

/// The guide's `BoundedSemaphore`: a [`Semaphore`] whose `release` refuses
/// to go past the initial number of permits.
///
/// ```
/// use synclab::BoundedSemaphore;
/// use synclab::semaphore::OverRelease;
///
/// let sem = BoundedSemaphore::new(1);
/// let permit = sem.acquire();
/// assert!(sem.try_acquire().is_none());
/// drop(permit);
/// assert_eq!(sem.release(), Err(OverRelease { bound: 1 }));
/// assert_eq!(sem.available_permits(), 1);
/// ```
pub struct BoundedSemaphore<B: Backend = Std, V: SemaphoreVariant = Correct> {
    semaphore: Semaphore<B, V>,
    bound: u32,
}

impl BoundedSemaphore {
    /// A bounded semaphore starting (and capped) at `permits`, for real
    /// threads.
    ///
    /// # Panics
    ///
    /// If `permits` exceeds [`MAX_PERMITS`](super::MAX_PERMITS).
    pub fn new(permits: u32) -> Self {
        Self::new_in(permits)
    }
}

impl<B: Backend, V: SemaphoreVariant> BoundedSemaphore<B, V> {
    /// A bounded semaphore of world `B` and variant `V`.
    ///
    /// # Panics
    ///
    /// If `permits` exceeds [`MAX_PERMITS`](super::MAX_PERMITS).
    pub fn new_in(permits: u32) -> Self {
        BoundedSemaphore {
            semaphore: Semaphore::new_in(permits),
            bound: permits,
        }
    }

    /// Takes a permit, parking until one is available.
    pub fn acquire(&self) -> Permit<'_, B, V> {
        self.bounded(self.semaphore.acquire())
    }

    /// Takes a permit if one is available now.
    pub fn try_acquire(&self) -> Option<Permit<'_, B, V>> {
        self.semaphore
            .try_acquire()
            .map(|permit| self.bounded(permit))
    }

    /// Takes a permit, waiting at most `timeout` (see
    /// [`Semaphore::try_acquire_for`]).
    pub fn try_acquire_for(&self, timeout: Duration) -> Option<Permit<'_, B, V>> {
        self.semaphore
            .try_acquire_for(timeout)
            .map(|permit| self.bounded(permit))
    }

    /// Adds a permit, or refuses if the semaphore already holds its bound.
    pub fn release(&self) -> Result<(), OverRelease> {
        self.semaphore.release_within(self.bound)
    }

    /// The permits available now.
    pub fn available_permits(&self) -> u32 {
        self.semaphore.available_permits()
    }

    /// The bound: the initial number of permits.
    pub fn bound(&self) -> u32 {
        self.bound
    }

    fn bounded<'a>(&'a self, mut permit: Permit<'a, B, V>) -> Permit<'a, B, V> {
        permit.bound = self.bound;
        permit
    }
}

impl<B: Backend, V: SemaphoreVariant> fmt::Debug for BoundedSemaphore<B, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore")
            .field("available_permits", &self.available_permits())
            .field("bound", &self.bound)
            .finish()
    }
}

/// The bounded semaphore as the [semaphore kind](SemaphoreApi): an extra
/// `release` is refused (`false`).
impl<B: Backend, V: SemaphoreVariant> SemaphoreApi for BoundedSemaphore<B, V> {
    fn new(permits: u32) -> Self {
        BoundedSemaphore::new_in(permits)
    }
    fn acquire(&self) {
        BoundedSemaphore::acquire(self).forget();
    }
    fn try_acquire(&self) -> bool {
        BoundedSemaphore::try_acquire(self)
            .map(Permit::forget)
            .is_some()
    }
    fn release(&self) -> bool {
        BoundedSemaphore::release(self).is_ok()
    }
    fn try_acquire_for(&self, timeout: Duration) -> bool {
        BoundedSemaphore::try_acquire_for(self, timeout)
            .map(Permit::forget)
            .is_some()
    }
}

/// The family of the [`BoundedSemaphore`] of variant `V`.
#[derive(Debug)]
pub struct Bounded<V>(PhantomData<V>);

impl<V: SemaphoreVariant> SemaphoreFamily for Bounded<V> {
    type Semaphore<B: Backend> = BoundedSemaphore<B, V>;
}

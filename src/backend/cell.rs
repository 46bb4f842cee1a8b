//! The cell of the worlds that track no accesses.

use std::cell::UnsafeCell;

use super::{CellOps, MutPtrOps};

/// An `UnsafeCell` that tracks nothing: the cell of [`Std`](super::Std) and
/// [`Shuttle`](super::Shuttle) (shuttle is sequentially consistent and has no race detector).
#[derive(Debug, Default)]
pub struct UntrackedCell<T>(UnsafeCell<T>);

/// The raw pointer of an [`UntrackedCell`] access.
#[derive(Debug)]
pub struct UntrackedPtr<T>(*mut T);

// SAFETY: a newtype of `std::cell::UnsafeCell<T>`.
unsafe impl<T> CellOps<T> for UntrackedCell<T> {
    type MutPtr = UntrackedPtr<T>;

    fn new(value: T) -> Self {
        UntrackedCell(UnsafeCell::new(value))
    }
    fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }
    fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
    fn get_mut(&self) -> UntrackedPtr<T> {
        UntrackedPtr(self.0.get())
    }
    fn into_inner(self) -> T {
        self.0.into_inner()
    }
}

impl<T> MutPtrOps<T> for UntrackedPtr<T> {
    unsafe fn deref(&self) -> &mut T {
        // SAFETY: the pointer comes from a live cell (the caller borrows it
        // through its lock guard); exclusivity is the caller's obligation.
        unsafe { &mut *self.0 }
    }
}

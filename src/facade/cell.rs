//! An `UnsafeCell` with loom's `with`/`with_mut`: see the
//! [facade](crate::facade).

use std::fmt;
use std::panic::Location;

use super::atomic::Inner;

/// A cell of data that threads share without an atomic: its accesses are
/// made through [`with`](UnsafeCell::with) (to read) and
/// [`with_mut`](UnsafeCell::with_mut) (to write), loom's shape, so that
/// under loom two of them not ordered by a happens-before edge, one a
/// write, are a data race: loom's "causality violation". On real threads
/// it is std's `UnsafeCell` (Miri and ThreadSanitizer see its races there);
/// under shuttle, too (shuttle does not track plain accesses).
///
/// Like std's, it is not `Sync`: the type holding it says, with an
/// `unsafe impl Sync`, why its accesses never race.
///
/// ```
/// use synclab::cell::UnsafeCell;
///
/// let cell = UnsafeCell::new(1);
/// // SAFETY: no other thread can see the cell.
/// cell.with_mut(|value| unsafe { *value += 1 });
/// assert_eq!(cell.with(|value| unsafe { *value }), 2);
/// ```
pub struct UnsafeCell<T>(
    Inner<std::cell::UnsafeCell<T>, loom::cell::UnsafeCell<T>, std::cell::UnsafeCell<T>>,
);

impl<T> UnsafeCell<T> {
    /// A cell holding `value`, in the caller's world.
    #[track_caller]
    pub fn new(value: T) -> UnsafeCell<T> {
        UnsafeCell(Inner::new(
            "UnsafeCell",
            value,
            std::cell::UnsafeCell::new,
            loom::cell::UnsafeCell::new,
            std::cell::UnsafeCell::new,
        ))
    }

    /// Reads through a pointer to the value: under loom, a read access.
    #[inline]
    #[track_caller]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        match &self.0 {
            Inner::Std(cell) => {
                super::world::std_use("UnsafeCell");
                f(cell.get())
            }
            Inner::Loom(checked) => checked.get(Location::caller()).with(f),
            Inner::Shuttle(checked) => f(checked.get(Location::caller()).get()),
        }
    }

    /// Writes through a pointer to the value: under loom, a write access.
    #[inline]
    #[track_caller]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        match &self.0 {
            Inner::Std(cell) => {
                super::world::std_use("UnsafeCell");
                f(cell.get())
            }
            Inner::Loom(checked) => checked.get(Location::caller()).with_mut(f),
            Inner::Shuttle(checked) => f(checked.get(Location::caller()).get()),
        }
    }

    /// The value, consuming the cell.
    #[track_caller]
    pub fn into_inner(self) -> T {
        match self.0 {
            Inner::Std(cell) => cell.into_inner(),
            Inner::Loom(checked) => checked.into_inner(Location::caller()).into_inner(),
            Inner::Shuttle(checked) => checked.into_inner(Location::caller()).into_inner(),
        }
    }
}

impl<T> fmt::Debug for UnsafeCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UnsafeCell { .. }")
    }
}

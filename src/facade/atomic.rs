//! std's atomics, each in the world it was created in: see the
//! [facade](crate::facade).
//!
//! They have std's methods but `get_mut`, `as_ptr` and the `const` of
//! `new` (loom's atomics cannot give a `&mut` into the model, nor be made
//! in a `static` before a model runs). Under loom, `SeqCst` is taken as
//! `AcqRel` (loom's limit), and a report on code that uses it says so.

use std::fmt;
use std::panic::Location;

pub use std::sync::atomic::Ordering;

use super::world::{self, Checked, Kind};
use crate::lab::trace::{Access, Role};

/// A facade value: std's object on real threads, the checker's (with its
/// world and place, boxed) in a model.
pub(crate) enum Inner<S, L, H> {
    Std(S),
    Loom(Box<Checked<L>>),
    Shuttle(Box<Checked<H>>),
}

impl<S, L, H> Inner<S, L, H> {
    /// The value of the caller's world, made from `value` by the one of
    /// `std`, `loom` and `shuttle` that belongs to it.
    #[track_caller]
    pub(crate) fn new<V>(
        kind: &'static str,
        value: V,
        std: impl FnOnce(V) -> S,
        loom: impl FnOnce(V) -> L,
        shuttle: impl FnOnce(V) -> H,
    ) -> Self {
        let at = Location::caller();
        match world::current_kind() {
            Kind::Std => Inner::Std(std(value)),
            Kind::Loom => Inner::Loom(Checked::new(loom(value), kind, at)),
            Kind::Shuttle => Inner::Shuttle(Checked::new(shuttle(value), kind, at)),
        }
    }
}

/// Runs `$call` on the world's object `$a` of facade value `$inner`: on a
/// std value after the (nearly free) world check; on a model value after
/// its world check and a scheduling point (see
/// [`schedule`](super::world::schedule)), noting the orderings `$orders`,
/// then records `$access` (with `$r` bound to the result) as an access of
/// `$role`.
macro_rules! on {
    (
        @ $inner:expr, $kind:expr, [$($order:expr),*],
        |$a:ident| $call:expr, $role:expr, |$r:ident| $access:expr
    ) => {
        match $inner {
            $crate::facade::atomic::Inner::Std($a) => {
                $crate::facade::world::std_use($kind);
                $call
            }
            inner => $crate::facade::world::model(::std::panic::Location::caller(), |at| {
                match inner {
                    $crate::facade::atomic::Inner::Loom(checked) => {
                        let $a = checked.get(at);
                        $crate::lab::trace::orderings(&[$($order),*]);
                        $crate::facade::world::schedule();
                        let $r = $call;
                        checked.note(at, $role, || $access);
                        $r
                    }
                    $crate::facade::atomic::Inner::Shuttle(checked) => {
                        let $a = checked.get(at);
                        let $r = $call;
                        checked.note(at, $role, || $access);
                        $r
                    }
                    $crate::facade::atomic::Inner::Std(_) => {
                        unreachable!("a std value takes the std path")
                    }
                }
            }),
        }
    };
    (
        $inner:expr, $kind:expr, [$($order:expr),*],
        |$a:ident| $call:expr, $role:expr, |$r:ident| $access:expr
    ) => {
        on!(@ $inner, $kind, [$($order),*], |$a| $call, $role, |$r| $access)
    };
}
pub(crate) use on;

/// A value as the trace shows it.
trait Word: Copy {
    fn word(self) -> u64;
}

macro_rules! word {
    ($($t:ty),*) => {$(
        impl Word for $t {
            fn word(self) -> u64 {
                self as u64
            }
        }
    )*};
}
word!(u32, u64, usize);

impl Word for bool {
    fn word(self) -> u64 {
        u64::from(self)
    }
}

impl<T> Word for *mut T {
    fn word(self) -> u64 {
        self.addr() as u64
    }
}

/// Defines an atomic's `compare_exchange` and `compare_exchange_weak`.
macro_rules! compare_exchanges {
    ($name:ident, $value:ty) => {
        compare_exchanges!(@ $name, $value,
            compare_exchange => "Stores `new` if the value is `current`, as std's `compare_exchange`.";
            compare_exchange_weak => "As `compare_exchange`, but may fail spuriously on real \
                threads, as std's `compare_exchange_weak`.";
        );
    };
    (@ $name:ident, $value:ty, $($op:ident => $doc:literal;)*) => {$(
        #[doc = $doc]
        #[inline]
        #[track_caller]
        pub fn $op(
            &self,
            current: $value,
            new: $value,
            success: Ordering,
            failure: Ordering,
        ) -> Result<$value, $value> {
            on!(&self.0, stringify!($name), [success, failure], |a| a.$op(current, new, success, failure), Role::Value, |result| Access::Cas {
                current: current.word(),
                new: new.word(),
                actual: result.unwrap_or_else(|actual| actual).word(),
            })
        }
    )*};
}

/// Defines the methods every atomic has: `new`, `load`, `store`, `swap`,
/// the compare-exchanges, `fetch_update`, `into_inner`.
macro_rules! atomic {
    (
        $(#[$doc:meta])*
        $name:ident$(<$p:ident>)?, $value:ty
    ) => {
        $(#[$doc])*
        pub struct $name$(<$p>)?(
            Inner<
                std::sync::atomic::$name$(<$p>)?,
                loom::sync::atomic::$name$(<$p>)?,
                shuttle::sync::atomic::$name$(<$p>)?,
            >,
        );

        impl$(<$p>)? $name$(<$p>)? {
            /// A new atomic holding `value`, in the caller's world.
            #[track_caller]
            pub fn new(value: $value) -> Self {
                $name(Inner::new(
                    stringify!($name),
                    value,
                    std::sync::atomic::$name::new,
                    loom::sync::atomic::$name::new,
                    shuttle::sync::atomic::$name::new,
                ))
            }

            /// Loads the value, as std's `load`.
            #[inline]
            #[track_caller]
            pub fn load(&self, order: Ordering) -> $value {
                on!(&self.0, stringify!($name), [order], |a| a.load(order), Role::Value, |value| Access::Load { value: value.word() })
            }

            /// Stores `value`, as std's `store`.
            #[inline]
            #[track_caller]
            pub fn store(&self, value: $value, order: Ordering) {
                on!(&self.0, stringify!($name), [order], |a| a.store(value, order), Role::Value, |_r| Access::Store { value: value.word() })
            }

            /// Swaps `value` in, returning the old value, as std's `swap`.
            #[inline]
            #[track_caller]
            pub fn swap(&self, value: $value, order: Ordering) -> $value {
                on!(&self.0, stringify!($name), [order], |a| a.swap(value, order), Role::Value, |old| Access::Swap { new: value.word(), old: old.word() })
            }

            compare_exchanges!($name, $value);

            /// Applies `f` until its result is stored or it returns `None`,
            /// as std's `fetch_update`. In a model, each load and
            /// compare-exchange it makes is a step of the trace.
            #[track_caller]
            pub fn fetch_update<F>(
                &self,
                set_order: Ordering,
                fetch_order: Ordering,
                mut f: F,
            ) -> Result<$value, $value>
            where
                F: FnMut($value) -> Option<$value>,
            {
                if let Inner::Std(a) = &self.0 {
                    world::std_use(stringify!($name));
                    return a.fetch_update(set_order, fetch_order, f);
                }
                let mut previous = self.load(fetch_order);
                while let Some(next) = f(previous) {
                    match self.compare_exchange_weak(previous, next, set_order, fetch_order) {
                        Ok(previous) => return Ok(previous),
                        Err(actual) => previous = actual,
                    }
                }
                Err(previous)
            }

            /// The value, consuming the atomic, as std's `into_inner`.
            #[track_caller]
            pub fn into_inner(self) -> $value {
                let at = Location::caller();
                match self.0 {
                    Inner::Std(a) => a.into_inner(),
                    Inner::Loom(checked) => checked.into_inner(at).into_inner(),
                    Inner::Shuttle(checked) => checked.into_inner(at).into_inner(),
                }
            }
        }

        impl$(<$p>)? fmt::Debug for $name$(<$p>)? {
            /// The world's own debug output, as std's (which shows the value).
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match &self.0 {
                    Inner::Std(a) => fmt::Debug::fmt(a, f),
                    Inner::Loom(_) => f.write_str(concat!(stringify!($name), "(loom)")),
                    Inner::Shuttle(_) => f.write_str(concat!(stringify!($name), "(shuttle)")),
                }
            }
        }
    };
}

/// Defines an atomic's read-modify-writes `$op` (`fetch_add`...), traced
/// as `$access` given the operand `by` and the old value `old`.
macro_rules! rmw {
    ($name:ident, $value:ty, $($op:ident => |$by:ident, $old:ident| $access:expr;)*) => {
        impl $name {
            $(
                #[doc = concat!("As std's `", stringify!($op), "`: returns the value before.")]
                #[inline]
                #[track_caller]
                pub fn $op(&self, $by: $value, order: Ordering) -> $value {
                    on!(&self.0, stringify!($name), [order], |a| a.$op($by, order), Role::Value, |$old| $access)
                }
            )*
        }
    };
}

/// A read-modify-write told by what it left: `fetch_max 5: 3 → 5`.
fn update(op: &str, by: u64, old: u64, new: u64) -> Access {
    Access::Update {
        op: format!("{op} {by}"),
        old,
        new,
    }
}

macro_rules! atomic_int {
    ($($name:ident, $int:ty;)*) => {$(
        atomic! {
            #[doc = concat!("std's `", stringify!($name), "`, in the world it was created in.")]
            ///
            /// ```
            #[doc = concat!("use synclab::sync::atomic::{", stringify!($name), ", Ordering};")]
            ///
            #[doc = concat!("let hits = ", stringify!($name), "::new(0);")]
            /// hits.fetch_add(2, Ordering::Relaxed);
            /// assert_eq!(hits.load(Ordering::Relaxed), 2);
            /// ```
            $name, $int
        }

        rmw! {
            $name, $int,
            fetch_add => |by, old| Access::FetchAdd { by: by.word(), old: old.word() };
            fetch_sub => |by, old| Access::FetchSub { by: by.word(), old: old.word() };
            fetch_or => |by, old| Access::FetchOr { bits: by.word(), old: old.word() };
            fetch_and => |by, old| update("fetch_and", by.word(), old.word(), (old & by).word());
            fetch_nand => |by, old| update("fetch_nand", by.word(), old.word(), (!(old & by)).word());
            fetch_xor => |by, old| update("fetch_xor", by.word(), old.word(), (old ^ by).word());
            fetch_max => |by, old| update("fetch_max", by.word(), old.word(), old.max(by).word());
            fetch_min => |by, old| update("fetch_min", by.word(), old.word(), old.min(by).word());
        }

        impl Default for $name {
            /// Zero, in the caller's world.
            #[track_caller]
            fn default() -> Self {
                $name::new(0)
            }
        }
    )*};
}

atomic_int! {
    AtomicU32, u32;
    AtomicU64, u64;
    AtomicUsize, usize;
}

atomic! {
    /// std's `AtomicBool`, in the world it was created in.
    ///
    /// ```
    /// use synclab::sync::atomic::{AtomicBool, Ordering};
    ///
    /// let ready = AtomicBool::new(false);
    /// ready.store(true, Ordering::Release);
    /// assert!(ready.load(Ordering::Acquire));
    /// ```
    AtomicBool, bool
}

rmw! {
    AtomicBool, bool,
    fetch_and => |by, old| update("fetch_and", by.word(), old.word(), (old & by).word());
    fetch_nand => |by, old| update("fetch_nand", by.word(), old.word(), (!(old & by)).word());
    fetch_or => |by, old| update("fetch_or", by.word(), old.word(), (old | by).word());
    fetch_xor => |by, old| update("fetch_xor", by.word(), old.word(), (old ^ by).word());
}

impl Default for AtomicBool {
    /// `false`, in the caller's world.
    #[track_caller]
    fn default() -> Self {
        AtomicBool::new(false)
    }
}

atomic! {
    /// std's `AtomicPtr`, in the world it was created in. The trace shows
    /// its pointers as addresses.
    ///
    /// ```
    /// use synclab::sync::atomic::{AtomicPtr, Ordering};
    ///
    /// let mut slot = 7;
    /// let ptr = AtomicPtr::new(std::ptr::null_mut());
    /// ptr.store(&mut slot, Ordering::Release);
    /// assert_eq!(unsafe { *ptr.load(Ordering::Acquire) }, 7);
    /// ```
    AtomicPtr<T>, *mut T
}

/// A fence, as std's [`fence`](std::sync::atomic::fence), in the caller's
/// world: under loom it orders the model's accesses as the C11 fence does.
#[inline]
#[track_caller]
pub fn fence(order: Ordering) {
    match world::current_kind() {
        Kind::Std => std::sync::atomic::fence(order),
        Kind::Loom => {
            crate::lab::trace::orderings(&[order]);
            loom::sync::atomic::fence(order);
        }
        Kind::Shuttle => shuttle::sync::atomic::fence(order),
    }
}

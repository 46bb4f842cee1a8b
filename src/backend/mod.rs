//! One source, three worlds: the backend every primitive is written over.
//!
//! A primitive in this crate never names `std::sync::atomic`, `loom` or
//! `shuttle` directly. It names a [`Backend`] `B` and uses `B::AtomicU32`,
//! `B::Futex`, `B::Cell<T>`, [`Backend::spawn`] and friends. The same code then
//! runs
//!
//! - on real threads with [`Std`] (benchmarks, stress runs, production use),
//! - inside `loom::model` with [`Loom`] (exhaustive, C11 weak memory),
//! - inside a shuttle runner with [`Shuttle`] (randomized and PCT schedules,
//!   sequentially consistent).
//!
//! # The futex
//!
//! Blocking is built on one futex-style word, [`Futex`]: `wait(expected)`
//! sleeps only while the word still holds `expected`, `wake_one`/`wake_all`
//! wake sleepers. On [`Std`] this is `parking_lot_core`'s parking lot, keyed by
//! the word's address, which checks the word under its queue lock exactly as a
//! kernel futex does. loom and shuttle have no futex, so there it is emulated
//! with the world's own `Mutex` + `Condvar`: `wait` re-checks the word under
//! the mutex and `wake` notifies under it. A wakeup that a primitive forgets to
//! send therefore leaves the waiter blocked on a condvar nobody will signal,
//! which loom and shuttle report as a **deadlock** rather than as an explosion
//! of spin-loop branches.
//!
//! # Time and spurious wakeups
//!
//! Neither loom nor shuttle models time or spurious wakeups. The model worlds
//! add both, through the lab's [`kernel`](crate::lab::kernel): a virtual clock in which a
//! [`Deadline`] fires (when every other thread is blocked, or earlier, as one
//! more scheduling choice), and a bounded number of spurious returns from a
//! futex wait per execution. The lab's checkers switch them on
//! ([`Modelling`](crate::lab::kernel::Modelling), set in the
//! [`Budget`](crate::lab::Budget)); without them
//! a non-zero timeout never fires under loom or shuttle and no wait wakes
//! spuriously. A deadline that had passed when it was made
//! (`Duration::ZERO`) has passed in every world.

mod cell;
mod model;
mod std_world;
mod threads;

use std::fmt;
use std::marker::PhantomData;
use std::panic::Location;
use std::time::{Duration, Instant};

pub use cell::{UntrackedCell, UntrackedPtr};
pub use model::{
    Loom, LoomFutex, LoomJoinHandle, Shuttle, ShuttleFutex, ShuttleJoinHandle, Traced,
};
pub use std_world::{Std, StdFutex, StdJoinHandle};

pub use crate::lab::trace::Role;
pub use threads::{run_threads, spawn_threads};

/// Instantiates a generic scenario for the three worlds.
///
/// `worlds!(scenarios::lock_exclusion, TestThenSet)` is
/// `scenarios::lock_exclusion::<W, TestThenSet>` for each world `W`; a
/// generic argument longer than one token goes in angle brackets:
/// `worlds!(scenarios::bounded_over_release, <Bounded<V>>)`.
#[macro_export]
macro_rules! worlds {
    ($($scenario:ident)::+, <$arg:ty>) => {
        $crate::lab::checkers::Worlds {
            std: $($scenario)::+::<$crate::backend::Std, $arg>,
            loom: $($scenario)::+::<$crate::backend::Loom, $arg>,
            shuttle: $($scenario)::+::<$crate::backend::Shuttle, $arg>,
        }
    };
    ($($scenario:ident)::+ $(, $arg:tt)*) => {
        $crate::lab::checkers::Worlds {
            std: $($scenario)::+::<$crate::backend::Std $(, $arg)*>,
            loom: $($scenario)::+::<$crate::backend::Loom $(, $arg)*>,
            shuttle: $($scenario)::+::<$crate::backend::Shuttle $(, $arg)*>,
        }
    };
}

/// A world the primitives can run in: real threads, loom or shuttle.
///
/// Implemented by the zero-sized markers [`Std`], [`Loom`] and [`Shuttle`].
/// Primitives take it as a type parameter with `Std` as the default, so
/// everyday code never names it.
pub trait Backend: Sized + Send + Sync + 'static {
    /// The world's name, as the lab prints it (`"std"`, `"loom"`, `"shuttle"`).
    const NAME: &'static str;

    /// How many times a contended fast path may spin before it parks.
    ///
    /// Real threads profit from a short spin; under a model checker every spin
    /// is another scheduling point to explore, so the models set this to 0.
    const SPIN_LIMIT: u32;

    /// Whether this world records [traces](crate::lab::trace): the model
    /// worlds do, real threads do not (an [`Operation`] then costs
    /// nothing).
    const TRACES: bool = false;

    /// A 32-bit atomic integer of this world.
    type AtomicU32: AtomicU32Ops;

    /// A futex word of this world: an [`AtomicU32Ops`] that can be waited on.
    type Futex: Futex;

    /// An `UnsafeCell` of this world, with loom's access-tracking shape.
    type Cell<T>: CellOps<T>;

    /// The handle [`Backend::spawn`] returns.
    type JoinHandle<T: Send + 'static>: Join<T> + Send;

    /// Spawns a thread of this world running `f`.
    ///
    /// The handle must be joined: one dropped without a join panics with a
    /// [leak](crate::lab::failure::FailureKind::Leak) that names where the
    /// thread was spawned (the guide's thread leakage), unless the thread
    /// dropping it is already panicking.
    #[track_caller]
    fn spawn<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static;

    /// Lets another thread run: a scheduling point under the model checkers.
    #[track_caller]
    fn yield_now();

    /// A label of the current thread of this world, unique while it runs
    /// (for [traces](crate::lab::trace)).
    fn current_thread() -> String;

    /// A spin-loop hint. loom requires one in every spin loop.
    #[track_caller]
    fn spin_loop();

    /// Whether a guard dropped now must leave its primitive alone.
    ///
    /// True under loom while the thread unwinds a caught failure: the model
    /// is over by then, and touching a loom object from a `Drop` panics a
    /// second time, which aborts the process (loom issues 52 and 291). The
    /// abandoned primitive is never used again. False everywhere else: on real
    /// threads a guard always releases what it holds.
    fn abandon_guards() -> bool {
        false
    }

    /// Whether `payload`, a panic caught inside a thread of this world, is
    /// the lab's or the checker's own and must go on unwinding: a leak the
    /// backend reports ([`Backend::spawn`]) and, on real threads, a stress
    /// round's abandoned thread leaving; under loom and shuttle also a
    /// deadlock or a data race they report from inside the thread that
    /// meets it, and their unwinding of a blocked thread's stack once an
    /// execution has failed (any payload that is not a message). Code that
    /// catches panics (a thread pool handing a task's panic to its future)
    /// resumes these.
    fn is_checker_panic(payload: &(dyn std::any::Any + Send)) -> bool {
        crate::lab::failure::is_checker_panic(payload, false)
    }

    /// Now, as this world's clock reads it: the real clock on real threads,
    /// the virtual clock of the [`kernel`](crate::lab::kernel) in the model
    /// worlds.
    fn now() -> Instant;

    /// Whether `deadline` has passed, as this world sees time.
    ///
    /// [`Deadline::Expired`] has passed in every world and [`Deadline::Never`]
    /// in none. [`Deadline::At`] passes on real threads once the clock reaches
    /// it, and under loom or shuttle once a timeout has moved the virtual
    /// clock there (never, unless the checker models time).
    fn expired(deadline: Deadline) -> bool;
}

/// A public operation of a primitive, as the model worlds' traces show
/// it: the readable trace groups the steps a thread takes between
/// [`Operation::begin`] and the operation's end under its call (`put(2)`)
/// and shows its result (`get() → 1`). An operation inside another (the
/// lock a queue's `put` takes) is not shown: only the outermost is.
///
/// On real threads ([`Backend::TRACES`] false) it records nothing. The
/// guard itself still cost about 1 ns on an uncontended lock+unlock
/// (criterion, this machine); [`Operation::around`] and
/// [`Operation::returning`] make not even the guard there, and the lab's
/// hot paths use them.
///
/// ```
/// use synclab::backend::{Backend, Operation, Std};
///
/// fn get(slot: &std::sync::atomic::AtomicU32) -> u32 {
///     let op = Operation::<Std>::begin(|| "get()".to_owned());
///     op.returns(slot.load(std::sync::atomic::Ordering::Acquire))
/// }
/// # assert_eq!(get(&std::sync::atomic::AtomicU32::new(7)), 7);
/// ```
#[must_use = "the operation ends when this is dropped"]
pub struct Operation<B: Backend> {
    /// Its beginning, where traced (and so its end must be).
    begun: Option<crate::lab::trace::Begun>,
    location: &'static Location<'static>,
    world: PhantomData<fn() -> B>,
}

impl<B: Backend> Operation<B> {
    /// Begins the operation `call` (its name and arguments, `put(2)`, made
    /// only when traced); it ends when the returned value is dropped or
    /// [`returns`](Operation::returns).
    #[inline]
    #[track_caller]
    pub fn begin(call: impl FnOnce() -> String) -> Self {
        let location = Location::caller();
        let begun = if B::TRACES {
            crate::lab::trace::begin(B::current_thread, call, location)
        } else {
            None
        };
        Operation {
            begun,
            location,
            world: PhantomData,
        }
    }

    /// [`Operation::begin`] of a call without arguments: `Operation::call("get()")`.
    #[inline]
    #[track_caller]
    pub fn call(call: &'static str) -> Self {
        Self::begin(|| call.to_owned())
    }

    /// Runs `body` as the operation `call`: inside an [`Operation::call`]
    /// where traced, and alone on real threads, where not even the guard
    /// is made (for the hottest paths: an uncontended lock).
    #[inline(always)]
    #[track_caller]
    pub fn around<R>(call: &'static str, body: impl FnOnce() -> R) -> R {
        if B::TRACES {
            let _op = Self::call(call);
            body()
        } else {
            body()
        }
    }

    /// [`Operation::around`], showing the result as `Debug` prints it.
    #[inline(always)]
    #[track_caller]
    pub fn returning<R: fmt::Debug>(call: &'static str, body: impl FnOnce() -> R) -> R {
        if B::TRACES {
            Self::call(call).returns(body())
        } else {
            body()
        }
    }

    /// Ends the operation with `result`, shown as `Debug` prints it, and
    /// hands `result` back.
    #[inline]
    pub fn returns<R: fmt::Debug>(self, result: R) -> R {
        self.ends_with(|| format!("{result:?}"));
        result
    }

    /// Ends the operation with a result shown as `shown` says (made only
    /// when traced).
    #[inline]
    pub fn ends_with(mut self, shown: impl FnOnce() -> String) {
        if let Some(begun) = self.begun.take() {
            crate::lab::trace::end(begun, || Some(shown()), self.location);
        }
    }
}

impl<B: Backend> Drop for Operation<B> {
    /// Ends the operation without a result to show; one a panic unwinds
    /// stays open in the trace (the failure tells what happened).
    #[inline]
    fn drop(&mut self) {
        if let Some(begun) = self.begun.take() {
            if std::thread::panicking() {
                crate::lab::trace::unwound(begun);
            } else {
                crate::lab::trace::end(begun, || None, self.location);
            }
        }
    }
}

/// Spins with exponential backoff while `blocked()` holds, for at most
/// about `B::SPIN_LIMIT` spin hints and then a few yields (crossbeam's
/// `Backoff` shape); returns whether it stopped because `blocked()` turned
/// false. The model worlds (`SPIN_LIMIT == 0`) do not spin, nor even look:
/// they return `false` at once, adding no scheduling point.
pub fn backoff<B: Backend>(blocked: impl Fn() -> bool) -> bool {
    if B::SPIN_LIMIT == 0 {
        return false;
    }
    let mut spun = 0;
    let mut step = 1;
    while spun < B::SPIN_LIMIT {
        if !blocked() {
            return true;
        }
        (0..step).for_each(|_| B::spin_loop());
        spun += step;
        step = (step * 2).min(32);
    }
    for _ in 0..B::SPIN_LIMIT.min(4) {
        if !blocked() {
            return true;
        }
        B::yield_now();
    }
    !blocked()
}

/// The atomic operations the primitives use, over a `u32` word.
///
/// Same signatures as [`std::sync::atomic::AtomicU32`], so every world's
/// atomic implements it by delegation.
#[allow(missing_docs)] // each method is the std method of the same name
pub trait AtomicU32Ops: Send + Sync {
    fn new(value: u32) -> Self;
    #[track_caller]
    fn load(&self, order: Ordering) -> u32;
    #[track_caller]
    fn store(&self, value: u32, order: Ordering);
    #[track_caller]
    fn swap(&self, value: u32, order: Ordering) -> u32;
    #[track_caller]
    fn compare_exchange(
        &self,
        current: u32,
        new: u32,
        success: Ordering,
        failure: Ordering,
    ) -> Result<u32, u32>;
    #[track_caller]
    fn fetch_add(&self, value: u32, order: Ordering) -> u32;
    #[track_caller]
    fn fetch_sub(&self, value: u32, order: Ordering) -> u32;
    #[track_caller]
    fn fetch_or(&self, value: u32, order: Ordering) -> u32;

    /// Names this word in the model worlds' [traces](crate::lab::trace)
    /// (`queue.lock`, `latch.count`): a primitive names its words where it
    /// creates them, and an enclosing one may rename them, before their
    /// first operation (the name is read then). Unnamed words are lettered
    /// `A`, `B`... Does nothing on real threads.
    #[inline]
    fn name(&self, _name: impl FnOnce() -> String) {}

    /// Says what this word is for, so that the readable trace tells its
    /// operations as a person would ([`Role::Lock`]: `takes`, `releases`;
    /// [`Role::Signal`]: only its sleeps and wakes). Words are
    /// [`Role::Value`]s until told otherwise. Does nothing on real threads.
    #[inline]
    fn role(&self, _role: Role) {}

    /// This word, playing `role` (see [`AtomicU32Ops::role`]).
    ///
    /// ```
    /// use synclab::backend::{AtomicU32Ops, Backend, Role, Std};
    ///
    /// let state = <Std as Backend>::Futex::new(0).named("spinlock").playing(Role::Lock);
    /// ```
    #[inline]
    fn playing(self, role: Role) -> Self
    where
        Self: Sized,
    {
        self.role(role);
        self
    }

    /// This word, [named](AtomicU32Ops::name) `name`.
    ///
    /// ```
    /// use synclab::backend::{AtomicU32Ops, Backend, Std};
    ///
    /// let count = <Std as Backend>::AtomicU32::new(2).named("latch.count");
    /// ```
    #[inline]
    fn named(self, name: &str) -> Self
    where
        Self: Sized,
    {
        self.name(|| name.to_owned());
        self
    }
}

pub use std::sync::atomic::Ordering;

/// A futex word: an atomic `u32` that threads can sleep on.
///
/// The contract is the kernel futex's: [`Futex::wait`] returns at once unless
/// the word equals `expected` when checked under the wait queue's lock, and
/// may return spuriously, so callers re-check their condition in a loop.
pub trait Futex: AtomicU32Ops {
    /// Sleeps while the word is `expected`, until woken or until `deadline`.
    ///
    /// Returns `false` if it returned because the deadline passed, `true`
    /// otherwise (woken, word changed, or spurious).
    #[track_caller]
    fn wait(&self, expected: u32, deadline: Deadline) -> bool;
    /// Wakes at most one thread sleeping on this word; true if it woke one.
    #[track_caller]
    fn wake_one(&self) -> bool;
    /// Wakes every thread sleeping on this word.
    #[track_caller]
    fn wake_all(&self);
    /// Wakes at most `n` threads sleeping on this word, stopping early when
    /// none is left (so `usize::MAX` is as cheap as the sleepers there are).
    #[track_caller]
    fn wake(&self, n: usize) {
        for _ in 0..n {
            if !self.wake_one() {
                break;
            }
        }
    }
}

/// An `UnsafeCell` with loom's closure-scoped access shape.
///
/// Under loom every access is tracked, and two accesses not ordered by
/// happens-before are reported as a causality violation (a data race).
///
/// # Safety
///
/// An implementor owns its `T` as `std::cell::UnsafeCell<T>` does: moving
/// the cell to another thread moves the `T` and nothing else, so a primitive
/// holding a cell of a `T: Send` may be `Send`.
pub unsafe trait CellOps<T> {
    /// A raw pointer that marks a mutable access for as long as it lives.
    type MutPtr: MutPtrOps<T>;
    /// Wraps `value`.
    fn new(value: T) -> Self;
    /// Runs `f` with a shared-access raw pointer to the value.
    fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R;
    /// Runs `f` with a mutable-access raw pointer to the value.
    fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R;
    /// Starts a tracked mutable access that lasts until the pointer drops.
    fn get_mut(&self) -> Self::MutPtr;
    /// Unwraps the value.
    fn into_inner(self) -> T;
}

/// The pointer of a tracked mutable access, see [`CellOps::get_mut`].
pub trait MutPtrOps<T> {
    /// Dereferences the pointer.
    ///
    /// # Safety
    ///
    /// The caller must have exclusive access to the cell for as long as the
    /// returned reference lives (for a lock guard: the lock is held).
    #[allow(clippy::mut_from_ref)] // the exclusivity is the caller's obligation
    unsafe fn deref(&self) -> &mut T;
}

/// The join half of [`Backend::spawn`].
pub trait Join<T> {
    /// Waits for the thread and returns its result.
    ///
    /// A panic in the thread is resumed in the joining thread, so an
    /// assertion that fails inside a scenario's thread fails the scenario.
    fn join(self) -> T;

    /// Lets the thread run on, never to be joined, on purpose: the one way
    /// to drop a handle that is not reported as a leak (see
    /// [`Backend::spawn`]).
    fn detach(self);
}

/// When a timed wait gives up, in a form every world can judge
/// deterministically (see [`Backend::expired`]).
///
/// ```
/// use std::time::Duration;
/// use synclab::backend::Deadline;
///
/// assert_eq!(Deadline::after(Duration::ZERO), Deadline::Expired);
/// assert_eq!(Deadline::after(Duration::MAX), Deadline::Never);
/// assert!(matches!(Deadline::after(Duration::from_millis(5)), Deadline::At(_)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deadline {
    /// Already passed: a zero timeout. The wait makes one attempt, never sleeps.
    Expired,
    /// Passes at this instant of the world's clock (see [`Backend::now`]).
    At(Instant),
    /// Never passes: the timeout is too large to represent (`Duration::MAX`),
    /// so the wait is an untimed one.
    Never,
}

impl Deadline {
    /// The deadline `timeout` from now, on the real clock.
    ///
    /// `Duration::ZERO` is [`Deadline::Expired`]; a timeout whose end the
    /// clock cannot represent is [`Deadline::Never`] (no overflow panic).
    pub fn after(timeout: Duration) -> Deadline {
        Deadline::after_in::<Std>(timeout)
    }

    /// The deadline `timeout` from now in world `B`: on its clock (virtual
    /// in the model worlds, see [`Backend::now`]).
    pub fn after_in<B: Backend>(timeout: Duration) -> Deadline {
        if timeout.is_zero() {
            return Deadline::Expired;
        }
        match B::now().checked_add(timeout) {
            Some(at) => Deadline::At(at),
            None => Deadline::Never,
        }
    }
}

/// Implements [`AtomicU32Ops`] for a type with std's `AtomicU32` methods.
macro_rules! delegate_atomic_u32 {
    ($ty:ty $(, $field:tt)?) => {
        impl $crate::backend::AtomicU32Ops for $ty {
            #[inline]
            fn new(value: u32) -> Self {
                $crate::backend::delegate_atomic_u32!(@new $ty, value $(, $field)?)
            }
            #[inline]
            fn load(&self, order: $crate::backend::Ordering) -> u32 {
                self$(.$field)?.load(order)
            }
            #[inline]
            fn store(&self, value: u32, order: $crate::backend::Ordering) {
                self$(.$field)?.store(value, order)
            }
            #[inline]
            fn swap(&self, value: u32, order: $crate::backend::Ordering) -> u32 {
                self$(.$field)?.swap(value, order)
            }
            #[inline]
            fn compare_exchange(
                &self,
                current: u32,
                new: u32,
                success: $crate::backend::Ordering,
                failure: $crate::backend::Ordering,
            ) -> Result<u32, u32> {
                self$(.$field)?.compare_exchange(current, new, success, failure)
            }
            #[inline]
            fn fetch_add(&self, value: u32, order: $crate::backend::Ordering) -> u32 {
                self$(.$field)?.fetch_add(value, order)
            }
            #[inline]
            fn fetch_sub(&self, value: u32, order: $crate::backend::Ordering) -> u32 {
                self$(.$field)?.fetch_sub(value, order)
            }
            #[inline]
            fn fetch_or(&self, value: u32, order: $crate::backend::Ordering) -> u32 {
                self$(.$field)?.fetch_or(value, order)
            }
            $(
                #[inline]
                fn name(&self, name: impl FnOnce() -> String) {
                    self.$field.name(name)
                }
                #[inline]
                fn role(&self, role: $crate::backend::Role) {
                    self.$field.role(role)
                }
            )?
        }
    };
    (@new $ty:ty, $value:ident) => {
        <$ty>::new($value)
    };
    (@new $ty:ty, $value:ident, $field:tt) => {
        <$ty>::from_word($value)
    };
}
pub(crate) use delegate_atomic_u32;

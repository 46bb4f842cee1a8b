//! std's `Arc`, `Mutex` and `Condvar`, each in the world it was created in:
//! see the [facade](crate::facade).

use std::fmt;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

use super::atomic::{Inner, on};
use super::world::{self, Checked, Made};
use crate::lab::trace::{Access, Role};

pub use super::atomic;

/// std's `Arc`, in the world it was created in: under loom, loom's, which
/// reports an `Arc` still alive when the execution ends (a leak).
///
/// A `Deref` costs a branch more than std's. `Arc::new` needs a sized
/// value, and an `Arc<T>` does not coerce to `Arc<dyn Trait>` (that needs
/// an unstable trait).
///
/// ```
/// use synclab::sync::Arc;
///
/// let shared = Arc::new(5);
/// let other = Arc::clone(&shared);
/// assert_eq!(*other + *shared, 10);
/// assert_eq!(Arc::strong_count(&shared), 2);
/// ```
pub struct Arc<T: ?Sized>(ManuallyDrop<ArcInner<T>>);

enum ArcInner<T: ?Sized> {
    Std(std::sync::Arc<T>),
    Loom(loom::sync::Arc<T>, Made),
    /// shuttle's `Arc` is std's.
    Shuttle(std::sync::Arc<T>, Made),
}

impl<T> Arc<T> {
    /// `value`, shared, in the caller's world.
    #[track_caller]
    pub fn new(value: T) -> Arc<T> {
        Arc::from(match world::current_kind() {
            world::Kind::Std => ArcInner::Std(std::sync::Arc::new(value)),
            world::Kind::Loom => ArcInner::Loom(loom::sync::Arc::new(value), Made::here("Arc")),
            world::Kind::Shuttle => {
                ArcInner::Shuttle(std::sync::Arc::new(value), Made::here("Arc"))
            }
        })
    }

    /// The value, if this is the last `Arc` of it; else `Err(this)`.
    #[track_caller]
    pub fn try_unwrap(this: Arc<T>) -> Result<T, Arc<T>> {
        // Refused before anything is taken out: `this` drops as it is.
        if let ArcInner::Loom(_, made) | ArcInner::Shuttle(_, made) = &*this.0 {
            made.check(Location::caller());
        }
        let mut this = ManuallyDrop::new(this);
        // SAFETY: `this` is never used or dropped again.
        match unsafe { ManuallyDrop::take(&mut this.0) } {
            ArcInner::Std(a) => {
                std::sync::Arc::try_unwrap(a).map_err(|a| Arc::from(ArcInner::Std(a)))
            }
            ArcInner::Loom(a, made) => {
                loom::sync::Arc::try_unwrap(a).map_err(|a| Arc::from(ArcInner::Loom(a, made)))
            }
            ArcInner::Shuttle(a, made) => {
                std::sync::Arc::try_unwrap(a).map_err(|a| Arc::from(ArcInner::Shuttle(a, made)))
            }
        }
    }
}

impl<T: ?Sized> Arc<T> {
    /// How many `Arc`s share the value.
    #[track_caller]
    pub fn strong_count(this: &Arc<T>) -> usize {
        match &*this.0 {
            ArcInner::Std(a) | ArcInner::Shuttle(a, _) => std::sync::Arc::strong_count(a),
            ArcInner::Loom(a, made) => {
                made.check(Location::caller());
                loom::sync::Arc::strong_count(a)
            }
        }
    }

    /// Whether two `Arc`s share one value.
    pub fn ptr_eq(this: &Arc<T>, other: &Arc<T>) -> bool {
        std::ptr::addr_eq(&**this as *const T, &**other as *const T)
    }
}

impl<T: ?Sized> Clone for Arc<T> {
    /// Another `Arc` of the value; refused in a model for an `Arc` created
    /// outside it (see the [facade](crate::facade)).
    #[track_caller]
    fn clone(&self) -> Arc<T> {
        Arc::from(match &*self.0 {
            ArcInner::Std(a) => {
                world::std_use("Arc");
                ArcInner::Std(std::sync::Arc::clone(a))
            }
            ArcInner::Loom(a, made) => {
                made.check(Location::caller());
                ArcInner::Loom(loom::sync::Arc::clone(a), *made)
            }
            ArcInner::Shuttle(a, made) => {
                made.check(Location::caller());
                ArcInner::Shuttle(std::sync::Arc::clone(a), *made)
            }
        })
    }
}

impl<T: ?Sized> Deref for Arc<T> {
    type Target = T;

    #[inline]
    #[track_caller]
    fn deref(&self) -> &T {
        match &*self.0 {
            ArcInner::Std(a) => a,
            ArcInner::Shuttle(a, made) => {
                made.check(Location::caller());
                a
            }
            ArcInner::Loom(a, made) => {
                made.check(Location::caller());
                a
            }
        }
    }
}

impl<T: ?Sized> From<ArcInner<T>> for Arc<T> {
    fn from(inner: ArcInner<T>) -> Arc<T> {
        Arc(ManuallyDrop::new(inner))
    }
}

impl<T: ?Sized> Drop for Arc<T> {
    /// Drops this `Arc`, as std's. A loom `Arc` dropped outside its
    /// execution is let go without a word to loom (whose execution it was
    /// is over) and refused, unless a panic is unwinding already.
    #[track_caller]
    fn drop(&mut self) {
        if let &ArcInner::Loom(_, made) = &*self.0
            && !made.is_here()
        {
            // SAFETY: taken once, here, and never dropped.
            let stray = unsafe { ManuallyDrop::take(&mut self.0) };
            std::mem::forget(stray);
            // Refused inside another execution; elsewhere (on real threads,
            // in a thread-local's destructor at a thread's exit, while a
            // panic unwinds) let go without a word: a panic there would
            // abort.
            if world::checking()
                && world::current_kind() != world::Kind::Std
                && !std::thread::panicking()
            {
                made.check(Location::caller());
            }
            return;
        }
        // SAFETY: dropped once, here.
        unsafe { ManuallyDrop::drop(&mut self.0) }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Arc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: Default> Default for Arc<T> {
    #[track_caller]
    fn default() -> Arc<T> {
        Arc::new(T::default())
    }
}

/// std's `Mutex`, in the world it was created in. Under loom and shuttle a
/// thread that waits for it forever is a deadlock, with the trace.
///
/// Its `T` must be sized. The std path costs a branch or two more than
/// std's `Mutex` (the benchmark report has the numbers).
///
/// ```
/// use synclab::sync::{Arc, Mutex};
/// use synclab::thread;
///
/// let total = Arc::new(Mutex::new(0));
/// let adder = {
///     let total = Arc::clone(&total);
///     thread::spawn(move || *total.lock().unwrap() += 2)
/// };
/// *total.lock().unwrap() += 1;
/// adder.join().unwrap();
/// assert_eq!(*total.lock().unwrap(), 3);
/// ```
pub struct Mutex<T>(Inner<std::sync::Mutex<T>, loom::sync::Mutex<T>, shuttle::sync::Mutex<T>>);

/// The guard of a [`Mutex`]: the lock is held until it drops.
pub struct MutexGuard<'a, T>(ManuallyDrop<Guard<'a, T>>);

/// A world's guard: std's, or a model's, boxed, so that a guard is two
/// words, as std's is, and moves in registers.
enum Guard<'a, T> {
    Std(std::sync::MutexGuard<'a, T>),
    Model(Box<Model<'a, T>>),
}

/// A model world's guard.
enum Model<'a, T> {
    Loom(ModelGuard<'a, loom::sync::MutexGuard<'a, T>, loom::sync::Mutex<T>>),
    Shuttle(ModelGuard<'a, shuttle::sync::MutexGuard<'a, T>, shuttle::sync::Mutex<T>>),
}

/// A model world's guard, and the mutex it traces as.
struct ModelGuard<'a, G, M> {
    guard: G,
    mutex: &'a Checked<M>,
}

/// A world's `LockResult`, as our guard and whether the lock was poisoned.
fn unpoison<G>(result: LockResult<G>) -> (G, bool) {
    match result {
        Ok(guard) => (guard, false),
        Err(poisoned) => (poisoned.into_inner(), true),
    }
}

/// A world's `TryLockResult`: its guard and whether the lock was
/// poisoned, or `None` if the lock is held.
fn taken<G>(result: TryLockResult<G>) -> Option<(G, bool)> {
    match result {
        Ok(guard) => Some((guard, false)),
        Err(TryLockError::Poisoned(poisoned)) => Some((poisoned.into_inner(), true)),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// `try_lock` on a model's `mutex` at `at`, its guard made a [`Model`] by
/// `model`; the take, or the lock found held, traced.
fn try_model<'a, T, G, M>(
    mutex: &'a Checked<M>,
    at: &Location<'_>,
    model: fn(ModelGuard<'a, G, M>) -> Model<'a, T>,
    try_lock: impl FnOnce(&'a M) -> TryLockResult<G>,
) -> Option<(Guard<'a, T>, bool)> {
    let Some((guard, poisoned)) = taken(try_lock(mutex.get(at))) else {
        mutex.note(at, Role::Lock, finds_held);
        return None;
    };
    Some((model(ModelGuard { guard, mutex }).boxed(at), poisoned))
}

/// A model's condvar wait at `at`: the lock's release, the sleep, the
/// wakeup and the lock taken again traced around `wait`.
fn wait_model<'a, T, G, M, C>(
    condvar: &Checked<C>,
    held: ModelGuard<'a, G, M>,
    at: &Location<'_>,
    model: fn(ModelGuard<'a, G, M>) -> Model<'a, T>,
    wait: impl FnOnce(&C, G) -> LockResult<G>,
) -> (Guard<'a, T>, bool) {
    let ModelGuard { guard, mutex } = held;
    let waits = condvar.get(at);
    mutex.note(at, Role::Lock, releases);
    condvar.note(at, Role::Signal, || Access::Sleeps { expected: 0 });
    let (guard, poisoned) = unpoison(wait(waits, guard));
    condvar.note(at, Role::Signal, || Access::Woken);
    (model(ModelGuard { guard, mutex }).boxed(at), poisoned)
}

/// Our `LockResult` of `guard`.
#[inline]
fn lock_result<T>(guard: Guard<'_, T>, poisoned: bool) -> LockResult<MutexGuard<'_, T>> {
    let guard = MutexGuard(ManuallyDrop::new(guard));
    if poisoned {
        Err(PoisonError::new(guard))
    } else {
        Ok(guard)
    }
}

/// The trace's step for a lock taken: `takes m`.
fn takes() -> Access {
    Access::Swap { new: 1, old: 0 }
}

/// The trace's step for a lock released: `releases m`.
fn releases() -> Access {
    Access::Store { value: 0 }
}

/// The trace's step for a `try_lock` that found the lock held.
fn finds_held() -> Access {
    Access::Load { value: 1 }
}

impl<T> Mutex<T> {
    /// A new unlocked mutex holding `value`, in the caller's world.
    #[track_caller]
    pub fn new(value: T) -> Mutex<T> {
        Mutex(Inner::new(
            "Mutex",
            value,
            std::sync::Mutex::new,
            loom::sync::Mutex::new,
            shuttle::sync::Mutex::new,
        ))
    }

    /// Takes the lock, waiting for it, as std's `lock`.
    #[inline]
    #[track_caller]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        let (guard, poisoned) = match &self.0 {
            Inner::Std(mutex) => {
                world::std_use("Mutex");
                let (guard, poisoned) = unpoison(mutex.lock());
                (Guard::Std(guard), poisoned)
            }
            _ => {
                let (model, poisoned) = self.lock_model(Location::caller());
                (Guard::Model(model), poisoned)
            }
        };
        lock_result(guard, poisoned)
    }

    /// [`lock`](Self::lock) in a model world, out of line. Its result is
    /// two words, returned in registers: a std lock's path merges with it
    /// without a copy through memory.
    #[cold]
    #[inline(never)]
    fn lock_model(&self, at: &Location<'_>) -> (Box<Model<'_, T>>, bool) {
        let (model, poisoned) = match &self.0 {
            Inner::Loom(mutex) => {
                let (guard, poisoned) = unpoison(mutex.get(at).lock());
                (Model::Loom(ModelGuard { guard, mutex }), poisoned)
            }
            Inner::Shuttle(mutex) => {
                let (guard, poisoned) = unpoison(mutex.get(at).lock());
                (Model::Shuttle(ModelGuard { guard, mutex }), poisoned)
            }
            Inner::Std(_) => unreachable!("a std mutex takes the std path"),
        };
        model.note(at, takes);
        (Box::new(model), poisoned)
    }

    /// Takes the lock if it is free, as std's `try_lock`.
    #[track_caller]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        let at = Location::caller();
        let taken = match &self.0 {
            Inner::Std(mutex) => {
                world::std_use("Mutex");
                taken(mutex.try_lock()).map(|(guard, poisoned)| (Guard::Std(guard), poisoned))
            }
            Inner::Loom(mutex) => try_model(mutex, at, Model::Loom, |mutex| mutex.try_lock()),
            Inner::Shuttle(mutex) => try_model(mutex, at, Model::Shuttle, |mutex| mutex.try_lock()),
        };
        let (guard, poisoned) = taken.ok_or(TryLockError::WouldBlock)?;
        lock_result(guard, poisoned).map_err(TryLockError::Poisoned)
    }

    /// The value, consuming the mutex, as std's `into_inner`.
    #[track_caller]
    pub fn into_inner(self) -> LockResult<T> {
        match self.0 {
            Inner::Std(mutex) => mutex.into_inner(),
            Inner::Loom(checked) => checked.into_inner(Location::caller()).into_inner(),
            Inner::Shuttle(checked) => checked.into_inner(Location::caller()).into_inner(),
        }
    }

    /// The value, through the only reference to the mutex, as std's
    /// `get_mut`.
    #[track_caller]
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        match &mut self.0 {
            Inner::Std(mutex) => mutex.get_mut(),
            Inner::Loom(checked) => checked.get_mut(Location::caller()).get_mut(),
            Inner::Shuttle(checked) => checked.get_mut(Location::caller()).get_mut(),
        }
    }
}

impl<'a, T> Model<'a, T> {
    /// Refuses a use at `at` outside the guard's world.
    fn check(&self, at: &Location<'_>) {
        match self {
            Model::Loom(model) => drop(model.mutex.get(at)),
            Model::Shuttle(model) => drop(model.mutex.get(at)),
        }
    }

    /// Records `access` at `at` on the guard's mutex, as a lock.
    fn note(&self, at: &Location<'_>, access: fn() -> Access) {
        match self {
            Model::Loom(model) => model.mutex.note(at, Role::Lock, access),
            Model::Shuttle(model) => model.mutex.note(at, Role::Lock, access),
        }
    }

    /// The guard of a lock just taken at `at`: the take traced.
    fn boxed(self, at: &Location<'_>) -> Guard<'a, T> {
        self.note(at, takes);
        Guard::Model(Box::new(self))
    }
}

impl<T: Default> Default for Mutex<T> {
    #[track_caller]
    fn default() -> Mutex<T> {
        Mutex::new(T::default())
    }
}

impl<T: fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Inner::Std(mutex) => fmt::Debug::fmt(mutex, f),
            Inner::Loom(_) => f.write_str("Mutex(loom)"),
            Inner::Shuttle(_) => f.write_str("Mutex(shuttle)"),
        }
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        match &*self.0 {
            Guard::Std(guard) => guard,
            Guard::Model(model) => match &**model {
                Model::Loom(model) => &model.guard,
                Model::Shuttle(model) => &model.guard,
            },
        }
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        match &mut *self.0 {
            Guard::Std(guard) => guard,
            Guard::Model(model) => match &mut **model {
                Model::Loom(model) => &mut model.guard,
                Model::Shuttle(model) => &mut model.guard,
            },
        }
    }
}

impl<'a, T> MutexGuard<'a, T> {
    /// The world's guard, taken out without unlocking: the lock stays
    /// held by what the caller does with it.
    fn into_guard(self) -> Guard<'a, T> {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again.
        unsafe { ManuallyDrop::take(&mut this.0) }
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        match &mut *self.0 {
            // SAFETY: the guard's one variant, dropped once, here.
            Guard::Std(guard) => unsafe { std::ptr::drop_in_place(guard) },
            Guard::Model(model) => release(model),
        }
    }
}

/// A model's guard dropped: the release traced, then the lock released
/// (the box and the guard in it dropped).
#[cold]
#[inline(never)]
fn release<T>(model: &mut Box<Model<'_, T>>) {
    model.note(Location::caller(), releases);
    // SAFETY: the guard's one variant, dropped once, here: its owner is in
    // a `ManuallyDrop` that is never used again.
    unsafe { std::ptr::drop_in_place(model) }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// std's `Condvar`, in the world it was created in. Under loom and shuttle
/// a wait nobody notifies is a deadlock; neither wakes a wait spuriously
/// (the lab's own primitives get spurious wakeups from its kernel; a
/// facade `Condvar` does not), so code that trusts a wakeup is caught only
/// where another thread's notify comes too early.
///
/// `wait_timeout` is not offered: loom has no clock, and a wait that never
/// times out in the model would give a verdict for a program that does not
/// exist.
///
/// ```
/// use synclab::sync::{Arc, Condvar, Mutex};
/// use synclab::thread;
///
/// let pair = Arc::new((Mutex::new(false), Condvar::new()));
/// let setter = {
///     let pair = Arc::clone(&pair);
///     thread::spawn(move || {
///         *pair.0.lock().unwrap() = true;
///         pair.1.notify_one();
///     })
/// };
/// let ready = pair.1.wait_while(pair.0.lock().unwrap(), |ready| !*ready).unwrap();
/// assert!(*ready);
/// drop(ready);
/// setter.join().unwrap();
/// ```
pub struct Condvar(Inner<std::sync::Condvar, loom::sync::Condvar, shuttle::sync::Condvar>);

impl Condvar {
    /// A new condition variable, in the caller's world.
    #[track_caller]
    pub fn new() -> Condvar {
        Condvar(Inner::new(
            "Condvar",
            (),
            |()| std::sync::Condvar::new(),
            |()| loom::sync::Condvar::new(),
            |()| shuttle::sync::Condvar::new(),
        ))
    }

    /// Releases the guard's lock and sleeps until notified, then takes the
    /// lock again, as std's `wait`.
    ///
    /// # Panics
    ///
    /// If the condvar and the guard are of different worlds.
    #[track_caller]
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        let at = Location::caller();
        let (guard, poisoned) = match (&self.0, guard.into_guard()) {
            (Inner::Std(condvar), Guard::Std(guard)) => {
                world::std_use("Condvar");
                let (guard, poisoned) = unpoison(condvar.wait(guard));
                (Guard::Std(guard), poisoned)
            }
            (inner, Guard::Model(model)) => match (inner, *model) {
                (Inner::Loom(condvar), Model::Loom(held)) => {
                    wait_model(condvar, held, at, Model::Loom, |c, g| c.wait(g))
                }
                (Inner::Shuttle(condvar), Model::Shuttle(held)) => {
                    wait_model(condvar, held, at, Model::Shuttle, |c, g| c.wait(g))
                }
                (inner, model) => mixed(inner, &Guard::Model(Box::new(model)), at),
            },
            (inner, guard) => mixed(inner, &guard, at),
        };
        lock_result(guard, poisoned)
    }

    /// Waits while `condition` holds, as std's `wait_while`.
    #[track_caller]
    pub fn wait_while<'a, T, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: F,
    ) -> LockResult<MutexGuard<'a, T>>
    where
        F: FnMut(&mut T) -> bool,
    {
        while condition(&mut *guard) {
            guard = self.wait(guard)?;
        }
        Ok(guard)
    }

    /// Wakes one waiter, if any, as std's `notify_one`.
    #[inline]
    #[track_caller]
    pub fn notify_one(&self) {
        on!(
            &self.0,
            "Condvar",
            [],
            |condvar| condvar.notify_one(),
            Role::Signal,
            |_r| { Access::Notifies { all: false } }
        )
    }

    /// Wakes every waiter, as std's `notify_all`.
    #[inline]
    #[track_caller]
    pub fn notify_all(&self) {
        on!(
            &self.0,
            "Condvar",
            [],
            |condvar| condvar.notify_all(),
            Role::Signal,
            |_r| { Access::Notifies { all: true } }
        )
    }
}

/// Refuses a wait at `at` on a condvar and a guard of two worlds: the one
/// made outside the running world.
fn mixed<C, L, H, T>(condvar: &Inner<C, L, H>, guard: &Guard<'_, T>, at: &Location<'_>) -> ! {
    match condvar {
        Inner::Std(_) => world::refuse_std("Condvar", at),
        Inner::Loom(condvar) => drop(condvar.get(at)),
        Inner::Shuttle(condvar) => drop(condvar.get(at)),
    }
    match guard {
        Guard::Std(_) => world::refuse_std("Mutex", at),
        Guard::Model(model) => model.check(at),
    }
    unreachable!("a condvar and a guard of one world match")
}

impl Default for Condvar {
    #[track_caller]
    fn default() -> Condvar {
        Condvar::new()
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Condvar { .. }")
    }
}

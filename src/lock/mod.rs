//! `Lock`: the guide's `threading.Lock`, a three-state futex mutex.
//!
//! [`RawLock`] is the state machine alone (no data), in the correct version
//! and in the broken [`variants`](crate::lock::broken); [`Lock<T>`] puts a
//! value behind the correct one and hands it out through an RAII
//! [`LockGuard`]. The split is lock_api's `RawMutex` + `Mutex<R, T>`: a broken
//! lock guards no data of its own, so two holders of a broken lock never alias
//! a `&mut T`, and the broken variants stay free of undefined behaviour on real
//! threads (their scenarios keep shared data in `Relaxed` atomics).
//!
//! # The state machine
//!
//! The word [`RawLock::state`](RawLock) is the futex word of std's futex
//! mutex and of *Rust Atomics and Locks* chapter 9:
//!
//! | state | name | meaning |
//! |---|---|---|
//! | 0 | `UNLOCKED` | nobody holds the lock |
//! | 1 | `LOCKED` | held, and no thread is parked on the word |
//! | 2 | `CONTENDED` | held, and threads may be parked on the word |
//!
//! Transitions:
//!
//! - `lock` fast path: `0 → 1` with one compare-exchange (Acquire).
//! - `lock` slow path: on real threads, yield the core up to ten times for
//!   the lock to come free; then swap in `2` (Acquire); if the old state
//!   was `0` the lock is ours (we conservatively leave it `2`), otherwise park
//!   while the word is `2`, and after each wake yield a little while the
//!   state is `1` before trying again.
//! - `unlock`: swap in `0` (Release); if the old state was `2`, wake one
//!   parked thread, which will swap in `2` again and so take over the duty of
//!   waking the next one.
//!
//! Invariant: while any thread is parked on the word, the state is `2` or a
//! wake is on its way. Only `unlock` moves the state down, and it wakes
//! whenever it moves it down from `2`.

pub mod broken;
pub mod entries;
pub mod scenarios;
pub mod spec;

use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

use crate::backend::{
    AtomicU32Ops, Backend, CellOps, Deadline, Futex, MutPtrOps, Operation, Ordering, Role, Std,
};
use crate::kinds::{LockApi, LockFamily};

/// Nobody holds the lock.
pub(crate) const UNLOCKED: u32 = 0;
/// Held, and no thread is parked on the word.
pub(crate) const LOCKED: u32 = 1;
/// Held, and threads may be parked on the word.
pub(crate) const CONTENDED: u32 = 2;

/// The steps in which the lock's variants differ.
///
/// The provided methods are the correct lock. A broken variant (see
/// [`broken`]) overrides exactly one of them, marked
/// `// BUG(<id>): was ...`, so that it reads as a diff of the correct code.
pub trait LockVariant: Send + Sync + 'static {
    /// The ordering with which a thread takes the lock.
    ///
    /// Acquire: pairs with the Release in [`LockVariant::RELEASE`], so the
    /// new holder sees everything the previous holder wrote.
    const ACQUIRE: Ordering = Ordering::Acquire;

    /// The ordering with which a holder releases the lock.
    ///
    /// Release: pairs with [`LockVariant::ACQUIRE`] of the next holder.
    const RELEASE: Ordering = Ordering::Release;

    /// Tries `UNLOCKED → LOCKED` once; true if the caller now holds the lock.
    #[inline]
    fn try_acquire<F: Futex>(state: &F) -> bool {
        // Relaxed on failure: a failed attempt reads nothing it relies on.
        state
            .compare_exchange(UNLOCKED, LOCKED, Self::ACQUIRE, Ordering::Relaxed)
            .is_ok()
    }

    /// Wakes one thread parked on the word, after an unlock from `CONTENDED`.
    #[inline]
    fn wake_after_unlock<F: Futex>(state: &F) {
        state.wake_one();
    }

    /// What a timed lock does when its deadline passes before it took the
    /// lock: nothing. The `CONTENDED` it swapped in stays, since it may
    /// stand for other parked threads too, which the holder's unlock must
    /// wake; if none is parked, that unlock costs one wake that finds
    /// nobody.
    #[inline]
    fn give_up<F: Futex>(_state: &F) {}
}

/// The correct lock.
#[derive(Debug, Clone, Copy, Default)]
pub struct Correct;

impl LockVariant for Correct {}

/// The lock's state machine without data: lock, try, lock with timeout.
///
/// `B` is the world it runs in, `V` the variant: [`Correct`] or one of the
/// [`broken`] ones. Holding the lock is holding a [`RawLockGuard`].
///
/// ```
/// use synclab::lock::RawLock;
///
/// let lock = RawLock::new();
/// let guard = lock.lock();
/// assert!(lock.try_lock().is_none());
/// drop(guard);
/// assert!(lock.try_lock().is_some());
/// ```
pub struct RawLock<B: Backend = Std, V: LockVariant = Correct> {
    /// `UNLOCKED`, `LOCKED` or `CONTENDED`: see the [module docs](self).
    state: B::Futex,
    /// Whether a contended `lock` spins with backoff rather than yields
    /// (see `spin_for_lock`): the queue's choice.
    backoff: bool,
    variant: PhantomData<fn() -> V>,
}

impl RawLock {
    /// An unlocked lock for real threads.
    pub fn new() -> Self {
        Self::new_in()
    }
}

impl Default for RawLock {
    fn default() -> Self {
        Self::new()
    }
}

impl<B: Backend, V: LockVariant> RawLock<B, V> {
    /// An unlocked lock of world `B` and variant `V`.
    pub fn new_in() -> Self {
        RawLock {
            state: B::Futex::new(UNLOCKED).named("lock").playing(Role::Lock),
            backoff: false,
            variant: PhantomData,
        }
    }

    /// Names the lock's word in traces (see [`AtomicU32Ops::name`]).
    pub(crate) fn name(&self, name: impl FnOnce() -> String) {
        self.state.name(name);
    }

    /// Takes the lock, parking until it is free.
    ///
    /// Taking a lock this thread already holds deadlocks (the lock is not
    /// reentrant, like Python's `Lock`).
    #[inline]
    pub fn lock(&self) -> RawLockGuard<'_, B, V> {
        Operation::<B>::around("lock()", || {
            if !V::try_acquire(&self.state) {
                self.lock_contended(Deadline::Never);
            }
            RawLockGuard { lock: self }
        })
    }

    /// Takes the lock if it is free now, without waiting.
    #[inline]
    pub fn try_lock(&self) -> Option<RawLockGuard<'_, B, V>> {
        let op = Operation::<B>::call("try_lock()");
        op.returns(V::try_acquire(&self.state))
            .then(|| RawLockGuard { lock: self })
    }

    /// Takes the lock, waiting at most `timeout`.
    ///
    /// `Duration::ZERO` makes one attempt and never sleeps. A timeout too
    /// large for the clock (`Duration::MAX`) waits without limit. Under loom
    /// and shuttle the timeout runs in the lab's virtual time (see the
    /// [kernel](crate::lab::kernel)).
    pub fn try_lock_for(&self, timeout: Duration) -> Option<RawLockGuard<'_, B, V>> {
        let op = Operation::<B>::begin(|| format!("try_lock_for({timeout:?})"));
        let acquired =
            V::try_acquire(&self.state) || self.lock_contended(Deadline::after_in::<B>(timeout));
        op.returns(acquired).then(|| RawLockGuard { lock: self })
    }

    /// The slow path: spin briefly, then park. False if `deadline` passed.
    #[cold]
    fn lock_contended(&self, deadline: Deadline) -> bool {
        if deadline != Deadline::Expired && self.spin_for_lock() {
            return true;
        }
        // Relaxed: only a hint; whoever acts on it does so with an RMW.
        let mut state = self.state.load(Ordering::Relaxed);
        if state == UNLOCKED && V::try_acquire(&self.state) {
            return true;
        }
        loop {
            // Swap in CONTENDED so that the holder's unlock wakes us. If the
            // old state was UNLOCKED the lock is ours; leaving CONTENDED costs
            // at most one spurious wake.
            if state != CONTENDED && self.state.swap(CONTENDED, V::ACQUIRE) == UNLOCKED {
                return true;
            }
            if !self.state.wait(CONTENDED, deadline) {
                V::give_up(&self.state);
                return false;
            }
            state = self.spin();
        }
    }

    /// On real threads, before parking: yield the core up to ten times,
    /// taking the lock as soon as it is free; true if it was taken. The
    /// model worlds do not spin, nor even look.
    ///
    /// Yields, not spin hints. parking_lot spins 1, 2, 4 then 8 hints
    /// before it yields; on the lab's two-core machine a hint costs about
    /// 140 cycles, and with two to four threads the holder is often the
    /// thread a spinner's core should be running (BENCHMARKS.md has the
    /// measurements). A lock found `CONTENDED` is spun for too, unlike std's
    /// and parking_lot's: here that state only says a thread may be parked
    /// (a woken thread sets it again), not that one is. Like theirs, a
    /// spinner that finds the lock free takes it ahead of parked threads.
    ///
    /// A lock made [`with_backoff`](Lock::with_backoff) spins instead
    /// (crossbeam-style backoff, then a few yields): the queue's, whose
    /// producers and consumers hand items through a short section and lose
    /// more to a yield than they gain (its MPMC benchmark ran about 2.6
    /// times slower with yields).
    fn spin_for_lock(&self) -> bool {
        if B::SPIN_LIMIT == 0 {
            return false;
        }
        if self.backoff {
            // Relaxed: only a hint; whoever acts on it does so with an RMW.
            return crate::backend::backoff::<B>(|| self.state.load(Ordering::Relaxed) != UNLOCKED)
                && V::try_acquire(&self.state);
        }
        for _ in 0..10 {
            // Relaxed: only a hint; whoever acts on it does so with an RMW.
            if self.state.load(Ordering::Relaxed) == UNLOCKED && V::try_acquire(&self.state) {
                return true;
            }
            B::yield_now();
        }
        false
    }

    /// After a wake, yields while the lock is held uncontended, up to ten
    /// times as [`RawLock::spin_for_lock`] (the model worlds look once);
    /// returns the state it last saw.
    #[inline]
    fn spin(&self) -> u32 {
        let mut spins = B::SPIN_LIMIT.min(10);
        loop {
            // Relaxed: only a hint; whoever acts on it does so with an RMW.
            let state = self.state.load(Ordering::Relaxed);
            if state != LOCKED || spins == 0 {
                return state;
            }
            B::yield_now();
            spins -= 1;
        }
    }

    #[inline]
    fn unlock(&self) {
        Operation::<B>::around("unlock()", || {
            if self.state.swap(UNLOCKED, V::RELEASE) == CONTENDED {
                self.wake();
            }
        });
    }

    /// The unlock's slow path, out of line and cold (as std's futex mutex
    /// has it): marked so, the compiler lays the uncontended unlock out as
    /// straight-line code, where the wake otherwise fell through inline
    /// and cost an uncontended lock+unlock about 1.6 ns on this machine.
    #[cold]
    #[inline(never)]
    fn wake(&self) {
        V::wake_after_unlock(&self.state);
    }
}

/// Proof of holding a [`RawLock`]; unlocks when dropped.
///
/// ```
/// use synclab::lock::RawLock;
///
/// let lock = RawLock::new();
/// let guard = lock.try_lock().unwrap();
/// drop(guard);
/// assert!(lock.try_lock().is_some());
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RawLockGuard<'a, B: Backend = Std, V: LockVariant = Correct> {
    lock: &'a RawLock<B, V>,
}

impl<B: Backend, V: LockVariant> Drop for RawLockGuard<'_, B, V> {
    #[inline]
    fn drop(&mut self) {
        if !B::abandon_guards() {
            self.lock.unlock();
        }
    }
}

/// The lock as the [lock kind](LockApi), without guards (lock_api's
/// `RawMutex` shape): what the scenarios and the spec drive.
impl<B: Backend, V: LockVariant> LockApi for RawLock<B, V> {
    fn new() -> Self {
        RawLock::new_in()
    }
    fn lock(&self) {
        std::mem::forget(RawLock::lock(self));
    }
    fn try_lock(&self) -> bool {
        RawLock::try_lock(self).map(std::mem::forget).is_some()
    }
    fn unlock(&self) {
        RawLock::unlock(self);
    }
    fn try_lock_for(&self, timeout: Duration) -> bool {
        RawLock::try_lock_for(self, timeout)
            .map(std::mem::forget)
            .is_some()
    }
}

/// Each lock variant is the family of its [`RawLock`].
impl<V: LockVariant> LockFamily for V {
    type Lock<B: Backend> = RawLock<B, V>;
}

/// The guide's `Lock`, holding the value it protects.
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use synclab::Lock;
///
/// let counter = Arc::new(Lock::new(0));
/// let handles: Vec<_> = (0..4)
///     .map(|_| {
///         let counter = Arc::clone(&counter);
///         thread::spawn(move || {
///             for _ in 0..1000 {
///                 *counter.lock() += 1;
///             }
///         })
///     })
///     .collect();
/// for handle in handles {
///     handle.join().unwrap();
/// }
/// assert_eq!(*counter.lock(), 4000);
/// ```
///
/// A holder that panics releases the lock as it unwinds (its guard is
/// dropped): the lock is not poisoned, as with parking_lot's `Mutex` and
/// Python's `Lock` and unlike std's `Mutex`, and the value is as the holder
/// left it. (Inside a loom model that is unwinding a caught failure, the
/// guard leaves the lock alone: the model is over; see
/// [`Backend::abandon_guards`].)
///
/// Waiting with a timeout:
///
/// ```
/// use std::time::Duration;
/// use synclab::Lock;
///
/// let lock = Lock::new("data");
/// let held = lock.lock();
/// assert!(lock.try_lock_for(Duration::from_millis(10)).is_none());
/// drop(held);
/// assert_eq!(*lock.try_lock_for(Duration::MAX).unwrap(), "data");
/// ```
pub struct Lock<T, B: Backend = Std> {
    raw: RawLock<B>,
    data: B::Cell<T>,
}

// SAFETY: the lock hands out access to `data` to one holder at a time, as
// std's Mutex does; `T: Send` because the holder may be on any thread.
unsafe impl<T: Send, B: Backend> Sync for Lock<T, B> {}

// SAFETY: the lock owns its value through the cell, which owns it as
// `UnsafeCell<T>` does (the `CellOps` contract); sending the lock sends the
// value.
unsafe impl<T: Send, B: Backend> Send for Lock<T, B> {}

impl<T> Lock<T> {
    /// An unlocked lock holding `value`, for real threads.
    pub fn new(value: T) -> Self {
        Self::new_in(value)
    }
}

impl<T: Default> Default for Lock<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T, B: Backend> Lock<T, B> {
    /// An unlocked lock holding `value`, in world `B`.
    pub fn new_in(value: T) -> Self {
        Lock {
            raw: RawLock::new_in(),
            data: B::Cell::new(value),
        }
    }

    /// This lock, spinning with backoff when contended instead of yielding
    /// (see `RawLock`'s slow path): for a short section that threads hand
    /// data through, as the queue's.
    ///
    /// ```
    /// use synclab::Lock;
    ///
    /// let items = Lock::new(Vec::<u32>::new()).with_backoff();
    /// items.lock().push(1);
    /// assert_eq!(*items.lock(), [1]);
    /// ```
    pub fn with_backoff(mut self) -> Self {
        self.raw.backoff = true;
        self
    }

    /// Names the lock's word in traces (see [`AtomicU32Ops::name`]).
    pub(crate) fn name(&self, name: impl FnOnce() -> String) {
        self.raw.name(name);
    }

    /// Takes the lock, parking until it is free. Not reentrant: locking
    /// again while this thread holds a guard deadlocks.
    #[inline]
    pub fn lock(&self) -> LockGuard<'_, T, B> {
        self.guard(self.raw.lock())
    }

    /// Takes the lock if it is free now.
    #[inline]
    pub fn try_lock(&self) -> Option<LockGuard<'_, T, B>> {
        self.raw.try_lock().map(|raw| self.guard(raw))
    }

    /// Takes the lock, waiting at most `timeout`; see
    /// [`RawLock::try_lock_for`] for zero and enormous timeouts.
    pub fn try_lock_for(&self, timeout: Duration) -> Option<LockGuard<'_, T, B>> {
        self.raw.try_lock_for(timeout).map(|raw| self.guard(raw))
    }

    /// The value, through an exclusive borrow: no locking needed.
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` excludes every guard and every other access.
        self.data.with_mut(|ptr| unsafe { &mut *ptr })
    }

    /// Consumes the lock, returning the value.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }

    /// Turns the raw lock's guard into this lock's guard: the raw guard is
    /// forgotten, and the new guard unlocks on drop instead.
    fn guard(&self, raw: RawLockGuard<'_, B>) -> LockGuard<'_, T, B> {
        std::mem::forget(raw);
        LockGuard {
            lock: self,
            data: ManuallyDrop::new(self.data.get_mut()),
        }
    }
}

impl<T, B: Backend> std::fmt::Debug for Lock<T, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lock").finish_non_exhaustive()
    }
}

/// Access to a [`Lock`]'s value; unlocks when dropped.
///
/// ```
/// use synclab::Lock;
///
/// let lock = Lock::new(String::from("a"));
/// {
///     let mut guard = lock.lock();
///     guard.push('b');
///     assert!(lock.try_lock().is_none(), "held while the guard lives");
/// }
/// assert_eq!(*lock.try_lock().unwrap(), "ab");
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct LockGuard<'a, T, B: Backend = Std> {
    /// The lock this guard holds; [`Condition`](crate::Condition) unlocks
    /// and relocks through it.
    pub(crate) lock: &'a Lock<T, B>,
    data: ManuallyDrop<<B::Cell<T> as CellOps<T>>::MutPtr>,
}

impl<T, B: Backend> Drop for LockGuard<'_, T, B> {
    #[inline]
    fn drop(&mut self) {
        if B::abandon_guards() {
            return;
        }
        // SAFETY: the field is dropped here, once, and never used again.
        // The tracked access ends before the unlock, so loom sees it ordered
        // before the next holder's access.
        unsafe { ManuallyDrop::drop(&mut self.data) };
        self.lock.raw.unlock();
    }
}

impl<T, B: Backend> Deref for LockGuard<'_, T, B> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock, so no other access to the value
        // exists while this borrow of the guard lives.
        unsafe { MutPtrOps::deref(&*self.data) }
    }
}

impl<T, B: Backend> DerefMut for LockGuard<'_, T, B> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes this borrow unique.
        unsafe { MutPtrOps::deref(&*self.data) }
    }
}

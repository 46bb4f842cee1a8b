//! `Condition`: the guide's `threading.Condition`, bound to its own [`Lock`].
//!
//! # The state machine
//!
//! Beside the lock, one futex word `seq` counts notifications (wrapping).
//! A waiter reads `seq` while it still holds the lock, unlocks, and sleeps
//! only while `seq` is unchanged. A notify increments `seq` before it wakes,
//! so a notification sent between the waiter's unlock and its sleep changes
//! the word and the sleep returns at once: none is lost.
//!
//! All the orderings on `seq` are Relaxed, because synchronization is done by
//! unlocking and locking the lock (as in std's futex condvar).
//!
//! Wakeups may be spurious on real threads (a notify meant for an earlier
//! waiter), so waits belong in a loop: [`Condition::wait_while`] is that loop.
//! The guide's two classic misuses — `if` instead of `while`, and notifying
//! before the state change — are in the catalogue as usage scenarios.

pub mod entries;
pub mod scenarios;
pub mod spec;

use std::time::Duration;

use crate::backend::{
    AtomicU32Ops, Backend, Deadline, Futex, Operation, Ordering, Role, Std, backoff,
};
use crate::lock::{Lock, LockGuard};

/// A condition variable that owns the lock it is used with.
///
/// Its guard is its [`Lock`]'s: a holder that panics releases the lock as it
/// unwinds, and nothing is poisoned. A waiter that panics is simply not
/// waiting any more; a notify meant for it may wake nobody, as a notify with
/// no waiter does.
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use synclab::Condition;
///
/// let queue = Arc::new(Condition::new(Vec::new()));
/// let consumer = {
///     let queue = Arc::clone(&queue);
///     thread::spawn(move || {
///         let items = queue.lock();
///         let mut items = queue.wait_while(items, |items| items.is_empty());
///         items.pop().unwrap()
///     })
/// };
/// queue.lock().push("job");
/// queue.notify_one();
/// assert_eq!(consumer.join().unwrap(), "job");
/// ```
pub struct Condition<T, B: Backend = Std> {
    lock: Lock<T, B>,
    condvar: Condvar<B>,
}

/// The waiting half of a [`Condition`], usable with the guard of any
/// [`Lock`] of its world: what [`Queue`](crate::Queue) builds its three
/// conditions from, all on one lock (as Python's `queue.Queue` does).
///
/// ```
/// use synclab::condition::Condvar;
/// use synclab::Lock;
///
/// let (lock, condvar) = (Lock::new(false), Condvar::new());
/// condvar.notify_all(); // nobody waits: nothing happens
/// let (guard, notified) = condvar.wait_for(lock.lock(), std::time::Duration::ZERO);
/// assert!(!notified && !*guard);
/// ```
pub struct Condvar<B: Backend = Std> {
    /// Notifications sent so far, wrapping.
    seq: B::Futex,
}

impl Condvar {
    /// A condition variable for real threads.
    pub fn new() -> Self {
        Self::new_in()
    }
}

impl Default for Condvar {
    fn default() -> Self {
        Self::new()
    }
}

impl<B: Backend> Condvar<B> {
    /// A condition variable of world `B`.
    pub fn new_in() -> Self {
        Condvar {
            seq: B::Futex::new(0).named("condvar").playing(Role::Signal),
        }
    }

    /// Names the condition variable's word in traces (see
    /// [`AtomicU32Ops::name`]).
    pub(crate) fn name(&self, name: impl FnOnce() -> String) {
        self.seq.name(name);
    }

    /// Unlocks `guard`'s lock, sleeps until notified, and locks again. May
    /// wake spuriously: re-check the state in a loop.
    pub fn wait<'a, T>(&self, guard: LockGuard<'a, T, B>) -> LockGuard<'a, T, B> {
        Operation::<B>::around("wait()", || self.wait_until(guard, Deadline::Never).0)
    }

    /// Waits while `condition` holds of the value; see
    /// [`Condition::wait_while`].
    pub fn wait_while<'a, T>(
        &self,
        guard: LockGuard<'a, T, B>,
        condition: impl FnMut(&mut T) -> bool,
    ) -> LockGuard<'a, T, B> {
        let _op = Operation::<B>::call("wait_while(…)");
        self.wait_while_until(guard, Deadline::Never, condition).0
    }

    /// Unlocks `guard`'s lock, sleeps until notified or `timeout`, and locks
    /// again; `false` if the timeout passed. See [`Condition::wait_for`].
    pub fn wait_for<'a, T>(
        &self,
        guard: LockGuard<'a, T, B>,
        timeout: Duration,
    ) -> (LockGuard<'a, T, B>, bool) {
        let op = Operation::<B>::begin(|| format!("wait_for({timeout:?})"));
        let (guard, notified) = self.wait_until(guard, Deadline::after_in::<B>(timeout));
        (guard, op.returns(notified))
    }

    /// Wakes at most `n` waiters; see [`Condition::notify`].
    pub fn notify(&self, n: usize) {
        let _op = Operation::<B>::begin(|| format!("notify({n})"));
        self.bump_and_wake(n);
    }

    /// Wakes at most one waiter.
    pub fn notify_one(&self) {
        Operation::<B>::around("notify_one()", || self.bump_and_wake(1));
    }

    /// Wakes every waiter.
    pub fn notify_all(&self) {
        Operation::<B>::around("notify_all()", || {
            self.seq.fetch_add(1, Ordering::Relaxed);
            self.seq.wake_all();
        });
    }

    /// Counts a notify, then wakes at most `n` waiters.
    #[inline]
    fn bump_and_wake(&self, n: usize) {
        self.seq.fetch_add(1, Ordering::Relaxed);
        self.seq.wake(n);
    }

    /// One wait: false if `deadline` passed.
    pub(crate) fn wait_until<'a, T>(
        &self,
        guard: LockGuard<'a, T, B>,
        deadline: Deadline,
    ) -> (LockGuard<'a, T, B>, bool) {
        let lock = guard.lock;
        // Read under the lock: a notify after our unlock changes it.
        let seq = self.seq.load(Ordering::Relaxed);
        drop(guard);
        // Real threads: a notify that comes within a short spin costs no
        // sleep, nor even a look at the futex's queue (the models do not
        // spin; see `backoff`).
        let spun = deadline != Deadline::Expired
            && backoff::<B>(|| self.seq.load(Ordering::Relaxed) == seq);
        let woken = spun || self.seq.wait(seq, deadline);
        (lock.lock(), woken)
    }

    /// Waits while `condition` holds; false if `deadline` passed first.
    pub(crate) fn wait_while_until<'a, T>(
        &self,
        mut guard: LockGuard<'a, T, B>,
        deadline: Deadline,
        mut condition: impl FnMut(&mut T) -> bool,
    ) -> (LockGuard<'a, T, B>, bool) {
        while condition(&mut guard) {
            let (relocked, woken) = self.wait_until(guard, deadline);
            guard = relocked;
            if !woken {
                let satisfied = !condition(&mut guard);
                return (guard, satisfied);
            }
        }
        (guard, true)
    }
}

impl<B: Backend> std::fmt::Debug for Condvar<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Condvar").finish_non_exhaustive()
    }
}

impl<T> Condition<T> {
    /// A condition whose lock holds `value`, for real threads.
    pub fn new(value: T) -> Self {
        Self::new_in(value)
    }
}

impl<T, B: Backend> Condition<T, B> {
    /// A condition whose lock holds `value`, in world `B`.
    pub fn new_in(value: T) -> Self {
        let condition = Condition {
            lock: Lock::new_in(value),
            condvar: Condvar::new_in(),
        };
        condition.name("condition");
        condition
    }

    /// Names the condition's lock `<name>.lock` and its waiting word
    /// `<name>.cond` in traces.
    pub(crate) fn name(&self, name: &str) {
        self.lock.name(|| format!("{name}.lock"));
        self.condvar.name(|| format!("{name}.cond"));
    }

    /// Takes the condition's lock.
    pub fn lock(&self) -> LockGuard<'_, T, B> {
        self.lock.lock()
    }

    /// Unlocks, sleeps until notified, and locks again. May wake spuriously:
    /// re-check the state (or use [`Condition::wait_while`]).
    ///
    /// # Panics
    ///
    /// If `guard` is not a guard of this condition's lock.
    pub fn wait<'a>(&'a self, guard: LockGuard<'a, T, B>) -> LockGuard<'a, T, B> {
        Operation::<B>::around("wait()", || self.wait_until(guard, Deadline::Never).0)
    }

    /// Like [`Condition::wait`], giving up after `timeout`. Returns the guard
    /// and `false` if the timeout passed, `true` if woken before (Python's
    /// `wait(timeout)`).
    ///
    /// `Duration::ZERO` only unlocks and relocks; a timeout too large for
    /// the clock waits without limit. Under loom and shuttle the timeout
    /// runs in the lab's virtual time (see the [kernel](crate::lab::kernel)).
    ///
    /// # Panics
    ///
    /// If `guard` is not a guard of this condition's lock.
    pub fn wait_for<'a>(
        &'a self,
        guard: LockGuard<'a, T, B>,
        timeout: Duration,
    ) -> (LockGuard<'a, T, B>, bool) {
        let op = Operation::<B>::begin(|| format!("wait_for({timeout:?})"));
        let (guard, notified) = self.wait_until(guard, Deadline::after_in::<B>(timeout));
        (guard, op.returns(notified))
    }

    /// Waits while `condition` holds of the value: Python's
    /// `wait_for(predicate)`, in Rust's `while` form. Returns with the
    /// condition false.
    ///
    /// # Panics
    ///
    /// If `guard` is not a guard of this condition's lock.
    pub fn wait_while<'a>(
        &'a self,
        guard: LockGuard<'a, T, B>,
        condition: impl FnMut(&mut T) -> bool,
    ) -> LockGuard<'a, T, B> {
        let _op = Operation::<B>::call("wait_while(…)");
        self.wait_while_until(guard, Deadline::Never, condition).0
    }

    /// [`Condition::wait_while`] with a timeout. Returns the guard and
    /// whether the condition became false (`false`: the timeout passed with
    /// the condition still true).
    ///
    /// # Panics
    ///
    /// If `guard` is not a guard of this condition's lock.
    pub fn wait_while_for<'a>(
        &'a self,
        guard: LockGuard<'a, T, B>,
        timeout: Duration,
        condition: impl FnMut(&mut T) -> bool,
    ) -> (LockGuard<'a, T, B>, bool) {
        let op = Operation::<B>::begin(|| format!("wait_while_for(…, {timeout:?})"));
        let (guard, done) =
            self.wait_while_until(guard, Deadline::after_in::<B>(timeout), condition);
        (guard, op.returns(done))
    }

    /// Wakes at most `n` waiters. With no waiters it does nothing, and a
    /// huge `n` costs no more than the waiters there are.
    pub fn notify(&self, n: usize) {
        self.condvar.notify(n);
    }

    /// Wakes at most one waiter.
    pub fn notify_one(&self) {
        self.condvar.notify_one();
    }

    /// Wakes every waiter.
    pub fn notify_all(&self) {
        self.condvar.notify_all();
    }

    /// One wait: false if `deadline` passed.
    pub(crate) fn wait_until<'a>(
        &'a self,
        guard: LockGuard<'a, T, B>,
        deadline: Deadline,
    ) -> (LockGuard<'a, T, B>, bool) {
        self.check(&guard);
        self.condvar.wait_until(guard, deadline)
    }

    /// Waits while `condition` holds; false if `deadline` passed first.
    pub(crate) fn wait_while_until<'a>(
        &'a self,
        guard: LockGuard<'a, T, B>,
        deadline: Deadline,
        condition: impl FnMut(&mut T) -> bool,
    ) -> (LockGuard<'a, T, B>, bool) {
        self.check(&guard);
        self.condvar.wait_while_until(guard, deadline, condition)
    }

    fn check(&self, guard: &LockGuard<'_, T, B>) {
        assert!(
            std::ptr::eq(guard.lock, &self.lock),
            "Condition::wait: the guard belongs to another lock"
        );
    }
}

impl<T, B: Backend> std::fmt::Debug for Condition<T, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Condition").finish_non_exhaustive()
    }
}

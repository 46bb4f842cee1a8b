//! The primitive kinds, as traits: what the lab's scenarios and specs need
//! of a lock, a semaphore, an event, a queue or a thread pool. Each primitive's folder
//! implements its kind for the lab's own variants.
//!
//! Every scenario is written against these traits, so it runs the lab's own
//! variants and a user's primitive alike (see [`own`](crate::own)). A
//! primitive is given as a *family*: a marker type that names the primitive
//! in every world, so that one scenario can instantiate it for loom, shuttle
//! and real threads.
//!
//! A primitive of any kind, listed here or not, gets the model test and the
//! linearizability checker's generated programs from its sequential spec:
//! see [`model::Model`].
//!
//! ```
//! use synclab::backend::{AtomicU32Ops, Backend, Ordering};
//! use synclab::kinds::{LockApi, LockFamily};
//!
//! /// A spin lock over the backend's atomics.
//! struct SpinLock<B: Backend>(B::AtomicU32);
//!
//! impl<B: Backend> LockApi for SpinLock<B> {
//!     fn new() -> Self {
//!         SpinLock(B::AtomicU32::new(0))
//!     }
//!     fn try_lock(&self) -> bool {
//!         self.0.compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed).is_ok()
//!     }
//!     fn lock(&self) {
//!         while !self.try_lock() {
//!             B::yield_now(); // a scheduling point for the model checkers
//!         }
//!     }
//!     fn unlock(&self) {
//!         self.0.store(0, Ordering::Release);
//!     }
//! }
//!
//! /// The family: `SpinLock` in every world.
//! struct Spin;
//! impl LockFamily for Spin {
//!     type Lock<B: Backend> = SpinLock<B>;
//! }
//! # let lock = <Spin as LockFamily>::Lock::<synclab::backend::Std>::new();
//! # lock.lock();
//! # assert!(!lock.try_lock());
//! # lock.unlock();
//! ```

pub mod model;

use std::time::Duration;

use crate::backend::{Backend, Deadline, Std};
use crate::pool::TaskError;

/// Tries `attempt` until it gives `Some` or `timeout` passes on the real
/// clock, yielding between tries: the default of every timed method of the
/// kinds. `Duration::ZERO` tries once; a timeout too large for the clock
/// tries until it succeeds.
///
/// The default is for the sequential model test, which runs on real threads:
/// it polls the real clock, so the kit's scenarios under loom and shuttle
/// never call a timed method (the lab's timed scenarios run its own
/// primitives, whose timed waits use the world's clock). A primitive with a
/// real timed wait overrides it.
///
/// ```
/// use std::time::Duration;
/// use synclab::kinds::poll_for;
///
/// let mut tries = 0;
/// assert_eq!(poll_for(Duration::MAX, || { tries += 1; (tries == 3).then_some(tries) }), Some(3));
/// assert_eq!(poll_for(Duration::ZERO, || None::<()>), None);
/// ```
pub fn poll_for<R>(timeout: Duration, mut attempt: impl FnMut() -> Option<R>) -> Option<R> {
    let deadline = Deadline::after(timeout);
    loop {
        if let Some(done) = attempt() {
            return Some(done);
        }
        if Std::expired(deadline) {
            return None;
        }
        Std::yield_now();
    }
}

/// A mutual-exclusion lock without data (lock_api's `RawMutex` shape).
pub trait LockApi: Send + Sync + 'static {
    /// An unlocked lock.
    fn new() -> Self;
    /// Takes the lock, waiting until it is free.
    fn lock(&self);
    /// Takes the lock if it is free now.
    fn try_lock(&self) -> bool;
    /// Releases the lock; called only by the thread that holds it.
    fn unlock(&self);
    /// Takes the lock, waiting at most `timeout`; by default, polls
    /// [`try_lock`](LockApi::try_lock) ([`poll_for`]).
    fn try_lock_for(&self, timeout: Duration) -> bool {
        poll_for(timeout, || self.try_lock().then_some(())).is_some()
    }
}

/// A lock in every world.
pub trait LockFamily: 'static {
    /// The lock in world `B`.
    type Lock<B: Backend>: LockApi;
}

/// A counting semaphore.
pub trait SemaphoreApi: Send + Sync + 'static {
    /// A semaphore with `permits` permits.
    fn new(permits: u32) -> Self;
    /// Takes a permit, waiting until one is available.
    fn acquire(&self);
    /// Takes a permit if one is available now.
    fn try_acquire(&self) -> bool;
    /// Gives a permit back; false if refused (a bounded semaphore at its
    /// bound).
    fn release(&self) -> bool;
    /// Takes a permit, waiting at most `timeout`; by default, polls
    /// [`try_acquire`](SemaphoreApi::try_acquire) ([`poll_for`]).
    fn try_acquire_for(&self, timeout: Duration) -> bool {
        poll_for(timeout, || self.try_acquire().then_some(())).is_some()
    }
}

/// A semaphore in every world.
pub trait SemaphoreFamily: 'static {
    /// The semaphore in world `B`.
    type Semaphore<B: Backend>: SemaphoreApi;
}

/// An event: a flag threads wait for.
pub trait EventApi: Send + Sync + 'static {
    /// An unset event.
    fn new() -> Self;
    /// Sets the flag and wakes every waiter.
    fn set(&self);
    /// Lowers the flag.
    fn clear(&self);
    /// Whether the flag is set.
    fn is_set(&self) -> bool;
    /// Waits until the flag is set.
    fn wait(&self);
    /// Waits at most `timeout` for the flag; returns it. By default, polls
    /// [`is_set`](EventApi::is_set) ([`poll_for`]).
    fn wait_for(&self, timeout: Duration) -> bool {
        poll_for(timeout, || self.is_set().then_some(())).is_some()
    }
}

/// An event in every world.
pub trait EventFamily: 'static {
    /// The event in world `B`.
    type Event<B: Backend>: EventApi;
}

/// A FIFO queue of `u32` items with Python's `task_done`/`join`.
pub trait QueueApi: Send + Sync + 'static {
    /// A queue of at most `capacity` items (0: unbounded).
    fn new(capacity: usize) -> Self;
    /// Puts an item, waiting while full.
    fn put(&self, item: u32);
    /// Puts an item if there is room now.
    fn try_put(&self, item: u32) -> bool;
    /// Takes the oldest item, waiting while empty.
    fn get(&self) -> u32;
    /// Takes the oldest item if there is one.
    fn try_get(&self) -> Option<u32>;
    /// The number of items.
    fn len(&self) -> usize;
    /// Whether the queue is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Marks one item done; false if more than were put.
    fn task_done(&self) -> bool;
    /// Waits until every item put is marked done.
    fn join(&self);
    /// Waits at most `timeout` for every item put to be marked done; true
    /// if they were.
    fn join_for(&self, timeout: Duration) -> bool;
    /// Puts an item, waiting at most `timeout` for room; by default, polls
    /// [`try_put`](QueueApi::try_put) ([`poll_for`]).
    fn put_for(&self, item: u32, timeout: Duration) -> bool {
        poll_for(timeout, || self.try_put(item).then_some(())).is_some()
    }
    /// Takes the oldest item, waiting at most `timeout`; by default, polls
    /// [`try_get`](QueueApi::try_get) ([`poll_for`]).
    fn get_for(&self, timeout: Duration) -> Option<u32> {
        poll_for(timeout, || self.try_get())
    }
}

/// A queue in every world.
pub trait QueueFamily: 'static {
    /// The queue in world `B`.
    type Queue<B: Backend>: QueueApi;
}

/// A task of the pool kind's scenarios: a closure that returns a `u32`.
pub type Task = Box<dyn FnOnce() -> u32 + Send>;

/// What a pool's task gave: its value, or why there is none.
pub type Outcome = Result<u32, TaskError>;

/// The future of a [`Task`] submitted to a [`PoolApi`] pool.
pub trait FutureApi: Send + Sync + 'static {
    /// Waits for the task; its value, or why there is none.
    fn result(&self) -> Outcome;
    /// Waits at most `timeout` for the task ([`TaskError::TimedOut`] if it
    /// has not finished).
    fn result_timeout(&self, timeout: Duration) -> Outcome;
    /// Whether the task has finished, or the future was cancelled.
    fn done(&self) -> bool;
    /// Cancels the task if it has not started; true if cancelled.
    fn cancel(&self) -> bool;
}

/// A thread pool of [`Task`]s: Python's `ThreadPoolExecutor`.
pub trait PoolApi: Send + Sync + 'static {
    /// Its futures.
    type Future: FutureApi;
    /// A pool of `workers` threads (at least 1).
    fn new(workers: usize) -> Self;
    /// Queues a task; `None` once the pool is shut down.
    fn submit(&self, task: Task) -> Option<Self::Future>;
    /// Submits every task at once and returns their outcomes in the order
    /// of the tasks, each waited for as the iterator reaches it; `None`
    /// once shut down.
    fn map(&self, tasks: Vec<Task>) -> Option<Box<dyn Iterator<Item = Outcome> + Send>>;
    /// The indices of `futures` in the order they finish, each once
    /// (waits for them all).
    fn as_completed(&self, futures: &[Self::Future]) -> Vec<usize>;
    /// Refuses new tasks, lets the queued ones run, and with `wait` joins
    /// the workers.
    fn shutdown(&self, wait: bool);
    /// Tasks submitted and not yet finished (a snapshot). The lab's pool
    /// counts its workers' stop signals too until they are taken, so it is
    /// 0 only once the pool is idle, as the spec's operations ask.
    fn pending(&self) -> usize;
}

/// A thread pool in every world.
pub trait PoolFamily: 'static {
    /// The pool in world `B`.
    type Pool<B: Backend>: PoolApi;
}

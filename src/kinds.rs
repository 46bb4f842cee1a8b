//! The primitive kinds, as traits: what the lab's scenarios need of a lock,
//! a semaphore, an event or a queue.
//!
//! Every scenario is written against these traits, so it runs the lab's own
//! variants and a user's primitive alike (see [`own`](crate::own)). A
//! primitive is given as a *family*: a marker type that names the primitive
//! in every world, so that one scenario can instantiate it for loom, shuttle
//! and real threads.
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

use crate::backend::Backend;
use crate::event::{Event, EventVariant};
use crate::lock::{LockVariant, RawLock};
use crate::queue::{Queue, QueueVariant};
use crate::semaphore::{Semaphore, SemaphoreVariant};

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
}

/// A queue in every world.
pub trait QueueFamily: 'static {
    /// The queue in world `B`.
    type Queue<B: Backend>: QueueApi;
}

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
        self.unlock_forgotten();
    }
}

/// Each lock variant is the family of its [`RawLock`].
impl<V: LockVariant> LockFamily for V {
    type Lock<B: Backend> = RawLock<B, V>;
}

impl<B: Backend, V: SemaphoreVariant> SemaphoreApi for Semaphore<B, V> {
    fn new(permits: u32) -> Self {
        Semaphore::new_in(permits)
    }
    fn acquire(&self) {
        Semaphore::acquire(self).forget();
    }
    fn try_acquire(&self) -> bool {
        Semaphore::try_acquire(self)
            .map(|permit| permit.forget())
            .is_some()
    }
    fn release(&self) -> bool {
        Semaphore::release(self);
        true
    }
}

/// Each semaphore variant is the family of its [`Semaphore`].
impl<V: SemaphoreVariant> SemaphoreFamily for V {
    type Semaphore<B: Backend> = Semaphore<B, V>;
}

impl<B: Backend, V: EventVariant> EventApi for Event<B, V> {
    fn new() -> Self {
        Event::new_in()
    }
    fn set(&self) {
        Event::set(self);
    }
    fn clear(&self) {
        Event::clear(self);
    }
    fn is_set(&self) -> bool {
        Event::is_set(self)
    }
    fn wait(&self) {
        Event::wait(self);
    }
}

/// Each event variant is the family of its [`Event`].
impl<V: EventVariant> EventFamily for V {
    type Event<B: Backend> = Event<B, V>;
}

impl<B: Backend, V: QueueVariant> QueueApi for Queue<u32, B, V> {
    fn new(capacity: usize) -> Self {
        Queue::new_in(capacity)
    }
    fn put(&self, item: u32) {
        Queue::put(self, item);
    }
    fn try_put(&self, item: u32) -> bool {
        Queue::try_put(self, item).is_ok()
    }
    fn get(&self) -> u32 {
        Queue::get(self)
    }
    fn try_get(&self) -> Option<u32> {
        Queue::try_get(self)
    }
    fn len(&self) -> usize {
        Queue::len(self)
    }
    fn task_done(&self) -> bool {
        Queue::task_done(self).is_ok()
    }
    fn join(&self) {
        Queue::join(self);
    }
}

/// Each queue variant is the family of its [`Queue`] of `u32`.
impl<V: QueueVariant> QueueFamily for V {
    type Queue<B: Backend> = Queue<u32, B, V>;
}

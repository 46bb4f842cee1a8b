//! The guide's race-condition counter.
//!
//! The Python guide's first example: several threads run
//!
//! ```python
//! local_counter = counter
//! time.sleep(0.1)
//! counter = local_counter + 1
//! ```
//!
//! and the final count comes out short. [`Counter`] is that counter, in three
//! kinds that differ in one step, the increment:
//!
//! | kind | increment |
//! |---|---|
//! | [`Locked`] | take the lock, read, yield, write back |
//! | [`Racy`](broken::Racy) | read, yield, write back — no lock (the guide's race) |
//! | [`Atomic`] | one `fetch_add` |
//!
//! The value lives in a `Relaxed` atomic in every kind, so the racy counter
//! loses updates without undefined behaviour. In the locked kind the lock's
//! Acquire/Release orders those Relaxed accesses.

pub mod broken;
pub mod entries;
pub mod scenarios;
pub mod spec;

use std::marker::PhantomData;

use crate::backend::{AtomicU32Ops, Backend, Operation, Ordering, Std};
use crate::lock::RawLock;

/// A shared counter, in the [kind](CounterKind) `K`, in world `B`.
///
/// The count wraps around at `u32::MAX`, as `u32::wrapping_add` does.
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use synclab::Counter;
///
/// let counter = Arc::new(Counter::new());
/// let handles: Vec<_> = (0..2)
///     .map(|_| {
///         let counter = Arc::clone(&counter);
///         thread::spawn(move || (0..100).for_each(|_| counter.increment()))
///     })
///     .collect();
/// handles.into_iter().for_each(|h| h.join().unwrap());
/// assert_eq!(counter.get(), 200);
/// ```
pub struct Counter<B: Backend = Std, K: CounterKind = Locked> {
    lock: RawLock<B>,
    value: B::AtomicU32,
    kind: PhantomData<fn() -> K>,
}

impl Counter {
    /// A locked counter at zero, for real threads.
    pub fn new() -> Self {
        Self::new_in()
    }
}

impl Default for Counter {
    fn default() -> Self {
        Self::new()
    }
}

impl<B: Backend, K: CounterKind> Counter<B, K> {
    /// A counter at zero, of kind `K`, in world `B`.
    pub fn new_in() -> Self {
        let counter = Counter {
            lock: RawLock::new_in(),
            value: B::AtomicU32::new(0).named("counter.value"),
            kind: PhantomData,
        };
        counter.lock.name(|| "counter.lock".to_owned());
        counter
    }

    /// Adds one, the way kind `K` does it.
    pub fn increment(&self) {
        Operation::<B>::around("increment()", || K::increment(self));
    }

    /// The current count.
    pub fn get(&self) -> u32 {
        // Relaxed: a snapshot; joining the incrementing threads (or holding
        // the lock) is what orders it after their increments.
        self.value.load(Ordering::Relaxed)
    }

    /// The guide's increment: read, let another thread run, write back.
    fn read_yield_write(&self) {
        let local = self.value.load(Ordering::Relaxed);
        B::yield_now();
        self.value.store(local.wrapping_add(1), Ordering::Relaxed);
    }
}

/// How a [`Counter`] increments: the step its kinds differ in.
pub trait CounterKind: Sized + 'static {
    /// Adds one to `counter`.
    fn increment<B: Backend>(counter: &Counter<B, Self>);
}

/// Read, yield and write back while holding the lock: correct.
#[derive(Debug, Clone, Copy, Default)]
pub struct Locked;

impl CounterKind for Locked {
    fn increment<B: Backend>(counter: &Counter<B, Self>) {
        let _guard = counter.lock.lock();
        counter.read_yield_write();
    }
}

/// One atomic `fetch_add`: correct, and the cheapest.
#[derive(Debug, Clone, Copy, Default)]
pub struct Atomic;

impl CounterKind for Atomic {
    fn increment<B: Backend>(counter: &Counter<B, Self>) {
        // Relaxed: the count orders nothing else; a read-modify-write never
        // loses an increment whatever its ordering.
        counter.value.fetch_add(1, Ordering::Relaxed);
    }
}

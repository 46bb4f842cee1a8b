//! `Event`: the guide's `threading.Event`, a flag threads can wait for.
//!
//! Built as Python builds it: a [`Condition`] and a flag. The flag is written
//! only under the condition's lock; it lives in an atomic so that
//! [`Event::is_set`] can read it without the lock (as Python's does).
//!
//! | flag | meaning |
//! |---|---|
//! | 0 (`UNSET`) | `wait` blocks |
//! | 1 (`SET`) | `wait` returns at once |
//!
//! `set` stores `SET` and notifies *every* waiter; `clear` stores `UNSET`.

pub mod broken;
pub mod entries;
pub mod scenarios;
pub mod spec;

use std::marker::PhantomData;
use std::time::Duration;

use crate::backend::{AtomicU32Ops, Backend, Deadline, Operation, Ordering, Std, backoff};
use crate::condition::Condition;
use crate::kinds::{EventApi, EventFamily};
use crate::lock::LockGuard;

const UNSET: u32 = 0;
const SET: u32 = 1;

/// The steps in which the event's variants differ.
///
/// The provided methods are the correct event; a broken variant (see
/// [`broken`]) overrides one, marked `// BUG(<id>): was ...`.
pub trait EventVariant: Sized + Send + Sync + 'static {
    /// Wakes the waiters, after `set` has raised the flag.
    fn wake_waiters<B: Backend>(condition: &Condition<(), B>) {
        condition.notify_all();
    }

    /// Whether `wait` reads the flag under the lock before it decides to
    /// sleep (true), or decides on the snapshot it read before taking the
    /// lock.
    const CHECK_UNDER_LOCK: bool = true;

    /// Waits on `condition` (whose lock `guard` holds) while `unset` says
    /// the flag is down, until `deadline`; returns whether it came up. A
    /// return from the wait proves nothing (it may be spurious), so the
    /// flag is looked at again after each.
    fn wait_while_unset<'a, B: Backend>(
        condition: &'a Condition<(), B>,
        guard: LockGuard<'a, (), B>,
        deadline: Deadline,
        unset: impl FnMut(&mut ()) -> bool,
    ) -> bool {
        condition.wait_while_until(guard, deadline, unset).1
    }
}

/// The correct event.
#[derive(Debug, Clone, Copy, Default)]
pub struct Correct;

impl EventVariant for Correct {}

/// The guide's `Event`: one thread sets it, any number wait for it.
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use std::time::Duration;
/// use synclab::Event;
///
/// let ready = Arc::new(Event::new());
/// let waiters: Vec<_> = (0..3)
///     .map(|_| {
///         let ready = Arc::clone(&ready);
///         thread::spawn(move || ready.wait())
///     })
///     .collect();
/// ready.set();
/// waiters.into_iter().for_each(|w| w.join().unwrap());
/// assert!(ready.wait_for(Duration::ZERO));
/// ready.clear();
/// assert!(!ready.wait_for(Duration::from_millis(1)));
/// ```
pub struct Event<B: Backend = Std, V: EventVariant = Correct> {
    condition: Condition<(), B>,
    /// `UNSET` or `SET`; written only under `condition`'s lock.
    flag: B::AtomicU32,
    variant: PhantomData<fn() -> V>,
}

impl Event {
    /// An unset event, for real threads.
    pub fn new() -> Self {
        Self::new_in()
    }
}

impl Default for Event {
    fn default() -> Self {
        Self::new()
    }
}

impl<B: Backend, V: EventVariant> Event<B, V> {
    /// An unset event of world `B` and variant `V`.
    pub fn new_in() -> Self {
        Event {
            condition: {
                let condition = Condition::new_in(());
                condition.name("event");
                condition
            },
            flag: B::AtomicU32::new(UNSET).named("event.flag"),
            variant: PhantomData,
        }
    }

    /// Sets the flag and wakes every waiter. Setting a set event does
    /// nothing more.
    pub fn set(&self) {
        Operation::<B>::around("set()", || {
            let _guard = self.condition.lock();
            // Release: pairs with the Acquire in is_set(), so a thread that
            // sees the flag also sees what the setter did before set().
            self.flag.store(SET, Ordering::Release);
            V::wake_waiters(&self.condition);
        });
    }

    /// Lowers the flag: later waits block until the next `set`.
    pub fn clear(&self) {
        let _op = Operation::<B>::call("clear()");
        let _guard = self.condition.lock();
        self.flag.store(UNSET, Ordering::Relaxed);
    }

    /// Whether the flag is set, read without the lock.
    pub fn is_set(&self) -> bool {
        // Acquire: pairs with the Release in set().
        Operation::<B>::returning("is_set()", || self.flag.load(Ordering::Acquire) == SET)
    }

    /// Blocks until the flag is set.
    pub fn wait(&self) {
        Operation::<B>::around("wait()", || self.wait_until(Deadline::Never));
    }

    /// Blocks until the flag is set or `timeout` passes; returns the flag,
    /// as Python's `wait(timeout)` does.
    ///
    /// `Duration::ZERO` only looks; a timeout too large for the clock waits
    /// without limit. Under loom and shuttle the timeout runs in the lab's
    /// virtual time (see the [kernel](crate::lab::kernel)).
    pub fn wait_for(&self, timeout: Duration) -> bool {
        let op = Operation::<B>::begin(|| format!("wait_for({timeout:?})"));
        op.returns(self.wait_until(Deadline::after_in::<B>(timeout)))
    }

    /// Waits until the flag is set or `deadline` passes; returns the flag.
    fn wait_until(&self, deadline: Deadline) -> bool {
        if deadline != Deadline::Expired {
            // Real threads: a set that comes within a short spin costs no
            // sleep (the models do not spin; see `backoff`).
            backoff::<B>(|| !self.is_set());
        }
        // Only a variant that decides on the flag before the lock reads it
        // here (the correct event never does).
        let mut looked_unset = !V::CHECK_UNDER_LOCK && !self.is_set();
        let guard = self.condition.lock();
        V::wait_while_unset(&self.condition, guard, deadline, |_| {
            std::mem::take(&mut looked_unset) || !self.flag()
        })
    }

    /// The flag as the lock holder sees it (Relaxed: the lock orders it).
    fn flag(&self) -> bool {
        self.flag.load(Ordering::Relaxed) == SET
    }
}

impl<B: Backend, V: EventVariant> std::fmt::Debug for Event<B, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Event")
            .field("is_set", &self.is_set())
            .finish()
    }
}

/// The event as the [event kind](EventApi).
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
    fn wait_for(&self, timeout: Duration) -> bool {
        Event::wait_for(self, timeout)
    }
}

/// Each event variant is the family of its [`Event`].
impl<V: EventVariant> EventFamily for V {
    type Event<B: Backend> = Event<B, V>;
}

//! `Queue`: the guide's `queue.Queue` for the producer-consumer pattern.
//!
//! Built as Python builds it: one [`Lock`] over the items and three
//! conditions on it ([`Condvar`]s): `not_empty` (consumers wait on it),
//! `not_full` (producers wait on it), `all_done` (`join` waits on it).
//!
//! | field | written | read |
//! |---|---|---|
//! | `state.items` | under the lock | under the lock |
//! | `unfinished` (tasks put and not yet marked done) | under the lock | under the lock; `join` waits while it is not 0 |
//! | `len_hint` (items, saturating) | under the lock | without it, by `is_empty`/`is_full` |
//!
//! Every wait is a `while` loop under the lock, every state change is made
//! under the lock and followed by a notify: `put` notifies `not_empty`, `get`
//! notifies `not_full`, the last `task_done` notifies `all_done`. The
//! counters are atomics only so that the broken variants can misuse them
//! without undefined behaviour; their orderings are Relaxed, because the
//! lock orders them.

pub mod broken;
pub mod entries;
pub mod scenarios;
pub mod spec;

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use crate::backend::backoff;
use crate::backend::{AtomicU32Ops, Backend, Deadline, Operation, Ordering, Std};
use crate::condition::Condvar;
use crate::kinds::{QueueApi, QueueFamily};
use crate::lock::{Lock, LockGuard};

/// The steps in which the queue's variants differ.
///
/// The provided methods are the correct queue; a broken variant (see
/// [`broken`]) overrides one, marked `// BUG(<id>): was ...`.
pub trait QueueVariant: Sized + Send + Sync + 'static {
    /// The condition producers wait on for room, and `get` notifies.
    fn room<T, B: Backend>(queue: &Queue<T, B, Self>) -> &Condvar<B> {
        &queue.not_full
    }

    /// Whether a queue holding `len` items is full at `capacity`.
    fn is_full(len: usize, capacity: usize) -> bool {
        len >= capacity
    }

    /// Whether `get` reads the emptiness under the lock before it decides
    /// to wait (true), or decides on the snapshot it read before taking the
    /// lock.
    const CHECK_UNDER_LOCK: bool = true;

    /// Marks one task done, under the lock.
    fn task_done<T, B: Backend>(queue: &Queue<T, B, Self>) -> Result<(), TaskDoneError> {
        let _state = queue.state.lock();
        queue.finish_task()
    }
}

/// The correct queue.
#[derive(Debug, Clone, Copy, Default)]
pub struct Correct;

impl QueueVariant for Correct {}

/// `try_put`/`put_for` found the queue full; the item comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full<T>(pub T);

impl<T> fmt::Display for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is full")
    }
}

impl<T: fmt::Debug> std::error::Error for Full<T> {}

/// `task_done` was called more times than items were put (Python raises
/// `ValueError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskDoneError;

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called more times than there were items put")
    }
}

impl std::error::Error for TaskDoneError {}

/// The most unfinished tasks a queue tracks: `u32::MAX`.
pub const MAX_UNFINISHED: u32 = u32::MAX;

struct State<T> {
    items: VecDeque<T>,
    /// Consumers inside a wait for an item: `put` notifies only if any.
    consumers_waiting: usize,
    /// Producers inside a wait for room: `get` notifies only if any.
    producers_waiting: usize,
}

/// The guide's thread-safe FIFO queue, bounded or unbounded, with
/// `task_done`/`join`. No item is ever lost or delivered twice.
///
/// No code of the caller runs while the queue holds its lock (items are
/// moved in and out), so a thread that panics never leaves it locked. A
/// consumer that panics between `get` and `task_done` leaves its task
/// unfinished, and `join` waits for it, as in Python.
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use synclab::Queue;
///
/// let queue = Arc::new(Queue::new(2)); // at most two items waiting
/// let workers: Vec<_> = (0..2)
///     .map(|_| {
///         let queue = Arc::clone(&queue);
///         thread::spawn(move || loop {
///             let job: u32 = queue.get();
///             queue.task_done().unwrap();
///             if job == 0 {
///                 break;
///             }
///         })
///     })
///     .collect();
/// for job in [1, 2, 3, 4, 0, 0] {
///     queue.put(job);
/// }
/// queue.join(); // every item put has been marked done
/// workers.into_iter().for_each(|w| w.join().unwrap());
/// assert!(queue.is_empty());
/// ```
pub struct Queue<T, B: Backend = Std, V: QueueVariant = Correct> {
    state: Lock<State<T>, B>,
    /// Items put and not yet marked done.
    unfinished: B::AtomicU32,
    /// The number of items, saturating at `u32::MAX`.
    len_hint: B::AtomicU32,
    not_empty: Condvar<B>,
    not_full: Condvar<B>,
    all_done: Condvar<B>,
    /// `usize::MAX` for an unbounded queue.
    capacity: usize,
    variant: PhantomData<fn() -> V>,
}

impl<T> Queue<T> {
    /// A queue of at most `maxsize` items, for real threads. As in Python,
    /// `maxsize == 0` means unbounded.
    pub fn new(maxsize: usize) -> Self {
        Self::new_in(maxsize)
    }

    /// An unbounded queue, for real threads.
    pub fn unbounded() -> Self {
        Self::new_in(0)
    }
}

impl<T, B: Backend, V: QueueVariant> Queue<T, B, V> {
    /// A queue of world `B` and variant `V`; `maxsize == 0` means unbounded.
    pub fn new_in(maxsize: usize) -> Self {
        Queue {
            // Items pass through this lock's short section: spinning on it
            // beats yielding (see `Lock::with_backoff`).
            state: Lock::new_in(State {
                items: VecDeque::new(),
                consumers_waiting: 0,
                producers_waiting: 0,
            })
            .with_backoff(),
            unfinished: B::AtomicU32::new(0),
            len_hint: B::AtomicU32::new(0),
            not_empty: Condvar::new_in(),
            not_full: Condvar::new_in(),
            all_done: Condvar::new_in(),
            capacity: if maxsize == 0 { usize::MAX } else { maxsize },
            variant: PhantomData,
        }
        .named("queue")
    }

    /// This queue, its words named `<name>.lock`, `<name>.not_empty`... in
    /// traces (see [`AtomicU32Ops::name`]).
    pub(crate) fn named(self, name: &str) -> Self {
        self.state.name(|| format!("{name}.lock"));
        self.not_empty.name(|| format!("{name}.not_empty"));
        self.not_full.name(|| format!("{name}.not_full"));
        self.all_done.name(|| format!("{name}.all_done"));
        self.unfinished.name(|| format!("{name}.unfinished"));
        self.len_hint.name(|| format!("{name}.len"));
        self
    }

    /// Puts `item`, waiting while the queue is full.
    ///
    /// # Panics
    ///
    /// If [`MAX_UNFINISHED`] tasks are already unfinished.
    pub fn put(&self, item: T) {
        if self.put_until(item, Deadline::Never).is_err() {
            unreachable!("an untimed put does not time out");
        }
    }

    /// Puts `item` if there is room now; otherwise gives it back.
    pub fn try_put(&self, item: T) -> Result<(), Full<T>> {
        self.put_until(item, Deadline::Expired)
    }

    /// Puts `item`, waiting at most `timeout` for room; gives it back if
    /// none came. `Duration::ZERO` is [`Queue::try_put`]; a timeout too large
    /// for the clock waits without limit; under loom and shuttle the timeout
    /// runs in the lab's virtual time (see the [kernel](crate::lab::kernel)).
    pub fn put_for(&self, item: T, timeout: Duration) -> Result<(), Full<T>> {
        self.put_until(item, Deadline::after_in::<B>(timeout))
    }

    /// Takes the oldest item, waiting while the queue is empty.
    pub fn get(&self) -> T {
        match self.get_until(Deadline::Never) {
            Some(item) => item,
            None => unreachable!("an untimed get does not time out"),
        }
    }

    /// Takes the oldest item if there is one now.
    pub fn try_get(&self) -> Option<T> {
        self.get_until(Deadline::Expired)
    }

    /// Takes the oldest item, waiting at most `timeout` (zero and enormous
    /// timeouts as in [`Queue::put_for`]).
    pub fn get_for(&self, timeout: Duration) -> Option<T> {
        self.get_until(Deadline::after_in::<B>(timeout))
    }

    /// Marks one item taken by `get` as processed. Once every item put has
    /// been marked, `join` returns.
    ///
    /// Calling it more times than items were put is an error, and changes
    /// nothing.
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        V::task_done(self)
    }

    /// Waits until every item put has been marked done with `task_done`.
    pub fn join(&self) {
        self.join_until(Deadline::Never);
    }

    /// Waits at most `timeout` for every item to be marked done; true if
    /// they were.
    pub fn join_for(&self, timeout: Duration) -> bool {
        self.join_until(Deadline::after_in::<B>(timeout))
    }

    /// The number of items, counted under the lock.
    pub fn len(&self) -> usize {
        self.state.lock().items.len()
    }

    /// Items put and not yet marked done, counted under the lock.
    pub(crate) fn unfinished(&self) -> u32 {
        let _state = self.state.lock();
        self.unfinished.load(Ordering::Relaxed)
    }

    /// Whether the queue is empty: a snapshot read without the lock, stale
    /// as soon as it returns (Python's `empty()`).
    pub fn is_empty(&self) -> bool {
        self.len_hint.load(Ordering::Relaxed) == 0
    }

    /// Whether the queue is full: a snapshot read without the lock.
    pub fn is_full(&self) -> bool {
        let len = self.len_hint.load(Ordering::Relaxed) as usize;
        V::is_full(len, self.capacity)
    }

    /// The most items the queue holds, `None` if unbounded.
    pub fn capacity(&self) -> Option<usize> {
        (self.capacity != usize::MAX).then_some(self.capacity)
    }

    fn put_until(&self, item: T, deadline: Deadline) -> Result<(), Full<T>> {
        let full = |state: &mut State<T>| V::is_full(state.items.len(), self.capacity);
        let mut state = self.state.lock();
        if full(&mut state) && deadline != Deadline::Expired {
            state = self.spin_while(state, || self.is_full());
        }
        state.producers_waiting += 1;
        let (mut state, has_room) = V::room(self).wait_while_until(state, deadline, full);
        state.producers_waiting -= 1;
        if !has_room {
            return Err(Full(item));
        }
        self.add_unfinished(1);
        state.items.push_back(item);
        self.publish_len(state.items.len());
        let wake = state.consumers_waiting > 0;
        drop(state);
        if wake {
            self.not_empty.notify_one();
        }
        Ok(())
    }

    /// Puts every one of `items` under one hold of the lock, and wakes as
    /// many waiting consumers as there are items: a batch for an unbounded
    /// queue (the thread pool's), which never waits for room.
    ///
    /// # Panics
    ///
    /// If the queue is bounded, or the items would make more than
    /// [`MAX_UNFINISHED`] tasks unfinished.
    pub(crate) fn put_all(&self, items: Vec<T>) {
        assert_eq!(self.capacity, usize::MAX, "Queue::put_all: a bounded queue");
        let count = items.len();
        let mut state = self.state.lock();
        self.add_unfinished(count);
        state.items.extend(items);
        self.publish_len(state.items.len());
        let wake = state.consumers_waiting.min(count);
        drop(state);
        if wake > 0 {
            self.not_empty.notify(wake);
        }
    }

    fn get_until(&self, deadline: Deadline) -> Option<T> {
        // Only a variant that decides on the emptiness before the lock reads
        // it here (the correct queue never does).
        let mut looked_empty = !V::CHECK_UNDER_LOCK && self.is_empty();
        let mut state = self.state.lock();
        if state.items.is_empty() && deadline != Deadline::Expired {
            state = self.spin_while(state, || self.is_empty());
        }
        state.consumers_waiting += 1;
        let (mut state, any) = self.not_empty.wait_while_until(state, deadline, |state| {
            std::mem::take(&mut looked_empty) || state.items.is_empty()
        });
        state.consumers_waiting -= 1;
        if !any {
            return None;
        }
        let item = state.items.pop_front();
        self.publish_len(state.items.len());
        let wake = state.producers_waiting > 0;
        drop(state);
        if wake {
            V::room(self).notify_one();
        }
        item
    }

    /// Before a wait, on real threads: lets go of the lock and spins (with
    /// backoff) while `blocked` says the wait would be needed, then locks
    /// again. The condition's own wait spins too, but only after this thread
    /// has counted itself a waiter, which makes every `put` (or `get`) send a
    /// notify; spinning here first keeps a short wait free of that traffic
    /// (measured: SPSC bounded(64) 52 ns per message with it, 77 ns
    /// without). The models do not spin.
    fn spin_while<'a>(
        &'a self,
        state: LockGuard<'a, State<T>, B>,
        blocked: impl Fn() -> bool,
    ) -> LockGuard<'a, State<T>, B> {
        if B::SPIN_LIMIT == 0 {
            return state;
        }
        drop(state);
        backoff::<B>(blocked);
        self.state.lock()
    }

    fn join_until(&self, deadline: Deadline) -> bool {
        let state = self.state.lock();
        let unfinished = || self.unfinished.load(Ordering::Relaxed) != 0;
        self.all_done
            .wait_while_until(state, deadline, |_| unfinished())
            .1
    }

    /// Counts `count` more tasks unfinished, under the lock.
    ///
    /// # Panics
    ///
    /// Past [`MAX_UNFINISHED`].
    fn add_unfinished(&self, count: usize) {
        let unfinished = u32::try_from(count)
            .ok()
            .and_then(|count| self.unfinished.load(Ordering::Relaxed).checked_add(count))
            .expect("Queue::put: more than u32::MAX unfinished tasks");
        self.unfinished.store(unfinished, Ordering::Relaxed);
    }

    /// Counts one task done; the caller decides whether it holds the lock.
    fn finish_task(&self) -> Result<(), TaskDoneError> {
        let unfinished = self.unfinished.load(Ordering::Relaxed);
        if unfinished == 0 {
            return Err(TaskDoneError);
        }
        self.unfinished.store(unfinished - 1, Ordering::Relaxed);
        if unfinished == 1 {
            self.all_done.notify_all();
        }
        Ok(())
    }

    /// Mirrors the item count for the unlocked `is_empty`/`is_full`.
    fn publish_len(&self, len: usize) {
        let len = u32::try_from(len).unwrap_or(u32::MAX);
        self.len_hint.store(len, Ordering::Relaxed);
    }
}

impl<T, B: Backend, V: QueueVariant> fmt::Debug for Queue<T, B, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("capacity", &self.capacity())
            .field("len", &self.len_hint.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// The queue of `u32` as the [queue kind](QueueApi).
impl<B: Backend, V: QueueVariant> QueueApi for Queue<u32, B, V> {
    fn new(capacity: usize) -> Self {
        Queue::new_in(capacity)
    }
    fn put(&self, item: u32) {
        let _op = Operation::<B>::begin(|| format!("put({item})"));
        Queue::put(self, item);
    }
    fn try_put(&self, item: u32) -> bool {
        let op = Operation::<B>::begin(|| format!("try_put({item})"));
        op.returns(Queue::try_put(self, item).is_ok())
    }
    fn get(&self) -> u32 {
        let op = Operation::<B>::call("get()");
        op.returns(Queue::get(self))
    }
    fn try_get(&self) -> Option<u32> {
        let op = Operation::<B>::call("try_get()");
        op.returns(Queue::try_get(self))
    }
    fn len(&self) -> usize {
        let op = Operation::<B>::call("len()");
        op.returns(Queue::len(self))
    }
    fn is_empty(&self) -> bool {
        let op = Operation::<B>::call("is_empty()");
        op.returns(Queue::is_empty(self))
    }
    fn task_done(&self) -> bool {
        let op = Operation::<B>::call("task_done()");
        op.returns(Queue::task_done(self).is_ok())
    }
    fn join(&self) {
        let _op = Operation::<B>::call("join()");
        Queue::join(self);
    }
    fn join_for(&self, timeout: Duration) -> bool {
        let op = Operation::<B>::begin(|| format!("join_for({timeout:?})"));
        op.returns(Queue::join_for(self, timeout))
    }
    fn put_for(&self, item: u32, timeout: Duration) -> bool {
        let op = Operation::<B>::begin(|| format!("put_for({item}, {timeout:?})"));
        op.returns(Queue::put_for(self, item, timeout).is_ok())
    }
    fn get_for(&self, timeout: Duration) -> Option<u32> {
        let op = Operation::<B>::begin(|| format!("get_for({timeout:?})"));
        op.returns(Queue::get_for(self, timeout))
    }
}

/// Each queue variant is the family of its [`Queue`] of `u32`.
impl<V: QueueVariant> QueueFamily for V {
    type Queue<B: Backend> = Queue<u32, B, V>;
}

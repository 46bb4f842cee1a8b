//! The pool's futures: a task's outcome, waited for by `result`, and the
//! completion order `as_completed` and the broken `map` read.

use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::{Correct, Inner, PoolVariant};
use crate::backend::{Backend, Deadline, Operation, Std};
use crate::condition::Condvar;
use crate::lab::quiet;
use crate::lock::{Lock, LockGuard};
use crate::queue::Queue;

/// Why a future has no value to give.
///
/// ```
/// use std::time::Duration;
/// use synclab::{Event, TaskError, ThreadPool};
/// use std::sync::Arc;
///
/// let pool = ThreadPool::new(1);
/// let gate = Arc::new(Event::new());
/// let open = Arc::clone(&gate);
/// let busy = pool.submit(move || open.wait()).unwrap();
/// let queued = pool.submit(|| 2).unwrap();
/// assert_eq!(busy.result_timeout(Duration::ZERO), Err(TaskError::TimedOut));
/// assert!(queued.cancel()); // it had not started
/// assert_eq!(queued.result(), Err(TaskError::Cancelled));
/// gate.set();
/// assert_eq!(busy.result(), Ok(()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TaskError {
    /// The task panicked, with this message: Python's `future.exception()`.
    Panicked(String),
    /// The future was cancelled before its task started.
    Cancelled,
    /// `result_timeout` gave up before the task finished.
    TimedOut,
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Panicked(message) => write!(f, "the task panicked: {message}"),
            TaskError::Cancelled => f.write_str("the task was cancelled"),
            TaskError::TimedOut => f.write_str("the task did not finish in time"),
        }
    }
}

impl std::error::Error for TaskError {}

/// Where a task is.
enum Phase<T> {
    /// Waiting in the pool's queue: `cancel` still works.
    Queued,
    /// A worker runs it.
    Running,
    /// Finished (or cancelled), with its outcome.
    Finished(Result<T, TaskError>),
    /// Finished, its value taken by the map iterator that owns the future.
    Taken,
}

struct State<T, B: Backend> {
    phase: Phase<T>,
    /// The pool's count of completions when this one completed: the
    /// completion order.
    stamp: u32,
    /// `as_completed` calls waiting for this future.
    waiters: Vec<Waiter<B>>,
    /// Threads inside `result`'s wait: completion notifies only if any.
    sleepers: usize,
}

/// What a future's task and its holders share.
pub(super) struct Slot<T, B: Backend> {
    state: Lock<State<T, B>, B>,
    /// `result` waits on it; completion notifies it.
    finished: Condvar<B>,
}

/// An `as_completed` call waiting for one future: where to say it finished.
/// Made by the pool and handed to [`PoolVariant::register`]; a variant
/// passes it on, it never builds one.
pub struct Waiter<B: Backend> {
    queue: Arc<Queue<usize, B>>,
    index: usize,
}

impl<B: Backend> Waiter<B> {
    fn wake(self) {
        self.queue.put(self.index);
    }
}

/// The outcome of a task submitted to a [`ThreadPool`](super::ThreadPool):
/// Python's `concurrent.futures.Future`.
///
/// ```
/// use synclab::{TaskError, ThreadPool};
///
/// let pool = ThreadPool::new(2);
/// let answer = pool.submit(|| 6 * 7).unwrap();
/// assert_eq!(answer.result(), Ok(42));
/// assert!(answer.done());
/// let oops = pool.submit(|| -> u32 { panic!("no answer") }).unwrap();
/// assert_eq!(oops.result(), Err(TaskError::Panicked("no answer".into())));
/// ```
pub struct Future<T, B: Backend = Std> {
    slot: Arc<Slot<T, B>>,
    pool: Arc<Inner<B>>,
}

impl<T, B: Backend> Future<T, B> {
    /// A queued future of `pool`, and what its task completes.
    pub(super) fn new(pool: &Arc<Inner<B>>) -> (Future<T, B>, Arc<Slot<T, B>>) {
        let slot = Arc::new(Slot {
            state: Lock::new_in(State {
                phase: Phase::Queued,
                stamp: 0,
                waiters: Vec::new(),
                sleepers: 0,
            }),
            finished: Condvar::new_in(),
        });
        let number = pool
            .submitted
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        slot.state.name(|| format!("future{number}.lock"));
        slot.finished.name(|| format!("future{number}.finished"));
        let future = Future {
            slot: Arc::clone(&slot),
            pool: Arc::clone(pool),
        };
        (future, slot)
    }

    /// Waits for the task and returns its value, or why there is none.
    pub fn result(&self) -> Result<T, TaskError>
    where
        T: Clone,
    {
        self.result_until(Deadline::Never)
    }

    /// Waits at most `timeout` for the task; [`TaskError::TimedOut`] if it
    /// has not finished by then (the task goes on). `Duration::ZERO` only
    /// looks; under loom and shuttle the timeout runs in the lab's virtual
    /// time (see the [kernel](crate::lab::kernel)).
    pub fn result_timeout(&self, timeout: Duration) -> Result<T, TaskError>
    where
        T: Clone,
    {
        self.result_until(Deadline::after_in::<B>(timeout))
    }

    /// Whether the task has finished (or the future was cancelled).
    pub fn done(&self) -> bool {
        self.slot.state.lock().phase.is_finished()
    }

    /// Cancels the task if it has not started: true if the future is
    /// cancelled now (or was already), false if its task runs or ran.
    pub fn cancel(&self) -> bool {
        let state = self.slot.state.lock();
        match state.phase {
            Phase::Queued => {
                // Cancelling wakes as the correct pool does, whatever the
                // variant: the broken steps are a task's.
                let stamp = self.pool.stamp();
                self.slot
                    .finish::<Correct>(state, Err(TaskError::Cancelled), stamp);
                true
            }
            Phase::Finished(Err(TaskError::Cancelled)) => true,
            _ => false,
        }
    }

    fn result_until(&self, deadline: Deadline) -> Result<T, TaskError>
    where
        T: Clone,
    {
        match self.wait_until(deadline) {
            Some(state) => match &state.phase {
                Phase::Finished(outcome) => outcome.clone(),
                _ => unreachable!("a finished future keeps its outcome"),
            },
            None => Err(TaskError::TimedOut),
        }
    }

    /// Waits for the task and takes its outcome, for the one iterator that
    /// owns this future.
    pub(super) fn take(&self) -> Result<T, TaskError> {
        let mut state = self
            .wait_until(Deadline::Never)
            .expect("an untimed wait does not time out");
        match std::mem::replace(&mut state.phase, Phase::Taken) {
            Phase::Finished(outcome) => outcome,
            _ => unreachable!("a future's outcome is taken once"),
        }
    }

    /// The finished state, or `None` if `deadline` passed first.
    fn wait_until(&self, deadline: Deadline) -> Option<LockGuard<'_, State<T, B>, B>> {
        let mut state = self.slot.state.lock();
        if state.phase.is_finished() {
            return Some(state);
        }
        if deadline == Deadline::Expired {
            return None; // a zero timeout only looks
        }
        state.sleepers += 1;
        let (mut state, finished) = self
            .slot
            .finished
            .wait_while_until(state, deadline, |state| !state.phase.is_finished());
        state.sleepers -= 1;
        finished.then_some(state)
    }

    /// When it finished, if it has: its stamp in the completion order.
    pub(crate) fn finished_stamp(&self) -> Option<u32> {
        let state = self.slot.state.lock();
        state.phase.is_finished().then_some(state.stamp)
    }

    /// Has `waiter` told when this future finishes, without looking first.
    pub(crate) fn add_waiter(&self, waiter: Waiter<B>) {
        self.slot.state.lock().waiters.push(waiter);
    }

    /// Has `waiter` told when this future finishes; if it has already, its
    /// stamp instead. One look and one registration under one lock, so a
    /// completion cannot fall between them.
    pub(crate) fn register(&self, waiter: Waiter<B>) -> Option<u32> {
        let mut state = self.slot.state.lock();
        if state.phase.is_finished() {
            return Some(state.stamp);
        }
        state.waiters.push(waiter);
        None
    }
}

impl<T> Phase<T> {
    fn is_finished(&self) -> bool {
        matches!(self, Phase::Finished(_) | Phase::Taken)
    }
}

impl<T, B: Backend> Slot<T, B> {
    /// Runs `task` on a worker of a pool of variant `V`, unless cancelled,
    /// and completes the future with its outcome.
    pub(super) fn run<V: PoolVariant>(&self, task: impl FnOnce() -> T, pool: &Inner<B>) {
        {
            let _op = Operation::<B>::call("start task");
            let mut state = self.state.lock();
            if !matches!(state.phase, Phase::Queued) {
                return; // cancelled
            }
            state.phase = Phase::Running;
        }
        let outcome = V::run::<B, T>(task);
        let _op = Operation::<B>::call("finish task");
        let state = self.state.lock();
        self.finish::<V>(state, outcome, pool.stamp());
    }

    /// Stores `outcome` under `state`'s lock, then wakes `result`'s waiters
    /// and tells the `as_completed` calls waiting for it.
    fn finish<V: PoolVariant>(
        &self,
        mut state: LockGuard<'_, State<T, B>, B>,
        outcome: Result<T, TaskError>,
        stamp: u32,
    ) {
        state.phase = Phase::Finished(outcome);
        state.stamp = stamp;
        let waiters = std::mem::take(&mut state.waiters);
        let sleepers = state.sleepers > 0;
        drop(state);
        if sleepers {
            V::wake_waiters(&self.finished);
        }
        waiters.into_iter().for_each(Waiter::wake);
    }
}

/// Runs `task` in world `B`, catching its panic: the correct pool's
/// [`PoolVariant::run`].
pub(super) fn catch<B: Backend, T>(task: impl FnOnce() -> T) -> Result<T, TaskError> {
    catch_task::<B, T>(task).map_err(|payload| TaskError::Panicked(quiet::payload_text(&*payload)))
}

/// Runs `f` in world `B`, catching a panic of its own; the checker's own
/// panics go on unwinding ([`Backend::is_checker_panic`]).
pub(super) fn catch_task<B: Backend, T>(f: impl FnOnce() -> T) -> Result<T, Box<dyn Any + Send>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        if B::is_checker_panic(&*payload) {
            std::panic::resume_unwind(payload);
        }
        payload
    })
}

/// The order in which futures complete, as an `as_completed` call sees it:
/// those finished when it starts, by completion, then the others as they
/// finish.
pub(super) struct CompletionOrder<B: Backend> {
    /// Finished before the call registered: indices in completion order.
    ready: VecDeque<usize>,
    /// Where the others say they finished.
    queue: Arc<Queue<usize, B>>,
    /// Indices still to yield from `queue`.
    waiting: usize,
}

impl<B: Backend> CompletionOrder<B> {
    /// Registers with each of `futures` through `V`'s step.
    pub(super) fn new<V: PoolVariant, T>(futures: &[Future<T, B>]) -> CompletionOrder<B> {
        let queue = Arc::new(Queue::new_in(0).named("as_completed"));
        let mut finished = Vec::new();
        for (index, future) in futures.iter().enumerate() {
            let waiter = Waiter {
                queue: Arc::clone(&queue),
                index,
            };
            if let Some(stamp) = V::register(future, waiter) {
                finished.push((stamp, index));
            }
        }
        finished.sort_unstable();
        CompletionOrder {
            waiting: futures.len() - finished.len(),
            ready: finished.into_iter().map(|(_, index)| index).collect(),
            queue,
        }
    }

    /// The index of the next future to finish, waiting for it; `None` once
    /// every future has been yielded.
    pub(super) fn next_index(&mut self) -> Option<usize> {
        if let Some(index) = self.ready.pop_front() {
            return Some(index);
        }
        if self.waiting == 0 {
            return None;
        }
        self.waiting -= 1;
        Some(self.queue.get())
    }

    /// How many indices are still to come.
    pub(super) fn remaining(&self) -> usize {
        self.ready.len() + self.waiting
    }
}

/// The futures of an [`as_completed`](super::ThreadPool::as_completed)
/// call, in the order they finish.
///
/// ```
/// use synclab::ThreadPool;
///
/// let pool = ThreadPool::new(2);
/// let futures: Vec<_> = (1..=3).map(|n| pool.submit(move || n * 10).unwrap()).collect();
/// let mut total = 0;
/// for future in pool.as_completed(&futures) {
///     total += future.result().unwrap(); // already finished: no wait
/// }
/// assert_eq!(total, 60);
/// ```
pub struct AsCompleted<'a, T, B: Backend = Std> {
    futures: &'a [Future<T, B>],
    order: CompletionOrder<B>,
}

impl<'a, T, B: Backend> AsCompleted<'a, T, B> {
    pub(super) fn new<V: PoolVariant>(futures: &'a [Future<T, B>]) -> Self {
        AsCompleted {
            futures,
            order: CompletionOrder::new::<V, T>(futures),
        }
    }
}

impl<T, B: Backend> AsCompleted<'_, T, B> {
    /// The positions in the slice of the futures still to come, in the
    /// order they finish.
    pub(crate) fn indices(mut self) -> impl Iterator<Item = usize> {
        std::iter::from_fn(move || self.order.next_index())
    }
}

impl<'a, T, B: Backend> Iterator for AsCompleted<'a, T, B> {
    type Item = &'a Future<T, B>;

    fn next(&mut self) -> Option<&'a Future<T, B>> {
        let op = Operation::<B>::call("next completed");
        let futures = self.futures;
        let index = self.order.next_index();
        op.returns(index).map(|index| &futures[index])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let remaining = self.order.remaining();
        (remaining, Some(remaining))
    }
}

impl<T, B: Backend> fmt::Debug for Future<T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Future")
            .field("done", &self.done())
            .finish_non_exhaustive()
    }
}

impl<T, B: Backend> fmt::Debug for AsCompleted<'_, T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("remaining", &self.order.remaining())
            .finish_non_exhaustive()
    }
}

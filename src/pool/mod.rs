//! `ThreadPool`: the guide's `concurrent.futures.ThreadPoolExecutor`, with
//! its [`Future`]s, `map` and `as_completed`.
//!
//! Built from the lab's own primitives: the workers take jobs from a
//! [`Queue`] (unbounded, as Python's `SimpleQueue`), each future is a
//! [`Lock`] over its state with a [`Condvar`]
//! that `result` waits on, and each `as_completed` call is told of
//! completions through a `Queue` of its own.
//!
//! | future phase | next | by |
//! |---|---|---|
//! | queued | running | the worker that takes its job |
//! | queued | finished (cancelled) | `cancel` |
//! | running | finished (value or panic) | its worker: stamps the completion order, wakes `result`'s waiters, tells the `as_completed` calls registered |
//!
//! `shutdown` marks the pool shut (later submits are refused) and puts one
//! stop signal per worker behind the queued jobs, so every job submitted
//! runs first; with `wait` it joins the workers. `Drop` is `shutdown(true)`:
//! the guide's `with` block. A worker never dies of a task's panic: the
//! panic is caught and handed to whoever asks the future.

mod future;

pub mod broken;
pub mod entries;
pub mod scenarios;
pub mod spec;

use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, PoisonError};

pub use future::{AsCompleted, Future, TaskError, Waiter};

use crate::backend::{AtomicU32Ops, Backend, Join, Operation, Ordering, Std};
use crate::condition::Condvar;
use crate::kinds::{FutureApi, Outcome, PoolApi, PoolFamily, Task};
use crate::lock::Lock;
use crate::queue::Queue;
use future::CompletionOrder;

/// The steps in which the pool's variants differ.
///
/// The provided methods are the correct pool; a broken variant (see
/// [`broken`]) overrides one, marked `// BUG(<id>): was ...`.
pub trait PoolVariant: Sized + Send + Sync + 'static {
    /// Wakes the threads waiting in `result`, once a task's outcome is
    /// stored.
    fn wake_waiters<B: Backend>(finished: &Condvar<B>) {
        finished.notify_all();
    }

    /// Registers an `as_completed` call's `waiter` with `future`, or
    /// returns the future's completion stamp if it has finished.
    fn register<T, B: Backend>(future: &Future<T, B>, waiter: Waiter<B>) -> Option<u32> {
        future.register(waiter)
    }

    /// Runs a task on a worker: its panic is caught and becomes the
    /// future's outcome.
    fn run<B: Backend, T>(task: impl FnOnce() -> T) -> Result<T, TaskError> {
        future::catch::<B, T>(task)
    }

    /// Ends the workers once their stop signals are queued: joins each.
    fn join_workers<B: Backend>(workers: Vec<B::JoinHandle<()>>) {
        workers.into_iter().for_each(Join::join);
    }

    /// Whether `map` yields its results in the order of its items (true),
    /// or as they complete.
    const MAP_IN_INPUT_ORDER: bool = true;
}

/// The correct pool.
#[derive(Debug, Clone, Copy, Default)]
pub struct Correct;

impl PoolVariant for Correct {}

/// `submit` or `map` after `shutdown`: the task is refused (Python raises
/// `RuntimeError`).
///
/// ```
/// use synclab::ThreadPool;
/// use synclab::pool::ShutDown;
///
/// let pool = ThreadPool::new(1);
/// pool.shutdown(true);
/// assert_eq!(pool.submit(|| 1).unwrap_err(), ShutDown);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShutDown;

impl fmt::Display for ShutDown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot schedule new tasks after shutdown")
    }
}

impl std::error::Error for ShutDown {}

/// A job: runs a task and completes its future. `None` in the queue is a
/// worker's stop signal.
type Job<B> = Box<dyn FnOnce(&Inner<B>) + Send>;

/// What the pool, its workers and its futures share.
pub(crate) struct Inner<B: Backend> {
    jobs: Queue<Option<Job<B>>, B>,
    /// Completions so far: each takes the next as its stamp (wrapping
    /// after 2³² of them).
    completions: B::AtomicU32,
    /// Worker `i`'s thread, as [`Backend::current_thread`] names it, once
    /// it has started: how `shutdown` and `Drop` know they run on one of
    /// the pool's own workers. Bookkeeping, not part of the primitive's
    /// synchronization, so a std `Mutex` the checkers do not explore.
    threads: Mutex<Vec<Option<String>>>,
    /// Futures made so far: the number in each one's name in traces
    /// (`future2.lock`). Bookkeeping too.
    submitted: std::sync::atomic::AtomicUsize,
}

impl<B: Backend> Inner<B> {
    /// The next completion stamp. Relaxed: read-modify-writes of one word
    /// are totally ordered, which is all the stamps need to say.
    fn stamp(&self) -> u32 {
        self.completions.fetch_add(1, Ordering::Relaxed)
    }

    /// The index of the worker the calling thread is, if it is one.
    fn worker_index(&self) -> Option<usize> {
        let me = Some(B::current_thread());
        let threads = self.threads.lock().unwrap_or_else(PoisonError::into_inner);
        threads.iter().position(|thread| *thread == me)
    }

    /// Worker `index`: says which thread it is, then runs jobs until its
    /// stop signal, marking each done.
    fn work(&self, index: usize) {
        self.threads.lock().unwrap_or_else(PoisonError::into_inner)[index] =
            Some(B::current_thread());
        loop {
            let op = Operation::<B>::call("take job");
            let Some(job) = self.jobs.get() else { break };
            drop(op);
            job(self);
            self.done();
        }
        self.done();
    }

    fn done(&self) {
        let _op = Operation::<B>::call("job done");
        // Never refused: every item taken was put.
        let _ = self.jobs.task_done();
    }
}

struct PoolState<B: Backend> {
    shut_down: bool,
    workers: Vec<B::JoinHandle<()>>,
}

/// The guide's thread pool: `submit` tasks, get [`Future`]s, `map` over
/// items, take futures `as_completed`, and `shutdown` (or drop) to join the
/// workers.
///
/// ```
/// use synclab::ThreadPool;
///
/// let pool = ThreadPool::new(4);
/// let squares: Vec<u64> = pool.map(|x: u64| x * x, 1..=5).unwrap().map(Result::unwrap).collect();
/// assert_eq!(squares, [1, 4, 9, 16, 25]); // in input order
///
/// let futures: Vec<_> = (0..3).map(|i| pool.submit(move || i).unwrap()).collect();
/// let mut seen: Vec<u32> = pool.as_completed(&futures).map(|f| f.result().unwrap()).collect();
/// seen.sort();
/// assert_eq!(seen, [0, 1, 2]); // each once, as they finished
/// drop(pool); // joins the workers: Python's `with` block
/// ```
pub struct ThreadPool<B: Backend = Std, V: PoolVariant = Correct> {
    inner: Arc<Inner<B>>,
    state: Lock<PoolState<B>, B>,
    workers: usize,
    variant: PhantomData<fn() -> V>,
}

impl ThreadPool {
    /// A pool of `workers` threads, for real threads.
    ///
    /// # Panics
    ///
    /// If `workers` is 0 (Python raises `ValueError`).
    #[track_caller]
    pub fn new(workers: usize) -> Self {
        Self::new_in(workers)
    }

    /// Python's default worker count: `min(32, cpus + 4)`, enough for
    /// tasks that wait on I/O, and no more.
    pub fn default_workers() -> usize {
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        (cpus + 4).min(32)
    }
}

impl Default for ThreadPool {
    /// A pool of [`ThreadPool::default_workers`] threads.
    fn default() -> Self {
        Self::new(Self::default_workers())
    }
}

impl<B: Backend, V: PoolVariant> ThreadPool<B, V> {
    /// A pool of world `B` and variant `V` with `workers` threads, all
    /// started now.
    ///
    /// # Panics
    ///
    /// If `workers` is 0.
    #[track_caller]
    pub fn new_in(workers: usize) -> Self {
        assert!(
            workers > 0,
            "ThreadPool::new: a pool needs at least one worker"
        );
        let inner = Arc::new(Inner {
            jobs: Queue::new_in(0).named("pool.jobs"),
            completions: B::AtomicU32::new(0).named("pool.completions"),
            threads: Mutex::new(vec![None; workers]),
            submitted: std::sync::atomic::AtomicUsize::new(0),
        });
        let handles = (0..workers)
            .map(|index| {
                let inner = Arc::clone(&inner);
                // The thread's boundary, as std's own: a panic that escapes
                // a job ends this worker and nothing else. (loom and
                // shuttle would fail the whole execution on it.) The
                // correct pool catches every task's panic before it gets
                // here.
                B::spawn(move || {
                    let _ = future::catch_task::<B, ()>(|| inner.work(index));
                })
            })
            .collect();
        let state = Lock::new_in(PoolState {
            shut_down: false,
            workers: handles,
        });
        state.name(|| "pool.lock".to_owned());
        ThreadPool {
            inner,
            state,
            workers,
            variant: PhantomData,
        }
    }

    /// Queues `task` for a worker; its [`Future`] gives the outcome.
    /// Refused once the pool is shut down.
    pub fn submit<T, F>(&self, task: F) -> Result<Future<T, B>, ShutDown>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (future, job) = self.job(task);
        self.enqueue(|jobs| jobs.put(Some(job)))?;
        Ok(future)
    }

    /// A task's future, and the job that runs it and completes the future.
    fn job<T, F>(&self, task: F) -> (Future<T, B>, Job<B>)
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (future, slot) = Future::new(&self.inner);
        (future, Box::new(move |pool| slot.run::<V>(task, pool)))
    }

    /// Queues jobs with `put`, unless the pool is shut down: under the
    /// pool's lock, so that no job lands behind the stop signals.
    fn enqueue(&self, put: impl FnOnce(&Queue<Option<Job<B>>, B>)) -> Result<(), ShutDown> {
        let state = self.state.lock();
        if state.shut_down {
            return Err(ShutDown);
        }
        put(&self.inner.jobs);
        drop(state);
        Ok(())
    }

    /// Submits `f(item)` for each item at once, and returns their outcomes
    /// in the order of the items, each waited for as the iterator reaches
    /// it (Python's `map`).
    pub fn map<I, F, T>(&self, f: F, items: I) -> Result<MapResults<T, B>, ShutDown>
    where
        I: IntoIterator,
        I::Item: Send + 'static,
        F: Fn(I::Item) -> T + Send + Sync + 'static,
        T: Send + 'static,
    {
        let f = Arc::new(f);
        let (futures, jobs): (Vec<_>, Vec<_>) = items
            .into_iter()
            .map(|item| {
                let f = Arc::clone(&f);
                let (future, job) = self.job(move || f(item));
                (future, Some(job))
            })
            .unzip();
        // One batch: one hold of each lock, one wake per worker at most.
        self.enqueue(|queue| queue.put_all(jobs))?;
        let order = if V::MAP_IN_INPUT_ORDER {
            None
        } else {
            Some(CompletionOrder::new::<V, T>(&futures))
        };
        Ok(MapResults {
            futures,
            next: 0,
            order,
        })
    }

    /// The futures of `futures` as they finish, each once: those finished
    /// when the call looked at them first, in the order they finished, then
    /// the others as they finish (Python's `as_completed`; a future that
    /// finishes while the call registers with the others comes in the
    /// second part). A future listed twice is yielded twice.
    pub fn as_completed<'a, T>(&self, futures: &'a [Future<T, B>]) -> AsCompleted<'a, T, B> {
        AsCompleted::new::<V>(futures)
    }

    /// Refuses new tasks from now on, lets the workers run every task
    /// queued, then stop; with `wait`, returns once they have all stopped
    /// and been joined. Calling it again does no harm; a second
    /// `shutdown(true)` while the first still joins returns at once.
    ///
    /// # Panics
    ///
    /// With `wait`, on one of the pool's own workers, which would wait for
    /// itself (Python raises `RuntimeError`); the panic becomes that task's
    /// outcome.
    #[track_caller]
    pub fn shutdown(&self, wait: bool) {
        assert!(
            !(wait && self.inner.worker_index().is_some()),
            "ThreadPool::shutdown(wait = true) on one of the pool's own workers would wait for \
             itself: shut down with wait = false in a task, and wait outside the pool"
        );
        let mut state = self.state.lock();
        if !state.shut_down {
            state.shut_down = true;
            self.inner
                .jobs
                .put_all((0..self.workers).map(|_| None).collect());
        }
        let workers = if wait {
            std::mem::take(&mut state.workers)
        } else {
            Vec::new()
        };
        drop(state);
        V::join_workers::<B>(workers);
    }

    /// The number of worker threads.
    pub fn workers(&self) -> usize {
        self.workers
    }

    /// Jobs submitted and not finished (queued or running), stop signals
    /// included: a snapshot, counted under the queue's lock.
    pub fn pending(&self) -> usize {
        self.inner.jobs.unfinished() as usize
    }
}

impl<B: Backend, V: PoolVariant> Drop for ThreadPool<B, V> {
    /// `shutdown(true)`: the guide's `with` block. Two exceptions stop the
    /// workers without waiting for them all: a drop on one of the pool's
    /// own workers (a task held the last handle to it), which joins the
    /// others and lets itself run on to its stop signal; and a drop while
    /// a panic unwinds, since a worker may wait on what the panicking
    /// thread held.
    fn drop(&mut self) {
        if B::abandon_guards() {
            return; // a loom failure unwinds: the model is over
        }
        let me = self.inner.worker_index();
        let panicking = std::thread::panicking();
        if me.is_none() && !panicking {
            self.shutdown(true);
            return;
        }
        self.shutdown(false);
        let workers = std::mem::take(&mut self.state.get_mut().workers);
        for (index, worker) in workers.into_iter().enumerate() {
            if panicking || me == Some(index) {
                worker.detach();
            } else {
                worker.join();
            }
        }
    }
}

impl<B: Backend, V: PoolVariant> fmt::Debug for ThreadPool<B, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPool")
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

/// The outcomes of a [`ThreadPool::map`], in the order of its items;
/// dropped before the end, it cancels the tasks not yet started.
///
/// ```
/// use synclab::ThreadPool;
///
/// let pool = ThreadPool::new(2);
/// let mut lengths = pool.map(|word: &str| word.len(), ["a", "bb", "ccc"]).unwrap();
/// assert_eq!(lengths.next(), Some(Ok(1)));
/// assert_eq!(lengths.collect::<Vec<_>>(), [Ok(2), Ok(3)]);
/// ```
pub struct MapResults<T, B: Backend = Std> {
    futures: Vec<Future<T, B>>,
    /// The next future in input order.
    next: usize,
    /// The completion order, for a variant that yields in it.
    order: Option<CompletionOrder<B>>,
}

impl<T, B: Backend> Drop for MapResults<T, B> {
    /// Cancels the tasks not yet started, as Python's `map` does when its
    /// iterator is closed early.
    fn drop(&mut self) {
        let yielded = match &self.order {
            None => self.next,
            Some(order) => self.futures.len() - order.remaining(),
        };
        if yielded < self.futures.len() && !B::abandon_guards() {
            self.futures.iter().for_each(|future| {
                future.cancel();
            });
        }
    }
}

impl<T, B: Backend> Iterator for MapResults<T, B> {
    type Item = Result<T, TaskError>;

    fn next(&mut self) -> Option<Result<T, TaskError>> {
        let op = Operation::<B>::call("next result");
        let index = match &mut self.order {
            None if self.next < self.futures.len() => {
                self.next += 1;
                self.next - 1
            }
            None => return None,
            Some(order) => order.next_index()?,
        };
        let result = self.futures[index].take();
        op.ends_with(|| format!("task {index}'s"));
        Some(result)
    }
}

impl<T, B: Backend> fmt::Debug for MapResults<T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapResults")
            .field("tasks", &self.futures.len())
            .finish_non_exhaustive()
    }
}

/// The future of a `u32` task as the [pool kind](PoolApi)'s.
impl<B: Backend> FutureApi for Future<u32, B> {
    fn result(&self) -> Outcome {
        let op = Operation::<B>::call("result()");
        op.returns(Future::result(self))
    }
    fn result_timeout(&self, timeout: std::time::Duration) -> Outcome {
        let op = Operation::<B>::begin(|| format!("result_timeout({timeout:?})"));
        op.returns(Future::result_timeout(self, timeout))
    }
    fn done(&self) -> bool {
        let op = Operation::<B>::call("done()");
        op.returns(Future::done(self))
    }
    fn cancel(&self) -> bool {
        let op = Operation::<B>::call("cancel()");
        op.returns(Future::cancel(self))
    }
}

/// The pool as the [pool kind](PoolApi).
impl<B: Backend, V: PoolVariant> PoolApi for ThreadPool<B, V> {
    type Future = Future<u32, B>;

    fn new(workers: usize) -> Self {
        ThreadPool::new_in(workers)
    }
    fn submit(&self, task: Task) -> Option<Future<u32, B>> {
        let op = Operation::<B>::call("submit(…)");
        let future = ThreadPool::submit(self, task).ok();
        op.returns(future.is_some());
        future
    }
    fn map(&self, tasks: Vec<Task>) -> Option<Box<dyn Iterator<Item = Outcome> + Send>> {
        let _op = Operation::<B>::begin(|| format!("map({} tasks)", tasks.len()));
        let results = ThreadPool::map(self, |task: Task| task(), tasks).ok()?;
        Some(Box::new(results))
    }
    fn as_completed(&self, futures: &[Future<u32, B>]) -> Vec<usize> {
        let op = Operation::<B>::begin(|| format!("as_completed({} futures)", futures.len()));
        op.returns(ThreadPool::as_completed(self, futures).indices().collect())
    }
    fn shutdown(&self, wait: bool) {
        let _op = Operation::<B>::begin(|| format!("shutdown({wait})"));
        ThreadPool::shutdown(self, wait);
    }
    fn pending(&self) -> usize {
        let op = Operation::<B>::call("pending()");
        op.returns(ThreadPool::pending(self))
    }
}

/// Each pool variant is the family of its [`ThreadPool`].
impl<V: PoolVariant> PoolFamily for V {
    type Pool<B: Backend> = ThreadPool<B, V>;
}

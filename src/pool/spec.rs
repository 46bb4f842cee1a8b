//! The pool's one sequential specification: the values of the futures
//! submitted so far, the worker count and whether the pool is shut down.
//! It serves the model test, the operation fuzz target and the
//! linearizability checker's generated programs.
//!
//! A pool's tasks run on its workers, so even a one-thread test of it has
//! other threads. To stay deterministic, the operations never ask a future
//! before the pool has gone idle ([`PoolApi::pending`] is 0): a race
//! between a task's end and its waiter (a lost wakeup, a late
//! registration) is for the scenarios, and the spec sees what a sequential
//! caller sees. Where the order of completion matters, the operations set
//! it themselves: [`PoolOp::MapReversed`]'s tasks finish last to first,
//! released one by one.

use std::marker::PhantomData;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use proptest::prelude::*;

use crate::backend::Backend;
use crate::event::Event;
use crate::kinds::model::Model;
use crate::kinds::{FutureApi, Outcome, PoolApi, PoolFamily, Task};
use crate::lab::spec::Spec;

/// A pool as a caller on one thread sees it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PoolSpec {
    /// Its worker threads.
    pub workers: usize,
    /// The value of each future submitted, in order (task `Submit(x)`
    /// returns `x`).
    pub values: Vec<u32>,
    /// Whether `shutdown` has been called.
    pub shut_down: bool,
}

impl PoolSpec {
    /// A new pool of `workers` threads.
    pub fn new(workers: usize) -> Self {
        PoolSpec {
            workers,
            values: Vec::new(),
            shut_down: false,
        }
    }
}

/// An operation on a pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolOp {
    /// Submit a task that returns this value.
    Submit(u32),
    /// The result of future `k` (modulo those submitted), once the pool is
    /// idle.
    Result(usize),
    /// Whether future `k` is done, once the pool is idle.
    Done(usize),
    /// Cancel future `k`, once the pool is idle (too late: it ran).
    Cancel(usize),
    /// `map` over `n` tasks, task `i` returning `i`.
    Map(u32),
    /// `map` over `n` tasks that finish in reverse order: each waits for a
    /// gate, and the gates open last to first, each once the task after it
    /// has finished. Needs `n` workers: with fewer, the first tasks hold
    /// every worker waiting for tasks queued behind them (the pool-induced
    /// deadlock), so the spec says it blocks.
    MapReversed(u32),
    /// Submit `n` tasks and take them `as_completed` once they have run.
    AsCompleted(u32),
    /// `shutdown(wait=true)`.
    Shutdown,
}

/// What a pool operation returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PoolRet {
    /// `Submit` queued the task.
    Submitted,
    /// The pool is shut down: the task (or map) was refused.
    Refused,
    /// No future has been submitted yet.
    NoFuture,
    /// `Result` gave this.
    Got(Outcome),
    /// `Done` said this.
    Done(bool),
    /// `Cancel` said this.
    Cancelled(bool),
    /// `Map` or `MapReversed` yielded these, in this order.
    Mapped(Vec<Outcome>),
    /// `as_completed` yielded the futures at these positions, sorted.
    Completed(Vec<usize>),
    /// `Shutdown` returned.
    ShutDown,
    /// The pool did not go idle within [`PATIENCE`]: a task never finished.
    Stuck,
}

/// How long an operation waits, on the real clock, for the pool to go
/// idle before it reports [`PoolRet::Stuck`]; the spec never says so.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// How many times an operation yields, under loom and shuttle, for the
/// pool to go idle before it reports [`PoolRet::Stuck`].
pub const MODEL_PATIENCE: usize = 1_000;

impl Spec for PoolSpec {
    type Op = PoolOp;
    type Ret = PoolRet;

    fn apply(&self, op: &PoolOp) -> Option<(PoolRet, Self)> {
        let mut next = self.clone();
        let ret = match *op {
            PoolOp::Submit(_)
            | PoolOp::Map(_)
            | PoolOp::MapReversed(_)
            | PoolOp::AsCompleted(_)
                if self.shut_down =>
            {
                PoolRet::Refused
            }
            PoolOp::Submit(value) => {
                next.values.push(value);
                PoolRet::Submitted
            }
            PoolOp::Result(_) | PoolOp::Done(_) | PoolOp::Cancel(_) if self.values.is_empty() => {
                PoolRet::NoFuture
            }
            PoolOp::Result(k) => PoolRet::Got(Ok(self.values[k % self.values.len()])),
            PoolOp::Done(_) => PoolRet::Done(true),
            PoolOp::Cancel(_) => PoolRet::Cancelled(false),
            PoolOp::MapReversed(n) if n as usize > self.workers => return None,
            PoolOp::Map(n) | PoolOp::MapReversed(n) => PoolRet::Mapped((0..n).map(Ok).collect()),
            PoolOp::AsCompleted(n) => PoolRet::Completed((0..n as usize).collect()),
            PoolOp::Shutdown => {
                next.shut_down = true;
                PoolRet::ShutDown
            }
        };
        Some((ret, next))
    }
}

/// A pool with the futures its operations submitted.
pub struct Harness<P: PoolApi> {
    pool: P,
    futures: Mutex<Vec<Arc<P::Future>>>,
}

impl<P: PoolApi> Harness<P> {
    /// A new pool of `workers` threads.
    pub fn new(workers: usize) -> Self {
        Harness {
            pool: P::new(workers),
            futures: Mutex::new(Vec::new()),
        }
    }

    /// Future `k` modulo those submitted, if any.
    fn future(&self, k: usize) -> Option<Arc<P::Future>> {
        let futures = self.futures.lock().unwrap_or_else(PoisonError::into_inner);
        (!futures.is_empty()).then(|| Arc::clone(&futures[k % futures.len()]))
    }

    /// Waits, yielding in world `B`, until at most `pending` tasks are
    /// unfinished; false if that took longer than [`PATIENCE`] on real
    /// threads, or [`MODEL_PATIENCE`] yields under loom and shuttle (whose
    /// time does not pass while a thread yields).
    fn settle<B: Backend>(&self, pending: usize) -> bool {
        let start = Instant::now();
        let mut yields = 0;
        while self.pool.pending() > pending {
            let model = B::SPIN_LIMIT == 0; // the models do not spin
            if (model && yields > MODEL_PATIENCE) || (!model && start.elapsed() > PATIENCE) {
                return false;
            }
            yields += 1;
            B::yield_now();
        }
        true
    }

    /// Waits for the pool to go idle, then asks `ask`.
    fn idle_then<B: Backend>(&self, ask: impl FnOnce() -> PoolRet) -> PoolRet {
        if self.settle::<B>(0) {
            ask()
        } else {
            PoolRet::Stuck
        }
    }
}

/// A task that returns `value`.
pub(crate) fn returning(value: u32) -> Task {
    Box::new(move || value)
}

/// Tasks `0..n`, task `i` returning `i`.
fn tasks(n: u32) -> Vec<Task> {
    (0..n).map(returning).collect()
}

/// Performs `op` on `harness`'s pool in world `B` and returns what it
/// returned, as the spec says it.
pub fn perform<B: Backend, P: PoolApi>(harness: &Harness<P>, op: &PoolOp) -> PoolRet {
    let pool = &harness.pool;
    let with_future = |k: usize, ask: fn(&P::Future) -> PoolRet| match harness.future(k) {
        None => PoolRet::NoFuture,
        Some(future) => harness.idle_then::<B>(|| ask(&future)),
    };
    match *op {
        PoolOp::Submit(value) => match pool.submit(returning(value)) {
            Some(future) => {
                let mut futures = harness
                    .futures
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                futures.push(Arc::new(future));
                PoolRet::Submitted
            }
            None => PoolRet::Refused,
        },
        PoolOp::Result(k) => with_future(k, |future| PoolRet::Got(future.result())),
        PoolOp::Done(k) => with_future(k, |future| PoolRet::Done(future.done())),
        PoolOp::Cancel(k) => with_future(k, |future| PoolRet::Cancelled(future.cancel())),
        PoolOp::Map(n) => match pool.map(tasks(n)) {
            Some(results) => harness.idle_then::<B>(|| PoolRet::Mapped(results.collect())),
            None => PoolRet::Refused,
        },
        PoolOp::MapReversed(n) => {
            if !harness.settle::<B>(0) {
                return PoolRet::Stuck;
            }
            let gates: Arc<Vec<Event<B>>> = Arc::new((0..n).map(|_| Event::new_in()).collect());
            let gated = (0..n)
                .map(|i| {
                    let gates = Arc::clone(&gates);
                    Box::new(move || {
                        gates[i as usize].wait();
                        i
                    }) as Task
                })
                .collect();
            let Some(results) = pool.map(gated) else {
                return PoolRet::Refused;
            };
            let stuck = (0..n as usize).rev().any(|i| {
                gates[i].set();
                !harness.settle::<B>(i)
            });
            if stuck {
                // Let every task go, so that the pool can still shut down.
                gates.iter().for_each(Event::set);
                return PoolRet::Stuck;
            }
            PoolRet::Mapped(results.collect())
        }
        PoolOp::AsCompleted(n) => {
            let futures: Option<Vec<P::Future>> =
                tasks(n).into_iter().map(|t| pool.submit(t)).collect();
            let Some(futures) = futures else {
                return PoolRet::Refused;
            };
            harness.idle_then::<B>(|| {
                let mut order = pool.as_completed(&futures);
                order.sort_unstable();
                PoolRet::Completed(order)
            })
        }
        PoolOp::Shutdown => {
            pool.shutdown(true);
            PoolRet::ShutDown
        }
    }
}

/// A pool of family `F` with its spec ([`Model`]): the model test applies
/// up to 24 operations to a pool of 1 to 3 workers on real threads; the
/// generated programs run those that need no list of futures and no
/// gates (two threads' gated tasks could hold every worker).
#[derive(Debug)]
pub struct PoolModel<F>(PhantomData<F>);

impl<F: PoolFamily> Model for PoolModel<F> {
    type Spec = PoolSpec;
    type Object<B: Backend> = Harness<F::Pool<B>>;

    fn new<B: Backend>(workers: usize) -> Harness<F::Pool<B>> {
        Harness::new(workers)
    }

    fn initial(workers: usize) -> PoolSpec {
        PoolSpec::new(workers)
    }

    fn perform<B: Backend>(harness: &Harness<F::Pool<B>>, op: &PoolOp) -> PoolRet {
        perform::<B, _>(harness, op)
    }

    fn ops() -> impl Strategy<Value = PoolOp> + Clone {
        prop_oneof![
            4 => (0..100u32).prop_map(PoolOp::Submit),
            2 => (0..8usize).prop_map(PoolOp::Result),
            1 => (0..8usize).prop_map(PoolOp::Done),
            1 => (0..8usize).prop_map(PoolOp::Cancel),
            1 => (1..4u32).prop_map(PoolOp::Map),
            2 => (2..4u32).prop_map(PoolOp::MapReversed),
            1 => (1..3u32).prop_map(PoolOp::AsCompleted),
            1 => Just(PoolOp::Shutdown),
        ]
    }

    /// Submit, map, `as_completed` and shutdown. Not `Result`, `Done` or
    /// `Cancel`: they find their future in a list the harness keeps beside
    /// the pool and extends once `submit` has returned, so a thread that
    /// asks while another's submit is between the two would see the list
    /// behind the pool: a history no pool could be blamed for.
    fn concurrent_ops() -> impl Strategy<Value = PoolOp> + Clone {
        prop_oneof![
            (0..4u32).prop_map(PoolOp::Submit),
            (1..3u32).prop_map(PoolOp::Map),
            (1..3u32).prop_map(PoolOp::AsCompleted),
            Just(PoolOp::Shutdown),
        ]
    }

    /// 1 to 3 workers.
    fn parameters() -> impl Strategy<Value = usize> + Clone {
        1..4usize
    }
}

//! A user's executor checked with the pool kind: a thread per task (the
//! guide's over-threading, which a pool avoids), each future the task's
//! join handle. Its bug is the guide's thread leakage in another shape: a
//! future dropped without being asked leaks its thread. The fix joins the
//! thread in the future's `Drop`.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use synclab::TaskError;
use synclab::backend::{AtomicU32Ops, Backend, Join, Ordering};
use synclab::kinds::{FutureApi, Outcome, PoolApi, PoolFamily, Task, poll_for};
use synclab::lab::Budget;
use synclab::lab::failure::FailureKind;
use synclab::own;

/// A thread per task; with `JOIN_ON_DROP`, a future dropped unasked joins
/// its thread.
struct PerTask<B: Backend, const JOIN_ON_DROP: bool> {
    shut_down: B::AtomicU32,
    /// Tasks started and not finished.
    running: Arc<B::AtomicU32>,
}

/// A task's thread and, once joined, its outcome.
struct TaskFuture<B: Backend, const JOIN_ON_DROP: bool> {
    thread: Mutex<Option<B::JoinHandle<Outcome>>>,
    outcome: Mutex<Option<Outcome>>,
    finished: Arc<B::AtomicU32>,
}

impl<B: Backend, const J: bool> FutureApi for TaskFuture<B, J> {
    fn result(&self) -> Outcome {
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let mut outcome = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(thread) = thread {
            *outcome = Some(thread.join());
        }
        outcome.clone().expect("a joined task has an outcome")
    }
    fn result_timeout(&self, timeout: Duration) -> Outcome {
        poll_for(timeout, || self.done().then(|| self.result())).unwrap_or(Err(TaskError::TimedOut))
    }
    fn done(&self) -> bool {
        self.finished.load(Ordering::Acquire) == 1
    }
    fn cancel(&self) -> bool {
        false // every task starts at once
    }
}

impl<B: Backend, const JOIN_ON_DROP: bool> Drop for TaskFuture<B, JOIN_ON_DROP> {
    fn drop(&mut self) {
        let thread = self
            .thread
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread
            && JOIN_ON_DROP
            && !B::abandon_guards()
        {
            let _ = thread.join();
        } // else the handle drops unjoined: the thread leaks
    }
}

impl<B: Backend, const J: bool> PerTask<B, J> {
    fn spawn(&self, task: Task) -> TaskFuture<B, J> {
        let finished = Arc::new(B::AtomicU32::new(0));
        let (done, running) = (Arc::clone(&finished), Arc::clone(&self.running));
        self.running.fetch_add(1, Ordering::Relaxed);
        let thread = B::spawn(move || {
            let outcome = catch_unwind(AssertUnwindSafe(task)).map_err(|payload| {
                if B::is_checker_panic(&*payload) {
                    resume_unwind(payload); // loom's or shuttle's own
                }
                let message = payload.downcast_ref::<&str>().map(|s| s.to_string());
                TaskError::Panicked(message.unwrap_or_default())
            });
            done.store(1, Ordering::Release);
            running.fetch_sub(1, Ordering::Release);
            outcome
        });
        TaskFuture {
            thread: Mutex::new(Some(thread)),
            outcome: Mutex::new(None),
            finished,
        }
    }
}

impl<B: Backend, const J: bool> PoolApi for PerTask<B, J> {
    type Future = TaskFuture<B, J>;

    fn new(_workers: usize) -> Self {
        PerTask {
            shut_down: B::AtomicU32::new(0),
            running: Arc::new(B::AtomicU32::new(0)),
        }
    }
    fn submit(&self, task: Task) -> Option<TaskFuture<B, J>> {
        (self.shut_down.load(Ordering::Acquire) == 0).then(|| self.spawn(task))
    }
    fn map(&self, tasks: Vec<Task>) -> Option<Box<dyn Iterator<Item = Outcome> + Send>> {
        let futures: Option<Vec<_>> = tasks.into_iter().map(|task| self.submit(task)).collect();
        Some(Box::new(futures?.into_iter().map(|future| future.result())))
    }
    fn as_completed(&self, futures: &[TaskFuture<B, J>]) -> Vec<usize> {
        let mut order = Vec::new();
        while order.len() < futures.len() {
            match (0..futures.len()).find(|i| !order.contains(i) && futures[*i].done()) {
                Some(next) => order.push(next),
                None => B::yield_now(),
            }
        }
        order
    }
    fn shutdown(&self, wait: bool) {
        self.shut_down.store(1, Ordering::Release);
        while wait && self.pending() > 0 {
            B::yield_now();
        }
    }
    fn pending(&self) -> usize {
        self.running.load(Ordering::Acquire) as usize
    }
}

struct PerTaskOf<const JOIN_ON_DROP: bool>;

impl<const J: bool> PoolFamily for PerTaskOf<J> {
    type Pool<B: Backend> = PerTask<B, J>;
}

#[test]
fn a_thread_per_task_executor_that_joins_its_futures_passes() {
    own::check_pool::<PerTaskOf<true>>(&Budget::patient()).assert_clean();
}

/// The scenarios ask every future, so they pass; the model test's
/// operations leave some futures unasked, and each drops its thread
/// unjoined: a leak, at the line that spawned it.
#[test]
fn a_thread_per_task_executor_whose_unasked_futures_leak_is_caught() {
    let report = own::check_pool::<PerTaskOf<false>>(&Budget::default());
    let leak = report.assert_caught(FailureKind::Leak);
    assert!(leak.message.contains("tests/own_pool.rs"), "{report}");
}

//! The pool's broken variants: each overrides one step of [`PoolVariant`].
//! The pool's usage pitfall, a task waiting on a task queued behind it, is
//! a scenario ([`pool_nested`](super::scenarios::pool_nested)).

use super::{Future, PoolVariant, TaskError, Waiter};
use crate::backend::Backend;
use crate::condition::Condvar;

/// Completion stores the outcome and wakes nobody.
///
/// **Bug:** the worker sets the future's state but forgets the
/// `notify_all` on the condition `result` waits on.
///
/// | T0 (main) | T1 (worker) |
/// |---|---|
/// | `result()`: not finished, sleeps | |
/// | | runs the task, stores its value, notifies nobody |
/// | sleeps forever | takes the next job |
///
/// **Consequence:** a lost wakeup: whoever waits for the result before it
/// comes sleeps forever; whoever asks after it comes gets it. **Caught by**
/// loom and shuttle, as a deadlock; a real-thread run hangs when `result`
/// parks before the task ends. **Escapes** the model test and the
/// linearizability checker's programs, which wait for the pool to go idle
/// before they ask a future (see [`spec`](super::spec)).
#[derive(Debug, Clone, Copy, Default)]
pub struct LostCompletion;

impl PoolVariant for LostCompletion {
    fn wake_waiters<B: Backend>(_finished: &Condvar<B>) {
        // BUG(pool-lost-completion): was finished.notify_all()
    }
}

/// `as_completed` looks whether a future has finished, then registers with
/// it: check, then act.
///
/// **Bug:** the look and the registration are two critical sections of the
/// future's lock; a completion between them hands out its waiters before
/// this one is among them, and never tells it.
///
/// | T0 (main) | T1 (worker) |
/// |---|---|
/// | `as_completed`: future not finished | |
/// | | finishes the task, tells its waiters (none) |
/// | registers as a waiter | |
/// | waits for a completion that has come and gone | |
///
/// **Consequence:** `as_completed` waits forever for a future that has
/// finished. **Caught by** loom and shuttle, as a deadlock; a real-thread
/// run hangs when the window opens. **Escapes** the model test and the
/// linearizability checker's programs, which call `as_completed` once
/// every future has finished.
#[derive(Debug, Clone, Copy, Default)]
pub struct RegisterLate;

impl PoolVariant for RegisterLate {
    fn register<T, B: Backend>(future: &Future<T, B>, waiter: Waiter<B>) -> Option<u32> {
        // BUG(pool-as-completed-race): was future.register(waiter), one
        // look and one registration under one lock.
        if let Some(stamp) = future.finished_stamp() {
            return Some(stamp);
        }
        future.add_waiter(waiter);
        None
    }
}

/// `shutdown(wait=True)` returns without joining the workers.
///
/// **Bug:** the stop signals are queued, but the workers' handles are
/// dropped instead of joined: the threads run on, detached, after the
/// pool is gone (the guide's "thread leakage").
///
/// | T0 (main) | T1 (worker) |
/// |---|---|
/// | submits two tasks, waits for both | runs them, then waits for a job |
/// | `shutdown(true)`: queues the stop signal, drops the handle: leak | |
/// | returns: "every worker stopped" | wakes to the stop signal, ends unjoined |
///
/// No interleaving is needed: the handle goes unjoined in every run.
///
/// **Consequence:** a thread leak: a worker that outlives its pool (still
/// running a task, had one been queued), and a thread nobody joins. The
/// lab's backend reports a join handle dropped without a join as a leak, in
/// every world ([`Backend::spawn`]), so **caught by** every checker that
/// shuts the pool down, at its first run: loom, shuttle, stress, the model
/// test and the linearizability checker.
#[derive(Debug, Clone, Copy, Default)]
pub struct LeakyShutdown;

impl PoolVariant for LeakyShutdown {
    fn join_workers<B: Backend>(workers: Vec<B::JoinHandle<()>>) {
        drop(workers); // BUG(pool-leaky-shutdown): was a join of each
    }
}

/// A task's panic kills its worker.
///
/// **Bug:** the worker runs the task without catching its panic, so the
/// panic unwinds out of the worker's loop and ends the thread (as it ends
/// any std thread). The task's future never completes, and neither does
/// any queued behind it once no worker is left.
///
/// | T0 (main) | T1 (the only worker) |
/// |---|---|
/// | submits a task that panics, then another | |
/// | | runs the first: it panics, the worker dies |
/// | `shutdown(true)`: queues the stop signal, joins the dead worker | |
/// | the second future is not done | |
///
/// **Consequence:** stranded futures (asked for its result, the second
/// future would never answer), and a pool one worker short for good.
/// **Caught by** loom, shuttle and stress in every run: no interleaving
/// is needed. **Escapes** the model test and the linearizability checker,
/// whose tasks never panic.
#[derive(Debug, Clone, Copy, Default)]
pub struct DyingWorker;

impl PoolVariant for DyingWorker {
    fn run<B: Backend, T>(task: impl FnOnce() -> T) -> Result<T, TaskError> {
        Ok(task()) // BUG(pool-dying-worker): was future::catch::<B, T>(task)
    }
}

/// `map` yields its results as they complete.
///
/// **Bug:** `map` walks its futures `as_completed` instead of in the order
/// of its items: a sequential bug, visible whenever two tasks finish out of
/// order.
///
/// | T0 (main) | T1 (worker) | T2 (worker) |
/// |---|---|---|
/// | `map(f, [0, 1])` | | |
/// | | | finishes `f(1)` |
/// | | finishes `f(0)` | |
/// | yields `f(1)`, then `f(0)` | | |
///
/// **Consequence:** results out of order: Python's `map` promises the
/// order of its inputs. **Caught by** loom and shuttle, which try either
/// completion order, by the model test, whose tasks finish in reverse
/// order on purpose, and by the linearizability checker.
#[derive(Debug, Clone, Copy, Default)]
pub struct CompletionOrderMap;

impl PoolVariant for CompletionOrderMap {
    const MAP_IN_INPUT_ORDER: bool = false; // BUG(pool-completion-order-map): was true
}

//! The thread pool's documented behaviour (panics, cancellation, shutdown,
//! order), the leak the backend reports, and the pool kind in the kit.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use synclab::backend::{Backend, Join, Std};
use synclab::catalogue;
use synclab::lab::Budget;
use synclab::lab::checkers::Checker;
use synclab::lab::failure::{Bug, FailureKind};
use synclab::own;
use synclab::pool::broken::{CompletionOrderMap, LostCompletion};
use synclab::pool::{self, ShutDown};
use synclab::{Event, TaskError, ThreadPool};

/// A task's panic reaches `result()` as Python's `future.exception()`, and
/// the worker, the pool's only one, goes on serving.
#[test]
fn a_tasks_panic_reaches_result_and_the_pool_keeps_serving() {
    let pool = ThreadPool::new(1);
    let failed = pool
        .submit(|| -> u32 { panic!("task 1 fails on purpose") })
        .unwrap();
    let after: Vec<_> = (0..10)
        .map(|i| pool.submit(move || i * 2).unwrap())
        .collect();
    assert_eq!(
        failed.result(),
        Err(TaskError::Panicked("task 1 fails on purpose".into()))
    );
    // Asked again, the same answer: a result is kept, not taken.
    assert!(matches!(failed.result(), Err(TaskError::Panicked(_))));
    for (i, future) in after.iter().enumerate() {
        assert_eq!(future.result(), Ok(i as u32 * 2));
    }
    assert_eq!(
        pool.submit(|| "still serving").unwrap().result(),
        Ok("still serving")
    );
}

/// The same under loom and shuttle: the scenario with a panicking task
/// passes on the correct pool, and a pool whose worker dies of the panic
/// strands the task behind it.
#[test]
fn a_worker_that_dies_of_a_panic_strands_the_queue_behind_it() {
    let budget = Budget::default();
    for checker in [Checker::Loom, Checker::ShuttleRandom] {
        let correct = catalogue::find("pool-panic").unwrap();
        let run = correct.run(checker, &budget).unwrap();
        assert!(run.failure.is_none(), "{checker}: {:?}", run.failure);
        assert!(run.schedules > 0);
        let dying = catalogue::find("pool-dying-worker").unwrap();
        let failure = dying.run(checker, &budget).unwrap().failure.unwrap();
        assert_eq!(failure.kind, FailureKind::Assertion(Bug::StrandedFuture));
    }
}

/// A shutdown that does not join its workers is a leak, reported where the
/// handle was dropped with the place the thread was spawned; the same
/// scenario passes on the correct pool.
#[test]
fn a_shutdown_that_does_not_join_is_caught_as_a_leak() {
    let budget = Budget::default();
    for checker in [Checker::Loom, Checker::ShuttlePct, Checker::Model] {
        let leaky = catalogue::find("pool-leaky-shutdown").unwrap();
        let failure = leaky.run(checker, &budget).unwrap().failure.unwrap();
        assert_eq!(failure.kind, FailureKind::Leak, "{checker}: {failure}");
        assert!(
            failure.message.contains("was never joined") && failure.message.contains("src/pool/"),
            "{checker}: {}",
            failure.message
        );
        let correct = catalogue::find("pool-correct").unwrap();
        let run = correct.run(checker, &budget).unwrap();
        assert!(run.failure.is_none(), "{checker}: {:?}", run.failure);
    }
}

/// Any thread of the backend dropped without a join is a leak on real
/// threads too (the catalogue's leaky shutdown shows it under loom and
/// shuttle); a joined or detached one is not.
#[test]
fn a_thread_never_joined_is_a_leak_on_real_threads_too() {
    let leaked = std::panic::catch_unwind(|| drop(Std::spawn(|| ()))).unwrap_err();
    let failure = synclab::lab::failure::Failure::from_panic(leaked);
    assert_eq!(failure.kind, FailureKind::Leak);
    assert!(
        failure.message.contains("tests/pool.rs"),
        "{}",
        failure.message
    );
    Std::spawn(|| ()).join();
    Std::spawn(|| ()).detach();
}

/// A task that holds the last handle to its pool drops it on a worker: the
/// pool stops without waiting for that worker, and a task asking for a
/// waiting shutdown on its own worker gets a clear refusal as its outcome.
#[test]
fn a_pool_dropped_or_shut_down_by_its_own_task() {
    let pool = Arc::new(ThreadPool::new(2));
    let refused = {
        let pool = Arc::clone(&pool);
        pool.clone().submit(move || pool.shutdown(true)).unwrap()
    };
    let Err(TaskError::Panicked(message)) = refused.result() else {
        panic!("a waiting shutdown on a worker must be refused");
    };
    assert!(message.contains("would wait for itself"), "{message}");
    let gate = Arc::new(Event::new());
    let last = {
        let (pool, gate) = (Arc::clone(&pool), Arc::clone(&gate));
        pool.clone()
            .submit(move || {
                gate.wait();
                drop(pool); // the last handle: the pool drops here, on its worker
            })
            .unwrap()
    };
    drop(pool);
    gate.set();
    assert_eq!(last.result(), Ok(()));
}

/// `cancel` works on a task that has not started, and not on one that has.
#[test]
fn cancel_stops_a_queued_task_only() {
    let pool = ThreadPool::new(1);
    let gate = Arc::new(Event::new());
    let running = {
        let gate = Arc::clone(&gate);
        pool.submit(move || gate.wait()).unwrap()
    };
    let ran = Arc::new(AtomicU32::new(0));
    let queued = {
        let ran = Arc::clone(&ran);
        pool.submit(move || ran.fetch_add(1, Ordering::Relaxed))
            .unwrap()
    };
    assert!(queued.cancel());
    assert!(queued.cancel(), "cancelling twice still says cancelled");
    assert!(queued.done());
    assert_eq!(queued.result(), Err(TaskError::Cancelled));
    gate.set();
    assert_eq!(running.result(), Ok(()));
    assert!(!running.cancel(), "a finished task cannot be cancelled");
    pool.shutdown(true);
    assert_eq!(
        ran.load(Ordering::Relaxed),
        0,
        "a cancelled task never runs"
    );
}

/// `result_timeout` gives up on a task that has not finished, and the task
/// goes on.
#[test]
fn result_timeout_gives_up_without_stopping_the_task() {
    let pool = ThreadPool::new(1);
    let gate = Arc::new(Event::new());
    let future = {
        let gate = Arc::clone(&gate);
        pool.submit(move || {
            gate.wait();
            5
        })
        .unwrap()
    };
    assert_eq!(
        future.result_timeout(Duration::ZERO),
        Err(TaskError::TimedOut)
    );
    assert_eq!(
        future.result_timeout(Duration::from_millis(5)),
        Err(TaskError::TimedOut)
    );
    gate.set();
    assert_eq!(future.result_timeout(Duration::MAX), Ok(5));
}

/// After `shutdown` every submit and map is refused; tasks queued before
/// it still run; a second shutdown does no harm.
#[test]
fn shutdown_runs_what_was_queued_and_refuses_the_rest() {
    let pool = ThreadPool::new(2);
    let futures: Vec<_> = (0..20).map(|i| pool.submit(move || i).unwrap()).collect();
    pool.shutdown(false);
    assert_eq!(pool.submit(|| 0).unwrap_err(), ShutDown);
    assert!(pool.map(|x: u32| x, [1]).is_err());
    pool.shutdown(true);
    pool.shutdown(true);
    assert!(futures.iter().all(|future| future.done()));
    assert_eq!(pool.pending(), 0);
}

/// `map` yields in input order however the tasks finish; `as_completed`
/// in the order they finish.
#[test]
fn map_keeps_input_order_and_as_completed_keeps_completion_order() {
    let pool = ThreadPool::new(3);
    let gates: Arc<Vec<Event>> = Arc::new((0..3).map(|_| Event::new()).collect());
    let gated = |pool: &ThreadPool, i: usize| {
        let gates = Arc::clone(&gates);
        pool.submit(move || {
            gates[i].wait();
            i
        })
        .unwrap()
    };
    let futures: Vec<_> = (0..3).map(|i| gated(&pool, i)).collect();
    for i in [2, 0, 1] {
        gates[i].set();
        futures[i].result().unwrap();
    }
    let order: Vec<usize> = pool
        .as_completed(&futures)
        .map(|f| f.result().unwrap())
        .collect();
    assert_eq!(order, [2, 0, 1]);
    let doubled: Vec<u64> = pool
        .map(|x: u64| x * 2, 0..100)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(doubled, (0..100).map(|x| x * 2).collect::<Vec<_>>());
}

/// A pool needs a worker; Python's default is `min(32, cpus + 4)`.
#[test]
fn worker_counts() {
    let zero = std::panic::catch_unwind(|| ThreadPool::new(0)).unwrap_err();
    assert!(
        synclab::lab::failure::Failure::from_panic(zero)
            .message
            .contains("at least one worker")
    );
    let default = ThreadPool::default_workers();
    assert!((5..=32).contains(&default));
    assert_eq!(ThreadPool::default().workers(), default);
}

/// The pool kind in the kit: the lab's correct pool is clean under every
/// checker, and one that forgets to wake `result`'s waiters is caught.
#[test]
fn the_kit_checks_a_pool() {
    own::check_pool::<pool::Correct>(&Budget::patient()).assert_clean();
    let report = own::check_pool::<LostCompletion>(&Budget::default());
    report.assert_caught(FailureKind::Deadlock);
    let report = own::check_pool::<CompletionOrderMap>(&Budget::default());
    report.assert_caught(FailureKind::Assertion(Bug::OutOfOrder));
}

/// Dropping a pool runs what was queued and joins its workers: no leak.
#[test]
fn dropping_a_pool_joins_its_workers() {
    let pool = ThreadPool::new(4);
    let counter = Arc::new(AtomicU32::new(0));
    for _ in 0..100 {
        let counter = Arc::clone(&counter);
        pool.submit(move || counter.fetch_add(1, Ordering::Relaxed))
            .unwrap();
    }
    drop(pool);
    assert_eq!(counter.load(Ordering::Relaxed), 100);
}

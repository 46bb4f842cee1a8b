//! The pool's scenarios, each stating its invariant: waiting for futures
//! ([`pool_wait`]), `map`'s order ([`pool_map`]), a task's panic
//! ([`pool_panic`]) and the pool-induced deadlock ([`pool_nested`]). Each
//! shuts its pool down at the end, as the guide's `with` block does.
//!
//! Written against the [pool kind](PoolApi), so they run a user's pool as
//! well as the lab's. Small for loom: one or two workers, two tasks.

use std::sync::{Arc, Mutex, PoisonError};

use super::TaskError;
use super::spec::{PoolModel, returning};
use crate::backend::Backend;
use crate::ensure;
use crate::kinds::{FutureApi, Outcome, PoolApi, PoolFamily, Task, model};
use crate::lab::checkers::Subject;
use crate::lab::failure::Bug;
use crate::worlds;

/// Submits `task` to a pool that is not shut down.
fn submit<P: PoolApi>(pool: &P, task: Task) -> P::Future {
    pool.submit(task)
        .unwrap_or_else(|| panic!("a pool not shut down refused a task"))
}

/// Checks that a future of a task returning `value` gave it.
fn expect_value(outcome: &Outcome, value: u32, how: &str) {
    ensure!(
        *outcome == Ok(value),
        Bug::WrongResult,
        "{how} of a task returning {value} gave {outcome:?}"
    );
}

/// The guide's futures: a pool of family `F` with one worker runs two
/// tasks; the main thread waits for the first with `result()`, then for the
/// second with `as_completed`, and shuts the pool down.
///
/// Invariants: `result()` returns the task's value; `as_completed` yields
/// the second future, once; neither waits forever (no deadlock); shutdown
/// joins the worker (no leak).
pub fn pool_wait<B: Backend, F: PoolFamily>(_ops: u32) {
    let pool = <F::Pool<B> as PoolApi>::new(1);
    let first = submit(&pool, returning(1));
    let second = submit(&pool, returning(2));
    expect_value(&first.result(), 1, "result()");
    let order = pool.as_completed(std::slice::from_ref(&second));
    ensure!(
        order == [0],
        Bug::LostItem,
        "as_completed over one future yielded {order:?}"
    );
    expect_value(&second.result(), 2, "result()");
    pool.shutdown(true);
}

/// `map` over two tasks on a pool of family `F` with two workers, so
/// either may finish first.
///
/// Invariant: the results come in the order of the tasks.
pub fn pool_map<B: Backend, F: PoolFamily>(_ops: u32) {
    let pool = <F::Pool<B> as PoolApi>::new(2);
    let results: Vec<Outcome> = pool
        .map(vec![returning(1), returning(2)])
        .unwrap_or_else(|| panic!("a pool not shut down refused a map"))
        .collect();
    ensure!(
        results == [Ok(1), Ok(2)],
        Bug::OutOfOrder,
        "map over tasks returning 1 and 2 yielded {results:?}"
    );
    pool.shutdown(true);
}

/// A task's panic: a pool of family `F` with one worker runs a task that
/// panics, then one that returns 7; the main thread shuts the pool down
/// (waiting) and then looks at both futures.
///
/// Invariants: shutdown(wait) returns only once every queued task has run,
/// so the second future is done (not stranded); it gave 7; the first gave
/// the panic.
pub fn pool_panic<B: Backend, F: PoolFamily>(_ops: u32) {
    let pool = <F::Pool<B> as PoolApi>::new(1);
    let panicking = submit(&pool, Box::new(|| panic!("a task panics on purpose")));
    let behind = submit(&pool, returning(7));
    pool.shutdown(true);
    ensure!(
        behind.done(),
        Bug::StrandedFuture,
        "shutdown(wait) returned with the task queued behind a panicking one never run: no \
         worker was left to run it"
    );
    expect_value(&behind.result(), 7, "result()");
    let outcome = panicking.result();
    ensure!(
        matches!(outcome, Err(TaskError::Panicked(_))),
        Bug::WrongResult,
        "result() of a task that panicked gave {outcome:?}"
    );
}

/// The pool-induced deadlock, the guide's deadlock pitfall in executor
/// form: a pool of family `F` with one worker runs an outer task that
/// submits an inner one to the same pool.
///
/// With `NESTED`, the outer task waits for the inner one's result: the only
/// worker waits for a task queued behind itself. Without (the fix), the
/// outer task hands the inner future back, and the main thread, which is
/// no worker, waits for both.
///
/// Invariant: both results arrive (no deadlock).
pub fn pool_nested<B: Backend, F: PoolFamily, const NESTED: bool>(_ops: u32) {
    type Handed<P> = Mutex<Option<<P as PoolApi>::Future>>;
    let pool = Arc::new(<F::Pool<B> as PoolApi>::new(1));
    let handed: Arc<Handed<F::Pool<B>>> = Arc::new(Mutex::new(None));
    let outer = {
        let (same_pool, handed) = (Arc::clone(&pool), Arc::clone(&handed));
        submit(
            &*pool,
            Box::new(move || {
                let inner = submit(&*same_pool, returning(2));
                if NESTED {
                    // BUG(pool-nested-wait): was handing `inner` back to the
                    // caller; the pool's only worker waits for a task queued
                    // behind itself.
                    return inner.result().unwrap_or(0) + 1;
                }
                *handed.lock().unwrap_or_else(PoisonError::into_inner) = Some(inner);
                1
            }),
        )
    };
    let outer = outer.result();
    let inner = handed.lock().unwrap_or_else(PoisonError::into_inner).take();
    match inner {
        Some(inner) => {
            expect_value(&outer, 1, "the outer task's result()");
            expect_value(&inner.result(), 2, "the inner task's result()");
        }
        None => expect_value(&outer, 3, "the outer task's result()"),
    }
    pool.shutdown(true);
}

/// What the checkers run for a pool of family `F`: [`pool_wait`], the model
/// test of its spec and the linearizability checker's generated programs.
pub const fn subject<F: PoolFamily>() -> Subject {
    Subject {
        worlds: worlds!(pool_wait, F),
        sequential: Some(model::sequential::<PoolModel<F>>()),
        linearizability: Some(model::linearizability::<PoolModel<F>>),
    }
}

//! The pool's rows of the catalogue.

use super::broken::{CompletionOrderMap, DyingWorker, LeakyShutdown, LostCompletion, RegisterLate};
use super::scenarios::{self, subject};
use super::{Correct, PoolVariant};
use crate::lab::checkers::{Subject, Worlds};
use crate::lab::entry::{Entry, Expect, Expectations, Row, Why};
use crate::lab::failure::{Bug, FailureKind};
use crate::worlds;

/// The rows of the pool of variant `V` under `scenario` (in prose),
/// running `worlds` beside the pool's spec.
const fn pool<V: PoolVariant>(scenario: &'static str, worlds: Worlds) -> Row {
    let subject = Subject {
        worlds,
        ..subject::<V>()
    };
    Row::new("pool", scenario, subject)
}

const WAIT: &str = "a pool of one worker runs two tasks; main waits for the first with result() \
                    and the second with as_completed, then shuts the pool down: both values \
                    arrive, each once, and the worker is joined";
const MAP: &str = "map over two tasks on a pool of two workers, either of which may finish \
                   first: the results come in the order of the tasks";
const PANIC: &str = "a pool of one worker runs a task that panics, then one that returns 7; \
                     after shutdown(wait) the second is done with 7 and the first holds the panic";
const NESTED: &str = "a pool of one worker runs a task that submits another to the same pool; \
                      both results must arrive";

/// The rows of the pool of variant `V` waiting for futures.
const fn wait<V: PoolVariant>() -> Row {
    pool::<V>(WAIT, worlds!(scenarios::pool_wait, V))
}

/// The rows of the pool of variant `V` under `map`.
const fn map<V: PoolVariant>() -> Row {
    pool::<V>(MAP, worlds!(scenarios::pool_map, V))
}

/// The rows of the pool of variant `V` with a panicking task.
const fn panic<V: PoolVariant>() -> Row {
    pool::<V>(PANIC, worlds!(scenarios::pool_panic, V))
}

/// The rows of a usage of the pool.
const fn usage(worlds: Worlds) -> Row {
    Row::new("pool (usage)", NESTED, Subject::scenario(worlds))
}

/// The model test and the generated programs wait for the pool to go idle
/// before they ask a future.
const ASKS_WHEN_IDLE: Expect = Expect::Escape(Why {
    tag: "asks an idle pool",
    text: "the spec's operations ask a future only once the pool is idle, so no waiter races \
           the task's end",
});

/// A race between a task's end and its waiter: a deadlock for the
/// scheduling checkers; the spec's callers never wait on a running task.
const fn waiter_race() -> Expectations {
    Expectations {
        model: ASKS_WHEN_IDLE,
        linearizability: ASKS_WHEN_IDLE,
        ..Expectations::lost_wakeup()
    }
}

const LEAK: FailureKind = FailureKind::Leak;
const STRANDED: Expect = Expect::Catch(FailureKind::Assertion(Bug::StrandedFuture));

/// The spec's tasks, and the generated programs', never panic.
const NO_TASK_PANICS: Expect = Expect::Escape(Why {
    tag: "no task panics",
    text: "the spec's tasks never panic, so every worker lives",
});

/// The pool's rows, correct ones first.
pub static ENTRIES: &[Entry] = &[
    wait::<Correct>().correct("correct", "pool-correct"),
    map::<Correct>().correct("map", "pool-map"),
    panic::<Correct>().correct("panic", "pool-panic"),
    wait::<LostCompletion>().broken(
        "lost-completion",
        "pool-lost-completion",
        "completion stores the result and wakes nobody: a waiter already asleep in result() \
         sleeps forever",
        waiter_race(),
    ),
    wait::<RegisterLate>().broken(
        "as-completed-race",
        "pool-as-completed-race",
        "as_completed looks whether a future is done, then registers with it: a completion in \
         between is missed",
        waiter_race(),
    ),
    wait::<LeakyShutdown>().broken(
        "leaky-shutdown",
        "pool-leaky-shutdown",
        "shutdown(wait) drops the workers' handles instead of joining them: the threads leak",
        Expectations {
            loom: Expect::Catch(LEAK),
            shuttle_random: Expect::Catch(LEAK),
            shuttle_pct: Expect::Catch(LEAK),
            stress: Expect::Observe(LEAK),
            model: Expect::Catch(LEAK),
            linearizability: Expect::Catch(LEAK),
        },
    ),
    panic::<DyingWorker>().broken(
        "dying-worker",
        "pool-dying-worker",
        "a task's panic unwinds out of its worker and ends it: the tasks queued behind it are \
         stranded",
        // No interleaving needed: the only worker dies in every run.
        Expectations {
            loom: STRANDED,
            shuttle_random: STRANDED,
            shuttle_pct: STRANDED,
            stress: Expect::Observe(FailureKind::Assertion(Bug::StrandedFuture)),
            model: NO_TASK_PANICS,
            linearizability: NO_TASK_PANICS,
        },
    ),
    map::<CompletionOrderMap>().broken(
        "completion-order-map",
        "pool-completion-order-map",
        "map yields its results as they complete instead of in the order of its items",
        Expectations {
            model: Expect::Catch(FailureKind::Assertion(Bug::WrongResult)),
            ..Expectations::race(FailureKind::Assertion(Bug::OutOfOrder))
        },
    ),
    usage(worlds!(scenarios::pool_nested, Correct, false))
        .correct("caller-waits", "pool-caller-waits"),
    usage(worlds!(scenarios::pool_nested, Correct, true)).broken(
        "nested-wait",
        "pool-nested-wait",
        "a task waits for the future of a task it queued behind itself on the pool's only \
         worker: pool-induced deadlock",
        // No interleaving needed: the only worker waits for itself in
        // every run, so even a real-thread run sees it every time.
        Expectations::lost_wakeup(),
    ),
];

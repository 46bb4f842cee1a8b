//! The guide's two classic misuses of a condition, each beside its fix:
//! `if` instead of `while` ([`condition_consumers`]) and notifying before
//! the state change ([`condition_handoff`]).

use std::sync::Arc;

use super::Condition;
use crate::backend::{Backend, run_threads};
use crate::ensure;
use crate::lab::failure::Bug;

/// The guide's consumer loop: one producer adds two items, one at a time,
/// and two consumers take one each, waiting on a [`Condition`] while the
/// queue is empty. With `IF_NOT_WHILE` the consumers check with `if`, so a
/// consumer that returns from its wait takes without looking again:
///
/// | P (2 items) | C1 | C2 |
/// |---|---|---|
/// | put 1, notify: no consumer waits | | |
/// | | lock: 1 item, takes it | |
/// | | | lock: empty, wait |
/// | | | the wait returns at once: its snapshot of the notify count is stale (the put's notify not yet visible), so the count looks changed |
/// | | | relock; `if` does not re-check: takes from an empty queue |
///
/// A preemption (after P's first put) and a stale read: under weak memory
/// the put's notify counts as a wakeup for a wait that began after it.
/// Under sequential consistency (shuttle) C2 sleeps instead, and the same
/// bug needs P's notify to wake it and C1 to take the item before C2
/// relocks.
///
/// **Consequence:** a consumer takes from an empty queue. **Caught by** loom
/// and shuttle; a real-thread stress run sees it as often as the window
/// opens. No sequential model or recorded scenario applies to this usage.
///
/// Invariant: a consumer never takes from an empty queue.
pub fn condition_consumers<B: Backend, const IF_NOT_WHILE: bool>(ops: u32) {
    let shared = Arc::new((Condition::<u32, B>::new_in(0), ops));
    run_threads::<B, _>(3, &shared, |(condition, ops), index| {
        for _ in 0..*ops {
            if index == 0 {
                for _ in 0..2 {
                    *condition.lock() += 1;
                    condition.notify_one();
                }
                continue;
            }
            consume(condition, IF_NOT_WHILE);
        }
    });
}

/// A consumer's turn: waits on `condition` while the queue is empty (with
/// `if_not_while`, looks once), then takes an item.
fn consume<B: Backend>(condition: &Condition<u32, B>, if_not_while: bool) {
    let mut items = condition.lock();
    if if_not_while {
        // BUG(condition-if-not-while): was `while`; another consumer can
        // take the item between the notify and our wakeup.
        // BUG(condition-if-spurious): was `while` too; with one consumer no
        // other takes the item, but a wakeup may be spurious.
        if *items == 0 {
            items = condition.wait(items);
        }
    } else {
        while *items == 0 {
            items = condition.wait(items);
        }
    }
    ensure!(
        *items > 0,
        Bug::FalseState,
        "a consumer woke to an empty queue and took from it"
    );
    *items -= 1;
}

/// The guide's consumer loop with one consumer: a producer adds one item
/// and notifies; the consumer waits on a [`Condition`] while the queue is
/// empty. With `IF_NOT_WHILE` it checks with `if`, which no other consumer
/// can exploit here: only a spurious wakeup exposes it.
///
/// | P | C |
/// |---|---|
/// | | lock: empty, wait |
/// | | wakes spuriously: no put, no notify |
/// | | relock; `if` does not re-check: takes from an empty queue |
///
/// One step of the lab's kernel thread, which may wake a wait spuriously
/// once per execution (see [`kernel`](crate::lab::kernel)): run while the
/// producer could still run, it counts as loom's one preemption, and the
/// trace shows the wakeup in the consumer's column. Without it (loom's and
/// shuttle's own world) the only wakeup is the producer's, after its put,
/// and the bug never shows (KAFKA-17929's class: code that is
/// right only if condition variables never wake spuriously).
///
/// **Consequence:** the consumer takes from an empty queue. **Caught by**
/// loom and shuttle; a real-thread run sees it only if a futex wakes
/// spuriously there. No sequential model or recorded scenario applies.
///
/// Invariant: the consumer never takes from an empty queue.
pub fn condition_one_consumer<B: Backend, const IF_NOT_WHILE: bool>(_ops: u32) {
    let shared = Arc::new(Condition::<u32, B>::new_in(0));
    run_threads::<B, _>(2, &shared, |condition, index| {
        if index == 0 {
            *condition.lock() += 1;
            condition.notify_one();
            return;
        }
        consume(condition, IF_NOT_WHILE);
    });
}

/// A hand-off on a [`Condition`]: one thread sets `ready` and notifies, the
/// other waits while not ready. With `NOTIFY_FIRST` the notify is sent
/// before the state change, so it can reach nobody, and the state change
/// wakes nobody:
///
/// | T1 (notifies) | T2 (waits) |
/// |---|---|
/// | notify: nobody waits | |
/// | | lock: not ready, wait |
/// | | the wait returns at once: its snapshot of the notify count is stale, so the notify counts |
/// | | relock: still not ready, wait: sleeps |
/// | lock, ready: no notify follows | |
/// | exits | sleeps forever |
///
/// A preemption after the notify is all it takes. The early return is a
/// stale read under weak memory; under sequential consistency (shuttle) the
/// first wait sleeps at once, with the same ending.
///
/// **Consequence:** a lost wakeup. **Caught by** loom and shuttle, as a
/// deadlock; a real-thread run hangs until its watchdog fires. No
/// sequential model or recorded scenario applies to this usage.
///
/// Invariant: the waiter is released (no deadlock) and sees `ready`.
pub fn condition_handoff<B: Backend, const NOTIFY_FIRST: bool>(ops: u32) {
    let shared = Arc::new((Condition::<u32, B>::new_in(0), ops));
    run_threads::<B, _>(2, &shared, |(condition, ops), index| {
        for round in 1..=*ops {
            if index == 0 {
                if NOTIFY_FIRST {
                    // BUG(condition-notify-before-state): was: change the
                    // state, then notify.
                    condition.notify_one();
                    *condition.lock() = round;
                } else {
                    *condition.lock() = round;
                    condition.notify_one();
                }
            } else {
                let guard = condition.wait_while(condition.lock(), |ready| *ready < round);
                ensure!(
                    *guard >= round,
                    Bug::FalseState,
                    "woke in round {round} with state {}",
                    *guard
                );
            }
        }
    });
}

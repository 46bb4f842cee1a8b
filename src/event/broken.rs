//! The event's broken variants: each overrides one step of [`EventVariant`].

use super::EventVariant;
use crate::backend::Backend;
use crate::condition::Condition;

/// `set` wakes only one of the waiters.
///
/// **Bug:** `set` calls `notify_one` where every waiter must be woken.
///
/// | T1 | T2 | T3 |
/// |---|---|---|
/// | wait: flag unset, sleep | | |
/// | | wait: flag unset, sleep | |
/// | | | set: flag, notify one |
/// | wakes, returns | sleeps forever | |
///
/// **Consequence:** a lost wakeup for every waiter but one. **Caught by**
/// loom and shuttle, as a deadlock; a real-thread run hangs when two waiters
/// were asleep. **Escapes** the sequential model run, which has one waiter
/// at most; the event has no recorded scenario for the linearizability
/// checker.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotifyOneSet;

impl EventVariant for NotifyOneSet {
    fn wake_waiters<B: Backend>(condition: &Condition<(), B>) {
        condition.notify_one(); // BUG(event-notify-one): was notify_all()
    }
}

/// `wait` decides to sleep on the flag it read before taking the lock.
///
/// **Bug:** the check and the wait are not under one lock, so the check can
/// miss a `set` that comes before the waiter waits (under weak memory, even
/// one already done), and that set's notify finds nobody waiting. (After a
/// wakeup the waiter re-checks under the lock as the correct `wait` does:
/// the bug is the first decision alone.)
///
/// | T1 (sets) | T2 (waits) | T3 (waits) |
/// |---|---|---|
/// | set: lock, flag, notify all (nobody waits), unlock | | |
/// | | check: unset — a stale read: the set's store is not yet visible | |
/// | | lock, wait: the set's notify is already past | |
/// | | | check: unset (stale too) |
/// | | | lock, wait |
/// | exits | sleeps forever | sleeps forever |
///
/// No preemption needed: under weak memory the unlocked check may miss a set
/// that is already done. Under sequential consistency (shuttle) the set must
/// come between a waiter's check and its lock: check unset; set, notify
/// (nobody waits yet); lock, wait, sleep forever.
///
/// **Consequence:** a lost wakeup. **Caught by** loom and shuttle, as a
/// deadlock; a real-thread run hangs when the window opens (rarely: it is
/// the few instructions between the check and the lock). **Escapes** the sequential model
/// run, because one thread cannot race; the event has no recorded scenario
/// for the linearizability checker.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnlockedCheck;

impl EventVariant for UnlockedCheck {
    // BUG(event-unlocked-check): was true: the flag is read under the lock
    // before the first wait.
    const CHECK_UNDER_LOCK: bool = false;
}

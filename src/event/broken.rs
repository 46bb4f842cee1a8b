//! The event's broken variants: each overrides one step of [`EventVariant`].

use super::EventVariant;
use crate::backend::{Backend, Deadline};
use crate::condition::Condition;
use crate::lock::LockGuard;

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

/// `wait` waits once and trusts the wakeup: Python's `Event.wait`, ported
/// line by line.
///
/// **Bug:** Python's `Event.wait` reads the flag, waits on its condition
/// once if it was unset, and returns what the wait returned; that is right
/// only because a Python `Condition` never wakes spuriously. A futex, a
/// condvar and this lab's [`Condition`] may.
///
/// | T1 (waits) | T2 (sets) |
/// |---|---|
/// | lock: unset, wait | |
/// | wakes spuriously: no set, no notify | |
/// | returns: "set" | |
/// | finds the event unset | |
///
/// One step of the lab's kernel thread, which may wake a wait spuriously
/// once per execution (see [`kernel`](crate::lab::kernel)): run while the
/// setter could still run, it counts as loom's one preemption, and the
/// trace shows the wakeup in the waiter's column. Without it (loom's and
/// shuttle's own world) the only wakeup is the set's, and the bug never
/// shows.
///
/// **Consequence:** a waiter goes on although the event is not set.
/// **Caught by** loom and shuttle; a real-thread run sees it only if a
/// futex wakes spuriously there. **Escapes** the sequential model run,
/// which never wakes spuriously; the event has no recorded scenario for the
/// linearizability checker.
#[derive(Debug, Clone, Copy, Default)]
pub struct TrustsWakeup;

impl EventVariant for TrustsWakeup {
    fn wait_while_unset<'a, B: Backend>(
        condition: &'a Condition<(), B>,
        mut guard: LockGuard<'a, (), B>,
        deadline: Deadline,
        mut unset: impl FnMut(&mut ()) -> bool,
    ) -> bool {
        // BUG(event-spurious): was `condition.wait_while_until(guard,
        // deadline, unset).1`; a wakeup may be spurious.
        !unset(&mut guard) || condition.wait_until(guard, deadline).1
    }
}

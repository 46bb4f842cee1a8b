//! The event's broken variants: each overrides one step of [`EventVariant`].

use super::{Event, EventVariant};
use crate::backend::{Backend, Deadline};
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
/// **Consequence:** a lost wakeup for every waiter but one: loom and shuttle
/// report a deadlock, a real-thread run hangs when two waiters were asleep.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotifyOneSet;

impl EventVariant for NotifyOneSet {
    fn wake_waiters<B: Backend>(condition: &Condition<(), B>) {
        condition.notify_one(); // BUG(event-notify-one): was notify_all()
    }
}

/// `wait` checks the flag before it takes the lock, then waits once.
///
/// **Bug:** the check and the wait are not under one lock, so a `set`
/// between them notifies before the waiter is waiting.
///
/// | T1 | T2 |
/// |---|---|
/// | check: unset | |
/// | | set: flag, notify (nobody waits yet) |
/// | lock, wait | |
/// | sleeps forever | |
///
/// **Consequence:** a lost wakeup: loom and shuttle report a deadlock.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnlockedCheck;

impl EventVariant for UnlockedCheck {
    fn wait<B: Backend>(event: &Event<B, Self>, deadline: Deadline) -> bool {
        // BUG(event-unlocked-check): was: take the lock, then check the flag
        // under it in a loop (`wait_while_until`).
        if event.flag() {
            return true;
        }
        let guard = event.condition.lock();
        let (_guard, woken) = event.condition.wait_until(guard, deadline);
        woken && event.flag()
    }
}

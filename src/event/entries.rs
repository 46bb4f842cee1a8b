//! The event's rows of the catalogue.

use super::broken::{NotifyOneSet, UnlockedCheck};
use super::scenarios::subject;
use super::{Correct, EventVariant};
use crate::lab::entry::{Entry, Expectations, Row};

/// The rows of the event of variant `V`.
const fn event<V: EventVariant>() -> Row {
    let scenario = "two threads wait for an event that a third sets; one set must release both";
    Row::new("event", scenario, subject::<V>())
}

/// The event's rows, correct ones first.
pub static ENTRIES: &[Entry] = &[
    event::<Correct>().correct("correct", "event-correct"),
    event::<NotifyOneSet>().broken(
        "notify-one",
        "event-notify-one",
        "set wakes one waiter with notify_one: every other waiter sleeps on",
        Expectations::lost_wakeup(),
    ),
    event::<UnlockedCheck>().broken(
        "unlocked-check",
        "event-unlocked-check",
        "wait reads the flag before taking the lock and sleeps on that: a set in between is missed",
        Expectations::lost_wakeup(),
    ),
];

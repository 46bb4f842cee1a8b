//! The event's rows of the catalogue.

use super::broken::{NotifyOneSet, TrustsWakeup, UnlockedCheck};
use super::scenarios::subject;
use super::{Correct, EventVariant};
use crate::lab::entry::{Entry, Expect, Expectations, Row, Why};
use crate::lab::failure::{Bug, FailureKind};

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
    event::<TrustsWakeup>().broken(
        "spurious",
        "event-spurious",
        "wait waits once and returns what the wait said, as Python's Event.wait does: a spurious \
         wakeup returns with the event unset",
        Expectations {
            model: Expect::Escape(Why {
                tag: "no spurious wakeup",
                text: "a sequential run on real threads has no spurious wakeup to trust",
            }),
            ..Expectations::race(FailureKind::Assertion(Bug::FalseState))
        },
    )
    .with_spurious_wakeups(),
];

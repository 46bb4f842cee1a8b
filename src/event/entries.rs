//! The event's rows of the catalogue.

use super::broken::{NotifyOneSet, UnlockedCheck};
use super::scenarios::subject;
use super::spec::EventModel;
use super::{Correct, EventVariant};
use crate::lab::checkers::{SequentialTest, Subject};
use crate::lab::entry::{Entry, Expectations};

/// A row of the event of variant `V`.
const fn event<V: EventVariant>(
    variant: &'static str,
    id: &'static str,
    bug: Option<&'static str>,
    expect: Expectations,
) -> Entry {
    Entry {
        primitive: "event",
        variant,
        id,
        bug,
        scenario: "two threads wait for an event that a third sets; one set must release both",
        subject: Subject {
            sequential: Some(SequentialTest::of::<EventModel<V>>()),
            ..subject::<V>()
        },
        expect,
    }
}

/// The event's rows, correct ones first.
pub static ENTRIES: &[Entry] = &[
    event::<Correct>("correct", "event-correct", None, Expectations::correct()),
    event::<NotifyOneSet>(
        "notify-one",
        "event-notify-one",
        Some("set wakes one waiter with notify_one: every other waiter sleeps on"),
        Expectations::lost_wakeup(),
    ),
    event::<UnlockedCheck>(
        "unlocked-check",
        "event-unlocked-check",
        Some(
            "wait reads the flag before taking the lock and sleeps on that: a set in between is missed",
        ),
        Expectations::lost_wakeup(),
    ),
];

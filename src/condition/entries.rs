//! The condition's rows of the catalogue: the guide's two misuses, each
//! beside its fix.

use super::scenarios;
use super::spec::ConditionModel;
use crate::lab::checkers::{SequentialTest, Subject};
use crate::lab::entry::{Entry, Expectations};
use crate::lab::failure::{Bug, FailureKind};
use crate::worlds;

const CONSUMERS: &str = "a producer adds two items one at a time; two consumers each wait for one; \
                         no consumer may take from an empty queue";
const HANDOFF: &str = "one thread sets the state and notifies, the other waits for the state; \
                       the waiter must be released";

/// A row of a usage of the condition.
const fn usage(
    variant: &'static str,
    id: &'static str,
    bug: Option<&'static str>,
    scenario: &'static str,
    subject: Subject,
    expect: Expectations,
) -> Entry {
    Entry {
        primitive: "condition (usage)",
        variant,
        id,
        bug,
        scenario,
        subject,
        expect,
    }
}

/// The condition's rows, each fix before its misuse.
pub static ENTRIES: &[Entry] = &[
    usage(
        "while",
        "condition-while",
        None,
        CONSUMERS,
        Subject {
            // The sequential test checks the Condition itself.
            sequential: Some(SequentialTest::of::<ConditionModel>()),
            ..Subject::scenario(worlds!(scenarios::condition_consumers, false))
        },
        Expectations::correct(),
    ),
    usage(
        "if-not-while",
        "condition-if-not-while",
        Some(
            "`if` instead of `while` around wait: a consumer whose item was taken proceeds anyway",
        ),
        CONSUMERS,
        Subject::scenario(worlds!(scenarios::condition_consumers, true)),
        Expectations::race(FailureKind::Assertion(Bug::FalseState)),
    ),
    usage(
        "notify-after-state",
        "condition-notify-after-state",
        None,
        HANDOFF,
        Subject::scenario(worlds!(scenarios::condition_handoff, false)),
        Expectations::correct(),
    ),
    usage(
        "notify-before-state",
        "condition-notify-before-state",
        Some(
            "notify sent before the state change: the waiter checks, finds nothing, and sleeps through it",
        ),
        HANDOFF,
        Subject::scenario(worlds!(scenarios::condition_handoff, true)),
        Expectations::lost_wakeup(),
    ),
];

//! The condition's rows of the catalogue: the guide's two misuses, each
//! beside its fix.

use super::scenarios;
use super::spec::ConditionModel;
use crate::lab::checkers::{SequentialTest, Subject};
use crate::lab::entry::{Entry, Expectations, Row};
use crate::lab::failure::{Bug, FailureKind};
use crate::worlds;

/// The rows of a usage of the condition under `scenario`.
const fn usage(scenario: &'static str, subject: Subject) -> Row {
    Row::new("condition (usage)", scenario, subject)
}

const CONSUMERS: &str = "a producer adds two items one at a time; two consumers each wait for one; \
                         no consumer may take from an empty queue";
const ONE_CONSUMER: &str = "a producer adds one item; one consumer waits for it; it may not take \
                            from an empty queue";
const HANDOFF: &str = "one thread sets the state and notifies, the other waits for the state; \
                       the waiter must be released";

/// The condition's rows, each fix before its misuse.
pub static ENTRIES: &[Entry] = &[
    usage(
        CONSUMERS,
        Subject {
            // The sequential test checks the Condition itself.
            sequential: Some(SequentialTest::of::<ConditionModel>()),
            ..Subject::scenario(worlds!(scenarios::condition_consumers, false))
        },
    )
    .correct("while", "condition-while"),
    usage(
        CONSUMERS,
        Subject::scenario(worlds!(scenarios::condition_consumers, true)),
    )
    .broken(
        "if-not-while",
        "condition-if-not-while",
        "`if` instead of `while` around wait: a consumer whose item was taken proceeds anyway",
        Expectations::race(FailureKind::Assertion(Bug::FalseState)),
    ),
    usage(
        ONE_CONSUMER,
        Subject::scenario(worlds!(scenarios::condition_one_consumer, false)),
    )
    .correct("while-one-consumer", "condition-while-one-consumer"),
    usage(
        ONE_CONSUMER,
        Subject::scenario(worlds!(scenarios::condition_one_consumer, true)),
    )
    .broken(
        "if-spurious",
        "condition-if-spurious",
        "`if` instead of `while` around wait, with one consumer: right only if no wakeup is \
         spurious, and one may be",
        Expectations::race(FailureKind::Assertion(Bug::FalseState)),
    )
    .with_spurious_wakeups(),
    usage(
        HANDOFF,
        Subject::scenario(worlds!(scenarios::condition_handoff, false)),
    )
    .correct("notify-after-state", "condition-notify-after-state"),
    usage(
        HANDOFF,
        Subject::scenario(worlds!(scenarios::condition_handoff, true)),
    )
    .broken(
        "notify-before-state",
        "condition-notify-before-state",
        "notify sent before the state change: the waiter checks, finds nothing, and sleeps through it",
        Expectations::lost_wakeup(),
    ),
];

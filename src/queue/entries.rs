//! The queue's rows of the catalogue.

use super::broken::{NoFullCheck, OneCondition, TaskDoneRace, UnlockedLength};
use super::scenarios::{self, subject};
use super::{Correct, QueueVariant};
use crate::lab::checkers::Subject;
use crate::lab::entry::{Entry, Expect, Expectations, Row};
use crate::lab::failure::{Bug, FailureKind};
use crate::worlds;

/// The rows of the queue of variant `V` under the producer-consumer
/// scenario.
const fn queue<V: QueueVariant>() -> Row {
    let scenario = "a producer puts two items into a queue of capacity 1, two consumers take one \
                    each; never over capacity, nothing delivered twice, nothing lost";
    Row::new("queue", scenario, subject::<V>())
}

/// The rows of the queue of variant `V` under the `join` scenario.
const fn join<V: QueueVariant>() -> Row {
    let subject = Subject {
        worlds: worlds!(scenarios::queue_join, V),
        ..subject::<V>()
    };
    let scenario = "the main thread puts two items and joins the queue while two consumers take \
                    them and mark them done; join must return, and only after both are processed";
    Row::new("queue", scenario, subject)
}

const LOST_UPDATE: FailureKind = FailureKind::Assertion(Bug::LostUpdate);
const TASK_DONE_RACE: Expect = Expect::CatchEither(LOST_UPDATE, FailureKind::Deadlock);

/// The queue's rows, correct ones first.
pub static ENTRIES: &[Entry] = &[
    queue::<Correct>().correct("correct", "queue-correct"),
    join::<Correct>().correct("join", "queue-join"),
    queue::<OneCondition>().broken(
        "one-condition",
        "queue-one-condition",
        "producers and consumers wait on one condition woken with notify_one: the wrong side swallows it",
        Expectations::lost_wakeup(),
    ),
    queue::<NoFullCheck>().broken(
        "no-full-check",
        "queue-no-full-check",
        "put never waits for room: the capacity is exceeded",
        Expectations {
            model: Expect::Catch(FailureKind::Assertion(Bug::WrongResult)),
            ..Expectations::race(FailureKind::Assertion(Bug::CapacityExceeded))
        },
    ),
    queue::<UnlockedLength>().broken(
        "unlocked-length",
        "queue-unlocked-length",
        "get decides to wait on the emptiness it read before taking the lock: an item put in between strands",
        Expectations::lost_wakeup(),
    ),
    join::<TaskDoneRace>().broken(
        "task-done-race",
        "queue-task-done-race",
        "task_done updates the unfinished count without the lock: an update is lost, so join hangs or task_done is refused",
        Expectations {
            // Either consequence, whichever schedule comes first: a lost
            // increment (put racing task_done: a later task_done is
            // refused) or a lost decrement (join waits forever).
            loom: TASK_DONE_RACE,
            shuttle_random: TASK_DONE_RACE,
            shuttle_pct: TASK_DONE_RACE,
            stress: Expect::Observe(FailureKind::Hang),
            ..Expectations::race(FailureKind::Deadlock)
        },
    ),
];

//! The counter's rows of the catalogue.

use super::broken::Racy;
use super::scenarios;
use super::spec::CounterModel;
use super::{Atomic, CounterKind, Locked};
use crate::lab::checkers::{SequentialTest, Subject};
use crate::lab::entry::{Entry, Expectations, Row};
use crate::lab::failure::{Bug, FailureKind};
use crate::worlds;

/// The rows of the counter of kind `K`.
const fn counter<K: CounterKind>() -> Row {
    let subject = Subject {
        worlds: worlds!(scenarios::counter_increments, K),
        sequential: Some(SequentialTest::of::<CounterModel<K>>()),
        linearizability: Some(scenarios::linearizability::<K>),
    };
    let scenario = "two threads increment a shared counter (read, yield, write back); \
                    the final count must equal the number of increments";
    Row::new("counter", scenario, subject)
}

/// The counter's rows, correct ones first.
pub static ENTRIES: &[Entry] = &[
    counter::<Locked>().correct("locked", "counter-locked"),
    counter::<Atomic>().correct("atomic", "counter-atomic"),
    counter::<Racy>().broken(
        "racy",
        "counter-racy",
        "read, yield, write back without the lock: another thread's update is overwritten",
        Expectations::race(FailureKind::Assertion(Bug::LostUpdate)),
    ),
];

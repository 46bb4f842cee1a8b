//! The counter's rows of the catalogue.

use super::broken::Racy;
use super::scenarios;
use super::spec::CounterModel;
use super::{Atomic, CounterKind, Locked};
use crate::lab::checkers::{SequentialTest, Subject};
use crate::lab::entry::{Entry, Expectations};
use crate::lab::failure::{Bug, FailureKind};
use crate::worlds;

/// A row of the counter of kind `K`.
const fn counter<K: CounterKind>(
    variant: &'static str,
    id: &'static str,
    bug: Option<&'static str>,
    expect: Expectations,
) -> Entry {
    Entry {
        primitive: "counter",
        variant,
        id,
        bug,
        scenario: "two threads increment a shared counter (read, yield, write back); \
                   the final count must equal the number of increments",
        subject: Subject {
            worlds: worlds!(scenarios::counter_increments, K),
            sequential: Some(SequentialTest::of::<CounterModel<K>>()),
            linearizability: Some(scenarios::linearizability::<K>),
        },
        expect,
    }
}

/// The counter's rows, correct ones first.
pub static ENTRIES: &[Entry] = &[
    counter::<Locked>("locked", "counter-locked", None, Expectations::correct()),
    counter::<Atomic>("atomic", "counter-atomic", None, Expectations::correct()),
    counter::<Racy>(
        "racy",
        "counter-racy",
        Some("read, yield, write back without the lock: another thread's update is overwritten"),
        Expectations::race(FailureKind::Assertion(Bug::LostUpdate)),
    ),
];

//! The semaphore's rows of the catalogue, and the bounded semaphore's.

use super::broken::{CheckThenDecrement, SilentRelease, TimeoutSwallow, UnboundedRelease};
use super::scenarios::{self, subject};
use super::spec::SemaphoreModel;
use super::{Bounded, Correct, SemaphoreVariant};
use crate::kinds::model;
use crate::lab::checkers::Subject;
use crate::lab::entry::{Entry, Expect, Expectations, Row};
use crate::lab::failure::{Bug, FailureKind};
use crate::worlds;

/// The rows of the semaphore of variant `V`, under the admission scenario.
const fn semaphore<V: SemaphoreVariant>() -> Row {
    let scenario = "three threads take one of two permits and hold it; at most two holders, \
                    and every permit comes back";
    Row::new("semaphore", scenario, subject::<V>())
}

/// The rows of the semaphore of variant `V`, under the timed scenario.
const fn timed<V: SemaphoreVariant>() -> Row {
    let scenario = "a thread waits at most 10 ms (virtual time under loom and shuttle) for a \
                    permit of an empty semaphore while main releases one: the permit must be \
                    there to take in the end";
    Row::new(
        "semaphore",
        scenario,
        Subject::scenario(worlds!(scenarios::semaphore_timed_acquire, V)),
    )
}

/// The rows of the bounded semaphore of variant `V`.
const fn bounded<V: SemaphoreVariant>() -> Row {
    let subject = Subject {
        worlds: worlds!(scenarios::bounded_over_release, <Bounded<V>>),
        sequential: Some(model::sequential::<SemaphoreModel<Bounded<V>, true>>()),
        linearizability: Some(scenarios::linearizability_bounded::<V>),
    };
    let scenario = "two threads take and return the one permit of a bounded semaphore, then one \
                    release too many is attempted; it must be refused";
    Row::new("bounded semaphore", scenario, subject)
}

/// The semaphores' rows, correct ones first.
pub static ENTRIES: &[Entry] = &[
    semaphore::<Correct>().correct("correct", "semaphore-correct"),
    semaphore::<CheckThenDecrement>().broken(
        "check-then-decrement",
        "semaphore-check-then-decrement",
        "the permit check (a load) and the decrement (a store) are separate steps: both take the last permit",
        Expectations::race(FailureKind::Assertion(Bug::OverAdmission)),
    ),
    semaphore::<SilentRelease>().broken(
        "silent-release",
        "semaphore-silent-release",
        "release adds the permit but wakes nobody: a parked acquirer sleeps beside a free permit",
        Expectations::lost_wakeup(),
    ),
    timed::<Correct>().correct("timed", "semaphore-timed"),
    timed::<TimeoutSwallow>().broken(
        "timeout-swallow",
        "semaphore-timeout-swallow",
        "a timed acquire that times out as a release arrives takes the permit and still reports \
         the timeout: the permit is lost",
        Expectations::race(FailureKind::Assertion(Bug::LostPermit)),
    ),
    bounded::<Correct>().correct("correct", "bounded-semaphore-correct"),
    bounded::<UnboundedRelease>().broken(
        "unbounded-release",
        "bounded-semaphore-unbounded-release",
        "release does not compare the permits with the bound: a surplus release is silently accepted",
        Expectations {
            // A sequential bug: no interleaving is needed, so the model
            // test catches it too, as a release its spec refuses.
            model: Expect::Catch(FailureKind::Assertion(Bug::WrongResult)),
            ..Expectations::race(FailureKind::Assertion(Bug::OverRelease))
        },
    ),
];

//! The event's scenario: one `set` must release every waiter.

use std::sync::Arc;

use super::spec::EventModel;
use crate::backend::{Backend, run_threads};
use crate::ensure;
use crate::kinds::model;
use crate::kinds::{EventApi, EventFamily};
use crate::lab::checkers::Subject;
use crate::lab::failure::Bug;
use crate::worlds;

/// Two threads wait for an event of family `F` (for the lab's variants, an
/// [`Event`](crate::Event)) that a third sets once.
///
/// One round whatever `ops` is: a second `set` would wake the waiter that
/// the first one missed, and hide the bug this scenario is for.
///
/// Invariants: one `set` releases every waiter (no deadlock), and a waiter
/// returns only with the flag set.
pub fn event_broadcast<B: Backend, F: EventFamily>(_ops: u32) {
    let event = Arc::new(<F::Event<B> as EventApi>::new());
    run_threads::<B, _>(3, &event, |event, index| {
        if index == 0 {
            event.set();
        } else {
            event.wait();
            ensure!(
                event.is_set(),
                Bug::FalseState,
                "wait returned with the event unset"
            );
        }
    });
}

/// What the checkers run for an event of family `F`: [`event_broadcast`],
/// and the model test of its spec (which exercises the timed wait).
pub const fn subject<F: EventFamily>() -> Subject {
    Subject {
        sequential: Some(model::sequential::<EventModel<F>>()),
        ..Subject::scenario(worlds!(event_broadcast, F))
    }
}

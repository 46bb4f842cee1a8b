//! The event's one sequential specification: a flag. It serves the model
//! test and the operation fuzz target.

use std::marker::PhantomData;

use proptest::collection::vec;
use proptest::prelude::*;

use crate::backend::Std;
use crate::kinds::{EventApi, EventFamily};
use crate::lab::checkers::Sequential;
use crate::lab::spec::{Spec, Timeout, check_sequence};

/// An event: its flag. `Wait` blocks while it is unset.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct EventSpec {
    /// Whether the flag is set.
    pub set: bool,
}

/// An operation on an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventOp {
    /// Raise the flag, waking every waiter.
    Set,
    /// Lower the flag.
    Clear,
    /// Read the flag.
    IsSet,
    /// Wait for the flag.
    Wait,
    /// Wait for the flag at most the timeout.
    WaitFor(Timeout),
}

/// What an event operation returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventRet {
    /// `Set`, `Clear` or `Wait` returned.
    Done,
    /// `IsSet` or `WaitFor` returned the flag.
    Flag(bool),
}

impl Spec for EventSpec {
    type Op = EventOp;
    type Ret = EventRet;

    fn apply(&self, op: &EventOp) -> Option<(EventRet, Self)> {
        let set = self.set;
        match op {
            EventOp::Set => Some((EventRet::Done, EventSpec { set: true })),
            EventOp::Clear => Some((EventRet::Done, EventSpec { set: false })),
            EventOp::Wait | EventOp::WaitFor(Timeout::Max) if !set => None,
            EventOp::Wait => Some((EventRet::Done, self.clone())),
            EventOp::IsSet | EventOp::WaitFor(_) => Some((EventRet::Flag(set), self.clone())),
        }
    }

    fn timeout(op: &EventOp) -> Option<Timeout> {
        match op {
            EventOp::WaitFor(timeout) => Some(*timeout),
            _ => None,
        }
    }

    fn gave_up(ret: &EventRet) -> bool {
        *ret == EventRet::Flag(false)
    }
}

/// Performs `op` on `event` and returns what it returned, as the spec says
/// it.
pub fn perform<E: EventApi>(event: &E, op: &EventOp) -> EventRet {
    match *op {
        EventOp::Set => {
            event.set();
            EventRet::Done
        }
        EventOp::Clear => {
            event.clear();
            EventRet::Done
        }
        EventOp::IsSet => EventRet::Flag(event.is_set()),
        EventOp::Wait => {
            event.wait();
            EventRet::Done
        }
        EventOp::WaitFor(timeout) => EventRet::Flag(event.wait_for(timeout.duration())),
    }
}

/// The sequential test of an event of family `F` on real threads: up to 24
/// operations.
#[derive(Debug)]
pub struct EventModel<F>(PhantomData<F>);

impl<F: EventFamily> Sequential for EventModel<F> {
    type Case = Vec<EventOp>;

    fn cases() -> impl Strategy<Value = Vec<EventOp>> {
        let op = prop_oneof![
            Just(EventOp::Set),
            Just(EventOp::Clear),
            Just(EventOp::IsSet),
            Just(EventOp::Wait),
            Timeout::any().prop_map(EventOp::WaitFor),
        ];
        vec(op, 0..24)
    }

    fn check(ops: &Vec<EventOp>) -> Result<(), String> {
        let event = <F::Event<Std> as EventApi>::new();
        check_sequence(EventSpec::default(), ops, |op| perform(&event, op))
    }
}

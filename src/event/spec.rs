//! The event's one sequential specification: a flag. It serves the model
//! test and the operation fuzz target.

use std::marker::PhantomData;

use proptest::prelude::*;

use crate::backend::Backend;
use crate::kinds::model::Model;
use crate::kinds::{EventApi, EventFamily};
use crate::lab::spec::{Spec, Timeout};

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

/// An event of family `F` with its spec ([`Model`]): the model test applies
/// up to 24 operations on real threads.
#[derive(Debug)]
pub struct EventModel<F>(PhantomData<F>);

impl<F: EventFamily> Model for EventModel<F> {
    type Spec = EventSpec;
    type Object<B: Backend> = F::Event<B>;

    fn new<B: Backend>(_: usize) -> F::Event<B> {
        EventApi::new()
    }

    fn initial(_: usize) -> EventSpec {
        EventSpec::default()
    }

    fn perform<B: Backend>(event: &F::Event<B>, op: &EventOp) -> EventRet {
        perform(event, op)
    }

    fn ops() -> impl Strategy<Value = EventOp> + Clone {
        prop_oneof![
            Just(EventOp::Set),
            Just(EventOp::Clear),
            Just(EventOp::IsSet),
            Just(EventOp::Wait),
            Timeout::any().prop_map(EventOp::WaitFor),
        ]
    }
}

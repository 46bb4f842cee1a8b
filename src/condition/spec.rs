//! The condition's sequential specification, for one thread: its lock's
//! value; notifies with nobody waiting do nothing, and waits nobody ends
//! time out. It serves the model test and the operation fuzz target (a
//! condition has no linearizable history: a wait is not an operation on a
//! state).

use proptest::collection::vec;
use proptest::prelude::*;

use super::Condition;
use crate::backend::Std;
use crate::lab::checkers::Sequential;
use crate::lab::spec::{Spec, Timeout, check_sequence};

/// A condition's value, seen by its one thread.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ConditionSpec {
    /// The value under the lock.
    pub value: u8,
}

/// An operation on a condition, by its one thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionOp {
    /// Store a value under the lock.
    Set(u8),
    /// `notify(n)`, with nobody waiting.
    Notify(usize),
    /// `notify_all`, with nobody waiting.
    NotifyAll,
    /// `wait_for`: nobody will notify, so it times out (and with
    /// [`Timeout::Max`] it would wait forever).
    WaitFor(Timeout),
    /// `wait_while_for(value < n)`: true at once if the value is at least
    /// `n`, otherwise it times out.
    WaitWhileBelow(u8, Timeout),
}

/// What a condition operation returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionRet {
    /// `Set` or a notify returned.
    Done,
    /// A wait returned whether it was woken (or found its condition met).
    Woken(bool),
}

impl Spec for ConditionSpec {
    type Op = ConditionOp;
    type Ret = ConditionRet;

    fn apply(&self, op: &ConditionOp) -> Option<(ConditionRet, Self)> {
        match *op {
            ConditionOp::Set(value) => Some((ConditionRet::Done, ConditionSpec { value })),
            ConditionOp::Notify(_) | ConditionOp::NotifyAll => {
                Some((ConditionRet::Done, self.clone()))
            }
            ConditionOp::WaitFor(Timeout::Max) => None,
            ConditionOp::WaitFor(_) => Some((ConditionRet::Woken(false), self.clone())),
            ConditionOp::WaitWhileBelow(n, Timeout::Max) if self.value < n => None,
            ConditionOp::WaitWhileBelow(n, _) => {
                Some((ConditionRet::Woken(self.value >= n), self.clone()))
            }
        }
    }

    fn timeout(op: &ConditionOp) -> Option<Timeout> {
        match op {
            ConditionOp::WaitFor(timeout) | ConditionOp::WaitWhileBelow(_, timeout) => {
                Some(*timeout)
            }
            _ => None,
        }
    }

    fn gave_up(ret: &ConditionRet) -> bool {
        *ret == ConditionRet::Woken(false)
    }
}

/// Performs `op` on `condition` and returns what it returned, as the spec
/// says it.
pub fn perform(condition: &Condition<u8, Std>, op: &ConditionOp) -> ConditionRet {
    match *op {
        ConditionOp::Set(value) => *condition.lock() = value,
        ConditionOp::Notify(n) => condition.notify(n),
        ConditionOp::NotifyAll => condition.notify_all(),
        ConditionOp::WaitFor(timeout) => {
            let (_guard, woken) = condition.wait_for(condition.lock(), timeout.duration());
            return ConditionRet::Woken(woken);
        }
        ConditionOp::WaitWhileBelow(n, timeout) => {
            let guard = condition.lock();
            let (_guard, met) =
                condition.wait_while_for(guard, timeout.duration(), |value| *value < n);
            return ConditionRet::Woken(met);
        }
    }
    ConditionRet::Done
}

/// The sequential test of the [`Condition`]: up to 16 operations, notifies
/// of any `n` (`usize::MAX` included) with nobody waiting, and waits that
/// must time out.
#[derive(Debug)]
pub struct ConditionModel;

impl Sequential for ConditionModel {
    type Case = Vec<ConditionOp>;

    fn cases() -> impl Strategy<Value = Vec<ConditionOp>> {
        let op = prop_oneof![
            (0..4u8).prop_map(ConditionOp::Set),
            prop_oneof![Just(0), Just(1), Just(usize::MAX)].prop_map(ConditionOp::Notify),
            Just(ConditionOp::NotifyAll),
            Timeout::any().prop_map(ConditionOp::WaitFor),
            (0..4u8, Timeout::any()).prop_map(|(n, t)| ConditionOp::WaitWhileBelow(n, t)),
        ];
        vec(op, 0..16)
    }

    fn check(ops: &Vec<ConditionOp>) -> Result<(), String> {
        let condition = Condition::new(0);
        check_sequence(ConditionSpec::default(), ops, |op| perform(&condition, op))
    }
}

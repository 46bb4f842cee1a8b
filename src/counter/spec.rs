//! The counter's one sequential specification: increments and reads.

use std::marker::PhantomData;

use proptest::collection::vec;
use proptest::prelude::*;

use super::{Counter, CounterKind};
use crate::backend::{Backend, Std};
use crate::lab::checkers::Sequential;
use crate::lab::spec::{Spec, check_sequence};

/// The guide's counter: increments and reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct CounterSpec {
    /// The count.
    pub value: u32,
}

/// An operation on a counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CounterOp {
    /// Add one.
    Increment,
    /// Read the count.
    Get,
}

/// What a counter operation returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CounterRet {
    /// An increment returned.
    Done,
    /// A read returned this count.
    Value(u32),
}

impl Spec for CounterSpec {
    type Op = CounterOp;
    type Ret = CounterRet;

    fn apply(&self, op: &CounterOp) -> Option<(CounterRet, Self)> {
        Some(match op {
            CounterOp::Increment => (
                CounterRet::Done,
                CounterSpec {
                    value: self.value.wrapping_add(1),
                },
            ),
            CounterOp::Get => (CounterRet::Value(self.value), self.clone()),
        })
    }
}

/// Performs `op` on `counter` and returns what it returned, as the spec
/// says it.
pub fn perform<B: Backend, K: CounterKind>(counter: &Counter<B, K>, op: &CounterOp) -> CounterRet {
    match op {
        CounterOp::Increment => {
            counter.increment();
            CounterRet::Done
        }
        CounterOp::Get => CounterRet::Value(counter.get()),
    }
}

/// The sequential test of the counter of kind `K`: up to 64 operations.
#[derive(Debug)]
pub struct CounterModel<K>(PhantomData<K>);

impl<K: CounterKind> Sequential for CounterModel<K> {
    type Case = Vec<CounterOp>;

    fn cases() -> impl Strategy<Value = Vec<CounterOp>> {
        let op = prop_oneof![3 => Just(CounterOp::Increment), 1 => Just(CounterOp::Get)];
        vec(op, 0..64)
    }

    fn check(ops: &Vec<CounterOp>) -> Result<(), String> {
        let counter = Counter::<Std, K>::new_in();
        // A last read, so that a lost increment shows even without one.
        let ops: Vec<CounterOp> = ops.iter().copied().chain([CounterOp::Get]).collect();
        check_sequence(CounterSpec::default(), &ops, |op| perform(&counter, op))
    }
}

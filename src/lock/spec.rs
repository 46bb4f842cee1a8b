//! The lock's one sequential specification: held or free. It serves the
//! model test, the operation fuzz target and the linearizability checker.

use std::marker::PhantomData;

use proptest::collection::vec;
use proptest::prelude::*;

use crate::backend::Std;
use crate::kinds::{LockApi, LockFamily};
use crate::lab::checkers::Sequential;
use crate::lab::spec::{Spec, Timeout, check_sequence};

/// A lock: held or free. `Acquire` blocks while it is held; `Release` of a
/// free lock is illegal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct LockSpec {
    /// Whether somebody holds it.
    pub held: bool,
}

/// An operation on a lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockOp {
    /// Take it, waiting while it is held.
    Acquire,
    /// Take it if free.
    TryAcquire,
    /// Take it, waiting at most the timeout.
    AcquireFor(Timeout),
    /// Give it back.
    Release,
}

/// What a lock operation returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockRet {
    /// `Acquire` or `Release` returned.
    Done,
    /// `TryAcquire` or `AcquireFor` returned whether it took the lock.
    Acquired(bool),
}

impl Spec for LockSpec {
    type Op = LockOp;
    type Ret = LockRet;

    fn apply(&self, op: &LockOp) -> Option<(LockRet, Self)> {
        match (op, self.held) {
            (LockOp::Acquire, false) => Some((LockRet::Done, LockSpec { held: true })),
            (LockOp::Acquire | LockOp::AcquireFor(Timeout::Max), true)
            | (LockOp::Release, false) => None,
            (LockOp::TryAcquire | LockOp::AcquireFor(_), held) => {
                Some((LockRet::Acquired(!held), LockSpec { held: true }))
            }
            (LockOp::Release, true) => Some((LockRet::Done, LockSpec { held: false })),
        }
    }

    fn timeout(op: &LockOp) -> Option<Timeout> {
        match op {
            LockOp::AcquireFor(timeout) => Some(*timeout),
            _ => None,
        }
    }

    fn gave_up(ret: &LockRet) -> bool {
        *ret == LockRet::Acquired(false)
    }
}

/// Performs `op` on `lock` and returns what it returned, as the spec says it.
pub fn perform<L: LockApi>(lock: &L, op: &LockOp) -> LockRet {
    match *op {
        LockOp::Acquire => {
            lock.lock();
            LockRet::Done
        }
        LockOp::TryAcquire => LockRet::Acquired(lock.try_lock()),
        LockOp::AcquireFor(timeout) => LockRet::Acquired(lock.try_lock_for(timeout.duration())),
        LockOp::Release => {
            lock.unlock();
            LockRet::Done
        }
    }
}

/// The sequential test of a lock of family `F` on real threads: up to 24
/// operations, including zero, short and enormous timeouts.
#[derive(Debug)]
pub struct LockModel<F>(PhantomData<F>);

impl<F: LockFamily> Sequential for LockModel<F> {
    type Case = Vec<LockOp>;

    fn cases() -> impl Strategy<Value = Vec<LockOp>> {
        let op = prop_oneof![
            Just(LockOp::Acquire),
            Just(LockOp::TryAcquire),
            Timeout::any().prop_map(LockOp::AcquireFor),
            Just(LockOp::Release),
        ];
        vec(op, 0..24)
    }

    fn check(ops: &Vec<LockOp>) -> Result<(), String> {
        let lock = <F::Lock<Std> as LockApi>::new();
        check_sequence(LockSpec::default(), ops, |op| perform(&lock, op))
    }
}

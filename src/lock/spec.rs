//! The lock's one sequential specification: held or free. It serves the
//! model test, the operation fuzz target and the linearizability checker.

use std::marker::PhantomData;

use proptest::prelude::*;

use crate::backend::Backend;
use crate::kinds::model::Model;
use crate::kinds::{LockApi, LockFamily};
use crate::lab::spec::{Spec, Timeout};

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

/// A lock of family `F` with its spec ([`Model`]): the model test applies
/// up to 24 operations on real threads, including zero, short and enormous
/// timeouts.
#[derive(Debug)]
pub struct LockModel<F>(PhantomData<F>);

impl<F: LockFamily> Model for LockModel<F> {
    type Spec = LockSpec;
    type Object<B: Backend> = F::Lock<B>;

    fn new<B: Backend>(_: usize) -> F::Lock<B> {
        LockApi::new()
    }

    fn initial(_: usize) -> LockSpec {
        LockSpec::default()
    }

    fn perform<B: Backend>(lock: &F::Lock<B>, op: &LockOp) -> LockRet {
        perform(lock, op)
    }

    fn ops() -> impl Strategy<Value = LockOp> + Clone {
        prop_oneof![
            Just(LockOp::Acquire),
            Just(LockOp::TryAcquire),
            Timeout::any().prop_map(LockOp::AcquireFor),
            Just(LockOp::Release),
        ]
    }
}

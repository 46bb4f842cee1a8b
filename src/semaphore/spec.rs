//! The semaphore's one sequential specification: permits, and a bound that
//! `release` may not pass (the plain semaphore's bound is
//! [`MAX_PERMITS`]).

use std::marker::PhantomData;

use proptest::prelude::*;

use super::MAX_PERMITS;
use crate::backend::Backend;
use crate::kinds::model::Model;
use crate::kinds::{SemaphoreApi, SemaphoreFamily};
use crate::lab::spec::{Spec, Timeout};

/// A semaphore: permits, and a bound that `Release` may not pass.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SemaphoreSpec {
    /// Permits available.
    pub permits: u32,
    /// The most permits a release may bring it to.
    pub bound: u32,
}

impl SemaphoreSpec {
    /// A plain semaphore with `permits` permits.
    pub fn new(permits: u32) -> Self {
        SemaphoreSpec {
            permits,
            bound: MAX_PERMITS,
        }
    }

    /// A bounded semaphore starting (and capped) at `permits`.
    pub fn bounded(permits: u32) -> Self {
        SemaphoreSpec {
            permits,
            bound: permits,
        }
    }
}

/// An operation on a semaphore.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SemaphoreOp {
    /// Take a permit, waiting while there is none.
    Acquire,
    /// Take a permit if there is one.
    TryAcquire,
    /// Take a permit, waiting at most the timeout.
    AcquireFor(Timeout),
    /// Give a permit back (refused at the bound).
    Release,
}

/// What a semaphore operation returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SemaphoreRet {
    /// `Acquire` returned.
    Done,
    /// `TryAcquire` or `AcquireFor` returned whether it took a permit.
    Acquired(bool),
    /// `Release` returned whether it was accepted.
    Released(bool),
}

impl Spec for SemaphoreSpec {
    type Op = SemaphoreOp;
    type Ret = SemaphoreRet;

    fn apply(&self, op: &SemaphoreOp) -> Option<(SemaphoreRet, Self)> {
        let with = |permits| SemaphoreSpec { permits, ..*self };
        let none = self.permits == 0;
        match op {
            SemaphoreOp::Acquire | SemaphoreOp::AcquireFor(Timeout::Max) if none => None,
            SemaphoreOp::Acquire => Some((SemaphoreRet::Done, with(self.permits - 1))),
            SemaphoreOp::TryAcquire | SemaphoreOp::AcquireFor(_) if none => {
                Some((SemaphoreRet::Acquired(false), self.clone()))
            }
            SemaphoreOp::TryAcquire | SemaphoreOp::AcquireFor(_) => {
                Some((SemaphoreRet::Acquired(true), with(self.permits - 1)))
            }
            SemaphoreOp::Release if self.permits >= self.bound => {
                Some((SemaphoreRet::Released(false), self.clone()))
            }
            SemaphoreOp::Release => Some((SemaphoreRet::Released(true), with(self.permits + 1))),
        }
    }

    fn timeout(op: &SemaphoreOp) -> Option<Timeout> {
        match op {
            SemaphoreOp::AcquireFor(timeout) => Some(*timeout),
            _ => None,
        }
    }

    fn gave_up(ret: &SemaphoreRet) -> bool {
        *ret == SemaphoreRet::Acquired(false)
    }
}

/// Performs `op` on `semaphore` and returns what it returned, as the spec
/// says it.
pub fn perform<S: SemaphoreApi>(semaphore: &S, op: &SemaphoreOp) -> SemaphoreRet {
    match *op {
        SemaphoreOp::Acquire => {
            semaphore.acquire();
            SemaphoreRet::Done
        }
        SemaphoreOp::TryAcquire => SemaphoreRet::Acquired(semaphore.try_acquire()),
        SemaphoreOp::AcquireFor(timeout) => {
            SemaphoreRet::Acquired(semaphore.try_acquire_for(timeout.duration()))
        }
        SemaphoreOp::Release => SemaphoreRet::Released(semaphore.release()),
    }
}

/// A semaphore of family `F` with its spec ([`Model`]), from 0 to 2 permits
/// (bounded there if `BOUNDED`): the model test applies up to 24 operations
/// on real threads.
#[derive(Debug)]
pub struct SemaphoreModel<F, const BOUNDED: bool>(PhantomData<F>);

impl<F: SemaphoreFamily, const BOUNDED: bool> Model for SemaphoreModel<F, BOUNDED> {
    type Spec = SemaphoreSpec;
    type Object<B: Backend> = F::Semaphore<B>;

    fn new<B: Backend>(permits: usize) -> F::Semaphore<B> {
        SemaphoreApi::new(permits as u32)
    }

    fn initial(permits: usize) -> SemaphoreSpec {
        let permits = permits as u32;
        if BOUNDED {
            SemaphoreSpec::bounded(permits)
        } else {
            SemaphoreSpec::new(permits)
        }
    }

    fn perform<B: Backend>(semaphore: &F::Semaphore<B>, op: &SemaphoreOp) -> SemaphoreRet {
        perform(semaphore, op)
    }

    fn ops() -> impl Strategy<Value = SemaphoreOp> + Clone {
        prop_oneof![
            Just(SemaphoreOp::Acquire),
            Just(SemaphoreOp::TryAcquire),
            Timeout::any().prop_map(SemaphoreOp::AcquireFor),
            Just(SemaphoreOp::Release),
        ]
    }

    fn parameters() -> impl Strategy<Value = usize> + Clone {
        0..3usize
    }
}

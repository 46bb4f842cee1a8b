//! The semaphore's one sequential specification: permits, and a bound that
//! `release` may not pass (the plain semaphore's bound is
//! [`MAX_PERMITS`]).

use std::marker::PhantomData;

use proptest::collection::vec;
use proptest::prelude::*;

use super::MAX_PERMITS;
use crate::backend::Std;
use crate::kinds::{SemaphoreApi, SemaphoreFamily};
use crate::lab::checkers::Sequential;
use crate::lab::spec::{Spec, Timeout, check_sequence};

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

/// The sequential test of a semaphore of family `F` on real threads, from 0
/// to 2 permits (bounded there if `BOUNDED`), up to 24 operations.
#[derive(Debug)]
pub struct SemaphoreModel<F, const BOUNDED: bool>(PhantomData<F>);

impl<F: SemaphoreFamily, const BOUNDED: bool> Sequential for SemaphoreModel<F, BOUNDED> {
    type Case = (u32, Vec<SemaphoreOp>);

    fn cases() -> impl Strategy<Value = Self::Case> {
        let op = prop_oneof![
            Just(SemaphoreOp::Acquire),
            Just(SemaphoreOp::TryAcquire),
            Timeout::any().prop_map(SemaphoreOp::AcquireFor),
            Just(SemaphoreOp::Release),
        ];
        (0..3u32, vec(op, 0..24))
    }

    fn check((permits, ops): &Self::Case) -> Result<(), String> {
        let semaphore = <F::Semaphore<Std> as SemaphoreApi>::new(*permits);
        let spec = if BOUNDED {
            SemaphoreSpec::bounded(*permits)
        } else {
            SemaphoreSpec::new(*permits)
        };
        check_sequence(spec, ops, |op| perform(&semaphore, op))
    }
}

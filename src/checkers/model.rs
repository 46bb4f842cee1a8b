//! Model-based tests: proptest generates operation sequences, one thread
//! applies them to a primitive and to a sequential reference model, and the
//! two must agree at every step. A failure is shrunk to a minimal sequence.
//!
//! A sequential run has no second thread, so it cannot see a race: the broken
//! variants that differ from the correct code only under concurrency are
//! expected to escape it. It catches what is wrong in one thread: a wrong
//! result, a timeout not honoured, bad input mishandled.

use std::fmt::Debug;
use std::time::{Duration, Instant};

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};

use crate::backend::Std;
use crate::counter::{Counter, CounterKind};
use crate::failure::{Bug, Failure, FailureKind};
use crate::lock::{LockVariant, RawLock};
use crate::quiet;

/// Runs `cases` proptest cases of `test` over `strategy`, from `seed`.
///
/// `test` returns `Err(why)` when the primitive and the model disagree. The
/// result is the number of cases run, or a [`Bug::WrongResult`] failure
/// naming the shrunk operation sequence.
pub fn run_model<S>(
    strategy: S,
    cases: u32,
    seed: u64,
    test: impl Fn(&S::Value) -> Result<(), String>,
) -> Result<usize, Failure>
where
    S: Strategy,
    S::Value: Debug,
{
    let mut config = Config::with_cases(cases);
    config.failure_persistence = None;
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(seed));
    let mut runner = TestRunner::new_with_rng(config, rng);
    let outcome =
        quiet::quietly(|| runner.run(&strategy, |ops| test(&ops).map_err(TestCaseError::fail)));
    match outcome {
        Ok(()) => Ok(cases as usize),
        Err(TestError::Fail(why, ops)) => Err(Failure::new(
            FailureKind::Assertion(Bug::WrongResult),
            format!("[{}] {why}; minimal operations: {ops:?}", Bug::WrongResult),
        )),
        Err(TestError::Abort(why)) => Err(Failure::new(
            FailureKind::Panic,
            format!("model test aborted: {why}"),
        )),
    }
}

fn seed_bytes(seed: u64) -> [u8; 32] {
    let mut bytes = [0; 32];
    for chunk in bytes.chunks_mut(8) {
        chunk.copy_from_slice(&seed.to_le_bytes());
    }
    bytes
}

/// An operation on a [`Counter`].
#[derive(Clone, Copy, Debug)]
pub enum CounterOp {
    /// Increment this many times.
    Increment(u8),
    /// Read the count.
    Get,
}

/// The counter of kind `K` against an integer.
pub fn counter<K: CounterKind>(cases: u32, seed: u64) -> Result<usize, Failure> {
    let op = prop_oneof![
        (0..8u8).prop_map(CounterOp::Increment),
        Just(CounterOp::Get)
    ];
    run_model(vec(op, 0..32), cases, seed, |ops| {
        let counter = Counter::<Std, K>::new_in();
        let mut model = 0u32;
        for (step, op) in ops.iter().enumerate() {
            match *op {
                CounterOp::Increment(times) => {
                    (0..times).for_each(|_| counter.increment());
                    model += u32::from(times);
                }
                CounterOp::Get => agree(step, op, counter.get(), model)?,
            }
        }
        agree(ops.len(), &CounterOp::Get, counter.get(), model)
    })
}

/// A timeout the lock model uses: the boundaries and one short real wait.
#[derive(Clone, Copy, Debug)]
pub enum Timeout {
    /// `Duration::ZERO`: one attempt, no wait.
    Zero,
    /// A short real wait ([`Timeout::SHORT`]).
    Short,
    /// `Duration::MAX`: no limit.
    Max,
}

impl Timeout {
    /// The length of [`Timeout::Short`].
    pub const SHORT: Duration = Duration::from_micros(200);

    fn duration(self) -> Duration {
        match self {
            Timeout::Zero => Duration::ZERO,
            Timeout::Short => Timeout::SHORT,
            Timeout::Max => Duration::MAX,
        }
    }
}

/// An operation on a [`RawLock`] held by the one test thread.
#[derive(Clone, Copy, Debug)]
pub enum LockOp {
    /// `try_lock`.
    TryLock,
    /// `lock`; skipped while held (it would wait for itself forever).
    Lock,
    /// `try_lock_for`; with [`Timeout::Max`] skipped while held.
    LockFor(Timeout),
    /// Drop the guard, if held.
    Unlock,
}

/// The lock of variant `V` against a boolean "held".
///
/// Also checks that a timed attempt on a held lock waits out its timeout
/// before it gives up, and that zero and enormous timeouts behave as
/// documented.
pub fn lock<V: LockVariant>(cases: u32, seed: u64) -> Result<usize, Failure> {
    let timeout = prop_oneof![
        Just(Timeout::Zero),
        Just(Timeout::Short),
        Just(Timeout::Max)
    ];
    let op = prop_oneof![
        Just(LockOp::TryLock),
        Just(LockOp::Lock),
        timeout.prop_map(LockOp::LockFor),
        Just(LockOp::Unlock),
    ];
    run_model(vec(op, 0..24), cases, seed, |ops| {
        let lock = RawLock::<Std, V>::new_in();
        let mut guard = None;
        for (step, op) in ops.iter().enumerate() {
            let held = guard.is_some();
            let acquired = match *op {
                LockOp::TryLock => lock.try_lock(),
                LockOp::Lock if held => continue,
                LockOp::Lock => Some(lock.lock()),
                LockOp::LockFor(Timeout::Max) if held => continue,
                LockOp::LockFor(timeout) => {
                    let start = Instant::now();
                    let acquired = lock.try_lock_for(timeout.duration());
                    let waited = start.elapsed();
                    if acquired.is_none() && waited < timeout.duration() {
                        return Err(format!(
                            "step {step}: {op:?} gave up after {waited:?}, before its timeout"
                        ));
                    }
                    acquired
                }
                LockOp::Unlock => {
                    guard = None;
                    continue;
                }
            };
            agree(step, op, acquired.is_some(), !held)?;
            if acquired.is_some() {
                guard = acquired;
            }
        }
        Ok(())
    })
}

fn agree<T: PartialEq + Debug>(
    step: usize,
    op: &impl Debug,
    seen: T,
    model: T,
) -> Result<(), String> {
    if seen == model {
        Ok(())
    } else {
        Err(format!(
            "step {step}: {op:?} returned {seen:?}, the model says {model:?}"
        ))
    }
}

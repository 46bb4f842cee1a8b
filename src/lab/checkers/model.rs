//! The model test: proptest generates cases (a primitive's parameters and
//! the operations one thread applies), each is checked against the
//! primitive's [`Spec`](crate::lab::spec::Spec), and a failure is shrunk to
//! a minimal case. The operation fuzz targets decode the fuzzer's bytes
//! through the same strategy, so one description of a primitive's
//! operations serves both.
//!
//! A sequential run has no second thread, so it cannot see a race: the broken
//! variants that differ from the correct code only under concurrency are
//! expected to escape it. It catches what is wrong in one thread: a wrong
//! result, a timeout not honoured, bad input mishandled.

use std::cell::Cell;
use std::fmt::Debug;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};

use crate::lab::failure::{Bug, Failure, FailureKind};
use crate::lab::quiet;

/// A primitive's sequential test: what a case is, how cases are generated,
/// and how one is checked (usually with
/// [`check_sequence`](crate::lab::spec::check_sequence)).
pub trait Sequential: 'static {
    /// One case: the primitive's parameters and the operations to apply.
    type Case: Clone + Debug;

    /// The cases proptest generates, and fuzzer bytes decode through.
    fn cases() -> impl Strategy<Value = Self::Case>;

    /// Applies `case` to a fresh primitive and to its spec; `Err` says where
    /// they disagree.
    fn check(case: &Self::Case) -> Result<(), String>;
}

/// The model test of `T`: `cases` proptest cases from `seed`, each checked;
/// a [`Bug::WrongResult`] failure naming the shrunk case, if any, and the
/// cases run until the verdict (the failing one included).
pub fn model_test<T: Sequential>(cases: u32, seed: u64) -> (Option<Failure>, usize) {
    let (failure, run) = run_cases(
        T::cases(),
        cases,
        seed,
        T::check,
        FailureKind::Assertion(Bug::WrongResult),
        &format!("[{}] ", Bug::WrongResult),
    );
    (failure.map(|(failure, _)| failure), run)
}

/// The operation fuzz test of `T`: decodes `data` into a case through
/// [`Sequential::cases`] and checks it.
pub fn operations_test<T: Sequential>(data: &[u8]) -> Result<(), String> {
    T::check(&decode(T::cases(), data)?)
}

/// The value `strategy` draws from a generator seeded with `data` (its
/// FNV-1a hash seeds proptest's ChaCha): the same bytes always decode to the
/// same case, and any bytes decode.
///
/// The bytes seed the case rather than spell it: proptest's pass-through
/// generator, which would let libFuzzer's mutations edit a case byte by
/// byte, draws forever on some of the lab's strategies once the bytes run
/// out (a range such as `0..3` rejects an all-zero draw). So coverage
/// guidance here steers which seeds the fuzzer keeps, as a corpus of cases.
/// `Err` only if the strategy rejects every draw, which the lab's strategies
/// never do.
///
/// ```
/// use synclab::lab::checkers::model::decode;
///
/// let ops = proptest::collection::vec(0..3u8, 0..8);
/// assert_eq!(decode(&ops, b"fuzz"), decode(&ops, b"fuzz"));
/// assert!(decode(&ops, b"").unwrap().iter().all(|&op| op < 3));
/// ```
pub fn decode<S: Strategy>(strategy: S, data: &[u8]) -> Result<S::Value, String> {
    let hash = data.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(hash));
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    strategy
        .new_tree(&mut runner)
        .map(|tree| tree.current())
        .map_err(|reason| format!("the bytes decode to no case: {reason}"))
}

/// Runs `cases` proptest cases of `test` over `strategy`, from `seed`: the
/// failure and the shrunk case, if any, and the cases run until the verdict
/// (the first failing one included; shrinking is not counted). A failure is
/// reported as `kind`, its message prefixed with `prefix`
/// (`"[wrong-result] "`) and naming the shrunk case. An aborted run has no
/// case.
pub(crate) fn run_cases<S>(
    strategy: S,
    cases: u32,
    seed: u64,
    test: impl Fn(&S::Value) -> Result<(), String>,
    kind: FailureKind,
    prefix: &str,
) -> (Option<(Failure, Option<S::Value>)>, usize)
where
    S: Strategy,
    S::Value: Debug,
{
    let mut config = Config::with_cases(cases);
    config.failure_persistence = None;
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(seed));
    let mut runner = TestRunner::new_with_rng(config, rng);
    // Cases run until the first failure; shrinking runs more, not counted.
    let (run, failed) = (Cell::new(0usize), Cell::new(false));
    let outcome = quiet::quietly(|| {
        runner.run(&strategy, |case| {
            if !failed.get() {
                run.set(run.get() + 1);
            }
            test(&case).map_err(|why| {
                failed.set(true);
                TestCaseError::fail(why)
            })
        })
    });
    let failure = match outcome {
        Ok(()) => None,
        Err(TestError::Fail(why, case)) => {
            let message = format!("{prefix}{why}; minimal case: {case:?}");
            Some((Failure::new(kind, message), Some(case)))
        }
        Err(TestError::Abort(why)) => {
            let message = format!("model test aborted: {why}");
            Some((Failure::new(FailureKind::Panic, message), None))
        }
    };
    (failure, run.get())
}

fn seed_bytes(seed: u64) -> [u8; 32] {
    let mut bytes = [0; 32];
    for chunk in bytes.chunks_mut(8) {
        chunk.copy_from_slice(&seed.to_le_bytes());
    }
    bytes
}

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

use std::cell::{Cell, RefCell};
use std::fmt::Debug;
use std::ops::ControlFlow;
use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};

use super::watchdog::{Limits, Round, watch};
use crate::lab::failure::{Bug, Failure, FailureKind};
use crate::lab::quiet;

/// A primitive's sequential test: what a case is, how cases are generated,
/// and how one is checked (usually with
/// [`check_sequence`](crate::lab::spec::check_sequence)).
pub trait Sequential: 'static {
    /// One case: the primitive's parameters and the operations to apply.
    type Case: Clone + Debug + Send + 'static;

    /// The cases proptest generates, and fuzzer bytes decode through.
    fn cases() -> impl Strategy<Value = Self::Case>;

    /// Applies `case` to a fresh primitive and to its spec; `Err` says where
    /// they disagree.
    fn check(case: &Self::Case) -> Result<(), String>;
}

/// How long one sequential case may take before the model test reports it
/// as a hang: far more than any case of the lab's specs needs (at most 24
/// operations, timeouts of 200 µs). A case whose one thread blocks with
/// nothing changing is reported sooner, after the stall window.
pub const CASE_LIMIT: Duration = Duration::from_millis(500);

/// The model test of `T`: `cases` proptest cases from `seed`, each checked;
/// the failure, if any, for the shrunk case, and the cases run until the
/// verdict (the failing one included).
///
/// A case whose primitive disagrees with the spec is a
/// [`Bug::WrongResult`]. A case that does not finish (an operation blocks,
/// or spins, where the spec says it returns) is a [`FailureKind::Hang`]:
/// the case runs as a watched round, so its thread is abandoned like a hung
/// stress round's (it unwinds at its next yield or spin, at idle priority
/// meanwhile), and it is not shrunk: every later case counts as passing, so
/// that no more threads hang.
pub fn model_test<T: Sequential>(cases: u32, seed: u64) -> (Option<Failure>, usize) {
    let hung = Cell::new(false);
    let (failure, run) = run_cases(T::cases(), cases, seed, |case| {
        if hung.get() {
            return Ok(());
        }
        let outcome = watched::<T>(case);
        hung.set(matches!(&outcome, Err(failure) if failure.kind == FailureKind::Hang));
        outcome
    });
    (failure.map(|(failure, _)| failure), run)
}

/// Checks `case` as one watched round (see [`watch`]).
fn watched<T: Sequential>(case: &T::Case) -> Result<(), Failure> {
    let case = case.clone();
    let round = move || panic::catch_unwind(AssertUnwindSafe(|| T::check(&case)));
    let limits = Limits {
        timeout: CASE_LIMIT,
        stall: CASE_LIMIT / 5,
    };
    let mut outcome = Ok(());
    watch(1, limits, round, |_, round| {
        outcome = match round {
            Round::Done(Ok(Ok(()))) => Ok(()),
            Round::Done(Ok(Err(why))) => Err(Failure::new(
                FailureKind::Assertion(Bug::WrongResult),
                format!("[{}] {why}", Bug::WrongResult),
            )),
            Round::Done(Err(panicked)) => Err(Failure::from_panic(panicked)),
            Round::Hung { failure, .. } => Err(Failure::new(
                FailureKind::Hang,
                format!(
                    "an operation does not return where the spec says it does ({})",
                    failure.message
                ),
            )),
        };
        ControlFlow::Break(())
    })?;
    outcome
}

/// The operation fuzz test of `T`: decodes `data` into a case through
/// [`Sequential::cases`] and checks it. A panic is a failure too, told as
/// the model test tells it (a thread leaked by the primitive's `Drop`...).
pub fn operations_test<T: Sequential>(data: &[u8]) -> Result<(), String> {
    let case = decode(T::cases(), data)?;
    panic::catch_unwind(AssertUnwindSafe(|| T::check(&case)))
        .unwrap_or_else(|payload| Err(Failure::from_panic(payload).to_string()))
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

/// What [`run_cases`] found: the failure of the shrunk case and that case
/// (`None` if the run aborted), or `None` if every case passed.
pub(crate) type Shrunk<V> = Option<(Failure, Option<V>)>;

/// Runs `cases` proptest cases of `test` over `strategy`, from `seed`: the
/// failure of the shrunk case and that case, if any, and the cases run
/// until the verdict (the first failing one included; shrinking is not
/// counted). The failure is the one `test` gave for the shrunk case, its
/// message extended with the case. An aborted run has no case.
pub(crate) fn run_cases<S>(
    strategy: S,
    cases: u32,
    seed: u64,
    test: impl Fn(&S::Value) -> Result<(), Failure>,
) -> (Shrunk<S::Value>, usize)
where
    S: Strategy,
    S::Value: Debug,
{
    let mut config = Config::with_cases(cases);
    config.failure_persistence = None;
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(seed));
    let mut runner = TestRunner::new_with_rng(config, rng);
    // Cases run until the first failure; shrinking runs more, not counted.
    // The last failure seen is the shrunk case's: proptest keeps the last
    // case that failed.
    let (run, last) = (Cell::new(0usize), RefCell::new(None::<Failure>));
    let outcome = quiet::quietly(|| {
        runner.run(&strategy, |case| {
            if last.borrow().is_none() {
                run.set(run.get() + 1);
            }
            test(&case).map_err(|failure| {
                let why = failure.message.clone();
                *last.borrow_mut() = Some(failure);
                TestCaseError::fail(why)
            })
        })
    });
    let failure = match outcome {
        Ok(()) => None,
        Err(TestError::Fail(why, case)) => {
            let failure = last
                .take()
                .unwrap_or_else(|| Failure::new(FailureKind::Panic, why.to_string()));
            let message = format!("{}; minimal case: {case:?}", failure.message);
            Some((Failure::new(failure.kind, message), Some(case)))
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

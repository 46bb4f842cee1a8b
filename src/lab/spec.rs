//! The sequential specification a primitive is judged against.
//!
//! Each primitive has **one** [`Spec`] (in its folder's `spec.rs`): a state,
//! its operations and what each returns. The same spec serves three
//! checkers:
//!
//! - the proptest model test ([`Checker::Model`](super::checkers::Checker)):
//!   one thread applies generated operations to the primitive and to the
//!   spec, and the two must agree at every step ([`check_sequence`]);
//! - the operation fuzz targets: the same check on operations decoded from
//!   the fuzzer's bytes through the same proptest strategy;
//! - the [linearizability](super::linearizability) checker: a concurrent
//!   history must be explained by some order of the spec's operations.

use std::fmt::Debug;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// A sequential specification: the model a concurrent object must agree
/// with.
///
/// ```
/// use synclab::lab::spec::{Spec, check_sequence};
///
/// /// A register: writes and reads.
/// #[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
/// struct Register(u8);
///
/// #[derive(Clone, Debug)]
/// enum Op { Write(u8), Read }
///
/// impl Spec for Register {
///     type Op = Op;
///     type Ret = Option<u8>;
///     fn apply(&self, op: &Op) -> Option<(Option<u8>, Self)> {
///         Some(match op {
///             Op::Write(value) => (None, Register(*value)),
///             Op::Read => (Some(self.0), self.clone()),
///         })
///     }
/// }
///
/// // A cell that forgets every write but the first agrees no longer:
/// let mut cell = None;
/// let ops = [Op::Write(1), Op::Write(2), Op::Read];
/// let error = check_sequence(Register::default(), &ops, |op| match op {
///     Op::Write(value) => { cell.get_or_insert(*value); None }
///     Op::Read => cell,
/// })
/// .unwrap_err();
/// assert!(error.contains("step 2: Read returned Some(1), the spec says Some(2)"));
/// ```
pub trait Spec: Clone + Eq + Hash + Debug {
    /// An operation, with its arguments.
    type Op: Clone + Debug + Send + Sync + 'static;
    /// What an operation returns.
    type Ret: Clone + Debug + PartialEq + Send + 'static;

    /// Applies `op` to this state: its result and the next state, or `None`
    /// if `op` cannot complete here (it would block, like `get` on an empty
    /// queue, or it is illegal, like releasing a lock nobody holds).
    fn apply(&self, op: &Self::Op) -> Option<(Self::Ret, Self)>;

    /// The timeout of a timed operation (`try_lock_for`, `get_for`...).
    fn timeout(_op: &Self::Op) -> Option<Timeout> {
        None
    }

    /// Whether `ret` says a timed operation gave up: it must have waited its
    /// timeout out first.
    fn gave_up(_ret: &Self::Ret) -> bool {
        false
    }
}

/// The timeouts the sequential tests use: the two boundaries and one short
/// real wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

    /// The timeout as a duration.
    pub fn duration(self) -> Duration {
        match self {
            Timeout::Zero => Duration::ZERO,
            Timeout::Short => Timeout::SHORT,
            Timeout::Max => Duration::MAX,
        }
    }

    /// The three timeouts, as a proptest strategy.
    pub fn any() -> impl proptest::strategy::Strategy<Value = Timeout> + Clone {
        proptest::sample::select(vec![Timeout::Zero, Timeout::Short, Timeout::Max])
    }
}

/// Applies `ops`, one thread, to a primitive (through `perform`) and to
/// `spec`, and checks that they agree at every step; `Err` says where they
/// do not.
///
/// An operation the spec cannot complete in its state (it would block
/// forever in a single thread, or it is illegal) is skipped. A timed
/// operation that gave up must have waited its timeout out.
pub fn check_sequence<S: Spec>(
    mut spec: S,
    ops: &[S::Op],
    mut perform: impl FnMut(&S::Op) -> S::Ret,
) -> Result<(), String> {
    for (step, op) in ops.iter().enumerate() {
        let Some((expected, next)) = spec.apply(op) else {
            continue;
        };
        let start = Instant::now();
        let seen = perform(op);
        let waited = start.elapsed();
        if seen != expected {
            return Err(format!(
                "step {step}: {op:?} returned {seen:?}, the spec says {expected:?}"
            ));
        }
        if let Some(timeout) = S::timeout(op)
            && S::gave_up(&seen)
            && waited < timeout.duration()
        {
            return Err(format!(
                "step {step}: {op:?} gave up after {waited:?}, before its timeout"
            ));
        }
        spec = next;
    }
    Ok(())
}

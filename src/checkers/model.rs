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
use crate::condition::Condition;
use crate::counter::{Counter, CounterKind};
use crate::event::{Event, EventVariant};
use crate::failure::{Bug, Failure, FailureKind};
use crate::lock::{LockVariant, RawLock};
use crate::queue::{Queue, QueueVariant};
use crate::quiet;
use crate::semaphore::{BoundedSemaphore, Semaphore, SemaphoreVariant};

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
    let kind = FailureKind::Assertion(Bug::WrongResult);
    run_cases(
        strategy,
        cases,
        seed,
        test,
        kind,
        &format!("[{}] ", Bug::WrongResult),
    )
}

/// [`run_model`] with the kind of failure to report, and the prefix of its
/// message (`"[wrong-result] "`, `"not linearizable: "`).
pub(crate) fn run_cases<S>(
    strategy: S,
    cases: u32,
    seed: u64,
    test: impl Fn(&S::Value) -> Result<(), String>,
    kind: FailureKind,
    prefix: &str,
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
            kind,
            format!("{prefix}{why}; minimal operations: {ops:?}"),
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
    run_model(vec(op, 0..32), cases, seed, |ops| counter_ops::<K>(ops))
}

/// Applies `ops` to the counter and its sequential model (the check behind
/// [`counter`], shared with the fuzz targets); `Err` says where they disagree.
pub fn counter_ops<K: CounterKind>(ops: &[CounterOp]) -> Result<(), String> {
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
    run_model(vec(op, 0..24), cases, seed, |ops| lock_ops::<V>(ops))
}

/// Applies `ops` to the lock and its sequential model (the check behind
/// [`lock`], shared with the fuzz targets); `Err` says where they disagree.
pub fn lock_ops<V: LockVariant>(ops: &[LockOp]) -> Result<(), String> {
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
                timed(step, op, timeout, || lock.try_lock_for(timeout.duration()))?
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

/// An operation on a semaphore, by the one test thread.
#[derive(Clone, Copy, Debug)]
pub enum SemaphoreOp {
    /// `acquire`; skipped with no permit available (it would wait forever).
    Acquire,
    /// `try_acquire`.
    TryAcquire,
    /// `try_acquire_for`; with [`Timeout::Max`] skipped with no permit.
    AcquireFor(Timeout),
    /// Drop the oldest permit held, if any.
    DropPermit,
    /// `release`: add a permit.
    Release,
    /// Compare `available_permits` with the model.
    Available,
}

fn semaphore_strategy() -> impl Strategy<Value = (u32, Vec<SemaphoreOp>)> {
    let op = prop_oneof![
        Just(SemaphoreOp::Acquire),
        Just(SemaphoreOp::TryAcquire),
        timeout().prop_map(SemaphoreOp::AcquireFor),
        Just(SemaphoreOp::DropPermit),
        Just(SemaphoreOp::Release),
        Just(SemaphoreOp::Available),
    ];
    (0..3u32, vec(op, 0..24))
}

pub(crate) fn timeout() -> impl Strategy<Value = Timeout> {
    prop_oneof![
        Just(Timeout::Zero),
        Just(Timeout::Short),
        Just(Timeout::Max)
    ]
}

/// The semaphore of variant `V` against a permit count; `bound` is `None`
/// for a plain [`Semaphore`] and the initial permits for a
/// [`BoundedSemaphore`], whose `release` must refuse
/// to pass it.
fn semaphore_model<V: SemaphoreVariant>(
    bounded: bool,
    cases: u32,
    seed: u64,
) -> Result<usize, Failure> {
    run_model(semaphore_strategy(), cases, seed, |(initial, ops)| {
        semaphore_ops::<V>(bounded, *initial, ops)
    })
}

/// Applies `ops` to a semaphore starting at `initial` permits (bounded
/// there if `bounded`) and to its model; shared with the fuzz targets.
pub fn semaphore_ops<V: SemaphoreVariant>(
    bounded: bool,
    initial: u32,
    ops: &[SemaphoreOp],
) -> Result<(), String> {
    let semaphore = BoundedSemaphore::<Std, V>::new_in(initial);
    let plain = Semaphore::<Std, V>::new_in(initial);
    let bound = if bounded {
        initial
    } else {
        crate::semaphore::MAX_PERMITS
    };
    let mut model = initial;
    let mut held = std::collections::VecDeque::new();
    for (step, op) in ops.iter().enumerate() {
        let permit = match *op {
            SemaphoreOp::Acquire if model == 0 => continue,
            SemaphoreOp::Acquire => Some(pick(bounded, || semaphore.acquire(), || plain.acquire())),
            SemaphoreOp::TryAcquire => {
                pick(bounded, || semaphore.try_acquire(), || plain.try_acquire())
            }
            SemaphoreOp::AcquireFor(Timeout::Max) if model == 0 => continue,
            SemaphoreOp::AcquireFor(timeout) => timed(step, op, timeout, || {
                pick(
                    bounded,
                    || semaphore.try_acquire_for(timeout.duration()),
                    || plain.try_acquire_for(timeout.duration()),
                )
            })?,
            SemaphoreOp::DropPermit => {
                if held.pop_front().is_some() {
                    model = (model + 1).min(bound);
                }
                continue;
            }
            SemaphoreOp::Release => {
                let accepted = if bounded {
                    semaphore.release().is_ok()
                } else {
                    plain.release();
                    true
                };
                agree(step, op, accepted, model < bound)?;
                model = (model + 1).min(bound);
                continue;
            }
            SemaphoreOp::Available => {
                let seen = pick(
                    bounded,
                    || semaphore.available_permits(),
                    || plain.available_permits(),
                );
                agree(step, op, seen, model)?;
                continue;
            }
        };
        agree(step, op, permit.is_some(), model > 0)?;
        if let Some(permit) = permit {
            model -= 1;
            held.push_back(permit);
        }
    }
    Ok(())
}

/// Runs the bounded or the plain semaphore's operation.
fn pick<R>(bounded: bool, on_bounded: impl FnOnce() -> R, on_plain: impl FnOnce() -> R) -> R {
    if bounded { on_bounded() } else { on_plain() }
}

/// Runs a timed attempt and checks that, if it gave up, it waited its
/// timeout out first.
fn timed<T>(
    step: usize,
    op: &impl Debug,
    timeout: Timeout,
    attempt: impl FnOnce() -> Option<T>,
) -> Result<Option<T>, String> {
    let start = Instant::now();
    let outcome = attempt();
    let waited = start.elapsed();
    if outcome.is_none() && waited < timeout.duration() {
        return Err(format!(
            "step {step}: {op:?} gave up after {waited:?}, before its timeout"
        ));
    }
    Ok(outcome)
}

/// The [`Semaphore`] of variant `V` against a count.
pub fn semaphore<V: SemaphoreVariant>(cases: u32, seed: u64) -> Result<usize, Failure> {
    semaphore_model::<V>(false, cases, seed)
}

/// The [`BoundedSemaphore`] of variant `V` against a
/// count capped at its bound.
pub fn bounded_semaphore<V: SemaphoreVariant>(cases: u32, seed: u64) -> Result<usize, Failure> {
    semaphore_model::<V>(true, cases, seed)
}

/// An operation on an [`Event`], by the one test thread.
#[derive(Clone, Copy, Debug)]
pub enum EventOp {
    /// `set`.
    Set,
    /// `clear`.
    Clear,
    /// `is_set`.
    IsSet,
    /// `wait`; skipped while unset (it would wait forever).
    Wait,
    /// `wait_for`; with [`Timeout::Max`] skipped while unset.
    WaitFor(Timeout),
}

/// The event of variant `V` against a boolean.
pub fn event<V: EventVariant>(cases: u32, seed: u64) -> Result<usize, Failure> {
    let op = prop_oneof![
        Just(EventOp::Set),
        Just(EventOp::Clear),
        Just(EventOp::IsSet),
        Just(EventOp::Wait),
        timeout().prop_map(EventOp::WaitFor),
    ];
    run_model(vec(op, 0..24), cases, seed, |ops| event_ops::<V>(ops))
}

/// Applies `ops` to the event and its sequential model (the check behind
/// [`event`], shared with the fuzz targets); `Err` says where they disagree.
pub fn event_ops<V: EventVariant>(ops: &[EventOp]) -> Result<(), String> {
    let event = Event::<Std, V>::new_in();
    let mut model = false;
    for (step, op) in ops.iter().enumerate() {
        match *op {
            EventOp::Set => model = true,
            EventOp::Clear => model = false,
            EventOp::Wait | EventOp::WaitFor(Timeout::Max) if !model => continue,
            _ => {}
        }
        let seen = match *op {
            EventOp::Set => {
                event.set();
                continue;
            }
            EventOp::Clear => {
                event.clear();
                continue;
            }
            EventOp::IsSet => event.is_set(),
            EventOp::Wait => {
                event.wait();
                true
            }
            EventOp::WaitFor(timeout) => timed(step, op, timeout, || {
                event.wait_for(timeout.duration()).then_some(())
            })?
            .is_some(),
        };
        agree(step, op, seen, model)?;
    }
    Ok(())
}

/// An operation on a [`Condition`], by the one test thread.
#[derive(Clone, Copy, Debug)]
pub enum ConditionOp {
    /// Store a value under the lock.
    Set(u8),
    /// `notify(n)`, with nobody waiting.
    Notify(usize),
    /// `notify_all`, with nobody waiting.
    NotifyAll,
    /// `wait_for`: nobody will notify, so it must time out (not with
    /// [`Timeout::Max`], which would wait forever: skipped).
    WaitFor(Timeout),
    /// `wait_while_for(value < n)`: true at once if the value is at least
    /// `n`, otherwise it must time out (skipped with [`Timeout::Max`]).
    WaitWhileBelow(u8, Timeout),
}

/// The condition against its value: with one thread, notifies with no
/// waiter are no-ops (even `notify(usize::MAX)`), and waits time out.
pub fn condition(cases: u32, seed: u64) -> Result<usize, Failure> {
    let op = prop_oneof![
        (0..4u8).prop_map(ConditionOp::Set),
        prop_oneof![Just(0), Just(1), Just(usize::MAX)].prop_map(ConditionOp::Notify),
        Just(ConditionOp::NotifyAll),
        timeout().prop_map(ConditionOp::WaitFor),
        (0..4u8, timeout()).prop_map(|(n, t)| ConditionOp::WaitWhileBelow(n, t)),
    ];
    run_model(vec(op, 0..16), cases, seed, |ops| condition_ops(ops))
}

/// Applies `ops` to the condition and its sequential model (the check behind
/// [`condition`], shared with the fuzz targets); `Err` says where they disagree.
pub fn condition_ops(ops: &[ConditionOp]) -> Result<(), String> {
    let condition = Condition::<u8, Std>::new_in(0);
    let mut model = 0;
    for (step, op) in ops.iter().enumerate() {
        match *op {
            ConditionOp::Set(value) => {
                *condition.lock() = value;
                model = value;
            }
            ConditionOp::Notify(n) => condition.notify(n),
            ConditionOp::NotifyAll => condition.notify_all(),
            ConditionOp::WaitFor(Timeout::Max) => {}
            ConditionOp::WaitFor(timeout) => {
                let woken = timed(step, op, timeout, || {
                    let (_guard, woken) = condition.wait_for(condition.lock(), timeout.duration());
                    woken.then_some(())
                })?;
                agree(step, op, woken.is_some(), false)?;
            }
            ConditionOp::WaitWhileBelow(n, Timeout::Max) if model < n => {}
            ConditionOp::WaitWhileBelow(n, timeout) => {
                let satisfied = timed(step, op, timeout, || {
                    let guard = condition.lock();
                    let (_guard, satisfied) =
                        condition.wait_while_for(guard, timeout.duration(), |value| *value < n);
                    satisfied.then_some(())
                })?;
                agree(step, op, satisfied.is_some(), model >= n)?;
            }
        }
    }
    Ok(())
}

/// An operation on a [`Queue`], by the one test thread.
#[derive(Clone, Copy, Debug)]
pub enum QueueOp {
    /// `put`; skipped when full (it would wait forever).
    Put(u8),
    /// `try_put`.
    TryPut(u8),
    /// `put_for`; with [`Timeout::Max`] skipped when full.
    PutFor(u8, Timeout),
    /// `get`; skipped when empty.
    Get,
    /// `try_get`.
    TryGet,
    /// `get_for`; with [`Timeout::Max`] skipped when empty.
    GetFor(Timeout),
    /// `task_done`, which must fail once every item is marked.
    TaskDone,
    /// `join_for`; with [`Timeout::Max`] skipped with tasks unfinished.
    JoinFor(Timeout),
    /// `len`, `is_empty` and `is_full`.
    Len,
}

/// The queue of variant `V` against a `VecDeque` and a task count, with a
/// capacity of 0 (unbounded) to 3.
pub fn queue<V: QueueVariant>(cases: u32, seed: u64) -> Result<usize, Failure> {
    let op = prop_oneof![
        any::<u8>().prop_map(QueueOp::Put),
        any::<u8>().prop_map(QueueOp::TryPut),
        (any::<u8>(), timeout()).prop_map(|(x, t)| QueueOp::PutFor(x, t)),
        Just(QueueOp::Get),
        Just(QueueOp::TryGet),
        timeout().prop_map(QueueOp::GetFor),
        Just(QueueOp::TaskDone),
        timeout().prop_map(QueueOp::JoinFor),
        Just(QueueOp::Len),
    ];
    run_model(
        (0..4usize, vec(op, 0..24)),
        cases,
        seed,
        |(maxsize, ops)| queue_ops::<V>(*maxsize, ops),
    )
}

/// Applies `ops` to the queue and its sequential model (the check behind
/// [`queue`], shared with the fuzz targets); `Err` says where they disagree.
pub fn queue_ops<V: QueueVariant>(maxsize: usize, ops: &[QueueOp]) -> Result<(), String> {
    let queue = Queue::<u8, Std, V>::new_in(maxsize);
    let capacity = if maxsize == 0 { usize::MAX } else { maxsize };
    let mut items = std::collections::VecDeque::new();
    let mut unfinished = 0u32;
    for (step, op) in ops.iter().enumerate() {
        let full = items.len() >= capacity;
        match *op {
            QueueOp::Put(_) | QueueOp::PutFor(_, Timeout::Max) if full => continue,
            QueueOp::Get | QueueOp::GetFor(Timeout::Max) if items.is_empty() => continue,
            QueueOp::JoinFor(Timeout::Max) if unfinished > 0 => continue,
            _ => {}
        }
        match *op {
            QueueOp::Put(x) | QueueOp::TryPut(x) | QueueOp::PutFor(x, _) => {
                let accepted = match *op {
                    QueueOp::Put(_) => {
                        queue.put(x);
                        true
                    }
                    QueueOp::TryPut(_) => queue.try_put(x).is_ok(),
                    QueueOp::PutFor(_, timeout) => timed(step, op, timeout, || {
                        queue.put_for(x, timeout.duration()).ok()
                    })?
                    .is_some(),
                    _ => unreachable!(),
                };
                agree(step, op, accepted, !full)?;
                if accepted {
                    items.push_back(x);
                    unfinished += 1;
                }
            }
            QueueOp::Get => agree(step, op, Some(queue.get()), items.pop_front())?,
            QueueOp::TryGet => agree(step, op, queue.try_get(), items.pop_front())?,
            QueueOp::GetFor(timeout) => {
                let got = timed(step, op, timeout, || queue.get_for(timeout.duration()))?;
                agree(step, op, got, items.pop_front())?;
            }
            QueueOp::TaskDone => {
                agree(step, op, queue.task_done().is_ok(), unfinished > 0)?;
                unfinished = unfinished.saturating_sub(1);
            }
            QueueOp::JoinFor(timeout) => {
                let joined = timed(step, op, timeout, || {
                    queue.join_for(timeout.duration()).then_some(())
                })?;
                agree(step, op, joined.is_some(), unfinished == 0)?;
            }
            QueueOp::Len => {
                let seen = (queue.len(), queue.is_empty(), queue.is_full());
                agree(
                    step,
                    op,
                    seen,
                    (items.len(), items.is_empty(), items.len() >= capacity),
                )?;
            }
        }
    }
    Ok(())
}

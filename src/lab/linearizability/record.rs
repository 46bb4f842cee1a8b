//! Recording histories from concurrent runs, and checking them under
//! shuttle (deterministic: decides tests) and on real threads (reported).

use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use shuttle::scheduler::RandomScheduler;

use super::{CheckError, Ending, History, Operation, Spec, check};
use crate::lab::Budget;
use crate::lab::checkers::shuttle::run_quietly;
use crate::lab::checkers::watchdog::{Limits, Round, watch};
use crate::lab::failure::{Failure, FailureKind};

/// Records the operations of a concurrent run into a [`History`].
///
/// Call and return times come from one SeqCst counter, so an operation that
/// returned before another was called has the smaller stamps: the real-time
/// order the checker must respect. The log itself is a std `Mutex`, never
/// held across an operation, so it adds no scheduling points under shuttle.
///
/// ```
/// use synclab::lab::linearizability::{check, Ending, Recorder};
/// use synclab::counter::spec::{CounterOp, CounterRet, CounterSpec};
///
/// let recorder = Recorder::<CounterSpec>::new();
/// recorder.record(0, CounterOp::Increment, || CounterRet::Done);
/// recorder.record(0, CounterOp::Get, || CounterRet::Value(1));
/// assert!(check(&CounterSpec::default(), &recorder.history(), Ending::Open).is_ok());
/// ```
#[derive(Debug)]
pub struct Recorder<S: Spec> {
    clock: AtomicU64,
    operations: Mutex<Vec<Operation<S::Op, S::Ret>>>,
}

impl<S: Spec> Default for Recorder<S> {
    fn default() -> Self {
        Recorder {
            clock: AtomicU64::new(0),
            operations: Mutex::new(Vec::new()),
        }
    }
}

impl<S: Spec> Recorder<S> {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `op` by `thread`: stamps the call, runs `run` (the real
    /// operation), stamps the return. If `run` never returns, the operation
    /// stays pending in the history.
    pub fn record(&self, thread: usize, op: S::Op, run: impl FnOnce() -> S::Ret) -> S::Ret {
        let call = self.clock.fetch_add(1, Ordering::SeqCst);
        let index = {
            let mut operations = self
                .operations
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            operations.push(Operation {
                thread,
                op,
                call,
                ret: None,
            });
            operations.len() - 1
        };
        let ret = run();
        let returned = self.clock.fetch_add(1, Ordering::SeqCst);
        let mut operations = self
            .operations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        operations[index].ret = Some((returned, ret.clone()));
        ret
    }

    /// The history so far (operations still running are pending).
    pub fn history(&self) -> History<S::Op, S::Ret> {
        let operations = self
            .operations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        History {
            operations: operations.clone(),
        }
    }
}

/// The recorder of the current run, kept outside the run so that a run that
/// deadlocks or hangs still leaves its history behind.
type Slot<S> = Arc<Mutex<Option<Arc<Recorder<S>>>>>;

fn publish<S: Spec>(slot: &Slot<S>) -> Arc<Recorder<S>> {
    let recorder = Arc::new(Recorder::new());
    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&recorder));
    recorder
}

fn last_history<S: Spec>(slot: &Slot<S>) -> History<S::Op, S::Ret> {
    let recorder = slot.lock().unwrap_or_else(PoisonError::into_inner).clone();
    recorder.map(|r| r.history()).unwrap_or_default()
}

fn rejected(error: &CheckError) -> Failure {
    Failure::new(FailureKind::NotLinearizable, error.to_string())
}

/// Judges the history of a run that ended with every thread blocked: a
/// lost wakeup is not linearizable; a deadlock every pending operation
/// explains is `None` when `deadlock_ok` (the scenario itself blocks) and a
/// deadlock otherwise.
fn judge_deadlock<S: Spec>(
    initial: &S,
    history: &History<S::Op, S::Ret>,
    deadlock: Failure,
    deadlock_ok: bool,
) -> Option<Failure> {
    match check(initial, history, Ending::Deadlocked) {
        Err(error) => Some(rejected(&error)),
        Ok(_) if deadlock_ok => None,
        Ok(_) => Some(deadlock),
    }
}

/// Runs `scenario` under shuttle's random scheduler (the budget's seed and
/// iterations) and checks every history against `initial`. Returns the
/// first failure and the schedules explored.
///
/// A run in which every thread blocks is judged by its history (see
/// [`Ending::Deadlocked`]). With `deadlock_ok`, a deadlock that the spec
/// explains (a `get` on a queue nobody fills) is no failure: the search goes
/// on from the next seed.
pub fn check_recorded<S, F>(
    initial: S,
    scenario: F,
    budget: &Budget,
    deadlock_ok: bool,
) -> (Option<Failure>, usize)
where
    S: Spec + Send + Sync + 'static,
    F: Fn(Arc<Recorder<S>>) + Clone + Send + Sync + 'static,
{
    let explored = Arc::new(AtomicUsize::new(0));
    let mut seed = budget.seed;
    while explored.load(Ordering::Relaxed) < budget.shuttle_iterations {
        let remaining = budget.shuttle_iterations - explored.load(Ordering::Relaxed);
        let slot: Slot<S> = Arc::default();
        let test = {
            let (slot, explored, initial) =
                (Arc::clone(&slot), Arc::clone(&explored), initial.clone());
            let scenario = scenario.clone();
            move || {
                explored.fetch_add(1, Ordering::Relaxed);
                let recorder = publish(&slot);
                scenario(Arc::clone(&recorder));
                if let Err(error) = check(&initial, &recorder.history(), Ending::Open) {
                    std::panic::panic_any(rejected(&error).message);
                }
            }
        };
        let scheduler = RandomScheduler::new_from_seed(seed, remaining);
        let Err(failure) = run_quietly(scheduler, test) else {
            break;
        };
        if failure.kind != FailureKind::Deadlock {
            return (Some(failure), explored.load(Ordering::Relaxed));
        }
        if let Some(failure) = judge_deadlock(&initial, &last_history(&slot), failure, deadlock_ok)
        {
            return (Some(failure), explored.load(Ordering::Relaxed));
        }
        seed = seed.wrapping_add(1);
    }
    (None, explored.load(Ordering::Relaxed))
}

/// Runs `scenario` on real threads `rounds` times and checks every history.
/// A round whose threads all block with nothing changing for `timeout / 2`
/// is taken as deadlocked (its threads are abandoned) and judged by its
/// history; one cut off at `timeout` with threads still running (starved,
/// or livelocked) ends the rounds without a failure: real threads cannot
/// tell which. They are not deterministic: use the result as a report, or
/// to confirm that a correct primitive passes.
pub fn check_recorded_std<S, F>(
    initial: S,
    scenario: F,
    rounds: usize,
    timeout: Duration,
    deadlock_ok: bool,
) -> (Option<Failure>, usize)
where
    S: Spec + Send + Sync + 'static,
    F: Fn(Arc<Recorder<S>>) + Send + 'static,
{
    let slot: Slot<S> = Arc::default();
    let round = {
        let (slot, initial) = (Arc::clone(&slot), initial.clone());
        move || {
            let recorder = publish(&slot);
            match catch_unwind(AssertUnwindSafe(|| scenario(Arc::clone(&recorder)))) {
                Err(payload) => Some(Failure::from_panic(payload)),
                Ok(()) => check(&initial, &recorder.history(), Ending::Open)
                    .err()
                    .map(|e| rejected(&e)),
            }
        }
    };
    let mut found = None;
    let limits = Limits {
        timeout,
        stall: timeout / 2,
    };
    let watched = watch(rounds, limits, round, |_, round| {
        found = match round {
            Round::Done(None) => return ControlFlow::Continue(()),
            Round::Done(Some(failure)) => Some(failure),
            // A round whose threads all blocked for good is judged by its
            // history, as deadlocked.
            Round::Hung {
                failure: hang,
                deadlock: true,
            } => judge_deadlock(&initial, &last_history(&slot), hang, deadlock_ok),
            // One cut off with threads still running was starved or
            // livelocked: real threads cannot tell which, and decide
            // nothing. The rounds stop there.
            Round::Hung {
                deadlock: false, ..
            } => None,
        };
        ControlFlow::Break(())
    });
    match watched {
        Ok(done) => (found, done),
        Err(failure) => (Some(failure), 0),
    }
}

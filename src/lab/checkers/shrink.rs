//! Fewer context switches for a shuttle catch: the failing schedule,
//! replayed with its switches taken out one at a time, kept wherever it
//! still fails the same way.
//!
//! A random or PCT schedule that breaks a scenario often switches threads
//! where nothing depends on it, and every such switch is a column change a
//! reader of the trace must follow. loom already finds its failures with the
//! fewest preemptions (it raises its bound from 0); for shuttle the lab
//! records the failing execution's schedule, then [`shrink`]s it: at a
//! switch from thread A to thread B it lets A go on one step more, and
//! replays; where a thread the schedule names cannot run, the one running
//! goes on, or the first that can. A replay that fails with the same kind
//! of failure and fewer switches in its trace (or as many, and fewer in its
//! schedule) replaces the schedule. It stops when no single switch can go,
//! or after [`MAX_REPLAYS`].
//!
//! The shrunk schedule is an exact one (what the lenient replay did), so
//! `synclab replay <id> --schedule <hex>` replays it as shown.

use std::sync::{Arc, Mutex, PoisonError};

use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};
use shuttle_engine::scheduler::ScheduleStep;
use shuttle_engine::scheduler::serialization::serialize_schedule;

use super::shuttle as lab_shuttle;
use crate::lab::failure::{Failure, FailureKind};
use crate::lab::kernel::{self, Modelling};
use crate::lab::trace::{self, Trace};

/// Whether a failure of `kind` comes from the schedule alone, and so can be
/// shrunk: an assertion or a deadlock, not a loop given up on (whose
/// replays would run to the step bound) nor a panic of the lab's.
pub(crate) fn shrinkable(kind: FailureKind) -> bool {
    matches!(kind, FailureKind::Assertion(_) | FailureKind::Deadlock)
}

/// The most replays one shrink makes.
pub const MAX_REPLAYS: usize = 200;

/// The schedule of the execution under way (shared with whoever reads it
/// once the run is over).
pub(crate) type Recorded = Arc<Mutex<Schedule>>;

/// A scheduler that records the schedule of each execution it runs.
#[derive(Debug)]
pub(crate) struct Recording<S> {
    inner: S,
    recorded: Recorded,
}

impl<S: Scheduler> Recording<S> {
    /// `inner`, recording into `recorded`.
    pub(crate) fn new(inner: S, recorded: Recorded) -> Self {
        Recording { inner, recorded }
    }
}

fn record(recorded: &Recorded, step: impl FnOnce(&mut Schedule)) {
    step(&mut recorded.lock().unwrap_or_else(PoisonError::into_inner));
}

impl<S: Scheduler> Scheduler for Recording<S> {
    fn new_execution(&mut self) -> Option<Schedule> {
        record(&self.recorded, |schedule| *schedule = Schedule::new(0));
        self.inner.new_execution()
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let task = self.inner.next_task(runnable, current, is_yielding)?;
        record(&self.recorded, |schedule| schedule.push_task(task));
        Some(task)
    }

    fn next_u64(&mut self) -> u64 {
        record(&self.recorded, Schedule::push_random);
        self.inner.next_u64()
    }
}

/// A shuttle scheduler for one execution that follows a plan. The plan is
/// the fuzzer's bytes, each picking one of the runnable tasks (the fuzz
/// targets), or a list of tasks, each taken where it can run (the shrink's
/// lenient replay). Off the plan it keeps the running task while it can
/// (switching on a yield), so every execution runs to its end. Its random
/// values are 0: the lab's scenarios draw none (a scenario of yours that
/// draws from `shuttle::rand` may replay differently). The lab runs it
/// recording what it did as a shuttle [`Schedule`] (as it records the
/// random and PCT schedulers), which `shuttle::replay` and `synclab replay
/// --schedule` replay.
#[derive(Debug)]
pub struct ByteScheduler {
    plan: Plan,
    next: usize,
    started: bool,
}

/// What a [`ByteScheduler`] follows.
#[derive(Debug)]
enum Plan {
    Bytes(Vec<u8>),
    Tasks(Vec<TaskId>),
}

impl ByteScheduler {
    /// A scheduler for one execution, deciding by `bytes`.
    pub fn new(bytes: &[u8]) -> Self {
        Self::following(Plan::Bytes(bytes.to_vec()))
    }

    fn following(plan: Plan) -> Self {
        ByteScheduler {
            plan,
            next: 0,
            started: false,
        }
    }
}

impl Scheduler for ByteScheduler {
    fn new_execution(&mut self) -> Option<Schedule> {
        (!std::mem::replace(&mut self.started, true)).then(|| Schedule::new(0))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let planned = match &self.plan {
            Plan::Bytes(bytes) => bytes
                .get(self.next)
                .map(|&byte| runnable[usize::from(byte) % runnable.len()].id()),
            Plan::Tasks(tasks) => tasks
                .get(self.next)
                .copied()
                .filter(|&task| runnable.iter().any(|t| t.id() == task)),
        };
        self.next += 1;
        Some(planned.unwrap_or_else(|| off_plan(runnable, current, is_yielding)))
    }

    fn next_u64(&mut self) -> u64 {
        0
    }
}

/// The task to run where a schedule says nothing (or names one that cannot
/// run): the running task goes on, unless it yields or cannot run; then
/// the next one. So a loop that yields does not run alone to the step
/// bound.
fn off_plan(runnable: &[&Task], current: Option<TaskId>, is_yielding: bool) -> TaskId {
    let position = current.and_then(|c| runnable.iter().position(|t| t.id() == c));
    let index = match position {
        Some(p) if !is_yielding => p,
        Some(p) => (p + 1) % runnable.len(),
        None => 0,
    };
    runnable[index].id()
}

/// A failing schedule, as [`shrink`] leaves it.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The failure its replay gives (the same kind as the original's).
    pub failure: Failure,
    /// Its trace.
    pub trace: Option<Trace>,
    /// shuttle's encoding of it, for `synclab replay <id> --schedule`.
    pub schedule: String,
    /// Context switches in the original trace, and in this one.
    pub switches: (usize, usize),
    /// Replays made.
    pub replays: usize,
}

/// The tasks a schedule chose, in order (its random values left out: the
/// lab's scenarios draw none).
fn tasks(schedule: &Schedule) -> Vec<TaskId> {
    schedule
        .steps
        .iter()
        .filter_map(|step| match step {
            ScheduleStep::Task(task) => Some(*task),
            ScheduleStep::Random => None,
        })
        .collect()
}

/// Where a plan switches tasks: the positions whose task differs from the
/// one before.
fn switch_points(plan: &[TaskId]) -> Vec<usize> {
    (1..plan.len())
        .filter(|&i| plan[i] != plan[i - 1])
        .collect()
}

/// One execution of `scenario` following `plan` leniently, with
/// `modelling`: the failure, the trace, and the schedule it took.
fn replay(
    scenario: fn(u32),
    ops: u32,
    modelling: Modelling,
    plan: Vec<TaskId>,
) -> (Option<Failure>, Option<Trace>, Schedule) {
    let recorded = Arc::new(Mutex::new(Schedule::new(0)));
    let scheduler = Recording::new(
        ByteScheduler::following(Plan::Tasks(plan)),
        Arc::clone(&recorded),
    );
    let (outcome, trace) = trace::traced(|| {
        kernel::modelled(modelling, || {
            lab_shuttle::run_quietly(scheduler, move || scenario(ops))
        })
    });
    let schedule = recorded
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    (outcome.err(), trace, schedule)
}

/// Shrinks the failing `schedule` of `scenario` (run with `ops` and
/// `modelling`), whose failure was `failure` with `trace`: see the module
/// docs. `None` if a replay of the schedule itself does not fail the same
/// way (the failure did not come from the schedule alone).
pub fn shrink(
    scenario: fn(u32),
    ops: u32,
    modelling: Modelling,
    schedule: &Schedule,
    failure: &Failure,
    trace: Option<&Trace>,
) -> Option<Shrunk> {
    let cost = |trace: Option<&Trace>, schedule: &Schedule| {
        let plan = tasks(schedule);
        (trace.map_or(0, Trace::switches), switch_points(&plan).len())
    };
    let (first_failure, first_trace, first_schedule) =
        replay(scenario, ops, modelling, tasks(schedule));
    let same = |found: &Option<Failure>| found.as_ref().is_some_and(|f| f.kind == failure.kind);
    if !same(&first_failure) {
        return None;
    }
    let first_cost = cost(first_trace.as_ref(), &first_schedule);
    let mut best = (first_failure?, first_trace, first_schedule, first_cost);
    let mut replays = 1;
    'shrinking: while replays < MAX_REPLAYS {
        let plan = tasks(&best.2);
        for at in switch_points(&plan) {
            if replays >= MAX_REPLAYS {
                break 'shrinking;
            }
            let mut candidate = plan.clone();
            candidate[at] = candidate[at - 1];
            let (found, found_trace, found_schedule) = replay(scenario, ops, modelling, candidate);
            replays += 1;
            let found_cost = cost(found_trace.as_ref(), &found_schedule);
            if same(&found) && found_cost < best.3 {
                best = (found?, found_trace, found_schedule, found_cost);
                continue 'shrinking;
            }
        }
        break;
    }
    let (failure_found, trace_found, schedule_found, (after, _)) = best;
    Some(Shrunk {
        failure: failure_found,
        trace: trace_found,
        schedule: serialize_schedule(&schedule_found)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect(),
        switches: (trace.map_or(0, Trace::switches), after),
        replays,
    })
}

//! What the cargo-fuzz targets run on: a shuttle scheduler whose decisions
//! are the fuzzer's bytes ([`ByteScheduler`]), so libFuzzer's coverage
//! guidance searches the interleavings of a scenario. When the bytes run out
//! the scheduler goes on with a fixed choice, to the end of the execution: an
//! execution is never cut short into a silent pass. A failure comes back as
//! a [`ScheduleFailure`], with the lab's trace and a shuttle replay string.
//!
//! The operation targets need nothing here: they decode bytes through a
//! primitive's own proptest strategy
//! ([`operations_test`](super::checkers::model::operations_test)). The
//! targets themselves, by catalogue id, are in
//! [`catalogue::fuzz`](crate::catalogue::fuzz).

use std::sync::{Arc, Mutex, PoisonError};

use shuttle::scheduler::{ReplayScheduler, Schedule, Scheduler, Task, TaskId};
use shuttle_engine::scheduler::serialization::{deserialize_schedule, serialize_schedule};

use super::Budget;
use super::checkers::shuttle as lab_shuttle;
use super::failure::Failure;
use super::trace::{self, Trace};

/// A shuttle scheduler whose decisions are the fuzzer's bytes: each byte
/// picks one of the runnable tasks. When the bytes run out it keeps the
/// running task while it can (switching on a yield), so every execution
/// runs to its end. It records its decisions as a shuttle [`Schedule`],
/// which `shuttle::replay` and `synclab replay --schedule` replay.
#[derive(Debug)]
pub struct ByteScheduler {
    bytes: Vec<u8>,
    next: usize,
    started: bool,
    recorded: Arc<Mutex<Schedule>>,
}

impl ByteScheduler {
    /// A scheduler for one execution, deciding by `bytes`, recording into
    /// `recorded`.
    pub fn new(bytes: &[u8], recorded: Arc<Mutex<Schedule>>) -> Self {
        ByteScheduler {
            bytes: bytes.to_vec(),
            next: 0,
            started: false,
            recorded,
        }
    }

    fn record(&self, step: impl FnOnce(&mut Schedule)) {
        step(&mut self.recorded.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

impl Scheduler for ByteScheduler {
    fn new_execution(&mut self) -> Option<Schedule> {
        if std::mem::replace(&mut self.started, true) {
            return None;
        }
        self.record(|schedule| *schedule = Schedule::new(0));
        Some(Schedule::new(0))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let position = current.and_then(|c| runnable.iter().position(|t| t.id() == c));
        let index = match self.bytes.get(self.next) {
            Some(&byte) => {
                self.next += 1;
                usize::from(byte) % runnable.len()
            }
            // Out of bytes: stay on the running task, or move to the next
            // one when it yields or cannot run.
            None => match position {
                Some(p) if !is_yielding => p,
                Some(p) => (p + 1) % runnable.len(),
                None => 0,
            },
        };
        let task = runnable[index].id();
        self.record(|schedule| schedule.push_task(task));
        Some(task)
    }

    fn next_u64(&mut self) -> u64 {
        self.record(Schedule::push_random);
        0
    }
}

/// A failure found by a schedule: what, the interleaving, and the shuttle
/// schedule that replays it.
#[derive(Clone, Debug)]
pub struct ScheduleFailure {
    /// The catalogue id of the variant, for the replay command.
    pub id: &'static str,
    /// What was caught.
    pub failure: Failure,
    /// The failing execution's interleaving.
    pub trace: Option<Trace>,
    /// shuttle's encoding of the schedule (for `shuttle::replay`).
    pub schedule: String,
}

impl ScheduleFailure {
    /// The command that replays it with the lab.
    pub fn replay_command(&self) -> String {
        format!(
            "cargo run --release -- replay {} --schedule {}",
            self.id, self.schedule
        )
    }
}

impl std::fmt::Display for ScheduleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}: {}", self.id, self.failure)?;
        if let Some(trace) = &self.trace {
            writeln!(f, "\n{}", trace.table())?;
        }
        writeln!(f, "shuttle schedule: {}", self.schedule)?;
        write!(f, "replay: {}", self.replay_command())
    }
}

/// Runs `scenario` (the variant `id`'s, in the shuttle world) once under
/// shuttle with the schedule `bytes` decide; the failure, if any.
pub fn run_schedule(id: &'static str, scenario: fn(u32), bytes: &[u8]) -> Option<ScheduleFailure> {
    let recorded = Arc::new(Mutex::new(Schedule::new(0)));
    let scheduler = ByteScheduler::new(bytes, Arc::clone(&recorded));
    let (failure, trace) = run_once(scenario, scheduler)?;
    let schedule = recorded
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    Some(ScheduleFailure {
        id,
        failure,
        trace,
        schedule: serialize_schedule(&schedule),
    })
}

/// Replays a shuttle schedule (as [`ScheduleFailure::schedule`] encodes
/// it) on `scenario`: `Ok(None)` if it passes, the failure if not, `Err` if
/// `encoded` is not a shuttle schedule.
pub fn replay(
    id: &'static str,
    scenario: fn(u32),
    encoded: &str,
) -> Result<Option<ScheduleFailure>, String> {
    let schedule = deserialize_schedule(encoded)
        .ok_or_else(|| format!("`{encoded}` is not a shuttle schedule"))?;
    let scheduler = ReplayScheduler::new_from_schedule(schedule);
    Ok(
        run_once(scenario, scheduler).map(|(failure, trace)| ScheduleFailure {
            id,
            failure,
            trace,
            schedule: encoded.to_owned(),
        }),
    )
}

/// One traced shuttle execution of `scenario` under `scheduler`.
fn run_once(
    scenario: fn(u32),
    scheduler: impl Scheduler + 'static,
) -> Option<(Failure, Option<Trace>)> {
    let ops = Budget::default().shuttle_ops;
    let (outcome, trace) = trace::traced(|| lab_shuttle::run(scheduler, move || scenario(ops)));
    outcome.err().map(|failure| (failure, trace))
}

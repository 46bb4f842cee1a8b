//! What the cargo-fuzz targets call: the targets themselves (in `fuzz/`) are
//! one line each.
//!
//! Two kinds of target:
//!
//! - **Operation sequences** ([`operations`]): the fuzzer's bytes decode
//!   into operations on one primitive (puts, gets, acquires, timeouts of
//!   zero, short and enormous length...), applied by one thread and checked
//!   at every step against the primitive's sequential model — the same check
//!   as the proptest model test. A disagreement is a crash.
//! - **Schedules** ([`schedule`]): the fuzzer's bytes are a shuttle
//!   scheduler's decisions ([`ByteScheduler`]), so libFuzzer's coverage
//!   guidance searches interleavings of a catalogue scenario. When the bytes
//!   run out the scheduler goes on with a fixed choice, to the end of the
//!   execution: an execution is never cut short into a silent pass. A failure
//!   is a crash that prints the lab's trace and a shuttle replay string.
//!
//! Which variant a target runs: the environment variable `SYNCLAB_VARIANT`
//! (a catalogue id) if set; otherwise, for schedules, the first input byte
//! picks one of the scenario's variants (so a free-running fuzzer finds the
//! broken ones), and for operations the target's own (correct) variant.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, PoisonError};

use shuttle::scheduler::{ReplayScheduler, Schedule, Scheduler, Task, TaskId};
use shuttle::{Config, FailurePersistence, Runner};
use shuttle_engine::scheduler::serialization::{deserialize_schedule, serialize_schedule};

use crate::catalogue::{CATALOGUE, Entry, find};
use crate::checkers::Budget;
use crate::checkers::model::{
    self, ConditionOp, CounterOp, EventOp, LockOp, QueueOp, SemaphoreOp, Timeout,
};
use crate::counter::CounterKind;
use crate::event::EventVariant;
use crate::failure::Failure;
use crate::lock::LockVariant;
use crate::queue::QueueVariant;
use crate::quiet;
use crate::semaphore::SemaphoreVariant;
use crate::trace::{self, Trace};

/// The environment variable that picks a target's variant by catalogue id.
pub const VARIANT: &str = "SYNCLAB_VARIANT";

/// A decoder of fuzzer bytes: reads bytes until they run out.
#[derive(Debug)]
pub struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    /// Reads `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Bytes(data)
    }

    /// The next byte, if any is left.
    pub fn next_byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(first)
    }

    /// The next byte modulo `n`, 0 when the bytes have run out.
    pub fn pick(&mut self, n: u8) -> u8 {
        self.next_byte().map_or(0, |b| b % n)
    }

    fn timeout(&mut self) -> Timeout {
        [Timeout::Zero, Timeout::Short, Timeout::Max][usize::from(self.pick(3))]
    }

    /// Decodes operations, one per call of `op`, until the bytes run out
    /// (at most 64, so no input runs long).
    pub fn operations<T>(mut self, mut op: impl FnMut(u8, &mut Self) -> T) -> Vec<T> {
        let mut ops = Vec::new();
        while let Some(byte) = self.next_byte() {
            if ops.len() == 64 {
                break;
            }
            ops.push(op(byte, &mut self));
        }
        ops
    }
}

/// A fuzz test of operations: decode `data`, apply, check.
pub type OpsTest = fn(&[u8]) -> Result<(), String>;

/// The counter of kind `K`.
pub fn counter<K: CounterKind>(data: &[u8]) -> Result<(), String> {
    let ops = Bytes::new(data).operations(|b, bytes| match b % 2 {
        0 => CounterOp::Increment(bytes.pick(8)),
        _ => CounterOp::Get,
    });
    model::counter_ops::<K>(&ops)
}

/// The lock of variant `V`.
pub fn lock<V: LockVariant>(data: &[u8]) -> Result<(), String> {
    let ops = Bytes::new(data).operations(|b, bytes| match b % 4 {
        0 => LockOp::TryLock,
        1 => LockOp::Lock,
        2 => LockOp::LockFor(bytes.timeout()),
        _ => LockOp::Unlock,
    });
    model::lock_ops::<V>(&ops)
}

fn semaphore_ops(bytes: &mut Bytes<'_>) -> (u32, Vec<SemaphoreOp>) {
    let initial = u32::from(bytes.pick(4));
    let rest = Bytes(bytes.0);
    let ops = rest.operations(|b, bytes| match b % 6 {
        0 => SemaphoreOp::Acquire,
        1 => SemaphoreOp::TryAcquire,
        2 => SemaphoreOp::AcquireFor(bytes.timeout()),
        3 => SemaphoreOp::DropPermit,
        4 => SemaphoreOp::Release,
        _ => SemaphoreOp::Available,
    });
    (initial, ops)
}

/// The semaphore of variant `V` (zero permits included).
pub fn semaphore<V: SemaphoreVariant>(data: &[u8]) -> Result<(), String> {
    let (initial, ops) = semaphore_ops(&mut Bytes::new(data));
    model::semaphore_ops::<V>(false, initial, &ops)
}

/// The bounded semaphore of variant `V`: over-release must be refused.
pub fn bounded_semaphore<V: SemaphoreVariant>(data: &[u8]) -> Result<(), String> {
    let (initial, ops) = semaphore_ops(&mut Bytes::new(data));
    model::semaphore_ops::<V>(true, initial, &ops)
}

/// The event of variant `V`.
pub fn event<V: EventVariant>(data: &[u8]) -> Result<(), String> {
    let ops = Bytes::new(data).operations(|b, bytes| match b % 5 {
        0 => EventOp::Set,
        1 => EventOp::Clear,
        2 => EventOp::IsSet,
        3 => EventOp::Wait,
        _ => EventOp::WaitFor(bytes.timeout()),
    });
    model::event_ops::<V>(&ops)
}

/// The condition (notify with nobody waiting, any `n`; waits that time out).
pub fn condition(data: &[u8]) -> Result<(), String> {
    let ops = Bytes::new(data).operations(|b, bytes| match b % 5 {
        0 => ConditionOp::Set(bytes.pick(4)),
        1 => ConditionOp::Notify([0, 1, usize::MAX][usize::from(bytes.pick(3))]),
        2 => ConditionOp::NotifyAll,
        3 => ConditionOp::WaitFor(bytes.timeout()),
        _ => ConditionOp::WaitWhileBelow(bytes.pick(4), bytes.timeout()),
    });
    model::condition_ops(&ops)
}

/// The queue of variant `V`, with a capacity of 0 (unbounded) to 3.
pub fn queue<V: QueueVariant>(data: &[u8]) -> Result<(), String> {
    let mut bytes = Bytes::new(data);
    let maxsize = usize::from(bytes.pick(4));
    let ops = Bytes(bytes.0).operations(|b, bytes| match b % 9 {
        0 => QueueOp::Put(bytes.pick(255)),
        1 => QueueOp::TryPut(bytes.pick(255)),
        2 => QueueOp::PutFor(bytes.pick(255), bytes.timeout()),
        3 => QueueOp::Get,
        4 => QueueOp::TryGet,
        5 => QueueOp::GetFor(bytes.timeout()),
        6 => QueueOp::TaskDone,
        7 => QueueOp::JoinFor(bytes.timeout()),
        _ => QueueOp::Len,
    });
    model::queue_ops::<V>(maxsize, &ops)
}

/// The variant `SYNCLAB_VARIANT` names, if set (it must exist).
fn variant_from_env() -> Option<&'static Entry> {
    let id = std::env::var(VARIANT).ok()?;
    Some(
        find(&id).unwrap_or_else(|| {
            panic!("{VARIANT}={id}: no such variant (`synclab list` shows them)")
        }),
    )
}

/// The operation-sequence target of `id` (a catalogue id with an
/// operations test): decodes `data`, checks it, and panics — a crash for
/// libFuzzer — on a disagreement with the model.
pub fn operations(id: &str, data: &[u8]) {
    let entry = variant_from_env()
        .or_else(|| find(id))
        .unwrap_or_else(|| panic!("no variant {id}"));
    let test = entry
        .operations
        .unwrap_or_else(|| panic!("{} has no operations target", entry.id));
    if let Err(why) = quiet::quietly(|| test(data)) {
        panic!("{}: {why}", entry.id);
    }
}

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
    /// The variant.
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

/// Runs `entry`'s scenario once under shuttle with the schedule `bytes`
/// decide; the failure, if any.
pub fn run_schedule(entry: &'static Entry, bytes: &[u8]) -> Option<ScheduleFailure> {
    let recorded = Arc::new(Mutex::new(Schedule::new(0)));
    let scheduler = ByteScheduler::new(bytes, Arc::clone(&recorded));
    let (failure, trace) = run_once(entry, scheduler)?;
    let schedule = recorded
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    Some(ScheduleFailure {
        id: entry.id,
        failure,
        trace,
        schedule: serialize_schedule(&schedule),
    })
}

/// Replays a shuttle schedule (as [`ScheduleFailure::schedule`] encodes
/// it) on `entry`'s scenario: `Ok(None)` if it passes, the failure if not,
/// `Err` if `encoded` is not a shuttle schedule.
pub fn replay(entry: &'static Entry, encoded: &str) -> Result<Option<ScheduleFailure>, String> {
    let schedule = deserialize_schedule(encoded)
        .ok_or_else(|| format!("`{encoded}` is not a shuttle schedule"))?;
    let scheduler = ReplayScheduler::new_from_schedule(schedule);
    Ok(
        run_once(entry, scheduler).map(|(failure, trace)| ScheduleFailure {
            id: entry.id,
            failure,
            trace,
            schedule: encoded.to_owned(),
        }),
    )
}

/// One traced shuttle execution of `entry`'s scenario under `scheduler`.
fn run_once(
    entry: &'static Entry,
    scheduler: impl Scheduler + 'static,
) -> Option<(Failure, Option<Trace>)> {
    let (scenario, ops) = (entry.worlds.shuttle, Budget::default().shuttle_ops);
    let mut config = Config::new();
    config.failure_persistence = FailurePersistence::None;
    config.silence_warnings = true;
    trace::start();
    let outcome = quiet::quietly(|| {
        catch_unwind(AssertUnwindSafe(|| {
            Runner::new(scheduler, config).run(move || {
                trace::reset();
                scenario(ops);
            })
        }))
    });
    let trace = trace::stop();
    outcome
        .err()
        .map(|payload| (Failure::from_panic(payload), trace))
}

/// The variants that share `id`'s scenario, correct ones first.
pub fn scenario_variants(id: &str) -> Vec<&'static Entry> {
    let Some(entry) = find(id) else {
        return Vec::new();
    };
    CATALOGUE
        .iter()
        .filter(|e| e.scenario == entry.scenario)
        .collect()
}

/// The schedule target of `id`'s scenario: `SYNCLAB_VARIANT` or the first
/// byte picks the variant, the rest are the schedule. Panics — a crash for
/// libFuzzer — with the trace and the replay string when the scenario fails.
pub fn schedule(id: &str, data: &[u8]) {
    let (entry, bytes) = match variant_from_env() {
        Some(entry) => (entry, data),
        None => {
            let variants = scenario_variants(id);
            assert!(!variants.is_empty(), "no variant {id}");
            let Some((&first, rest)) = data.split_first() else {
                return;
            };
            (variants[usize::from(first) % variants.len()], rest)
        }
    };
    if let Some(found) = run_schedule(entry, bytes) {
        panic!("{found}");
    }
}

/// The two kinds of fuzz target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    /// Operation sequences against the sequential model.
    Operations,
    /// Fuzzer-chosen schedules of a scenario.
    Schedule,
}

/// What a fuzz target of `kind` for `id`'s scenario should do with each
/// variant it can run: `true` if it must find a crash (the catalogue expects
/// the variant caught by the model test, for operations, or by shuttle, for
/// schedules), `false` if it must survive. The smoke step of `.ci/run` reads
/// this, so the catalogue stays the one list.
pub fn plan(kind: TargetKind, id: &str) -> Vec<(&'static Entry, bool)> {
    use crate::checkers::Checker;
    let checker = match kind {
        TargetKind::Operations => Checker::Model,
        TargetKind::Schedule => Checker::ShuttleRandom,
    };
    scenario_variants(id)
        .into_iter()
        .filter(|entry| kind == TargetKind::Schedule || entry.operations.is_some())
        .map(|entry| (entry, entry.expectation(checker).is_catch()))
        .collect()
}

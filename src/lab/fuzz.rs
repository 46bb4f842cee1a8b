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

use shuttle::scheduler::{ReplayScheduler, Schedule, Scheduler};
use shuttle_engine::scheduler::serialization::{deserialize_schedule, serialize_schedule};

use super::Budget;
pub use super::checkers::shrink::ByteScheduler;
use super::checkers::shrink::{Recording, shrink, shrinkable};
use super::checkers::shuttle as lab_shuttle;
use super::failure::{Failure, FailureKind};
use super::kernel::{self, Modelling};
use super::trace::{self, Trace};

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
/// shuttle with the schedule `bytes` decide, with `modelling` (the
/// variant's, as the catalogue sets it); the failure, if any, with its
/// schedule shrunk to fewer context switches where it comes from the
/// schedule alone (see the README's "Reading a failure").
pub fn run_schedule(
    id: &'static str,
    scenario: fn(u32),
    modelling: Modelling,
    bytes: &[u8],
) -> Option<ScheduleFailure> {
    let recorded = Arc::new(Mutex::new(Schedule::new(0)));
    let scheduler = Recording::new(ByteScheduler::new(bytes), Arc::clone(&recorded));
    let (failure, trace) = run_once(scenario, modelling, scheduler)?;
    let schedule = recorded
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    // A crash from the schedule alone is shown with its needless context
    // switches out, as a shuttle checker's catch is.
    let ops = Budget::default().shuttle_ops;
    let shrunk = shrinkable(failure.kind).then(|| {
        shrink(
            scenario,
            ops,
            modelling,
            &schedule,
            &failure,
            trace.as_ref(),
        )
    });
    if let Some(shrunk) = shrunk.flatten() {
        return Some(ScheduleFailure {
            id,
            failure: shrunk.failure,
            trace: shrunk.trace,
            schedule: shrunk.schedule,
        });
    }
    Some(ScheduleFailure {
        id,
        failure,
        trace,
        schedule: serialize_schedule(&schedule),
    })
}

/// Replays a shuttle schedule (as [`ScheduleFailure::schedule`] encodes
/// it) on `scenario`, with `modelling` as it ran: `Ok(None)` if it passes, the failure if not. `Err` if
/// `encoded` is not a shuttle schedule (empty, not hexadecimal, truncated),
/// or does not replay this scenario (shuttle finds it choosing a thread or a
/// value the scenario does not offer: a schedule of another scenario).
///
/// ```
/// use synclab::lab::fuzz::replay;
/// use synclab::lab::kernel::Modelling;
///
/// fn nothing<B: synclab::backend::Backend>(_ops: u32) {}
/// let (scenario, off) = (nothing::<synclab::backend::Shuttle>, Modelling::OFF);
/// assert!(replay("nothing", scenario, off, "").unwrap_err().contains("empty"));
/// assert!(replay("nothing", scenario, off, "zz").unwrap_err().contains("hexadecimal"));
/// assert!(replay("nothing", scenario, off, "9101ff").unwrap_err().contains("truncated"));
/// ```
pub fn replay(
    id: &'static str,
    scenario: fn(u32),
    modelling: Modelling,
    encoded: &str,
) -> Result<Option<ScheduleFailure>, String> {
    let schedule = decode_schedule(encoded)?;
    let scheduler = ReplayScheduler::new_from_schedule(schedule);
    // Quiet, unlike the fuzz targets' own runs: a replay reports itself.
    match super::quiet::muted(|| run_once(scenario, modelling, scheduler)) {
        // A panic that is no failure the lab knows is shuttle's own
        // complaint about the schedule, or a defect: never the variant's
        // failure.
        Some((failure, _)) if failure.kind == FailureKind::Panic => Err(format!(
            "the schedule does not replay {id}'s scenario: {}",
            failure.message
        )),
        found => Ok(found.map(|(failure, trace)| ScheduleFailure {
            id,
            failure,
            trace,
            schedule: encoded.to_owned(),
        })),
    }
}

/// Decodes a shuttle schedule, checking first what shuttle's own decoder
/// assumes (it indexes past the end, or allocates for any length, on a bad
/// string): the version byte, three varints, and enough bits for every
/// step.
fn decode_schedule(encoded: &str) -> Result<Schedule, String> {
    let compact: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
    let bad = |why: &str| format!("`{encoded}` is not a shuttle schedule: {why}");
    if compact.is_empty() {
        return Err(bad("it is empty"));
    }
    let bytes = (0..compact.len())
        .step_by(2)
        .map(|at| {
            compact
                .get(at..at + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| bad("it is not hexadecimal"))?;
    let (&version, mut rest) = bytes.split_first().ok_or_else(|| bad("it is empty"))?;
    if version != SCHEDULE_VERSION {
        return Err(bad("unknown version"));
    }
    let mut varint = || -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, tail) = rest.split_first().ok_or_else(|| bad("it is truncated"))?;
            rest = tail;
            value |= u64::from(byte & 0x7F) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(bad("a number is too long"))
    };
    let task_bits = varint()?;
    let steps = varint()?;
    let _seed = varint()?;
    if task_bits > 32 {
        return Err(bad("a thread number is too wide"));
    }
    let bits = rest.len() * 8;
    let bit = |at: usize| rest[at / 8] >> (at % 8) & 1 == 1;
    let mut at = 0usize;
    for _ in 0..steps {
        if at >= bits {
            return Err(bad("it has fewer steps than it says"));
        }
        at += if bit(at) { 1 } else { 1 + task_bits as usize };
        if at > bits {
            return Err(bad("it has fewer steps than it says"));
        }
    }
    deserialize_schedule(&compact).ok_or_else(|| bad("shuttle cannot read it"))
}

/// The version byte shuttle writes first (shuttle-engine's
/// `SCHEDULE_MAGIC_V2`).
const SCHEDULE_VERSION: u8 = 0x91;

/// One traced shuttle execution of `scenario` under `scheduler`, with
/// `modelling`.
fn run_once(
    scenario: fn(u32),
    modelling: Modelling,
    scheduler: impl Scheduler + 'static,
) -> Option<(Failure, Option<Trace>)> {
    let ops = Budget::default().shuttle_ops;
    let (outcome, trace) = trace::traced(|| {
        kernel::modelled(modelling, || {
            lab_shuttle::run(scheduler, move || scenario(ops))
        })
    });
    outcome.err().map(|failure| (failure, trace))
}

//! The cargo-fuzz targets' entry points, by catalogue id: the targets
//! themselves (in `fuzz/`) are one line each.
//!
//! Two kinds of target:
//!
//! - **Operations** ([`operations`]): the fuzzer's bytes decode, through the
//!   primitive's own proptest strategy, into operations that one thread
//!   applies to the primitive and to its spec, as the model test does. A
//!   disagreement is a crash.
//! - **Schedules** ([`schedule`]): the fuzzer's bytes are a shuttle
//!   scheduler's decisions ([`ByteScheduler`](crate::lab::fuzz::ByteScheduler)),
//!   searching the interleavings of a scenario. A failure is a crash that
//!   prints the lab's trace and a shuttle replay string.
//!
//! Which variant a target runs: the environment variable `SYNCLAB_VARIANT`
//! (a catalogue id) if set; otherwise, for schedules, the first input byte
//! picks one of the scenario's variants (so a free-running fuzzer finds the
//! broken ones), and for operations the target's own (correct) variant.

use super::{entries, find};
use crate::lab::Budget;
use crate::lab::checkers::Checker;
use crate::lab::entry::Entry;
use crate::lab::fuzz::run_schedule;
use crate::lab::quiet;

/// The environment variable that picks a target's variant by catalogue id.
pub const VARIANT: &str = "SYNCLAB_VARIANT";

/// The variant `SYNCLAB_VARIANT` names, if set (it must exist).
fn variant_from_env() -> Option<&'static Entry> {
    let id = std::env::var(VARIANT).ok()?;
    Some(
        find(&id).unwrap_or_else(|| {
            panic!("{VARIANT}={id}: no such variant (`synclab list` shows them)")
        }),
    )
}

/// The operation target of `id` (a catalogue id with a sequential test):
/// decodes `data`, checks it, and panics — a crash for libFuzzer — on a
/// disagreement with the spec.
pub fn operations(id: &str, data: &[u8]) {
    let entry = variant_from_env()
        .or_else(|| find(id))
        .unwrap_or_else(|| panic!("no variant {id}"));
    let test = entry
        .subject
        .sequential
        .unwrap_or_else(|| panic!("{} has no operations target", entry.id))
        .operations;
    if let Err(why) = quiet::quietly(|| test(data)) {
        panic!("{}: {why}", entry.id);
    }
}

/// The variants that share `id`'s scenario, correct ones first.
pub fn scenario_variants(id: &str) -> Vec<&'static Entry> {
    let Some(entry) = find(id) else {
        return Vec::new();
    };
    entries().filter(|e| e.scenario == entry.scenario).collect()
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
    let scenario = entry.subject.worlds.shuttle;
    let modelling = entry.modelling_in(&Budget::default());
    if let Some(found) = run_schedule(entry.id, scenario, modelling, bytes) {
        panic!("{found}");
    }
}

/// The two kinds of fuzz target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    /// Operation sequences against the spec.
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
    let checker = match kind {
        TargetKind::Operations => Checker::Model,
        TargetKind::Schedule => Checker::ShuttleRandom,
    };
    scenario_variants(id)
        .into_iter()
        .filter(|entry| kind == TargetKind::Schedule || entry.subject.sequential.is_some())
        .map(|entry| (entry, entry.expectation(checker).is_catch()))
        .collect()
}

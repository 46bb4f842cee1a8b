//! The code behind the cargo-fuzz targets, exercised on stable: decoding,
//! the byte-driven scheduler, replay strings, and the fuzz plan.

use synclab::catalogue::find;
use synclab::failure::FailureKind;
use synclab::fuzzing::{self, TargetKind};

/// Operation sequences: the correct queue agrees with its model on any
/// bytes; the queue without a full check disagrees on a short input.
#[test]
fn operation_targets_check_against_the_model() {
    let correct = find("queue-correct").unwrap().operations.unwrap();
    for data in [
        &b""[..],
        &[0; 32],
        &[3, 0, 1, 0, 2, 3, 4, 5, 6, 7, 8],
        b"any bytes at all, decoded",
    ] {
        assert_eq!(correct(data), Ok(()), "{data:?}");
    }
    let broken = find("queue-no-full-check").unwrap().operations.unwrap();
    // capacity 1, then three puts: the third is refused by the model.
    let why = broken(&[1, 0, 7, 0, 8, 1, 9]).unwrap_err();
    assert!(why.contains("returned true, the model says false"), "{why}");
    // Zero and enormous timeouts decode and run without a hang.
    let lock = find("lock-correct").unwrap().operations.unwrap();
    assert_eq!(lock(&[1, 2, 0, 2, 2, 3, 2, 1]), Ok(()));
}

/// When the bytes run out the scheduler goes on to the end: an empty input
/// runs the whole correct scenario, it does not stop early.
#[test]
fn the_byte_scheduler_never_ends_a_schedule_early() {
    let entry = find("queue-join").unwrap();
    assert!(fuzzing::run_schedule(entry, &[]).is_none());
    let broken = find("lock-guard-kept-alive").unwrap();
    let found = fuzzing::run_schedule(broken, &[]).expect("it deadlocks on any schedule");
    assert_eq!(found.failure.kind, FailureKind::Deadlock);
}

/// Some short byte string schedules the test-then-set lock into two
/// holders; its shuttle replay string reproduces the same failure, and the
/// trace shows both threads taking the lock.
#[test]
fn a_schedule_crash_converts_into_a_trace_and_a_replay_string() {
    let entry = find("lock-test-then-set").unwrap();
    // Choice sequences of length 16 between the first two runnable tasks.
    let found = (0..=255u8)
        .find_map(|bits| {
            let schedule: Vec<u8> = (0..16).map(|i| (bits >> (i % 8)) & 1).collect();
            fuzzing::run_schedule(entry, &schedule)
        })
        .expect("some short schedule breaks it");
    assert_eq!(
        found.failure.kind,
        FailureKind::Assertion(synclab::failure::Bug::TwoHolders)
    );
    let trace = found.trace.as_ref().expect("a trace");
    assert!(trace.threads >= 2 && trace.events.iter().any(|e| e.thread == 1));
    let replayed = fuzzing::replay(entry, &found.schedule)
        .unwrap()
        .expect("the replay fails again");
    assert_eq!(replayed.failure, found.failure);
    assert_eq!(replayed.trace, found.trace);
    assert!(found.to_string().contains(&format!(
        "replay lock-test-then-set --schedule {}",
        found.schedule
    )));
    assert!(fuzzing::replay(entry, "not a schedule").is_err());
}

/// The plan the smoke step follows comes from the catalogue.
#[test]
fn the_fuzz_plan_follows_the_catalogue() {
    let schedule = fuzzing::plan(TargetKind::Schedule, "lock-correct");
    let expect = |id: &str| {
        schedule
            .iter()
            .find(|(e, _)| e.id == id)
            .map(|(_, crash)| *crash)
    };
    assert_eq!(expect("lock-correct"), Some(false));
    assert_eq!(expect("lock-test-then-set"), Some(true));
    assert_eq!(expect("lock-relaxed"), Some(false), "shuttle cannot see it");
    let ops = fuzzing::plan(TargetKind::Operations, "queue-correct");
    let crashes: Vec<&str> = ops
        .iter()
        .filter(|(_, crash)| *crash)
        .map(|(e, _)| e.id)
        .collect();
    assert_eq!(crashes, ["queue-no-full-check"]);
}

//! The code behind the cargo-fuzz targets, exercised on stable: decoding,
//! the byte-driven scheduler, replay strings, and the fuzz plan.

use synclab::catalogue::find;
use synclab::catalogue::fuzz::{self, TargetKind};
use synclab::lab::Budget;
use synclab::lab::checkers::Checker;
use synclab::lab::failure::FailureKind;
use synclab::lab::fuzz::{replay, run_schedule};
use synclab::lab::runner::Cell;

/// `count` byte strings of up to 96 bytes from a fixed LCG: fuzzer-like
/// inputs, the same on every run.
fn inputs(count: usize) -> Vec<Vec<u8>> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 33) as u8
    };
    (0..count)
        .map(|_| {
            let len = usize::from(next()) % 97;
            (0..len).map(|_| next()).collect()
        })
        .collect()
}

/// Operation sequences, decoded from bytes through the queue's own proptest
/// strategy: the correct queue agrees with its spec on any bytes; the queue
/// without a full check disagrees on some, as a put its spec refuses.
#[test]
fn operation_targets_check_against_the_spec() {
    let test = |id: &str| find(id).unwrap().subject.sequential.unwrap().operations;
    let (correct, broken) = (test("queue-correct"), test("queue-no-full-check"));
    let inputs = inputs(300);
    for data in inputs
        .iter()
        .map(Vec::as_slice)
        .chain([&b""[..], &[0; 32], &[255; 64]])
    {
        assert_eq!(correct(data), Ok(()), "{data:?}");
    }
    let why = inputs
        .iter()
        .find_map(|data| broken(data).err())
        .expect("some input overfills the queue");
    assert!(
        why.contains("Put") && why.contains("the spec says"),
        "{why}"
    );
    // Zero and enormous timeouts decode and run without a hang.
    let lock = test("lock-correct");
    assert!(inputs.iter().all(|data| lock(data).is_ok()));
}

/// When the bytes run out the scheduler goes on to the end: an empty input
/// runs the whole correct scenario, it does not stop early.
#[test]
fn the_byte_scheduler_never_ends_a_schedule_early() {
    let entry = find("queue-join").unwrap();
    assert!(
        run_schedule(
            entry.id,
            entry.subject.worlds.shuttle,
            entry.modelling_in(&Budget::default()),
            &[]
        )
        .is_none()
    );
    let broken = find("lock-guard-kept-alive").unwrap();
    let found = run_schedule(
        broken.id,
        broken.subject.worlds.shuttle,
        broken.modelling_in(&Budget::default()),
        &[],
    )
    .expect("it deadlocks on any schedule");
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
            run_schedule(
                entry.id,
                entry.subject.worlds.shuttle,
                entry.modelling_in(&Budget::default()),
                &schedule,
            )
        })
        .expect("some short schedule breaks it");
    assert_eq!(
        found.failure.kind,
        FailureKind::Assertion(synclab::lab::failure::Bug::TwoHolders)
    );
    let trace = found.trace.as_ref().expect("a trace");
    assert!(trace.threads >= 2 && trace.events.iter().any(|e| e.thread == 1));
    let replayed = replay(
        entry.id,
        entry.subject.worlds.shuttle,
        entry.modelling_in(&Budget::default()),
        &found.schedule,
    )
    .unwrap()
    .expect("the replay fails again");
    assert_eq!(replayed.failure, found.failure);
    assert_eq!(replayed.trace, found.trace);
    assert!(found.to_string().contains(&format!(
        "replay lock-test-then-set --schedule {}",
        found.schedule
    )));
    assert!(
        replay(
            entry.id,
            entry.subject.worlds.shuttle,
            entry.modelling_in(&Budget::default()),
            "not a schedule"
        )
        .is_err()
    );
}

/// The plan the smoke step follows comes from the catalogue.
#[test]
fn the_fuzz_plan_follows_the_catalogue() {
    let schedule = fuzz::plan(TargetKind::Schedule, "lock-correct");
    let expect = |id: &str| {
        schedule
            .iter()
            .find(|(e, _)| e.id == id)
            .map(|(_, crash)| *crash)
    };
    assert_eq!(expect("lock-correct"), Some(false));
    assert_eq!(expect("lock-test-then-set"), Some(true));
    assert_eq!(expect("lock-relaxed"), Some(false), "shuttle cannot see it");
    let ops = fuzz::plan(TargetKind::Operations, "queue-correct");
    let crashes: Vec<&str> = ops
        .iter()
        .filter(|(_, crash)| *crash)
        .map(|(e, _)| e.id)
        .collect();
    assert_eq!(crashes, ["queue-no-full-check"]);
}

/// A shuttle catch comes back with its needless context switches taken
/// out: the racy counter, as PCT finds it, switches threads more often than
/// its lost update needs; the shrunk trace has fewer switches, fails the
/// same way, and the replay command's schedule replays it exactly.
#[test]
fn a_shuttle_catch_is_shrunk_and_its_replay_fails_the_same_way() {
    let entry = find("counter-racy").unwrap();
    let budget = Budget::default();
    let run = entry.run(Checker::ShuttlePct, &budget).unwrap();
    let shrunk = run
        .shrunk
        .clone()
        .expect("a catch from the schedule alone is shrunk");
    let (before, after) = (shrunk.before, shrunk.after);
    assert!(after < before, "{before} → {after} context switches");
    let trace = run.trace.clone().unwrap();
    assert_eq!(trace.switches(), after);
    let failure = run.failure.clone().unwrap();
    assert_eq!(
        failure.kind,
        FailureKind::Assertion(synclab::lab::failure::Bug::LostUpdate)
    );
    let schedule = shrunk.replay.strip_prefix("--schedule ").unwrap();
    let replayed = replay(
        entry.id,
        entry.subject.worlds.shuttle,
        entry.modelling_in(&budget),
        schedule,
    )
    .unwrap()
    .expect("the shrunk schedule fails again");
    assert_eq!(replayed.failure.kind, failure.kind);
    assert_eq!(replayed.trace, Some(trace));
    let cell = Cell::judge(entry, Checker::ShuttlePct, Some(run));
    assert!(cell.replay_command().unwrap().contains("--schedule "));
}

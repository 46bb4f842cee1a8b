//! The checkers pointed at programs of our own, outside the catalogue: each
//! must report what it sees, and nothing when there is nothing.

use std::sync::Arc;

use synclab::Event;
use synclab::backend::{AtomicU32Ops, Backend, CellOps, Join, Ordering, UntrackedCell};
use synclab::lab::Budget;
use synclab::lab::checkers::{self, Checker, Subject, Worlds};
use synclab::lab::entry::Verdict;
use synclab::lab::failure::{Bug, FailureKind};
use synclab::lab::runner::Cell;
use synclab::worlds;

/// A cell written by two threads with no lock at all.
struct Unguarded<B: Backend>(B::Cell<u32>);

// SAFETY (test only): the racy writes below are what loom is asked to find;
// the scenario runs only under loom here, never on real threads.
unsafe impl<B: Backend> Sync for Unguarded<B> {}
unsafe impl<B: Backend> Send for Unguarded<B> {}

fn unguarded_writes<B: Backend>(_ops: u32) {
    let shared = Arc::new(Unguarded::<B>(B::Cell::new(0)));
    let other = Arc::clone(&shared);
    let handle = B::spawn(move || other.0.with_mut(|p| unsafe { *p += 1 }));
    shared.0.with_mut(|p| unsafe { *p += 1 });
    handle.join();
}

/// loom reports two unordered writes to a cell as a data race.
#[test]
fn loom_reports_unsynchronized_cell_writes_as_a_data_race() {
    let run = checkers::run(
        Checker::Loom,
        &Subject::scenario(worlds!(unguarded_writes)),
        &Budget::default(),
    )
    .unwrap();
    assert_eq!(
        run.failure.expect("loom must see the race").kind,
        FailureKind::DataRace
    );
}

/// A scenario with nothing wrong passes every scheduling checker, having
/// really explored schedules.
#[test]
fn a_scenario_without_a_bug_passes() {
    fn spawn_and_join<B: Backend>(_ops: u32) {
        let count = Arc::new(B::AtomicU32::new(0));
        let other = Arc::clone(&count);
        let handle = B::spawn(move || other.fetch_add(1, Ordering::Relaxed));
        count.fetch_add(1, Ordering::Relaxed);
        handle.join();
        assert_eq!(count.load(Ordering::Relaxed), 2);
    }
    for checker in [
        Checker::Loom,
        Checker::ShuttleRandom,
        Checker::ShuttlePct,
        Checker::Stress,
    ] {
        let run = checkers::run(
            checker,
            &Subject::scenario(worlds!(spawn_and_join)),
            &Budget::default(),
        )
        .unwrap();
        assert!(run.failure.is_none(), "{checker}: {:?}", run.failure);
        assert!(run.schedules > 0);
    }
    // Without a model test, the model checker has nothing to run.
    assert!(
        checkers::run(
            Checker::Model,
            &Subject::scenario(worlds!(spawn_and_join)),
            &Budget::default()
        )
        .is_none()
    );
}

/// An untracked cell is a plain cell: what goes in comes out.
#[test]
fn untracked_cell_round_trips() {
    let cell = UntrackedCell::new(5);
    cell.with_mut(|p| unsafe { *p += 1 });
    assert_eq!(cell.with(|p| unsafe { *p }), 6);
    assert_eq!(cell.into_inner(), 6);
}

/// A stress budget of a few rounds whose census would call a deadlock after
/// 100 ms, and whose timeout is far away.
fn census_budget() -> Budget {
    Budget {
        stress_rounds: 2,
        stress_ops: 1,
        stress_stall: std::time::Duration::from_millis(100),
        stress_round_timeout: std::time::Duration::from_secs(20),
        ..Budget::default()
    }
}

fn stress(scenario: Worlds) -> synclab::lab::checkers::Run {
    checkers::run(
        Checker::Stress,
        &Subject::scenario(scenario),
        &census_budget(),
    )
    .unwrap()
}

/// A round in which every thread is parked for good is reported as a hang
/// by the census (every thread blocked), long before the round's timeout.
#[test]
fn the_census_reports_a_deadlock_on_real_threads() {
    /// Two threads wait for an event nobody sets.
    fn nobody_sets<B: Backend>(_ops: u32) {
        let event = Arc::new(Event::<B>::new_in());
        let other = Arc::clone(&event);
        let waiter = B::spawn(move || other.wait());
        event.wait();
        waiter.join();
    }
    let failure = stress(worlds!(nobody_sets)).failure.expect("a hang");
    assert_eq!(failure.kind, FailureKind::Hang);
    assert!(
        failure.message.contains("every thread blocked"),
        "{failure}"
    );
}

/// A thread that sleeps is not blocked: a round that waits for it is slow,
/// not deadlocked.
#[test]
fn a_sleeping_thread_is_no_deadlock() {
    fn sleeper_sets<B: Backend>(_ops: u32) {
        let event = Arc::new(Event::<B>::new_in());
        let other = Arc::clone(&event);
        let setter = B::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            other.set();
        });
        event.wait();
        setter.join();
    }
    let run = stress(worlds!(sleeper_sets));
    assert!(run.failure.is_none(), "{:?}", run.failure);
    assert_eq!(run.schedules, 2);
}

/// A timed wait is not blocked: time ends it.
#[test]
fn a_timed_wait_is_no_deadlock() {
    fn waits_out<B: Backend>(_ops: u32) {
        let event = Arc::new(Event::<B>::new_in());
        let other = Arc::clone(&event);
        let waiter = B::spawn(move || other.wait_for(std::time::Duration::from_millis(300)));
        assert!(!waiter.join());
    }
    let run = stress(worlds!(waits_out));
    assert!(run.failure.is_none(), "{:?}", run.failure);
}

/// loom's per-bound execution cap cuts an exploration short: the run says
/// so, and a correct variant's verdict is "passed (incomplete)", which is
/// not the catalogue's pass.
#[test]
fn a_capped_loom_run_is_incomplete() {
    let entry = synclab::catalogue::find("queue-correct").unwrap();
    let budget = Budget {
        loom_max_executions: 50,
        ..Budget::default()
    };
    let cell = Cell::run(entry, Checker::Loom, &budget);
    let run = cell.run.as_ref().unwrap();
    assert!(run.failure.is_none());
    let why = run.incomplete.as_deref().expect("reported incomplete");
    assert!(why.contains("cap of 50"), "{why}");
    assert_eq!(cell.verdict, Some(Verdict::PassedIncomplete));
    assert!(!cell.is_expected());
    let row = &synclab::lab::report::json(std::slice::from_ref(&cell));
    assert!(row.contains("\"complete\": false"), "{row}");
    // With the default budget the same exploration is complete.
    let full = entry.run(Checker::Loom, &Budget::default()).unwrap();
    assert_eq!(full.incomplete, None);
}

/// A run that explores nothing is an error, never a pass.
#[test]
fn a_run_that_explores_nothing_is_an_error() {
    let entry = synclab::catalogue::find("lock-correct").unwrap();
    let budget = Budget {
        shuttle_iterations: 0,
        ..Budget::default()
    };
    let cell = Cell::run(entry, Checker::ShuttleRandom, &budget);
    assert_eq!(cell.run.as_ref().unwrap().schedules, 0);
    assert_eq!(cell.verdict, Some(Verdict::Error));
    assert!(!cell.is_expected());
}

/// Peterson's lock: two flags and a turn, every access SeqCst.
struct Peterson<B: Backend> {
    flags: [B::AtomicU32; 2],
    turn: B::AtomicU32,
    inside: B::AtomicU32,
}

/// Two threads take Peterson's lock once each. Correct under sequential
/// consistency: at most one is inside.
fn peterson<B: Backend>(_ops: u32) {
    use synclab::backend::run_threads;
    use synclab::ensure;
    use synclab::lab::failure::Bug;
    let shared = Arc::new(Peterson::<B> {
        flags: [B::AtomicU32::new(0), B::AtomicU32::new(0)],
        turn: B::AtomicU32::new(0),
        inside: B::AtomicU32::new(0),
    });
    run_threads::<B, _>(2, &shared, |p, me| {
        let other = 1 - me;
        p.flags[me].store(1, Ordering::SeqCst);
        p.turn.store(other as u32, Ordering::SeqCst);
        while p.flags[other].load(Ordering::SeqCst) == 1
            && p.turn.load(Ordering::SeqCst) == other as u32
        {
            B::yield_now();
        }
        let inside = p.inside.fetch_add(1, Ordering::Relaxed);
        ensure!(inside == 0, Bug::TwoHolders, "both threads inside");
        p.inside.fetch_sub(1, Ordering::Relaxed);
        p.flags[me].store(0, Ordering::SeqCst);
    });
}

/// loom flags the correct SeqCst Peterson lock (it treats SeqCst as
/// AcqRel, so both threads may read the other's flag as 0), and says so;
/// shuttle, sequentially consistent, passes it. A catch with no SeqCst
/// access carries no such note.
#[test]
fn a_loom_catch_involving_seq_cst_names_loom_s_limit() {
    let subject = Subject::scenario(worlds!(peterson));
    let loom = checkers::run(Checker::Loom, &subject, &Budget::default()).unwrap();
    let failure = loom.failure.expect("loom flags it");
    assert!(
        failure.message.contains("loom treats SeqCst as AcqRel"),
        "{failure}"
    );
    let shuttle = checkers::run(Checker::ShuttlePct, &subject, &Budget::default()).unwrap();
    assert!(shuttle.failure.is_none(), "{:?}", shuttle.failure);
    let relaxed = synclab::catalogue::find("lock-relaxed").unwrap();
    let caught = relaxed.run(Checker::Loom, &Budget::default()).unwrap();
    assert!(!caught.failure.unwrap().message.contains("SeqCst"));
}

/// A model test that catches a bug reports the cases it ran until the
/// catch, not its whole budget; one that passes, every case.
#[test]
fn a_model_catch_counts_the_cases_it_ran() {
    let budget = Budget::default();
    let broken = synclab::catalogue::find("queue-no-full-check").unwrap();
    let caught = broken.run(Checker::Model, &budget).unwrap();
    let kind = caught.failure.as_ref().map(|f| f.kind);
    assert_eq!(kind, Some(FailureKind::Assertion(Bug::WrongResult)));
    assert!(
        (1..budget.model_cases as usize).contains(&caught.schedules),
        "{} cases",
        caught.schedules
    );
    let correct = synclab::catalogue::find("queue-correct").unwrap();
    let passed = correct.run(Checker::Model, &budget).unwrap();
    assert_eq!(passed.schedules, budget.model_cases as usize);
    assert_eq!(passed.incomplete, None);
}

/// loom's SeqCst limit, shown where it shapes a verdict: the correct
/// SeqCst store-buffering test is flagged by loom, and the catalogue shows
/// that as an expected false alarm with its reason, while shuttle passes
/// it; the Release/Acquire twin is caught by loom for what it is, with no
/// SeqCst access in its failing execution.
#[test]
fn loom_flags_correct_seq_cst_code_as_an_expected_false_alarm() {
    let correct = synclab::catalogue::find("litmus-seq-cst").unwrap();
    let run = correct.run(Checker::Loom, &Budget::default()).unwrap();
    assert!(
        matches!(correct.verdict(&run), Verdict::ExpectedFalseAlarm(why) if why.text.contains("AcqRel")),
        "{run:?}"
    );
    let failure = run.failure.unwrap();
    assert_eq!(failure.kind, FailureKind::Assertion(Bug::StoreBuffered));
    assert!(
        failure.message.contains("treats SeqCst as AcqRel"),
        "{}",
        failure.message
    );
    for checker in [Checker::ShuttleRandom, Checker::ShuttlePct] {
        let run = correct.run(checker, &Budget::default()).unwrap();
        assert_eq!(correct.verdict(&run), Verdict::Passed, "{checker}");
    }
    let broken = synclab::catalogue::find("litmus-store-buffering").unwrap();
    let run = broken.run(Checker::Loom, &Budget::default()).unwrap();
    assert_eq!(broken.verdict(&run), Verdict::Caught);
    assert!(
        !run.trace.unwrap().seq_cst,
        "the twin's failing execution makes no SeqCst access"
    );
}

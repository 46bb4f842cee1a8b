//! The lock's headline results, stated one by one, and its bad inputs.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use synclab::backend::{Deadline, Loom};
use synclab::catalogue;
use synclab::lab::Budget;
use synclab::lab::checkers::Checker;
use synclab::lab::entry::Expect;
use synclab::lab::failure::{Bug, FailureKind};
use synclab::lock::{Lock, RawLock};

/// The Relaxed lock keeps mutual exclusion but not ordering: loom, which
/// models the C11 memory model, sees a holder read a stale value; shuttle,
/// which runs every atomic as SeqCst, explores its whole budget and cannot.
#[test]
fn relaxed_lock_is_caught_by_loom_and_escapes_shuttle() {
    let entry = catalogue::find("lock-relaxed").unwrap();
    let budget = Budget::default();

    let loom = entry.run(Checker::Loom, &budget).unwrap();
    let failure = loom.failure.expect("loom must catch the relaxed lock");
    assert_eq!(
        failure.kind,
        FailureKind::Assertion(Bug::StaleRead),
        "{failure}"
    );

    for checker in [Checker::ShuttleRandom, Checker::ShuttlePct] {
        let run = entry.run(checker, &budget).unwrap();
        assert!(run.failure.is_none(), "{checker}: {:?}", run.failure);
        assert_eq!(
            run.schedules, budget.shuttle_iterations,
            "{checker} ran its whole budget"
        );
        let Expect::Escape(reason) = entry.expectation(checker) else {
            panic!("the catalogue must state why {checker} escapes");
        };
        assert!(reason.text.contains("SeqCst"), "{reason}");
    }
}

/// The same scenario passes on the correct lock under loom.
#[test]
fn correct_lock_passes_the_relaxed_lock_scenario_under_loom() {
    let run = catalogue::find("lock-correct")
        .unwrap()
        .run(Checker::Loom, &Budget::default())
        .unwrap();
    assert!(run.failure.is_none(), "{:?}", run.failure);
    assert!(
        run.schedules > 1,
        "loom explored {} executions",
        run.schedules
    );
}

/// A real-thread stress run of the racy counter prints how often the update
/// was lost. It decides nothing: it asserts only that the rounds ran.
#[test]
fn racy_counter_stress_reports_how_often_updates_are_lost() {
    let budget = Budget {
        stress_rounds: 500,
        ..Budget::default()
    };
    let run = catalogue::find("counter-racy")
        .unwrap()
        .run(Checker::Stress, &budget)
        .unwrap();
    let histogram = run.histogram.expect("a stress run has a histogram");
    let lost = histogram
        .get(&FailureKind::Assertion(Bug::LostUpdate).to_string())
        .copied()
        .unwrap_or(0);
    println!(
        "racy counter on real threads: update lost in {lost} of {} rounds ({histogram:?})",
        run.schedules
    );
    assert_eq!(histogram.values().sum::<usize>(), budget.stress_rounds);
}

/// A deadlocked real-thread run is cut off by the watchdog and reported as a
/// hang, within about the watchdog's timeout.
#[test]
fn stress_watchdog_reports_a_self_deadlock_as_a_hang() {
    let budget = Budget {
        stress_round_timeout: Duration::from_millis(200),
        ..Budget::default()
    };
    let start = Instant::now();
    let run = catalogue::find("lock-guard-kept-alive")
        .unwrap()
        .run(Checker::Stress, &budget)
        .unwrap();
    assert_eq!(run.failure.unwrap().kind, FailureKind::Hang);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "the watchdog did not cut the run off"
    );
}

/// `Duration::ZERO` makes one attempt: on a held lock it fails without
/// waiting for the holder.
#[test]
fn zero_timeout_on_a_held_lock_fails_at_once() {
    let lock = Lock::new(1);
    let _held = lock.lock();
    assert!(lock.try_lock_for(Duration::ZERO).is_none());
    assert_eq!(Deadline::after(Duration::ZERO), Deadline::Expired);
}

/// `Duration::MAX` does not overflow the clock: it waits without limit, and
/// gets the lock once its holder lets go.
#[test]
fn enormous_timeout_waits_for_the_holder_without_overflow() {
    let lock = Arc::new(Lock::new(0));
    assert_eq!(Deadline::after(Duration::MAX), Deadline::Never);
    assert_eq!(*lock.try_lock_for(Duration::MAX).unwrap(), 0);

    let held = lock.lock();
    let waiter = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || {
            let mut guard = lock
                .try_lock_for(Duration::MAX)
                .expect("MAX never times out");
            *guard += 1;
        })
    };
    thread::sleep(Duration::from_millis(20));
    drop(held);
    waiter.join().unwrap();
    assert_eq!(*lock.lock(), 1);
}

/// A timed attempt on a lock held elsewhere gives up no earlier than its
/// timeout (the upper bound is the scheduler's, and is not asserted).
#[test]
fn timed_attempt_waits_out_its_timeout() {
    let lock = RawLock::new();
    let _held = lock.lock();
    let timeout = Duration::from_millis(10);
    let start = Instant::now();
    assert!(lock.try_lock_for(timeout).is_none());
    assert!(start.elapsed() >= timeout);
}

/// Under loom, a zero timeout still fails at once on a held lock, and a
/// non-zero one never fires: time does not pass inside a model.
#[test]
fn timeouts_inside_loom_are_deterministic() {
    loom::model(|| {
        let lock = Lock::<u32, Loom>::new_in(0);
        let held = lock.lock();
        assert!(lock.try_lock_for(Duration::ZERO).is_none());
        drop(held);
        let mut guard = lock.try_lock_for(Duration::from_nanos(1)).unwrap();
        *guard += 1;
    });
}

/// `get_mut` and `into_inner` need no locking.
#[test]
fn exclusive_access_needs_no_lock() {
    let mut lock = Lock::new(vec![1]);
    lock.get_mut().push(2);
    assert_eq!(lock.into_inner(), [1, 2]);
}

/// A holder that panics releases the lock as it unwinds: nothing is
/// poisoned, and the value is as the holder left it.
#[test]
fn a_panicking_holder_releases_the_lock() {
    let lock = Lock::new(0);
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut guard = lock.lock();
        *guard = 7;
        panic!("the holder fails");
    }));
    assert!(unwound.is_err());
    assert_eq!(*lock.try_lock().expect("released on unwind"), 7);
}

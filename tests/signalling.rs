//! Semaphore, BoundedSemaphore, Event and Condition: timeouts honoured on
//! real threads, modelled soundly under the checkers, and bad inputs.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use synclab::backend::{Backend, Join, Loom, Shuttle};
use synclab::catalogue::find;
use synclab::lab::Budget;
use synclab::lab::checkers::{self, Checker, Subject};
use synclab::lab::entry::LIMITS;
use synclab::lab::failure::FailureKind;
use synclab::lab::kernel::Modelling;
use synclab::semaphore::{MAX_PERMITS, OverRelease};
use synclab::{BoundedSemaphore, Condition, Event, Semaphore, worlds};

/// Generous: the scheduler's delay, not ours. Timeouts are checked for
/// being honoured (neither early nor unbounded), not for their speed.
const SLACK: Duration = Duration::from_secs(5);
const TIMEOUT: Duration = Duration::from_millis(30);

/// Runs `wait` (expected to time out) and checks it took at least
/// `TIMEOUT` and at most `TIMEOUT + SLACK`.
fn assert_times_out(what: &str, wait: impl FnOnce(Duration) -> bool) {
    let start = Instant::now();
    assert!(!wait(TIMEOUT), "{what}: succeeded instead of timing out");
    let waited = start.elapsed();
    assert!(
        waited >= TIMEOUT,
        "{what}: gave up after {waited:?}, before {TIMEOUT:?}"
    );
    assert!(
        waited < TIMEOUT + SLACK,
        "{what}: took {waited:?} for a {TIMEOUT:?} timeout"
    );
}

#[test]
fn timed_waits_return_within_a_bounded_slack_of_their_timeout() {
    let semaphore = Semaphore::new(0);
    assert_times_out("Semaphore::try_acquire_for", |t| {
        semaphore.try_acquire_for(t).is_some()
    });
    let bounded = BoundedSemaphore::new(0);
    assert_times_out("BoundedSemaphore::try_acquire_for", |t| {
        bounded.try_acquire_for(t).is_some()
    });
    let event = Event::new();
    assert_times_out("Event::wait_for", |t| event.wait_for(t));
    let condition = Condition::new(());
    assert_times_out("Condition::wait_for", |t| {
        condition.wait_for(condition.lock(), t).1
    });
    assert_times_out("Condition::wait_while_for", |t| {
        condition.wait_while_for(condition.lock(), t, |_| true).1
    });
}

#[test]
fn zero_timeouts_never_sleep_and_enormous_ones_do_not_overflow() {
    let semaphore = Semaphore::new(1);
    let permit = semaphore
        .try_acquire_for(Duration::MAX)
        .expect("a free permit");
    assert!(semaphore.try_acquire_for(Duration::ZERO).is_none());
    drop(permit);
    assert!(semaphore.try_acquire_for(Duration::ZERO).is_some());

    let event = Arc::new(Event::new());
    assert!(!event.wait_for(Duration::ZERO));
    let setter = {
        let event = Arc::clone(&event);
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(10));
            event.set();
        })
    };
    assert!(
        event.wait_for(Duration::MAX),
        "Duration::MAX waits for the set"
    );
    setter.join().unwrap();
    assert!(event.wait_for(Duration::ZERO));

    let condition = Condition::new(0);
    let (guard, woken) = condition.wait_for(condition.lock(), Duration::ZERO);
    assert!(!woken);
    drop(guard);
}

/// A semaphore with zero permits is valid: acquire waits for a release.
#[test]
fn zero_permit_semaphore_waits_for_a_release() {
    let semaphore = Arc::new(Semaphore::new(0));
    assert!(semaphore.try_acquire().is_none());
    let waiter = {
        let semaphore = Arc::clone(&semaphore);
        thread::spawn(move || semaphore.acquire().forget())
    };
    thread::sleep(Duration::from_millis(10));
    semaphore.release();
    waiter.join().unwrap();
    assert_eq!(semaphore.available_permits(), 0);
}

/// Over-release of a bounded semaphore is refused with an error (Python's
/// ValueError), by `release` and by a returning permit alike; the count
/// stays at the bound.
#[test]
fn bounded_semaphore_refuses_over_release() {
    let semaphore = BoundedSemaphore::new(2);
    assert_eq!(semaphore.release(), Err(OverRelease { bound: 2 }));
    let permit = semaphore.acquire();
    assert_eq!(semaphore.release(), Ok(()));
    assert_eq!(semaphore.available_permits(), 2);
    drop(permit); // refused: the semaphore is at its bound
    assert_eq!(semaphore.available_permits(), 2);
    assert_eq!(semaphore.bound(), 2);
    assert!(OverRelease { bound: 2 }.to_string().contains("bound of 2"));

    let empty = BoundedSemaphore::new(0);
    assert_eq!(empty.release(), Err(OverRelease { bound: 0 }));
}

/// A plain semaphore grows without a bound, up to MAX_PERMITS; past it,
/// construction and release panic with a clear message.
#[test]
fn plain_semaphore_limits_are_explicit() {
    let semaphore = Semaphore::new(MAX_PERMITS - 1);
    semaphore.release();
    assert_eq!(semaphore.available_permits(), MAX_PERMITS);
    let overflow = std::panic::catch_unwind(|| semaphore.release()).unwrap_err();
    let message = overflow.downcast_ref::<String>().unwrap();
    assert!(message.contains("too many times"), "{message}");
    assert!(std::panic::catch_unwind(|| Semaphore::new(MAX_PERMITS + 1)).is_err());
}

/// Notify with nobody waiting is a no-op, whatever `n` (no hang on
/// `usize::MAX`), and a later waiter is not woken by it.
#[test]
fn notify_without_waiters_does_nothing() {
    let condition = Condition::new(());
    condition.notify(0);
    condition.notify_one();
    condition.notify(usize::MAX);
    condition.notify_all();
    let (_guard, woken) = condition.wait_for(condition.lock(), Duration::from_millis(5));
    assert!(!woken, "a notify sent before the wait woke it");
}

/// notify(n) wakes n waiters and leaves the rest asleep.
#[test]
fn notify_n_wakes_that_many() {
    let condition = Arc::new(Condition::new(0u32));
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let condition = Arc::clone(&condition);
            thread::spawn(move || {
                let guard = condition.wait_while(condition.lock(), |woken| *woken == 0);
                let mut guard = guard;
                *guard -= 1;
            })
        })
        .collect();
    *condition.lock() = 3;
    condition.notify(3);
    waiters.into_iter().for_each(|w| w.join().unwrap());
    assert_eq!(*condition.lock(), 0);
}

/// A guard of another lock is refused with a clear panic.
#[test]
fn waiting_with_a_foreign_guard_panics_clearly() {
    let (one, other) = (Condition::new(()), Condition::new(()));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        drop(one.wait_for(other.lock(), Duration::ZERO));
    }));
    let payload = result.unwrap_err();
    let message = payload.downcast_ref::<&str>().unwrap();
    assert!(message.contains("another lock"), "{message}");
}

/// Under loom and shuttle a timed wait that nobody ends times out in the
/// lab's virtual time, as it does on real threads; with time not modelled
/// (loom's and shuttle's own world) the same program is a deadlock. The
/// catalogue states the virtual clock.
#[test]
fn checkers_fire_timeouts_in_virtual_time() {
    fn wait_alone<B: Backend>(_ops: u32) {
        let event = Arc::new(Event::<B>::new_in());
        let other = Arc::clone(&event);
        let waiter = B::spawn(move || other.wait_for(Duration::from_millis(1)));
        assert!(!event.wait_for(Duration::ZERO));
        assert!(
            !waiter.join(),
            "nobody set the event: the wait must time out"
        );
    }
    let timeless = Budget {
        modelling: Modelling::OFF,
        ..Budget::default()
    };
    for checker in [Checker::Loom, Checker::ShuttleRandom, Checker::ShuttlePct] {
        let subject = Subject::scenario(worlds!(wait_alone));
        let run = checkers::run(checker, &subject, &Budget::default()).unwrap();
        assert!(
            run.failure.is_none() && run.schedules > 0,
            "{checker}: {run:?}"
        );
        let run = checkers::run(checker, &subject, &timeless).unwrap();
        assert_eq!(
            run.failure.map(|f| f.kind),
            Some(FailureKind::Deadlock),
            "{checker}"
        );
    }
    // And on real threads the same program finishes: the timeout fires.
    wait_alone::<synclab::backend::Std>(1);
    assert!(LIMITS.iter().any(|l| l.limit.contains("virtual clock")));
}

/// The same timed-wait program runs in the two model worlds directly.
#[test]
fn zero_timeouts_are_deterministic_in_the_models() {
    loom::model(|| {
        let semaphore = Semaphore::<Loom>::new_in(0);
        assert!(semaphore.try_acquire_for(Duration::ZERO).is_none());
    });
    shuttle::check_random(
        || {
            let event = Event::<Shuttle>::new_in();
            assert!(!event.wait_for(Duration::ZERO));
        },
        10,
    );
}

/// The headline results for the signalling primitives, stated one by one.
#[test]
fn signalling_bugs_are_caught_as_what_they_are() {
    let budget = Budget::default();
    let cases = [
        (
            "semaphore-check-then-decrement",
            Checker::ShuttlePct,
            "over-admission",
        ),
        ("semaphore-silent-release", Checker::Loom, "deadlock"),
        (
            "bounded-semaphore-unbounded-release",
            Checker::Model,
            "wrong-result",
        ),
        ("event-notify-one", Checker::ShuttleRandom, "deadlock"),
        ("condition-if-not-while", Checker::Loom, "false-state"),
        (
            "condition-notify-before-state",
            Checker::ShuttleRandom,
            "deadlock",
        ),
    ];
    for (id, checker, what) in cases {
        let run = find(id).unwrap().run(checker, &budget).unwrap();
        let failure = run
            .failure
            .unwrap_or_else(|| panic!("{id} escaped {checker}"));
        assert!(
            failure.kind.to_string().contains(what),
            "{id}/{checker}: {failure}"
        );
    }
}

/// A permit held by a thread that panics is returned as it unwinds, and a
/// condition's lock is released: nothing is poisoned.
#[test]
fn panicking_holders_give_back_what_they_hold() {
    let semaphore = Semaphore::new(1);
    let condition = Condition::new(0);
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _permit = semaphore.acquire();
        *condition.lock() += 1;
        let _guard = condition.lock();
        panic!("the holder fails");
    }));
    assert!(unwound.is_err());
    assert_eq!(semaphore.available_permits(), 1);
    assert_eq!(*condition.lock(), 1);
}

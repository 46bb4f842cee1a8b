//! Virtual time and spurious wakeups in the model worlds (the lab's
//! kernel): what they catch, that the catch is theirs, and how they behave.

use std::sync::Arc;
use std::time::{Duration, Instant};

use synclab::backend::{AtomicU32Ops, Backend, Deadline, Futex, Join, Ordering, Std};
use synclab::catalogue::{entries, find};
use synclab::lab::Budget;
use synclab::lab::checkers::{self, Checker, Subject};
use synclab::lab::entry::{Expect, Verdict};
use synclab::lab::failure::FailureKind;
use synclab::lab::kernel::Modelling;
use synclab::worlds;

/// The model checkers, where the kernel applies.
const MODEL_CHECKERS: [Checker; 3] = [Checker::Loom, Checker::ShuttleRandom, Checker::ShuttlePct];

/// The catalogue's entries that only time or a spurious wakeup exposes.
fn timing_entries() -> Vec<&'static synclab::lab::entry::Entry> {
    entries()
        .filter(|e| e.is_broken() && (e.id.contains("timeout") || e.id.contains("spurious")))
        .collect()
}

/// At least four such entries, each caught by loom and by a shuttle
/// scheduler with the kind the catalogue names, and each escaping every
/// model checker once time and spurious wakeups are switched off: the
/// kernel is what catches them.
#[test]
fn timing_bugs_are_caught_with_the_kernel_and_escape_without_it() {
    let entries = timing_entries();
    assert!(
        entries.len() >= 4,
        "{:?}",
        entries.iter().map(|e| e.id).collect::<Vec<_>>()
    );
    let timeless = Budget {
        modelling: Modelling::OFF,
        ..Budget::default()
    };
    for entry in entries {
        let mut caught_by_shuttle = false;
        for checker in MODEL_CHECKERS {
            let expect = entry.expectation(checker);
            let run = entry.run(checker, &Budget::default()).unwrap();
            let verdict = entry.verdict(&run);
            if expect.is_catch() {
                let kind = run.failure.as_ref().map(|f| f.kind);
                assert_eq!(
                    verdict,
                    Verdict::Caught,
                    "{} · {checker}: {kind:?}",
                    entry.id
                );
                caught_by_shuttle |= checker != Checker::Loom;
            } else {
                assert!(
                    matches!(expect, Expect::Escape(_)),
                    "{} · {checker}",
                    entry.id
                );
            }
            let run = entry.run(checker, &timeless).unwrap();
            assert!(
                run.failure.is_none() && run.schedules > 0,
                "{} · {checker} without the kernel: {:?} after {} schedules",
                entry.id,
                run.failure,
                run.schedules
            );
        }
        assert!(entry.expectation(Checker::Loom).is_catch(), "{}", entry.id);
        assert!(
            caught_by_shuttle,
            "{}: no shuttle scheduler catches it",
            entry.id
        );
    }
}

/// The correct twins of the timing entries pass with the kernel on (the
/// catalogue's tests run every correct variant so; these are the scenarios
/// written for time and spurious wakeups).
#[test]
fn correct_twins_pass_with_the_kernel() {
    for id in [
        "lock-timed",
        "semaphore-timed",
        "condition-while-one-consumer",
        "event-correct",
    ] {
        let entry = find(id).unwrap();
        for checker in MODEL_CHECKERS {
            let run = entry.run(checker, &Budget::default()).unwrap();
            assert_eq!(
                entry.verdict(&run),
                Verdict::Passed,
                "{id} · {checker}: {run:?}"
            );
        }
    }
}

/// Two waits that nobody ends, of 20 ms and 10 ms, made at virtual time 0:
/// each times out at its deadline in virtual time, or later if the clock
/// had already moved past it when the thread came to wait (the 20 ms one
/// may fire while the other thread has yet to sleep). No real time passes.
fn deadlines_in_virtual_time<B: Backend>(_ops: u32) {
    let start = B::now();
    let waiter = |millis: u64| {
        let deadline = Deadline::after_in::<B>(Duration::from_millis(millis));
        B::spawn(move || {
            let futex = B::Futex::new(0);
            assert!(!futex.wait(0, deadline), "nobody wakes it: it times out");
            B::now() - start
        })
    };
    let (late, early) = (waiter(20), waiter(10));
    let (late, early) = (late.join(), early.join());
    let ms = Duration::from_millis;
    assert!(
        late >= ms(20) && early >= ms(10),
        "{late:?}, {early:?}: a wait ended early"
    );
    if B::NAME != Std::NAME {
        assert_eq!(
            late,
            ms(20),
            "the clock moves to a deadline when it fires, and no further"
        );
        assert!(
            early == ms(10) || early == ms(20),
            "{early:?}: not a deadline that fired"
        );
    }
}

/// With spurious wakeups the kernel thread starts at the first spawn; with
/// time only, at the first timed sleep, which both waiters may reach at
/// once (shuttle switches threads inside a spawn): one kernel thread either
/// way, or the other would be left parked, a deadlock.
#[test]
fn timeouts_fire_at_their_deadlines_in_virtual_time() {
    for modelling in [Modelling::DEFAULT, Modelling::TIME_ONLY] {
        let budget = Budget {
            modelling,
            ..Budget::default()
        };
        for checker in MODEL_CHECKERS {
            let subject = Subject::scenario(worlds!(deadlines_in_virtual_time));
            let run = checkers::run(checker, &subject, &budget).unwrap();
            assert!(
                run.failure.is_none() && run.schedules > 0,
                "{checker}: {run:?}"
            );
        }
    }
    // On real threads the same scenario waits out its real 20 ms.
    let real = Instant::now();
    deadlines_in_virtual_time::<Std>(1);
    assert!(real.elapsed() >= Duration::from_millis(20));
}

/// A thread waits on a futex in a loop until its word changes, counting the
/// returns that came with the word unchanged (spurious), while another
/// thread changes the word and wakes it, and the main thread joins both.
fn count_spurious<B: Backend>(_ops: u32) {
    let futex = Arc::new(B::Futex::new(0));
    let other = Arc::clone(&futex);
    let waiter = B::spawn(move || {
        let mut spurious = 0;
        while other.load(Ordering::Acquire) == 0 {
            other.wait(0, Deadline::Never);
            spurious += u32::from(other.load(Ordering::Acquire) == 0);
        }
        spurious
    });
    let waker = B::spawn(move || {
        futex.store(1, Ordering::Release);
        futex.wake_one();
    });
    let spurious = waiter.join();
    waker.join();
    assert!(
        spurious <= 1,
        "{spurious} spurious wakeups in one execution"
    );
    // Recorded for the test below: the most seen in any execution.
    MOST.with(|most| most.set(most.get().max(spurious)));
}

thread_local! {
    static MOST: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Spurious wakeups come at most as many times per execution as the budget
/// says (1 by default), and come at all: some execution sees one. With the
/// budget at 0, none does.
#[test]
fn spurious_wakeups_are_bounded_and_explored() {
    for (spurious, most) in [(1, 1), (0, 0)] {
        let budget = Budget {
            modelling: Modelling {
                spurious_wakeups: spurious,
                ..Modelling::default()
            },
            ..Budget::default()
        };
        for checker in MODEL_CHECKERS {
            MOST.with(|m| m.set(0));
            let run = checkers::run(
                checker,
                &Subject::scenario(worlds!(count_spurious)),
                &budget,
            )
            .unwrap();
            assert!(
                run.failure.is_none() && run.schedules > 0,
                "{checker}: {run:?}"
            );
            assert_eq!(MOST.with(|m| m.get()), most, "{checker}, budget {spurious}");
        }
    }
}

/// A deadlock report names the kernel thread for what it is, so that its
/// parked thread is not taken for one of the scenario's.
#[test]
fn a_deadlock_report_names_the_kernel_thread() {
    let run = find("lock-timeout-unmark")
        .unwrap()
        .run(Checker::Loom, &Budget::default())
        .unwrap();
    let failure = run.failure.unwrap();
    assert_eq!(failure.kind, FailureKind::Deadlock);
    assert!(
        failure.message.contains("the lab's kernel thread"),
        "{}",
        failure.message
    );
    let trace = run.trace.unwrap();
    assert!(
        trace
            .events
            .iter()
            .any(|e| matches!(e.access, synclab::lab::trace::Access::TimesOut { .. })),
        "{trace:?}"
    );
}

//! Every catalogue entry under every deterministic checker: a broken variant
//! is caught with the kind of failure the catalogue names, a correct one
//! passes, an expected escape is stated with its reason. Stress runs print
//! what they saw and decide only that a correct variant stays correct.

use synclab::catalogue::{self, CATALOGUE, Entry, Expect};
use synclab::checkers::{Budget, Checker, Run};

/// Runs `id` under every checker and checks each run against the catalogue.
fn check_entry(id: &str) {
    let entry = catalogue::find(id).unwrap_or_else(|| panic!("{id} is not in the catalogue"));
    // A correct variant's stress run must pass, so its watchdog is generous:
    // these tests share two cores, and a starved round is not a hang.
    let budget = Budget {
        stress_round_timeout: if entry.is_broken() {
            Budget::default().stress_round_timeout
        } else {
            std::time::Duration::from_secs(20)
        },
        ..Budget::default()
    };
    for checker in Checker::ALL {
        let expect = entry.expectation(checker);
        let Some(run) = entry.run(checker, &budget) else {
            assert!(
                matches!(expect, Expect::NotApplicable(_)),
                "{id}: {checker} did not run but the catalogue expects {expect:?}"
            );
            continue;
        };
        check_run(entry, &run, expect);
    }
}

fn check_run(entry: &Entry, run: &Run, expect: Expect) {
    let (id, checker) = (entry.id, run.checker);
    assert!(run.schedules > 0, "{id}: {checker} explored nothing");
    match expect {
        Expect::Catch(_) | Expect::CatchEither(..) => {
            let failure = run
                .failure
                .as_ref()
                .unwrap_or_else(|| panic!("{id}: {checker} should catch {expect:?} but escaped"));
            assert!(
                expect.catches(failure.kind),
                "{id}: {checker} caught the wrong thing: {failure}"
            );
            assert!(!failure.message.is_empty());
        }
        Expect::Pass => assert!(
            run.failure.is_none(),
            "{id}: correct variant flagged by {checker}: {:?}",
            run.failure
        ),
        Expect::Escape(reason) => {
            assert!(!reason.is_empty());
            assert!(
                run.failure.is_none(),
                "{id}: {checker} caught {:?}, but the catalogue says it cannot ({reason})",
                run.failure
            );
        }
        // A stress run of a broken variant reports and decides nothing.
        Expect::Observe(kind) => println!(
            "{id}: stress looked for {kind}: {:?} in {} rounds",
            run.histogram, run.schedules
        ),
        Expect::NotApplicable(reason) => panic!("{id}: {checker} ran though n/a ({reason})"),
    }
    assert!(
        entry.verdict(run).is_expected(),
        "{id}: {checker}: {}",
        entry.verdict(run)
    );
}

macro_rules! catalogue_tests {
    ($($name:ident => $id:literal,)*) => {
        $(
            #[test]
            fn $name() {
                check_entry($id);
            }
        )*

        /// Every entry of the catalogue has its test above.
        #[test]
        fn every_entry_is_tested() {
            let tested = [$($id),*];
            for entry in CATALOGUE {
                assert!(tested.contains(&entry.id), "no test for {}", entry.id);
            }
        }
    };
}

catalogue_tests! {
    counter_locked => "counter-locked",
    counter_atomic => "counter-atomic",
    counter_racy => "counter-racy",
    lock_correct => "lock-correct",
    lock_guarded_data => "lock-guarded-data",
    lock_test_then_set => "lock-test-then-set",
    lock_relaxed => "lock-relaxed",
    lock_no_wake => "lock-no-wake",
    lock_ordering => "lock-ordering",
    lock_abba => "lock-abba",
    lock_one_guard => "lock-one-guard",
    lock_guard_kept_alive => "lock-guard-kept-alive",
    semaphore_correct => "semaphore-correct",
    semaphore_check_then_decrement => "semaphore-check-then-decrement",
    semaphore_silent_release => "semaphore-silent-release",
    bounded_semaphore_correct => "bounded-semaphore-correct",
    bounded_semaphore_unbounded_release => "bounded-semaphore-unbounded-release",
    event_correct => "event-correct",
    event_notify_one => "event-notify-one",
    event_unlocked_check => "event-unlocked-check",
    condition_while => "condition-while",
    condition_if_not_while => "condition-if-not-while",
    condition_notify_after_state => "condition-notify-after-state",
    condition_notify_before_state => "condition-notify-before-state",
    queue_correct => "queue-correct",
    queue_join => "queue-join",
    queue_one_condition => "queue-one-condition",
    queue_no_full_check => "queue-no-full-check",
    queue_unlocked_length => "queue-unlocked-length",
    queue_task_done_race => "queue-task-done-race",
}

/// Every broken variant is expected to be caught by at least one
/// deterministic checker, and every correct one to pass all of them.
#[test]
fn catalogue_is_coherent() {
    for entry in CATALOGUE {
        let expectations: Vec<Expect> =
            Checker::ALL.iter().map(|c| entry.expectation(*c)).collect();
        if entry.is_broken() {
            assert!(
                Checker::ALL
                    .iter()
                    .any(|c| c.is_deterministic() && entry.expectation(*c).is_catch()),
                "{}: no deterministic checker is expected to catch it",
                entry.id
            );
        } else {
            assert!(
                expectations
                    .iter()
                    .all(|e| matches!(e, Expect::Pass | Expect::NotApplicable(_))),
                "{}: a correct variant must pass everywhere",
                entry.id
            );
        }
    }
}

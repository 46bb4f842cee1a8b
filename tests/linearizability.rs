//! The linearizability checker: hand-written histories it must accept and
//! reject (pending operations included), malformed ones it must refuse,
//! real-thread runs of the correct primitives, and generated programs that
//! shrink.

use std::time::Duration;

use synclab::backend::Std;
use synclab::counter::spec::{CounterOp, CounterRet, CounterSpec};
use synclab::kinds::model;
use synclab::lab::Budget;
use synclab::lab::linearizability::generated::SCHEDULES_PER_PROGRAM;
use synclab::lab::linearizability::{CheckError, Ending, History, check, check_recorded_std};
use synclab::lock::spec::{LockOp, LockRet, LockSpec};
use synclab::queue::spec::QueueModel;
use synclab::queue::spec::{QueueOp, QueueRet, QueueSpec};
use synclab::semaphore::spec::{SemaphoreOp, SemaphoreRet, SemaphoreSpec};
use synclab::{counter, lock, queue, semaphore};

fn rejected<S: synclab::lab::spec::Spec>(
    spec: &S,
    history: &History<S::Op, S::Ret>,
    ending: Ending,
) -> CheckError {
    check(spec, history, ending).expect_err("the history must be rejected")
}

/// Two overlapping increments and a read of 1 after both returned: a lost
/// update, which no order explains.
#[test]
fn rejects_a_lost_update() {
    let history = History::new()
        .completed(0, CounterOp::Increment, 0, 3, CounterRet::Done)
        .completed(1, CounterOp::Increment, 1, 2, CounterRet::Done)
        .completed(1, CounterOp::Get, 4, 5, CounterRet::Value(1));
    let CheckError::NotLinearizable {
        prefix,
        stuck,
        explanation,
    } = rejected(&CounterSpec::default(), &history, Ending::Open)
    else {
        panic!("not a linearizability failure");
    };
    assert_eq!(prefix.len(), 2, "both increments linearize: {prefix:?}");
    assert_eq!(
        stuck,
        Some(2),
        "the read of 1 cannot be placed: {explanation}"
    );
    assert!(explanation.contains("Get → Value(1)"), "{explanation}");
}

/// A read overlapping an increment may see either value.
#[test]
fn accepts_overlapping_reads_of_either_value() {
    for seen in [0, 1] {
        let history = History::new()
            .completed(0, CounterOp::Increment, 0, 3, CounterRet::Done)
            .completed(1, CounterOp::Get, 1, 2, CounterRet::Value(seen));
        let order = check(&CounterSpec::default(), &history, Ending::Open).unwrap();
        assert_eq!(order.len(), 2);
    }
}

/// Two holders at once: both acquires returned before either release began.
#[test]
fn rejects_two_lock_holders() {
    let history = History::new()
        .completed(0, LockOp::Acquire, 0, 2, LockRet::Done)
        .completed(1, LockOp::Acquire, 1, 3, LockRet::Done)
        .completed(0, LockOp::Release, 4, 5, LockRet::Done)
        .completed(1, LockOp::Release, 6, 7, LockRet::Done);
    assert!(matches!(
        rejected(&LockSpec::default(), &history, Ending::Open),
        CheckError::NotLinearizable { .. }
    ));
}

/// A pending acquire on a held lock: fine whether the run was cut off or
/// deadlocked, since it could not complete anyway.
#[test]
fn accepts_a_pending_acquire_of_a_held_lock() {
    let history = History::new()
        .completed(0, LockOp::Acquire, 0, 1, LockRet::Done)
        .pending(1, LockOp::Acquire, 2);
    for ending in [Ending::Open, Ending::Deadlocked] {
        assert_eq!(
            check(&LockSpec::default(), &history, ending).unwrap(),
            vec![0]
        );
    }
}

/// A pending acquire on a lock that was released: a cut-off run may still
/// have been about to take it, but in a deadlocked run it is a lost wakeup.
#[test]
fn a_pending_acquire_of_a_free_lock_is_a_lost_wakeup_only_in_a_deadlock() {
    let history = History::new()
        .completed(0, LockOp::Acquire, 0, 1, LockRet::Done)
        .pending(1, LockOp::Acquire, 2)
        .completed(0, LockOp::Release, 3, 4, LockRet::Done);
    assert!(check(&LockSpec::default(), &history, Ending::Open).is_ok());
    let error = rejected(&LockSpec::default(), &history, Ending::Deadlocked);
    assert!(error.to_string().contains("lost wakeup"), "{error}");
}

/// A pending put whose item a completed get returned: the put took effect,
/// so it must be linearized before the get.
#[test]
fn a_pending_operation_that_took_effect_is_linearized() {
    let history = History::new().pending(0, QueueOp::Put(7), 0).completed(
        1,
        QueueOp::Get,
        1,
        2,
        QueueRet::Item(7),
    );
    assert_eq!(
        check(&QueueSpec::unbounded(), &history, Ending::Open).unwrap(),
        vec![0, 1]
    );
}

/// FIFO order and capacity: a second item may not overtake the first, and
/// a full queue's put must wait.
#[test]
fn queue_histories_respect_fifo_and_capacity() {
    let overtaken = History::new()
        .completed(0, QueueOp::Put(1), 0, 1, QueueRet::Done)
        .completed(0, QueueOp::Put(2), 2, 3, QueueRet::Done)
        .completed(1, QueueOp::Get, 4, 5, QueueRet::Item(2));
    rejected(&QueueSpec::unbounded(), &overtaken, Ending::Open);
    let over_capacity = History::new()
        .completed(0, QueueOp::Put(1), 0, 1, QueueRet::Done)
        .completed(0, QueueOp::Put(2), 2, 3, QueueRet::Done);
    rejected(&QueueSpec::bounded(1), &over_capacity, Ending::Open);
    let early_join = History::new()
        .completed(0, QueueOp::Put(1), 0, 1, QueueRet::Done)
        .completed(0, QueueOp::Join, 2, 3, QueueRet::Done);
    rejected(&QueueSpec::unbounded(), &early_join, Ending::Open);
}

/// A bounded semaphore's refused release, recorded as accepted, is caught.
#[test]
fn rejects_an_accepted_over_release() {
    let history =
        History::new().completed(0, SemaphoreOp::Release, 0, 1, SemaphoreRet::Released(true));
    rejected(&SemaphoreSpec::bounded(1), &history, Ending::Open);
    let refused =
        History::new().completed(0, SemaphoreOp::Release, 0, 1, SemaphoreRet::Released(false));
    assert!(check(&SemaphoreSpec::bounded(1), &refused, Ending::Open).is_ok());
}

/// Bad input: a history no run can produce is refused with a clear error.
#[test]
fn malformed_histories_are_refused() {
    let overlapping = History::new()
        .completed(0, CounterOp::Get, 0, 5, CounterRet::Value(0))
        .completed(0, CounterOp::Get, 3, 6, CounterRet::Value(0));
    let after_pending = History::new()
        .pending(0, CounterOp::Increment, 0)
        .completed(0, CounterOp::Get, 1, 2, CounterRet::Value(0));
    let backwards = History::new().completed(0, CounterOp::Get, 5, 1, CounterRet::Value(0));
    for history in [overlapping, after_pending, backwards] {
        let error = rejected(&CounterSpec::default(), &history, Ending::Open);
        assert!(matches!(error, CheckError::Malformed(_)), "{error}");
    }
    assert!(
        check(&CounterSpec::default(), &History::new(), Ending::Open)
            .unwrap()
            .is_empty()
    );
}

/// Real threads: the correct primitives' recorded runs are linearizable.
#[test]
fn correct_primitives_on_real_threads_are_linearizable() {
    let timeout = Duration::from_secs(5);
    let runs = [
        check_recorded_std(
            CounterSpec::default(),
            counter::scenarios::recorded::<Std, counter::Locked>,
            100,
            timeout,
            false,
        ),
        check_recorded_std(
            LockSpec::default(),
            lock::scenarios::recorded::<Std, lock::Correct>,
            100,
            timeout,
            false,
        ),
        check_recorded_std(
            SemaphoreSpec::new(2),
            semaphore::scenarios::recorded::<Std, semaphore::Correct>,
            100,
            timeout,
            false,
        ),
        check_recorded_std(
            QueueSpec::bounded(1),
            queue::scenarios::recorded::<Std, queue::Correct>,
            100,
            timeout,
            false,
        ),
    ];
    for (failure, rounds) in runs {
        assert!(failure.is_none(), "{failure:?}");
        assert_eq!(rounds, 100);
    }
}

/// A budget for `count` generated programs from seed 7.
fn programs(count: usize) -> Budget {
    Budget {
        shuttle_iterations: count * SCHEDULES_PER_PROGRAM,
        seed: 7,
        ..Budget::default()
    }
}

/// Generated programs (threads × operations) pass on the correct queue,
/// under shuttle and on real threads.
#[test]
fn generated_programs_pass_on_the_correct_queue() {
    let budget = programs(32);
    let (failure, schedules) = model::linearizability::<QueueModel<queue::Correct>>(&budget);
    assert!(failure.is_none(), "{failure:?}");
    assert_eq!(schedules, budget.shuttle_iterations);
}

/// On the queue that never waits for room, generated programs fail, and
/// proptest shrinks the failure to a program of a few operations.
#[test]
fn generated_programs_catch_the_missing_full_check_and_shrink() {
    let budget = programs(64);
    let (failure, _) = model::linearizability::<QueueModel<queue::broken::NoFullCheck>>(&budget);
    let failure = failure.expect("caught");
    assert_eq!(
        failure.kind,
        synclab::lab::failure::FailureKind::NotLinearizable,
        "{failure}"
    );
    let program = failure
        .message
        .split("minimal case: ")
        .nth(1)
        .expect("the shrunk program");
    let operations = program.matches("Put").count()
        + program.matches("Get").count()
        + program.matches("Len").count();
    assert!(operations <= 4, "not shrunk: {program}");
}

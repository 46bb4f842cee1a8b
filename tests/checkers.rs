//! The checkers pointed at programs of our own, outside the catalogue: each
//! must report what it sees, and nothing when there is nothing.

use std::sync::Arc;

use synclab::backend::{AtomicU32Ops, Backend, CellOps, Join, Ordering, UntrackedCell};
use synclab::lab::Budget;
use synclab::lab::checkers::{self, Checker, Subject};
use synclab::lab::failure::FailureKind;
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

//! A primitive of a kind the lab does not list, checked from outside the
//! crate with the open kit: a countdown latch, its scenario, its sequential
//! spec, and the glue between them (counted in the README).

use std::sync::Arc;

use LatchOp::{Count, CountDown, Wait};
use proptest::prelude::*;
use synclab::backend::{AtomicU32Ops, Backend, Deadline, Futex, Ordering, run_threads};
use synclab::ensure;
use synclab::kinds::model::Model;
use synclab::lab::Budget;
use synclab::lab::checkers::Checker;
use synclab::lab::failure::{Bug, FailureKind};
use synclab::lab::spec::Spec;
use synclab::own::{Kit, SPEC, Scenario};

// ---- The user's primitive: not glue. ----

/// A countdown latch: `wait` returns once the count is down to zero.
/// `BUG` 0 is correct; 1 decrements with a read and a write (a lost
/// count-down); 2 decrements with a wrapping `fetch_sub` (a count-down past
/// zero wraps it to 4,294,967,295).
struct Latch<B: Backend, const BUG: u8>(B::Futex);

impl<B: Backend, const BUG: u8> Latch<B, BUG> {
    fn new(count: u32) -> Self {
        Latch(B::Futex::new(count))
    }

    fn count_down(&self) {
        let before = match BUG {
            1 => {
                let count = self.0.load(Ordering::Relaxed);
                self.0.store(count.saturating_sub(1), Ordering::Release);
                count
            }
            2 => self.0.fetch_sub(1, Ordering::Release),
            _ => {
                let mut count = self.0.load(Ordering::Relaxed);
                loop {
                    if count == 0 {
                        return;
                    }
                    let next = count - 1;
                    match self
                        .0
                        .compare_exchange(count, next, Ordering::Release, Ordering::Relaxed)
                    {
                        Ok(_) => break count,
                        Err(now) => count = now,
                    }
                }
            }
        };
        if before == 1 {
            self.0.wake_all();
        }
    }

    fn count(&self) -> u32 {
        self.0.load(Ordering::Acquire)
    }

    fn wait(&self) {
        while let count @ 1.. = self.count() {
            self.0.wait(count, Deadline::Never);
        }
    }
}

// ---- The user's sequential spec: not glue either. ----

/// The latch's sequential spec: its count.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct LatchSpec(u32);

#[derive(Clone, Copy, Debug)]
enum LatchOp {
    CountDown,
    Count,
    Wait,
}

impl Spec for LatchSpec {
    type Op = LatchOp;
    type Ret = Option<u32>;
    fn apply(&self, op: &LatchOp) -> Option<(Option<u32>, LatchSpec)> {
        match op {
            LatchOp::CountDown => Some((None, LatchSpec(self.0.saturating_sub(1)))),
            LatchOp::Count => Some((Some(self.0), self.clone())),
            LatchOp::Wait => (self.0 == 0).then(|| (None, self.clone())),
        }
    }
}

// ---- The scenario, in the kit's `Scenario` shape: 6 lines of glue (the
// struct, the `impl` and `NAME` lines, the signature, two closing braces). ----

/// Two threads count a latch of 2 down, each after its piece of work; a
/// third waits and must see both pieces done.
struct TwoCountDowns<const BUG: u8>;

impl<const BUG: u8> Scenario for TwoCountDowns<BUG> {
    const NAME: &'static str = "two-count-downs";
    fn run<B: Backend>(_ops: u32) {
        let shared = Arc::new((Latch::<B, BUG>::new(2), B::AtomicU32::new(0)));
        run_threads::<B, _>(3, &shared, |(latch, work), thread| {
            if thread < 2 {
                work.fetch_add(1, Ordering::Relaxed);
                latch.count_down();
            } else {
                latch.wait();
                let done = work.load(Ordering::Relaxed);
                ensure!(
                    done == 2,
                    Bug::FalseState,
                    "released after {done} of 2 count-downs"
                );
            }
        });
    }
}

// ---- The spec's glue, optional: 21 lines, the whole `impl Model`. ----

impl<const BUG: u8> Model for TwoCountDowns<BUG> {
    type Spec = LatchSpec;
    type Object<B: Backend> = Latch<B, BUG>;
    fn new<B: Backend>(_: usize) -> Latch<B, BUG> {
        Latch::new(2)
    }
    fn initial(_: usize) -> LatchSpec {
        LatchSpec(2)
    }
    fn perform<B: Backend>(latch: &Latch<B, BUG>, op: &LatchOp) -> Option<u32> {
        match op {
            CountDown => latch.count_down(),
            Count => return Some(latch.count()),
            Wait => latch.wait(),
        }
        None
    }
    fn ops() -> impl Strategy<Value = LatchOp> + Clone {
        prop_oneof![Just(CountDown), Just(Count), Just(Wait)]
    }
}

// ---- The one call (1 line of glue; here in a function for the tests). ----

fn kit<const BUG: u8>() -> Kit {
    Kit::new("latch")
        .scenario::<TwoCountDowns<BUG>>()
        .model::<TwoCountDowns<BUG>>()
}

// ---- The tests. ----

#[test]
fn a_correct_latch_passes_every_checker() {
    let report = kit::<0>().check(&Budget::patient());
    report.assert_clean();
    for checker in [
        Checker::Loom,
        Checker::ShuttleRandom,
        Checker::ShuttlePct,
        Checker::Model,
        Checker::Linearizability,
    ] {
        let run = report.run(checker).expect("the checker applies");
        assert!(run.schedules > 0, "{checker} explored nothing\n{report}");
    }
}

/// Two count-downs read 2 and both write 1: the waiter sleeps forever. The
/// scenario's checkers see a deadlock, the generated programs a history no
/// order of the spec explains.
#[test]
fn a_latch_that_loses_a_count_down_is_caught() {
    let report = kit::<1>().check(&Budget::default());
    report.assert_caught(FailureKind::Deadlock);
    assert_eq!(
        report.caught_by(Checker::Linearizability).map(|f| f.kind),
        Some(FailureKind::NotLinearizable),
        "{report}"
    );
    assert!(
        report.caught_by(Checker::Model).is_none(),
        "one thread cannot lose it"
    );
}

/// A count-down on a released latch wraps its count: no interleaving is
/// needed, and only the spec knows the count must stay at zero. The model
/// test sees the wrapped count, or a `wait` that never returns after it,
/// whichever its seed draws first.
#[test]
fn a_latch_whose_count_wraps_is_caught_by_its_spec() {
    let report = kit::<2>().check(&Budget::default());
    let failure = report
        .caught_by(Checker::Model)
        .expect("the model test catches it");
    let wrapped = failure.kind == FailureKind::Assertion(Bug::WrongResult)
        && failure.message.contains("4294967295");
    let stuck = failure.kind == FailureKind::Hang && failure.message.contains("CountDown");
    assert!(wrapped || stuck, "{failure}");
    assert!(report.caught_by(Checker::Loom).is_none(), "{report}");
}

/// A failure found in a test replays from that test: the same scenario,
/// checker, seed and schedule count give the same failure and its trace.
#[test]
fn a_failure_replays_from_the_users_own_test() {
    let (kit, budget) = (kit::<1>(), Budget::default());
    let report = kit.check(&budget);
    let checkers = [
        Checker::Loom,
        Checker::ShuttleRandom,
        Checker::ShuttlePct,
        Checker::Linearizability,
    ];
    for checker in checkers {
        let own = report
            .runs
            .iter()
            .find(|own| own.run.checker == checker)
            .expect("the checker ran");
        let caught = own.run.failure.as_ref().expect("the checker catches it");
        let replay = own.run.replay.as_deref().expect("a catch has a replay");
        let again = kit.replay(&budget, own.scenario, replay).unwrap();
        let failure = again.failure.as_ref().expect("the replay fails again");
        assert_eq!(failure.kind, caught.kind, "{checker}");
        assert_eq!(again.schedules, own.run.schedules, "{checker}");
        assert!(again.trace.is_some(), "{checker} replays with its trace");
    }
    assert!(
        report
            .to_string()
            .contains("Replay it: kit.replay(&budget, \"two-count-downs\", \"--checker loom\")"),
        "{report}"
    );
    let bad = [
        ("nowhere", "--checker loom"),
        ("two-count-downs", ""),
        ("two-count-downs", "--checker nobody"),
        ("two-count-downs", "--checker shuttle-random --seed x"),
        ("two-count-downs", "--checker shuttle-random --schedules 0"),
        ("two-count-downs", "--checker stress"),
        (SPEC, "--checker loom"),
    ];
    for (scenario, replay) in bad {
        assert!(
            kit.replay(&budget, scenario, replay).is_err(),
            "{scenario} {replay:?} accepted"
        );
    }
}

/// A kit with nothing in it checked nothing: that is not a clean report.
#[test]
fn an_empty_kit_is_not_clean() {
    let report = Kit::new("nothing").check(&Budget::default());
    assert!(!report.is_clean());
    assert!(
        report.to_string().contains("nothing was checked"),
        "{report}"
    );
}

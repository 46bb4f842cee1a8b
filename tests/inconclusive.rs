//! A checker that could not finish is not a catch: user primitives written
//! outside-in whose loops the model checkers cannot finish, a real livelock,
//! and stress rounds whose abandoned threads must not keep running.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use synclab::backend::{AtomicU32Ops, Backend, Ordering, run_threads};
use synclab::kinds::{LockApi, LockFamily};
use synclab::lab::Budget;
use synclab::lab::checkers::{self, Checker, Subject};
use synclab::lab::failure::FailureKind;
use synclab::own::{self, Kit, Scenario};

/// A correct spin lock; with `HINT`, its spin loop calls `B::spin_loop()`,
/// without, it has no scheduling point at all.
struct Spin<B: Backend, const HINT: bool>(B::AtomicU32);

impl<B: Backend, const HINT: bool> LockApi for Spin<B, HINT> {
    fn new() -> Self {
        Spin(B::AtomicU32::new(0))
    }
    fn lock(&self) {
        while !self.try_lock() {
            if HINT {
                B::spin_loop();
            }
        }
    }
    fn try_lock(&self) -> bool {
        self.0
            .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }
    fn unlock(&self) {
        self.0.store(0, Ordering::Release);
    }
}

struct SpinOf<const HINT: bool>;
impl<const HINT: bool> LockFamily for SpinOf<HINT> {
    type Lock<B: Backend> = Spin<B, HINT>;
}

/// loom's branch limit and PCT's step bound are the checkers giving up on a
/// loop with no scheduling point, not a bug: inconclusive, with the fix,
/// never caught.
#[test]
fn a_spin_loop_without_a_scheduling_point_is_inconclusive_not_caught() {
    let report = own::check_lock::<SpinOf<false>>(&Budget::default());
    assert!(report.caught().is_none(), "{report}");
    let gave_up: Vec<_> = report.inconclusive().collect();
    for checker in [Checker::Loom, Checker::ShuttlePct] {
        let (_, why) = gave_up
            .iter()
            .find(|(c, _)| *c == checker)
            .unwrap_or_else(|| panic!("{checker} is not inconclusive\n{report}"));
        assert!(
            why.contains("has no scheduling point: call `B::spin_loop()` or `B::yield_now()`")
                && why.contains("tests/inconclusive.rs"),
            "{checker}: {why}"
        );
    }
    let clean = std::panic::catch_unwind(|| report.assert_clean()).unwrap_err();
    let message = clean.downcast_ref::<String>().unwrap();
    assert!(message.contains("inconclusive after"), "{message}");
}

#[test]
fn the_same_spin_lock_with_a_spin_hint_passes() {
    own::check_lock::<SpinOf<true>>(&Budget::default()).assert_clean();
}

/// The thread ids of the threads a scenario marked, to look them up in
/// `/proc` after their round was abandoned.
static MARKED: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Adds the calling thread's id (Linux) to `marked`.
fn mark(marked: &Mutex<Vec<u32>>) {
    let link = std::fs::read_link("/proc/thread-self").expect("Linux");
    let tid = link.file_name().unwrap().to_str().unwrap().parse().unwrap();
    marked.lock().unwrap().push(tid);
}

/// Two threads each raise a flag, meet, then wait, yielding, while the
/// other's is raised. Both are up, and neither ever lowers it: every
/// schedule spins on forever. With `DEFERS`, thread 1 lowers its flag and
/// waits its turn instead: no livelock. With `MARK`, each thread on real
/// threads adds its id to [`MARKED`].
struct Polite<const DEFERS: bool, const MARK: bool = false>;

impl<const DEFERS: bool, const MARK: bool> Scenario for Polite<DEFERS, MARK> {
    const NAME: &'static str = "polite";
    fn run<B: Backend>(_ops: u32) {
        let flags = Arc::new([(); 3].map(|()| B::AtomicU32::new(0)));
        run_threads::<B, _>(2, &flags, |flags, me| {
            if MARK && B::NAME == "std" {
                mark(&MARKED);
            }
            let other = &flags[1 - me];
            flags[me].store(1, Ordering::SeqCst);
            // Meet: both flags are up before either looks.
            flags[2].fetch_add(1, Ordering::SeqCst);
            while flags[2].load(Ordering::SeqCst) < 2 {
                B::yield_now();
            }
            while other.load(Ordering::SeqCst) == 1 {
                if DEFERS && me == 1 {
                    flags[me].store(0, Ordering::SeqCst);
                    while other.load(Ordering::SeqCst) == 1 {
                        B::yield_now();
                    }
                    flags[me].store(1, Ordering::SeqCst);
                } else {
                    B::yield_now();
                }
            }
            flags[me].store(0, Ordering::SeqCst);
        });
    }
}

fn quick() -> Budget {
    Budget {
        stress_rounds: 200,
        stress_round_timeout: Duration::from_millis(200),
        ..Budget::default()
    }
}

/// shuttle's random scheduler runs every thread again sooner or later, so a
/// loop it never gets out of is a livelock: caught as one. loom cannot tell
/// and says so; the stress round is cut off, inconclusive.
#[test]
fn a_polite_livelock_is_caught_as_one() {
    let report = Kit::new("flags")
        .scenario::<Polite<false>>()
        .check(&quick());
    let livelock = report.assert_caught(FailureKind::Livelock);
    assert!(
        livelock.message.contains("yields, yet never gets out"),
        "{livelock}"
    );
    assert_eq!(
        report.caught_by(Checker::ShuttleRandom).map(|f| f.kind),
        Some(FailureKind::Livelock)
    );
    let loom = report.run(Checker::Loom).unwrap();
    assert!(
        loom.failure.is_none()
            && loom
                .inconclusive
                .as_deref()
                .is_some_and(|why| why.contains("shuttle-random can")),
        "{report}"
    );
    let stress = report.stress().unwrap();
    assert!(
        stress.failure.is_none() && stress.inconclusive.is_some(),
        "{report}"
    );
}

#[test]
fn the_deferring_twin_passes() {
    Kit::new("flags")
        .scenario::<Polite<true>>()
        .check(&quick())
        .assert_clean();
}

/// A stress round of the livelock is abandoned at its timeout: its threads,
/// spinning with `B::yield_now()`, unwind at their next yield and exit, so
/// nothing keeps a core busy afterwards.
#[test]
fn an_abandoned_stress_round_leaves_no_thread_spinning() {
    let subject = Subject::scenario(synclab::worlds!(polite));
    let run = checkers::run(Checker::Stress, &subject, &quick()).unwrap();
    assert!(run.inconclusive.is_some(), "{run:?}");
    let marked: Vec<u32> = MARKED.lock().unwrap().drain(..).collect();
    assert!(!marked.is_empty());
    let start = Instant::now();
    let alive = || {
        marked
            .iter()
            .filter(|tid| std::path::Path::new(&format!("/proc/self/task/{tid}")).exists())
            .count()
    };
    while alive() > 0 && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(alive(), 0, "abandoned threads still alive after 10 s");
}

fn polite<B: Backend>(ops: u32) {
    Polite::<false, true>::run::<B>(ops);
}

/// A spin that never calls into the backend cannot be unwound: its threads
/// are demoted to SCHED_IDLE instead, so they run only on an idle core.
#[test]
fn an_abandoned_thread_that_cannot_unwind_runs_at_idle_priority() {
    fn stuck<B: Backend>(_ops: u32) {
        let flag = Arc::new(B::AtomicU32::new(1));
        run_threads::<B, _>(1, &flag, |flag, _| {
            mark(&STUCK);
            while flag.load(Ordering::Relaxed) == 1 {
                std::hint::spin_loop();
            }
        });
    }
    static STUCK: Mutex<Vec<u32>> = Mutex::new(Vec::new());
    let budget = Budget {
        stress_rounds: 1,
        ..quick()
    };
    let subject = Subject::scenario(synclab::worlds!(stuck));
    let run = checkers::run(Checker::Stress, &subject, &budget).unwrap();
    assert!(run.inconclusive.is_some(), "{run:?}");
    let tid = STUCK.lock().unwrap()[0];
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).unwrap();
    // Field 41 (policy), counted from field 3, the first after the name.
    let after_name = stat.rsplit_once(')').unwrap().1;
    let policy: u32 = after_name
        .split_whitespace()
        .nth(41 - 3)
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(policy, 5, "SCHED_IDLE is policy 5: {stat}");
}

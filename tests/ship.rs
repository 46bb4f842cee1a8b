//! The facade (`synclab::sync`, `synclab::thread`, `synclab::cell`): code
//! written against std, checked by swapping one `use` line.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::LazyLock;

use synclab::cell::UnsafeCell;
use synclab::ensure;
use synclab::facade::{self, Scenario};
use synclab::lab::Budget;
use synclab::lab::checkers::{Checker, Run, miri};
use synclab::lab::failure::{Bug, FailureKind};
use synclab::own::Kit;
use synclab::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use synclab::sync::{Arc, Condvar, Mutex};
use synclab::thread;

#[path = "../examples/spsc_ring/main.rs"]
#[allow(dead_code)]
mod example;

use example::Handoff;

/// The ring that publishes its tail with Relaxed is caught by loom, as a
/// stale read, and the trace shows the consumer seeing the new tail and
/// then the slot's old value. Shuttle, sequentially consistent, cannot see
/// it; stress on x86 does not decide.
#[test]
fn the_relaxed_ring_is_caught_by_loom_with_its_trace() {
    let report = facade::check::<Handoff<true>>(&Budget::default());
    let failure = report.assert_caught(FailureKind::Assertion(Bug::StaleRead));
    assert!(failure.message.contains("popped 0"), "{report}");
    let loom = report.run(Checker::Loom).expect("loom ran");
    assert!(loom.failure.is_some(), "{report}");
    let table = loom
        .trace
        .as_ref()
        .expect("loom's failure has a trace")
        .table();
    // The consumer (T1) reads the tail the producer (T2) published, then
    // the slot as it was before the push.
    let consumer = table
        .lines()
        .filter(|row| row.starts_with("| ") && row.ends_with("| |"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        consumer.contains("reads tail = 1, reads slots[0] = 0"),
        "{table}"
    );
    for checker in [Checker::ShuttleRandom, Checker::ShuttlePct] {
        let run = report.run(checker).expect("shuttle ran");
        assert!(run.failure.is_none() && run.schedules > 0, "{report}");
    }
    // The report says why shuttle's pass says nothing here.
    assert_says(
        &report.to_string(),
        &[
            "shuttle-random: nothing found in",
            "blind to a missing Release/Acquire",
        ],
    );
}

/// The correct ring's twin of the scenario: clean under every checker,
/// each having explored something.
#[test]
fn the_correct_ring_is_clean() {
    let report = facade::check::<Handoff<false>>(&Budget::default());
    report.assert_clean();
    let loom = report.run(Checker::Loom).expect("loom ran");
    assert!(loom.schedules > 10, "{report}");
}

/// A budget that runs loom alone: shuttle and stress explore nothing.
fn loom_only() -> Budget {
    Budget {
        shuttle_iterations: 0,
        stress_rounds: 0,
        ..Budget::default()
    }
}

/// What the scenario below saw, over every execution of one check (a std
/// static: not a facade value).
static SEEN: std::sync::Mutex<BTreeSet<u32>> = std::sync::Mutex::new(BTreeSet::new());

/// loom#392: a spawned thread that loads an atomic and then stores it
/// hides the main thread's load from loom's partial-order reduction, which
/// then runs one execution per preemption bound. The facade makes every
/// atomic access a scheduling point, so both outcomes of the main thread's
/// load are seen.
struct HiddenLoad;

impl Scenario for HiddenLoad {
    const NAME: &'static str = "hidden-load";
    fn run() {
        let flag = Arc::new(AtomicU32::new(0));
        let writer = {
            let flag = Arc::clone(&flag);
            thread::spawn(move || {
                let _irrelevant = flag.load(Ordering::Relaxed);
                flag.store(1, Ordering::Relaxed);
            })
        };
        let seen = flag.load(Ordering::Relaxed);
        SEEN.lock().expect("not poisoned").insert(seen);
        writer.join().expect("the writer does not panic");
    }
}

#[test]
fn loom_sees_the_load_its_reduction_would_hide() {
    SEEN.lock().expect("not poisoned").clear();
    let report = facade::check::<HiddenLoad>(&loom_only());
    let loom = report.run(Checker::Loom).expect("loom ran");
    assert!(
        loom.failure.is_none() && loom.incomplete.is_none(),
        "{report}"
    );
    let seen = SEEN.lock().expect("not poisoned").clone();
    assert_eq!(seen, BTreeSet::from([0, 1]), "{report}");
}

/// A flag set and notified outside the mutex: the waiter can check the
/// flag, miss the notify that comes before its wait, and sleep forever.
struct Wakeup<const UNDER_LOCK: bool>;

/// What the waiter and the setter share.
struct Signal {
    lock: Mutex<()>,
    ready: Condvar,
    flag: AtomicBool,
}

impl<const UNDER_LOCK: bool> Scenario for Wakeup<UNDER_LOCK> {
    const NAME: &'static str = if UNDER_LOCK { "wakeup" } else { "lost-wakeup" };
    fn run() {
        let signal = Arc::new(Signal {
            lock: Mutex::new(()),
            ready: Condvar::new(),
            flag: AtomicBool::new(false),
        });
        let setter = {
            let signal = Arc::clone(&signal);
            thread::spawn(move || {
                let held = UNDER_LOCK.then(|| signal.lock.lock().expect("not poisoned"));
                signal.flag.store(true, Ordering::Relaxed);
                drop(held);
                signal.ready.notify_one();
            })
        };
        let mut held = signal.lock.lock().expect("not poisoned");
        while !signal.flag.load(Ordering::Relaxed) {
            held = signal.ready.wait(held).expect("not poisoned");
        }
        drop(held);
        setter.join().expect("the setter does not panic");
    }
}

#[test]
fn a_notify_outside_the_lock_is_a_lost_wakeup() {
    let report = facade::check::<Wakeup<false>>(&Budget::default());
    report.assert_caught(FailureKind::Deadlock);
    let table = report
        .run(Checker::Loom)
        .and_then(|run| run.trace.as_ref())
        .expect("loom's deadlock has a trace")
        .table();
    assert!(table.contains("notifies one on ready"), "{table}");
    assert!(table.contains("sleeps on ready"), "{table}");
    facade::check::<Wakeup<true>>(&Budget::default()).assert_clean();
}

/// Two threads write a plain cell: ordered by a lock (clean), or not at
/// all (loom's data race).
struct Cell<const LOCKED: bool>;

struct Shared {
    lock: Mutex<()>,
    cell: UnsafeCell<u32>,
}

// SAFETY: `Cell<true>` orders the accesses with the lock. `Cell<false>`
// does not: it is run only under loom (see `loom_only`), whose cell tracks
// the accesses and reports the race instead of making it.
unsafe impl Sync for Shared {}

impl<const LOCKED: bool> Scenario for Cell<LOCKED> {
    const NAME: &'static str = if LOCKED { "locked-cell" } else { "racy-cell" };
    fn run() {
        let shared = Arc::new(Shared {
            lock: Mutex::new(()),
            cell: UnsafeCell::new(0),
        });
        let add = |shared: &Shared| {
            let _held = LOCKED.then(|| shared.lock.lock().expect("not poisoned"));
            // SAFETY: with LOCKED, the lock orders the accesses; without,
            // this is the race loom is asked to catch.
            shared.cell.with_mut(|value| unsafe { *value += 1 });
        };
        let other = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || add(&shared))
        };
        add(&shared);
        other.join().expect("the other thread does not panic");
        let total = shared.cell.with(|value| unsafe { *value });
        ensure!(total == 2, Bug::LostUpdate, "two adds made {total}");
    }
}

#[test]
fn an_unordered_cell_is_a_data_race_under_loom() {
    // loom only: the racy scenario must not run on real threads (a data
    // race is undefined behaviour there), and shuttle does not track cells.
    let racy = facade::check::<Cell<false>>(&loom_only());
    racy.assert_caught(FailureKind::DataRace);
    let locked = facade::check::<Cell<true>>(&loom_only());
    let loom = locked.run(Checker::Loom).expect("loom ran");
    assert!(loom.failure.is_none() && loom.schedules > 1, "{locked}");
}

/// Values made in `static`s, outside any model: used inside one, they are
/// refused, and the check panics with the refusal instead of a verdict.
static MADE_OUTSIDE: LazyLock<AtomicU32> = LazyLock::new(|| AtomicU32::new(0));
static FLAG_OUTSIDE: LazyLock<AtomicBool> = LazyLock::new(|| AtomicBool::new(true));
static CONDVAR_OUTSIDE: LazyLock<Condvar> = LazyLock::new(Condvar::new);

/// How a scenario uses a value made outside the model.
struct UsesAStatic<const HOW: u8>;

const ADDS: u8 = 0;
const LOADS: u8 = 1;
const WAITS: u8 = 2;

impl<const HOW: u8> Scenario for UsesAStatic<HOW> {
    const NAME: &'static str = "uses-a-static";
    fn run() {
        match HOW {
            ADDS => drop(MADE_OUTSIDE.fetch_add(1, Ordering::Relaxed)),
            // A load alone is refused too: the model would read a value
            // whose writes it cannot see.
            LOADS => drop(FLAG_OUTSIDE.load(Ordering::Acquire)),
            _ => {
                let lock = Mutex::new(());
                let held = lock.lock().expect("not poisoned");
                // Refused before it sleeps: nobody would wake it.
                drop(CONDVAR_OUTSIDE.wait(held));
            }
        }
    }
}

/// Panics unless `text` says each of `parts`.
#[track_caller]
fn assert_says(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{part:?} not in: {text}");
    }
}

/// The message a refused check panicked with.
fn refusal(check: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(check)).expect_err("the check is refused");
    payload
        .downcast_ref::<String>()
        .cloned()
        .expect("the refusal says why")
}

#[test]
fn a_value_made_outside_the_model_is_refused() {
    LazyLock::force(&MADE_OUTSIDE);
    let message = refusal(|| drop(facade::check::<UsesAStatic<ADDS>>(&Budget::default())));
    assert_says(
        &message,
        &[
            "synclab::sync refuses: the AtomicU32 created on real threads (std), outside any model",
            "is used in loom execution",
            "tests/ship.rs",
            "Create the AtomicU32 inside the scenario's `run`",
        ],
    );
}

#[test]
fn a_load_of_a_value_made_outside_the_model_is_refused() {
    LazyLock::force(&FLAG_OUTSIDE);
    let message = refusal(|| drop(facade::check::<UsesAStatic<LOADS>>(&Budget::default())));
    assert_says(
        &message,
        &["the AtomicBool created on real threads (std), outside any model"],
    );
}

#[test]
fn a_condvar_made_outside_the_model_is_refused_with_a_guard_made_inside() {
    LazyLock::force(&CONDVAR_OUTSIDE);
    let message = refusal(|| drop(facade::check::<UsesAStatic<WAITS>>(&Budget::default())));
    assert_says(
        &message,
        &["the Condvar created on real threads (std), outside any model"],
    );
}

/// A value kept from an earlier execution: made in loom's first, refused
/// in its second.
static KEPT: std::sync::Mutex<Option<&'static AtomicU32>> = std::sync::Mutex::new(None);

struct KeepsAValue;

impl Scenario for KeepsAValue {
    const NAME: &'static str = "keeps-a-value";
    fn run() {
        let kept = *KEPT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get_or_insert_with(|| Box::leak(Box::new(AtomicU32::new(0))));
        let other = thread::spawn(|| ());
        kept.fetch_add(1, Ordering::Relaxed);
        other.join().expect("the thread does not panic");
    }
}

#[test]
fn a_value_kept_from_an_earlier_execution_is_refused() {
    let message = refusal(|| drop(facade::check::<KeepsAValue>(&Budget::default())));
    assert_says(
        &message,
        &[
            "the AtomicU32 created in loom execution",
            "is used in loom execution",
            "Create the AtomicU32 inside the scenario's `run`",
        ],
    );
}

/// Outside any check the facade is std: the same code runs on real
/// threads, with std's results.
#[test]
fn outside_a_check_the_facade_is_std() {
    let total = Arc::new(Mutex::new(0));
    let flag = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (total, flag) = (Arc::clone(&total), Arc::clone(&flag));
            thread::spawn(move || {
                *total.lock().expect("not poisoned") += 1;
                flag.store(true, Ordering::Release);
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no thread panics");
    }
    assert_eq!(*total.lock().expect("not poisoned"), 4);
    assert!(flag.load(Ordering::Acquire));
    assert_eq!(format!("{:?}", AtomicU32::new(3)), "3");
}

/// A scenario that fails while its other thread is paused inside an
/// atomic access: loom abandons that thread mid-access.
struct FailsMidAccess;

impl Scenario for FailsMidAccess {
    const NAME: &'static str = "fails-mid-access";
    fn run() {
        let word = Arc::new(AtomicU32::new(0));
        let other = {
            let word = Arc::clone(&word);
            thread::spawn(move || {
                word.store(1, Ordering::Relaxed);
                word.load(Ordering::Relaxed);
                word.load(Ordering::Relaxed);
            })
        };
        let seen = word.load(Ordering::Relaxed);
        ensure!(seen == 0, Bug::FalseState, "saw {seen} before the join");
        other.join().expect("the other thread does not panic");
    }
}

/// The thread that ran a failed check runs the next one as if it were the
/// first: nothing of the abandoned execution is left behind.
#[test]
fn a_failed_check_leaves_its_thread_ready_for_the_next() {
    let failed = facade::check::<FailsMidAccess>(&loom_only());
    failed.assert_caught(FailureKind::Assertion(Bug::FalseState));
    facade::check::<Handoff<false>>(&Budget::default()).assert_clean();
}

/// The cell scenarios' std path under Miri, in this test binary rebuilt by
/// Miri: the unordered cell is a data race there too (never run on real
/// threads outside Miri: the budget runs no stress), the locked one clean
/// over every seed. Where Miri is not installed, the run says how to
/// install it, and is no verdict.
fn miri_run<S: Scenario>() -> Run {
    let report = Kit::new("cell")
        .shipped::<S>()
        .with_miri()
        .check(&loom_only());
    report
        .run(Checker::Miri)
        .expect("the kit asked for Miri")
        .clone()
}

#[test]
fn miri_sees_the_unordered_cell_race_on_real_threads() {
    let run = miri_run::<Cell<false>>();
    if miri::available() {
        let failure = run
            .failure
            .as_ref()
            .unwrap_or_else(|| panic!("not caught: {run:?}"));
        assert_eq!(failure.kind, FailureKind::DataRace, "{failure:?}");
        assert!(
            failure.message.contains("Data race detected"),
            "{failure:?}"
        );
    } else {
        assert!(run.failure.is_none() && run.schedules == 0, "{run:?}");
        let why = run.inconclusive.as_deref().unwrap_or_default();
        assert!(why.contains(miri::INSTALL), "{run:?}");
    }
}

#[test]
fn miri_finds_the_locked_cell_clean() {
    let run = miri_run::<Cell<true>>();
    if miri::available() {
        assert!(run.failure.is_none(), "{run:?}");
        assert_eq!(run.schedules, miri::SEEDS as usize, "{run:?}");
    } else {
        assert!(run.inconclusive.is_some(), "{run:?}");
    }
}

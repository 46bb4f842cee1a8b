//! Check your own primitive: user types the lab has never seen, written over
//! the backend, one correct and one with a classic bug per kind.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use synclab::backend::{AtomicU32Ops, Backend, Deadline, Futex, Ordering};
use synclab::condition::Condvar;
use synclab::kinds::{EventApi, EventFamily, LockApi, LockFamily, QueueApi, QueueFamily};
use synclab::lab::Budget;
use synclab::lab::checkers::Checker;
use synclab::lab::failure::{Bug, FailureKind};
use synclab::own;

/// A ticket lock, correct, or with its ticket taken in two steps.
struct TicketLock<B: Backend, const RACY: bool> {
    next: B::AtomicU32,
    serving: B::Futex,
}

impl<B: Backend, const RACY: bool> LockApi for TicketLock<B, RACY> {
    fn new() -> Self {
        TicketLock {
            next: B::AtomicU32::new(0),
            serving: B::Futex::new(0),
        }
    }
    fn lock(&self) {
        let ticket = if RACY {
            // The classic bug: read and increment are two steps.
            let ticket = self.next.load(Ordering::Relaxed);
            self.next.store(ticket + 1, Ordering::Relaxed);
            ticket
        } else {
            self.next.fetch_add(1, Ordering::Relaxed)
        };
        loop {
            let serving = self.serving.load(Ordering::Acquire);
            if serving == ticket {
                return;
            }
            self.serving.wait(serving, Deadline::Never);
        }
    }
    fn try_lock(&self) -> bool {
        let serving = self.serving.load(Ordering::Acquire);
        self.next
            .compare_exchange(serving, serving + 1, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    }
    fn unlock(&self) {
        self.serving.fetch_add(1, Ordering::Release);
        self.serving.wake_all();
    }
}

struct Ticket;
impl LockFamily for Ticket {
    type Lock<B: Backend> = TicketLock<B, false>;
}

struct RacyTicket;
impl LockFamily for RacyTicket {
    type Lock<B: Backend> = TicketLock<B, true>;
}

/// A lock that assumes it is never contended: `lock` unwraps its
/// `try_lock`. A plain panic in the user's code, not a bug the lab names.
struct Hopeful<B: Backend>(B::AtomicU32);

impl<B: Backend> LockApi for Hopeful<B> {
    fn new() -> Self {
        Hopeful(B::AtomicU32::new(0))
    }
    fn lock(&self) {
        self.try_lock().then_some(()).unwrap();
    }
    fn try_lock(&self) -> bool {
        self.0.swap(1, Ordering::Acquire) == 0
    }
    fn unlock(&self) {
        self.0.store(0, Ordering::Release);
    }
}

struct HopefulLock;
impl LockFamily for HopefulLock {
    type Lock<B: Backend> = Hopeful<B>;
}

#[test]
fn a_plain_panic_in_user_code_is_shown_as_such() {
    let report = own::check_lock::<HopefulLock>(&Budget::default());
    let failure = report
        .caught_by(Checker::Loom)
        .unwrap_or_else(|| panic!("not caught:\n{report}"));
    assert_eq!(failure.kind, FailureKind::Panic, "{report}");
    assert!(
        failure.message.contains("`Option::unwrap()` on a `None`"),
        "{failure}"
    );
    let at = failure.location.as_deref().unwrap_or_default();
    assert!(at.starts_with("tests/own.rs:"), "{failure}");
    assert!(report.panics().next().is_some());
    let shown = report.to_string();
    assert!(
        shown.contains("- lock-exclusion · loom: your code panicked after"),
        "{shown}"
    );
    assert!(shown.contains(&format!("at {at}: called")), "{shown}");
}

#[test]
fn a_correct_user_lock_passes_every_checker() {
    let report = own::check_lock::<Ticket>(&Budget::patient());
    report.assert_clean();
    for checker in [
        Checker::Loom,
        Checker::ShuttleRandom,
        Checker::ShuttlePct,
        Checker::Linearizability,
    ] {
        let run = report.run(checker).expect("the checker applies to locks");
        assert!(run.schedules > 0, "{checker} explored nothing");
    }
    assert!(report.stress().is_some_and(|run| run.failure.is_none()));
}

/// Two threads draw the same ticket and both enter: caught as two holders
/// (or, on loom's weak memory, as a stale read), and as a history that is
/// not linearizable.
#[test]
fn a_user_lock_with_a_racy_ticket_is_caught() {
    let report = own::check_lock::<RacyTicket>(&Budget::default());
    let failure = report
        .caught()
        .unwrap_or_else(|| panic!("not caught:\n{report}"));
    assert!(
        matches!(
            failure.kind,
            FailureKind::Assertion(Bug::TwoHolders | Bug::StaleRead)
        ),
        "{failure}"
    );
    let shuttle = report
        .caught_by(Checker::ShuttleRandom)
        .expect("shuttle catches it");
    assert!(
        matches!(
            shuttle.kind,
            FailureKind::Assertion(Bug::TwoHolders | Bug::LostUpdate)
        ),
        "{shuttle}"
    );
    let lin = report
        .caught_by(Checker::Linearizability)
        .expect("its history is not linearizable");
    assert_eq!(lin.kind, FailureKind::NotLinearizable);
    assert!(
        report.to_string().contains("| # | T1 |"),
        "the report shows the trace"
    );
}

/// A user's bounded queue (a lock and three condition variables), correct,
/// or with one of three classic bugs.
struct Ring<B: Backend, const BUG: u8> {
    /// The items, the capacity (0: unbounded), the tasks not yet done.
    lock: synclab::Lock<(VecDeque<u32>, usize, u32), B>,
    filled: Condvar<B>,
    emptied: Condvar<B>,
    done: Condvar<B>,
}

/// No bug.
const SOUND: u8 = 0;
/// `get` takes the newest item: a stack, which looks FIFO at capacity 1.
const LIFO: u8 = 1;
/// `put` signals only when the queue stops being empty: at capacity 1
/// every put does, at capacity 2 a second put wakes nobody.
const EDGE_SIGNAL: u8 = 2;
/// `get` forgets to announce the room it makes.
const FORGETS_ROOM: u8 = 3;

impl<B: Backend, const BUG: u8> Ring<B, BUG> {
    fn push(&self, slot: &mut (VecDeque<u32>, usize, u32), item: u32) {
        slot.0.push_back(item);
        slot.2 += 1;
        if BUG != EDGE_SIGNAL || slot.0.len() == 1 {
            self.filled.notify_one();
        }
    }

    fn pop(&self, slot: &mut (VecDeque<u32>, usize, u32)) -> Option<u32> {
        let item = if BUG == LIFO {
            slot.0.pop_back()
        } else {
            slot.0.pop_front()
        };
        if item.is_some() && BUG != FORGETS_ROOM {
            self.emptied.notify_one();
        }
        item
    }
}

fn full(slot: &(VecDeque<u32>, usize, u32)) -> bool {
    slot.1 != 0 && slot.0.len() >= slot.1
}

impl<B: Backend, const BUG: u8> QueueApi for Ring<B, BUG> {
    fn new(capacity: usize) -> Self {
        Ring {
            lock: synclab::Lock::new_in((VecDeque::new(), capacity, 0)),
            filled: Condvar::new_in(),
            emptied: Condvar::new_in(),
            done: Condvar::new_in(),
        }
    }
    fn put(&self, item: u32) {
        let mut slot = self.emptied.wait_while(self.lock.lock(), |slot| full(slot));
        self.push(&mut slot, item);
    }
    fn try_put(&self, item: u32) -> bool {
        let mut slot = self.lock.lock();
        let room = !full(&slot);
        if room {
            self.push(&mut slot, item);
        }
        room
    }
    fn get(&self) -> u32 {
        let mut slot = self
            .filled
            .wait_while(self.lock.lock(), |slot| slot.0.is_empty());
        self.pop(&mut slot).expect("waited for an item")
    }
    fn try_get(&self) -> Option<u32> {
        self.pop(&mut self.lock.lock())
    }
    fn len(&self) -> usize {
        self.lock.lock().0.len()
    }
    fn task_done(&self) -> bool {
        let mut slot = self.lock.lock();
        let accepted = slot.2 > 0;
        slot.2 = slot.2.saturating_sub(1);
        if accepted && slot.2 == 0 {
            self.done.notify_all();
        }
        accepted
    }
    fn join(&self) {
        drop(self.done.wait_while(self.lock.lock(), |slot| slot.2 > 0));
    }
    fn join_for(&self, timeout: Duration) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let mut slot = self.lock.lock();
        while slot.2 > 0 {
            let left = deadline.map_or(Duration::MAX, |d| {
                d.saturating_duration_since(Instant::now())
            });
            if left.is_zero() {
                return false;
            }
            slot = self.done.wait_for(slot, left).0;
        }
        true
    }
}

struct RingOf<const BUG: u8>;
impl<const BUG: u8> QueueFamily for RingOf<BUG> {
    type Queue<B: Backend> = Ring<B, BUG>;
}

#[test]
fn a_correct_user_queue_passes() {
    let report = own::check_queue::<RingOf<SOUND>>(&Budget::patient());
    report.assert_clean();
    assert!(report.runs.iter().any(|own| own.scenario == "queue-burst"));
}

/// A LIFO queue is FIFO at capacity 1: only the kit's runs at capacity 2
/// and more see it. The model test (capacities up to 3) catches it, and the
/// capacity-2 scenario sees a consumer take its items out of order; the
/// recorded history, at capacity 1, does not.
#[test]
fn a_user_queue_that_is_wrong_only_at_capacity_two_is_caught() {
    let report = own::check_queue::<RingOf<LIFO>>(&Budget::default());
    let model = report
        .caught_by(Checker::Model)
        .expect("the model test catches it");
    assert_eq!(
        model.kind,
        FailureKind::Assertion(Bug::WrongResult),
        "{report}"
    );
    let burst = report
        .runs
        .iter()
        .filter(|own| own.scenario == "queue-burst")
        .find_map(|own| own.run.failure.as_ref());
    assert_eq!(
        burst.map(|f| f.kind),
        Some(FailureKind::Assertion(Bug::OutOfOrder)),
        "{report}"
    );
    assert!(
        report.caught_by(Checker::Linearizability).is_none(),
        "{report}"
    );
    let handoff = report
        .runs
        .iter()
        .filter(|own| own.scenario == "queue-handoff");
    assert!(
        handoff.clone().count() >= 4 && handoff.clone().all(|own| own.run.failure.is_none()),
        "capacity 1 hides it\n{report}"
    );
}

/// A put that signals only when the queue stops being empty strands a
/// second consumer once two items fit: a deadlock at capacity 2 that no
/// single thread shows.
#[test]
fn a_user_queue_that_signals_only_on_the_empty_edge_is_caught() {
    let report = own::check_queue::<RingOf<EDGE_SIGNAL>>(&Budget::default());
    let burst = report
        .runs
        .iter()
        .filter(|own| own.scenario == "queue-burst" && own.run.checker == Checker::Loom)
        .find_map(|own| own.run.failure.as_ref());
    assert_eq!(
        burst.map(|f| f.kind),
        Some(FailureKind::Deadlock),
        "{report}"
    );
    assert!(
        report.caught_by(Checker::Model).is_none(),
        "a sequential run cannot see it"
    );
}

/// The producer waits for room that nobody announces: a deadlock, and a
/// lost wakeup in the linearizability checker's eyes.
#[test]
fn a_user_queue_that_forgets_a_wakeup_is_caught() {
    let report = own::check_queue::<RingOf<FORGETS_ROOM>>(&Budget::default());
    assert_eq!(
        report.caught_by(Checker::Loom).map(|f| f.kind),
        Some(FailureKind::Deadlock),
        "{report}"
    );
    assert_eq!(
        report.caught_by(Checker::Linearizability).map(|f| f.kind),
        Some(FailureKind::NotLinearizable),
        "{report}"
    );
}

/// A user's event on one futex word, with a timed wait that tells the
/// truth, or one that says the flag is set whenever its wait ends.
struct Flag<B: Backend, const LIES: bool>(B::Futex);

impl<B: Backend, const LIES: bool> EventApi for Flag<B, LIES> {
    fn new() -> Self {
        Flag(B::Futex::new(0))
    }
    fn set(&self) {
        self.0.store(1, Ordering::Release);
        self.0.wake_all();
    }
    fn clear(&self) {
        self.0.store(0, Ordering::Relaxed);
    }
    fn is_set(&self) -> bool {
        self.0.load(Ordering::Acquire) == 1
    }
    fn wait(&self) {
        while !self.is_set() {
            self.0.wait(0, Deadline::Never);
        }
    }
    fn wait_for(&self, timeout: Duration) -> bool {
        let deadline = Deadline::after(timeout);
        while !self.is_set() {
            if !self.0.wait(0, deadline) {
                return LIES || self.is_set();
            }
        }
        true
    }
}

struct FlagOf<const LIES: bool>;
impl<const LIES: bool> EventFamily for FlagOf<LIES> {
    type Event<B: Backend> = Flag<B, LIES>;
}

#[test]
fn a_correct_user_event_passes() {
    own::check_event::<FlagOf<false>>(&Budget::patient()).assert_clean();
}

/// The kit exercises the timed wait: its model test sees `wait_for` report
/// a flag that was never set.
#[test]
fn a_user_event_whose_timed_wait_lies_is_caught() {
    let report = own::check_event::<FlagOf<true>>(&Budget::default());
    let failure = report.assert_caught(FailureKind::Assertion(Bug::WrongResult));
    assert!(failure.message.contains("WaitFor"), "{failure}");
}

/// The assertion helpers panic with the whole report: each checker's
/// verdict and the failing interleaving.
#[test]
fn the_assertion_helpers_panic_with_the_report() {
    let caught = own::check_lock::<RacyTicket>(&Budget::default());
    let clean = std::panic::catch_unwind(|| caught.assert_clean()).unwrap_err();
    let message = clean.downcast_ref::<String>().unwrap();
    assert!(message.starts_with("expected a clean report"), "{message}");
    assert!(
        message.contains("- lock-exclusion · loom: caught") && message.contains("| # | T1 |"),
        "{message}"
    );
    assert!(!message.contains("your code panicked"), "{message}");
    let correct = own::check_lock::<Ticket>(&Budget::patient());
    let missing = std::panic::catch_unwind(|| {
        correct.assert_caught(FailureKind::Deadlock);
    })
    .unwrap_err();
    let message = missing.downcast_ref::<String>().unwrap();
    assert!(
        message.starts_with("expected deadlock to be caught"),
        "{message}"
    );
    assert!(
        message.contains("- lock-exclusion · loom: nothing found"),
        "{message}"
    );
}

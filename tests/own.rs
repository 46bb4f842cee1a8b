//! Check your own primitive: user types the lab has never seen, written over
//! the backend, one correct and one with a classic bug per kind.

use synclab::backend::{AtomicU32Ops, Backend, Futex, Ordering};
use synclab::condition::Condvar;
use synclab::kinds::{LockApi, LockFamily, QueueApi, QueueFamily};
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
            self.serving
                .wait(serving, synclab::backend::Deadline::Never);
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

/// A one-slot queue (a lock and three condition variables), correct, or
/// forgetting to announce the room a `get` makes.
struct Slot<B: Backend, const FORGETS: bool> {
    /// The item, and the tasks not yet marked done.
    lock: synclab::Lock<(Option<u32>, u32), B>,
    filled: Condvar<B>,
    emptied: Condvar<B>,
    done: Condvar<B>,
}

impl<B: Backend, const FORGETS: bool> Slot<B, FORGETS> {
    fn took(&self) {
        if !FORGETS {
            self.emptied.notify_one();
        }
    }
}

impl<B: Backend, const FORGETS: bool> QueueApi for Slot<B, FORGETS> {
    fn new(_capacity: usize) -> Self {
        Slot {
            lock: synclab::Lock::new_in((None, 0)),
            filled: Condvar::new_in(),
            emptied: Condvar::new_in(),
            done: Condvar::new_in(),
        }
    }
    fn put(&self, item: u32) {
        let mut slot = self
            .emptied
            .wait_while(self.lock.lock(), |slot| slot.0.is_some());
        *slot = (Some(item), slot.1 + 1);
        self.filled.notify_one();
    }
    fn try_put(&self, item: u32) -> bool {
        let mut slot = self.lock.lock();
        let free = slot.0.is_none();
        if free {
            *slot = (Some(item), slot.1 + 1);
            self.filled.notify_one();
        }
        free
    }
    fn get(&self) -> u32 {
        let mut slot = self
            .filled
            .wait_while(self.lock.lock(), |slot| slot.0.is_none());
        let item = slot.0.take().expect("waited for an item");
        self.took();
        item
    }
    fn try_get(&self) -> Option<u32> {
        let item = self.lock.lock().0.take();
        if item.is_some() {
            self.took();
        }
        item
    }
    fn len(&self) -> usize {
        usize::from(self.lock.lock().0.is_some())
    }
    fn task_done(&self) -> bool {
        let mut slot = self.lock.lock();
        let accepted = slot.1 > 0;
        slot.1 = slot.1.saturating_sub(1);
        if accepted && slot.1 == 0 {
            self.done.notify_all();
        }
        accepted
    }
    fn join(&self) {
        drop(self.done.wait_while(self.lock.lock(), |slot| slot.1 > 0));
    }
    fn join_for(&self, timeout: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now().checked_add(timeout);
        let mut slot = self.lock.lock();
        while slot.1 > 0 {
            let left = deadline.map_or(std::time::Duration::MAX, |d| {
                d.saturating_duration_since(std::time::Instant::now())
            });
            if left.is_zero() {
                return false;
            }
            slot = self.done.wait_for(slot, left).0;
        }
        true
    }
}

struct GoodSlot;
impl QueueFamily for GoodSlot {
    type Queue<B: Backend> = Slot<B, false>;
}

struct ForgetfulSlot;
impl QueueFamily for ForgetfulSlot {
    type Queue<B: Backend> = Slot<B, true>;
}

#[test]
fn a_correct_user_queue_passes() {
    let report = own::check_queue::<GoodSlot>(&Budget::patient());
    report.assert_clean();
}

/// The producer waits for room that nobody announces: a deadlock, and a
/// lost wakeup in the linearizability checker's eyes.
#[test]
fn a_user_queue_that_forgets_a_wakeup_is_caught() {
    let report = own::check_queue::<ForgetfulSlot>(&Budget::default());
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

/// The assertion helpers panic with the whole report: each checker's
/// verdict and the failing interleaving.
#[test]
fn the_assertion_helpers_panic_with_the_report() {
    let caught = own::check_lock::<RacyTicket>(&Budget::default());
    let clean = std::panic::catch_unwind(|| caught.assert_clean()).unwrap_err();
    let message = clean.downcast_ref::<String>().unwrap();
    assert!(message.starts_with("expected a clean report"), "{message}");
    assert!(
        message.contains("- loom: caught") && message.contains("| # | T1 |"),
        "{message}"
    );
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
    assert!(message.contains("- loom: nothing found"), "{message}");
}

//! Which threads of a real-thread round are blocked: how the stress
//! watchdog tells a hung round (every thread blocked, nothing changing) from
//! a slow one, without waiting out its whole timeout.
//!
//! The round's thread counts itself [running](counted); the real world's
//! `spawn` counts each thread it starts ([`inherit`]) until the thread ends;
//! and the real world's blocking points — a futex wait, a join — count the
//! thread as [blocked](blocked) while they block. Every change bumps a
//! counter, so a watcher that sees every thread blocked at both ends of a
//! window, with no change in between, has seen a deadlock: nobody was left
//! to wake anybody.
//!
//! Outside a counted round (benchmarks, a user's program) nothing is
//! counted and the cost is one thread-local read per blocking call.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The threads of one round. All counters are SeqCst: the watcher compares
/// them with each other.
#[derive(Debug, Default)]
pub(crate) struct Census {
    running: AtomicUsize,
    blocked: AtomicUsize,
    changes: AtomicUsize,
}

/// What a watcher reads of a [`Census`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Snapshot {
    /// Whether every thread of the round is blocked (and one exists).
    pub(crate) all_blocked: bool,
    /// How many changes the census has seen so far.
    pub(crate) changes: usize,
}

impl Census {
    fn add(counter: &AtomicUsize, census: &Census) {
        counter.fetch_add(1, Ordering::SeqCst);
        census.changes.fetch_add(1, Ordering::SeqCst);
    }

    fn remove(counter: &AtomicUsize, census: &Census) {
        counter.fetch_sub(1, Ordering::SeqCst);
        census.changes.fetch_add(1, Ordering::SeqCst);
    }

    /// The census now. `changes` is read first: a change that lands while
    /// the counts are read shows as a changed count next time.
    pub(crate) fn snapshot(&self) -> Snapshot {
        let changes = self.changes.load(Ordering::SeqCst);
        let running = self.running.load(Ordering::SeqCst);
        let blocked = self.blocked.load(Ordering::SeqCst);
        Snapshot {
            all_blocked: running > 0 && blocked >= running,
            changes,
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Census>>> = const { RefCell::new(None) };
}

/// Counts this thread as running in `census` while `f` runs.
pub(crate) fn counted<R>(census: &Arc<Census>, f: impl FnOnce() -> R) -> R {
    Census::add(&census.running, census);
    let _member = Member::join(Arc::clone(census));
    f()
}

/// Wraps the body of a thread being spawned so that it counts in the
/// spawner's census, if any: counted from now (so that no moment exists in
/// which it lives uncounted) until its body returns or unwinds.
pub(crate) fn inherit<T>(f: impl FnOnce() -> T) -> impl FnOnce() -> T {
    let census = CURRENT.with(|current| current.borrow().clone());
    if let Some(census) = &census {
        Census::add(&census.running, census);
    }
    move || {
        let _member = census.map(Member::join);
        f()
    }
}

/// Counts this thread as blocked while `f` blocks, if it is in a census.
pub(crate) fn blocked<R>(f: impl FnOnce() -> R) -> R {
    let census = CURRENT.with(|current| current.borrow().clone());
    let Some(census) = census else {
        return f();
    };
    Census::add(&census.blocked, &census);
    let _unblock = Unblock(census);
    f()
}

/// A thread's membership of a census: it leaves the running count on drop.
struct Member(Arc<Census>);

impl Member {
    fn join(census: Arc<Census>) -> Member {
        CURRENT.with(|current| *current.borrow_mut() = Some(Arc::clone(&census)));
        Member(census)
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        CURRENT.with(|current| current.borrow_mut().take());
        Census::remove(&self.0.running, &self.0);
    }
}

struct Unblock(Arc<Census>);

impl Drop for Unblock {
    fn drop(&mut self) {
        Census::remove(&self.0.blocked, &self.0);
    }
}

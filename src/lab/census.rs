//! Which threads of a real-thread round are blocked: how the stress
//! watchdog tells a hung round (every thread blocked, nothing changing) from
//! a slow one, without waiting out its whole timeout.
//!
//! The round's thread counts itself [running](counted); the real world's
//! `spawn` counts each thread it starts ([`inherit`]) until the thread's
//! body ends; and its blocking points count a thread as blocked exactly
//! while nobody has yet released it:
//!
//! - an untimed futex park counts from the moment the thread is queued (not
//!   before: a park that finds the word changed never blocks), and the
//!   thread that wakes it takes it off the count at the wake, not when the
//!   woken thread next gets the processor: a woken thread is never counted
//!   blocked while it waits to run;
//! - a join counts until the joined thread's body ends, which takes it off.
//!
//! A timed park is never counted (time ends it), nor a sleep. Every change
//! bumps a counter, so a watcher that sees every thread blocked at both ends
//! of a window, with no change in between, has seen a deadlock: nobody was
//! left to wake anybody. A thread the round starts without the backend's
//! `spawn` is invisible to the census; the lab's scenarios start every
//! thread through it.
//!
//! Outside a counted round (benchmarks, a user's program) nothing is
//! counted, and the cost is one thread-local read per blocking call.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

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
    fn count(&self, counter: &AtomicUsize, up: bool, by: usize) {
        if by == 0 {
            return;
        }
        if up {
            counter.fetch_add(by, Ordering::SeqCst);
        } else {
            counter.fetch_sub(by, Ordering::SeqCst);
        }
        self.changes.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts one more thread blocked.
    pub(crate) fn block(&self) {
        self.count(&self.blocked, true, 1);
    }

    /// Counts `threads` fewer threads blocked.
    pub(crate) fn unblock(&self, threads: usize) {
        self.count(&self.blocked, false, threads);
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

    /// A token that names this census while it lives (its address): what a
    /// parked thread leaves for its waker, and a waker for the woken.
    pub(crate) fn token(self: &Arc<Self>) -> usize {
        Arc::as_ptr(self) as usize
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Census>>> = const { RefCell::new(None) };
}

/// The census this thread counts in, if any.
pub(crate) fn current() -> Option<Arc<Census>> {
    CURRENT.with(|current| current.borrow().clone())
}

/// Counts this thread as running in `census` while `f` runs.
pub(crate) fn counted<R>(census: &Arc<Census>, f: impl FnOnce() -> R) -> R {
    census.count(&census.running, true, 1);
    let _member = Member::join(Arc::clone(census), None);
    f()
}

/// How a spawned thread's end releases the thread that joins it.
#[derive(Debug, Default)]
pub(crate) struct Exit {
    /// `NOBODY`, `WAITING` or `ENDED`.
    state: AtomicU8,
    /// The census of the thread that joins, once it does.
    joiner: OnceLock<Arc<Census>>,
}

/// Nobody joins yet, and the thread's body runs.
const NOBODY: u8 = 0;
/// A joiner waits, counted blocked; the body's end takes it off the count.
const WAITING: u8 = 1;
/// The body has ended: a joiner is not blocked by it.
const ENDED: u8 = 2;

/// Wraps the body of a thread being spawned so that it counts in the
/// spawner's census, if any: counted from now (so that no moment exists in
/// which it lives uncounted) until its body returns or unwinds. The [`Exit`]
/// goes with the thread's join handle, to [`join`].
pub(crate) fn inherit<T>(f: impl FnOnce() -> T) -> (impl FnOnce() -> T, Option<Arc<Exit>>) {
    let census = current();
    let exit = census.as_ref().map(|census| {
        census.count(&census.running, true, 1);
        Arc::new(Exit::default())
    });
    let member_exit = exit.clone();
    let body = move || {
        let _member = census.map(|census| Member::join(census, member_exit));
        f()
    };
    (body, exit)
}

/// Joins a thread through `join`, counting this thread blocked until the
/// joined thread's body ends (if both are counted).
pub(crate) fn join<R>(exit: Option<&Arc<Exit>>, join: impl FnOnce() -> R) -> R {
    if let (Some(exit), Some(census)) = (exit, current()) {
        let census = exit.joiner.get_or_init(|| census);
        census.block();
        if exit
            .state
            .compare_exchange(NOBODY, WAITING, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            // The body has ended already: nothing blocks us.
            census.unblock(1);
        }
    }
    join()
}

/// A thread's membership of a census: it leaves the running count (and
/// releases a waiting joiner) on drop.
struct Member {
    census: Arc<Census>,
    exit: Option<Arc<Exit>>,
}

impl Member {
    fn join(census: Arc<Census>, exit: Option<Arc<Exit>>) -> Member {
        CURRENT.with(|current| *current.borrow_mut() = Some(Arc::clone(&census)));
        Member { census, exit }
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        CURRENT.with(|current| current.borrow_mut().take());
        self.census.count(&self.census.running, false, 1);
        if let Some(exit) = &self.exit
            && exit.state.swap(ENDED, Ordering::SeqCst) == WAITING
            && let Some(joiner) = exit.joiner.get()
        {
            joiner.unblock(1);
        }
    }
}

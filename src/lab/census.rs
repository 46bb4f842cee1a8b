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
//!
//! **Abandoned rounds leave nothing running.** When the watchdog gives up
//! on a round ([`Census::abandon`]), its threads must not keep a core busy
//! for the rest of the process (every later stress timing and benchmark
//! would be measured on one core fewer). So each counted thread unwinds,
//! silently, at its next call of the real world's `yield_now` or
//! `spin_loop` ([`leave_if_abandoned`]); and since a spin that never calls
//! into the backend cannot be reached that way, every thread of the round
//! is also demoted to `SCHED_IDLE` on Linux, where it runs only on a
//! processor nobody else wants. A thread blocked for good costs no
//! processor time and stays blocked.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// The threads of one round. All counters are SeqCst: the watcher compares
/// them with each other.
#[derive(Debug, Default)]
pub(crate) struct Census {
    running: AtomicUsize,
    blocked: AtomicUsize,
    changes: AtomicUsize,
    /// The watchdog gave up on the round.
    abandoned: AtomicBool,
    /// The OS ids of the round's threads whose bodies still run (Linux).
    threads: Mutex<Vec<i32>>,
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

    /// Gives up on the round: its threads unwind at their next yield or
    /// spin, and each is demoted to `SCHED_IDLE` (Linux) meanwhile.
    pub(crate) fn abandon(&self) {
        self.abandoned.store(true, Ordering::SeqCst);
        // Held while demoting: a thread leaving removes its id first, so no
        // id here can have been reused by another thread.
        let threads = self.threads.lock().unwrap_or_else(PoisonError::into_inner);
        threads.iter().for_each(|&thread| os::demote(thread));
    }

    /// Whether the watchdog gave up on the round.
    pub(crate) fn is_abandoned(&self) -> bool {
        self.abandoned.load(Ordering::SeqCst)
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

/// The payload a thread of an abandoned round unwinds with.
#[derive(Debug)]
pub(crate) struct Abandoned;

/// Unwinds this thread, without a panic report, if it counts in a round the
/// watchdog has abandoned. The real world calls it at every `yield_now` and
/// `spin_loop`; outside a round it is one thread-local read.
#[inline]
pub(crate) fn leave_if_abandoned() {
    let abandoned = CURRENT.with(|current| {
        current
            .try_borrow()
            .is_ok_and(|current| current.as_ref().is_some_and(|c| c.is_abandoned()))
    });
    if abandoned {
        std::panic::resume_unwind(Box::new(Abandoned));
    }
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
        let mut threads = census
            .threads
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        threads.push(os::thread_id());
        if census.is_abandoned() {
            // Started by a thread of a round given up on while it spawned.
            os::demote(os::thread_id());
        }
        drop(threads);
        Member { census, exit }
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        CURRENT.with(|current| current.borrow_mut().take());
        let mut threads = self
            .census
            .threads
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let me = os::thread_id();
        threads.retain(|&thread| thread != me);
        drop(threads);
        self.census.count(&self.census.running, false, 1);
        if let Some(exit) = &self.exit
            && exit.state.swap(ENDED, Ordering::SeqCst) == WAITING
            && let Some(joiner) = exit.joiner.get()
        {
            joiner.unblock(1);
        }
    }
}

/// The operating system's side: thread ids, and the demotion of a thread to
/// idle priority.
#[cfg(target_os = "linux")]
mod os {
    /// The calling thread's id.
    pub(super) fn thread_id() -> i32 {
        // SAFETY: gettid has no preconditions and cannot fail.
        unsafe { libc::gettid() }
    }

    /// Runs `thread` only when a processor is otherwise idle. Best effort:
    /// a thread that has exited meanwhile is not there to demote.
    pub(super) fn demote(thread: i32) {
        let idle = libc::sched_param { sched_priority: 0 };
        // SAFETY: `idle` is a valid sched_param for SCHED_IDLE, and the call
        // only reads it; an id of a thread that is gone fails harmlessly.
        unsafe {
            libc::sched_setscheduler(thread, libc::SCHED_IDLE, &idle);
        }
    }
}

/// Elsewhere, threads are not demoted: an abandoned spin with no call into
/// the backend keeps its processor.
#[cfg(not(target_os = "linux"))]
mod os {
    pub(super) fn thread_id() -> i32 {
        0
    }

    pub(super) fn demote(_thread: i32) {}
}

//! The model worlds' kernel: a virtual clock and spurious wakeups, which
//! neither loom (loom#1) nor shuttle (shuttle#74) models by itself.
//!
//! Go's `testing/synctest` is the model. Inside a loom or shuttle execution
//! the lab's checkers arm the kernel, with a [`Modelling`] (set in the
//! [`Budget`](super::Budget)); then
//!
//! - **time is virtual**: it starts at 0 in every execution, and
//!   [`Backend::now`](crate::backend::Backend::now) and every deadline a
//!   primitive makes read it. It advances only when a timeout fires, to
//!   that timeout's deadline;
//! - **a timed futex wait can time out**: while a thread sleeps with a
//!   deadline, the kernel thread is runnable, and when it runs it fires the
//!   earliest pending deadline. So a timeout firing while other threads
//!   could still run is one more scheduling choice: loom explores it within
//!   its preemption bound, shuttle's schedulers pick it like any other step.
//!   When every other thread is blocked, the kernel thread is the only one
//!   that can run, so the earliest deadline fires instead of a deadlock
//!   being reported (synctest's rule);
//! - **a futex wait can return spuriously**, as real futexes and condvars
//!   may: while no timed wait is pending and some thread could still run,
//!   the kernel thread, when it runs, wakes the longest sleeper without a
//!   wake, at most [`Modelling::spurious_wakeups`] times per execution. When
//!   every thread is blocked it wakes nobody spuriously, so a deadlock is
//!   reported as the deadlock it is.
//!
//! The kernel thread is one more model thread (one of loom's 4), started
//! where it may be needed: at the scenario's first spawn where spurious
//! wakeups are modelled (so that it is loom's first spawned thread, the one
//! loom tries first wherever a thread falls asleep while the main thread is
//! blocked), or at the first timed sleep where only time is (so that a
//! scenario without one pays nothing for it). Its reads of a count of the
//! execution's futex wakes (one per thread, Relaxed) make loom try its step
//! before each futex wake of the other threads. It ends when the scenario
//! returns. Its wakes carry happens-before, as a futex wake does. Real
//! threads ([`Std`](crate::backend::Std)) are untouched, and so is an
//! execution the checker did not arm.
//!
//! The kernel's bookkeeping is plain thread-local data: loom and shuttle run
//! every thread of an execution on one OS thread and switch only inside
//! their own operations, so no model operation happens while it is
//! borrowed.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// What the lab adds to loom's and shuttle's model of the world, set per
/// checker run (from [`Budget`](super::Budget)).
///
/// ```
/// use synclab::lab::kernel::Modelling;
///
/// assert!(Modelling::default().time);
/// assert_eq!(Modelling::default().spurious_wakeups, 1);
/// assert!(!Modelling::OFF.time);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Modelling {
    /// Whether deadlines fire in virtual time. Off, a non-zero timeout
    /// never fires under loom or shuttle (their own behaviour).
    pub time: bool,
    /// How many futex waits of one execution may return spuriously.
    pub spurious_wakeups: u32,
}

impl Modelling {
    /// Neither time nor spurious wakeups: loom's and shuttle's own world.
    pub const OFF: Modelling = Modelling {
        time: false,
        spurious_wakeups: 0,
    };

    /// The default: virtual time, and at most one spurious wakeup per
    /// execution.
    pub const DEFAULT: Modelling = Modelling {
        time: true,
        spurious_wakeups: 1,
    };

    /// Everything the kernel adds, as often as asked: [`within`](Self::within)
    /// a budget's modelling, that budget's.
    pub const ALL: Modelling = Modelling {
        time: true,
        spurious_wakeups: u32::MAX,
    };

    /// Virtual time without spurious wakeups.
    pub const TIME_ONLY: Modelling = Modelling {
        time: true,
        spurious_wakeups: 0,
    };

    /// The command-line flags that set this modelling (nothing for the
    /// default), as a replay command repeats them.
    ///
    /// ```
    /// use synclab::lab::kernel::Modelling;
    ///
    /// assert_eq!(Modelling::DEFAULT.flags(), "");
    /// assert_eq!(Modelling::OFF.flags(), " --no-virtual-time --spurious-wakeups 0");
    /// ```
    pub fn flags(self) -> String {
        let mut flags = String::new();
        if !self.time {
            flags.push_str(" --no-virtual-time");
        }
        if self.spurious_wakeups != Modelling::DEFAULT.spurious_wakeups {
            flags.push_str(&format!(" --spurious-wakeups {}", self.spurious_wakeups));
        }
        flags
    }

    /// What both allow: time if both model it, the fewer spurious wakeups.
    ///
    /// ```
    /// use synclab::lab::kernel::Modelling;
    ///
    /// assert_eq!(Modelling::DEFAULT.within(Modelling::TIME_ONLY), Modelling::TIME_ONLY);
    /// assert_eq!(Modelling::TIME_ONLY.within(Modelling::OFF), Modelling::OFF);
    /// ```
    pub const fn within(self, other: Modelling) -> Modelling {
        Modelling {
            time: self.time && other.time,
            spurious_wakeups: if self.spurious_wakeups < other.spurious_wakeups {
                self.spurious_wakeups
            } else {
                other.spurious_wakeups
            },
        }
    }

    /// Whether the kernel has anything to do.
    fn is_off(self) -> bool {
        self == Modelling::OFF
    }
}

impl Default for Modelling {
    /// [`Modelling::DEFAULT`].
    fn default() -> Self {
        Modelling::DEFAULT
    }
}

/// How a futex sleep ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// A wake was sent to it.
    Woken,
    /// Its deadline fired.
    TimedOut,
    /// The kernel woke it without a wake.
    Spurious,
}

/// A futex's wait queue, as the kernel thread reaches it: ends one sleep.
pub(crate) trait Sleeps {
    /// Ends the sleep of `ticket` as `end`, if it still sleeps; the
    /// implementation takes the futex's lock, so this is a model operation.
    fn end(&self, ticket: u64, end: End);
}

/// What the kernel needs of a model checker's world: its threads, and an
/// atomic for the [`Activity`]. The lab's checkers pass [`LOOM`] or
/// [`SHUTTLE`].
pub(crate) struct World {
    /// Spawns the kernel thread, which runs the given loop; returns how
    /// the checker's reports name it, and what unparks it.
    spawn: fn(fn()) -> KernelThread,
    park: fn(),
    yield_now: fn(),
    /// Makes the execution's [`Activity`].
    activity: fn() -> Activity,
}

/// The kernel thread, as the checker's reports name it, and what unparks
/// it.
type KernelThread = (String, Rc<dyn Fn()>);

/// Defines the [`World`] of a model checker crate that mirrors std's API.
macro_rules! world {
    ($name:ident, $krate:ident, dpor = $dpor:expr) => {
        #[doc = concat!("The kernel's [`World`] under ", stringify!($krate), ".")]
        pub(crate) const $name: World = {
            fn spawn(body: fn()) -> KernelThread {
                let handle = $krate::thread::Builder::new()
                    .name(THREAD_NAME.to_owned())
                    .spawn(body)
                    .expect("a model spawns its threads without fail");
                // Not joined: the checker runs it to its end anyway, and a
                // join would be one more point where loom tries both orders
                // of two steps that do not matter (its end, and the join).
                let thread = handle.thread().clone();
                // loom's deadlock report names a thread `Id(n)`.
                let label = format!("{:?}", thread.id()).replace("ThreadId", "Id");
                (label, Rc::new(move || thread.unpark()))
            }
            fn activity() -> Activity {
                if !$dpor {
                    // Steps the scheduler would count, to no end.
                    return Activity {
                        touch: Rc::new(|_| {}),
                        look: Rc::new(|_| {}),
                    };
                }
                // Kept for the execution (see `Execution::activity`).
                let counts: Arc<[_]> = (0..ACTIVITY_COUNTS)
                    .map(|_| $krate::sync::atomic::AtomicUsize::new(0))
                    .collect();
                let seen = Arc::clone(&counts);
                Activity {
                    // Relaxed: counted and read only so that loom sees the
                    // accesses conflict; they order nothing.
                    touch: Rc::new(move |thread| {
                        counts[thread % ACTIVITY_COUNTS]
                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }),
                    look: Rc::new(move |threads| {
                        for count in seen.iter().take(threads) {
                            count.load(std::sync::atomic::Ordering::Relaxed);
                        }
                    }),
                }
            }
            World {
                spawn,
                park: $krate::thread::park,
                yield_now: $krate::thread::yield_now,
                activity,
            }
        };
    };
}

// Only loom interleaves by conflicts (DPOR); shuttle's schedulers pick
// any runnable thread at every step, the kernel's too.
world!(LOOM, loom, dpor = true);
world!(SHUTTLE, shuttle, dpor = false);

/// The kernel thread's name (shuttle's deadlock report shows it).
const THREAD_NAME: &str = "synclab-kernel";

/// The execution's counts of futex wakes, model atomics, one per thread:
/// every wake adds to its thread's ([`touch`]), and the kernel thread reads
/// them each time it runs, Relaxed, which orders nothing. loom interleaves
/// two threads only where their accesses conflict: this is what makes it
/// try the kernel's step before each wake and each timed sleep of the
/// other threads, which is where a timeout or a spurious wakeup makes a
/// difference (an untimed sleep makes the kernel runnable itself). One
/// count per thread, so that the threads' own touches do not conflict with
/// each other. The main thread makes them at the execution's start, before
/// any other thread exists, so that every access is ordered after their
/// making. Counting untimed sleeps too explored about twice as many
/// executions (the queue's correct scenario: 54,379 against 22,450) and
/// caught nothing more in the catalogue. The kernel's other inputs (which
/// threads are blocked, which have ended) are not visible to loom: it may
/// leave out an order of those that would change what the kernel does.
pub(crate) struct Activity {
    /// Counts a wake of the given thread.
    touch: Rc<dyn Fn(usize)>,
    /// Reads the counts of the first so many threads.
    look: Rc<dyn Fn(usize)>,
}

/// How many counts an [`Activity`] has: loom's most threads; under shuttle,
/// which does not care, threads beyond share.
const ACTIVITY_COUNTS: usize = 5;

/// A sleeper the kernel thread may end.
struct Pending {
    ticket: u64,
    /// Its deadline in virtual time; `None` for an untimed sleep, which only
    /// a spurious wakeup can end.
    deadline: Option<Duration>,
    queue: Arc<dyn Sleeps>,
}

/// A thread of the execution, as far as blocking goes.
#[derive(Default)]
struct Thread {
    ended: bool,
    /// Someone is blocked joining it.
    joined: bool,
}

/// One execution's kernel.
struct Execution {
    world: &'static World,
    modelling: Modelling,
    /// Virtual time since the execution began.
    clock: Duration,
    spurious_left: u32,
    pending: Vec<Pending>,
    /// The counts of wakes. Never dropped, as nothing of the execution's
    /// kernel is (see [`forget_execution`]).
    activity: Activity,
    /// Threads the scenario spawned.
    threads: Vec<Thread>,
    /// The scenario's threads as the world names them, in order of their
    /// first futex wake: their [`Activity`] counts.
    labels: Vec<String>,
    /// The scenario's threads that run or could: its first thread and the
    /// ones it spawned that have not ended.
    alive: usize,
    /// Of those, the ones sleeping on a futex or joining a live thread.
    blocked: usize,
    /// How the checker's reports name the kernel thread, and what unparks
    /// it, once started.
    kernel: Option<KernelThread>,
    /// Whether the kernel thread has been started (or is being).
    started: bool,
    /// Whether the kernel thread is parked. Only then may it be unparked:
    /// a model `unpark` makes a thread runnable even where it is blocked on
    /// a mutex (loom's does), which breaks that mutex.
    parked: bool,
    /// The scenario has returned: the kernel thread ends.
    done: bool,
}

impl Execution {
    /// What the kernel thread does next (see the module docs).
    fn next(&self) -> Next {
        if self.done {
            return Next::Exit;
        }
        let earliest = self
            .pending
            .iter()
            .filter_map(|p| Some((p.deadline?, p)))
            .min_by_key(|(deadline, _)| *deadline);
        if let Some((_, pending)) = earliest {
            return Next::End(Arc::clone(&pending.queue), pending.ticket, End::TimedOut);
        }
        let some_can_run = self.blocked < self.alive;
        match self.pending.first() {
            Some(pending) if self.spurious_left > 0 && some_can_run => {
                Next::End(Arc::clone(&pending.queue), pending.ticket, End::Spurious)
            }
            _ => Next::Park,
        }
    }
}

/// What the kernel thread does next.
enum Next {
    /// Ends a sleep.
    End(Arc<dyn Sleeps>, u64, End),
    /// Nothing to do until a thread sleeps.
    Park,
    /// The execution is over.
    Exit,
}

thread_local! {
    static MODELLING: Cell<Modelling> = const { Cell::new(Modelling::OFF) };
    static EXECUTION: RefCell<Option<Execution>> = const { RefCell::new(None) };
    static TICKETS: Cell<u64> = const { Cell::new(0) };
}

/// The instant virtual time counts from: any fixed instant does, as long
/// as every deadline of a process is made from the same one.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Runs `run` (a checker's run, of many executions) with `modelling` armed
/// on this thread.
pub(crate) fn modelled<R>(modelling: Modelling, run: impl FnOnce() -> R) -> R {
    struct Restore(Modelling);
    impl Drop for Restore {
        fn drop(&mut self) {
            MODELLING.with(|m| m.set(self.0));
            forget_execution();
        }
    }
    let _restore = Restore(MODELLING.with(|m| m.replace(modelling)));
    run()
}

/// Forgets a failed execution's kernel, left behind when its scenario
/// unwound: its model objects belong to a model that is over, and dropping
/// them could touch it (see the DESIGN's note on loom issues 52 and 291).
/// A few bytes per failed execution.
fn forget_execution() {
    EXECUTION.with(|e| std::mem::forget(e.borrow_mut().take()));
}

/// Runs one execution's `work` (the scenario) in `world`, under a fresh
/// kernel if the checker armed one (see [`modelled`]), and ends the kernel
/// thread when it returns.
pub(crate) fn execution<R>(world: &'static World, work: impl FnOnce() -> R) -> R {
    let modelling = MODELLING.with(Cell::get);
    if modelling.is_off() {
        return work();
    }
    forget_execution();
    let activity = (world.activity)();
    EXECUTION.with(|e| {
        *e.borrow_mut() = Some(Execution {
            world,
            modelling,
            clock: Duration::ZERO,
            spurious_left: modelling.spurious_wakeups,
            pending: Vec::new(),
            activity,
            threads: Vec::new(),
            labels: Vec::new(),
            alive: 1,
            blocked: 0,
            kernel: None,
            started: false,
            parked: false,
            done: false,
        })
    });
    let result = work();
    with(|e| e.done = true);
    wake_kernel();
    // Dropped here, inside the model: forgetting it instead (as a failed
    // execution's is) leaks on every execution, which costs a fuzz target
    // under LeakSanitizer a scan per input. The kernel thread, woken
    // above, finds no execution and ends.
    let finished = EXECUTION.with(|e| e.borrow_mut().take());
    drop(finished);
    result
}

/// The kernel thread's loop: end the sleeps [`Execution::next`] picks, one
/// at a time, until the execution is over.
fn kernel_loop() {
    loop {
        look();
        let Some((next, world)) = with(|e| {
            let next = e.next();
            e.parked = matches!(next, Next::Park);
            (next, e.world)
        }) else {
            return;
        };
        match next {
            Next::Exit => return,
            Next::Park => (world.park)(),
            Next::End(queue, ticket, end) => {
                queue.end(ticket, end);
                // One act at a time: what the kernel does next, and when,
                // is the scheduler's choice.
                (world.yield_now)();
            }
        }
    }
}

/// Starts the kernel thread, unless it has been started. Noted started
/// before the spawn: a spawn is a scheduling point (shuttle switches
/// threads inside it), where another thread may come here too.
fn ensure_started() {
    let start = with(|e| (!std::mem::replace(&mut e.started, true)).then_some(e.world));
    if let Some(world) = start.flatten() {
        // A model operation: called without the borrow.
        let kernel = (world.spawn)(kernel_loop);
        with(|e| e.kernel = Some(kernel));
    }
}

/// Makes the kernel thread runnable if it is parked (a model operation).
fn wake_kernel() {
    let unpark = with(|e| {
        let kernel = e.kernel.as_ref().filter(|_| e.parked)?;
        e.parked = false;
        Some(Rc::clone(&kernel.1))
    })
    .flatten();
    if let Some(unpark) = unpark {
        unpark();
    }
}

/// Runs `f` on the current execution's kernel, if one is armed.
///
/// Panics on re-entry: no model operation runs inside `f`, so a clash is a
/// defect of the kernel, never a schedule's.
fn with<R>(f: impl FnOnce(&mut Execution) -> R) -> Option<R> {
    EXECUTION.with(|e| e.borrow_mut().as_mut().map(f))
}

/// Virtual now, as an instant (the epoch outside an armed execution).
pub(crate) fn now() -> Instant {
    epoch() + with(|e| e.clock).unwrap_or_default()
}

/// Whether `at` has passed in virtual time; never, unless time is modelled.
pub(crate) fn passed(at: Instant) -> bool {
    with(|e| e.modelling.time && at <= epoch() + e.clock).unwrap_or(false)
}

/// A fresh ticket for a futex sleep.
pub(crate) fn ticket() -> u64 {
    TICKETS.with(|t| {
        t.set(t.get() + 1);
        t.get()
    })
}

/// Notes that `ticket` goes to sleep on `queue`, until `deadline` if it has
/// one (an instant from [`now`]), and makes the kernel thread runnable if
/// it may end this sleep; a timed sleep is counted in the [`Activity`], as a
/// wake is. Call it holding the futex's lock, just before sleeping.
pub(crate) fn sleeps(
    ticket: u64,
    deadline: Option<Instant>,
    queue: Arc<dyn Sleeps>,
    thread: impl FnOnce() -> String,
) {
    let timed = deadline.is_some();
    let endable = with(|e| {
        e.blocked += 1;
        let deadline = deadline
            .filter(|_| e.modelling.time)
            .map(|at| at.saturating_duration_since(epoch()));
        let endable = deadline.is_some() || e.spurious_left > 0;
        if endable {
            e.pending.push(Pending {
                ticket,
                deadline,
                queue,
            });
        }
        endable
    });
    if endable == Some(true) {
        ensure_started();
        if timed {
            touch(thread);
        }
        wake_kernel();
    }
}

/// Notes that `ticket`'s sleep ended as `end` (its futex's lock held): it
/// is runnable again; a timeout moves the clock to its deadline, a
/// spurious wakeup spends one of the execution's.
pub(crate) fn ended(ticket: u64, end: End) {
    with(|e| {
        e.blocked -= 1;
        if let Some(at) = e.pending.iter().position(|p| p.ticket == ticket) {
            let pending = e.pending.remove(at);
            match end {
                End::TimedOut => e.clock = e.clock.max(pending.deadline.unwrap_or_default()),
                End::Spurious => {
                    e.spurious_left -= 1;
                    if e.spurious_left == 0 {
                        // Nothing can end an untimed sleep now but a wake.
                        e.pending.retain(|p| p.deadline.is_some());
                    }
                }
                End::Woken => {}
            }
        }
    });
}

/// Counts a futex wake of the thread `thread` names in the execution's
/// [`Activity`], where the kernel thread looks; only while the
/// kernel has a sleep it may end (otherwise it stays parked, and the count
/// would only give loom more places to preempt).
pub(crate) fn touch(thread: impl FnOnce() -> String) {
    let touch = with(|e| {
        if e.pending.is_empty() {
            return None;
        }
        let thread = thread();
        let index = match e.labels.iter().position(|known| *known == thread) {
            Some(index) => index,
            None => {
                e.labels.push(thread);
                e.labels.len() - 1
            }
        };
        Some((Rc::clone(&e.activity.touch), index))
    });
    if let Some((touch, index)) = touch.flatten() {
        touch(index);
    }
}

/// Reads the execution's [`Activity`]: what the kernel thread does each
/// time it runs, until the execution is over.
fn look() {
    let look = with(|e| (!e.done).then(|| (Rc::clone(&e.activity.look), e.labels.len())));
    if let Some((look, threads)) = look.flatten() {
        look(threads);
    }
}

/// What a deadlock report of the last execution says of the kernel thread,
/// if the checker ran one: it is not one of the scenario's.
pub(crate) fn deadlock_note() -> Option<String> {
    let label =
        EXECUTION.with(|e| Some(e.try_borrow().ok()?.as_ref()?.kernel.as_ref()?.0.clone()))?;
    Some(format!(
        "; {label} is the lab's kernel thread (it fires timeouts and spurious wakeups), parked: \
         no timeout was left to fire"
    ))
}

/// The virtual time, for a trace note.
pub(crate) fn clock() -> Duration {
    with(|e| e.clock).unwrap_or_default()
}

/// Notes a thread the scenario spawns; returns its number. Where spurious
/// wakeups are modelled, the first spawn starts the kernel thread first
/// (see the module docs).
pub(crate) fn spawned() -> Option<usize> {
    if with(|e| e.spurious_left > 0) == Some(true) {
        ensure_started();
    }
    with(|e| {
        e.alive += 1;
        e.threads.push(Thread::default());
        e.threads.len() - 1
    })
}

/// Notes that spawned thread `thread` ended; a thread joining it can run.
pub(crate) fn exited(thread: usize) {
    with(|e| {
        let Some(t) = e.threads.get_mut(thread) else {
            return;
        };
        t.ended = true;
        e.alive -= 1;
        if std::mem::take(&mut t.joined) {
            e.blocked -= 1;
        }
    });
}

/// Notes that the current thread joins `thread`: blocked until it ends.
pub(crate) fn joins(thread: usize) {
    with(|e| {
        let Some(t) = e.threads.get_mut(thread) else {
            return;
        };
        if !t.ended {
            t.joined = true;
            e.blocked += 1;
        }
    });
}

//! Check the code you ship: std's sync API, swapped in with one `use`.
//!
//! [`synclab::sync`](crate::sync), [`synclab::thread`](crate::thread),
//! [`synclab::hint`](crate::hint) and [`synclab::cell`](crate::cell) have
//! the shape of std's: `sync::atomic::{AtomicBool, AtomicU32, AtomicU64,
//! AtomicUsize, AtomicPtr, fence, Ordering}`, `sync::{Arc, Mutex,
//! MutexGuard, Condvar}`, `thread::{spawn, yield_now, JoinHandle}`,
//! `hint::spin_loop`, and an `UnsafeCell` with loom's `with`/`with_mut`.
//! Code written against std changes one line under `cfg(test)`:
//!
//! ```text
//! #[cfg(not(test))]
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! #[cfg(test)]
//! use synclab::sync::atomic::{AtomicUsize, Ordering};
//! ```
//!
//! and its test names a [`Scenario`] (threads, operations, and what must
//! hold, with [`ensure!`](crate::ensure) or any panic) and calls [`check`].
//! That runs it under loom, shuttle's random and PCT schedulers, and real
//! threads (and Miri, asked with [`Kit::with_miri`]), and returns the kit's
//! [`OwnReport`]: each checker's verdict,
//! the failing interleaving as a readable trace, its replay
//! ([`Kit::replay`], with the kit from [`Kit::shipped`]), and the
//! assertions a test ends with.
//!
//! # How a value picks its world
//!
//! Each value picks its world when it is created: loom's object inside a
//! loom execution, shuttle's inside shuttle's, std's everywhere else. The
//! checkers tell the thread that runs a scenario which execution it is in;
//! the type stays the one the code names (no type parameter), and the crate
//! builds once for every checker. On real threads a value is std's, behind
//! a branch: the `Mutex` costs about what std's does uncontended, the
//! atomics what std's do (the benchmark report has the numbers).
//!
//! # Limits, refused
//!
//! - **A value belongs to one world.** One created outside the scenario's
//!   execution (in a `static`, a `LazyLock`, a `thread_local!`, or kept
//!   from an earlier execution) would be invisible to the checker, which
//!   would then say nothing true. Every use of it there is refused: it
//!   panics with a message saying which value, where it was made and used,
//!   and what to do, and [`check`] (any [`Kit::check`]) panics with that
//!   message rather than report a verdict. `new` is not `const` for that
//!   reason (loom's is not either).
//! - **Only under synclab's checkers.** A facade value inside your own
//!   `loom::model` or shuttle runner is std's and unchecked: run it
//!   through [`check`].
//! - **What the checkers model.** loom takes `SeqCst` as `AcqRel` (a report
//!   whose trace used SeqCst says so) and allows 4 spawned threads (the
//!   lab's kernel thread is one: a scenario may spawn 3); shuttle is
//!   sequentially consistent, so it misses ordering bugs; neither wakes a
//!   `Condvar` spuriously. In a model a panic in any thread ends the
//!   execution as the scenario's failure, so `JoinHandle::join` returns
//!   `Ok` and a `Mutex` is never seen poisoned there; in a check's stress
//!   run `join` resumes the thread's panic in the joiner, so the failure
//!   keeps its own message there too. Miri runs the std path on request: [`Kit::with_miri`] (a kit
//!   from [`Kit::shipped`]) rebuilds the test under Miri, which sees data
//!   races and weak-memory outcomes on real threads; [`check`] leaves it out
//!   (the build takes a minute or two).
//! - **Every atomic access is a scheduling point under loom.** loom's
//!   partial-order reduction keeps only the last access to an atomic, and
//!   loses interleavings where a thread's load and then store hide another
//!   thread's load (loom#392); the facade makes every atomic access store
//!   to one shared word first, so loom runs those interleavings too. Each
//!   access then takes two of loom's branches, which count toward its limit
//!   per execution (a scenario that reaches it is reported inconclusive)
//!   and the extra interleavings toward the budget's cap on executions (a
//!   run cut short is reported incomplete).
//! - **What is not there.** `thread::scope` (loom has no scoped threads),
//!   `thread::current`, `park`, `sleep` and `Builder`; `Condvar::wait_timeout`
//!   (loom has no clock); `RwLock`, `Once`, `OnceLock`, `Barrier`, `mpsc`;
//!   `Weak`, `Arc::get_mut` and `make_mut`, coercing `Arc<T>` to
//!   `Arc<dyn Trait>`; the signed and 8- and 16-bit atomics, `compiler_fence`,
//!   atomics' `get_mut` and `as_ptr`; a `Mutex` of an unsized `T`.
//!
//! # Example
//!
//! A flag that publishes a value with `Relaxed`, the classic message-passing
//! bug: loom finds the execution where the reader sees the flag and not the
//! value.
//!
//! ```
//! use synclab::ensure;
//! use synclab::facade::{self, Scenario};
//! use synclab::lab::Budget;
//! use synclab::lab::failure::{Bug, FailureKind};
//! use synclab::sync::Arc;
//! use synclab::sync::atomic::{AtomicBool, AtomicU32, Ordering};
//! use synclab::thread;
//!
//! struct Publish;
//!
//! impl Scenario for Publish {
//!     const NAME: &'static str = "publish";
//!     fn run() {
//!         let shared = Arc::new((AtomicU32::new(0), AtomicBool::new(false)));
//!         let writer = {
//!             let shared = Arc::clone(&shared);
//!             thread::spawn(move || {
//!                 shared.0.store(42, Ordering::Relaxed);
//!                 shared.1.store(true, Ordering::Relaxed); // should be Release
//!             })
//!         };
//!         if shared.1.load(Ordering::Acquire) {
//!             let value = shared.0.load(Ordering::Relaxed);
//!             ensure!(value == 42, Bug::StaleRead, "saw the flag, then value {value}");
//!         }
//!         writer.join().unwrap();
//!     }
//! }
//!
//! let report = facade::check::<Publish>(&Budget::default());
//! let failure = report.assert_caught(FailureKind::Assertion(Bug::StaleRead));
//! assert!(failure.message.contains("loom"));
//! ```

pub mod atomic;
pub mod cell;
pub mod hint;
pub mod sync;
pub mod thread;
pub(crate) mod world;

use std::marker::PhantomData;

use crate::backend::Backend;
use crate::lab::Budget;
use crate::own::{self, Kit, OwnReport};

/// A scenario over code written against the facade: it makes its values,
/// starts threads with [`thread::spawn`], applies operations, and states
/// what must hold with [`ensure!`](crate::ensure) (or any panic). Every
/// value it uses is made inside `run`.
///
/// Keep it small for loom: 2–3 threads of 1–2 operations each.
pub trait Scenario: 'static {
    /// A short name for reports and [`Kit::replay`].
    const NAME: &'static str;

    /// Runs the scenario once, in the world the checker runs it in.
    fn run();
}

/// A facade scenario as one of the kit's.
struct Shipped<S>(PhantomData<fn() -> S>);

impl<S: Scenario> own::Scenario for Shipped<S> {
    const NAME: &'static str = S::NAME;

    fn run<B: Backend>(_ops: u32) {
        // The checkers tell the thread its world, execution by execution.
        S::run();
    }
}

impl Kit {
    /// Adds the facade scenario `S`, run under loom, shuttle (random and
    /// PCT) and stress.
    ///
    /// # Panics
    ///
    /// As [`Kit::scenario`]: if the kit has a scenario of that name.
    #[track_caller]
    pub fn shipped<S: Scenario>(self) -> Kit {
        self.scenario::<Shipped<S>>()
    }
}

/// Runs scenario `S` under every checker that applies (loom, shuttle random
/// and PCT, stress), within `budget`: [`Kit::shipped`], checked.
///
/// # Panics
///
/// If a value is used in a world it was not created in (see the
/// [limits](self#limits-refused)): no verdict of that run would hold.
pub fn check<S: Scenario>(budget: &Budget) -> OwnReport {
    Kit::new(S::NAME).shipped::<S>().check(budget)
}

//! # synclab — a concurrency test lab
//!
//! The primitives of the classic Python threading guide, each in a correct
//! version and in deliberately broken versions, and the checkers that catch
//! the broken ones — side by side, on the same code.
//!
//! ## The map
//!
//! Lowest layer first. Each primitive's folder holds everything about it:
//! the correct primitive (its state machine documented where it lives), its
//! broken variants (`broken`), its one sequential specification (`spec`), its
//! scenarios (`scenarios`) and its rows of the catalogue (`entries`).
//!
//! | module | what is there |
//! |---|---|
//! | [`backend`] | one source, three worlds: [`Std`](backend::Std) (real threads), [`Loom`](backend::Loom), [`Shuttle`](backend::Shuttle) |
//! | [`kinds`] | the primitive kinds as traits (lock, semaphore, event, queue, pool): what scenarios and specs need, what your primitive implements |
//! | [`counter`] | the guide's race-condition counter: locked, atomic, racy |
//! | [`lock`] | [`Lock<T>`] and its state machine [`RawLock`](lock::RawLock); the usage pitfalls ABBA and the guard kept alive |
//! | [`semaphore`] | [`Semaphore`] and [`BoundedSemaphore`] |
//! | [`event`] | [`Event`] |
//! | [`condition`] | [`Condition<T>`], bound to its own lock; its misuses are scenarios |
//! | [`queue`] | [`Queue<T>`], bounded or unbounded, with `task_done`/`join` |
//! | [`pool`] | [`ThreadPool`] and its [`Future`]s: `submit`, `map`, `as_completed`, `shutdown`; the pool-induced deadlock |
//! | [`litmus`] | the store-buffering test: correct only under SeqCst, loom's expected false alarm, and its Release/Acquire twin |
//! | [`lab`] | the machinery, which names no primitive: checkers, linearizability, fuzz scheduler, runner, report, failures, traces, the model worlds' virtual time and spurious wakeups |
//! | [`catalogue`] | the one list of variants (each primitive's rows), and the fuzz targets by id |
//! | [`own`] | check your own primitive: one call per kind, every applicable checker, a report to assert on |
//!
//! ## Everyday use
//!
//! The primitives default to real threads and their correct version:
//!
//! ```
//! use synclab::Lock;
//!
//! let lock = Lock::new(vec![1, 2]);
//! lock.lock().push(3);
//! assert_eq!(*lock.lock(), [1, 2, 3]);
//! ```
//!
//! ## Catching a bug
//!
//! Every catalogue entry runs under every checker; a test asserts *what* was
//! caught:
//!
//! ```
//! use synclab::catalogue;
//! use synclab::lab::Budget;
//! use synclab::lab::checkers::Checker;
//! use synclab::lab::failure::{Bug, FailureKind};
//!
//! let racy = catalogue::find("counter-racy").unwrap();
//! let run = racy.run(Checker::Loom, &Budget::default()).unwrap();
//! assert_eq!(run.failure.unwrap().kind, FailureKind::Assertion(Bug::LostUpdate));
//! ```

#![warn(missing_docs)]

pub mod backend;
pub mod catalogue;
pub mod condition;
pub mod counter;
pub mod event;
pub mod facade;
pub mod kinds;
pub mod lab;
pub mod litmus;
pub mod lock;
pub mod own;
pub mod pool;
pub mod queue;
pub mod semaphore;

/// proptest, as the lab uses it: [`kinds::model::Model::ops`] returns one
/// of its strategies.
pub use proptest;

pub use condition::Condition;
pub use counter::Counter;
pub use event::Event;
pub use facade::{cell, hint, sync, thread};
pub use lock::Lock;
pub use pool::{Future, TaskError, ThreadPool};
pub use queue::Queue;
pub use semaphore::{BoundedSemaphore, Semaphore};

/// The README's examples, run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

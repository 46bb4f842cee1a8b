//! # synclab — a concurrency test lab
//!
//! The primitives of the classic Python threading guide, each in a correct
//! version and in deliberately broken versions, and the checkers that catch
//! the broken ones — side by side, on the same code.
//!
//! ## The map
//!
//! | module | what is there |
//! |---|---|
//! | [`backend`] | one source, three worlds: [`Std`](backend::Std) (real threads), [`Loom`](backend::Loom), [`Shuttle`](backend::Shuttle) |
//! | [`counter`] | the guide's race-condition counter: locked, atomic, racy |
//! | [`lock`] | [`Lock<T>`] and its state machine [`RawLock`](lock::RawLock); broken variants in [`lock::broken`] |
//! | [`semaphore`] | [`Semaphore`] and [`BoundedSemaphore`]; broken variants in [`semaphore::broken`] |
//! | [`event`] | [`Event`]; broken variants in [`event::broken`] |
//! | [`queue`] | [`Queue<T>`], bounded or unbounded, with `task_done`/`join`; broken variants in [`queue::broken`] |
//! | [`condition`] | [`Condition<T>`], bound to its own lock; its misuses are scenarios |
//! | [`kinds`] | the primitive kinds as traits (lock, semaphore, event, queue): what scenarios need, what your primitive implements |
//! | [`own`] | check your own primitive: one call per kind, every applicable checker, a report to assert on |
//! | [`scenarios`] | small concurrent programs with an invariant, generic over world and variant |
//! | [`linearizability`] | a Wing–Gong/Lowe linearizability checker with pending operations, specs of the primitives, recorded scenarios |
//! | [`checkers`] | loom, shuttle (random, PCT), real-thread stress, proptest models |
//! | [`catalogue`] | the one list of variants and what each checker should make of them |
//! | [`trace`] | the recorded interleaving of a failing execution: a per-thread table and a Mermaid diagram |
//! | [`report`] | the matrix, the stories, the traces: Markdown and JSON |
//! | [`fuzzing`] | what the cargo-fuzz targets call: operation sequences, and fuzzer-chosen schedules |
//! | [`bench_summary`] | criterion's estimates as Markdown tables, and the speed goals |
//! | [`failure`] | what a checker caught: deadlock, data race, lost update, two holders... |
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
//! use synclab::checkers::{Budget, Checker};
//! use synclab::failure::{Bug, FailureKind};
//!
//! let racy = catalogue::find("counter-racy").unwrap();
//! let run = racy.run(Checker::Loom, &Budget::default()).unwrap();
//! assert_eq!(run.failure.unwrap().kind, FailureKind::Assertion(Bug::LostUpdate));
//! ```

#![warn(missing_docs)]

pub mod backend;
pub mod bench_summary;
pub mod catalogue;
pub mod checkers;
pub mod condition;
pub mod counter;
pub mod event;
pub mod failure;
pub mod fuzzing;
pub mod kinds;
pub mod linearizability;
pub mod lock;
pub mod own;
pub mod queue;
mod quiet;
pub mod report;
pub mod scenarios;
pub mod semaphore;
pub mod trace;

pub use condition::Condition;
pub use counter::Counter;
pub use event::Event;

/// The README's examples, run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
pub use lock::Lock;
pub use queue::Queue;
pub use semaphore::{BoundedSemaphore, Semaphore};

//! The lab's machinery: what runs a scenario under a checker, judges the
//! run against the catalogue and renders the result. It names no primitive:
//! it works through [`Subject`](checkers::Subject)s (a scenario in the three
//! worlds, a sequential test, a linearizability test), the [`Spec`](spec::Spec)
//! trait and the catalogue's [`Entry`](entry::Entry) rows, which each
//! primitive's folder fills in.
//!
//! | module | what is there |
//! |---|---|
//! | [`failure`] | what a checker caught: deadlock, lost update, not linearizable... |
//! | [`trace`] | the recorded interleaving of a failing execution: a per-thread table and a Mermaid diagram |
//! | [`kernel`] | the model worlds' virtual clock and spurious wakeups, which loom and shuttle lack |
//! | [`budget`] | how much work each checker may do |
//! | [`spec`] | the sequential specification a primitive is judged against, and the sequential check |
//! | [`checkers`] | loom, shuttle (random, PCT), real-thread stress, the proptest model test; a shuttle catch's schedule shrunk to fewer context switches |
//! | [`linearizability`] | a Wing–Gong/Lowe linearizability checker with pending operations, and its recorder |
//! | [`fuzz`] | the fuzzer-driven shuttle scheduler, its replay strings, and byte decoding |
//! | [`entry`] | the catalogue's vocabulary: an entry, what each checker is expected to make of it, verdicts |
//! | [`runner`] | runs cells (entry × checker): deterministic ones over every core, stress runs alone |
//! | [`child`] | runs in a child process (stress cells), and the child's report |
//! | [`report`] | renders the runner's cells: the matrix, the stories, the traces, as Markdown and JSON |
//!
//! The layers, lowest first: `quiet`, `trace`, `census` and `kernel`
//! import nothing of the lab, `budget` only `kernel`, `failure` only `quiet` (whose panic hook
//! notes where panics happen); `spec` and `checkers` sit on them;
//! `linearizability`, `fuzz` and `child` on `checkers`; `entry` on all of
//! those; `runner` on `entry` and `child`;
//! `report` on `runner`. The backend imports `trace` (its atomics record
//! into it), `kernel` (its model worlds' time and spurious wakeups),
//! `quiet` and `census` (its real threads inherit both), and nothing else
//! of the lab; the lab imports no backend.

pub mod budget;
pub(crate) mod census;
pub mod checkers;
pub mod child;
pub mod entry;
pub mod failure;
pub mod fuzz;
pub mod kernel;
pub mod linearizability;
pub(crate) mod quiet;
pub mod report;
pub mod runner;
pub mod spec;
pub mod trace;

pub use budget::Budget;

/// The timeout of the catalogue's timed scenarios: virtual under loom and
/// shuttle (see [`kernel`]), where only its order against other deadlines
/// matters.
pub const TIMEOUT: std::time::Duration = std::time::Duration::from_millis(10);

//! Rounds on real threads, watched: the one loop behind the stress checker
//! and the real-thread linearizability check. A worker thread runs the
//! rounds and reports each outcome. A round is taken as hung, and its
//! threads are abandoned (they hold only `Arc`s, so abandoning them is
//! safe; they unwind at their next yield or spin and run at idle priority
//! until then, so that they cannot slow what runs next: see
//! [`census`](crate::lab::census)), when
//!
//! - every one of its threads has been blocked for the stall window with
//!   nothing changing (its [census](crate::lab::census)): a deadlock, seen at
//!   once; or
//! - it has not finished within the timeout (a thread spinning forever, or
//!   blocked where the census does not look).

use std::ops::ControlFlow;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use crate::lab::census::{self, Census, Snapshot};
use crate::lab::failure::{Failure, FailureKind};
use crate::lab::quiet;

/// How long a round may take, and how long its threads may all stay
/// blocked.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// The whole round.
    pub(crate) timeout: Duration,
    /// Every thread blocked, nothing changing.
    pub(crate) stall: Duration,
}

/// What became of one round.
#[derive(Debug)]
pub(crate) enum Round<T> {
    /// It finished with this outcome.
    Done(T),
    /// It did not finish: a [`Hang`](FailureKind::Hang).
    Hung {
        /// The hang, and why it was taken as one.
        failure: Failure,
        /// Whether every thread was blocked with nothing changing (a
        /// deadlock); if not, the timeout ran out with threads still
        /// running (a livelock, or threads starved by spinning ones).
        deadlock: bool,
    },
}

/// Runs `round` up to `rounds` times on a worker thread, quietly, handing
/// each outcome (with its 1-based number) to `seen`, which may stop early.
/// A hung round ends the run. Returns how many rounds were seen, or a
/// failure if the worker could not be spawned.
pub(crate) fn watch<T: Send + 'static>(
    rounds: usize,
    limits: Limits,
    round: impl FnMut() -> T + Send + 'static,
    mut seen: impl FnMut(usize, Round<T>) -> ControlFlow<()>,
) -> Result<usize, Failure> {
    // This thread holds the quiet section; the worker only inherits the
    // quiet mark, so that a worker abandoned in a hung round keeps nothing
    // muted after the run.
    quiet::quietly(|| watch_quietly(rounds, limits, round, &mut seen))
}

/// The census of the round running now, shared by the worker and the
/// watcher.
type Current = Arc<Mutex<Arc<Census>>>;

fn watch_quietly<T: Send + 'static>(
    rounds: usize,
    limits: Limits,
    mut round: impl FnMut() -> T + Send + 'static,
    seen: &mut impl FnMut(usize, Round<T>) -> ControlFlow<()>,
) -> Result<usize, Failure> {
    let (sender, outcomes) = mpsc::channel();
    let current: Current = Arc::default();
    let worker_current = Arc::clone(&current);
    thread::Builder::new()
        .name("synclab-rounds".into())
        .spawn(quiet::inherit(move || {
            for _ in 0..rounds {
                let census = Arc::new(Census::default());
                *worker_current
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Arc::clone(&census);
                let outcome = census::counted(&census, &mut round);
                // A round given up on ends the worker, even if it got out.
                if census.is_abandoned() || sender.send(outcome).is_err() {
                    break;
                }
            }
        }))
        .map_err(|error| {
            Failure::new(
                FailureKind::Panic,
                format!("cannot spawn the round worker: {error}"),
            )
        })?;
    let mut done = 0;
    loop {
        let round = match next(&outcomes, &current, limits) {
            Ok(outcome) => Round::Done(outcome),
            Err(Some((why, deadlock))) => {
                current
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .abandon();
                let failure = Failure::new(
                    FailureKind::Hang,
                    format!("round {}: {why}; its threads are abandoned", done + 1),
                );
                Round::Hung { failure, deadlock }
            }
            Err(None) => return Ok(done),
        };
        done += 1;
        let hung = matches!(round, Round::Hung { .. });
        if seen(done, round).is_break() || hung {
            return Ok(done);
        }
    }
}

/// The next round's outcome; `Err(Some((why, deadlock)))` if it hung,
/// `Err(None)` if the worker is gone.
fn next<T>(
    outcomes: &mpsc::Receiver<T>,
    current: &Current,
    limits: Limits,
) -> Result<T, Option<(String, bool)>> {
    let start = Instant::now();
    let poll = (limits.stall / 4)
        .min(limits.timeout)
        .max(Duration::from_millis(1));
    // When every thread was first seen blocked, and the census then.
    let mut stalled: Option<(Instant, Snapshot)> = None;
    loop {
        match outcomes.recv_timeout(poll) {
            Ok(outcome) => return Ok(outcome),
            Err(RecvTimeoutError::Disconnected) => return Err(None),
            Err(RecvTimeoutError::Timeout) => {}
        }
        let now = Instant::now();
        if now - start >= limits.timeout {
            let why = format!("did not finish within {:?}", limits.timeout);
            return Err(Some((why, false)));
        }
        let snapshot = current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .snapshot();
        stalled = match stalled {
            Some((since, first)) if snapshot == first => {
                if now - since >= limits.stall {
                    let why = format!(
                        "every thread blocked for {:?} with nothing changing (a deadlock)",
                        now - since
                    );
                    return Err(Some((why, true)));
                }
                Some((since, first))
            }
            _ => snapshot.all_blocked.then_some((now, snapshot)),
        };
    }
}

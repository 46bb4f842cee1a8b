//! Starting and joining a scenario's threads, in any world.

use std::panic::Location;
use std::sync::Arc;

use super::{Backend, Join};

/// A spawned thread's duty to be joined: the guide's "always join threads".
///
/// Every world's join handle carries one. [`Join::join`] discharges it; a
/// handle dropped without a join panics with a message the lab classifies
/// as a [leak](crate::lab::failure::FailureKind::Leak) ("... the thread
/// leaked."), naming where the thread was spawned. So a scenario that ends
/// with a thread never joined fails, in every world and under every
/// checker, at the moment the handle goes. Not while the thread is already
/// panicking: a failure unwinding through a scenario drops handles it never
/// reached, and a second panic there would abort.
#[derive(Debug)]
pub(crate) struct JoinDuty {
    spawned_at: &'static Location<'static>,
}

impl JoinDuty {
    /// The duty of a thread spawned by the caller's caller.
    #[track_caller]
    pub(crate) fn new() -> JoinDuty {
        JoinDuty {
            spawned_at: Location::caller(),
        }
    }

    /// The thread was joined.
    pub(crate) fn discharge(self) {
        std::mem::forget(self);
    }
}

impl Drop for JoinDuty {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!(
                "a thread spawned at {} was never joined: its handle was dropped, and the \
                 thread leaked.",
                self.spawned_at
            );
        }
    }
}

/// Runs `body(thread_index)` on `threads` threads of world `B`, joins them
/// all, and resumes the first panic among them.
///
/// Shared state travels in `std::sync::Arc`, never `loom::sync::Arc`: a loom
/// `Arc` dropped while a caught failure unwinds reaches for the finished
/// model and aborts the process (DESIGN.md, section 1).
///
/// ```
/// use std::sync::Arc;
/// use synclab::backend::{AtomicU32Ops, Backend, Ordering, Std, run_threads};
///
/// let count = Arc::new(<Std as Backend>::AtomicU32::new(0));
/// run_threads::<Std, _>(3, &count, |count, _| {
///     count.fetch_add(1, Ordering::Relaxed);
/// });
/// assert_eq!(count.load(Ordering::Relaxed), 3);
/// ```
#[track_caller]
pub fn run_threads<B: Backend, S: Send + Sync + 'static>(
    threads: usize,
    shared: &Arc<S>,
    body: fn(&S, usize),
) {
    spawn_threads::<B, S>(threads, shared, body)
        .into_iter()
        .for_each(Join::join);
}

/// Starts `body(thread_index)` on `threads` threads of world `B` and returns
/// their handles, for a scenario whose main thread has work of its own.
/// A thread never joined is reported at the caller's line (see
/// [`Backend::spawn`]).
#[track_caller]
pub fn spawn_threads<B: Backend, S: Send + Sync + 'static>(
    threads: usize,
    shared: &Arc<S>,
    body: fn(&S, usize),
) -> Vec<B::JoinHandle<()>> {
    let mut handles = Vec::with_capacity(threads);
    for index in 0..threads {
        let shared = Arc::clone(shared);
        handles.push(B::spawn(move || body(&shared, index)));
    }
    handles
}

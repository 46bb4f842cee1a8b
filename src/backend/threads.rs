//! Starting and joining a scenario's threads, in any world.

use std::sync::Arc;

use super::{Backend, Join};

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
pub fn spawn_threads<B: Backend, S: Send + Sync + 'static>(
    threads: usize,
    shared: &Arc<S>,
    body: fn(&S, usize),
) -> Vec<B::JoinHandle<()>> {
    (0..threads)
        .map(|index| {
            let shared = Arc::clone(shared);
            B::spawn(move || body(&shared, index))
        })
        .collect()
}

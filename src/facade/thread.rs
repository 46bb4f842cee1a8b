//! std's `spawn`, `yield_now` and `JoinHandle`, in the caller's world: see
//! the [facade](crate::facade).
//!
//! `scope` is not offered: loom has no scoped threads, and a scoped thread
//! made from loom's `'static` one would outlive the borrow it was given
//! when loom abandons an execution that failed.

use crate::backend::{
    Backend, Join, Loom, LoomJoinHandle, Shuttle, ShuttleJoinHandle, Std, StdJoinHandle,
};

use super::world::{self, Kind};
use crate::lab::census;

/// Starts a thread running `f`, in the caller's world, as std's `spawn`.
///
/// ```
/// use synclab::thread;
///
/// let answer = thread::spawn(|| 6 * 7);
/// assert_eq!(answer.join().unwrap(), 42);
/// ```
///
/// In a model or a stress run, a panic in the thread is the scenario's
/// failure, with its own message (loom and shuttle end the execution with
/// it; in a stress run `join` resumes it), so `join` returns `Ok` there;
/// and a stress run's threads are the lab's (so that a round that hangs can
/// be abandoned).
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    JoinHandle(Some(match world::current_kind() {
        Kind::Std if world::checking() && census::current().is_some() => Handle::Lab(Std::spawn(f)),
        Kind::Std => Handle::Std(std::thread::spawn(f)),
        Kind::Loom => Handle::Loom(Loom::spawn(f)),
        Kind::Shuttle => Handle::Shuttle(Shuttle::spawn(f)),
    }))
}

/// A thread started by [`spawn`]. Dropped without `join`, the thread runs
/// on detached, as with std.
#[derive(Debug)]
pub struct JoinHandle<T: Send + 'static>(Option<Handle<T>>);

#[derive(Debug)]
enum Handle<T: Send + 'static> {
    Std(std::thread::JoinHandle<T>),
    /// A stress run's.
    Lab(StdJoinHandle<T>),
    Loom(LoomJoinHandle<T>),
    Shuttle(ShuttleJoinHandle<T>),
}

impl<T: Send + 'static> JoinHandle<T> {
    /// Waits for the thread; its result, or the payload of its panic, as
    /// std's `join`.
    pub fn join(mut self) -> std::thread::Result<T> {
        match self.0.take().expect("a handle is joined once") {
            Handle::Std(handle) => handle.join(),
            Handle::Lab(handle) => Ok(handle.join()),
            Handle::Loom(handle) => Ok(handle.join()),
            Handle::Shuttle(handle) => Ok(handle.join()),
        }
    }
}

impl<T: Send + 'static> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        match self.0.take() {
            Some(Handle::Lab(handle)) => handle.detach(),
            Some(Handle::Loom(handle)) => handle.detach(),
            Some(Handle::Shuttle(handle)) => handle.detach(),
            _ => {}
        }
    }
}

/// Lets another thread run, as std's `yield_now`; in a model, a
/// scheduling point (and a step of the trace).
#[track_caller]
pub fn yield_now() {
    match world::current_kind() {
        Kind::Std if world::checking() => Std::yield_now(),
        Kind::Std => std::thread::yield_now(),
        Kind::Loom => Loom::yield_now(),
        Kind::Shuttle => Shuttle::yield_now(),
    }
}

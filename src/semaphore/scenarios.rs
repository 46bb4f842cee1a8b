//! The semaphore's scenarios, each stating its invariant: admission
//! ([`semaphore_admission`]) and the bounded semaphore's refusal
//! ([`bounded_over_release`]); and their recorded forms, which the
//! linearizability checker judges.

use std::sync::Arc;

use super::spec::{SemaphoreModel, SemaphoreOp, SemaphoreSpec, perform};
use super::{Bounded, SemaphoreVariant};
use crate::backend::{AtomicU32Ops, Backend, Join, Ordering, Shuttle, run_threads};
use crate::ensure;
use crate::kinds::model;
use crate::kinds::{SemaphoreApi, SemaphoreFamily};
use crate::lab::checkers::Subject;
use crate::lab::failure::{Bug, Failure};
use crate::lab::linearizability::{Recorder, check_recorded};
use crate::lab::{Budget, TIMEOUT};
use crate::worlds;

/// The permits of [`semaphore_admission`]'s semaphore.
pub const SEMAPHORE_PERMITS: u32 = 2;

/// What the [`semaphore_admission`] threads share.
struct Admission<B: Backend, S> {
    semaphore: S,
    /// Threads holding a permit right now.
    inside: B::AtomicU32,
    ops: u32,
}

/// Three threads take a permit of a two-permit semaphore of family `F` (for
/// the lab's variants, a [`Semaphore`](super::Semaphore)) `ops` times each,
/// and probe it with `try_acquire` at the end.
///
/// Invariants: at most two holders at a time; once every holder has left,
/// both permits can be taken again, and no third.
pub fn semaphore_admission<B: Backend, F: SemaphoreFamily>(ops: u32) {
    let shared = Arc::new(Admission::<B, F::Semaphore<B>> {
        semaphore: SemaphoreApi::new(SEMAPHORE_PERMITS),
        inside: B::AtomicU32::new(0).named("inside"),
        ops,
    });
    run_threads::<B, _>(3, &shared, |s, _| {
        for _ in 0..s.ops {
            s.semaphore.acquire();
            // Relaxed read-modify-writes count exactly, whatever the order.
            let inside = s.inside.fetch_add(1, Ordering::Relaxed) + 1;
            ensure!(
                inside <= SEMAPHORE_PERMITS,
                Bug::OverAdmission,
                "{inside} holders inside a semaphore of {SEMAPHORE_PERMITS} permits"
            );
            s.inside.fetch_sub(1, Ordering::Relaxed);
            s.semaphore.release();
        }
    });
    let permits = (0..=SEMAPHORE_PERMITS)
        .take_while(|_| shared.semaphore.try_acquire())
        .count();
    ensure!(
        permits == SEMAPHORE_PERMITS as usize,
        Bug::OverAdmission,
        "{permits} permits to take after every holder left a semaphore of {SEMAPHORE_PERMITS}"
    );
}

/// A thread waits at most [`TIMEOUT`] for a permit of an empty semaphore of
/// family `F` (for the lab's variants, a [`Semaphore`](super::Semaphore))
/// and gives back what it got, while the main thread releases one permit.
/// Under loom and shuttle the timeout fires in the lab's virtual time (see
/// [`kernel`](crate::lab::kernel)), before, during or after the release.
///
/// Invariant: the permit released is there to take in the end, whether the
/// timed acquire got it (and gave it back) or timed out.
pub fn semaphore_timed_acquire<B: Backend, F: SemaphoreFamily>(_ops: u32) {
    let semaphore = Arc::new(<F::Semaphore<B> as SemaphoreApi>::new(0));
    let waiter = {
        let semaphore = Arc::clone(&semaphore);
        B::spawn(move || {
            if semaphore.try_acquire_for(TIMEOUT) {
                semaphore.release();
            }
        })
    };
    semaphore.release();
    waiter.join();
    ensure!(
        semaphore.try_acquire(),
        Bug::LostPermit,
        "the permit released is gone: a timed acquire took it and reported a timeout"
    );
}

/// Two threads take and return the one permit of a bounded semaphore of
/// family `F` (for the lab's variants, a [`BoundedSemaphore`](super::BoundedSemaphore)) `ops` times
/// each; then one more `release` is attempted.
///
/// Invariant: the extra release is refused, and the permits stay at the
/// bound: one can be taken, and no second.
pub fn bounded_over_release<B: Backend, F: SemaphoreFamily>(ops: u32) {
    let shared = Arc::new((<F::Semaphore<B> as SemaphoreApi>::new(1), ops));
    run_threads::<B, _>(2, &shared, |(semaphore, ops), _| {
        for _ in 0..*ops {
            semaphore.acquire();
            semaphore.release();
        }
    });
    let semaphore = &shared.0;
    let refused = !semaphore.release();
    let permits = (0..=2).take_while(|_| semaphore.try_acquire()).count();
    ensure!(
        refused && permits == 1,
        Bug::OverRelease,
        "a release past the bound of 1 was accepted: {permits} permits to take"
    );
}

/// Three threads each take a permit of a two-permit semaphore of family
/// `F`, hold it across a yield, and give it back, every operation recorded.
pub fn recorded<B: Backend, F: SemaphoreFamily>(recorder: Arc<Recorder<SemaphoreSpec>>) {
    let semaphore = <F::Semaphore<B> as SemaphoreApi>::new(SEMAPHORE_PERMITS);
    let shared = Arc::new((recorder, semaphore));
    run_threads::<B, _>(3, &shared, |(recorder, semaphore), thread| {
        let op = SemaphoreOp::Acquire;
        recorder.record(thread, op, || perform(semaphore, &op));
        B::yield_now();
        let op = SemaphoreOp::Release;
        recorder.record(thread, op, || perform(semaphore, &op));
    });
}

/// Two threads each take the one permit of a bounded semaphore of variant
/// `V` and give it back; the first then releases once more, which must be
/// refused. Every operation recorded.
pub fn recorded_bounded<B: Backend, V: SemaphoreVariant>(recorder: Arc<Recorder<SemaphoreSpec>>) {
    let semaphore = <Bounded<V> as SemaphoreFamily>::Semaphore::<B>::new(1);
    let shared = Arc::new((recorder, semaphore));
    run_threads::<B, _>(2, &shared, |(recorder, semaphore), thread| {
        let releases = if thread == 0 { 2 } else { 1 };
        let ops = std::iter::once(SemaphoreOp::Acquire)
            .chain(std::iter::repeat_n(SemaphoreOp::Release, releases));
        for op in ops {
            recorder.record(thread, op, || perform(semaphore, &op));
        }
    });
}

/// [`recorded`] under shuttle, against its permits.
pub fn linearizability<F: SemaphoreFamily>(budget: &Budget) -> (Option<Failure>, usize) {
    let initial = SemaphoreSpec::new(SEMAPHORE_PERMITS);
    check_recorded(initial, recorded::<Shuttle, F>, budget, false)
}

/// [`recorded_bounded`] under shuttle, against its bound.
pub fn linearizability_bounded<V: SemaphoreVariant>(budget: &Budget) -> (Option<Failure>, usize) {
    let initial = SemaphoreSpec::bounded(1);
    check_recorded(initial, recorded_bounded::<Shuttle, V>, budget, false)
}

/// What the checkers run for a semaphore of family `F`:
/// [`semaphore_admission`], the model test of its spec and the recorded
/// histories.
pub const fn subject<F: SemaphoreFamily>() -> Subject {
    Subject {
        worlds: worlds!(semaphore_admission, F),
        sequential: Some(model::sequential::<SemaphoreModel<F, false>>()),
        linearizability: Some(linearizability::<F>),
    }
}

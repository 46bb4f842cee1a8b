//! Semaphore acquire+release: uncontended, against synclab's own Lock (the
//! goal: at most 1.2× its lock+unlock) and the classic Mutex + Condvar
//! counting semaphore of parking_lot; and contended, 4 threads over 2
//! permits.

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use common::{Padded, in_turn, timed_threads};
use criterion::{
    BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main, measurement::WallTime,
};

/// A counting semaphore as textbooks build it: a mutex and a condvar.
struct CondvarSemaphore {
    permits: parking_lot::Mutex<u32>,
    available: parking_lot::Condvar,
}

impl CondvarSemaphore {
    fn new(permits: u32) -> Self {
        CondvarSemaphore {
            permits: parking_lot::Mutex::new(permits),
            available: parking_lot::Condvar::new(),
        }
    }
    fn acquire(&self) {
        let mut permits = self.permits.lock();
        while *permits == 0 {
            self.available.wait(&mut permits);
        }
        *permits -= 1;
    }
    fn release(&self) {
        *self.permits.lock() += 1;
        self.available.notify_one();
    }
}

/// The operations compared: take and give back one permit.
trait Permits: Send + Sync + 'static {
    const NAME: &'static str;
    fn new(permits: u32) -> Self;
    fn cycle(&self);
}

impl Permits for synclab::Semaphore {
    const NAME: &'static str = "synclab";
    fn new(permits: u32) -> Self {
        synclab::Semaphore::new(permits)
    }
    #[inline]
    fn cycle(&self) {
        drop(black_box(self.acquire()));
    }
}

impl Permits for CondvarSemaphore {
    const NAME: &'static str = "parking_lot-condvar";
    fn new(permits: u32) -> Self {
        CondvarSemaphore::new(permits)
    }
    #[inline]
    fn cycle(&self) {
        self.acquire();
        self.release();
    }
}

/// synclab's Lock, lock+unlock: the yardstick of the goal.
impl Permits for synclab::lock::RawLock {
    const NAME: &'static str = "synclab-lock";
    fn new(_: u32) -> Self {
        synclab::lock::RawLock::new()
    }
    #[inline]
    fn cycle(&self) {
        drop(black_box(self.lock()));
    }
}

fn uncontended<P: Permits>(group: &mut BenchmarkGroup<'_, WallTime>, (): ()) {
    let permits = Padded::new(P::new(1));
    group.bench_function(P::NAME, |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            (0..iters).for_each(|_| black_box(&*permits).cycle());
            start.elapsed()
        })
    });
}

fn contended<P: Permits>(group: &mut BenchmarkGroup<'_, WallTime>, (): ()) {
    group.bench_function(P::NAME, |b| {
        b.iter_custom(|iters| {
            timed_threads(
                4,
                iters,
                Arc::new(Padded::new(P::new(2))),
                |permits, _, iters| {
                    (0..iters).for_each(|_| permits.cycle());
                },
            )
        })
    });
}

fn semaphore(c: &mut Criterion) {
    let mut group = c.benchmark_group("semaphore/uncontended");
    group.throughput(Throughput::Elements(1));
    in_turn(
        &mut group,
        (),
        &[
            uncontended::<synclab::Semaphore>,
            uncontended::<synclab::lock::RawLock>,
            uncontended::<CondvarSemaphore>,
        ],
    );
    group.finish();
    let mut group = c.benchmark_group("semaphore/4-threads-2-permits");
    group.throughput(Throughput::Elements(4));
    in_turn(
        &mut group,
        (),
        &[
            contended::<synclab::Semaphore>,
            contended::<CondvarSemaphore>,
        ],
    );
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = semaphore
}
criterion_main!(benches);

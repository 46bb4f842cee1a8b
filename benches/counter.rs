//! The guide's counter, two threads incrementing: racy (the price of being
//! wrong: a load and a store, no lock), atomic, and under synclab's Lock,
//! std's Mutex and parking_lot's Mutex.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use common::{BenchLock, Padded, in_turn, timed_threads};
use criterion::{
    BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main, measurement::WallTime,
};

const THREADS: usize = 2;

fn locked<L: BenchLock>(group: &mut BenchmarkGroup<'_, WallTime>, (): ()) {
    group.bench_function(L::NAME, |b| {
        b.iter_custom(|iters| {
            timed_threads(
                THREADS,
                iters,
                Arc::new(Padded::new(L::new())),
                |lock, _, iters| {
                    (0..iters).for_each(|_| lock.with(|v| *v += 1));
                },
            )
        })
    });
}

/// Two threads each apply `increment` to one shared atomic `iters` times.
fn unlocked(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, increment: fn(&AtomicU64)) {
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let value = Arc::new((Padded::new(AtomicU64::new(0)), increment));
            timed_threads(THREADS, iters, value, |(value, increment), _, iters| {
                (0..iters).for_each(|_| increment(value));
            })
        })
    });
}

fn counter(c: &mut Criterion) {
    let mut group = c.benchmark_group("counter/2-threads");
    group.throughput(Throughput::Elements(THREADS as u64));
    // The guide's race, without its sleep: updates are lost.
    unlocked(&mut group, "racy", |value| {
        let seen = value.load(Ordering::Relaxed);
        value.store(seen + 1, Ordering::Relaxed);
    });
    unlocked(&mut group, "atomic", |value| {
        value.fetch_add(1, Ordering::Relaxed);
    });
    in_turn(
        &mut group,
        (),
        &[
            locked::<synclab::Lock<u64>>,
            locked::<Mutex<u64>>,
            locked::<parking_lot::Mutex<u64>>,
        ],
    );
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = counter
}
criterion_main!(benches);

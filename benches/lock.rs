//! Lock overhead: uncontended lock+unlock, and contended throughput at 2, 4
//! and 8 threads with short and longer critical sections; synclab's Lock
//! against std's Mutex, parking_lot's Mutex and a spin lock.

mod common;

use std::hint::black_box;
use std::sync::{Arc, Mutex};

use common::{BenchLock, Padded, SpinLock, in_turn, timed_threads, uncontended, work};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn lock_uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("lock/uncontended");
    group.throughput(Throughput::Elements(1));
    in_turn(
        &mut group,
        (),
        &[
            uncontended::<synclab::Lock<u64>>,
            uncontended::<Mutex<u64>>,
            uncontended::<parking_lot::Mutex<u64>>,
            uncontended::<SpinLock>,
        ],
    );
    group.finish();
}

/// Each thread takes the lock `iters` times, doing `inside` rounds of work
/// with it held and `outside` rounds between.
fn contended<L: BenchLock>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    (threads, (inside, outside), label): (usize, (u32, u32), &'static str),
) {
    group.throughput(Throughput::Elements(threads as u64));
    group.bench_with_input(
        BenchmarkId::new(L::NAME, label),
        &(inside, outside),
        |b, &(inside, outside)| {
            b.iter_custom(|iters| {
                let shared = Arc::new((Padded::new(L::new()), inside, outside));
                timed_threads(
                    threads,
                    iters,
                    shared,
                    |(lock, inside, outside), index, iters| {
                        for i in 0..iters {
                            lock.with(|v| *v = v.wrapping_add(work(*inside, i)));
                            black_box(work(*outside, index as u64));
                        }
                    },
                )
            })
        },
    );
}

fn lock_contended(c: &mut Criterion) {
    for threads in [2, 4, 8] {
        let mut group = c.benchmark_group(format!("lock/contended/{threads}-threads"));
        for (sections, label) in [((0, 0), "short"), ((20, 20), "longer")] {
            in_turn(
                &mut group,
                (threads, sections, label),
                &[
                    contended::<synclab::Lock<u64>>,
                    contended::<Mutex<u64>>,
                    contended::<parking_lot::Mutex<u64>>,
                    contended::<SpinLock>,
                ],
            );
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = lock_uncontended, lock_contended
}
criterion_main!(benches);

//! What the facade (`synclab::sync`) costs on real threads, where a user may
//! leave the one-line swap in place: its Mutex uncontended, and its
//! atomics' load, fetch_add and compare_exchange, each against std's.

mod common;

use std::hint::black_box;
use std::sync::atomic::Ordering;
use std::time::Instant;

use common::{Bench, BenchLock, Padded, in_turn, uncontended};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

impl BenchLock for synclab::sync::Mutex<u64> {
    const NAME: &'static str = "synclab-facade";
    fn new() -> Self {
        synclab::sync::Mutex::new(0)
    }
    #[inline]
    fn with(&self, f: impl FnOnce(&mut u64)) {
        f(&mut self.lock().unwrap());
    }
}

fn mutex_uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("facade/mutex-uncontended");
    group.throughput(Throughput::Elements(1));
    in_turn(
        &mut group,
        (),
        &[
            uncontended::<synclab::sync::Mutex<u64>>,
            uncontended::<std::sync::Mutex<u64>>,
        ],
    );
    group.finish();
}

/// The atomic operations measured, one implementation of each.
trait BenchAtomic: Send + Sync + 'static {
    const NAME: &'static str;
    fn new() -> Self;
    fn load(&self) -> u64;
    fn fetch_add(&self) -> u64;
    fn compare_exchange(&self, current: u64) -> u64;
}

macro_rules! bench_atomic {
    ($type:ty, $name:literal) => {
        impl BenchAtomic for $type {
            const NAME: &'static str = $name;
            fn new() -> Self {
                <$type>::new(0)
            }
            #[inline]
            fn load(&self) -> u64 {
                <$type>::load(self, Ordering::Acquire)
            }
            #[inline]
            fn fetch_add(&self) -> u64 {
                <$type>::fetch_add(self, 1, Ordering::AcqRel)
            }
            #[inline]
            fn compare_exchange(&self, current: u64) -> u64 {
                <$type>::compare_exchange(
                    self,
                    current,
                    current + 1,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .unwrap_or_else(|actual| actual)
            }
        }
    };
}

bench_atomic!(synclab::sync::atomic::AtomicU64, "synclab-facade");
bench_atomic!(std::sync::atomic::AtomicU64, "std");

/// The operations measured, as `atomic`'s `OP`.
const LOAD: u8 = 0;
const FETCH_ADD: u8 = 1;
const COMPARE_EXCHANGE: u8 = 2;

/// Operation `OP` on an `A`, `iters` times in a row; each sees the last
/// one's value (so a compare-exchange succeeds).
fn atomic<A: BenchAtomic, const OP: u8>(group: &mut Group<'_>, (): ()) {
    let atomic = Padded::new(A::new());
    group.bench_function(A::NAME, |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            let mut seen = 0;
            for _ in 0..iters {
                let atomic = black_box(&*atomic);
                seen = match OP {
                    LOAD => atomic.load(),
                    FETCH_ADD => atomic.fetch_add(),
                    _ => atomic.compare_exchange(seen) + 1,
                };
            }
            black_box(seen);
            start.elapsed()
        })
    });
}

fn atomics(c: &mut Criterion) {
    type Facade = synclab::sync::atomic::AtomicU64;
    type Std = std::sync::atomic::AtomicU64;
    let ops: [(&str, [Bench<()>; 2]); 3] = [
        ("load", [atomic::<Facade, LOAD>, atomic::<Std, LOAD>]),
        (
            "fetch-add",
            [atomic::<Facade, FETCH_ADD>, atomic::<Std, FETCH_ADD>],
        ),
        (
            "compare-exchange",
            [
                atomic::<Facade, COMPARE_EXCHANGE>,
                atomic::<Std, COMPARE_EXCHANGE>,
            ],
        ),
    ];
    for (name, benches) in ops {
        let mut group = c.benchmark_group(format!("facade/atomic-{name}"));
        group.throughput(Throughput::Elements(1));
        in_turn(&mut group, (), &benches);
        group.finish();
    }
}

criterion_group!(benches, mutex_uncontended, atomics);
criterion_main!(benches);

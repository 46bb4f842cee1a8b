//! Shared by the benchmark files: timing threads outside the timed region,
//! the implementations compared, and the suite's criterion settings.

#![allow(dead_code)] // each bench file uses a part

use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use crossbeam::utils::CachePadded;

/// The suite's settings: short enough for a full run in minutes on two
/// cores. `cargo bench -- --quick` is quicker still.
pub fn criterion() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

/// A benchmark of one implementation, registered into a group with `A`.
pub type Bench<A> = fn(&mut BenchmarkGroup<'_, WallTime>, A);

/// Registers `benches` into `group`, in turn: starting with the one the
/// run number picks (`SYNCLAB_BENCH_RUN`, which `benches/report.sh` sets),
/// so that over the runs each implementation is measured first, second...
/// and no position's bias (a warm cache, a cool core) stays with one of
/// them.
pub fn in_turn<A: Copy>(group: &mut BenchmarkGroup<'_, WallTime>, args: A, benches: &[Bench<A>]) {
    let run: usize = std::env::var("SYNCLAB_BENCH_RUN")
        .ok()
        .and_then(|run| run.parse().ok())
        .unwrap_or(1);
    let first = run.saturating_sub(1) % benches.len().max(1);
    for bench in benches[first..].iter().chain(&benches[..first]) {
        bench(group, args);
    }
}

/// Lock+unlock of an `L` no other thread touches, incrementing the value
/// inside.
pub fn uncontended<L: BenchLock>(group: &mut BenchmarkGroup<'_, WallTime>, (): ()) {
    let lock = Padded::new(L::new());
    group.bench_function(L::NAME, |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                std::hint::black_box(&*lock).with(|v| *v += 1);
            }
            start.elapsed()
        })
    });
}

/// Runs `work(thread, iters)` on `threads` threads and returns the time from
/// the moment they are all released to the moment they have all finished:
/// spawning and joining stay outside the timed region.
pub fn timed_threads<S: Send + Sync + 'static>(
    threads: usize,
    iters: u64,
    shared: Arc<S>,
    work: fn(&S, usize, u64),
) -> Duration {
    let start = Arc::new(Barrier::new(threads + 1));
    let end = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|index| {
            let (start, end, shared) = (Arc::clone(&start), Arc::clone(&end), Arc::clone(&shared));
            thread::spawn(move || {
                start.wait();
                work(&shared, index, iters);
                end.wait();
            })
        })
        .collect();
    start.wait();
    let begun = Instant::now();
    end.wait();
    let elapsed = begun.elapsed();
    handles.into_iter().for_each(|h| h.join().unwrap());
    elapsed
}

/// A lock around a `u64`, as the lock benchmarks use it.
pub trait BenchLock: Send + Sync + 'static {
    /// The implementation's name in reports.
    const NAME: &'static str;
    /// A lock holding 0.
    fn new() -> Self;
    /// Runs `f` on the value with the lock held.
    fn with(&self, f: impl FnOnce(&mut u64));
}

impl BenchLock for synclab::Lock<u64> {
    const NAME: &'static str = "synclab";
    fn new() -> Self {
        synclab::Lock::new(0)
    }
    #[inline]
    fn with(&self, f: impl FnOnce(&mut u64)) {
        f(&mut self.lock());
    }
}

impl BenchLock for Mutex<u64> {
    const NAME: &'static str = "std";
    fn new() -> Self {
        Mutex::new(0)
    }
    #[inline]
    fn with(&self, f: impl FnOnce(&mut u64)) {
        f(&mut self.lock().unwrap());
    }
}

impl BenchLock for parking_lot::Mutex<u64> {
    const NAME: &'static str = "parking_lot";
    fn new() -> Self {
        parking_lot::Mutex::new(0)
    }
    #[inline]
    fn with(&self, f: impl FnOnce(&mut u64)) {
        f(&mut self.lock());
    }
}

/// A test-and-test-and-set spin lock: the baseline with no parking.
pub struct SpinLock {
    locked: std::sync::atomic::AtomicBool,
    value: std::cell::UnsafeCell<u64>,
}

// SAFETY: the value is touched only while `locked` is held (acquired with
// Acquire, released with Release).
unsafe impl Sync for SpinLock {}

impl BenchLock for SpinLock {
    const NAME: &'static str = "spin";
    fn new() -> Self {
        SpinLock {
            locked: std::sync::atomic::AtomicBool::new(false),
            value: std::cell::UnsafeCell::new(0),
        }
    }
    #[inline]
    fn with(&self, f: impl FnOnce(&mut u64)) {
        use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
        while self
            .locked
            .compare_exchange_weak(false, true, Acquire, Relaxed)
            .is_err()
        {
            while self.locked.load(Relaxed) {
                std::hint::spin_loop();
            }
        }
        // SAFETY: we hold the lock.
        f(unsafe { &mut *self.value.get() });
        self.locked.store(false, Release);
    }
}

/// A lock padded to its own cache line, so neighbours do not share it.
pub type Padded<L> = CachePadded<L>;

/// Work outside or inside a critical section: `n` rounds of a dependent
/// multiply-add the optimizer cannot remove.
#[inline]
pub fn work(n: u32, seed: u64) -> u64 {
    let mut x = seed;
    for _ in 0..n {
        x = std::hint::black_box(
            x.wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407),
        );
    }
    x
}

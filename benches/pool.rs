//! The thread pool: a submit + result round trip, and `map` over 10,000
//! tiny tasks, at 1, 2 and 4 workers. synclab's `ThreadPool` against
//! rayon's (`spawn` with a one-shot channel back; `scope` for the map) and
//! against a pool of threads over a crossbeam channel, with a bounded(1)
//! channel as each task's future. Every pool is built outside the timed
//! region; each measures the time per task.

mod common;

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::in_turn;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
    measurement::WallTime,
};
use crossbeam::channel::{self, Receiver, Sender};

/// The tasks of a `map`.
const MAP_TASKS: u64 = 10_000;

/// A tiny task: a few multiply-adds on its item.
fn task(item: u64) -> u64 {
    common::work(4, item)
}

/// A thread pool as the benchmarks use it.
trait Pool: Send + Sync + 'static {
    const NAME: &'static str;
    fn new(workers: usize) -> Self;
    /// Submits `task(item)` and waits for its result.
    fn round_trip(&self, item: u64) -> u64;
    /// Runs `task` over `items` on the pool; the results in input order.
    fn map(&self, items: std::ops::Range<u64>) -> Vec<u64>;
}

impl Pool for synclab::ThreadPool {
    const NAME: &'static str = "synclab";
    fn new(workers: usize) -> Self {
        synclab::ThreadPool::new(workers)
    }
    fn round_trip(&self, item: u64) -> u64 {
        self.submit(move || task(item)).unwrap().result().unwrap()
    }
    fn map(&self, items: std::ops::Range<u64>) -> Vec<u64> {
        self.map(task, items).unwrap().map(Result::unwrap).collect()
    }
}

impl Pool for rayon::ThreadPool {
    const NAME: &'static str = "rayon";
    fn new(workers: usize) -> Self {
        rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .build()
            .unwrap()
    }
    fn round_trip(&self, item: u64) -> u64 {
        let (tx, rx) = channel::bounded(1);
        self.spawn(move || tx.send(task(item)).unwrap());
        rx.recv().unwrap()
    }
    fn map(&self, items: std::ops::Range<u64>) -> Vec<u64> {
        let mut results = vec![0; items.clone().count()];
        self.scope(|scope| {
            for (slot, item) in results.iter_mut().zip(items) {
                scope.spawn(move |_| *slot = task(item));
            }
        });
        results
    }
}

/// A job of the crossbeam pool.
type Job = Box<dyn FnOnce() + Send>;

/// A pool of threads taking jobs from a crossbeam channel; each task's
/// future is a bounded(1) channel.
struct CrossbeamPool {
    jobs: Option<Sender<Job>>,
    workers: Vec<thread::JoinHandle<()>>,
}

impl CrossbeamPool {
    fn submit(&self, item: u64) -> Receiver<u64> {
        let (tx, rx) = channel::bounded(1);
        let job: Job = Box::new(move || tx.send(task(item)).unwrap());
        self.jobs.as_ref().unwrap().send(job).unwrap();
        rx
    }
}

impl Pool for CrossbeamPool {
    const NAME: &'static str = "crossbeam-pool";
    fn new(workers: usize) -> Self {
        let (jobs, queue) = channel::unbounded::<Job>();
        let workers = (0..workers)
            .map(|_| {
                let queue = queue.clone();
                thread::spawn(move || queue.iter().for_each(|job| job()))
            })
            .collect();
        CrossbeamPool {
            jobs: Some(jobs),
            workers,
        }
    }
    fn round_trip(&self, item: u64) -> u64 {
        self.submit(item).recv().unwrap()
    }
    fn map(&self, items: std::ops::Range<u64>) -> Vec<u64> {
        let futures: Vec<_> = items.map(|item| self.submit(item)).collect();
        futures.into_iter().map(|f| f.recv().unwrap()).collect()
    }
}

impl Drop for CrossbeamPool {
    fn drop(&mut self) {
        drop(self.jobs.take());
        self.workers.drain(..).for_each(|w| w.join().unwrap());
    }
}

/// The time of `f` run `iters` times on one pool, built before the clock
/// starts and dropped after it stops.
fn timed<P: Pool>(workers: usize, iters: u64, f: impl Fn(&P)) -> Duration {
    let pool = Arc::new(P::new(workers));
    let start = Instant::now();
    (0..iters).for_each(|_| f(&pool));
    start.elapsed()
}

/// Registers `P` at `workers`, timing `run` on one pool per sample.
fn case<P: Pool>(group: &mut BenchmarkGroup<'_, WallTime>, workers: usize, run: fn(&P)) {
    let id = BenchmarkId::new(P::NAME, format!("workers-{workers}"));
    group.bench_function(id, |b| {
        b.iter_custom(|iters| timed::<P>(workers, iters, run))
    });
}

fn round_trip<P: Pool>(group: &mut BenchmarkGroup<'_, WallTime>, workers: usize) {
    case::<P>(group, workers, |pool| {
        std::hint::black_box(pool.round_trip(std::hint::black_box(7)));
    });
}

fn map<P: Pool>(group: &mut BenchmarkGroup<'_, WallTime>, workers: usize) {
    case::<P>(group, workers, |pool| {
        let results = pool.map(0..MAP_TASKS);
        assert_eq!(results.len() as u64, MAP_TASKS);
        std::hint::black_box(results);
    });
}

fn pool(c: &mut Criterion) {
    for workers in [1, 2, 4] {
        let mut group = c.benchmark_group("pool/round-trip");
        group.throughput(Throughput::Elements(1));
        in_turn(
            &mut group,
            workers,
            &[
                round_trip::<synclab::ThreadPool>,
                round_trip::<rayon::ThreadPool>,
                round_trip::<CrossbeamPool>,
            ],
        );
        group.finish();
        let mut group = c.benchmark_group("pool/map-10k");
        group.throughput(Throughput::Elements(MAP_TASKS));
        in_turn(
            &mut group,
            workers,
            &[
                map::<synclab::ThreadPool>,
                map::<rayon::ThreadPool>,
                map::<CrossbeamPool>,
            ],
        );
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = pool
}
criterion_main!(benches);

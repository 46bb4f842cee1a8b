//! Moving messages: SPSC (1 producer, 1 consumer) and MPMC (2 and 2),
//! bounded(1) and bounded(64); synclab's Queue against crossbeam's bounded
//! channel and std's sync_channel. Time per message.

mod common;

use std::sync::Arc;

use common::{in_turn, timed_threads};
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
    measurement::WallTime,
};

/// A bounded queue of `u64` shared by producers and consumers.
trait Channel: Send + Sync + 'static {
    const NAME: &'static str;
    fn new(capacity: usize) -> Self;
    fn send(&self, value: u64);
    fn recv(&self) -> u64;
}

impl Channel for synclab::Queue<u64> {
    const NAME: &'static str = "synclab";
    fn new(capacity: usize) -> Self {
        synclab::Queue::new(capacity)
    }
    fn send(&self, value: u64) {
        self.put(value);
    }
    fn recv(&self) -> u64 {
        self.get()
    }
}

impl Channel
    for (
        crossbeam::channel::Sender<u64>,
        crossbeam::channel::Receiver<u64>,
    )
{
    const NAME: &'static str = "crossbeam";
    fn new(capacity: usize) -> Self {
        crossbeam::channel::bounded(capacity)
    }
    fn send(&self, value: u64) {
        self.0.send(value).unwrap();
    }
    fn recv(&self) -> u64 {
        self.1.recv().unwrap()
    }
}

/// std's sync_channel; its receiver is not `Sync`, so consumers share it
/// behind a mutex (one consumer at a time, as std allows).
impl Channel
    for (
        std::sync::mpsc::SyncSender<u64>,
        std::sync::Mutex<std::sync::mpsc::Receiver<u64>>,
    )
{
    const NAME: &'static str = "std";
    fn new(capacity: usize) -> Self {
        let (sender, receiver) = std::sync::mpsc::sync_channel(capacity);
        (sender, std::sync::Mutex::new(receiver))
    }
    fn send(&self, value: u64) {
        self.0.send(value).unwrap();
    }
    fn recv(&self) -> u64 {
        self.1.lock().unwrap().recv().unwrap()
    }
}

/// `pairs` producers and `pairs` consumers move `iters` messages each.
fn transfer<C: Channel>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    (pairs, capacity): (usize, usize),
) {
    group.throughput(Throughput::Elements(pairs as u64));
    group.bench_with_input(
        BenchmarkId::new(C::NAME, format!("bounded({capacity})")),
        &capacity,
        |b, &capacity| {
            b.iter_custom(|iters| {
                let shared = Arc::new((C::new(capacity), pairs));
                timed_threads(
                    2 * pairs,
                    iters,
                    shared,
                    |(channel, pairs), index, iters| {
                        if index < *pairs {
                            (0..iters).for_each(|i| channel.send(i));
                        } else {
                            (0..iters).for_each(|_| {
                                std::hint::black_box(channel.recv());
                            });
                        }
                    },
                )
            })
        },
    );
}

fn queue(c: &mut Criterion) {
    type Crossbeam = (
        crossbeam::channel::Sender<u64>,
        crossbeam::channel::Receiver<u64>,
    );
    type Std = (
        std::sync::mpsc::SyncSender<u64>,
        std::sync::Mutex<std::sync::mpsc::Receiver<u64>>,
    );
    for (pairs, name) in [(1, "queue/spsc"), (2, "queue/mpmc-2x2")] {
        let mut group = c.benchmark_group(name);
        for capacity in [1, 64] {
            in_turn(
                &mut group,
                (pairs, capacity),
                &[
                    transfer::<synclab::Queue<u64>>,
                    transfer::<Crossbeam>,
                    transfer::<Std>,
                ],
            );
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = queue
}
criterion_main!(benches);

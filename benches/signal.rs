//! Ping-pong latency between two threads: each round trip is two
//! hand-offs. synclab's Event pair and Condition against std's and
//! parking_lot's Mutex + Condvar, bare (they park at once) and with
//! synclab's spin in front (the same waiting policy as synclab's).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use common::timed_threads;
use criterion::{
    BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main, measurement::WallTime,
};
use synclab::backend::{Std, backoff};

/// A turn-taking token two threads pass back and forth.
trait PingPong: Send + Sync + 'static {
    const NAME: &'static str;
    fn new() -> Self;
    /// Waits for `me`'s turn, then gives the turn to the other.
    fn play(&self, me: u64);
}

impl PingPong for synclab::Condition<u64> {
    const NAME: &'static str = "synclab-condition";
    fn new() -> Self {
        synclab::Condition::new(0)
    }
    fn play(&self, me: u64) {
        let mut turn = self.wait_while(self.lock(), |turn| *turn != me);
        *turn = 1 - me;
        drop(turn);
        self.notify_one();
    }
}

/// Two events: one per direction.
struct Events([synclab::Event; 2]);

impl PingPong for Events {
    const NAME: &'static str = "synclab-event";
    fn new() -> Self {
        let events = Events([synclab::Event::new(), synclab::Event::new()]);
        events.0[0].set();
        events
    }
    fn play(&self, me: u64) {
        let (mine, theirs) = (&self.0[me as usize], &self.0[1 - me as usize]);
        mine.wait();
        mine.clear();
        theirs.set();
    }
}

impl PingPong for (std::sync::Mutex<u64>, std::sync::Condvar) {
    const NAME: &'static str = "std-condvar";
    fn new() -> Self {
        (std::sync::Mutex::new(0), std::sync::Condvar::new())
    }
    fn play(&self, me: u64) {
        let turn = self.0.lock().unwrap();
        let mut turn = self.1.wait_while(turn, |turn| *turn != me).unwrap();
        *turn = 1 - me;
        drop(turn);
        self.1.notify_one();
    }
}

impl PingPong for (parking_lot::Mutex<u64>, parking_lot::Condvar) {
    const NAME: &'static str = "parking_lot-condvar";
    fn new() -> Self {
        (parking_lot::Mutex::new(0), parking_lot::Condvar::new())
    }
    fn play(&self, me: u64) {
        let mut turn = self.0.lock();
        self.1.wait_while(&mut turn, |turn| *turn != me);
        *turn = 1 - me;
        drop(turn);
        self.1.notify_one();
    }
}

/// A Condvar ping-pong with synclab's waiting policy in front: the player
/// first spins (synclab's backoff: hints, then a few yields) on a copy of
/// the turn, and only then takes the mutex and waits. The like-for-like
/// comparator of synclab's Condition and Event, which spin before they
/// park, where a bare Condvar parks at once.
struct Spun<P> {
    inner: P,
    turn: AtomicU64,
}

/// A ping-pong that has a spinning twin, and its name.
trait Spinnable: PingPong {
    const SPUN: &'static str;
}

impl Spinnable for (std::sync::Mutex<u64>, std::sync::Condvar) {
    const SPUN: &'static str = "std-condvar-spin";
}

impl Spinnable for (parking_lot::Mutex<u64>, parking_lot::Condvar) {
    const SPUN: &'static str = "parking_lot-condvar-spin";
}

impl<P: Spinnable> PingPong for Spun<P> {
    const NAME: &'static str = P::SPUN;
    fn new() -> Self {
        Spun {
            inner: P::new(),
            turn: AtomicU64::new(0),
        }
    }
    fn play(&self, me: u64) {
        backoff::<Std>(|| self.turn.load(Ordering::Acquire) != me);
        self.inner.play(me);
        self.turn.store(1 - me, Ordering::Release);
    }
}

fn ping_pong<P: PingPong>(group: &mut BenchmarkGroup<'_, WallTime>) {
    group.bench_function(P::NAME, |b| {
        b.iter_custom(|iters| {
            timed_threads(2, iters, Arc::new(P::new()), |token, me, iters| {
                (0..iters).for_each(|_| token.play(me as u64));
            })
        })
    });
}

fn signal(c: &mut Criterion) {
    let mut group = c.benchmark_group("ping-pong");
    group.throughput(Throughput::Elements(1));
    ping_pong::<synclab::Condition<u64>>(&mut group);
    ping_pong::<Events>(&mut group);
    ping_pong::<(std::sync::Mutex<u64>, std::sync::Condvar)>(&mut group);
    ping_pong::<(parking_lot::Mutex<u64>, parking_lot::Condvar)>(&mut group);
    ping_pong::<Spun<(std::sync::Mutex<u64>, std::sync::Condvar)>>(&mut group);
    ping_pong::<Spun<(parking_lot::Mutex<u64>, parking_lot::Condvar)>>(&mut group);
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = signal
}
criterion_main!(benches);

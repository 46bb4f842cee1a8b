//! Ping-pong latency between two threads: each round trip is two
//! hand-offs. synclab's Event pair and Condition against std's and
//! parking_lot's Mutex + Condvar, bare (they park at once) and with
//! synclab's spin in front (the same waiting policy as synclab's), and
//! against two crossbeam bounded(1) channels, whose waits spin with
//! backoff before they park too. The goals compare with the spinning
//! ones only: a bare Condvar parks at once, which is another policy.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use common::{in_turn, timed_threads};
use criterion::{
    BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main, measurement::WallTime,
};
use crossbeam::channel::{Receiver, Sender, bounded};
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

/// A Mutex and Condvar pair: its ping-pong, with `publish(next)` called
/// while the mutex is held, just as the turn passes to `next`.
trait CondvarPair: Send + Sync + 'static {
    const NAME: &'static str;
    /// The name of its twin with synclab's spin in front ([`Spun`]).
    const SPUN: &'static str;
    fn new() -> Self;
    fn play_then(&self, me: u64, publish: impl FnOnce(u64));
}

impl CondvarPair for (std::sync::Mutex<u64>, std::sync::Condvar) {
    const NAME: &'static str = "std-condvar";
    const SPUN: &'static str = "std-condvar-spin";
    fn new() -> Self {
        (std::sync::Mutex::new(0), std::sync::Condvar::new())
    }
    fn play_then(&self, me: u64, publish: impl FnOnce(u64)) {
        let turn = self.0.lock().unwrap();
        let mut turn = self.1.wait_while(turn, |turn| *turn != me).unwrap();
        *turn = 1 - me;
        publish(1 - me);
        drop(turn);
        self.1.notify_one();
    }
}

impl CondvarPair for (parking_lot::Mutex<u64>, parking_lot::Condvar) {
    const NAME: &'static str = "parking_lot-condvar";
    const SPUN: &'static str = "parking_lot-condvar-spin";
    fn new() -> Self {
        (parking_lot::Mutex::new(0), parking_lot::Condvar::new())
    }
    fn play_then(&self, me: u64, publish: impl FnOnce(u64)) {
        let mut turn = self.0.lock();
        self.1.wait_while(&mut turn, |turn| *turn != me);
        *turn = 1 - me;
        publish(1 - me);
        drop(turn);
        self.1.notify_one();
    }
}

/// A bare pair parks at once.
struct Bare<P>(P);

impl<P: CondvarPair> PingPong for Bare<P> {
    const NAME: &'static str = P::NAME;
    fn new() -> Self {
        Bare(P::new())
    }
    fn play(&self, me: u64) {
        self.0.play_then(me, |_| {});
    }
}

/// A Condvar ping-pong with synclab's waiting policy in front: the player
/// first spins (synclab's backoff: hints, then a few yields) on a copy of
/// the turn, published under the mutex as the turn passes (as synclab's
/// Condition publishes its sequence before it wakes anyone), and only then
/// takes the mutex and waits. The like-for-like comparator of synclab's
/// Condition and Event, which spin before they park, where a bare Condvar
/// parks at once.
struct Spun<P> {
    inner: P,
    turn: AtomicU64,
}

impl<P: CondvarPair> PingPong for Spun<P> {
    const NAME: &'static str = P::SPUN;
    fn new() -> Self {
        Spun {
            inner: P::new(),
            turn: AtomicU64::new(0),
        }
    }
    fn play(&self, me: u64) {
        backoff::<Std>(|| self.turn.load(Ordering::Acquire) != me);
        self.inner
            .play_then(me, |next| self.turn.store(next, Ordering::Release));
    }
}

/// Two crossbeam bounded(1) channels, one per direction: a token passed
/// back and forth. crossbeam's waits spin with backoff, then park.
struct Channels([(Sender<()>, Receiver<()>); 2]);

impl PingPong for Channels {
    const NAME: &'static str = "crossbeam-channel";
    fn new() -> Self {
        let channels = Channels([bounded(1), bounded(1)]);
        channels.0[0].0.send(()).unwrap();
        channels
    }
    fn play(&self, me: u64) {
        let (mine, theirs) = (&self.0[me as usize], &self.0[1 - me as usize]);
        mine.1.recv().unwrap();
        theirs.0.send(()).unwrap();
    }
}

fn ping_pong<P: PingPong>(group: &mut BenchmarkGroup<'_, WallTime>, (): ()) {
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
    type StdPair = (std::sync::Mutex<u64>, std::sync::Condvar);
    type ParkingLotPair = (parking_lot::Mutex<u64>, parking_lot::Condvar);
    in_turn(
        &mut group,
        (),
        &[
            ping_pong::<synclab::Condition<u64>>,
            ping_pong::<Events>,
            ping_pong::<Bare<StdPair>>,
            ping_pong::<Bare<ParkingLotPair>>,
            ping_pong::<Spun<StdPair>>,
            ping_pong::<Spun<ParkingLotPair>>,
            ping_pong::<Channels>,
        ],
    );
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = signal
}
criterion_main!(benches);

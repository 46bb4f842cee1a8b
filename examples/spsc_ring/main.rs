//! Check the code you ship: a single-producer single-consumer ring buffer
//! written against std, checked by swapping one `use` line.
//!
//! `ring.rs` is compiled twice: against std (what ships) and against
//! `synclab::sync` (what the checkers run). Its Relaxed twin publishes the
//! tail with `Relaxed`; loom catches the consumer reading a slot older than
//! the tail it saw, with the interleaving; the correct ring is clean under
//! every checker.
//!
//! ```text
//! cargo run --release --example spsc_ring
//! ```

use std::process::ExitCode;

use synclab::ensure;
use synclab::facade::{self, Scenario};
use synclab::lab::Budget;
use synclab::lab::checkers::Checker;
use synclab::lab::failure::{Bug, FailureKind};
use synclab::sync::Arc;
use synclab::thread;

/// The ring as it ships: std's atomics. (`main` ships only the correct
/// ring.)
#[allow(dead_code)]
mod shipped {
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

    include!("ring.rs");
}

/// The same ring, checked: the one line that changes.
pub mod checked {
    use synclab::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

    include!("ring.rs");
}

/// The producer pushes 1 and 2; the consumer pops twice and checks that
/// whatever it gets comes in order and is what was pushed.
pub struct Handoff<const RELAXED: bool>;

impl<const RELAXED: bool> Scenario for Handoff<RELAXED> {
    const NAME: &'static str = if RELAXED {
        "handoff-relaxed"
    } else {
        "handoff"
    };

    fn run() {
        let ring = Arc::new(if RELAXED {
            checked::Ring::relaxed()
        } else {
            checked::Ring::new()
        });
        let producer = {
            let ring = Arc::clone(&ring);
            thread::spawn(move || {
                ring.push(1).expect("room for 1");
                ring.push(2).expect("room for 2");
            })
        };
        let mut next = 1;
        for _ in 0..2 {
            if let Some(value) = ring.pop() {
                ensure!(
                    value == next,
                    Bug::StaleRead,
                    "popped {value}, but {next} was pushed there: the slot was read before its write"
                );
                next += 1;
            }
        }
        producer.join().expect("the producer does not panic");
    }
}

/// The shipped ring on real threads: a million values through it.
fn ship() -> u64 {
    let ring = std::sync::Arc::new(shipped::Ring::new());
    let producer = {
        let ring = std::sync::Arc::clone(&ring);
        std::thread::spawn(move || {
            for value in 1..=1_000_000 {
                while ring.push(value).is_err() {
                    std::hint::spin_loop();
                }
            }
        })
    };
    let mut sum = 0;
    let mut popped = 0;
    while popped < 1_000_000 {
        if let Some(value) = ring.pop() {
            sum += value;
            popped += 1;
        }
    }
    producer.join().expect("the producer does not panic");
    sum
}

fn main() -> ExitCode {
    let sum = ship();
    println!("shipped (std): 1..=1000000 through the ring, sum {sum}\n");
    let budget = Budget::default();

    let relaxed = facade::check::<Handoff<true>>(&budget);
    println!("{relaxed}");
    let caught = relaxed
        .caught_by(Checker::Loom)
        .is_some_and(|failure| failure.kind == FailureKind::Assertion(Bug::StaleRead));

    let correct = facade::check::<Handoff<false>>(&budget);
    println!("{correct}");

    if caught && correct.is_clean() && sum == 500_000_500_000 {
        println!("the Relaxed ring is caught by loom (a stale read); the correct ring is clean");
        ExitCode::SUCCESS
    } else {
        println!("unexpected: the Relaxed ring should be caught by loom and the correct one clean");
        ExitCode::FAILURE
    }
}

// A single-producer single-consumer ring buffer, written against std.
//
// This file has no `use` line: `main.rs` includes it twice, once after
// `use std::sync::atomic::{...}` (the code you ship) and once after
// `use synclab::sync::atomic::{...}` (the code you check). In your own
// crate that is the one line a `#[cfg(test)]` swaps.

/// How many values the ring holds.
pub const CAPACITY: usize = 2;

/// A ring buffer of `u64`s between one producer and one consumer. `tail`
/// counts pushes and `head` pops; a slot is the producer's until `tail`
/// publishes it, then the consumer's until `head` hands it back.
pub struct Ring {
    slots: [AtomicU64; CAPACITY],
    head: AtomicUsize,
    tail: AtomicUsize,
    /// How `push` stores the new tail.
    publish: Ordering,
    /// How `pop` loads the tail.
    observe: Ordering,
}

impl Default for Ring {
    fn default() -> Ring {
        Ring::new()
    }
}

impl Ring {
    /// The correct ring: `push` publishes its slot with a Release store of
    /// `tail`, `pop` observes it with an Acquire load.
    pub fn new() -> Ring {
        Ring::with(Ordering::Release, Ordering::Acquire)
    }

    /// The classic bug: `tail` is published and read with Relaxed, so
    /// nothing orders the slot's write before the tail's. The consumer can
    /// see the new tail and still read the slot's old value. x86 never
    /// shows it (its stores are not reordered); a weak memory model does,
    /// and so does loom.
    pub fn relaxed() -> Ring {
        Ring::with(Ordering::Relaxed, Ordering::Relaxed)
    }

    fn with(publish: Ordering, observe: Ordering) -> Ring {
        Ring {
            slots: [AtomicU64::new(0), AtomicU64::new(0)],
            head: AtomicUsize::new(0),
            tail: AtomicUsize::new(0),
            publish,
            observe,
        }
    }

    /// Pushes `value` (the producer only); gives it back if the ring is
    /// full.
    pub fn push(&self, value: u64) -> Result<(), u64> {
        // Only the producer writes `tail`.
        let tail = self.tail.load(Ordering::Relaxed);
        // Acquire: the consumer's read of the slot it hands back comes
        // before our write to it.
        let head = self.head.load(Ordering::Acquire);
        if tail - head == CAPACITY {
            return Err(value);
        }
        self.slots[tail % CAPACITY].store(value, Ordering::Relaxed);
        self.tail.store(tail + 1, self.publish);
        Ok(())
    }

    /// Pops the oldest value (the consumer only), if there is one.
    pub fn pop(&self) -> Option<u64> {
        // Only the consumer writes `head`.
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(self.observe);
        if head == tail {
            return None;
        }
        let value = self.slots[head % CAPACITY].load(Ordering::Relaxed);
        self.head.store(head + 1, Ordering::Release);
        Some(value)
    }
}

//! The counter's broken kind: the guide's race.

use super::{Counter, CounterKind};
use crate::backend::Backend;

/// The guide's race: read, yield, write back without the lock.
///
/// **Bug:** the read and the write back are not one atomic step, and nothing
/// keeps another thread out between them.
///
/// | T1 | T2 |
/// |---|---|
/// | read 0, yield | |
/// | | read 0, yield |
/// | write 1 | |
/// | | write 1 |
///
/// No preemption needed: the yield between the read and the write hands the
/// other thread its turn.
///
/// **Consequence:** a lost update: two increments, count 1. **Caught by**
/// loom, shuttle, and the linearizability checker (a history no order of
/// increments explains); a real-thread stress run shows how often it
/// happens. **Escapes** the sequential model run, because one thread cannot
/// race.
#[derive(Debug, Clone, Copy, Default)]
pub struct Racy;

impl CounterKind for Racy {
    fn increment<B: Backend>(counter: &Counter<B, Self>) {
        // BUG(counter-racy): was `let _guard = counter.lock.lock();`
        counter.read_yield_write();
    }
}

//! Litmus tests: the smallest programs whose outcome depends on the memory
//! model, as the catalogue runs them. Not a primitive of the guide: they
//! show what a checker's model of memory can and cannot see.
//!
//! **Store buffering** ([`store_buffering`]): each of two threads sets its
//! own flag, then reads the other's. Under sequential consistency one of
//! the two stores comes first in the single order of all four accesses, so
//! at least one thread reads the other's flag set. With weaker orderings
//! (and on real x86 hardware, whose store buffers let a load overtake the
//! thread's earlier store) both may read it unset:
//!
//! | T1 | T2 |
//! |---|---|
//! | x = 1 (still in T1's store buffer) | y = 1 (still in T2's) |
//! | reads y: 0 | reads x: 0 |
//!
//! loom needs no overlap at all: under the C11 model a load may return an
//! older value of a location when nothing orders it after the newer store,
//! so T1 may even finish first and T2, after its own store, still read x as
//! 0 (the golden trace of the broken twin shows exactly that).
//!
//! Dekker's and Peterson's mutual exclusion rest on this shape, so they need
//! SeqCst (or a SeqCst fence between the store and the load).
//!
//! What the checkers make of it:
//!
//! - the SeqCst version is correct, and shuttle (sequentially consistent)
//!   passes it; **loom flags it**: it treats SeqCst accesses as AcqRel (a
//!   documented limit), under which both loads may read 0. The catalogue
//!   shows that verdict as an *expected false alarm*, with its reason;
//! - the Release/Acquire twin is broken: loom catches it; shuttle cannot
//!   (every atomic is SeqCst there); x86 allows it, but the two threads of
//!   a stress round seldom overlap closely enough to show it.

pub mod entries;

use std::sync::Arc;

use crate::backend::{AtomicU32Ops, Backend, Ordering, run_threads};
use crate::ensure;
use crate::lab::failure::Bug;

/// What the two threads of [`store_buffering`] share: the flags, and what
/// each thread read of the other's.
struct Flags<B: Backend> {
    flags: [B::AtomicU32; 2],
    seen: [B::AtomicU32; 2],
    /// The orderings of the store and of the load.
    store: Ordering,
    load: Ordering,
}

/// The store-buffering litmus test: thread `i` stores 1 to its flag, then
/// loads the other's; with `SEQ_CST` both accesses are SeqCst, without it
/// the store is Release and the load Acquire.
///
/// Invariant: not both threads read the other's flag unset (sequential
/// consistency).
pub fn store_buffering<B: Backend, const SEQ_CST: bool>(_ops: u32) {
    let (store, load) = if SEQ_CST {
        (Ordering::SeqCst, Ordering::SeqCst)
    } else {
        // BUG(litmus-store-buffering): was SeqCst and SeqCst; Release and
        // Acquire order nothing between a store and a later load of
        // another location.
        (Ordering::Release, Ordering::Acquire)
    };
    let shared = Arc::new(Flags::<B> {
        flags: [
            B::AtomicU32::new(0).named("x"),
            B::AtomicU32::new(0).named("y"),
        ],
        seen: [
            B::AtomicU32::new(0).named("r0"),
            B::AtomicU32::new(0).named("r1"),
        ],
        store,
        load,
    });
    run_threads::<B, _>(2, &shared, |s, i| {
        s.flags[i].store(1, s.store);
        let other = s.flags[1 - i].load(s.load);
        // Relaxed: read after the join, which orders it.
        s.seen[i].store(other, Ordering::Relaxed);
    });
    let seen = shared
        .seen
        .each_ref()
        .map(|seen| seen.load(Ordering::Relaxed));
    ensure!(
        seen != [0, 0],
        Bug::StoreBuffered,
        "both threads read the other's flag unset: no single order of the four accesses does that"
    );
}

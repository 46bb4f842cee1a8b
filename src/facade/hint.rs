//! std's `hint::spin_loop`, in the caller's world: see the
//! [facade](crate::facade).

use crate::backend::{Backend, Loom, Shuttle, Std};

use super::world::{self, Kind};

/// A spin-wait hint, as std's `hint::spin_loop`; in a model, a yield to
/// the other threads, so a spin loop can end; in a stress run, also where
/// a round that hangs lets its threads go.
#[inline]
#[track_caller]
pub fn spin_loop() {
    match world::current_kind() {
        Kind::Std if world::checking() => Std::spin_loop(),
        Kind::Std => std::hint::spin_loop(),
        Kind::Loom => Loom::spin_loop(),
        Kind::Shuttle => Shuttle::spin_loop(),
    }
}

//! std's `hint::spin_loop`, in the caller's world: see the
//! [facade](crate::facade).

use crate::backend::{Backend, Loom, Shuttle};

use super::world::{self, Kind};

/// A spin-wait hint, as std's `hint::spin_loop`; in a model, a yield to
/// the other threads, so a spin loop can end.
#[inline]
#[track_caller]
pub fn spin_loop() {
    match world::current_kind() {
        Kind::Std => std::hint::spin_loop(),
        Kind::Loom => Loom::spin_loop(),
        Kind::Shuttle => Shuttle::spin_loop(),
    }
}

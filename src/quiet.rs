//! Keeps the panics that checkers provoke on purpose out of the output.
//!
//! A checker that catches a bug does so by catching a panic: a failed
//! assertion in a scenario, loom's or shuttle's deadlock report. Those panics
//! are results, not noise, and the lab reports them itself. While a checker
//! runs, its thread (and the real threads it spawns, see
//! [`Std::spawn`](crate::backend::Std)) are marked quiet, and a process-wide
//! panic hook skips the default report for quiet threads. Every other panic
//! is reported as usual.

use std::cell::Cell;
use std::sync::Once;

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with this thread's panics kept quiet, then restores the old state.
pub(crate) fn quietly<R>(f: impl FnOnce() -> R) -> R {
    install_hook();
    let was = QUIET.replace(true);
    let _restore = Restore(was);
    f()
}

/// Wraps a thread body so that the new thread inherits the spawner's quiet
/// mark.
pub(crate) fn inherit<T>(f: impl FnOnce() -> T) -> impl FnOnce() -> T {
    let quiet = QUIET.get();
    move || {
        QUIET.set(quiet);
        f()
    }
}

struct Restore(bool);

impl Drop for Restore {
    fn drop(&mut self) {
        QUIET.set(self.0);
    }
}

fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // shuttle installs its own hook (which prints the failing schedule)
        // on its first run; let it do so now, so that ours wraps it and can
        // silence it too.
        shuttle::check_random(|| {}, 1);
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.get() {
                previous(info);
            }
        }));
    });
}

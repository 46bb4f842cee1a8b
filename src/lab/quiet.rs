//! Keeps what the checkers provoke on purpose out of the output: the one
//! way the lab stays quiet, for the command line, the tests and a user's
//! own test binary alike.
//!
//! A checker that catches a bug does so by catching a panic: a failed
//! assertion in a scenario, loom's or shuttle's deadlock report. Those are
//! results, not noise, and the lab reports them itself. Two layers keep
//! them quiet:
//!
//! - **The panic hook** ([`quietly`]). The running thread (and the real
//!   threads it spawns, see [`inherit`]) is marked quiet, and a process-wide
//!   panic hook skips the default report for quiet threads. Every other
//!   panic is reported as usual.
//! - **Standard error, around shuttle runs only** ([`muted`]). shuttle also
//!   writes its own report of a failure (`test panicked in task…`, `failing
//!   seed…`) straight to standard error, outside any hook. So while a
//!   shuttle checker runs, the process's standard error (file descriptor 2)
//!   points at `/dev/null`; it is restored when the last such run finishes.
//!   Whatever another thread writes there meanwhile is lost too (a test
//!   harness that captures output, as libtest does, is not affected). The
//!   fuzz targets never mute, so a sanitizer's or libFuzzer's report always
//!   shows. Only on Unix; elsewhere shuttle's report shows.

use std::any::Any;
use std::cell::Cell;
use std::collections::VecDeque;
use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once, PoisonError};

thread_local! {
    /// The quiet section this thread runs in (inherited by the real
    /// threads it spawns), or 0 where its panics are reported as usual.
    static QUIET: Cell<u64> = const { Cell::new(0) };
}

/// Runs `f` with this thread's panics kept quiet, then restores the mark.
/// A section opened outside any other gets a number of its own, so that
/// where its panics happened is told apart from other sections' (see
/// [`panic_location`]).
pub(crate) fn quietly<R>(f: impl FnOnce() -> R) -> R {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    install_hook();
    let was = QUIET.get();
    if was == 0 {
        QUIET.set(NEXT.fetch_add(1, Ordering::Relaxed));
    }
    let _restore = Restore(was);
    f()
}

/// Where the latest panic with `message` in this thread's quiet section
/// happened (`src/lock.rs:18:9`), forgotten once taken. The panic hook
/// sees the location on the panicking thread; the thread that catches the
/// payload, perhaps another of the section's, asks here.
pub(crate) fn panic_location(message: &str) -> Option<String> {
    let section = QUIET.get();
    let mut locations = LOCATIONS.lock().unwrap_or_else(PoisonError::into_inner);
    let index = locations
        .iter()
        .rposition(|(s, m, _)| *s == section && m == message)?;
    locations.remove(index).map(|(_, _, location)| location)
}

/// A panic payload's text: the `&str` or `String` it carries.
pub(crate) fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_owned()
    }
}

/// The latest quiet panics: section, message, location.
static LOCATIONS: Mutex<VecDeque<(u64, String, String)>> = Mutex::new(VecDeque::new());

/// Notes where a panic of a quiet section happened, for [`panic_location`].
fn remember(section: u64, info: &PanicHookInfo<'_>) {
    let Some(location) = info.location() else {
        return;
    };
    let mut locations = LOCATIONS.lock().unwrap_or_else(PoisonError::into_inner);
    if locations.len() == 64 {
        locations.pop_front();
    }
    let message = payload_text(info.payload());
    locations.push_back((section, message, location.to_string()));
}

/// Runs `f` with the process's standard error pointing at `/dev/null` (see
/// the module docs), then restores it.
pub(crate) fn muted<R>(f: impl FnOnce() -> R) -> R {
    let _muted = stderr::Muted::enter();
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

struct Restore(u64);

impl Drop for Restore {
    fn drop(&mut self) {
        let closing = QUIET.replace(self.0);
        if self.0 == 0 && closing != 0 {
            // The section is over: where its panics happened is not asked
            // for any more.
            let mut locations = LOCATIONS.lock().unwrap_or_else(PoisonError::into_inner);
            locations.retain(|(section, _, _)| *section != closing);
        }
    }
}

fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // shuttle installs its own hook (which prints the failing schedule)
        // on its first run; let it do so now, so that ours wraps it and can
        // silence it too.
        let _muted = stderr::Muted::enter();
        shuttle::check_random(|| {}, 1);
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| match QUIET.get() {
            0 => previous(info),
            section => remember(section, info),
        }));
    });
}

#[cfg(unix)]
mod stderr {
    use std::os::fd::OwnedFd;
    use std::sync::{Mutex, PoisonError};

    /// How many quiet sections run now, and the real standard error while
    /// any does.
    static MUTED: Mutex<(usize, Option<OwnedFd>)> = Mutex::new((0, None));

    /// A quiet section: standard error points at `/dev/null` while at least
    /// one lives.
    pub(super) struct Muted;

    impl Muted {
        pub(super) fn enter() -> Muted {
            let mut muted = MUTED.lock().unwrap_or_else(PoisonError::into_inner);
            if muted.0 == 0 {
                // If any step fails, standard error stays as it was: noisy,
                // never lost.
                let null = std::fs::OpenOptions::new().write(true).open("/dev/null");
                let saved = rustix::io::fcntl_dupfd_cloexec(std::io::stderr(), 0);
                if let (Ok(saved), Ok(null)) = (saved, null)
                    && rustix::stdio::dup2_stderr(&null).is_ok()
                {
                    muted.1 = Some(saved);
                }
            }
            muted.0 += 1;
            Muted
        }
    }

    impl Drop for Muted {
        fn drop(&mut self) {
            let mut muted = MUTED.lock().unwrap_or_else(PoisonError::into_inner);
            muted.0 -= 1;
            if muted.0 == 0
                && let Some(saved) = muted.1.take()
            {
                let _ = rustix::stdio::dup2_stderr(&saved);
            }
        }
    }
}

#[cfg(not(unix))]
mod stderr {
    pub(super) struct Muted;

    impl Muted {
        pub(super) fn enter() -> Muted {
            Muted
        }
    }
}

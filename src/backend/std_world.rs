//! The real-thread world: std atomics, std threads, `parking_lot_core` for the
//! futex.

use std::sync::atomic::AtomicU32;
use std::time::Instant;

use parking_lot_core::{DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, ParkResult};

use super::{Backend, Deadline, Futex, Join, Ordering, UntrackedCell, delegate_atomic_u32};
use crate::lab::{census, quiet};

/// Real threads: the production world, used by benchmarks and stress runs.
///
/// ```
/// use synclab::backend::{Backend, Join, Std};
///
/// let handle = Std::spawn(|| 6 * 7);
/// assert_eq!(handle.join(), 42);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Std;

delegate_atomic_u32!(AtomicU32);

impl Backend for Std {
    const NAME: &'static str = "std";
    // std's futex mutex spins 100 times before it parks; so do we.
    const SPIN_LIMIT: u32 = 100;

    type AtomicU32 = AtomicU32;
    type Futex = StdFutex;
    type Cell<T> = UntrackedCell<T>;
    type JoinHandle<T: Send + 'static> = StdJoinHandle<T>;

    fn spawn<F, T>(f: F) -> StdJoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        StdJoinHandle(std::thread::spawn(quiet::inherit(census::inherit(f))))
    }

    #[inline]
    fn yield_now() {
        std::thread::yield_now();
    }

    #[inline]
    fn spin_loop() {
        std::hint::spin_loop();
    }

    fn current_thread() -> String {
        format!("{:?}", std::thread::current().id())
    }

    #[inline]
    fn expired(deadline: Deadline) -> bool {
        match deadline {
            Deadline::Expired => true,
            Deadline::At(at) => Instant::now() >= at,
            Deadline::Never => false,
        }
    }
}

/// The join handle of a [`Std`] thread.
#[derive(Debug)]
pub struct StdJoinHandle<T>(std::thread::JoinHandle<T>);

impl<T> Join<T> for StdJoinHandle<T> {
    fn join(self) -> T {
        census::blocked(|| self.0.join())
            .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
    }
}

/// A futex word on real threads, parked through `parking_lot_core`.
///
/// The word's address is the parking key. `parking_lot_core` re-checks the
/// word under the key's bucket lock before it sleeps, and `wake_*` take the
/// same lock, so a wake between the caller's check and its sleep is never
/// lost: the futex contract.
#[derive(Debug, Default)]
#[repr(transparent)]
pub struct StdFutex(AtomicU32);

impl StdFutex {
    #[inline]
    fn from_word(value: u32) -> Self {
        StdFutex(AtomicU32::new(value))
    }

    fn key(&self) -> usize {
        &self.0 as *const AtomicU32 as usize
    }
}

delegate_atomic_u32!(StdFutex, 0);

impl Futex for StdFutex {
    fn wait(&self, expected: u32, deadline: Deadline) -> bool {
        let timeout = match deadline {
            Deadline::Expired => return false,
            Deadline::At(at) => Some(at),
            Deadline::Never => None,
        };
        // Relaxed: the futex only decides whether to sleep; the caller
        // re-reads the word with its own ordering after waking.
        let validate = || self.0.load(Ordering::Relaxed) == expected;
        // SAFETY:
        // - the key is the address of a word this futex owns, so no other
        //   primitive parks on it;
        // - `validate` and the timeout callback do not panic and do not call
        //   into parking_lot.
        let park = || unsafe {
            parking_lot_core::park(
                self.key(),
                validate,
                || {},
                |_, _| {},
                DEFAULT_PARK_TOKEN,
                timeout,
            )
        };
        // An untimed park is blocked for the stress watchdog's census; a
        // timed one is not, since time will end it.
        let result = if timeout.is_none() {
            census::blocked(park)
        } else {
            park()
        };
        !matches!(result, ParkResult::TimedOut)
    }

    #[inline]
    fn wake_one(&self) -> bool {
        // SAFETY: the key is this futex's own address (see `wait`); the
        // callback does not panic and does not call into parking_lot.
        let result = unsafe { parking_lot_core::unpark_one(self.key(), |_| DEFAULT_UNPARK_TOKEN) };
        result.unparked_threads > 0
    }

    fn wake_all(&self) {
        // SAFETY: the key is this futex's own address (see `wait`).
        unsafe {
            parking_lot_core::unpark_all(self.key(), DEFAULT_UNPARK_TOKEN);
        }
    }
}

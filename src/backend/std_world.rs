//! The real-thread world: std atomics, std threads, `parking_lot_core` for the
//! futex.

use std::sync::Arc;
use std::sync::atomic::AtomicU32;
use std::time::Instant;

use parking_lot_core::{FilterOp, ParkResult, ParkToken, UnparkToken};

use super::threads::JoinDuty;
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

    #[track_caller]
    fn spawn<F, T>(f: F) -> StdJoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let duty = JoinDuty::new();
        let (body, exit) = census::inherit(f);
        StdJoinHandle {
            thread: std::thread::spawn(quiet::inherit(body)),
            exit,
            duty,
        }
    }

    #[inline]
    fn yield_now() {
        census::leave_if_abandoned();
        std::thread::yield_now();
    }

    #[inline]
    fn spin_loop() {
        census::leave_if_abandoned();
        std::hint::spin_loop();
    }

    fn now() -> Instant {
        Instant::now()
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
pub struct StdJoinHandle<T> {
    thread: std::thread::JoinHandle<T>,
    /// How the thread's end releases its joiner, in a stress round's census.
    exit: Option<Arc<census::Exit>>,
    duty: JoinDuty,
}

impl<T> Join<T> for StdJoinHandle<T> {
    fn join(self) -> T {
        let StdJoinHandle { thread, exit, duty } = self;
        duty.discharge();
        census::join(exit.as_ref(), || thread.join())
            .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
    }

    fn detach(self) {
        self.duty.discharge();
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
        // In a stress round, an untimed park is blocked from the moment it
        // is queued until a waker takes it off the count (see `wake`); the
        // token names the census, so only a waker of the same census does.
        let census = timeout.is_none().then(census::current).flatten();
        let token = census.as_ref().map_or(0, census::Census::token);
        let before_sleep = || {
            if let Some(census) = &census {
                census.block();
            }
        };
        // SAFETY:
        // - the key is the address of a word this futex owns, so no other
        //   primitive parks on it;
        // - `validate`, `before_sleep` and the timeout callback do not panic
        //   and do not call into parking_lot.
        let result = unsafe {
            parking_lot_core::park(
                self.key(),
                validate,
                before_sleep,
                |_, _| {},
                ParkToken(token),
                timeout,
            )
        };
        if let (Some(census), ParkResult::Unparked(UnparkToken(by))) = (&census, result)
            && by != token
        {
            // Woken by a thread of no census, or another: nobody took us
            // off the count.
            census.unblock(1);
        }
        !matches!(result, ParkResult::TimedOut)
    }

    #[inline]
    fn wake_one(&self) -> bool {
        self.wake_up_to(1) > 0
    }

    fn wake_all(&self) {
        self.wake_up_to(usize::MAX);
    }
}

impl StdFutex {
    /// Wakes at most `n` parked threads; how many it woke. In a stress
    /// round, the woken threads of this thread's census are taken off its
    /// blocked count here, as they are woken.
    fn wake_up_to(&self, n: usize) -> usize {
        let census = census::current();
        let token = census.as_ref().map_or(0, census::Census::token);
        let (mut woken, mut counted) = (0, 0);
        let filter = |parked: ParkToken| {
            if woken == n {
                return FilterOp::Stop;
            }
            woken += 1;
            if token != 0 && parked.0 == token {
                counted += 1;
            }
            FilterOp::Unpark
        };
        // SAFETY: the key is this futex's own address (see `wait`); the
        // filter and the callback do not panic and do not call into
        // parking_lot.
        let result =
            unsafe { parking_lot_core::unpark_filter(self.key(), filter, |_| UnparkToken(token)) };
        if let Some(census) = census {
            census.unblock(counted);
        }
        result.unparked_threads
    }
}

//! The model-checked worlds, loom and shuttle, written once by a macro since
//! both mirror std's API.

use std::marker::PhantomData;
use std::panic::Location;

use super::{AtomicU32Ops, Backend, CellOps, MutPtrOps, Ordering, UntrackedCell};
use crate::lab::trace;

/// An atomic that records each operation into the current
/// [trace](crate::lab::trace): the atomic of the model worlds.
#[derive(Debug)]
pub struct Traced<A, B> {
    inner: A,
    world: PhantomData<fn() -> B>,
}

impl<A, B: Backend> Traced<A, B> {
    /// Notes a SeqCst access in the trace (see [`Trace::seq_cst`](crate::lab::trace::Trace)).
    fn ordering(orders: &[Ordering]) {
        if orders.contains(&Ordering::SeqCst) {
            trace::saw_seq_cst();
        }
    }

    #[track_caller]
    fn note(&self, op: impl FnOnce() -> String) {
        trace::record(
            B::current_thread,
            self as *const Self as usize,
            op,
            Location::caller(),
        );
    }
}

impl<A: AtomicU32Ops, B: Backend> AtomicU32Ops for Traced<A, B> {
    fn new(value: u32) -> Self {
        Traced {
            inner: A::new(value),
            world: PhantomData,
        }
    }
    fn load(&self, order: Ordering) -> u32 {
        Self::ordering(&[order]);
        let value = self.inner.load(order);
        self.note(|| format!("load = {value}"));
        value
    }
    fn store(&self, value: u32, order: Ordering) {
        Self::ordering(&[order]);
        self.inner.store(value, order);
        self.note(|| format!("store {value}"));
    }
    fn swap(&self, value: u32, order: Ordering) -> u32 {
        Self::ordering(&[order]);
        let old = self.inner.swap(value, order);
        self.note(|| format!("swap {value} = {old}"));
        old
    }
    fn compare_exchange(
        &self,
        current: u32,
        new: u32,
        success: Ordering,
        failure: Ordering,
    ) -> Result<u32, u32> {
        Self::ordering(&[success, failure]);
        let result = self.inner.compare_exchange(current, new, success, failure);
        self.note(|| match result {
            Ok(_) => format!("cas {current} → {new}: ok"),
            Err(actual) => format!("cas {current} → {new}: fails, is {actual}"),
        });
        result
    }
    fn fetch_add(&self, value: u32, order: Ordering) -> u32 {
        Self::ordering(&[order]);
        let old = self.inner.fetch_add(value, order);
        self.note(|| format!("fetch_add {value} = {old}"));
        old
    }
    fn fetch_sub(&self, value: u32, order: Ordering) -> u32 {
        Self::ordering(&[order]);
        let old = self.inner.fetch_sub(value, order);
        self.note(|| format!("fetch_sub {value} = {old}"));
        old
    }
    fn fetch_or(&self, value: u32, order: Ordering) -> u32 {
        Self::ordering(&[order]);
        let old = self.inner.fetch_or(value, order);
        self.note(|| format!("fetch_or {value:#x} = {old:#x}"));
        old
    }
}

// SAFETY: loom's cell owns its `T` like std's (it adds only tracking).
unsafe impl<T> CellOps<T> for loom::cell::UnsafeCell<T> {
    type MutPtr = loom::cell::MutPtr<T>;

    fn new(value: T) -> Self {
        loom::cell::UnsafeCell::new(value)
    }
    fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        loom::cell::UnsafeCell::with(self, f)
    }
    fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        loom::cell::UnsafeCell::with_mut(self, f)
    }
    fn get_mut(&self) -> loom::cell::MutPtr<T> {
        loom::cell::UnsafeCell::get_mut(self)
    }
    fn into_inner(self) -> T {
        loom::cell::UnsafeCell::into_inner(self)
    }
}

impl<T> MutPtrOps<T> for loom::cell::MutPtr<T> {
    unsafe fn deref(&self) -> &mut T {
        // SAFETY: forwarded; loom checks the access it tracks.
        unsafe { loom::cell::MutPtr::deref(self) }
    }
}

/// Defines a model-checked world over a crate that mirrors std's sync API.
macro_rules! model_world {
    (
        $(#[$doc:meta])*
        $world:ident, $futex:ident, $handle:ident, $krate:ident, cell = $cell:ident,
        abandon_guards = $abandon:expr
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $world;

        #[doc = concat!("The futex of [`", stringify!($world), "`], emulated with the world's Mutex + Condvar.")]
        ///
        /// `wait` re-checks the word under the mutex before it sleeps on the
        /// condvar, and `wake_*` notify under the same mutex, so a wake is
        /// never lost between the check and the sleep. A wake that is never
        /// sent leaves the waiter blocked: the checker reports a deadlock.
        /// The mutex also counts the sleepers not yet woken, so `wake_one`
        /// knows whether it woke anyone.
        #[derive(Debug)]
        pub struct $futex {
            word: Traced<$krate::sync::atomic::AtomicU32, $world>,
            /// Sleepers on `woken` that no wake has yet been sent to.
            sleepers: $krate::sync::Mutex<usize>,
            woken: $krate::sync::Condvar,
        }

        impl $futex {
            fn from_word(value: u32) -> Self {
                $futex {
                    word: Traced::new(value),
                    sleepers: $krate::sync::Mutex::new(0),
                    woken: $krate::sync::Condvar::new(),
                }
            }
        }

        super::delegate_atomic_u32!($futex, word);
        super::delegate_atomic_u32!($krate::sync::atomic::AtomicU32);

        impl $futex {
            #[track_caller]
            fn note(&self, op: impl FnOnce() -> String) {
                let address = &self.word as *const _ as usize;
                let location = std::panic::Location::caller();
                trace::record(<$world as Backend>::current_thread, address, op, location);
            }
        }

        impl super::Futex for $futex {
            fn wait(&self, expected: u32, deadline: super::Deadline) -> bool {
                if <$world as super::Backend>::expired(deadline) {
                    return false;
                }
                let mut sleepers = self.sleepers.lock().unwrap_or_else(|e| e.into_inner());
                // Relaxed: the mutex orders this load after any waker's
                // store that notified before we took the mutex. A store whose
                // wake comes after our mutex section may be missed (loom can
                // read the word's older value): then we are counted a sleeper
                // before that wake looks for one, so it wakes somebody. That
                // is the kernel futex's own contract (see the comment on
                // futex_wait in the kernel's futex code): a waiter sees the
                // new value or is queued before the waker looks.
                if self.word.inner.load(super::Ordering::Relaxed) == expected {
                    *sleepers += 1;
                    self.note(|| format!("wait while {expected}: sleeps"));
                    // The waker takes us off the count when it notifies;
                    // the models have no spurious wakeups.
                    drop(self.woken.wait(sleepers).unwrap_or_else(|e| e.into_inner()));
                    self.note(|| "woken".to_owned());
                } else {
                    self.note(|| format!("wait while {expected}: changed, no sleep"));
                }
                true
            }

            fn wake_one(&self) -> bool {
                let mut sleepers = self.sleepers.lock().unwrap_or_else(|e| e.into_inner());
                let any = *sleepers > 0;
                if any {
                    *sleepers -= 1;
                    self.woken.notify_one();
                }
                self.note(|| if any { "wake one: wakes a sleeper" } else { "wake one: nobody sleeps" }.to_owned());
                any
            }

            fn wake_all(&self) {
                let mut sleepers = self.sleepers.lock().unwrap_or_else(|e| e.into_inner());
                let woken = std::mem::take(&mut *sleepers);
                self.woken.notify_all();
                self.note(|| format!("wake all: wakes {woken}"));
            }
        }

        #[doc = concat!("The join handle of a [`", stringify!($world), "`] thread.")]
        #[derive(Debug)]
        pub struct $handle<T>($krate::thread::JoinHandle<T>);

        impl<T> super::Join<T> for $handle<T> {
            fn join(self) -> T {
                self.0
                    .join()
                    .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
            }
        }

        impl super::Backend for $world {
            const NAME: &'static str = stringify!($krate);
            const SPIN_LIMIT: u32 = 0;

            type AtomicU32 = Traced<$krate::sync::atomic::AtomicU32, $world>;
            type Futex = $futex;
            type Cell<T> = $cell<T>;
            type JoinHandle<T: Send + 'static> = $handle<T>;

            fn spawn<F, T>(f: F) -> $handle<T>
            where
                F: FnOnce() -> T + Send + 'static,
                T: Send + 'static,
            {
                $handle($krate::thread::spawn(f))
            }

            fn yield_now() {
                trace::record(Self::current_thread, 0, || "yield".to_owned(), std::panic::Location::caller());
                $krate::thread::yield_now();
            }

            fn current_thread() -> String {
                format!("{:?}", $krate::thread::current().id())
            }

            fn spin_loop() {
                trace::record(Self::current_thread, 0, || "spin".to_owned(), std::panic::Location::caller());
                $krate::hint::spin_loop();
            }

            fn abandon_guards() -> bool {
                $abandon
            }

            fn expired(deadline: super::Deadline) -> bool {
                // Time does not pass inside a model: only a deadline that
                // had passed when it was made (a zero timeout) has passed.
                matches!(deadline, super::Deadline::Expired)
            }
        }
    };
}

type LoomCell<T> = loom::cell::UnsafeCell<T>;

model_world! {
    /// loom: every interleaving within a preemption bound, with the C11 weak
    /// memory model. Use only inside `loom::model`.
    ///
    /// loom treats SeqCst as AcqRel, does not model load buffering, allows at
    /// most 4 spawned threads and never fires a timeout.
    Loom, LoomFutex, LoomJoinHandle, loom, cell = LoomCell,
    abandon_guards = std::thread::panicking()
}

model_world! {
    /// shuttle: randomized and PCT schedules, sequentially consistent (every
    /// atomic is SeqCst, so ordering bugs are invisible to it). Use only
    /// inside a shuttle runner. Timed waits never time out.
    Shuttle, ShuttleFutex, ShuttleJoinHandle, shuttle, cell = UntrackedCell,
    abandon_guards = false
}

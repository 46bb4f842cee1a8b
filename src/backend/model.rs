//! The model-checked worlds, loom and shuttle, written once by a macro since
//! both mirror std's API.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::Arc;
use std::time::Instant;

use super::threads::JoinDuty;
use super::{AtomicU32Ops, Backend, CellOps, MutPtrOps, Ordering, UntrackedCell};
use crate::lab::kernel::{self, End, Sleeps};
use crate::lab::trace::{self, Access, Role};

/// An atomic that records each operation into the current
/// [trace](crate::lab::trace): the atomic of the model worlds.
#[derive(Debug)]
pub struct Traced<A, B> {
    inner: A,
    /// Its name in traces, if a primitive gave it one, and its role.
    label: std::sync::Mutex<(Option<String>, Role)>,
    world: PhantomData<fn() -> B>,
}

impl<A, B> Drop for Traced<A, B> {
    /// A word that is gone leaves the trace's objects: a later word at its
    /// address is another object, with its own name.
    fn drop(&mut self) {
        trace::forget(self as *const Self as usize);
    }
}

impl<A, B: Backend> Traced<A, B> {
    #[track_caller]
    fn note(&self, access: impl FnOnce() -> Access) {
        trace::record(
            B::current_thread,
            self as *const Self as usize,
            || self.label(),
            access,
            Location::caller(),
        );
    }

    /// Traces a futex wake on this word that woke the threads `woken`.
    #[track_caller]
    fn note_wake(&self, all: bool, woken: &[String]) {
        let address = self as *const Self as usize;
        let label = || self.label();
        trace::record_wake(
            B::current_thread,
            address,
            label,
            all,
            woken,
            Location::caller(),
        );
    }

    /// Its name, if it has one, and its role.
    fn label(&self) -> (Option<String>, Role) {
        self.labelled().clone()
    }

    fn labelled(&self) -> std::sync::MutexGuard<'_, (Option<String>, Role)> {
        self.label
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl<A: AtomicU32Ops, B: Backend> AtomicU32Ops for Traced<A, B> {
    fn new(value: u32) -> Self {
        Traced {
            inner: A::new(value),
            label: std::sync::Mutex::new((None, Role::Value)),
            world: PhantomData,
        }
    }
    fn load(&self, order: Ordering) -> u32 {
        trace::orderings(&[order]);
        let value = self.inner.load(order);
        self.note(|| Access::Load {
            value: value.into(),
        });
        value
    }
    fn store(&self, value: u32, order: Ordering) {
        trace::orderings(&[order]);
        self.inner.store(value, order);
        self.note(|| Access::Store {
            value: value.into(),
        });
    }
    fn swap(&self, value: u32, order: Ordering) -> u32 {
        trace::orderings(&[order]);
        let old = self.inner.swap(value, order);
        self.note(|| Access::Swap {
            new: value.into(),
            old: old.into(),
        });
        old
    }
    fn compare_exchange(
        &self,
        current: u32,
        new: u32,
        success: Ordering,
        failure: Ordering,
    ) -> Result<u32, u32> {
        trace::orderings(&[success, failure]);
        let result = self.inner.compare_exchange(current, new, success, failure);
        self.note(|| Access::Cas {
            current: current.into(),
            new: new.into(),
            actual: result.unwrap_or_else(|actual| actual).into(),
        });
        result
    }
    fn fetch_add(&self, value: u32, order: Ordering) -> u32 {
        trace::orderings(&[order]);
        let old = self.inner.fetch_add(value, order);
        self.note(|| Access::FetchAdd {
            by: value.into(),
            old: old.into(),
        });
        old
    }
    fn fetch_sub(&self, value: u32, order: Ordering) -> u32 {
        trace::orderings(&[order]);
        let old = self.inner.fetch_sub(value, order);
        self.note(|| Access::FetchSub {
            by: value.into(),
            old: old.into(),
        });
        old
    }
    fn fetch_or(&self, value: u32, order: Ordering) -> u32 {
        trace::orderings(&[order]);
        let old = self.inner.fetch_or(value, order);
        self.note(|| Access::FetchOr {
            bits: value.into(),
            old: old.into(),
        });
        old
    }
    fn name(&self, name: impl FnOnce() -> String) {
        self.labelled().0 = Some(name());
    }
    fn role(&self, role: Role) {
        self.labelled().1 = role;
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

/// The wait queue of a model futex: its sleepers in the order they came,
/// each with a condvar of its own (so a wake reaches exactly the sleeper it
/// means), and the sleeps ended but not yet collected by their sleepers.
#[derive(Debug)]
struct Waits<C> {
    asleep: VecDeque<Sleeper<C>>,
    ended: Vec<(u64, End)>,
}

/// One sleep on a model futex.
#[derive(Debug)]
struct Sleeper<C> {
    ticket: u64,
    wake: Arc<C>,
    /// The sleeping thread, the futex word and the wait's caller: where the
    /// trace puts a timeout or a spurious wakeup, which the kernel thread
    /// sends in the sleeper's name.
    thread: String,
    address: usize,
    location: &'static Location<'static>,
}

impl<C> Waits<C> {
    fn new() -> Self {
        Waits {
            asleep: VecDeque::new(),
            ended: Vec::new(),
        }
    }

    /// Ends the sleep at `index` of the queue as `end`; returns its condvar,
    /// to be notified, and its thread. A timeout or a spurious wakeup is
    /// traced now, in the sleeper's column (a wake is traced by its waker).
    fn end_at(&mut self, index: usize, end: End) -> Option<(Arc<C>, String)> {
        let sleeper = self.asleep.remove(index)?;
        kernel::ended(sleeper.ticket, end);
        if end != End::Woken {
            let Sleeper { thread, .. } = &sleeper;
            trace::record(
                || thread.clone(),
                sleeper.address,
                || (None, Role::Value), // its wait named it
                || ended_access(end),
                sleeper.location,
            );
        }
        self.ended.push((sleeper.ticket, end));
        Some((sleeper.wake, sleeper.thread))
    }

    /// How `ticket`'s sleep ended, once it has.
    fn collect(&mut self, ticket: u64) -> Option<End> {
        let at = self.ended.iter().position(|(t, _)| *t == ticket)?;
        Some(self.ended.swap_remove(at).1)
    }
}

/// What a sleeper's trace says when the kernel ends its sleep.
fn ended_access(end: End) -> Access {
    match end {
        End::TimedOut => Access::TimesOut {
            at: format!("{:?}", kernel::clock()),
        },
        _ => Access::Spurious,
    }
}

/// Defines a model-checked world over a crate that mirrors std's sync API.
macro_rules! model_world {
    (
        $(#[$doc:meta])*
        $world:ident, $futex:ident, $queue:ident, $handle:ident, $krate:ident, cell = $cell:ident,
        abandon_guards = $abandon:expr
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $world;

        #[doc = concat!("The futex of [`", stringify!($world), "`], emulated with the world's Mutex + Condvar.")]
        ///
        /// `wait` re-checks the word under the mutex before it sleeps, and
        /// `wake_*` end sleeps under the same mutex, so a wake is never lost
        /// between the check and the sleep. A wake that is never sent
        /// leaves the waiter blocked: the checker reports a deadlock. Each
        /// sleeper sleeps on a condvar of its own, so a wake, a timeout or a
        /// spurious wakeup (see the [kernel](crate::lab::kernel)) ends exactly the
        /// sleep it means.
        #[derive(Debug)]
        pub struct $futex {
            word: Traced<$krate::sync::atomic::AtomicU32, $world>,
            queue: Arc<$queue>,
        }

        #[doc = concat!("The wait queue of a [`", stringify!($futex), "`].")]
        #[derive(Debug)]
        struct $queue {
            waits: $krate::sync::Mutex<Waits<$krate::sync::Condvar>>,
        }

        impl $queue {
            fn lock(&self) -> $krate::sync::MutexGuard<'_, Waits<$krate::sync::Condvar>> {
                self.waits.lock().unwrap_or_else(|e| e.into_inner())
            }
        }

        impl Sleeps for $queue {
            fn end(&self, ticket: u64, end: End) {
                let mut waits = self.lock();
                let at = waits.asleep.iter().position(|s| s.ticket == ticket);
                if let Some((wake, _)) = at.and_then(|at| waits.end_at(at, end)) {
                    wake.notify_one();
                }
            }
        }

        impl $futex {
            fn from_word(value: u32) -> Self {
                $futex {
                    word: Traced::new(value),
                    queue: Arc::new($queue {
                        waits: $krate::sync::Mutex::new(Waits::new()),
                    }),
                }
            }

            #[track_caller]
            fn note(&self, access: impl FnOnce() -> Access) {
                self.word.note(access);
            }

            /// Traces a wake that woke the threads `woken`.
            #[track_caller]
            fn note_wake(&self, all: bool, woken: &[String]) {
                self.word.note_wake(all, woken);
            }
        }

        super::delegate_atomic_u32!($futex, word);
        super::delegate_atomic_u32!($krate::sync::atomic::AtomicU32);

        impl super::Futex for $futex {
            fn wait(&self, expected: u32, deadline: super::Deadline) -> bool {
                if <$world as super::Backend>::expired(deadline) {
                    return false;
                }
                let mut waits = self.queue.lock();
                // Relaxed: the mutex orders this load after any waker's
                // store that woke before we took the mutex. A store whose
                // wake comes after our mutex section may be missed (loom can
                // read the word's older value): then we are queued before
                // that wake looks for a sleeper, so it wakes somebody. That
                // is the kernel futex's own contract (see the comment on
                // futex_wait in the kernel's futex code): a waiter sees the
                // new value or is queued before the waker looks.
                if self.word.inner.load(super::Ordering::Relaxed) != expected {
                    self.note(|| Access::NoSleep { expected });
                    return true;
                }
                let ticket = kernel::ticket();
                let wake = Arc::new($krate::sync::Condvar::new());
                waits.asleep.push_back(Sleeper {
                    ticket,
                    wake: Arc::clone(&wake),
                    thread: <$world as Backend>::current_thread(),
                    address: &self.word as *const _ as usize,
                    location: std::panic::Location::caller(),
                });
                self.note(|| Access::Sleeps { expected });
                let at = match deadline {
                    super::Deadline::At(at) => Some(at),
                    _ => None,
                };
                let queue = Arc::clone(&self.queue) as Arc<dyn Sleeps>;
                kernel::sleeps(ticket, at, queue, <$world as Backend>::current_thread);
                let end = loop {
                    waits = wake.wait(waits).unwrap_or_else(|e| e.into_inner());
                    if let Some(end) = waits.collect(ticket) {
                        break end;
                    }
                };
                drop(waits);
                if end == End::Woken {
                    self.note(|| Access::Woken);
                }
                end != End::TimedOut
            }

            fn wake_one(&self) -> bool {
                // First, before the lock: loom tries the kernel's step
                // before the wake (see `kernel::Activity`).
                kernel::touch(<$world as Backend>::current_thread);
                let mut waits = self.queue.lock();
                let woken: Vec<String> = waits
                    .end_at(0, End::Woken)
                    .map(|(wake, thread)| {
                        wake.notify_one();
                        thread
                    })
                    .into_iter()
                    .collect();
                self.note_wake(false, &woken);
                !woken.is_empty()
            }

            fn wake_all(&self) {
                // First, before the lock: loom tries the kernel's step
                // before the wake (see `kernel::Activity`).
                kernel::touch(<$world as Backend>::current_thread);
                let mut waits = self.queue.lock();
                let mut woken = Vec::new();
                while let Some((wake, thread)) = waits.end_at(0, End::Woken) {
                    wake.notify_one();
                    woken.push(thread);
                }
                self.note_wake(true, &woken);
            }
        }

        #[doc = concat!("The join handle of a [`", stringify!($world), "`] thread.")]
        #[derive(Debug)]
        pub struct $handle<T>($krate::thread::JoinHandle<T>, Option<usize>, JoinDuty);

        impl<T> super::Join<T> for $handle<T> {
            fn join(self) -> T {
                let $handle(handle, thread, duty) = self;
                duty.discharge();
                if let Some(thread) = thread {
                    kernel::joins(thread);
                }
                handle
                    .join()
                    .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
            }

            fn detach(self) {
                let $handle(handle, _, duty) = self;
                duty.discharge();
                drop(handle);
            }
        }

        impl super::Backend for $world {
            const NAME: &'static str = stringify!($krate);
            const SPIN_LIMIT: u32 = 0;
            const TRACES: bool = true;

            type AtomicU32 = Traced<$krate::sync::atomic::AtomicU32, $world>;
            type Futex = $futex;
            type Cell<T> = $cell<T>;
            type JoinHandle<T: Send + 'static> = $handle<T>;

            #[track_caller]
            fn spawn<F, T>(f: F) -> $handle<T>
            where
                F: FnOnce() -> T + Send + 'static,
                T: Send + 'static,
            {
                let duty = JoinDuty::new();
                let thread = kernel::spawned();
                let body = move || {
                    let _exit = Exited(thread);
                    f()
                };
                $handle($krate::thread::spawn(body), thread, duty)
            }

            fn yield_now() {
                trace::record(Self::current_thread, 0, || (None, Role::Value), || Access::Yield, std::panic::Location::caller());
                $krate::thread::yield_now();
            }

            fn current_thread() -> String {
                format!("{:?}", $krate::thread::current().id())
            }

            fn spin_loop() {
                trace::record(Self::current_thread, 0, || (None, Role::Value), || Access::Spin, std::panic::Location::caller());
                $krate::hint::spin_loop();
            }

            fn abandon_guards() -> bool {
                $abandon
            }

            fn is_checker_panic(payload: &(dyn std::any::Any + Send)) -> bool {
                crate::lab::failure::is_checker_panic(payload, true)
            }

            fn now() -> Instant {
                kernel::now()
            }

            fn expired(deadline: super::Deadline) -> bool {
                match deadline {
                    super::Deadline::Expired => true,
                    super::Deadline::Never => false,
                    // Virtual time: passed once a timeout has moved the
                    // clock there; never when time is not modelled.
                    super::Deadline::At(at) => kernel::passed(at),
                }
            }
        }
    };
}

/// Notes a spawned model thread's end with the kernel, however its body
/// ends (a failing scenario's thread unwinds).
struct Exited(Option<usize>);

impl Drop for Exited {
    fn drop(&mut self) {
        if let Some(thread) = self.0 {
            kernel::exited(thread);
        }
    }
}

type LoomCell<T> = loom::cell::UnsafeCell<T>;

model_world! {
    /// loom: every interleaving within a preemption bound, with the C11 weak
    /// memory model. Use only inside `loom::model`.
    ///
    /// loom treats SeqCst as AcqRel, does not model load buffering and
    /// allows at most 4 spawned threads (the lab's [kernel](crate::lab::kernel)
    /// thread, which fires timeouts, among them).
    Loom, LoomFutex, LoomWaits, LoomJoinHandle, loom, cell = LoomCell,
    abandon_guards = std::thread::panicking()
}

model_world! {
    /// shuttle: randomized and PCT schedules, sequentially consistent (every
    /// atomic is SeqCst, so ordering bugs are invisible to it). Use only
    /// inside a shuttle runner. Timeouts fire in virtual time when the lab's
    /// checkers run it (see the [kernel](crate::lab::kernel)).
    Shuttle, ShuttleFutex, ShuttleWaits, ShuttleJoinHandle, shuttle, cell = UntrackedCell,
    abandon_guards = false
}

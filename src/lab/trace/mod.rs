//! The interleaving of a failing execution, as the lab shows it.
//!
//! In the model worlds (Loom and Shuttle, see the
//! crate's `backend`) every synchronization operation —
//! each atomic access, each futex wait and wake, each yield — is recorded
//! with its thread, its object, its values and its source location, while a
//! checker is tracing, and so is each public operation's call and return
//! (an [`Operation`](crate::backend::Operation) span; only the outermost on
//! a thread). loom and shuttle run all the threads of an execution on one
//! OS thread, so one thread-local log holds the execution's interleaving in
//! order. The checker clears it at the start of every execution, so when an
//! execution fails, the log is the failing one.
//!
//! A [`Trace`] renders in two forms:
//!
//! - **readable** ([`Trace::table`], [`Trace::mermaid`], [`Trace::rows`]):
//!   a column per thread as JetBrains' lincheck prints it, a row per
//!   uninterrupted run of a thread, its operations with their results and
//!   the steps inside them said by each object's [`Role`] (`takes
//!   queue.lock`, `queue.len 0 → 1`, `wakes T3 on queue.not_empty`); and a
//!   Mermaid `sequenceDiagram` of the same steps. See `readable` for the
//!   rules.
//! - **raw** ([`Trace::raw_table`], [`Trace::events`]): every recorded
//!   event with its source location, what `--raw` prints.
//!
//! Objects carry the names their primitives gave them where they were
//! created (`queue.lock`, `future2.finished`; see
//! [`AtomicU32Ops::name`](crate::backend::AtomicU32Ops::name)), read at
//! their first operation; an unnamed one is lettered. A second object of
//! the same name, by first use, is `name[2]`.

use std::cell::RefCell;
use std::fmt::{self, Write};
use std::panic::Location;

use serde::{Deserialize, Serialize};

mod readable;

pub use readable::{Row, Shape};

/// How the readable trace tells the operations on a word: what the word
/// is for, given where it is created (see
/// [`AtomicU32Ops::role`](crate::backend::AtomicU32Ops::role)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// A shared value: each access told with its values (`reads queue.len
    /// = 1`, `processed 0 → 1`). The default.
    #[default]
    Value,
    /// A lock's word, 0 when free: told as `takes`, `releases`, `finds …
    /// held`, `sees … free`.
    Lock,
    /// A word that only orders sleeps and wakes (a condition variable's
    /// sequence number): its loads, stores and read-modify-writes are left
    /// out of the readable trace, its sleeps and wakes told.
    Signal,
}

/// What one recorded operation did, with its values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// A load that returned `value`.
    Load {
        /// The value read.
        value: u64,
    },
    /// A store of `value`.
    Store {
        /// The value written.
        value: u64,
    },
    /// A swap of `new` in for `old`.
    Swap {
        /// The value written.
        new: u64,
        /// The value it replaced.
        old: u64,
    },
    /// A compare-exchange of `current` for `new` that found `actual`: it
    /// succeeded if `actual == current`.
    Cas {
        /// The value expected.
        current: u64,
        /// The value to write.
        new: u64,
        /// The value found.
        actual: u64,
    },
    /// A fetch_add of `by` to `old`.
    FetchAdd {
        /// The addend.
        by: u64,
        /// The value before.
        old: u64,
    },
    /// A fetch_sub of `by` from `old`.
    FetchSub {
        /// The subtrahend.
        by: u64,
        /// The value before.
        old: u64,
    },
    /// A fetch_or of `bits` into `old`.
    FetchOr {
        /// The bits set.
        bits: u64,
        /// The value before.
        old: u64,
    },
    /// Another read-modify-write (`fetch_and 0x3`, `fetch_max 5`,
    /// `fetch_update`) that found `old` and left `new`.
    Update {
        /// The operation, with its operand.
        op: String,
        /// The value before.
        old: u64,
        /// The value after.
        new: u64,
    },
    /// A futex wait that went to sleep while the word was `expected`.
    Sleeps {
        /// The value it slept on.
        expected: u32,
    },
    /// A futex wait that found the word changed from `expected`, and so did
    /// not sleep.
    NoSleep {
        /// The value it would have slept on.
        expected: u32,
    },
    /// A sleeper's futex wait, returning after a wake.
    Woken,
    /// A futex wake of one (`all: false`) or all sleepers: `woken` are the
    /// threads it woke (thread numbers, as [`Event::thread`]).
    Wakes {
        /// Whether it was a wake of all.
        all: bool,
        /// The threads woken.
        woken: Vec<usize>,
    },
    /// A condition variable's `notify_one` (`all: false`) or `notify_all`:
    /// loom and shuttle do not say whom it woke.
    Notifies {
        /// Whether it was `notify_all`.
        all: bool,
    },
    /// A sleep ended by its timeout, at the virtual time `at`.
    TimesOut {
        /// The virtual clock, as `Debug` prints it.
        at: String,
    },
    /// A sleep ended with no wake (the kernel's spurious wakeup).
    Spurious,
    /// `yield_now`.
    Yield,
    /// `spin_loop`.
    Spin,
    /// A primitive's public operation begins (see
    /// [`Operation`](crate::backend::Operation)): `put(2)`.
    Begins {
        /// The call, with its arguments.
        op: String,
    },
    /// The operation begun last on this thread ends, with its result where
    /// it shows one.
    Returns {
        /// The result (`1`, `true`, `Some(2)`).
        result: Option<String>,
    },
}

impl fmt::Display for Access {
    /// The raw form: `cas 0 → 1: ok`, `wait while 0: sleeps`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Access::Load { value } => write!(f, "load = {value}"),
            Access::Store { value } => write!(f, "store {value}"),
            Access::Swap { new, old } => write!(f, "swap {new} = {old}"),
            Access::Cas {
                current,
                new,
                actual,
            } if actual == current => write!(f, "cas {current} → {new}: ok"),
            Access::Cas {
                current,
                new,
                actual,
            } => write!(f, "cas {current} → {new}: fails, is {actual}"),
            Access::FetchAdd { by, old } => write!(f, "fetch_add {by} = {old}"),
            Access::FetchSub { by, old } => write!(f, "fetch_sub {by} = {old}"),
            Access::FetchOr { bits, old } => write!(f, "fetch_or {bits:#x} = {old:#x}"),
            Access::Update { op, old, new } => write!(f, "{op}: {old} → {new}"),
            Access::Sleeps { expected } => write!(f, "wait while {expected}: sleeps"),
            Access::NoSleep { expected } => write!(f, "wait while {expected}: changed, no sleep"),
            Access::Woken => f.write_str("woken"),
            Access::Wakes { all, woken } => {
                f.write_str(if *all { "wake all: " } else { "wake one: " })?;
                match woken.as_slice() {
                    [] => f.write_str("nobody sleeps"),
                    threads => write!(f, "wakes {}", thread_list(threads)),
                }
            }
            Access::Notifies { all: false } => f.write_str("notify_one"),
            Access::Notifies { all: true } => f.write_str("notify_all"),
            Access::TimesOut { at } => write!(f, "times out (virtual time {at})"),
            Access::Spurious => f.write_str("wakes spuriously (no wake was sent)"),
            Access::Yield => f.write_str("yield"),
            Access::Spin => f.write_str("spin"),
            Access::Begins { op } => write!(f, "begins {op}"),
            Access::Returns { result: None } => f.write_str("returns"),
            Access::Returns {
                result: Some(result),
            } => write!(f, "returns {result}"),
        }
    }
}

impl Access {
    /// Whether this marks an operation's beginning or end (rather than
    /// being an access of its own).
    pub fn is_marker(&self) -> bool {
        matches!(self, Access::Begins { .. } | Access::Returns { .. })
    }
}

impl Trace {
    /// Numbers the threads in the order of their first access, as the
    /// stories in the variants' doc comments do: a thread that began an
    /// operation first but touched nothing yet comes after one that did.
    fn number_threads_by_first_access(&mut self) {
        let mut order: Vec<usize> = Vec::new();
        let firsts = self.events.iter().filter(|e| !e.access.is_marker());
        for thread in firsts.chain(&self.events).map(|e| e.thread) {
            if !order.contains(&thread) {
                order.push(thread);
            }
        }
        let number = |old: usize| order.iter().position(|&t| t == old).unwrap_or(old);
        for event in &mut self.events {
            event.thread = number(event.thread);
            if let Access::Wakes { woken, .. } = &mut event.access {
                woken.iter_mut().for_each(|t| *t = number(*t));
            }
        }
    }
}

/// `T2, T3`.
fn thread_list(threads: &[usize]) -> String {
    let names: Vec<String> = threads.iter().map(|&t| thread_name(t)).collect();
    names.join(", ")
}

/// One recorded operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The thread, numbered from 0 in order of first appearance (rendered
    /// `T1`, `T2`..., see [`thread_name`]).
    pub thread: usize,
    /// The object, numbered in order of first use; `None` for an operation
    /// on no object (a yield, an operation's beginning or end). It is
    /// [`Trace::objects`]`[object]`.
    pub object: Option<usize>,
    /// What was done and what came of it.
    pub access: Access,
    /// Where in the source, e.g. `src/lock/mod.rs:140`.
    pub location: String,
}

/// An object of a trace: a word the execution used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Object {
    /// The name its primitive gave it (`queue.lock`), `name[2]` for a
    /// second of a name, or a letter (`A`, `B`...) for an unnamed one.
    pub label: String,
    /// Where it was first used, `file:line`.
    pub first: String,
    /// What it is for.
    pub role: Role,
    /// Whether its primitive named it (else it is lettered).
    pub named: bool,
}

/// The recorded interleaving of one execution.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// The operations, in the order they happened.
    pub events: Vec<Event>,
    /// How many threads took part.
    pub threads: usize,
    /// The objects, in order of first use.
    pub objects: Vec<Object>,
    /// Whether the execution made a SeqCst atomic access: loom treats SeqCst
    /// as AcqRel, so a loom catch of such an execution may be a false alarm.
    #[serde(default)]
    pub seq_cst: bool,
}

#[derive(Default)]
struct Log {
    trace: Trace,
    thread_ids: Vec<String>,
    addresses: Vec<usize>,
    /// Objects lettered so far (those without a name).
    lettered: usize,
    /// How deep in operations each thread is: only the outermost is
    /// traced.
    depth: Vec<usize>,
    /// This execution's number on this thread, told apart from the last's.
    generation: u64,
}

impl Log {
    fn thread(&mut self, label: String) -> usize {
        let index = label_index(&mut self.thread_ids, label);
        self.trace.threads = self.thread_ids.len();
        self.depth.resize(self.trace.threads, 0);
        index
    }

    /// The object at `address`, labelled at its first use.
    fn object(
        &mut self,
        address: usize,
        name: impl FnOnce() -> (Option<String>, Role),
        location: &str,
    ) -> usize {
        let index = label_index(&mut self.addresses, address);
        if index == self.trace.objects.len() {
            let (name, role) = name();
            let objects = &self.trace.objects;
            let name = name.filter(|name| !name.is_empty());
            let named = name.is_some();
            let label = match name {
                Some(name) => unique(objects, name),
                None => loop {
                    self.lettered += 1;
                    let letter = object_label(self.lettered - 1);
                    if !objects.iter().any(|known| known.label == letter) {
                        break letter;
                    }
                },
            };
            self.trace.objects.push(Object {
                label,
                first: location.to_owned(),
                role,
                named,
            });
        }
        index
    }

    fn push(&mut self, thread: usize, object: Option<usize>, access: Access, location: String) {
        self.trace.events.push(Event {
            thread,
            object,
            access,
            location,
        });
    }
}

thread_local! {
    static LOG: RefCell<Option<Log>> = const { RefCell::new(None) };
}

/// Runs `write` on the log, if tracing on this thread. A record from
/// within a record (never expected) is dropped rather than panicking.
fn with_log(write: impl FnOnce(&mut Log)) {
    // `try_with`: a model value kept in a `thread_local!` is dropped after
    // the log, at the thread's exit.
    let _ = LOG.try_with(|log| {
        if let Ok(mut log) = log.try_borrow_mut()
            && let Some(log) = log.as_mut()
        {
            write(log);
        }
    });
}

/// Starts tracing on this thread (dropping any earlier log).
fn start() {
    LOG.with(|log| *log.borrow_mut() = Some(Log::default()));
}

/// Clears the log for a new execution, if tracing.
fn reset() {
    with_log(|log| {
        let generation = log.generation + 1;
        *log = Log {
            generation,
            ..Log::default()
        }
    });
}

/// Stops tracing and returns the last execution's trace, if it recorded
/// anything.
fn stop() -> Option<Trace> {
    let log = LOG.with(|log| log.borrow_mut().take())?;
    let mut trace = log.trace;
    trace.number_threads_by_first_access();
    (!trace.events.is_empty()).then_some(trace)
}

/// Runs `work` (a checker's whole run, of many executions) while tracing on
/// this thread, and returns what it returned with the trace of its last
/// execution: the failing one, when it stopped at a failure.
pub(crate) fn traced<R>(work: impl FnOnce() -> R) -> (R, Option<Trace>) {
    start();
    let result = work();
    (result, stop())
}

/// Runs one execution: the log starts afresh, so that a failing execution
/// leaves its own interleaving, and only it, behind.
pub(crate) fn execution<R>(work: impl FnOnce() -> R) -> R {
    reset();
    work()
}

/// Notes, if tracing, that the current execution made a SeqCst access,
/// when one of `orders` (an access's orderings) is SeqCst: loom takes it
/// as AcqRel, and the report says so.
pub(crate) fn orderings(orders: &[std::sync::atomic::Ordering]) {
    if orders.contains(&std::sync::atomic::Ordering::SeqCst) {
        with_log(|log| log.trace.seq_cst = true);
    }
}

/// Forgets the object at `address`, if tracing: it is gone, and a later
/// one at the same address is another object.
pub(crate) fn forget(address: usize) {
    with_log(|log| {
        if let Some(known) = log.addresses.iter_mut().find(|known| **known == address) {
            *known = 0; // no object lives at 0
        }
    });
}

fn place(location: &Location<'_>) -> String {
    format!("{}:{}", location.file(), location.line())
}

/// Records an operation by `thread` (a label unique while the thread runs)
/// on the object at `address` (0: none) named `name` (asked at its first
/// use, with its role; unnamed objects are lettered), if tracing.
pub(crate) fn record(
    thread: impl FnOnce() -> String,
    address: usize,
    name: impl FnOnce() -> (Option<String>, Role),
    access: impl FnOnce() -> Access,
    location: &Location<'_>,
) {
    with_log(|log| {
        let thread = log.thread(thread());
        let location = place(location);
        let object = (address != 0).then(|| log.object(address, name, &location));
        log.push(thread, object, access(), location);
    });
}

/// Records a futex wake by `thread` on the word at `address`, which woke
/// the threads labelled `woken`, if tracing.
pub(crate) fn record_wake(
    thread: impl FnOnce() -> String,
    address: usize,
    name: impl FnOnce() -> (Option<String>, Role),
    all: bool,
    woken: &[String],
    location: &Location<'_>,
) {
    with_log(|log| {
        let thread = log.thread(thread());
        let woken = woken
            .iter()
            .map(|label| log.thread(label.clone()))
            .collect();
        let location = place(location);
        let object = Some(log.object(address, name, &location));
        log.push(thread, object, Access::Wakes { all, woken }, location);
    });
}

/// An operation begun on a thread: what its end needs to find it again
/// without asking the checker which thread runs (loom cannot tell once its
/// model is over, while a panic unwinds). `Copy`, so that an
/// [`Operation`](crate::backend::Operation) has nothing to drop on real
/// threads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Begun(std::num::NonZeroU64);

impl Begun {
    /// Thread `thread` (of at most 2^16) in execution `generation`, in one
    /// word that is never 0: an `Option<Begun>` is a word too.
    fn new(thread: usize, generation: u64) -> Begun {
        let word = (generation << 16 | (thread as u64 & 0xFFFF)) + 1;
        Begun(std::num::NonZeroU64::new(word).expect("a word plus one is not 0"))
    }

    fn thread(self) -> usize {
        ((self.0.get() - 1) & 0xFFFF) as usize
    }

    fn generation(self) -> u64 {
        (self.0.get() - 1) >> 16
    }
}

/// Records that `thread` begins the operation `op`, if tracing and if it is
/// not inside another operation already (only the outermost is traced: a
/// queue's `put` and not the lock it takes); what its [`end`] needs, if
/// tracing.
pub(crate) fn begin(
    thread: impl FnOnce() -> String,
    op: impl FnOnce() -> String,
    location: &Location<'_>,
) -> Option<Begun> {
    let mut begun = None;
    with_log(|log| {
        let thread = log.thread(thread());
        log.depth[thread] += 1;
        if log.depth[thread] == 1 {
            log.push(thread, None, Access::Begins { op: op() }, place(location));
        }
        begun = Some(Begun::new(thread, log.generation));
    });
    begun
}

/// Records that the operation `begun` ends with `result`, if it is the
/// outermost on its thread and was begun in this execution.
pub(crate) fn end(begun: Begun, result: impl FnOnce() -> Option<String>, location: &Location<'_>) {
    close(begun, Some((result, location)));
}

/// Forgets the operation `begun`, left by a panic: it stays open in the
/// trace (a checker's unwinding of a blocked thread is no end of its
/// operation), and the thread's later operations are traced again.
pub(crate) fn unwound(begun: Begun) {
    close(begun, None::<(fn() -> Option<String>, &Location<'_>)>);
}

fn close(begun: Begun, told: Option<(impl FnOnce() -> Option<String>, &Location<'_>)>) {
    with_log(|log| {
        if begun.generation() != log.generation & (u64::MAX >> 16) {
            return; // begun in an earlier execution
        }
        let thread = begun.thread();
        let Some(depth) = log.depth.get_mut(thread).filter(|depth| **depth > 0) else {
            return;
        };
        *depth -= 1;
        if let (0, Some((result, location))) = (*depth, told) {
            let result = result();
            log.push(thread, None, Access::Returns { result }, place(location));
        }
    });
}

fn label_index<T: PartialEq>(labels: &mut Vec<T>, label: T) -> usize {
    match labels.iter().position(|known| *known == label) {
        Some(index) => index,
        None => {
            labels.push(label);
            labels.len() - 1
        }
    }
}

/// `name`, or `name[2]`, `name[3]`... if objects of that name came first.
fn unique(objects: &[Object], name: String) -> String {
    let taken = |label: &str| objects.iter().any(|known| known.label == label);
    if !taken(&name) {
        return name;
    }
    (2..)
        .map(|n| format!("{name}[{n}]"))
        .find(|label| !taken(label))
        .expect("some number is free")
}

fn object_label(index: usize) -> String {
    let letter = char::from(b'A' + (index % 26) as u8);
    match index / 26 {
        0 => letter.to_string(),
        round => format!("{letter}{round}"),
    }
}

/// The loop a trace ends in: the thread that made most of its last events,
/// and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Spin {
    /// The spinning thread's name (`T2`).
    pub(crate) thread: String,
    /// The source location it returned to most often.
    pub(crate) location: String,
    /// Whether the loop yields (`yield_now` or `spin_loop`).
    pub(crate) yields: bool,
}

impl Spin {
    /// What to tell a user whose checker gave up in this loop.
    pub(crate) fn hint(&self) -> String {
        let Spin {
            thread, location, ..
        } = self;
        if self.yields {
            format!(
                "the loop at {location} ({thread}) yields, yet never gets out: if no thread \
                 can ever let it out, that is a livelock"
            )
        } else {
            format!(
                "the spin loop at {location} ({thread}) has no scheduling point: call \
                 `B::spin_loop()` or `B::yield_now()` in it"
            )
        }
    }
}

impl Trace {
    /// The loop this trace ends in, if it ends in one: among its last 64
    /// events, the thread with the most, and that thread's most frequent
    /// location.
    pub(crate) fn spin(&self) -> Option<Spin> {
        let raw: Vec<&Event> = self
            .events
            .iter()
            .filter(|e| !e.access.is_marker())
            .collect();
        let tail = &raw[raw.len().saturating_sub(64)..];
        let most = |keys: Vec<&str>| {
            let mut counts = std::collections::BTreeMap::<&str, usize>::new();
            keys.into_iter()
                .for_each(|key| *counts.entry(key).or_default() += 1);
            counts
                .into_iter()
                .max_by_key(|&(_, count)| count)
                .map(|(key, _)| key.to_owned())
        };
        let names: Vec<String> = tail.iter().map(|e| thread_name(e.thread)).collect();
        let thread = most(names.iter().map(String::as_str).collect())?;
        let mine: Vec<&Event> = tail
            .iter()
            .zip(&names)
            .filter(|(_, name)| **name == thread)
            .map(|(event, _)| *event)
            .collect();
        let location = most(mine.iter().map(|e| short(&e.location)).collect())?;
        let yields = mine
            .iter()
            .any(|e| matches!(e.access, Access::Yield | Access::Spin));
        Some(Spin {
            thread,
            location,
            yields,
        })
    }

    /// The trace's last `events` events, for a run that ends in a loop of
    /// thousands.
    pub(crate) fn tail(mut self, events: usize) -> Trace {
        let cut = self.events.len().saturating_sub(events);
        self.events.drain(..cut);
        self
    }

    /// The number of context switches: consecutive events of different
    /// threads.
    pub fn switches(&self) -> usize {
        self.events
            .windows(2)
            .filter(|pair| pair[0].thread != pair[1].thread)
            .count()
    }

    /// The raw trace as a Markdown table, one column per thread, one row
    /// per recorded operation (every atomic access, futex wait and wake,
    /// operation boundary), in order, each with its source location: what
    /// `--raw` prints. [`Trace::table`] is the readable form.
    pub fn raw_table(&self) -> String {
        let mut out = header(self.threads);
        for (step, event) in self.events.iter().enumerate() {
            let text = match event.object {
                Some(object) => format!("{} {}", self.objects[object].label, event.access),
                None => event.access.to_string(),
            };
            let cell = format!("{text} <sub>{}</sub>", short(&event.location));
            out.push_str(&table_row(step + 1, self.threads, event.thread, &cell));
        }
        if !self.objects.is_empty() {
            out.push_str("\n\nObjects: ");
            let legend: Vec<String> = self
                .objects
                .iter()
                .map(|object| format!("{} (first used in {})", object.label, short(&object.first)))
                .collect();
            out.push_str(&legend.join(", "));
        }
        out.push('\n');
        out
    }

    /// The shape of the raw trace without its operation markers (what
    /// the lab showed before it had readable traces): a row per atomic
    /// access, futex wait or wake and yield; a participant per thread and
    /// object, an arrow per access to an object.
    pub fn raw_shape(&self) -> Shape {
        let raw = |e: &&Event| !e.access.is_marker();
        Shape {
            rows: self.events.iter().filter(raw).count(),
            participants: self.threads + self.objects.len(),
            arrows: self.events.iter().filter(|e| e.object.is_some()).count(),
        }
    }

    /// Whether every object has a name (none is only lettered).
    pub fn all_named(&self) -> bool {
        self.objects.iter().all(|object| object.named)
    }
}

/// A table's header, with a column per thread.
fn header(threads: usize) -> String {
    let mut out = String::from("| # |");
    for thread in 0..threads {
        let _ = write!(out, " {} |", thread_name(thread));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(threads));
    out
}

/// A table's row `number`, with `cell` in `thread`'s column.
fn table_row(number: usize, threads: usize, thread: usize, cell: &str) -> String {
    let mut out = format!("\n| {number} |");
    for column in 0..threads {
        if column == thread {
            let _ = write!(out, " {cell} |");
        } else {
            out.push_str(" |");
        }
    }
    out
}

/// A thread's name in a rendered trace: `T1`, `T2`... in order of first
/// appearance, as the stories in the variants' doc comments number them.
pub fn thread_name(thread: usize) -> String {
    format!("T{}", thread + 1)
}

/// Mermaid message text may not hold `;` or `#`, nor a line break.
fn sanitize(text: &str) -> String {
    text.replace([';', '#', '\n'], ",")
}

/// A location without the `src/` prefix, for narrow columns.
fn short(location: &str) -> &str {
    location.strip_prefix("src/").unwrap_or(location)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Named objects keep their names, a second of a name is told apart, a
    /// letter never takes a name already given (nor a name a letter), an
    /// empty name is lettered, and a word that is gone leaves its address
    /// to another object.
    #[test]
    fn objects_are_named_lettered_and_told_apart() {
        let here = Location::caller();
        let ((), trace) = traced(|| {
            let op = |address: usize, name: Option<&str>| {
                let name = || (name.map(str::to_owned), Role::Value);
                let load = || Access::Load { value: 0 };
                record(|| "t".to_owned(), address, name, load, here);
            };
            op(8, Some("lock"));
            op(16, Some("lock"));
            op(24, None);
            op(32, Some("A"));
            op(40, Some(""));
            op(8, None);
            forget(8);
            op(8, Some("queue.lock"));
        });
        let trace = trace.expect("recorded");
        let labels: Vec<&str> = trace.objects.iter().map(|o| o.label.as_str()).collect();
        assert_eq!(labels, ["lock", "lock[2]", "A", "A[2]", "B", "queue.lock"]);
        assert_eq!(trace.events[5].object, Some(0), "before it was forgotten");
        assert_eq!(trace.events[6].object, Some(5));
        let mermaid = trace.mermaid();
        assert!(mermaid.contains("participant O2 as lock[2]"), "{mermaid}");
        assert!(mermaid.contains("T1->>O6: reads 0"), "{mermaid}");
    }
}

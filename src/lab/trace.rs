//! The interleaving of a failing execution, as the lab shows it.
//!
//! In the model worlds (Loom and Shuttle, see the
//! crate's `backend`) every synchronization operation —
//! each atomic access, each futex wait and wake, each yield — is recorded
//! with its thread, its object, its value and its source location, while a
//! checker is tracing. loom and shuttle run all the threads of an execution
//! on one OS thread, so one thread-local log holds the execution's
//! interleaving in order. The checker clears it at the start of every
//! execution, so when an execution fails, the log is the failing one.
//!
//! A [`Trace`] renders as a per-thread table (one column per thread, as
//! JetBrains' lincheck prints it) and as a Mermaid `sequenceDiagram`.
//! Objects carry the names their primitives gave them where they were
//! created (`queue.lock`, `future2.finished`; see
//! [`AtomicU32Ops::name`](crate::backend::AtomicU32Ops::name)), read at
//! their first operation; an unnamed one is lettered. A second object of
//! the same name, by first use, is `name[2]`.

use std::cell::RefCell;
use std::fmt::Write;
use std::panic::Location;

use serde::{Deserialize, Serialize};

/// One recorded operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The thread, numbered from 0 in order of first appearance (rendered
    /// `T1`, `T2`..., see [`thread_name`]).
    pub thread: usize,
    /// The object, numbered in order of first use; `None` for an operation
    /// on no object (a yield). Its label is in [`Trace::objects`]: the name
    /// its primitive gave it (`queue.lock`), or a letter (`A`, `B`...).
    pub object: Option<usize>,
    /// What was done and what came of it, e.g. `compare_exchange(0 → 1) = Ok(0)`.
    pub op: String,
    /// Where in the source, e.g. `src/lock/mod.rs:140`.
    pub location: String,
}

/// The recorded interleaving of one execution.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// The operations, in the order they happened.
    pub events: Vec<Event>,
    /// How many threads took part.
    pub threads: usize,
    /// Each object's label and the place that first used it.
    pub objects: Vec<(String, String)>,
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
}

thread_local! {
    static LOG: RefCell<Option<Log>> = const { RefCell::new(None) };
}

/// Starts tracing on this thread (dropping any earlier log).
fn start() {
    LOG.with(|log| *log.borrow_mut() = Some(Log::default()));
}

/// Clears the log for a new execution, if tracing.
fn reset() {
    LOG.with(|log| {
        if let Some(log) = log.borrow_mut().as_mut() {
            *log = Log::default();
        }
    });
}

/// Stops tracing and returns the last execution's trace, if it recorded
/// anything.
fn stop() -> Option<Trace> {
    let log = LOG.with(|log| log.borrow_mut().take())?;
    (!log.trace.events.is_empty()).then_some(log.trace)
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

/// Notes that the current execution made a SeqCst access, if tracing.
pub(crate) fn saw_seq_cst() {
    LOG.with(|log| {
        if let Ok(mut log) = log.try_borrow_mut()
            && let Some(log) = log.as_mut()
        {
            log.trace.seq_cst = true;
        }
    });
}

/// Forgets the object at `address`, if tracing: it is gone, and a later
/// one at the same address is another object.
pub(crate) fn forget(address: usize) {
    LOG.with(|log| {
        if let Ok(mut log) = log.try_borrow_mut()
            && let Some(log) = log.as_mut()
            && let Some(known) = log.addresses.iter_mut().find(|known| **known == address)
        {
            *known = 0; // no object lives at 0
        }
    });
}

/// Records an operation by `thread` (a label unique while the thread runs)
/// on the object at `address` (0: none) named `name` (asked at its first
/// use; unnamed objects are lettered), if tracing.
pub(crate) fn record(
    thread: impl FnOnce() -> String,
    address: usize,
    name: impl FnOnce() -> Option<String>,
    op: impl FnOnce() -> String,
    location: &Location<'_>,
) {
    LOG.with(|log| {
        // try_borrow_mut: a record from within a record (never expected)
        // is dropped rather than panicking.
        let Ok(mut log) = log.try_borrow_mut() else {
            return;
        };
        let Some(log) = log.as_mut() else { return };
        let thread = label_index(&mut log.thread_ids, thread());
        log.trace.threads = log.thread_ids.len();
        let location = format!("{}:{}", location.file(), location.line());
        let object = (address != 0).then(|| {
            let index = label_index(&mut log.addresses, address);
            if index == log.trace.objects.len() {
                let objects = &log.trace.objects;
                let label = match name().filter(|name| !name.is_empty()) {
                    Some(name) => unique(objects, name),
                    None => loop {
                        log.lettered += 1;
                        let letter = object_label(log.lettered - 1);
                        if !objects.iter().any(|(known, _)| *known == letter) {
                            break letter;
                        }
                    },
                };
                log.trace.objects.push((label, location.clone()));
            }
            index
        });
        log.trace.events.push(Event {
            thread,
            object,
            op: op(),
            location,
        });
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
fn unique(objects: &[(String, String)], name: String) -> String {
    let taken = |label: &str| objects.iter().any(|(known, _)| known == label);
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
        let tail = &self.events[self.events.len().saturating_sub(64)..];
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
            .map(|(event, _)| event)
            .collect();
        let location = most(mine.iter().map(|e| short(&e.location)).collect())?;
        let yields = mine.iter().any(|e| e.op == "yield" || e.op == "spin");
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

    fn describe(&self, event: &Event) -> String {
        match event.object {
            Some(object) => format!("{} {}", self.objects[object].0, event.op),
            None => event.op.clone(),
        }
    }

    /// The trace as a Markdown table, one column per thread, one row per
    /// operation, in order, each with its source location.
    pub fn table(&self) -> String {
        self.render_table(true)
    }

    /// [`Trace::table`] with each location's file but not its line: what a
    /// golden counterexample commits, so that an edit that only moves lines
    /// does not change it.
    pub fn golden_table(&self) -> String {
        self.render_table(false)
    }

    fn render_table(&self, lines: bool) -> String {
        let place = |location: &str| -> String {
            let short = short(location);
            match short.rsplit_once(':') {
                Some((file, _)) if !lines => file.to_owned(),
                _ => short.to_owned(),
            }
        };
        let mut out = String::from("| # |");
        for thread in 0..self.threads {
            let _ = write!(out, " {} |", thread_name(thread));
        }
        out.push_str("\n|---|");
        out.push_str(&"---|".repeat(self.threads));
        for (step, event) in self.events.iter().enumerate() {
            let _ = write!(out, "\n| {} |", step + 1);
            for thread in 0..self.threads {
                if thread == event.thread {
                    let _ = write!(
                        out,
                        " {} <sub>{}</sub> |",
                        self.describe(event),
                        place(&event.location)
                    );
                } else {
                    out.push_str(" |");
                }
            }
        }
        if !self.objects.is_empty() {
            out.push_str("\n\nObjects: ");
            let legend: Vec<String> = self
                .objects
                .iter()
                .map(|(label, first)| format!("{label} (first used in {})", place(first)))
                .collect();
            out.push_str(&legend.join(", "));
        }
        out.push('\n');
        out
    }

    /// The trace as a Mermaid `sequenceDiagram`: threads and objects are
    /// participants (an object as `O1`, `O2`... shown by its label), each
    /// operation an arrow from its thread to its object.
    pub fn mermaid(&self) -> String {
        let mut out = String::from("sequenceDiagram\n");
        for thread in 0..self.threads {
            let _ = writeln!(out, "    participant {}", thread_name(thread));
        }
        for (index, (label, _)) in self.objects.iter().enumerate() {
            let _ = writeln!(out, "    participant O{} as {}", index + 1, sanitize(label));
        }
        for event in &self.events {
            let text = sanitize(&event.op);
            match event.object {
                Some(object) => {
                    let _ = writeln!(
                        out,
                        "    {}->>O{}: {text}",
                        thread_name(event.thread),
                        object + 1
                    );
                }
                None => {
                    let _ = writeln!(out, "    Note over {}: {text}", thread_name(event.thread));
                }
            }
        }
        out
    }
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
                let name = || name.map(str::to_owned);
                record(|| "t".to_owned(), address, name, || "load".to_owned(), here);
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
        let labels: Vec<&str> = trace
            .objects
            .iter()
            .map(|(label, _)| label.as_str())
            .collect();
        assert_eq!(labels, ["lock", "lock[2]", "A", "A[2]", "B", "queue.lock"]);
        assert_eq!(trace.events[5].object, Some(0), "before it was forgotten");
        assert_eq!(trace.events[6].object, Some(5));
        let mermaid = trace.mermaid();
        assert!(mermaid.contains("participant O2 as lock[2]"), "{mermaid}");
        assert!(mermaid.contains("T1->>O6: load"), "{mermaid}");
    }
}

//! The readable trace: the recorded operations told as a person reasons
//! about them, a row per uninterrupted run of a thread.
//!
//! Each event is *said* by its object's [`Role`]: a lock's word is taken
//! and released, a value is read and written with its values, a condition
//! variable's sequence number is left out while its sleeps and wakes are
//! told, a wake names the threads it woke. The primitives' public
//! operations (`put(2)`, `get() → 1`) group the steps inside them, their
//! results on their calls; an operation that a context switch cuts goes on
//! in its thread's next row (`…put(2):`), and one cut before it did
//! anything told starts in the row where it does. Within a row,
//! neighbouring steps merge where a person would say them at once: a read
//! and then a write of one value (`reads semaphore = 2, writes 1`: two
//! steps, which another thread could come between, unlike an atomic `2 →
//! 1`), a lock taken and released at once, a step repeated (`×3`). A lock
//! taken and released inside an operation that ran with no other thread
//! between is left out: it excluded nobody.
//!
//! Every new row is a context switch. A `⇄` inside a row marks one whose
//! other side did nothing the readable trace tells (a thread's read of a
//! condition's sequence number, say). The raw events stay in
//! [`Trace::events`] and [`Trace::raw_table`].

use std::fmt::Write;

use serde::Serialize;

use super::{Access, Object, Role, Trace, header, sanitize, table_row, thread_list, thread_name};

/// A row of the readable trace: a thread's uninterrupted run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The thread, rendered `T1`, `T2`...
    pub thread: String,
    /// What it did, e.g. `get(): sleeps on queue.not_empty (blocked)`.
    pub text: String,
}

/// How long a trace reads: rows of its table, participants and arrows of
/// its diagram.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Shape {
    /// Rows of the table.
    pub rows: usize,
    /// Participants of the Mermaid diagram: threads and objects.
    pub participants: usize,
    /// Arrows of the Mermaid diagram.
    pub arrows: usize,
}

/// What a person reads for one event.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Said {
    /// A public operation begins.
    Begins(String),
    /// An operation begun in an earlier row goes on.
    Continues(String),
    /// The operation ends, with its result where it shows one.
    Returns(Option<String>),
    /// Something done to an object.
    On(usize, Deed),
    Yields,
    Spins,
    /// Other threads ran here, doing nothing told.
    Switch,
}

/// What was done to an object.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Deed {
    Reads(String),
    Writes(String),
    /// A read and then a write: two steps, which another thread could
    /// come between.
    ReadsWrites(String, String),
    /// One atomic read-modify-write.
    Changes(String, String),
    Fails {
        expected: String,
        actual: String,
    },
    /// A lock taken, leaving its word at the value given where that is
    /// not the plain locked 1 (a contended mark).
    Takes(Option<String>),
    /// A lock released, from the value given where that was not the plain
    /// locked 1 (contended, or already free).
    Releases(Option<String>),
    TakesReleases,
    SeesFree,
    FindsHeld,
    Sleeps,
    NoSleep,
    Woken,
    Wakes(Vec<usize>),
    /// A condition variable notified, one waiter or all: whom it woke the
    /// checker does not say.
    Notifies(bool),
    TimesOut(String),
    Spurious,
}

impl Deed {
    /// The step as a table tells it, the object being `object`, of `role`.
    fn text(&self, object: &str, role: Role) -> String {
        let from = |value: &Option<String>| match value {
            Some(value) => format!(" (was {value})"),
            None => String::new(),
        };
        match self {
            Deed::Reads(value) => format!("reads {object} = {value}"),
            Deed::Writes(value) => format!("writes {object} = {value}"),
            Deed::ReadsWrites(read, written) => {
                format!("reads {object} = {read}, writes {written}")
            }
            Deed::Changes(old, new) => format!("{object} {old} → {new}"),
            Deed::Fails { expected, actual } => {
                format!("finds {object} = {actual}, not {expected}")
            }
            Deed::Takes(None) => format!("takes {object}"),
            Deed::Takes(Some(value)) => format!("takes {object} (sets {value})"),
            Deed::Releases(value) => format!("releases {object}{}", from(value)),
            Deed::TakesReleases => format!("takes and releases {object}"),
            Deed::SeesFree => format!("sees {object} free"),
            Deed::FindsHeld => format!("finds {object} held"),
            Deed::Sleeps => format!("sleeps on {object}"),
            Deed::NoSleep if role == Role::Signal => format!("finds {object} signalled: no sleep"),
            Deed::NoSleep => format!("finds {object} changed: no sleep"),
            Deed::Woken => format!("woken on {object}"),
            Deed::Wakes(woken) if woken.is_empty() => format!("wakes nobody on {object}"),
            Deed::Wakes(woken) => format!("wakes {} on {object}", thread_list(woken)),
            Deed::Notifies(false) => format!("notifies one on {object}"),
            Deed::Notifies(true) => format!("notifies all on {object}"),
            Deed::TimesOut(at) => format!("times out on {object} ({at})"),
            Deed::Spurious => format!("wakes spuriously on {object}"),
        }
    }

    /// The step as an arrow to its object says it (`reads 1`), or `None`
    /// for a step the diagram draws as a note or as an arrow between
    /// threads (sleeps, wakes).
    fn arrow(&self) -> Option<String> {
        let from = |value: &Option<String>| match value {
            Some(value) => format!(" (was {value})"),
            None => String::new(),
        };
        Some(match self {
            Deed::Reads(value) => format!("reads {value}"),
            Deed::Writes(value) => format!("writes {value}"),
            Deed::ReadsWrites(read, written) => format!("reads {read}, writes {written}"),
            Deed::Changes(old, new) => format!("{old} → {new}"),
            Deed::Fails { expected, actual } => format!("finds {actual}, not {expected}"),
            Deed::Takes(None) => "takes".to_owned(),
            Deed::Takes(Some(value)) => format!("takes (sets {value})"),
            Deed::Releases(value) => format!("releases{}", from(value)),
            Deed::TakesReleases => "takes and releases".to_owned(),
            Deed::Notifies(false) => "notifies one".to_owned(),
            Deed::Notifies(true) => "notifies all".to_owned(),
            Deed::SeesFree => "sees free".to_owned(),
            Deed::FindsHeld => "finds held".to_owned(),
            _ => return None,
        })
    }
}

/// A value as the readable trace shows it: flags in high bits (a
/// semaphore's waiter bit) read better in hex.
fn number(value: u64) -> String {
    if value < 0x1_0000 {
        value.to_string()
    } else {
        format!("{value:#x}")
    }
}

/// How an access on a lock's word (0 free, 1 locked, more: locked with a
/// mark, such as contended) is said; `None` for one said as on a value.
fn lock_deed(access: &Access) -> Option<Deed> {
    let set = |new: u64| (new != 1).then(|| number(new));
    Some(match *access {
        Access::Load { value: 0 } => Deed::SeesFree,
        Access::Load { .. } => Deed::FindsHeld,
        Access::Store { value: 0 } => Deed::Releases(None),
        Access::Store { value } => Deed::Takes(set(value)),
        Access::Swap { new: 0, old } => Deed::Releases(set(old)),
        Access::Swap { new, old: 0 } => Deed::Takes(set(new)),
        Access::Swap { new, old } if new == old => Deed::FindsHeld,
        Access::Cas {
            current,
            new,
            actual,
        } if actual == current => match (current, new) {
            (_, 0) => Deed::Releases(set(current)),
            (0, _) => Deed::Takes(set(new)),
            _ => return None, // a mark changed: a value's change
        },
        // A failed take finds it held; a failed release is told as is.
        Access::Cas { new, actual, .. } if new != 0 && actual != 0 => Deed::FindsHeld,
        _ => return None,
    })
}

/// How `access` on an object of `role` is said; `None` for what the
/// readable trace leaves out.
fn deed(role: Role, access: &Access) -> Option<Deed> {
    let change = |old: u64, new: u64| Deed::Changes(number(old), number(new));
    Some(match (role, access) {
        (_, Access::Sleeps { .. }) => Deed::Sleeps,
        (_, Access::NoSleep { .. }) => Deed::NoSleep,
        (_, Access::Woken) => Deed::Woken,
        (_, Access::Wakes { woken, .. }) => Deed::Wakes(woken.clone()),
        (_, &Access::Notifies { all }) => Deed::Notifies(all),
        (_, Access::TimesOut { at }) => Deed::TimesOut(at.clone()),
        (_, Access::Spurious) => Deed::Spurious,
        (Role::Signal, _) => return None,
        (Role::Lock, access) if lock_deed(access).is_some() => return lock_deed(access),
        (_, Access::Load { value }) => Deed::Reads(number(*value)),
        (_, Access::Store { value }) => Deed::Writes(number(*value)),
        (_, &Access::Swap { new, old }) => change(old, new),
        (
            _,
            &Access::Cas {
                current,
                new,
                actual,
            },
        ) if actual == current => change(current, new),
        (
            _,
            &Access::Cas {
                current, actual, ..
            },
        ) => Deed::Fails {
            expected: number(current),
            actual: number(actual),
        },
        (_, &Access::FetchAdd { by, old }) => change(old, old.wrapping_add(by)),
        (_, &Access::FetchSub { by, old }) => change(old, old.wrapping_sub(by)),
        (_, &Access::FetchOr { bits, old }) => {
            Deed::Changes(format!("{old:#x}"), format!("{:#x}", old | bits))
        }
        (_, &Access::Update { old, new, .. }) => change(old, new),
        (_, Access::Yield | Access::Spin | Access::Begins { .. } | Access::Returns { .. }) => {
            return None;
        }
    })
}

/// A row being built: its thread and what it says, each with a count of
/// repeats.
struct Draft {
    thread: usize,
    said: Vec<(Said, usize)>,
}

impl Draft {
    /// Adds `said`, merged with the step before where a person would say
    /// them at once. A lock found held again is one finding (a retry); a
    /// read and then a write of one value are told together.
    fn push(&mut self, said: Said) {
        if let Some((last, count)) = self.said.last_mut() {
            let repeatable = !matches!(said, Said::Begins(_) | Said::Returns(_));
            if *last == said && repeatable {
                if !matches!(said, Said::On(_, Deed::FindsHeld)) {
                    *count += 1;
                }
                return;
            }
            if let (1, Said::On(a, before), Said::On(b, after)) = (*count, &*last, &said)
                && a == b
            {
                let merged = match (before, after) {
                    (Deed::Reads(old), Deed::Writes(new)) => {
                        Some(Deed::ReadsWrites(old.clone(), new.clone()))
                    }
                    (Deed::Takes(None), Deed::Releases(None)) => Some(Deed::TakesReleases),
                    _ => None,
                };
                if let Some(merged) = merged {
                    *last = Said::On(*a, merged);
                    return;
                }
            }
        }
        self.said.push((said, 1));
    }

    /// Leaves out, inside each operation that runs from its call to its
    /// return in this row with nothing between (no switch), every lock it
    /// takes and releases again: it excluded nobody. A lock it only takes,
    /// or only releases, stays told.
    fn untell_unneeded_locks(&mut self) {
        let mut unneeded = vec![false; self.said.len()];
        let mut call = None;
        for (index, (said, _)) in self.said.iter().enumerate() {
            match said {
                Said::Begins(_) => call = Some(index),
                Said::Continues(_) | Said::Switch => call = None,
                Said::Returns(_) => {
                    if let Some(call) = call.take() {
                        mark_pairs(&self.said[call..index], &mut unneeded[call..index]);
                    }
                }
                _ => {}
            }
        }
        let mut unneeded = unneeded.into_iter();
        self.said.retain(|_| !unneeded.next().unwrap_or(false));
    }
}

/// Marks in `unneeded` each lock of `said` taken and released at once, and
/// each take matched by a later release of the same lock.
fn mark_pairs(said: &[(Said, usize)], unneeded: &mut [bool]) {
    for (index, (step, _)) in said.iter().enumerate() {
        match step {
            Said::On(_, Deed::TakesReleases) => unneeded[index] = true,
            Said::On(object, Deed::Takes(_)) if !unneeded[index] => {
                let release = said[index + 1..].iter().position(
                    |(later, _)| matches!(later, Said::On(o, Deed::Releases(_)) if o == object),
                );
                if let Some(release) = release {
                    unneeded[index] = true;
                    unneeded[index + 1 + release] = true;
                }
            }
            _ => {}
        }
    }
}

/// ` ×n` for a step said `count` times, nothing for once.
fn times(count: usize) -> String {
    if count > 1 {
        format!(" ×{count}")
    } else {
        String::new()
    }
}

impl Trace {
    /// What each event says, in order, with its thread: `None` for an event
    /// the readable trace leaves out.
    fn said(&self) -> Vec<(usize, Option<Said>)> {
        self.events
            .iter()
            .map(|event| {
                let said = match (&event.access, event.object) {
                    (Access::Begins { op }, _) => Some(Said::Begins(op.clone())),
                    (Access::Returns { result }, _) => Some(Said::Returns(result.clone())),
                    (Access::Yield, _) => Some(Said::Yields),
                    (Access::Spin, _) => Some(Said::Spins),
                    (access, Some(object)) => {
                        deed(self.objects[object].role, access).map(|d| Said::On(object, d))
                    }
                    (_, None) => None,
                };
                (event.thread, said)
            })
            .collect()
    }

    /// The rows, drafted: a row per run of a thread's told events.
    fn drafts(&self) -> Vec<Draft> {
        let mut drafts: Vec<Draft> = Vec::new();
        let mut open: Vec<Option<String>> = vec![None; self.threads];
        let mut unseen = false;
        for (thread, said) in self.said() {
            let Some(said) = said else {
                unseen |= drafts.last().is_some_and(|row| row.thread != thread);
                continue;
            };
            match drafts.last_mut() {
                Some(row) if row.thread == thread => {
                    if unseen {
                        row.push(Said::Switch);
                    }
                }
                _ => {
                    let mut row = Draft {
                        thread,
                        said: Vec::new(),
                    };
                    if let (Some(op), false) = (&open[thread], matches!(said, Said::Begins(_))) {
                        row.push(Said::Continues(op.clone()));
                    }
                    drafts.push(row);
                }
            }
            unseen = false;
            match &said {
                Said::Begins(op) => open[thread] = Some(op.clone()),
                Said::Returns(_) => open[thread] = None,
                _ => {}
            }
            drafts.last_mut().expect("pushed").push(said);
        }
        drop_empty_calls(&mut drafts);
        drafts.iter_mut().for_each(Draft::untell_unneeded_locks);
        drafts
    }

    /// The readable rows: each a thread's uninterrupted run, its
    /// operations with their results and steps; an operation still going
    /// on at a row's end ends in `…`. A thread asleep at the end of the
    /// trace is `(blocked)`, or `(woken, not yet run)` if a wake named it.
    pub fn rows(&self) -> Vec<Row> {
        self.rows_of(&self.drafts())
    }

    fn rows_of(&self, drafts: &[Draft]) -> Vec<Row> {
        drafts
            .iter()
            .enumerate()
            .map(|(index, draft)| Row {
                thread: thread_name(draft.thread),
                text: self.row_text(draft, self.ending(drafts, index)),
            })
            .collect()
    }

    /// How row `index` ends if its thread sleeps at its end and never runs
    /// again: blocked, or woken by a later row's wake.
    fn ending(&self, drafts: &[Draft], index: usize) -> Option<&'static str> {
        let draft = &drafts[index];
        let later = &drafts[index + 1..];
        let asleep = matches!(draft.said.last(), Some((Said::On(_, Deed::Sleeps), _)));
        if !asleep || later.iter().any(|row| row.thread == draft.thread) {
            return None;
        }
        let woken = later.iter().flat_map(|row| &row.said).any(
            |(said, _)| matches!(said, Said::On(_, Deed::Wakes(woken)) if woken.contains(&draft.thread)),
        );
        Some(if woken {
            " (woken, not yet run)"
        } else {
            " (blocked)"
        })
    }

    fn row_text(&self, draft: &Draft, ending: Option<&str>) -> String {
        let mut segments: Vec<String> = Vec::new();
        // The segment being written: its operation, if any, and its steps.
        let mut head: Option<String> = None;
        let mut steps: Vec<String> = Vec::new();
        for (said, count) in &draft.said {
            match said {
                Said::Begins(op) | Said::Continues(op) => {
                    segments.extend(segment(head.take(), &mut steps, ""));
                    let dots = if matches!(said, Said::Continues(_)) {
                        "…"
                    } else {
                        ""
                    };
                    head = Some(format!("{dots}{op}"));
                }
                Said::Returns(result) => {
                    let result = result.as_ref().map_or(String::new(), |r| format!(" → {r}"));
                    match head.take() {
                        Some(op) => segments.extend(segment(Some(op + &result), &mut steps, "")),
                        None => steps.push(format!("returns{result}")),
                    }
                }
                Said::On(object, deed) => {
                    let object = &self.objects[*object];
                    steps.push(deed.text(&object.label, object.role) + &times(*count));
                }
                Said::Yields => steps.push(format!("yields{}", times(*count))),
                Said::Spins => steps.push(format!("spins{}", times(*count))),
                Said::Switch => steps.push(SWITCH.to_owned()),
            }
        }
        let tail = match (&head, ending) {
            (_, Some(ending)) => ending,
            (Some(_), None) => " …",
            (None, None) => "",
        };
        segments.extend(segment(head, &mut steps, tail));
        segments.join(" · ")
    }

    /// The readable trace as a Markdown table: a column per thread, a row
    /// per uninterrupted run (every new row is a context switch), no
    /// source locations ([`Trace::raw_table`] has them).
    pub fn table(&self) -> String {
        let drafts = self.drafts();
        let mut out = header(self.threads);
        for (index, (draft, row)) in drafts.iter().zip(self.rows_of(&drafts)).enumerate() {
            out.push_str(&table_row(index + 1, self.threads, draft.thread, &row.text));
        }
        out.push('\n');
        out
    }

    /// The readable trace as a Mermaid `sequenceDiagram`: a participant per
    /// thread and per object that a told step touches (an object as `O1`,
    /// `O2`... shown by its label); an arrow per told step on an object,
    /// a dotted arrow from a waker to each thread it wakes; notes for the
    /// operations, their results, sleeps and the other wait endings.
    pub fn mermaid(&self) -> String {
        self.diagram(&self.drafts()).0
    }

    /// The diagram of `drafts`, with its shape (rows, participants,
    /// arrows).
    fn diagram(&self, drafts: &[Draft]) -> (String, Shape) {
        let mut used: Vec<usize> = drafts
            .iter()
            .flat_map(|row| &row.said)
            .filter_map(|(said, _)| match said {
                Said::On(object, deed) if deed.arrow().is_some() => Some(*object),
                _ => None,
            })
            .collect();
        used.sort_unstable();
        used.dedup();
        let mut out = String::from("sequenceDiagram\n");
        for thread in 0..self.threads {
            let _ = writeln!(out, "    participant {}", thread_name(thread));
        }
        for &object in &used {
            let label = sanitize(&self.objects[object].label);
            let _ = writeln!(out, "    participant O{} as {label}", object + 1);
        }
        let mut arrows = 0;
        for row in drafts {
            let thread = thread_name(row.thread);
            let note = |text: String| format!("    Note over {thread}: {}\n", sanitize(&text));
            let mut said = row.said.iter().peekable();
            while let Some((said_now, count)) = said.next() {
                let line = match said_now {
                    // An operation with nothing told inside: one note.
                    Said::Begins(op) => {
                        match said.next_if(|(s, _)| matches!(s, Said::Returns(_))) {
                            Some((Said::Returns(Some(result)), _)) => {
                                note(format!("{op} → {result}"))
                            }
                            _ => note(op.clone()),
                        }
                    }
                    Said::Returns(Some(result)) => note(format!("→ {result}")),
                    Said::Returns(None) | Said::Continues(_) | Said::Switch => continue,
                    Said::Yields => note(format!("yields{}", times(*count))),
                    Said::Spins => note(format!("spins{}", times(*count))),
                    Said::On(object, Deed::Wakes(woken)) if !woken.is_empty() => {
                        let label = sanitize(&self.objects[*object].label);
                        arrows += woken.len();
                        woken
                            .iter()
                            .map(|&t| {
                                format!("    {thread}-->>{}: wakes ({label})\n", thread_name(t))
                            })
                            .collect()
                    }
                    Said::On(object, deed) => {
                        let Object { label, role, .. } = &self.objects[*object];
                        match deed.arrow() {
                            Some(arrow) => {
                                arrows += 1;
                                let arrow = sanitize(&(arrow + &times(*count)));
                                format!("    {thread}->>O{}: {arrow}\n", object + 1)
                            }
                            None => note(deed.text(label, *role) + &times(*count)),
                        }
                    }
                };
                out.push_str(&line);
            }
        }
        let shape = Shape {
            rows: drafts.len(),
            participants: self.threads + used.len(),
            arrows,
        };
        (out, shape)
    }

    /// The shape of the readable trace: rows of [`Trace::table`],
    /// participants and arrows of [`Trace::mermaid`].
    pub fn shape(&self) -> Shape {
        self.diagram(&self.drafts()).1
    }
}

/// Drops each row that only begins an operation (cut by a switch before
/// it did anything told): the operation begins in its thread's next row
/// instead of going on there.
fn drop_empty_calls(drafts: &mut Vec<Draft>) {
    let mut index = 0;
    while index < drafts.len() {
        let Draft { thread, said } = &drafts[index];
        let [(Said::Begins(op), _)] = said.as_slice() else {
            index += 1;
            continue;
        };
        let (thread, op) = (*thread, op.clone());
        if let Some(next) = drafts[index + 1..]
            .iter_mut()
            .find(|row| row.thread == thread)
            && let Some((first, _)) = next.said.first_mut()
            && *first == Said::Continues(op.clone())
        {
            *first = Said::Begins(op);
            drafts.remove(index);
            // The rows on either side may now be one thread's: one run.
            if index > 0 && index < drafts.len() && drafts[index - 1].thread == drafts[index].thread
            {
                let mut next = drafts.remove(index).said;
                if matches!(next.first(), Some((Said::Continues(_), _))) {
                    next.remove(0); // it goes on in the same row
                }
                let previous = &mut drafts[index - 1].said;
                previous.push((Said::Switch, 1));
                previous.extend(next);
            }
        } else {
            index += 1;
        }
    }
}

/// The mark of a context switch inside a row.
const SWITCH: &str = "⇄";

/// A segment of a row: the operation `head` (if any) with `steps` (taken)
/// and `tail`; `None` if there is nothing to say.
fn segment(head: Option<String>, steps: &mut Vec<String>, tail: &str) -> Option<String> {
    let steps = join_steps(std::mem::take(steps));
    let text = match (head, steps.is_empty()) {
        (Some(head), true) => format!("{head}{tail}"),
        (Some(head), false) => format!("{head}: {steps}{tail}"),
        (None, _) => steps + tail,
    };
    (!text.is_empty()).then_some(text)
}

/// Steps joined with commas, a switch marker `⇄` set off by spaces alone.
fn join_steps(steps: impl IntoIterator<Item = String>) -> String {
    let mut out = String::new();
    let mut after_switch = false;
    for step in steps {
        let switch = step == SWITCH;
        if !out.is_empty() {
            out.push_str(if switch || after_switch { " " } else { ", " });
        }
        out.push_str(&step);
        after_switch = switch;
    }
    out
}

#[cfg(test)]
mod tests {
    use std::panic::Location;

    use super::super::{Access, Role, begin, end, record, record_wake, traced};

    /// A short story: T1 puts under a lock nobody else wants (its lock is
    /// not told; its read and write of the length are two steps), T2 finds
    /// the lock held, then sleeps; T1's wake names T2; T3's call cut before
    /// it did anything starts where it does; a lock held across a switch
    /// stays told, with the switch marked; the sleeper's last row is
    /// blocked; an operation cut by a switch goes on with `…`.
    #[test]
    fn rows_tell_operations_their_steps_and_wakes() {
        let here = Location::caller();
        let ((), trace) = traced(|| {
            let thread = |t: &'static str| move || t.to_owned();
            let on = |t: &'static str, address: usize, access: Access| {
                let (name, role) = match address {
                    8 => ("queue.lock", Role::Lock),
                    16 => ("queue.len", Role::Value),
                    _ => ("queue.not_empty", Role::Signal),
                };
                record(
                    thread(t),
                    address,
                    || (Some(name.to_owned()), role),
                    || access,
                    here,
                );
            };
            let call = |t: &'static str, op: &'static str| {
                begin(thread(t), || op.to_owned(), here).expect("tracing")
            };
            let take = Access::Cas {
                current: 0,
                new: 1,
                actual: 0,
            };
            let release = Access::Swap { new: 0, old: 1 };
            let put1 = call("a", "put(1)");
            on("a", 8, take.clone());
            on("a", 16, Access::Load { value: 0 });
            on("a", 16, Access::Store { value: 1 });
            on("a", 8, release.clone());
            end(put1, || None, here);
            let put2 = call("a", "put(2)");
            on("a", 8, take.clone());
            let _get = call("b", "get()");
            on(
                "b",
                8,
                Access::Cas {
                    current: 0,
                    new: 1,
                    actual: 1,
                },
            );
            on("b", 8, Access::Load { value: 1 });
            on("b", 24, Access::Load { value: 0 });
            on("b", 24, Access::Sleeps { expected: 0 });
            let len = call("c", "len()");
            on("a", 24, Access::FetchAdd { by: 1, old: 0 });
            record_wake(
                thread("a"),
                24,
                || (None, Role::Signal),
                false,
                &["b".to_owned()],
                here,
            );
            on("a", 8, release.clone());
            end(put2, || Some("()".to_owned()), here);
            let clear = call("a", "clear()");
            on("a", 8, take);
            on("c", 24, Access::Load { value: 1 });
            on("a", 8, release);
            end(clear, || None, here);
            on("c", 16, Access::Load { value: 1 });
            end(len, || Some("1".to_owned()), here);
            on("b", 24, Access::Woken);
            on("b", 24, Access::Sleeps { expected: 1 });
        });
        let trace = trace.expect("recorded");
        let rows: Vec<(String, String)> = trace
            .rows()
            .into_iter()
            .map(|r| (r.thread, r.text))
            .collect();
        let expected = [
            (
                "T1",
                "put(1): reads queue.len = 0, writes 1 · put(2): takes queue.lock …",
            ),
            (
                "T2",
                "get(): finds queue.lock held, sleeps on queue.not_empty …",
            ),
            (
                "T1",
                "…put(2) → (): wakes T2 on queue.not_empty, releases queue.lock · clear(): takes \
                 queue.lock ⇄ releases queue.lock",
            ),
            ("T3", "len() → 1: reads queue.len = 1"),
            (
                "T2",
                "…get(): woken on queue.not_empty, sleeps on queue.not_empty (blocked)",
            ),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(t, r)| (t.to_string(), r.to_string()))
            .collect();
        assert_eq!(rows, expected);
        let table = trace.table();
        assert!(table.contains("| 4 | | | len() → 1"), "{table}");
        let mermaid = trace.mermaid();
        assert!(
            mermaid.contains("T1-->>T2: wakes (queue.not_empty)"),
            "{mermaid}"
        );
        assert!(
            mermaid.contains("Note over T2: sleeps on queue.not_empty"),
            "{mermaid}"
        );
        assert!(mermaid.contains("T1->>O2: reads 0, writes 1"), "{mermaid}");
        assert!(
            !mermaid.contains("as queue.not_empty"),
            "no arrow goes to it: {mermaid}"
        );
        let (shape, raw) = (trace.shape(), trace.raw_shape());
        assert_eq!((shape.rows, shape.participants, shape.arrows), (5, 5, 8));
        assert_eq!((raw.rows, raw.participants, raw.arrows), (18, 6, 18));
    }
}

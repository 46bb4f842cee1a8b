//! The readable trace: the recorded operations told as a person reasons
//! about them, a row per uninterrupted run of a thread.
//!
//! Each event is *said* by its object's [`Role`]: a lock's word is taken
//! and released, a value is read and written with its values, a condition
//! variable's sequence number is left out while its sleeps and wakes are
//! told, a wake names the threads it woke. The primitives' public
//! operations (`put(2)`, `get() → 1`) group the steps inside them; an
//! operation that a context switch cuts is continued in its thread's next
//! row (`…put(2):`). Within a row, neighbouring steps merge where a person
//! would say them at once: a read and a write of one value (`queue.len 0 →
//! 1`), a take and a release of one lock, a step repeated (`×3`).
//!
//! Every new row is a context switch. A `⇄` inside a row marks one whose
//! other side did nothing the readable trace tells (a thread's read of a
//! condition's sequence number, say). The raw events stay in
//! [`Trace::events`] and [`Trace::raw_table`].

use std::fmt::Write;

use serde::Serialize;

use super::{Access, Role, Trace, header, sanitize, table_row, thread_list, thread_name};

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
    Changes(String, String),
    Fails { expected: String, actual: String },
    Takes,
    Releases,
    TakesReleases,
    SeesFree,
    FindsHeld,
    Sleeps,
    NoSleep,
    Woken,
    Wakes(Vec<usize>),
    TimesOut(String),
    Spurious,
}

impl Deed {
    /// The step as a table tells it, `object` being the object's label.
    fn text(&self, object: &str) -> String {
        match self {
            Deed::Reads(value) => format!("reads {object} = {value}"),
            Deed::Writes(value) => format!("writes {object} = {value}"),
            Deed::Changes(old, new) => format!("{object} {old} → {new}"),
            Deed::Fails { expected, actual } => {
                format!("finds {object} = {actual}, not {expected}")
            }
            Deed::Takes => format!("takes {object}"),
            Deed::Releases => format!("releases {object}"),
            Deed::TakesReleases => format!("takes and releases {object}"),
            Deed::SeesFree => format!("sees {object} free"),
            Deed::FindsHeld => format!("finds {object} held"),
            Deed::Sleeps => format!("sleeps on {object}"),
            Deed::NoSleep => format!("finds {object} signalled: no sleep"),
            Deed::Woken => format!("woken on {object}"),
            Deed::Wakes(woken) if woken.is_empty() => format!("wakes nobody on {object}"),
            Deed::Wakes(woken) => format!("wakes {} on {object}", thread_list(woken)),
            Deed::TimesOut(at) => format!("times out on {object} ({at})"),
            Deed::Spurious => format!("wakes spuriously on {object}"),
        }
    }

    /// The step as an arrow to its object says it (`reads 1`), or `None`
    /// for a step the diagram draws as a note or as an arrow between
    /// threads (sleeps, wakes).
    fn arrow(&self) -> Option<String> {
        Some(match self {
            Deed::Reads(value) => format!("reads {value}"),
            Deed::Writes(value) => format!("writes {value}"),
            Deed::Changes(old, new) => format!("{old} → {new}"),
            Deed::Fails { expected, actual } => format!("finds {actual}, not {expected}"),
            Deed::Takes => "takes".to_owned(),
            Deed::Releases => "releases".to_owned(),
            Deed::TakesReleases => "takes and releases".to_owned(),
            Deed::SeesFree => "sees free".to_owned(),
            Deed::FindsHeld => "finds held".to_owned(),
            _ => return None,
        })
    }
}

/// How `access` by a thread on an object of `role` is said; `None` for what
/// the readable trace leaves out.
fn deed(role: Role, access: &Access) -> Option<Deed> {
    // Flags in high bits (a semaphore's waiter bit) read better in hex.
    let number = |value: u32| {
        if value < 0x1_0000 {
            value.to_string()
        } else {
            format!("{value:#x}")
        }
    };
    let change = |old: u32, new: u32| Deed::Changes(number(old), number(new));
    Some(match (role, access) {
        (_, Access::Sleeps { .. }) => Deed::Sleeps,
        (_, Access::NoSleep { .. }) => Deed::NoSleep,
        (_, Access::Woken) => Deed::Woken,
        (_, Access::Wakes { woken, .. }) => Deed::Wakes(woken.clone()),
        (_, Access::TimesOut { at }) => Deed::TimesOut(at.clone()),
        (_, Access::Spurious) => Deed::Spurious,
        (Role::Signal, _) => return None,
        (Role::Lock, Access::Load { value: 0 }) => Deed::SeesFree,
        (Role::Lock, Access::Load { .. }) => Deed::FindsHeld,
        (Role::Lock, Access::Store { value: 0 } | Access::Swap { new: 0, .. }) => Deed::Releases,
        (Role::Lock, Access::Store { .. } | Access::Swap { old: 0, .. }) => Deed::Takes,
        (Role::Lock, Access::Swap { .. }) => Deed::FindsHeld,
        (
            Role::Lock,
            Access::Cas {
                current,
                new,
                actual,
            },
        ) if actual == current => match new {
            0 => Deed::Releases,
            _ if *current == 0 => Deed::Takes,
            _ => change(*current, *new),
        },
        (Role::Lock, Access::Cas { actual, .. }) if *actual != 0 => Deed::FindsHeld,
        (_, Access::Load { value }) => Deed::Reads(number(*value)),
        (_, Access::Store { value }) => Deed::Writes(number(*value)),
        (_, Access::Swap { new, old }) => change(*old, *new),
        (
            _,
            Access::Cas {
                current,
                new,
                actual,
            },
        ) if actual == current => change(*current, *new),
        (
            _,
            Access::Cas {
                current, actual, ..
            },
        ) => Deed::Fails {
            expected: number(*current),
            actual: number(*actual),
        },
        (_, Access::FetchAdd { by, old }) => change(*old, old.wrapping_add(*by)),
        (_, Access::FetchSub { by, old }) => change(*old, old.wrapping_sub(*by)),
        (_, Access::FetchOr { bits, old }) => {
            Deed::Changes(format!("{old:#x}"), format!("{:#x}", old | bits))
        }
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
    /// them at once: a lock found held again (a retry) is one finding.
    fn push(&mut self, said: Said) {
        if let Some((last, count)) = self.said.last_mut() {
            if *last == said && matches!(said, Said::On(_, Deed::FindsHeld)) {
                return;
            }
            if *last == said && !matches!(said, Said::Begins(_) | Said::Returns(_)) {
                *count += 1;
                return;
            }
            if *count == 1
                && let (Said::On(a, before), Said::On(b, after)) = (&*last, &said)
                && a == b
            {
                let merged = match (before, after) {
                    (Deed::Reads(old), Deed::Writes(new)) => {
                        Some(Deed::Changes(old.clone(), new.clone()))
                    }
                    (Deed::Takes, Deed::Releases) => Some(Deed::TakesReleases),
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
}

impl Draft {
    /// Leaves out the locks taken and released inside an operation that
    /// runs from its call to its return in this row with no other thread
    /// between: they excluded nobody.
    fn untell_unneeded_locks(&mut self) {
        let mut call = None;
        let mut unneeded = vec![false; self.said.len()];
        for (index, (said, _)) in self.said.iter().enumerate() {
            match said {
                Said::Begins(_) => call = Some(index),
                Said::Continues(_) | Said::Switch => call = None,
                Said::Returns(_) => {
                    if let Some(call) = call.take() {
                        for (at, (inside, _)) in self.said[call..index].iter().enumerate() {
                            unneeded[call + at] = matches!(
                                inside,
                                Said::On(_, Deed::Takes | Deed::Releases | Deed::TakesReleases)
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        let mut index = 0;
        self.said.retain(|_| {
            index += 1;
            !unneeded[index - 1]
        });
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
        drafts.iter_mut().for_each(Draft::untell_unneeded_locks);
        drafts
    }

    /// The readable rows: each a thread's uninterrupted run, its
    /// operations with their steps and results; an operation still going
    /// on at a row's end ends in `…`, or in `(blocked)` where its thread
    /// sleeps at the end of the trace.
    pub fn rows(&self) -> Vec<Row> {
        let drafts = self.drafts();
        let last_row = |thread: usize| drafts.iter().rposition(|row| row.thread == thread);
        drafts
            .iter()
            .enumerate()
            .map(|(index, draft)| Row {
                thread: thread_name(draft.thread),
                text: self.row_text(draft, last_row(draft.thread) == Some(index)),
            })
            .collect()
    }

    fn row_text(&self, draft: &Draft, last: bool) -> String {
        let mut segments: Vec<String> = Vec::new();
        // The segment being written: its operation, if any, and its steps.
        let mut head: Option<String> = None;
        let mut steps: Vec<String> = Vec::new();
        for (said, count) in &draft.said {
            let times = if *count > 1 {
                format!(" ×{count}")
            } else {
                String::new()
            };
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
                    let tail = result.as_ref().map_or(String::new(), |r| format!(" → {r}"));
                    match head.take() {
                        Some(op) => segments.extend(segment(Some(op), &mut steps, &tail)),
                        None => steps.push(format!("returns{tail}")),
                    }
                }
                Said::On(object, deed) => {
                    steps.push(deed.text(&self.objects[*object].label) + &times);
                }
                Said::Yields => steps.push(format!("yields{times}")),
                Said::Spins => steps.push(format!("spins{times}")),
                Said::Switch => steps.push(SWITCH.to_owned()),
            }
        }
        let blocked = last && matches!(draft.said.last(), Some((Said::On(_, Deed::Sleeps), _)));
        let tail = match (&head, blocked) {
            (_, true) => " (blocked)",
            (Some(_), false) => " …",
            (None, false) => "",
        };
        segments.extend(segment(head, &mut steps, tail));
        segments.join(" · ")
    }

    /// The readable trace as a Markdown table: a column per thread, a row
    /// per uninterrupted run (every new row is a context switch), no
    /// source locations ([`Trace::raw_table`] has them).
    pub fn table(&self) -> String {
        let rows = self.rows();
        let mut out = header(self.threads);
        for (index, row) in rows.iter().enumerate() {
            let thread = (0..self.threads)
                .find(|&t| thread_name(t) == row.thread)
                .expect("a row's thread is a column");
            out.push_str(&table_row(index + 1, self.threads, thread, &row.text));
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
        let drafts = self.drafts();
        let mut out = String::from("sequenceDiagram\n");
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
        for thread in 0..self.threads {
            let _ = writeln!(out, "    participant {}", thread_name(thread));
        }
        for &object in &used {
            let label = sanitize(&self.objects[object].label);
            let _ = writeln!(out, "    participant O{} as {label}", object + 1);
        }
        for row in &drafts {
            let thread = thread_name(row.thread);
            let note = |text: String| format!("    Note over {thread}: {}\n", sanitize(&text));
            let mut said = row.said.iter().peekable();
            while let Some((said_now, count)) = said.next() {
                let times = if *count > 1 {
                    format!(" ×{count}")
                } else {
                    String::new()
                };
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
                    Said::Yields => note(format!("yields{times}")),
                    Said::Spins => note(format!("spins{times}")),
                    Said::On(object, Deed::Wakes(woken)) if !woken.is_empty() => {
                        let label = sanitize(&self.objects[*object].label);
                        woken
                            .iter()
                            .map(|&t| {
                                format!("    {thread}-->>{}: wakes ({label})\n", thread_name(t))
                            })
                            .collect()
                    }
                    Said::On(object, deed) => match deed.arrow() {
                        Some(arrow) => format!(
                            "    {thread}->>O{}: {}{times}\n",
                            object + 1,
                            sanitize(&arrow)
                        ),
                        None => note(deed.text(&self.objects[*object].label) + &times),
                    },
                };
                out.push_str(&line);
            }
        }
        out
    }

    /// The shape of the readable trace: rows of [`Trace::table`],
    /// participants and arrows of [`Trace::mermaid`].
    pub fn shape(&self) -> Shape {
        let mermaid = self.mermaid();
        let count = |needle: &str| mermaid.lines().filter(|l| l.contains(needle)).count();
        Shape {
            rows: self.rows().len(),
            participants: count("participant "),
            arrows: count("->>"),
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
    /// not told), T2 finds the lock held, then sleeps; T1's wake names T2;
    /// a read and a write of one value merge; the sleeper's last row is
    /// marked blocked, and an operation cut by a switch goes on with `…`.
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
            begin(thread("a"), || "put(1)".to_owned(), here);
            on(
                "a",
                8,
                Access::Cas {
                    current: 0,
                    new: 1,
                    actual: 0,
                },
            );
            on("a", 16, Access::Load { value: 0 });
            on("a", 16, Access::Store { value: 1 });
            on("a", 8, Access::Swap { new: 0, old: 1 });
            end(thread("a"), || None, here);
            begin(thread("a"), || "put(2)".to_owned(), here);
            on(
                "a",
                8,
                Access::Cas {
                    current: 0,
                    new: 1,
                    actual: 0,
                },
            );
            begin(thread("b"), || "get()".to_owned(), here);
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
            on("a", 24, Access::FetchAdd { by: 1, old: 0 });
            record_wake(
                thread("a"),
                24,
                || (None, Role::Signal),
                false,
                &["b".to_owned()],
                here,
            );
            on("a", 8, Access::Swap { new: 0, old: 1 });
            end(thread("a"), || Some("()".to_owned()), here);
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
            ("T1", "put(1): queue.len 0 → 1 · put(2): takes queue.lock …"),
            (
                "T2",
                "get(): finds queue.lock held, sleeps on queue.not_empty …",
            ),
            (
                "T1",
                "…put(2): wakes T2 on queue.not_empty, releases queue.lock → ()",
            ),
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
        assert!(table.contains("| 3 | …put(2): wakes T2"), "{table}");
        let mermaid = trace.mermaid();
        assert!(
            mermaid.contains("T1-->>T2: wakes (queue.not_empty)"),
            "{mermaid}"
        );
        assert!(
            mermaid.contains("Note over T2: sleeps on queue.not_empty"),
            "{mermaid}"
        );
        assert!(
            !mermaid.contains("as queue.not_empty"),
            "no arrow goes to it: {mermaid}"
        );
        let (shape, raw) = (trace.shape(), trace.raw_shape());
        assert_eq!((shape.rows, shape.participants, shape.arrows), (4, 4, 5));
        assert_eq!((raw.rows, raw.participants, raw.arrows), (14, 5, 14));
    }
}

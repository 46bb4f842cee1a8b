//! The lab's report: the matrix of variants × checkers, each bug's story,
//! trace and diagram, as Markdown and as JSON.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::checkers::{Checker, INCONCLUSIVE, OK, ShrunkSchedule};
use super::entry::{Entry, Expect, LIMITS, Verdict};
use super::kernel::Modelling;
use super::runner::{Cell, showcase};
use super::trace::{Row, Trace, thread_name};

impl Cell {
    /// The matrix cell text: verdict, then schedules and time (for stress,
    /// the rounds that showed a failure out of those run).
    pub fn summary(&self) -> String {
        let (Some(run), Some(verdict)) = (&self.run, self.verdict) else {
            return "n/a".to_owned();
        };
        let millis = run.elapsed.as_millis();
        match &run.histogram {
            Some(histogram) => {
                let count = |key| histogram.get(key).copied().unwrap_or(0);
                // Rounds cut off with threads still running showed nothing.
                let (ok, cut) = (count(OK), count(INCONCLUSIVE));
                let showed = run.schedules - ok - cut;
                let cut = match cut {
                    0 => String::new(),
                    cut => format!(" ({cut} inconclusive)"),
                };
                format!("{verdict} {showed}/{}{cut} · {millis} ms", run.schedules)
            }
            None => match (&run.incomplete, &run.inconclusive) {
                (_, Some(why)) if verdict == Verdict::Inconclusive => {
                    format!("inconclusive ({why}) · {} · {millis} ms", run.schedules)
                }
                (Some(why), _) if verdict == Verdict::PassedIncomplete => {
                    format!(
                        "passed (incomplete: {why}) · {} · {millis} ms",
                        run.schedules
                    )
                }
                _ => format!("{verdict} · {} · {millis} ms", run.schedules),
            },
        }
    }
}

/// A JSON row of the report (DESIGN.md, section 4).
#[derive(Clone, Debug, Serialize)]
#[doc(hidden)] // the JSON's shape is documented in the README
pub struct JsonRow {
    /// The primitive, e.g. `lock`.
    pub primitive: &'static str,
    /// The variant, e.g. `relaxed`.
    pub variant: &'static str,
    /// The catalogue id, e.g. `lock-relaxed`.
    pub id: &'static str,
    /// Whether the variant is deliberately broken.
    pub broken: bool,
    /// The bug in one sentence; `null` for a correct variant.
    pub bug: Option<&'static str>,
    /// The checker.
    pub checker: &'static str,
    /// What the catalogue expects: `pass`, `catch <kind>`, `escape: <why>`,
    /// `observe <kind>` or `n/a: <why>`.
    pub expected: String,
    /// The verdict: `caught`, `passed`, `passed-incomplete`, `escaped`,
    /// `false-alarm`, `expected-escape`, `caught-other`, `caught-unexpectedly`,
    /// `observed`, `not-observed`, `error`, `inconclusive`, or `n/a`.
    pub verdict: &'static str,
    /// Whether the verdict agrees with the catalogue.
    pub as_expected: bool,
    /// Schedules (rounds, cases) explored until the verdict.
    pub schedules: usize,
    /// Whether the exploration was complete: not cut by loom's cap nor short
    /// of its budget (a run that stopped at a failure is complete).
    pub complete: bool,
    /// Why it was not, where it was not.
    pub incomplete: Option<String>,
    /// Why the checker gave up without a verdict, where it did (the
    /// verdict is then `inconclusive`, or `not-observed` for stress).
    pub inconclusive: Option<String>,
    /// Milliseconds until the verdict.
    pub millis: u128,
    /// The failure caught, if any.
    pub failure: Option<JsonFailure>,
    /// What loom or shuttle added to its world (virtual time, spurious
    /// wakeups); `null` for the other checkers.
    pub modelling: Option<Modelling>,
    /// A shuttle catch's shrunk schedule: its replay arguments and the
    /// context switches before and after.
    pub shrunk: Option<ShrunkSchedule>,
}

/// The failure of a JSON row.
#[derive(Clone, Debug, Serialize)]
#[doc(hidden)]
pub struct JsonFailure {
    /// `assertion (<bug>)`, `deadlock`, `data-race`, `leak`,
    /// `not-linearizable`, `hang`, `livelock` or `panic`.
    pub kind: String,
    /// The report's message.
    pub message: String,
    /// Where an untagged `panic` happened, where the lab saw it.
    pub location: Option<String>,
    /// The failing interleaving as the readable trace tells it, a row
    /// per uninterrupted run of a thread, where recorded.
    pub steps: Option<Vec<Row>>,
    /// The failing interleaving, raw: every recorded operation, where
    /// recorded.
    pub trace: Option<Vec<JsonEvent>>,
    /// The command that replays it, where there is one.
    pub replay: Option<String>,
}

/// One operation of a JSON trace.
#[derive(Clone, Debug, Serialize)]
#[doc(hidden)]
pub struct JsonEvent {
    /// `T1`, `T2`, ...
    pub thread: String,
    /// The object's label (`queue.lock`, or a letter for an unnamed word),
    /// or `null`.
    pub object: Option<String>,
    /// The operation and its result.
    pub op: String,
    /// `file:line`.
    pub location: String,
}

fn expected_text(expect: Expect) -> String {
    match expect {
        Expect::Pass => "pass".to_owned(),
        Expect::Catch(kind) => format!("catch {kind}"),
        Expect::CatchEither(one, other) => format!("catch {one} or {other}"),
        Expect::Escape(why) => format!("escape: {why}"),
        Expect::Observe(kind) => format!("observe {kind}"),
        Expect::NotApplicable(why) => format!("n/a: {why}"),
        Expect::FalseAlarm(kind, why) => format!("false alarm {kind}: {why}"),
    }
}

fn json_trace(trace: &Trace) -> Vec<JsonEvent> {
    trace
        .events
        .iter()
        .map(|event| JsonEvent {
            thread: thread_name(event.thread),
            object: event.object.map(|o| trace.objects[o].label.clone()),
            op: event.access.to_string(),
            location: event.location.clone(),
        })
        .collect()
}

impl From<&Cell> for JsonRow {
    fn from(cell: &Cell) -> JsonRow {
        let entry = cell.entry;
        let run = cell.run.as_ref();
        JsonRow {
            primitive: entry.primitive,
            variant: entry.variant,
            id: entry.id,
            broken: entry.is_broken(),
            bug: entry.bug,
            checker: cell.checker.name(),
            expected: expected_text(entry.expectation(cell.checker)),
            verdict: cell.verdict.map_or("n/a", Verdict::slug),
            as_expected: cell.is_expected(),
            schedules: run.map_or(0, |r| r.schedules),
            complete: run.is_none_or(|r| r.incomplete.is_none()),
            incomplete: run.and_then(|r| r.incomplete.clone()),
            inconclusive: run.and_then(|r| r.inconclusive.clone()),
            millis: run.map_or(0, |r| r.elapsed.as_millis()),
            failure: run.and_then(|r| {
                r.failure.as_ref().map(|failure| JsonFailure {
                    kind: failure.kind.to_string(),
                    message: failure.message.clone(),
                    location: failure.location.clone(),
                    steps: r.trace.as_ref().map(Trace::rows),
                    trace: r.trace.as_ref().map(json_trace),
                    replay: cell.replay_command(),
                })
            }),
            modelling: run.and_then(|r| r.modelling),
            shrunk: run.and_then(|r| r.shrunk.clone()),
        }
    }
}

/// The report as JSON: an array of [`JsonRow`]s.
pub fn json(cells: &[Cell]) -> String {
    let rows: Vec<JsonRow> = cells.iter().map(JsonRow::from).collect();
    serde_json::to_string_pretty(&rows)
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
}

/// The variants of `cells`, in order, each once.
fn entries(cells: &[Cell]) -> Vec<&'static Entry> {
    let mut entries: Vec<&'static Entry> = Vec::new();
    for cell in cells {
        if !entries.iter().any(|e| e.id == cell.entry.id) {
            entries.push(cell.entry);
        }
    }
    entries
}

/// The matrix as a Markdown table: one row per variant (broken ones in
/// bold), one column per checker that ran.
pub fn matrix(cells: &[Cell]) -> String {
    let checkers: Vec<Checker> = Checker::EVERY
        .into_iter()
        .filter(|c| cells.iter().any(|x| x.checker == *c))
        .collect();
    let mut out = String::from("| variant |");
    for checker in &checkers {
        let _ = write!(out, " {checker} |");
    }
    let _ = write!(out, "\n|---|{}", "---|".repeat(checkers.len()));
    for entry in entries(cells) {
        let name = if entry.is_broken() {
            format!("**{}**", entry.id)
        } else {
            entry.id.to_owned()
        };
        let _ = write!(out, "\n| {name} |");
        for checker in &checkers {
            let cell = cells
                .iter()
                .find(|c| c.entry.id == entry.id && c.checker == *checker);
            let _ = write!(
                out,
                " {} |",
                cell.map_or_else(|| "—".to_owned(), Cell::summary)
            );
        }
    }
    out.push('\n');
    out
}

/// The length of each broken variant's story trace (the one `explain`
/// shows), raw and readable: rows of its table, participants and arrows of
/// its diagram, and whether every object in it is named; then the median
/// and the most rows.
pub fn trace_lengths(cells: &[Cell]) -> String {
    let mut out = String::from(
        "| variant | checker | rows, raw → readable | participants | arrows | objects named |\n\
         |---|---|---|---|---|---|\n",
    );
    let mut rows = Vec::new();
    for entry in entries(cells).into_iter().filter(|e| e.is_broken()) {
        let Some((cell, trace)) =
            showcase(cells, entry).and_then(|c| Some((c, c.run.as_ref()?.trace.as_ref()?)))
        else {
            continue;
        };
        let (raw, readable) = (trace.raw_shape(), trace.shape());
        rows.push(readable.rows);
        let _ = writeln!(
            out,
            "| {} | {} | {} → {} | {} → {} | {} → {} | {} |",
            entry.id,
            cell.checker,
            raw.rows,
            readable.rows,
            raw.participants,
            readable.participants,
            raw.arrows,
            readable.arrows,
            if trace.all_named() { "all" } else { "not all" }
        );
    }
    rows.sort_unstable();
    if let (Some(median), Some(most)) = (rows.get(rows.len() / 2), rows.last()) {
        let _ = writeln!(
            out,
            "\n{} traces: median {median} rows, at most {most} (the raw traces: one row per \
             atomic access, futex wait or wake).",
            rows.len()
        );
    }
    out
}

/// The story of one variant: the bug, the scenario, what each checker made
/// of it, and the failing interleaving as a table and a diagram.
pub fn story(cells: &[Cell], entry: &Entry) -> String {
    let mut out = format!("### {}\n\n", entry.id);
    match entry.bug {
        Some(bug) => {
            let _ = writeln!(out, "**Bug:** {bug}.\n");
        }
        None => out.push_str("A correct variant.\n\n"),
    }
    let _ = writeln!(out, "**Scenario:** {}.\n", entry.scenario);
    for cell in cells.iter().filter(|c| c.entry.id == entry.id) {
        let _ = write!(out, "- {}: {}", cell.checker, cell.summary());
        match (
            entry.expectation(cell.checker),
            cell.run.as_ref().and_then(|r| r.failure.as_ref()),
        ) {
            (_, Some(failure)) => {
                let _ = write!(out, " — {failure}");
            }
            (Expect::Escape(why), None) => {
                let _ = write!(out, " — {why}");
            }
            _ => {}
        }
        out.push('\n');
    }
    if let Some(cell) = showcase(cells, entry) {
        let run = cell.run.as_ref().expect("a showcase cell ran");
        if let Some(trace) = &run.trace {
            let _ = write!(
                out,
                "\nThe interleaving {} found{} ({} context switches; {} raw operations, `--raw` \
                 shows them):\n\n{}\n```mermaid\n{}```\n",
                cell.checker,
                if run.shrunk.is_some() { ", shrunk" } else { "" },
                trace.switches(),
                trace.raw_shape().rows,
                trace.table(),
                trace.mermaid()
            );
        }
        if let Some(shrunk) = run.shrunk.as_ref().filter(|s| s.after < s.before) {
            let _ = writeln!(
                out,
                "\nShrunk: the schedule {} found had {} context switches; {} replays took out \
                 what the failure does not need, leaving {}.",
                cell.checker, shrunk.before, shrunk.replays, shrunk.after
            );
        }
        if let Some(command) = cell.replay_command() {
            let _ = writeln!(out, "\nReplay: `{command}`");
        }
    }
    out
}

/// Every expected escape among `cells`, one line each, with its reason.
pub fn escapes(cells: &[Cell]) -> String {
    let mut out = String::new();
    for cell in cells {
        match cell.verdict {
            Some(Verdict::ExpectedEscape(why)) => {
                let _ = writeln!(out, "- {} escapes {}: {why}.", cell.entry.id, cell.checker);
            }
            Some(Verdict::ExpectedFalseAlarm(why)) => {
                let _ = writeln!(
                    out,
                    "- {} is flagged by {}, an expected false alarm: {why}.",
                    cell.entry.id, cell.checker
                );
            }
            _ => {}
        }
    }
    out
}

/// What loom and shuttle added to their world in these cells (the lab's
/// kernel), for correct and for broken variants, from the runs themselves.
fn modelled(cells: &[Cell]) -> String {
    let mut by_kind: BTreeMap<(bool, String), Vec<&str>> = BTreeMap::new();
    for cell in cells {
        if let Some(modelling) = cell.run.as_ref().and_then(|run| run.modelling) {
            let ids = by_kind
                .entry((cell.entry.is_broken(), describe(modelling)))
                .or_default();
            if !ids.contains(&cell.entry.id) {
                ids.push(cell.entry.id);
            }
        }
    }
    if by_kind.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\nTime and spurious wakeups under loom and shuttle (the lab's kernel; see the limits):\n\n",
    );
    for broken in [false, true] {
        let groups: Vec<_> = by_kind.iter().filter(|((b, _), _)| *b == broken).collect();
        let largest = groups.iter().map(|(_, ids)| ids.len()).max().unwrap_or(0);
        let kind = if broken { "broken" } else { "correct" };
        for ((_, how), ids) in &groups {
            let which = if groups.len() == 1 || ids.len() == largest {
                format!("{kind} variants")
            } else {
                ids.join(", ")
            };
            let _ = writeln!(out, "- {which}: {how}");
        }
    }
    out
}

/// One modelling in words.
fn describe(modelling: Modelling) -> String {
    let time = if modelling.time {
        "virtual time (timeouts fire)"
    } else {
        "no time (a non-zero timeout never fires)"
    };
    match modelling.spurious_wakeups {
        0 => format!("{time}, no spurious wakeups"),
        n => format!("{time}, at most {n} spurious wakeup(s) per execution"),
    }
}

/// The whole Markdown report: the matrix, the expected escapes with their
/// reasons, and each broken variant's story.
pub fn markdown(cells: &[Cell]) -> String {
    let mut out = String::from("# synclab report\n\n## The matrix\n\n");
    out.push_str(
        "Each cell: verdict · schedules (rounds, cases) until the verdict · time. \
         For stress: rounds that showed the bug / rounds run. Broken variants in bold.\n\n",
    );
    out.push_str(&matrix(cells));
    out.push_str(&modelled(cells));
    let surprises: Vec<&Cell> = cells.iter().filter(|c| !c.is_expected()).collect();
    if !surprises.is_empty() {
        out.push_str("\n## Verdicts that differ from the catalogue\n\n");
        for cell in surprises {
            let _ = writeln!(
                out,
                "- {} × {}: {}",
                cell.entry.id,
                cell.checker,
                cell.summary()
            );
        }
    }
    out.push_str("\n## Expected escapes and false alarms\n\n");
    out.push_str(&escapes(cells));
    out.push_str("\n## Known limits of the checkers\n\n");
    for limit in LIMITS {
        let names: Vec<&str> = limit.checkers.iter().map(|c| c.name()).collect();
        let _ = writeln!(out, "- {}: {}.", names.join(", "), limit.limit);
    }
    out.push_str("\n## How long the traces read\n\n");
    out.push_str(&trace_lengths(cells));
    out.push_str("\n## The bugs\n\n");
    for entry in entries(cells).into_iter().filter(|e| e.is_broken()) {
        out.push_str(&story(cells, entry));
        out.push('\n');
    }
    out
}

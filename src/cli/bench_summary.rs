//! Reads criterion's saved estimates from repeated runs and prints the
//! benchmark report: a Markdown table per group, each implementation's
//! median time per element and its ratio to the best of the ecosystem
//! (std, parking_lot, crossbeam), each as its median over the runs with its
//! spread (min–max), then the lab's speed goals, judged on the medians.
//!
//! A ratio is taken within a run (both sides measured minutes apart at
//! most), then summarized over the runs: a noisy minute moves one run's
//! ratio, not the median.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use serde_json::Value;

/// One benchmark of one run: a function of a group, at a parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// The run, from 1.
    pub run: usize,
    /// criterion's group, e.g. `lock/uncontended`.
    pub group: String,
    /// The implementation, e.g. `synclab`.
    pub function: String,
    /// The parameter, e.g. `bounded(64)`, if any.
    pub parameter: Option<String>,
    /// The median time per element (operation, message), in nanoseconds.
    pub nanos: f64,
}

impl Measurement {
    fn key(&self) -> (&str, Option<&str>, &str) {
        (&self.group, self.parameter.as_deref(), &self.function)
    }
}

/// Whether `function` is one of the lab's own implementations.
fn is_ours(function: &str) -> bool {
    function.starts_with("synclab")
}

/// Whether `function` is the ecosystem's: std, parking_lot or crossbeam
/// (not a baseline of the benchmark's own, like `spin` or `racy`).
fn is_ecosystem(function: &str) -> bool {
    ["std", "parking_lot", "crossbeam"]
        .iter()
        .any(|crate_name| function.starts_with(crate_name))
}

/// The measurements of every run, and what `benches/report.sh` noted about
/// the machine around them.
#[derive(Clone, Debug, Default)]
pub struct Runs {
    /// Every measurement of every run.
    pub measurements: Vec<Measurement>,
    /// How many runs.
    pub runs: usize,
    /// `/proc/loadavg` before the first run and after the last, if noted.
    pub load: (Option<String>, Option<String>),
}

/// Reads `dir`: the runs `benches/report.sh` saved (`run-1`, `run-2`...,
/// each a criterion output directory), or one criterion output directory
/// (`target/criterion`) as a single run.
pub fn read(dir: &Path) -> Result<Runs, String> {
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", dir.display());
    let mut run_dirs: Vec<(usize, std::path::PathBuf)> = std::fs::read_dir(dir)
        .map_err(cannot)?
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name();
            let run = name.to_str()?.strip_prefix("run-")?.parse().ok()?;
            Some((run, entry.path()))
        })
        .collect();
    if run_dirs.is_empty() {
        run_dirs.push((1, dir.to_path_buf()));
    }
    run_dirs.sort();
    let mut measurements = Vec::new();
    for (run, path) in &run_dirs {
        visit(path, *run, &mut measurements).map_err(cannot)?;
    }
    if measurements.is_empty() {
        return Err(format!(
            "no criterion estimates under {}: run `benches/report.sh` (or `cargo bench`) first",
            dir.display()
        ));
    }
    let note = |name: &str| {
        let text = std::fs::read_to_string(dir.join(name)).ok()?;
        Some(
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
        )
    };
    Ok(Runs {
        measurements,
        runs: run_dirs.len(),
        load: (note("load-start"), note("load-end")),
    })
}

fn visit(dir: &Path, run: usize, found: &mut Vec<Measurement>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|name| name == "new") {
                found.extend(measurement(&path, run));
            } else {
                visit(&path, run, found)?;
            }
        }
    }
    Ok(())
}

fn json(path: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

fn measurement(dir: &Path, run: usize) -> Option<Measurement> {
    let benchmark = json(&dir.join("benchmark.json"))?;
    let estimates = json(&dir.join("estimates.json"))?;
    let median = estimates["median"]["point_estimate"].as_f64()?;
    let elements = benchmark["throughput"]["Elements"]
        .as_f64()
        .unwrap_or(1.0)
        .max(1.0);
    Some(Measurement {
        run,
        group: benchmark["group_id"].as_str()?.to_owned(),
        function: benchmark["function_id"].as_str()?.to_owned(),
        parameter: benchmark["value_str"].as_str().map(str::to_owned),
        nanos: median / elements,
    })
}

/// A value over the runs: its median, and the least and greatest seen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// The median (of an even count, the mean of the middle two).
    pub median: f64,
    /// The least value.
    pub min: f64,
    /// The greatest value.
    pub max: f64,
}

impl Spread {
    /// The spread of `values`; `None` if there are none.
    pub fn of(mut values: Vec<f64>) -> Option<Spread> {
        values.retain(|v| v.is_finite());
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = match n {
            0 => return None,
            _ if n % 2 == 1 => values[n / 2],
            _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
        };
        Some(Spread {
            median,
            min: values[0],
            max: values[n - 1],
        })
    }

    fn show(&self, unit: fn(f64) -> String) -> String {
        if self.min == self.max {
            unit(self.median)
        } else {
            format!(
                "{} ({}–{})",
                unit(self.median),
                unit(self.min),
                unit(self.max)
            )
        }
    }
}

fn time(nanos: f64) -> String {
    match nanos {
        n if n >= 1e6 => format!("{:.2} ms", n / 1e6),
        n if n >= 1e3 => format!("{:.2} µs", n / 1e3),
        n => format!("{n:.2} ns"),
    }
}

/// A ratio with enough digits to tell a small one from zero.
fn ratio(value: f64) -> String {
    if value < 0.1 {
        format!("{value:.4}×")
    } else {
        format!("{value:.2}×")
    }
}

/// The measurements of one group at one parameter, by function and run.
type Set<'a> = BTreeMap<&'a str, BTreeMap<usize, f64>>;

fn sets(measurements: &[Measurement]) -> BTreeMap<(&str, Option<&str>), Set<'_>> {
    let mut sets: BTreeMap<(&str, Option<&str>), Set<'_>> = BTreeMap::new();
    for m in measurements {
        let (group, parameter, function) = m.key();
        sets.entry((group, parameter))
            .or_default()
            .entry(function)
            .or_default()
            .insert(m.run, m.nanos);
    }
    sets
}

/// `ours` over `theirs`, run by run (only runs that measured both).
fn ratios(ours: &BTreeMap<usize, f64>, theirs: &BTreeMap<usize, f64>) -> Option<Spread> {
    Spread::of(
        ours.iter()
            .filter_map(|(run, ours)| Some(ours / theirs.get(run)?))
            .collect(),
    )
}

/// What each group's implementations do when they must wait, where they
/// differ: the reader compares like with like.
const POLICIES: &[(&str, &str)] = &[
    (
        "lock/",
        "Waiting: synclab and parking_lot spin briefly (a few hints, then a few yields) and \
         park, and stop spinning once a thread is parked; std spins 100 loads, then parks; \
         `spin` never parks.",
    ),
    (
        "ping-pong",
        "Waiting: synclab's Condition and Event spin (crossbeam-style backoff, then a few \
         yields) before they park; std's and parking_lot's Condvar park at once. \
         `std-condvar-spin` is std's Mutex and Condvar with synclab's spin in front: the \
         like-for-like comparator.",
    ),
    (
        "semaphore/",
        "Waiting: synclab's Semaphore spins with backoff before it parks; the \
         parking_lot-condvar semaphore parks at once on its Condvar (its Mutex spins).",
    ),
    (
        "queue/",
        "Waiting: all three spin with backoff before they park (std's channel is \
         crossbeam's design).",
    ),
];

/// The tables, one per group and parameter.
pub fn tables(measurements: &[Measurement]) -> String {
    let mut out = String::new();
    for ((group, parameter), set) in sets(measurements) {
        let title = match parameter {
            Some(parameter) => format!("{group} — {parameter}"),
            None => group.to_owned(),
        };
        let _ = writeln!(out, "### {title}\n");
        if let Some((_, policy)) = POLICIES.iter().find(|(p, _)| group.starts_with(p)) {
            let _ = writeln!(out, "{policy}\n");
        }
        // The best of the ecosystem, run by run.
        let mut best: BTreeMap<usize, f64> = BTreeMap::new();
        for (_, runs) in set.iter().filter(|(function, _)| is_ecosystem(function)) {
            for (&run, &nanos) in runs {
                let slot = best.entry(run).or_insert(f64::INFINITY);
                *slot = slot.min(nanos);
            }
        }
        let _ = writeln!(
            out,
            "| implementation | time per element: median (min–max) | ratio to the best of the ecosystem: median (min–max) |\n|---|---|---|"
        );
        for (function, runs) in &set {
            let times = Spread::of(runs.values().copied().collect());
            let times = times.map_or("—".to_owned(), |t| t.show(time));
            let ratio = ratios(runs, &best).map_or("—".to_owned(), |r| r.show(ratio));
            let name = if is_ours(function) {
                format!("**{function}**")
            } else {
                (*function).to_owned()
            };
            let _ = writeln!(out, "| {name} | {times} | {ratio} |");
        }
        out.push('\n');
    }
    out
}

/// A speed goal: ours over theirs must stay within `limit`.
struct Goal {
    what: &'static str,
    ours: (&'static str, &'static str, Option<&'static str>),
    theirs: (&'static str, &'static str, Option<&'static str>),
    limit: f64,
    /// What was tried, and why the design stops there, for a goal missed.
    if_missed: &'static str,
}

const UNEXPLAINED: &str = "Met in the runs this lab was tuned on: see the spread before reading \
    much into it.";

const QUEUE_MISSED: &str = "The queue is the guide's design: one lock over a `VecDeque` and three \
    conditions. With four threads on two cores, a thread preempted while it holds the lock stalls \
    the other three (a lock convoy); crossbeam's channel is lock-free (a ring of \
    sequence-stamped slots) and cannot stall that way. Tried, and kept: spinning with backoff \
    (then a few yields) before parking, and notifying only when someone waits. Closing the rest \
    means a lock-free ring, which is no longer the guide's queue.";

const CONTENDED_MISSED: &str = "synclab's Lock is a futex word with parking_lot's spin policy, \
    but not its fairness: parking_lot hands the lock directly to a parked thread about every \
    0.5 ms, which bounds a convoy, and its parked threads queue in user space. A futex wake \
    cannot hand the lock over (the woken thread must still win it), which is the design's limit \
    here.";

const fn lock_goal(what: &'static str, group: &'static str, sections: &'static str) -> Goal {
    Goal {
        what,
        ours: (group, "synclab", Some(sections)),
        theirs: (group, "parking_lot", Some(sections)),
        limit: 1.0,
        if_missed: CONTENDED_MISSED,
    }
}

const GOALS: &[Goal] = &[
    Goal {
        what: "uncontended Lock lock+unlock ≤ 1.0 × std Mutex",
        ours: ("lock/uncontended", "synclab", None),
        theirs: ("lock/uncontended", "std", None),
        limit: 1.0,
        if_missed: "The fast paths are the same instructions as std's (one compare-exchange, \
            one swap); what remains is noise or code layout around them.",
    },
    lock_goal(
        "Lock, 2 threads, short sections: at least parking_lot's throughput",
        "lock/contended/2-threads",
        "short",
    ),
    lock_goal(
        "Lock, 2 threads, longer sections: at least parking_lot's throughput",
        "lock/contended/2-threads",
        "longer",
    ),
    lock_goal(
        "Lock, 4 threads, short sections: at least parking_lot's throughput",
        "lock/contended/4-threads",
        "short",
    ),
    lock_goal(
        "Lock, 4 threads, longer sections: at least parking_lot's throughput",
        "lock/contended/4-threads",
        "longer",
    ),
    Goal {
        what: "Semaphore acquire+release ≤ 1.2 × the Lock's lock+unlock",
        ours: ("semaphore/uncontended", "synclab", None),
        theirs: ("semaphore/uncontended", "synclab-lock", None),
        limit: 1.2,
        if_missed: UNEXPLAINED,
    },
    Goal {
        what: "Queue SPSC bounded(64) ≤ 1.5 × crossbeam per message",
        ours: ("queue/spsc", "synclab", Some("bounded(64)")),
        theirs: ("queue/spsc", "crossbeam", Some("bounded(64)")),
        limit: 1.5,
        if_missed: QUEUE_MISSED,
    },
    Goal {
        what: "Queue MPMC bounded(64) ≤ 1.5 × crossbeam per message",
        ours: ("queue/mpmc-2x2", "synclab", Some("bounded(64)")),
        theirs: ("queue/mpmc-2x2", "crossbeam", Some("bounded(64)")),
        limit: 1.5,
        if_missed: QUEUE_MISSED,
    },
    Goal {
        what: "Condition ping-pong ≤ 1.1 × std Condvar with the same spin",
        ours: ("ping-pong", "synclab-condition", None),
        theirs: ("ping-pong", "std-condvar-spin", None),
        limit: 1.1,
        if_missed: UNEXPLAINED,
    },
    Goal {
        what: "Event ping-pong ≤ 1.1 × std Condvar with the same spin",
        ours: ("ping-pong", "synclab-event", None),
        theirs: ("ping-pong", "std-condvar-spin", None),
        limit: 1.1,
        if_missed: UNEXPLAINED,
    },
];

/// The speed goals, each judged on its median ratio with the spread beside
/// it, and for each goal missed, by how much and why.
pub fn goals(measurements: &[Measurement]) -> String {
    let sets = sets(measurements);
    type Key = (&'static str, &'static str, Option<&'static str>);
    let find = |(group, function, parameter): Key| sets.get(&(group, parameter))?.get(function);
    let mut out =
        String::from("| goal | ratio: median (min–max) | medians | met |\n|---|---|---|---|\n");
    let mut missed = Vec::new();
    for goal in GOALS {
        let measured = find(goal.ours).zip(find(goal.theirs));
        let spread = measured.and_then(|(ours, theirs)| ratios(ours, theirs));
        let row = match measured.zip(spread) {
            Some(((ours, theirs), spread)) => {
                let met = if spread.median <= goal.limit {
                    "yes"
                } else {
                    missed.push(format!(
                        "- **{}**: missed by {:.0}% in the median. {}",
                        goal.what,
                        (spread.median / goal.limit - 1.0) * 100.0,
                        goal.if_missed
                    ));
                    "**no**"
                };
                let median = |runs: &BTreeMap<usize, f64>| {
                    Spread::of(runs.values().copied().collect()).map_or(f64::NAN, |s| s.median)
                };
                format!(
                    "| {} | {} | {} vs {} | {met} |",
                    goal.what,
                    spread.show(ratio),
                    time(median(ours)),
                    time(median(theirs))
                )
            }
            _ => format!("| {} | not measured | — | — |", goal.what),
        };
        let _ = writeln!(out, "{row}");
    }
    if !missed.is_empty() {
        let _ = write!(out, "\n{}\n", missed.join("\n"));
    }
    out
}

/// A description of this machine: CPU model, cores, frequency, memory.
pub fn machine() -> String {
    let read = |path| std::fs::read_to_string(path).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let field = |name: &str| {
        cpuinfo.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key.trim() == name).then(|| value.trim().to_owned())
        })
    };
    let model = field("model name").unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let frequency = read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq")
        .trim()
        .parse::<f64>()
        .ok()
        .map(|khz| khz / 1000.0)
        .or_else(|| field("cpu MHz")?.parse().ok())
        .map_or("frequency unknown".to_owned(), |mhz| {
            format!("{mhz:.0} MHz")
        });
    let memory = read("/proc/meminfo")
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or("unknown".to_owned(), |kb| {
            format!("{} GiB", kb / (1024 * 1024))
        });
    format!(
        "{model} at {frequency}, {cores} cores, {memory} of memory, {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// Today's date (UTC), as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Howard Hinnant's civil_from_days.
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The whole report, for BENCHMARKS.md.
pub fn report(runs: &Runs) -> String {
    let load = match &runs.load {
        (Some(start), Some(end)) => {
            format!(" Load average (1, 5, 15 min): {start} at the start, {end} at the end.")
        }
        _ => String::new(),
    };
    format!(
        "# synclab benchmarks\n\nMeasured {} on {}, by `benches/report.sh`: {} runs of every \
         benchmark file, one after another, so that the implementations a group compares \
         alternate run by run and a noisy minute hits them all.{load}\n\n\
         Each value is criterion's median time per element (per lock+unlock, per message, per \
         round trip) and, beside it, its ratio to the best of std, parking_lot and crossbeam \
         measured in the same run; both are given as the median over the runs with the least \
         and greatest run in brackets. Goals are judged on the median. Our implementations are \
         in bold. criterion's HTML for the last run is under `target/criterion/report`.\n\n\
         ## Speed goals\n\n{}\n## All groups\n\n{}",
        today(),
        machine(),
        runs.runs,
        goals(&runs.measurements),
        tables(&runs.measurements)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(run: usize, function: &str, nanos: f64) -> Measurement {
        Measurement {
            run,
            group: "lock/uncontended".to_owned(),
            function: function.to_owned(),
            parameter: None,
            nanos,
        }
    }

    #[test]
    fn a_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let spread = Spread::of(vec![4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!((spread.median, spread.min, spread.max), (2.5, 1.0, 4.0));
        assert!(Spread::of(vec![]).is_none());
    }

    /// Each run's ratio is taken within the run: a slow run moves both
    /// sides, and the median ratio stays.
    #[test]
    fn ratios_are_taken_run_by_run() {
        let runs = [
            m(1, "synclab", 10.0),
            m(1, "std", 10.0),
            m(2, "synclab", 20.0),
            m(2, "std", 21.0),
            m(3, "synclab", 9.0),
            m(3, "std", 10.0),
        ];
        let goals = goals(&runs);
        let row = goals
            .lines()
            .find(|line| line.contains("uncontended Lock"))
            .unwrap();
        assert!(row.contains("| 0.95× (0.90×–1.00×) |"), "{row}");
        assert!(row.ends_with("| yes |"), "{row}");
        let table = tables(&runs);
        assert!(
            table.contains("| **synclab** | 10.00 ns (9.00 ns–20.00 ns) | 0.95× (0.90×–1.00×) |"),
            "{table}"
        );
    }
}

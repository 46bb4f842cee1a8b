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

/// Whether `function` is the ecosystem's: std, parking_lot, crossbeam or
/// rayon as they come (not a baseline of the benchmark's own, like `spin`
/// or `racy`, nor one with synclab's spin in front, `std-condvar-spin`).
fn is_ecosystem(function: &str) -> bool {
    ["std", "parking_lot", "crossbeam", "rayon"]
        .iter()
        .any(|crate_name| function.starts_with(crate_name))
        && !function.ends_with("-spin")
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
    /// The CPU's frequency in MHz, before the first run and after the
    /// last, if noted.
    pub frequency: (Option<String>, Option<String>),
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
        frequency: (note("frequency-start"), note("frequency-end")),
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

/// A value over the runs: its median, the least and greatest seen, and
/// over how many runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// The median (of an even count, the mean of the middle two).
    pub median: f64,
    /// The least value.
    pub min: f64,
    /// The greatest value.
    pub max: f64,
    /// How many runs gave a value.
    pub count: usize,
}

impl Spread {
    /// The spread of `values`, leaving out any that is not finite; `None`
    /// if none is left.
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
            count: n,
        })
    }

    /// The median in `unit`, the range beside it, and the count of runs
    /// where fewer than `runs` gave a value.
    fn show(&self, unit: fn(f64) -> String, runs: usize) -> String {
        let mut shown = unit(self.median);
        if self.min != self.max {
            let _ = write!(shown, " ({}–{})", unit(self.min), unit(self.max));
        }
        if self.count < runs {
            let _ = write!(shown, " [{} of {runs} runs]", self.count);
        }
        shown
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

/// The best (least) of `sides`, run by run, in the runs that measured
/// every one of them: a run that lost one has no fair best.
fn best_of(sides: &[&BTreeMap<usize, f64>]) -> BTreeMap<usize, f64> {
    let Some(first) = sides.first() else {
        return BTreeMap::new();
    };
    first
        .keys()
        .filter_map(|run| {
            let times: Option<Vec<f64>> = sides.iter().map(|side| side.get(run).copied()).collect();
            Some((*run, times?.into_iter().fold(f64::INFINITY, f64::min)))
        })
        .collect()
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
        "Waiting: synclab yields the core up to ten times, then parks (and spins even while \
         a thread is parked); parking_lot spins 1, 2, 4 then 8 hints, then yields, then parks, \
         and does not spin while a thread is parked; std spins 100 loads, then parks; `spin` \
         never parks. All take a lock they find free ahead of parked threads.",
    ),
    (
        "ping-pong",
        "Waiting: synclab's Condition and Event spin (crossbeam-style backoff, then a few \
         yields) before they park; std's and parking_lot's Condvar park at once. \
         `std-condvar-spin` and `parking_lot-condvar-spin` are theirs with synclab's spin in \
         front (not counted as the ecosystem's best); crossbeam's bounded(1) channels spin with \
         backoff, then park. The goals compare with the three that spin.",
    ),
    (
        "pool/",
        "Waiting: synclab's futures and queue spin with backoff before they park; rayon's \
         workers spin and steal before they sleep (its round trip waits on a crossbeam \
         bounded(1) channel, as the crossbeam pool's does); the crossbeam pool's workers wait \
         on an unbounded channel.",
    ),
    (
        "semaphore/",
        "Waiting: both park without spinning first, synclab's Semaphore on its futex word, the \
         parking_lot-condvar semaphore on its Condvar (whose Mutex spins briefly).",
    ),
    (
        "queue/",
        "Waiting: all three spin with backoff before they park (std's channel is \
         crossbeam's design).",
    ),
];

/// How many runs `measurements` come from.
fn run_count(measurements: &[Measurement]) -> usize {
    measurements.iter().map(|m| m.run).max().unwrap_or(0)
}

/// The tables, one per group and parameter.
pub fn tables(measurements: &[Measurement]) -> String {
    let runs = run_count(measurements);
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
        let ecosystem: Vec<&BTreeMap<usize, f64>> = set
            .iter()
            .filter(|(function, _)| is_ecosystem(function))
            .map(|(_, runs)| runs)
            .collect();
        let best = best_of(&ecosystem);
        let _ = writeln!(
            out,
            "| implementation | time per element: median (min–max) | ratio to the best of the ecosystem: median (min–max) |\n|---|---|---|"
        );
        for (function, by_run) in &set {
            let times = Spread::of(by_run.values().copied().collect());
            let times = times.map_or("—".to_owned(), |t| t.show(time, runs));
            let ratio = ratios(by_run, &best).map_or("—".to_owned(), |r| r.show(ratio, runs));
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

/// A benchmark: group, implementation, parameter.
type Key = (&'static str, &'static str, Option<&'static str>);

/// A speed goal: ours over the best of theirs (run by run) must stay
/// within `limit`.
struct Goal {
    what: &'static str,
    ours: Key,
    theirs: &'static [Key],
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

const CONTENDED_MISSED: &str = "synclab's Lock is a futex word that yields before it parks, \
    without parking_lot's fairness: parking_lot hands the lock directly to a parked thread about \
    every 0.5 ms, which bounds a convoy, and knows exactly when a thread is parked. A futex wake \
    cannot hand the lock over (the woken thread must still win it), which is the design's limit \
    here.";

/// The contended Lock against parking_lot's, in `group` with `sections`.
macro_rules! lock_goal {
    ($what:literal, $group:literal, $sections:literal) => {
        Goal {
            what: $what,
            ours: ($group, "synclab", Some($sections)),
            theirs: &[($group, "parking_lot", Some($sections))],
            limit: 1.0,
            if_missed: CONTENDED_MISSED,
        }
    };
}

const PING_PONG_MISSED: &str = "synclab's Condition is the guide's: a player takes the lock, \
    finds the turn is not its own, releases the lock, spins on the condition's sequence, and \
    takes the lock again to re-check; the comparator spins on a copy of the turn before it takes \
    the mutex at all, two lock transfers fewer per hand-off. A notify also looks at the futex's \
    queue even while the waiter is only spinning (a count of parked waiters would skip that, at \
    the cost of one more atomic in every trace the lab checks). An Event's wait is a Condition \
    wait.";

/// The like-for-like comparators of a ping-pong, which spin before they
/// park as synclab's waits do: a Condvar with synclab's spin in front
/// (std's or parking_lot's) and crossbeam's bounded(1) channels, whichever
/// was fastest in the run. A bare Condvar parks at once: another policy,
/// measured but not a goal's comparator.
const SPINNING: &[Key] = &[
    ("ping-pong", "std-condvar-spin", None),
    ("ping-pong", "parking_lot-condvar-spin", None),
    ("ping-pong", "crossbeam-channel", None),
];

const POOL_MISSED: &str = "synclab's pool is the guide's design: one lock-protected queue of boxed \
    jobs shared by every worker, and a future per task (a lock, a condition, two allocations), \
    each completion stamped and each job marked done under the queue's lock. With one worker, \
    rayon's `scope` pushes the 10,000 spawns onto that worker's own deque and runs them with no \
    future at all; the pool of the same design over a crossbeam channel (a bounded(1) channel \
    per future) costs 2.6 times synclab's per task. Tried, and kept: `map` queues its jobs in one \
    batch (one hold of each lock, one wake per waiting worker), and completion notifies only when \
    someone sleeps on the future: 7.6 to 4.8 ms per map at one worker.";

/// A pool case against rayon and the crossbeam-channel pool at `workers`.
macro_rules! pool_goal {
    ($what:literal, $group:literal, $workers:literal) => {
        Goal {
            what: $what,
            ours: ($group, "synclab", Some($workers)),
            theirs: &[
                ($group, "rayon", Some($workers)),
                ($group, "crossbeam-pool", Some($workers)),
            ],
            limit: 1.5,
            if_missed: POOL_MISSED,
        }
    };
}

const FACADE_ATOMIC_MISSED: &str = "A facade atomic is std's behind one compare of its \
    world tag (std's, or a model's) and one load of a global that is 0 unless a kit is \
    checking (a std value used inside a model is refused, and only that global says whether \
    one runs). In a loop that does nothing but load, those two are the whole gap; a \
    read-modify-write hides them. Cutting them takes a type per world, which is what the \
    facade is there to spare its users.";

/// A facade atomic against std's, in `group`.
macro_rules! facade_goal {
    ($what:literal, $group:literal) => {
        Goal {
            what: $what,
            ours: ($group, "synclab-facade", None),
            theirs: &[($group, "std", None)],
            limit: 1.05,
            if_missed: FACADE_ATOMIC_MISSED,
        }
    };
}

const GOALS: &[Goal] = &[
    Goal {
        what: "uncontended Lock lock+unlock ≤ 1.0 × std Mutex",
        ours: ("lock/uncontended", "synclab", None),
        theirs: &[("lock/uncontended", "std", None)],
        limit: 1.0,
        if_missed: "The fast paths are the same instructions as std's (one compare-exchange, \
            one swap); what remains is noise or code layout around them.",
    },
    lock_goal!(
        "Lock, 2 threads, short sections: at least parking_lot's throughput",
        "lock/contended/2-threads",
        "short"
    ),
    lock_goal!(
        "Lock, 2 threads, longer sections: at least parking_lot's throughput",
        "lock/contended/2-threads",
        "longer"
    ),
    lock_goal!(
        "Lock, 4 threads, short sections: at least parking_lot's throughput",
        "lock/contended/4-threads",
        "short"
    ),
    lock_goal!(
        "Lock, 4 threads, longer sections: at least parking_lot's throughput",
        "lock/contended/4-threads",
        "longer"
    ),
    Goal {
        what: "Semaphore acquire+release ≤ 1.2 × the Lock's lock+unlock",
        ours: ("semaphore/uncontended", "synclab", None),
        theirs: &[("semaphore/uncontended", "synclab-lock", None)],
        limit: 1.2,
        if_missed: UNEXPLAINED,
    },
    Goal {
        what: "Queue SPSC bounded(64) ≤ 1.5 × crossbeam per message",
        ours: ("queue/spsc", "synclab", Some("bounded(64)")),
        theirs: &[("queue/spsc", "crossbeam", Some("bounded(64)"))],
        limit: 1.5,
        if_missed: QUEUE_MISSED,
    },
    Goal {
        what: "Queue MPMC bounded(64) ≤ 1.5 × crossbeam per message",
        ours: ("queue/mpmc-2x2", "synclab", Some("bounded(64)")),
        theirs: &[("queue/mpmc-2x2", "crossbeam", Some("bounded(64)"))],
        limit: 1.5,
        if_missed: QUEUE_MISSED,
    },
    Goal {
        what: "Condition ping-pong ≤ 1.1 × the best that spins before it parks",
        ours: ("ping-pong", "synclab-condition", None),
        theirs: SPINNING,
        limit: 1.1,
        if_missed: PING_PONG_MISSED,
    },
    Goal {
        what: "Event ping-pong ≤ 1.1 × the best that spins before it parks",
        ours: ("ping-pong", "synclab-event", None),
        theirs: SPINNING,
        limit: 1.1,
        if_missed: PING_PONG_MISSED,
    },
    pool_goal!(
        "Pool submit + result, 1 worker: ≤ 1.5 × the best of rayon and a crossbeam pool",
        "pool/round-trip",
        "workers-1"
    ),
    pool_goal!(
        "Pool submit + result, 2 workers: ≤ 1.5 × the best of rayon and a crossbeam pool",
        "pool/round-trip",
        "workers-2"
    ),
    pool_goal!(
        "Pool submit + result, 4 workers: ≤ 1.5 × the best of rayon and a crossbeam pool",
        "pool/round-trip",
        "workers-4"
    ),
    pool_goal!(
        "Pool map over 10,000 tasks, 1 worker: ≤ 1.5 × the best per task",
        "pool/map-10k",
        "workers-1"
    ),
    pool_goal!(
        "Pool map over 10,000 tasks, 2 workers: ≤ 1.5 × the best per task",
        "pool/map-10k",
        "workers-2"
    ),
    pool_goal!(
        "Pool map over 10,000 tasks, 4 workers: ≤ 1.5 × the best per task",
        "pool/map-10k",
        "workers-4"
    ),
    Goal {
        what: "facade Mutex lock+unlock on real threads ≤ 1.05 × std Mutex",
        ours: ("facade/mutex-uncontended", "synclab-facade", None),
        theirs: &[("facade/mutex-uncontended", "std", None)],
        limit: 1.05,
        if_missed: "The facade's std path is std's `lock` behind one compare of the mutex's \
            world tag and one load of a global that is 0 unless a kit is checking; its guard \
            is two words, as std's is. What remains is noise or code layout.",
    },
    facade_goal!("facade atomic load ≤ 1.05 × std", "facade/atomic-load"),
    facade_goal!(
        "facade atomic fetch_add ≤ 1.05 × std",
        "facade/atomic-fetch-add"
    ),
    facade_goal!(
        "facade atomic compare_exchange ≤ 1.05 × std",
        "facade/atomic-compare-exchange"
    ),
];

/// The speed goals, each judged on its median ratio with the spread beside
/// it, and for each goal missed, by how much and why.
pub fn goals(measurements: &[Measurement]) -> String {
    let runs = run_count(measurements);
    let sets = sets(measurements);
    let find = |(group, function, parameter): Key| sets.get(&(group, parameter))?.get(function);
    let median = |by_run: &BTreeMap<usize, f64>| {
        Spread::of(by_run.values().copied().collect()).map(|s| s.median)
    };
    let mut out =
        String::from("| goal | ratio: median (min–max) | medians | met |\n|---|---|---|---|\n");
    let mut missed = Vec::new();
    for goal in GOALS {
        let theirs: Option<Vec<_>> = goal.theirs.iter().map(|&key| find(key)).collect();
        let best = theirs.map(|theirs| best_of(&theirs));
        let spread = find(goal.ours)
            .zip(best.as_ref())
            .and_then(|(ours, best)| Some((median(ours)?, median(best)?, ratios(ours, best)?)));
        let Some((ours, theirs, spread)) = spread else {
            let _ = writeln!(out, "| {} | not measured | — | — |", goal.what);
            continue;
        };
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
        let _ = writeln!(
            out,
            "| {} | {} | {} vs {} | {met} |",
            goal.what,
            spread.show(ratio, runs),
            time(ours),
            time(theirs)
        );
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
    let mut noted = String::new();
    if let (Some(start), Some(end)) = &runs.frequency {
        let _ = write!(
            noted,
            " CPU frequency: {start} MHz at the start, {end} MHz at the end."
        );
    }
    if let (Some(start), Some(end)) = &runs.load {
        let _ = write!(
            noted,
            " Load average (1, 5, 15 min): {start} at the start, {end} at the end."
        );
    }
    format!(
        "# synclab benchmarks\n\nMeasured {} on {}, by `benches/report.sh`: {} runs of every \
         benchmark file, one after another, so that the implementations a group compares \
         alternate run by run and a noisy minute hits them all; within a group, each run starts \
         with another implementation.{noted}\n\n\
         Each value is criterion's median time per element (per lock+unlock, per message, per \
         round trip, per task) and, beside it, its ratio to the best of std, parking_lot, \
         crossbeam and rayon measured in the same run; both are given as the median over the runs with the least \
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
        let ours = "| **synclab** | 10.00 ns (9.00 ns–20.00 ns) | 0.95× (0.90×–1.00×) |";
        assert!(table.contains(ours), "{table}");
    }

    /// A run that lost one side has no ratio, and the count says so; a run
    /// that lost one of the ecosystem's has no fair best.
    #[test]
    fn a_missing_run_is_counted_not_hidden() {
        let runs = [
            m(1, "synclab", 10.0),
            m(1, "std", 10.0),
            m(1, "parking_lot", 5.0),
            m(2, "synclab", 12.0),
            m(2, "std", 10.0),
            m(3, "synclab", f64::NAN),
            m(3, "std", 10.0),
            m(3, "parking_lot", 5.0),
        ];
        let table = tables(&runs);
        // Run 2 lost parking_lot: its best would be std's, unfairly.
        let ours =
            "| **synclab** | 11.00 ns (10.00 ns–12.00 ns) [2 of 3 runs] | 2.00× [1 of 3 runs] |";
        assert!(table.contains(ours), "{table}");
        let goals = goals(&runs);
        assert!(
            goals.contains("| 1.10× (1.00×–1.20×) [2 of 3 runs] |"),
            "{goals}"
        );
        assert!(
            !goals.contains("NaN") && !table.contains("NaN"),
            "{goals}{table}"
        );
    }
}

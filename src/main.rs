//! The lab's command line: runs the catalogue under every checker, prints
//! the matrix, writes the report, explains and replays failures.

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use cli::{Progress, bench_summary};
use synclab::catalogue::fuzz::{self, TargetKind};
use synclab::catalogue::{entries, find};
use synclab::lab::checkers::Checker;
use synclab::lab::entry::{Entry, Verdict};
use synclab::lab::runner::{self, Cell};
use synclab::lab::{Budget, report};

/// synclab: the classic threading primitives, correct and broken, under
/// loom, shuttle, proptest, linearizability and real-thread stress.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// List the catalogue: every variant and its bug.
    List,
    /// Run variants under checkers, print the matrix, write the report
    /// (the default, over everything).
    Run {
        /// Run only variants whose id contains one of these.
        filters: Vec<String>,
        /// Run only these checkers (`miri`, which needs the nightly
        /// toolchain and builds the crate for Miri, runs only when named).
        #[arg(long = "checker", value_parser = Checker::parse)]
        checkers: Vec<Checker>,
        /// Run every checker, Miri included.
        #[arg(long, conflicts_with = "checkers")]
        all: bool,
        /// Print JSON rows instead of the matrix.
        #[arg(long)]
        json: bool,
        /// Schedules per shuttle and linearizability run (default 1000; at
        /// least 1, at most 1,000,000).
        #[arg(long, value_parser = Budget::schedule_count)]
        iterations: Option<usize>,
        /// The seed of shuttle, proptest and linearizability runs.
        #[arg(long)]
        seed: Option<u64>,
        /// Deterministic cells to run at once (default: one per core).
        /// Stress cells always run alone.
        #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
        #[command(flatten)]
        modelling: ModellingArgs,
    },
    /// Tell one variant's story: its bug, its scenario, and the interleaving
    /// that breaks it, as a table and a diagram.
    Explain {
        /// The variant's id, e.g. `lock-relaxed`.
        variant: String,
        /// Also show the raw trace: every recorded atomic access, futex
        /// wait and wake, with its source location.
        #[arg(long)]
        raw: bool,
    },
    /// Summarize criterion's saved estimates over repeated runs (after
    /// `benches/report.sh`) as Markdown: a table per group, and the speed
    /// goals, each value a median with its spread.
    BenchSummary {
        /// The runs `benches/report.sh` saved (`run-1`, `run-2`...), or one
        /// criterion output directory (`target/criterion`) as a single run.
        #[arg(default_value = "target/bench-runs")]
        runs: PathBuf,
    },
    /// For a fuzz target (`ops` or `schedule`) of a variant's scenario: each
    /// variant it runs, and whether it must `crash` or `survive`.
    FuzzPlan {
        /// `ops` or `schedule`.
        #[arg(value_parser = ["ops", "schedule"])]
        kind: String,
        /// The id the target names.
        variant: String,
    },
    /// Run one cell and print its run as JSON, the budget read as JSON from
    /// standard input: how `run` spreads cells over child processes.
    #[command(hide = true)]
    Cell {
        /// The variant's id.
        variant: String,
        /// The checker.
        #[arg(value_parser = Checker::parse)]
        checker: Checker,
    },
    /// Run one variant's scenario once on real threads, saying how it
    /// ended: what the Miri checker runs under Miri.
    #[command(hide = true)]
    Native {
        /// The variant's id.
        variant: String,
    },
    /// Replay a failure deterministically and show its trace again.
    Replay {
        /// The variant's id.
        variant: String,
        /// The checker that found it.
        #[arg(long, value_parser = Checker::parse, required_unless_present = "schedule")]
        checker: Option<Checker>,
        /// A shuttle schedule, as a fuzz crash prints it: replays that one
        /// execution.
        #[arg(long, conflicts_with_all = ["checker", "seed", "schedules"])]
        schedule: Option<String>,
        /// The seed of a shuttle or linearizability run.
        #[arg(long)]
        seed: Option<u64>,
        /// The schedule the failure came at (the run stops there; at least
        /// 1, at most 1,000,000).
        #[arg(long, value_parser = Budget::schedule_count)]
        schedules: Option<usize>,
        #[command(flatten)]
        modelling: ModellingArgs,
        /// Also show the raw trace: every recorded atomic access, futex
        /// wait and wake, with its source location.
        #[arg(long)]
        raw: bool,
    },
}

/// What loom and shuttle add to their world (the lab's kernel), as the
/// command line sets it.
#[derive(Args, Clone, Copy, Debug, Default)]
struct ModellingArgs {
    /// loom and shuttle without the lab's virtual time: a non-zero timeout
    /// never fires (their own world).
    #[arg(long)]
    no_virtual_time: bool,
    /// Futex waits that may return spuriously in one loom or shuttle
    /// execution (default 1; 0 turns them off).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=8))]
    spurious_wakeups: Option<u32>,
}

impl ModellingArgs {
    /// `budget`, with these settings.
    fn apply(self, mut budget: Budget) -> Budget {
        budget.modelling.time &= !self.no_virtual_time;
        if let Some(spurious) = self.spurious_wakeups {
            budget.modelling.spurious_wakeups = spurious;
        }
        budget
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Run {
        filters: Vec::new(),
        checkers: Vec::new(),
        all: false,
        json: false,
        iterations: None,
        seed: None,
        jobs: None,
        modelling: ModellingArgs::default(),
    }) {
        Command::List => {
            list();
            ExitCode::SUCCESS
        }
        Command::Run {
            filters,
            checkers,
            all,
            json,
            iterations,
            seed,
            jobs,
            modelling,
        } => {
            let checkers = if all {
                Checker::EVERY.to_vec()
            } else {
                checkers
            };
            let jobs = jobs.map_or_else(
                || std::thread::available_parallelism().map_or(1, usize::from),
                usize::from,
            );
            let budget = modelling.apply(Budget::default().replaying(seed, iterations));
            run(&filters, &checkers, json, &budget, jobs)
        }
        Command::Explain { variant, raw } => explain(&variant, raw),
        Command::BenchSummary { runs } => match bench_summary::read(&runs) {
            Ok(runs) => {
                print!("{}", bench_summary::report(&runs));
                ExitCode::SUCCESS
            }
            Err(why) => {
                eprintln!("synclab: {why}");
                ExitCode::from(2)
            }
        },
        Command::FuzzPlan { kind, variant } => {
            let kind = if kind == "ops" {
                TargetKind::Operations
            } else {
                TargetKind::Schedule
            };
            let plan = fuzz::plan(kind, &variant);
            if plan.is_empty() {
                eprintln!("synclab: no variant `{variant}` with a target of that kind");
                return ExitCode::from(2);
            }
            for (entry, crash) in plan {
                println!("{} {}", entry.id, if crash { "crash" } else { "survive" });
            }
            ExitCode::SUCCESS
        }
        Command::Cell { variant, checker } => cli::cell(&variant, checker),
        Command::Native { variant } => native(&variant),
        Command::Replay {
            variant,
            checker,
            schedule,
            seed,
            schedules,
            modelling,
            raw,
        } => match (checker, schedule) {
            (_, Some(schedule)) => replay_schedule(&variant, &schedule, modelling, raw),
            (Some(checker), None) => {
                let budget = modelling.apply(Budget::default().replaying(seed, schedules));
                replay(&variant, checker, &budget, raw)
            }
            (None, None) => unreachable!("clap requires --checker or --schedule"),
        },
    }
}

fn list() {
    for entry in entries() {
        let bug = entry.bug.unwrap_or("correct");
        println!("{:<36} {:<18} {bug}", entry.id, entry.primitive);
    }
}

fn variant(id: &str) -> Result<&'static Entry, ExitCode> {
    find(id).ok_or_else(|| {
        eprintln!("synclab: no variant `{id}`; `synclab list` shows them");
        ExitCode::from(2)
    })
}

fn run(
    filters: &[String],
    checkers: &[Checker],
    json: bool,
    budget: &Budget,
    jobs: usize,
) -> ExitCode {
    let selected: Vec<&'static Entry> = entries()
        .filter(|e| filters.is_empty() || filters.iter().any(|f| e.id.contains(f.as_str())))
        .collect();
    if selected.is_empty() {
        eprintln!("synclab: no variant matches {filters:?}; `synclab list` shows them");
        return ExitCode::from(2);
    }
    let checkers = if checkers.is_empty() {
        Checker::ALL.to_vec()
    } else {
        checkers.to_vec()
    };
    // An asked-for column that cannot run says so here, not only in the report.
    let tools = [
        (
            Checker::Miri,
            synclab::lab::checkers::miri::available as fn() -> bool,
            synclab::lab::entry::NO_MIRI,
        ),
        (
            Checker::Tsan,
            synclab::lab::checkers::tsan::available,
            synclab::lab::entry::NO_TSAN,
        ),
    ];
    for (checker, available, why) in tools {
        if checkers.contains(&checker) && !available() {
            eprintln!("synclab: {checker} is n/a: {why}");
        }
    }
    let plan: Vec<(&'static Entry, Checker)> = selected
        .iter()
        .flat_map(|&entry| checkers.iter().map(move |&checker| (entry, checker)))
        .collect();
    let progress = Progress::new();
    let cells = runner::run_all(&plan, budget, jobs, &cli::in_child, |cell, done, total| {
        progress.show(done, total, cell.entry.id, cell.checker);
    });
    progress.finish();
    if json {
        println!("{}", report::json(&cells));
    } else {
        println!("{}", report::matrix(&cells));
        let escapes = report::escapes(&cells);
        if !escapes.is_empty() {
            println!(
                "Expected escapes and false alarms (a checker that cannot see the bug, or flags \
                 correct code, and why):\n\n{escapes}"
            );
        }
    }
    write_reports(&cells);
    let errors = cells
        .iter()
        .filter(|c| c.verdict == Some(Verdict::Error))
        .count();
    if errors > 0 {
        eprintln!("synclab: {errors} cell(s) explored nothing: the budget allows no schedule");
        return ExitCode::from(2);
    }
    let surprises = cells.iter().filter(|c| !c.is_expected()).count();
    if surprises == 0 {
        eprintln!("every verdict as the catalogue expects");
        ExitCode::SUCCESS
    } else {
        eprintln!("{surprises} verdict(s) differ from the catalogue (see the report)");
        ExitCode::FAILURE
    }
}

fn write_reports(cells: &[Cell]) {
    let dir =
        PathBuf::from(std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into()))
            .join("synclab");
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("report.md"), report::markdown(cells)))
        .and_then(|()| std::fs::write(dir.join("report.json"), report::json(cells)));
    match written {
        Ok(()) => eprintln!("report: {0}/report.md and {0}/report.json", dir.display()),
        Err(error) => eprintln!(
            "synclab: cannot write the report under {}: {error}",
            dir.display()
        ),
    }
}

fn native(id: &str) -> ExitCode {
    let entry = match variant(id) {
        Ok(entry) => entry,
        Err(code) => return code,
    };
    let checked =
        cfg!(miri) || std::env::var_os(synclab::lab::checkers::tsan::UNDER_TSAN).is_some();
    if entry.races_on_data && !checked {
        eprintln!(
            "synclab: {id} races on plain data: undefined behaviour on real threads; it runs only \
             under Miri or ThreadSanitizer (`--checker miri`, `--checker tsan`)"
        );
        return ExitCode::from(2);
    }
    // The scenario's first failure wins: a thread that fails an invariant
    // may hold a lock the others then wait for, and Miri would report the
    // deadlock that follows instead. A task's own panic (the pool hands it
    // to its future) is no failure of the scenario's.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied());
        let failure =
            message.map(|m| synclab::lab::failure::Failure::from_panic(Box::new(m.to_owned())));
        if let Some(failure) =
            failure.filter(|f| f.kind != synclab::lab::failure::FailureKind::Panic)
        {
            let message = failure.message.replace('\n', " ");
            println!("{}{message}", synclab::lab::checkers::miri::FAILED);
            std::process::exit(1);
        }
        previous(info);
    }));
    let ops = Budget::default().stress_ops;
    match std::panic::catch_unwind(|| (entry.subject.worlds.std)(ops)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(payload) => {
            let failure = synclab::lab::failure::Failure::from_panic(payload);
            let message = failure.message.replace('\n', " ");
            println!("{}{message}", synclab::lab::checkers::miri::FAILED);
            ExitCode::FAILURE
        }
    }
}

fn explain(id: &str, raw: bool) -> ExitCode {
    let entry = match variant(id) {
        Ok(entry) => entry,
        Err(code) => return code,
    };
    let cells = runner::explain(entry, &Budget::default());
    println!("{}", report::story(&cells, entry));
    if raw {
        let trace = runner::showcase(&cells, entry).and_then(|c| c.run.as_ref()?.trace.as_ref());
        print_raw(trace);
    }
    ExitCode::SUCCESS
}

/// The raw trace, for `--raw`.
fn print_raw(trace: Option<&synclab::lab::trace::Trace>) {
    match trace {
        Some(trace) => println!("The raw trace:\n\n{}", trace.raw_table()),
        None => println!("No trace was recorded."),
    }
}

fn replay(id: &str, checker: Checker, budget: &Budget, raw: bool) -> ExitCode {
    let entry = match variant(id) {
        Ok(entry) => entry,
        Err(code) => return code,
    };
    let cell = Cell::run(entry, checker, budget);
    let Some(run) = &cell.run else {
        eprintln!("synclab: {checker} does not apply to {id}");
        return ExitCode::from(2);
    };
    match &run.failure {
        None => {
            println!(
                "{id} × {checker}: no failure in {} schedules: nothing to replay",
                run.schedules
            );
            ExitCode::FAILURE
        }
        Some(failure) => {
            println!(
                "{id} × {checker}: {failure}\n(schedule {})\n",
                run.schedules
            );
            if let Some(trace) = &run.trace {
                println!("{}\n```mermaid\n{}```", trace.table(), trace.mermaid());
            }
            if raw {
                print_raw(run.trace.as_ref());
            }
            ExitCode::SUCCESS
        }
    }
}

fn replay_schedule(id: &str, encoded: &str, modelling: ModellingArgs, raw: bool) -> ExitCode {
    let entry = match variant(id) {
        Ok(entry) => entry,
        Err(code) => return code,
    };
    let scenario = entry.subject.worlds.shuttle;
    let modelling = entry.modelling_in(&modelling.apply(Budget::default()));
    match synclab::lab::fuzz::replay(entry.id, scenario, modelling, encoded) {
        Err(why) => {
            eprintln!("synclab: {why}");
            ExitCode::from(2)
        }
        Ok(None) => {
            println!("{id}: the schedule runs to the end without a failure: nothing to replay");
            ExitCode::FAILURE
        }
        Ok(Some(found)) => {
            println!("{found}");
            if raw {
                print_raw(found.trace.as_ref());
            }
            ExitCode::SUCCESS
        }
    }
}

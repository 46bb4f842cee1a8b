//! The command line's own helpers: progress, and the benchmark summary
//! (benchmark tooling, not lab code: the library does not carry it).

pub mod bench_summary;

use std::io::{IsTerminal, Read, Write};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use synclab::catalogue::find;
use synclab::lab::Budget;
use synclab::lab::checkers::{Checker, Run};
use synclab::lab::entry::Entry;
use synclab::lab::failure::{Failure, FailureKind};

/// Shows which cells have finished: an updating line on a terminal, plain
/// lines when piped. Cells finish on several threads at once, while the
/// lab keeps the process's standard error muted (see `synclab::lab`'s quiet
/// checkers), so progress goes to a copy of standard error taken before.
pub struct Progress {
    terminal: bool,
    out: Mutex<Box<dyn Write + Send>>,
}

impl Progress {
    pub fn new() -> Self {
        let out = real_stderr().unwrap_or_else(|| Box::new(std::io::stderr()));
        Progress {
            terminal: std::io::stderr().is_terminal(),
            out: Mutex::new(out),
        }
    }

    pub fn show(&self, done: usize, total: usize, id: &str, checker: Checker) {
        let line = format!("[{done:>3}/{total}] {id} × {checker}");
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        if self.terminal {
            let _ = write!(out, "\r\x1b[2K{line}");
        } else {
            let _ = writeln!(out, "{line}");
        }
        let _ = out.flush();
    }

    pub fn finish(&self) {
        if self.terminal {
            let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
            let _ = write!(out, "\r\x1b[2K");
            let _ = out.flush();
        }
    }
}

/// A copy of this process's standard error, which the lab's muting of
/// file descriptor 2 does not reach.
#[cfg(unix)]
fn real_stderr() -> Option<Box<dyn Write + Send>> {
    let fd = rustix::io::fcntl_dupfd_cloexec(std::io::stderr(), 0).ok()?;
    Some(Box::new(std::fs::File::from(fd)))
}

#[cfg(not(unix))]
fn real_stderr() -> Option<Box<dyn Write + Send>> {
    None
}

/// How long a cell's process may run before it is stopped: far beyond any
/// cell of the default budgets (the longest takes about a second).
const CELL_LIMIT: Duration = Duration::from_secs(600);

/// Executes a cell in a child process (`synclab cell`), so that cells on
/// different cores do not share an address space (see
/// `synclab::lab::runner::run_all`). The run comes back as JSON on the last
/// line of the child's standard output. A child that fails to report, or
/// runs past [`CELL_LIMIT`], is a `panic` failure of the cell (never an
/// expected verdict), with what it printed.
pub fn in_child(entry: &'static Entry, checker: Checker, budget: &Budget) -> Option<Run> {
    let failed = |why: String| {
        Some(Run {
            checker,
            failure: Some(Failure::new(FailureKind::Panic, why)),
            schedules: 0,
            elapsed: Duration::ZERO,
            histogram: None,
            replay: None,
            trace: None,
            incomplete: None,
            inconclusive: None,
        })
    };
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(error) => return failed(format!("cannot find the synclab binary: {error}")),
    };
    let child = Command::new(exe)
        .args(["cell", entry.id, checker.name()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) => return failed(format!("cannot start a cell's process: {error}")),
    };
    if let Some(mut stdin) = child.stdin.take() {
        let budget = serde_json::to_string(budget).unwrap_or_default();
        let _ = stdin.write_all(budget.as_bytes());
    }
    let (stdout, stderr) = (drain(child.stdout.take()), drain(child.stderr.take()));
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() < CELL_LIMIT => thread::sleep(Duration::from_millis(2)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return failed(format!(
                    "the cell's process ran past {CELL_LIMIT:?} and was stopped"
                ));
            }
            Err(error) => return failed(format!("the cell's process was lost: {error}")),
        }
    };
    let (stdout, stderr) = (
        stdout.join().unwrap_or_default(),
        stderr.join().unwrap_or_default(),
    );
    let last = stdout.lines().rev().find(|line| !line.trim().is_empty());
    match last.map(serde_json::from_str::<Option<Run>>) {
        Some(Ok(run)) if status.success() => run,
        _ => failed(format!(
            "the cell's process failed ({status}): {}",
            stderr.trim()
        )),
    }
}

/// Reads a child's pipe to its end on a thread of its own.
fn drain(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

/// The child's side of [`in_child`]: reads the budget from standard input,
/// runs the cell, prints the run.
pub fn cell(id: &str, checker: Checker) -> ExitCode {
    let Some(entry) = find(id) else {
        eprintln!("synclab: no variant `{id}`");
        return ExitCode::from(2);
    };
    let mut input = String::new();
    let budget = std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| e.to_string())
        .and_then(|_| serde_json::from_str::<Budget>(&input).map_err(|e| e.to_string()));
    let budget = match budget {
        Ok(budget) => budget,
        Err(why) => {
            eprintln!("synclab: the budget on standard input is not valid JSON: {why}");
            return ExitCode::from(2);
        }
    };
    let run = entry.run(checker, &budget);
    match serde_json::to_string(&run) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("synclab: cannot encode the run: {error}");
            ExitCode::FAILURE
        }
    }
}

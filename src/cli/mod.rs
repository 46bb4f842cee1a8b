//! The command line's own helpers: progress, and the benchmark summary
//! (benchmark tooling, not lab code: the library does not carry it).

pub mod bench_summary;

use std::io::{IsTerminal, Read, Write};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Mutex;

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
    let fd = rustix::io::dup(std::io::stderr()).ok()?;
    Some(Box::new(std::fs::File::from(fd)))
}

#[cfg(not(unix))]
fn real_stderr() -> Option<Box<dyn Write + Send>> {
    None
}

/// Executes a cell in a child process (`synclab cell`), so that cells on
/// different cores do not share an address space (see
/// `synclab::lab::runner::run_all`). A child that fails to report is a
/// `panic` failure of the cell, with what it printed.
pub fn in_child(entry: &'static Entry, checker: Checker, budget: &Budget) -> Option<Run> {
    let failed = |why: String| {
        Some(Run {
            checker,
            failure: Some(Failure::new(FailureKind::Panic, why)),
            schedules: 0,
            elapsed: std::time::Duration::ZERO,
            histogram: None,
            replay: None,
            trace: None,
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
    let output = match child.wait_with_output() {
        Ok(output) => output,
        Err(error) => return failed(format!("the cell's process was lost: {error}")),
    };
    match serde_json::from_slice::<Option<Run>>(&output.stdout) {
        Ok(run) if output.status.success() => run,
        _ => failed(format!(
            "the cell's process failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )),
    }
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

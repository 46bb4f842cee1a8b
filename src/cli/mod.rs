//! The command line's own helpers: progress, and the benchmark summary
//! (benchmark tooling, not lab code: the library does not carry it).

pub mod bench_summary;

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::sync::Mutex;

use synclab::catalogue::find;
use synclab::lab::checkers::{Checker, Run};
use synclab::lab::entry::Entry;
use synclab::lab::{Budget, child, runner};

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

/// Executes a cell in a child process (`synclab cell`), so that cells on
/// different cores do not share an address space (see
/// `synclab::lab::runner::run_all`), and a hung stress round dies with its
/// process: [`runner::in_child`] on this binary.
pub fn in_child(entry: &'static Entry, checker: Checker, budget: &Budget) -> Option<Run> {
    match std::env::current_exe() {
        Ok(exe) => runner::in_child(&exe, entry, checker, budget),
        Err(error) => Some(Run::panicked(
            checker,
            format!("cannot find the synclab binary: {error}"),
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
    let run = child::started().map(|()| entry.run(checker, &budget));
    match run.and_then(|run| child::report(&run)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("synclab: cannot report the run: {error}");
            ExitCode::FAILURE
        }
    }
}

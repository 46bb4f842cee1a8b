//! Runs in a child process, and what the child reports back.
//!
//! A stress round that hangs can be abandoned, not stopped: its threads keep
//! whatever core they spin on until they next call into the backend (see
//! the census), and a spin with no such call never does. In a child process
//! the round is killed with its process, and nothing it leaves behind slows
//! the runs after it. The lab runs its stress cells so: the command line and
//! the catalogue's tests in a `synclab cell` process
//! ([`runner::in_child`](super::runner::in_child)), a user's kit in its own
//! test binary, run again for that one test (`own`'s isolation).
//!
//! The protocol is two lines on the child's standard output, written past
//! any capture a test harness sets up: [`STARTED`] once the child has
//! reached the run it was started for, then [`REPORT`] followed by the run
//! as JSON. Each may follow other text on its line (libtest writes
//! `test name ... ` before a test runs). A child that exits without
//! reporting either never reached its run (its parent may run it in
//! process instead) or died in it.

use std::fmt;
use std::io::{self, Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::Budget;
use super::checkers::Run;

/// The line a child writes once it has reached its run.
pub const STARTED: &str = "synclab-started";

/// The prefix of the line that carries the child's run, as JSON.
pub const REPORT: &str = "synclab-run: ";

/// How long a child may run before it is killed, at the least: far beyond
/// any run of the lab's default budget (the longest cell takes about a
/// second). See [`limit`].
pub const LIMIT: Duration = Duration::from_secs(600);

/// How long a child running within `budget` may run before it is killed:
/// [`LIMIT`], or a minute more than a stress run whose every round ran to
/// its timeout, if that is longer.
pub fn limit(budget: &Budget) -> Duration {
    let rounds = u32::try_from(budget.stress_rounds).unwrap_or(u32::MAX);
    let stress = budget.stress_round_timeout.saturating_mul(rounds);
    LIMIT.max(stress.saturating_add(Duration::from_secs(60)))
}

/// Says, on standard output, that this child has reached its run.
pub fn started() -> io::Result<()> {
    let mut out = io::stdout().lock();
    write!(out, "\n{STARTED}\n")?;
    out.flush()
}

/// Reports `run` to the parent on standard output.
pub fn report(run: &Option<Run>) -> io::Result<()> {
    let json = serde_json::to_string(run).map_err(io::Error::other)?;
    let mut out = io::stdout().lock();
    write!(out, "\n{REPORT}{json}\n")?;
    out.flush()
}

/// Why a child brought no run back.
#[derive(Debug)]
pub enum Lost {
    /// The child could not be started.
    Start(io::Error),
    /// The child ran past its [`limit`] and was killed.
    Limit(Duration),
    /// Waiting for the child failed.
    Wait(io::Error),
    /// The child exited without a run: before reaching it (`started` is
    /// false), or in it.
    Silent {
        /// Whether the child had reached its run ([`STARTED`]).
        started: bool,
        /// How it exited.
        status: ExitStatus,
        /// The end of what it wrote to standard error.
        stderr: String,
    },
}

impl fmt::Display for Lost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lost::Start(error) => write!(f, "the child process could not start: {error}"),
            Lost::Limit(limit) => write!(f, "the child process ran past {limit:?} and was killed"),
            Lost::Wait(error) => write!(f, "the child process was lost: {error}"),
            Lost::Silent {
                started,
                status,
                stderr,
            } => {
                let when = if *started {
                    "in its run"
                } else {
                    "before its run"
                };
                write!(f, "the child process exited {when} ({status})")?;
                match stderr.trim() {
                    "" => Ok(()),
                    stderr => write!(f, ": {stderr}"),
                }
            }
        }
    }
}

/// Runs `command` with `input` on its standard input, and reads the run it
/// reports. The child is killed if it runs past `limit`.
pub fn run(command: &mut Command, input: Vec<u8>, limit: Duration) -> Result<Option<Run>, Lost> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(Lost::Start)?;
    let stdin = child.stdin.take();
    // Written on a thread of its own: a child that writes much before it
    // reads must not wait on a parent that waits to write.
    thread::spawn(move || {
        if let Some(mut stdin) = stdin {
            // A child that does not read its input closes the pipe: no matter.
            let _ = stdin.write_all(&input);
        }
    });
    let (stdout, stderr) = (drain(child.stdout.take()), drain(child.stderr.take()));
    let start = Instant::now();
    // Polled with a growing pause, so that a long run is not disturbed.
    let mut pause = Duration::from_millis(1);
    let status = loop {
        let stop = match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() < limit => {
                thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
                continue;
            }
            Ok(None) => Lost::Limit(limit),
            Err(error) => Lost::Wait(error),
        };
        let _ = child.kill();
        let _ = child.wait();
        return Err(stop);
    };
    let (stdout, stderr) = (
        stdout.join().unwrap_or_default(),
        stderr.join().unwrap_or_default(),
    );
    let report = stdout
        .lines()
        .rev()
        .find_map(|line| line.split_once(REPORT).map(|(_, json)| json));
    match report.map(serde_json::from_str::<Option<Run>>) {
        Some(Ok(run)) => Ok(run),
        _ => Err(Lost::Silent {
            started: stdout.lines().any(|line| line.ends_with(STARTED)),
            status,
            stderr: tail(&stderr, 20),
        }),
    }
}

/// The last `lines` lines of `text`.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
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

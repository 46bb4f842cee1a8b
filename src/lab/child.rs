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
use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use super::Budget;
use super::checkers::{Checker, Run};

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
    /// The child did not reach its run within [`START_LIMIT`], and was
    /// killed.
    NotStarted,
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

impl Lost {
    /// The run of `checker` this loss stands for: inconclusive if the child
    /// was killed at its limit (too long is not a verdict), otherwise a
    /// `panic` failure saying how the child was lost (never an expected
    /// verdict).
    pub fn into_run(self, checker: Checker) -> Run {
        match self {
            Lost::Limit(_) => Run {
                inconclusive: Some(self.to_string()),
                ..Run::empty(checker)
            },
            lost => Run::panicked(checker, format!("the {checker} run died: {lost}")),
        }
    }
}

impl fmt::Display for Lost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lost::Start(error) => write!(f, "the child process could not start: {error}"),
            Lost::Limit(limit) => write!(f, "the child process ran past {limit:?} and was killed"),
            Lost::Wait(error) => write!(f, "the child process was lost: {error}"),
            Lost::NotStarted => write!(
                f,
                "the child process did not reach its run within {START_LIMIT:?}, and was killed"
            ),
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

/// How long a child may take to reach its run ([`STARTED`]) before it is
/// given up: one stuck before its run (a test waiting on a file lock its
/// parent holds) must not hold the parent up for the whole [`limit`].
pub const START_LIMIT: Duration = Duration::from_secs(60);

/// Runs `command` with `input` on its standard input, and reads the run it
/// reports. The child is killed if it runs past `limit`, or has not reached
/// its run within [`START_LIMIT`]. On Unix it runs in a process group of its
/// own, which is killed once the child is done: a process the child's code
/// started cannot outlive it and hold its output open.
pub fn run(command: &mut Command, input: Vec<u8>, limit: Duration) -> Result<Option<Run>, Lost> {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(command, 0);
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
    let started = Arc::new(AtomicBool::new(false));
    let (stdout, stderr) = (
        read_lines(child.stdout.take(), Some(Arc::clone(&started))),
        read_lines(child.stderr.take(), None),
    );
    let start = Instant::now();
    // Polled with a growing pause, so that a long run is not disturbed.
    let mut pause = Duration::from_millis(1);
    let outcome = loop {
        let elapsed = start.elapsed();
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if !started.load(Ordering::Relaxed) && elapsed > START_LIMIT.min(limit) => {
                break Err(Lost::NotStarted);
            }
            Ok(None) if elapsed < limit => {
                thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Ok(None) => break Err(Lost::Limit(limit)),
            Err(error) => break Err(Lost::Wait(error)),
        }
    };
    if outcome.is_err() {
        let _ = child.kill();
        let _ = child.wait();
    }
    kill_group(child.id());
    let status = outcome?;
    // The group is gone, so the pipes close; a process that left the group
    // and kept them open is not waited for.
    let wait = Duration::from_secs(1);
    let (stdout, stderr) = (
        stdout.recv_timeout(wait).unwrap_or_default(),
        stderr.recv_timeout(wait).unwrap_or_default(),
    );
    let report = stdout
        .lines()
        .rev()
        .find_map(|line| line.split_once(REPORT).map(|(_, json)| json));
    match report.map(serde_json::from_str::<Option<Run>>) {
        Some(Ok(run)) => Ok(run),
        _ => Err(Lost::Silent {
            started: started.load(Ordering::Relaxed),
            status,
            stderr: tail(&stderr, 20),
        }),
    }
}

/// Kills what is left of the process group the child `pid` led.
fn kill_group(pid: u32) {
    #[cfg(unix)]
    if let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        // ESRCH (nothing left) is the usual answer.
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// The last `lines` lines of `text`.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Reads a child's pipe on a thread of its own, to its end or to the line
/// that carries the [`REPORT`], noting the [`STARTED`] line in `started`;
/// the text comes back on the channel.
fn read_lines(
    pipe: Option<impl Read + Send + 'static>,
    started: Option<Arc<AtomicBool>>,
) -> mpsc::Receiver<String> {
    let (send, receive) = mpsc::channel();
    thread::spawn(move || {
        let mut text = String::new();
        if let Some(pipe) = pipe {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                if let Some(started) = &started
                    && line.ends_with(STARTED)
                {
                    started.store(true, Ordering::Relaxed);
                }
                text.push_str(&line);
                text.push('\n');
                if line.contains(REPORT) {
                    break;
                }
            }
        }
        let _ = send.send(text);
    });
    receive
}

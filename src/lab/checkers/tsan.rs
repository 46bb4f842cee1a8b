//! ThreadSanitizer: a variant's scenario on real threads of the
//! [`Std`](crate::backend::Std) world, instrumented: it tracks
//! happens-before between threads and reports two accesses to one location,
//! one a write, that nothing orders.
//!
//! It needs the nightly toolchain, `-Zsanitizer=thread` and a build of std
//! with it (`-Zbuild-std`, from `rust-src`), so the lab builds the
//! `synclab` binary that way once per lab run, in `target/tsan` (about
//! three minutes here; cargo's lock makes the other cells wait), and runs
//! its `native <id>` command [`ROUNDS`] times, each round under
//! [`ROUND_TIMEOUT`]. A race is reported whether or not the two accesses
//! overlapped in time, when nothing orders them (a Relaxed lock's critical
//! sections), and only when they happened (a test-then-set lock's second
//! holder must actually come in): for the first kind ThreadSanitizer
//! decides; for everything else it runs real threads, and reports a
//! frequency like a stress run. A round that does not end in time is a
//! hang (a deadlock on real threads), and ends the run.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::{Checker, Run, miri};
use crate::lab::failure::{Failure, FailureKind};

/// The rounds each cell runs, at most (it stops at the first failure).
pub const ROUNDS: usize = 20;

/// How long one round may take before it is a hang.
pub const ROUND_TIMEOUT: Duration = Duration::from_secs(10);

/// The command that installs what ThreadSanitizer needs.
pub const INSTALL: &str = "rustup component add --toolchain nightly rust-src";

/// The variable a round runs with: `native` runs a scenario that races on
/// data only under Miri or with it set (see [`Entry::races_on_data`](crate::lab::entry::Entry::races_on_data)).
pub const UNDER_TSAN: &str = "SYNCLAB_UNDER_TSAN";

/// The target the instrumented std is built for.
const TARGET: &str = "x86_64-unknown-linux-gnu";

/// Whether the nightly toolchain has `rust-src` here, and the machine is
/// the target ThreadSanitizer is built for (asked once).
pub fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let sysroot = Command::new("rustc")
            .args(["+nightly", "--print", "sysroot"])
            .env("RUSTUP_AUTO_INSTALL", "0")
            .output();
        cfg!(all(target_os = "linux", target_arch = "x86_64"))
            && sysroot.is_ok_and(|output| {
                let root = String::from_utf8_lossy(&output.stdout).trim().to_owned();
                output.status.success()
                    && PathBuf::from(root)
                        .join("lib/rustlib/src/rust/library/std")
                        .is_dir()
            })
    })
}

/// Builds the instrumented binary (or finds it built) and runs variant
/// `id`'s scenario under it.
pub(crate) fn check(id: &str) -> Run {
    Run::timed(Checker::Tsan, || match build() {
        Err(why) => (Some(Failure::new(FailureKind::Panic, why)), 0),
        Ok(binary) => rounds(&binary, id),
    })
}

/// `cargo +nightly build` of the instrumented `synclab`; its path.
fn build() -> Result<PathBuf, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new("cargo")
        .args([
            "+nightly",
            "build",
            "--quiet",
            "-Zbuild-std",
            "--target",
            TARGET,
        ])
        .args(["--bin", "synclab", "--target-dir", "target/tsan"])
        .env("RUSTFLAGS", "-Zsanitizer=thread")
        .current_dir(&root)
        .output()
        .map_err(|error| format!("cargo +nightly build could not start: {error}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(format!(
            "the ThreadSanitizer build failed: {}",
            tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
        ));
    }
    Ok(root.join(format!("target/tsan/{TARGET}/debug/synclab")))
}

/// Up to [`ROUNDS`] rounds of `binary native id`, until one fails.
fn rounds(binary: &PathBuf, id: &str) -> (Option<Failure>, usize) {
    for round in 1..=ROUNDS {
        let child = Command::new(binary)
            .args(["native", id])
            .env("TSAN_OPTIONS", "halt_on_error=1")
            .env(UNDER_TSAN, "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match child {
            Ok(child) => child,
            Err(error) => {
                let why = format!("{} could not start: {error}", binary.display());
                return (Some(Failure::new(FailureKind::Panic, why)), round - 1);
            }
        };
        let started = Instant::now();
        while child.try_wait().ok().flatten().is_none() {
            if started.elapsed() > ROUND_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                let why = format!(
                    "round {round} did not end within {ROUND_TIMEOUT:?}: its threads are blocked \
                     or still running on real threads"
                );
                return (Some(Failure::new(FailureKind::Hang, why)), round);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let Ok(output) = child.wait_with_output() else {
            continue;
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if let Some(failure) = judge(&stdout, &stderr, output.status.success()) {
            return (Some(failure), round);
        }
    }
    (None, ROUNDS)
}

/// What one round's output says: ThreadSanitizer's report (its summary
/// line), the scenario's own failure, or nothing.
pub fn judge(stdout: &str, stderr: &str, success: bool) -> Option<Failure> {
    if let Some(summary) = stderr
        .lines()
        .find_map(|line| line.strip_prefix("SUMMARY: ThreadSanitizer: "))
    {
        let kind = if summary.starts_with("data race") {
            FailureKind::DataRace
        } else {
            FailureKind::Panic
        };
        let summary = summary
            .replace(env!("CARGO_MANIFEST_DIR"), "")
            .replace("//", "/");
        return Some(Failure::new(kind, format!("ThreadSanitizer: {summary}")));
    }
    if let Some(failure) = miri::scenario_failure(stdout) {
        return Some(failure);
    }
    (!success).then(|| {
        let last = stderr.lines().last().unwrap_or("no output");
        Failure::new(FailureKind::Panic, format!("the round failed: {last}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ThreadSanitizer's summary is a data race, with where; a clean round
    /// is nothing; a scenario's own failure is its kind.
    #[test]
    fn judges_what_tsan_reports() {
        let stderr = "WARNING: ThreadSanitizer: data race (pid=1)\nSUMMARY: ThreadSanitizer: data \
                      race /src/lock/scenarios.rs:141:51 in lock_guarded_cell\n";
        let failure = judge("", stderr, false).expect("a race");
        assert_eq!(failure.kind, FailureKind::DataRace);
        assert!(
            failure.message.contains("scenarios.rs:141:51"),
            "{failure:?}"
        );
        assert!(judge("", "", true).is_none());
        let own = format!("{}[lost-update] counter is 1\n", miri::FAILED);
        let kind = judge(&own, "", false).map(|f| f.kind);
        assert_eq!(
            kind,
            Some(FailureKind::Assertion(crate::lab::failure::Bug::LostUpdate))
        );
    }
}

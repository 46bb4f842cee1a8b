//! A kit's Miri runs: each scenario's std path, in the user's own test
//! binary, rebuilt and interpreted by Miri.
//!
//! The parent (a `#[test]` in a `tests/` file whose kit asked for Miri
//! with [`Kit::with_miri`]) runs `cargo +nightly miri test --test <file>
//! -- <test> --exact --nocapture` in the package's directory, naming the
//! scenario in [`SCENARIO`], set by Miri in the program it runs. Under Miri the test runs from its start; its
//! first [`Kit::check`] that holds the scenario runs the scenario's std
//! world once (Miri's seed decides the interleaving) and ends the program:
//! exit 0, or the scenario's failure printed after
//! [`FAILED`](crate::lab::checkers::miri::FAILED) and exit 1. Miri's own
//! findings (a data race, undefined behaviour, a deadlock) end it with
//! Miri's report. [`SEEDS`](crate::lab::checkers::miri::SEEDS) seeds, one
//! at a time, judged as the lab's Miri column is.
//!
//! A check before that one in the same test returns an empty report in
//! the child: keep a Miri-checked kit to a test of its own.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::Command;

use super::{Kit, OwnReport, OwnRun};
use crate::lab::Budget;
use crate::lab::checkers::{Checker, Run, miri};
use crate::lab::failure::Failure;

/// The variable that names, to the child, the scenario Miri runs.
pub const SCENARIO: &str = "SYNCLAB_MIRI_SCENARIO";

/// In the Miri child, for a check: the scenario's run, which ends the
/// program, or an empty report for a kit that does not hold it. `None`
/// outside the child.
pub(super) fn child(kit: &Kit, budget: &Budget) -> Option<OwnReport> {
    if !cfg!(miri) {
        return None;
    }
    let name = std::env::var(SCENARIO).ok()?;
    if let Some((_, worlds)) = kit.scenarios.iter().find(|(scenario, _)| *scenario == name) {
        let ran = catch_unwind(AssertUnwindSafe(|| (worlds.std)(budget.stress_ops)));
        if let Err(payload) = ran {
            let failure = Failure::from_panic(payload);
            println!("{}{}", miri::FAILED, failure.message);
            std::process::exit(1);
        }
        std::process::exit(0);
    }
    Some(OwnReport {
        kind: kit.kind,
        runs: Vec::new(),
    })
}

/// The Miri runs of `kit`'s scenarios, from its test.
pub(super) fn runs(kit: &Kit) -> Vec<OwnRun> {
    let test = std::thread::current().name().map(str::to_owned);
    let file = std::env::current_exe().ok().and_then(|exe| {
        let stem = exe.file_stem()?.to_str()?.to_owned();
        Some(
            stem.rsplit_once('-')
                .map_or(stem.clone(), |(file, _hash)| file.to_owned()),
        )
    });
    kit.scenarios
        .iter()
        .map(|&(scenario, _)| OwnRun {
            scenario,
            run: match (&test, &file) {
                _ if !miri::available() => inconclusive(format!(
                    "Miri is not installed for the nightly toolchain: {}",
                    miri::INSTALL
                )),
                _ if scenario.contains(char::is_whitespace) => inconclusive(format!(
                    "the scenario's name {scenario:?} has a space, and Miri's flags cannot \
                     carry it"
                )),
                (Some(test), Some(file)) if test != "main" => {
                    let mut command = Command::new("cargo");
                    command
                        .args(["+nightly", "miri", "test", "--quiet", "--test", file, "--"])
                        .args([test.as_str(), "--exact", "--nocapture"]);
                    // Set in the interpreted program by Miri itself:
                    // cargo-miri gives the program the environment of the
                    // build, which another scenario's run may have made.
                    miri::run(command, &format!("-Zmiri-env-set={SCENARIO}={scenario}"))
                }
                _ => inconclusive(
                    "Miri runs a kit from a #[test] in a file under tests/: this is no \
                     test thread"
                        .to_owned(),
                ),
            },
        })
        .collect()
}

/// A Miri run that could not be made, and why: not clean, and no verdict.
fn inconclusive(why: String) -> Run {
    Run {
        inconclusive: Some(why),
        ..Run::empty(Checker::Miri)
    }
}

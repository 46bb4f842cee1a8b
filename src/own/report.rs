//! What the kit's checkers made of a user's primitive, and the assertions a
//! test ends with.

use std::fmt;

use crate::lab::checkers::{Checker, Run};
use crate::lab::failure::{Failure, FailureKind};

/// One checker's run of one of the kit's scenarios.
#[derive(Clone, Debug)]
pub struct OwnRun {
    /// The scenario's name ([`Scenario::NAME`](super::Scenario::NAME)), or
    /// [`SPEC`](super::SPEC) for the runs of the sequential spec (the model
    /// test and the linearizability checker).
    pub scenario: &'static str,
    /// What the checker did.
    pub run: Run,
}

/// What the checkers made of a user's primitive.
///
/// A report asserts nothing until it is read: end a test with
/// [`assert_clean`](OwnReport::assert_clean) or
/// [`assert_caught`](OwnReport::assert_caught), which panic with the whole
/// report (each checker's verdict, the failing interleaving and how to
/// replay it).
#[derive(Clone, Debug)]
#[must_use = "a report asserts nothing until it is read: call assert_clean() or assert_caught(kind)"]
pub struct OwnReport {
    /// The kind checked, as the kit names it (`lock`, `queue`, `latch`...).
    pub kind: &'static str,
    /// Every run: each scenario under each applicable checker, in the
    /// lab's column order, then the spec's.
    pub runs: Vec<OwnRun>,
}

impl OwnReport {
    /// The failures the deterministic checkers caught (stress runs are
    /// reported, never counted: see [`OwnReport::stress`]).
    pub fn failures(&self) -> impl Iterator<Item = (Checker, &Failure)> {
        self.deterministic()
            .filter_map(|own| own.run.failure.as_ref().map(|f| (own.run.checker, f)))
    }

    /// The first failure a deterministic checker caught.
    pub fn caught(&self) -> Option<&Failure> {
        self.failures().next().map(|(_, failure)| failure)
    }

    /// The first failure `checker` caught, in any scenario.
    pub fn caught_by(&self, checker: Checker) -> Option<&Failure> {
        self.runs_of(checker).find_map(|run| run.failure.as_ref())
    }

    /// `checker`'s first run, if it applies to anything the kit holds.
    pub fn run(&self, checker: Checker) -> Option<&Run> {
        self.runs_of(checker).next()
    }

    /// `checker`'s runs, one per scenario it applies to.
    pub fn runs_of(&self, checker: Checker) -> impl Iterator<Item = &Run> {
        self.runs
            .iter()
            .map(|own| &own.run)
            .filter(move |run| run.checker == checker)
    }

    /// Whether no deterministic checker found anything, and each explored
    /// what it was asked to: a report with no deterministic run, a run that
    /// explored nothing, one cut short (loom's cap), or one that gave up
    /// without a verdict (inconclusive), is not clean.
    pub fn is_clean(&self) -> bool {
        self.caught().is_none()
            && self.deterministic().next().is_some()
            && self.deterministic().all(|own| {
                let run = &own.run;
                run.schedules > 0 && run.incomplete.is_none() && run.inconclusive.is_none()
            })
    }

    /// The deterministic runs that gave up without a verdict, and why: a
    /// loop the checker cannot finish is not a bug it caught.
    pub fn inconclusive(&self) -> impl Iterator<Item = (Checker, &str)> {
        self.deterministic()
            .filter_map(|own| Some((own.run.checker, own.run.inconclusive.as_deref()?)))
    }

    /// Panics, with the whole report, unless it [is clean](OwnReport::is_clean).
    #[track_caller]
    pub fn assert_clean(&self) {
        if !self.is_clean() {
            panic!("expected a clean report\n{self}");
        }
    }

    /// Panics, with the whole report, unless a deterministic checker caught a
    /// failure of `kind`; returns the first such failure.
    #[track_caller]
    pub fn assert_caught(&self, kind: FailureKind) -> &Failure {
        self.failures()
            .map(|(_, failure)| failure)
            .find(|failure| failure.kind == kind)
            .unwrap_or_else(|| panic!("expected {kind} to be caught\n{self}"))
    }

    /// The plain panics of the code checked, untagged by any bug the lab
    /// names (an `unwrap` on `None`...), caught by a deterministic checker:
    /// [`Failure::is_user_panic`]. A `panic` without a location is the
    /// lab's own trouble (a lost child process) or happened where the lab
    /// does not watch (a thread started with `std::thread::spawn`, not
    /// `B::spawn`); one inside a registry crate is a checker's.
    pub fn panics(&self) -> impl Iterator<Item = (Checker, &Failure)> {
        self.failures()
            .filter(|(_, failure)| failure.is_user_panic())
    }

    /// The real-thread stress run of the first scenario: what it saw, as a
    /// frequency.
    pub fn stress(&self) -> Option<&Run> {
        self.run(Checker::Stress)
    }

    fn deterministic(&self) -> impl Iterator<Item = &OwnRun> {
        self.runs
            .iter()
            .filter(|own| own.run.checker.is_deterministic())
    }
}

impl fmt::Display for OwnReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "your {}:", self.kind)?;
        if self.runs.is_empty() {
            writeln!(
                f,
                "- nothing was checked: the kit holds no scenario and no spec"
            )?;
        }
        for OwnRun { scenario, run } in &self.runs {
            let checker = run.checker;
            write!(f, "- {scenario} · {checker}: ")?;
            match (&run.failure, &run.incomplete) {
                (Some(failure), _) if failure.is_user_panic() => {
                    let at = failure.location.as_deref().unwrap_or_default();
                    writeln!(
                        f,
                        "your code panicked after {} schedules, at {at}: {} (a plain panic, \
                         not a bug the lab names)",
                        run.schedules, failure.message
                    )?
                }
                (Some(failure), _) => {
                    writeln!(f, "caught after {} schedules: {failure}", run.schedules)?
                }
                _ if run.inconclusive.is_some() => writeln!(
                    f,
                    "inconclusive after {} schedules: {}",
                    run.schedules,
                    run.inconclusive.as_deref().unwrap_or_default()
                )?,
                _ if run.schedules == 0 => {
                    writeln!(f, "explored nothing (the budget allows no schedule)")?
                }
                (None, Some(why)) => writeln!(f, "nothing found, but incomplete: {why}")?,
                (None, None) => writeln!(
                    f,
                    "nothing found in {} schedules{}",
                    run.schedules,
                    limit(checker)
                )?,
            }
        }
        let traced = self.runs.iter().find(|own| own.run.trace.is_some());
        if let Some(OwnRun { scenario, run }) = traced {
            let trace = run.trace.as_ref().expect("found by its trace");
            writeln!(f, "\n{scenario} · {}, the failing execution:", run.checker)?;
            if let Some(shrunk) = run.shrunk.as_ref().filter(|s| s.after < s.before) {
                writeln!(
                    f,
                    "(its schedule shrunk from {} context switches to {}; the replay below runs \
                     the search and the shrinking again, and shows this trace)",
                    shrunk.before, shrunk.after
                )?;
            }
            writeln!(f, "{}", trace.table())?;
            if let Some(replay) = &run.replay {
                writeln!(
                    f,
                    "Replay it: kit.replay(&budget, {scenario:?}, {replay:?})"
                )?;
            }
        }
        Ok(())
    }
}

/// What a checker cannot see, said beside its "nothing found": a pass
/// there says nothing about that.
fn limit(checker: Checker) -> &'static str {
    match checker {
        Checker::ShuttleRandom | Checker::ShuttlePct => {
            " (sequentially consistent: blind to a missing Release/Acquire)"
        }
        Checker::Stress => " (this machine's memory model and timing: a frequency, not a verdict)",
        _ => "",
    }
}

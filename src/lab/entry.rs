//! The catalogue's vocabulary: an [`Entry`] (one variant of one primitive,
//! as the lab runs it), what each checker is [expected](Expect) to make of
//! it, and the [`Verdict`] of a run judged against that expectation.
//!
//! The rows themselves live beside their primitives (each folder's
//! `entries.rs`); [`crate::catalogue`] is the one list of them.

use std::fmt;

use super::Budget;
use super::checkers::{self, Checker, Run, Subject, Worlds};
use super::failure::FailureKind;
use super::kernel::Modelling;

/// Why a checker cannot see a bug, or does not apply: a short tag (for test
/// names and the matrix) and the reason in full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Why {
    /// A few words, e.g. `shuttle is SeqCst`.
    pub tag: &'static str,
    /// The reason in a sentence.
    pub text: &'static str,
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

/// What a checker is expected to make of a variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// A correct variant: the checker must find nothing.
    Pass,
    /// A broken variant the checker must catch, with this kind of failure.
    Catch(FailureKind),
    /// A broken variant the checker must catch as either kind: a bug with
    /// two consequences, whichever schedule the checker meets first.
    CatchEither(FailureKind, FailureKind),
    /// A broken variant this checker cannot catch, and why.
    Escape(Why),
    /// A stress run of a broken variant: reports how often it sees this
    /// kind of failure, and decides nothing.
    Observe(FailureKind),
    /// The checker does not apply to this scenario, and why.
    NotApplicable(Why),
    /// A correct variant loom flags as this kind of failure in an execution
    /// that makes SeqCst accesses, which loom treats as AcqRel (a
    /// documented limit), and why: a result the lab shows, not a defect of
    /// the variant. A flag of any other kind, or from an execution without
    /// a SeqCst access, is a false alarm like any other.
    FalseAlarm(FailureKind, Why),
}

impl Expect {
    /// Whether this expects the checker to catch the variant.
    pub fn is_catch(self) -> bool {
        matches!(self, Expect::Catch(_) | Expect::CatchEither(..))
    }

    /// What a test named after this expectation says it checks:
    /// `catches stale-read`, `passes`, `escapes (shuttle is SeqCst)`...
    pub fn describe(self) -> String {
        match self {
            Expect::Pass => "passes".to_owned(),
            Expect::Catch(kind) => format!("catches {}", kind.slug()),
            Expect::CatchEither(one, other) => {
                format!("catches {} or {}", one.slug(), other.slug())
            }
            Expect::Escape(why) => format!("escapes ({})", why.tag),
            Expect::Observe(kind) => {
                format!("looks for {} (a frequency, not a verdict)", kind.slug())
            }
            Expect::NotApplicable(why) => format!("n/a ({})", why.tag),
            Expect::FalseAlarm(kind, why) => {
                format!(
                    "flags {} (an expected false alarm: {})",
                    kind.slug(),
                    why.tag
                )
            }
        }
    }

    /// Whether a failure of `kind` is what this expects caught.
    pub fn catches(self, kind: FailureKind) -> bool {
        match self {
            Expect::Catch(expected) => kind == expected,
            Expect::CatchEither(one, other) => kind == one || kind == other,
            _ => false,
        }
    }
}

/// The expectation of each checker for one variant.
#[derive(Clone, Copy, Debug)]
pub struct Expectations {
    /// loom.
    pub loom: Expect,
    /// shuttle, random scheduler.
    pub shuttle_random: Expect,
    /// shuttle, PCT scheduler.
    pub shuttle_pct: Expect,
    /// Real-thread stress.
    pub stress: Expect,
    /// Sequential model-based proptest.
    pub model: Expect,
    /// Recorded histories under shuttle, against a sequential spec.
    pub linearizability: Expect,
}

impl Expectations {
    /// The expectation for `checker`.
    pub fn of(&self, checker: Checker) -> Expect {
        match checker {
            Checker::Loom => self.loom,
            Checker::ShuttleRandom => self.shuttle_random,
            Checker::ShuttlePct => self.shuttle_pct,
            Checker::Stress => self.stress,
            Checker::Model => self.model,
            Checker::Linearizability => self.linearizability,
            Checker::Miri | Checker::Tsan => self.elsewhere(),
        }
    }

    /// Miri's and ThreadSanitizer's expectation where the entry states
    /// none: a correct variant passes; a broken one is looked for as the
    /// other checkers catch it, a frequency that decides nothing (Miri's
    /// scheduler is random, and ThreadSanitizer runs real threads: a
    /// schedule bug shows when a schedule hits it).
    fn elsewhere(&self) -> Expect {
        let kinds = [
            self.loom,
            self.shuttle_pct,
            self.shuttle_random,
            self.stress,
        ];
        let kind = kinds.into_iter().find_map(|expect| match expect {
            Expect::Catch(kind) | Expect::CatchEither(kind, _) | Expect::Observe(kind) => {
                Some(kind)
            }
            _ => None,
        });
        match kind {
            Some(kind) => Expect::Observe(kind),
            None => Expect::Pass,
        }
    }

    /// A correct variant: every checker passes it.
    pub const fn correct() -> Expectations {
        Expectations {
            loom: Expect::Pass,
            shuttle_random: Expect::Pass,
            shuttle_pct: Expect::Pass,
            stress: Expect::Pass,
            model: Expect::Pass,
            linearizability: Expect::Pass,
        }
    }

    /// A lost wakeup or a deadlock: the scheduling checkers report a
    /// deadlock, a stress run hangs (until its watchdog), the history of a
    /// run that hits it is not linearizable.
    pub const fn lost_wakeup() -> Expectations {
        Expectations {
            stress: Expect::Observe(FailureKind::Hang),
            ..Expectations::race(FailureKind::Deadlock)
        }
    }

    /// A race every scheduling checker catches as `kind`: stress observes
    /// it, the sequential model cannot see it, and the history of a run
    /// that hits it is not linearizable.
    pub const fn race(kind: FailureKind) -> Expectations {
        Expectations {
            loom: Expect::Catch(kind),
            shuttle_random: Expect::Catch(kind),
            shuttle_pct: Expect::Catch(kind),
            stress: Expect::Observe(kind),
            model: SEQUENTIAL,
            linearizability: Expect::Catch(FailureKind::NotLinearizable),
        }
    }
}

/// The model test of a race: one thread cannot interleave.
pub const SEQUENTIAL: Expect = Expect::Escape(Why {
    tag: "one thread cannot race",
    text: "a sequential run has no second thread, so no interleaving can expose the bug",
});
/// shuttle, and the linearizability checker that runs on it, against an
/// ordering bug.
pub const SHUTTLE_IS_SC: Expect = Expect::Escape(Why {
    tag: "shuttle is SeqCst",
    text: "shuttle runs every atomic as SeqCst, so it cannot see a missing Acquire/Release",
});
const NO_MODEL: Expect = Expect::NotApplicable(Why {
    tag: "no sequential spec",
    text: "no sequential spec and model test for this scenario",
});
const NO_SPEC: Expect = Expect::NotApplicable(Why {
    tag: "no recorded scenario",
    text: "no recorded scenario and spec for this scenario",
});

/// One variant of one primitive (or one usage of it), as the lab runs it.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// The primitive, e.g. `"lock"` or `"lock (usage)"`.
    pub primitive: &'static str,
    /// The variant, e.g. `"test-then-set"`; correct variants are named for
    /// what makes them correct (`"correct"`, `"locked"`, `"lock-ordering"`).
    pub variant: &'static str,
    /// The id: the primitive's name without its `(usage)` note, dashed, then
    /// the variant (`lock-relaxed`, `bounded-semaphore-correct`).
    pub id: &'static str,
    /// For a broken variant, the tag of its `// BUG(<tag>)` marker in the
    /// source: its id, or the id of the row whose broken code it runs under
    /// another scenario (`lock-relaxed-data-race` runs `lock-relaxed`'s).
    pub marker: &'static str,
    /// The bug in one sentence; `None` for a correct variant.
    pub bug: Option<&'static str>,
    /// The scenario, in prose: what the threads do and what must hold.
    pub scenario: &'static str,
    /// What the checkers run: the scenario in the three worlds, and the
    /// sequential and linearizability tests where the primitive has a spec.
    pub subject: Subject,
    /// What each checker is expected to make of it.
    pub expect: Expectations,
    /// What loom and shuttle add to their world for it (see
    /// [`kernel`](super::kernel)), within what the budget allows: for a
    /// correct variant, everything ([`Modelling::ALL`]); for a broken one,
    /// what its story needs. A spurious wakeup is left out of the others'
    /// stories: it would expose an `if` around a wait by another route than
    /// the stolen wakeup its story tells, or add a wake to a lost wakeup's.
    pub modelling: Modelling,
    /// Whether its scenario races on plain (non-atomic) data when the
    /// variant is broken: undefined behaviour, so the scenario runs only
    /// under checkers that detect a race rather than execute it (loom's
    /// cell tracking, Miri, ThreadSanitizer), never on real threads
    /// otherwise nor under shuttle, whatever the expectations say
    /// ([`RACES_ON_DATA`]; `synclab native` refuses it outside Miri and
    /// ThreadSanitizer).
    pub races_on_data: bool,
    /// What Miri is expected to make of it, where the catalogue says; by
    /// default a correct variant passes and a broken one is looked for (a
    /// frequency over Miri's seeds).
    pub miri: Option<Expect>,
    /// What ThreadSanitizer is expected to make of it, where the catalogue
    /// says; by default as for Miri (a data race is looked for: it shows
    /// only when the racing accesses happen).
    pub tsan: Option<Expect>,
}

/// Why the ThreadSanitizer column is empty where it cannot be built.
pub const NO_TSAN: Why = Why {
    tag: "ThreadSanitizer cannot be built here",
    text: "ThreadSanitizer needs the nightly toolchain's rust-src (and x86_64 Linux): rustup \
           component add --toolchain nightly rust-src",
};

/// Why the Miri column is empty where Miri is not installed.
pub const NO_MIRI: Why = Why {
    tag: "Miri is not installed",
    text: "Miri is not installed for the nightly toolchain: rustup component add --toolchain \
           nightly miri rust-src",
};

/// Why a scenario that races on plain data runs only under loom, Miri and
/// ThreadSanitizer.
pub const RACES_ON_DATA: Why = Why {
    tag: "a data race is undefined behaviour",
    text: "the scenario races on plain (non-atomic) data in its broken variants: undefined \
           behaviour, which real threads and shuttle (whose cells are not tracked) would \
           execute, not detect; it runs only where a race is detected (loom's cell tracking, \
           Miri, ThreadSanitizer)",
};

impl Entry {
    /// Whether this is a deliberately broken variant.
    pub fn is_broken(&self) -> bool {
        self.bug.is_some()
    }

    /// What `checker` is expected to make of this entry: the catalogue's
    /// expectation, or not applicable where the entry has no test for it.
    pub fn expectation(&self, checker: Checker) -> Expect {
        match checker {
            Checker::Miri if !checkers::miri::available() => Expect::NotApplicable(NO_MIRI),
            Checker::Tsan if !checkers::tsan::available() => Expect::NotApplicable(NO_TSAN),
            Checker::Miri if self.miri.is_some() => self.miri.expect("checked"),
            Checker::Tsan if self.tsan.is_some() => self.tsan.expect("checked"),
            // A race shows where the racing accesses happen: a frequency,
            // unless the row says it decides (nothing orders the accesses).
            Checker::Miri | Checker::Tsan if self.races_on_data => match self.is_broken() {
                false => Expect::Pass,
                true => Expect::Observe(FailureKind::DataRace),
            },
            _ if self.races_on_data && checker != Checker::Loom => {
                Expect::NotApplicable(RACES_ON_DATA)
            }
            Checker::Model if self.subject.sequential.is_none() => NO_MODEL,
            Checker::Linearizability if self.subject.linearizability.is_none() => NO_SPEC,
            _ => self.expect.of(checker),
        }
    }

    /// Runs this entry under `checker`; `None` when the checker does not apply.
    pub fn run(&self, checker: Checker, budget: &Budget) -> Option<Run> {
        if matches!(self.expectation(checker), Expect::NotApplicable(_)) {
            return None;
        }
        match checker {
            Checker::Miri => return Some(checkers::miri::check(self.id)),
            Checker::Tsan => return Some(checkers::tsan::check(self.id)),
            _ => {}
        }
        let asked = budget.modelling;
        let budget = Budget {
            modelling: self.modelling_in(budget),
            ..budget.clone()
        };
        let mut run = checkers::run(checker, &self.subject, &budget)?;
        // A replay must ask for the same world: the entry's own modelling
        // is applied again, the budget's is the command line's.
        if checker.is_model() {
            let shrunk = run.shrunk.as_mut().map(|shrunk| &mut shrunk.replay);
            for replay in run.replay.iter_mut().chain(shrunk) {
                replay.push_str(&asked.flags());
            }
        }
        Some(run)
    }

    /// What loom and shuttle add to their world for this entry under
    /// `budget`: its [`modelling`](Entry::modelling) within the budget's.
    pub fn modelling_in(&self, budget: &Budget) -> Modelling {
        self.modelling.within(budget.modelling)
    }

    /// This entry, its story a spurious wakeup: judged with spurious
    /// wakeups (see [`Entry::modelling`]).
    pub const fn with_spurious_wakeups(self) -> Entry {
        Entry {
            modelling: Modelling::ALL,
            ..self
        }
    }

    /// This entry, running the broken code marked `// BUG(<marker>)` (the
    /// row of that id's) under its own scenario.
    pub const fn marked(self, marker: &'static str) -> Entry {
        Entry { marker, ..self }
    }

    /// This entry, with `expect` as what ThreadSanitizer must make of it.
    pub const fn under_tsan(self, expect: Expect) -> Entry {
        Entry {
            tsan: Some(expect),
            ..self
        }
    }

    /// This entry, with `expect` as what Miri must make of it.
    pub const fn under_miri(self, expect: Expect) -> Entry {
        Entry {
            miri: Some(expect),
            ..self
        }
    }

    /// The verdict of `run`, judged against this entry's expectation.
    pub fn verdict(&self, run: &Run) -> Verdict {
        let caught = run.failure.as_ref().map(|failure| failure.kind);
        if run.schedules == 0 && caught.is_none() && run.inconclusive.is_none() {
            return Verdict::Error;
        }
        match (self.expectation(run.checker), caught) {
            // Miri or ThreadSanitizer finding a data race in a row that is
            // not meant to race is a defect, not an observation.
            (Expect::Observe(expected), Some(FailureKind::DataRace)) if !self.races_on_data => {
                Verdict::CaughtOther {
                    expected,
                    kind: FailureKind::DataRace,
                }
            }
            // A stress run decides nothing either way.
            (Expect::Observe(_), None) if run.inconclusive.is_some() => Verdict::NotObserved,
            (_, None) if run.inconclusive.is_some() => Verdict::Inconclusive,
            (Expect::Pass | Expect::FalseAlarm(..), None) if run.incomplete.is_some() => {
                Verdict::PassedIncomplete
            }
            (Expect::FalseAlarm(expected, why), Some(kind))
                if kind == expected && run.trace.as_ref().is_some_and(|t| t.seq_cst) =>
            {
                Verdict::ExpectedFalseAlarm(why)
            }
            (Expect::FalseAlarm(..), None) => Verdict::AlarmMissing,
            (expect, Some(kind)) if expect.catches(kind) => Verdict::Caught,
            (Expect::Catch(expected) | Expect::CatchEither(expected, _), Some(kind)) => {
                Verdict::CaughtOther { expected, kind }
            }
            (Expect::Catch(_) | Expect::CatchEither(..), None) => Verdict::Escaped,
            (Expect::Pass | Expect::NotApplicable(_), None) => Verdict::Passed,
            (Expect::Pass | Expect::NotApplicable(_) | Expect::FalseAlarm(..), Some(kind)) => {
                Verdict::FalseAlarm(kind)
            }
            (Expect::Escape(reason), None) => Verdict::ExpectedEscape(reason),
            (Expect::Escape(_), Some(kind)) => Verdict::CaughtUnexpectedly(kind),
            // A panic is a defect of the scenario or the checker (or a cell
            // that could not run), never an observation of the bug.
            (Expect::Observe(expected), Some(FailureKind::Panic)) => Verdict::CaughtOther {
                expected,
                kind: FailureKind::Panic,
            },
            (Expect::Observe(_), Some(kind)) => Verdict::Observed(kind),
            (Expect::Observe(_), None) => Verdict::NotObserved,
        }
    }
}

/// What the rows of one primitive under one scenario share: the primitive,
/// the scenario in prose, and what the checkers run. Each primitive's
/// `entries.rs` makes its rows from one, naming each variant's type once.
///
/// ```
/// use synclab::lab::checkers::Subject;
/// use synclab::lab::entry::{Expectations, Row};
/// use synclab::lab::failure::FailureKind;
///
/// fn scenario<B: synclab::backend::Backend>(_ops: u32) {}
/// let row = Row::new("mutex", "two threads take it", Subject::scenario(synclab::worlds!(scenario)));
/// let broken = row.broken("leaky", "mutex-leaky", "unlock leaks", Expectations::lost_wakeup());
/// assert!(broken.is_broken() && broken.expect.loom.catches(FailureKind::Deadlock));
/// assert!(!row.correct("correct", "mutex-correct").is_broken());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Row {
    primitive: &'static str,
    scenario: &'static str,
    subject: Subject,
    races_on_data: bool,
}

impl Row {
    /// The rows of `primitive` under `scenario` (in prose), running `subject`.
    pub const fn new(primitive: &'static str, scenario: &'static str, subject: Subject) -> Row {
        Row {
            primitive,
            scenario,
            subject,
            races_on_data: false,
        }
    }

    /// The rows of `primitive` under `scenario`, which races on plain data
    /// in the broken variants: run only under loom, Miri and
    /// ThreadSanitizer (see
    /// [`Entry::races_on_data`]).
    pub const fn racing_on_data(
        primitive: &'static str,
        scenario: &'static str,
        worlds: Worlds,
    ) -> Row {
        Row {
            races_on_data: true,
            ..Row::new(primitive, scenario, Subject::scenario(worlds))
        }
    }

    /// The correct `variant`, `id`: every checker passes it.
    pub const fn correct(self, variant: &'static str, id: &'static str) -> Entry {
        self.entry(variant, id, None, Expectations::correct())
    }

    /// The broken `variant`, `id`, with its `bug` in one sentence and what
    /// each checker is expected to make of it.
    pub const fn broken(
        self,
        variant: &'static str,
        id: &'static str,
        bug: &'static str,
        expect: Expectations,
    ) -> Entry {
        self.entry(variant, id, Some(bug), expect)
    }

    const fn entry(
        self,
        variant: &'static str,
        id: &'static str,
        bug: Option<&'static str>,
        expect: Expectations,
    ) -> Entry {
        Entry {
            primitive: self.primitive,
            variant,
            id,
            marker: id,
            bug,
            scenario: self.scenario,
            subject: self.subject,
            expect,
            modelling: if bug.is_none() {
                Modelling::ALL
            } else {
                Modelling::TIME_ONLY
            },
            races_on_data: self.races_on_data,
            miri: None,
            tsan: None,
        }
    }
}

/// How a run compares with the catalogue's expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A broken variant caught with the expected kind of failure.
    Caught,
    /// A correct variant that survived.
    Passed,
    /// A broken variant not caught by a checker that should catch it.
    Escaped,
    /// A correct variant flagged: a defect in the variant or the checker.
    FalseAlarm(FailureKind),
    /// A broken variant that escaped a checker known not to see it.
    ExpectedEscape(Why),
    /// A correct variant flagged, as the catalogue expects, for a known
    /// limit of the checker: shown, not a defect.
    ExpectedFalseAlarm(Why),
    /// A correct variant the catalogue expects flagged for a known limit of
    /// the checker, which passed: the limit the lab states no longer shows
    /// (the checker changed, or the variant did).
    AlarmMissing,
    /// A broken variant caught, but as a different kind of failure.
    CaughtOther {
        /// What the catalogue expected.
        expected: FailureKind,
        /// What was caught.
        kind: FailureKind,
    },
    /// A broken variant caught by a checker the catalogue says cannot see it.
    CaughtUnexpectedly(FailureKind),
    /// A stress run saw the bug (a frequency, not a judgement).
    Observed(FailureKind),
    /// A stress run did not see the bug this time (not a judgement).
    NotObserved,
    /// A correct variant that survived an exploration cut short (loom's
    /// cap, fewer schedules than asked): the run says how far it got.
    PassedIncomplete,
    /// Nothing was explored (a zero budget): no verdict at all.
    Error,
    /// The checker gave up without a verdict (a loop it cannot finish);
    /// the run says why, and how to let it finish.
    Inconclusive,
}

impl Verdict {
    /// The verdict's stable name, as JSON reports carry it.
    pub fn slug(self) -> &'static str {
        match self {
            Verdict::Caught => "caught",
            Verdict::Passed => "passed",
            Verdict::Escaped => "escaped",
            Verdict::FalseAlarm(_) => "false-alarm",
            Verdict::ExpectedEscape(_) => "expected-escape",
            Verdict::ExpectedFalseAlarm(_) => "expected-false-alarm",
            Verdict::AlarmMissing => "alarm-missing",
            Verdict::CaughtOther { .. } => "caught-other",
            Verdict::CaughtUnexpectedly(_) => "caught-unexpectedly",
            Verdict::Observed(_) => "observed",
            Verdict::NotObserved => "not-observed",
            Verdict::PassedIncomplete => "passed-incomplete",
            Verdict::Error => "error",
            Verdict::Inconclusive => "inconclusive",
        }
    }

    /// Whether this verdict agrees with the catalogue. Stress observations
    /// always do: they decide nothing.
    pub fn is_expected(self) -> bool {
        matches!(
            self,
            Verdict::Caught
                | Verdict::Passed
                | Verdict::ExpectedEscape(_)
                | Verdict::ExpectedFalseAlarm(_)
                | Verdict::Observed(_)
                | Verdict::NotObserved
        )
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Caught => f.write_str("caught"),
            Verdict::Passed => f.write_str("passed"),
            Verdict::Escaped => f.write_str("ESCAPED"),
            Verdict::FalseAlarm(kind) => write!(f, "FALSE-ALARM ({kind})"),
            Verdict::ExpectedEscape(_) => f.write_str("escape (expected)"),
            Verdict::ExpectedFalseAlarm(_) => f.write_str("false alarm (expected)"),
            Verdict::AlarmMissing => f.write_str("PASSED (an expected false alarm is missing)"),
            Verdict::CaughtOther { kind, .. } => write!(f, "CAUGHT-OTHER ({kind})"),
            Verdict::CaughtUnexpectedly(kind) => write!(f, "caught-unexpectedly ({kind})"),
            Verdict::Observed(kind) => write!(f, "observed ({kind})"),
            Verdict::NotObserved => f.write_str("not observed"),
            Verdict::PassedIncomplete => f.write_str("passed (incomplete)"),
            Verdict::Error => f.write_str("ERROR (nothing explored)"),
            Verdict::Inconclusive => f.write_str("INCONCLUSIVE"),
        }
    }
}

/// A known limit of a checker, which the lab states rather than hides.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// The checkers it applies to.
    pub checkers: &'static [Checker],
    /// What they cannot do, and what follows.
    pub limit: &'static str,
}

/// The checkers' known limits (DESIGN.md, section 1), which the report
/// lists beside the matrix.
pub static LIMITS: &[Limit] = &[
    Limit {
        checkers: &[Checker::Tsan],
        limit: "real threads, at most 20 rounds of 10 s: a race is reported only where the two \
                accesses happened and nothing ordered them (every round, for a lock whose \
                release and acquire order nothing; only when the second holder does come in, \
                for a lock that lets two in); everything else is a frequency, as stress",
    },
    Limit {
        checkers: &[Checker::Miri],
        limit: "a scenario runs once per seed (0..8) under Miri's random scheduler, which \
                preempts a thread at any step with a small probability: a bug that needs a \
                particular schedule shows only if a seed's schedule hits it, so for those Miri \
                reports a frequency and decides nothing; its data-race detector and weak-memory \
                emulation decide (a data race, a stale or store-buffered read), though the \
                emulation does not produce every outcome C11 allows; time is Miri's own clock",
    },
    Limit {
        checkers: &[Checker::ShuttleRandom, Checker::ShuttlePct],
        limit: "every atomic is SeqCst: ordering bugs (a missing Acquire/Release) are invisible",
    },
    Limit {
        checkers: &[Checker::Loom],
        limit: "SeqCst is treated as AcqRel and load buffering is not modelled",
    },
    Limit {
        checkers: &[Checker::Loom, Checker::ShuttleRandom, Checker::ShuttlePct],
        limit: "time is the lab's virtual clock (neither checker has one): it starts at 0 in each \
                execution and moves only when a timeout fires, to that timeout's deadline; the \
                earliest deadline fires once every other thread is blocked, or earlier, as one \
                more scheduling choice. Real durations are not modelled: work takes no time, and \
                a deadline matters only by its order among the others",
    },
    Limit {
        checkers: &[Checker::Loom, Checker::ShuttleRandom, Checker::ShuttlePct],
        limit: "spurious wakeups: at most 1 per execution (set in the budget), sent while some \
                thread can still run and no timeout is pending, to the longest sleeper and \
                never to a timed one (whose timeout may fire instead); loom explores them up \
                to preemption bound 1, since one at any of the queue's sleeps took its \
                bound-2 exploration past 200,000 executions; broken variants whose story is \
                not a spurious wakeup run without them",
    },
    Limit {
        checkers: &[Checker::Loom, Checker::ShuttleRandom, Checker::ShuttlePct],
        limit: "timeouts and spurious wakeups come from one more thread, the lab's kernel thread: \
                its wakes carry happens-before, as a futex wake does",
    },
    Limit {
        checkers: &[Checker::Loom],
        limit: "at most 4 spawned threads, the lab's kernel thread among them where timeouts or \
                spurious wakeups are modelled; the preemption bound (2 by default) limits what \
                is explored",
    },
    Limit {
        checkers: &[Checker::Loom],
        limit: "an execution of more than 1,000 branches is given up on: inconclusive, since loom \
                cannot tell a loop with no scheduling point from a livelock",
    },
    Limit {
        checkers: &[Checker::ShuttleRandom, Checker::ShuttlePct],
        limit: "an execution of more than 50,000 steps is taken as a loop that does not end: a \
                livelock under the random scheduler, inconclusive under PCT unless the random \
                scheduler livelocks too",
    },
    Limit {
        checkers: &[Checker::Linearizability],
        limit: "an operation still blocked when every thread blocks is taken not to have taken \
                effect: true of the lab's primitives, which block before their linearization \
                point, not necessarily of yours",
    },
    Limit {
        checkers: &[Checker::Stress],
        limit: "not deterministic: a frequency, never a verdict on a broken variant",
    },
    Limit {
        checkers: &[Checker::Model],
        limit: "one thread: sees sequential bugs and bad inputs, never a race",
    },
];

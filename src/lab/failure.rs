//! What a checker caught: the vocabulary of failures.
//!
//! Scenarios state their invariants with [`ensure!`](crate::ensure), which
//! panics with a message tagged by the [`Bug`] it reveals
//! (`"[lost-update] counter is 1 after 2 increments"`). A checker catches the
//! panic and [`Failure::from_panic`] classifies it, together with the checkers'
//! own reports (loom's and shuttle's deadlocks, loom's causality violations
//! and leaks). Tests then assert *what* was caught, not merely that something
//! failed.

use std::any::Any;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::quiet;

/// The invariant a scenario found broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Bug {
    /// An increment was lost: two read-modify-write cycles overlapped.
    LostUpdate,
    /// Two threads held a lock at the same time.
    TwoHolders,
    /// A lock holder read a value older than the previous holder's write:
    /// the lock did not order the critical sections.
    StaleRead,
    /// More threads inside a semaphore than it has permits.
    OverAdmission,
    /// A bounded semaphore accepted a release past its bound.
    OverRelease,
    /// A waiter went on although the state it waited for does not hold.
    FalseState,
    /// A bounded queue held more items than its capacity.
    CapacityExceeded,
    /// An item was delivered twice.
    Duplicate,
    /// An item put was never delivered.
    LostItem,
    /// `join` returned before every item was marked done.
    EarlyJoin,
    /// Items came out of a FIFO in another order than they went in.
    OutOfOrder,
    /// A permit vanished: taken, but its taker reported it did not get it,
    /// so nobody releases it.
    LostPermit,
    /// Two threads each read the other's flag unset after setting their
    /// own: an outcome no sequentially consistent order gives (a store
    /// buffer does).
    StoreBuffered,
    /// A future never completed: the task behind it was never run (its
    /// worker died, or nobody is left to run it).
    StrandedFuture,
    /// A sequential run returned what the reference model says it cannot.
    WrongResult,
}

impl Bug {
    /// Every bug class, in the order the lab lists them.
    pub const ALL: &'static [Bug] = &[
        Bug::LostUpdate,
        Bug::TwoHolders,
        Bug::StaleRead,
        Bug::OverAdmission,
        Bug::OverRelease,
        Bug::FalseState,
        Bug::CapacityExceeded,
        Bug::Duplicate,
        Bug::LostItem,
        Bug::EarlyJoin,
        Bug::OutOfOrder,
        Bug::LostPermit,
        Bug::StoreBuffered,
        Bug::StrandedFuture,
        Bug::WrongResult,
    ];

    /// The kebab-case tag used in messages and reports.
    pub fn slug(self) -> &'static str {
        match self {
            Bug::LostUpdate => "lost-update",
            Bug::TwoHolders => "two-holders",
            Bug::StaleRead => "stale-read",
            Bug::OverAdmission => "over-admission",
            Bug::OverRelease => "over-release",
            Bug::FalseState => "false-state",
            Bug::CapacityExceeded => "capacity-exceeded",
            Bug::Duplicate => "duplicate",
            Bug::LostItem => "lost-item",
            Bug::EarlyJoin => "early-join",
            Bug::OutOfOrder => "out-of-order",
            Bug::LostPermit => "lost-permit",
            Bug::StoreBuffered => "store-buffered",
            Bug::StrandedFuture => "stranded-future",
            Bug::WrongResult => "wrong-result",
        }
    }

    fn from_slug(slug: &str) -> Option<Bug> {
        Bug::ALL.iter().copied().find(|bug| bug.slug() == slug)
    }
}

impl fmt::Display for Bug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// The kind of a failure, as DESIGN.md section 3 names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FailureKind {
    /// A scenario's invariant failed; the [`Bug`] says which.
    Assertion(Bug),
    /// Every thread blocked: reported by loom or shuttle.
    Deadlock,
    /// loom saw two accesses to a cell not ordered by happens-before.
    DataRace,
    /// loom saw an object outlive its execution.
    Leak,
    /// A recorded history has no linearization against the sequential spec.
    NotLinearizable,
    /// A real-thread run did not finish before its watchdog fired.
    Hang,
    /// A model checker gave up on an execution that ran on without end
    /// (loom's branch limit, shuttle's step bound). Not a verdict on the
    /// primitive: the lab turns it into an inconclusive run or, where a
    /// fair schedule shows it, a [`FailureKind::Livelock`].
    GaveUp,
    /// Threads ran on without end under a fair schedule, none getting out
    /// of its loop: shuttle's random scheduler, which runs every thread
    /// again sooner or later, hit its step bound.
    Livelock,
    /// Any other panic, untagged: the code checked panicked (an `unwrap` on
    /// `None` inside a user's `lock`), or a scenario or the lab did. Not one
    /// of the bugs the lab names; the failure keeps its message and, where
    /// the lab saw it, its location.
    Panic,
}

impl FailureKind {
    /// The kind in one word, as test names carry it: the bug's tag for an
    /// assertion (`stale-read`), the kind's name otherwise (`deadlock`).
    pub fn slug(self) -> String {
        match self {
            FailureKind::Assertion(bug) => bug.slug().to_owned(),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureKind::Assertion(bug) => write!(f, "assertion ({bug})"),
            FailureKind::Deadlock => f.write_str("deadlock"),
            FailureKind::DataRace => f.write_str("data-race"),
            FailureKind::Leak => f.write_str("leak"),
            FailureKind::NotLinearizable => f.write_str("not-linearizable"),
            FailureKind::Hang => f.write_str("hang"),
            FailureKind::Livelock => f.write_str("livelock"),
            FailureKind::GaveUp => f.write_str("gave-up"),
            FailureKind::Panic => f.write_str("panic"),
        }
    }
}

/// A failure a checker caught: its kind and the message that reported it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// What was caught.
    pub kind: FailureKind,
    /// The report, as the scenario or the checker wrote it.
    pub message: String,
    /// Where the code panicked (`src/lock.rs:18:9`), for an untagged
    /// [`FailureKind::Panic`]: a plain panic in the code checked, such as an
    /// `unwrap` on `None`, and not a bug the lab names.
    #[serde(default)]
    pub location: Option<String>,
}

impl Failure {
    /// A failure of `kind` with `message`.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
            location: None,
        }
    }

    /// Whether this is a plain panic of the code checked: untagged, where
    /// the lab saw it happen, and not inside a crate from cargo's registry,
    /// a git checkout, the toolchain or the lab's own sources (a checker's
    /// own complaint, such as shuttle-PCT's about a scenario that starts no
    /// thread).
    pub fn is_user_panic(&self) -> bool {
        const NOT_YOURS: [&str; 3] = ["/registry/src/", "/git/checkouts/", "/rustc/"];
        let lab = concat!(env!("CARGO_MANIFEST_DIR"), "/src/").replace('\\', "/");
        let yours = |at: &str| {
            let at = at.replace('\\', "/");
            !at.starts_with(&lab) && !NOT_YOURS.iter().any(|dir| at.contains(dir))
        };
        self.kind == FailureKind::Panic && self.location.as_deref().is_some_and(yours)
    }

    /// Classifies a caught panic.
    ///
    /// ```
    /// use synclab::lab::failure::{Bug, Failure, FailureKind};
    ///
    /// let payload = std::panic::catch_unwind(|| {
    ///     synclab::ensure!(1 + 1 == 3, Bug::LostUpdate, "arithmetic is {}", "hard")
    /// })
    /// .unwrap_err();
    /// let failure = Failure::from_panic(payload);
    /// assert_eq!(failure.kind, FailureKind::Assertion(Bug::LostUpdate));
    /// assert_eq!(failure.message, "[lost-update] arithmetic is hard");
    /// ```
    ///
    /// An untagged panic keeps where it happened, when it happened in the
    /// lab's quiet section this thread runs in (a checker's run, and the
    /// threads its scenario spawned).
    pub fn from_panic(payload: Box<dyn Any + Send>) -> Failure {
        let message = quiet::payload_text(&*payload);
        let kind = classify(&message);
        let location = (kind == FailureKind::Panic)
            .then(|| quiet::panic_location(&message))
            .flatten();
        Failure {
            location,
            ..Failure::new(kind, message)
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(location) => write!(f, "{} at {location}: {}", self.kind, self.message),
            None => write!(f, "{}: {}", self.kind, self.message),
        }
    }
}

/// Whether a panic caught inside a thread is the lab's or the checker's
/// own (see [`Backend::is_checker_panic`](crate::backend::Backend::is_checker_panic)):
/// a leak the backend reports, an abandoned stress thread leaving; and,
/// inside a model checker (`model`), a payload that is no message (loom's
/// and shuttle's unwinding of a blocked thread) or a message they report a
/// finding with (a deadlock, a data race, a bound given up on).
pub(crate) fn is_checker_panic(payload: &(dyn Any + Send), model: bool) -> bool {
    if payload.is::<super::census::Abandoned>() {
        return true;
    }
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied());
    match text.map(classify) {
        Some(FailureKind::Leak) => true,
        None => model,
        Some(FailureKind::Deadlock | FailureKind::DataRace | FailureKind::GaveUp) => model,
        Some(_) => false,
    }
}

fn classify(message: &str) -> FailureKind {
    if let Some(bug) = message
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(slug, _)| Bug::from_slug(slug))
    {
        return FailureKind::Assertion(bug);
    }
    // loom: "deadlock; threads = ...", shuttle: "deadlock! blocked tasks: ..."
    if message.starts_with("deadlock") {
        FailureKind::Deadlock
    } else if message.starts_with("Causality violation") {
        FailureKind::DataRace
    } else if message.starts_with("not linearizable") {
        FailureKind::NotLinearizable
    } else if message.starts_with("Model exceeded maximum number of branches")
        || message.contains("exceeded max_steps bound")
    {
        // loom's branch limit, shuttle's step bound.
        FailureKind::GaveUp
    } else if message.contains(" leaked.") {
        FailureKind::Leak
    } else {
        FailureKind::Panic
    }
}

/// Asserts a scenario's invariant, tagging the failure with the [`Bug`] it
/// reveals.
///
/// ```should_panic
/// use synclab::{ensure, lab::failure::Bug};
///
/// let (seen, expected) = (1, 2);
/// ensure!(seen == expected, Bug::LostUpdate, "counter is {seen}, expected {expected}");
/// ```
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $bug:expr, $($msg:tt)+) => {
        if !$cond {
            ::std::panic!("[{}] {}", $crate::lab::failure::Bug::slug($bug), ::std::format!($($msg)+));
        }
    };
}

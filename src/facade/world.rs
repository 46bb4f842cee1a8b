//! Which world a facade value lives in, and the refusal of a value used in
//! a world it was not created in.
//!
//! The kit's checkers run a shipped scenario once per execution (see
//! [`enter`]): the thread running it is told its world (loom, shuttle, or
//! std) and a fresh execution number. loom and shuttle run every thread of
//! an execution on that one OS thread, so a value created anywhere in the
//! execution reads the same world. A value remembers the world it was
//! created in; each operation on it checks that the world has not changed.
//!
//! On real threads the check costs one load of a global counter that is 0
//! unless a kit is checking somewhere in the process ([`Checking`]), and a
//! branch: only while it is not 0 does a std value look at its thread's
//! world.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::panic::Location;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::backend::{Backend, Loom, Shuttle};
use crate::lab::trace::{self, Access, Role};

/// A world: std (0), or a model execution — its number and its checker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct World(u64);

/// The checker of a model world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Std,
    Loom,
    Shuttle,
}

impl World {
    pub(crate) const STD: World = World(0);

    pub(crate) fn kind(self) -> Kind {
        match self.0 & 3 {
            0 => Kind::Std,
            1 => Kind::Loom,
            _ => Kind::Shuttle,
        }
    }

    /// How a refusal names it.
    fn describe(self) -> String {
        match self.kind() {
            Kind::Std => "on real threads (std), outside any model".to_owned(),
            Kind::Loom => format!("in loom execution {}", self.0 >> 2),
            Kind::Shuttle => format!("in shuttle execution {}", self.0 >> 2),
        }
    }
}

thread_local! {
    static CURRENT: Cell<World> = const { Cell::new(World::STD) };

    /// The current loom execution's scheduling word: see [`schedule`].
    static SCHEDULE: Cell<Option<Rc<loom::sync::atomic::AtomicUsize>>> =
        const { Cell::new(None) };
}

/// How every refusal begins: [`Checking::end`] finds it among the
/// failures.
pub(crate) const REFUSAL: &str = "synclab::sync refuses: ";

/// How every refusal ends.
const REFUSAL_END: &str = "through an `Arc` made there too.";

/// How many kit checks are running in the process: while 0, a std value
/// skips the check of its thread's world.
static CHECKING: AtomicUsize = AtomicUsize::new(0);

/// Numbers the executions: a value of one loom execution is refused in the
/// next.
static EXECUTIONS: AtomicU64 = AtomicU64::new(0);

/// The world of the calling thread.
pub(crate) fn current() -> World {
    CURRENT.with(Cell::get)
}

/// Whether a kit check runs in the process.
#[inline(always)]
pub(crate) fn checking() -> bool {
    CHECKING.load(Ordering::Relaxed) != 0
}

/// The checker of the calling thread's world; on real threads, one load
/// of a global and a branch.
#[inline(always)]
pub(crate) fn current_kind() -> Kind {
    if CHECKING.load(Ordering::Relaxed) == 0 {
        Kind::Std
    } else {
        current().kind()
    }
}

/// Starts an execution of checker `kind` on this thread: the facade
/// values created from now on belong to it. The checkers call it at the
/// start of every execution, whatever the scenario (a kit's own scenarios
/// may make facade values too). It is not undone when the execution's main
/// thread returns, since its other threads may run on (on this OS thread);
/// [`leave`] puts the thread back to std when the checker is done.
pub(crate) fn enter(kind: Kind) {
    let world = match kind {
        Kind::Std => World::STD,
        Kind::Loom => World((EXECUTIONS.fetch_add(1, Ordering::Relaxed) + 1) << 2 | 1),
        Kind::Shuttle => World((EXECUTIONS.fetch_add(1, Ordering::Relaxed) + 1) << 2 | 2),
    };
    CURRENT.with(|current| current.set(world));
    if kind == Kind::Loom {
        // Made here, before the execution's threads: loom takes an atomic
        // made in one thread and stored to by another, with nothing
        // ordering them, for a data race. The word of an earlier execution
        // goes without a word to loom (loom's atomics have no `Drop`).
        let word = Rc::new(loom::sync::atomic::AtomicUsize::new(0));
        let _ = SCHEDULE.try_with(|schedule| schedule.set(Some(word)));
    }
}

/// Puts this thread back to std, once a checker's executions are over.
pub(crate) fn leave() {
    let _ = CURRENT.try_with(|current| current.set(World::STD));
    // The word of the last execution (loom's atomics have no `Drop`).
    let _ = SCHEDULE.try_with(|schedule| schedule.set(None));
}

/// A scheduling point before an atomic access in a loom execution: a
/// Relaxed store to one word every thread of the execution shares.
///
/// loom's partial-order reduction remembers only the last access to an
/// atomic, so a thread's load followed by its own store hides another
/// thread's earlier load of the same atomic from it, and loom never runs
/// the interleavings where they race (loom#392, loom#166: a buggy
/// single-producer ring of this kind passes with one execution per
/// preemption bound). Every facade atomic access first touches this word,
/// so any two of them in different threads are dependent and loom runs
/// every interleaving within its preemption bound. Stores that nobody
/// loads order nothing, not even through fences (an acquire fence takes
/// only what its thread loaded), so the model's weak behaviours stay.
pub(crate) fn schedule() {
    // Out of the cell before the store: loom may switch threads inside it,
    // and a thread it abandons (an execution that failed) never returns.
    let word = SCHEDULE
        .try_with(|schedule| {
            let word = schedule.take();
            schedule.set(word.clone());
            word
        })
        .ok()
        .flatten();
    if let Some(word) = word {
        word.store(0, Ordering::Relaxed);
    }
}

/// A kit check in progress, from [`Kit::check`](crate::own::Kit::check) or
/// a replay: std values check their thread's world while one runs.
#[derive(Debug)]
pub(crate) struct Checking(());

impl Checking {
    pub(crate) fn begin() -> Checking {
        CHECKING.fetch_add(1, Ordering::Relaxed);
        Checking(())
    }

    /// Ends the check whose runs failed with `failures`; panics with a
    /// refusal among them, since no verdict of that check holds. A
    /// checker reports a refusal as the failure that stopped it, in this
    /// process or in the stress run's child.
    #[track_caller]
    pub(crate) fn end<'a>(self, failures: impl IntoIterator<Item = &'a str>) {
        drop(self);
        if let Some(refusal) = failures.into_iter().find_map(|message| {
            let from = message.find(REFUSAL)?;
            let refusal = &message[from..];
            // Without what a checker added after it.
            let to = refusal
                .find(REFUSAL_END)
                .map_or(refusal.len(), |at| at + REFUSAL_END.len());
            Some(&refusal[..to])
        }) {
            panic!("{refusal}");
        }
    }
}

impl Drop for Checking {
    fn drop(&mut self) {
        CHECKING.fetch_sub(1, Ordering::Relaxed);
        CURRENT.with(|current| current.set(World::STD));
    }
}

/// Checks that a std value may be used here: on real threads, always.
#[inline(always)]
#[track_caller]
pub(crate) fn std_use(kind: &'static str) {
    if CHECKING.load(Ordering::Relaxed) != 0 {
        std_use_while_checking(kind);
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn std_use_while_checking(kind: &'static str) {
    if current() != World::STD {
        refuse_std(kind, Location::caller());
    }
}

/// Panics: a std value of `kind` is used here, in a model, at `at`.
pub(crate) fn refuse_std(kind: &'static str, at: &Location<'_>) -> ! {
    refuse(kind, World::STD, None, current(), at)
}

/// Runs `model`, a model world's path of an operation called at `at`, out
/// of line: the std path stays as lean as std's.
#[cold]
#[inline(never)]
pub(crate) fn model<R>(
    at: &'static Location<'static>,
    model: impl FnOnce(&'static Location<'static>) -> R,
) -> R {
    model(at)
}

/// Panics: a value of world `created` (at `made`) is used in world `here`,
/// at `used`.
fn refuse(
    kind: &'static str,
    created: World,
    made: Option<&'static Location<'static>>,
    here: World,
    used: &Location<'_>,
) -> ! {
    let made = made.map_or(String::new(), |at| {
        format!(" at {}:{}", at.file(), at.line())
    });
    let refusal = format!(
        "{REFUSAL}the {kind} created {}{made} is used {}, at {}. A value cannot move \
         between worlds: loom and shuttle see only the values created inside their own \
         execution, so this run would say nothing true. Create the {kind} inside the \
         scenario's `run` (not in a `static`, a `thread_local!`, a `LazyLock` or a value \
         kept from an earlier run), and share it with the scenario's threads through an \
         `Arc` made there too.",
        created.describe(),
        here.describe(),
        used,
    );
    panic!("{refusal}");
}

/// Where and in which world a model value was made: what its uses check.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Made {
    world: World,
    at: &'static Location<'static>,
    kind: &'static str,
}

impl Made {
    /// A value of `kind` made by the caller, in its thread's world.
    #[track_caller]
    pub(crate) fn here(kind: &'static str) -> Made {
        Made {
            world: current(),
            at: Location::caller(),
            kind,
        }
    }

    /// Whether the calling thread is in the world the value was made in.
    pub(crate) fn is_here(&self) -> bool {
        current() == self.world
    }

    /// Refuses the use at `at`, unless it is in the world the value was
    /// made in.
    pub(crate) fn check(&self, at: &Location<'_>) {
        let here = current();
        if here != self.world {
            refuse(self.kind, self.world, Some(self.at), here, at);
        }
    }
}

/// A value of a model world: the checker's own object, the world and place
/// of its creation, and what the trace calls it. Boxed in a facade value,
/// so a std value stays as small as std's, and the trace has a stable
/// address for it.
#[derive(Debug)]
pub(crate) struct Checked<T> {
    value: T,
    made: Made,
}

impl<T> Checked<T> {
    /// `value`, of the calling thread's world, created at `created`.
    pub(crate) fn new(
        value: T,
        kind: &'static str,
        created: &'static Location<'static>,
    ) -> Box<Self> {
        Box::new(Checked {
            value,
            made: Made {
                world: current(),
                at: created,
                kind,
            },
        })
    }

    /// The checker's object, for a use at `at`, once the world is checked.
    pub(crate) fn get(&self, at: &Location<'_>) -> &T {
        self.made.check(at);
        &self.value
    }

    /// [`get`](Self::get), for an owner.
    pub(crate) fn get_mut(&mut self, at: &Location<'_>) -> &mut T {
        self.get(at);
        &mut self.value
    }

    /// Unboxes the checker's object, for a use at `at`, once the world is
    /// checked.
    #[allow(clippy::boxed_local)] // the box's address is the trace's name for it
    pub(crate) fn into_inner(self: Box<Self>, at: &Location<'_>) -> T {
        self.get(at);
        trace::forget(&*self as *const Self as usize);
        // Its Drop only forgets the address: done.
        let this = std::mem::ManuallyDrop::new(*self);
        // SAFETY: `this` is never used or dropped again.
        unsafe { std::ptr::read(&this.value) }
    }

    /// Records `access` at `at` on this value, as an object of `role`, by
    /// the running thread, if a checker is tracing.
    pub(crate) fn note(&self, at: &Location<'_>, role: Role, access: impl FnOnce() -> Access) {
        let thread = match self.made.world.kind() {
            Kind::Shuttle => Shuttle::current_thread,
            _ => Loom::current_thread,
        };
        trace::record(
            thread,
            self as *const Self as usize,
            || (Some(name(self.made.kind, self.made.at)), role),
            access,
            at,
        );
    }
}

impl<T> Drop for Checked<T> {
    fn drop(&mut self) {
        trace::forget(self as *const Self as usize);
    }
}

/// What the trace calls a value created at `at`: the name it is bound to
/// there (`head` in `head: AtomicUsize::new(0)`, `ready` in `let ready =
/// AtomicBool::new(false)`), read from the source when it can be; else its
/// type and place (`AtomicUsize@ring.rs:41`).
fn name(kind: &'static str, at: &Location<'_>) -> String {
    thread_local! {
        /// The names read so far, by place: every execution asks again.
        static NAMES: RefCell<HashMap<(String, u32, u32), Option<String>>> =
            RefCell::new(HashMap::new());
    }
    let key = (at.file().to_owned(), at.line(), at.column());
    let bound = NAMES
        .try_with(|names| {
            let known = names.borrow().get(&key).cloned();
            known.unwrap_or_else(|| {
                let bound = bound_name(at);
                names.borrow_mut().insert(key, bound.clone());
                bound
            })
        })
        .unwrap_or_else(|_| bound_name(at));
    bound.unwrap_or_else(|| {
        let file = at.file().rsplit(['/', '\\']).next().unwrap_or(at.file());
        format!("{kind}@{file}:{}", at.line())
    })
}

fn bound_name(at: &Location<'_>) -> Option<String> {
    let source = std::fs::read_to_string(at.file()).ok()?;
    let line = source.lines().nth(at.line().checked_sub(1)? as usize)?;
    let before: Vec<char> = line
        .chars()
        .take(at.column().checked_sub(1)? as usize)
        .collect();
    // The last `name:` (not a path's `::`) or `name =` (not `==`, `=>`...).
    let lone = |i: usize, mark: char, neighbours: &[char]| {
        before[i] == mark
            && (i == 0 || !neighbours.contains(&before[i - 1]))
            && before
                .get(i + 1)
                .is_none_or(|next| !neighbours.contains(next))
    };
    let binds = (0..before.len())
        .rev()
        .find(|&i| lone(i, ':', &[':']) || lone(i, '=', &['=', '<', '>', '!']))?;
    // `name: [A::new(0), A::new(0)]` names both; `x = Arc::new((A::new(0),`
    // names the Arc, not the A.
    let mut depth = 0i32;
    for c in &before[binds + 1..] {
        depth += match c {
            '(' => 1,
            ')' => -1,
            _ => 0,
        };
    }
    if depth != 0 {
        return None;
    }
    // In an array literal, the element's index: `slots[1]`.
    let between: String = before[binds + 1..].iter().collect();
    let index = between.trim_start().strip_prefix('[').map(|elements| {
        let mut depth = 0i32;
        elements
            .chars()
            .filter(|c| {
                depth += match c {
                    '(' | '[' => 1,
                    ')' | ']' => -1,
                    _ => 0,
                };
                *c == ',' && depth == 0
            })
            .count()
    });
    let word: String = before[..binds]
        .iter()
        .rev()
        .skip_while(|c| c.is_whitespace())
        .take_while(|c| c.is_alphanumeric() || **c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some(match index {
        Some(index) => format!("{word}[{index}]"),
        None => word,
    })
}

//! A linearizability checker for recorded concurrent histories.
//!
//! A history is linearizable if its operations can be put in one sequential
//! order that respects real time (an operation that returned before another
//! was called comes first) and in which a sequential [`Spec`] returns what
//! each operation really returned (Herlihy and Wing). The search is Wing and
//! Gong's, with Lowe's memoisation of (linearized operations, model state),
//! as in Porcupine:
//!
//! - Operations of one thread never overlap, so the linearized set is a
//!   prefix of each thread's operations: a node of the search is one cursor
//!   per thread and the model's state, and that pair is memoised so no node
//!   is explored twice.
//! - The next operation to linearize is one of the threads' next operations
//!   that was called before the earliest return among them.
//!
//! **Pending operations** (called, never returned: a blocked `get` or
//! `acquire`) may be linearized anywhere after their call, with any result,
//! or not at all. When the run ended with every thread blocked
//! ([`Ending::Deadlocked`]), a pending operation is blocked inside, so it
//! never took effect (the lab's primitives block before their
//! linearization point), and it must be *blocked* in the final state of the
//! linearization: a pending `get` on a queue that holds an item, or a pending
//! `acquire` on a free lock, is a lost wakeup, and the history is rejected.
//!
//! On failure the checker reports the longest linearizable prefix and the
//! operation that cannot be placed after it.

pub mod generated;
mod record;

use std::collections::HashSet;
use std::fmt;

pub use super::spec::Spec;
pub use record::{Recorder, check_recorded, check_recorded_std};

/// One operation of a history: who called what, when, and what came back.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation<O, R> {
    /// The calling thread.
    pub thread: usize,
    /// The operation and its arguments.
    pub op: O,
    /// When it was called.
    pub call: u64,
    /// When it returned and with what; `None` if it never returned.
    pub ret: Option<(u64, R)>,
}

/// A history: operations with call and return times from one clock.
#[derive(Clone, Debug, PartialEq)]
pub struct History<O, R> {
    /// The operations, in any order.
    pub operations: Vec<Operation<O, R>>,
}

impl<O, R> Default for History<O, R> {
    fn default() -> Self {
        History {
            operations: Vec::new(),
        }
    }
}

impl<O, R> History<O, R> {
    /// An empty history, for writing one by hand.
    pub fn new() -> Self {
        History::default()
    }

    /// Adds an operation that returned `ret` at time `returned`.
    pub fn completed(mut self, thread: usize, op: O, call: u64, returned: u64, ret: R) -> Self {
        self.operations.push(Operation {
            thread,
            op,
            call,
            ret: Some((returned, ret)),
        });
        self
    }

    /// Adds an operation that was called and never returned.
    pub fn pending(mut self, thread: usize, op: O, call: u64) -> Self {
        self.operations.push(Operation {
            thread,
            op,
            call,
            ret: None,
        });
        self
    }
}

/// How the recorded run ended, which decides what a pending operation may
/// mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The run was cut off (or finished): a pending operation may still have
    /// been about to complete.
    Open,
    /// Every thread was blocked for good: a pending operation must be one
    /// that cannot complete in the final state.
    Deadlocked,
}

/// Why a history was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckError {
    /// No linearization exists.
    NotLinearizable {
        /// The longest linearizable prefix found, as indices into the
        /// history's operations, in linearization order.
        prefix: Vec<usize>,
        /// The operation that cannot be placed after that prefix.
        stuck: Option<usize>,
        /// The same, in words.
        explanation: String,
    },
    /// The history itself is malformed (overlapping operations of one
    /// thread, a pending operation followed by another, a return before
    /// its call).
    Malformed(String),
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::NotLinearizable { explanation, .. } => {
                write!(f, "not linearizable: {explanation}")
            }
            CheckError::Malformed(why) => write!(f, "malformed history: {why}"),
        }
    }
}

impl std::error::Error for CheckError {}

/// Checks `history` against `initial`, the spec's starting state. Returns a
/// linearization (indices into the history's operations, in order; pending
/// operations left out are not listed) or why there is none.
///
/// ```
/// use synclab::lab::linearizability::{check, Ending, History};
/// use synclab::queue::spec::{QueueOp, QueueRet, QueueSpec};
///
/// // T0 puts 1 and then 2; T1's get overlaps both puts and returns 2:
/// // no order explains it, since 1 was in the queue first.
/// let history = History::new()
///     .completed(0, QueueOp::Put(1), 0, 1, QueueRet::Done)
///     .completed(0, QueueOp::Put(2), 2, 3, QueueRet::Done)
///     .completed(1, QueueOp::Get, 0, 4, QueueRet::Item(2));
/// let error = check(&QueueSpec::unbounded(), &history, Ending::Open).unwrap_err();
/// assert!(error.to_string().starts_with("not linearizable"));
///
/// // Returning 1 instead is fine.
/// let mut fine = history.clone();
/// fine.operations[2].ret = Some((4, QueueRet::Item(1)));
/// assert!(check(&QueueSpec::unbounded(), &fine, Ending::Open).is_ok());
/// ```
pub fn check<S: Spec>(
    initial: &S,
    history: &History<S::Op, S::Ret>,
    ending: Ending,
) -> Result<Vec<usize>, CheckError> {
    Search::new(initial, history, ending)?.run()
}

/// The search state: the history split by thread, and the memo.
struct Search<'h, S: Spec> {
    history: &'h History<S::Op, S::Ret>,
    /// Each thread's operations, as indices into the history, in call order.
    threads: Vec<Vec<usize>>,
    ending: Ending,
    initial: S,
}

/// A node on the search's stack.
struct Frame<S> {
    cursors: Vec<usize>,
    state: S,
    /// The next thread to try from this node.
    next_thread: usize,
    /// The operation linearized to reach this node.
    taken: Option<usize>,
}

impl<'h, S: Spec> Search<'h, S> {
    fn new(
        initial: &S,
        history: &'h History<S::Op, S::Ret>,
        ending: Ending,
    ) -> Result<Self, CheckError> {
        let count = history
            .operations
            .iter()
            .map(|op| op.thread + 1)
            .max()
            .unwrap_or(0);
        let mut threads = vec![Vec::new(); count];
        for (index, op) in history.operations.iter().enumerate() {
            if let Some((returned, _)) = &op.ret
                && *returned < op.call
            {
                return Err(CheckError::Malformed(format!(
                    "operation {index} returned before it was called"
                )));
            }
            threads[op.thread].push(index);
        }
        for ops in &mut threads {
            ops.sort_by_key(|&index| history.operations[index].call);
            for pair in ops.windows(2) {
                let (first, second) = (&history.operations[pair[0]], &history.operations[pair[1]]);
                match &first.ret {
                    None => {
                        return Err(CheckError::Malformed(format!(
                            "thread {}: operation {} follows operation {}, which never returned",
                            first.thread, pair[1], pair[0]
                        )));
                    }
                    Some((returned, _)) if *returned > second.call => {
                        return Err(CheckError::Malformed(format!(
                            "thread {}: operations {} and {} overlap",
                            first.thread, pair[0], pair[1]
                        )));
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(Search {
            history,
            threads,
            ending,
            initial: initial.clone(),
        })
    }

    fn op(&self, thread: usize, cursors: &[usize]) -> Option<usize> {
        self.threads[thread].get(cursors[thread]).copied()
    }

    /// The earliest return among the threads' next operations.
    fn horizon(&self, cursors: &[usize]) -> u64 {
        (0..self.threads.len())
            .filter_map(|t| self.op(t, cursors))
            .filter_map(|index| {
                self.history.operations[index]
                    .ret
                    .as_ref()
                    .map(|(at, _)| *at)
            })
            .min()
            .unwrap_or(u64::MAX)
    }

    /// Whether every completed operation is linearized here, and every
    /// pending one left out is allowed to be.
    fn is_complete(&self, cursors: &[usize], state: &S) -> bool {
        (0..self.threads.len()).all(|t| match self.op(t, cursors) {
            None => true,
            Some(index) => {
                let operation = &self.history.operations[index];
                operation.ret.is_none()
                    && (self.ending == Ending::Open || state.apply(&operation.op).is_none())
            }
        })
    }

    /// Linearizes the next operation of `thread` from this node, if it may
    /// go next and the spec agrees with what it returned.
    fn step(
        &self,
        cursors: &[usize],
        state: &S,
        thread: usize,
        horizon: u64,
    ) -> Option<(usize, S)> {
        let index = self.op(thread, cursors)?;
        let operation = &self.history.operations[index];
        // In a deadlocked run, a pending operation is blocked inside: it
        // never took effect, so it is never linearized.
        let blocked = operation.ret.is_none() && self.ending == Ending::Deadlocked;
        if operation.call > horizon || blocked {
            return None;
        }
        let (ret, next) = state.apply(&operation.op)?;
        match &operation.ret {
            Some((_, seen)) if *seen != ret => None,
            _ => Some((index, next)),
        }
    }

    fn run(&self) -> Result<Vec<usize>, CheckError> {
        let mut seen: HashSet<(Vec<usize>, S)> = HashSet::new();
        let mut stack = vec![Frame {
            cursors: vec![0; self.threads.len()],
            state: self.initial.clone(),
            next_thread: 0,
            taken: None,
        }];
        let mut deepest: (usize, Vec<usize>) = (0, Vec::new());
        while let Some(frame) = stack.last_mut() {
            if frame.next_thread == 0 && self.is_complete(&frame.cursors, &frame.state) {
                return Ok(stack.iter().filter_map(|f| f.taken).collect());
            }
            let horizon = self.horizon(&frame.cursors);
            let mut child = None;
            while frame.next_thread < self.threads.len() && child.is_none() {
                let thread = frame.next_thread;
                frame.next_thread += 1;
                if let Some((index, state)) =
                    self.step(&frame.cursors, &frame.state, thread, horizon)
                {
                    let mut cursors = frame.cursors.clone();
                    cursors[thread] += 1;
                    if seen.insert((cursors.clone(), state.clone())) {
                        child = Some(Frame {
                            cursors,
                            state,
                            next_thread: 0,
                            taken: Some(index),
                        });
                    }
                }
            }
            match child {
                Some(child) => {
                    stack.push(child);
                    if stack.len() - 1 > deepest.0 {
                        deepest = (
                            stack.len() - 1,
                            stack.iter().filter_map(|f| f.taken).collect(),
                        );
                    }
                }
                None => {
                    stack.pop();
                }
            }
        }
        Err(self.explain(deepest.1))
    }

    /// Explains a failure from the longest linearizable prefix.
    fn explain(&self, prefix: Vec<usize>) -> CheckError {
        let mut cursors = vec![0; self.threads.len()];
        let mut state = self.initial.clone();
        for &index in &prefix {
            let operation = &self.history.operations[index];
            cursors[operation.thread] += 1;
            if let Some((_, next)) = state.apply(&operation.op) {
                state = next;
            }
        }
        let describe = |index: usize| {
            let operation = &self.history.operations[index];
            match &operation.ret {
                Some((_, ret)) => format!(
                    "thread {}: {:?} → {:?}",
                    operation.thread, operation.op, ret
                ),
                None => format!("thread {}: {:?} (pending)", operation.thread, operation.op),
            }
        };
        let next: Vec<usize> = (0..self.threads.len())
            .filter_map(|t| self.op(t, &cursors))
            .collect();
        let stuck = next
            .iter()
            .copied()
            .filter(|&i| self.history.operations[i].ret.is_some())
            .min_by_key(|&i| self.history.operations[i].ret.as_ref().map(|(at, _)| *at));
        let explanation = match stuck {
            Some(index) => format!(
                "after {} operations the model is {state:?}, and {} cannot be placed",
                prefix.len(),
                describe(index)
            ),
            None => {
                let enabled: Vec<String> = next
                    .iter()
                    .filter(|&&i| state.apply(&self.history.operations[i].op).is_some())
                    .map(|&i| describe(i))
                    .collect();
                format!(
                    "every thread was blocked, yet in the final state {state:?} {} could complete: a lost wakeup",
                    enabled.join(", ")
                )
            }
        };
        CheckError::NotLinearizable {
            prefix,
            stuck,
            explanation,
        }
    }
}

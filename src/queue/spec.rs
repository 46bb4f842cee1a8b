//! The queue's one sequential specification: a FIFO with a capacity and
//! Python's unfinished-task count. It serves the model test, the operation
//! fuzz target, the recorded scenario and the generated concurrent programs
//! of the linearizability checker.

use std::collections::VecDeque;
use std::marker::PhantomData;

use proptest::prelude::*;

use crate::backend::Backend;
use crate::kinds::model::Model;
use crate::kinds::{QueueApi, QueueFamily};
use crate::lab::spec::{Spec, Timeout};

/// A FIFO queue with a capacity and Python's unfinished-task count.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QueueSpec {
    /// The items, oldest first.
    pub items: VecDeque<u32>,
    /// The most items it holds.
    pub capacity: usize,
    /// Items put and not yet marked done.
    pub unfinished: u32,
}

impl QueueSpec {
    /// An empty queue of at most `capacity` items.
    pub fn bounded(capacity: usize) -> Self {
        QueueSpec {
            items: VecDeque::new(),
            capacity,
            unfinished: 0,
        }
    }

    /// An empty unbounded queue.
    pub fn unbounded() -> Self {
        Self::bounded(usize::MAX)
    }

    /// The spec of a queue made with `maxsize` (0: unbounded, as in Python).
    pub fn with_maxsize(maxsize: usize) -> Self {
        match maxsize {
            0 => Self::unbounded(),
            capacity => Self::bounded(capacity),
        }
    }
}

/// An operation on a queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueOp {
    /// Put an item, waiting while full.
    Put(u32),
    /// Put an item if there is room.
    TryPut(u32),
    /// Put an item, waiting at most the timeout for room.
    PutFor(u32, Timeout),
    /// Take the oldest item, waiting while empty.
    Get,
    /// Take the oldest item if there is one.
    TryGet,
    /// Take the oldest item, waiting at most the timeout.
    GetFor(Timeout),
    /// Mark one task done.
    TaskDone,
    /// Wait until every task is done.
    Join,
    /// Wait at most the timeout until every task is done.
    JoinFor(Timeout),
    /// Count the items.
    Len,
    /// Whether it is empty (a snapshot read without the lock).
    IsEmpty,
}

/// What a queue operation returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueRet {
    /// `Put` or `Join` returned.
    Done,
    /// `TryPut` or `PutFor` returned whether the item went in.
    Accepted(bool),
    /// `Get` returned this item.
    Item(u32),
    /// `TryGet` or `GetFor` returned this, or nothing.
    Maybe(Option<u32>),
    /// `TaskDone` returned whether it was accepted.
    Marked(bool),
    /// `JoinFor` returned whether every task was done.
    Joined(bool),
    /// `Len` returned this count.
    Len(usize),
    /// `IsEmpty` returned this.
    Empty(bool),
}

impl Spec for QueueSpec {
    type Op = QueueOp;
    type Ret = QueueRet;

    fn apply(&self, op: &QueueOp) -> Option<(QueueRet, Self)> {
        let mut next = self.clone();
        let full = self.items.len() >= self.capacity;
        let ret = match *op {
            QueueOp::Put(_) | QueueOp::PutFor(_, Timeout::Max) if full => return None,
            QueueOp::TryPut(_) | QueueOp::PutFor(..) if full => QueueRet::Accepted(false),
            QueueOp::Put(item) | QueueOp::TryPut(item) | QueueOp::PutFor(item, _) => {
                next.items.push_back(item);
                next.unfinished += 1;
                match op {
                    QueueOp::Put(_) => QueueRet::Done,
                    _ => QueueRet::Accepted(true),
                }
            }
            QueueOp::Get => QueueRet::Item(next.items.pop_front()?),
            QueueOp::GetFor(Timeout::Max) => QueueRet::Maybe(Some(next.items.pop_front()?)),
            QueueOp::TryGet | QueueOp::GetFor(_) => QueueRet::Maybe(next.items.pop_front()),
            QueueOp::TaskDone if self.unfinished == 0 => QueueRet::Marked(false),
            QueueOp::TaskDone => {
                next.unfinished -= 1;
                QueueRet::Marked(true)
            }
            QueueOp::Join | QueueOp::JoinFor(Timeout::Max) if self.unfinished > 0 => return None,
            QueueOp::Join => QueueRet::Done,
            QueueOp::JoinFor(_) => QueueRet::Joined(self.unfinished == 0),
            QueueOp::Len => QueueRet::Len(self.items.len()),
            QueueOp::IsEmpty => QueueRet::Empty(self.items.is_empty()),
        };
        Some((ret, next))
    }

    fn timeout(op: &QueueOp) -> Option<Timeout> {
        match *op {
            QueueOp::PutFor(_, timeout) | QueueOp::GetFor(timeout) | QueueOp::JoinFor(timeout) => {
                Some(timeout)
            }
            _ => None,
        }
    }

    fn gave_up(ret: &QueueRet) -> bool {
        matches!(
            ret,
            QueueRet::Accepted(false) | QueueRet::Maybe(None) | QueueRet::Joined(false)
        )
    }
}

/// Performs `op` on `queue` and returns what it returned, as the spec says
/// it.
pub fn perform<Q: QueueApi>(queue: &Q, op: &QueueOp) -> QueueRet {
    match *op {
        QueueOp::Put(item) => {
            queue.put(item);
            QueueRet::Done
        }
        QueueOp::TryPut(item) => QueueRet::Accepted(queue.try_put(item)),
        QueueOp::PutFor(item, timeout) => {
            QueueRet::Accepted(queue.put_for(item, timeout.duration()))
        }
        QueueOp::Get => QueueRet::Item(queue.get()),
        QueueOp::TryGet => QueueRet::Maybe(queue.try_get()),
        QueueOp::GetFor(timeout) => QueueRet::Maybe(queue.get_for(timeout.duration())),
        QueueOp::TaskDone => QueueRet::Marked(queue.task_done()),
        QueueOp::Join => {
            queue.join();
            QueueRet::Done
        }
        QueueOp::JoinFor(timeout) => QueueRet::Joined(queue.join_for(timeout.duration())),
        QueueOp::Len => QueueRet::Len(queue.len()),
        QueueOp::IsEmpty => QueueRet::Empty(queue.is_empty()),
    }
}

/// A queue of family `F` with its spec ([`Model`]): the model test applies
/// up to 24 operations on real threads to a queue of capacity 0 (unbounded)
/// to 3; the generated programs run its untimed operations.
#[derive(Debug)]
pub struct QueueModel<F>(PhantomData<F>);

impl<F: QueueFamily> Model for QueueModel<F> {
    type Spec = QueueSpec;
    type Object<B: Backend> = F::Queue<B>;

    fn new<B: Backend>(maxsize: usize) -> F::Queue<B> {
        QueueApi::new(maxsize)
    }

    fn initial(maxsize: usize) -> QueueSpec {
        QueueSpec::with_maxsize(maxsize)
    }

    fn perform<B: Backend>(queue: &F::Queue<B>, op: &QueueOp) -> QueueRet {
        perform(queue, op)
    }

    fn ops() -> impl Strategy<Value = QueueOp> + Clone {
        let item = 0..256u32;
        prop_oneof![
            item.clone().prop_map(QueueOp::Put),
            item.clone().prop_map(QueueOp::TryPut),
            (item, Timeout::any()).prop_map(|(x, t)| QueueOp::PutFor(x, t)),
            Just(QueueOp::Get),
            Just(QueueOp::TryGet),
            Timeout::any().prop_map(QueueOp::GetFor),
            Just(QueueOp::TaskDone),
            Just(QueueOp::Join),
            Timeout::any().prop_map(QueueOp::JoinFor),
            Just(QueueOp::Len),
            Just(QueueOp::IsEmpty),
        ]
    }

    /// The untimed operations but `is_empty` (a snapshot read without the
    /// lock), on items 0 to 3.
    fn concurrent_ops() -> impl Strategy<Value = QueueOp> + Clone {
        prop_oneof![
            (0..4u32).prop_map(QueueOp::Put),
            (0..4u32).prop_map(QueueOp::TryPut),
            Just(QueueOp::Get),
            Just(QueueOp::TryGet),
            Just(QueueOp::TaskDone),
            Just(QueueOp::Len),
            Just(QueueOp::Join),
        ]
    }

    /// Unbounded (0), and capacities 1 to 3.
    fn parameters() -> impl Strategy<Value = usize> + Clone {
        0..4usize
    }
}

//! Sequential specifications of the lab's primitives, for the
//! linearizability checker.

use std::collections::VecDeque;

use super::Spec;

/// The guide's counter: increments and reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct CounterSpec {
    /// The count.
    pub value: u32,
}

/// An operation on a counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CounterOp {
    /// Add one.
    Increment,
    /// Read the count.
    Get,
}

/// What a counter operation returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CounterRet {
    /// An increment returned.
    Done,
    /// A read returned this count.
    Value(u32),
}

impl Spec for CounterSpec {
    type Op = CounterOp;
    type Ret = CounterRet;

    fn apply(&self, op: &CounterOp) -> Option<(CounterRet, Self)> {
        Some(match op {
            CounterOp::Increment => (
                CounterRet::Done,
                CounterSpec {
                    value: self.value.wrapping_add(1),
                },
            ),
            CounterOp::Get => (CounterRet::Value(self.value), self.clone()),
        })
    }
}

/// A lock: held or free. `Acquire` blocks while it is held; `Release` of a
/// free lock is illegal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct LockSpec {
    /// Whether somebody holds it.
    pub held: bool,
}

/// An operation on a lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockOp {
    /// Take it, waiting while it is held.
    Acquire,
    /// Take it if free.
    TryAcquire,
    /// Give it back.
    Release,
}

/// What a lock operation returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockRet {
    /// `Acquire` or `Release` returned.
    Done,
    /// `TryAcquire` returned whether it took the lock.
    Acquired(bool),
}

impl Spec for LockSpec {
    type Op = LockOp;
    type Ret = LockRet;

    fn apply(&self, op: &LockOp) -> Option<(LockRet, Self)> {
        match (op, self.held) {
            (LockOp::Acquire, false) => Some((LockRet::Done, LockSpec { held: true })),
            (LockOp::Acquire, true) | (LockOp::Release, false) => None,
            (LockOp::TryAcquire, held) => Some((LockRet::Acquired(!held), LockSpec { held: true })),
            (LockOp::Release, true) => Some((LockRet::Done, LockSpec { held: false })),
        }
    }
}

/// A semaphore: permits, and a bound that `Release` may not pass.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SemaphoreSpec {
    /// Permits available.
    pub permits: u32,
    /// The most permits a release may bring it to.
    pub bound: u32,
}

impl SemaphoreSpec {
    /// A plain semaphore with `permits` permits.
    pub fn new(permits: u32) -> Self {
        SemaphoreSpec {
            permits,
            bound: crate::semaphore::MAX_PERMITS,
        }
    }

    /// A bounded semaphore starting (and capped) at `permits`.
    pub fn bounded(permits: u32) -> Self {
        SemaphoreSpec {
            permits,
            bound: permits,
        }
    }
}

/// An operation on a semaphore.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SemaphoreOp {
    /// Take a permit, waiting while there is none.
    Acquire,
    /// Take a permit if there is one.
    TryAcquire,
    /// Give a permit back (refused at the bound).
    Release,
}

/// What a semaphore operation returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SemaphoreRet {
    /// `Acquire` returned.
    Done,
    /// `TryAcquire` returned whether it took a permit.
    Acquired(bool),
    /// `Release` returned whether it was accepted.
    Released(bool),
}

impl Spec for SemaphoreSpec {
    type Op = SemaphoreOp;
    type Ret = SemaphoreRet;

    fn apply(&self, op: &SemaphoreOp) -> Option<(SemaphoreRet, Self)> {
        let with = |permits| SemaphoreSpec { permits, ..*self };
        match op {
            SemaphoreOp::Acquire if self.permits == 0 => None,
            SemaphoreOp::Acquire => Some((SemaphoreRet::Done, with(self.permits - 1))),
            SemaphoreOp::TryAcquire if self.permits == 0 => {
                Some((SemaphoreRet::Acquired(false), self.clone()))
            }
            SemaphoreOp::TryAcquire => Some((SemaphoreRet::Acquired(true), with(self.permits - 1))),
            SemaphoreOp::Release if self.permits >= self.bound => {
                Some((SemaphoreRet::Released(false), self.clone()))
            }
            SemaphoreOp::Release => Some((SemaphoreRet::Released(true), with(self.permits + 1))),
        }
    }
}

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
}

/// An operation on a queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueOp {
    /// Put an item, waiting while full.
    Put(u32),
    /// Put an item if there is room.
    TryPut(u32),
    /// Take the oldest item, waiting while empty.
    Get,
    /// Take the oldest item if there is one.
    TryGet,
    /// Mark one task done.
    TaskDone,
    /// Wait until every task is done.
    Join,
    /// Count the items.
    Len,
}

/// What a queue operation returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueRet {
    /// `Put` or `Join` returned.
    Done,
    /// `TryPut` returned whether the item went in.
    Accepted(bool),
    /// `Get` returned this item.
    Item(u32),
    /// `TryGet` returned this, or nothing.
    Maybe(Option<u32>),
    /// `TaskDone` returned whether it was accepted.
    Marked(bool),
    /// `Len` returned this count.
    Len(usize),
}

impl Spec for QueueSpec {
    type Op = QueueOp;
    type Ret = QueueRet;

    fn apply(&self, op: &QueueOp) -> Option<(QueueRet, Self)> {
        let mut next = self.clone();
        let full = self.items.len() >= self.capacity;
        let ret = match *op {
            QueueOp::Put(_) if full => return None,
            QueueOp::TryPut(_) if full => QueueRet::Accepted(false),
            QueueOp::Put(item) | QueueOp::TryPut(item) => {
                next.items.push_back(item);
                next.unfinished += 1;
                match op {
                    QueueOp::Put(_) => QueueRet::Done,
                    _ => QueueRet::Accepted(true),
                }
            }
            QueueOp::Get => QueueRet::Item(next.items.pop_front()?),
            QueueOp::TryGet => QueueRet::Maybe(next.items.pop_front()),
            QueueOp::TaskDone if self.unfinished == 0 => QueueRet::Marked(false),
            QueueOp::TaskDone => {
                next.unfinished -= 1;
                QueueRet::Marked(true)
            }
            QueueOp::Join if self.unfinished > 0 => return None,
            QueueOp::Join => QueueRet::Done,
            QueueOp::Len => QueueRet::Len(self.items.len()),
        };
        Some((ret, next))
    }
}

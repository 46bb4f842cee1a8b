//! The counter's scenarios: the guide's race ([`counter_increments`]) and
//! its recorded form, which the linearizability checker judges.

use std::sync::Arc;

use super::spec::{CounterOp, CounterSpec, perform};
use super::{Counter, CounterKind};
use crate::backend::{Backend, Shuttle, run_threads};
use crate::ensure;
use crate::lab::Budget;
use crate::lab::failure::{Bug, Failure};
use crate::lab::linearizability::{Recorder, check_recorded};

/// Two threads increment a [`Counter`] `ops` times each.
///
/// Invariant: after both finish, the count is `2 × ops` — no update lost.
pub fn counter_increments<B: Backend, K: CounterKind>(ops: u32) {
    let counter = Arc::new((Counter::<B, K>::new_in(), ops));
    run_threads::<B, _>(2, &counter, |(counter, ops), _| {
        (0..*ops).for_each(|_| counter.increment());
    });
    let (seen, expected) = (counter.0.get(), 2 * ops);
    ensure!(
        seen == expected,
        Bug::LostUpdate,
        "counter is {seen} after {expected} increments"
    );
}

/// Two threads each increment the [`Counter`] and read it, every operation
/// recorded.
pub fn recorded<B: Backend, K: CounterKind>(recorder: Arc<Recorder<CounterSpec>>) {
    let shared = Arc::new((recorder, Counter::<B, K>::new_in()));
    run_threads::<B, _>(2, &shared, |(recorder, counter), thread| {
        for op in [CounterOp::Increment, CounterOp::Get] {
            recorder.record(thread, op, || perform(counter, &op));
        }
    });
}

/// [`recorded`] under shuttle, against a counter at 0.
pub fn linearizability<K: CounterKind>(budget: &Budget) -> (Option<Failure>, usize) {
    check_recorded(
        CounterSpec::default(),
        recorded::<Shuttle, K>,
        budget,
        false,
    )
}

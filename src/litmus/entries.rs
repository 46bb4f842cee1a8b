//! The litmus tests' rows of the catalogue.

use crate::lab::checkers::Subject;
use crate::lab::entry::{Entry, Expect, Expectations, Row, SHUTTLE_IS_SC, Why};
use crate::lab::failure::{Bug, FailureKind};
use crate::worlds;

/// The rows of the store-buffering test, SeqCst or not.
const fn store_buffering<const SEQ_CST: bool>() -> Row {
    let scenario = "two threads each set their own flag, then read the other's; not both may read \
                    it unset";
    Row::new(
        "litmus",
        scenario,
        Subject::scenario(worlds!(super::store_buffering, SEQ_CST)),
    )
}

/// loom's flag on the correct SeqCst version.
const LOOM_SEQ_CST: Why = Why {
    tag: "loom treats SeqCst as AcqRel",
    text: "loom treats SeqCst accesses as AcqRel (a documented limit), under which both loads \
           may read 0; shuttle, sequentially consistent, passes it",
};

/// The litmus tests' rows, the correct one first.
pub static ENTRIES: &[Entry] = &[
    Entry {
        expect: Expectations {
            loom: Expect::FalseAlarm(FailureKind::Assertion(Bug::StoreBuffered), LOOM_SEQ_CST),
            ..Expectations::correct()
        },
        ..store_buffering::<true>().correct("seq-cst", "litmus-seq-cst")
    },
    store_buffering::<false>()
        .broken(
            "store-buffering",
            "litmus-store-buffering",
            "Release stores and Acquire loads where the test needs SeqCst: both threads read the \
         other's flag unset",
            Expectations {
                loom: Expect::Catch(FailureKind::Assertion(Bug::StoreBuffered)),
                shuttle_random: SHUTTLE_IS_SC,
                shuttle_pct: SHUTTLE_IS_SC,
                stress: Expect::Observe(FailureKind::Assertion(Bug::StoreBuffered)),
                model: Expect::NotApplicable(Why {
                    tag: "no spec",
                    text: "a litmus test has no sequential spec",
                }),
                linearizability: Expect::NotApplicable(Why {
                    tag: "no spec",
                    text: "a litmus test has no sequential spec",
                }),
            },
        )
        // Miri's weak-memory emulation lets a load read an older store, as the
        // test's Release/Acquire allow: a few seeds show it.
        .under_miri(Expect::Catch(FailureKind::Assertion(Bug::StoreBuffered))),
];

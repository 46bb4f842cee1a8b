//! The lock's rows of the catalogue: the lock's variants, then the guide's
//! two usage pitfalls with their fixes.

use super::Correct;
use super::broken::{NoWakeUnlock, Relaxed, TestThenSet};
use super::scenarios::{self, with_spec};
use crate::kinds::LockFamily;
use crate::lab::checkers::Subject;
use crate::lab::entry::{Entry, Expect, Expectations, SEQUENTIAL, SHUTTLE_IS_SC};
use crate::lab::failure::{Bug, FailureKind};
use crate::worlds;

const LOCK: &str = "two threads take the lock and update Relaxed data inside; at most one holder, each \
                    holder sees the previous holder's write, and no update is lost";
const TWO_LOCKS: &str = "two threads each take two locks and update both; both must finish";
const RELOCK: &str = "two threads read a locked value in an `if let` and update it; \
                      every update must complete and none may be lost";

/// A row of the lock of variant `V`, under the exclusion scenario.
const fn lock<V: LockFamily>(
    variant: &'static str,
    id: &'static str,
    bug: Option<&'static str>,
    expect: Expectations,
) -> Entry {
    Entry {
        primitive: "lock",
        variant,
        id,
        bug,
        scenario: LOCK,
        subject: with_spec::<V>(),
        expect,
    }
}

/// A row of a usage of the lock.
const fn usage(
    variant: &'static str,
    id: &'static str,
    bug: Option<&'static str>,
    scenario: &'static str,
    subject: Subject,
    expect: Expectations,
) -> Entry {
    Entry {
        primitive: "lock (usage)",
        variant,
        id,
        bug,
        scenario,
        subject,
        expect,
    }
}

/// The lock's rows, correct ones first.
pub static ENTRIES: &[Entry] = &[
    lock::<Correct>("correct", "lock-correct", None, Expectations::correct()),
    Entry {
        primitive: "lock",
        variant: "guarded-data",
        id: "lock-guarded-data",
        bug: None,
        scenario: "two threads increment a Lock<u32> through its guard; loom checks every access to the \
                   protected cell for races; the final value counts every update",
        subject: Subject::scenario(worlds!(scenarios::lock_guarded_data)),
        expect: Expectations::correct(),
    },
    lock::<TestThenSet>(
        "test-then-set",
        "lock-test-then-set",
        Some(
            "the free check (a load) and the take (a store) are separate steps: two threads both take it",
        ),
        Expectations {
            // loom finds it first with no preemption at all, as a stale read:
            // T2's plain load may return the UNLOCKED from before T1's lock,
            // so T2 takes the lock without synchronizing with T1's unlock.
            loom: Expect::Catch(FailureKind::Assertion(Bug::StaleRead)),
            ..Expectations::race(FailureKind::Assertion(Bug::TwoHolders))
        },
    ),
    lock::<Relaxed>(
        "relaxed",
        "lock-relaxed",
        Some("Relaxed instead of Acquire/Release: unlock does not publish the critical section"),
        Expectations {
            loom: Expect::Catch(FailureKind::Assertion(Bug::StaleRead)),
            shuttle_random: SHUTTLE_IS_SC,
            shuttle_pct: SHUTTLE_IS_SC,
            stress: Expect::Observe(FailureKind::Assertion(Bug::StaleRead)),
            model: SEQUENTIAL,
            linearizability: SHUTTLE_IS_SC,
        },
    ),
    lock::<NoWakeUnlock>(
        "no-wake",
        "lock-no-wake",
        Some(
            "unlock from the contended state forgets to wake the parked waiter: it sleeps forever",
        ),
        Expectations::lost_wakeup(),
    ),
    usage(
        "ordering",
        "lock-ordering",
        None,
        TWO_LOCKS,
        Subject::scenario(worlds!(scenarios::two_locks, false)),
        Expectations::correct(),
    ),
    usage(
        "abba",
        "lock-abba",
        Some("two locks taken in opposite orders: each thread holds the lock the other waits for"),
        TWO_LOCKS,
        Subject::scenario(worlds!(scenarios::two_locks, true)),
        Expectations::lost_wakeup(),
    ),
    usage(
        "one-guard",
        "lock-one-guard",
        None,
        RELOCK,
        Subject::scenario(worlds!(scenarios::relock_in_if_let, false)),
        Expectations::correct(),
    ),
    usage(
        "guard-kept-alive",
        "lock-guard-kept-alive",
        Some(
            "re-locking while the `if let` scrutinee's guard is still alive: the thread waits for itself",
        ),
        RELOCK,
        Subject::scenario(worlds!(scenarios::relock_in_if_let, true)),
        Expectations {
            // No interleaving needed: a thread deadlocks on itself in every
            // run, so even a real-thread run sees it every time.
            stress: Expect::Observe(FailureKind::Hang),
            ..Expectations::race(FailureKind::Deadlock)
        },
    ),
];

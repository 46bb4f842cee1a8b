//! The lock's rows of the catalogue: the lock's variants, then the guide's
//! two usage pitfalls with their fixes.

use super::Correct;
use super::broken::{NoWakeUnlock, Relaxed, TestThenSet, TimeoutUnmark};
use super::scenarios::{self, subject};
use crate::kinds::LockFamily;
use crate::lab::checkers::Subject;
use crate::lab::entry::{Entry, Expect, Expectations, Row, SEQUENTIAL, SHUTTLE_IS_SC, Why};
use crate::lab::failure::{Bug, FailureKind};
use crate::worlds;

/// The rows of the lock of variant `V`, under the exclusion scenario.
const fn lock<V: LockFamily>() -> Row {
    let scenario = "two threads take the lock and update Relaxed data inside; at most one holder, \
                    each holder sees the previous holder's write, and no update is lost";
    Row::new("lock", scenario, subject::<V>())
}

/// The rows of a usage of the lock under `scenario`.
const fn usage(scenario: &'static str, worlds: crate::lab::checkers::Worlds) -> Row {
    Row::new("lock (usage)", scenario, Subject::scenario(worlds))
}

/// The rows of the lock of variant `V` under the timed-waiter scenario.
const fn timed<V: LockFamily>() -> Row {
    let scenario = "main holds the lock while one thread waits for it and another waits at most \
                    10 ms (virtual time under loom and shuttle); main lets go: the untimed waiter \
                    must get the lock";
    Row::new(
        "lock",
        scenario,
        Subject::scenario(worlds!(scenarios::lock_timed_waiter, V)),
    )
}

/// The rows of the lock of variant `V` guarding a plain value: a data race
/// when the lock is broken, so run only under loom, Miri and
/// ThreadSanitizer.
const fn guarded_cell<V: LockFamily>() -> Row {
    let scenario = "two threads take the lock and increment a plain (non-atomic) value inside; \
                    no access may race with another, and no increment may be lost";
    Row::racing_on_data("lock", scenario, worlds!(scenarios::lock_guarded_cell, V))
}

/// A broken lock guarding plain data: loom's cell tracking sees the race;
/// no other checker runs it ([`Entry::races_on_data`]).
const DATA_RACE: Expectations = Expectations {
    loom: Expect::Catch(FailureKind::DataRace),
    ..Expectations::correct()
};

const TWO_LOCKS: &str = "two threads each take two locks and update both; both must finish";
const RELOCK: &str = "two threads read a locked value in an `if let` and update it; \
                      every update must complete and none may be lost";

/// The lock's rows, correct ones first.
pub static ENTRIES: &[Entry] = &[
    lock::<Correct>().correct("correct", "lock-correct"),
    Row::new(
        "lock",
        "two threads increment a Lock<u32> through its guard; loom checks every access to the \
         protected cell for races; the final value counts every update",
        Subject::scenario(worlds!(scenarios::lock_guarded_data)),
    )
    .correct("guarded-data", "lock-guarded-data"),
    lock::<TestThenSet>().broken(
        "test-then-set",
        "lock-test-then-set",
        "the free check (a load) and the take (a store) are separate steps: two threads both take it",
        Expectations {
            // loom finds it first with no preemption at all, as a stale read:
            // T2's plain load may return the UNLOCKED from before T1's lock,
            // so T2 takes the lock without synchronizing with T1's unlock.
            loom: Expect::Catch(FailureKind::Assertion(Bug::StaleRead)),
            ..Expectations::race(FailureKind::Assertion(Bug::TwoHolders))
        },
    ),
    lock::<Relaxed>().broken(
        "relaxed",
        "lock-relaxed",
        "Relaxed instead of Acquire/Release: unlock does not publish the critical section",
        Expectations {
            loom: Expect::Catch(FailureKind::Assertion(Bug::StaleRead)),
            shuttle_random: SHUTTLE_IS_SC,
            shuttle_pct: SHUTTLE_IS_SC,
            stress: Expect::Observe(FailureKind::Assertion(Bug::StaleRead)),
            model: SEQUENTIAL,
            linearizability: SHUTTLE_IS_SC,
        },
    ),
    guarded_cell::<Correct>().correct("no-data-race", "lock-no-data-race"),
    guarded_cell::<TestThenSet>()
        .broken(
            "test-then-set-data-race",
            "lock-test-then-set-data-race",
            "the test-then-set lock guarding plain data: a second holder's accesses race with \
             the first's",
            DATA_RACE,
        )
        .marked("lock-test-then-set"),
    guarded_cell::<Relaxed>()
        .broken(
            "relaxed-data-race",
            "lock-relaxed-data-race",
            "the Relaxed lock guarding plain data: unlock does not order the holder's accesses \
             before the next holder's, so they race",
            DATA_RACE,
        )
        .marked("lock-relaxed")
        // Nothing orders the two holders' accesses, whenever they run:
        // Miri's and ThreadSanitizer's happens-before see it every time.
        .under_miri(Expect::Catch(FailureKind::DataRace))
        .under_tsan(Expect::Catch(FailureKind::DataRace)),
    lock::<NoWakeUnlock>().broken(
        "no-wake",
        "lock-no-wake",
        "unlock from the contended state forgets to wake the parked waiter: it sleeps forever",
        Expectations::lost_wakeup(),
    ),
    timed::<Correct>().correct("timed", "lock-timed"),
    timed::<TimeoutUnmark>().broken(
        "timeout-unmark",
        "lock-timeout-unmark",
        "a timed lock, giving up, turns CONTENDED back into LOCKED: the unlock then wakes nobody, \
         and the other parked waiter sleeps forever",
        Expectations {
            shuttle_random: Expect::Escape(Why {
                tag: "too narrow for a random walk",
                text: "both waiters must park and the timeout fire before main's next step, about \
                       twenty steps in a row without main: the random walk missed it in 100,000 \
                       schedules (PCT, which keeps main's priority low, finds it)",
            }),
            ..Expectations::lost_wakeup()
        },
    ),
    usage(TWO_LOCKS, worlds!(scenarios::two_locks, false)).correct("ordering", "lock-ordering"),
    usage(TWO_LOCKS, worlds!(scenarios::two_locks, true)).broken(
        "abba",
        "lock-abba",
        "two locks taken in opposite orders: each thread holds the lock the other waits for",
        Expectations::lost_wakeup(),
    ),
    usage(RELOCK, worlds!(scenarios::relock_in_if_let, false)).correct("one-guard", "lock-one-guard"),
    usage(RELOCK, worlds!(scenarios::relock_in_if_let, true)).broken(
        "guard-kept-alive",
        "lock-guard-kept-alive",
        "re-locking while the `if let` scrutinee's guard is still alive: the thread waits for itself",
        // No interleaving needed: a thread deadlocks on itself in every
        // run, so even a real-thread run sees it every time.
        Expectations::lost_wakeup(),
    ),
];

//! A kit's stress runs happen in a child process: a round that hangs with
//! threads spinning where no backend call can stop them is killed with the
//! child, and leaves nothing running in the test's process.
//!
//! Thread ids are read from `/proc`, so these run on Linux only.

#![cfg(target_os = "linux")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use synclab::backend::{AtomicU32Ops, Backend, Ordering, run_threads};
use synclab::lab::Budget;
use synclab::lab::checkers::Checker;
use synclab::own::{Kit, Scenario};

/// Two threads wait, with a bare spin, for a flag nobody clears. On real
/// threads each notes its thread id first.
struct Stuck;

impl Scenario for Stuck {
    const NAME: &'static str = "stuck";
    fn run<B: Backend>(_ops: u32) {
        let flag = Arc::new(B::AtomicU32::new(1));
        run_threads::<B, _>(2, &flag, |flag, _| {
            if B::NAME == "std" {
                SPINNERS.lock().unwrap().push(tid());
            }
            while flag.load(Ordering::Relaxed) == 1 {
                std::hint::spin_loop();
            }
        });
    }
}

/// The ids of the spinning threads that ran in this process.
static SPINNERS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn tid() -> String {
    let link = std::fs::read_link("/proc/thread-self").expect("Linux");
    link.file_name().unwrap().to_string_lossy().into_owned()
}

/// On real threads, the process aborts mid-round: what a crash in a user's
/// primitive does (a double panic, a stack overflow).
struct Aborts;

impl Scenario for Aborts {
    const NAME: &'static str = "aborts";
    fn run<B: Backend>(_ops: u32) {
        run_threads::<B, _>(2, &Arc::new(()), |_, _| {
            if B::NAME == "std" {
                std::process::abort();
            }
        });
    }
}

#[test]
fn a_hung_stress_round_leaves_no_thread_behind() {
    let budget = Budget {
        stress_rounds: 3,
        stress_round_timeout: Duration::from_millis(200),
        shuttle_iterations: 20,
        ..Budget::default()
    };
    let report = Kit::new("flag").scenario::<Stuck>().check(&budget);
    let stress = report
        .run(Checker::Stress)
        .expect("stress runs every scenario");
    // The round hung with its threads running: cut off, inconclusive.
    let why = stress.inconclusive.as_deref().unwrap_or_default();
    assert!(why.contains("still running"), "{report}\n{stress:?}");
    // Its spinners, which no unwinding reaches, ran in the child and died
    // with it: none ever ran here (in process, both would still spin).
    let here = SPINNERS.lock().unwrap();
    assert!(
        here.is_empty(),
        "spinners in this process: {here:?}\n{report}"
    );
}

/// A child that dies in its stress run is a failure of that run, reported
/// with how it died; the test's own process lives on.
#[test]
fn a_crash_in_a_stress_round_is_reported_not_suffered() {
    let report = Kit::new("crash")
        .scenario::<Aborts>()
        .check(&Budget::default());
    let stress = report
        .run(Checker::Stress)
        .expect("stress runs every scenario");
    let failure = stress
        .failure
        .as_ref()
        .unwrap_or_else(|| panic!("{report}"));
    assert!(
        failure.message.contains("the stress run died")
            && failure.message.contains("in its run")
            && failure.message.contains("SIGABRT"),
        "{failure}"
    );
    assert!(
        failure.location.is_none() && report.panics().next().is_none(),
        "{report}"
    );
}

//! A kit's stress runs happen in a child process: a round that hangs with
//! threads spinning where no backend call can stop them is killed with the
//! child, and leaves nothing running in the test's process.
//!
//! One test in this binary, so that the process's thread count is the
//! test's own.

use std::sync::Arc;
use std::time::Duration;

use synclab::backend::{AtomicU32Ops, Backend, Ordering, run_threads};
use synclab::lab::Budget;
use synclab::lab::checkers::Checker;
use synclab::own::{Kit, Scenario};

/// Two threads wait, with a bare spin, for a flag nobody clears.
struct Stuck;

impl Scenario for Stuck {
    const NAME: &'static str = "stuck";
    fn run<B: Backend>(_ops: u32) {
        let flag = Arc::new(B::AtomicU32::new(1));
        run_threads::<B, _>(2, &flag, |flag, _| {
            while flag.load(Ordering::Relaxed) == 1 {
                std::hint::spin_loop();
            }
        });
    }
}

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").expect("Linux").count()
}

#[test]
fn a_hung_stress_round_leaves_no_thread_behind() {
    let budget = Budget {
        stress_rounds: 3,
        stress_round_timeout: Duration::from_millis(200),
        shuttle_iterations: 20,
        ..Budget::default()
    };
    let before = threads();
    let report = Kit::new("flag").scenario::<Stuck>().check(&budget);
    let stress = report
        .run(Checker::Stress)
        .expect("stress runs every scenario");
    // The round hung with its threads running: cut off, inconclusive.
    let why = stress.inconclusive.as_deref().unwrap_or_default();
    assert!(why.contains("still running"), "{report}\n{stress:?}");
    // Its spinners, which no unwinding reaches, died with the child.
    assert_eq!(threads(), before, "threads left behind\n{report}");
}

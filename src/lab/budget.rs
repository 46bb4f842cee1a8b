//! How much work each checker may do.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::kernel::Modelling;

/// How much work each checker may do. [`Budget::default`] is the lab's
/// default, sized for `cargo test` and `cargo run --release` on two cores.
///
/// ```
/// use synclab::lab::Budget;
///
/// let quick = Budget { shuttle_iterations: 100, ..Budget::default() };
/// assert_eq!(quick.loom_preemptions, Budget::default().loom_preemptions);
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Budget {
    /// loom's preemption bound is raised from 0 up to this, stopping at the
    /// first bound that finds a failure (fewest preemptions first).
    pub loom_preemptions: usize,
    /// Cap on loom executions per bound, so no model runs away.
    pub loom_max_executions: usize,
    /// Operations per thread under loom.
    pub loom_ops: u32,
    /// Schedules each shuttle scheduler tries.
    pub shuttle_iterations: usize,
    /// PCT's bug depth.
    pub pct_depth: usize,
    /// Operations per thread under shuttle.
    pub shuttle_ops: u32,
    /// The seed of shuttle's schedulers and of proptest.
    pub seed: u64,
    /// Rounds of a stress run.
    pub stress_rounds: usize,
    /// Operations per thread in each stress round.
    pub stress_ops: u32,
    /// The watchdog: a stress round that takes longer is reported as a hang.
    pub stress_round_timeout: Duration,
    /// A stress round whose every thread stays blocked (parked without a
    /// timeout, or joining) this long, with nothing changing, is reported as
    /// a hang at once: a deadlock seen on real threads. Make it as long as
    /// the timeout to wait the timeout out instead.
    pub stress_stall: Duration,
    /// Cases proptest generates for a model run.
    pub model_cases: u32,
    /// What loom and shuttle runs add to those checkers' world: virtual
    /// time and spurious wakeups (see [`kernel`](super::kernel)).
    #[serde(default)]
    pub modelling: Modelling,
    /// The highest loom preemption bound whose exploration offers spurious
    /// wakeups; above it loom explores without them. One spurious wakeup
    /// can come at any of an execution's sleeps, which multiplies the
    /// executions: the queue's correct scenario takes 11,259 executions at
    /// bound 2 without one and more than 200,000 with one.
    #[serde(default = "spurious_preemptions")]
    pub loom_spurious_preemptions: usize,
}

/// The default of [`Budget::loom_spurious_preemptions`].
fn spurious_preemptions() -> usize {
    1
}

impl Budget {
    /// The most schedules a run may be asked for: a million shuttle
    /// schedules of a lab scenario take about a minute.
    pub const MAX_SCHEDULES: usize = 1_000_000;

    /// This budget, with a replay's seed and schedule count where it gives
    /// them: what reruns a seeded checker up to the failing schedule.
    pub fn replaying(&self, seed: Option<u64>, schedules: Option<usize>) -> Budget {
        Budget {
            seed: seed.unwrap_or(self.seed),
            shuttle_iterations: schedules.unwrap_or(self.shuttle_iterations),
            ..self.clone()
        }
    }

    /// Reads a schedule count, from 1 to [`Budget::MAX_SCHEDULES`].
    ///
    /// ```
    /// use synclab::lab::Budget;
    ///
    /// assert_eq!(Budget::schedule_count("3"), Ok(3));
    /// assert!(Budget::schedule_count("0").is_err());
    /// assert!(Budget::schedule_count("18446744073709551615").is_err());
    /// ```
    pub fn schedule_count(text: &str) -> Result<usize, String> {
        match text.parse::<usize>() {
            Ok(count) if (1..=Self::MAX_SCHEDULES).contains(&count) => Ok(count),
            Ok(0) => Err("a run of no schedule explores nothing; give at least 1".to_owned()),
            _ => Err(format!(
                "`{text}` is not a schedule count from 1 to {}",
                Self::MAX_SCHEDULES
            )),
        }
    }

    /// The default, with a stress watchdog patient enough for a machine
    /// shared with other work (tests running in parallel): a correct
    /// variant's starved round is not taken for a hang. The census still
    /// reports a real deadlock after the default stall.
    pub fn patient() -> Budget {
        Budget {
            stress_round_timeout: Duration::from_secs(20),
            ..Budget::default()
        }
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            loom_preemptions: 2,
            loom_max_executions: 50_000,
            loom_ops: 1,
            shuttle_iterations: 1_000,
            pct_depth: 3,
            shuttle_ops: 2,
            seed: 0x05EE_D1AB,
            stress_rounds: 1_000,
            stress_ops: 50,
            stress_round_timeout: Duration::from_secs(1),
            stress_stall: Duration::from_millis(100),
            model_cases: 256,
            modelling: Modelling::default(),
            loom_spurious_preemptions: spurious_preemptions(),
        }
    }
}

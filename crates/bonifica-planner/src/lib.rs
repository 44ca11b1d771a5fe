//! Bonifica's operations planner: which team clears which hazard area and when, which
//! crew repairs what and when, when each road, bridge, railway and power line comes back,
//! and what changes under a scenario.
//!
//! The planner does no IO and reads no clock for dates: the start date is passed in.
//! [`Planner::new`] maps a [`Dataset`] to work items ([`work`]) for teams and crews with
//! availability from their contracts ([`units`]); [`Planner::plan`] dispatches them by
//! priority ([`dispatch`], [`search`]) and returns a [`Plan`]; [`check()`] verifies any
//! plan independently; [`baseline`] is the spreadsheet yardstick; [`scenario`] varies a
//! region; [`forecast`] gives P50 and P90 dates by Monte Carlo over productivity.

pub mod actual;
pub mod baseline;
pub mod check;
pub mod config;
pub mod dispatch;
pub mod error;
pub mod forecast;
pub mod plan;
pub mod scenario;
pub mod search;
pub mod units;
pub mod work;

use bonifica_model::{Dataset, Date};

pub use check::{CheckViolation, check};
pub use config::PlannerConfig;
pub use dispatch::{DeferReason, Score};
pub use error::PlannerError;
pub use forecast::{Forecast, RecordForecast};
pub use plan::{Indicators, Plan, PlannedItem};
pub use scenario::{Comparison, Scenario, apply, compare};
pub use search::{Limits, ObjectiveKind, ProgressInfo};

use crate::dispatch::Rule;
use crate::work::{Instance, Region, Variation};

/// A region prepared for planning: units, zones, gating and the work items.
#[derive(Debug)]
pub struct Planner {
    pub region: Region,
    pub instance: Instance,
}

/// Figures of one planning run, for benchmarks and progress displays.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct RunFigures {
    pub first_feasible_s: f64,
    pub total_s: f64,
    pub iterations: u64,
    pub first_objective: f64,
}

impl Planner {
    /// Prepares `dataset` for planning from `start`.
    pub fn new(
        dataset: &Dataset,
        config: &PlannerConfig,
        start: Date,
    ) -> Result<Planner, PlannerError> {
        let region = Region::prepare(dataset, config, start)?;
        let instance = Instance::build(&region, &Variation::expected(config));
        Ok(Planner { region, instance })
    }

    /// Plans within `limits`, reporting the best objective so far to `progress`.
    pub fn plan(
        &self,
        limits: &Limits,
        progress: &(dyn Fn(&ProgressInfo) + Sync),
    ) -> (Plan, RunFigures) {
        let found = search::search(&self.region, &self.instance, limits, progress);
        let mut plan = plan::build_plan(
            &self.region,
            &self.instance,
            &found.dispatch,
            found.score,
            limits.objective,
            found.keys,
        );
        if limits.with_baseline {
            let (_, _, score) = baseline::baseline(&self.region, &self.instance);
            plan.baseline_objective = Some(limits.objective.value(&score, self.region.penalty_day));
        }
        let figures = RunFigures {
            first_feasible_s: found.first_feasible.as_secs_f64(),
            total_s: found.elapsed.as_secs_f64(),
            iterations: found.iterations,
            first_objective: found.first_objective,
        };
        (plan, figures)
    }

    /// The greedy baseline as a plan of its own.
    pub fn baseline(&self, objective: ObjectiveKind) -> Plan {
        let (keys, d, score) = baseline::baseline(&self.region, &self.instance);
        let mut plan = plan::build_plan(&self.region, &self.instance, &d, score, objective, keys);
        plan.name = "baseline".to_string();
        plan
    }

    /// Re-dispatches a plan's priorities under sampled productivity: P50 and P90 dates.
    pub fn forecast(&self, plan: &Plan, samples: usize, seed: u64) -> Forecast {
        forecast::forecast(&self.region, plan, samples, seed)
    }

    /// Dispatches the given priority keys with the planner's rule (for tests and tools).
    pub fn dispatch_keys(&self, keys: &[f64]) -> (dispatch::Dispatch, Score) {
        search::run(&self.region, &self.instance, keys, Rule::EarliestFinish)
    }
}

/// Plans a dataset from `start` in one call.
pub fn plan(
    dataset: &Dataset,
    config: &PlannerConfig,
    start: Date,
    limits: &Limits,
    progress: &(dyn Fn(&ProgressInfo) + Sync),
) -> Result<Plan, PlannerError> {
    let planner = Planner::new(dataset, config, start)?;
    Ok(planner.plan(limits, progress).0)
}

//! The greedy baseline: what a planner with a spreadsheet would do, the yardstick for
//! plan quality.
//!
//! The rule: take the hazard register in code order (each area's survey, technical survey
//! and clearance in turn), then the asset register in code order (each repair by trade);
//! give each item to the eligible unit free soonest, after that unit's last item
//! (no looking ahead, no filling of gaps, no priorities). The same feasibility rules hold
//! as for the plan: contracts, travel, gating, dependencies; what cannot fit is deferred.

use crate::dispatch::{Dispatch, Rule, Score};
use crate::search::run;
use crate::work::{Instance, Region, Subject};

/// The baseline's priority keys: register order, hazard areas first, by code.
pub fn register_keys(region: &Region, inst: &Instance) -> Vec<f64> {
    let mut hazards: Vec<usize> = (0..region.hazards.len()).collect();
    hazards.sort_by(|&a, &b| region.hazards[a].code.cmp(&region.hazards[b].code));
    let mut assets: Vec<usize> = (0..region.assets.len()).collect();
    assets.sort_by(|&a, &b| region.assets[a].code.cmp(&region.assets[b].code));
    let mut rank_h = vec![0usize; hazards.len()];
    for (r, &h) in hazards.iter().enumerate() {
        rank_h[h] = r;
    }
    let mut rank_a = vec![0usize; assets.len()];
    for (r, &a) in assets.iter().enumerate() {
        rank_a[a] = hazards.len() + r;
    }
    inst.items
        .iter()
        .map(|item| match item.subject {
            Subject::Hazard(h) => -(rank_h[h] as f64),
            Subject::Asset(a) => -(rank_a[a] as f64),
        })
        .collect()
}

/// Dispatches the baseline.
pub fn baseline(region: &Region, inst: &Instance) -> (Vec<f64>, Dispatch, Score) {
    let keys = register_keys(region, inst);
    let (d, s) = run(region, inst, &keys, Rule::FreeSoonest);
    (keys, d, s)
}

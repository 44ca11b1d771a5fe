//! A plan as a role without the restricted right may read it. Plans are computed on the
//! whole register, because every hazard area gates what lies near it whether or not it
//! is restricted; what such a role reads back has the restricted hazard areas and
//! assets, the tasks on them and their share of the indicators taken out.
//!
//! The figures are counted again by the planner ([`Planner::recount`]), with the
//! functions that counted the whole plan's, so the filtered plan is made once, when the
//! job ends, while the [`Planner`] is still at hand.

use std::collections::HashSet;

use bonifica_model::{Code, Dataset};
use bonifica_planner::{Forecast, Plan, Planner};
use uuid::Uuid;

use crate::access::Scoped;

/// The ids of the restricted hazard areas and assets of a register.
pub fn restricted_ids(data: &Dataset) -> HashSet<Uuid> {
    let hazards = data
        .hazard_areas
        .iter()
        .filter(|h| h.restricted())
        .map(|h| h.id);
    let assets = data.assets.iter().filter(|a| a.restricted()).map(|a| a.id);
    hazards.chain(assets).collect()
}

/// `plan` and its forecast without the records in `restricted`, with the indicators
/// counted again without them.
pub fn without_restricted(
    plan: &Plan,
    forecast: Option<&Forecast>,
    planner: &Planner,
    restricted: &HashSet<Uuid>,
) -> (Plan, Option<Forecast>) {
    let keep = |id: &Uuid| !restricted.contains(id);
    let mut out = plan.clone();
    let hidden_codes: HashSet<Code> = plan
        .hazards
        .iter()
        .map(|h| (h.id, &h.code))
        .chain(plan.assets.iter().map(|a| (a.id, &a.code)))
        .filter(|(id, _)| !keep(id))
        .map(|(_, code)| code.clone())
        .collect();
    out.hazards.retain(|h| keep(&h.id));
    out.assets.retain(|a| keep(&a.id));
    for a in &mut out.assets {
        a.blocking.retain(|c| !hidden_codes.contains(c));
    }
    out.priorities.retain(|p| !hidden_codes.contains(&p.code));
    out.deferred.retain(|d| keep(&d.subject.id));

    let mut new_index = vec![None; plan.items.len()];
    out.items.clear();
    for (i, item) in plan.items.iter().enumerate() {
        if keep(&item.subject.id) {
            new_index[i] = Some(out.items.len());
            out.items.push(item.clone());
        }
    }
    for it in &mut out.itineraries {
        it.items = it
            .items
            .iter()
            .filter_map(|&i| new_index.get(i).copied().flatten())
            .collect();
        it.busy_days = it
            .items
            .iter()
            .map(|&i| out.items[i].finish_day - out.items[i].start_day)
            .sum();
    }
    planner.recount(&mut out, plan, restricted);

    let forecast = forecast.map(|f| {
        let mut f = f.clone();
        f.hazards.retain(|r| keep(&r.id));
        f.assets.retain(|r| keep(&r.id));
        f
    });
    (out, forecast)
}

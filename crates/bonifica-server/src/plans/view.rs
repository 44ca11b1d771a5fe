//! A plan as a role without the restricted right may read it. Plans are computed on the
//! whole register, because every hazard area gates what lies near it whether or not it
//! is restricted; what such a role reads back has the restricted hazard areas and
//! assets, the tasks on them and their share of the indicators taken out.
//!
//! The figures taken out need the planner's view of the region (outcomes of release
//! work, lengths of road and rail, people served), so the filtered plan is made once,
//! when the job ends, while the [`Planner`] is still at hand.

use std::collections::{HashMap, HashSet};

use bonifica_model::{AssetKind, Code, Dataset, Date};
use bonifica_planner::work::ItemKind;
use bonifica_planner::{Forecast, Plan, Planner};
use uuid::Uuid;

use bonifica_app::access::Scoped;

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
    recount(&mut out, plan, planner, restricted);

    let forecast = forecast.map(|f| {
        let mut f = f.clone();
        f.hazards.retain(|r| keep(&r.id));
        f.assets.retain(|r| keep(&r.id));
        f
    });
    (out, forecast)
}

fn month_key(date: Date) -> String {
    date.format("%Y-%m").to_string()
}

/// Counts the indicators of `out` again: release work and restorations of the hidden
/// records no longer count.
fn recount(out: &mut Plan, full: &Plan, planner: &Planner, restricted: &HashSet<Uuid>) {
    let region = &planner.region;
    let months: HashMap<String, usize> = out
        .indicators
        .months
        .iter()
        .enumerate()
        .map(|(i, m)| (m.month.clone(), i))
        .collect();
    let last = out.indicators.months.len().saturating_sub(1);
    let month_of = |date: Date| months.get(&month_key(date)).copied().unwrap_or(last);
    let hazard_index: HashMap<Uuid, usize> = region
        .hazards
        .iter()
        .enumerate()
        .map(|(i, h)| (h.id, i))
        .collect();
    let ind = &mut out.indicators;

    // Release work on the hazard areas left, summed again from zero in one fixed order
    // (not subtracted), so a plan read back from the store, whose items may come in
    // another order, gives the same figures to the last bit.
    for m in &mut ind.months {
        (m.cancelled_km2, m.reduced_km2, m.cleared_km2) = (0.0, 0.0, 0.0);
    }
    let mut visible: Vec<_> = full
        .items
        .iter()
        .filter(|i| !restricted.contains(&i.subject.id))
        .filter_map(|i| Some((*hazard_index.get(&i.subject.id)?, i)))
        .collect();
    visible.sort_by_key(|(h, i)| (*h, i.end));
    for (h, item) in visible {
        let Some(o) = planner.instance.outcomes.get(h) else {
            continue;
        };
        let Some(m) = ind.months.get_mut(month_of(item.end)) else {
            continue;
        };
        match item.kind {
            ItemKind::Nts => m.cancelled_km2 += o.cancelled_m2 / 1e6,
            ItemKind::Ts => m.reduced_km2 += o.reduced_m2 / 1e6,
            ItemKind::Clearance => m.cleared_km2 += o.cleared_m2 / 1e6,
            ItemKind::Repair(_) => {}
        }
    }
    for d in full
        .deferred
        .iter()
        .filter(|d| restricted.contains(&d.subject.id))
    {
        match d.kind {
            ItemKind::Repair(_) => ind.deferred_person_days -= d.work,
            _ => ind.deferred_team_days -= d.unit_days,
        }
    }
    ind.hazards_released = out
        .hazards
        .iter()
        .filter(|h| h.release_date.is_some())
        .count();
    ind.released_km2 = ind
        .months
        .iter()
        .map(|m| m.cancelled_km2 + m.reduced_km2 + m.cleared_km2)
        .sum();

    // Restorations of the assets left.
    let visible_assets: Vec<_> = region
        .assets
        .iter()
        .filter(|a| !restricted.contains(&a.id))
        .collect();
    let power_total = visible_assets
        .iter()
        .filter(|a| matches!(a.kind, AssetKind::PowerLine | AssetKind::Substation))
        .map(|a| f64::from(a.population_served))
        .sum::<f64>()
        .max(1.0);
    let restored: HashMap<Uuid, Option<Date>> = out
        .assets
        .iter()
        .map(|a| (a.id, a.restoration_date))
        .collect();
    let n = ind.months.len();
    let (mut road, mut rail, mut power) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let (mut weighted, mut weights) = (0.0, 0.0);
    ind.assets_restored = 0;
    for a in &visible_assets {
        let date = restored.get(&a.id).copied().flatten();
        let day = date.map_or(region.penalty_day, |d| (d - out.start_date).num_days());
        weighted += a.weight * day as f64;
        weights += a.weight;
        let Some(date) = date else { continue };
        ind.assets_restored += 1;
        let m = month_of(date.pred_opt().unwrap_or(date)).min(n.saturating_sub(1));
        let target = match a.kind {
            AssetKind::RoadSegment => &mut road,
            AssetKind::RailwaySegment => &mut rail,
            AssetKind::PowerLine | AssetKind::Substation => &mut power,
            _ => continue,
        };
        let amount = match a.kind {
            AssetKind::PowerLine | AssetKind::Substation => {
                f64::from(a.population_served) / power_total
            }
            _ => a.length_km,
        };
        if let Some(v) = target.get_mut(m) {
            *v += amount;
        }
    }
    let (mut r, mut l, mut p) = (0.0, 0.0, 0.0);
    for (m, month) in ind.months.iter_mut().enumerate() {
        r += road[m];
        l += rail[m];
        p += power[m];
        month.road_km_reopened = r;
        month.rail_km_reopened = l;
        month.power_population_share = p.min(1.0);
    }
    ind.road_km_reopened = r;
    ind.rail_km_reopened = l;
    ind.power_population_share = p.min(1.0);
    ind.weighted_mean_restoration_day = if weights > 0.0 {
        weighted / weights
    } else {
        0.0
    };
}

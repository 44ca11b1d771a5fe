//! The plan as the coordinator reads it: dated itineraries per team and crew, release
//! and restoration dates per record, deferred work with reasons, indicators over time
//! and the reasons behind the priorities. Plain structs, all serialisable, for storage,
//! export and the command line.

use std::collections::{HashMap, HashSet};

use bonifica_model::{AssetKind, Code, Date};
use chrono::Datelike;
use geo_types::Point;
use serde::Serialize;
use uuid::Uuid;

use crate::dispatch::{DeferReason, Dispatch, Score, record_days};
use crate::search::{ObjectiveKind, asset_scores};
use crate::units::UnitKind;
use crate::work::{AssetInfo, Instance, ItemKind, Outcome, Region, Subject};

/// A plan for a region from its start date.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The scenario's name (`base` when none).
    pub name: String,
    pub start_date: Date,
    pub objective: ObjectiveKind,
    /// The objective's value for this plan.
    pub objective_value: f64,
    /// The greedy baseline's value on the same objective, when computed.
    pub baseline_objective: Option<f64>,
    pub score: Score,
    /// The day deferred records count as done in the objective (horizon + penalty).
    pub penalty_date: Date,
    pub items: Vec<PlannedItem>,
    pub itineraries: Vec<Itinerary>,
    pub hazards: Vec<HazardRelease>,
    pub assets: Vec<AssetRestoration>,
    pub deferred: Vec<DeferredItem>,
    pub indicators: Indicators,
    pub priorities: Vec<PriorityExplanation>,
    /// The priority key of every work item, for re-dispatching (the forecast).
    #[serde(skip)]
    pub keys: Vec<f64>,
}

/// The record a work item belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordRef {
    /// `hazard_area` or `asset`.
    pub record: &'static str,
    pub id: Uuid,
    pub code: Code,
}

/// One placed piece of work.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedItem {
    pub kind: ItemKind,
    pub subject: RecordRef,
    pub unit_id: Uuid,
    pub unit_code: Code,
    /// First working day.
    pub start: Date,
    /// Last working day (inclusive).
    pub end: Date,
    /// Day offsets from the start date: first day, and the day after the last.
    pub start_day: i64,
    pub finish_day: i64,
    /// Travel days from the unit's previous site (or base).
    pub travel_days: i64,
    /// The site's zone and its centre, WGS 84.
    pub zone: usize,
    pub site: Point<f64>,
    /// Square metres (release work) or person-days (repair).
    pub work: f64,
}

/// A team's or crew's dated itinerary.
#[derive(Debug, Clone, Serialize)]
pub struct Itinerary {
    pub unit_id: Uuid,
    pub unit_code: Code,
    pub kind: UnitKind,
    /// Indices into [`Plan::items`], by start date.
    pub items: Vec<usize>,
    pub busy_days: i64,
    pub available_days: i64,
}

/// When a hazard area is planned to be released, and how.
#[derive(Debug, Clone, Serialize)]
pub struct HazardRelease {
    pub id: Uuid,
    pub code: Code,
    /// First day the land is released; `None` when deferred past the contracts.
    pub release_date: Option<Date>,
    pub expected: Outcome,
    pub people_nearby: u64,
}

/// When an asset is planned to be back in service.
#[derive(Debug, Clone, Serialize)]
pub struct AssetRestoration {
    pub id: Uuid,
    pub code: Code,
    pub kind: AssetKind,
    /// First day in service; `None` when deferred past the contracts.
    pub restoration_date: Option<Date>,
    pub weight: f64,
    /// Codes of the hazard areas that gate its repair.
    pub blocking: Vec<Code>,
}

/// Work that could not be placed within any contract.
#[derive(Debug, Clone, Serialize)]
pub struct DeferredItem {
    pub kind: ItemKind,
    pub subject: RecordRef,
    pub reason: DeferReason,
    pub work: f64,
    /// Days of the fastest eligible unit.
    pub unit_days: i64,
}

/// Figures by calendar month.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    pub cancelled_km2: f64,
    pub reduced_km2: f64,
    pub cleared_km2: f64,
    /// Cumulative, by the end of the month.
    pub road_km_reopened: f64,
    pub rail_km_reopened: f64,
    /// Share of the people served by damaged power assets whose power is restored
    /// (population served by restored substations and lines over that of all damaged
    /// ones), cumulative.
    pub power_population_share: f64,
    /// Busy unit-days over available unit-days.
    pub team_utilisation: f64,
    pub crew_utilisation: f64,
}

/// A unit whose contracts end while eligible work is still deferred.
#[derive(Debug, Clone, Serialize)]
pub struct UnitEnding {
    pub unit_code: Code,
    pub last_day: Option<Date>,
}

/// Indicators over time and work beyond the contracts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Indicators {
    pub months: Vec<Month>,
    pub released_km2: f64,
    pub road_km_reopened: f64,
    pub rail_km_reopened: f64,
    pub power_population_share: f64,
    pub assets_restored: usize,
    pub hazards_released: usize,
    /// Weighted mean restoration day of the damaged assets (deferred: the penalty day).
    pub weighted_mean_restoration_day: f64,
    pub programme_end: Option<Date>,
    /// Deferred release work, in days of the fastest eligible team.
    pub deferred_team_days: i64,
    /// Deferred repair work, person-days.
    pub deferred_person_days: f64,
    pub units_ending_with_work: Vec<UnitEnding>,
    /// The figures a user reads at a date, day by day: the one computation behind the
    /// timeline's counters, the dashboard's curves and the totals above
    /// (`released_km2`, `assets_restored`, `hazards_released`, the kilometres reopened
    /// and the share of power are those of the last day).
    pub days: Vec<DayFigures>,
}

/// The figures as they stand at the end of `date`: land released, hazard areas released,
/// assets restored, road and railway kilometres reopened and the share of the power
/// network's people served again, since the plan's start. One entry per day on which one
/// of them changes, in order; between two entries nothing changes.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct DayFigures {
    pub date: Date,
    pub released_km2: f64,
    pub hazards_released: usize,
    pub assets_restored: usize,
    pub road_km_reopened: f64,
    pub rail_km_reopened: f64,
    pub power_population_share: f64,
}

impl Indicators {
    /// The figures as they stand at the end of `date` (all zero before the first change).
    pub fn at(&self, date: Date) -> Option<&DayFigures> {
        let n = self.days.partition_point(|d| d.date <= date);
        n.checked_sub(1).map(|i| &self.days[i])
    }
}

/// Why an asset came where it did: the parts of its priority score.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct PriorityExplanation {
    pub code: Code,
    pub kind: AssetKind,
    pub rank: usize,
    pub population_served: u32,
    pub network_share: f64,
    /// Network share × region population.
    pub network_population: f64,
    pub critical_multiplier: f64,
    pub priority_multiplier: f64,
    /// Weight per day until restoration.
    pub weight: f64,
    /// Risk weight of the hazard areas gating it (released with it).
    pub risk_unblocked: f64,
    /// Days of work before it is back (release of its gating areas, then repair).
    pub work_days: f64,
    /// The priority score: weight per day of remaining work.
    pub score: f64,
}

fn subject_ref(region: &Region, s: Subject) -> RecordRef {
    match s {
        Subject::Hazard(h) => RecordRef {
            record: "hazard_area",
            id: region.hazards[h].id,
            code: region.hazards[h].code.clone(),
        },
        Subject::Asset(a) => RecordRef {
            record: "asset",
            id: region.assets[a].id,
            code: region.assets[a].code.clone(),
        },
    }
}

/// Builds the plan from a dispatch.
pub fn build_plan(
    region: &Region,
    inst: &Instance,
    d: &Dispatch,
    score: Score,
    objective: ObjectiveKind,
    keys: Vec<f64>,
) -> Plan {
    let mut placed: Vec<usize> = (0..inst.items.len())
        .filter(|&i| d.placed[i].is_some())
        .collect();
    placed.sort_by_key(|&i| d.placed[i].map(|p| (p.unit, p.start)));
    let mut items = Vec::with_capacity(placed.len());
    let mut itineraries: Vec<Itinerary> = region
        .units
        .iter()
        .map(|u| Itinerary {
            unit_id: u.id,
            unit_code: u.code.clone(),
            kind: u.kind,
            items: Vec::new(),
            busy_days: 0,
            available_days: u.available_days(0, u.last_day()),
        })
        .collect();
    let mut last_zone: Vec<usize> = region.units.iter().map(|u| u.base_zone).collect();
    for &i in &placed {
        let Some(p) = d.placed[i] else { continue };
        let item = &inst.items[i];
        let u = p.unit as usize;
        let travel = region.zones.travel(last_zone[u], item.zone);
        last_zone[u] = item.zone;
        itineraries[u].items.push(items.len());
        itineraries[u].busy_days += p.finish - p.start;
        items.push(PlannedItem {
            kind: item.kind,
            subject: subject_ref(region, item.subject),
            unit_id: region.units[u].id,
            unit_code: region.units[u].code.clone(),
            start: region.date(p.start),
            end: region.date(p.finish - 1),
            start_day: p.start,
            finish_day: p.finish,
            travel_days: travel,
            zone: item.zone,
            site: region.zones.centre_wgs84(item.zone),
            work: item.work,
        });
    }
    let (hazard_days, asset_days) = record_days(region, inst, d);
    let when = |day: i64| (day < region.penalty_day).then(|| region.date(day));
    let hazards = region
        .hazards
        .iter()
        .enumerate()
        .map(|(h, info)| HazardRelease {
            id: info.id,
            code: info.code.clone(),
            release_date: when(hazard_days[h]),
            expected: inst.outcomes[h],
            people_nearby: info.people_nearby,
        })
        .collect();
    let assets = region
        .assets
        .iter()
        .enumerate()
        .map(|(a, info)| AssetRestoration {
            id: info.id,
            code: info.code.clone(),
            kind: info.kind,
            restoration_date: when(asset_days[a]),
            weight: info.weight,
            blocking: info
                .blocking
                .iter()
                .map(|&h| region.hazards[h].code.clone())
                .collect(),
        })
        .collect();
    let deferred: Vec<DeferredItem> = (0..inst.items.len())
        .filter_map(|i| {
            let reason = d.deferred[i]?;
            let item = &inst.items[i];
            Some(DeferredItem {
                kind: item.kind,
                subject: subject_ref(region, item.subject),
                reason,
                work: item.work,
                unit_days: item.options.iter().map(|o| o.1).min().unwrap_or(0),
            })
        })
        .collect();
    let indicators = indicators(region, inst, d, &hazard_days, &asset_days);
    let priorities = explain(region, inst);
    Plan {
        name: "base".to_string(),
        start_date: region.start,
        objective,
        objective_value: objective.value(&score, region.penalty_day),
        baseline_objective: None,
        score,
        penalty_date: region.date(region.penalty_day),
        items,
        itineraries,
        hazards,
        assets,
        deferred,
        indicators,
        priorities,
        keys,
    }
}

fn month_index(start: Date, day: i64, region: &Region) -> usize {
    let date = region.date(day);
    let months = (date.year() - start.year()) * 12 + date.month() as i32 - start.month() as i32;
    months.max(0) as usize
}

fn indicators(
    region: &Region,
    inst: &Instance,
    d: &Dispatch,
    hazard_days: &[i64],
    asset_days: &[i64],
) -> Indicators {
    let start = region.start;
    let end_day = d
        .placed
        .iter()
        .flatten()
        .map(|p| p.finish)
        .max()
        .unwrap_or(0);
    let n_months = month_index(start, end_day.max(1) - 1, region) + 1;
    let mut months: Vec<Month> = (0..n_months)
        .map(|m| {
            let first = first_of_month(start, m);
            Month {
                month: format!("{:04}-{:02}", first.year(), first.month()),
                ..Month::default()
            }
        })
        .collect();
    let mut ind = Indicators::default();
    for &day in hazard_days {
        if day < region.penalty_day {
            ind.hazards_released += 1;
        }
    }
    let mut releases = Vec::new();
    for (i, item) in inst.items.iter().enumerate() {
        let (Some(p), Subject::Hazard(h)) = (d.placed[i], item.subject) else {
            continue;
        };
        add_release(
            &mut months[month_index(start, p.finish - 1, region)],
            item.kind,
            &inst.outcomes[h],
        );
        releases.push((p.finish - 1, released_by(item.kind, &inst.outcomes[h])));
    }
    let assets: Vec<(&AssetInfo, i64)> = region
        .assets
        .iter()
        .zip(asset_days.iter().copied())
        .collect();
    add_restorations(&mut ind, &mut months, region, &assets);
    ind.days = day_figures(region, &releases, hazard_days, &assets);
    for (m, month) in months.iter_mut().enumerate() {
        let from = (first_of_month(start, m) - start).num_days().max(0);
        let to = (first_of_month(start, m + 1) - start).num_days();
        let (mut busy, mut avail) = ([0i64; 2], [0i64; 2]);
        for unit in &region.units {
            let k = usize::from(matches!(unit.kind, UnitKind::Crew(_)));
            avail[k] += unit.available_days(from, to);
        }
        for pl in d.placed.iter().flatten() {
            let k = usize::from(matches!(
                region.units[pl.unit as usize].kind,
                UnitKind::Crew(_)
            ));
            busy[k] += (pl.finish.min(to) - pl.start.max(from)).max(0);
        }
        month.team_utilisation = busy[0] as f64 / avail[0].max(1) as f64;
        month.crew_utilisation = busy[1] as f64 / avail[1].max(1) as f64;
    }
    totals_from_days(&mut ind);
    ind.programme_end = (end_day > 0).then(|| region.date(end_day - 1));
    let mut eligible_left = vec![false; region.units.len()];
    for (i, item) in inst.items.iter().enumerate() {
        if d.deferred[i].is_none() {
            continue;
        }
        let fastest = item.options.iter().map(|o| o.1).min().unwrap_or(0);
        match item.kind {
            ItemKind::Repair(_) => ind.deferred_person_days += item.work,
            _ => ind.deferred_team_days += fastest,
        }
        for &(u, _) in &item.options {
            eligible_left[u as usize] = true;
        }
    }
    ind.units_ending_with_work = region
        .units
        .iter()
        .zip(eligible_left)
        .filter(|(_, left)| *left)
        .map(|(u, _)| UnitEnding {
            unit_code: u.code.clone(),
            last_day: (u.last_day() > 0).then(|| region.date(u.last_day() - 1)),
        })
        .collect();
    ind.months = months;
    ind
}

/// Release work of one item counted in the month it ends: the one computation of the
/// released area, for the whole plan and for a view of it without some records.
fn add_release(month: &mut Month, kind: ItemKind, o: &Outcome) {
    let km2 = released_by(kind, o);
    match kind {
        ItemKind::Nts => month.cancelled_km2 += km2,
        ItemKind::Ts => month.reduced_km2 += km2,
        ItemKind::Clearance => month.cleared_km2 += km2,
        ItemKind::Repair(_) => {}
    }
}

/// The land one item of release work releases, km²: an NTS cancels, a TS reduces, a
/// clearance clears.
fn released_by(kind: ItemKind, o: &Outcome) -> f64 {
    match kind {
        ItemKind::Nts => o.cancelled_m2 / 1e6,
        ItemKind::Ts => o.reduced_m2 / 1e6,
        ItemKind::Clearance => o.cleared_m2 / 1e6,
        ItemKind::Repair(_) => 0.0,
    }
}

/// The people served by the damaged power assets of `assets` (at least one).
fn power_total(assets: &[(&AssetInfo, i64)]) -> f64 {
    assets
        .iter()
        .filter(|(a, _)| matches!(a.kind, AssetKind::PowerLine | AssetKind::Substation))
        .map(|(a, _)| f64::from(a.population_served))
        .sum::<f64>()
        .max(1.0)
}

/// What an asset's restoration reopens: road km, railway km, share of the power
/// network's people.
fn reopened(info: &AssetInfo, power_total: f64) -> (f64, f64, f64) {
    match info.kind {
        AssetKind::RoadSegment => (info.length_km, 0.0, 0.0),
        AssetKind::RailwaySegment => (0.0, info.length_km, 0.0),
        AssetKind::PowerLine | AssetKind::Substation => {
            (0.0, 0.0, f64::from(info.population_served) / power_total)
        }
        _ => (0.0, 0.0, 0.0),
    }
}

/// The figures day by day ([`DayFigures`]) from the land each item of work releases
/// (`releases`: the item's last working day and its km²), the day each hazard area is
/// released and each asset restored (their first day released or in service; the penalty
/// day or later when never). A change counts on the last working day before it. Changes
/// are summed in one fixed order whatever order they come in, so a plan and a view of it
/// that hides nothing give the same figures to the last bit.
fn day_figures(
    region: &Region,
    releases: &[(i64, f64)],
    hazard_days: &[i64],
    assets: &[(&AssetInfo, i64)],
) -> Vec<DayFigures> {
    let power_total = power_total(assets);
    let mut land: Vec<(i64, f64)> = releases.to_vec();
    land.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut hazards: Vec<i64> = hazard_days
        .iter()
        .filter(|&&d| d < region.penalty_day)
        .map(|&d| (d - 1).max(0))
        .collect();
    hazards.sort_unstable();
    let mut restored: Vec<(i64, (f64, f64, f64))> = assets
        .iter()
        .filter(|(_, d)| *d < region.penalty_day)
        .map(|&(info, d)| ((d - 1).max(0), reopened(info, power_total)))
        .collect();
    restored.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.0.total_cmp(&b.1.0))
            .then(a.1.1.total_cmp(&b.1.1))
            .then(a.1.2.total_cmp(&b.1.2))
    });
    let mut changed: Vec<i64> = land
        .iter()
        .map(|l| l.0)
        .chain(hazards.iter().copied())
        .chain(restored.iter().map(|r| r.0))
        .collect();
    changed.sort_unstable();
    changed.dedup();
    let (mut l, mut h, mut r) = (0, 0, 0);
    let mut now = DayFigures {
        date: region.start,
        released_km2: 0.0,
        hazards_released: 0,
        assets_restored: 0,
        road_km_reopened: 0.0,
        rail_km_reopened: 0.0,
        power_population_share: 0.0,
    };
    let mut power = 0.0;
    let mut out = Vec::with_capacity(changed.len());
    for day in changed {
        while l < land.len() && land[l].0 == day {
            now.released_km2 += land[l].1;
            l += 1;
        }
        while h < hazards.len() && hazards[h] == day {
            now.hazards_released += 1;
            h += 1;
        }
        while r < restored.len() && restored[r].0 == day {
            let (road, rail, share) = restored[r].1;
            now.assets_restored += 1;
            now.road_km_reopened += road;
            now.rail_km_reopened += rail;
            power += share;
            r += 1;
        }
        now.power_population_share = power.min(1.0);
        now.date = region.date(day);
        out.push(now.clone());
    }
    out
}

/// Sets the totals from the last day of `days`, so a total and the figure at the plan's
/// last date are one number.
fn totals_from_days(ind: &mut Indicators) {
    if let Some(last) = ind.days.last() {
        ind.released_km2 = last.released_km2;
        ind.hazards_released = last.hazards_released;
        ind.assets_restored = last.assets_restored;
        ind.road_km_reopened = last.road_km_reopened;
        ind.rail_km_reopened = last.rail_km_reopened;
        ind.power_population_share = last.power_population_share;
    } else {
        ind.released_km2 = 0.0;
        ind.hazards_released = 0;
        ind.assets_restored = 0;
        ind.road_km_reopened = 0.0;
        ind.rail_km_reopened = 0.0;
        ind.power_population_share = 0.0;
    }
}

/// The restoration indicators of `assets` by month, each with its restoration day (the
/// penalty day or later when it is not restored): road and railway kilometres reopened and
/// the share of the power network's population served, and the weighted mean restoration
/// day. The totals come from [`day_figures`]. The share of power counts only the
/// assets given. The one computation of these figures, for the whole plan and for a
/// view of it without some records.
fn add_restorations(
    ind: &mut Indicators,
    months: &mut [Month],
    region: &Region,
    assets: &[(&AssetInfo, i64)],
) {
    let n_months = months.len();
    let (mut road, mut rail, mut power) = (
        vec![0.0; n_months],
        vec![0.0; n_months],
        vec![0.0; n_months],
    );
    let (mut weighted, mut weights) = (0.0, 0.0);
    let power_total = power_total(assets);
    for &(info, day) in assets {
        weighted += info.weight * day as f64;
        weights += info.weight;
        if day >= region.penalty_day {
            continue;
        }
        let m = month_index(region.start, (day - 1).max(0), region).min(n_months.saturating_sub(1));
        let (r, l, p) = reopened(info, power_total);
        if let (Some(road), Some(rail), Some(power)) =
            (road.get_mut(m), rail.get_mut(m), power.get_mut(m))
        {
            *road += r;
            *rail += l;
            *power += p;
        }
    }
    let (mut r, mut l, mut p) = (0.0, 0.0, 0.0);
    for (m, month) in months.iter_mut().enumerate() {
        r += road[m];
        l += rail[m];
        p += power[m];
        month.road_km_reopened = r;
        month.rail_km_reopened = l;
        month.power_population_share = p.min(1.0);
    }
    ind.weighted_mean_restoration_day = if weights > 0.0 {
        weighted / weights
    } else {
        0.0
    };
}

impl crate::Planner {
    /// The indicators of `view`, a copy of `full` (a plan this planner made) without the
    /// records in `hidden` and their tasks: release work and restorations of the hidden
    /// records no longer count, nor does their deferred work. Made with the same
    /// functions as the plan's own indicators, so a record counts the same in both.
    pub fn recount(&self, view: &mut Plan, full: &Plan, hidden: &HashSet<Uuid>) {
        let region = &self.region;
        let ind = &mut view.indicators;
        let mut months = std::mem::take(&mut ind.months);
        for m in &mut months {
            (m.cancelled_km2, m.reduced_km2, m.cleared_km2) = (0.0, 0.0, 0.0);
        }
        let hazard_index: HashMap<Uuid, usize> = region
            .hazards
            .iter()
            .enumerate()
            .map(|(i, h)| (h.id, i))
            .collect();
        // Summed again from zero in one fixed order (not subtracted), so a plan read
        // back from the store, whose items may come in another order, gives the same
        // figures to the last bit.
        let mut shown: Vec<(usize, &PlannedItem)> = full
            .items
            .iter()
            .filter(|i| !hidden.contains(&i.subject.id))
            .filter_map(|i| Some((*hazard_index.get(&i.subject.id)?, i)))
            .collect();
        shown.sort_by_key(|(h, i)| (*h, i.finish_day));
        let last = months.len().saturating_sub(1);
        let mut releases = Vec::new();
        for (h, item) in shown {
            let (Some(o), Some(m)) = (
                self.instance.outcomes.get(h),
                months.get_mut(month_index(region.start, item.finish_day - 1, region).min(last)),
            ) else {
                continue;
            };
            add_release(m, item.kind, o);
            releases.push((item.finish_day - 1, released_by(item.kind, o)));
        }
        for d in full
            .deferred
            .iter()
            .filter(|d| hidden.contains(&d.subject.id))
        {
            match d.kind {
                ItemKind::Repair(_) => ind.deferred_person_days -= d.work,
                _ => ind.deferred_team_days -= d.unit_days,
            }
        }
        let restored: HashMap<Uuid, Option<Date>> = view
            .assets
            .iter()
            .map(|a| (a.id, a.restoration_date))
            .collect();
        let assets: Vec<(&AssetInfo, i64)> = region
            .assets
            .iter()
            .filter(|a| !hidden.contains(&a.id))
            .map(|a| {
                let day = restored
                    .get(&a.id)
                    .copied()
                    .flatten()
                    .map_or(region.penalty_day, |d| (d - region.start).num_days());
                (a, day)
            })
            .collect();
        add_restorations(ind, &mut months, region, &assets);
        let hazard_days: Vec<i64> = view
            .hazards
            .iter()
            .map(|h| {
                h.release_date
                    .map_or(region.penalty_day, |d| (d - region.start).num_days())
            })
            .collect();
        ind.days = day_figures(region, &releases, &hazard_days, &assets);
        totals_from_days(ind);
        ind.months = months;
    }
}

fn first_of_month(start: Date, m: usize) -> Date {
    let months = start.month0() as usize + m;
    let year = start.year() + (months / 12) as i32;
    Date::from_ymd_opt(year, (months % 12) as u32 + 1, 1).unwrap_or(start)
}

/// The priority score of every asset, its parts, and its rank.
pub fn explain(region: &Region, inst: &Instance) -> Vec<PriorityExplanation> {
    let scores = asset_scores(region, inst);
    let mut out: Vec<PriorityExplanation> = region
        .assets
        .iter()
        .enumerate()
        .map(|(a, info)| {
            let risk: f64 = info
                .blocking
                .iter()
                .map(|&h| region.hazards[h].risk_weight)
                .sum();
            PriorityExplanation {
                code: info.code.clone(),
                kind: info.kind,
                rank: 0,
                population_served: info.population_served,
                network_share: info.network_share,
                network_population: info.network_share * region.population as f64,
                critical_multiplier: info.critical,
                priority_multiplier: info.priority,
                weight: info.weight,
                risk_unblocked: risk,
                work_days: if scores[a] > 0.0 {
                    info.weight / scores[a] - 1.0
                } else {
                    0.0
                },
                score: scores[a],
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.code.cmp(&b.code)));
    for (r, e) in out.iter_mut().enumerate() {
        e.rank = r + 1;
    }
    out
}

//! What actually happened, against the plan: approved field reports turned into learned
//! productivity rates (which feed the next plan and its forecast) and into planned-versus-
//! actual figures per team and per hazard area.
//!
//! # Learning productivity
//!
//! Each approved daily progress report is one observation: the clearance-equivalent square
//! metres the team released (`cleared + reduced / ts_speed_factor`) over its team-days
//! (`hours / HOURS_PER_DAY`), against what the planner's own rates expected of that team on
//! that ground. The log of observed over expected is explained as a sum of effects — method,
//! then terrain, then contamination, each estimated from what the previous ones leave
//! unexplained — and every effect is shrunk towards "as planned" by `n / (n + SHRINK)`, so
//! three reports move the rates a little and fifty move them most of the way. The learned
//! effects multiply the configured rates; nothing else in the configuration changes.
//!
//! Cancellation by non-technical survey is not a clearance rate and is left out; reports
//! without hours or without released land say nothing about speed and are skipped.

use std::collections::{BTreeMap, HashMap};

use bonifica_model::{Contamination, Dataset, Date, HazardArea, Method, Role, Team, Terrain};
use serde::Serialize;
use uuid::Uuid;

use crate::config::{PlannerConfig, Productivity};

/// Working hours in a team-day (DOMAIN: about 6 hours a day in the field).
pub const HOURS_PER_DAY: f64 = 6.0;

/// How many observations count as much as the configured prior.
pub const SHRINK: f64 = 5.0;

/// One approved daily progress report, as the planner needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActualWork {
    pub unit_id: Uuid,
    pub hazard_area_id: Uuid,
    pub date: Date,
    pub cancelled_m2: f64,
    pub reduced_m2: f64,
    pub cleared_m2: f64,
    pub hours: f64,
}

impl ActualWork {
    /// Land released by this report, all outcomes.
    pub fn released_m2(&self) -> f64 {
        self.cancelled_m2 + self.reduced_m2 + self.cleared_m2
    }
}

/// One learned multiplier: how many reports stand behind it and by how much it scales the
/// configured rate (1 = as configured).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Effect {
    pub reports: usize,
    pub factor: f64,
}

/// Productivity learned from approved reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LearnedRates {
    /// Reports that carried a rate (released land and hours, on a known team and area).
    pub reports_used: usize,
    /// Observed over expected, all reports together (geometric mean, not shrunk).
    pub overall_ratio: f64,
    pub by_method: BTreeMap<&'static str, Effect>,
    pub by_terrain: BTreeMap<&'static str, Effect>,
    pub by_contamination: BTreeMap<&'static str, Effect>,
    /// The configured rates with the learned effects applied.
    pub productivity: Productivity,
}

struct Observation {
    method: Method,
    terrain: Terrain,
    contamination: Contamination,
    log_ratio: f64,
}

/// The configured clearance rate of `team` on `area`, in m² per team-day.
pub fn expected_rate(p: &Productivity, dataset: &Dataset, team: &Team, area: &HazardArea) -> f64 {
    let count = |role: Role| {
        team.members
            .iter()
            .filter(|m| dataset.people.iter().any(|p| p.id == **m && p.role == role))
            .count()
    };
    let base = match team.method {
        Method::Manual => p.manual_m2_per_deminer_day * count(Role::Deminer).max(1) as f64,
        Method::MineDetectionDogs => {
            p.mdd_m2_per_dog_pair_day * (count(Role::DogHandler) / 2).max(1) as f64
        }
        Method::Mechanical => p.mechanical_m2_per_machine_day,
        Method::BattleAreaClearance => p.bac_m2_per_team_day,
        Method::Eod => p.eod_m2_per_team_day,
    };
    let vegetation = match team.method {
        Method::Manual | Method::MineDetectionDogs => p.vegetation.of(area.vegetation),
        _ => 1.0,
    };
    base * vegetation * p.terrain.of(area.terrain) * p.contamination.of(area.contamination)
}

fn shrunk(sum: f64, n: usize) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let mean = sum / n as f64;
    mean * n as f64 / (n as f64 + SHRINK)
}

/// Estimates one axis's effects from the residuals, then removes them from the residuals.
fn fit_axis<K: Ord + Copy>(
    obs: &[Observation],
    residual: &mut [f64],
    key: impl Fn(&Observation) -> K,
) -> BTreeMap<K, (usize, f64)> {
    let mut sums: BTreeMap<K, (usize, f64)> = BTreeMap::new();
    for (o, r) in obs.iter().zip(residual.iter()) {
        let e = sums.entry(key(o)).or_insert((0, 0.0));
        e.0 += 1;
        e.1 += *r;
    }
    let effects: BTreeMap<K, (usize, f64)> = sums
        .into_iter()
        .map(|(k, (n, s))| (k, (n, shrunk(s, n))))
        .collect();
    for (o, r) in obs.iter().zip(residual.iter_mut()) {
        *r -= effects[&key(o)].1;
    }
    effects
}

/// Learns productivity from approved daily progress reports.
pub fn learn_productivity(
    config: &PlannerConfig,
    dataset: &Dataset,
    actual: &[ActualWork],
) -> LearnedRates {
    let p = &config.productivity;
    let teams: HashMap<Uuid, &Team> = dataset.teams.iter().map(|t| (t.id, t)).collect();
    let areas: HashMap<Uuid, &HazardArea> =
        dataset.hazard_areas.iter().map(|a| (a.id, a)).collect();
    let obs: Vec<Observation> = actual
        .iter()
        .filter_map(|w| {
            let team = teams.get(&w.unit_id)?;
            let area = areas.get(&w.hazard_area_id)?;
            let days = w.hours / HOURS_PER_DAY;
            let equivalent = w.cleared_m2 + w.reduced_m2 / p.ts_speed_factor.max(1e-9);
            let expected = expected_rate(p, dataset, team, area) * days;
            (days > 0.0 && equivalent > 0.0 && expected > 0.0).then(|| Observation {
                method: team.method,
                terrain: area.terrain,
                contamination: area.contamination,
                log_ratio: (equivalent / expected).ln(),
            })
        })
        .collect();
    let mut residual: Vec<f64> = obs.iter().map(|o| o.log_ratio).collect();
    let overall_ratio = if obs.is_empty() {
        1.0
    } else {
        (residual.iter().sum::<f64>() / obs.len() as f64).exp()
    };
    let method = fit_axis(&obs, &mut residual, |o| o.method);
    let terrain = fit_axis(&obs, &mut residual, |o| o.terrain);
    let contamination = fit_axis(&obs, &mut residual, |o| o.contamination);

    let mut learned = p.clone();
    fn factor<K: Ord>(m: &BTreeMap<K, (usize, f64)>, k: K) -> f64 {
        m.get(&k).map_or(1.0, |e| e.1.exp())
    }
    learned.manual_m2_per_deminer_day *= factor(&method, Method::Manual);
    learned.mdd_m2_per_dog_pair_day *= factor(&method, Method::MineDetectionDogs);
    learned.mechanical_m2_per_machine_day *= factor(&method, Method::Mechanical);
    learned.bac_m2_per_team_day *= factor(&method, Method::BattleAreaClearance);
    learned.eod_m2_per_team_day *= factor(&method, Method::Eod);
    let t = &mut learned.terrain;
    t.flat *= factor(&terrain, Terrain::Flat);
    t.rolling *= factor(&terrain, Terrain::Rolling);
    t.steep *= factor(&terrain, Terrain::Steep);
    t.wetland *= factor(&terrain, Terrain::Wetland);
    t.urban *= factor(&terrain, Terrain::Urban);
    let c = &mut learned.contamination;
    c.ap_mines *= factor(&contamination, Contamination::AntiPersonnelMines);
    c.av_mines *= factor(&contamination, Contamination::AntiVehicleMines);
    c.uxo *= factor(&contamination, Contamination::Uxo);
    c.cluster_munitions *= factor(&contamination, Contamination::ClusterMunitions);
    c.ied *= factor(&contamination, Contamination::Ied);
    c.abandoned_ordnance *= factor(&contamination, Contamination::AbandonedOrdnance);
    c.mixed *= factor(&contamination, Contamination::Mixed);

    fn words<K: Copy>(
        m: &BTreeMap<K, (usize, f64)>,
        word: impl Fn(K) -> &'static str,
    ) -> BTreeMap<&'static str, Effect> {
        m.iter()
            .map(|(k, (n, e))| {
                (
                    word(*k),
                    Effect {
                        reports: *n,
                        factor: e.exp(),
                    },
                )
            })
            .collect()
    }
    LearnedRates {
        reports_used: obs.len(),
        overall_ratio,
        by_method: words(&method, Method::as_str),
        by_terrain: words(&terrain, Terrain::as_str),
        by_contamination: words(&contamination, Contamination::as_str),
        productivity: learned,
    }
}

/// Demining work the plan puts on a team and a hazard area between two dates.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedWork {
    pub unit_id: Uuid,
    pub unit_code: String,
    pub hazard_area_id: Uuid,
    pub start: Date,
    /// Exclusive.
    pub end: Date,
    /// Square metres the task releases.
    pub m2: f64,
}

/// A hazard area's planned release, as the plan dates it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRelease {
    pub hazard_area_id: Uuid,
    pub release_date: Option<Date>,
}

/// Planned against actual for one team.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitProgress {
    pub unit_id: Uuid,
    pub unit_code: String,
    /// Square metres the plan expected released by `as_of` (work spread evenly over each
    /// task's days).
    pub planned_m2: f64,
    /// Square metres released by approved reports up to `as_of`.
    pub actual_m2: f64,
    pub reports: usize,
    pub hours: f64,
}

/// Planned against actual for one hazard area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaProgress {
    pub hazard_area_id: Uuid,
    pub code: String,
    pub planned_m2: f64,
    pub actual_m2: f64,
    pub planned_release: Option<Date>,
    /// The date of the approved report that closed it, when it is closed.
    pub actual_release: Option<Date>,
    /// Positive when released (or still open) later than planned, in days.
    pub days_late: Option<i64>,
}

/// Planned against actual, per team and per hazard area, at a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanVsActual {
    pub as_of: Date,
    pub planned_m2: f64,
    pub actual_m2: f64,
    pub units: Vec<UnitProgress>,
    pub hazard_areas: Vec<AreaProgress>,
}

fn share_done(w: &PlannedWork, as_of: Date) -> f64 {
    let days = (w.end - w.start).num_days().max(1) as f64;
    let done = (as_of - w.start).num_days().clamp(0, days as i64) as f64;
    done / days
}

/// Compares the plan with approved reports, as of a date (reports after it are ignored).
/// `closed_on` gives the date each closed hazard area was released.
pub fn plan_vs_actual(
    dataset: &Dataset,
    planned: &[PlannedWork],
    releases: &[PlannedRelease],
    actual: &[ActualWork],
    closed_on: &HashMap<Uuid, Date>,
    as_of: Date,
) -> PlanVsActual {
    let mut units: BTreeMap<Uuid, UnitProgress> = BTreeMap::new();
    let mut areas: BTreeMap<Uuid, AreaProgress> = BTreeMap::new();
    let code_of_area: HashMap<Uuid, &str> = dataset
        .hazard_areas
        .iter()
        .map(|a| (a.id, a.code.as_str()))
        .collect();
    let code_of_unit: HashMap<Uuid, &str> = dataset
        .teams
        .iter()
        .map(|t| (t.id, t.code.as_str()))
        .chain(dataset.crews.iter().map(|c| (c.id, c.code.as_str())))
        .collect();
    let area_entry = |areas: &mut BTreeMap<Uuid, AreaProgress>, id: Uuid| {
        areas.entry(id).or_insert_with(|| AreaProgress {
            hazard_area_id: id,
            code: code_of_area.get(&id).copied().unwrap_or("?").to_string(),
            planned_m2: 0.0,
            actual_m2: 0.0,
            planned_release: None,
            actual_release: closed_on.get(&id).copied(),
            days_late: None,
        });
    };
    for w in planned {
        let m2 = w.m2 * share_done(w, as_of);
        let u = units.entry(w.unit_id).or_insert_with(|| UnitProgress {
            unit_id: w.unit_id,
            unit_code: w.unit_code.clone(),
            planned_m2: 0.0,
            actual_m2: 0.0,
            reports: 0,
            hours: 0.0,
        });
        u.planned_m2 += m2;
        area_entry(&mut areas, w.hazard_area_id);
        if let Some(a) = areas.get_mut(&w.hazard_area_id) {
            a.planned_m2 += m2;
        }
    }
    for w in actual.iter().filter(|w| w.date <= as_of) {
        let u = units.entry(w.unit_id).or_insert_with(|| UnitProgress {
            unit_id: w.unit_id,
            unit_code: code_of_unit
                .get(&w.unit_id)
                .copied()
                .unwrap_or("?")
                .to_string(),
            planned_m2: 0.0,
            actual_m2: 0.0,
            reports: 0,
            hours: 0.0,
        });
        u.actual_m2 += w.released_m2();
        u.reports += 1;
        u.hours += w.hours;
        area_entry(&mut areas, w.hazard_area_id);
        if let Some(a) = areas.get_mut(&w.hazard_area_id) {
            a.actual_m2 += w.released_m2();
        }
    }
    for r in releases {
        if let Some(a) = areas.get_mut(&r.hazard_area_id) {
            a.planned_release = r.release_date;
        }
    }
    for a in areas.values_mut() {
        a.days_late = match (a.planned_release, a.actual_release) {
            (Some(p), Some(actual)) => Some((actual - p).num_days()),
            (Some(p), None) if p < as_of => Some((as_of - p).num_days()),
            _ => None,
        };
    }
    let units: Vec<UnitProgress> = units.into_values().collect();
    PlanVsActual {
        as_of,
        planned_m2: units.iter().map(|u| u.planned_m2).sum(),
        actual_m2: units.iter().map(|u| u.actual_m2).sum(),
        units,
        hazard_areas: areas.into_values().collect(),
    }
}

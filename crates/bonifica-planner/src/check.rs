//! An independent check of a plan against the register, written apart from the
//! dispatcher (it shares none of its calendar code): availability is recomputed day by
//! day from contracts, gating from the hazard polygons, travel from the records' sites.
//! As a second opinion the plan is also converted to a scheduling problem and schedule
//! and handed to `bonifica_sched::validate`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use bonifica_model::{Code, Dataset, Date, Gating, Role, Trade};
use bonifica_sched as sched;
use geo::Centroid;
use geo_types::Point;
use serde::Serialize;
use uuid::Uuid;

use crate::config::PlannerConfig;
use crate::error::PlannerError;
use crate::plan::{Plan, PlannedItem};
use crate::units::Zones;
use crate::work::ItemKind;

/// One broken rule in a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "violation")]
pub enum CheckViolation {
    /// A unit works at two sites on the same day.
    TwoPlaces {
        unit: Code,
        first: Code,
        second: Code,
        day: Date,
    },
    /// A unit holds more than one item on a day.
    Capacity { unit: Code, day: Date, items: usize },
    /// Too little time between two sites for the travel.
    Travel {
        unit: Code,
        from: String,
        to: Code,
        gap_days: i64,
        needed_days: i64,
    },
    /// Work on a day the unit is not available under its members' contracts.
    OutsideContract {
        unit: Code,
        subject: Code,
        day: Date,
    },
    /// Repair starts before a hazard area that gates it is released.
    Gating {
        asset: Code,
        hazard: Code,
        start: Date,
        released: Option<Date>,
    },
    /// Repair starts before an asset it depends on is restored.
    Dependency {
        asset: Code,
        depends_on: Code,
        start: Date,
        restored: Option<Date>,
    },
    /// A land-release step starts before the previous one ends.
    ReleaseOrder {
        hazard: Code,
        step: &'static str,
        start: Date,
    },
    /// The unit cannot do this kind of work, or is unknown.
    WrongUnit {
        unit: Code,
        subject: Code,
        kind: &'static str,
    },
    /// Dates of an item do not agree with each other.
    BadDates { subject: Code },
    /// The scheduling engine's validator found this.
    Engine(String),
}

impl fmt::Display for CheckViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TwoPlaces {
                unit,
                first,
                second,
                day,
            } => {
                write!(f, "{unit}: works on {first} and {second} on {day}")
            }
            Self::Capacity { unit, day, items } => write!(f, "{unit}: {items} items on {day}"),
            Self::Travel {
                unit,
                from,
                to,
                gap_days,
                needed_days,
            } => write!(
                f,
                "{unit}: {gap_days} days from {from} to {to}, travel needs {needed_days}"
            ),
            Self::OutsideContract { unit, subject, day } => {
                write!(
                    f,
                    "{unit}: works on {subject} on {day}, not available under its contracts"
                )
            }
            Self::Gating {
                asset,
                hazard,
                start,
                released,
            } => write!(
                f,
                "asset {asset}: repair starts {start} but hazard area {hazard} is released {}",
                released.map_or("never".to_string(), |d| d.to_string())
            ),
            Self::Dependency {
                asset,
                depends_on,
                start,
                restored,
            } => write!(
                f,
                "asset {asset}: repair starts {start} but {depends_on} is restored {}",
                restored.map_or("never".to_string(), |d| d.to_string())
            ),
            Self::ReleaseOrder {
                hazard,
                step,
                start,
            } => {
                write!(
                    f,
                    "hazard area {hazard}: {step} starts {start} before the previous step ends"
                )
            }
            Self::WrongUnit {
                unit,
                subject,
                kind,
            } => write!(f, "{unit}: cannot do {kind} on {subject}"),
            Self::BadDates { subject } => write!(f, "{subject}: item dates disagree"),
            Self::Engine(m) => write!(f, "scheduling engine: {m}"),
        }
    }
}

struct CheckUnit {
    code: Code,
    team: bool,
    trade: Option<Trade>,
    members: Vec<Uuid>,
    leader: Option<Uuid>,
    base: Point<f64>,
}

/// Every violation of `plan` against `dataset` and `config`; empty means the plan holds.
pub fn check(
    dataset: &Dataset,
    config: &PlannerConfig,
    plan: &Plan,
) -> Result<Vec<CheckViolation>, PlannerError> {
    let mut out = Vec::new();
    let roles: HashMap<Uuid, Role> = dataset.people.iter().map(|p| (p.id, p.role)).collect();
    let mut units: HashMap<Uuid, CheckUnit> = HashMap::new();
    for t in &dataset.teams {
        units.insert(
            t.id,
            CheckUnit {
                code: t.code.clone(),
                team: true,
                trade: None,
                members: t.members.clone(),
                leader: t
                    .members
                    .iter()
                    .copied()
                    .find(|m| roles.get(m) == Some(&Role::TeamLeader)),
                base: t.base,
            },
        );
    }
    for c in &dataset.crews {
        units.insert(
            c.id,
            CheckUnit {
                code: c.code.clone(),
                team: false,
                trade: Some(c.trade),
                members: c.members.clone(),
                leader: None,
                base: c.base,
            },
        );
    }
    let mut contracts: HashMap<Uuid, Vec<(Date, Date)>> = HashMap::new();
    for c in &dataset.contracts {
        contracts
            .entry(c.person_id)
            .or_default()
            .push((c.window.start(), c.window.end()));
    }
    let on_contract = |p: &Uuid, day: Date| {
        contracts
            .get(p)
            .is_some_and(|w| w.iter().any(|&(a, b)| a <= day && day <= b))
    };
    let share = config.staffing.min_staff_share;
    let available = |u: &CheckUnit, day: Date| {
        if u.members.is_empty() || u.leader.is_some_and(|l| !on_contract(&l, day)) {
            return false;
        }
        let n = u.members.iter().filter(|m| on_contract(m, day)).count();
        n as f64 + 1e-9 >= share * u.members.len() as f64
    };

    // Sites from the records themselves.
    let mut zones = Zones::new(dataset.projection()?, &config.travel);
    let mut site: HashMap<Uuid, usize> = HashMap::new();
    for h in &dataset.hazard_areas {
        let mp = h.geometry().as_multi_polygon();
        let p = mp
            .centroid()
            .unwrap_or_else(|| Point(mp.0[0].exterior().0[0]));
        site.insert(h.id, zones.zone_of(p)?);
    }
    for a in &dataset.assets {
        site.insert(a.id, zones.zone_of(a.footprint.anchor())?);
    }
    let mut base_zone: HashMap<Uuid, usize> = HashMap::new();
    for (id, u) in &units {
        base_zone.insert(*id, zones.zone_of(u.base)?);
    }

    // Dates, unit kinds, availability, capacity, two places, travel.
    let mut by_unit: BTreeMap<Uuid, Vec<&PlannedItem>> = BTreeMap::new();
    for item in &plan.items {
        let consistent = item.finish_day > item.start_day
            && plan.start_date + chrono::Duration::days(item.start_day) == item.start
            && plan.start_date + chrono::Duration::days(item.finish_day - 1) == item.end;
        if !consistent {
            out.push(CheckViolation::BadDates {
                subject: item.subject.code.clone(),
            });
        }
        let Some(u) = units.get(&item.unit_id) else {
            out.push(CheckViolation::WrongUnit {
                unit: item.unit_code.clone(),
                subject: item.subject.code.clone(),
                kind: item.kind.word(),
            });
            continue;
        };
        let fits = match item.kind {
            ItemKind::Repair(t) => u.trade.is_some_and(|c| crate::work::crew_eligible(c, t)),
            ItemKind::Nts | ItemKind::Ts | ItemKind::Clearance => u.team,
        };
        if !fits {
            out.push(CheckViolation::WrongUnit {
                unit: u.code.clone(),
                subject: item.subject.code.clone(),
                kind: item.kind.word(),
            });
        }
        let mut day = item.start;
        while day <= item.end {
            if !available(u, day) {
                out.push(CheckViolation::OutsideContract {
                    unit: u.code.clone(),
                    subject: item.subject.code.clone(),
                    day,
                });
                break;
            }
            day += chrono::Duration::days(1);
        }
        by_unit.entry(item.unit_id).or_default().push(item);
    }
    for (id, items) in &mut by_unit {
        let Some(u) = units.get(id) else { continue };
        items.sort_by_key(|i| (i.start, i.end));
        let mut per_day: BTreeMap<Date, Vec<&PlannedItem>> = BTreeMap::new();
        for item in items.iter() {
            let mut day = item.start;
            while day <= item.end {
                per_day.entry(day).or_default().push(item);
                day += chrono::Duration::days(1);
            }
        }
        for (day, on) in &per_day {
            if on.len() > 1 {
                out.push(CheckViolation::Capacity {
                    unit: u.code.clone(),
                    day: *day,
                    items: on.len(),
                });
                let zone = |i: &PlannedItem| site.get(&i.subject.id).copied();
                if let Some(other) = on.iter().find(|i| zone(i) != zone(on[0])) {
                    out.push(CheckViolation::TwoPlaces {
                        unit: u.code.clone(),
                        first: on[0].subject.code.clone(),
                        second: other.subject.code.clone(),
                        day: *day,
                    });
                }
            }
        }
        let mut from_zone = base_zone.get(id).copied();
        let mut from_name = "base".to_string();
        let mut free_from = plan.start_date;
        for item in items.iter() {
            let to_zone = site.get(&item.subject.id).copied();
            if let (Some(a), Some(b)) = (from_zone, to_zone) {
                let needed = zones.travel(a, b);
                let gap = (item.start - free_from).num_days();
                if gap < needed {
                    out.push(CheckViolation::Travel {
                        unit: u.code.clone(),
                        from: from_name.clone(),
                        to: item.subject.code.clone(),
                        gap_days: gap,
                        needed_days: needed,
                    });
                }
            }
            from_zone = to_zone;
            from_name = item.subject.code.to_string();
            free_from = item.end + chrono::Duration::days(1);
        }
    }

    out.extend(check_order(dataset, config, plan, &zones)?);
    out.extend(engine_opinion(
        dataset, plan, &units, &available, &site, &base_zone, &zones,
    ));
    Ok(out)
}

/// Land-release order, gating and dependencies.
fn check_order(
    dataset: &Dataset,
    config: &PlannerConfig,
    plan: &Plan,
    zones: &Zones,
) -> Result<Vec<CheckViolation>, PlannerError> {
    let mut out = Vec::new();
    let mut steps: HashMap<Uuid, Vec<&PlannedItem>> = HashMap::new();
    let mut repairs: HashMap<Uuid, Vec<&PlannedItem>> = HashMap::new();
    for item in &plan.items {
        match item.kind {
            ItemKind::Repair(_) => repairs.entry(item.subject.id).or_default().push(item),
            _ => steps.entry(item.subject.id).or_default().push(item),
        }
    }
    // Released: the day after the clearance ends (clearance is the last step).
    let mut released: HashMap<Uuid, Date> = HashMap::new();
    for (id, items) in &mut steps {
        let rank = |k: ItemKind| match k {
            ItemKind::Nts => 0,
            ItemKind::Ts => 1,
            _ => 2,
        };
        items.sort_by_key(|i| rank(i.kind));
        for w in items.windows(2) {
            if w[1].start <= w[0].end {
                out.push(CheckViolation::ReleaseOrder {
                    hazard: w[1].subject.code.clone(),
                    step: w[1].kind.word(),
                    start: w[1].start,
                });
            }
        }
        if let Some(last) = items.iter().find(|i| i.kind == ItemKind::Clearance) {
            let end = items.iter().map(|i| i.end).max().unwrap_or(last.end);
            released.insert(*id, end + chrono::Duration::days(1));
        }
    }
    let damaged: Vec<_> = dataset
        .assets
        .iter()
        .filter(|a| a.needs_repair())
        .cloned()
        .collect();
    let gating = Gating::compute(
        &dataset.hazard_areas,
        &damaged,
        config.gating.buffer_m,
        zones.projection(),
    )?;
    let hazard_code: HashMap<Uuid, &Code> = dataset
        .hazard_areas
        .iter()
        .map(|h| (h.id, &h.code))
        .collect();
    let asset_code: HashMap<Uuid, &Code> = damaged.iter().map(|a| (a.id, &a.code)).collect();
    let restored: HashMap<Uuid, Date> = repairs
        .iter()
        .filter_map(|(id, items)| {
            Some((
                *id,
                items.iter().map(|i| i.end).max()? + chrono::Duration::days(1),
            ))
        })
        .collect();
    for a in &damaged {
        let Some(items) = repairs.get(&a.id) else {
            continue;
        };
        let Some(start) = items.iter().map(|i| i.start).min() else {
            continue;
        };
        for h in gating.of(a.id) {
            let rel = released.get(h).copied();
            if rel.is_none_or(|r| r > start) {
                out.push(CheckViolation::Gating {
                    asset: a.code.clone(),
                    hazard: hazard_code
                        .get(h)
                        .map_or_else(|| a.code.clone(), |c| (*c).clone()),
                    start,
                    released: rel,
                });
            }
        }
        for d in &a.depends_on {
            let Some(code) = asset_code.get(d) else {
                continue;
            };
            // A dependency with no repair work of its own is restored once its own gates
            // are; only dependencies with repair work are checked here.
            let has_work = damaged
                .iter()
                .any(|x| x.id == *d && x.repair.iter().any(|w| w.person_days > 0.0));
            if !has_work {
                continue;
            }
            let rest = restored.get(d).copied();
            if rest.is_none_or(|r| r > start) {
                out.push(CheckViolation::Dependency {
                    asset: a.code.clone(),
                    depends_on: (*code).clone(),
                    start,
                    restored: rest,
                });
            }
        }
    }
    Ok(out)
}

/// Converts the plan to a scheduling problem (one activity per item, one mode on its
/// unit; capacity 1 while the unit is available; precedences from release order, gating
/// and dependencies as placed; travel as zone setup times) and validates it.
#[allow(clippy::too_many_arguments)]
fn engine_opinion(
    dataset: &Dataset,
    plan: &Plan,
    units: &HashMap<Uuid, CheckUnit>,
    available: &dyn Fn(&CheckUnit, Date) -> bool,
    site: &HashMap<Uuid, usize>,
    base_zone: &HashMap<Uuid, usize>,
    zones: &Zones,
) -> Vec<CheckViolation> {
    let mut unit_ids: Vec<Uuid> = plan
        .items
        .iter()
        .map(|i| i.unit_id)
        .filter(|u| units.contains_key(u))
        .collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let resource_of: HashMap<Uuid, usize> =
        unit_ids.iter().enumerate().map(|(r, u)| (*u, r)).collect();
    let horizon = plan.items.iter().map(|i| i.finish_day).max().unwrap_or(0);
    let resources = unit_ids
        .iter()
        .map(|u| {
            let unit = &units[u];
            let mut profile = sched::CapacityProfile {
                initial: 0,
                changes: Vec::new(),
            };
            let mut current = 0;
            for day in 0..=horizon {
                let cap = i64::from(available(
                    unit,
                    plan.start_date + chrono::Duration::days(day),
                ));
                if day == 0 {
                    profile.initial = cap;
                } else if cap != current {
                    profile.changes.push((day, cap));
                }
                current = cap;
            }
            sched::Resource {
                name: unit.code.to_string(),
                capacity: profile,
            }
        })
        .collect::<Vec<_>>();
    let mut zone_ids: Vec<usize> = Vec::new();
    let mut zone_index: HashMap<usize, usize> = HashMap::new();
    let mut local = |z: usize| {
        *zone_index.entry(z).or_insert_with(|| {
            zone_ids.push(z);
            zone_ids.len() - 1
        })
    };
    let mut activities = Vec::with_capacity(plan.items.len());
    let mut starts = Vec::with_capacity(plan.items.len());
    let mut kept = Vec::with_capacity(plan.items.len());
    for (k, item) in plan.items.iter().enumerate() {
        let Some(&r) = resource_of.get(&item.unit_id) else {
            continue;
        };
        let zone = site.get(&item.subject.id).copied().map(&mut local);
        activities.push(sched::Activity {
            name: format!("{} {}", item.kind.word(), item.subject.code),
            modes: vec![sched::Mode {
                duration: item.finish_day - item.start_day,
                demands: vec![sched::Demand {
                    resource: r,
                    amount: 1,
                }],
            }],
            release: 0,
            deadline: None,
            weight: 0,
            site: zone,
        });
        starts.push(item.start_day);
        kept.push(k);
    }
    let initial_sites: Vec<Option<usize>> = unit_ids
        .iter()
        .map(|u| base_zone.get(u).copied().map(&mut local))
        .collect();
    let matrix: Vec<Vec<sched::Time>> = zone_ids
        .iter()
        .map(|&a| zone_ids.iter().map(|&b| zones.travel(a, b)).collect())
        .collect();
    let precedences = placed_precedences(dataset, plan, &kept);
    let problem = sched::Problem {
        activities,
        resources,
        precedences,
        setup: Some(sched::SetupTimes {
            resources: (0..unit_ids.len()).collect(),
            matrix,
            initial_sites,
        }),
        objective: sched::Objective::Makespan,
        horizon: None,
    };
    let schedule = sched::Schedule {
        modes: vec![0; starts.len()],
        starts,
    };
    sched::validate(&problem, &schedule)
        .into_iter()
        .map(|v| CheckViolation::Engine(v.to_string()))
        .collect()
}

/// Precedences between placed items: release steps in order, and repair after the
/// clearance of each hazard area within the gating buffer is not recomputed here (the
/// gating check does that); dependencies between assets' repairs.
fn placed_precedences(dataset: &Dataset, plan: &Plan, kept: &[usize]) -> Vec<sched::Precedence> {
    let mut by_subject: HashMap<Uuid, Vec<(usize, ItemKind)>> = HashMap::new();
    for (a, &k) in kept.iter().enumerate() {
        let item = &plan.items[k];
        by_subject
            .entry(item.subject.id)
            .or_default()
            .push((a, item.kind));
    }
    let mut out = Vec::new();
    let fs = |before, after| sched::Precedence {
        before,
        after,
        kind: sched::LagKind::FinishToStart,
        lag: 0,
    };
    for items in by_subject.values() {
        let step = |k: ItemKind| match k {
            ItemKind::Nts => Some(0),
            ItemKind::Ts => Some(1),
            ItemKind::Clearance => Some(2),
            ItemKind::Repair(_) => None,
        };
        for &(a, ka) in items {
            for &(b, kb) in items {
                if let (Some(x), Some(y)) = (step(ka), step(kb))
                    && x + 1 == y
                {
                    out.push(fs(a, b));
                }
            }
        }
    }
    for asset in &dataset.assets {
        let Some(after) = by_subject.get(&asset.id) else {
            continue;
        };
        for d in &asset.depends_on {
            let Some(before) = by_subject.get(d) else {
                continue;
            };
            for &(b, _) in before {
                for &(a, _) in after {
                    out.push(fs(b, a));
                }
            }
        }
    }
    out
}

//! Scenarios: named variations of a region (more or fewer deminers or workers, longer
//! contracts, other priorities, an added region), and the side-by-side comparison of two
//! plans' indicators.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use bonifica_model::{Code, ContractWindow, Dataset, RecordKind, stable_uuid};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::PlannerConfig;
use crate::error::PlannerError;
use crate::plan::Plan;

/// A named variation of a region. Read from TOML with [`Scenario::from_toml`]; the extra
/// region is set in code (the command line loads it from a file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    /// Multiplier on the number of demining teams (members and contracts with them).
    pub deminers_factor: f64,
    /// Multiplier on the number of reconstruction crews.
    pub workers_factor: f64,
    /// Days added to the end of every contract.
    pub contract_extension_days: i64,
    /// Weight multipliers by asset kind word (`bridge`) or asset code (`AS-0042`).
    pub priority: BTreeMap<String, f64>,
    /// A region file to add (a neighbouring region joining the programme), as written in
    /// the scenario; the command line loads it into `extra_region`.
    pub add_region: Option<String>,
    /// A second register merged into the region.
    #[serde(skip)]
    pub extra_region: Option<Dataset>,
}

impl Default for Scenario {
    fn default() -> Scenario {
        Scenario {
            name: "base".to_string(),
            deminers_factor: 1.0,
            workers_factor: 1.0,
            contract_extension_days: 0,
            priority: BTreeMap::new(),
            add_region: None,
            extra_region: None,
        }
    }
}

impl Scenario {
    /// Reads a scenario from TOML; errors name the key.
    pub fn from_toml(text: &str) -> Result<Scenario, PlannerError> {
        let s: Scenario = toml::from_str(text).map_err(|e| PlannerError::Scenario {
            name: "?".to_string(),
            reason: e.to_string(),
        })?;
        for (key, v) in [
            ("deminers_factor", s.deminers_factor),
            ("workers_factor", s.workers_factor),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(PlannerError::Scenario {
                    name: s.name.clone(),
                    reason: format!("{key} is {v}: must be zero or more"),
                });
            }
        }
        if let Some((key, v)) = s
            .priority
            .iter()
            .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
        {
            return Err(PlannerError::Scenario {
                name: s.name.clone(),
                reason: format!("priority.{key} is {v}: must be zero or more"),
            });
        }
        Ok(s)
    }

    /// The planner configuration under this scenario: its priority multipliers added.
    pub fn config(&self, base: &PlannerConfig) -> PlannerConfig {
        let mut c = base.clone();
        for (k, v) in &self.priority {
            *c.objective
                .priority_multipliers
                .entry(k.clone())
                .or_insert(1.0) *= v;
        }
        c
    }
}

/// The region under a scenario: teams and crews cloned (with fresh members and
/// contracts) or dropped, contracts extended, the extra region merged.
pub fn apply(dataset: &Dataset, scenario: &Scenario) -> Result<Dataset, PlannerError> {
    let mut out = dataset.clone();
    let seed = name_seed(&scenario.name);
    let mut numbers = Numbers::new(&out);
    scale(&mut out, true, scenario.deminers_factor, seed, &mut numbers)?;
    scale(&mut out, false, scenario.workers_factor, seed, &mut numbers)?;
    if scenario.contract_extension_days != 0 {
        for c in &mut out.contracts {
            let end = c.window.end() + chrono::Duration::days(scenario.contract_extension_days);
            c.window =
                ContractWindow::new(c.window.start(), end.max(c.window.start())).map_err(|e| {
                    PlannerError::Scenario {
                        name: scenario.name.clone(),
                        reason: e.to_string(),
                    }
                })?;
        }
    }
    if let Some(extra) = &scenario.extra_region {
        out.regions.extend(extra.regions.iter().cloned());
        out.organisations
            .extend(extra.organisations.iter().cloned());
        out.people.extend(extra.people.iter().cloned());
        out.contracts.extend(extra.contracts.iter().cloned());
        out.teams.extend(extra.teams.iter().cloned());
        out.crews.extend(extra.crews.iter().cloned());
        out.settlements.extend(extra.settlements.iter().cloned());
        out.hazard_areas.extend(extra.hazard_areas.iter().cloned());
        out.assets.extend(extra.assets.iter().cloned());
        out.rivers.extend(extra.rivers.iter().cloned());
    }
    out.check()?;
    Ok(out)
}

fn name_seed(name: &str) -> u64 {
    // FNV-1a: stable across builds, unlike the standard hasher.
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) | 1 << 63
}

struct Numbers {
    next: HashMap<RecordKind, u32>,
}

impl Numbers {
    fn new(d: &Dataset) -> Numbers {
        let max = |codes: &mut dyn Iterator<Item = &Code>| {
            codes
                .filter_map(|c| c.as_str().split_once('-')?.1.parse::<u32>().ok())
                .max()
                .unwrap_or(0)
                + 1
        };
        let mut next = HashMap::new();
        next.insert(
            RecordKind::Person,
            max(&mut d.people.iter().map(|p| &p.code)),
        );
        next.insert(
            RecordKind::Contract,
            max(&mut d.contracts.iter().map(|p| &p.code)),
        );
        next.insert(RecordKind::Team, max(&mut d.teams.iter().map(|p| &p.code)));
        next.insert(RecordKind::Crew, max(&mut d.crews.iter().map(|p| &p.code)));
        Numbers { next }
    }

    fn take(&mut self, kind: RecordKind, seed: u64) -> (Uuid, Code) {
        let n = self.next.entry(kind).or_insert(1);
        let number = *n;
        *n += 1;
        (stable_uuid(seed, kind, number), Code::new(kind, number))
    }
}

/// Clones people with their contracts; returns the new member ids.
fn clone_members(d: &mut Dataset, members: &[Uuid], seed: u64, numbers: &mut Numbers) -> Vec<Uuid> {
    let mut out = Vec::with_capacity(members.len());
    for m in members {
        let Some(person) = d.people.iter().find(|p| p.id == *m).cloned() else {
            continue;
        };
        let (id, code) = numbers.take(RecordKind::Person, seed);
        let contracts: Vec<_> = d
            .contracts
            .iter()
            .filter(|c| c.person_id == *m)
            .cloned()
            .collect();
        for mut c in contracts {
            let (cid, ccode) = numbers.take(RecordKind::Contract, seed);
            c.id = cid;
            c.code = ccode;
            c.person_id = id;
            d.contracts.push(c);
        }
        d.people.push(bonifica_model::Person { id, code, ..person });
        out.push(id);
    }
    out
}

fn scale(
    d: &mut Dataset,
    teams: bool,
    factor: f64,
    seed: u64,
    numbers: &mut Numbers,
) -> Result<(), PlannerError> {
    let n = if teams { d.teams.len() } else { d.crews.len() };
    let target = (n as f64 * factor).round() as usize;
    if target > n && n > 0 {
        for k in 0..target - n {
            if teams {
                let mut t = d.teams[k % n].clone();
                t.members = clone_members(d, &t.members, seed, numbers);
                (t.id, t.code) = numbers.take(RecordKind::Team, seed);
                d.teams.push(t);
            } else {
                let mut c = d.crews[k % n].clone();
                c.members = clone_members(d, &c.members, seed, numbers);
                (c.id, c.code) = numbers.take(RecordKind::Crew, seed);
                d.crews.push(c);
            }
        }
    } else if target < n {
        let dropped: HashSet<Uuid> = if teams {
            d.teams.drain(target..).flat_map(|t| t.members).collect()
        } else {
            d.crews.drain(target..).flat_map(|c| c.members).collect()
        };
        let kept: HashSet<Uuid> = d
            .teams
            .iter()
            .flat_map(|t| t.members.iter())
            .chain(d.crews.iter().flat_map(|c| c.members.iter()))
            .copied()
            .collect();
        let gone: HashSet<Uuid> = dropped.difference(&kept).copied().collect();
        d.people.retain(|p| !gone.contains(&p.id));
        d.contracts.retain(|c| !gone.contains(&c.person_id));
    }
    Ok(())
}

/// One indicator of two plans.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonRow {
    pub indicator: &'static str,
    pub a: f64,
    pub b: f64,
}

/// Two plans side by side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub rows: Vec<ComparisonRow>,
    /// Assets (in both plans) restored earlier, later and on the same day in `b`.
    pub assets_earlier: usize,
    pub assets_later: usize,
    pub assets_same: usize,
}

/// Compares two plans' indicators and restoration dates (deferred counts as the plan's
/// penalty date).
pub fn compare(a: &Plan, b: &Plan) -> Comparison {
    let row = |indicator, f: &dyn Fn(&Plan) -> f64| ComparisonRow {
        indicator,
        a: f(a),
        b: f(b),
    };
    let rows = vec![
        row("objective", &|p| p.objective_value),
        row("weighted mean restoration day", &|p| {
            p.indicators.weighted_mean_restoration_day
        }),
        row("assets restored", &|p| p.indicators.assets_restored as f64),
        row("hazard areas released", &|p| {
            p.indicators.hazards_released as f64
        }),
        row("km² released", &|p| p.indicators.released_km2),
        row("km road reopened", &|p| p.indicators.road_km_reopened),
        row("km rail reopened", &|p| p.indicators.rail_km_reopened),
        row("population with power restored (share)", &|p| {
            p.indicators.power_population_share
        }),
        row("deferred team-days", &|p| {
            p.indicators.deferred_team_days as f64
        }),
        row("deferred person-days", &|p| {
            p.indicators.deferred_person_days
        }),
        row("items deferred", &|p| p.deferred.len() as f64),
    ];
    let restored_b: HashMap<Uuid, _> = b
        .assets
        .iter()
        .map(|r| (r.id, r.restoration_date.unwrap_or(b.penalty_date)))
        .collect();
    let (mut earlier, mut later, mut same) = (0, 0, 0);
    for r in &a.assets {
        let Some(&db) = restored_b.get(&r.id) else {
            continue;
        };
        let da = r.restoration_date.unwrap_or(a.penalty_date);
        match db.cmp(&da) {
            std::cmp::Ordering::Less => earlier += 1,
            std::cmp::Ordering::Greater => later += 1,
            std::cmp::Ordering::Equal => same += 1,
        }
    }
    Comparison {
        a: a.name.clone(),
        b: b.name.clone(),
        rows,
        assets_earlier: earlier,
        assets_later: later,
        assets_same: same,
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<42} {:>16} {:>16} {:>9}",
            "indicator", self.a, self.b, "change"
        )?;
        for r in &self.rows {
            let change = if r.a.abs() > 1e-12 {
                format!("{:+.1}%", (r.b - r.a) / r.a.abs() * 100.0)
            } else {
                "-".to_string()
            };
            writeln!(
                f,
                "{:<42} {:>16.2} {:>16.2} {:>9}",
                r.indicator, r.a, r.b, change
            )?;
        }
        write!(
            f,
            "assets restored earlier in {}: {}, later: {}, same day: {}",
            self.b, self.assets_earlier, self.assets_later, self.assets_same
        )
    }
}

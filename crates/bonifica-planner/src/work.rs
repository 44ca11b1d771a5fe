//! From region to problem: every unreleased hazard area becomes a chain of release work
//! (non-technical survey, technical survey, clearance) and every damaged asset one repair
//! item per trade, gated by the hazard areas around it and ordered by its dependencies.
//!
//! [`Region`] holds what does not change between dispatches (units, zones, gating,
//! weights); [`Instance`] holds the work items with a duration for every eligible unit,
//! built for one set of productivity rates ([`Variation`]), so the forecast can rebuild
//! it cheaply with other rates.

use std::collections::{BTreeSet, HashMap};

use bonifica_model::{
    AssetKind, Classification, Code, Contamination, Dataset, Date, Gating, HazardArea,
    HazardStatus, Method, Terrain, Trade, Vegetation,
};
use geo::{BoundingRect, Centroid, Distance, Euclidean};
use geo_types::{Geometry, Point, Rect};
use serde::Serialize;
use uuid::Uuid;

use crate::config::{ObjectiveWeights, PlannerConfig, method_index};
use crate::error::PlannerError;
use crate::units::{Unit, UnitKind, Zones, build_units};

/// What a work item does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "trade")]
pub enum ItemKind {
    /// Non-technical survey of a suspected area (IMAS 08.10).
    Nts,
    /// Technical survey (IMAS 08.20).
    Ts,
    /// Clearance (IMAS 09.10) or battle area clearance (09.11).
    Clearance,
    /// Repair work of one trade on an asset.
    Repair(Trade),
}

impl ItemKind {
    /// A short word for tables and files.
    pub fn word(self) -> &'static str {
        match self {
            ItemKind::Nts => "nts",
            ItemKind::Ts => "ts",
            ItemKind::Clearance => "clearance",
            ItemKind::Repair(t) => t.as_str(),
        }
    }
}

/// Which record a work item belongs to (index into [`Region::hazards`] or
/// [`Region::assets`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    Hazard(usize),
    Asset(usize),
}

/// An unreleased hazard area, ready for planning.
#[derive(Debug, Clone)]
pub struct HazardInfo {
    pub id: Uuid,
    pub code: Code,
    pub zone: usize,
    pub area_m2: f64,
    /// Suspected and not yet worked on: starts with non-technical survey.
    pub needs_nts: bool,
    pub contamination: Contamination,
    pub terrain: Terrain,
    pub vegetation: Vegetation,
    /// Weight per day the area stays open (risk to civilians nearby).
    pub risk_weight: f64,
    /// Inhabitants of settlements within the risk distance.
    pub people_nearby: u64,
}

/// A damaged asset not yet restored, ready for planning.
#[derive(Debug, Clone)]
pub struct AssetInfo {
    pub id: Uuid,
    pub code: Code,
    pub kind: AssetKind,
    pub zone: usize,
    pub length_km: f64,
    pub population_served: u32,
    pub network_share: f64,
    /// Multiplier for critical services.
    pub critical: f64,
    /// Multiplier from priority overrides.
    pub priority: f64,
    /// Weight of each day until restoration.
    pub weight: f64,
    /// Hazard areas (indices) that gate the repair.
    pub blocking: Vec<usize>,
    /// Assets (indices) that must be restored first.
    pub depends_on: Vec<usize>,
    /// Repair work by trade, person-days.
    pub repair: Vec<(Trade, f64)>,
}

/// What does not change between dispatches.
#[derive(Debug)]
pub struct Region {
    pub start: Date,
    pub units: Vec<Unit>,
    pub zones: Zones,
    pub hazards: Vec<HazardInfo>,
    pub assets: Vec<AssetInfo>,
    /// People in the region's settlements.
    pub population: u64,
    /// Last day (exclusive) any unit can work.
    pub horizon: i64,
    /// The day a deferred asset or hazard counts as done.
    pub penalty_day: i64,
    /// The configuration the region was prepared with.
    pub config: PlannerConfig,
}

impl Region {
    /// Prepares a dataset for planning from `start`.
    pub fn prepare(
        dataset: &Dataset,
        config: &PlannerConfig,
        start: Date,
    ) -> Result<Region, PlannerError> {
        config.check()?;
        let mut zones = Zones::new(dataset.projection()?, &config.travel);
        let units = build_units(dataset, config, start, &mut zones)?;
        let population: u64 = dataset
            .settlements
            .iter()
            .map(|s| u64::from(s.population))
            .sum();

        let open: Vec<&HazardArea> = dataset
            .hazard_areas
            .iter()
            .filter(|h| !h.status().is_released())
            .collect();
        let nearby = people_nearby(dataset, &open, &zones, config.objective.risk_distance_m)?;
        let mut hazards = Vec::with_capacity(open.len());
        let mut hazard_index = HashMap::new();
        for (h, people) in open.iter().zip(nearby) {
            hazard_index.insert(h.id, hazards.len());
            let anchor = h
                .geometry()
                .as_multi_polygon()
                .centroid()
                .unwrap_or_else(|| Point(h.geometry().as_multi_polygon().0[0].exterior().0[0]));
            hazards.push(HazardInfo {
                id: h.id,
                code: h.code.clone(),
                zone: zones.zone_of(anchor)?,
                area_m2: h.area_m2(),
                needs_nts: h.classification() == Classification::Sha
                    && h.status() == HazardStatus::Open,
                contamination: h.contamination,
                terrain: h.terrain,
                vegetation: h.vegetation,
                risk_weight: config.objective.risk_weight_per_person * people as f64,
                people_nearby: people,
            });
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
        let asset_index: HashMap<Uuid, usize> =
            damaged.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
        let mut assets = Vec::with_capacity(damaged.len());
        for a in &damaged {
            let critical = if ObjectiveWeights::is_critical(a.kind) {
                config.objective.critical_multiplier
            } else {
                1.0
            };
            let multipliers = &config.objective.priority_multipliers;
            let priority = multipliers.get(a.kind.as_str()).copied().unwrap_or(1.0)
                * multipliers.get(a.code.as_str()).copied().unwrap_or(1.0);
            let value = f64::from(a.service.population_served)
                + a.service.network_share * population as f64;
            let mut repair: Vec<(Trade, f64)> = Vec::new();
            for w in a.repair.iter().filter(|w| w.person_days > 0.0) {
                match repair.iter_mut().find(|r| r.0 == w.trade) {
                    Some(r) => r.1 += w.person_days,
                    None => repair.push((w.trade, w.person_days)),
                }
            }
            assets.push(AssetInfo {
                id: a.id,
                code: a.code.clone(),
                kind: a.kind,
                zone: zones.zone_of(a.footprint.anchor())?,
                length_km: a.length_m() / 1000.0,
                population_served: a.service.population_served,
                network_share: a.service.network_share,
                critical,
                priority,
                weight: (value * critical * priority).max(1.0),
                blocking: gating
                    .of(a.id)
                    .iter()
                    .filter_map(|h| hazard_index.get(h).copied())
                    .collect(),
                depends_on: a
                    .depends_on
                    .iter()
                    .filter_map(|d| asset_index.get(d).copied())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                repair,
            });
        }
        let horizon = units.iter().map(Unit::last_day).max().unwrap_or(0);
        Ok(Region {
            start,
            units,
            zones,
            hazards,
            assets,
            population,
            horizon,
            penalty_day: horizon + config.objective.deferred_penalty_days,
            config: config.clone(),
        })
    }

    /// The date of a day offset.
    pub fn date(&self, day: i64) -> Date {
        self.start + chrono::Duration::days(day)
    }
}

/// Inhabitants of the settlements within `distance_m` of each hazard area.
fn people_nearby(
    dataset: &Dataset,
    hazards: &[&HazardArea],
    zones: &Zones,
    distance_m: f64,
) -> Result<Vec<u64>, PlannerError> {
    let proj = zones.projection();
    let mut settlements: Vec<(Geometry<f64>, Rect<f64>, u64)> = Vec::new();
    for s in &dataset.settlements {
        let g = proj.project(&s.footprint.to_geometry())?;
        if let Some(r) = g.bounding_rect() {
            settlements.push((g, r, u64::from(s.population)));
        }
    }
    let mut out = Vec::with_capacity(hazards.len());
    for h in hazards {
        let g = proj.project(&Geometry::from(h.geometry().as_multi_polygon().clone()))?;
        let Some(r) = g.bounding_rect() else {
            out.push(0);
            continue;
        };
        let mut people = 0;
        for (sg, sr, pop) in &settlements {
            let apart = (sr.min().x - r.max().x)
                .max(r.min().x - sr.max().x)
                .max(sr.min().y - r.max().y)
                .max(r.min().y - sr.max().y);
            if apart <= distance_m && Euclidean.distance(&g, sg) <= distance_m {
                people += pop;
            }
        }
        out.push(people);
    }
    Ok(out)
}

/// Productivity rates for one dispatch: the configuration's, or a forecast sample's.
#[derive(Debug, Clone, PartialEq)]
pub struct Variation {
    /// Multiplier per method (manual, mechanical, dogs, BAC, EOD).
    pub method_factor: [f64; 5],
    /// Multiplier on crew productivity.
    pub crew_factor: f64,
    /// Multiplier per work item (empty: all 1).
    pub item_factor: Vec<f64>,
    pub cancelled_share: f64,
    pub reduced_share: f64,
}

impl Variation {
    /// The configuration's rates, unvaried.
    pub fn expected(config: &PlannerConfig) -> Variation {
        Variation {
            method_factor: [1.0; 5],
            crew_factor: 1.0,
            item_factor: Vec::new(),
            cancelled_share: config.survey.cancelled_share,
            reduced_share: config.survey.reduced_share,
        }
    }
}

/// One piece of work: what, where, how much, who can do it and how long each takes.
#[derive(Debug, Clone)]
pub struct Item {
    pub kind: ItemKind,
    pub subject: Subject,
    pub zone: usize,
    /// Square metres (release work) or person-days (repair).
    pub work: f64,
    /// Every eligible unit with its duration in days.
    pub options: Vec<(u32, i64)>,
    /// Items that must finish before this one starts.
    pub preds: Vec<u32>,
}

/// Expected outcome areas of a hazard area's release work, m².
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Outcome {
    pub cancelled_m2: f64,
    pub reduced_m2: f64,
    pub cleared_m2: f64,
}

/// The work items of a region for one set of rates.
#[derive(Debug, Clone)]
pub struct Instance {
    pub items: Vec<Item>,
    pub succs: Vec<Vec<u32>>,
    /// Items of each hazard area, in chain order.
    pub hazard_items: Vec<Vec<u32>>,
    /// Repair items of each asset.
    pub asset_items: Vec<Vec<u32>>,
    /// Items whose finish restores each asset: its own, or (with no repair work) what
    /// gates it.
    pub asset_done: Vec<Vec<u32>>,
    pub outcomes: Vec<Outcome>,
}

impl Instance {
    /// Builds the work items of `region` under `variation`.
    pub fn build(region: &Region, variation: &Variation) -> Instance {
        let mut b = Builder {
            region,
            variation,
            items: Vec::new(),
        };
        let mut hazard_items = Vec::with_capacity(region.hazards.len());
        let mut outcomes = Vec::with_capacity(region.hazards.len());
        for (h, info) in region.hazards.iter().enumerate() {
            let (ids, outcome) = b.hazard(h, info);
            hazard_items.push(ids);
            outcomes.push(outcome);
        }
        let mut asset_items = Vec::with_capacity(region.assets.len());
        for (a, info) in region.assets.iter().enumerate() {
            asset_items.push(b.repairs(a, info));
        }
        let mut items = b.items;
        let asset_done = asset_done(region, &hazard_items, &asset_items);
        for (a, info) in region.assets.iter().enumerate() {
            let mut preds: Vec<u32> = info
                .blocking
                .iter()
                .filter_map(|&h| hazard_items[h].last().copied())
                .collect();
            for &d in &info.depends_on {
                preds.extend(&asset_done[d]);
            }
            preds.sort_unstable();
            preds.dedup();
            for &i in &asset_items[a] {
                items[i as usize].preds = preds.clone();
            }
        }
        let mut succs = vec![Vec::new(); items.len()];
        for (i, item) in items.iter().enumerate() {
            for &p in &item.preds {
                succs[p as usize].push(i as u32);
            }
        }
        Instance {
            items,
            succs,
            hazard_items,
            asset_items,
            asset_done,
            outcomes,
        }
    }
}

/// For assets with repair work, their items; for the others, what gates them (through
/// dependencies too). Dependency cycles are cut where they close.
fn asset_done(
    region: &Region,
    hazard_items: &[Vec<u32>],
    asset_items: &[Vec<u32>],
) -> Vec<Vec<u32>> {
    let n = region.assets.len();
    let mut done: Vec<Option<Vec<u32>>> = vec![None; n];
    fn visit(
        a: usize,
        region: &Region,
        hazard_items: &[Vec<u32>],
        asset_items: &[Vec<u32>],
        done: &mut Vec<Option<Vec<u32>>>,
        on_path: &mut Vec<bool>,
    ) -> Vec<u32> {
        if let Some(d) = &done[a] {
            return d.clone();
        }
        if !asset_items[a].is_empty() {
            done[a] = Some(asset_items[a].clone());
            return asset_items[a].clone();
        }
        if on_path[a] {
            return Vec::new();
        }
        on_path[a] = true;
        let info = &region.assets[a];
        let mut out: Vec<u32> = info
            .blocking
            .iter()
            .filter_map(|&h| hazard_items[h].last().copied())
            .collect();
        for &d in &info.depends_on {
            out.extend(visit(d, region, hazard_items, asset_items, done, on_path));
        }
        out.sort_unstable();
        out.dedup();
        on_path[a] = false;
        done[a] = Some(out.clone());
        out
    }
    let mut on_path = vec![false; n];
    (0..n)
        .map(|a| {
            visit(
                a,
                region,
                hazard_items,
                asset_items,
                &mut done,
                &mut on_path,
            )
        })
        .collect()
}

struct Builder<'a> {
    region: &'a Region,
    variation: &'a Variation,
    items: Vec<Item>,
}

impl Builder<'_> {
    fn item_factor(&self) -> f64 {
        self.variation
            .item_factor
            .get(self.items.len())
            .copied()
            .unwrap_or(1.0)
    }

    fn push(
        &mut self,
        kind: ItemKind,
        subject: Subject,
        zone: usize,
        work: f64,
        options: Vec<(u32, i64)>,
        preds: Vec<u32>,
    ) -> u32 {
        let id = self.items.len() as u32;
        self.items.push(Item {
            kind,
            subject,
            zone,
            work,
            options,
            preds,
        });
        id
    }

    fn hazard(&mut self, h: usize, info: &HazardInfo) -> (Vec<u32>, Outcome) {
        let v = self.variation;
        let mut ids = Vec::new();
        let mut outcome = Outcome::default();
        let mut remaining = info.area_m2;
        let subject = Subject::Hazard(h);
        if info.needs_nts {
            let f = self.item_factor();
            let rate = self.region.config.survey.nts_m2_per_team_day * f;
            let options = self.options(
                |u| match u.kind {
                    UnitKind::Team(m) if m != Method::Mechanical => Some(rate),
                    _ => None,
                },
                remaining,
            );
            outcome.cancelled_m2 = remaining * v.cancelled_share;
            ids.push(self.push(
                ItemKind::Nts,
                subject,
                info.zone,
                remaining,
                options,
                Vec::new(),
            ));
            remaining -= outcome.cancelled_m2;
        }
        let f = self.item_factor();
        let ts_factor = self.region.config.productivity.ts_speed_factor;
        let options = self.options(
            |u| match u.kind {
                UnitKind::Team(
                    m @ (Method::Mechanical | Method::Manual | Method::MineDetectionDogs),
                ) => Some(self.clearance_rate(u, m, info) * ts_factor * f),
                _ => None,
            },
            remaining,
        );
        outcome.reduced_m2 = remaining * v.reduced_share;
        let preds = ids.last().map(|&p| vec![p]).unwrap_or_default();
        ids.push(self.push(ItemKind::Ts, subject, info.zone, remaining, options, preds));
        remaining -= outcome.reduced_m2;

        let f = self.item_factor();
        let small = info.area_m2 <= self.region.config.survey.eod_small_area_m2;
        let options = self.options(
            |u| match u.kind {
                UnitKind::Team(m) if clearance_eligible(m, info, small) => {
                    Some(self.clearance_rate(u, m, info) * f)
                }
                _ => None,
            },
            remaining,
        );
        outcome.cleared_m2 = remaining;
        let preds = ids.last().map(|&p| vec![p]).unwrap_or_default();
        ids.push(self.push(
            ItemKind::Clearance,
            subject,
            info.zone,
            remaining,
            options,
            preds,
        ));
        (ids, outcome)
    }

    fn clearance_rate(&self, u: &Unit, m: Method, info: &HazardInfo) -> f64 {
        let p = &self.region.config.productivity;
        let base = match m {
            Method::Manual => p.manual_m2_per_deminer_day * u.deminers.max(1) as f64,
            Method::MineDetectionDogs => p.mdd_m2_per_dog_pair_day * u.dog_pairs as f64,
            Method::Mechanical => p.mechanical_m2_per_machine_day,
            Method::BattleAreaClearance => p.bac_m2_per_team_day,
            Method::Eod => p.eod_m2_per_team_day,
        };
        let vegetation = match m {
            Method::Manual | Method::MineDetectionDogs => p.vegetation.of(info.vegetation),
            _ => 1.0,
        };
        base * vegetation
            * p.terrain.of(info.terrain)
            * p.contamination.of(info.contamination)
            * self.variation.method_factor[method_index(m)]
    }

    fn repairs(&mut self, a: usize, info: &AssetInfo) -> Vec<u32> {
        let mut ids = Vec::new();
        for &(trade, person_days) in &info.repair {
            let f = self.item_factor() * self.variation.crew_factor;
            let options = self.options(
                |u| match u.kind {
                    UnitKind::Crew(t) if crew_eligible(t, trade) => {
                        Some(u.members.max(1) as f64 * f)
                    }
                    _ => None,
                },
                person_days,
            );
            ids.push(self.push(
                ItemKind::Repair(trade),
                Subject::Asset(a),
                info.zone,
                person_days,
                options,
                Vec::new(),
            ));
        }
        ids
    }

    /// Every unit `rate` accepts, with `work / rate` days rounded up (at least one).
    fn options(&self, rate: impl Fn(&Unit) -> Option<f64>, work: f64) -> Vec<(u32, i64)> {
        self.region
            .units
            .iter()
            .enumerate()
            .filter(|(_, u)| !u.windows.is_empty())
            .filter_map(|(i, u)| {
                let r = rate(u)?;
                (r > 0.0 && r.is_finite()).then(|| (i as u32, duration_days(work, r)))
            })
            .collect()
    }
}

/// Whole days for `work` at `rate` per day, at least one.
pub fn duration_days(work: f64, rate: f64) -> i64 {
    let days = ((work / rate) - 1e-9).ceil();
    if days.is_nan() {
        1
    } else {
        days.clamp(1.0, 1e6) as i64
    }
}

/// Which methods may clear an area (technical survey has its own rule).
pub fn clearance_eligible(m: Method, info: &HazardInfo, small: bool) -> bool {
    use Contamination as C;
    match m {
        Method::Manual => true,
        Method::MineDetectionDogs => info.contamination != C::Ied,
        Method::Mechanical => {
            matches!(
                info.contamination,
                C::AntiPersonnelMines | C::AntiVehicleMines
            ) && matches!(info.terrain, Terrain::Flat | Terrain::Rolling)
        }
        Method::BattleAreaClearance => matches!(
            info.contamination,
            C::Uxo | C::ClusterMunitions | C::AbandonedOrdnance
        ),
        Method::Eod => small || matches!(info.contamination, C::Ied | C::AbandonedOrdnance),
    }
}

/// Crews of the work's trade, and general crews for buildings and general work.
pub fn crew_eligible(crew: Trade, work: Trade) -> bool {
    crew == work || (crew == Trade::General && matches!(work, Trade::Buildings | Trade::General))
}

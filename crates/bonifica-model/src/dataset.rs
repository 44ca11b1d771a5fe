//! A whole programme's register in memory: what the store loads and saves, what the
//! generator makes, and what import and export move. Also the integrity rules that hold
//! across records (unique ids and codes, references that resolve) and the summary.

use std::collections::{BTreeMap, HashSet};

use geo::BoundingRect;
use geo_types::{Rect, coord};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Date;
use crate::asset::{Asset, AssetKind};
use crate::entities::{Contract, Crew, Organisation, Person, Region, River, Settlement, Team};
use crate::geodesy::{LocalProjection, ProjectionError};
use crate::hazard::{Classification, HazardArea};
use crate::ids::RecordKind;

/// Every record of one or more regions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    pub regions: Vec<Region>,
    pub organisations: Vec<Organisation>,
    pub people: Vec<Person>,
    pub contracts: Vec<Contract>,
    pub teams: Vec<Team>,
    pub crews: Vec<Crew>,
    pub settlements: Vec<Settlement>,
    pub hazard_areas: Vec<HazardArea>,
    pub assets: Vec<Asset>,
    pub rivers: Vec<River>,
}

/// A broken rule across records, naming the record and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatasetError {
    #[error("{kind} {code}: id {id} is used by another {kind}")]
    DuplicateId {
        kind: &'static str,
        code: String,
        id: Uuid,
    },
    #[error("{kind} {code}: code is used by another {kind}")]
    DuplicateCode { kind: &'static str, code: String },
    #[error("{kind} {code}: field {field} refers to unknown {target} {id}")]
    DanglingReference {
        kind: &'static str,
        code: String,
        field: &'static str,
        target: &'static str,
        id: Uuid,
    },
}

/// Counts and totals of a dataset, as `bonifica summary` prints them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub regions: usize,
    pub organisations: usize,
    pub people: usize,
    pub deminers: usize,
    pub workers: usize,
    pub contracts: usize,
    pub teams: usize,
    pub crews: usize,
    pub settlements: usize,
    pub population: u64,
    pub hazard_areas: usize,
    pub assets: usize,
    pub damaged_assets: usize,
    /// Hazardous area in km², by classification then status word.
    pub hazard_km2: BTreeMap<String, BTreeMap<String, f64>>,
    pub damaged_road_km: f64,
    pub damaged_rail_km: f64,
    /// Contracts ending within 30, 60 and 90 days of the summary date.
    pub contracts_ending_30_60_90: [usize; 3],
    pub first_contract_start: Option<Date>,
    pub last_contract_end: Option<Date>,
}

impl Dataset {
    /// Checks the rules that hold across records: unique ids and codes per kind, and every
    /// reference resolving to a record of the right kind. Returns the first broken rule.
    pub fn check(&self) -> Result<(), DatasetError> {
        let regions = unique(
            RecordKind::Region,
            self.regions.iter().map(|r| (r.id, r.code.as_str())),
        )?;
        let orgs = unique(
            RecordKind::Organisation,
            self.organisations.iter().map(|r| (r.id, r.code.as_str())),
        )?;
        let people = unique(
            RecordKind::Person,
            self.people.iter().map(|r| (r.id, r.code.as_str())),
        )?;
        unique(
            RecordKind::Contract,
            self.contracts.iter().map(|r| (r.id, r.code.as_str())),
        )?;
        unique(
            RecordKind::Team,
            self.teams.iter().map(|r| (r.id, r.code.as_str())),
        )?;
        unique(
            RecordKind::Crew,
            self.crews.iter().map(|r| (r.id, r.code.as_str())),
        )?;
        unique(
            RecordKind::Settlement,
            self.settlements.iter().map(|r| (r.id, r.code.as_str())),
        )?;
        unique(
            RecordKind::HazardArea,
            self.hazard_areas.iter().map(|r| (r.id, r.code.as_str())),
        )?;
        let assets = unique(
            RecordKind::Asset,
            self.assets.iter().map(|r| (r.id, r.code.as_str())),
        )?;

        let refs = Refs {
            regions: &regions,
            orgs: &orgs,
            people: &people,
            assets: &assets,
        };
        for r in &self.organisations {
            refs.region(RecordKind::Organisation, r.code.as_str(), r.region_id)?;
        }
        for r in &self.people {
            refs.region(RecordKind::Person, r.code.as_str(), r.region_id)?;
            refs.org(RecordKind::Person, r.code.as_str(), r.organisation_id)?;
        }
        for r in &self.contracts {
            refs.region(RecordKind::Contract, r.code.as_str(), r.region_id)?;
            refs.org(RecordKind::Contract, r.code.as_str(), r.organisation_id)?;
            refs.person(
                RecordKind::Contract,
                r.code.as_str(),
                "person_id",
                r.person_id,
            )?;
        }
        for (kind, code, region, org, members) in self
            .teams
            .iter()
            .map(|t| {
                (
                    RecordKind::Team,
                    &t.code,
                    t.region_id,
                    t.organisation_id,
                    &t.members,
                )
            })
            .chain(self.crews.iter().map(|c| {
                (
                    RecordKind::Crew,
                    &c.code,
                    c.region_id,
                    c.organisation_id,
                    &c.members,
                )
            }))
        {
            refs.region(kind, code.as_str(), region)?;
            refs.org(kind, code.as_str(), org)?;
            for m in members {
                refs.person(kind, code.as_str(), "members", *m)?;
            }
        }
        for r in &self.settlements {
            refs.region(RecordKind::Settlement, r.code.as_str(), r.region_id)?;
        }
        unique(
            RecordKind::River,
            self.rivers.iter().map(|r| (r.id, r.code.as_str())),
        )?;
        for r in &self.rivers {
            refs.region(RecordKind::River, r.code.as_str(), r.region_id)?;
        }
        for r in &self.hazard_areas {
            refs.region(RecordKind::HazardArea, r.code.as_str(), r.region_id)?;
            if let Some(org) = r.organisation_id {
                refs.org(RecordKind::HazardArea, r.code.as_str(), org)?;
            }
        }
        for r in &self.assets {
            refs.region(RecordKind::Asset, r.code.as_str(), r.region_id)?;
            for d in &r.depends_on {
                refs.check(
                    RecordKind::Asset,
                    r.code.as_str(),
                    "depends_on",
                    RecordKind::Asset,
                    refs.assets,
                    *d,
                )?;
            }
        }
        Ok(())
    }

    /// The region's extent: the box around every region boundary, hazard area, asset and
    /// team or crew base, degrees; `None` for a register with no geometry. The one
    /// computation of it: the planner's zones, gating, the map and the benchmarks all
    /// project through [`Dataset::projection`].
    pub fn extent(&self) -> Option<Rect<f64>> {
        let boxes = self
            .regions
            .iter()
            .filter_map(|r| r.boundary.as_multi_polygon().bounding_rect())
            .chain(
                self.hazard_areas
                    .iter()
                    .filter_map(|h| h.geometry().as_multi_polygon().bounding_rect()),
            )
            .chain(
                self.assets
                    .iter()
                    .filter_map(|a| a.footprint.to_geometry().bounding_rect()),
            )
            .chain(self.teams.iter().map(|t| t.base.bounding_rect()))
            .chain(self.crews.iter().map(|c| c.base.bounding_rect()));
        boxes.reduce(|a, b| {
            Rect::new(
                coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
                coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
            )
        })
    }

    /// The local projection planar work on this register uses (gating distances, zones,
    /// buffers): transverse Mercator centred on the middle of [`Dataset::extent`]; on
    /// the prime meridian for a register with no geometry.
    pub fn projection(&self) -> Result<LocalProjection, ProjectionError> {
        match self.extent() {
            Some(r) => LocalProjection::for_extent(r.min().x, r.max().x),
            None => LocalProjection::centred_on(0.0),
        }
    }

    /// Counts, hazardous area and damaged network length; `today` anchors contract horizons.
    pub fn summary(&self, today: Date) -> Summary {
        let mut s = Summary {
            regions: self.regions.len(),
            organisations: self.organisations.len(),
            people: self.people.len(),
            deminers: self.people.iter().filter(|p| p.trade.is_none()).count(),
            workers: self.people.iter().filter(|p| p.trade.is_some()).count(),
            contracts: self.contracts.len(),
            teams: self.teams.len(),
            crews: self.crews.len(),
            settlements: self.settlements.len(),
            population: self
                .settlements
                .iter()
                .map(|s| u64::from(s.population))
                .sum(),
            hazard_areas: self.hazard_areas.len(),
            assets: self.assets.len(),
            ..Summary::default()
        };
        for cls in [Classification::Sha, Classification::Cha] {
            s.hazard_km2
                .insert(cls.as_str().to_string(), BTreeMap::new());
        }
        for h in &self.hazard_areas {
            let by_status = s
                .hazard_km2
                .entry(h.classification().as_str().to_string())
                .or_default();
            *by_status
                .entry(h.status().as_str().to_string())
                .or_default() += h.area_m2() / 1e6;
        }
        for a in self.assets.iter().filter(|a| a.needs_repair()) {
            s.damaged_assets += 1;
            match a.kind {
                AssetKind::RoadSegment => s.damaged_road_km += a.length_m() / 1000.0,
                AssetKind::RailwaySegment => s.damaged_rail_km += a.length_m() / 1000.0,
                _ => {}
            }
        }
        for c in &self.contracts {
            let left = (c.window.end() - today).num_days();
            for (i, horizon) in [30, 60, 90].into_iter().enumerate() {
                if (0..=horizon).contains(&left) {
                    s.contracts_ending_30_60_90[i] += 1;
                }
            }
        }
        s.first_contract_start = self.contracts.iter().map(|c| c.window.start()).min();
        s.last_contract_end = self.contracts.iter().map(|c| c.window.end()).max();
        s
    }
}

fn unique<'a>(
    kind: RecordKind,
    records: impl Iterator<Item = (Uuid, &'a str)>,
) -> Result<HashSet<Uuid>, DatasetError> {
    let mut ids = HashSet::new();
    let mut codes = HashSet::new();
    for (id, code) in records {
        if !ids.insert(id) {
            return Err(DatasetError::DuplicateId {
                kind: kind.label(),
                code: code.to_string(),
                id,
            });
        }
        if !codes.insert(code) {
            return Err(DatasetError::DuplicateCode {
                kind: kind.label(),
                code: code.to_string(),
            });
        }
    }
    Ok(ids)
}

struct Refs<'a> {
    regions: &'a HashSet<Uuid>,
    orgs: &'a HashSet<Uuid>,
    people: &'a HashSet<Uuid>,
    assets: &'a HashSet<Uuid>,
}

impl Refs<'_> {
    fn check(
        &self,
        kind: RecordKind,
        code: &str,
        field: &'static str,
        target: RecordKind,
        set: &HashSet<Uuid>,
        id: Uuid,
    ) -> Result<(), DatasetError> {
        if set.contains(&id) {
            return Ok(());
        }
        Err(DatasetError::DanglingReference {
            kind: kind.label(),
            code: code.to_string(),
            field,
            target: target.label(),
            id,
        })
    }

    fn region(&self, kind: RecordKind, code: &str, id: Uuid) -> Result<(), DatasetError> {
        self.check(
            kind,
            code,
            "region_id",
            RecordKind::Region,
            self.regions,
            id,
        )
    }

    fn org(&self, kind: RecordKind, code: &str, id: Uuid) -> Result<(), DatasetError> {
        self.check(
            kind,
            code,
            "organisation_id",
            RecordKind::Organisation,
            self.orgs,
            id,
        )
    }

    fn person(
        &self,
        kind: RecordKind,
        code: &str,
        field: &'static str,
        id: Uuid,
    ) -> Result<(), DatasetError> {
        self.check(kind, code, field, RecordKind::Person, self.people, id)
    }
}

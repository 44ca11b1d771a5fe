//! Damaged assets: roads, bridges, railways, power, buildings and works, with the repair
//! work they need and the service they give once restored.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::Trade;
use crate::geometry::Footprint;
use crate::hazard::word_enum;
use crate::ids::Code;

word_enum! {
    /// What an asset is.
    AssetKind {
        RoadSegment => "road_segment",
        Bridge => "bridge",
        RailwaySegment => "railway_segment",
        PowerLine => "power_line",
        Substation => "substation",
        CivilBuilding => "civil_building",
        MilitaryStructure => "military_structure",
        AgriculturalDepot => "agricultural_depot",
        WaterWorks => "water_works",
        HeatingWorks => "heating_works",
    }
}

word_enum! {
    /// Damage assessment, in the grades of a rapid damage and needs assessment.
    DamageLevel {
        Undamaged => "undamaged",
        Minor => "minor",
        Moderate => "moderate",
        Severe => "severe",
        Destroyed => "destroyed",
    }
}

/// Repair work of one trade, in person-days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RepairWork {
    pub trade: Trade,
    pub person_days: f64,
}

/// The service an asset gives once restored.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ServiceValue {
    /// People who depend on it.
    pub population_served: u32,
    /// Its share of its network (0 to 1), for links whose value is the network's.
    pub network_share: f64,
}

/// A damaged (or assessed) asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    pub id: Uuid,
    pub code: Code,
    pub region_id: Uuid,
    pub name: String,
    pub kind: AssetKind,
    pub footprint: Footprint,
    pub damage: DamageLevel,
    pub repair: Vec<RepairWork>,
    pub service: ServiceValue,
    /// Assets that must be restored first (a line on its substation, a road on a bridge).
    pub depends_on: Vec<Uuid>,
    /// Military and other restricted assets are visible only to entitled roles.
    pub restricted: bool,
    /// True once repair is finished and the asset is back in service.
    pub restored: bool,
}

impl Asset {
    /// True while the asset is damaged and not yet back in service: it has repair work to
    /// plan and counts as damaged in summaries.
    pub fn needs_repair(&self) -> bool {
        !self.restored && self.damage != DamageLevel::Undamaged
    }

    /// Total repair work over all trades, in person-days.
    pub fn repair_person_days(&self) -> f64 {
        self.repair.iter().map(|w| w.person_days).sum()
    }

    /// True when the asset is linear (road, railway, power line): counted in kilometres.
    pub fn is_linear(&self) -> bool {
        matches!(self.footprint, Footprint::Line(_))
    }

    /// Geodesic length of a linear asset in metres; 0 for points and areas.
    pub fn length_m(&self) -> f64 {
        match &self.footprint {
            Footprint::Line(l) => crate::geodesy::length_m(l),
            Footprint::Point(_) | Footprint::Area(_) => 0.0,
        }
    }
}

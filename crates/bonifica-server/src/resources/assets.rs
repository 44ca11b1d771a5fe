//! `/api/assets`: damaged infrastructure. Military structures and restricted assets are
//! visible only to the defence liaison.

use bonifica_model::{
    Asset, AssetKind, Code, DamageLevel, Dataset, RecordKind, RepairWork, ServiceValue, Trade,
};
use bonifica_store::{Record, Stamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::crud::{Filters, Resource, footprint_meets, region_for};
use crate::error::ApiError;
use crate::resources::crud_handlers;
use crate::wire::{footprint_json, in_range, name, parse_footprint, word};
use bonifica_app::Model;

/// Repair work of one trade.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepairWorkWire {
    /// roads, bridges, rail, power, buildings, general.
    pub trade: String,
    /// Person-days, 0 to 1,000,000.
    pub person_days: f64,
}

/// An asset as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssetOut {
    pub id: Uuid,
    pub code: String,
    pub region_id: Uuid,
    pub name: String,
    pub kind: String,
    /// GeoJSON Point, LineString or MultiPolygon, WGS 84.
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
    pub damage: String,
    pub repair: Vec<RepairWorkWire>,
    pub population_served: u32,
    pub network_share: f64,
    pub depends_on: Vec<Uuid>,
    pub restricted: bool,
    pub restored: bool,
    /// Geodesic length of a linear asset, in metres.
    pub length_m: f64,
    pub version: u32,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

/// An asset to record or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetIn {
    pub code: Option<String>,
    pub region_id: Option<Uuid>,
    pub name: String,
    /// road_segment, bridge, railway_segment, power_line, substation, civil_building,
    /// military_structure, agricultural_depot, water_works, heating_works.
    pub kind: String,
    /// GeoJSON Point, LineString, Polygon or MultiPolygon, WGS 84.
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
    /// undamaged, minor, moderate, severe, destroyed.
    pub damage: String,
    #[serde(default)]
    pub repair: Vec<RepairWorkWire>,
    #[serde(default)]
    pub population_served: u32,
    /// Share of its network, 0 to 1.
    #[serde(default)]
    pub network_share: f64,
    #[serde(default)]
    pub depends_on: Vec<Uuid>,
    #[serde(default)]
    pub restricted: bool,
    #[serde(default)]
    pub restored: bool,
}

impl Resource for Asset {
    const KIND: RecordKind = RecordKind::Asset;
    const PATH: &'static str = "/api/assets";
    const FILTERS: &'static [&'static str] = &["bbox", "kind", "status", "damage", "blocked"];
    type In = AssetIn;
    type Out = AssetOut;

    fn all(data: &Dataset) -> &Vec<Self> {
        &data.assets
    }
    fn all_mut(data: &mut Dataset) -> &mut Vec<Self> {
        &mut data.assets
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn code(&self) -> &Code {
        &self.code
    }
    fn set_code(&mut self, code: Code) {
        self.code = code;
    }
    fn into_record(self) -> Record {
        Record::Asset(self)
    }
    fn wanted_code(input: &AssetIn) -> Option<&str> {
        input.code.as_deref()
    }

    fn out(&self, stamp: &Stamp) -> AssetOut {
        AssetOut {
            id: self.id,
            code: self.code.to_string(),
            region_id: self.region_id,
            name: self.name.clone(),
            kind: self.kind.as_str().to_string(),
            geometry: footprint_json(&self.footprint),
            damage: self.damage.as_str().to_string(),
            repair: self
                .repair
                .iter()
                .map(|w| RepairWorkWire {
                    trade: w.trade.as_str().to_string(),
                    person_days: w.person_days,
                })
                .collect(),
            population_served: self.service.population_served,
            network_share: self.service.network_share,
            depends_on: self.depends_on.clone(),
            restricted: self.restricted,
            restored: self.restored,
            length_m: self.length_m(),
            version: stamp.version,
            updated_at: stamp.updated_at.clone(),
            updated_by: stamp.updated_by.clone(),
        }
    }

    fn build(
        input: AssetIn,
        id: Uuid,
        code: Code,
        _existing: Option<&Asset>,
        model: &Model,
    ) -> Result<Asset, ApiError> {
        let mut repair = Vec::with_capacity(input.repair.len());
        for (i, w) in input.repair.iter().enumerate() {
            repair.push(RepairWork {
                trade: word(
                    &format!("repair[{i}].trade"),
                    &w.trade,
                    Trade::parse,
                    Trade::words,
                )?,
                person_days: in_range(
                    &format!("repair[{i}].person_days"),
                    w.person_days,
                    0.0,
                    1_000_000.0,
                )?,
            });
        }
        for (i, d) in input.depends_on.iter().enumerate() {
            if *d == id || !model.data.assets.iter().any(|a| a.id == *d) {
                return Err(ApiError::field(
                    format!("depends_on[{i}]"),
                    format!("no other asset {d}"),
                ));
            }
        }
        Ok(Asset {
            id,
            code,
            region_id: region_for(model, input.region_id)?,
            name: name("name", input.name)?,
            kind: word("kind", &input.kind, AssetKind::parse, AssetKind::words)?,
            footprint: parse_footprint("geometry", &input.geometry)?,
            damage: word(
                "damage",
                &input.damage,
                DamageLevel::parse,
                DamageLevel::words,
            )?,
            repair,
            service: ServiceValue {
                population_served: input.population_served,
                network_share: in_range("network_share", input.network_share, 0.0, 1.0)?,
            },
            depends_on: input.depends_on,
            restricted: input.restricted,
            restored: input.restored,
        })
    }

    fn matches(&self, f: &Filters) -> bool {
        let status = if self.restored { "restored" } else { "damaged" };
        footprint_meets(&f.bbox, &self.footprint)
            && f.kind.as_deref().is_none_or(|k| k == self.kind.as_str())
            && f.status.as_deref().is_none_or(|s| s == status)
            && f.damage
                .as_deref()
                .is_none_or(|d| d == self.damage.as_str())
            && f.blocked_is(self.id)
    }

    fn name(&self) -> Option<&str> {
        Some(&self.name)
    }

    /// A line's length, an area's area; a point has no size.
    fn size(&self) -> Option<f64> {
        Some(match &self.footprint {
            bonifica_model::Footprint::Area(a) => a.area_m2(),
            _ => self.length_m(),
        })
    }
}

crud_handlers! {
    resource: Asset, input: AssetIn, output: AssetOut, tag: "assets",
    collection: "/api/assets", item: "/api/assets/{id}",
    list: assets_list, get: assets_get, create: assets_create,
    update: assets_update, delete: assets_delete,
}

//! `/api/settlements` (read and write) and `/api/regions` (read only: a region is created
//! with its file, by `bonifica demo` or an import).

use crate::wire::Path;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use bonifica_model::{Code, Dataset, RecordKind, Region, Settlement};
use bonifica_store::{Record, Stamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::crud::{Filters, Resource, footprint_meets, meets, region_for};
use crate::error::ApiError;
use crate::resources::crud_handlers;
use crate::state::AppState;
use crate::wire::{Page, footprint_json, name, parse_footprint, polygonal_json};
use bonifica_app::Model;

/// A settlement as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettlementOut {
    pub id: Uuid,
    pub code: String,
    pub region_id: Uuid,
    pub name: String,
    /// GeoJSON Point or MultiPolygon, WGS 84.
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
    pub population: u32,
    pub version: u32,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

/// A settlement to record or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettlementIn {
    pub code: Option<String>,
    pub region_id: Option<Uuid>,
    pub name: String,
    /// GeoJSON Point, Polygon or MultiPolygon, WGS 84.
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
    pub population: u32,
}

impl Resource for Settlement {
    const KIND: RecordKind = RecordKind::Settlement;
    const PATH: &'static str = "/api/settlements";
    const FILTERS: &'static [&'static str] = &["bbox"];
    type In = SettlementIn;
    type Out = SettlementOut;

    fn all(data: &Dataset) -> &Vec<Self> {
        &data.settlements
    }
    fn all_mut(data: &mut Dataset) -> &mut Vec<Self> {
        &mut data.settlements
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
        Record::Settlement(self)
    }
    fn wanted_code(input: &SettlementIn) -> Option<&str> {
        input.code.as_deref()
    }

    fn out(&self, stamp: &Stamp) -> SettlementOut {
        SettlementOut {
            id: self.id,
            code: self.code.to_string(),
            region_id: self.region_id,
            name: self.name.clone(),
            geometry: footprint_json(&self.footprint),
            population: self.population,
            version: stamp.version,
            updated_at: stamp.updated_at.clone(),
            updated_by: stamp.updated_by.clone(),
        }
    }

    fn build(
        input: SettlementIn,
        id: Uuid,
        code: Code,
        _existing: Option<&Settlement>,
        model: &Model,
    ) -> Result<Settlement, ApiError> {
        let footprint = parse_footprint("geometry", &input.geometry)?;
        if matches!(footprint, bonifica_model::Footprint::Line(_)) {
            return Err(ApiError::field(
                "geometry",
                "a settlement is a Point or a (Multi)Polygon, not a LineString",
            ));
        }
        Ok(Settlement {
            id,
            code,
            region_id: region_for(model, input.region_id)?,
            name: name("name", input.name)?,
            footprint,
            population: input.population,
        })
    }

    fn matches(&self, f: &Filters) -> bool {
        footprint_meets(&f.bbox, &self.footprint)
    }

    fn name(&self) -> Option<&str> {
        Some(&self.name)
    }
}

crud_handlers! {
    resource: Settlement, input: SettlementIn, output: SettlementOut, tag: "settlements",
    collection: "/api/settlements", item: "/api/settlements/{id}",
    list: settlements_list, get: settlements_get, create: settlements_create,
    update: settlements_update, delete: settlements_delete,
}

/// A region as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionOut {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    /// GeoJSON MultiPolygon, WGS 84.
    #[schema(value_type = Object)]
    pub boundary: serde_json::Value,
    pub version: u32,
}

/// Regions are read-only through the API; this input type is never accepted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionIn {}

impl Resource for Region {
    const KIND: RecordKind = RecordKind::Region;
    const PATH: &'static str = "/api/regions";
    const FILTERS: &'static [&'static str] = &["bbox"];
    type In = RegionIn;
    type Out = RegionOut;

    fn all(data: &Dataset) -> &Vec<Self> {
        &data.regions
    }
    fn all_mut(data: &mut Dataset) -> &mut Vec<Self> {
        &mut data.regions
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
        Record::Region(self)
    }
    fn wanted_code(_: &RegionIn) -> Option<&str> {
        None
    }
    fn out(&self, stamp: &Stamp) -> RegionOut {
        RegionOut {
            id: self.id,
            code: self.code.to_string(),
            name: self.name.clone(),
            boundary: polygonal_json(&self.boundary),
            version: stamp.version,
        }
    }
    fn build(
        _: RegionIn,
        _: Uuid,
        _: Code,
        _: Option<&Region>,
        _: &Model,
    ) -> Result<Region, ApiError> {
        Err(ApiError::forbidden("regions are read-only through the API"))
    }
    fn matches(&self, f: &Filters) -> bool {
        meets(&f.bbox, self.boundary.as_multi_polygon())
    }

    fn name(&self) -> Option<&str> {
        Some(&self.name)
    }

    fn size(&self) -> Option<f64> {
        Some(self.boundary.area_m2())
    }
}

/// Lists the programme's regions.
#[utoipa::path(get, path = "/api/regions", tag = "regions", params(crate::wire::ListParams),
    responses((status = 200, description = "One page", body = Page<RegionOut>),
              (status = 401, description = "Not signed in", body = crate::error::Problem)))]
pub async fn regions_list(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Json<Page<RegionOut>>, ApiError> {
    crate::crud::list::<Region>(state, caller, query).await
}

/// Reads one region.
#[utoipa::path(get, path = "/api/regions/{id}", tag = "regions",
    params(("id" = Uuid, Path, description = "The region's id")),
    responses((status = 200, description = "The region", body = RegionOut),
              (status = 404, description = "No such region", body = crate::error::Problem)))]
pub async fn regions_get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    crate::crud::get::<Region>(state, caller, id).await
}

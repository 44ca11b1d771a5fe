//! `/api/hazard-areas`: hazard areas, and their land-release events. A PUT never changes
//! classification or status; those change only through `POST .../events`, which applies
//! the model's one transition function.

use crate::wire::Path;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use bonifica_model::{
    Classification, ClosureReason, Code, Contamination, Dataset, HazardArea, NewHazardArea,
    RecordKind, ReleaseEvent, Terrain, Vegetation,
};
use bonifica_store::{Record, Stamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::crud::{Filters, Resource, meets, organisation_ref, region_for, replace};
use crate::error::ApiError;
use crate::resources::crud_handlers;
use crate::state::AppState;
use crate::wire::{JsonBody, in_range, parse_polygonal, polygonal_json, word};
use bonifica_app::Model;
use bonifica_app::access::Verb;

/// A hazard area as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HazardAreaOut {
    pub id: Uuid,
    pub code: String,
    pub region_id: Uuid,
    pub organisation_id: Option<Uuid>,
    /// GeoJSON MultiPolygon, WGS 84.
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
    /// SHA or CHA.
    pub classification: String,
    /// open, worked_on, closed, handed_over.
    pub status: String,
    /// cancelled, reduced or cleared, once closed.
    pub closure_reason: Option<String>,
    pub contamination: String,
    /// Geodesic area in square metres.
    pub area_m2: f64,
    pub density_per_ha: f64,
    pub terrain: String,
    pub vegetation: String,
    pub clearance_depth_cm: u32,
    pub evidence: String,
    pub restricted: bool,
    #[schema(value_type = String, format = Date)]
    pub as_of: bonifica_model::Date,
    pub version: u32,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

/// A hazard area to record or replace. Classification is set on creation only; status is
/// never set here (use the events).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HazardAreaIn {
    /// `HA-0042`; assigned when absent.
    pub code: Option<String>,
    /// Required when the register holds several regions.
    pub region_id: Option<Uuid>,
    /// Organisation id or code.
    pub organisation: Option<String>,
    /// GeoJSON Polygon or MultiPolygon, WGS 84.
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
    /// SHA or CHA (default SHA); only on creation.
    pub classification: Option<String>,
    /// ap_mines, av_mines, uxo, cluster_munitions, ied, abandoned_ordnance, mixed.
    pub contamination: String,
    /// Estimated items per hectare, 0 to 10,000.
    #[serde(default)]
    pub density_per_ha: f64,
    /// flat, rolling, steep, wetland, urban.
    pub terrain: String,
    /// none, light, medium, heavy.
    pub vegetation: String,
    /// Clearance depth in centimetres, 0 to 500 (default 13).
    pub clearance_depth_cm: Option<u32>,
    #[serde(default)]
    pub evidence: String,
    /// Only the defence liaison may record restricted areas.
    #[serde(default)]
    pub restricted: bool,
    /// The date of information (default today).
    #[schema(value_type = Option<String>, format = Date)]
    pub as_of: Option<bonifica_model::Date>,
}

/// A land-release event.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseEventIn {
    /// start_work, suspend_work, confirm, close, hand_over, reopen.
    pub event: String,
    /// With `close`: cancelled, reduced or cleared.
    pub closure_reason: Option<String>,
    /// The date of the event (default today).
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<bonifica_model::Date>,
}

/// Today's date on the server's clock: the default date of information.
pub fn today() -> bonifica_model::Date {
    chrono::Utc::now().date_naive()
}

impl Resource for HazardArea {
    const KIND: RecordKind = RecordKind::HazardArea;
    const PATH: &'static str = "/api/hazard-areas";
    const FILTERS: &'static [&'static str] =
        &["bbox", "status", "kind", "organisation", "classification"];
    type In = HazardAreaIn;
    type Out = HazardAreaOut;

    fn all(data: &Dataset) -> &Vec<Self> {
        &data.hazard_areas
    }
    fn all_mut(data: &mut Dataset) -> &mut Vec<Self> {
        &mut data.hazard_areas
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
        Record::HazardArea(self)
    }
    fn wanted_code(input: &HazardAreaIn) -> Option<&str> {
        input.code.as_deref()
    }
    fn set_version(&mut self, _version: u32) {}

    fn out(&self, stamp: &Stamp) -> HazardAreaOut {
        HazardAreaOut {
            id: self.id,
            code: self.code.to_string(),
            region_id: self.region_id,
            organisation_id: self.organisation_id,
            geometry: polygonal_json(self.geometry()),
            classification: self.classification().as_str().to_string(),
            status: self.status().as_str().to_string(),
            closure_reason: self
                .status()
                .closure_reason()
                .map(|r| r.as_str().to_string()),
            contamination: self.contamination.as_str().to_string(),
            area_m2: self.area_m2(),
            density_per_ha: self.density_per_ha,
            terrain: self.terrain.as_str().to_string(),
            vegetation: self.vegetation.as_str().to_string(),
            clearance_depth_cm: self.clearance_depth_cm,
            evidence: self.evidence.clone(),
            restricted: self.restricted,
            as_of: self.as_of,
            version: self.version,
            updated_at: stamp.updated_at.clone(),
            updated_by: stamp.updated_by.clone(),
        }
    }

    fn build(
        input: HazardAreaIn,
        id: Uuid,
        code: Code,
        existing: Option<&HazardArea>,
        model: &Model,
    ) -> Result<HazardArea, ApiError> {
        let asked = input
            .classification
            .as_deref()
            .map(|c| {
                Classification::parse(c).ok_or_else(|| {
                    ApiError::field("classification", format!("{c:?} is not SHA or CHA"))
                })
            })
            .transpose()?;
        let classification = match (existing, asked) {
            (Some(e), Some(c)) if c != e.classification() => {
                return Err(ApiError::field(
                    "classification",
                    "changes only through a land-release event (POST .../events)",
                ));
            }
            (Some(e), _) => e.classification(),
            (None, c) => c.unwrap_or(Classification::Sha),
        };
        let new = NewHazardArea {
            id,
            code,
            region_id: region_for(model, input.region_id)?,
            organisation_id: input
                .organisation
                .as_deref()
                .map(|o| organisation_ref(model, "organisation", o))
                .transpose()?,
            geometry: parse_polygonal("geometry", &input.geometry)?,
            classification,
            contamination: word(
                "contamination",
                &input.contamination,
                Contamination::parse,
                Contamination::words,
            )?,
            density_per_ha: in_range("density_per_ha", input.density_per_ha, 0.0, 10_000.0)?,
            terrain: word("terrain", &input.terrain, Terrain::parse, Terrain::words)?,
            vegetation: word(
                "vegetation",
                &input.vegetation,
                Vegetation::parse,
                Vegetation::words,
            )?,
            clearance_depth_cm: {
                let cm = input.clearance_depth_cm.unwrap_or(13);
                in_range("clearance_depth_cm", f64::from(cm), 0.0, 500.0)?;
                cm
            },
            evidence: input.evidence,
            restricted: input.restricted,
            as_of: input.as_of.unwrap_or_else(today),
        };
        Ok(match existing {
            // A replacement keeps the land-release state and raises the version by one.
            Some(e) => HazardArea::restore(new, e.status(), e.version + 1),
            None => HazardArea::new(new),
        })
    }

    fn matches(&self, f: &Filters) -> bool {
        meets(&f.bbox, self.geometry().as_multi_polygon())
            && f.status
                .as_deref()
                .is_none_or(|s| s == self.status().as_str())
            && f.classification
                .as_deref()
                .is_none_or(|c| c.eq_ignore_ascii_case(self.classification().as_str()))
            && f.kind
                .as_deref()
                .is_none_or(|k| k == self.contamination.as_str())
            && f.organisation
                .is_none_or(|o| self.organisation_id == Some(o))
    }

    fn size(&self) -> Option<f64> {
        Some(self.area_m2())
    }
}

crud_handlers! {
    resource: HazardArea, input: HazardAreaIn, output: HazardAreaOut, tag: "hazard areas",
    collection: "/api/hazard-areas", item: "/api/hazard-areas/{id}",
    list: hazards_list, get: hazards_get, create: hazards_create,
    update: hazards_update, delete: hazards_delete,
}

fn parse_event(input: &ReleaseEventIn) -> Result<ReleaseEvent, ApiError> {
    let reason = || -> Result<ClosureReason, ApiError> {
        let text = input
            .closure_reason
            .as_deref()
            .ok_or_else(|| ApiError::field("closure_reason", "required with close"))?;
        ClosureReason::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| {
                ApiError::field(
                    "closure_reason",
                    format!("{text:?} is not one of cancelled, reduced, cleared"),
                )
            })
    };
    let event = match input.event.as_str() {
        "start_work" => ReleaseEvent::StartWork,
        "suspend_work" => ReleaseEvent::SuspendWork,
        "confirm" => ReleaseEvent::Confirm,
        "close" => ReleaseEvent::Close(reason()?),
        "hand_over" => ReleaseEvent::HandOver,
        "reopen" => ReleaseEvent::Reopen,
        other => {
            return Err(ApiError::field(
                "event",
                format!(
                    "{other:?} is not one of start_work, suspend_work, confirm, close, hand_over, reopen"
                ),
            ));
        }
    };
    if input.closure_reason.is_some() && !matches!(event, ReleaseEvent::Close(_)) {
        return Err(ApiError::field("closure_reason", "only goes with close"));
    }
    Ok(event)
}

/// Applies a land-release event through the model's transition function; an illegal
/// transition is a 409 that quotes the rule it breaks.
#[utoipa::path(post, path = "/api/hazard-areas/{id}/events", tag = "hazard areas",
    request_body = ReleaseEventIn,
    params(("id" = Uuid, Path, description = "The hazard area's id"),
           ("If-Match" = String, Header, description = "The ETag read")),
    responses(
        (status = 200, description = "Applied", body = HazardAreaOut),
        (status = 403, description = "Not for this role or scope", body = crate::error::Problem),
        (status = 404, description = "No such area, or not visible", body = crate::error::Problem),
        (status = 409, description = "Illegal transition", body = crate::error::Problem),
        (status = 412, description = "Stale version", body = crate::error::Problem),
        (status = 422, description = "A field is wrong", body = crate::error::Problem),
        (status = 428, description = "If-Match missing", body = crate::error::Problem)))]
pub async fn hazards_events_create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    JsonBody(input): JsonBody<ReleaseEventIn>,
) -> Result<Response, ApiError> {
    let event = parse_event(&input)?;
    let date = input.date.unwrap_or_else(today);
    replace::<HazardArea>(
        state,
        caller,
        id,
        &headers,
        Verb::Event,
        move |existing, _| {
            let mut area = existing.clone();
            area.apply(event, date).map_err(|e| {
                ApiError::field_status(axum::http::StatusCode::CONFLICT, "event", e.to_string())
            })?;
            Ok(area)
        },
    )
    .await
}

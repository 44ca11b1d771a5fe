//! The wire types of field reports: what a client sends to file a report, what the API
//! answers, and the conversions between a kind's fields on the wire (GeoJSON polygons,
//! words) and the model's [`ReportBody`].
//!
//! A report body is stored as the model's JSON with the report's code beside the kind's
//! fields (`{"code": "RPT-000042", "kind": "daily_progress", ...}`); the store does not
//! look inside it. On the wire the body is the kind's fields as sent, polygons as GeoJSON.

use axum::http::StatusCode;
use bonifica_model::{
    Completion, DailyProgress, Date, Handover, Incident, IncidentCategory, Marker,
    NonTechnicalSurvey, NtsOutcome, OrdnanceFound, Polygonal, ReconstructionProgress, ReportBody,
    ReportKind, TechnicalSurvey, TsOutcome, Victim,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::ApiError;
use crate::wire::{parse_json, parse_polygonal, polygonal_json};

/// A report to file: the common fields and the kind's fields side by side (see
/// `docs/reports.md` for each kind's fields). Unknown fields are refused (400).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReportIn {
    /// Chosen by the client (a UUID); the same client id never makes two reports.
    pub client_id: String,
    /// `daily_progress`, `non_technical_survey`, `technical_survey`, `completion`,
    /// `handover`, `incident` or `reconstruction_progress`.
    pub kind: String,
    /// File and submit in one step (a phone syncing); without it the report is a draft.
    #[serde(default)]
    pub submit: bool,
    /// The version of the hazard area the team leader saw.
    pub based_on_version: Option<u32>,
    /// The kind's own fields.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub fields: Map<String, Value>,
}

/// A report as the API returns it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportOut {
    pub id: Uuid,
    /// `RPT-000042`, in filing order.
    pub code: String,
    pub client_id: String,
    pub kind: String,
    /// `draft`, `submitted`, `verified`, `approved` or `rejected`.
    pub state: String,
    /// The date of information.
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    pub hazard_area_id: Option<Uuid>,
    pub hazard_area_code: Option<String>,
    pub asset_id: Option<Uuid>,
    pub asset_code: Option<String>,
    /// The team or crew that reports.
    pub unit_id: Option<Uuid>,
    pub unit_code: Option<String>,
    /// The unit's organisation.
    pub organisation_id: Option<Uuid>,
    /// On a restricted hazard area or asset: the defence liaison co-approves it.
    pub restricted: bool,
    pub based_on_version: Option<u32>,
    /// The kind's fields, as sent (polygons as GeoJSON). An incident's `victims` are left
    /// out except for the coordinator and the defence liaison.
    #[schema(value_type = Object)]
    pub body: Value,
    /// The approvals recorded since the report was last verified.
    pub approvals: Vec<ApprovalOut>,
    /// Every step of the workflow, oldest first.
    pub transitions: Vec<TransitionOut>,
    /// The steps the caller may take on the report now (`submit`, `verify`, `approve`,
    /// `reject`, `revise`): the server takes these and refuses the others.
    pub actions: Vec<String>,
    pub version: u32,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
}

/// An approval recorded on a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApprovalOut {
    /// `civil_authority` (a coordinator) or `defence` (the defence liaison).
    pub approver: String,
    pub actor: String,
    pub at: String,
}

/// One step of a report's workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TransitionOut {
    pub action: String,
    pub from: String,
    pub to: String,
    /// The user name of who did it.
    pub actor: String,
    pub role: String,
    pub at: String,
    pub comment: Option<String>,
}

/// A step to take: `submit`, `verify`, `approve`, `reject` (comment required) or `revise`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionIn {
    pub action: String,
    pub comment: Option<String>,
}

/// The answer to a step: the report, and on approval what it changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransitionAnswer {
    pub report: ReportOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<EffectOut>,
}

/// What an approval changed on the register.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EffectOut {
    /// The report's hazard area as it now stands; absent for reports on no hazard area.
    pub hazard_area: Option<AreaEffect>,
    /// Land released by the approval, geodesic square metres.
    pub released_m2: f64,
    /// Damaged assets whose last blocking hazard area this approval released.
    pub unblocked_assets: Vec<AssetRef>,
}

/// A hazard area after an approval.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaEffect {
    pub id: Uuid,
    pub code: String,
    pub version: u32,
    pub classification: String,
    pub status: String,
    pub closure_reason: Option<String>,
    /// What remains of the area, geodesic square metres (0 once closed).
    pub remaining_m2: f64,
}

/// An asset named by id and code.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AssetRef {
    pub id: Uuid,
    pub code: String,
}

/// Several reports to file at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchIn {
    /// Each as `POST /api/reports` takes it; at most 500.
    #[schema(value_type = Vec<Object>)]
    pub reports: Vec<Value>,
}

/// One result per report, in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchOut {
    pub results: Vec<BatchResult>,
}

/// One report's result in a batch: 201 (filed), 200 (already filed), or a problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResult {
    pub client_id: Option<String>,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportOut>,
    /// The problem document the report alone would have been answered with.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub problem: Option<Value>,
}

/// The query parameters of the inbox.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportListParams {
    /// `draft`, `submitted`, `verified`, `approved` or `rejected`.
    pub state: Option<String>,
    /// A report kind.
    pub kind: Option<String>,
    /// A hazard area, by id or code.
    pub hazard_area: Option<String>,
    /// A team or crew, by id or code.
    pub unit: Option<String>,
    /// Reports per page, 1 to 1000 (default 100).
    pub page_size: Option<usize>,
    /// The `page_token` of the previous page's `next` link.
    pub page_token: Option<String>,
}

/// A hazard area's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryOut {
    pub id: Uuid,
    pub code: String,
    /// Every version, oldest first, the current one last.
    pub versions: Vec<VersionOut>,
    /// The land released from the area, oldest first.
    pub released: Vec<ReleasedOut>,
    /// The approved reports about the area, oldest first.
    pub reports: Vec<ReportRef>,
}

/// One version of a hazard area.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionOut {
    pub version: u32,
    /// The date of information of this version.
    #[schema(value_type = String, format = Date)]
    pub as_of: Date,
    pub classification: String,
    pub status: String,
    pub closure_reason: Option<String>,
    /// Geodesic area in square metres.
    pub area_m2: f64,
    /// GeoJSON MultiPolygon, WGS 84.
    #[schema(value_type = Object)]
    pub geometry: Value,
}

/// A piece of land released from a hazard area.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReleasedOut {
    pub id: Uuid,
    /// GeoJSON MultiPolygon, WGS 84.
    #[schema(value_type = Object)]
    pub geometry: Value,
    /// `cancelled`, `reduced` or `cleared`.
    pub reason: String,
    #[schema(value_type = String, format = Date)]
    pub released_on: Date,
    /// Geodesic area in square metres.
    pub area_m2: f64,
    /// The same area by how it was released: cancelled (non-technical survey), reduced
    /// (technical survey) and cleared, in the proportions the report gave.
    pub cancelled_m2: f64,
    pub reduced_m2: f64,
    pub cleared_m2: f64,
    pub report_id: Uuid,
    pub report_code: Option<String>,
}

/// A report named by id and code.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportRef {
    pub id: Uuid,
    pub code: String,
    pub kind: String,
    #[schema(value_type = String, format = Date)]
    pub date: Date,
}

// ---- the kinds' fields on the wire ------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DailyProgressIn {
    hazard_area_id: Uuid,
    team_id: Uuid,
    date: Date,
    worked: Value,
    #[serde(default)]
    cancelled_m2: f64,
    #[serde(default)]
    reduced_m2: f64,
    #[serde(default)]
    cleared_m2: f64,
    hours: f64,
    #[serde(default)]
    ordnance: Vec<OrdnanceFound>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NonTechnicalSurveyIn {
    hazard_area_id: Uuid,
    team_id: Uuid,
    date: Date,
    outcome: NtsOutcome,
    #[serde(default)]
    evidence: String,
    revised: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TechnicalSurveyIn {
    hazard_area_id: Uuid,
    team_id: Uuid,
    date: Date,
    outcome: TsOutcome,
    #[serde(default)]
    evidence: String,
    revised: Option<Value>,
    #[serde(default)]
    ordnance: Vec<OrdnanceFound>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CompletionIn {
    hazard_area_id: Uuid,
    team_id: Uuid,
    date: Date,
    cleared_m2: f64,
    depth_cm: u32,
    #[serde(default)]
    summary: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HandoverIn {
    hazard_area_id: Uuid,
    date: Date,
    received_by: String,
    residual_risk_owner: String,
    #[serde(default)]
    markers: Vec<MarkerIn>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkerIn {
    label: String,
    lon: f64,
    lat: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IncidentIn {
    date: Date,
    lon: f64,
    lat: f64,
    hazard_area_id: Option<Uuid>,
    team_id: Option<Uuid>,
    category: IncidentCategory,
    description: String,
    #[serde(default)]
    victims: Vec<VictimIn>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VictimIn {
    name: String,
    age: Option<u32>,
    sex: bonifica_model::Sex,
    injury: bonifica_model::Injury,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReconstructionProgressIn {
    asset_id: Uuid,
    crew_id: Uuid,
    date: Date,
    percent_done: f64,
    #[serde(default)]
    restored: bool,
    hours: f64,
}

/// Reads the kind's fields; an unknown field is a 400 naming it, a wrong one a 422.
fn fields_of<T: DeserializeOwned>(fields: Map<String, Value>) -> Result<T, ApiError> {
    let bytes = serde_json::to_vec(&Value::Object(fields)).map_err(|e| ApiError::internal(&e))?;
    parse_json(&bytes).map_err(|mut e| {
        if e.errors
            .iter()
            .any(|f| f.problem.starts_with("unknown field"))
        {
            e.status = StatusCode::BAD_REQUEST;
        }
        e
    })
}

fn optional_polygonal(field: &str, value: Option<&Value>) -> Result<Option<Polygonal>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(v) => parse_polygonal(field, v).map(Some),
    }
}

/// The report kind named by `kind`, or a 422 listing the kinds.
pub fn parse_kind(kind: &str) -> Result<ReportKind, ApiError> {
    ReportKind::parse(kind).ok_or_else(|| {
        ApiError::field(
            "kind",
            format!("{kind:?} is not one of {}", ReportKind::words()),
        )
    })
}

/// The model's body of a report from its kind and the kind's fields on the wire. Checks
/// the fields' types and the polygons; the body's own checks are
/// [`ReportBody::check`].
pub fn parse_body(kind: &str, fields: Map<String, Value>) -> Result<ReportBody, ApiError> {
    Ok(match parse_kind(kind)? {
        ReportKind::DailyProgress => {
            let i: DailyProgressIn = fields_of(fields)?;
            ReportBody::DailyProgress(DailyProgress {
                hazard_area_id: i.hazard_area_id,
                team_id: i.team_id,
                date: i.date,
                worked: parse_polygonal("worked", &i.worked)?,
                cancelled_m2: i.cancelled_m2,
                reduced_m2: i.reduced_m2,
                cleared_m2: i.cleared_m2,
                hours: i.hours,
                ordnance: i.ordnance,
            })
        }
        ReportKind::NonTechnicalSurvey => {
            let i: NonTechnicalSurveyIn = fields_of(fields)?;
            ReportBody::NonTechnicalSurvey(NonTechnicalSurvey {
                hazard_area_id: i.hazard_area_id,
                team_id: i.team_id,
                date: i.date,
                outcome: i.outcome,
                evidence: i.evidence,
                revised: optional_polygonal("revised", i.revised.as_ref())?,
            })
        }
        ReportKind::TechnicalSurvey => {
            let i: TechnicalSurveyIn = fields_of(fields)?;
            ReportBody::TechnicalSurvey(TechnicalSurvey {
                hazard_area_id: i.hazard_area_id,
                team_id: i.team_id,
                date: i.date,
                outcome: i.outcome,
                evidence: i.evidence,
                revised: optional_polygonal("revised", i.revised.as_ref())?,
                ordnance: i.ordnance,
            })
        }
        ReportKind::Completion => {
            let i: CompletionIn = fields_of(fields)?;
            ReportBody::Completion(Completion {
                hazard_area_id: i.hazard_area_id,
                team_id: i.team_id,
                date: i.date,
                cleared_m2: i.cleared_m2,
                depth_cm: i.depth_cm,
                summary: i.summary,
            })
        }
        ReportKind::Handover => {
            let i: HandoverIn = fields_of(fields)?;
            ReportBody::Handover(Handover {
                hazard_area_id: i.hazard_area_id,
                date: i.date,
                received_by: i.received_by,
                residual_risk_owner: i.residual_risk_owner,
                markers: i
                    .markers
                    .into_iter()
                    .map(|m| Marker {
                        label: m.label,
                        lon: m.lon,
                        lat: m.lat,
                    })
                    .collect(),
            })
        }
        ReportKind::Incident => {
            let i: IncidentIn = fields_of(fields)?;
            ReportBody::Incident(Incident {
                date: i.date,
                lon: i.lon,
                lat: i.lat,
                hazard_area_id: i.hazard_area_id,
                team_id: i.team_id,
                category: i.category,
                description: i.description,
                victims: i
                    .victims
                    .into_iter()
                    .map(|v| Victim {
                        name: v.name,
                        age: v.age,
                        sex: v.sex,
                        injury: v.injury,
                    })
                    .collect(),
            })
        }
        ReportKind::ReconstructionProgress => {
            let i: ReconstructionProgressIn = fields_of(fields)?;
            ReportBody::ReconstructionProgress(ReconstructionProgress {
                asset_id: i.asset_id,
                crew_id: i.crew_id,
                date: i.date,
                percent_done: i.percent_done,
                restored: i.restored,
                hours: i.hours,
            })
        }
    })
}

/// The body as the wire shows it: the kind's fields, polygons as GeoJSON, without the
/// victims of an incident unless `victims` is true. A stored body the model cannot read
/// is shown as stored.
pub fn body_out(kind: &str, stored: &str, victims: bool) -> Value {
    let mut value = match bonifica_app::stored_report::read_body(kind, stored) {
        Some(body) => {
            let mut v = serde_json::to_value(&body).unwrap_or(Value::Null);
            if let (Some(p), Some(map)) = (body.geometry(), v.as_object_mut()) {
                let key = match body {
                    ReportBody::DailyProgress(_) => "worked",
                    _ => "revised",
                };
                map.insert(key.to_string(), polygonal_json(p));
            }
            v
        }
        None => serde_json::from_str(stored).unwrap_or_else(|_| Value::from(stored)),
    };
    if let Some(map) = value.as_object_mut() {
        map.remove("kind");
        map.remove("code");
        if !victims {
            map.remove("victims");
        }
    }
    value
}

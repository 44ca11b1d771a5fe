//! `GET /api/search?q=&limit=`: the records whose code or name matches, of those the caller
//! may see, best first (`bonifica_app::search` finds and ranks them).

use crate::wire::Query;
use axum::Json;
use axum::extract::State;
use bonifica_model::RecordKind;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use bonifica_app::search::{Hit, search};

/// Query of `/api/search`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Two characters or more of a code or a name (`HA-0042`, `kup`, `DT-01`); case does not
    /// matter.
    pub q: String,
    /// Hits at most, 1 to 100 (default 20).
    pub limit: Option<usize>,
}

/// One record found.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitOut {
    /// `hazard_area`, `asset`, `settlement`, `team`, `crew` or `organisation`.
    pub kind: String,
    /// The record's path in the API (`/api/hazard-areas/{id}`).
    pub href: String,
    pub id: Uuid,
    pub code: String,
    pub label: String,
    /// `[west, south, east, north]`, WGS 84; absent for an organisation.
    pub bbox: Option<[f64; 4]>,
}

/// What a search found.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchOut {
    pub items: Vec<HitOut>,
}

/// The word and the API collection of a kind of record found.
fn kind_words(kind: RecordKind) -> (&'static str, &'static str) {
    match kind {
        RecordKind::HazardArea => ("hazard_area", "hazard-areas"),
        RecordKind::Asset => ("asset", "assets"),
        RecordKind::Settlement => ("settlement", "settlements"),
        RecordKind::Team => ("team", "teams"),
        RecordKind::Crew => ("crew", "crews"),
        RecordKind::Organisation => ("organisation", "organisations"),
        RecordKind::Person => ("person", "people"),
        RecordKind::Contract => ("contract", "contracts"),
        RecordKind::Region => ("region", "regions"),
        RecordKind::River => ("river", "rivers"),
    }
}

fn hit_out(hit: Hit) -> HitOut {
    let (kind, collection) = kind_words(hit.kind);
    HitOut {
        kind: kind.to_string(),
        href: format!("/api/{collection}/{}", hit.id),
        id: hit.id,
        code: hit.code,
        label: hit.label,
        bbox: hit.bbox,
    }
}

/// Searches the codes and names of hazard areas, assets, settlements, teams, crews and
/// organisations the caller may see: exact codes first, then code prefixes, name words and
/// any part.
#[utoipa::path(get, path = "/api/search", tag = "records", params(SearchParams),
    responses((status = 200, description = "Hits, best first", body = SearchOut),
              (status = 400, description = "No query, under two characters, or a limit out of range", body = crate::error::Problem),
              (status = 401, description = "Not signed in", body = crate::error::Problem)))]
pub async fn search_get(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<SearchParams>,
) -> Result<Json<SearchOut>, ApiError> {
    let limit = params.limit.unwrap_or(20);
    let hits = state
        .read(|model| search(model, &caller, &params.q, limit))?
        .map_err(|e| match e {
            bonifica_app::AppError::Invalid { field, problem } => {
                ApiError::field_status(axum::http::StatusCode::BAD_REQUEST, field, problem)
            }
            other => other.into(),
        })?;
    Ok(Json(SearchOut {
        items: hits.into_iter().map(hit_out).collect(),
    }))
}

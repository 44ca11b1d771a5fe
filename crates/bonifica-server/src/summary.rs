//! `/api/summary`: counts and hazardous area of what the caller may see. Restricted
//! records are not counted for roles that may not see them.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use bonifica_model::{Dataset, RecordKind};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Verb, role_allows, visible};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// Counts of the records the caller may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryOut {
    pub regions: usize,
    pub organisations: usize,
    /// Absent for roles that may not read people.
    pub people: Option<usize>,
    pub contracts: Option<usize>,
    pub teams: usize,
    pub crews: usize,
    pub settlements: usize,
    pub hazard_areas: usize,
    pub assets: usize,
    pub damaged_assets: usize,
    /// Hazardous area in km², by classification then status.
    pub hazard_km2: BTreeMap<String, BTreeMap<String, f64>>,
}

/// Counts and hazardous area of what the caller may see.
#[utoipa::path(get, path = "/api/summary", tag = "summary",
    responses((status = 200, description = "Counts", body = SummaryOut),
              (status = 401, description = "Not signed in", body = crate::error::Problem)))]
pub async fn summary_get(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<SummaryOut>, ApiError> {
    state.read(|model| {
        let d = &model.data;
        let seen = Dataset {
            hazard_areas: d
                .hazard_areas
                .iter()
                .filter(|h| visible(&caller, model, *h))
                .cloned()
                .collect(),
            assets: d
                .assets
                .iter()
                .filter(|a| visible(&caller, model, *a))
                .cloned()
                .collect(),
            ..Dataset::default()
        };
        let s = seen.summary(crate::resources::hazards::today());
        let personal = |kind| role_allows(caller.role, kind, Verb::Read);
        Json(SummaryOut {
            regions: d.regions.len(),
            organisations: d.organisations.len(),
            people: personal(RecordKind::Person).then(|| {
                d.people
                    .iter()
                    .filter(|p| visible(&caller, model, *p))
                    .count()
            }),
            contracts: personal(RecordKind::Contract).then(|| {
                d.contracts
                    .iter()
                    .filter(|c| visible(&caller, model, *c))
                    .count()
            }),
            teams: d.teams.len(),
            crews: d.crews.len(),
            settlements: d.settlements.len(),
            hazard_areas: s.hazard_areas,
            assets: s.assets,
            damaged_assets: s.damaged_assets,
            hazard_km2: s.hazard_km2,
        })
    })
}

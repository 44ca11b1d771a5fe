//! `/api/summary`: counts, hazardous area, damaged and reopened network, workforce and
//! contracts ending soon, of what the caller may see. Restricted records are not counted
//! for roles that may not see them; people and contracts only for roles that may read
//! them, and only those within the caller's scope; `bonifica_app::summary` counts.

use std::collections::{BTreeMap, HashMap};

use crate::wire::Query;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use bonifica_model::Date;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use bonifica_app::summary::seen_summary;

/// Counts of the records the caller may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryOut {
    /// The day contract horizons are counted from.
    #[schema(value_type = String, format = Date)]
    pub as_of: Date,
    pub regions: usize,
    pub organisations: usize,
    /// Absent for roles that may not read people.
    pub people: Option<usize>,
    /// Demining staff (deminers, team leaders, medics, dog handlers, machine
    /// operators): people without a reconstruction trade. Absent for roles that may not
    /// read people.
    pub deminers: Option<usize>,
    /// People with a reconstruction trade. Absent for roles that may not read people.
    pub reconstruction_workers: Option<usize>,
    pub contracts: Option<usize>,
    /// Contracts whose last day falls within 30, 60 and 90 days of `as_of` (each count
    /// includes the shorter horizons). Absent for roles that may not read contracts.
    pub contracts_ending: Option<ContractsEndingOut>,
    pub teams: usize,
    pub crews: usize,
    pub settlements: usize,
    pub hazard_areas: usize,
    pub assets: usize,
    /// Assets damaged and not yet back in service.
    pub damaged_assets: usize,
    /// Geodesic length of the damaged road and railway segments not yet back in
    /// service, km.
    pub damaged_road_km: f64,
    pub damaged_rail_km: f64,
    /// Geodesic length of the road and railway segments recorded as restored, km.
    pub reopened_road_km: f64,
    pub reopened_rail_km: f64,
    /// Hazardous area in km², by classification then status.
    pub hazard_km2: BTreeMap<String, BTreeMap<String, f64>>,
}

/// Contracts ending within 30, 60 and 90 days.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractsEndingOut {
    pub in_30_days: usize,
    pub in_60_days: usize,
    pub in_90_days: usize,
}

/// The parameters of `/api/summary`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryParams {
    /// The day contract horizons are counted from, `YYYY-MM-DD` (default: today, UTC).
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<Date>,
}

impl SummaryParams {
    /// Reads the query; an unknown parameter or a malformed date is a 400 naming it.
    fn parse(query: &HashMap<String, String>) -> Result<SummaryParams, ApiError> {
        if let Some(other) = query.keys().find(|k| k.as_str() != "as_of") {
            return Err(ApiError::field_status(
                StatusCode::BAD_REQUEST,
                other.clone(),
                "the summary takes only as_of",
            ));
        }
        let as_of = query
            .get("as_of")
            .map(|v| {
                v.parse::<Date>().map_err(|_| {
                    ApiError::field_status(
                        StatusCode::BAD_REQUEST,
                        "as_of",
                        format!("{v:?} is not a date (YYYY-MM-DD)"),
                    )
                })
            })
            .transpose()?;
        Ok(SummaryParams { as_of })
    }
}

/// Counts and totals of what the caller may see.
#[utoipa::path(get, path = "/api/summary", tag = "summary", params(SummaryParams),
    responses((status = 200, description = "Counts", body = SummaryOut),
              (status = 400, description = "A parameter is wrong", body = crate::error::Problem),
              (status = 401, description = "Not signed in", body = crate::error::Problem)))]
pub async fn summary_get(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<SummaryOut>, ApiError> {
    let params = SummaryParams::parse(&query)?;
    let as_of = params
        .as_of
        .unwrap_or_else(crate::resources::hazards::today);
    let seen = state.read(|model| seen_summary(model, &caller, as_of))?;
    let s = seen.counts;
    let [in_30_days, in_60_days, in_90_days] = s.contracts_ending_30_60_90;
    Ok(Json(SummaryOut {
        as_of,
        regions: seen.regions,
        organisations: seen.organisations,
        people: seen.reads_people.then_some(s.people),
        deminers: seen.reads_people.then_some(s.deminers),
        reconstruction_workers: seen.reads_people.then_some(s.workers),
        contracts: seen.reads_contracts.then_some(s.contracts),
        contracts_ending: seen.reads_contracts.then_some(ContractsEndingOut {
            in_30_days,
            in_60_days,
            in_90_days,
        }),
        teams: seen.teams,
        crews: seen.crews,
        settlements: seen.settlements,
        hazard_areas: s.hazard_areas,
        assets: s.assets,
        damaged_assets: s.damaged_assets,
        damaged_road_km: s.damaged_road_km,
        damaged_rail_km: s.damaged_rail_km,
        reopened_road_km: seen.reopened_road_km,
        reopened_rail_km: seen.reopened_rail_km,
        hazard_km2: s.hazard_km2,
    }))
}

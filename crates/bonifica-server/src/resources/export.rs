//! `GET /api/export/{collection}`: a whole list, as the same filters and sort leave it, in
//! one file (CSV, GeoJSON or a `.gpkg` file). What the caller may not see is never in it.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use bonifica_model::{
    Asset, Contract, Crew, HazardArea, Organisation, Person, Region, Settlement, Team,
};

use crate::auth::Caller;
use crate::crud::export;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::Path;

/// Exports a list: `format=csv` for every collection, `geojson` and `gpkg` for hazard areas,
/// assets, settlements and regions (`gpkg`: not regions); the list's own filters, `q` and
/// `sort` apply, without paging.
#[utoipa::path(get, path = "/api/export/{collection}", tag = "records",
    params(
        ("collection" = String, Path, description = "hazard-areas, assets, settlements, regions, organisations, people, contracts, teams or crews"),
        ("format" = String, Query, description = "csv, geojson or gpkg"),
        crate::wire::ListParams),
    responses(
        (status = 200, description = "The file, as an attachment", content(
            (String = "text/csv"),
            (String = "application/geo+json"),
            (Vec<u8> = "application/geopackage+sqlite3"))),
        (status = 400, description = "No or a wrong format, or a bad filter", body = crate::error::Problem),
        (status = 401, description = "Not signed in", body = crate::error::Problem),
        (status = 403, description = "Not for this role", body = crate::error::Problem),
        (status = 404, description = "No such collection", body = crate::error::Problem)))]
pub async fn export_get(
    State(state): State<AppState>,
    caller: Caller,
    Path(collection): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    match collection.as_str() {
        "hazard-areas" => export::<HazardArea>(state, caller, query).await,
        "assets" => export::<Asset>(state, caller, query).await,
        "settlements" => export::<Settlement>(state, caller, query).await,
        "regions" => export::<Region>(state, caller, query).await,
        "organisations" => export::<Organisation>(state, caller, query).await,
        "people" => export::<Person>(state, caller, query).await,
        "contracts" => export::<Contract>(state, caller, query).await,
        "teams" => export::<Team>(state, caller, query).await,
        "crews" => export::<Crew>(state, caller, query).await,
        other => Err(ApiError::not_found(&format!("collection {other:?}"))),
    }
}

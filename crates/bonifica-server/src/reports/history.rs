//! `GET /api/hazard-areas/{id}/history`: every version of a hazard area with its date of
//! information, the land released from it, and the approved reports about it. Seen by
//! whoever may see the area.

use crate::wire::Path;
use axum::Json;
use axum::extract::State;
use bonifica_model::{HazardArea, RecordKind, ReportKind};
use bonifica_store::ReportQuery;
use uuid::Uuid;

use crate::auth::Caller;
use crate::crud::find_visible;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::polygonal_json;
use bonifica_app::access::{Verb, require};

use super::code_of;
use super::wire::{HistoryOut, ReleasedOut, ReportRef, VersionOut};

fn version_out(a: &HazardArea) -> VersionOut {
    VersionOut {
        version: a.version,
        as_of: a.as_of,
        classification: a.classification().as_str().to_string(),
        status: a.status().as_str().to_string(),
        closure_reason: a.status().closure_reason().map(|r| r.as_str().to_string()),
        area_m2: a.area_m2(),
        geometry: polygonal_json(a.geometry()),
    }
}

/// A hazard area's history: its versions oldest first (the current one last), the land
/// released from it, and the approved reports about it.
#[utoipa::path(get, path = "/api/hazard-areas/{id}/history", tag = "hazard areas",
    params(("id" = Uuid, Path, description = "The hazard area's id")),
    responses(
        (status = 200, description = "The history", body = HistoryOut),
        (status = 401, description = "Not signed in", body = crate::error::Problem),
        (status = 404, description = "No such area, or not visible", body = crate::error::Problem)))]
pub async fn hazards_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<HistoryOut>, ApiError> {
    require(&caller, RecordKind::HazardArea, Verb::Read)?;
    let current = state.read(|model| find_visible::<HazardArea>(model, &caller, id))??;
    let (earlier, released, reports) = state
        .with_store(move |store| {
            let earlier = store.hazard_area_history(id)?;
            let released = store.released_land(id)?;
            let mut reports = store.reports(&ReportQuery {
                state: Some("approved".to_string()),
                hazard_area_id: Some(id),
                include_restricted: true,
                ..ReportQuery::default()
            })?;
            // Incidents are kept but change nothing on the area.
            reports.retain(|r| r.kind != ReportKind::Incident.as_str());
            reports.sort_by(|a, b| a.updated_at.cmp(&b.updated_at));
            Ok((earlier, released, reports))
        })
        .await?;
    let mut versions: Vec<VersionOut> = earlier.iter().map(|v| version_out(&v.area)).collect();
    versions.push(version_out(&current));
    let code_of_report = |report: Uuid| reports.iter().find(|r| r.id == report).map(code_of);
    let released = released
        .iter()
        .map(|r| ReleasedOut {
            id: r.id,
            geometry: polygonal_json(&r.polygon),
            reason: r.reason.as_str().to_string(),
            released_on: r.released_on,
            area_m2: r.area_m2,
            cancelled_m2: r.by_outcome.cancelled_m2,
            reduced_m2: r.by_outcome.reduced_m2,
            cleared_m2: r.by_outcome.cleared_m2,
            report_id: r.report_id,
            report_code: code_of_report(r.report_id),
        })
        .collect();
    let reports = reports
        .iter()
        .map(|r| ReportRef {
            id: r.id,
            code: code_of(r),
            kind: r.kind.clone(),
            date: r.report_date,
        })
        .collect();
    Ok(Json(HistoryOut {
        id,
        code: current.code.to_string(),
        versions,
        released,
        reports,
    }))
}

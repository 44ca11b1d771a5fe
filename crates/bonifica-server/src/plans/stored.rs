//! Plans stored in the region file, opened through `GET /api/plans/{id}` by their id or
//! scenario name once no job of this server holds them (after a restart, or after the job
//! was forgotten).
//!
//! The store gives a stored plan back as the planner's own [`Plan`], so it goes on the
//! wire, and loses its restricted records for readers without the right, through the
//! same code as a job's.
//! Restricted records are taken out against the register as it is now; the per-record
//! P50/P90 forecast is not stored with the plan, so a stored plan has no `forecast`.

use std::collections::HashSet;

use bonifica_planner::{Plan, Planner};
use bonifica_store::StoredPlan;
use uuid::Uuid;

use crate::error::ApiError;
use crate::plans::wire::{PlanJobOut, PlanOut};
use crate::state::AppState;
use bonifica_app::plan_view::{restricted_ids, without_restricted};

/// The stored plan whose id or scenario name is `key`, with its header, as
/// `sees_restricted` may read it; `Err(404)` when there is none. Blocks: call it off the
/// async runtime.
pub fn read(
    state: &AppState,
    key: &str,
    sees_restricted: bool,
) -> Result<(StoredPlan, Plan), ApiError> {
    let not_found = || ApiError::not_found(&format!("plan job or stored plan {key:?}"));
    let plans = state.with_store_here(|store| Ok(store.plans()?))?;
    let header = plans
        .into_iter()
        .find(|p| p.id.to_string() == key || p.name == key)
        .ok_or_else(not_found)?;
    let plan = state
        .with_store_here(|store| Ok(store.plan(&header.name)?))?
        .ok_or_else(not_found)?;
    if sees_restricted {
        return Ok((header, plan));
    }
    // The register is copied so that preparing the planner's view of it (a second or so
    // on a full region) does not hold up writers.
    let data = state.read(|m| m.data.clone())?;
    let planner = Planner::new(&data, &state.programme(), plan.start_date)
        .map_err(|e| ApiError::internal(&format!("stored plan {}: {e}", header.name)))?;
    let restricted: HashSet<Uuid> = restricted_ids(&data);
    let (open, _) = without_restricted(&plan, None, &planner, &restricted);
    Ok((header, open))
}

/// The stored plan whose id or scenario name is `key`, as `sees_restricted` may read it,
/// in the shape of a finished job; `Err(404)` when there is none. Blocks: call it off the
/// async runtime.
pub fn open(state: &AppState, key: &str, sees_restricted: bool) -> Result<PlanJobOut, ApiError> {
    let (header, plan) = read(state, key, sees_restricted)?;
    let result = state.read(|m| PlanOut::new(&plan, None, &m.data))?;
    Ok(PlanJobOut {
        id: header.id,
        scenario: header.name,
        state: "done".to_string(),
        progress: 1.0,
        best_objective: Some(header.objective),
        iterations: 0,
        started: header.created.clone(),
        finished: Some(header.created),
        error: None,
        stored: true,
        result: Some(result),
    })
}

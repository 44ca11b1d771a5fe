//! What the field reports say against the plan: `/api/plan-vs-actual` per team and hazard
//! area, `/api/productivity` (rates learned from approved daily progress, which the next
//! plan and its forecast use), and `/api/audit`, the hash-chained audit log.
//! What each reader sees of them is decided by [`bonifica_app::progress`] and
//! [`bonifica_app::audit`].

use crate::wire::Query;
use axum::Json;
use axum::extract::State;
use bonifica_model::Date;
use bonifica_planner::PlannerConfig;
use bonifica_planner::actual::{ActualWork, LearnedRates, PlanVsActual};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use bonifica_app::audit::{self, Window};
use bonifica_app::progress;

/// Approved daily progress, all of it (restricted included: the application layer keeps
/// what a caller may see).
async fn approved_work(state: &AppState) -> Result<Vec<ActualWork>, ApiError> {
    state
        .with_store(|store| Ok(progress::approved_work(store)?))
        .await
}

/// Query of `/api/plan-vs-actual`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PlanVsActualParams {
    /// The stored plan (its name, such as `base`); when absent, the base plan
    /// (or, before one is stored, the newest stored plan).
    pub plan: Option<String>,
    /// The day to compare at (default today).
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<Date>,
}

/// Planned against actual, per team and per hazard area.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanVsActualOut {
    /// The plan compared with.
    pub plan: String,
    /// Everything else as [`bonifica_planner::actual::PlanVsActual`]: `as_of`, totals,
    /// `units` and `hazard_areas`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub figures: PlanVsActual,
}

/// Planned against actual per team and per hazard area, from a stored plan and the approved
/// daily progress reports.
#[utoipa::path(get, path = "/api/plan-vs-actual", tag = "reports", params(PlanVsActualParams),
    responses((status = 200, description = "Planned against actual", body = PlanVsActualOut),
              (status = 404, description = "No such stored plan", body = crate::error::Problem)))]
pub async fn plan_vs_actual_get(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<PlanVsActualParams>,
) -> Result<Json<PlanVsActualOut>, ApiError> {
    let wanted = params.plan.clone();
    let (name, plan) = state
        .with_store(move |store| Ok(progress::plan_to_follow(store, wanted)?))
        .await?;
    let actual = approved_work(&state).await?;
    let as_of = params
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let figures =
        state.read(|model| progress::against_plan(model, &caller, &plan, actual, as_of))?;
    Ok(Json(PlanVsActualOut {
        plan: name,
        figures,
    }))
}

/// Productivity learned from approved daily progress reports.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductivityOut {
    /// `reports_used`, `overall_ratio`, effects `by_method`, `by_terrain`,
    /// `by_contamination` (reports and factor each), and `productivity`: the configured
    /// rates with the learned effects applied, as the planner takes them.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub learned: LearnedRates,
}

/// The productivity rates learned from approved daily progress, against the configured
/// ones. Plans started through the API use them.
#[utoipa::path(get, path = "/api/productivity", tag = "reports",
    responses((status = 200, description = "Learned rates", body = ProductivityOut)))]
pub async fn productivity_get(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ProductivityOut>, ApiError> {
    let actual = approved_work(&state).await?;
    let programme = state.programme();
    let learned = state.read(|model| progress::productivity(model, &caller, &programme, actual))?;
    Ok(Json(ProductivityOut { learned }))
}

/// The rates a new plan should use: `config` with what approved daily progress taught
/// (unchanged while no report carries a rate). For a planning thread: blocks on the store.
pub fn learned_config(state: &AppState, config: PlannerConfig) -> Result<PlannerConfig, ApiError> {
    let actual = state.with_store_here(|store| Ok(progress::approved_work(store)?))?;
    state.read(|model| progress::learned_config(&model.data, config, &actual))
}

/// A query parameter that is wrong: 400, like every list's (docs/api.md, Errors).
fn bad_query(field: &str, problem: impl Into<String>) -> ApiError {
    ApiError::field_status(axum::http::StatusCode::BAD_REQUEST, field, problem)
}

/// Query of `/api/audit`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Entries after this sequence number (default 0: from the first).
    pub after: Option<u64>,
    /// At most this many entries, 1 to 1000 (default 100).
    pub limit: Option<usize>,
    /// The newest this many entries, 1 to 1000, oldest of them first: the log's last page
    /// in one call (instead of `after` and `limit`).
    pub last: Option<usize>,
    /// `SEQ:HASH`, an anchor an earlier answer gave: the log must still hold that entry
    /// with that hash (409 when it does not).
    pub anchor: Option<String>,
}

/// One audit log entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryOut {
    pub seq: u64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub hash: String,
}

/// A page of the audit log and whether its chain holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditOut {
    pub entries: Vec<AuditEntryOut>,
    /// Entries in the whole log.
    pub total: u64,
    /// The hash at the head of the chain.
    pub head: String,
    /// `SEQ:HASH` of the head: keep it outside Bonifica and pass it back as `anchor`
    /// (or to `bonifica audit verify --anchor`) to show the log was not rewritten since.
    pub anchor: String,
}

/// The audit log: who changed what and when, before and after, hash-chained. For the
/// coordinator and the defence liaison; the chain is verified on every call.
#[utoipa::path(get, path = "/api/audit", tag = "reports", params(AuditParams),
    responses((status = 200, description = "Audit entries", body = AuditOut),
              (status = 403, description = "Not for this role", body = crate::error::Problem),
              (status = 409, description = "The chain does not hold", body = crate::error::Problem)))]
pub async fn audit_get(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<AuditParams>,
) -> Result<Json<AuditOut>, ApiError> {
    audit::may_read(&caller)?;
    let limit = params.limit.or(params.last).unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        let field = if params.limit.is_some() {
            "limit"
        } else {
            "last"
        };
        return Err(bad_query(field, "must be 1 to 1000"));
    }
    if params.last.is_some() && (params.after.is_some() || params.limit.is_some()) {
        return Err(bad_query(
            "last",
            "gives the newest entries; it goes without after and limit",
        ));
    }
    let window = match params.last {
        Some(n) => Window::Last(n),
        None => Window::After {
            after: params.after.unwrap_or(0),
            limit,
        },
    };
    let anchors = params
        .anchor
        .as_deref()
        .map(str::parse::<bonifica_store::AuditAnchor>)
        .transpose()
        .map_err(|e| bad_query("anchor", e))?
        .into_iter()
        .collect::<Vec<_>>();
    let withheld = state.read(|model| audit::withheld_for(&caller, model))?;
    let (check, rows) = state
        .with_store(move |store| Ok(audit::read(store, &anchors, window, withheld)?))
        .await?;
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(Json(AuditOut {
        entries: rows
            .into_iter()
            .map(|e| AuditEntryOut {
                seq: e.seq,
                at: e.at,
                actor: e.actor,
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id,
                before: json(e.before),
                after: json(e.after),
                hash: e.hash,
            })
            .collect(),
        total: check.entries,
        anchor: format!("{}:{}", check.entries, check.head),
        head: check.head,
    }))
}

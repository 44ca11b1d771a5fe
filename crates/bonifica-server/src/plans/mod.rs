//! `/api/plans` and `/api/scenarios`: planning as a job. `POST /api/plans` starts the
//! planner on the whole register and returns the job's id; `GET /api/plans/{id}` gives
//! its progress, the best objective so far and, once it has one, the plan; `DELETE`
//! cancels it and keeps the best plan found. Coordinators and the defence liaison start
//! and cancel plans; every signed-in role reads them, without the restricted records it
//! may not see. Plans saved in the region file open through the same `GET`, by their id
//! or scenario name.

pub mod jobs;
pub mod scenarios;
pub mod stored;
pub mod wire;

use crate::wire::Path;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::{Caller, Role};
use crate::error::{ApiError, Problem};
use crate::plans::wire::{
    ComparisonOut, PlanIn, PlanJobOut, PlanListOut, PlanOut, ScenarioOut, StoredPlanOut,
};
use crate::state::AppState;
use crate::wire::parse_json;
use bonifica_app::planning::{Job, JobSpec, JobState, JobStatus};

/// `Err(403)` unless the caller may start and cancel plans.
fn require_planner(caller: &Caller) -> Result<(), ApiError> {
    match caller.role {
        Role::Coordinator | Role::DefenceLiaison => Ok(()),
        role => Err(ApiError::forbidden(format!(
            "role {} may read plans but not start or cancel them",
            role.as_str()
        ))),
    }
}

/// An integer field within `min..=max`, or its default.
fn bounded(
    field: &str,
    value: Option<u32>,
    default: u32,
    min: u32,
    max: u32,
) -> Result<u32, ApiError> {
    let v = value.unwrap_or(default);
    if (min..=max).contains(&v) {
        return Ok(v);
    }
    Err(ApiError::field(
        field,
        format!("{v} is out of range {min}..={max}"),
    ))
}

/// The job as `caller` may read it; the plan only when `with_result`.
fn job_out(job: &Job, status: &JobStatus, caller: &Caller, with_result: bool) -> PlanJobOut {
    let progress = match status.state {
        JobState::Running => (status.elapsed_s / f64::from(job.seconds.max(1))).clamp(0.0, 0.99),
        JobState::Failed => 0.0,
        JobState::Done | JobState::Cancelled => 1.0,
    };
    let result = status.outcome.as_ref().filter(|_| with_result).map(|o| {
        match caller.role.sees_restricted() {
            true => PlanOut::new(&o.full, o.full_forecast.as_ref(), &o.data),
            false => PlanOut::new(&o.open, o.open_forecast.as_ref(), &o.data),
        }
    });
    PlanJobOut {
        id: job.id,
        scenario: job.scenario.clone(),
        state: status.state.as_str().to_string(),
        progress,
        best_objective: status.best_objective,
        iterations: status.iterations,
        started: job.started.clone(),
        finished: status.finished.clone(),
        error: status.error.clone(),
        stored: false,
        result,
    }
}

fn job(state: &AppState, id: Uuid) -> Result<std::sync::Arc<Job>, ApiError> {
    state
        .jobs()
        .get(id)?
        .ok_or_else(|| ApiError::not_found("plan job"))
}

fn accepted(out: PlanJobOut, location: bool) -> Response {
    let path = format!("/api/plans/{}", out.id);
    let mut response = (StatusCode::ACCEPTED, Json(out)).into_response();
    if location && let Ok(v) = HeaderValue::from_str(&path) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// Starts planning the region (under a scenario) as a job; 202 with its id and Location.
#[utoipa::path(post, path = "/api/plans", tag = "plans", request_body = PlanIn,
    responses(
        (status = 202, description = "Started", body = PlanJobOut,
         headers(("Location" = String, description = "The job's URL"))),
        (status = 400, description = "Not JSON", body = Problem),
        (status = 401, description = "Not signed in", body = Problem),
        (status = 403, description = "Only coordinators and the defence liaison plan", body = Problem),
        (status = 409, description = "A plan is already running", body = Problem),
        (status = 422, description = "A field is wrong", body = Problem)))]
pub async fn plans_create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    // The role is checked before the body, so a viewer learns nothing from a 422.
    require_planner(&caller)?;
    let input: PlanIn = match body.is_empty() {
        true => PlanIn::default(),
        false => parse_json(&body)?,
    };
    let seconds = bounded("seconds", input.seconds, 30, 1, 300)?;
    let forecast_samples = bounded("forecast_samples", input.forecast_samples, 50, 0, 500)?;
    let dirs = state.scenario_dirs();
    let scenario_in = input.scenario;
    let scenario = tokio::task::spawn_blocking(move || scenarios::resolve(scenario_in, &dirs))
        .await
        .map_err(|e| ApiError::internal(&e))??;
    let spec = JobSpec {
        scenario,
        seconds,
        seed: input.seed.unwrap_or(1),
        forecast_samples,
        started_by: caller.username.clone(),
    };
    let job = jobs::start(&state, spec).await?;
    tracing::info!(job = %job.id, scenario = %job.scenario, by = %caller.username, "plan started");
    let out = job_out(&job, &job.status()?, &caller, false);
    Ok(accepted(out, true))
}

/// The jobs of this server (without their plans) and the plans saved in the region file.
#[utoipa::path(get, path = "/api/plans", tag = "plans",
    responses(
        (status = 200, description = "Jobs and stored plans", body = PlanListOut),
        (status = 401, description = "Not signed in", body = Problem)))]
pub async fn plans_list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<PlanListOut>, ApiError> {
    let mut jobs = Vec::new();
    for job in state.jobs().all()? {
        jobs.push(job_out(&job, &job.status()?, &caller, false));
    }
    let stored = state.with_store(|store| Ok(store.plans()?)).await?;
    let followed = bonifica_app::progress::followed(stored.clone()).map(|p| p.id);
    let stored = stored
        .into_iter()
        .map(|p| StoredPlanOut {
            id: p.id,
            name: p.name,
            created: p.created,
            start_date: p.start_date,
            objective: p.objective,
            baseline_objective: p.baseline_objective,
            programme_end: p.programme_end,
            programme_p50: p.programme_p50,
            programme_p90: p.programme_p90,
        })
        .collect();
    Ok(Json(PlanListOut {
        jobs,
        stored,
        followed,
    }))
}

/// A job's progress, best objective so far and, once it has one, its plan; or a plan
/// stored in the region file, by its id or scenario name, as a finished job.
#[utoipa::path(get, path = "/api/plans/{id}", tag = "plans",
    params(("id" = String, Path, description = "A job's id, or a stored plan's id or scenario name")),
    responses(
        (status = 200, description = "The job, or the stored plan (`stored: true`)", body = PlanJobOut),
        (status = 401, description = "Not signed in", body = Problem),
        (status = 404, description = "No such job or stored plan", body = Problem)))]
pub async fn plans_get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<PlanJobOut>, ApiError> {
    if let Ok(job_id) = id.parse::<Uuid>()
        && let Some(job) = state.jobs().get(job_id)?
    {
        return Ok(Json(job_out(&job, &job.status()?, &caller, true)));
    }
    let sees = caller.role.sees_restricted();
    let out = tokio::task::spawn_blocking(move || stored::open(&state, &id, sees))
        .await
        .map_err(|e| ApiError::internal(&e))??;
    Ok(Json(out))
}

/// Cancels a running job: the planner stops and the job keeps its best plan so far.
#[utoipa::path(delete, path = "/api/plans/{id}", tag = "plans",
    params(("id" = Uuid, Path, description = "The job's id")),
    responses(
        (status = 202, description = "Cancelling; poll the job", body = PlanJobOut),
        (status = 401, description = "Not signed in", body = Problem),
        (status = 403, description = "Only coordinators and the defence liaison cancel", body = Problem),
        (status = 404, description = "No such job", body = Problem)))]
pub async fn plans_delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    require_planner(&caller)?;
    let job = job(&state, id)?;
    job.cancel();
    tracing::info!(job = %job.id, by = %caller.username, "plan cancelled");
    let out = job_out(&job, &job.status()?, &caller, false);
    Ok(accepted(out, false))
}

/// The two plans to compare: each a job's id, or a stored plan's id or scenario name.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareParams {
    /// The first plan: a job's id, or a stored plan's id or name (`base`).
    pub a: String,
    /// The second plan, likewise.
    pub b: String,
}

/// Two finished plans side by side, jobs or stored plans: indicators, and assets restored
/// earlier or later in `b` than in `a`.
#[utoipa::path(get, path = "/api/plans/compare", tag = "plans", params(CompareParams),
    responses(
        (status = 200, description = "The comparison", body = ComparisonOut),
        (status = 400, description = "a or b missing or not an id", body = Problem),
        (status = 401, description = "Not signed in", body = Problem),
        (status = 404, description = "No such job or stored plan", body = Problem),
        (status = 409, description = "A job has no plan yet", body = Problem)))]
pub async fn plans_compare(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<axum::extract::Query<CompareParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ComparisonOut>, ApiError> {
    let axum::extract::Query(params) = query.map_err(|e| {
        let mut err = crate::wire::query_error(&e);
        err.detail = format!(
            "give two plans as a=ID&b=ID (job ids, or stored plans by id or name): {}",
            err.detail
        );
        err
    })?;
    let sees = caller.role.sees_restricted();
    let mut plans = Vec::new();
    for (field, key) in [("a", params.a), ("b", params.b)] {
        let held = match Uuid::parse_str(&key) {
            Ok(id) => state.jobs().get(id)?,
            Err(_) => None,
        };
        let plan = match held {
            Some(job) => {
                let status = job.status()?;
                let Some(outcome) = status.outcome else {
                    return Err(ApiError::field_status(
                        StatusCode::CONFLICT,
                        field,
                        format!(
                            "plan job {key} is {} and has no plan",
                            status.state.as_str()
                        ),
                    ));
                };
                if sees {
                    outcome.full.clone()
                } else {
                    outcome.open.clone()
                }
            }
            None => {
                let state = state.clone();
                tokio::task::spawn_blocking(move || stored::read(&state, &key, sees))
                    .await
                    .map_err(|e| ApiError::internal(&e))??
                    .1
            }
        };
        plans.push(plan);
    }
    let comparison = bonifica_planner::compare(&plans[0], &plans[1]);
    Ok(Json(comparison.into()))
}

/// The scenario files the server knows, by name.
#[utoipa::path(get, path = "/api/scenarios", tag = "plans",
    responses(
        (status = 200, description = "The scenarios", body = Vec<ScenarioOut>),
        (status = 401, description = "Not signed in", body = Problem)))]
pub async fn scenarios_list(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<Vec<ScenarioOut>>, ApiError> {
    let dirs = state.scenario_dirs();
    let list = tokio::task::spawn_blocking(move || scenarios::list(&dirs))
        .await
        .map_err(|e| ApiError::internal(&e))?;
    Ok(Json(list))
}

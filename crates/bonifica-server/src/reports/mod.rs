//! `/api/reports`: field reports filed from the field, their workflow (submit, verify,
//! approve, reject, revise), the approval that changes the official picture, batches from
//! phones syncing their outbox, and `/api/hazard-areas/{id}/history`. The contract is
//! `docs/reports.md`.
//!
//! Reports live in the store, not in the read model: every handler reads them there, under
//! the store's lock. Only an approval touches the register, and it goes through
//! [`AppState::write`] so the store and the read model change together.

mod approve;
mod file;
pub mod history;
pub mod wire;

use crate::wire::Path;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bonifica_model::{ReportKind, ReportState};
use bonifica_store::{ReportQuery, ReportRow, TransitionRow};
use uuid::Uuid;

use crate::auth::Caller;
use crate::crud::with_etag;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{JsonBody, Page, UnreadJson, parse_json};
use bonifica_app::Model;
use bonifica_app::access::visible;
use bonifica_app::report_rules as rules;
use bonifica_app::stored_report::{approvals_of, code_of};

pub use approve::take_step;
pub use file::{Filed, file_report};
pub use history::hazards_history;
use wire::{
    ApprovalOut, BatchIn, BatchOut, BatchResult, ReportIn, ReportOut, TransitionAnswer,
    TransitionIn, TransitionOut,
};

/// The most reports one batch may carry.
pub const MAX_BATCH: usize = 500;

/// The largest batch body accepted, bytes: 500 reports of about 30 kB each, a polygon of
/// some hundreds of vertices and a long note; a phone's outbox of a week.
pub const MAX_BATCH_BYTES: usize = 16 * 1024 * 1024;

/// A stored report as the caller may read it.
fn report_out(
    model: &Model,
    caller: &Caller,
    row: &ReportRow,
    transitions: &[TransitionRow],
) -> ReportOut {
    let d = &model.data;
    let area_code = row.hazard_area_id.and_then(|id| {
        d.hazard_areas
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.code.to_string())
    });
    let asset_code = row.asset_id.and_then(|id| {
        d.assets
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.code.to_string())
    });
    let unit_code = row.unit_id.and_then(|id| {
        d.teams
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.code.to_string())
            .or_else(|| {
                d.crews
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| c.code.to_string())
            })
    });
    ReportOut {
        id: row.id,
        code: code_of(row),
        client_id: row.client_id.clone(),
        kind: row.kind.clone(),
        state: row.state.clone(),
        date: row.report_date,
        hazard_area_id: row.hazard_area_id,
        hazard_area_code: area_code,
        asset_id: row.asset_id,
        asset_code,
        unit_id: row.unit_id,
        unit_code,
        organisation_id: row.organisation_id,
        restricted: row.restricted,
        based_on_version: row.based_on_version,
        body: wire::body_out(&row.kind, &row.body, rules::sees_victims(caller)),
        approvals: approvals_of(transitions)
            .into_iter()
            .map(|a| ApprovalOut {
                approver: a.approver.as_str().to_string(),
                actor: a.actor,
                at: a.at,
            })
            .collect(),
        transitions: transitions
            .iter()
            .map(|t| TransitionOut {
                action: t.action.clone(),
                from: t.from_state.clone(),
                to: t.to_state.clone(),
                actor: t.actor.clone(),
                role: t.role.clone(),
                at: t.at.clone(),
                comment: t.comment.clone(),
            })
            .collect(),
        actions: bonifica_app::steps::allowed(caller, row, transitions)
            .into_iter()
            .map(|a| a.as_str().to_string())
            .collect(),
        version: row.version,
        created_by: row.created_by.clone(),
        created_at: row.created_at.clone(),
        updated_at: row.updated_at.clone(),
    }
}

/// Reads a report the caller may see, with its transitions, or 404.
async fn load_visible(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<(ReportRow, Vec<TransitionRow>), ApiError> {
    let caller = caller.clone();
    state
        .with_store(move |store| {
            let row = store
                .report(id)?
                .filter(|r| rules::sees(&caller, r))
                .ok_or_else(|| ApiError::not_found("report"))?;
            let transitions = store.report_transitions(id)?;
            Ok((row, transitions))
        })
        .await
}

/// Files a report: `201` with the report and its `Location`, or `200` with
/// `Idempotent-Replayed: true` when the client id was already filed.
#[utoipa::path(post, path = "/api/reports", tag = "reports", request_body = ReportIn,
    responses(
        (status = 201, description = "Filed", body = ReportOut,
         headers(("Location" = String, description = "The report's path"))),
        (status = 200, description = "Already filed with this client id: the report as it stands",
         body = ReportOut,
         headers(("Idempotent-Replayed" = String, description = "true"))),
        (status = 400, description = "Not JSON, or an unknown field", body = crate::error::Problem),
        (status = 403, description = "Not for this role or unit", body = crate::error::Problem),
        (status = 409, description = "The hazard area changed since the version seen (with `changes`), the asset is still blocked, or the client id belongs to a report you cannot see", body = crate::error::Problem),
        (status = 422, description = "A field is wrong", body = crate::error::Problem)))]
pub async fn reports_create(
    State(state): State<AppState>,
    caller: Caller,
    body: UnreadJson,
) -> Result<Response, ApiError> {
    // The role first: a caller who files no reports is refused before the body is read.
    rules::files_reports(&caller)?;
    let input: ReportIn = body.parse().await?;
    Ok(file_report(&state, &caller, input).await?.into_response())
}

/// Files several reports, each on its own as `POST /api/reports` would (each its own
/// transaction): one result per report, in order; one bad report does not stop the others.
#[utoipa::path(post, path = "/api/reports/batch", tag = "reports", request_body = BatchIn,
    responses(
        (status = 200, description = "One result per report", body = BatchOut),
        (status = 400, description = "Not JSON", body = crate::error::Problem),
        (status = 413, description = "More than 500 reports", body = crate::error::Problem),
        (status = 422, description = "Not a batch", body = crate::error::Problem)))]
pub async fn reports_batch(
    State(state): State<AppState>,
    caller: Caller,
    body: UnreadJson,
) -> Result<Json<BatchOut>, ApiError> {
    rules::files_reports(&caller)?;
    let input: BatchIn = body.parse().await?;
    if input.reports.len() > MAX_BATCH {
        return Err(ApiError::field_status(
            StatusCode::PAYLOAD_TOO_LARGE,
            "reports",
            format!(
                "{} reports in one batch; send at most {MAX_BATCH}",
                input.reports.len()
            ),
        ));
    }
    let mut results = Vec::with_capacity(input.reports.len());
    for (i, value) in input.reports.into_iter().enumerate() {
        let client_id = value
            .get("client_id")
            .and_then(|c| c.as_str())
            .map(str::to_string);
        let bytes = serde_json::to_vec(&value).map_err(|e| ApiError::internal(&e))?;
        let filed = match parse_json::<ReportIn>(&bytes) {
            Ok(input) => file_report(&state, &caller, input).await,
            Err(e) => Err(e),
        };
        results.push(match filed {
            Ok(filed) => BatchResult {
                client_id,
                status: filed.status().as_u16(),
                report: Some(filed.into_report()),
                problem: None,
            },
            Err(e) => {
                if e.status.is_server_error() {
                    tracing::warn!(index = i, detail = %e.detail, "a report of a batch failed");
                }
                BatchResult {
                    client_id,
                    status: e.status.as_u16(),
                    report: None,
                    problem: Some(e.problem()),
                }
            }
        });
    }
    Ok(Json(BatchOut { results }))
}

/// The caller's inbox, newest first: a team leader sees their unit's reports, an
/// operations manager their organisation's, a viewer every report not restricted, the
/// coordinator and the defence liaison all.
#[utoipa::path(get, path = "/api/reports", tag = "reports", params(wire::ReportListParams),
    responses(
        (status = 200, description = "One page, newest first", body = Page<ReportOut>),
        (status = 400, description = "Bad filter", body = crate::error::Problem),
        (status = 401, description = "Not signed in", body = crate::error::Problem)))]
pub async fn reports_list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Page<ReportOut>>, ApiError> {
    let params = ListQuery::parse(query.as_deref())?;
    let (hazard_area, unit) = state.read(|model| params.resolve(model, &caller))??;
    let Some(mut q) = rules::inbox(&caller) else {
        return Ok(Json(Page {
            items: Vec::new(),
            total: 0,
            next: None,
        }));
    };
    q.state = params.state.clone();
    q.kind = params.kind.clone();
    q.hazard_area_id = hazard_area;
    if let Some(unit) = unit {
        if q.unit_id.is_some_and(|own| own != unit) {
            return Ok(Json(Page {
                items: Vec::new(),
                total: 0,
                next: None,
            }));
        }
        q.unit_id = Some(unit);
    }
    let size = params.page_size.unwrap_or(100);
    let after = params
        .page_token
        .as_deref()
        .map(|token| Uuid::parse_str(token).map_err(|_| bad_page_token()))
        .transpose()?;
    let who = caller.clone();
    // The store filters, orders and pages: an inbox costs one page of reports, however
    // many the programme has filed.
    let (total, page, more) = state
        .with_store(move |store| {
            if let Some(after) = after {
                store.report(after)?.ok_or_else(bad_page_token)?;
            }
            let total = store.count_reports(&q)?;
            let rows = store.reports(&ReportQuery {
                after_report: after,
                limit: Some(size + 1),
                ..q
            })?;
            let more = rows.len() > size;
            let mut page = Vec::new();
            for row in rows.into_iter().take(size) {
                // The query is the caller's scope; a report outside it is a bug, not a leak.
                if !rules::sees(&who, &row) {
                    return Err(ApiError::internal(&format!(
                        "report {} is outside the caller's inbox",
                        row.id
                    )));
                }
                let transitions = store.report_transitions(row.id)?;
                page.push((row, transitions));
            }
            Ok((total as usize, page, more))
        })
        .await?;
    let next = match (more, page.last()) {
        (true, Some((last, _))) => Some(next_link(query.as_deref(), last.id)),
        _ => None,
    };
    let items = state.read(|model| {
        page.iter()
            .map(|(row, t)| report_out(model, &caller, row, t))
            .collect()
    })?;
    Ok(Json(Page { items, total, next }))
}

fn bad_page_token() -> ApiError {
    ApiError::field_status(
        StatusCode::BAD_REQUEST,
        "page_token",
        "not a page token of this list; start again without it",
    )
}

fn next_link(query: Option<&str>, last: Uuid) -> String {
    let mut parts: Vec<String> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("page_token="))
        .map(str::to_string)
        .collect();
    parts.push(format!("page_token={last}"));
    format!("/api/reports?{}", parts.join("&"))
}

/// The inbox's query parameters, parsed.
#[derive(Debug, Default)]
struct ListQuery {
    state: Option<String>,
    kind: Option<String>,
    hazard_area: Option<String>,
    unit: Option<String>,
    page_size: Option<usize>,
    page_token: Option<String>,
}

impl ListQuery {
    fn parse(query: Option<&str>) -> Result<ListQuery, ApiError> {
        let mut q = ListQuery::default();
        for pair in query.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = crate::wire::decode(value);
            let bad =
                |problem: String| ApiError::field_status(StatusCode::BAD_REQUEST, key, problem);
            match key {
                "state" => {
                    ReportState::parse(&value).ok_or_else(|| {
                        bad(format!("{value:?} is not one of {}", ReportState::words()))
                    })?;
                    q.state = Some(value);
                }
                "kind" => {
                    ReportKind::parse(&value).ok_or_else(|| {
                        bad(format!("{value:?} is not one of {}", ReportKind::words()))
                    })?;
                    q.kind = Some(value);
                }
                "hazard_area" => q.hazard_area = Some(value),
                "unit" => q.unit = Some(value),
                "page_size" => q.page_size = Some(crate::wire::page_size(key, &value)?),
                "page_token" => q.page_token = Some(value),
                _ => {
                    return Err(bad(
                        "unknown parameter; this list accepts state, kind, hazard_area, unit, page_size, page_token"
                            .to_string(),
                    ));
                }
            }
        }
        Ok(q)
    }

    /// The hazard area and unit filters as ids.
    fn resolve(
        &self,
        model: &Model,
        caller: &Caller,
    ) -> Result<(Option<Uuid>, Option<Uuid>), ApiError> {
        let bad = |field: &str, text: &str, what: &str| {
            ApiError::field_status(
                StatusCode::BAD_REQUEST,
                field,
                format!("no {what} {text:?}"),
            )
        };
        let d = &model.data;
        let area = match self.hazard_area.as_deref() {
            None => None,
            Some(text) => Some(match Uuid::parse_str(text) {
                Ok(id) => id,
                Err(_) => d
                    .hazard_areas
                    .iter()
                    .find(|a| a.code.as_str() == text && visible(caller, model, *a))
                    .map(|a| a.id)
                    .ok_or_else(|| bad("hazard_area", text, "hazard area"))?,
            }),
        };
        let unit = match self.unit.as_deref() {
            None => None,
            Some(text) => Some(match Uuid::parse_str(text) {
                Ok(id) => id,
                Err(_) => d
                    .teams
                    .iter()
                    .find(|t| t.code.as_str() == text)
                    .map(|t| t.id)
                    .or_else(|| {
                        d.crews
                            .iter()
                            .find(|c| c.code.as_str() == text)
                            .map(|c| c.id)
                    })
                    .ok_or_else(|| bad("unit", text, "team or crew"))?,
            }),
        };
        Ok((area, unit))
    }
}

/// Reads one report; its ETag is its version.
#[utoipa::path(get, path = "/api/reports/{id}", tag = "reports",
    params(("id" = Uuid, Path, description = "The report's id")),
    responses(
        (status = 200, description = "The report", body = ReportOut,
         headers(("ETag" = String, description = "The version, quoted"))),
        (status = 401, description = "Not signed in", body = crate::error::Problem),
        (status = 404, description = "No such report, or not visible", body = crate::error::Problem)))]
pub async fn reports_get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let (row, transitions) = load_visible(&state, &caller, id).await?;
    let out = state.read(|model| report_out(model, &caller, &row, &transitions))?;
    Ok(with_etag(StatusCode::OK, row.version, out))
}

/// Edits a draft: the same fields as filing (`client_id` and `kind` never change,
/// `submit` must be false); `If-Match` must name the report's version.
#[utoipa::path(put, path = "/api/reports/{id}", tag = "reports", request_body = ReportIn,
    params(("id" = Uuid, Path, description = "The report's id"),
           ("If-Match" = String, Header, description = "The ETag read")),
    responses(
        (status = 200, description = "Edited", body = ReportOut),
        (status = 400, description = "An unknown field", body = crate::error::Problem),
        (status = 403, description = "Not the report's team leader", body = crate::error::Problem),
        (status = 404, description = "No such report, or not visible", body = crate::error::Problem),
        (status = 409, description = "Not a draft, or the hazard area changed since the version seen", body = crate::error::Problem),
        (status = 412, description = "Stale version", body = crate::error::Problem),
        (status = 422, description = "A field is wrong", body = crate::error::Problem),
        (status = 428, description = "If-Match missing", body = crate::error::Problem)))]
pub async fn reports_update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    JsonBody(input): JsonBody<ReportIn>,
) -> Result<Response, ApiError> {
    let out = file::edit_draft(&state, &caller, id, &headers, input).await?;
    Ok(with_etag(StatusCode::OK, out.version, out))
}

/// Takes one step of a report's workflow. An approval that completes the report changes
/// the register in one transaction and answers what it changed in `effect`.
#[utoipa::path(post, path = "/api/reports/{id}/transitions", tag = "reports",
    request_body = TransitionIn,
    params(("id" = Uuid, Path, description = "The report's id")),
    responses(
        (status = 200, description = "Taken", body = TransitionAnswer),
        (status = 403, description = "Not for this role, unit or organisation", body = crate::error::Problem),
        (status = 404, description = "No such report, or not visible", body = crate::error::Problem),
        (status = 409, description = "Not a step from the report's state (named), the hazard area changed, or the asset is still blocked", body = crate::error::Problem),
        (status = 422, description = "A field is wrong, or the report does not fit its hazard area (nothing changes)", body = crate::error::Problem)))]
pub async fn reports_transition(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    JsonBody(input): JsonBody<TransitionIn>,
) -> Result<Json<TransitionAnswer>, ApiError> {
    Ok(Json(take_step(&state, &caller, id, input).await?))
}

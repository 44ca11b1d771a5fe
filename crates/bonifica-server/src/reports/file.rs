//! Filing a report ([`file_report`], which the batch and the ODK submission call too) and
//! editing a draft: the request is read here, [`bonifica_app::filing`] checks it against
//! the register in memory and then, under the store's lock, stores it (see there for the
//! order of the checks).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bonifica_store::Inserted;
use uuid::Uuid;

use crate::auth::Caller;
use crate::crud::with_etag;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::if_match;
use bonifica_app::filing;

use super::wire::{self, ReportIn, ReportOut};
use super::{load_visible, report_out};

/// What filing did: a new report (`201`), or the report already filed with that client id
/// (`200`, `Idempotent-Replayed: true`).
#[derive(Debug, Clone)]
pub enum Filed {
    New(ReportOut),
    Replayed(ReportOut),
}

impl Filed {
    /// The report, new or not.
    pub fn report(&self) -> &ReportOut {
        match self {
            Filed::New(r) | Filed::Replayed(r) => r,
        }
    }

    /// The report, new or not.
    pub fn into_report(self) -> ReportOut {
        match self {
            Filed::New(r) | Filed::Replayed(r) => r,
        }
    }

    /// `201` for a new report, `200` for a replay.
    pub fn status(&self) -> StatusCode {
        match self {
            Filed::New(_) => StatusCode::CREATED,
            Filed::Replayed(_) => StatusCode::OK,
        }
    }
}

impl IntoResponse for Filed {
    fn into_response(self) -> Response {
        let status = self.status();
        let replayed = matches!(self, Filed::Replayed(_));
        let report = self.into_report();
        let location = format!("/api/reports/{}", report.id);
        let mut response = with_etag(status, report.version, report);
        let headers = response.headers_mut();
        if replayed {
            headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
        } else if let Ok(v) = HeaderValue::from_str(&location) {
            headers.insert(header::LOCATION, v);
        }
        response
    }
}

/// Files a report for the caller: see [`bonifica_app::filing`] for the checks.
pub async fn file_report(
    state: &AppState,
    caller: &Caller,
    input: ReportIn,
) -> Result<Filed, ApiError> {
    let client_id = filing::client_id(&input.client_id)?;
    let known = {
        let (who, key) = (caller.clone(), client_id.clone());
        state
            .with_store(move |store| Ok(filing::replay(store, &who, &key)?))
            .await?
    };
    if let Some((row, transitions)) = known {
        let out = state.read(|model| report_out(model, caller, &row, &transitions))?;
        return Ok(Filed::Replayed(out));
    }
    let body = wire::parse_body(&input.kind, input.fields)?;
    let buffer_m = state.programme().gating.buffer_m;
    let new = state.read(|model| {
        filing::prepare(
            model,
            caller,
            client_id,
            body,
            input.based_on_version,
            input.submit,
            buffer_m,
        )
    })??;
    let who = caller.clone();
    let (inserted, transitions) = state
        .with_store(move |store| Ok(filing::file(store, &who, new)?))
        .await?;
    let out = state.read(|model| report_out(model, caller, inserted.row(), &transitions))?;
    Ok(match inserted {
        Inserted::New(_) => Filed::New(out),
        Inserted::Existing(_) => Filed::Replayed(out),
    })
}

/// Edits a draft: `PUT /api/reports/{id}`.
pub async fn edit_draft(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    headers: &HeaderMap,
    input: ReportIn,
) -> Result<ReportOut, ApiError> {
    let (row, _) = load_visible(state, caller, id).await?;
    let expected = if_match(headers)?;
    filing::may_edit(caller, &row, &input.client_id, &input.kind)?;
    if input.submit {
        return Err(ApiError::field(
            "submit",
            "a PUT edits a draft; submit it with POST /api/reports/{id}/transitions",
        ));
    }
    let body = wire::parse_body(&input.kind, input.fields)?;
    let buffer_m = state.programme().gating.buffer_m;
    let edit = state.read(|model| {
        filing::prepare(
            model,
            caller,
            row.client_id.clone(),
            body,
            input.based_on_version,
            false,
            buffer_m,
        )
    })??;
    let who = caller.clone();
    let (row, transitions) = state
        .with_store(move |store| Ok(filing::edit(store, &who, id, expected, &edit)?))
        .await?;
    state.read(|model| report_out(model, caller, &row, &transitions))
}

//! Filing a report ([`file_report`], which the batch and the ODK submission call too) and
//! editing a draft.
//!
//! Filing checks, in order: a replay of a known client id answers the first report
//! whatever else the request says now; the kind's fields and the body's own checks; who
//! files for which unit; that the hazard area, asset and unit are known to the caller; that
//! an asset to rebuild is no longer blocked; then, under the store's lock, that the hazard
//! area is still at the version the team leader saw and that the report's polygon fits
//! what remains of the area. Only then is the report stored, in one transaction with its
//! submission and audit entry.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bonifica_model::{HazardArea, Polygonal, ReportBody, ReportError, cut_release, cut_to_revised};
use bonifica_store::{Backend, Inserted, ReportQuery, ReportRow, TransitionRow};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Caller, Role};
use crate::crud::with_etag;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::if_match;
use bonifica_app::Model;
use bonifica_app::access::{Scoped, visible};

use super::wire::{self, ReportIn, ReportOut};
use bonifica_app::gating;

use super::{load_visible, now, report_out};
use bonifica_app::report_rules as rules;

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

/// Files a report for the caller: see the module's documentation for the checks.
pub async fn file_report(
    state: &AppState,
    caller: &Caller,
    input: ReportIn,
) -> Result<Filed, ApiError> {
    let client_id = input.client_id.trim().to_string();
    if !is_client_id(&client_id) {
        return Err(ApiError::field(
            "client_id",
            format!(
                "{client_id:?} is not a UUID: the client chooses a random UUID per report \
                 (an OpenRosa instanceID `uuid:...` is accepted too)"
            ),
        ));
    }
    let known = {
        let (who, key) = (caller.clone(), client_id.clone());
        state
            .with_store(move |store| replay(store, &who, &key))
            .await?
    };
    if let Some((row, transitions)) = known {
        let out = state.read(|model| report_out(model, caller, &row, &transitions))?;
        return Ok(Filed::Replayed(out));
    }
    let body = wire::parse_body(&input.kind, input.fields)?;
    check_body(&body)?;
    let subject = state.read(|model| resolve(model, caller, &body))??;
    if input.based_on_version.is_some() && subject.hazard_area_id.is_none() {
        return Err(ApiError::field(
            "based_on_version",
            "only a report on a hazard area carries the version of the area seen",
        ));
    }
    refuse_blocked_asset(state, caller, &body)?;
    let who = caller.clone();
    let based_on = input.based_on_version;
    let submit = input.submit;
    let (inserted, transitions) = state
        .with_store(move |store| {
            if let Some((row, transitions)) = replay(store, &who, &client_id)? {
                return Ok((Inserted::Existing(row), transitions));
            }
            if let Some(area) = subject.hazard_area_id {
                let area = stored_area(store, area)?;
                if let Some(seen) = based_on {
                    check_based_on(store, &area, seen)?;
                }
                check_fits(store, &area, &body)?;
            }
            let code = next_code(store, subject.restricted)?;
            let at = now();
            let mut row = ReportRow {
                id: Uuid::new_v4(),
                client_id,
                kind: body.kind().as_str().to_string(),
                state: "draft".to_string(),
                hazard_area_id: subject.hazard_area_id,
                asset_id: subject.asset_id,
                unit_id: subject.unit_id,
                organisation_id: subject.organisation_id,
                restricted: subject.restricted,
                based_on_version: based_on,
                report_date: body.date(),
                body: wire::stored_body(&code, &body)?,
                geometry: body.geometry().cloned(),
                approvals: Vec::new(),
                version: 1,
                created_by: who.username.clone(),
                created_at: at.clone(),
                updated_at: at.clone(),
            };
            let submission = submit.then(|| {
                // Filed (version 1) and submitted (version 2) in one transaction.
                row.state = "submitted".to_string();
                row.version = 2;
                TransitionRow {
                    action: "submit".to_string(),
                    from_state: "draft".to_string(),
                    to_state: "submitted".to_string(),
                    actor: who.username.clone(),
                    role: who.role.as_str().to_string(),
                    comment: None,
                    at,
                }
            });
            let inserted = store.insert_report(&row, submission.as_ref())?;
            if !rules::sees(&who, inserted.row()) {
                return Err(client_id_taken());
            }
            let transitions = store.report_transitions(inserted.row().id)?;
            Ok((inserted, transitions))
        })
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
    rules::may_edit(caller, &row)?;
    if input.submit {
        return Err(ApiError::field(
            "submit",
            "a PUT edits a draft; submit it with POST /api/reports/{id}/transitions",
        ));
    }
    for (field, given, stored) in [
        ("client_id", input.client_id.trim(), row.client_id.as_str()),
        ("kind", input.kind.as_str(), row.kind.as_str()),
    ] {
        if given != stored {
            return Err(ApiError::field(
                field,
                format!("is {stored:?} for this report and never changes"),
            ));
        }
    }
    let body = wire::parse_body(&input.kind, input.fields)?;
    check_body(&body)?;
    let subject = state.read(|model| resolve(model, caller, &body))??;
    refuse_blocked_asset(state, caller, &body)?;
    let who = caller.clone();
    let based_on = input.based_on_version;
    let (row, transitions) = state
        .with_store(move |store| {
            let stored = store
                .report(id)?
                .ok_or_else(|| ApiError::not_found("report"))?;
            if stored.state != "draft" {
                return Err(ApiError::field_status(
                    StatusCode::CONFLICT,
                    "state",
                    format!(
                        "report {} is {}: only a draft can be edited (a rejected report is revised first)",
                        super::code_of(&stored),
                        stored.state
                    ),
                ));
            }
            if let Some(area) = subject.hazard_area_id {
                let area = stored_area(store, area)?;
                if let Some(seen) = based_on {
                    check_based_on(store, &area, seen)?;
                }
                check_fits(store, &area, &body)?;
            }
            let edited = ReportRow {
                hazard_area_id: subject.hazard_area_id,
                asset_id: subject.asset_id,
                unit_id: subject.unit_id,
                organisation_id: subject.organisation_id,
                restricted: subject.restricted,
                based_on_version: based_on,
                report_date: body.date(),
                body: wire::stored_body(&super::code_of(&stored), &body)?,
                geometry: body.geometry().cloned(),
                version: expected + 1,
                updated_at: now(),
                ..stored
            };
            store.update_report(&edited, expected, &who.username)?;
            let transitions = store.report_transitions(id)?;
            Ok((edited, transitions))
        })
        .await?;
    state.read(|model| report_out(model, caller, &row, &transitions))
}

/// The stored report with this client id, if the caller may see it; `Err(409)` if it is
/// someone else's.
fn replay(
    store: &dyn Backend,
    caller: &Caller,
    client_id: &str,
) -> Result<Option<(ReportRow, Vec<TransitionRow>)>, ApiError> {
    let Some(row) = store.report_by_client_id(client_id)? else {
        return Ok(None);
    };
    if !rules::sees(caller, &row) {
        return Err(client_id_taken());
    }
    let transitions = store.report_transitions(row.id)?;
    Ok(Some((row, transitions)))
}

fn client_id_taken() -> ApiError {
    ApiError::field_status(
        StatusCode::CONFLICT,
        "client_id",
        "already names another report; choose a new UUID",
    )
}

/// A 422 naming the field of a report body's problem.
pub(super) fn report_error(e: &ReportError) -> ApiError {
    field_error(e.field(), &e.to_string())
}

/// A 422 on `field` whose message may already start with `field {field}: `.
pub(super) fn field_error(field: &str, message: &str) -> ApiError {
    let prefix = format!("field {field}: ");
    ApiError::field(field, message.strip_prefix(&prefix).unwrap_or(message))
}

/// What the report is about, resolved in the read model.
#[derive(Debug, Clone, Copy)]
struct Subject {
    hazard_area_id: Option<Uuid>,
    asset_id: Option<Uuid>,
    unit_id: Option<Uuid>,
    organisation_id: Option<Uuid>,
    restricted: bool,
}

/// Resolves the report's hazard area, asset and unit, and checks that the caller files
/// for that unit. A hazard area or asset the caller may not see is unknown (422).
fn resolve(model: &Model, caller: &Caller, body: &ReportBody) -> Result<Subject, ApiError> {
    if !matches!(caller.role, Role::TeamLeader | Role::DefenceLiaison) {
        // Refuses every role but the two that file.
        rules::may_file(caller, None, "team_id", false)?;
    }
    let d = &model.data;
    let area = match body.hazard_area_id() {
        None => None,
        Some(id) => Some(
            d.hazard_areas
                .iter()
                .find(|a| a.id == id && visible(caller, model, *a))
                .ok_or_else(|| ApiError::field("hazard_area_id", format!("no hazard area {id}")))?,
        ),
    };
    let asset = match body.asset_id() {
        None => None,
        Some(id) => Some(
            d.assets
                .iter()
                .find(|a| a.id == id && visible(caller, model, *a))
                .ok_or_else(|| ApiError::field("asset_id", format!("no asset {id}")))?,
        ),
    };
    let (unit_field, unit) = match body {
        ReportBody::ReconstructionProgress(b) => ("crew_id", Some(b.crew_id)),
        other => ("team_id", other.unit_id()),
    };
    let unit_organisation = |id: Uuid, field: &str| -> Result<Uuid, ApiError> {
        let found = if field == "crew_id" {
            d.crews
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.organisation_id)
        } else {
            d.teams
                .iter()
                .find(|t| t.id == id)
                .map(|t| t.organisation_id)
        };
        let what = if field == "crew_id" { "crew" } else { "team" };
        found.ok_or_else(|| ApiError::field(field, format!("no {what} {id}")))
    };
    if let Some(id) = unit {
        unit_organisation(id, unit_field)?;
    }
    let restricted = area.is_some_and(|a| a.restricted) || asset.is_some_and(|a| a.restricted());
    rules::may_file(caller, unit, unit_field, restricted)?;
    // A report whose body names no unit (a handover, an incident) is the filing team
    // leader's unit's.
    let unit = unit.or(match caller.role {
        Role::TeamLeader => caller.team_id,
        _ => None,
    });
    let organisation_id = match unit {
        Some(id) => d
            .teams
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.organisation_id)
            .or_else(|| {
                d.crews
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| c.organisation_id)
            }),
        None => None,
    }
    .or_else(|| area.and_then(|a| a.organisation_id));
    Ok(Subject {
        hazard_area_id: area.map(|a| a.id),
        asset_id: asset.map(|a| a.id),
        unit_id: unit,
        organisation_id,
        restricted,
    })
}

/// `Err(409)` when a reconstruction report's asset is still blocked.
fn refuse_blocked_asset(
    state: &AppState,
    caller: &Caller,
    body: &ReportBody,
) -> Result<(), ApiError> {
    let ReportBody::ReconstructionProgress(b) = body else {
        return Ok(());
    };
    let buffer_m = state.programme().gating.buffer_m;
    state.read(|model| {
        let asset = model
            .data
            .assets
            .iter()
            .find(|a| a.id == b.asset_id)
            .ok_or_else(|| ApiError::field("asset_id", format!("no asset {}", b.asset_id)))?;
        Ok(gating::refuse_blocked(model, caller, asset, buffer_m)?)
    })?
}

/// The hazard area as stored now.
pub(super) fn stored_area(store: &dyn Backend, id: Uuid) -> Result<HazardArea, ApiError> {
    store
        .hazard_area(id)?
        .ok_or_else(|| ApiError::field("hazard_area_id", format!("no hazard area {id}")))
}

/// `Err(409)` with `changes` when the hazard area is no longer at the version seen.
pub(super) fn check_based_on(
    store: &dyn Backend,
    area: &HazardArea,
    seen: u32,
) -> Result<(), ApiError> {
    let current = area.version;
    if seen == current {
        return Ok(());
    }
    if seen > current {
        return Err(ApiError::field(
            "based_on_version",
            format!(
                "hazard area {} is at version {current}; there is no version {seen}",
                area.code
            ),
        ));
    }
    let fields: Vec<&'static str> = store
        .hazard_area_history(area.id)?
        .iter()
        .find(|v| v.area.version == seen)
        .map(|v| changed_fields(&v.area, area))
        .unwrap_or_default();
    let listed = if fields.is_empty() {
        String::new()
    } else {
        format!(" ({} changed)", fields.join(", "))
    };
    let mut e = ApiError::field_status(
        StatusCode::CONFLICT,
        "based_on_version",
        format!(
            "hazard area {} has changed since version {seen}: it is at version {current}{listed}; look at it again and file the report against the current version",
            area.code
        ),
    );
    e.extensions.insert(
        "changes".to_string(),
        json!({
            "based_on_version": seen,
            "current_version": current,
            "seen": seen,
            "current": current,
            "fields": fields,
        }),
    );
    Err(e)
}

/// The fields of a hazard area that differ between two versions, as the API names them.
fn changed_fields(seen: &HazardArea, now: &HazardArea) -> Vec<&'static str> {
    let checks: [(&'static str, bool); 13] = [
        ("geometry", seen.geometry() != now.geometry()),
        ("area_m2", (seen.area_m2() - now.area_m2()).abs() > 0.01),
        (
            "classification",
            seen.classification() != now.classification(),
        ),
        ("status", seen.status().as_str() != now.status().as_str()),
        (
            "closure_reason",
            seen.status().closure_reason() != now.status().closure_reason(),
        ),
        ("contamination", seen.contamination != now.contamination),
        ("density_per_ha", seen.density_per_ha != now.density_per_ha),
        ("terrain", seen.terrain != now.terrain),
        ("vegetation", seen.vegetation != now.vegetation),
        (
            "clearance_depth_cm",
            seen.clearance_depth_cm != now.clearance_depth_cm,
        ),
        ("evidence", seen.evidence != now.evidence),
        (
            "organisation_id",
            seen.organisation_id != now.organisation_id,
        ),
        ("restricted", seen.restricted != now.restricted),
    ];
    checks
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| name)
        .collect()
}

/// `Err(422)` when the report's polygon does not fit what remains of its hazard area:
/// outside it, over land already released, or not cleanly cut. Checked again on approval.
pub(super) fn check_fits(
    store: &dyn Backend,
    area: &HazardArea,
    body: &ReportBody,
) -> Result<(), ApiError> {
    let released = || -> Result<Vec<Polygonal>, ApiError> {
        Ok(store
            .released_land(area.id)?
            .into_iter()
            .map(|r| r.polygon)
            .collect())
    };
    let (field, result) = match body {
        ReportBody::DailyProgress(b) => (
            "worked",
            cut_release(area.geometry(), &released()?, &b.worked).map(|_| ()),
        ),
        ReportBody::NonTechnicalSurvey(b) => match &b.revised {
            Some(r) => (
                "revised",
                cut_to_revised(area.geometry(), &released()?, r).map(|_| ()),
            ),
            None => return Ok(()),
        },
        ReportBody::TechnicalSurvey(b) => match &b.revised {
            Some(r) => (
                "revised",
                cut_to_revised(area.geometry(), &released()?, r).map(|_| ()),
            ),
            None => return Ok(()),
        },
        _ => return Ok(()),
    };
    result.map_err(|e| {
        ApiError::field(
            field,
            format!("does not fit hazard area {}: {e}", area.code),
        )
    })
}

/// The model's checks of a report's body, and the one it cannot make without a clock: a
/// report tells what was done, so its date is not in the future (a day ahead is allowed
/// for the time zones of the field).
fn check_body(body: &ReportBody) -> Result<(), ApiError> {
    body.check().map_err(|e| report_error(&e))?;
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Days::new(1);
    if body.date() > tomorrow {
        return Err(ApiError::field(
            "date",
            format!(
                "{} is in the future: a report tells what was done",
                body.date()
            ),
        ));
    }
    Ok(())
}

/// True for a UUID in its hyphenated form, bare or as an OpenRosa instanceID (`uuid:...`).
fn is_client_id(text: &str) -> bool {
    let bare = text.strip_prefix("uuid:").unwrap_or(text);
    bare.len() == 36 && Uuid::try_parse(bare).is_ok()
}

/// How many of the newest reports of a series are read to find the last code given.
const CODE_WINDOW: usize = 50;

/// The prefix of report codes (`RPT-000042`).
pub const REPORT_PREFIX: &str = "RPT";

/// The prefix of the codes of reports on restricted hazard areas and assets
/// (`RPTR-000007`): a series of their own, so the codes others see run without gaps.
pub const RESTRICTED_REPORT_PREFIX: &str = "RPTR";

/// The next report code of the series of a report on restricted land or not: one above
/// the highest among the newest reports of that series. Filing calls it through
/// [`AppState::with_store`], which holds the store's lock until the report is stored, and
/// every other write takes that lock too, so two reports never get the same code.
fn next_code(store: &dyn Backend, restricted: bool) -> Result<String, ApiError> {
    let newest = store.reports(&ReportQuery {
        include_restricted: restricted,
        only_restricted: restricted,
        limit: Some(CODE_WINDOW),
        ..ReportQuery::default()
    })?;
    let prefix = if restricted {
        RESTRICTED_REPORT_PREFIX
    } else {
        REPORT_PREFIX
    };
    let last = newest
        .iter()
        .filter_map(|r| {
            wire::stored_code(&r.body)?
                .strip_prefix(prefix)?
                .strip_prefix('-')?
                .parse::<u64>()
                .ok()
        })
        .max()
        .unwrap_or(0);
    Ok(format!("{prefix}-{:06}", last + 1))
}

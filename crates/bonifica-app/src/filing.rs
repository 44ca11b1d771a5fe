//! Filing a report and editing a draft: the checks and the row that is stored.
//!
//! Filing checks, in order: a replay of a known client id answers the first report
//! whatever else is asked now ([`replay`]); then [`prepare`] checks the body, who files
//! for which unit, that the hazard area, asset and unit are known to the actor, and that an
//! asset to rebuild is no longer blocked; then, under the store's lock ([`file`],
//! [`edit`]), that the hazard area is still at the version the team leader saw and that
//! the report's polygon fits what remains of the area. Only then is the report stored, in
//! one transaction with its submission and audit entry.

use bonifica_model::{
    Asset, HazardArea, Polygonal, ReportBody, ReportError, cut_release, cut_to_revised,
};
use bonifica_store::{Backend, Inserted, ReportQuery, ReportRow, TransitionRow};
use serde_json::json;
use uuid::Uuid;

use crate::access::{Scoped, visible};
use crate::report_rules as rules;
use crate::stored_report::{code_of, now, stored_body, stored_code};
use crate::{Actor, AppError, Model, Role, gating};

/// What the report is about, resolved in the register.
#[derive(Debug, Clone, Copy)]
pub struct Subject {
    pub hazard_area_id: Option<Uuid>,
    pub asset_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub restricted: bool,
}

/// A report to file, its body already read.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub client_id: String,
    pub body: ReportBody,
    pub subject: Subject,
    pub based_on_version: Option<u32>,
    /// Submitted at once, in the same transaction.
    pub submit: bool,
}

/// The client id, trimmed, if it is a UUID (bare or as an OpenRosa instanceID).
pub fn client_id(given: &str) -> Result<String, AppError> {
    let client_id = given.trim().to_string();
    let bare = client_id.strip_prefix("uuid:").unwrap_or(&client_id);
    if bare.len() == 36 && Uuid::try_parse(bare).is_ok() {
        return Ok(client_id);
    }
    Err(AppError::field(
        "client_id",
        format!(
            "{client_id:?} is not a UUID: the client chooses a random UUID per report \
             (an OpenRosa instanceID `uuid:...` is accepted too)"
        ),
    ))
}

/// The stored report with this client id, if the actor may see it; a conflict if it is
/// someone else's.
pub fn replay(
    store: &dyn Backend,
    actor: &Actor,
    client_id: &str,
) -> Result<Option<(ReportRow, Vec<TransitionRow>)>, AppError> {
    let Some(row) = store.report_by_client_id(client_id)? else {
        return Ok(None);
    };
    if !rules::sees(actor, &row) {
        return Err(client_id_taken());
    }
    let transitions = store.report_transitions(row.id)?;
    Ok(Some((row, transitions)))
}

fn client_id_taken() -> AppError {
    AppError::conflict_on(
        "client_id",
        "already names another report; choose a new UUID",
    )
}

/// An invalid field for a report body's problem.
pub fn report_error(e: &ReportError) -> AppError {
    field_error(e.field(), &e.to_string())
}

/// An invalid `field` whose message may already start with `field {field}: `.
pub fn field_error(field: &str, message: &str) -> AppError {
    let prefix = format!("field {field}: ");
    AppError::field(field, message.strip_prefix(&prefix).unwrap_or(message))
}

/// Resolves the report's hazard area, asset and unit, and checks that the actor files for
/// that unit. A hazard area or asset the actor may not see is unknown.
fn resolve(model: &Model, actor: &Actor, body: &ReportBody) -> Result<Subject, AppError> {
    if !matches!(actor.role, Role::TeamLeader | Role::DefenceLiaison) {
        // Refuses every role but the two that file.
        rules::may_file(actor, None, "team_id", false)?;
    }
    let d = &model.data;
    let area = match body.hazard_area_id() {
        None => None,
        Some(id) => Some(
            d.hazard_areas
                .iter()
                .find(|a| a.id == id && visible(actor, model, *a))
                .ok_or_else(|| AppError::field("hazard_area_id", format!("no hazard area {id}")))?,
        ),
    };
    let asset = match body.asset_id() {
        None => None,
        Some(id) => Some(
            d.assets
                .iter()
                .find(|a| a.id == id && visible(actor, model, *a))
                .ok_or_else(|| AppError::field("asset_id", format!("no asset {id}")))?,
        ),
    };
    let (unit_field, unit) = match body {
        ReportBody::ReconstructionProgress(b) => ("crew_id", Some(b.crew_id)),
        other => ("team_id", other.unit_id()),
    };
    let organisation_of = |id: Uuid| {
        d.teams
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.organisation_id)
            .or_else(|| {
                d.crews
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| c.organisation_id)
            })
    };
    if let Some(id) = unit {
        let known = if unit_field == "crew_id" {
            d.crews.iter().any(|c| c.id == id)
        } else {
            d.teams.iter().any(|t| t.id == id)
        };
        if !known {
            let what = if unit_field == "crew_id" {
                "crew"
            } else {
                "team"
            };
            return Err(AppError::field(unit_field, format!("no {what} {id}")));
        }
    }
    let restricted = area.is_some_and(|a| a.restricted) || asset.is_some_and(|a| a.restricted());
    rules::may_file(actor, unit, unit_field, restricted)?;
    // A report whose body names no unit (a handover, an incident) is the filing team
    // leader's unit's.
    let unit = unit.or(match actor.role {
        Role::TeamLeader => actor.team_id,
        _ => None,
    });
    let organisation_id = unit
        .and_then(organisation_of)
        .or_else(|| area.and_then(|a| a.organisation_id));
    Ok(Subject {
        hazard_area_id: area.map(|a| a.id),
        asset_id: asset.map(|a| a.id),
        unit_id: unit,
        organisation_id,
        restricted,
    })
}

/// The asset a reconstruction report rebuilds, unless a hazard area within `buffer_m`
/// still blocks it (a conflict); `None` for other reports.
pub(crate) fn unblocked_asset<'m>(
    model: &'m Model,
    actor: &Actor,
    body: &ReportBody,
    buffer_m: f64,
) -> Result<Option<&'m Asset>, AppError> {
    let ReportBody::ReconstructionProgress(b) = body else {
        return Ok(None);
    };
    let asset = model
        .data
        .assets
        .iter()
        .find(|a| a.id == b.asset_id)
        .ok_or_else(|| AppError::field("asset_id", format!("no asset {}", b.asset_id)))?;
    gating::refuse_blocked(model, actor, asset, buffer_m)?;
    Ok(Some(asset))
}

/// The model's checks of a report's body, and the one it cannot make without a clock: a
/// report tells what was done, so its date is not in the future (a day ahead is allowed
/// for the time zones of the field).
fn check_body(body: &ReportBody) -> Result<(), AppError> {
    body.check().map_err(|e| report_error(&e))?;
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Days::new(1);
    if body.date() > tomorrow {
        return Err(AppError::field(
            "date",
            format!(
                "{} is in the future: a report tells what was done",
                body.date()
            ),
        ));
    }
    Ok(())
}

/// The checks of a report to file or a draft's edit that the register in memory answers,
/// in order: the body's own, the subject and who files it, the version seen, a blocked
/// asset (within `buffer_m` of a hazard area).
pub fn prepare(
    model: &Model,
    actor: &Actor,
    client_id: String,
    body: ReportBody,
    based_on_version: Option<u32>,
    submit: bool,
    buffer_m: f64,
) -> Result<NewReport, AppError> {
    check_body(&body)?;
    let subject = resolve(model, actor, &body)?;
    if based_on_version.is_some() && subject.hazard_area_id.is_none() {
        return Err(AppError::field(
            "based_on_version",
            "only a report on a hazard area carries the version of the area seen",
        ));
    }
    unblocked_asset(model, actor, &body, buffer_m)?;
    Ok(NewReport {
        client_id,
        body,
        subject,
        based_on_version,
        submit,
    })
}

/// Files a report under the store's lock: replays a client id filed meanwhile, checks the
/// hazard area's version and the fit, gives the next code, and stores the report (and its
/// submission) in one transaction.
pub fn file(
    store: &mut dyn Backend,
    actor: &Actor,
    new: NewReport,
) -> Result<(Inserted, Vec<TransitionRow>), AppError> {
    if let Some((row, transitions)) = replay(store, actor, &new.client_id)? {
        return Ok((Inserted::Existing(row), transitions));
    }
    let NewReport {
        client_id,
        body,
        subject,
        based_on_version,
        submit,
    } = new;
    if let Some(area) = subject.hazard_area_id {
        let area = stored_area(store, area)?;
        if let Some(seen) = based_on_version {
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
        based_on_version,
        report_date: body.date(),
        body: stored_body(&code, &body)?,
        geometry: body.geometry().cloned(),
        approvals: Vec::new(),
        version: 1,
        created_by: actor.username.clone(),
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
            actor: actor.username.clone(),
            role: actor.role.as_str().to_string(),
            comment: None,
            at,
        }
    });
    let inserted = store.insert_report(&row, submission.as_ref())?;
    if !rules::sees(actor, inserted.row()) {
        return Err(client_id_taken());
    }
    let transitions = store.report_transitions(inserted.row().id)?;
    Ok((inserted, transitions))
}

/// Checks an edit of a stored report before its body is read: the actor may edit it, and
/// its client id and kind stay what they are.
pub fn may_edit(
    actor: &Actor,
    row: &ReportRow,
    client_id: &str,
    kind: &str,
) -> Result<(), AppError> {
    rules::may_edit(actor, row)?;
    for (field, given, stored) in [
        ("client_id", client_id.trim(), row.client_id.as_str()),
        ("kind", kind, row.kind.as_str()),
    ] {
        if given != stored {
            return Err(AppError::field(
                field,
                format!("is {stored:?} for this report and never changes"),
            ));
        }
    }
    Ok(())
}

/// Edits a draft under the store's lock, at the version the editor read (`expected`),
/// with what [`prepare`] made of the edit.
pub fn edit(
    store: &mut dyn Backend,
    actor: &Actor,
    id: Uuid,
    expected: u32,
    edit: &NewReport,
) -> Result<(ReportRow, Vec<TransitionRow>), AppError> {
    let (body, subject, based_on_version) = (&edit.body, edit.subject, edit.based_on_version);
    let stored = store
        .report(id)?
        .ok_or_else(|| AppError::not_found("report"))?;
    if stored.state != "draft" {
        return Err(AppError::conflict_on(
            "state",
            format!(
                "report {} is {}: only a draft can be edited (a rejected report is revised first)",
                code_of(&stored),
                stored.state
            ),
        ));
    }
    if let Some(area) = subject.hazard_area_id {
        let area = stored_area(store, area)?;
        if let Some(seen) = based_on_version {
            check_based_on(store, &area, seen)?;
        }
        check_fits(store, &area, body)?;
    }
    let edited = ReportRow {
        hazard_area_id: subject.hazard_area_id,
        asset_id: subject.asset_id,
        unit_id: subject.unit_id,
        organisation_id: subject.organisation_id,
        restricted: subject.restricted,
        based_on_version,
        report_date: body.date(),
        body: stored_body(&code_of(&stored), body)?,
        geometry: body.geometry().cloned(),
        version: expected + 1,
        updated_at: now(),
        ..stored
    };
    store.update_report(&edited, expected, &actor.username)?;
    let transitions = store.report_transitions(id)?;
    Ok((edited, transitions))
}

/// The hazard area as stored now.
pub(crate) fn stored_area(store: &dyn Backend, id: Uuid) -> Result<HazardArea, AppError> {
    store
        .hazard_area(id)?
        .ok_or_else(|| AppError::field("hazard_area_id", format!("no hazard area {id}")))
}

/// A conflict with the `changes` when the hazard area is no longer at the version seen.
pub(crate) fn check_based_on(
    store: &dyn Backend,
    area: &HazardArea,
    seen: u32,
) -> Result<(), AppError> {
    let current = area.version;
    if seen == current {
        return Ok(());
    }
    if seen > current {
        return Err(AppError::field(
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
    let mut extensions = serde_json::Map::new();
    extensions.insert(
        "changes".to_string(),
        json!({
            "based_on_version": seen,
            "current_version": current,
            "seen": seen,
            "current": current,
            "fields": fields,
        }),
    );
    Err(AppError::Conflict {
        field: Some("based_on_version".to_string()),
        detail: format!(
            "hazard area {} has changed since version {seen}: it is at version {current}{listed}; look at it again and file the report against the current version",
            area.code
        ),
        extensions,
    })
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

/// An invalid field when the report's polygon does not fit what remains of its hazard
/// area: outside it, over land already released, or not cleanly cut. Checked again on
/// approval.
pub(crate) fn check_fits(
    store: &dyn Backend,
    area: &HazardArea,
    body: &ReportBody,
) -> Result<(), AppError> {
    let released = || -> Result<Vec<Polygonal>, AppError> {
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
        AppError::field(
            field,
            format!("does not fit hazard area {}: {e}", area.code),
        )
    })
}

/// How many of the newest reports of a series are read to find the last code given.
const CODE_WINDOW: usize = 50;

/// The prefix of report codes (`RPT-000042`).
pub const REPORT_PREFIX: &str = "RPT";

/// The prefix of the codes of reports on restricted hazard areas and assets
/// (`RPTR-000007`): a series of their own, so the codes others see run without gaps.
pub const RESTRICTED_REPORT_PREFIX: &str = "RPTR";

/// The next report code of the series of a report on restricted land or not: one above
/// the highest among the newest reports of that series. [`file`] runs under the store's
/// lock until the report is stored, and every other write takes that lock too, so two
/// reports never get the same code.
fn next_code(store: &dyn Backend, restricted: bool) -> Result<String, AppError> {
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
            stored_code(&r.body)?
                .strip_prefix(prefix)?
                .strip_prefix('-')?
                .parse::<u64>()
                .ok()
        })
        .max()
        .unwrap_or(0);
    Ok(format!("{prefix}-{:06}", last + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_id_is_a_uuid_bare_or_as_an_openrosa_instance_id() {
        let id = "0b6f1c52-2f0e-4a63-9d7e-5d7c1a0a9e11";
        assert_eq!(client_id(&format!(" {id} ")).expect("bare"), id);
        assert!(client_id(&format!("uuid:{id}")).is_ok());
        let e = client_id("report-1").expect_err("not a UUID");
        assert!(
            matches!(e, AppError::Invalid { ref field, .. } if field == "client_id"),
            "{e}"
        );
    }
}

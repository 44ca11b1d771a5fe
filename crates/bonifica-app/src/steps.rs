//! Taking a step of a report's workflow, and the approval that changes the official
//! picture.
//!
//! The caller runs [`step`] under the store's lock, so two people acting on the same report
//! at once are served one after the other and the second sees the first's step. The order
//! of the checks: a report the actor cannot see is not found; an action that does not exist
//! from the report's state is a conflict for anyone who may see it; an actor who may not
//! take the step is forbidden; a rejection without a comment is an invalid field.
//!
//! The approval that completes a report ([`approve`]) runs under the store's and the
//! model's locks: the hazard area's new version, the released land, a restored asset, the
//! report's new state, its transition and their audit entries are one store transaction,
//! and the model follows only once it is committed. An approval that does not fit the
//! area changes nothing.

use bonifica_model::{
    ApprovalError, Approvals, Approver, Asset, HazardArea, Polygonal, ReportAction, ReportBody,
    ReportStep, ReportTransition, WorkflowError, approval_effect, transition,
};
use bonifica_store::{Backend, ChangeSet, ReleasedLand, ReportRow, Stamp, TransitionRow};
use uuid::Uuid;

use crate::filing::{check_based_on, field_error, stored_area, unblocked_asset};
use crate::report_rules as rules;
use crate::stored_report::{code_of, now, read_body, recorded_approvals, state_of};
use crate::{Actor, AppError, Model, Role, gating};

/// A step decided on a stored report.
struct Decision {
    row: ReportRow,
    step: ReportTransition,
}

/// A stored report with its transitions, as a step leaves it.
pub type Stepped = (ReportRow, Vec<TransitionRow>);

/// What [`step`] did under the store's lock.
pub enum FirstPass {
    /// The step is committed.
    Done(Box<Stepped>),
    /// The step approves the report: it must change the register too, through
    /// [`approve`] under the model's lock as well.
    Approval,
}

/// What an approval changed on the register.
#[derive(Debug, Clone)]
pub struct Effect {
    /// The hazard area as it is after the approval.
    pub hazard_area: Option<HazardArea>,
    /// Land released by the approval, m².
    pub released_m2: f64,
    /// Assets no longer blocked by any hazard area, that the actor may see: (id, code).
    pub unblocked_assets: Vec<(Uuid, String)>,
}

/// The action named, or an invalid field listing the actions.
pub fn action(word: &str) -> Result<ReportAction, AppError> {
    ReportAction::parse(word).ok_or_else(|| {
        AppError::field(
            "action",
            format!("{word:?} is not one of {}", ReportAction::words()),
        )
    })
}

/// Takes one step of a report's workflow for the actor, under the store's lock, unless the
/// step approves the report ([`FirstPass::Approval`]).
pub fn step(
    store: &mut dyn Backend,
    actor: &Actor,
    id: Uuid,
    action: ReportAction,
    comment: Option<&str>,
) -> Result<FirstPass, AppError> {
    let d = decide(store, actor, id, action, comment)?;
    if d.step.approves() {
        return Ok(FirstPass::Approval);
    }
    if action == ReportAction::Submit
        && let (Some(area), Some(seen)) = (d.row.hazard_area_id, d.row.based_on_version)
    {
        check_based_on(store, &stored_area(store, area)?, seen)?;
    }
    let done = commit(store, actor, &d, comment, Changes::default())?;
    Ok(FirstPass::Done(Box::new(done)))
}

/// The steps the actor may take on a report now: those [`step`] would take rather than
/// refuse (a rejection given its comment). The web app offers these and no others.
pub fn allowed(actor: &Actor, row: &ReportRow, transitions: &[TransitionRow]) -> Vec<ReportAction> {
    let Ok(state) = state_of(row) else {
        return Vec::new();
    };
    if actor.role == Role::Viewer || !rules::sees(actor, row) {
        return Vec::new();
    }
    let approvals = recorded_approvals(transitions);
    ReportAction::ALL
        .iter()
        .copied()
        .filter(|&action| {
            let Ok(approver) = rules::may_step(actor, row, action, state) else {
                return false;
            };
            let step = match action {
                ReportAction::Submit => ReportStep::Submit,
                ReportAction::Verify => ReportStep::Verify,
                ReportAction::Approve => {
                    ReportStep::Approve(approver.unwrap_or(Approver::CivilAuthority))
                }
                ReportAction::Reject => ReportStep::Reject { comment: "given" },
                ReportAction::Revise => ReportStep::Revise,
            };
            transition(state, approvals, row.restricted, step).is_ok()
        })
        .collect()
}

/// Decides a step on a stored report, or says why it may not be taken.
fn decide(
    store: &dyn Backend,
    actor: &Actor,
    id: Uuid,
    action: ReportAction,
    comment: Option<&str>,
) -> Result<Decision, AppError> {
    let row = store
        .report(id)?
        .filter(|r| rules::sees(actor, r))
        .ok_or_else(|| AppError::not_found("report"))?;
    if actor.role == Role::Viewer {
        return Err(AppError::forbidden(
            "role viewer reads reports and takes no step of their workflow",
        ));
    }
    let state = state_of(&row)?;
    let illegal = |e| AppError::conflict(format!("report {}: {e}", code_of(&row)));
    // Whether the action exists from this state at all, whoever asks.
    let probe = match action {
        ReportAction::Submit => ReportStep::Submit,
        ReportAction::Verify => ReportStep::Verify,
        ReportAction::Approve => ReportStep::Approve(Approver::CivilAuthority),
        ReportAction::Reject => ReportStep::Reject { comment: "probe" },
        ReportAction::Revise => ReportStep::Revise,
    };
    if let Err(WorkflowError::Illegal(e)) = transition(state, Approvals::NONE, false, probe) {
        return Err(illegal(e));
    }
    let approver = rules::may_step(actor, &row, action, state)?;
    let approvals = recorded_approvals(&store.report_transitions(id)?);
    let step = match action {
        ReportAction::Submit => ReportStep::Submit,
        ReportAction::Verify => ReportStep::Verify,
        ReportAction::Approve => ReportStep::Approve(approver.unwrap_or(Approver::CivilAuthority)),
        ReportAction::Reject => ReportStep::Reject {
            comment: comment.unwrap_or(""),
        },
        ReportAction::Revise => ReportStep::Revise,
    };
    let step = transition(state, approvals, row.restricted, step).map_err(|e| match e {
        WorkflowError::Illegal(e) => illegal(e),
        WorkflowError::CommentRequired => AppError::field(
            "comment",
            "a rejection needs a comment saying what to correct",
        ),
    })?;
    Ok(Decision { row, step })
}

/// What a step changes on the register besides the report.
#[derive(Debug, Default)]
struct Changes {
    hazard_areas: Vec<(HazardArea, u32)>,
    released: Vec<ReleasedLand>,
    assets: Vec<(Asset, u32)>,
}

/// Commits a decided step and its changes in one store transaction.
fn commit(
    store: &mut dyn Backend,
    actor: &Actor,
    d: &Decision,
    comment: Option<&str>,
    changes: Changes,
) -> Result<Stepped, AppError> {
    let at = now();
    let mut report = d.row.clone();
    report.state = d.step.to.as_str().to_string();
    report.version += 1;
    report.updated_at = at.clone();
    if d.step.action == ReportAction::Approve {
        report.approvals.push(actor.username.clone());
    } else {
        report.approvals.clear();
    }
    let transition = TransitionRow {
        action: d.step.action.as_str().to_string(),
        from_state: d.step.from.as_str().to_string(),
        to_state: d.step.to.as_str().to_string(),
        actor: actor.username.clone(),
        role: actor.role.as_str().to_string(),
        comment: comment.map(str::to_string),
        at: at.clone(),
    };
    store.commit(&ChangeSet {
        actor: actor.username.clone(),
        at,
        report: report.clone(),
        expected_report_version: d.row.version,
        transition,
        hazard_areas: changes.hazard_areas,
        released: changes.released,
        assets: changes.assets,
    })?;
    let transitions = store.report_transitions(report.id)?;
    Ok((report, transitions))
}

/// An invalid field naming the report field an approval cannot be applied for.
fn approval_error(e: &ApprovalError) -> AppError {
    field_error(e.field().unwrap_or("hazard_area_id"), &e.to_string())
}

/// Approves a report under the store's and the model's locks: decides again, computes
/// what the approval changes (gating assets within `buffer_m`), commits it all in one
/// transaction, then brings the model up to date. No effect when the step only records a
/// co-approval because another approval came first.
pub fn approve(
    store: &mut dyn Backend,
    model: &mut Model,
    actor: &Actor,
    id: Uuid,
    comment: Option<&str>,
    buffer_m: f64,
) -> Result<(Stepped, Option<Effect>), AppError> {
    let d = decide(store, actor, id, ReportAction::Approve, comment)?;
    if !d.step.approves() {
        return Ok((commit(store, actor, &d, comment, Changes::default())?, None));
    }
    let body = read_body(&d.row.kind, &d.row.body).ok_or_else(|| {
        AppError::internal(&format!(
            "report {}: its stored body cannot be read",
            d.row.id
        ))
    })?;
    let date = body.date();
    let mut changes = Changes::default();
    let mut effect = Effect {
        hazard_area: None,
        released_m2: 0.0,
        unblocked_assets: Vec::new(),
    };
    if let Some(area_id) = d.row.hazard_area_id {
        let area = model
            .data
            .hazard_areas
            .iter()
            .find(|a| a.id == area_id)
            .cloned()
            .ok_or_else(|| {
                AppError::field("hazard_area_id", format!("no hazard area {area_id}"))
            })?;
        let already: Vec<Polygonal> = store
            .released_land(area_id)?
            .into_iter()
            .map(|r| r.polygon)
            .collect();
        let fx = approval_effect(&area, &already, &body, date).map_err(|e| approval_error(&e))?;
        let expected = model.version(area_id);
        let after = match fx.area {
            Some(mut new) => {
                // The store raises a record's version by one per write.
                new.version = expected + 1;
                effect.unblocked_assets = gating::unblocked(model, actor, &area, &new, buffer_m)?
                    .into_iter()
                    .map(|a| (a.id, a.code.to_string()))
                    .collect();
                changes.hazard_areas.push((new.clone(), expected));
                new
            }
            None => area,
        };
        for piece in fx.released {
            effect.released_m2 += piece.m2;
            changes.released.push(ReleasedLand {
                id: Uuid::new_v4(),
                hazard_area_id: area_id,
                report_id: d.row.id,
                reason: piece.reason,
                released_on: date,
                polygon: piece.polygon,
                area_m2: piece.m2,
                by_outcome: piece.by_outcome,
            });
        }
        effect.hazard_area = Some(after);
    }
    if let (ReportBody::ReconstructionProgress(b), Some(asset)) =
        (&body, unblocked_asset(model, actor, &body, buffer_m)?)
        && b.restored
        && !asset.restored
    {
        let mut restored = asset.clone();
        restored.restored = true;
        changes.assets.push((restored, model.version(asset.id)));
    }
    let areas = changes.hazard_areas.clone();
    let assets = changes.assets.clone();
    let (row, transitions) = commit(store, actor, &d, comment, changes)?;
    // Committed: the model follows.
    let stamp = |version| Stamp {
        version,
        updated_at: Some(row.updated_at.clone()),
        updated_by: Some(actor.username.clone()),
    };
    for (area, _) in areas {
        model.stamps.insert(area.id, stamp(area.version));
        if let Some(slot) = model.data.hazard_areas.iter_mut().find(|a| a.id == area.id) {
            *slot = area;
        }
    }
    for (asset, expected) in assets {
        model.stamps.insert(asset.id, stamp(expected + 1));
        if let Some(slot) = model.data.assets.iter_mut().find(|a| a.id == asset.id) {
            *slot = asset;
        }
    }
    Ok(((row, transitions), Some(effect)))
}

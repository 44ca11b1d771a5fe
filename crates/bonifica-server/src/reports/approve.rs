//! Taking a step of a report's workflow, and the approval that changes the official
//! picture.
//!
//! A step is decided and committed under the store's lock, so two people acting on the
//! same report at once are served one after the other and the second sees the first's
//! step. The order of the checks: a report the caller cannot see is 404; an action that
//! does not exist from the report's state is 409 for anyone who may see it; a caller who
//! may not take the step is 403; a rejection without a comment is 422.
//!
//! The approval that completes a report runs in one [`AppState::write`]: the hazard area's
//! new version, the released land, a restored asset, the report's new state, its
//! transition and their audit entries are one store transaction, and the read model
//! follows only once it is committed. An approval that does not fit the area changes
//! nothing.

use bonifica_model::{
    ApprovalError, Approvals, Approver, Asset, HazardArea, Polygonal, ReportAction, ReportBody,
    ReportStep, ReportTransition, WorkflowError, approval_effect, transition,
};
use bonifica_store::{Backend, ChangeSet, ReleasedLand, ReportRow, Stamp, TransitionRow};
use uuid::Uuid;

use crate::auth::{Caller, Role};
use crate::error::ApiError;
use crate::state::AppState;
use bonifica_app::Model;

use super::file::{check_based_on, field_error, stored_area};
use super::wire::{self, AreaEffect, EffectOut, TransitionAnswer, TransitionIn};
use bonifica_app::gating;

use super::{code_of, now, recorded_approvals, report_out, state_of};
use bonifica_app::report_rules as rules;

/// A step decided on a stored report.
struct Decision {
    row: ReportRow,
    step: ReportTransition,
}

/// What the first pass under the store's lock did.
enum FirstPass {
    /// The step is committed.
    Done(Box<(ReportRow, Vec<TransitionRow>)>),
    /// The step approves the report: it must change the register too.
    Approval,
}

/// Takes one step of a report's workflow for the caller.
pub async fn take_step(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    input: TransitionIn,
) -> Result<TransitionAnswer, ApiError> {
    let action = ReportAction::parse(&input.action).ok_or_else(|| {
        ApiError::field(
            "action",
            format!("{:?} is not one of {}", input.action, ReportAction::words()),
        )
    })?;
    let comment = input
        .comment
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    let (who, said) = (caller.clone(), comment.clone());
    let first = state
        .with_store(move |store| {
            let d = decide(store, &who, id, action, said.as_deref())?;
            if d.step.approves() {
                return Ok(FirstPass::Approval);
            }
            if action == ReportAction::Submit
                && let (Some(area), Some(seen)) = (d.row.hazard_area_id, d.row.based_on_version)
            {
                check_based_on(store, &stored_area(store, area)?, seen)?;
            }
            let (row, transitions) = commit(store, &who, &d, said, Changes::default())?;
            Ok(FirstPass::Done(Box::new((row, transitions))))
        })
        .await?;
    let (row, transitions, effect) = match first {
        FirstPass::Done(done) => {
            let (row, transitions) = *done;
            (row, transitions, None)
        }
        FirstPass::Approval => {
            let who = caller.clone();
            let buffer_m = state.programme().gating.buffer_m;
            state
                .write(move |store, model| approve(store, model, &who, id, comment, buffer_m))
                .await?
        }
    };
    let report = state.read(|model| report_out(model, caller, &row, &transitions))?;
    Ok(TransitionAnswer { report, effect })
}

/// Decides a step on a stored report, or says why it may not be taken.
fn decide(
    store: &dyn Backend,
    caller: &Caller,
    id: Uuid,
    action: ReportAction,
    comment: Option<&str>,
) -> Result<Decision, ApiError> {
    let row = store
        .report(id)?
        .filter(|r| rules::sees(caller, r))
        .ok_or_else(|| ApiError::not_found("report"))?;
    if caller.role == Role::Viewer {
        return Err(ApiError::forbidden(
            "role viewer reads reports and takes no step of their workflow",
        ));
    }
    let state = state_of(&row)?;
    let illegal = |e| {
        ApiError::new(
            axum::http::StatusCode::CONFLICT,
            format!("report {}: {e}", code_of(&row)),
        )
    };
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
    let approver = rules::may_step(caller, &row, action, state)?;
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
        WorkflowError::CommentRequired => ApiError::field(
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
    caller: &Caller,
    d: &Decision,
    comment: Option<String>,
    changes: Changes,
) -> Result<(ReportRow, Vec<TransitionRow>), ApiError> {
    let at = now();
    let mut report = d.row.clone();
    report.state = d.step.to.as_str().to_string();
    report.version += 1;
    report.updated_at = at.clone();
    if d.step.action == ReportAction::Approve {
        report.approvals.push(caller.username.clone());
    } else {
        report.approvals.clear();
    }
    let transition = TransitionRow {
        action: d.step.action.as_str().to_string(),
        from_state: d.step.from.as_str().to_string(),
        to_state: d.step.to.as_str().to_string(),
        actor: caller.username.clone(),
        role: caller.role.as_str().to_string(),
        comment,
        at: at.clone(),
    };
    store.commit(&ChangeSet {
        actor: caller.username.clone(),
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

/// A 422 naming the report field an approval cannot be applied for.
fn approval_error(e: &ApprovalError) -> ApiError {
    field_error(e.field().unwrap_or("hazard_area_id"), &e.to_string())
}

type Approved = (ReportRow, Vec<TransitionRow>, Option<EffectOut>);

/// Approves a report under the store's and the read model's locks: decides again, computes
/// what the approval changes, commits it all in one transaction, then updates the read
/// model.
fn approve(
    store: &mut dyn Backend,
    model: &mut Model,
    caller: &Caller,
    id: Uuid,
    comment: Option<String>,
    buffer_m: f64,
) -> Result<Approved, ApiError> {
    let d = decide(store, caller, id, ReportAction::Approve, comment.as_deref())?;
    if !d.step.approves() {
        // Another approval came first and this one only records a co-approval.
        let (row, transitions) = commit(store, caller, &d, comment, Changes::default())?;
        return Ok((row, transitions, None));
    }
    let body = wire::read_body(&d.row.kind, &d.row.body).ok_or_else(|| {
        ApiError::internal(&format!(
            "report {}: its stored body cannot be read",
            d.row.id
        ))
    })?;
    let date = body.date();
    let mut changes = Changes::default();
    let mut effect = EffectOut {
        hazard_area: None,
        released_m2: 0.0,
        unblocked_assets: Vec::new(),
    };
    let mut area_after = None;
    if let Some(area_id) = d.row.hazard_area_id {
        let area = model
            .data
            .hazard_areas
            .iter()
            .find(|a| a.id == area_id)
            .cloned()
            .ok_or_else(|| {
                ApiError::field("hazard_area_id", format!("no hazard area {area_id}"))
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
                effect.unblocked_assets = gating::unblocked(model, caller, &area, &new, buffer_m)?
                    .into_iter()
                    .map(|a| wire::AssetRef {
                        id: a.id,
                        code: a.code.to_string(),
                    })
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
        area_after = Some(after);
    }
    if let ReportBody::ReconstructionProgress(b) = &body {
        let asset = model
            .data
            .assets
            .iter()
            .find(|a| a.id == b.asset_id)
            .ok_or_else(|| ApiError::field("asset_id", format!("no asset {}", b.asset_id)))?;
        gating::refuse_blocked(model, caller, asset, buffer_m)?;
        if b.restored && !asset.restored {
            let mut restored = asset.clone();
            restored.restored = true;
            changes.assets.push((restored, model.version(asset.id)));
        }
    }
    let areas = changes.hazard_areas.clone();
    let assets = changes.assets.clone();
    let (row, transitions) = commit(store, caller, &d, comment, changes)?;
    // Committed: the read model follows.
    let stamp = |version| Stamp {
        version,
        updated_at: Some(row.updated_at.clone()),
        updated_by: Some(caller.username.clone()),
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
    effect.hazard_area = area_after.map(|a| AreaEffect {
        id: a.id,
        code: a.code.to_string(),
        version: a.version,
        classification: a.classification().as_str().to_string(),
        status: a.status().as_str().to_string(),
        closure_reason: a.status().closure_reason().map(|r| r.as_str().to_string()),
        remaining_m2: if a.status().is_released() {
            0.0
        } else {
            a.area_m2()
        },
    });
    Ok((row, transitions, Some(effect)))
}

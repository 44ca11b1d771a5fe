//! Who may see a report and who may take each step of its workflow. The model decides
//! which steps exist ([`bonifica_model::transition`]); this module decides who may take
//! them, and maps the two approving roles to the two approving authorities.
//!
//! Restricted records reach only the defence liaison, and the coordinator for reports (the
//! civil authority co-approves reports on restricted land). A team leader or operations
//! manager never sees a restricted hazard area or asset, so the work of units on
//! restricted land is filed, submitted and verified by the defence liaison on their behalf.

use bonifica_model::{Approver, ReportAction, ReportState};
use bonifica_store::{ReportQuery, ReportRow};

use crate::actor::{Actor, Role};
use crate::error::AppError;

/// Whether the caller may see the report at all (unseen reports are 404).
pub fn sees(caller: &Actor, row: &ReportRow) -> bool {
    match caller.role {
        Role::Coordinator | Role::DefenceLiaison => true,
        Role::Viewer => !row.restricted,
        Role::TeamLeader => {
            !row.restricted && caller.team_id.is_some() && row.unit_id == caller.team_id
        }
        Role::OperationsManager => {
            !row.restricted
                && caller.organisation_id.is_some()
                && row.organisation_id == caller.organisation_id
        }
    }
}

/// Whether the caller may read the victims of an incident (restricted personal data).
pub fn sees_victims(caller: &Actor) -> bool {
    matches!(caller.role, Role::Coordinator | Role::DefenceLiaison)
}

/// The store query of the caller's inbox before the caller's own filters; `None` when the
/// caller can see no report at all.
pub fn inbox(caller: &Actor) -> Option<ReportQuery> {
    let mut q = ReportQuery::default();
    match caller.role {
        Role::Coordinator | Role::DefenceLiaison => q.include_restricted = true,
        Role::Viewer => {}
        Role::TeamLeader => q.unit_id = Some(caller.team_id?),
        Role::OperationsManager => q.organisation_id = Some(caller.organisation_id?),
    }
    Some(q)
}

/// `Forbidden` unless the caller's role files reports at all (a team leader of a team or
/// crew, or the defence liaison): checked before a report's body is read.
pub fn files_reports(caller: &Actor) -> Result<(), AppError> {
    match caller.role {
        Role::TeamLeader if caller.team_id.is_none() => Err(AppError::forbidden(
            "your account leads no team or crew, so it files no reports",
        )),
        Role::TeamLeader | Role::DefenceLiaison => Ok(()),
        role => Err(AppError::forbidden(format!(
            "role {} may not file reports; team leaders file them",
            role.as_str()
        ))),
    }
}

/// `Forbidden` unless the caller may file a report for `unit` (`None`: a report without a
/// unit) on land that is `restricted` or not.
pub fn may_file(
    caller: &Actor,
    unit: Option<uuid::Uuid>,
    unit_field: &str,
    restricted: bool,
) -> Result<(), AppError> {
    files_reports(caller)?;
    match (caller.role, caller.team_id, unit) {
        (Role::TeamLeader, Some(own), Some(unit)) if own != unit => Err(AppError::forbidden(
            format!("{unit_field}: team leaders file reports for their own team or crew only"),
        )),
        (Role::DefenceLiaison, _, _) if !restricted => Err(AppError::forbidden(
            "the defence liaison files reports on restricted land only; the team leader files this one",
        )),
        _ => Ok(()),
    }
}

/// Whether the caller stands for the report's unit: its team leader, or the defence
/// liaison for a report on restricted land.
fn acts_for_unit(caller: &Actor, row: &ReportRow) -> bool {
    match caller.role {
        Role::TeamLeader => {
            !row.restricted && caller.team_id.is_some() && row.unit_id == caller.team_id
        }
        Role::DefenceLiaison => row.restricted,
        _ => false,
    }
}

/// Whether the caller stands for the report's organisation: its operations manager, or
/// the defence liaison for a report on restricted land.
fn acts_for_organisation(caller: &Actor, row: &ReportRow) -> bool {
    match caller.role {
        Role::OperationsManager => {
            !row.restricted
                && caller.organisation_id.is_some()
                && row.organisation_id == caller.organisation_id
        }
        Role::DefenceLiaison => row.restricted,
        _ => false,
    }
}

/// `Forbidden` unless the caller may edit the report's draft: who files it.
pub fn may_edit(caller: &Actor, row: &ReportRow) -> Result<(), AppError> {
    if acts_for_unit(caller, row) {
        return Ok(());
    }
    Err(AppError::forbidden(format!(
        "role {} may not edit this report: the team leader of the report's team or crew does",
        caller.role.as_str()
    )))
}

/// `Forbidden` unless the caller may take `action` on a visible report that is in
/// `state`. For an approval, the authority the caller approves for.
pub fn may_step(
    caller: &Actor,
    row: &ReportRow,
    action: ReportAction,
    state: ReportState,
) -> Result<Option<Approver>, AppError> {
    let role = caller.role.as_str();
    let refuse = |who: &str| {
        Err(AppError::forbidden(format!(
            "role {role} may not {action} this report: {who}"
        )))
    };
    match action {
        ReportAction::Submit | ReportAction::Revise => {
            if acts_for_unit(caller, row) {
                return Ok(None);
            }
            refuse("the team leader of the report's team or crew does")
        }
        ReportAction::Verify => {
            if acts_for_organisation(caller, row) {
                return Ok(None);
            }
            refuse("an operations manager of the report's organisation does")
        }
        ReportAction::Reject if state == ReportState::Submitted => {
            if acts_for_organisation(caller, row) {
                return Ok(None);
            }
            refuse("at submitted, an operations manager of the report's organisation does")
        }
        ReportAction::Reject => {
            if matches!(caller.role, Role::Coordinator | Role::DefenceLiaison) {
                return Ok(None);
            }
            refuse("at verified, a coordinator or the defence liaison does")
        }
        ReportAction::Approve => match caller.role {
            Role::Coordinator => Ok(Some(Approver::CivilAuthority)),
            Role::DefenceLiaison if row.restricted => Ok(Some(Approver::Defence)),
            Role::DefenceLiaison => refuse(
                "the defence liaison co-approves reports on restricted land only; a coordinator approves this one",
            ),
            _ => refuse("a coordinator does"),
        },
    }
}

/// The authority a role approves for, from the role word kept with a transition.
pub fn approver_of_role(role: &str) -> Option<Approver> {
    match role {
        "coordinator" => Some(Approver::CivilAuthority),
        "defence_liaison" => Some(Approver::Defence),
        _ => None,
    }
}

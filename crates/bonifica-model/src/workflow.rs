//! The report workflow: which steps lead where, and the co-approval of reports on
//! restricted hazard areas.
//!
//! Roles stay out of this module: the server decides who may act on a report (and maps
//! roles to the two approving authorities); the model decides which transitions exist.

use serde::{Deserialize, Serialize};

use crate::hazard::word_enum;

word_enum! {
    /// Where a report stands in its workflow.
    ReportState {
        Draft => "draft",
        Submitted => "submitted",
        Verified => "verified",
        Approved => "approved",
        Rejected => "rejected",
    }
}

word_enum! {
    /// What can be done to a report.
    ReportAction {
        Submit => "submit",
        Verify => "verify",
        Approve => "approve",
        Reject => "reject",
        Revise => "revise",
    }
}

word_enum! {
    /// The two authorities whose approvals a restricted hazard area needs: the civil
    /// authority (a coordinator) and the defence ministry (the defence liaison).
    Approver {
        CivilAuthority => "civil_authority",
        Defence => "defence",
    }
}

/// The approvals recorded on a verified report. A restricted hazard area needs both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Approvals {
    pub civil_authority: bool,
    pub defence: bool,
}

impl Approvals {
    /// No approval recorded.
    pub const NONE: Approvals = Approvals {
        civil_authority: false,
        defence: false,
    };

    /// Rebuilds the approvals from those recorded, in any order.
    pub fn from_recorded(recorded: &[Approver]) -> Approvals {
        recorded
            .iter()
            .fold(Approvals::NONE, |acc, &approver| acc.with(approver))
    }

    /// True when `approver` has approved.
    pub fn has(self, approver: Approver) -> bool {
        match approver {
            Approver::CivilAuthority => self.civil_authority,
            Approver::Defence => self.defence,
        }
    }

    /// These approvals and `approver`'s.
    pub fn with(self, approver: Approver) -> Approvals {
        match approver {
            Approver::CivilAuthority => Approvals {
                civil_authority: true,
                ..self
            },
            Approver::Defence => Approvals {
                defence: true,
                ..self
            },
        }
    }

    /// The approvers recorded, civil authority first.
    pub fn recorded(self) -> Vec<Approver> {
        Approver::ALL
            .iter()
            .copied()
            .filter(|&a| self.has(a))
            .collect()
    }
}

/// One step asked of a report's workflow, with what that step needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStep<'a> {
    Submit,
    Verify,
    /// Approval by one of the two authorities (the server maps roles to approvers).
    Approve(Approver),
    /// Rejection; the comment says what to correct and must not be empty.
    Reject {
        comment: &'a str,
    },
    Revise,
}

impl ReportStep<'_> {
    /// The action word of this step.
    pub fn action(self) -> ReportAction {
        match self {
            ReportStep::Submit => ReportAction::Submit,
            ReportStep::Verify => ReportAction::Verify,
            ReportStep::Approve(_) => ReportAction::Approve,
            ReportStep::Reject { .. } => ReportAction::Reject,
            ReportStep::Revise => ReportAction::Revise,
        }
    }
}

/// A legal step: where the report goes and the approvals it then carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportTransition {
    pub action: ReportAction,
    pub from: ReportState,
    pub to: ReportState,
    /// Approvals after the step: kept while verified, cleared by reject and revise.
    pub approvals: Approvals,
}

impl ReportTransition {
    /// True when this step approved the report: the moment it changes the picture.
    pub fn approves(&self) -> bool {
        self.to == ReportState::Approved
    }
}

/// A workflow step that does not exist from the report's state, with the rule it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("illegal report transition: cannot {action} a report that is {state}: {rule}")]
pub struct IllegalReportTransition {
    pub state: ReportState,
    pub action: ReportAction,
    pub rule: &'static str,
}

/// Why a workflow step was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// The step does not exist from this state (the API answers 409).
    #[error(transparent)]
    Illegal(#[from] IllegalReportTransition),
    /// A rejection without a comment (the API answers 422).
    #[error("field comment: a rejection needs a comment saying what to correct")]
    CommentRequired,
}

impl WorkflowError {
    /// The field at fault, when the problem is in the request rather than the state.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            WorkflowError::Illegal(_) => None,
            WorkflowError::CommentRequired => Some("comment"),
        }
    }
}

/// The report workflow: which step leads where.
///
/// ```text
/// draft ──submit──▶ submitted ──verify──▶ verified ──approve──▶ approved
///   ▲                   │                     │
///   └──────revise── rejected ◀──reject────────┘ (reject also from submitted)
/// ```
///
/// When `needs_co_approval` (a restricted hazard area), the civil authority and the
/// defence ministry approve separately: the first approval is recorded and the report
/// stays verified; the second, from the other authority, approves it. The same authority
/// approving twice is refused. Approved reports are final.
pub fn transition(
    state: ReportState,
    approvals: Approvals,
    needs_co_approval: bool,
    step: ReportStep<'_>,
) -> Result<ReportTransition, WorkflowError> {
    use ReportState::{Approved, Draft, Rejected, Submitted, Verified};
    let action = step.action();
    let illegal = |rule| {
        Err(WorkflowError::Illegal(IllegalReportTransition {
            state,
            action,
            rule,
        }))
    };
    let to = |to, approvals| {
        Ok(ReportTransition {
            action,
            from: state,
            to,
            approvals,
        })
    };
    if state == Approved {
        return illegal("approved reports are final");
    }
    match (step, state) {
        (ReportStep::Submit, Draft) => to(Submitted, Approvals::NONE),
        (ReportStep::Submit, _) => illegal("only a draft can be submitted"),
        (ReportStep::Verify, Submitted) => to(Verified, Approvals::NONE),
        (ReportStep::Verify, _) => illegal("only a submitted report can be verified"),
        (ReportStep::Approve(approver), Verified) => {
            if approvals.has(approver) {
                return illegal(match approver {
                    Approver::CivilAuthority => {
                        "the civil authority has already approved; the co-approval must come from the defence ministry"
                    }
                    Approver::Defence => {
                        "the defence ministry has already approved; the co-approval must come from the civil authority"
                    }
                });
            }
            let approvals = approvals.with(approver);
            let complete = !needs_co_approval || (approvals.civil_authority && approvals.defence);
            to(if complete { Approved } else { Verified }, approvals)
        }
        (ReportStep::Approve(_), _) => illegal("only a verified report can be approved"),
        (ReportStep::Reject { comment }, Submitted | Verified) => {
            if comment.trim().is_empty() {
                return Err(WorkflowError::CommentRequired);
            }
            to(Rejected, Approvals::NONE)
        }
        (ReportStep::Reject { .. }, _) => {
            illegal("only a submitted or verified report can be rejected")
        }
        (ReportStep::Revise, Rejected) => to(Draft, Approvals::NONE),
        (ReportStep::Revise, _) => illegal("only a rejected report can be revised"),
    }
}

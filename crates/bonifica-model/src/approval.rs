//! What an approved report does to its hazard area, as the table of `docs/reports.md`
//! says: the new version of the area and the pieces of land released, computed without
//! touching anything, so the caller can write both in one transaction or refuse the
//! report with the reason.
//!
//! Classification and status still change only through [`HazardArea::apply`] (that is,
//! [`crate::ReleaseState::apply`]); the polygon through [`HazardArea::reshape`].

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Date;
use crate::cut::{CutError, cut_release, cut_to_revised};
use crate::gating::Gating;
use crate::geometry::Polygonal;
use crate::hazard::{Classification, HazardArea};
use crate::ids::Code;
use crate::release::{ClosureReason, HazardStatus, IllegalTransition, ReleaseEvent};
use crate::report::{DailyProgress, NtsOutcome, ReportBody, ReportError, TsOutcome};

/// A piece of land released by an approved report, for the `released_land` layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleasedPiece {
    pub polygon: Polygonal,
    /// The strongest way any of it was released: cleared, else reduced, else cancelled.
    pub reason: ClosureReason,
    /// Geodesic area, in square metres.
    pub m2: f64,
    /// The same area by how it was released.
    pub by_outcome: ReleasedByOutcome,
}

/// Square metres of released land by how they were released (IMAS 08.30: cancelled by
/// non-technical survey, reduced by technical survey, cleared), summing to the piece's
/// measured area.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ReleasedByOutcome {
    pub cancelled_m2: f64,
    pub reduced_m2: f64,
    pub cleared_m2: f64,
}

impl ReleasedByOutcome {
    /// All of `m2` released one way.
    pub fn all(reason: ClosureReason, m2: f64) -> ReleasedByOutcome {
        let mut out = ReleasedByOutcome::default();
        match reason {
            ClosureReason::Cancelled => out.cancelled_m2 = m2,
            ClosureReason::Reduced => out.reduced_m2 = m2,
            ClosureReason::Cleared => out.cleared_m2 = m2,
        }
        out
    }

    /// `m2`, the measured area of a worked polygon, shared in the proportions the team
    /// reported (their figures agree with the polygon within the report's tolerance, so
    /// the shares are theirs and the total is the measured one). All of it goes to
    /// `reason` when the report gives no area at all.
    pub fn shared(m2: f64, reported: ReleasedByOutcome, reason: ClosureReason) -> Self {
        let total = reported.total();
        if total <= 0.0 {
            return ReleasedByOutcome::all(reason, m2);
        }
        let share = |part: f64| m2 * part / total;
        ReleasedByOutcome {
            cancelled_m2: share(reported.cancelled_m2),
            reduced_m2: share(reported.reduced_m2),
            cleared_m2: share(reported.cleared_m2),
        }
    }

    /// The three together.
    pub fn total(&self) -> f64 {
        self.cancelled_m2 + self.reduced_m2 + self.cleared_m2
    }
}

/// What approving a report changes.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalEffect {
    /// The new version of the hazard area; `None` when the area does not change.
    pub area: Option<HazardArea>,
    /// The land released, in the order it was cut.
    pub released: Vec<ReleasedPiece>,
}

impl ApprovalEffect {
    /// No change to the register.
    pub fn none() -> ApprovalEffect {
        ApprovalEffect {
            area: None,
            released: Vec::new(),
        }
    }
}

/// Why an approved report cannot be applied to its hazard area.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApprovalError {
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("field hazard_area_id: the report is about hazard area {report}, not {code} ({area})")]
    WrongArea {
        report: Uuid,
        area: Uuid,
        code: Code,
    },
    #[error(
        "field cancelled_m2: hazard area {code} is a CHA, and land with direct evidence cannot be cancelled; report it as reduced_m2 or cleared_m2"
    )]
    CancelOnConfirmed { code: Code },
    #[error(transparent)]
    Release(#[from] IllegalTransition),
    #[error("field {field}: {error}")]
    Cut {
        /// The report's polygon field: `worked` or `revised`.
        field: &'static str,
        #[source]
        error: CutError,
    },
}

impl ApprovalError {
    /// The report field at fault, if the problem is in one field.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApprovalError::Report(e) => Some(e.field()),
            ApprovalError::WrongArea { .. } => Some("hazard_area_id"),
            ApprovalError::CancelOnConfirmed { .. } => Some("cancelled_m2"),
            ApprovalError::Release(_) => None,
            ApprovalError::Cut { field, .. } => Some(field),
        }
    }
}

/// Computes what approving `body` on `date` does to `area`, whose earlier releases are
/// `already_released`. Pure: the caller stores the new version and the released pieces
/// in one transaction, or nothing when this fails.
///
/// - daily progress: work starts if the area was open; `worked` is cut out; an emptied
///   area closes, as cleared if any clearance was reported, else reduced, else cancelled;
/// - non-technical survey: `confirmed` makes an SHA a CHA and cancels the land outside
///   `revised`; `cancelled` closes the remaining area as cancelled;
/// - technical survey: as the non-technical survey, with the land reduced;
/// - completion: the remaining area closes as cleared;
/// - handover: the closed area is handed over;
/// - incident and reconstruction progress: no change to the hazard area.
///
/// The body is checked first ([`ReportBody::check`]). The area's version rises once per
/// change of state and once per change of polygon.
pub fn approval_effect(
    area: &HazardArea,
    already_released: &[Polygonal],
    body: &ReportBody,
    date: Date,
) -> Result<ApprovalEffect, ApprovalError> {
    body.check()?;
    if let Some(report) = body.hazard_area_id()
        && report != area.id
    {
        return Err(ApprovalError::WrongArea {
            report,
            area: area.id,
            code: area.code.clone(),
        });
    }
    let (new, released) = match body {
        ReportBody::DailyProgress(b) => daily_progress(area, already_released, b, date)?,
        ReportBody::NonTechnicalSurvey(b) => match b.outcome {
            NtsOutcome::Confirmed => confirm(
                area,
                already_released,
                b.revised.as_ref(),
                ClosureReason::Cancelled,
                date,
            )?,
            NtsOutcome::Cancelled => close_remainder(area, ClosureReason::Cancelled, date)?,
        },
        ReportBody::TechnicalSurvey(b) => match b.outcome {
            TsOutcome::Confirmed => confirm(
                area,
                already_released,
                b.revised.as_ref(),
                ClosureReason::Reduced,
                date,
            )?,
            TsOutcome::NoEvidence => close_remainder(area, ClosureReason::Reduced, date)?,
        },
        ReportBody::Completion(_) => close_remainder(area, ClosureReason::Cleared, date)?,
        ReportBody::Handover(_) => {
            let mut new = area.clone();
            new.apply(ReleaseEvent::HandOver, date)?;
            (new, Vec::new())
        }
        ReportBody::Incident(_) | ReportBody::ReconstructionProgress(_) => {
            return Ok(ApprovalEffect::none());
        }
    };
    Ok(ApprovalEffect {
        area: (new != *area).then_some(new),
        released,
    })
}

/// The assets blocked in `before` and free in `after`, sorted by id: those whose last
/// blocking hazard area was released in between.
pub fn assets_unblocked(before: &Gating, after: &Gating) -> Vec<Uuid> {
    before
        .blocking
        .iter()
        .filter(|(asset, hazards)| !hazards.is_empty() && after.of(**asset).is_empty())
        .map(|(asset, _)| *asset)
        .collect()
}

type Outcome = (HazardArea, Vec<ReleasedPiece>);

fn daily_progress(
    area: &HazardArea,
    already_released: &[Polygonal],
    b: &DailyProgress,
    date: Date,
) -> Result<Outcome, ApprovalError> {
    let reason = if b.cleared_m2 > 0.0 {
        ClosureReason::Cleared
    } else if b.reduced_m2 > 0.0 {
        ClosureReason::Reduced
    } else {
        ClosureReason::Cancelled
    };
    let mut new = area.clone();
    if new.status() != HazardStatus::WorkedOn {
        // Open land becomes worked on; released land refuses, naming the rule.
        new.apply(ReleaseEvent::StartWork, date)?;
    }
    if reason == ClosureReason::Cancelled && area.classification() == Classification::Cha {
        return Err(ApprovalError::CancelOnConfirmed {
            code: area.code.clone(),
        });
    }
    let cut = cut_release(area.geometry(), already_released, &b.worked).map_err(|error| {
        ApprovalError::Cut {
            field: "worked",
            error,
        }
    })?;
    match cut.remainder {
        Some(rest) => new.reshape(rest, date),
        None => new.apply(ReleaseEvent::Close(reason), date)?,
    }
    let reported = ReleasedByOutcome {
        cancelled_m2: b.cancelled_m2,
        reduced_m2: b.reduced_m2,
        cleared_m2: b.cleared_m2,
    };
    let piece = ReleasedPiece {
        polygon: cut.released,
        reason,
        m2: cut.released_m2,
        by_outcome: ReleasedByOutcome::shared(cut.released_m2, reported, reason),
    };
    Ok((new, vec![piece]))
}

/// A survey confirmed contamination: an SHA becomes a CHA (a CHA stays one), and the land
/// outside `revised`, if given, is released with `reason`.
fn confirm(
    area: &HazardArea,
    already_released: &[Polygonal],
    revised: Option<&Polygonal>,
    reason: ClosureReason,
    date: Date,
) -> Result<Outcome, ApprovalError> {
    let mut new = area.clone();
    match new.apply(ReleaseEvent::Confirm, date) {
        Ok(()) => {}
        // Confirming a CHA again is no change; a survey may still revise its polygon.
        Err(e) if e.classification == Classification::Cha && !e.status.is_released() => {}
        Err(e) => return Err(e.into()),
    }
    let Some(revised) = revised else {
        return Ok((new, Vec::new()));
    };
    let cut = cut_to_revised(area.geometry(), already_released, revised).map_err(|error| {
        ApprovalError::Cut {
            field: "revised",
            error,
        }
    })?;
    let Some(cut) = cut else {
        return Ok((new, Vec::new()));
    };
    if let Some(rest) = cut.remainder {
        new.reshape(rest, date);
    }
    let piece = ReleasedPiece {
        polygon: cut.released,
        reason,
        m2: cut.released_m2,
        by_outcome: ReleasedByOutcome::all(reason, cut.released_m2),
    };
    Ok((new, vec![piece]))
}

/// The whole remaining area is released with `reason`.
fn close_remainder(
    area: &HazardArea,
    reason: ClosureReason,
    date: Date,
) -> Result<Outcome, ApprovalError> {
    let mut new = area.clone();
    new.apply(ReleaseEvent::Close(reason), date)?;
    let piece = ReleasedPiece {
        polygon: area.geometry().clone(),
        reason,
        m2: area.area_m2(),
        by_outcome: ReleasedByOutcome::all(reason, area.area_m2()),
    };
    Ok((new, vec![piece]))
}

//! Land release (IMAS 07.11): the one function that knows which changes of a hazard
//! area's classification and status are legal.
//!
//! Classification (SHA or CHA) and status (open, worked on, closed, handed over) are two
//! separate axes, as IMAS keeps them. Nothing else in Bonifica writes either of them: a
//! [`crate::HazardArea`] only changes state through [`ReleaseState::apply`].

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::hazard::Classification;

/// Why a hazard area was closed: the land-release outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureReason {
    /// Non-technical survey found no evidence (IMAS 08.10).
    Cancelled,
    /// Technical survey showed the remaining land free of contamination (IMAS 08.20).
    Reduced,
    /// Clearance removed all explosive ordnance to the specified depth (IMAS 09.10).
    Cleared,
}

impl ClosureReason {
    pub const ALL: [ClosureReason; 3] = [
        ClosureReason::Cancelled,
        ClosureReason::Reduced,
        ClosureReason::Cleared,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClosureReason::Cancelled => "cancelled",
            ClosureReason::Reduced => "reduced",
            ClosureReason::Cleared => "cleared",
        }
    }
}

/// Where a hazard area stands in land release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", content = "closure_reason", rename_all = "snake_case")]
pub enum HazardStatus {
    /// Recorded, no work under way.
    Open,
    /// A team is surveying or clearing it.
    WorkedOn,
    /// Released, with its reason; not yet handed over.
    Closed(ClosureReason),
    /// Released and handed over to its new owner (IMAS 08.30); keeps its closure reason.
    HandedOver(ClosureReason),
}

impl HazardStatus {
    /// The status word as the field writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            HazardStatus::Open => "open",
            HazardStatus::WorkedOn => "worked_on",
            HazardStatus::Closed(_) => "closed",
            HazardStatus::HandedOver(_) => "handed_over",
        }
    }

    /// The closure reason of a closed or handed-over area.
    pub fn closure_reason(self) -> Option<ClosureReason> {
        match self {
            HazardStatus::Closed(r) | HazardStatus::HandedOver(r) => Some(r),
            HazardStatus::Open | HazardStatus::WorkedOn => None,
        }
    }

    /// True once the land is released: closed or handed over. Gating lifts here.
    pub fn is_released(self) -> bool {
        self.closure_reason().is_some()
    }

    /// Rebuilds a status from its stored words, refusing combinations that cannot exist.
    pub fn from_parts(status: &str, reason: Option<&str>) -> Result<HazardStatus, String> {
        let reason = match reason {
            None | Some("") => None,
            Some("cancelled") => Some(ClosureReason::Cancelled),
            Some("reduced") => Some(ClosureReason::Reduced),
            Some("cleared") => Some(ClosureReason::Cleared),
            Some(other) => return Err(format!("unknown closure reason {other:?}")),
        };
        match (status, reason) {
            ("open", None) => Ok(HazardStatus::Open),
            ("worked_on", None) => Ok(HazardStatus::WorkedOn),
            ("closed", Some(r)) => Ok(HazardStatus::Closed(r)),
            ("handed_over", Some(r)) => Ok(HazardStatus::HandedOver(r)),
            ("closed" | "handed_over", None) => {
                Err(format!("status {status:?} needs a closure reason"))
            }
            ("open" | "worked_on", Some(r)) => Err(format!(
                "status {status:?} cannot have closure reason {:?}",
                r.as_str()
            )),
            (other, _) => Err(format!("unknown status {other:?}")),
        }
    }
}

impl fmt::Display for HazardStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.closure_reason() {
            Some(r) => write!(f, "{} ({})", self.as_str(), r.as_str()),
            None => f.write_str(self.as_str()),
        }
    }
}

/// Something that happens to a hazard area in land release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseEvent {
    /// A team starts survey or clearance on the area.
    StartWork,
    /// Work stops before the area is released (team withdrawn, weather, season).
    SuspendWork,
    /// Survey finds direct evidence: an SHA becomes a CHA.
    Confirm,
    /// The area is released with this reason.
    Close(ClosureReason),
    /// The released land is handed over to its new owner (IMAS 08.30).
    HandOver,
    /// New evidence or a failed quality control puts released land back in the register.
    Reopen,
}

impl fmt::Display for ReleaseEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReleaseEvent::StartWork => f.write_str("start work"),
            ReleaseEvent::SuspendWork => f.write_str("suspend work"),
            ReleaseEvent::Confirm => f.write_str("confirm"),
            ReleaseEvent::Close(r) => write!(f, "close as {}", r.as_str()),
            ReleaseEvent::HandOver => f.write_str("hand over"),
            ReleaseEvent::Reopen => f.write_str("reopen"),
        }
    }
}

/// The two axes of a hazard area's land-release state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReleaseState {
    pub classification: Classification,
    pub status: HazardStatus,
}

/// A land-release change that IMAS does not allow, with the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "illegal land-release transition: cannot {event} a {classification} that is {status}: {rule}"
)]
pub struct IllegalTransition {
    pub classification: Classification,
    pub status: HazardStatus,
    pub event: ReleaseEvent,
    pub rule: &'static str,
}

impl ReleaseState {
    /// A newly recorded hazard area.
    pub fn new(classification: Classification) -> ReleaseState {
        ReleaseState {
            classification,
            status: HazardStatus::Open,
        }
    }

    /// Applies a land-release event, or names why it is illegal.
    ///
    /// The rules:
    /// - work starts only on open land, and is suspended only while under way;
    /// - only an SHA can be confirmed, and only before it is released;
    /// - cancellation (non-technical survey) applies only to an SHA: a CHA has direct
    ///   evidence, which no desk study can cancel;
    /// - reduction needs open or worked-on land; clearance needs a team to have worked it;
    /// - only closed land is handed over;
    /// - closed or handed-over land can be reopened on new evidence, and comes back as a CHA.
    pub fn apply(self, event: ReleaseEvent) -> Result<ReleaseState, IllegalTransition> {
        use Classification::{Cha, Sha};
        use HazardStatus::{Closed, HandedOver, Open, WorkedOn};
        let illegal = |rule| IllegalTransition {
            classification: self.classification,
            status: self.status,
            event,
            rule,
        };
        let status = |status| Ok(ReleaseState { status, ..self });
        match (event, self.status) {
            (ReleaseEvent::StartWork, Open) => status(WorkedOn),
            (ReleaseEvent::StartWork, _) => Err(illegal("work starts only on open land")),
            (ReleaseEvent::SuspendWork, WorkedOn) => status(Open),
            (ReleaseEvent::SuspendWork, _) => Err(illegal("only work under way can be suspended")),
            (ReleaseEvent::Confirm, Open | WorkedOn) => match self.classification {
                Sha => Ok(ReleaseState {
                    classification: Cha,
                    ..self
                }),
                Cha => Err(illegal("the area is already confirmed")),
            },
            (ReleaseEvent::Confirm, _) => Err(illegal("released land is not confirmed")),
            (ReleaseEvent::Close(ClosureReason::Cancelled), Open | WorkedOn) => {
                match self.classification {
                    Sha => status(Closed(ClosureReason::Cancelled)),
                    Cha => Err(illegal("a confirmed area cannot be cancelled by survey")),
                }
            }
            (ReleaseEvent::Close(ClosureReason::Reduced), Open | WorkedOn) => {
                status(Closed(ClosureReason::Reduced))
            }
            (ReleaseEvent::Close(ClosureReason::Cleared), WorkedOn) => {
                status(Closed(ClosureReason::Cleared))
            }
            (ReleaseEvent::Close(ClosureReason::Cleared), Open) => {
                Err(illegal("clearance needs a team to have worked the area"))
            }
            (ReleaseEvent::Close(_), _) => Err(illegal("the area is already released")),
            (ReleaseEvent::HandOver, Closed(r)) => status(HandedOver(r)),
            (ReleaseEvent::HandOver, HandedOver(_)) => Err(illegal("already handed over")),
            (ReleaseEvent::HandOver, _) => Err(illegal("only released land is handed over")),
            (ReleaseEvent::Reopen, Closed(_) | HandedOver(_)) => Ok(ReleaseState {
                classification: Cha,
                status: Open,
            }),
            (ReleaseEvent::Reopen, _) => Err(illegal("only released land can be reopened")),
        }
    }
}

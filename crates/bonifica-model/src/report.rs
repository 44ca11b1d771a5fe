//! Field reports: their kinds and bodies as `docs/reports.md` lists them, and the checks a
//! body must pass on its own before it can go through the workflow.
//!
//! Which transitions a report may go through is in [`crate::workflow`]; what an approved
//! report does to its hazard area is in [`crate::approval`].

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Date;
use crate::cut::fmt_m2;
use crate::geometry::Polygonal;
use crate::hazard::word_enum;

word_enum! {
    /// What a report is about: daily progress (IMAS 07.11), non-technical survey (08.10),
    /// technical survey (08.20), completion and handover (08.30), accident or incident
    /// (10.60), and a crew's progress repairing an asset.
    ReportKind {
        DailyProgress => "daily_progress",
        NonTechnicalSurvey => "non_technical_survey",
        TechnicalSurvey => "technical_survey",
        Completion => "completion",
        Handover => "handover",
        Incident => "incident",
        ReconstructionProgress => "reconstruction_progress",
    }
}

word_enum! {
    /// Category of an explosive ordnance find: anti-personnel or anti-vehicle mine,
    /// unexploded ordnance (shells, mortar bombs, rockets, grenades), a submunition of a
    /// cluster munition, improvised explosive device, abandoned ordnance, small arms
    /// ammunition.
    OrdnanceCategory {
        ApMine => "ap_mine",
        AvMine => "av_mine",
        Uxo => "uxo",
        Submunition => "submunition",
        Ied => "ied",
        AbandonedOrdnance => "abandoned_ordnance",
        SmallArmsAmmunition => "small_arms_ammunition",
    }
}

word_enum! {
    /// What was done with an explosive ordnance find.
    Disposal {
        DestroyedInSitu => "destroyed_in_situ",
        Removed => "removed",
    }
}

word_enum! {
    /// Outcome of a non-technical survey: evidence found, the area is confirmed (SHA →
    /// CHA); or no evidence, the area is cancelled.
    NtsOutcome {
        Confirmed => "confirmed",
        Cancelled => "cancelled",
    }
}

word_enum! {
    /// Outcome of a technical survey: contamination confirmed, the area becomes a CHA; or
    /// no evidence found, the remaining area is reduced.
    TsOutcome {
        Confirmed => "confirmed",
        NoEvidence => "no_evidence",
    }
}

word_enum! {
    /// IMAS 10.60: an accident injures or kills; an incident is an unplanned event that
    /// could have.
    IncidentCategory {
        Accident => "accident",
        Incident => "incident",
    }
}

word_enum! {
    /// Sex of a victim, as recorded.
    Sex {
        Female => "female",
        Male => "male",
        Unknown => "unknown",
    }
}

word_enum! {
    /// What happened to a victim.
    Injury {
        Killed => "killed",
        Injured => "injured",
    }
}

/// An explosive ordnance find: category, count and disposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrdnanceFound {
    pub category: OrdnanceCategory,
    pub count: u32,
    pub disposal: Disposal,
}

/// Daily progress of a team on a hazard area (IMAS 07.11).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyProgress {
    pub hazard_area_id: Uuid,
    pub team_id: Uuid,
    pub date: Date,
    /// The land worked today, to be cut out of the hazard area on approval.
    pub worked: Polygonal,
    pub cancelled_m2: f64,
    pub reduced_m2: f64,
    pub cleared_m2: f64,
    pub hours: f64,
    pub ordnance: Vec<OrdnanceFound>,
}

/// Non-technical survey (IMAS 08.10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NonTechnicalSurvey {
    pub hazard_area_id: Uuid,
    pub team_id: Uuid,
    pub date: Date,
    pub outcome: NtsOutcome,
    pub evidence: String,
    /// The confirmed polygon; land of the area outside it is cancelled.
    pub revised: Option<Polygonal>,
}

/// Technical survey (IMAS 08.20).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TechnicalSurvey {
    pub hazard_area_id: Uuid,
    pub team_id: Uuid,
    pub date: Date,
    pub outcome: TsOutcome,
    pub evidence: String,
    /// The confirmed polygon; land of the area outside it is reduced.
    pub revised: Option<Polygonal>,
    pub ordnance: Vec<OrdnanceFound>,
}

/// Completion report of a cleared area (IMAS 08.30).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    pub hazard_area_id: Uuid,
    pub team_id: Uuid,
    pub date: Date,
    pub cleared_m2: f64,
    /// Depth cleared to, in centimetres.
    pub depth_cm: u32,
    pub summary: String,
}

/// A permanent survey marker at a turning point of a released polygon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marker {
    pub label: String,
    pub lon: f64,
    pub lat: f64,
}

/// Handover certificate (IMAS 08.30): who received the land and who owns residual risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handover {
    pub hazard_area_id: Uuid,
    pub date: Date,
    pub received_by: String,
    pub residual_risk_owner: String,
    pub markers: Vec<Marker>,
}

/// A victim of an accident. Restricted personal data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Victim {
    pub name: String,
    /// Age in years, when known.
    pub age: Option<u32>,
    pub sex: Sex,
    pub injury: Injury,
}

/// Accident or incident (IMAS 10.60). Kept and audited; no effect on the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub date: Date,
    pub lon: f64,
    pub lat: f64,
    pub hazard_area_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub category: IncidentCategory,
    pub description: String,
    pub victims: Vec<Victim>,
}

/// Progress of a crew repairing an asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReconstructionProgress {
    pub asset_id: Uuid,
    pub crew_id: Uuid,
    pub date: Date,
    /// Share of the repair done, 0 to 100.
    pub percent_done: f64,
    /// The asset is back in service; needs `percent_done` 100.
    pub restored: bool,
    pub hours: f64,
}

/// The body of a report: one variant per kind, tagged by its kind word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReportBody {
    DailyProgress(DailyProgress),
    NonTechnicalSurvey(NonTechnicalSurvey),
    TechnicalSurvey(TechnicalSurvey),
    Completion(Completion),
    Handover(Handover),
    Incident(Incident),
    ReconstructionProgress(ReconstructionProgress),
}

/// What is wrong with a report body on its own, naming the field (`victims[1].age`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReportError {
    #[error("field {field}: {value} is not a finite number")]
    NotFinite { field: String, value: f64 },
    #[error("field {field}: {value} is negative")]
    Negative { field: String, value: f64 },
    #[error("field {field}: {value} is outside {range}")]
    OutOfRange {
        field: String,
        value: f64,
        range: &'static str,
    },
    #[error("field {field}: must not be empty")]
    Empty { field: String },
    #[error(
        "field date: {date} is outside {}..={}",
        FIRST_REPORT_DATE,
        LAST_REPORT_DATE
    )]
    ImplausibleDate { date: Date },
    #[error(
        "field worked: cancelled + reduced + cleared make {} m², but the worked polygon measures {} m² (they may differ by {} m²)",
        fmt_m2(*.reported_m2), fmt_m2(*.worked_m2), fmt_m2(*.tolerance_m2)
    )]
    AreasDisagree {
        reported_m2: f64,
        worked_m2: f64,
        tolerance_m2: f64,
    },
    #[error("field {field}: {problem}")]
    Inconsistent {
        field: String,
        problem: &'static str,
    },
}

impl ReportError {
    /// The field the problem is in, as exchanged (`percent_done`, `markers[0].lat`).
    pub fn field(&self) -> &str {
        match self {
            ReportError::NotFinite { field, .. }
            | ReportError::Negative { field, .. }
            | ReportError::OutOfRange { field, .. }
            | ReportError::Empty { field }
            | ReportError::Inconsistent { field, .. } => field,
            ReportError::AreasDisagree { .. } => "worked",
            ReportError::ImplausibleDate { .. } => "date",
        }
    }
}

/// Outcome areas of a daily progress may differ from the worked polygon's geodesic area
/// by this share of it (field measurement and drawing on a phone)...
pub const AREA_TOLERANCE_SHARE: f64 = 0.05;
/// ...or by this many square metres, whichever is larger.
pub const AREA_TOLERANCE_M2: f64 = 1.0;

/// Oldest plausible age of a victim, in years.
pub const MAX_VICTIM_AGE: u32 = 120;

impl ReportBody {
    pub fn kind(&self) -> ReportKind {
        match self {
            ReportBody::DailyProgress(_) => ReportKind::DailyProgress,
            ReportBody::NonTechnicalSurvey(_) => ReportKind::NonTechnicalSurvey,
            ReportBody::TechnicalSurvey(_) => ReportKind::TechnicalSurvey,
            ReportBody::Completion(_) => ReportKind::Completion,
            ReportBody::Handover(_) => ReportKind::Handover,
            ReportBody::Incident(_) => ReportKind::Incident,
            ReportBody::ReconstructionProgress(_) => ReportKind::ReconstructionProgress,
        }
    }

    /// The hazard area the report is about, if any.
    pub fn hazard_area_id(&self) -> Option<Uuid> {
        match self {
            ReportBody::DailyProgress(b) => Some(b.hazard_area_id),
            ReportBody::NonTechnicalSurvey(b) => Some(b.hazard_area_id),
            ReportBody::TechnicalSurvey(b) => Some(b.hazard_area_id),
            ReportBody::Completion(b) => Some(b.hazard_area_id),
            ReportBody::Handover(b) => Some(b.hazard_area_id),
            ReportBody::Incident(b) => b.hazard_area_id,
            ReportBody::ReconstructionProgress(_) => None,
        }
    }

    /// The asset the report is about, if any.
    pub fn asset_id(&self) -> Option<Uuid> {
        match self {
            ReportBody::ReconstructionProgress(b) => Some(b.asset_id),
            _ => None,
        }
    }

    /// The team or crew that filed the report, if any.
    pub fn unit_id(&self) -> Option<Uuid> {
        match self {
            ReportBody::DailyProgress(b) => Some(b.team_id),
            ReportBody::NonTechnicalSurvey(b) => Some(b.team_id),
            ReportBody::TechnicalSurvey(b) => Some(b.team_id),
            ReportBody::Completion(b) => Some(b.team_id),
            ReportBody::Handover(_) => None,
            ReportBody::Incident(b) => b.team_id,
            ReportBody::ReconstructionProgress(b) => Some(b.crew_id),
        }
    }

    /// The date of information.
    pub fn date(&self) -> Date {
        match self {
            ReportBody::DailyProgress(b) => b.date,
            ReportBody::NonTechnicalSurvey(b) => b.date,
            ReportBody::TechnicalSurvey(b) => b.date,
            ReportBody::Completion(b) => b.date,
            ReportBody::Handover(b) => b.date,
            ReportBody::Incident(b) => b.date,
            ReportBody::ReconstructionProgress(b) => b.date,
        }
    }

    /// The polygon the report carries: the worked land, or a survey's revised polygon.
    pub fn geometry(&self) -> Option<&Polygonal> {
        match self {
            ReportBody::DailyProgress(b) => Some(&b.worked),
            ReportBody::NonTechnicalSurvey(b) => b.revised.as_ref(),
            ReportBody::TechnicalSurvey(b) => b.revised.as_ref(),
            _ => None,
        }
    }

    /// Checks the body on its own: numbers finite and in range, required text present,
    /// outcome areas agreeing with the worked polygon. Returns the first problem found,
    /// naming its field. Whether the report fits its hazard area is decided on approval.
    pub fn check(&self) -> Result<(), ReportError> {
        let date = self.date();
        if !(FIRST_REPORT_DATE..=LAST_REPORT_DATE).contains(&date) {
            return Err(ReportError::ImplausibleDate { date });
        }
        match self {
            ReportBody::DailyProgress(b) => check_daily_progress(b),
            ReportBody::NonTechnicalSurvey(b) => {
                if b.outcome == NtsOutcome::Cancelled && b.revised.is_some() {
                    return Err(inconsistent(
                        "revised",
                        "a cancelled area has no revised polygon; the whole area is cancelled",
                    ));
                }
                Ok(())
            }
            ReportBody::TechnicalSurvey(b) => {
                if b.outcome == TsOutcome::NoEvidence && b.revised.is_some() {
                    return Err(inconsistent(
                        "revised",
                        "with no evidence there is no revised polygon; the whole area is reduced",
                    ));
                }
                check_ordnance(&b.ordnance)
            }
            ReportBody::Completion(b) => non_negative("cleared_m2", b.cleared_m2),
            ReportBody::Handover(b) => check_handover(b),
            ReportBody::Incident(b) => check_incident(b),
            ReportBody::ReconstructionProgress(b) => check_reconstruction(b),
        }
    }
}

impl From<DailyProgress> for ReportBody {
    fn from(b: DailyProgress) -> ReportBody {
        ReportBody::DailyProgress(b)
    }
}

impl From<NonTechnicalSurvey> for ReportBody {
    fn from(b: NonTechnicalSurvey) -> ReportBody {
        ReportBody::NonTechnicalSurvey(b)
    }
}

impl From<TechnicalSurvey> for ReportBody {
    fn from(b: TechnicalSurvey) -> ReportBody {
        ReportBody::TechnicalSurvey(b)
    }
}

impl From<Completion> for ReportBody {
    fn from(b: Completion) -> ReportBody {
        ReportBody::Completion(b)
    }
}

impl From<Handover> for ReportBody {
    fn from(b: Handover) -> ReportBody {
        ReportBody::Handover(b)
    }
}

impl From<Incident> for ReportBody {
    fn from(b: Incident) -> ReportBody {
        ReportBody::Incident(b)
    }
}

impl From<ReconstructionProgress> for ReportBody {
    fn from(b: ReconstructionProgress) -> ReportBody {
        ReportBody::ReconstructionProgress(b)
    }
}

fn check_daily_progress(b: &DailyProgress) -> Result<(), ReportError> {
    non_negative("cancelled_m2", b.cancelled_m2)?;
    non_negative("reduced_m2", b.reduced_m2)?;
    non_negative("cleared_m2", b.cleared_m2)?;
    hours_of_a_day(b.hours)?;
    check_ordnance(&b.ordnance)?;
    let reported_m2 = b.cancelled_m2 + b.reduced_m2 + b.cleared_m2;
    let worked_m2 = b.worked.area_m2();
    let tolerance_m2 = (worked_m2 * AREA_TOLERANCE_SHARE).max(AREA_TOLERANCE_M2);
    if (reported_m2 - worked_m2).abs() > tolerance_m2 {
        return Err(ReportError::AreasDisagree {
            reported_m2,
            worked_m2,
            tolerance_m2,
        });
    }
    Ok(())
}

fn check_ordnance(finds: &[OrdnanceFound]) -> Result<(), ReportError> {
    match finds.iter().position(|f| f.count == 0) {
        Some(i) => Err(inconsistent(
            format!("ordnance[{i}].count"),
            "a find counts at least one item",
        )),
        None => Ok(()),
    }
}

fn check_handover(b: &Handover) -> Result<(), ReportError> {
    not_empty("received_by", &b.received_by)?;
    not_empty("residual_risk_owner", &b.residual_risk_owner)?;
    for (i, marker) in b.markers.iter().enumerate() {
        not_empty(format!("markers[{i}].label"), &marker.label)?;
        position(&format!("markers[{i}]."), marker.lon, marker.lat)?;
    }
    Ok(())
}

fn check_incident(b: &Incident) -> Result<(), ReportError> {
    position("", b.lon, b.lat)?;
    not_empty("description", &b.description)?;
    for (i, victim) in b.victims.iter().enumerate() {
        if let Some(age) = victim.age
            && age > MAX_VICTIM_AGE
        {
            return Err(ReportError::OutOfRange {
                field: format!("victims[{i}].age"),
                value: f64::from(age),
                range: "0..=120 years",
            });
        }
    }
    Ok(())
}

fn check_reconstruction(b: &ReconstructionProgress) -> Result<(), ReportError> {
    finite("percent_done", b.percent_done)?;
    if !(0.0..=100.0).contains(&b.percent_done) {
        return Err(ReportError::OutOfRange {
            field: "percent_done".into(),
            value: b.percent_done,
            range: "0..=100",
        });
    }
    if b.restored && b.percent_done < 100.0 {
        return Err(inconsistent(
            "restored",
            "an asset is restored only when percent_done is 100",
        ));
    }
    hours_of_a_day(b.hours)
}

fn inconsistent(field: impl Into<String>, problem: &'static str) -> ReportError {
    ReportError::Inconsistent {
        field: field.into(),
        problem,
    }
}

fn finite(field: &str, value: f64) -> Result<(), ReportError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(ReportError::NotFinite {
            field: field.into(),
            value,
        })
    }
}

/// The earliest date of information a report may carry: the IMAS were first published in
/// 1997, and no programme reports on earlier days in Bonifica.
pub const FIRST_REPORT_DATE: Date = match Date::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// The latest date of information a report may carry. Whether a date is in the future is
/// the caller's to judge (the model reads no clock); this bound only refuses the absurd.
pub const LAST_REPORT_DATE: Date = match Date::from_ymd_opt(2099, 12, 31) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// Hours a team or crew works in one day of a report: at most the day's 24.
const MAX_HOURS_PER_DAY: f64 = 24.0;

/// `Err` unless `value` is hours of one day: finite, 0 to 24.
fn hours_of_a_day(value: f64) -> Result<(), ReportError> {
    non_negative("hours", value)?;
    if value > MAX_HOURS_PER_DAY {
        return Err(ReportError::OutOfRange {
            field: "hours".into(),
            value,
            range: "0..=24 hours in one day",
        });
    }
    Ok(())
}

fn non_negative(field: &str, value: f64) -> Result<(), ReportError> {
    finite(field, value)?;
    if value < 0.0 {
        return Err(ReportError::Negative {
            field: field.into(),
            value,
        });
    }
    Ok(())
}

fn not_empty(field: impl Into<String>, text: &str) -> Result<(), ReportError> {
    if text.trim().is_empty() {
        return Err(ReportError::Empty {
            field: field.into(),
        });
    }
    Ok(())
}

/// A WGS 84 position; `prefix` leads the field names (`markers[2].`).
fn position(prefix: &str, lon: f64, lat: f64) -> Result<(), ReportError> {
    for (name, value, limit, range) in [
        ("lon", lon, 180.0, "-180..=180"),
        ("lat", lat, 90.0, "-90..=90"),
    ] {
        let field = format!("{prefix}{name}");
        finite(&field, value)?;
        if value.abs() > limit {
            return Err(ReportError::OutOfRange {
                field,
                value,
                range,
            });
        }
    }
    Ok(())
}

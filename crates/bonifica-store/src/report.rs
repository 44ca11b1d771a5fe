//! Field reports and released land as the store keeps them, and the one change set that
//! an approval commits.
//!
//! The store does not know what each report kind carries: a report is stored with its
//! kind and workflow state as words and its body as JSON text, and the rules of the
//! workflow live above the store. What the store guarantees is that a client id makes at
//! most one report, that versions are checked, that an approved report never changes
//! again, and that an approval's consequences are written together with their audit
//! entries or not at all.

use bonifica_model::{Asset, ClosureReason, Date, HazardArea, Polygonal};
use uuid::Uuid;

/// The state word of an approved report: final, never changed by the store.
pub const APPROVED: &str = "approved";

/// A field report as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub id: Uuid,
    /// Chosen by the client (a UUID as text); the same client id never makes two reports.
    pub client_id: String,
    /// The kind word (`daily_progress`, `incident`...).
    pub kind: String,
    /// The workflow state word (`draft`, `submitted`, `verified`, `approved`, `rejected`).
    pub state: String,
    pub hazard_area_id: Option<Uuid>,
    pub asset_id: Option<Uuid>,
    /// The team or crew that reports.
    pub unit_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    /// Seen only by the defence liaison (a restricted hazard area or asset).
    pub restricted: bool,
    /// The version of the hazard area the team leader saw.
    pub based_on_version: Option<u32>,
    /// The date of information.
    pub report_date: Date,
    /// The kind's own fields, as JSON text.
    pub body: String,
    /// The report's polygon (worked or revised land), WGS 84.
    pub geometry: Option<Polygonal>,
    /// Who has approved so far (user names), for the co-approval of restricted areas.
    pub approvals: Vec<String>,
    /// 1 when filed, raised by every change.
    pub version: u32,
    pub created_by: String,
    /// UTC, RFC 3339.
    pub created_at: String,
    /// UTC, RFC 3339.
    pub updated_at: String,
}

/// One step of a report's workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRow {
    /// `submit`, `verify`, `reject`, `approve`, `revise`...
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    /// The user name of who did it.
    pub actor: String,
    /// Their role word.
    pub role: String,
    pub comment: Option<String>,
    /// UTC, RFC 3339.
    pub at: String,
}

/// What [`crate::ReportStore::insert_report`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Inserted {
    /// The report was new and is now stored.
    New(ReportRow),
    /// A report with that client id was already stored: here it is, unchanged.
    Existing(ReportRow),
}

impl Inserted {
    /// The stored report, new or not.
    pub fn row(&self) -> &ReportRow {
        match self {
            Inserted::New(r) | Inserted::Existing(r) => r,
        }
    }
}

/// Filters and a page for [`crate::ReportStore::reports`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportQuery {
    pub state: Option<String>,
    pub kind: Option<String>,
    pub hazard_area_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    /// Include restricted reports (for the defence liaison only).
    pub include_restricted: bool,
    /// Only restricted reports (with `include_restricted`): the reports on restricted
    /// hazard areas and assets.
    pub only_restricted: bool,
    /// At most this many reports; `None` for all.
    pub limit: Option<usize>,
    /// Skip this many first.
    pub offset: usize,
    /// Only the reports after this one in the list's order (newest first): the next page
    /// after a page that ended with it. A report filed later, or changed since, does not
    /// shift the pages. An unknown id gives no reports.
    pub after_report: Option<Uuid>,
}

/// A piece of land released from a hazard area by an approved report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleasedLand {
    pub id: Uuid,
    pub hazard_area_id: Uuid,
    pub report_id: Uuid,
    pub reason: ClosureReason,
    pub released_on: Date,
    pub polygon: Polygonal,
    /// Geodesic area in square metres.
    pub area_m2: f64,
    /// The same area by how it was released.
    pub by_outcome: bonifica_model::ReleasedByOutcome,
}

/// Everything one report transition changes, committed together by
/// [`crate::ReportStore::commit`].
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeSet {
    /// Who makes the change (a user name), for the audit log and the records' stamps.
    pub actor: String,
    /// When: UTC, RFC 3339.
    pub at: String,
    /// The report as it becomes: new state, `version` one above the stored one.
    pub report: ReportRow,
    /// The version of the report the change was decided on.
    pub expected_report_version: u32,
    pub transition: TransitionRow,
    /// Hazard areas as they become (their `version` raised by one), each with the stored
    /// version the change was decided on.
    pub hazard_areas: Vec<(HazardArea, u32)>,
    pub released: Vec<ReleasedLand>,
    /// Assets as they become, each with the stored version the change was decided on.
    pub assets: Vec<(Asset, u32)>,
}

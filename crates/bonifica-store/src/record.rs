//! One record of any editable kind, with the stamp the store keeps beside it: the types
//! the record-at-a-time functions of [`crate::GeoPackage`] take and return.

use bonifica_model::{
    Asset, Code, Contract, Crew, Dataset, HazardArea, Organisation, Person, RecordKind, Region,
    Settlement, Team,
};
use uuid::Uuid;

use crate::BBox;

/// One record of a kind the API reads and writes.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Region(Region),
    Organisation(Organisation),
    Person(Person),
    Contract(Contract),
    Team(Team),
    Crew(Crew),
    Settlement(Settlement),
    HazardArea(HazardArea),
    Asset(Asset),
}

impl Record {
    /// The record's kind.
    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Region(_) => RecordKind::Region,
            Record::Organisation(_) => RecordKind::Organisation,
            Record::Person(_) => RecordKind::Person,
            Record::Contract(_) => RecordKind::Contract,
            Record::Team(_) => RecordKind::Team,
            Record::Crew(_) => RecordKind::Crew,
            Record::Settlement(_) => RecordKind::Settlement,
            Record::HazardArea(_) => RecordKind::HazardArea,
            Record::Asset(_) => RecordKind::Asset,
        }
    }

    /// The record's stable id.
    pub fn id(&self) -> Uuid {
        match self {
            Record::Region(r) => r.id,
            Record::Organisation(r) => r.id,
            Record::Person(r) => r.id,
            Record::Contract(r) => r.id,
            Record::Team(r) => r.id,
            Record::Crew(r) => r.id,
            Record::Settlement(r) => r.id,
            Record::HazardArea(r) => r.id,
            Record::Asset(r) => r.id,
        }
    }

    /// The record's human-readable code.
    pub fn code(&self) -> &Code {
        match self {
            Record::Region(r) => &r.code,
            Record::Organisation(r) => &r.code,
            Record::Person(r) => &r.code,
            Record::Contract(r) => &r.code,
            Record::Team(r) => &r.code,
            Record::Crew(r) => &r.code,
            Record::Settlement(r) => &r.code,
            Record::HazardArea(r) => &r.code,
            Record::Asset(r) => &r.code,
        }
    }

    /// A dataset holding only this record.
    pub fn to_dataset(&self) -> Dataset {
        let mut d = Dataset::default();
        match self.clone() {
            Record::Region(r) => d.regions.push(r),
            Record::Organisation(r) => d.organisations.push(r),
            Record::Person(r) => d.people.push(r),
            Record::Contract(r) => d.contracts.push(r),
            Record::Team(r) => d.teams.push(r),
            Record::Crew(r) => d.crews.push(r),
            Record::Settlement(r) => d.settlements.push(r),
            Record::HazardArea(r) => d.hazard_areas.push(r),
            Record::Asset(r) => d.assets.push(r),
        }
        d
    }
}

/// The kinds a [`Record`] can be, and the table each lives in.
pub const RECORD_KINDS: [(RecordKind, &str); 9] = [
    (RecordKind::Region, "regions"),
    (RecordKind::Organisation, "organisations"),
    (RecordKind::Person, "people"),
    (RecordKind::Contract, "contracts"),
    (RecordKind::Team, "teams"),
    (RecordKind::Crew, "crews"),
    (RecordKind::Settlement, "settlements"),
    (RecordKind::HazardArea, "hazard_areas"),
    (RecordKind::Asset, "assets"),
];

/// The table of an editable kind; `None` for rivers.
pub fn table_of(kind: RecordKind) -> Option<&'static str> {
    RECORD_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, t)| *t)
}

/// What the store keeps beside a record for optimistic concurrency and audit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stamp {
    /// Raised by every change; 1 when recorded.
    pub version: u32,
    /// When the record was last written (UTC, RFC 3339), if written through the API.
    pub updated_at: Option<String>,
    /// Who last wrote it (a user name), if written through the API.
    pub updated_by: Option<String>,
}

/// A record with its stamp.
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned {
    pub record: Record,
    pub stamp: Stamp,
}

/// Filters and a page for [`crate::RecordStore::list_records`]. Filters that do not apply
/// to a kind (a box for people, a status for assets) are ignored.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListQuery {
    /// Records whose geometry's bounding box meets this box (feature tables only).
    pub bbox: Option<BBox>,
    /// Hazard area status word (`open`, `worked_on`, `closed`, `handed_over`).
    pub status: Option<String>,
    /// Asset kind, organisation kind, team method or crew trade word.
    pub kind: Option<String>,
    /// Records of this organisation (hazard areas, people, contracts, teams, crews).
    pub organisation: Option<Uuid>,
    /// Include restricted hazard areas and assets (restricted flag or military structure).
    pub include_restricted: bool,
    /// Only records whose code sorts after this one (the previous page's last code).
    pub after_code: Option<String>,
    /// Records per page; at least 1.
    pub limit: usize,
}

/// One page of records, in code order.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordPage {
    pub records: Vec<Versioned>,
    /// The code to pass as `after_code` for the next page; `None` on the last page.
    pub next_after: Option<String>,
}

//! The store of Bonifica: where a programme's register lives between runs.
//!
//! [`Store`] is the interface the rest of the system uses; [`GeoPackage`] implements it
//! on one OGC GeoPackage file that QGIS and GDAL open directly, and [`Postgres`] on a
//! PostgreSQL/PostGIS database that several servers share. Only this crate knows SQL.
//!
//! Every write is one transaction: an insert or a replacement that fails leaves the store
//! exactly as it was.
//!
//! Beside the bulk [`Store`] interface, [`GeoPackage`] has record-at-a-time functions for
//! the API (create, update against an expected version, delete, get, list with filters
//! and pages) and keeps the server's users, sessions and API tokens.
//!
//! It also keeps the daily loop: field reports with their transitions, the land their
//! approval releases, and a hash-chained audit log ([`audit`]) to which every write path
//! appends in its own transaction.

pub mod audit;
mod backend;
mod error;
mod gpkg;
mod pg;
mod plan_json;
mod record;
mod report;
pub mod scratch;
mod transfer;

use std::collections::BTreeMap;

use bonifica_model::{Asset, Dataset, HazardArea};
use uuid::Uuid;

pub use audit::{AuditAnchor, AuditCheck, AuditEntry, AuditProblem, SYSTEM_ACTOR};
pub use backend::{
    AccountStore, AuditStore, Backend, JobStore, PlanStore, PlanningLease, RecordStore,
    ReportStore, create, is_database_url, open,
};
pub use error::StoreError;
pub use gpkg::{GeoPackage, SCHEMA_VERSION, StoredPlan};
pub use pg::Postgres;
pub use record::{ListQuery, RECORD_KINDS, Record, RecordPage, Stamp, Versioned, table_of};
pub use report::{
    APPROVED, ChangeSet, Inserted, ReleasedLand, ReportQuery, ReportRow, TransitionRow,
};
pub use transfer::{TableDump, Transfer, Value};

/// A user to add. The password hash is computed by the caller (argon2 in the server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub password_hash: String,
    /// The role word, as the server defines them (`coordinator`, `viewer`...).
    pub role: String,
    /// The organisation an operations manager or team leader belongs to.
    pub organisation_id: Option<Uuid>,
    /// The team a team leader leads.
    pub team_id: Option<Uuid>,
}

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub organisation_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    /// UTC, RFC 3339.
    pub created_at: String,
}

/// A browser session: the hash of its cookie token, its CSRF token and its expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub user_id: Uuid,
    pub csrf_token: String,
    /// UTC, RFC 3339; compared by the caller.
    pub expires_at: String,
}

/// A bearer token to record for an API client. The secret itself is never given to the
/// store: only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub token_hash: String,
    /// The user the token acts as.
    pub user_id: Uuid,
    pub name: String,
    /// UTC, RFC 3339; compared by the caller.
    pub expires_at: String,
}

/// A stored bearer token, found by its hash or listed by its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// The token's public id, by which it is listed and revoked.
    pub id: Uuid,
    pub token_hash: String,
    pub user_id: Uuid,
    pub name: String,
    /// UTC, RFC 3339.
    pub created_at: String,
    /// UTC, RFC 3339; compared by the caller.
    pub expires_at: String,
}

/// A longitude/latitude box in WGS 84 degrees, edges included.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl BBox {
    /// A box from its corners, in degrees.
    pub fn new(min_lon: f64, min_lat: f64, max_lon: f64, max_lat: f64) -> BBox {
        BBox {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        }
    }
}

/// Row counts per stored table, keyed by table name (`hazard_areas`, `team_members`...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts(pub BTreeMap<&'static str, u64>);

impl Counts {
    /// The count of one table; 0 for a table the store does not know.
    pub fn get(&self, table: &str) -> u64 {
        self.0.get(table).copied().unwrap_or(0)
    }

    /// The sum over all tables.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }
}

/// What an insert added: rows per table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InsertReport {
    pub added: Counts,
}

/// An earlier version of a hazard area, exactly as it was stored before a replacement.
#[derive(Debug, Clone, PartialEq)]
pub struct HazardAreaVersion {
    /// The area as it stood in that version (its `version` and `as_of` included).
    pub area: HazardArea,
}

/// Where Bonifica keeps its register. Implementations must make every write one
/// transaction and must never leave half a change behind.
pub trait Store {
    /// Every record of every region.
    fn load(&self) -> Result<Dataset, StoreError>;

    /// Every record of one region; [`StoreError::NotFound`] if the region is not stored.
    fn load_region(&self, region_id: Uuid) -> Result<Dataset, StoreError>;

    /// Adds every record of `dataset` in one transaction. The dataset is checked against
    /// the union of what is stored and what is added, so its references may point at stored
    /// records; an id or code that is already stored is a [`StoreError::Duplicate`].
    /// Nothing is written on any error.
    fn insert(&mut self, dataset: &Dataset) -> Result<InsertReport, StoreError>;

    /// Replaces a stored hazard area with a newer version of it, provided the stored version
    /// is still `expected_version` (optimistic concurrency). The replaced version is kept in
    /// the history.
    fn replace_hazard_area(
        &mut self,
        area: &HazardArea,
        expected_version: u32,
    ) -> Result<(), StoreError>;

    /// The earlier versions of a hazard area, oldest first (the current one excluded).
    fn hazard_area_history(&self, id: Uuid) -> Result<Vec<HazardAreaVersion>, StoreError>;

    /// The hazard areas whose polygon intersects `bbox`, in storage order.
    fn hazard_areas_in_bbox(&self, bbox: BBox) -> Result<Vec<HazardArea>, StoreError>;

    /// The assets whose footprint intersects `bbox`, in storage order.
    fn assets_in_bbox(&self, bbox: BBox) -> Result<Vec<Asset>, StoreError>;

    /// One hazard area by id.
    fn hazard_area(&self, id: Uuid) -> Result<Option<HazardArea>, StoreError>;

    /// One asset by id.
    fn asset(&self, id: Uuid) -> Result<Option<Asset>, StoreError>;

    /// Row counts per table.
    fn counts(&self) -> Result<Counts, StoreError>;
}

/// The storage traits, for callers that use a store's methods: `use bonifica_store::prelude::*;`.
pub mod prelude {
    pub use crate::{
        AccountStore, AuditStore, Backend, JobStore, PlanStore, RecordStore, ReportStore, Store,
    };
}

//! The one error type of the store. Messages are lowercase and name the table, the record
//! and the field, so an information manager can find the broken row in QGIS.

use std::path::PathBuf;

use bonifica_model::DatasetError;
use uuid::Uuid;

use crate::AuditProblem;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed; `context` says what the store was doing (table, record).
    #[error("{context}: {source}")]
    Sqlite {
        context: String,
        #[source]
        source: rusqlite::Error,
    },
    /// PostgreSQL failed; `context` says what the store was doing (table, record).
    #[error("{context}: {source}")]
    Postgres {
        context: String,
        #[source]
        source: postgres::Error,
    },
    /// A database URL that cannot be used, or a database that is not Bonifica's.
    #[error("database {url}: {problem}")]
    Database { url: String, problem: String },
    /// A stored row cannot be read back into a record.
    #[error("{table} {code}: field {field}: {problem}")]
    CorruptRow {
        table: &'static str,
        code: String,
        field: &'static str,
        problem: String,
    },
    /// Someone else changed the record since it was read.
    #[error("stored plan {name}: {problem}")]
    CorruptPlan { name: String, problem: String },
    #[error("{kind} {code}: stored version is {stored}, expected {expected}")]
    VersionConflict {
        kind: &'static str,
        code: String,
        stored: u32,
        expected: u32,
    },
    /// A replacement that does not raise the version.
    #[error("hazard area {code}: new version {given} must be above the stored version {stored}")]
    VersionNotRaised {
        code: String,
        stored: u32,
        given: u32,
    },
    /// A record whose id or code is already stored.
    #[error("{kind} {code}: {what} already stored")]
    Duplicate {
        kind: &'static str,
        code: String,
        /// `id` or `code`.
        what: &'static str,
    },
    /// A record that other records still refer to, so it cannot be deleted.
    #[error("{kind} {code}: still referred to by {by}")]
    InUse {
        kind: &'static str,
        code: String,
        /// What refers to it, such as `other records` or `its version history`.
        by: &'static str,
    },
    /// A user name that is already taken.
    #[error("user {username}: already stored")]
    DuplicateUser { username: String },
    /// A record that is not stored.
    #[error("{kind} {id} is not stored")]
    NotFound { kind: &'static str, id: Uuid },
    /// The records broke a rule across records (dangling reference, duplicate in the input).
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// A geometry that cannot be written as GeoPackage binary.
    #[error("{kind} {code}: geometry cannot be encoded: {problem}")]
    Geometry {
        kind: &'static str,
        code: String,
        problem: String,
    },
    /// The file was written by a newer Bonifica.
    #[error(
        "{}: schema version {found} is newer than this program knows ({known}); upgrade bonifica",
        path.display()
    )]
    SchemaTooNew {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    /// The file is not a GeoPackage written by Bonifica.
    #[error("{}: not a bonifica geopackage: {problem}", path.display())]
    NotAGeoPackage { path: PathBuf, problem: String },
    /// The file's schema is older than the audit log, so it has none to verify.
    #[error(
        "{}: schema {schema} predates the audit log (schema 6); opening it with this version \
         of bonifica adds one",
        path.display()
    )]
    NoAuditLog { path: PathBuf, schema: u32 },
    /// `create` was asked for a file that exists.
    #[error("{}: file already exists (refusing to overwrite it)", path.display())]
    AlreadyExists { path: PathBuf },
    /// A report that cannot be stored as given.
    #[error("report {id}: field {field}: {problem}")]
    InvalidReport {
        id: Uuid,
        field: &'static str,
        problem: String,
    },
    /// A change to a report that is approved: approved reports are final.
    #[error("report {id} is approved, and an approved report is final: it cannot change")]
    ReportFinal { id: Uuid },
    /// The audit log's chain does not hold at entry `seq`.
    #[error("audit log entry {seq}: {problem}")]
    AuditBroken { seq: u64, problem: AuditProblem },
    /// A file operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Adds what the store was doing to a SQLite error.
pub(crate) trait SqlContext<T> {
    /// Wraps the error with a context computed only on failure.
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T, StoreError>;
}

impl<T> SqlContext<T> for Result<T, rusqlite::Error> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Sqlite {
            context: context(),
            source,
        })
    }
}

impl<T> SqlContext<T> for Result<T, postgres::Error> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Postgres {
            context: context(),
            source,
        })
    }
}

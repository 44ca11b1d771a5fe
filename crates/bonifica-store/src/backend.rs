//! The storage boundary: one trait per concern, and [`Backend`], everything a server or a
//! command needs from wherever the register lives.
//!
//! Two backends implement every trait: [`crate::GeoPackage`] (one file, the embedded
//! default) and [`crate::Postgres`] (a PostgreSQL/PostGIS database that several servers
//! share). Nothing above this crate names either: it opens a location with [`open`] and
//! works through `dyn Backend`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bonifica_model::{Dataset, RecordKind};
use uuid::Uuid;

use crate::{
    ApiToken, AuditAnchor, AuditCheck, AuditEntry, ChangeSet, Inserted, ListQuery, NewApiToken,
    NewUser, Record, RecordPage, ReleasedLand, ReportQuery, ReportRow, Session, Stamp, StoreError,
    StoredPlan, TransitionRow, User, Versioned,
};

/// Records one at a time, as the API edits them: create, update against an expected
/// version, delete, get, list with filters and pages.
pub trait RecordStore {
    /// Stores one new record (version 1), stamped with the user name `by`; returns its
    /// version. Checked like [`crate::Store::insert`]: duplicates and dangling references
    /// refused.
    fn create_record(&mut self, record: &Record, by: &str) -> Result<u32, StoreError>;

    /// Replaces a record if its stored version is still `expected_version`
    /// ([`StoreError::VersionConflict`] otherwise); returns the new version. A hazard
    /// area's own `version` must already be `expected_version + 1`, and the replaced
    /// version goes to its history.
    fn update_record(
        &mut self,
        record: &Record,
        expected_version: u32,
        by: &str,
    ) -> Result<u32, StoreError>;

    /// Deletes a record if its stored version is still `expected_version`; the audit log
    /// records the user name `by`. Records others refer to (reports and released land
    /// included), and hazard areas with history, are [`StoreError::InUse`].
    fn delete_record(
        &mut self,
        kind: RecordKind,
        id: Uuid,
        expected_version: u32,
        by: &str,
    ) -> Result<(), StoreError>;

    /// One record of an editable kind, with its stamp.
    fn record(&self, kind: RecordKind, id: Uuid) -> Result<Option<Versioned>, StoreError>;

    /// The stamps (versions) of every record of a kind, by id.
    fn stamps(&self, kind: RecordKind) -> Result<HashMap<Uuid, Stamp>, StoreError>;

    /// One page of records of a kind, filtered, in code order.
    fn list_records(&self, kind: RecordKind, query: &ListQuery) -> Result<RecordPage, StoreError>;
}

/// Field reports, their transitions, and the land their approval releases.
pub trait ReportStore {
    /// Stores a new report and its first transition, if given, with its audit entry.
    /// Idempotent on the client id: when a report with `row.client_id` is stored, nothing
    /// is written and the stored report comes back as [`Inserted::Existing`], even when two
    /// callers send the same client id at once. The body must be JSON, and the hazard
    /// area, asset and organisation it names must be stored
    /// ([`StoreError::InvalidReport`] otherwise).
    fn insert_report(
        &mut self,
        row: &ReportRow,
        transition: Option<&TransitionRow>,
    ) -> Result<Inserted, StoreError>;

    /// One report by id.
    fn report(&self, id: Uuid) -> Result<Option<ReportRow>, StoreError>;

    /// One report by the client id it was sent with.
    fn report_by_client_id(&self, client_id: &str) -> Result<Option<ReportRow>, StoreError>;

    /// The reports that pass the query's filters, newest first (by `created_at`).
    fn reports(&self, query: &ReportQuery) -> Result<Vec<ReportRow>, StoreError>;

    /// How many reports pass the query's filters, whatever its page.
    fn count_reports(&self, query: &ReportQuery) -> Result<u64, StoreError>;

    /// A report's transitions, oldest first.
    fn report_transitions(&self, id: Uuid) -> Result<Vec<TransitionRow>, StoreError>;

    /// Rewrites a report's content (a draft being corrected) if its stored version is still
    /// `expected_version`; `row.version` must be `expected_version + 1`, which is returned.
    /// The state changes only through [`ReportStore::commit`]; the id, client id, kind and
    /// creation stamp never change; an approved report is [`StoreError::ReportFinal`].
    fn update_report(
        &mut self,
        row: &ReportRow,
        expected_version: u32,
        by: &str,
    ) -> Result<u32, StoreError>;

    /// Commits a report transition and everything it changes, all or nothing: checks the
    /// report's version and that of every hazard area and asset
    /// ([`StoreError::VersionConflict`]), refuses to change an approved report, keeps the
    /// replaced hazard area versions in their history, stores the released land, writes the
    /// report and its transition, and appends an audit entry for each change (the report,
    /// each hazard area, each released piece, each asset), all stamped `change.at` and
    /// `change.actor`. The transition's `from_state` must be the stored state and its
    /// `to_state` the report's new one.
    fn commit(&mut self, change: &ChangeSet) -> Result<(), StoreError>;

    /// The land released from a hazard area, oldest first.
    fn released_land(&self, hazard_area_id: Uuid) -> Result<Vec<ReleasedLand>, StoreError>;
}

/// Users, browser sessions and API tokens.
pub trait AccountStore {
    /// Adds a user; a taken user name is [`StoreError::DuplicateUser`].
    fn add_user(&mut self, user: &NewUser) -> Result<User, StoreError>;

    /// One user by id.
    fn user(&self, id: Uuid) -> Result<Option<User>, StoreError>;

    /// One user by user name.
    fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError>;

    /// Every user, by user name.
    fn users(&self) -> Result<Vec<User>, StoreError>;

    /// Records a browser session and forgets the expired ones.
    fn create_session(&mut self, session: &Session) -> Result<(), StoreError>;

    /// The session with this token hash, expired or not.
    fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError>;

    /// Ends a session; ending an unknown one does nothing.
    fn delete_session(&mut self, token_hash: &str) -> Result<(), StoreError>;

    /// Records an API token under a fresh id and returns it as stored.
    fn create_api_token(&mut self, token: &NewApiToken) -> Result<ApiToken, StoreError>;

    /// The API token with this hash, expired or not (the caller compares the expiry).
    fn api_token(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError>;

    /// The API token with this id, expired or not.
    fn api_token_by_id(&self, id: Uuid) -> Result<Option<ApiToken>, StoreError>;

    /// The API tokens of one user, oldest first, expired ones included.
    fn api_tokens(&self, user_id: Uuid) -> Result<Vec<ApiToken>, StoreError>;

    /// Revokes (deletes) the API token with this id and returns it as it was; `None`
    /// when there is no such token.
    fn revoke_api_token(&mut self, id: Uuid) -> Result<Option<ApiToken>, StoreError>;
}

/// Stored plans and scenarios.
pub trait PlanStore {
    /// Saves a plan and its forecast under the plan's name, replacing a stored plan of
    /// that name, in one transaction; `created` is the save time (RFC 3339, UTC). The
    /// audit log records the save as done by `by` (a user name, or `system` for the
    /// command line).
    fn save_plan(
        &mut self,
        dataset: &Dataset,
        plan: &bonifica_planner::Plan,
        forecast: Option<&bonifica_planner::Forecast>,
        created: &str,
        by: &str,
    ) -> Result<Uuid, StoreError>;

    /// The stored plans, by name.
    fn plans(&self) -> Result<Vec<StoredPlan>, StoreError>;

    /// A stored plan as JSON, by name (the whole plan, as `bonifica plan --out` writes
    /// `plan.json`).
    fn plan_json(&self, name: &str) -> Result<Option<String>, StoreError>;

    /// A stored plan, by name, in the planner's types, every stored field read (the
    /// dispatch keys, which only a forecast needs, are not stored); a stored plan that does
    /// not read whole is [`StoreError::CorruptPlan`].
    fn plan(&self, name: &str) -> Result<Option<bonifica_planner::Plan>, StoreError> {
        let Some(text) = self.plan_json(name)? else {
            return Ok(None);
        };
        crate::plan_json::read(&text)
            .map(Some)
            .map_err(|problem| StoreError::CorruptPlan {
                name: name.to_string(),
                problem,
            })
    }
}

/// The hash-chained audit log.
pub trait AuditStore {
    /// Walks the audit log from its first entry: every sequence number follows the one
    /// before, every `prev_hash` is the hash of the entry before, every hash matches its
    /// entry's content, and the log ends at the head recorded beside it. The first entry
    /// that does not hold is [`StoreError::AuditBroken`], naming it and what is wrong.
    fn verify_audit(&self) -> Result<AuditCheck, StoreError>;

    /// [`AuditStore::verify_audit`], then checks that the log still holds each anchor
    /// taken earlier: a log rewritten consistently, head included, passes the walk but not
    /// an anchor taken before the rewrite. The first anchor that does not hold is
    /// [`StoreError::AuditBroken`] at the anchored entry.
    fn verify_audit_anchored(&self, anchors: &[AuditAnchor]) -> Result<AuditCheck, StoreError> {
        let check = self.verify_audit()?;
        for anchor in anchors {
            let entry = self.audit_entries(anchor.seq - 1, 1)?.pop();
            anchor
                .check(entry.as_ref())
                .map_err(|problem| StoreError::AuditBroken {
                    seq: anchor.seq,
                    problem,
                })?;
        }
        Ok(check)
    }

    /// Up to `limit` audit entries after sequence number `after_seq` (0 for the first),
    /// in order.
    fn audit_entries(&self, after_seq: u64, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;

    /// Up to `limit` audit entries after sequence number `after_seq` that `keep` accepts,
    /// in order: entries `keep` refuses are passed over and do not count against `limit`.
    /// For readers who may see only part of the log.
    fn audit_entries_kept(
        &self,
        after_seq: u64,
        limit: usize,
        keep: &mut dyn FnMut(&AuditEntry) -> bool,
    ) -> Result<Vec<AuditEntry>, StoreError>;

    /// The newest `limit` audit entries that `keep` accepts, oldest of them first.
    fn audit_last_kept(
        &self,
        limit: usize,
        keep: &mut dyn FnMut(&AuditEntry) -> bool,
    ) -> Result<Vec<AuditEntry>, StoreError>;

    /// The sequence number of the newest entry; 0 for an empty log. A server compares it
    /// with the last one it saw to learn that another process wrote.
    fn audit_head_seq(&self) -> Result<u64, StoreError>;
}

/// Who holds the one planning slot of a register: at most one planning job runs over it
/// at a time, whichever server started it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanningLease {
    pub job_id: Uuid,
    /// The server process that runs the job, for messages (`host pid 1234`).
    pub server: String,
    /// The user who started the job.
    pub started_by: String,
    /// When the job last said it was alive: UTC, RFC 3339.
    pub heartbeat_at: String,
}

/// The planning slot several servers share, so a job runs once.
pub trait JobStore {
    /// Takes the slot for `lease`, unless another job holds it and said it was alive at
    /// or after `stale_before` (RFC 3339): then nothing changes and that holder comes
    /// back. A holder that fell silent (its server killed) loses the slot.
    fn take_planning_slot(
        &mut self,
        lease: &PlanningLease,
        stale_before: &str,
    ) -> Result<Option<PlanningLease>, StoreError>;

    /// Records that the job holding the slot is alive at `at`; nothing if it does not
    /// hold it.
    fn renew_planning_slot(&mut self, job_id: Uuid, at: &str) -> Result<(), StoreError>;

    /// Frees the slot if `job_id` holds it.
    fn free_planning_slot(&mut self, job_id: Uuid) -> Result<(), StoreError>;
}

/// Everything stored about a programme, whichever backend keeps it.
pub trait Backend:
    crate::Store
    + JobStore
    + RecordStore
    + ReportStore
    + AccountStore
    + PlanStore
    + AuditStore
    + crate::Transfer
    + Send
    + std::fmt::Debug
{
    /// The backend's name for logs: `geopackage` or `postgresql`.
    fn kind(&self) -> &'static str;

    /// Where the register lives, for logs and messages: a file path, or a database URL
    /// without its password.
    fn location(&self) -> String;

    /// The folder a file-backed register lives in (scenario files are looked for beside
    /// it); `None` for a database.
    fn folder(&self) -> Option<PathBuf>;

    /// The schema version recorded in the store.
    fn schema_version(&self) -> Result<u32, StoreError>;
}

/// Whether `location` names a PostgreSQL database rather than a file.
pub fn is_database_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// Opens the register at `location`: a `postgres://` or `postgresql://` URL, or the path
/// of a GeoPackage file. Migrations the store lacks are applied.
pub fn open(location: &str) -> Result<Box<dyn Backend>, StoreError> {
    if is_database_url(location) {
        crate::pg::open(location)
    } else {
        Ok(Box::new(crate::GeoPackage::open(Path::new(location))?))
    }
}

/// Creates an empty register at `location`. A file that exists is refused unless
/// `overwrite`; a database must exist and hold no Bonifica schema yet unless `overwrite`,
/// which drops the schema first.
pub fn create(location: &str, overwrite: bool) -> Result<Box<dyn Backend>, StoreError> {
    if is_database_url(location) {
        crate::pg::create(location, overwrite)
    } else if overwrite {
        Ok(Box::new(crate::GeoPackage::create_overwriting(Path::new(
            location,
        ))?))
    } else {
        Ok(Box::new(crate::GeoPackage::create(Path::new(location))?))
    }
}

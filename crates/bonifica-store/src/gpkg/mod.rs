//! [`GeoPackage`]: the [`Store`] on one OGC GeoPackage 1.3 file.
//!
//! Every connection is set up the same way: the `ST_*` functions the R-tree triggers
//! need, foreign keys on, a busy timeout, WAL journaling with `synchronous = FULL`.
//! Opening checks that the file is a GeoPackage written by Bonifica and brings its schema
//! up to date.
//!
//! `synchronous = FULL` syncs the WAL at every commit: an approved report and its audit
//! entries, once the call returns, survive a SIGKILL and a power cut. (`NORMAL` would only
//! survive the first.) Every write path appends to the audit log in its own transaction.

mod accounts;
mod audit;
mod binary;
mod functions;
mod plans;
mod read;
mod records;
mod reports;
mod schema;
mod write;

use std::path::{Path, PathBuf};
use std::time::Duration;

use bonifica_model::{Asset, Dataset, HazardArea};
use rusqlite::{Connection, OpenFlags};
use uuid::Uuid;

use crate::error::SqlContext;
use crate::{
    ApiToken, AuditCheck, AuditEntry, BBox, ChangeSet, Counts, HazardAreaVersion, InsertReport,
    Inserted, ListQuery, NewApiToken, NewUser, Record, RecordPage, ReleasedLand, ReportQuery,
    ReportRow, Session, Stamp, Store, StoreError, TransitionRow, User, Versioned,
};
use bonifica_model::RecordKind;
use std::collections::HashMap;

pub use plans::StoredPlan;
pub use schema::SCHEMA_VERSION;

/// How long a write waits for another connection's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A Bonifica register in one GeoPackage file.
#[derive(Debug)]
pub struct GeoPackage {
    conn: Connection,
    path: PathBuf,
}

impl GeoPackage {
    /// Creates a new store at `path`; refuses to touch a file that already exists.
    pub fn create(path: &Path) -> Result<GeoPackage, StoreError> {
        if path.exists() {
            return Err(StoreError::AlreadyExists {
                path: path.to_path_buf(),
            });
        }
        let mut conn = connect(path, true)?;
        schema::initialise(&conn).ctx(|| format!("initialising {}", path.display()))?;
        use_wal(&conn, path)?;
        schema::migrate(&mut conn, path)?;
        Ok(GeoPackage {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Creates a new store at `path`, first removing any file there (and its WAL files).
    pub fn create_overwriting(path: &Path) -> Result<GeoPackage, StoreError> {
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let file = PathBuf::from(name);
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(StoreError::Io { path: file, source }),
            }
        }
        GeoPackage::create(path)
    }

    /// Opens an existing store, applying any migration it lacks. Refuses files that are not
    /// GeoPackages written by Bonifica, and files with a newer schema than this code.
    pub fn open(path: &Path) -> Result<GeoPackage, StoreError> {
        if !path.exists() {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
        let mut conn = connect(path, false)?;
        check_is_bonifica(&conn, path)?;
        use_wal(&conn, path)?;
        schema::migrate(&mut conn, path)?;
        Ok(GeoPackage {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        schema::current_version(&self.conn)
    }

    /// Saves a plan and its forecast under the plan's name, replacing a stored plan of
    /// that name, in one transaction; `created` is the save time (RFC 3339, UTC). The
    /// audit log records the save as done by `by` (a user name, or `system` for the
    /// command line).
    pub fn save_plan(
        &mut self,
        dataset: &Dataset,
        plan: &bonifica_planner::Plan,
        forecast: Option<&bonifica_planner::Forecast>,
        created: &str,
        by: &str,
    ) -> Result<Uuid, StoreError> {
        plans::save(&mut self.conn, dataset, plan, forecast, created, by)
    }

    /// The stored plans, by name.
    pub fn plans(&self) -> Result<Vec<StoredPlan>, StoreError> {
        plans::list(&self.conn)
    }

    /// A stored plan as JSON, by name.
    pub fn plan_json(&self, name: &str) -> Result<Option<String>, StoreError> {
        plans::plan_json(&self.conn, name)
    }

    /// Stores one new record (version 1), stamped with the user name `by`; returns its
    /// version. Checked like [`Store::insert`]: duplicates and dangling references refused.
    pub fn create_record(&mut self, record: &Record, by: &str) -> Result<u32, StoreError> {
        records::create(&mut self.conn, record, by)
    }

    /// Replaces a record if its stored version is still `expected_version`
    /// ([`StoreError::VersionConflict`] otherwise); returns the new version. A hazard
    /// area's own `version` must already be `expected_version + 1`, and the replaced
    /// version goes to its history.
    pub fn update_record(
        &mut self,
        record: &Record,
        expected_version: u32,
        by: &str,
    ) -> Result<u32, StoreError> {
        records::update(&mut self.conn, record, expected_version, by)
    }

    /// Deletes a record if its stored version is still `expected_version`; the audit log
    /// records the user name `by`. Records others refer to (reports and released land
    /// included), and hazard areas with history, are [`StoreError::InUse`].
    pub fn delete_record(
        &mut self,
        kind: RecordKind,
        id: Uuid,
        expected_version: u32,
        by: &str,
    ) -> Result<(), StoreError> {
        records::delete(&mut self.conn, kind, id, expected_version, by)
    }

    /// One record of an editable kind, with its stamp.
    pub fn record(&self, kind: RecordKind, id: Uuid) -> Result<Option<Versioned>, StoreError> {
        read::record(&self.conn, kind, id)
    }

    /// The stamps (versions) of every record of a kind, by id.
    pub fn stamps(&self, kind: RecordKind) -> Result<HashMap<Uuid, Stamp>, StoreError> {
        read::stamps(&self.conn, kind)
    }

    /// One page of records of a kind, filtered, in code order.
    pub fn list_records(
        &self,
        kind: RecordKind,
        query: &ListQuery,
    ) -> Result<RecordPage, StoreError> {
        read::list(&self.conn, kind, query)
    }

    /// Stores a new report and its first transition, if given, with its audit entry.
    /// Idempotent on the client id: when a report with `row.client_id` is stored, nothing
    /// is written and the stored report comes back as [`Inserted::Existing`], even when two
    /// callers send the same client id at once. The body must be JSON, and the hazard
    /// area, asset and organisation it names must be stored
    /// ([`StoreError::InvalidReport`] otherwise).
    pub fn insert_report(
        &mut self,
        row: &ReportRow,
        transition: Option<&TransitionRow>,
    ) -> Result<Inserted, StoreError> {
        reports::insert(&mut self.conn, row, transition)
    }

    /// One report by id.
    pub fn report(&self, id: Uuid) -> Result<Option<ReportRow>, StoreError> {
        reports::report(&self.conn, id)
    }

    /// One report by the client id it was sent with.
    pub fn report_by_client_id(&self, client_id: &str) -> Result<Option<ReportRow>, StoreError> {
        reports::by_client_id(&self.conn, client_id)
    }

    /// The reports that pass the query's filters, newest first (by `created_at`).
    pub fn reports(&self, query: &ReportQuery) -> Result<Vec<ReportRow>, StoreError> {
        reports::list(&self.conn, query)
    }

    /// How many reports pass the query's filters, whatever its page.
    pub fn count_reports(&self, query: &ReportQuery) -> Result<u64, StoreError> {
        reports::count(&self.conn, query)
    }

    /// A report's transitions, oldest first.
    pub fn report_transitions(&self, id: Uuid) -> Result<Vec<TransitionRow>, StoreError> {
        reports::transitions(&self.conn, id)
    }

    /// Rewrites a report's content (a draft being corrected) if its stored version is still
    /// `expected_version`; `row.version` must be `expected_version + 1`, which is returned.
    /// The state changes only through [`GeoPackage::commit`]; the id, client id, kind and
    /// creation stamp never change; an approved report is [`StoreError::ReportFinal`].
    pub fn update_report(
        &mut self,
        row: &ReportRow,
        expected_version: u32,
        by: &str,
    ) -> Result<u32, StoreError> {
        reports::update(&mut self.conn, row, expected_version, by)
    }

    /// Commits a report transition and everything it changes, all or nothing: checks the
    /// report's version and that of every hazard area and asset
    /// ([`StoreError::VersionConflict`]), refuses to change an approved report, keeps the
    /// replaced hazard area versions in their history, stores the released land, writes the
    /// report and its transition, and appends an audit entry for each change (the report,
    /// each hazard area, each released piece, each asset), all stamped `change.at` and
    /// `change.actor`. The transition's `from_state` must be the stored state and its
    /// `to_state` the report's new one.
    pub fn commit(&mut self, change: &ChangeSet) -> Result<(), StoreError> {
        reports::commit(&mut self.conn, change)
    }

    /// The land released from a hazard area, oldest first.
    pub fn released_land(&self, hazard_area_id: Uuid) -> Result<Vec<ReleasedLand>, StoreError> {
        reports::released_land(&self.conn, hazard_area_id)
    }

    /// Walks the audit log from its first entry: every sequence number follows the one
    /// before, every `prev_hash` is the hash of the entry before, every hash matches its
    /// entry's content, and the log ends at the head recorded beside it. The first entry
    /// that does not hold is [`StoreError::AuditBroken`], naming it and what is wrong.
    pub fn verify_audit(&self) -> Result<AuditCheck, StoreError> {
        audit::verify(&self.conn)
    }

    /// Verifies the audit log of the file at `path` as [`GeoPackage::verify_audit_anchored`]
    /// does, through a read-only connection and without migrating the file: checking the
    /// evidence does not change it. Files from before the audit log are
    /// [`StoreError::NoAuditLog`].
    pub fn verify_audit_file(
        path: &Path,
        anchors: &[crate::AuditAnchor],
    ) -> Result<AuditCheck, StoreError> {
        if !path.exists() {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
        let context = || format!("opening {} read-only", path.display());
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .ctx(context)?;
        conn.busy_timeout(BUSY_TIMEOUT).ctx(context)?;
        check_is_bonifica(&conn, path)?;
        let schema = schema::current_version(&conn)?;
        if schema < AUDIT_SCHEMA {
            return Err(StoreError::NoAuditLog {
                path: path.to_path_buf(),
                schema,
            });
        }
        let check = audit::verify(&conn)?;
        check_anchors(&conn, anchors)?;
        Ok(check)
    }

    /// [`GeoPackage::verify_audit`], then checks that the log still holds each anchor
    /// taken earlier: a log rewritten consistently, head included, passes the walk but not
    /// an anchor taken before the rewrite. The first anchor that does not hold is
    /// [`StoreError::AuditBroken`] at the anchored entry.
    pub fn verify_audit_anchored(
        &self,
        anchors: &[crate::AuditAnchor],
    ) -> Result<AuditCheck, StoreError> {
        let check = audit::verify(&self.conn)?;
        check_anchors(&self.conn, anchors)?;
        Ok(check)
    }

    /// Up to `limit` audit entries after sequence number `after_seq` (0 for the first),
    /// in order.
    pub fn audit_entries(
        &self,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        audit::entries(&self.conn, after_seq, limit)
    }

    /// Up to `limit` audit entries after sequence number `after_seq` that `keep` accepts,
    /// in order: entries `keep` refuses are passed over and do not count against `limit`.
    /// For readers who may see only part of the log.
    pub fn audit_entries_kept(
        &self,
        after_seq: u64,
        limit: usize,
        keep: &mut dyn FnMut(&AuditEntry) -> bool,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        audit::entries_kept(&self.conn, after_seq, limit, keep)
    }

    /// The newest `limit` audit entries that `keep` accepts, oldest of them first.
    pub fn audit_last_kept(
        &self,
        limit: usize,
        keep: &mut dyn FnMut(&AuditEntry) -> bool,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        audit::last_kept(&self.conn, limit, keep)
    }

    /// Adds a user; a taken user name is [`StoreError::DuplicateUser`].
    pub fn add_user(&mut self, user: &NewUser) -> Result<User, StoreError> {
        accounts::add_user(&self.conn, user)
    }

    /// One user by id.
    pub fn user(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        accounts::user(&self.conn, id)
    }

    /// One user by user name.
    pub fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        accounts::user_by_name(&self.conn, username)
    }

    /// Every user, by user name.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        accounts::users(&self.conn)
    }

    /// Records a browser session and forgets the expired ones.
    pub fn create_session(&mut self, session: &Session) -> Result<(), StoreError> {
        accounts::create_session(&self.conn, session)
    }

    /// The session with this token hash, expired or not.
    pub fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        accounts::session(&self.conn, token_hash)
    }

    /// Ends a session; ending an unknown one does nothing.
    pub fn delete_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        accounts::delete_session(&self.conn, token_hash)
    }

    /// Records an API token under a fresh id and returns it as stored.
    pub fn create_api_token(&mut self, token: &NewApiToken) -> Result<ApiToken, StoreError> {
        accounts::create_api_token(&self.conn, token)
    }

    /// The API token with this hash, expired or not (the caller compares the expiry).
    pub fn api_token(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        accounts::api_token(&self.conn, token_hash)
    }

    /// The API token with this id, expired or not.
    pub fn api_token_by_id(&self, id: Uuid) -> Result<Option<ApiToken>, StoreError> {
        accounts::api_token_by_id(&self.conn, id)
    }

    /// The API tokens of one user, oldest first, expired ones included.
    pub fn api_tokens(&self, user_id: Uuid) -> Result<Vec<ApiToken>, StoreError> {
        accounts::api_tokens(&self.conn, user_id)
    }

    /// Revokes (deletes) the API token with this id and returns it as it was; `None`
    /// when there is no such token.
    pub fn revoke_api_token(&mut self, id: Uuid) -> Result<Option<ApiToken>, StoreError> {
        accounts::revoke_api_token(&self.conn, id)
    }
}

impl Store for GeoPackage {
    fn load(&self) -> Result<Dataset, StoreError> {
        read::load(&self.conn, None)
    }

    fn load_region(&self, region_id: Uuid) -> Result<Dataset, StoreError> {
        let dataset = read::load(&self.conn, Some(region_id))?;
        if dataset.regions.is_empty() {
            return Err(StoreError::NotFound {
                kind: "region",
                id: region_id,
            });
        }
        Ok(dataset)
    }

    fn insert(&mut self, dataset: &Dataset) -> Result<InsertReport, StoreError> {
        write::insert(&mut self.conn, dataset)
    }

    fn replace_hazard_area(
        &mut self,
        area: &HazardArea,
        expected_version: u32,
    ) -> Result<(), StoreError> {
        write::replace_hazard_area(&mut self.conn, area, expected_version)
    }

    fn hazard_area_history(&self, id: Uuid) -> Result<Vec<HazardAreaVersion>, StoreError> {
        read::hazard_area_history(&self.conn, id)
    }

    fn hazard_areas_in_bbox(&self, bbox: BBox) -> Result<Vec<HazardArea>, StoreError> {
        read::hazard_areas_in_bbox(&self.conn, bbox)
    }

    fn assets_in_bbox(&self, bbox: BBox) -> Result<Vec<Asset>, StoreError> {
        read::assets_in_bbox(&self.conn, bbox)
    }

    fn hazard_area(&self, id: Uuid) -> Result<Option<HazardArea>, StoreError> {
        read::hazard_area(&self.conn, id)
    }

    fn asset(&self, id: Uuid) -> Result<Option<Asset>, StoreError> {
        read::asset(&self.conn, id)
    }

    fn counts(&self) -> Result<Counts, StoreError> {
        read::counts(&self.conn)
    }
}

fn connect(path: &Path, create: bool) -> Result<Connection, StoreError> {
    let context = || format!("opening {}", path.display());
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags).ctx(context)?;
    conn.busy_timeout(BUSY_TIMEOUT).ctx(context)?;
    functions::register(&conn).ctx(context)?;
    conn.pragma_update(None, "foreign_keys", true)
        .ctx(context)?;
    Ok(conn)
}

/// The first schema with the audit log.
const AUDIT_SCHEMA: u32 = 6;

/// The first anchor the log no longer holds, as [`StoreError::AuditBroken`] at its entry.
fn check_anchors(conn: &Connection, anchors: &[crate::AuditAnchor]) -> Result<(), StoreError> {
    for anchor in anchors {
        let entry = audit::entries(conn, anchor.seq - 1, 1)?.pop();
        anchor
            .check(entry.as_ref())
            .map_err(|problem| StoreError::AuditBroken {
                seq: anchor.seq,
                problem,
            })?;
    }
    Ok(())
}

fn use_wal(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let context = || format!("switching {} to WAL", path.display());
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .ctx(context)?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(path = %path.display(), mode, "store is not in WAL mode");
    }
    // FULL syncs the WAL at every commit, so a committed approval survives a power cut as
    // well as a crash; NORMAL could drop the last commits on power loss.
    conn.pragma_update(None, "synchronous", "FULL").ctx(context)
}

fn check_is_bonifica(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let not = |problem: String| StoreError::NotAGeoPackage {
        path: path.to_path_buf(),
        problem,
    };
    let application_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| not(e.to_string()))?;
    if application_id != schema::APPLICATION_ID {
        return Err(not(format!(
            "application_id is {application_id:#x}, a geopackage has {:#x}",
            schema::APPLICATION_ID
        )));
    }
    let has_migrations: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master \
             WHERE type = 'table' AND name = 'bonifica_migrations')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| not(e.to_string()))?;
    if !has_migrations {
        return Err(not("it has no bonifica_migrations table".to_string()));
    }
    Ok(())
}

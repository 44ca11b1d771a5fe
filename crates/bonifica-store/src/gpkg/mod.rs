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

pub(crate) mod accounts;
pub(crate) mod audit;
mod binary;
mod functions;
pub(crate) mod jobs;
pub(crate) mod plans;
pub(crate) mod read;
mod records;
pub(crate) mod reports;
pub(crate) mod schema;
mod transfer;
pub(crate) mod write;

use std::path::{Path, PathBuf};
use std::time::Duration;

use bonifica_model::{Asset, Dataset, HazardArea};
use rusqlite::{Connection, OpenFlags};
use uuid::Uuid;

use crate::backend::{
    AccountStore, AuditStore, Backend, JobStore, PlanStore, PlanningLease, RecordStore, ReportStore,
};
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
}

impl PlanStore for GeoPackage {
    fn save_plan(
        &mut self,
        dataset: &Dataset,
        plan: &bonifica_planner::Plan,
        forecast: Option<&bonifica_planner::Forecast>,
        created: &str,
        by: &str,
    ) -> Result<Uuid, StoreError> {
        plans::save(&mut self.conn, dataset, plan, forecast, created, by)
    }

    fn plans(&self) -> Result<Vec<StoredPlan>, StoreError> {
        plans::list(&self.conn)
    }

    fn plan_json(&self, name: &str) -> Result<Option<String>, StoreError> {
        plans::plan_json(&self.conn, name)
    }
}

impl RecordStore for GeoPackage {
    fn create_record(&mut self, record: &Record, by: &str) -> Result<u32, StoreError> {
        records::create(&mut self.conn, record, by)
    }

    fn update_record(
        &mut self,
        record: &Record,
        expected_version: u32,
        by: &str,
    ) -> Result<u32, StoreError> {
        records::update(&mut self.conn, record, expected_version, by)
    }

    fn delete_record(
        &mut self,
        kind: RecordKind,
        id: Uuid,
        expected_version: u32,
        by: &str,
    ) -> Result<(), StoreError> {
        records::delete(&mut self.conn, kind, id, expected_version, by)
    }

    fn record(&self, kind: RecordKind, id: Uuid) -> Result<Option<Versioned>, StoreError> {
        read::record(&self.conn, kind, id)
    }

    fn stamps(&self, kind: RecordKind) -> Result<HashMap<Uuid, Stamp>, StoreError> {
        read::stamps(&self.conn, kind)
    }

    fn list_records(&self, kind: RecordKind, query: &ListQuery) -> Result<RecordPage, StoreError> {
        read::list(&self.conn, kind, query)
    }
}

impl ReportStore for GeoPackage {
    fn insert_report(
        &mut self,
        row: &ReportRow,
        transition: Option<&TransitionRow>,
    ) -> Result<Inserted, StoreError> {
        reports::insert(&mut self.conn, row, transition)
    }

    fn report(&self, id: Uuid) -> Result<Option<ReportRow>, StoreError> {
        reports::report(&self.conn, id)
    }

    fn report_by_client_id(&self, client_id: &str) -> Result<Option<ReportRow>, StoreError> {
        reports::by_client_id(&self.conn, client_id)
    }

    fn reports(&self, query: &ReportQuery) -> Result<Vec<ReportRow>, StoreError> {
        reports::list(&self.conn, query)
    }

    fn count_reports(&self, query: &ReportQuery) -> Result<u64, StoreError> {
        reports::count(&self.conn, query)
    }

    fn report_transitions(&self, id: Uuid) -> Result<Vec<TransitionRow>, StoreError> {
        reports::transitions(&self.conn, id)
    }

    fn update_report(
        &mut self,
        row: &ReportRow,
        expected_version: u32,
        by: &str,
    ) -> Result<u32, StoreError> {
        reports::update(&mut self.conn, row, expected_version, by)
    }

    fn commit(&mut self, change: &ChangeSet) -> Result<(), StoreError> {
        reports::commit(&mut self.conn, change)
    }

    fn released_land(&self, hazard_area_id: Uuid) -> Result<Vec<ReleasedLand>, StoreError> {
        reports::released_land(&self.conn, hazard_area_id)
    }
}

impl GeoPackage {
    /// Verifies the audit log of the file at `path` as
    /// [`AuditStore::verify_audit_anchored`] does, through a read-only connection and
    /// without migrating the file: checking the evidence does not change it. Files from
    /// before the audit log are [`StoreError::NoAuditLog`].
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
}

impl AuditStore for GeoPackage {
    fn verify_audit(&self) -> Result<AuditCheck, StoreError> {
        audit::verify(&self.conn)
    }

    fn audit_entries(&self, after_seq: u64, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        audit::entries(&self.conn, after_seq, limit)
    }

    fn audit_entries_kept(
        &self,
        after_seq: u64,
        limit: usize,
        keep: &mut dyn FnMut(&AuditEntry) -> bool,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        audit::entries_kept(&self.conn, after_seq, limit, keep)
    }

    fn audit_last_kept(
        &self,
        limit: usize,
        keep: &mut dyn FnMut(&AuditEntry) -> bool,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        audit::last_kept(&self.conn, limit, keep)
    }

    fn audit_head_seq(&self) -> Result<u64, StoreError> {
        audit::head_seq(&self.conn)
    }
}

impl AccountStore for GeoPackage {
    fn add_user(&mut self, user: &NewUser) -> Result<User, StoreError> {
        accounts::add_user(&self.conn, user)
    }

    fn user(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        accounts::user(&self.conn, id)
    }

    fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        accounts::user_by_name(&self.conn, username)
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        accounts::users(&self.conn)
    }

    fn create_session(&mut self, session: &Session) -> Result<(), StoreError> {
        accounts::create_session(&self.conn, session)
    }

    fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        accounts::session(&self.conn, token_hash)
    }

    fn delete_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        accounts::delete_session(&self.conn, token_hash)
    }

    fn create_api_token(&mut self, token: &NewApiToken) -> Result<ApiToken, StoreError> {
        accounts::create_api_token(&self.conn, token)
    }

    fn api_token(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        accounts::api_token(&self.conn, token_hash)
    }

    fn api_token_by_id(&self, id: Uuid) -> Result<Option<ApiToken>, StoreError> {
        accounts::api_token_by_id(&self.conn, id)
    }

    fn api_tokens(&self, user_id: Uuid) -> Result<Vec<ApiToken>, StoreError> {
        accounts::api_tokens(&self.conn, user_id)
    }

    fn revoke_api_token(&mut self, id: Uuid) -> Result<Option<ApiToken>, StoreError> {
        accounts::revoke_api_token(&self.conn, id)
    }
}

impl JobStore for GeoPackage {
    fn take_planning_slot(
        &mut self,
        lease: &PlanningLease,
        stale_before: &str,
    ) -> Result<Option<PlanningLease>, StoreError> {
        jobs::take(&mut self.conn, lease, stale_before)
    }

    fn renew_planning_slot(&mut self, job_id: Uuid, at: &str) -> Result<(), StoreError> {
        jobs::renew(&self.conn, job_id, at)
    }

    fn free_planning_slot(&mut self, job_id: Uuid) -> Result<(), StoreError> {
        jobs::free(&self.conn, job_id)
    }
}

impl Backend for GeoPackage {
    fn kind(&self) -> &'static str {
        "geopackage"
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn folder(&self) -> Option<PathBuf> {
        Some(self.path.parent().unwrap_or(Path::new(".")).to_path_buf())
    }

    fn schema_version(&self) -> Result<u32, StoreError> {
        schema::current_version(&self.conn)
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

//! [`GeoPackage`]: the [`Store`] on one OGC GeoPackage 1.3 file.
//!
//! Every connection is set up the same way: the `ST_*` functions the R-tree triggers
//! need, foreign keys on, a busy timeout, WAL journaling. Opening checks that the file is
//! a GeoPackage written by Bonifica and brings its schema up to date.

mod accounts;
mod binary;
mod functions;
mod plans;
mod read;
mod records;
mod schema;
mod write;

use std::path::{Path, PathBuf};
use std::time::Duration;

use bonifica_model::{Asset, Dataset, HazardArea};
use rusqlite::{Connection, OpenFlags};
use uuid::Uuid;

use crate::error::SqlContext;
use crate::{
    ApiToken, BBox, Counts, HazardAreaVersion, InsertReport, ListQuery, NewUser, Record,
    RecordPage, Session, Stamp, Store, StoreError, User, Versioned,
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
    /// that name, in one transaction; `created` is the save time (RFC 3339, UTC).
    pub fn save_plan(
        &mut self,
        dataset: &Dataset,
        plan: &bonifica_planner::Plan,
        forecast: Option<&bonifica_planner::Forecast>,
        created: &str,
    ) -> Result<Uuid, StoreError> {
        plans::save(&mut self.conn, dataset, plan, forecast, created)
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

    /// Deletes a record if its stored version is still `expected_version`. Records others
    /// refer to, and hazard areas with history, are [`StoreError::InUse`].
    pub fn delete_record(
        &mut self,
        kind: RecordKind,
        id: Uuid,
        expected_version: u32,
    ) -> Result<(), StoreError> {
        records::delete(&mut self.conn, kind, id, expected_version)
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

    /// Records a browser session.
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

    /// Records an API token.
    pub fn create_api_token(&mut self, token: &ApiToken) -> Result<(), StoreError> {
        accounts::create_api_token(&self.conn, token)
    }

    /// The API token with this hash.
    pub fn api_token(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        accounts::api_token(&self.conn, token_hash)
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

fn use_wal(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let context = || format!("switching {} to WAL", path.display());
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .ctx(context)?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(path = %path.display(), mode, "store is not in WAL mode");
    }
    // NORMAL is durable across application crashes under WAL; only a power loss can drop
    // the last commits, never corrupt the file.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .ctx(context)
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

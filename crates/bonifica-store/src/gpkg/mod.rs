//! [`GeoPackage`]: the [`Store`] on one OGC GeoPackage 1.3 file.
//!
//! Every connection is set up the same way: the `ST_*` functions the R-tree triggers
//! need, foreign keys on, a busy timeout, WAL journaling. Opening checks that the file is
//! a GeoPackage written by Bonifica and brings its schema up to date.

mod binary;
mod functions;
mod read;
mod schema;
mod write;

use std::path::{Path, PathBuf};
use std::time::Duration;

use bonifica_model::{Asset, Dataset, HazardArea};
use rusqlite::{Connection, OpenFlags};
use uuid::Uuid;

use crate::error::SqlContext;
use crate::{BBox, Counts, HazardAreaVersion, InsertReport, Store, StoreError};

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

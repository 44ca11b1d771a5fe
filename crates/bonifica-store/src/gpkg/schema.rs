//! The file's schema: the GeoPackage core tables, Bonifica's feature and attribute tables,
//! and the numbered migrations that create them.
//!
//! Migrations run in order, one transaction each, and are recorded in
//! `bonifica_migrations` (not registered in `gpkg_contents`, so GIS tools do not show it).
//! A file whose schema is newer than [`SCHEMA_VERSION`] is refused before anything is
//! written. Never edit a migration that has shipped: add a new one.

use std::path::Path;

use rusqlite::{Connection, Transaction};

use crate::StoreError;
use crate::error::SqlContext;

/// The GeoPackage `application_id`: the ASCII bytes `GPKG`.
pub const APPLICATION_ID: i32 = 0x4750_4B47;
/// The GeoPackage version this store writes (1.3.0). GDAL 3.6, still common in the field,
/// only knows up to 1.3 and warns on files that claim 1.4.
pub const USER_VERSION: i32 = 10300;
/// The schema version this code writes and understands: the last migration's number.
pub const SCHEMA_VERSION: u32 = 9;

/// One numbered step of the schema.
struct Migration {
    version: u32,
    name: &'static str,
    apply: fn(&Transaction) -> rusqlite::Result<()>,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "geopackage core tables and spatial reference systems",
        apply: core_tables,
    },
    Migration {
        version: 2,
        name: "register tables: regions, workforce, hazard areas, assets",
        apply: register_tables,
    },
    Migration {
        version: 3,
        name: "hazard area version history",
        apply: history_table,
    },
    Migration {
        version: 4,
        name: "record versions and stamps; users, sessions and api tokens",
        apply: accounts_and_versions,
    },
    Migration {
        version: 5,
        name: "plans: header, tasks, planned hazard areas and assets with P50/P90 dates",
        apply: super::plans::plan_tables,
    },
    Migration {
        version: 6,
        name: "daily loop: reports, their transitions, released land, the audit log",
        apply: daily_loop,
    },
    Migration {
        version: 7,
        name: "released land by outcome; report inboxes read by filing time",
        apply: super::reports::outcomes_and_inbox_order,
    },
    Migration {
        version: 8,
        name: "api tokens gain an id and an expiry",
        apply: super::accounts::token_ids_and_expiry,
    },
    Migration {
        version: 9,
        name: "the planning slot several servers share",
        apply: super::jobs::planning_slot,
    },
];

/// A table of the register, as declared in `gpkg_contents`.
pub struct TableDef {
    pub name: &'static str,
    pub(crate) identifier: &'static str,
    pub(crate) description: &'static str,
    /// The declared geometry type of a feature table; `None` for an attribute table.
    pub geometry: Option<&'static str>,
    pub(crate) columns: &'static str,
}

impl TableDef {
    /// An attribute table outside the register's records (no id/code/region columns are
    /// added unless the columns say so).
    pub(super) fn attributes(
        name: &'static str,
        identifier: &'static str,
        description: &'static str,
        columns: &'static str,
    ) -> TableDef {
        TableDef {
            name,
            identifier,
            description,
            geometry: None,
            columns,
        }
    }

    /// A feature table with a `geom` column of the declared type and its R-tree.
    pub(super) fn features(
        name: &'static str,
        identifier: &'static str,
        description: &'static str,
        geometry: &'static str,
        columns: &'static str,
    ) -> TableDef {
        TableDef {
            name,
            identifier,
            description,
            geometry: Some(geometry),
            columns,
        }
    }
}

/// Feature tables hold one geometry column named `geom` with an R-tree index.
pub const FEATURE_TABLES: [&str; 5] =
    ["regions", "settlements", "rivers", "hazard_areas", "assets"];

/// Every table of the register, in insertion order (the migrations table excluded).
pub const ALL_TABLES: [&str; 15] = [
    "regions",
    "organisations",
    "people",
    "contracts",
    "teams",
    "crews",
    "team_members",
    "crew_members",
    "settlements",
    "rivers",
    "hazard_areas",
    "assets",
    "asset_dependencies",
    "asset_repair_work",
    "hazard_area_versions",
];

pub(crate) const RECORD: &str = "id TEXT NOT NULL UNIQUE, code TEXT NOT NULL UNIQUE";
pub(crate) const IN_REGION: &str = "region_id TEXT NOT NULL REFERENCES regions(id)";

pub(crate) fn register_defs() -> Vec<TableDef> {
    vec![
        TableDef {
            name: "regions",
            identifier: "Regions",
            description: "Programme regions and their boundaries",
            geometry: Some("MULTIPOLYGON"),
            columns: "name TEXT NOT NULL, area_m2 REAL NOT NULL",
        },
        TableDef {
            name: "organisations",
            identifier: "Organisations",
            description: "Civil authority, defence ministry, demining operators, contractors",
            geometry: None,
            columns: "name TEXT NOT NULL, kind TEXT NOT NULL",
        },
        TableDef {
            name: "people",
            identifier: "People",
            description: "Members of the contingent",
            geometry: None,
            columns: "organisation_id TEXT NOT NULL REFERENCES organisations(id), \
                      name TEXT NOT NULL, role TEXT NOT NULL, trade TEXT, \
                      qualifications TEXT NOT NULL",
        },
        TableDef {
            name: "contracts",
            identifier: "Contracts",
            description: "Contracts of the contingent, first and last day included",
            geometry: None,
            columns: "person_id TEXT NOT NULL REFERENCES people(id), \
                      organisation_id TEXT NOT NULL REFERENCES organisations(id), \
                      start_date DATE NOT NULL, end_date DATE NOT NULL",
        },
        TableDef {
            name: "teams",
            identifier: "Demining teams",
            description: "Demining teams by method; base in WGS 84 degrees",
            geometry: None,
            columns: "organisation_id TEXT NOT NULL REFERENCES organisations(id), \
                      name TEXT NOT NULL, method TEXT NOT NULL, \
                      base_lon REAL NOT NULL, base_lat REAL NOT NULL",
        },
        TableDef {
            name: "crews",
            identifier: "Reconstruction crews",
            description: "Reconstruction crews by trade; base in WGS 84 degrees",
            geometry: None,
            columns: "organisation_id TEXT NOT NULL REFERENCES organisations(id), \
                      name TEXT NOT NULL, trade TEXT NOT NULL, \
                      base_lon REAL NOT NULL, base_lat REAL NOT NULL",
        },
        member_table(
            "team_members",
            "Team members",
            "team_id TEXT NOT NULL REFERENCES teams(id), position INTEGER NOT NULL, \
             person_id TEXT NOT NULL REFERENCES people(id), UNIQUE (team_id, position)",
        ),
        member_table(
            "crew_members",
            "Crew members",
            "crew_id TEXT NOT NULL REFERENCES crews(id), position INTEGER NOT NULL, \
             person_id TEXT NOT NULL REFERENCES people(id), UNIQUE (crew_id, position)",
        ),
        TableDef {
            name: "settlements",
            identifier: "Settlements",
            description: "Settlements as points or polygons, with population",
            geometry: Some("GEOMETRY"),
            columns: "name TEXT NOT NULL, population INTEGER NOT NULL",
        },
        TableDef {
            name: "rivers",
            identifier: "Rivers",
            description: "Rivers and canals",
            geometry: Some("MULTILINESTRING"),
            columns: "name TEXT NOT NULL",
        },
        TableDef {
            name: "hazard_areas",
            identifier: "Hazard areas",
            description: "Suspected and confirmed hazardous areas (IMAS); area_m2 is geodesic",
            geometry: Some("MULTIPOLYGON"),
            columns: HAZARD_COLUMNS,
        },
        TableDef {
            name: "assets",
            identifier: "Assets",
            description: "Damaged infrastructure assets; length_m is geodesic",
            geometry: Some("GEOMETRY"),
            columns: "name TEXT NOT NULL, kind TEXT NOT NULL, damage TEXT NOT NULL, \
                      population_served INTEGER NOT NULL, network_share REAL NOT NULL, \
                      restricted BOOLEAN NOT NULL, restored BOOLEAN NOT NULL, \
                      repair_person_days REAL NOT NULL, length_m REAL NOT NULL",
        },
        TableDef {
            name: "asset_dependencies",
            identifier: "Asset dependencies",
            description: "Assets that must be restored before another (in order)",
            geometry: None,
            columns: "asset_id TEXT NOT NULL REFERENCES assets(id), position INTEGER NOT NULL, \
                      depends_on_id TEXT NOT NULL REFERENCES assets(id), \
                      UNIQUE (asset_id, position)",
        },
        TableDef {
            name: "asset_repair_work",
            identifier: "Asset repair work",
            description: "Repair work per asset and trade, in person-days",
            geometry: None,
            columns: "asset_id TEXT NOT NULL REFERENCES assets(id), position INTEGER NOT NULL, \
                      trade TEXT NOT NULL, person_days REAL NOT NULL, \
                      UNIQUE (asset_id, position)",
        },
    ]
}

/// The attribute columns of a hazard area, shared by the current table and the history.
const HAZARD_COLUMNS: &str = "organisation_id TEXT REFERENCES organisations(id), \
    classification TEXT NOT NULL, status TEXT NOT NULL, closure_reason TEXT, \
    contamination TEXT NOT NULL, area_m2 REAL NOT NULL, density_per_ha REAL NOT NULL, \
    terrain TEXT NOT NULL, vegetation TEXT NOT NULL, clearance_depth_cm INTEGER NOT NULL, \
    evidence TEXT NOT NULL, restricted BOOLEAN NOT NULL, version INTEGER NOT NULL, \
    as_of DATE NOT NULL";

fn member_table(name: &'static str, identifier: &'static str, columns: &'static str) -> TableDef {
    TableDef {
        name,
        identifier,
        description: "Members in order",
        geometry: None,
        columns,
    }
}

/// True for tables whose rows are records with `id`, `code` and `region_id`.
pub(crate) fn is_record_table(name: &str) -> bool {
    !matches!(
        name,
        "team_members"
            | "crew_members"
            | "asset_dependencies"
            | "asset_repair_work"
            | "hazard_area_versions"
            | "plans"
            | "plan_tasks"
            | "plan_hazard_areas"
            | "plan_assets"
            | "released_land"
    )
}

/// Migration 6: reports and their transitions (unregistered, as they hold personal data),
/// the released land layer, and the hash-chained audit log with its head.
fn daily_loop(tx: &Transaction) -> rusqlite::Result<()> {
    super::reports::report_tables(tx)?;
    super::audit::audit_tables(tx)
}

/// Brings the file's schema up to [`SCHEMA_VERSION`], one transaction per migration.
/// Returns the version found before migrating.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<u32, StoreError> {
    let found = current_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        let context = || format!("applying migration {} ({})", m.version, m.name);
        let tx = conn.transaction().ctx(context)?;
        (m.apply)(&tx).ctx(context)?;
        tx.execute(
            "INSERT INTO bonifica_migrations (version, name, applied_at) \
             VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
            rusqlite::params![m.version, m.name],
        )
        .ctx(context)?;
        tx.commit().ctx(context)?;
        tracing::info!(
            version = m.version,
            name = m.name,
            "applied store migration"
        );
    }
    Ok(found)
}

/// The highest migration recorded in the file.
pub fn current_version(conn: &Connection) -> Result<u32, StoreError> {
    conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM bonifica_migrations",
        [],
        |r| r.get(0),
    )
    .ctx(|| "reading the schema version".to_string())
}

/// Marks a new file as a GeoPackage and creates the migrations table.
pub fn initialise(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {USER_VERSION};
         CREATE TABLE IF NOT EXISTS bonifica_migrations (
             version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);"
    ))
}

fn core_tables(tx: &Transaction) -> rusqlite::Result<()> {
    tx.execute_batch(CORE_DDL)?;
    tx.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES \
         ('WGS 84 geodetic', 4326, 'EPSG', 4326, ?1, \
          'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid'), \
         ('Undefined Cartesian SRS', -1, 'NONE', -1, 'undefined', \
          'undefined Cartesian coordinate reference system'), \
         ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', \
          'undefined geographic coordinate reference system')",
        [WGS84_WKT],
    )?;
    Ok(())
}

fn register_tables(tx: &Transaction) -> rusqlite::Result<()> {
    for def in register_defs() {
        create_table(tx, &def)?;
    }
    Ok(())
}

fn history_table(tx: &Transaction) -> rusqlite::Result<()> {
    // The geometry is a GeoPackage blob in a plain BLOB column: the history is an
    // attribute table, so GIS tools do not draw old polygons over current ones.
    create_table(tx, &history_def())
}

/// The hazard area history: an attribute table whose `geom` is a plain BLOB.
pub(crate) fn history_def() -> TableDef {
    let columns: &'static str = "hazard_area_id TEXT NOT NULL REFERENCES hazard_areas(id), \
        code TEXT NOT NULL, region_id TEXT NOT NULL, organisation_id TEXT, \
        classification TEXT NOT NULL, status TEXT NOT NULL, closure_reason TEXT, \
        contamination TEXT NOT NULL, area_m2 REAL NOT NULL, density_per_ha REAL NOT NULL, \
        terrain TEXT NOT NULL, vegetation TEXT NOT NULL, clearance_depth_cm INTEGER NOT NULL, \
        evidence TEXT NOT NULL, restricted BOOLEAN NOT NULL, version INTEGER NOT NULL, \
        as_of DATE NOT NULL, geom BLOB NOT NULL, UNIQUE (hazard_area_id, version)";
    TableDef {
        name: "hazard_area_versions",
        identifier: "Hazard area versions",
        description: "Every earlier version of every hazard area",
        geometry: None,
        columns,
    }
}

/// Tables whose rows are records that the API edits, and so carry a version and a stamp.
pub const VERSIONED_TABLES: [&str; 9] = [
    "regions",
    "organisations",
    "people",
    "contracts",
    "teams",
    "crews",
    "settlements",
    "hazard_areas",
    "assets",
];

fn accounts_and_versions(tx: &Transaction) -> rusqlite::Result<()> {
    for t in VERSIONED_TABLES {
        // Hazard areas carry their version since migration 2; the others start at 1.
        if t != "hazard_areas" {
            tx.execute_batch(&format!(
                "ALTER TABLE \"{t}\" ADD COLUMN version INTEGER NOT NULL DEFAULT 1;"
            ))?;
        }
        tx.execute_batch(&format!(
            "ALTER TABLE \"{t}\" ADD COLUMN updated_at TEXT; \
             ALTER TABLE \"{t}\" ADD COLUMN updated_by TEXT;"
        ))?;
    }
    // Accounts are deliberately not registered in gpkg_contents: GIS tools must not list
    // password hashes or session tokens next to the register's layers.
    tx.execute_batch(ACCOUNTS_DDL)
}

pub(crate) const ACCOUNTS_DDL: &str = "
CREATE TABLE bonifica_users (
  id TEXT PRIMARY KEY NOT NULL,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  organisation_id TEXT,
  team_id TEXT,
  created_at TEXT NOT NULL
);
CREATE TABLE bonifica_sessions (
  token_hash TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES bonifica_users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE TABLE bonifica_api_tokens (
  token_hash TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES bonifica_users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);
";

/// Creates a user table and registers it: `gpkg_contents`, and for a feature table
/// `gpkg_geometry_columns`, the R-tree, its triggers and its `gpkg_extensions` row.
pub(super) fn create_table(tx: &Transaction, def: &TableDef) -> rusqlite::Result<()> {
    let t = def.name;
    let record = if !is_record_table(t) {
        String::new()
    } else if t == "regions" {
        format!("{RECORD}, ")
    } else {
        format!("{RECORD}, {IN_REGION}, ")
    };
    let geom = match def.geometry {
        Some(g) => format!("geom {g} NOT NULL, "),
        None => String::new(),
    };
    tx.execute_batch(&format!(
        "CREATE TABLE \"{t}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \
         {geom}{record}{});",
        def.columns
    ))?;
    if !record.is_empty() && t != "regions" {
        tx.execute_batch(&format!(
            "CREATE INDEX \"{t}_region\" ON \"{t}\"(region_id);"
        ))?;
    }
    let data_type = match def.geometry {
        Some(_) => "features",
        None => "attributes",
    };
    let srs: Option<i32> = def.geometry.map(|_| super::binary::SRS_ID);
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![t, data_type, def.identifier, def.description, srs],
    )?;
    if let Some(geometry_type) = def.geometry {
        tx.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, 4326, 0, 0)",
            rusqlite::params![t, geometry_type],
        )?;
        tx.execute_batch(&rtree_ddl(t, "geom", "fid"))?;
        tx.execute(
            "INSERT INTO gpkg_extensions VALUES (?1, 'geom', 'gpkg_rtree_index', \
             'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
            [t],
        )?;
    }
    Ok(())
}

/// The R-tree virtual table and its six triggers, as GeoPackage 1.3 Annex F.3 writes them
/// (`<t>` table, `<c>` geometry column, `<i>` integer primary key).
fn rtree_ddl(t: &str, c: &str, i: &str) -> String {
    let r = format!("rtree_{t}_{c}");
    let values = format!(
        "NEW.\"{i}\", ST_MinX(NEW.\"{c}\"), ST_MaxX(NEW.\"{c}\"), \
         ST_MinY(NEW.\"{c}\"), ST_MaxY(NEW.\"{c}\")"
    );
    format!(
        "CREATE VIRTUAL TABLE \"{r}\" USING rtree(id, minx, maxx, miny, maxy);
CREATE TRIGGER \"{r}_insert\" AFTER INSERT ON \"{t}\"
  WHEN (new.\"{c}\" NOT NULL AND NOT ST_IsEmpty(NEW.\"{c}\"))
BEGIN
  INSERT OR REPLACE INTO \"{r}\" VALUES ({values});
END;
CREATE TRIGGER \"{r}_update1\" AFTER UPDATE OF \"{c}\" ON \"{t}\"
  WHEN OLD.\"{i}\" = NEW.\"{i}\" AND
       (NEW.\"{c}\" NOTNULL AND NOT ST_IsEmpty(NEW.\"{c}\"))
BEGIN
  INSERT OR REPLACE INTO \"{r}\" VALUES ({values});
END;
CREATE TRIGGER \"{r}_update2\" AFTER UPDATE OF \"{c}\" ON \"{t}\"
  WHEN OLD.\"{i}\" = NEW.\"{i}\" AND
       (NEW.\"{c}\" ISNULL OR ST_IsEmpty(NEW.\"{c}\"))
BEGIN
  DELETE FROM \"{r}\" WHERE id = OLD.\"{i}\";
END;
CREATE TRIGGER \"{r}_update3\" AFTER UPDATE ON \"{t}\"
  WHEN OLD.\"{i}\" != NEW.\"{i}\" AND
       (NEW.\"{c}\" NOTNULL AND NOT ST_IsEmpty(NEW.\"{c}\"))
BEGIN
  DELETE FROM \"{r}\" WHERE id = OLD.\"{i}\";
  INSERT OR REPLACE INTO \"{r}\" VALUES ({values});
END;
CREATE TRIGGER \"{r}_update4\" AFTER UPDATE ON \"{t}\"
  WHEN OLD.\"{i}\" != NEW.\"{i}\" AND
       (NEW.\"{c}\" ISNULL OR ST_IsEmpty(NEW.\"{c}\"))
BEGIN
  DELETE FROM \"{r}\" WHERE id IN (OLD.\"{i}\", NEW.\"{i}\");
END;
CREATE TRIGGER \"{r}_delete\" AFTER DELETE ON \"{t}\"
  WHEN old.\"{c}\" NOT NULL
BEGIN
  DELETE FROM \"{r}\" WHERE id = OLD.\"{i}\";
END;"
    )
}

/// The OGC WKT of EPSG:4326, as GDAL writes it.
const WGS84_WKT: &str = "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],AUTHORITY[\"EPSG\",\"4326\"]]";

/// The mandatory GeoPackage tables, as the specification defines them (Annex C).
const CORE_DDL: &str = "
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE,
  min_y DOUBLE,
  max_x DOUBLE,
  max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);
CREATE TABLE gpkg_extensions (
  table_name TEXT,
  column_name TEXT,
  extension_name TEXT NOT NULL,
  definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
);
";

//! The database's schema: the same tables, with the same columns in the same order, as the
//! GeoPackage, so that a copy between the two is a table-by-table, row-by-row affair.
//!
//! The migrations carry the GeoPackage's numbers and names and take the same steps (a
//! column added by `ALTER TABLE` in the GeoPackage is added by `ALTER TABLE` here, so it
//! ends up in the same place). They run in order, one transaction each, under an advisory
//! lock so that two servers starting at once do not both apply one, and are recorded in
//! `bonifica_migrations`. The column types map SQLite's: `TEXT`, `DATE` and `DATETIME` to
//! `text` (ISO strings kept as written, compared byte by byte with the `C` collation as
//! SQLite does), `INTEGER` to `bigint`, `REAL` to `double precision`, `BOOLEAN` to
//! `boolean`, `BLOB` to `bytea`. Feature tables have a PostGIS `geom` column of the
//! GeoPackage's geometry type in EPSG:4326 with a GiST index, so QGIS and GDAL list them
//! as layers; the attribute tables that keep a geometry out of GIS tools (the hazard area
//! history, reports) keep it as WKB in a `bytea` column. Every foreign key is
//! `DEFERRABLE`, so a record can be rewritten in place with the keys checked at commit.
//!
//! Two columns have no GeoPackage counterpart: `rowid`, a `bigserial` at the end of
//! `reports` and `bonifica_api_tokens`, which orders rows by insertion as SQLite's
//! implicit rowid does. They are not copied by [`crate::Transfer`].

use std::path::PathBuf;

use postgres::{Client, GenericClient, Transaction};

use crate::StoreError;
use crate::error::SqlContext;
use crate::gpkg::schema::{
    ACCOUNTS_DDL, IN_REGION, RECORD, TableDef, VERSIONED_TABLES, history_def, is_record_table,
    register_defs,
};

/// The schema version this code writes: the same number as the GeoPackage's.
pub const SCHEMA_VERSION: u32 = crate::SCHEMA_VERSION;

/// The advisory lock key migrations run under (`bonifica` in ASCII, as a number).
const MIGRATION_LOCK: i64 = 0x626f_6e69_6669_6361;

/// One numbered step of the schema.
struct Migration {
    version: u32,
    name: &'static str,
    apply: fn(&mut Transaction) -> Result<(), postgres::Error>,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "postgis and its spatial reference systems",
        apply: core,
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
        apply: plan_tables,
    },
    Migration {
        version: 6,
        name: "daily loop: reports, their transitions, released land, the audit log",
        apply: daily_loop,
    },
    Migration {
        version: 7,
        name: "released land by outcome; report inboxes read by filing time",
        apply: outcomes_and_inbox_order,
    },
    Migration {
        version: 8,
        name: "api tokens gain an id and an expiry",
        apply: token_ids_and_expiry,
    },
    Migration {
        version: 9,
        name: "the planning slot several servers share",
        apply: planning_slot,
    },
];

fn planning_slot(tx: &mut Transaction) -> Result<(), postgres::Error> {
    tx.batch_execute(&translate(crate::gpkg::jobs::PLANNING_SLOT_DDL))
}

/// Feature tables: a PostGIS `geom` column with a GiST index.
pub const FEATURE_TABLES: [&str; 5] =
    ["regions", "settlements", "rivers", "hazard_areas", "assets"];

/// Every table of the register, in insertion order (what [`crate::Store::counts`] counts).
pub const ALL_TABLES: [&str; 15] = crate::gpkg::schema::ALL_TABLES;

/// Whether the database holds Bonifica's schema (its migrations table).
pub fn has_schema(client: &mut Client) -> Result<bool, postgres::Error> {
    let row = client.query_one(
        "SELECT to_regclass('public.bonifica_migrations') IS NOT NULL",
        &[],
    )?;
    row.try_get(0)
}

/// The tables of the `public` schema that are neither Bonifica's nor PostGIS's.
pub fn foreign_tables(client: &mut Client) -> Result<Vec<String>, postgres::Error> {
    let rows = client.query(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'p') \
         AND c.relname <> 'spatial_ref_sys' \
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') \
         ORDER BY c.relname",
        &[],
    )?;
    rows.iter().map(|r| r.try_get(0)).collect()
}

/// Brings the database's schema up to [`SCHEMA_VERSION`], one transaction per migration.
/// Returns the version found before migrating.
pub fn migrate(client: &mut Client, url: &str) -> Result<u32, StoreError> {
    let context = || "creating bonifica_migrations".to_string();
    let mut tx = client.transaction().ctx(context)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .ctx(context)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS bonifica_migrations (
           version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)",
    )
    .ctx(context)?;
    tx.commit().ctx(context)?;
    let found = current_version(client)?;
    check_known(found, url)?;
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        let context = || format!("applying migration {} ({})", m.version, m.name);
        let mut tx = client.transaction().ctx(context)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .ctx(context)?;
        // Another server may have applied it while this one waited for the lock.
        let now = current_version(&mut tx)?;
        check_known(now, url)?;
        if now >= m.version {
            continue;
        }
        (m.apply)(&mut tx).ctx(context)?;
        let version = i32::try_from(m.version).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO bonifica_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &[&version, &m.name, &crate::gpkg::audit::now()],
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

fn check_known(found: u32, url: &str) -> Result<(), StoreError> {
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: PathBuf::from(url),
            found,
            known: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// The highest migration recorded in the database.
pub fn current_version(client: &mut impl GenericClient) -> Result<u32, StoreError> {
    let context = || "reading the schema version".to_string();
    let row = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM bonifica_migrations",
            &[],
        )
        .ctx(context)?;
    let v: i32 = row.try_get(0).ctx(context)?;
    Ok(u32::try_from(v).unwrap_or(0))
}

fn core(tx: &mut Transaction) -> Result<(), postgres::Error> {
    tx.batch_execute("CREATE EXTENSION IF NOT EXISTS postgis")
}

fn register_tables(tx: &mut Transaction) -> Result<(), postgres::Error> {
    for def in register_defs() {
        create_table(tx, &def)?;
    }
    Ok(())
}

fn history_table(tx: &mut Transaction) -> Result<(), postgres::Error> {
    create_table(tx, &history_def())
}

fn accounts_and_versions(tx: &mut Transaction) -> Result<(), postgres::Error> {
    for t in VERSIONED_TABLES {
        if t != "hazard_areas" {
            tx.batch_execute(&format!(
                "ALTER TABLE \"{t}\" ADD COLUMN version bigint NOT NULL DEFAULT 1;"
            ))?;
        }
        tx.batch_execute(&format!(
            "ALTER TABLE \"{t}\" ADD COLUMN updated_at text COLLATE \"C\"; \
             ALTER TABLE \"{t}\" ADD COLUMN updated_by text COLLATE \"C\";"
        ))?;
    }
    tx.batch_execute(&translate(ACCOUNTS_DDL))
}

fn plan_tables(tx: &mut Transaction) -> Result<(), postgres::Error> {
    for def in crate::gpkg::plans::plan_defs() {
        create_table(tx, &def)?;
    }
    tx.batch_execute(
        "CREATE INDEX plan_tasks_plan ON plan_tasks(plan_id);
         CREATE INDEX plan_hazard_areas_plan ON plan_hazard_areas(plan_id);
         CREATE INDEX plan_assets_plan ON plan_assets(plan_id);",
    )
}

fn daily_loop(tx: &mut Transaction) -> Result<(), postgres::Error> {
    tx.batch_execute(&translate(crate::gpkg::reports::REPORTS_DDL))?;
    tx.batch_execute("ALTER TABLE reports ADD COLUMN rowid bigserial NOT NULL UNIQUE;")?;
    create_table(tx, &crate::gpkg::reports::released_land_def())?;
    tx.batch_execute("CREATE INDEX released_land_hazard_area ON released_land(hazard_area_id);")?;
    tx.batch_execute(&translate(crate::gpkg::audit::AUDIT_DDL))?;
    tx.execute(
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, $1)",
        &[&crate::audit::GENESIS],
    )?;
    Ok(())
}

fn outcomes_and_inbox_order(tx: &mut Transaction) -> Result<(), postgres::Error> {
    tx.batch_execute(
        "ALTER TABLE released_land ADD COLUMN cancelled_m2 double precision NOT NULL DEFAULT 0;
         ALTER TABLE released_land ADD COLUMN reduced_m2 double precision NOT NULL DEFAULT 0;
         ALTER TABLE released_land ADD COLUMN cleared_m2 double precision NOT NULL DEFAULT 0;
         UPDATE released_land SET cancelled_m2 = area_m2 WHERE reason = 'cancelled';
         UPDATE released_land SET reduced_m2 = area_m2 WHERE reason = 'reduced';
         UPDATE released_land SET cleared_m2 = area_m2 WHERE reason = 'cleared';
         CREATE INDEX reports_created ON reports(created_at);
         CREATE INDEX reports_unit_created ON reports(unit_id, created_at);
         CREATE INDEX reports_organisation_created ON reports(organisation_id, created_at);",
    )
}

fn token_ids_and_expiry(tx: &mut Transaction) -> Result<(), postgres::Error> {
    tx.batch_execute(&translate(
        "CREATE TABLE bonifica_api_tokens_v8 (
           id TEXT PRIMARY KEY NOT NULL,
           token_hash TEXT NOT NULL UNIQUE,
           user_id TEXT NOT NULL REFERENCES bonifica_users(id) ON DELETE CASCADE,
           name TEXT NOT NULL,
           created_at TEXT NOT NULL,
           expires_at TEXT NOT NULL
         );",
    ))?;
    let days = format!("{} days", crate::gpkg::accounts::MIGRATED_TOKEN_DAYS);
    tx.execute(
        "INSERT INTO bonifica_api_tokens_v8 (id, token_hash, user_id, name, created_at, \
         expires_at) SELECT gen_random_uuid()::text, token_hash, user_id, name, created_at, \
         to_char((now() + $1::text::interval) AT TIME ZONE 'UTC', \
         'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM bonifica_api_tokens",
        &[&days],
    )?;
    tx.batch_execute(
        "DROP TABLE bonifica_api_tokens;
         ALTER TABLE bonifica_api_tokens_v8 RENAME TO bonifica_api_tokens;
         CREATE INDEX bonifica_api_tokens_user ON bonifica_api_tokens(user_id);
         ALTER TABLE bonifica_api_tokens ADD COLUMN rowid bigserial NOT NULL UNIQUE;",
    )
}

/// Creates a table of the register as the GeoPackage declares it: `fid`, then `geom` for
/// a feature table (PostGIS, with a GiST index), then `id`, `code` and `region_id` for a
/// record table, then the table's own columns.
fn create_table(tx: &mut Transaction, def: &TableDef) -> Result<(), postgres::Error> {
    let t = def.name;
    let record = if !is_record_table(t) {
        String::new()
    } else if t == "regions" {
        format!("{RECORD}, ")
    } else {
        format!("{RECORD}, {IN_REGION}, ")
    };
    let geom = match def.geometry {
        Some(g) => format!("geom geometry({g}, 4326) NOT NULL, "),
        None => String::new(),
    };
    tx.batch_execute(&format!(
        "CREATE TABLE \"{t}\" (fid bigserial PRIMARY KEY, {geom}{});",
        translate(&format!("{record}{}", def.columns))
    ))?;
    if !record.is_empty() && t != "regions" {
        tx.batch_execute(&format!(
            "CREATE INDEX \"{t}_region\" ON \"{t}\"(region_id);"
        ))?;
    }
    if def.geometry.is_some() {
        tx.batch_execute(&format!(
            "CREATE INDEX \"{t}_geom\" ON \"{t}\" USING GIST (geom);"
        ))?;
    }
    Ok(())
}

/// Rewrites SQLite DDL for PostgreSQL: the column types (see the module's documentation)
/// and `DEFERRABLE` after every foreign key.
pub fn translate(ddl: &str) -> String {
    let mut out = String::with_capacity(ddl.len() * 2);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(match word.as_str() {
            "TEXT" | "DATE" | "DATETIME" => "text COLLATE \"C\"",
            "INTEGER" => "bigint",
            "REAL" | "DOUBLE" => "double precision",
            "BOOLEAN" => "boolean",
            "BLOB" => "bytea",
            w => w,
        });
        word.clear();
    };
    for c in ddl.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    deferrable(&out)
}

/// Adds `DEFERRABLE` after each `REFERENCES t(c)` and its `ON DELETE CASCADE`, if any.
fn deferrable(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 64);
    let mut rest = sql;
    while let Some(at) = rest.find("REFERENCES ") {
        let Some(close) = rest[at..].find(')') else {
            break;
        };
        let mut end = at + close + 1;
        const CASCADE: &str = " ON DELETE CASCADE";
        if rest[end..].starts_with(CASCADE) {
            end += CASCADE.len();
        }
        out.push_str(&rest[..end]);
        out.push_str(" DEFERRABLE");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_types_become_postgres_types_and_keys_deferrable() {
        let sql = translate(
            "plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE, \"end\" DATE, \
             n INTEGER, x REAL, b BOOLEAN, g BLOB, d DATETIME, o TEXT REFERENCES t(id)",
        );
        assert_eq!(
            sql,
            "plan_id text COLLATE \"C\" NOT NULL REFERENCES plans(id) ON DELETE CASCADE \
             DEFERRABLE, \"end\" text COLLATE \"C\", n bigint, x double precision, b boolean, \
             g bytea, d text COLLATE \"C\", o text COLLATE \"C\" REFERENCES t(id) DEFERRABLE"
        );
    }
}

//! Schema versions: a fresh file is current, reopening applies nothing, a newer file and a
//! file that is not ours are refused, and create never overwrites by accident.

use bonifica_store::prelude::*;
use bonifica_store::{GeoPackage, SCHEMA_VERSION, Store, StoreError};
use rusqlite::Connection;

use bonifica_model::{ClosureReason, ReleasedByOutcome};

use crate::fixture::{approval, new_store, small_dataset, verified_report};

/// Takes the API tokens table back to its shape before schema 8 (no id, no expiry), and
/// the file before schema 9 (no planning slot).
const TOKENS_BEFORE_SCHEMA_8: &str = "
    DROP TABLE bonifica_planning_slot;
    DELETE FROM bonifica_migrations WHERE version = 9;
    DROP TABLE bonifica_api_tokens;
    CREATE TABLE bonifica_api_tokens (
      token_hash TEXT PRIMARY KEY NOT NULL,
      user_id TEXT NOT NULL REFERENCES bonifica_users(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      created_at TEXT NOT NULL
    );
    DELETE FROM bonifica_migrations WHERE version >= 8;";

fn migrations(path: &std::path::Path) -> Vec<(u32, String)> {
    let conn = Connection::open(path).expect("opens with sqlite");
    let mut stmt = conn
        .prepare("SELECT version, applied_at FROM bonifica_migrations ORDER BY version")
        .expect("prepares");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("queries")
        .collect::<Result<_, _>>()
        .expect("reads")
}

#[test]
fn a_fresh_file_is_at_the_latest_version_and_reopening_applies_nothing() {
    let (dir, store) = new_store();
    let path = dir.path().join("register.gpkg");
    assert_eq!(store.schema_version().expect("reads"), SCHEMA_VERSION);
    drop(store);
    let applied = migrations(&path);
    let versions: Vec<u32> = applied.iter().map(|(v, _)| *v).collect();
    assert_eq!(versions, (1..=SCHEMA_VERSION).collect::<Vec<_>>());

    let store = GeoPackage::open(&path).expect("reopens");
    assert_eq!(store.schema_version().expect("reads"), SCHEMA_VERSION);
    drop(store);
    assert_eq!(migrations(&path), applied);
}

#[test]
fn a_file_with_a_newer_schema_is_refused() {
    let (dir, mut store) = new_store();
    store.insert(&small_dataset()).expect("inserts");
    drop(store);
    let path = dir.path().join("register.gpkg");
    let conn = Connection::open(&path).expect("opens with sqlite");
    conn.execute(
        "INSERT INTO bonifica_migrations VALUES (?1, 'from the future', '2031-01-01T00:00:00.000Z')",
        [SCHEMA_VERSION + 1],
    )
    .expect("writes");
    drop(conn);
    let err = GeoPackage::open(&path).expect_err("should be refused");
    assert!(
        matches!(err, StoreError::SchemaTooNew { found, known, .. }
            if found == SCHEMA_VERSION + 1 && known == SCHEMA_VERSION),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("newer than this program knows"),
        "{err}"
    );
}

#[test]
fn the_file_is_a_geopackage_in_wal_mode() {
    let (dir, store) = new_store();
    drop(store);
    let conn = Connection::open(dir.path().join("register.gpkg")).expect("opens");
    let pragma = |name: &str| -> i64 {
        conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .expect("reads pragma")
    };
    assert_eq!(pragma("application_id"), 0x4750_4B47);
    assert_eq!(pragma("user_version"), 10300);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("reads");
    assert_eq!(mode, "wal");
}

#[test]
fn create_refuses_an_existing_file_unless_asked() {
    let (dir, mut store) = new_store();
    store.insert(&small_dataset()).expect("inserts");
    drop(store);
    let path = dir.path().join("register.gpkg");
    let err = GeoPackage::create(&path).expect_err("should be refused");
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    assert_eq!(
        GeoPackage::open(&path)
            .expect("still opens")
            .load()
            .expect("loads"),
        small_dataset()
    );
    let fresh = GeoPackage::create_overwriting(&path).expect("overwrites");
    assert_eq!(fresh.counts().expect("counts").total(), 0);
}

#[test]
fn files_that_are_not_bonifica_geopackages_are_refused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let text = dir.path().join("notes.gpkg");
    std::fs::write(
        &text,
        "not a database at all, just some text that is long enough",
    )
    .expect("writes");
    let err = GeoPackage::open(&text).expect_err("should be refused");
    assert!(matches!(err, StoreError::NotAGeoPackage { .. }), "{err:?}");

    let plain = dir.path().join("plain.sqlite");
    Connection::open(&plain)
        .and_then(|c| c.execute_batch("CREATE TABLE t (x INTEGER)"))
        .expect("creates a plain database");
    let err = GeoPackage::open(&plain).expect_err("should be refused");
    assert!(err.to_string().contains("application_id"), "{err}");

    let foreign = dir.path().join("foreign.gpkg");
    Connection::open(&foreign)
        .and_then(|c| c.execute_batch("PRAGMA application_id = 1196444487; CREATE TABLE t (x)"))
        .expect("creates a foreign geopackage");
    let err = GeoPackage::open(&foreign).expect_err("should be refused");
    assert!(err.to_string().contains("bonifica_migrations"), "{err}");

    let missing =
        GeoPackage::open(&dir.path().join("missing.gpkg")).expect_err("should be refused");
    assert!(matches!(missing, StoreError::Io { .. }), "{missing:?}");
}

#[test]
fn a_file_from_before_the_daily_loop_gains_it_on_open_and_keeps_its_records() {
    let (dir, mut store) = new_store();
    store.insert(&small_dataset()).expect("inserts");
    drop(store);
    let path = dir.path().join("register.gpkg");
    // Take the file back to schema 5, as the previous release wrote it.
    Connection::open(&path)
        .and_then(|c| {
            c.execute_batch(
                "DROP TABLE released_land; DROP TABLE rtree_released_land_geom;
                 DELETE FROM gpkg_extensions WHERE table_name = 'released_land';
                 DELETE FROM gpkg_geometry_columns WHERE table_name = 'released_land';
                 DELETE FROM gpkg_contents WHERE table_name = 'released_land';
                 DROP TABLE report_transitions; DROP TABLE reports;
                 DROP TABLE audit_log; DROP TABLE audit_head;
                 DELETE FROM bonifica_migrations WHERE version >= 6;",
            )?;
            c.execute_batch(TOKENS_BEFORE_SCHEMA_8)
        })
        .expect("rewinds to schema 5");
    let store = GeoPackage::open(&path).expect("opens and migrates");
    assert_eq!(store.schema_version().expect("reads"), SCHEMA_VERSION);
    assert_eq!(store.load().expect("loads"), small_dataset());
    let check = store.verify_audit().expect("an empty log holds");
    assert_eq!(check.entries, 0);
    assert!(
        store
            .reports(&bonifica_store::ReportQuery::default())
            .expect("lists")
            .is_empty()
    );
}

#[test]
fn land_released_before_schema_7_counts_whole_under_its_reason() {
    let (dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let verified = verified_report(&mut store, &dataset);
    let change = approval(&verified, &dataset);
    store.commit(&change).expect("approves");
    drop(store);
    let path = dir.path().join("register.gpkg");
    // Take the file back to schema 6, as the previous release wrote it.
    Connection::open(&path)
        .and_then(|c| {
            c.execute_batch(
                "ALTER TABLE released_land DROP COLUMN cancelled_m2;
                 ALTER TABLE released_land DROP COLUMN reduced_m2;
                 ALTER TABLE released_land DROP COLUMN cleared_m2;
                 DROP INDEX reports_created; DROP INDEX reports_unit_created;
                 DROP INDEX reports_organisation_created;
                 DELETE FROM bonifica_migrations WHERE version >= 7;",
            )?;
            c.execute_batch(TOKENS_BEFORE_SCHEMA_8)
        })
        .expect("rewinds to schema 6");
    let store = GeoPackage::open(&path).expect("opens and migrates");
    assert_eq!(store.schema_version().expect("reads"), SCHEMA_VERSION);
    let released = store
        .released_land(dataset.hazard_areas[0].id)
        .expect("reads");
    assert_eq!(released.len(), 1);
    let piece = &released[0];
    assert_eq!(piece.reason, ClosureReason::Cleared);
    assert_eq!(
        piece.by_outcome,
        ReleasedByOutcome::all(ClosureReason::Cleared, piece.area_m2)
    );
    assert!(piece.area_m2 > 0.0);
    store.verify_audit().expect("the chain still holds");
}

#[test]
fn tokens_from_before_schema_8_gain_an_id_and_expire_90_days_after_the_upgrade() {
    let (dir, mut store) = new_store();
    let user = store
        .add_user(&bonifica_store::NewUser {
            username: "gis".to_string(),
            password_hash: "not-a-hash".to_string(),
            role: "viewer".to_string(),
            organisation_id: None,
            team_id: None,
        })
        .expect("adds");
    drop(store);
    let path = dir.path().join("register.gpkg");
    Connection::open(&path)
        .and_then(|c| {
            c.execute_batch(TOKENS_BEFORE_SCHEMA_8)?;
            c.execute(
                "INSERT INTO bonifica_api_tokens VALUES ('old-hash', ?1, 'qgis', '2024-01-01T00:00:00.000Z')",
                [user.id.to_string()],
            )
        })
        .expect("rewinds to schema 7 with a token");
    let store = GeoPackage::open(&path).expect("opens and migrates");
    assert_eq!(store.schema_version().expect("reads"), SCHEMA_VERSION);
    let token = store.api_token("old-hash").expect("reads").expect("kept");
    assert_eq!((token.user_id, token.name.as_str()), (user.id, "qgis"));
    assert_eq!(token.created_at, "2024-01-01T00:00:00.000Z");
    assert_eq!(
        store.api_tokens(user.id).expect("lists"),
        vec![token.clone()]
    );
    drop(store);
    let days_left: f64 = Connection::open(&path)
        .and_then(|c| {
            c.query_row(
                "SELECT julianday(?1) - julianday('now')",
                [&token.expires_at],
                |r| r.get(0),
            )
        })
        .expect("reads");
    assert!((89.9..=90.0).contains(&days_left), "{days_left}");
}

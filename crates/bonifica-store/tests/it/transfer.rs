//! Whole-register copies: a GeoPackage with a history, exported and imported into a fresh
//! one, exports the same tables, verifies the same audit chain and loads the same register;
//! an import into a store that is not empty, or of a dump the file cannot hold, writes
//! nothing.

use std::collections::HashMap;
use std::path::Path;

use bonifica_model::{Dataset, RecordKind};
use bonifica_planner::{Limits, Planner, PlannerConfig};
use bonifica_store::prelude::*;
use bonifica_store::{
    BBox, GeoPackage, NewApiToken, NewUser, Record, ReportQuery, SYSTEM_ACTOR, Session, StoreError,
    TableDump, Transfer, Value,
};
use rusqlite::Connection;

use crate::fixture::{approval, date, id, report, small_dataset, verified_report};
use crate::gdal::run;

/// The small dataset with a history: a person renamed through the record path, a report
/// filed, submitted, verified and approved (land released, a hazard area's earlier version
/// kept, an asset restored), a draft report on a restricted area, a user with an API token
/// and a browser session, and a saved plan with its forecast.
pub fn write_store(path: &Path) -> (GeoPackage, Dataset) {
    let mut store = GeoPackage::create(path).expect("creates");
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let mut person = dataset.people[2].clone();
    person.name = "Iryna Bondar-Shevchuk".to_string();
    store
        .update_record(&Record::Person(person), 1, "coordinator")
        .expect("updates");
    let verified = verified_report(&mut store, &dataset);
    store
        .commit(&approval(&verified, &dataset))
        .expect("approves");
    store
        .insert_report(&report(2, &dataset.hazard_areas[1]), None)
        .expect("files");
    let user = store
        .add_user(&NewUser {
            username: "leader".to_string(),
            password_hash: "$argon2id$not-a-real-hash".to_string(),
            role: "team_leader".to_string(),
            organisation_id: Some(id(RecordKind::Organisation, 2)),
            team_id: Some(id(RecordKind::Team, 1)),
        })
        .expect("adds a user");
    store
        .create_api_token(&NewApiToken {
            token_hash: "token-hash".to_string(),
            user_id: user.id,
            name: "field tablet".to_string(),
            expires_at: "2099-01-01T00:00:00+00:00".to_string(),
        })
        .expect("creates a token");
    store
        .create_session(&Session {
            token_hash: "session-hash".to_string(),
            user_id: user.id,
            csrf_token: "csrf".to_string(),
            expires_at: "2099-01-01T00:00:00Z".to_string(),
        })
        .expect("creates a session");
    let stored = store.load().expect("loads");
    let planner =
        Planner::new(&stored, &PlannerConfig::default(), date(2026, 5, 4)).expect("plans");
    let limits = Limits {
        time_budget: None,
        max_iterations: Some(1),
        ..Limits::default()
    };
    let (plan, _) = planner.plan(&limits, &|_| {});
    let forecast = planner.forecast(&plan, 8, 1);
    store
        .save_plan(
            &stored,
            &plan,
            Some(&forecast),
            "2026-05-04T08:00:00.000Z",
            SYSTEM_ACTOR,
        )
        .expect("saves a plan");
    (store, stored)
}

fn dump<'a>(dumps: &'a [TableDump], name: &str) -> &'a TableDump {
    dumps
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("table {name} is not in the dump"))
}

fn names(dumps: &[TableDump]) -> Vec<&str> {
    dumps.iter().map(|d| d.name.as_str()).collect()
}

/// A feature table's extent in `gpkg_contents` (min x, min y, max x, max y).
type Extent = [Option<f64>; 4];

/// The `gpkg_contents` extents and the R-tree row counts of the feature tables.
fn spatial_state(path: &Path) -> Vec<(String, Extent, i64)> {
    let conn = Connection::open(path).expect("opens");
    let mut stmt = conn
        .prepare(
            "SELECT table_name, min_x, min_y, max_x, max_y FROM gpkg_contents \
             WHERE data_type = 'features' ORDER BY table_name",
        )
        .expect("prepares");
    let rows: Vec<(String, Extent)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?]))
        })
        .expect("reads")
        .collect::<Result<_, _>>()
        .expect("reads");
    rows.into_iter()
        .map(|(table, extent)| {
            let indexed: i64 = conn
                .query_row(
                    &format!("SELECT COUNT(*) FROM \"rtree_{table}_geom\""),
                    [],
                    |r| r.get(0),
                )
                .expect("counts");
            (table, extent, indexed)
        })
        .collect()
}

pub fn everything() -> ReportQuery {
    ReportQuery {
        include_restricted: true,
        ..ReportQuery::default()
    }
}

#[test]
fn a_copy_exports_the_same_tables_verifies_the_same_chain_and_loads_the_same_register() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (source, dataset) = write_store(&dir.path().join("source.gpkg"));
    let exported = source.export().expect("exports");

    let copy_path = dir.path().join("copy.gpkg");
    let mut copy = GeoPackage::create(&copy_path).expect("creates");
    copy.import(&exported).expect("imports");
    let again = copy.export().expect("exports the copy");

    assert_eq!(names(&again), names(&exported));
    for (a, b) in exported.iter().zip(&again) {
        assert_eq!(a, b, "table {}", a.name);
    }

    // What the copy holds, and what it leaves out.
    let listed = names(&exported);
    for table in [
        "regions",
        "people",
        "hazard_area_versions",
        "reports",
        "report_transitions",
        "released_land",
        "audit_log",
        "audit_head",
        "bonifica_users",
        "bonifica_api_tokens",
        "plans",
        "plan_tasks",
        "plan_hazard_areas",
        "plan_assets",
    ] {
        assert!(
            !dump(&exported, table).rows.is_empty(),
            "table {table} copied empty"
        );
    }
    for left_out in ["bonifica_sessions", "bonifica_migrations"] {
        assert!(!listed.contains(&left_out), "{left_out} copied: {listed:?}");
    }
    assert!(
        listed.iter().all(|t| !t.starts_with("gpkg_")
            && !t.starts_with("rtree_")
            && !t.starts_with("sqlite_")),
        "{listed:?}"
    );
    // The surrogate fid is left out; the audit log's sequence numbers are kept.
    assert!(
        exported
            .iter()
            .all(|d| !d.columns.iter().any(|c| c == "fid"))
    );
    assert_eq!(dump(&exported, "audit_log").columns[0], "seq");
    assert_eq!(dump(&exported, "audit_head").columns, ["id", "seq", "hash"]);
    let regions = dump(&exported, "regions");
    assert_eq!(regions.columns[0], "geom");
    assert!(matches!(regions.rows[0][0], Value::Geometry(_)));
    let assets = dump(&exported, "assets");
    let restricted = assets
        .columns
        .iter()
        .position(|c| c == "restricted")
        .expect("assets have restricted");
    assert!(
        assets
            .rows
            .iter()
            .all(|r| matches!(r[restricted], Value::Boolean(_)))
    );

    // Referenced tables come first.
    let conn = Connection::open(dir.path().join("source.gpkg")).expect("opens");
    for (i, table) in listed.iter().enumerate() {
        let mut stmt = conn
            .prepare("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)")
            .expect("prepares");
        let parents: Vec<String> = stmt
            .query_map([table], |r| r.get(0))
            .expect("reads")
            .collect::<Result<_, _>>()
            .expect("reads");
        for parent in parents.iter().filter(|p| *p != table) {
            let at = listed
                .iter()
                .position(|t| t == parent)
                .unwrap_or_else(|| panic!("{table} refers to {parent}, not copied"));
            assert!(at < i, "{parent} comes after {table} which refers to it");
        }
    }
    assert!(
        listed.iter().position(|t| *t == "regions")
            < listed.iter().position(|t| *t == "organisations")
    );
    assert!(
        listed.iter().position(|t| *t == "organisations")
            < listed.iter().position(|t| *t == "people")
    );

    // The same chain, entry for entry, and the same register.
    let check = source.verify_audit().expect("source chain holds");
    assert_eq!(copy.verify_audit().expect("copied chain holds"), check);
    assert_eq!(
        copy.audit_entries(0, 1_000).expect("reads"),
        source.audit_entries(0, 1_000).expect("reads")
    );
    assert_eq!(copy.load().expect("loads the copy"), dataset);
    assert_eq!(copy.load().expect("loads"), source.load().expect("loads"));
    assert_eq!(
        copy.counts().expect("counts"),
        source.counts().expect("counts")
    );
    let area = dataset.hazard_areas[0].id;
    assert_eq!(
        copy.hazard_area_history(area).expect("history"),
        source.hazard_area_history(area).expect("history")
    );
    assert_eq!(copy.hazard_area_history(area).expect("history").len(), 1);
    assert_eq!(
        copy.released_land(area).expect("released"),
        source.released_land(area).expect("released")
    );
    let reports = source.reports(&everything()).expect("lists");
    assert_eq!(reports.len(), 2);
    assert_eq!(copy.reports(&everything()).expect("lists"), reports);
    for r in &reports {
        assert_eq!(
            copy.report_transitions(r.id).expect("reads"),
            source.report_transitions(r.id).expect("reads")
        );
    }
    assert_eq!(copy.plans().expect("lists"), source.plans().expect("lists"));
    assert_eq!(copy.users().expect("lists"), source.users().expect("lists"));
    let token = source.api_token("token-hash").expect("reads");
    assert!(token.is_some());
    assert_eq!(copy.api_token("token-hash").expect("reads"), token);
    assert!(source.session("session-hash").expect("reads").is_some());
    assert_eq!(copy.session("session-hash").expect("reads"), None);

    // The R-tree triggers filled the spatial indexes and the extents were refreshed.
    let bbox = BBox::new(36.0, 50.0, 36.25, 50.25);
    assert_eq!(
        copy.hazard_areas_in_bbox(bbox).expect("reads"),
        source.hazard_areas_in_bbox(bbox).expect("reads")
    );
    assert_eq!(
        copy.assets_in_bbox(bbox).expect("reads"),
        source.assets_in_bbox(bbox).expect("reads")
    );
    assert_eq!(
        spatial_state(&copy_path),
        spatial_state(&dir.path().join("source.gpkg"))
    );

    // The copy goes on: its next change links to the copied head.
    let mut person = dataset.people[0].clone();
    person.name = "Olena Kovalenko-Bondar".to_string();
    copy.update_record(&Record::Person(person), 1, "coordinator")
        .expect("updates the copy");
    assert_eq!(
        copy.verify_audit().expect("holds").entries,
        check.entries + 1
    );
}

#[test]
fn the_copy_is_a_geopackage_gdal_reads_and_validates() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (source, _) = write_store(&dir.path().join("source.gpkg"));
    let copy_path = dir.path().join("copy.gpkg");
    let mut copy = GeoPackage::create(&copy_path).expect("creates");
    copy.import(&source.export().expect("exports"))
        .expect("imports");
    drop(copy);

    let file = copy_path.to_str().expect("utf-8 path");
    let read = run("ogrinfo", &["-ro", "-al", "-q", file]);
    assert!(read.status.success());
    assert!(
        read.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let summary = run("ogrinfo", &["-ro", "-al", "-so", file]);
    let text = String::from_utf8_lossy(&summary.stdout);
    let released = text
        .split("Layer name: ")
        .find(|b| b.lines().next() == Some("released_land"))
        .expect("layer released_land");
    assert!(released.contains("Feature Count: 1\n"), "{released}");
    let valid = run(
        "/usr/bin/python3",
        &[
            "-m",
            "osgeo_utils.samples.validate_gpkg",
            "-k",
            "--extra",
            "--warning-as-error",
            file,
        ],
    );
    let stdout = String::from_utf8_lossy(&valid.stdout);
    let stderr = String::from_utf8_lossy(&valid.stderr);
    assert!(
        valid.status.success(),
        "validate_gpkg failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.trim().is_empty() && stderr.trim().is_empty(),
        "{stdout}\n{stderr}"
    );
}

fn refusal(err: StoreError) -> String {
    match err {
        StoreError::Database { problem, .. } => problem,
        other => panic!("expected a database refusal, got {other:?}"),
    }
}

#[test]
fn a_store_that_is_not_empty_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (source, _) = write_store(&dir.path().join("source.gpkg"));
    let exported = source.export().expect("exports");

    let mut target = GeoPackage::create(&dir.path().join("target.gpkg")).expect("creates");
    target.insert(&small_dataset()).expect("inserts");
    let before = target.export().expect("exports");
    let problem = refusal(target.import(&exported).expect_err("not empty"));
    assert!(problem.contains("not empty"), "{problem}");
    assert_eq!(target.export().expect("exports"), before);
    target.verify_audit().expect("the chain holds");

    // A user alone is enough to refuse: the copy's users would mix with the store's.
    let mut accounts = GeoPackage::create(&dir.path().join("accounts.gpkg")).expect("creates");
    accounts
        .add_user(&NewUser {
            username: "admin".to_string(),
            password_hash: "$argon2id$not-a-real-hash".to_string(),
            role: "coordinator".to_string(),
            organisation_id: None,
            team_id: None,
        })
        .expect("adds");
    let problem = refusal(accounts.import(&exported).expect_err("not empty"));
    assert!(problem.contains("bonifica_users"), "{problem}");
    assert_eq!(accounts.users().expect("lists").len(), 1);
    assert_eq!(accounts.counts().expect("counts").total(), 0);
}

#[test]
fn a_dump_the_file_cannot_hold_is_refused_naming_table_and_column_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (source, _) = write_store(&dir.path().join("source.gpkg"));
    let exported = source.export().expect("exports");
    let mut target = GeoPackage::create(&dir.path().join("target.gpkg")).expect("creates");
    let empty = target.export().expect("exports");

    // Assets come after regions, people and hazard areas: those rows are written first
    // and must be rolled back.
    let mut unknown_column = exported.clone();
    let assets = unknown_column
        .iter_mut()
        .find(|d| d.name == "assets")
        .expect("assets");
    assets.columns.push("colour".to_string());
    for row in &mut assets.rows {
        row.push(Value::Text("red".to_string()));
    }
    let problem = refusal(target.import(&unknown_column).expect_err("unknown column"));
    assert!(
        problem.contains("assets") && problem.contains("colour"),
        "{problem}"
    );
    assert_eq!(target.export().expect("exports"), empty);

    let mut unknown_table = exported.clone();
    unknown_table.push(TableDump {
        name: "minefield_photos".to_string(),
        columns: vec!["id".to_string()],
        rows: vec![vec![Value::Text("p1".to_string())]],
    });
    let problem = refusal(target.import(&unknown_table).expect_err("unknown table"));
    assert!(problem.contains("minefield_photos"), "{problem}");
    assert_eq!(target.export().expect("exports"), empty);

    let mut sessions = exported.clone();
    sessions.push(TableDump {
        name: "bonifica_sessions".to_string(),
        columns: Vec::new(),
        rows: Vec::new(),
    });
    let problem = refusal(
        target
            .import(&sessions)
            .expect_err("sessions are not copied"),
    );
    assert!(problem.contains("bonifica_sessions"), "{problem}");

    // A text where a boolean belongs names the table and column.
    let mut bad_value = exported.clone();
    let assets = bad_value
        .iter_mut()
        .find(|d| d.name == "assets")
        .expect("assets");
    let restricted = assets
        .columns
        .iter()
        .position(|c| c == "restricted")
        .expect("restricted");
    assets.rows[0][restricted] = Value::Text("yes".to_string());
    let problem = refusal(target.import(&bad_value).expect_err("not a boolean"));
    assert!(
        problem.contains("assets") && problem.contains("restricted"),
        "{problem}"
    );

    // Rows that refer to rows the copy lacks are refused at the end, naming the table.
    let dangling: Vec<TableDump> = exported
        .iter()
        .filter(|d| d.name != "bonifica_users")
        .cloned()
        .collect();
    let problem = refusal(target.import(&dangling).expect_err("dangling tokens"));
    assert!(problem.contains("bonifica_api_tokens"), "{problem}");
    assert_eq!(target.export().expect("exports"), empty);

    // After every refusal the store still takes the whole copy.
    target.import(&exported).expect("imports");
    assert_eq!(target.export().expect("exports"), exported);
}

#[test]
fn dumps_in_any_order_with_booleans_as_integers_import_the_same_register() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (source, _) = write_store(&dir.path().join("source.gpkg"));
    let exported = source.export().expect("exports");
    // Booleans as 0/1, as a backend without booleans would write them, and the tables in
    // reverse order: foreign keys are checked at the end of the import.
    let mut reworded: Vec<TableDump> = exported
        .iter()
        .rev()
        .cloned()
        .map(|mut d| {
            for row in &mut d.rows {
                for v in row.iter_mut() {
                    if let Value::Boolean(b) = v {
                        *v = Value::Integer(i64::from(*b));
                    }
                }
            }
            d
        })
        .collect();
    // A boolean in an integer column is taken as 0/1.
    let audit_head = reworded
        .iter_mut()
        .find(|d| d.name == "audit_head")
        .expect("audit_head");
    audit_head.rows[0][0] = Value::Boolean(true);
    let mut copy = GeoPackage::create(&dir.path().join("copy.gpkg")).expect("creates");
    copy.import(&reworded).expect("imports");
    assert_eq!(copy.export().expect("exports"), exported);
    let by_name: HashMap<String, usize> = exported
        .iter()
        .map(|d| (d.name.clone(), d.rows.len()))
        .collect();
    assert_eq!(
        by_name["audit_log"] as u64,
        copy.verify_audit().expect("holds").entries
    );
}

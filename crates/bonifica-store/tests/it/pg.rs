//! The PostgreSQL/PostGIS store. Each test creates its own database on the server that
//! `BONIFICA_TEST_DATABASE` names (`scripts/test` starts one and sets it) and drops it at
//! the end. Without that variable the tests fail.
//!
//! Most tests run the same calls on a GeoPackage and on a database and compare what comes
//! back, errors included: the two backends must be indistinguishable to the server.

use std::fmt::Debug;
use std::sync::{Arc, Barrier};

use bonifica_model::{Dataset, RecordKind};
use bonifica_planner::{Limits, Planner, PlannerConfig};
use bonifica_store::prelude::*;
use bonifica_store::{
    AuditEntry, GeoPackage, Inserted, ListQuery, NewApiToken, NewUser, Postgres, Record,
    ReportQuery, SYSTEM_ACTOR, Session, StoreError, TableDump, Transfer, Value,
};
use uuid::Uuid;

use crate::fixture::{
    approval, date, id, new_store, report, small_dataset, step, transition, verified_report,
};

/// A database of its own on the test server, dropped (with the roles made for it) at the
/// end of the test.
struct TestDb {
    admin: String,
    name: String,
    url: String,
    roles: Vec<String>,
}

impl TestDb {
    /// A new empty database, or `None` when the PostgreSQL tests are skipped on purpose.
    fn new() -> Option<TestDb> {
        let admin = match std::env::var("BONIFICA_TEST_DATABASE") {
            Ok(url) if !url.is_empty() => url,
            _ => panic!(
                "BONIFICA_TEST_DATABASE is not set: run the PostgreSQL tests through \
                 scripts/test, which starts a throwaway PostgreSQL server and sets it"
            ),
        };
        let name = format!("t_{}", Uuid::new_v4().simple());
        let mut client = ::postgres::Client::connect(&admin, ::postgres::NoTls)
            .unwrap_or_else(|e| panic!("connecting to BONIFICA_TEST_DATABASE {admin}: {e}"));
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("creates the test database");
        let url = with_path(&admin, &name);
        Some(TestDb {
            admin,
            name,
            url,
            roles: Vec::new(),
        })
    }

    /// The URL of this database as another user.
    fn url_as(&self, user: &str) -> String {
        let (scheme, rest) = self.url.split_once("://").expect("a URL");
        let rest = rest.split_once('@').map_or(rest, |(_, host)| host);
        format!("{scheme}://{user}@{rest}")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Ok(mut client) = ::postgres::Client::connect(&self.admin, ::postgres::NoTls) else {
            return;
        };
        let _ = client.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
        for role in &self.roles {
            let _ = client.batch_execute(&format!("DROP ROLE IF EXISTS \"{role}\""));
        }
    }
}

/// `url` with its path (the database name) replaced.
fn with_path(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (authority, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let query = tail.find('?').map_or("", |i| &tail[i..]);
    format!("{scheme}://{authority}/{name}{query}")
}

/// Runs `f` on a new GeoPackage and on a new database and checks that both give the same.
fn on_both<T: PartialEq + Debug>(f: impl Fn(&mut dyn Backend) -> T) -> Option<T> {
    let db = TestDb::new()?;
    let (_dir, mut gpkg) = new_store();
    let mut pg = Postgres::create(&db.url, false).expect("creates the database store");
    let from_gpkg = f(&mut gpkg);
    let from_pg = f(&mut pg);
    assert_eq!(
        from_pg, from_gpkg,
        "postgres (left) and geopackage (right) differ"
    );
    Some(from_pg)
}

/// An outcome as text: the value's debug form or the error's message.
fn shown<T: Debug>(result: Result<T, StoreError>) -> String {
    match result {
        Ok(v) => format!("ok {v:?}"),
        Err(e) => format!("error {e}"),
    }
}

/// The audit log without times and hashes (times differ between two runs); the chain is
/// checked by `verify_audit`.
fn audit_view(store: &dyn Backend) -> Vec<String> {
    store
        .audit_entries(0, 10_000)
        .expect("reads the log")
        .into_iter()
        .map(|e: AuditEntry| {
            format!(
                "{} {} {} {} {} {:?} {:?}",
                e.seq, e.actor, e.action, e.entity, e.entity_id, e.before, e.after
            )
        })
        .collect()
}

/// Records of a kind as a list shows them, stamps reduced to their versions and authors.
fn listed(store: &dyn Backend, kind: RecordKind, query: &ListQuery) -> String {
    shown(store.list_records(kind, query).map(|page| {
        let records: Vec<_> = page
            .records
            .into_iter()
            .map(|v| (v.record, v.stamp.version, v.stamp.updated_by))
            .collect();
        (records, page.next_after)
    }))
}

#[test]
fn records_are_created_updated_and_deleted_as_in_the_geopackage() {
    on_both(|store| {
        let mut out = Vec::new();
        let dataset = small_dataset();
        out.push(shown(store.insert(&dataset)));
        out.push(shown(store.insert(&dataset)));
        let mut person = dataset.people[0].clone();
        person.name = "Olena K.".to_string();
        let record = Record::Person(person.clone());
        out.push(shown(store.update_record(&record, 1, "editor")));
        out.push(shown(store.update_record(&record, 1, "editor")));
        person.organisation_id = Uuid::nil();
        out.push(shown(store.update_record(
            &Record::Person(person),
            2,
            "editor",
        )));
        let org = id(RecordKind::Organisation, 2);
        out.push(shown(store.delete_record(
            RecordKind::Organisation,
            org,
            1,
            "editor",
        )));
        let mut road = dataset.assets[1].clone();
        road.restored = true;
        out.push(shown(store.update_record(
            &Record::Asset(road),
            1,
            "editor",
        )));
        let mut area = dataset.hazard_areas[0].clone();
        area.version += 1;
        area.evidence = "resurveyed".to_string();
        let area_record = Record::HazardArea(area.clone());
        out.push(shown(store.update_record(&area_record, 1, "editor")));
        out.push(shown(store.update_record(&area_record, 1, "editor")));
        let h1 = area.id;
        out.push(shown(store.delete_record(
            RecordKind::HazardArea,
            h1,
            2,
            "editor",
        )));
        out.push(shown(store.hazard_area_history(h1)));
        let mut new_area = crate::fixture::hazard(
            9,
            crate::fixture::area(&[vec![crate::fixture::square(36.0, 50.0, 0.01)]]),
        );
        new_area.restricted = true;
        let new_id = new_area.id;
        out.push(shown(
            store.create_record(&Record::HazardArea(new_area.clone()), "editor"),
        ));
        out.push(shown(
            store.create_record(&Record::HazardArea(new_area), "editor"),
        ));
        out.push(shown(store.delete_record(
            RecordKind::HazardArea,
            new_id,
            2,
            "editor",
        )));
        out.push(shown(store.delete_record(
            RecordKind::HazardArea,
            new_id,
            1,
            "editor",
        )));
        out.push(shown(store.delete_record(
            RecordKind::HazardArea,
            new_id,
            1,
            "editor",
        )));
        out.push(shown(store.load()));
        out.push(shown(store.counts()));
        let query = ListQuery {
            limit: 2,
            ..ListQuery::default()
        };
        for kind in [
            RecordKind::Region,
            RecordKind::Organisation,
            RecordKind::Person,
            RecordKind::Contract,
            RecordKind::Team,
            RecordKind::Crew,
            RecordKind::Settlement,
            RecordKind::HazardArea,
            RecordKind::Asset,
        ] {
            out.push(listed(store, kind, &query));
            let all = ListQuery {
                limit: 100,
                include_restricted: true,
                ..ListQuery::default()
            };
            out.push(listed(store, kind, &all));
        }
        let boxed = ListQuery {
            limit: 100,
            bbox: Some(bonifica_store::BBox::new(36.2, 50.2, 36.35, 50.35)),
            include_restricted: true,
            after_code: Some("A".to_string()),
            ..ListQuery::default()
        };
        out.push(listed(store, RecordKind::Asset, &boxed));
        out.push(listed(store, RecordKind::HazardArea, &boxed));
        let box_ = bonifica_store::BBox::new(36.0, 50.0, 36.25, 50.3);
        out.push(shown(store.hazard_areas_in_bbox(box_)));
        out.push(shown(store.assets_in_bbox(box_)));
        out.push(shown(
            store
                .record(RecordKind::Person, dataset.people[0].id)
                .map(|v| v.map(|v| (v.record, v.stamp.version, v.stamp.updated_by))),
        ));
        let mut versions: Vec<_> = store
            .stamps(RecordKind::Asset)
            .expect("reads")
            .into_iter()
            .map(|(id, s)| (id, s.version, s.updated_by))
            .collect();
        versions.sort();
        out.push(format!("{versions:?}"));
        out.push(shown(store.verify_audit().map(|c| c.entries)));
        let seqs = |entries: Vec<AuditEntry>| entries.iter().map(|e| e.seq).collect::<Vec<_>>();
        let mut edits = |e: &AuditEntry| e.actor == "editor";
        out.push(shown(store.audit_entries_kept(1, 2, &mut edits).map(seqs)));
        out.push(shown(store.audit_last_kept(3, &mut edits).map(seqs)));
        out.push(shown(store.audit_head_seq()));
        out.extend(audit_view(store));
        out
    });
}

#[test]
fn reports_are_filed_once_and_committed_as_in_the_geopackage() {
    on_both(|store| {
        let mut out = Vec::new();
        let dataset = small_dataset();
        store.insert(&dataset).expect("inserts");
        let first = report(5, &dataset.hazard_areas[2]);
        let filed = transition("file", "draft", "draft", "leader", "team_leader");
        out.push(shown(store.insert_report(&first, Some(&filed))));
        let mut again = report(2, &dataset.hazard_areas[0]);
        again.client_id = first.client_id.clone();
        out.push(shown(store.insert_report(&again, None)));
        let mut bad = report(3, &dataset.hazard_areas[0]);
        bad.body = "not json".to_string();
        out.push(shown(store.insert_report(&bad, None)));
        bad.body = "{}".to_string();
        bad.asset_id = Some(Uuid::nil());
        out.push(shown(store.insert_report(&bad, None)));
        let secret = report(4, &dataset.hazard_areas[1]);
        out.push(shown(store.insert_report(&secret, None)));
        let mut edited = first.clone();
        edited.version = 2;
        edited.body = r#"{"hours": 8}"#.to_string();
        out.push(shown(store.update_report(&edited, 1, "leader")));
        out.push(shown(store.update_report(&edited, 1, "leader")));
        let verified = verified_report(store, &dataset);
        let change = approval(&verified, &dataset);
        let mut stale = change.clone();
        stale.hazard_areas[0].1 = 7;
        out.push(shown(store.commit(&stale)));
        out.push(shown(store.commit(&change)));
        out.push(shown(store.commit(&change)));
        let mut reopened = change.report.clone();
        reopened.version += 1;
        out.push(shown(store.update_report(
            &reopened,
            change.report.version,
            "x",
        )));
        let h1 = dataset.hazard_areas[0].id;
        out.push(shown(store.delete_record(
            RecordKind::HazardArea,
            h1,
            2,
            "editor",
        )));
        let h3 = dataset.hazard_areas[2].id;
        out.push(shown(store.delete_record(
            RecordKind::HazardArea,
            h3,
            1,
            "editor",
        )));
        out.push(shown(store.released_land(h1)));
        out.push(shown(store.hazard_area_history(h1)));
        out.push(shown(store.report_transitions(verified.id)));
        out.push(shown(store.report(verified.id)));
        out.push(shown(store.report_by_client_id(&first.client_id)));
        out.push(shown(store.load()));
        let queries = [
            ReportQuery::default(),
            ReportQuery {
                include_restricted: true,
                ..ReportQuery::default()
            },
            ReportQuery {
                include_restricted: true,
                only_restricted: true,
                ..ReportQuery::default()
            },
            ReportQuery {
                state: Some("approved".to_string()),
                ..ReportQuery::default()
            },
            ReportQuery {
                hazard_area_id: Some(h3),
                unit_id: Some(id(RecordKind::Team, 1)),
                ..ReportQuery::default()
            },
            ReportQuery {
                include_restricted: true,
                limit: Some(1),
                offset: 1,
                ..ReportQuery::default()
            },
            ReportQuery {
                include_restricted: true,
                after_report: Some(verified.id),
                ..ReportQuery::default()
            },
            ReportQuery {
                after_report: Some(Uuid::nil()),
                ..ReportQuery::default()
            },
        ];
        for q in &queries {
            out.push(shown(store.reports(q)));
            out.push(shown(store.count_reports(q)));
        }
        out.push(shown(store.verify_audit().map(|c| c.entries)));
        out.extend(audit_view(store));
        out
    });
}

#[test]
fn accounts_are_kept_as_in_the_geopackage() {
    on_both(|store| {
        let mut out = Vec::new();
        let new = |name: &str| NewUser {
            username: name.to_string(),
            password_hash: "$argon2id$hash".to_string(),
            role: "viewer".to_string(),
            organisation_id: Some(id(RecordKind::Organisation, 1)),
            team_id: None,
        };
        let zed = store.add_user(&new("zed")).expect("adds");
        let ann = store.add_user(&new("ann")).expect("adds");
        out.push(shown(store.add_user(&new("zed")).map(|u| u.username)));
        let names = |store: &dyn Backend| {
            store
                .users()
                .expect("lists")
                .into_iter()
                .map(|u| (u.username, u.role, u.organisation_id, u.team_id))
                .collect::<Vec<_>>()
        };
        out.push(format!("{:?}", names(store)));
        out.push(format!(
            "{:?}",
            store
                .user_by_name("ann")
                .expect("reads")
                .map(|u| u.id == ann.id)
        ));
        out.push(format!(
            "{:?}",
            store.user(zed.id).expect("reads").map(|u| u.username)
        ));
        out.push(format!("{:?}", store.user(Uuid::nil()).expect("reads")));
        let session = |hash: &str, expires: &str| Session {
            token_hash: hash.to_string(),
            user_id: ann.id,
            csrf_token: "csrf".to_string(),
            expires_at: expires.to_string(),
        };
        store
            .create_session(&session("old", "2000-01-01T00:00:00.000Z"))
            .expect("creates");
        store
            .create_session(&session("new", "2999-01-01T00:00:00.000Z"))
            .expect("creates");
        let user_of = |s: Option<Session>| s.map(|s| (s.user_id == ann.id, s.expires_at));
        out.push(format!(
            "{:?}",
            user_of(store.session("old").expect("reads"))
        ));
        out.push(format!(
            "{:?}",
            user_of(store.session("new").expect("reads"))
        ));
        store.delete_session("new").expect("deletes");
        store.delete_session("unknown").expect("deletes nothing");
        out.push(format!(
            "{:?}",
            user_of(store.session("new").expect("reads"))
        ));
        let mut ids = Vec::new();
        for name in ["laptop", "phone"] {
            let token = store
                .create_api_token(&NewApiToken {
                    token_hash: format!("hash-{name}"),
                    user_id: zed.id,
                    name: name.to_string(),
                    expires_at: "2999-01-01T00:00:00.000Z".to_string(),
                })
                .expect("creates");
            ids.push(token.id);
        }
        let tokens = |store: &dyn Backend| {
            store
                .api_tokens(zed.id)
                .expect("lists")
                .into_iter()
                .map(|t| (t.name, t.token_hash, t.expires_at))
                .collect::<Vec<_>>()
        };
        out.push(format!("{:?}", tokens(store)));
        out.push(format!(
            "{:?}",
            store
                .api_token("hash-phone")
                .expect("reads")
                .map(|t| t.id == ids[1])
        ));
        out.push(format!(
            "{:?}",
            store
                .revoke_api_token(ids[0])
                .expect("revokes")
                .map(|t| t.name)
        ));
        out.push(format!(
            "{:?}",
            store.revoke_api_token(ids[0]).expect("revokes")
        ));
        out.push(format!(
            "{:?}",
            store.api_token_by_id(ids[0]).expect("reads")
        ));
        out.push(format!("{:?}", tokens(store)));
        out
    });
}

#[test]
fn plans_are_saved_replaced_and_listed_as_in_the_geopackage() {
    let (dataset, plan, forecast) = crate::plans::planned();
    on_both(|store| {
        let mut out = Vec::new();
        out.push(shown(store.insert(&dataset).map(|r| r.added)));
        let created = "2027-03-01T00:00:00.000Z";
        store
            .save_plan(&dataset, &plan, Some(&forecast), created, SYSTEM_ACTOR)
            .expect("saves");
        store
            .save_plan(&dataset, &plan, None, "2027-03-02T00:00:00.000Z", "planner")
            .expect("replaces");
        let plans = store.plans().expect("lists");
        out.push(format!(
            "{:?}",
            plans
                .iter()
                .map(|p| (
                    &p.name,
                    &p.created,
                    p.start_date,
                    p.objective,
                    p.programme_end
                ))
                .collect::<Vec<_>>()
        ));
        out.push(shown(store.plan_json(&plan.name)));
        out.push(shown(store.plan_json("no such plan")));
        out.push(shown(store.verify_audit().map(|c| c.entries)));
        out.extend(
            audit_view(store)
                .into_iter()
                .map(|e| e.split(' ').take(4).collect::<Vec<_>>().join(" ")),
        );
        out
    });
}

#[test]
fn the_synthetic_region_round_trips_and_reopens() {
    let Some(db) = TestDb::new() else { return };
    let (dataset, _, _) = crate::plans::planned();
    let mut store = Postgres::create(&db.url, false).expect("creates");
    assert_eq!(store.kind(), "postgresql");
    assert_eq!(store.folder(), None);
    assert_eq!(
        store.schema_version().expect("reads"),
        bonifica_store::SCHEMA_VERSION
    );
    let added = store.insert(&dataset).expect("inserts").added;
    assert_eq!(added.get("hazard_areas"), dataset.hazard_areas.len() as u64);
    assert_eq!(store.load().expect("loads"), dataset);
    drop(store);
    let store = bonifica_store::open(&db.url).expect("reopens through open()");
    assert_eq!(store.load().expect("loads"), dataset);
    let region = dataset.regions[0].id;
    assert_eq!(store.load_region(region).expect("loads"), dataset);
    assert!(matches!(
        store.load_region(Uuid::nil()),
        Err(StoreError::NotFound { kind: "region", .. })
    ));
    assert_eq!(store.verify_audit().expect("holds").entries, 1);
}

#[test]
fn create_refuses_a_register_unless_overwriting_and_open_refuses_other_databases() {
    let Some(db) = TestDb::new() else { return };
    let mut store = Postgres::create(&db.url, false).expect("creates");
    store.insert(&small_dataset()).expect("inserts");
    drop(store);
    let refused = Postgres::create(&db.url, false).expect_err("refuses");
    assert!(matches!(refused, StoreError::Database { .. }), "{refused}");
    let store = Postgres::create(&db.url, true).expect("overwrites");
    assert_eq!(store.counts().expect("counts").total(), 0);
    assert_eq!(store.audit_head_seq().expect("reads"), 0);
    drop(store);

    let Some(other) = TestDb::new() else { return };
    let mut client = ::postgres::Client::connect(&other.url, ::postgres::NoTls).expect("connects");
    client
        .batch_execute("CREATE TABLE customers (id integer)")
        .expect("creates a foreign table");
    let refused = Postgres::open(&other.url).expect_err("refuses");
    assert!(
        matches!(&refused, StoreError::Database { problem, .. } if problem.contains("customers")),
        "{refused}"
    );
    let mut store = Postgres::open(&db.url).expect("opens");
    store.insert(&small_dataset()).expect("inserts");
    drop(store);
    let mut admin = ::postgres::Client::connect(&db.url, ::postgres::NoTls).expect("connects");
    admin
        .batch_execute(
            "INSERT INTO bonifica_migrations VALUES (99, 'from the future', '2099-01-01')",
        )
        .expect("writes");
    let refused = Postgres::open(&db.url).expect_err("refuses");
    assert!(
        matches!(refused, StoreError::SchemaTooNew { found: 99, .. }),
        "{refused}"
    );
}

#[test]
fn a_password_never_shows_in_the_location() {
    let Some(db) = TestDb::new() else { return };
    let url = db.url.replacen("://bonifica@", "://bonifica:secret@", 1);
    let Ok(store) = Postgres::open(&url) else {
        return; // the server's user is not `bonifica`: nothing to show
    };
    assert!(!store.location().contains("secret"), "{}", store.location());
}

/// The small region with a restricted report, an approval that releases land, and a plan.
fn busy_store(url: &str) -> (Postgres, Dataset) {
    let mut store = Postgres::create(url, false).expect("creates");
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let verified = verified_report(&mut store, &dataset);
    store
        .commit(&approval(&verified, &dataset))
        .expect("approves");
    let secret = report(4, &dataset.hazard_areas[1]);
    assert!(secret.restricted);
    store.insert_report(&secret, None).expect("files");
    let submitted = step(&secret, "submit", "submitted", "leader", "team_leader");
    store.commit(&submitted).expect("submits");
    let mut replaced = dataset.hazard_areas[1].clone();
    replaced.version += 1;
    store
        .replace_hazard_area(&replaced, 1)
        .expect("keeps the restricted area's history");
    (store, dataset)
}

#[test]
fn an_export_imported_into_another_database_is_the_same_register() {
    let Some(db) = TestDb::new() else { return };
    let Some(copy) = TestDb::new() else { return };
    let (store, _) = busy_store(&db.url);
    let mut store = store;
    store
        .add_user(&NewUser {
            username: "ann".to_string(),
            password_hash: "h".to_string(),
            role: "coordinator".to_string(),
            organisation_id: None,
            team_id: None,
        })
        .expect("adds");
    let dumps = store.export().expect("exports");
    let names: Vec<&str> = dumps.iter().map(|d| d.name.as_str()).collect();
    assert!(!names.contains(&"bonifica_sessions"));
    assert_eq!(names.first(), Some(&"regions"));
    assert_eq!(names.last(), Some(&"audit_head"));
    let table =
        |name: &str| -> &TableDump { dumps.iter().find(|d| d.name == name).expect("dumped") };
    assert_eq!(
        &table("hazard_areas").columns[..4],
        ["fid", "geom", "id", "code"]
    );
    assert!(matches!(
        table("hazard_areas").rows[0][1],
        Value::Geometry(_)
    ));
    assert!(matches!(
        table("hazard_area_versions").rows[0].last(),
        Some(Value::Geometry(_))
    ));
    assert!(!table("reports").columns.contains(&"rowid".to_string()));

    let mut target = Postgres::create(&copy.url, false).expect("creates");
    target.import(&dumps).expect("imports");
    assert_eq!(target.export().expect("exports"), dumps);
    assert_eq!(target.load().expect("loads"), store.load().expect("loads"));
    assert_eq!(
        target.verify_audit().expect("holds"),
        store.verify_audit().expect("holds")
    );
    let everything = ReportQuery {
        include_restricted: true,
        ..ReportQuery::default()
    };
    assert_eq!(
        target.reports(&everything).expect("lists"),
        store.reports(&everything).expect("lists")
    );
    // New rows after an import take fids past the imported ones.
    let mut more = crate::fixture::hazard(
        8,
        crate::fixture::area(&[vec![crate::fixture::square(36.0, 50.0, 0.01)]]),
    );
    more.restricted = false;
    target
        .create_record(&Record::HazardArea(more), "editor")
        .expect("creates after the import");
    target.verify_audit().expect("the chain goes on");

    // A register that is not empty is refused, and nothing is written.
    let before = target.export().expect("exports");
    let refused = target.import(&dumps).expect_err("refuses");
    assert!(matches!(refused, StoreError::Database { .. }), "{refused}");
    assert_eq!(target.export().expect("exports"), before);
}

#[test]
fn an_import_takes_sqlite_booleans_and_refuses_unknown_tables() {
    let Some(db) = TestDb::new() else { return };
    let Some(copy) = TestDb::new() else { return };
    let mut store = Postgres::create(&db.url, false).expect("creates");
    store.insert(&small_dataset()).expect("inserts");
    let mut dumps = store.export().expect("exports");
    for dump in &mut dumps {
        for row in &mut dump.rows {
            for value in row.iter_mut() {
                if let Value::Boolean(b) = value {
                    *value = Value::Integer(i64::from(*b));
                }
            }
        }
    }
    let mut target = Postgres::create(&copy.url, false).expect("creates");
    let mut unknown = dumps.clone();
    unknown.push(TableDump {
        name: "gpkg_contents".to_string(),
        columns: vec![],
        rows: vec![],
    });
    let refused = target.import(&unknown).expect_err("refuses");
    assert!(matches!(refused, StoreError::Database { .. }), "{refused}");
    assert_eq!(target.counts().expect("counts").total(), 0);
    target.import(&dumps).expect("imports");
    assert_eq!(target.load().expect("loads"), store.load().expect("loads"));
}

#[test]
fn the_gis_role_reads_nothing_restricted_and_no_accounts() {
    let Some(mut db) = TestDb::new() else { return };
    let role = format!("gis_{}", &Uuid::new_v4().simple().to_string()[..12]);
    db.roles.push(role.clone());
    let (mut store, _) = busy_store(&db.url);
    store
        .add_user(&NewUser {
            username: "ann".to_string(),
            password_hash: "h".to_string(),
            role: "viewer".to_string(),
            organisation_id: None,
            team_id: None,
        })
        .expect("adds");
    let dataset = small_dataset();
    let planner = Planner::new(&dataset, &PlannerConfig::default(), date(2026, 3, 2))
        .expect("plans the small region");
    let limits = Limits {
        time_budget: None,
        max_iterations: Some(1),
        ..Limits::default()
    };
    let (plan, _) = planner.plan(&limits, &|_| {});
    store
        .save_plan(&dataset, &plan, None, "2027-03-01T00:00:00.000Z", "planner")
        .expect("saves");
    store.grant_gis(&role).expect("grants");
    store
        .grant_gis(&role)
        .expect("granting again changes nothing");

    let mut gis = ::postgres::Client::connect(&db.url_as(&role), ::postgres::NoTls)
        .expect("connects as the gis role");
    let count = |gis: &mut ::postgres::Client, sql: &str| -> i64 {
        gis.query_one(sql, &[])
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .get(0)
    };
    // Restricted rows, seen from the GIS role.
    let hidden = [
        "SELECT COUNT(*) FROM hazard_areas WHERE restricted",
        "SELECT COUNT(*) FROM assets WHERE restricted OR kind = 'military_structure'",
        "SELECT COUNT(*) FROM hazard_area_versions WHERE restricted",
        "SELECT COUNT(*) FROM reports WHERE restricted",
        "SELECT COUNT(*) FROM plan_assets WHERE restricted OR kind = 'military_structure'",
    ];
    for sql in hidden {
        assert_eq!(count(&mut gis, sql), 0, "{sql}");
    }
    // What refers to restricted records (hazard area 2, asset 5).
    let h2 = id(RecordKind::HazardArea, 2).to_string();
    let a5 = id(RecordKind::Asset, 5).to_string();
    let about = [
        format!("SELECT COUNT(*) FROM hazard_area_versions WHERE hazard_area_id = '{h2}'"),
        format!("SELECT COUNT(*) FROM released_land WHERE hazard_area_id = '{h2}'"),
        format!("SELECT COUNT(*) FROM reports WHERE hazard_area_id = '{h2}'"),
        format!(
            "SELECT COUNT(*) FROM report_transitions t JOIN reports r ON r.id = t.report_id \
             WHERE r.hazard_area_id = '{h2}'"
        ),
        format!(
            "SELECT COUNT(*) FROM report_transitions WHERE report_id = '{}'",
            report(4, &dataset.hazard_areas[1]).id
        ),
        format!("SELECT COUNT(*) FROM plan_hazard_areas WHERE hazard_area_id = '{h2}'"),
        format!("SELECT COUNT(*) FROM plan_assets WHERE asset_id = '{a5}'"),
        format!(
            "SELECT COUNT(*) FROM asset_dependencies WHERE asset_id = '{a5}' \
             OR depends_on_id = '{a5}'"
        ),
        format!("SELECT COUNT(*) FROM asset_repair_work WHERE asset_id = '{a5}'"),
        format!(
            "SELECT COUNT(*) FROM plan_tasks WHERE code IN ('{}', '{}')",
            dataset.hazard_areas[1].code, dataset.assets[4].code
        ),
    ];
    for sql in &about {
        assert_eq!(count(&mut gis, sql), 0, "{sql}");
    }
    // The rest is there.
    assert_eq!(count(&mut gis, "SELECT COUNT(*) FROM hazard_areas"), 2);
    assert_eq!(count(&mut gis, "SELECT COUNT(*) FROM assets"), 4);
    assert_eq!(count(&mut gis, "SELECT COUNT(*) FROM regions"), 1);
    assert_eq!(count(&mut gis, "SELECT COUNT(*) FROM people"), 4);
    assert_eq!(count(&mut gis, "SELECT COUNT(*) FROM released_land"), 1);
    assert_eq!(count(&mut gis, "SELECT COUNT(*) FROM reports"), 1);
    assert!(count(&mut gis, "SELECT COUNT(*) FROM plan_hazard_areas") > 0);
    assert_eq!(
        count(
            &mut gis,
            "SELECT COUNT(*) FROM geometry_columns WHERE f_table_name IN \
             ('regions', 'settlements', 'rivers', 'hazard_areas', 'assets', 'released_land', \
              'plan_hazard_areas', 'plan_assets')"
        ),
        8
    );
    assert_eq!(count(&mut gis, "SELECT COUNT(*) FROM plans"), 1);
    // The owner still sees everything.
    assert_eq!(store.counts().expect("counts").get("hazard_areas"), 3);
    assert_eq!(
        store
            .reports(&ReportQuery {
                include_restricted: true,
                ..ReportQuery::default()
            })
            .expect("lists")
            .len(),
        2
    );
    // Accounts, the audit log and whole plans are refused.
    for sql in [
        "SELECT COUNT(*) FROM bonifica_users",
        "SELECT COUNT(*) FROM bonifica_sessions",
        "SELECT COUNT(*) FROM bonifica_api_tokens",
        "SELECT COUNT(*) FROM audit_log",
        "SELECT COUNT(*) FROM audit_head",
        "SELECT plan FROM plans",
    ] {
        let refused = gis.query(sql, &[]).expect_err(sql);
        assert_eq!(
            refused.code(),
            Some(&::postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
            "{sql}: {refused}"
        );
    }
    // Read only.
    let refused = gis
        .execute("DELETE FROM regions", &[])
        .expect_err("cannot write");
    assert_eq!(
        refused.code(),
        Some(&::postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
    );
    drop(gis);
    assert!(store.grant_gis("Robert'); DROP TABLE regions;--").is_err());
}

#[test]
fn two_servers_writing_at_once_keep_one_chain() {
    let Some(db) = TestDb::new() else { return };
    let mut first = Postgres::create(&db.url, false).expect("creates");
    let dataset = small_dataset();
    first.insert(&dataset).expect("inserts");
    drop(first);
    let writers = 4;
    let barrier = Arc::new(Barrier::new(writers));
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let url = db.url.clone();
            let barrier = Arc::clone(&barrier);
            let area = dataset.hazard_areas[0].clone();
            std::thread::spawn(move || {
                let mut store = Postgres::open(&url).expect("opens");
                barrier.wait();
                let mut filed = 0;
                for n in 0..5_u128 {
                    // Every writer sends the same client ids: one report each.
                    let row = report(100 + n, &area);
                    let mut mine = row.clone();
                    mine.id = Uuid::from_u128(0xabc0_0000 + (w as u128) * 100 + n);
                    if let Inserted::New(_) = store.insert_report(&mine, None).expect("files") {
                        filed += 1;
                    }
                }
                filed
            })
        })
        .collect();
    let filed: usize = threads
        .into_iter()
        .map(|t| t.join().expect("writer finishes"))
        .sum();
    assert_eq!(filed, 5, "one report per client id");
    let store = Postgres::open(&db.url).expect("opens");
    let check = store.verify_audit().expect("one chain");
    assert_eq!(check.entries, 6);
    let seqs: Vec<u64> = store
        .audit_entries(0, 100)
        .expect("reads")
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, (1..=6).collect::<Vec<_>>());
}

#[test]
fn a_failed_commit_leaves_the_database_as_it_was() {
    let Some(db) = TestDb::new() else { return };
    let mut store = Postgres::create(&db.url, false).expect("creates");
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let verified = verified_report(&mut store, &dataset);
    let before = store.export().expect("exports");
    let mut change = approval(&verified, &dataset);
    // The last change refers to an asset that is not stored: everything before it undone.
    change.assets[0].0.id = Uuid::nil();
    let refused = store.commit(&change).expect_err("refuses");
    assert!(!matches!(refused, StoreError::Postgres { .. }), "{refused}");
    assert_eq!(store.export().expect("exports"), before);
    store
        .commit(&approval(&verified, &dataset))
        .expect("then approves");
    assert_eq!(store.verify_audit().expect("holds").entries, 8);
}

/// GDAL's connection string for a test database URL, as `user` (GDAL 3.6 cannot take the
/// URL itself: it appends its application name to the database name).
fn gdal_source(url: &str, user: &str) -> String {
    let (_, rest) = url.split_once("://").expect("a URL");
    let rest = rest.split_once('@').map_or(rest, |(_, host)| host);
    let (host, path) = rest.split_once('/').expect("a database name");
    let dbname = path.split('?').next().unwrap_or(path);
    let mut decoded = Vec::new();
    let bytes = host.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
            decoded.push(u8::from_str_radix(hex, 16).expect("percent-encoded byte"));
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    let host = String::from_utf8(decoded).expect("utf-8 host");
    let host = host.split(':').next().unwrap_or(&host).to_string();
    format!("PG:dbname={dbname} host={host} user={user}")
}

/// The layers `ogrinfo` lists, with their feature counts.
fn ogr_layers(source: &str) -> std::collections::BTreeMap<String, u64> {
    let out = crate::gdal::run("ogrinfo", &["-ro", "-so", "-al", source]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut layers = std::collections::BTreeMap::new();
    let mut name = None;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("Layer name: ") {
            name = Some(n.trim().to_string());
        } else if let (Some(n), Some(count)) = (&name, line.strip_prefix("Feature Count: ")) {
            layers.insert(n.clone(), count.trim().parse().expect("a count"));
        }
    }
    layers
}

#[test]
fn ogrinfo_lists_the_feature_layers_and_the_gis_role_sees_fewer_features() {
    let Some(mut db) = TestDb::new() else { return };
    let role = format!("gis_{}", &Uuid::new_v4().simple().to_string()[..12]);
    db.roles.push(role.clone());
    let (mut store, _) = busy_store(&db.url);
    store.grant_gis(&role).expect("grants");
    let owner = db
        .url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .map_or("bonifica", |(user, _)| user)
        .to_string();
    let counts = |layers: &[(&str, u64)]| -> std::collections::BTreeMap<String, u64> {
        layers.iter().map(|(n, c)| (n.to_string(), *c)).collect()
    };
    assert_eq!(
        ogr_layers(&gdal_source(&db.url, &owner)),
        counts(&[
            ("assets", 5),
            ("hazard_areas", 3),
            ("plan_assets", 0),
            ("plan_hazard_areas", 0),
            ("regions", 1),
            ("released_land", 1),
            ("rivers", 1),
            ("settlements", 2),
        ])
    );
    assert_eq!(
        ogr_layers(&gdal_source(&db.url, &role)),
        counts(&[
            ("assets", 4),
            ("hazard_areas", 2),
            ("plan_assets", 0),
            ("plan_hazard_areas", 0),
            ("regions", 1),
            ("released_land", 1),
            ("rivers", 1),
            ("settlements", 2),
        ])
    );
}

#[test]
fn every_table_has_the_geopackage_columns_in_the_geopackage_order() {
    let Some(db) = TestDb::new() else { return };
    let (_dir, gpkg) = new_store();
    let pg = Postgres::create(&db.url, false).expect("creates");
    let sqlite = rusqlite::Connection::open(gpkg.path()).expect("opens the file");
    let mut client = ::postgres::Client::connect(&db.url, ::postgres::NoTls).expect("connects");
    let dumps = pg.export().expect("exports");
    let mut tables: Vec<String> = dumps.iter().map(|d| d.name.clone()).collect();
    tables.push("bonifica_sessions".to_string());
    tables.push("bonifica_migrations".to_string());
    for table in &tables {
        let mut stmt = sqlite
            .prepare(&format!(
                "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
            ))
            .expect("prepares");
        let in_gpkg: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .expect("reads")
            .collect::<Result<_, _>>()
            .expect("reads");
        let in_pg: Vec<String> = client
            .query(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name = $1 AND column_name <> 'rowid' \
                 ORDER BY ordinal_position",
                &[table],
            )
            .expect("reads")
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert!(!in_pg.is_empty(), "{table}");
        assert_eq!(in_pg, in_gpkg, "{table}");
    }
    let exported: Vec<Vec<String>> = dumps.iter().map(|d| d.columns.clone()).collect();
    assert!(exported.iter().all(|c| !c.contains(&"rowid".to_string())));
}

#[test]
fn a_geopackage_copied_to_postgresql_and_back_is_the_same_register() {
    let Some(db) = TestDb::new() else { return };
    let dir = tempfile::tempdir().expect("temporary directory");
    let (source, _) = crate::transfer::write_store(&dir.path().join("source.gpkg"));
    let first = source.export().expect("exports the file");

    let mut pg = Postgres::create(&db.url, false).expect("creates the database store");
    pg.import(&first).expect("imports into the database");
    let middle = pg.export().expect("exports the database");
    assert_eq!(
        same_form(&middle),
        same_form(&first),
        "the database holds what the file held"
    );

    let back_path = dir.path().join("back.gpkg");
    let mut back = GeoPackage::create(&back_path).expect("creates");
    back.import(&middle).expect("imports into the file");
    assert_eq!(
        same_form(&back.export().expect("exports the copy")),
        same_form(&first)
    );

    // The same register, history and reports, and the same chain with the same head.
    let chain = source.verify_audit().expect("the source's chain holds");
    assert!(chain.entries > 5, "{chain:?}");
    assert_eq!(
        pg.verify_audit().expect("the database's chain holds"),
        chain
    );
    assert_eq!(back.verify_audit().expect("the copy's chain holds"), chain);
    let data = source.load().expect("loads");
    assert_eq!(pg.load().expect("loads"), data);
    assert_eq!(back.load().expect("loads"), data);
    let all = crate::transfer::everything();
    assert_eq!(
        back.reports(&all).expect("lists"),
        source.reports(&all).expect("lists")
    );
    let mut histories = 0;
    for area in &data.hazard_areas {
        let history = source.hazard_area_history(area.id).expect("reads");
        histories += history.len();
        assert_eq!(pg.hazard_area_history(area.id).expect("reads"), history);
        assert_eq!(back.hazard_area_history(area.id).expect("reads"), history);
    }
    assert!(histories > 0, "the source has history to copy");
    drop(back);

    // GDAL's validator accepts the file that came back ...
    let file = back_path.to_str().expect("utf-8 path");
    let valid = crate::gdal::run(
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
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&valid.stdout),
        String::from_utf8_lossy(&valid.stderr)
    );
    assert!(valid.status.success() && said.trim().is_empty(), "{said}");

    // ... and ogrinfo lists the database's layers with as many features as the file has.
    let owner = db
        .url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .map_or("bonifica", |(user, _)| user)
        .to_string();
    let layers = ogr_layers(&gdal_source(&db.url, &owner));
    for (layer, count) in &layers {
        let rows = first
            .iter()
            .find(|t| &t.name == layer)
            .unwrap_or_else(|| panic!("ogrinfo lists {layer}, which the file does not have"))
            .rows
            .len() as u64;
        assert_eq!(*count, rows, "{layer}");
    }
    for layer in [
        "hazard_areas",
        "assets",
        "released_land",
        "regions",
        "settlements",
    ] {
        assert!(
            layers.get(layer).is_some_and(|n| *n > 0),
            "{layer}: {layers:?}"
        );
    }
}

/// Dumps by table name, without the row numbers (`fid`) a backend gives its rows: the
/// form in which two backends' dumps of one register are equal.
fn same_form(dumps: &[TableDump]) -> std::collections::BTreeMap<String, TableDump> {
    dumps
        .iter()
        .map(|t| {
            let keep: Vec<usize> = (0..t.columns.len())
                .filter(|&i| t.columns[i] != "fid")
                .collect();
            let table = TableDump {
                name: t.name.clone(),
                columns: keep.iter().map(|&i| t.columns[i].clone()).collect(),
                rows: t
                    .rows
                    .iter()
                    .map(|r| keep.iter().map(|&i| r[i].clone()).collect())
                    .collect(),
            };
            (t.name.clone(), table)
        })
        .collect()
}

//! Field reports in the store: a client id makes one report however often it is sent, a
//! transition commits everything it changes or nothing, approved reports are final, and
//! the hazard area's earlier version is kept.

use bonifica_store::prelude::*;
use std::sync::{Arc, Barrier};

use bonifica_model::{Dataset, HazardStatus, RecordKind};
use bonifica_store::{GeoPackage, Inserted, ReportQuery, ReportRow, Store, StoreError};
use uuid::Uuid;

use crate::fixture::{
    approval, id, new_store, report, small_dataset, step, transition, verified_report,
};

fn all(store: &GeoPackage) -> Vec<ReportRow> {
    store
        .reports(&ReportQuery {
            include_restricted: true,
            ..ReportQuery::default()
        })
        .expect("lists")
}

/// Everything a commit may touch, to compare before and after a refused one.
#[derive(Debug, PartialEq)]
struct Snapshot {
    reports: Vec<ReportRow>,
    transitions: usize,
    released: usize,
    dataset: Dataset,
    history: usize,
    audit: Vec<bonifica_store::AuditEntry>,
}

fn snapshot(store: &GeoPackage, dataset: &Dataset) -> Snapshot {
    let area = dataset.hazard_areas[0].id;
    let reports = all(store);
    Snapshot {
        transitions: reports
            .iter()
            .map(|r| store.report_transitions(r.id).expect("reads").len())
            .sum(),
        reports,
        released: store.released_land(area).expect("reads").len(),
        dataset: store.load().expect("loads"),
        history: store.hazard_area_history(area).expect("reads").len(),
        audit: store.audit_entries(0, 1_000).expect("reads"),
    }
}

#[test]
fn the_same_client_id_twice_makes_one_report_and_returns_the_first() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let first = report(1, &dataset.hazard_areas[0]);
    let filed = transition("file", "draft", "draft", "leader", "team_leader");
    let inserted = store.insert_report(&first, Some(&filed)).expect("files");
    assert_eq!(inserted, Inserted::New(first.clone()));

    // Sent again from a phone that never saw the answer, with another id and body.
    let mut again = report(2, &dataset.hazard_areas[0]);
    again.client_id = first.client_id.clone();
    again.body = r#"{"cleared_m2": 1}"#.to_string();
    let replayed = store.insert_report(&again, Some(&filed)).expect("answers");
    assert_eq!(replayed, Inserted::Existing(first.clone()));

    assert_eq!(all(&store), vec![first.clone()]);
    assert_eq!(store.report(first.id).expect("reads"), Some(first.clone()));
    assert_eq!(store.report(again.id).expect("reads"), None);
    assert_eq!(
        store.report_by_client_id(&first.client_id).expect("reads"),
        Some(first.clone())
    );
    assert_eq!(store.report_transitions(first.id).expect("reads"), [filed]);
    let reports_audited = store
        .audit_entries(0, 100)
        .expect("reads")
        .iter()
        .filter(|e| e.entity == "report")
        .count();
    assert_eq!(reports_audited, 1);
}

#[test]
fn two_writers_sending_the_same_client_id_at_once_make_one_report() {
    let (dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    drop(store);
    let path = dir.path().join("register.gpkg");
    let barrier = Arc::new(Barrier::new(2));
    let writers: Vec<_> = (1..=2)
        .map(|n| {
            let (path, barrier) = (path.clone(), Arc::clone(&barrier));
            let mut row = report(n, &dataset.hazard_areas[0]);
            row.client_id = "same-phone-same-report".to_string();
            std::thread::spawn(move || {
                let mut store = GeoPackage::open(&path).expect("opens");
                barrier.wait();
                store.insert_report(&row, None).expect("answers")
            })
        })
        .collect();
    let results: Vec<Inserted> = writers
        .into_iter()
        .map(|w| w.join().expect("writer finished"))
        .collect();
    let new: Vec<&ReportRow> = results
        .iter()
        .filter_map(|r| match r {
            Inserted::New(row) => Some(row),
            Inserted::Existing(_) => None,
        })
        .collect();
    assert_eq!(new.len(), 1, "{results:?}");
    assert!(results.iter().all(|r| r.row() == new[0]), "{results:?}");
    let store = GeoPackage::open(&path).expect("opens");
    assert_eq!(all(&store), vec![new[0].clone()]);
    store.verify_audit().expect("the chain holds");
}

#[test]
fn an_approval_changes_the_picture_and_keeps_the_history() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let verified = verified_report(&mut store, &dataset);
    let change = approval(&verified, &dataset);
    store.commit(&change).expect("approves");

    let stored = store.report(verified.id).expect("reads").expect("stored");
    assert_eq!(stored, change.report);
    assert_eq!(stored.state, "approved");
    assert_eq!(stored.version, 4);
    let actions: Vec<String> = store
        .report_transitions(verified.id)
        .expect("reads")
        .into_iter()
        .map(|t| {
            format!(
                "{} {}->{} by {}",
                t.action, t.from_state, t.to_state, t.actor
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            "submit draft->submitted by leader",
            "verify submitted->verified by ops",
            "approve verified->approved by coordinator",
        ]
    );

    let area = &dataset.hazard_areas[0];
    let (after, _) = &change.hazard_areas[0];
    assert_eq!(
        store.hazard_area(area.id).expect("reads").as_ref(),
        Some(after)
    );
    assert_eq!(after.status(), HazardStatus::WorkedOn);
    let history = store.hazard_area_history(area.id).expect("reads");
    assert_eq!(history.len(), 1);
    assert_eq!(&history[0].area, area);
    let stamp = store
        .record(RecordKind::HazardArea, area.id)
        .expect("reads")
        .expect("stored")
        .stamp;
    assert_eq!(stamp.version, 2);
    assert_eq!(stamp.updated_by.as_deref(), Some("coordinator"));

    assert_eq!(
        store.released_land(area.id).expect("reads"),
        change.released
    );
    let road = store
        .asset(dataset.assets[1].id)
        .expect("reads")
        .expect("stored");
    assert!(road.restored);

    // One audit entry per change of the approval, after the filing and two transitions.
    let entries = store.audit_entries(0, 100).expect("reads");
    let tail: Vec<(&str, &str, &str)> = entries[entries.len() - 4..]
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str(), e.entity.as_str()))
        .collect();
    assert_eq!(
        tail,
        [
            ("coordinator", "approve", "report"),
            ("coordinator", "update", "hazard_area"),
            ("coordinator", "create", "released_land"),
            ("coordinator", "update", "asset"),
        ]
    );
    assert!(
        entries[entries.len() - 4..]
            .iter()
            .all(|e| e.at == change.at)
    );
    let hazard_entry = &entries[entries.len() - 3];
    assert!(
        hazard_entry
            .before
            .as_deref()
            .is_some_and(|b| b.contains("\"open\""))
    );
    assert!(
        hazard_entry
            .after
            .as_deref()
            .is_some_and(|a| a.contains("worked_on"))
    );
    store.verify_audit().expect("the chain holds");
}

#[test]
fn a_stale_hazard_area_version_leaves_everything_as_it_was() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let verified = verified_report(&mut store, &dataset);
    let mut change = approval(&verified, &dataset);
    // Someone edited the area since the coordinator looked: the stored version is 2.
    let mut edited = dataset.hazard_areas[0].clone();
    edited.evidence = "second interview: mines along the hedge".to_string();
    edited.version = 2;
    store.replace_hazard_area(&edited, 1).expect("edits");
    change.hazard_areas[0].1 = 1;
    change.hazard_areas[0].0.version = 2;
    let before = snapshot(&store, &dataset);

    let err = store.commit(&change).expect_err("stale");
    assert!(
        matches!(
            &err,
            StoreError::VersionConflict {
                kind: "hazard area",
                stored: 2,
                expected: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(snapshot(&store, &dataset), before);
    store.verify_audit().expect("the chain holds");
}

#[test]
fn a_failure_after_the_first_changes_undoes_them_too() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let verified = verified_report(&mut store, &dataset);
    let mut change = approval(&verified, &dataset);
    // The report and the hazard area are written before the released piece fails.
    change.released[0].hazard_area_id = Uuid::from_u128(404);
    let before = snapshot(&store, &dataset);

    let err = store.commit(&change).expect_err("refused");
    assert!(
        matches!(&err, StoreError::NotFound { kind: "hazard area", id } if *id == Uuid::from_u128(404)),
        "{err:?}"
    );
    assert_eq!(snapshot(&store, &dataset), before);
}

#[test]
fn a_stale_report_version_is_refused() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let verified = verified_report(&mut store, &dataset);
    let mut stale = verified.clone();
    stale.version = 2;
    let change = step(&stale, "reject", "rejected", "coordinator", "coordinator");
    let err = store.commit(&change).expect_err("stale");
    assert!(
        matches!(
            err,
            StoreError::VersionConflict {
                kind: "report",
                stored: 3,
                expected: 2,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn an_approved_report_is_final() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let verified = verified_report(&mut store, &dataset);
    let approved = approval(&verified, &dataset);
    store.commit(&approved).expect("approves");

    let mut edited = approved.report.clone();
    edited.body = r#"{"cleared_m2": 99999}"#.to_string();
    edited.version += 1;
    let err = store
        .update_report(&edited, approved.report.version, "coordinator")
        .expect_err("final");
    assert!(
        matches!(err, StoreError::ReportFinal { id } if id == verified.id),
        "{err:?}"
    );
    assert!(err.to_string().contains("is approved"), "{err}");

    let reject = step(
        &approved.report,
        "reject",
        "rejected",
        "liaison",
        "defence_liaison",
    );
    let err = store.commit(&reject).expect_err("final");
    assert!(matches!(err, StoreError::ReportFinal { .. }), "{err:?}");
    assert_eq!(
        store.report(verified.id).expect("reads"),
        Some(approved.report)
    );
}

#[test]
fn a_draft_is_edited_against_its_version_but_not_its_state() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let draft = report(1, &dataset.hazard_areas[0]);
    store.insert_report(&draft, None).expect("files");

    let mut edited = draft.clone();
    edited.body = r#"{"cleared_m2": 1300}"#.to_string();
    edited.geometry = None;
    edited.version = 2;
    assert_eq!(store.update_report(&edited, 1, "leader").expect("edits"), 2);
    assert_eq!(store.report(draft.id).expect("reads"), Some(edited.clone()));

    let err = store
        .update_report(&edited, 1, "leader")
        .expect_err("stale");
    assert!(
        matches!(err, StoreError::VersionConflict { stored: 2, .. }),
        "{err:?}"
    );

    let mut moved = edited.clone();
    moved.state = "submitted".to_string();
    moved.version = 3;
    let err = store.update_report(&moved, 2, "leader").expect_err("state");
    assert!(
        matches!(err, StoreError::InvalidReport { field: "state", .. }),
        "{err:?}"
    );
    let last = store
        .audit_entries(0, 100)
        .expect("reads")
        .pop()
        .expect("entries");
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("update", "leader")
    );
    assert!(last.before.is_some_and(|b| b.contains("1240.5")));
    assert!(last.after.is_some_and(|a| a.contains("1300")));
}

#[test]
fn a_report_that_is_not_json_or_names_an_unknown_area_is_refused() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let mut bad = report(1, &dataset.hazard_areas[0]);
    bad.body = "cleared: lots".to_string();
    let err = store.insert_report(&bad, None).expect_err("refused");
    assert!(
        err.to_string()
            .starts_with(&format!("report {}: field body: is not JSON", bad.id)),
        "{err}"
    );
    let mut unknown = report(2, &dataset.hazard_areas[0]);
    unknown.hazard_area_id = Some(Uuid::from_u128(7));
    let err = store.insert_report(&unknown, None).expect_err("refused");
    assert_eq!(
        err.to_string(),
        format!(
            "report {}: field hazard_area_id: hazard area {} is not stored",
            unknown.id,
            Uuid::from_u128(7)
        )
    );
    assert!(all(&store).is_empty());
}

#[test]
fn reports_are_listed_newest_first_with_filters_and_restricted_ones_hidden() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let restricted_area = &dataset.hazard_areas[1];
    assert!(restricted_area.restricted);
    let rows = [
        report(1, &dataset.hazard_areas[0]),
        report(2, restricted_area),
        report(3, &dataset.hazard_areas[0]),
    ];
    for r in &rows {
        store.insert_report(r, None).expect("files");
    }
    let ids = |q: ReportQuery| -> Vec<Uuid> {
        store
            .reports(&q)
            .expect("lists")
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(ids(ReportQuery::default()), [rows[2].id, rows[0].id]);
    let everything = ReportQuery {
        include_restricted: true,
        ..ReportQuery::default()
    };
    assert_eq!(
        ids(everything.clone()),
        [rows[2].id, rows[1].id, rows[0].id]
    );
    assert_eq!(
        ids(ReportQuery {
            hazard_area_id: Some(restricted_area.id),
            ..everything.clone()
        }),
        [rows[1].id]
    );
    assert_eq!(
        ids(ReportQuery {
            limit: Some(1),
            offset: 1,
            ..everything.clone()
        }),
        [rows[1].id]
    );
    assert!(
        ids(ReportQuery {
            state: Some("approved".to_string()),
            ..everything.clone()
        })
        .is_empty()
    );

    // Pages by key: after a report, the ones filed before it, whatever the others do.
    let after = |id| ReportQuery {
        after_report: Some(id),
        ..everything.clone()
    };
    assert_eq!(ids(after(rows[2].id)), [rows[1].id, rows[0].id]);
    assert_eq!(ids(after(rows[1].id)), [rows[0].id]);
    assert!(ids(after(rows[0].id)).is_empty());
    assert!(
        ids(after(Uuid::nil())).is_empty(),
        "an unknown report ends the list"
    );
    assert_eq!(
        ids(ReportQuery {
            limit: Some(1),
            ..after(rows[2].id)
        }),
        [rows[1].id]
    );
    assert_eq!(store.count_reports(&after(rows[2].id)).expect("counts"), 3);
    assert_eq!(
        store
            .count_reports(&ReportQuery::default())
            .expect("counts"),
        2
    );
    assert_eq!(
        store
            .count_reports(&ReportQuery {
                hazard_area_id: Some(restricted_area.id),
                ..everything.clone()
            })
            .expect("counts"),
        1
    );
    assert_eq!(
        ids(ReportQuery {
            kind: Some("daily_progress".to_string()),
            unit_id: Some(id(RecordKind::Team, 1)),
            organisation_id: Some(id(RecordKind::Organisation, 1)),
            ..everything
        })
        .len(),
        3
    );
}

#[test]
fn a_hazard_area_with_reports_cannot_be_deleted() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let area = &dataset.hazard_areas[0];
    store.insert_report(&report(1, area), None).expect("files");
    let err = store
        .delete_record(RecordKind::HazardArea, area.id, 1, "coordinator")
        .expect_err("in use");
    assert!(matches!(err, StoreError::InUse { .. }), "{err:?}");
    assert!(store.hazard_area(area.id).expect("reads").is_some());
}

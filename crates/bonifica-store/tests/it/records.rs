//! Record-at-a-time writes, as the API makes them: create, update against an expected
//! version (a stale one is refused and changes nothing), delete, get, stamps, and listing
//! with filters and pages.

use bonifica_model::{RecordKind, ReleaseEvent};
use bonifica_store::prelude::*;
use bonifica_store::{BBox, ListQuery, Record, Store, StoreError};

use crate::fixture::{date, new_store, small_dataset};

#[test]
fn an_updated_person_keeps_its_place_and_raises_its_version() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let mut person = dataset.people[0].clone();
    person.name = "Renamed Person".to_string();
    let version = store
        .update_record(&Record::Person(person.clone()), 1, "coordinator")
        .expect("updates");
    assert_eq!(version, 2);
    let stored = store
        .record(RecordKind::Person, person.id)
        .expect("reads")
        .expect("stored");
    assert_eq!(stored.record, Record::Person(person.clone()));
    assert_eq!(stored.stamp.version, 2);
    assert_eq!(stored.stamp.updated_by.as_deref(), Some("coordinator"));
    // Contracts and team memberships still refer to the person, and order is kept.
    let loaded = store.load().expect("loads");
    assert_eq!(loaded.people[0], person);
    assert_eq!(loaded.contracts, dataset.contracts);
    assert_eq!(loaded.teams, dataset.teams);
}

#[test]
fn a_stale_version_is_refused_and_changes_nothing() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let mut team = dataset.teams[0].clone();
    team.name = "First".to_string();
    store
        .update_record(&Record::Team(team.clone()), 1, "a")
        .expect("first writer wins");
    let mut late = dataset.teams[0].clone();
    late.name = "Second".to_string();
    let err = store
        .update_record(&Record::Team(late), 1, "b")
        .expect_err("stale");
    assert!(
        matches!(
            err,
            StoreError::VersionConflict {
                stored: 2,
                expected: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "team DT-0001: stored version is 2, expected 1"
    );
    let err = store
        .delete_record(RecordKind::Team, team.id, 1, "coordinator")
        .expect_err("stale");
    assert!(matches!(err, StoreError::VersionConflict { .. }), "{err:?}");
    assert_eq!(store.load().expect("loads").teams, vec![team]);
}

#[test]
fn an_update_with_a_dangling_reference_is_refused() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let mut contract = dataset.contracts[0].clone();
    contract.person_id = uuid::Uuid::nil();
    let err = store
        .update_record(&Record::Contract(contract), 1, "a")
        .expect_err("dangling");
    assert!(matches!(err, StoreError::Dataset(_)), "{err:?}");
    assert_eq!(store.load().expect("loads"), dataset);
}

#[test]
fn hazard_area_updates_go_to_history_and_create_and_delete_round_trip() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let mut area = dataset.hazard_areas[0].clone();
    area.apply(ReleaseEvent::StartWork, date(2026, 5, 1))
        .expect("legal");
    let version = store
        .update_record(&Record::HazardArea(area.clone()), 1, "operator")
        .expect("updates");
    assert_eq!(version, 2);
    assert_eq!(
        store.hazard_area_history(area.id).expect("history").len(),
        1
    );
    let err = store
        .delete_record(RecordKind::HazardArea, area.id, 2, "coordinator")
        .expect_err("history is kept");
    assert!(matches!(err, StoreError::InUse { .. }), "{err:?}");

    let mut fresh = dataset.hazard_areas[0].clone();
    fresh.id = uuid::Uuid::from_u128(42);
    fresh.code = bonifica_model::Code::new(RecordKind::HazardArea, 42);
    assert_eq!(
        store
            .create_record(&Record::HazardArea(fresh.clone()), "coordinator")
            .expect("creates"),
        1
    );
    let err = store
        .create_record(&Record::HazardArea(fresh.clone()), "coordinator")
        .expect_err("duplicate");
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err:?}");
    store
        .delete_record(RecordKind::HazardArea, fresh.id, 1, "coordinator")
        .expect("deletes");
    assert!(
        store
            .record(RecordKind::HazardArea, fresh.id)
            .expect("reads")
            .is_none()
    );
}

#[test]
fn a_record_others_refer_to_cannot_be_deleted() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let org = dataset.organisations[0].id;
    let err = store
        .delete_record(RecordKind::Organisation, org, 1, "coordinator")
        .expect_err("in use");
    assert!(matches!(err, StoreError::InUse { .. }), "{err:?}");
    assert!(err.to_string().contains("still referred to"), "{err}");
    assert_eq!(store.load().expect("loads"), dataset);
}

#[test]
fn lists_filter_page_and_hide_restricted_records() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let all = |include_restricted| ListQuery {
        include_restricted,
        limit: 100,
        ..ListQuery::default()
    };
    let visible = store
        .list_records(RecordKind::HazardArea, &all(false))
        .expect("lists");
    assert_eq!(visible.records.len(), 2, "the restricted area is hidden");
    let every = store
        .list_records(RecordKind::HazardArea, &all(true))
        .expect("lists");
    assert_eq!(every.records.len(), 3);

    let first = store
        .list_records(
            RecordKind::HazardArea,
            &ListQuery {
                limit: 2,
                ..all(true)
            },
        )
        .expect("lists");
    assert_eq!(first.records.len(), 2);
    let next = first.next_after.expect("a next page");
    let second = store
        .list_records(
            RecordKind::HazardArea,
            &ListQuery {
                limit: 2,
                after_code: Some(next),
                ..all(true)
            },
        )
        .expect("lists");
    assert_eq!(second.records.len(), 1);
    assert_eq!(second.records[0].record.code().as_str(), "HA-0003");
    assert_eq!(second.next_after, None);

    let boxed = store
        .list_records(
            RecordKind::HazardArea,
            &ListQuery {
                bbox: Some(BBox::new(36.09, 50.09, 36.15, 50.15)),
                ..all(true)
            },
        )
        .expect("lists");
    assert_eq!(boxed.records.len(), 1);
    let closed = store
        .list_records(
            RecordKind::HazardArea,
            &ListQuery {
                status: Some("closed".to_string()),
                ..all(true)
            },
        )
        .expect("lists");
    assert_eq!(closed.records.len(), 1);
    let org = dataset.organisations[1].id;
    let people = store
        .list_records(
            RecordKind::Person,
            &ListQuery {
                organisation: Some(org),
                ..all(false)
            },
        )
        .expect("lists");
    let expected = dataset
        .people
        .iter()
        .filter(|p| p.organisation_id == org)
        .count();
    assert_eq!(people.records.len(), expected);
}

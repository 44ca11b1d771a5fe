//! Every write is one transaction: a failed insert leaves the store exactly as it was, and a
//! later insert may refer to stored records.

use bonifica_model::{Code, Dataset, RecordKind};
use bonifica_store::{GeoPackage, Store, StoreError};

use crate::fixture::{area, hazard, id, new_store, small_dataset, square};

/// A second batch for the stored region: new hazard areas and a person of a stored
/// organisation.
fn second_batch() -> Dataset {
    let mut people = small_dataset().people;
    people.truncate(1);
    people[0].id = id(RecordKind::Person, 50);
    people[0].code = Code::new(RecordKind::Person, 50);
    Dataset {
        people,
        hazard_areas: (10..14)
            .map(|n| {
                hazard(
                    n,
                    area(&[vec![square(36.0 + f64::from(n) / 100.0, 50.45, 0.005)]]),
                )
            })
            .collect(),
        ..Dataset::default()
    }
}

/// Inserts `bad` into a store holding the small dataset and checks that the error is as
/// expected and that nothing changed.
fn check_refused(bad: &Dataset, expected: &str) {
    let (dir, mut store) = new_store();
    store
        .insert(&small_dataset())
        .expect("inserts the first batch");
    let before = (
        store.load().expect("loads"),
        store.counts().expect("counts"),
    );
    let err = store.insert(bad).expect_err("should be refused");
    assert_eq!(err.to_string(), expected);
    let after = (
        store.load().expect("loads"),
        store.counts().expect("counts"),
    );
    assert_eq!(before, after);
    drop(store);
    let reopened = GeoPackage::open(&dir.path().join("register.gpkg")).expect("reopens");
    assert_eq!(reopened.load().expect("loads"), before.0);
}

#[test]
fn a_second_batch_may_refer_to_stored_records() {
    let (_dir, mut store) = new_store();
    store
        .insert(&small_dataset())
        .expect("inserts the first batch");
    let report = store
        .insert(&second_batch())
        .expect("inserts the second batch");
    assert_eq!(report.added.get("hazard_areas"), 4);
    assert_eq!(report.added.get("people"), 1);
    let loaded = store.load().expect("loads");
    assert_eq!(loaded.hazard_areas.len(), 7);
    assert_eq!(loaded.hazard_areas[6], second_batch().hazard_areas[3]);
}

#[test]
fn a_code_already_stored_is_refused_and_nothing_is_written() {
    let mut bad = second_batch();
    let mut last = hazard(99, area(&[vec![square(36.46, 50.46, 0.01)]]));
    last.code = Code::new(RecordKind::HazardArea, 2);
    bad.hazard_areas.push(last);
    check_refused(&bad, "hazard area HA-0002: code already stored");
}

#[test]
fn an_id_already_stored_is_refused() {
    let mut bad = second_batch();
    bad.hazard_areas[3].id = id(RecordKind::HazardArea, 1);
    check_refused(&bad, "hazard area HA-0013: id already stored");
}

#[test]
fn a_dangling_reference_is_refused_and_nothing_is_written() {
    let mut bad = second_batch();
    let mut asset = small_dataset().assets.remove(1);
    asset.id = id(RecordKind::Asset, 60);
    asset.code = Code::new(RecordKind::Asset, 60);
    asset.depends_on = vec![id(RecordKind::Asset, 1), id(RecordKind::Asset, 61)];
    bad.assets.push(asset);
    let expected = format!(
        "asset AS-0060: field depends_on refers to unknown asset {}",
        id(RecordKind::Asset, 61)
    );
    check_refused(&bad, &expected);
}

#[test]
fn a_failure_in_the_middle_of_writing_rolls_everything_back() {
    // NaN cannot be stored in a NOT NULL REAL column, so this row fails inside SQLite after
    // the person and the first hazard areas were written in the same transaction.
    let mut bad = second_batch();
    bad.hazard_areas[3].density_per_ha = f64::NAN;
    let (_dir, mut store) = new_store();
    store
        .insert(&small_dataset())
        .expect("inserts the first batch");
    let before = (
        store.load().expect("loads"),
        store.counts().expect("counts"),
    );
    let err = store.insert(&bad).expect_err("should be refused");
    assert!(matches!(err, StoreError::Sqlite { .. }), "{err}");
    assert!(
        err.to_string().starts_with("storing hazard area HA-0013"),
        "{err}"
    );
    let after = (
        store.load().expect("loads"),
        store.counts().expect("counts"),
    );
    assert_eq!(before, after);
}

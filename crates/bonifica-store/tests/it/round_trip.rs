//! Everything inserted comes back equal, through a reopen, by region and by id.

use bonifica_model::RecordKind;
use bonifica_store::{GeoPackage, Store, StoreError};
use uuid::Uuid;

use crate::fixture::{id, new_store, small_dataset};

#[test]
fn a_small_region_round_trips_losslessly() {
    let (dir, mut store) = new_store();
    let dataset = small_dataset();
    let report = store.insert(&dataset).expect("inserts");
    assert_eq!(report.added.get("hazard_areas"), 3);
    assert_eq!(report.added.get("team_members"), 2);
    assert_eq!(report.added.get("asset_dependencies"), 3);
    assert_eq!(report.added.get("asset_repair_work"), 3);
    assert_eq!(report.added.get("hazard_area_versions"), 0);
    assert_eq!(store.load().expect("loads"), dataset);

    drop(store);
    let store = GeoPackage::open(&dir.path().join("register.gpkg")).expect("reopens");
    assert_eq!(store.load().expect("loads after reopen"), dataset);
    let region = store
        .load_region(id(RecordKind::Region, 1))
        .expect("loads the region");
    assert_eq!(region, dataset);
}

#[test]
fn records_are_found_by_id() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let released = store
        .hazard_area(id(RecordKind::HazardArea, 3))
        .expect("reads");
    assert_eq!(released.as_ref(), Some(&dataset.hazard_areas[2]));
    let line = store.asset(id(RecordKind::Asset, 4)).expect("reads");
    assert_eq!(line.as_ref(), Some(&dataset.assets[3]));
    assert_eq!(store.hazard_area(Uuid::nil()).expect("reads"), None);
    assert_eq!(store.asset(Uuid::nil()).expect("reads"), None);
}

#[test]
fn counts_name_every_table() {
    let (_dir, mut store) = new_store();
    assert_eq!(store.counts().expect("counts").total(), 0);
    store.insert(&small_dataset()).expect("inserts");
    let counts = store.counts().expect("counts");
    let expected = [
        ("regions", 1),
        ("organisations", 2),
        ("people", 4),
        ("contracts", 4),
        ("teams", 1),
        ("crews", 1),
        ("team_members", 2),
        ("crew_members", 2),
        ("settlements", 2),
        ("rivers", 1),
        ("hazard_areas", 3),
        ("assets", 5),
        ("asset_dependencies", 3),
        ("asset_repair_work", 3),
        ("hazard_area_versions", 0),
    ];
    for (table, n) in expected {
        assert_eq!(counts.get(table), n, "{table}");
    }
    assert_eq!(counts.0.len(), expected.len());
}

#[test]
fn an_unknown_region_is_not_found() {
    let (_dir, mut store) = new_store();
    store.insert(&small_dataset()).expect("inserts");
    let err = store
        .load_region(Uuid::nil())
        .expect_err("should be refused");
    assert!(
        matches!(err, StoreError::NotFound { kind: "region", .. }),
        "{err}"
    );
}

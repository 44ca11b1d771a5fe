//! Optimistic concurrency on hazard areas, and the history of replaced versions.

use bonifica_model::{ClosureReason, RecordKind, ReleaseEvent};
use bonifica_store::{Store, StoreError};

use crate::fixture::{area, date, id, new_store, small_dataset, square};

#[test]
fn each_replacement_keeps_the_previous_version() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let original = dataset.hazard_areas[0].clone();

    let mut worked = original.clone();
    worked
        .apply(ReleaseEvent::StartWork, date(2026, 5, 1))
        .expect("legal");
    store.replace_hazard_area(&worked, 1).expect("replaces v1");
    let history = store.hazard_area_history(original.id).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].area, original);

    let mut reduced = worked.clone();
    reduced.reshape(area(&[vec![square(36.10, 50.10, 0.01)]]), date(2026, 5, 9));
    reduced
        .apply(
            ReleaseEvent::Close(ClosureReason::Reduced),
            date(2026, 5, 9),
        )
        .expect("legal");
    store.replace_hazard_area(&reduced, 2).expect("replaces v2");
    let history = store.hazard_area_history(original.id).expect("history");
    let versions: Vec<u32> = history.iter().map(|v| v.area.version).collect();
    assert_eq!(versions, [1, 2]);
    assert_eq!(history[1].area, worked);
    assert_eq!(
        store.hazard_area(original.id).expect("reads"),
        Some(reduced.clone())
    );
    assert_eq!(
        store.counts().expect("counts").get("hazard_area_versions"),
        2
    );
    // The other areas have no history.
    let other = id(RecordKind::HazardArea, 2);
    assert!(
        store
            .hazard_area_history(other)
            .expect("history")
            .is_empty()
    );
}

#[test]
fn a_stale_version_is_a_conflict_and_changes_nothing() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let mut mine = dataset.hazard_areas[0].clone();
    let mut theirs = mine.clone();
    theirs
        .apply(ReleaseEvent::Confirm, date(2026, 5, 1))
        .expect("legal");
    store
        .replace_hazard_area(&theirs, 1)
        .expect("first writer wins");

    mine.apply(ReleaseEvent::StartWork, date(2026, 5, 2))
        .expect("legal");
    let err = store
        .replace_hazard_area(&mine, 1)
        .expect_err("should be refused");
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
        "hazard area HA-0001: stored version is 2, expected 1"
    );
    assert_eq!(store.hazard_area(mine.id).expect("reads"), Some(theirs));
    assert_eq!(
        store.hazard_area_history(mine.id).expect("history").len(),
        1
    );
}

#[test]
fn a_replacement_must_raise_the_version_of_a_stored_area() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let same = dataset.hazard_areas[0].clone();
    let err = store
        .replace_hazard_area(&same, 1)
        .expect_err("should be refused");
    assert!(
        matches!(err, StoreError::VersionNotRaised { .. }),
        "{err:?}"
    );

    let mut unknown = same.clone();
    unknown.id = id(RecordKind::HazardArea, 77);
    unknown.version = 2;
    let err = store
        .replace_hazard_area(&unknown, 1)
        .expect_err("should be refused");
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert!(
        store
            .hazard_area_history(same.id)
            .expect("history")
            .is_empty()
    );
}

//! Box queries return exactly the records that intersect the box: the R-tree finds the
//! candidates, the exact test drops those whose envelope only grazes it.

use bonifica_model::{Code, ReleaseEvent};
use bonifica_store::{BBox, Store};

use crate::fixture::{area, date, new_store, small_dataset, square};

fn hazard_codes(store: &impl Store, b: BBox) -> Vec<String> {
    let found = store.hazard_areas_in_bbox(b).expect("queries");
    found.iter().map(|h| h.code.to_string()).collect()
}

fn asset_codes(store: &impl Store, b: BBox) -> Vec<String> {
    let found = store.assets_in_bbox(b).expect("queries");
    found.iter().map(|a| a.code.to_string()).collect()
}

#[test]
fn hazard_areas_in_a_box_are_exactly_those_intersecting_it() {
    let (_dir, mut store) = new_store();
    store.insert(&small_dataset()).expect("inserts");
    let cases: [(BBox, &[&str]); 7] = [
        (
            BBox::new(35.0, 49.0, 37.0, 51.0),
            &["HA-0001", "HA-0002", "HA-0003"],
        ),
        (BBox::new(36.11, 50.11, 36.115, 50.115), &["HA-0001"]),
        // Touching the square's east edge counts as intersecting.
        (BBox::new(36.12, 50.0, 36.13, 50.5), &["HA-0001"]),
        // Inside the hole of HA-0002: inside its envelope, outside the area.
        (BBox::new(36.215, 50.215, 36.225, 50.225), &[]),
        // Inside the triangle's envelope, beyond its hypotenuse.
        (BBox::new(36.38, 50.38, 36.39, 50.39), &[]),
        (
            BBox::new(36.305, 50.205, 36.35, 50.35),
            &["HA-0002", "HA-0003"],
        ),
        (BBox::new(33.0, 52.0, 34.0, 53.0), &[]),
    ];
    for (b, expected) in cases {
        assert_eq!(hazard_codes(&store, b), expected, "{b:?}");
    }
}

#[test]
fn assets_in_a_box_are_exactly_those_intersecting_it() {
    let (_dir, mut store) = new_store();
    store.insert(&small_dataset()).expect("inserts");
    // The power line runs from (36.44, 50.05) to (36.43, 50.42); the box sits in its
    // envelope but west of it.
    assert_eq!(
        asset_codes(&store, BBox::new(36.4305, 50.06, 36.432, 50.07)),
        [] as [&str; 0]
    );
    assert_eq!(
        asset_codes(&store, BBox::new(36.43, 50.0, 36.45, 50.1)),
        ["AS-0003", "AS-0004"]
    );
    assert_eq!(
        asset_codes(&store, BBox::new(36.2, 50.2, 36.35, 50.35)),
        ["AS-0001", "AS-0002", "AS-0005"]
    );
}

#[test]
fn a_reshaped_area_is_found_where_it_now_lies() {
    let (_dir, mut store) = new_store();
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let mut moved = dataset.hazard_areas[0].clone();
    moved.reshape(area(&[vec![square(36.46, 50.01, 0.01)]]), date(2026, 6, 1));
    moved
        .apply(ReleaseEvent::StartWork, date(2026, 6, 1))
        .expect("legal");
    store.replace_hazard_area(&moved, 1).expect("replaces");
    assert!(hazard_codes(&store, BBox::new(36.10, 50.10, 36.12, 50.12)).is_empty());
    assert_eq!(
        hazard_codes(&store, BBox::new(36.465, 50.015, 36.466, 50.016)),
        [Code::parse("HA-0001").expect("code").to_string()]
    );
}

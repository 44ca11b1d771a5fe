//! Files saved with a UTF-8 byte-order mark (Notepad, Excel's "CSV UTF-8") import like the
//! same files without one. The GeoJSON reader skips the mark itself; the CSV reader
//! relies on `csv-core`, which does.

use bonifica_interchange::{ImportOptions, SpatialLayer, Table, import_csv, import_geojson};
use bonifica_model::Dataset;

use crate::{as_of, test_data};

fn seed(name: &str) -> String {
    std::fs::read_to_string(test_data(&format!("good/{name}"))).expect("seed file")
}

fn options() -> ImportOptions {
    ImportOptions {
        region_id: Some(uuid::Uuid::from_u128(1)),
        ..ImportOptions::new(as_of())
    }
}

#[test]
fn a_geojson_file_with_a_byte_order_mark_is_accepted() {
    // Regression: refused as "line 1, column 1: not valid JSON: expected value".
    let plain = seed("hazard_areas.geojson");
    let with_bom = format!("\u{feff}{plain}");
    let layer = SpatialLayer::HazardAreas;
    let a = import_geojson("h.geojson", &plain, layer, &options(), &Dataset::default())
        .expect("plain file");
    let b = import_geojson(
        "h.geojson",
        &with_bom,
        layer,
        &options(),
        &Dataset::default(),
    )
    .expect("file with a byte-order mark");
    assert_eq!(a.records.hazard_areas.len(), 3);
    // Ids not in the file are drawn at random; everything read from it must agree.
    let read = |i: &bonifica_interchange::Import| -> Vec<_> {
        let h = &i.records.hazard_areas;
        h.iter()
            .map(|h| (h.code.clone(), h.geometry().clone()))
            .collect()
    };
    assert_eq!(read(&a), read(&b));
}

#[test]
fn a_csv_file_with_a_byte_order_mark_is_accepted() {
    let plain = seed("organisations.csv");
    let with_bom = format!("\u{feff}{plain}");
    let table = Table::Organisations;
    let a =
        import_csv("o.csv", &plain, table, &options(), &Dataset::default()).expect("plain file");
    let b = import_csv("o.csv", &with_bom, table, &options(), &Dataset::default())
        .expect("file with a byte-order mark");
    assert_eq!(a.records.organisations.len(), 3);
    let read = |i: &bonifica_interchange::Import| -> Vec<_> {
        let o = &i.records.organisations;
        o.iter()
            .map(|o| (o.code.clone(), o.name.clone(), o.kind))
            .collect()
    };
    assert_eq!(read(&a), read(&b));
}

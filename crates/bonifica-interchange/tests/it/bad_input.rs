//! One small file per kind of bad input under `test-data/interchange/bad/`, each checked
//! against the whole message it must produce: the file, the record, the field, the problem.

use bonifica_interchange::{
    FieldMapping, ImportOptions, SpatialLayer, Table, read_csv, read_geojson,
};

use crate::{as_of, sample_dataset, test_data};

/// Imports `bad/<file>` into the sample register and checks the error message.
fn check(file: &str, expected: &str) {
    let path = test_data(&format!("bad/{file}"));
    let existing = sample_dataset();
    let options = ImportOptions {
        mapping: FieldMapping::bonifica(),
        region_id: Some(existing.regions[0].id),
        ..ImportOptions::new(as_of())
    };
    let result = match path.extension().and_then(|e| e.to_str()) {
        Some("csv") => read_csv(&path, Table::Contracts, &options, &existing).map(|i| i.records),
        _ => {
            let layer = if file.contains("geometry_type") || file.contains("ill_typed") {
                SpatialLayer::Settlements
            } else {
                SpatialLayer::HazardAreas
            };
            read_geojson(&path, layer, &options, &existing).map(|i| i.records)
        }
    };
    match result {
        Ok(records) => panic!("{file} was accepted: {records:?}"),
        Err(e) => assert_eq!(e.to_string(), expected, "{file}"),
    }
}

#[test]
fn unclosed_ring() {
    check(
        "unclosed_ring.geojson",
        "unclosed_ring.geojson: feature 1 (HA-0102): geometry: polygon 0: ring 0 is not closed (first and last positions differ)",
    );
}

#[test]
fn self_intersection() {
    check(
        "self_intersection.geojson",
        "self_intersection.geojson: feature 1 (HA-0102): geometry: polygon 0: ring 0 intersects itself: its edges from vertex 0 and from vertex 2 cross or touch",
    );
}

#[test]
fn coordinates_out_of_range() {
    check(
        "out_of_range.geojson",
        "out_of_range.geojson: feature 1 (HA-0102): geometry: coordinate 2 (36.21, 99.91) is outside longitude -180..180, latitude -90..90",
    );
}

#[test]
fn nan_is_a_json_syntax_error_with_its_position() {
    check(
        "nan.geojson",
        "nan.geojson: line 3, column 209: not valid JSON: expected value (NaN, Infinity and bare words are not JSON numbers)",
    );
}

#[test]
fn huge_numbers_are_not_finite() {
    check(
        "infinite.geojson",
        "infinite.geojson: line 3, column 213: not valid JSON: number out of range (a coordinate or value that is not a finite number)",
    );
}

#[test]
fn wrong_geometry_type() {
    check(
        "wrong_geometry_type.geojson",
        "wrong_geometry_type.geojson: feature 1 (way/102, \"Tsupivka\"): geometry: expected Point, Polygon or MultiPolygon, found LineString (its first and last positions differ: an unclosed ring or a stray line)",
    );
}

#[test]
fn missing_property() {
    check(
        "missing_property.geojson",
        "missing_property.geojson: feature 1 (HA-0102): classification: missing (looked for property classification)",
    );
}

#[test]
fn ill_typed_property() {
    check(
        "ill_typed_property.geojson",
        "ill_typed_property.geojson: feature 1 (node/103, \"Borshchova\"): population: \"many\" is not a whole number",
    );
}

#[test]
fn duplicate_code_in_file() {
    check(
        "duplicate_id_in_file.geojson",
        "duplicate_id_in_file.geojson: feature 1 (HA-0101): code: duplicate hazard area code HA-0101: also used by feature 0 (HA-0101)",
    );
}

#[test]
fn duplicate_of_an_existing_record() {
    check(
        "duplicate_existing.geojson",
        "duplicate_existing.geojson: feature 1 (HA-0001): code: duplicate hazard area code HA-0001: also used by existing hazard area HA-0001",
    );
}

#[test]
fn unknown_enum_word_lists_the_accepted_words() {
    check(
        "unknown_enum_word.geojson",
        "unknown_enum_word.geojson: feature 1 (HA-0102): terrain: \"swamp\" is not a terrain; expected one of flat, rolling, steep, wetland, urban",
    );
}

#[test]
fn bad_csv_date() {
    check(
        "bad_date.csv",
        "bad_date.csv: line 3, column end: 2027-13-01 is not a date (YYYY-MM-DD)",
    );
}

#[test]
fn contract_ending_before_it_starts() {
    check(
        "end_before_start.csv",
        "end_before_start.csv: line 2, column end: end 2027-01-01 is before start 2027-06-01",
    );
}

#[test]
fn unknown_reference() {
    check(
        "unknown_reference.csv",
        "unknown_reference.csv: line 3, column person_code: unknown person \"P-0999\"",
    );
}

#[test]
fn skip_mode_keeps_the_good_lines_and_lists_the_bad() {
    let existing = sample_dataset();
    let options = ImportOptions {
        skip_invalid: true,
        ..ImportOptions::new(as_of())
    };
    let path = test_data("bad/unknown_reference.csv");
    let import = read_csv(&path, Table::Contracts, &options, &existing).expect("skip mode");
    assert_eq!(import.records.contracts.len(), 1);
    assert_eq!(import.records.contracts[0].code.as_str(), "CT-0101");
    let rejected: Vec<String> = import
        .report
        .rejected
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        rejected,
        ["unknown_reference.csv: line 3, column person_code: unknown person \"P-0999\""]
    );
}

#[test]
fn asset_depending_on_an_unknown_asset_is_refused() {
    let text = r#"{"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "AS-0101", "name": "Road", "kind": "road_segment",
         "damage": "minor", "depends_on": "AS-0001;AS-0999"},
         "geometry": {"type": "LineString", "coordinates": [[36.1, 49.9], [36.2, 49.9]]}}]}"#;
    let existing = sample_dataset();
    let options = ImportOptions {
        region_id: Some(existing.regions[0].id),
        ..ImportOptions::new(as_of())
    };
    let err = bonifica_interchange::import_geojson(
        "assets.geojson",
        text,
        SpatialLayer::Assets,
        &options,
        &existing,
    )
    .expect_err("AS-0999 does not exist");
    assert_eq!(
        err.to_string(),
        "assets.geojson: feature 0 (AS-0101, \"Road\"): depends_on: unknown asset \"AS-0999\""
    );
}

#[test]
fn a_collinear_ring_is_refused_by_the_import() {
    // Regression: stored with a geodesic area of 34 m²; its positions lie on one line.
    let text = r#"{"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"code": "HA-0103", "classification": "SHA", "contamination": "ap_mines"},
        "geometry": {"type": "Polygon", "coordinates":
            [[[36.1, 49.1], [36.2, 49.2], [36.3, 49.3], [36.1, 49.1]]]}}]}"#;
    let existing = sample_dataset();
    let options = ImportOptions {
        region_id: Some(existing.regions[0].id),
        ..ImportOptions::new(as_of())
    };
    let err = bonifica_interchange::import_geojson(
        "collinear.geojson",
        text,
        SpatialLayer::HazardAreas,
        &options,
        &existing,
    )
    .expect_err("a collinear ring");
    let message = err.to_string();
    assert!(
        message.starts_with("collinear.geojson: feature 0 (HA-0103): geometry: polygon 0: ring 0"),
        "{message}"
    );
    assert!(
        message.contains("degenerate") || message.contains("turns back on itself"),
        "{message}"
    );
}

#[test]
fn an_antimeridian_ring_is_refused_by_the_import() {
    let text = r#"{"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"code": "HA-0104", "classification": "SHA", "contamination": "ap_mines"},
        "geometry": {"type": "Polygon", "coordinates":
            [[[179.9, 0], [-179.9, 0], [-179.9, 0.1], [179.9, 0.1], [179.9, 0]]]}}]}"#;
    let existing = sample_dataset();
    let options = ImportOptions {
        region_id: Some(existing.regions[0].id),
        ..ImportOptions::new(as_of())
    };
    let err = bonifica_interchange::import_geojson(
        "antimeridian.geojson",
        text,
        SpatialLayer::HazardAreas,
        &options,
        &existing,
    )
    .expect_err("an edge across the antimeridian");
    assert!(err.to_string().contains("antimeridian"), "{err}");
}

//! Export → import round trips of every layer of a small hand-made register: what comes
//! back is exactly what went out.

use bonifica_interchange::{
    ImportOptions, SpatialLayer, Table, export_csv, export_geojson, import_csv, import_geojson,
};
use bonifica_model::Dataset;

use crate::{as_of, sample_dataset};

/// The sample without one layer: the register the exported layer is imported into.
fn without(dataset: &Dataset, clear: impl Fn(&mut Dataset)) -> Dataset {
    let mut rest = dataset.clone();
    clear(&mut rest);
    rest
}

#[test]
fn every_spatial_layer_round_trips_through_geojson() {
    let sample = sample_dataset();
    for layer in SpatialLayer::ALL {
        let text = export_geojson(&sample, layer);
        let parsed: Result<geojson::GeoJson, _> = text.parse();
        assert!(
            parsed.is_ok(),
            "{layer:?} export is not GeoJSON: {parsed:?}"
        );
        let existing = without(&sample, |d| match layer {
            SpatialLayer::Regions => d.regions.clear(),
            SpatialLayer::Settlements => d.settlements.clear(),
            SpatialLayer::Rivers => d.rivers.clear(),
            SpatialLayer::HazardAreas => d.hazard_areas.clear(),
            SpatialLayer::Assets => d.assets.clear(),
        });
        let file = format!("{}.geojson", layer.as_str());
        let import = import_geojson(&file, &text, layer, &ImportOptions::new(as_of()), &existing)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let back = import.records;
        match layer {
            SpatialLayer::Regions => assert_eq!(back.regions, sample.regions),
            SpatialLayer::Settlements => assert_eq!(back.settlements, sample.settlements),
            SpatialLayer::Rivers => assert_eq!(back.rivers, sample.rivers),
            SpatialLayer::HazardAreas => assert_eq!(back.hazard_areas, sample.hazard_areas),
            SpatialLayer::Assets => assert_eq!(back.assets, sample.assets),
        }
        assert!(import.report.rejected.is_empty());
    }
}

#[test]
fn every_table_round_trips_through_csv() {
    let sample = sample_dataset();
    for table in Table::ALL {
        let text = export_csv(&sample, table).expect("export");
        let existing = without(&sample, |d| match table {
            Table::Organisations => d.organisations.clear(),
            Table::People => d.people.clear(),
            Table::Contracts => d.contracts.clear(),
            Table::Teams => d.teams.clear(),
            Table::Crews => d.crews.clear(),
        });
        let file = format!("{}.csv", table.as_str());
        let back = import_csv(&file, &text, table, &ImportOptions::new(as_of()), &existing)
            .unwrap_or_else(|e| panic!("{e}\n{text}"))
            .records;
        match table {
            Table::Organisations => assert_eq!(back.organisations, sample.organisations),
            Table::People => assert_eq!(back.people, sample.people),
            Table::Contracts => assert_eq!(back.contracts, sample.contracts),
            Table::Teams => assert_eq!(back.teams, sample.teams),
            Table::Crews => assert_eq!(back.crews, sample.crews),
        }
    }
}

#[test]
fn exported_hazard_areas_carry_human_readable_attributes() {
    let text = export_geojson(&sample_dataset(), SpatialLayer::HazardAreas);
    let first = text.lines().nth(1).expect("one feature per line");
    for expected in [
        r#""classification":"SHA""#,
        r#""status":"open""#,
        r#""region_code":"RG-0001""#,
        r#""organisation_code":"ORG-0001""#,
        r#""area_m2":"#,
    ] {
        assert!(first.contains(expected), "{expected} missing from {first}");
    }
    let second = text.lines().nth(2).expect("second feature");
    assert!(second.contains(r#""closure_reason":"cleared""#), "{second}");
}

#[test]
fn people_csv_reads_the_brief_column_names() {
    let sample = sample_dataset();
    let text = export_csv(&sample, Table::People).expect("export");
    assert_eq!(
        text.lines().next(),
        Some("id,code,region_code,organisation_code,name,role,trade,qualifications")
    );
    assert!(text.contains("IMAS EOD level 2;medic"), "{text}");
}

//! Import of the real reference geography in the shared data folder.

use bonifica_interchange::{FieldMapping, ImportOptions, SpatialLayer, read_geojson};
use bonifica_model::Dataset;
use uuid::Uuid;

use crate::{as_of, shared_data};

fn osm_options(skip_invalid: bool) -> ImportOptions {
    ImportOptions {
        mapping: FieldMapping::openstreetmap(),
        skip_invalid,
        region_id: Some(Uuid::nil()),
        ..ImportOptions::new(as_of())
    }
}

#[test]
fn kharkiv_raion_has_its_known_geodesic_area() {
    let import = read_geojson(
        &shared_data("geo/osm_ua_raions_bbox.geojson"),
        SpatialLayer::Regions,
        &osm_options(false),
        &Dataset::default(),
    )
    .expect("raions import");
    assert_eq!(import.records.regions.len(), 27);
    let kharkiv = import
        .records
        .regions
        .iter()
        .find(|r| r.name == "Kharkiv Raion")
        .expect("Kharkiv Raion is among the raions");
    let km2 = kharkiv.boundary.area_m2() / 1e6;
    assert!((km2 - 3223.331).abs() < 0.0015, "area {km2} km²");
}

#[test]
fn osm_settlements_fail_whole_by_default_naming_the_bad_feature() {
    let err = read_geojson(
        &shared_data("geo/osm_ua_settlements_bbox.geojson"),
        SpatialLayer::Settlements,
        &osm_options(false),
        &Dataset::default(),
    )
    .expect_err("the file holds bad features");
    assert_eq!(
        err.to_string(),
        "osm_ua_settlements_bbox.geojson: feature 1921 (way/996697006, \"Слобідський район\"): \
         geometry: expected Point, Polygon or MultiPolygon, found LineString \
         (its first and last positions differ: an unclosed ring or a stray line)"
    );
}

#[test]
fn osm_settlements_skip_mode_imports_the_rest_and_lists_the_rejected() {
    let import = read_geojson(
        &shared_data("geo/osm_ua_settlements_bbox.geojson"),
        SpatialLayer::Settlements,
        &osm_options(true),
        &Dataset::default(),
    )
    .expect("skip mode");
    let report = &import.report;
    assert_eq!(report.read, 3131);
    assert_eq!(report.imported, import.records.settlements.len());
    assert_eq!(report.imported + report.rejected.len(), report.read);
    assert_eq!(report.imported, 3112);
    let messages: Vec<String> = report.rejected.iter().map(|e| e.to_string()).collect();
    let lines = messages
        .iter()
        .filter(|m| m.contains("found LineString"))
        .count();
    assert_eq!(lines, 18, "{messages:#?}");
    let unclosed = messages
        .iter()
        .filter(|m| m.contains("an unclosed ring"))
        .count();
    assert_eq!(unclosed, 7, "{messages:#?}");
    assert!(
        messages.contains(
            &"osm_ua_settlements_bbox.geojson: feature 2457 (relation/3540352, \"Семенівка\"): \
              geometry: polygon 0: ring 0 (edge from vertex 0) and polygon 3: ring 0 (edge from vertex 6) \
              cross or touch; rings may meet only at a shared vertex"
                .to_string()
        ),
        "{messages:#?}"
    );
    for m in &messages {
        assert!(
            m.starts_with("osm_ua_settlements_bbox.geojson: feature "),
            "{m}"
        );
    }
    let settlements = &import.records.settlements;
    let named = settlements.iter().filter(|s| !s.name.is_empty()).count();
    assert_eq!(named, settlements.len());
    let with_population = settlements.iter().filter(|s| s.population > 0).count();
    assert!((100..=170).contains(&with_population), "{with_population}");
}

#[test]
fn oblasts_import_as_regions() {
    let import = read_geojson(
        &shared_data("geo/osm_ua_oblasts_bbox.geojson"),
        SpatialLayer::Regions,
        &osm_options(false),
        &Dataset::default(),
    )
    .expect("oblasts import");
    assert_eq!(import.records.regions.len(), 8);
    let codes: Vec<&str> = import
        .records
        .regions
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(codes[..2], ["RG-0001", "RG-0002"]);
    assert!(
        import
            .records
            .regions
            .iter()
            .any(|r| r.name == "Kharkiv Oblast")
    );
}

#[test]
fn natural_earth_places_and_rivers_import() {
    let options = ImportOptions {
        mapping: FieldMapping::natural_earth(),
        region_id: Some(Uuid::nil()),
        next_number: Some(101),
        ..ImportOptions::new(as_of())
    };
    let places = read_geojson(
        &shared_data("geo/ne_10m_populated_places_bbox.geojson"),
        SpatialLayer::Settlements,
        &options,
        &Dataset::default(),
    )
    .expect("populated places import");
    let kharkiv = places
        .records
        .settlements
        .iter()
        .find(|s| s.name == "Kharkiv")
        .expect("Kharkiv is a populated place");
    assert!(kharkiv.population > 1_000_000, "{}", kharkiv.population);
    assert_eq!(places.records.settlements[0].code.as_str(), "ST-0101");
    for (file, count) in [
        ("geo/ne_10m_rivers_europe_bbox.geojson", 26),
        ("geo/ne_10m_rivers_lake_centerlines_bbox.geojson", 7),
    ] {
        let rivers = read_geojson(
            &shared_data(file),
            SpatialLayer::Rivers,
            &options,
            &Dataset::default(),
        )
        .expect("rivers import");
        assert_eq!(rivers.records.rivers.len(), count, "{file}");
    }
}

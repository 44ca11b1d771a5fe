//! GDAL, which QGIS uses, must open the file without a warning and its GeoPackage validator
//! must find nothing wrong. These tests fail when GDAL is not installed: CI installs
//! `gdal-bin` and `python3-gdal`.

use bonifica_store::prelude::*;
use std::path::Path;
use std::process::{Command, Output};

use bonifica_store::{GeoPackage, Store};

use crate::fixture::{approval, date, report, small_dataset, verified_report};

pub fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} could not run ({e}); install gdal-bin and python3-gdal")
        })
}

/// Writes the small dataset with one replaced hazard area (so the history is not empty),
/// an approved report that released land, a draft report on another area, and so audit
/// entries for all of them.
fn write_store(path: &Path) {
    let mut store = GeoPackage::create(path).expect("creates");
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let verified = verified_report(&mut store, &dataset);
    store
        .commit(&approval(&verified, &dataset))
        .expect("approves");
    let mut area = dataset.hazard_areas[1].clone();
    area.apply(bonifica_model::ReleaseEvent::StartWork, date(2026, 5, 1))
        .expect("legal");
    store.replace_hazard_area(&area, 1).expect("replaces");
    store
        .insert_report(&report(2, &dataset.hazard_areas[1]), None)
        .expect("files");
    assert!(store.verify_audit().expect("holds").entries >= 6);
}

#[test]
fn ogrinfo_lists_every_layer_with_its_feature_count() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("register.gpkg");
    write_store(&path);
    let file = path.to_str().expect("utf-8 path");
    let out = run("ogrinfo", &["-ro", "-al", "-so", file]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let expected = [
        ("regions", "Multi Polygon", 1),
        ("settlements", "Unknown (any)", 2),
        ("rivers", "Multi Line String", 1),
        ("hazard_areas", "Multi Polygon", 3),
        ("assets", "Unknown (any)", 5),
        ("organisations", "None", 2),
        ("people", "None", 4),
        ("contracts", "None", 4),
        ("teams", "None", 1),
        ("crews", "None", 1),
        ("team_members", "None", 2),
        ("crew_members", "None", 2),
        ("asset_dependencies", "None", 3),
        ("asset_repair_work", "None", 3),
        ("hazard_area_versions", "None", 2),
        ("plans", "None", 0),
        ("plan_tasks", "None", 0),
        ("plan_hazard_areas", "Multi Polygon", 0),
        ("plan_assets", "Unknown (any)", 0),
        ("released_land", "Multi Polygon", 1),
    ];
    for (layer, geometry, count) in expected {
        let block = text
            .split("Layer name: ")
            .find(|b| b.lines().next() == Some(layer))
            .unwrap_or_else(|| panic!("layer {layer} missing from ogrinfo:\n{text}"));
        assert!(
            block.contains(&format!("Geometry: {geometry}\n")),
            "{layer}:\n{block}"
        );
        assert!(
            block.contains(&format!("Feature Count: {count}\n")),
            "{layer}:\n{block}"
        );
    }
    assert_eq!(
        text.matches("Layer name: ").count(),
        expected.len(),
        "{text}"
    );
    for hidden in [
        "bonifica_migrations",
        "reports",
        "report_transitions",
        "audit_log",
        "audit_head",
    ] {
        assert!(!text.contains(&format!("Layer name: {hidden}\n")), "{text}");
    }
}

#[test]
fn ogrinfo_reads_every_feature_without_a_warning() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("register.gpkg");
    write_store(&path);
    let out = run(
        "ogrinfo",
        &["-ro", "-al", path.to_str().expect("utf-8 path")],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        !stderr.contains("Warning") && !stderr.contains("ERROR"),
        "ogrinfo complained:\n{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("code (String) = HA-0003"), "{stdout}");
    assert!(stdout.contains("status (String) = closed"), "{stdout}");
    assert!(stdout.contains("as_of (Date) = 2026/04/02"), "{stdout}");
}

#[test]
fn the_geopackage_validator_finds_nothing_wrong() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("register.gpkg");
    write_store(&path);
    let file = path.to_str().expect("utf-8 path");
    let out = run(
        "/usr/bin/python3",
        &[
            "-m",
            "osgeo_utils.samples.validate_gpkg",
            "-k",
            "--extra",
            "--warning-as-error",
            file,
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "validate_gpkg failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.trim().is_empty() && stderr.trim().is_empty(),
        "{stdout}\n{stderr}"
    );
}

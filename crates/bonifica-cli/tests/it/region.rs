//! `demo`, `summary`, `import` and `export` on a small generated region.

use std::path::Path;
use std::process::Output;

use crate::{bonifica, test_data, text};

const SMALL: &[&str] = &[
    "--deminers",
    "60",
    "--workers",
    "120",
    "--hazard-density",
    "0.05",
    "--asset-density",
    "0.2",
];

fn small_demo(dir: &Path) {
    let mut args = vec!["demo", "--out", "r.gpkg"];
    args.extend_from_slice(SMALL);
    let out = bonifica(dir, &args);
    assert!(out.status.success(), "{:?}", text(&out));
}

fn import(dir: &Path, into: &str, layer: &str, files: &[&Path]) -> Output {
    let mut args = vec!["import", "--into", into, "--layer", layer];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    bonifica(dir, &args)
}

fn summary(dir: &Path, file: &str) -> Vec<u8> {
    let out = bonifica(dir, &["summary", file, "--json"]);
    assert!(out.status.success(), "{:?}", text(&out));
    out.stdout
}

#[test]
fn demo_writes_the_default_file_name_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["demo"];
    args.extend_from_slice(SMALL);
    let out = bonifica(dir.path(), &args);
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(dir.path().join("bonifica-demo.gpkg").exists());
    let again = bonifica(dir.path(), &args);
    assert_eq!(again.status.code(), Some(4), "{:?}", text(&again));
    assert!(
        text(&again).1.contains("already exists"),
        "{:?}",
        text(&again)
    );
}

#[test]
fn summary_counts_what_demo_wrote() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path());
    let s: serde_json::Value = serde_json::from_slice(&summary(dir.path(), "r.gpkg")).unwrap();
    assert_eq!(s["deminers"], 60);
    assert_eq!(s["workers"], 120);
    assert_eq!(s["regions"], 1);
    assert!(s["hazard_areas"].as_u64().unwrap() > 0);
    assert!(s["damaged_road_km"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_bad_import_exits_3_names_the_problem_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    small_demo(d);
    let export = bonifica(d, &["export", "r.gpkg", "--out", "out"]);
    assert!(export.status.success(), "{:?}", text(&export));
    for (layer, file) in [
        ("regions", "regions.geojson"),
        ("organisations", "organisations.csv"),
    ] {
        let out = import(d, "n.gpkg", layer, &[&d.join("out").join(file)]);
        assert!(out.status.success(), "{:?}", text(&out));
    }
    let before = summary(d, "n.gpkg");

    // The good file comes first: its records must not be stored either.
    let good = d.join("out/hazard_areas.geojson");
    let bad_text =
        std::fs::read_to_string(test_data().join("interchange/bad/unclosed_ring.geojson"))
            .unwrap()
            .replace("HA-0101", "HA-9101");
    let bad = d.join("unclosed_ring.geojson");
    std::fs::write(&bad, bad_text).unwrap();
    let out = import(d, "n.gpkg", "hazard_areas", &[&good, &bad]);
    assert_eq!(out.status.code(), Some(3), "{:?}", text(&out));
    let (_, stderr) = text(&out);
    assert!(stderr.contains("unclosed_ring.geojson"), "{stderr}");
    assert!(stderr.contains("ring 0 is not closed"), "{stderr}");
    assert_eq!(before, summary(d, "n.gpkg"));

    // Without the bad file the same import goes through.
    let out = import(d, "n.gpkg", "hazard_areas", &[&good]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert_ne!(before, summary(d, "n.gpkg"));
}

#[test]
fn export_then_import_into_a_new_file_gives_the_same_summary() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    small_demo(d);
    let out = bonifica(
        d,
        &["export", "r.gpkg", "--out", "copy.gpkg", "--format", "gpkg"],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let original = summary(d, "r.gpkg");
    assert_eq!(original, summary(d, "copy.gpkg"));

    let out = bonifica(d, &["export", "r.gpkg", "--out", "layers"]);
    assert!(out.status.success(), "{:?}", text(&out));
    // Regions first, then tables (hazard areas name their organisation, teams their
    // members), then the other spatial layers.
    let order = [
        ("regions", "geojson"),
        ("organisations", "csv"),
        ("people", "csv"),
        ("contracts", "csv"),
        ("teams", "csv"),
        ("crews", "csv"),
        ("settlements", "geojson"),
        ("rivers", "geojson"),
        ("hazard_areas", "geojson"),
        ("assets", "geojson"),
    ];
    for (layer, ext) in order {
        let file = d.join(format!("layers/{layer}.{ext}"));
        let out = import(d, "new.gpkg", layer, &[&file]);
        assert!(out.status.success(), "{layer}: {:?}", text(&out));
    }
    // GeoJSON keeps 7 decimals (about 1 cm): areas and lengths agree to a few parts per
    // million, everything else exactly.
    assert_close(&json(&original), &json(&summary(d, "new.gpkg")), "summary");
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap()
}

fn assert_close(a: &serde_json::Value, b: &serde_json::Value, path: &str) {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-5 * x.abs().max(1.0),
                "{path}: {x} vs {y}"
            );
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{path}"
            );
            for (k, v) in x {
                assert_close(v, &y[k], &format!("{path}.{k}"));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}");
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                assert_close(v, w, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

#[test]
fn an_unknown_layer_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = import(
        dir.path(),
        "x.gpkg",
        "minefields",
        &[Path::new("a.geojson")],
    );
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(text(&out).1.contains("hazard_areas"), "{:?}", text(&out));
}

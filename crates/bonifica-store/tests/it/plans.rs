//! Plans in the GeoPackage: saved with their P50/P90 dates as attributes, replaced by
//! name, listed, and still a file GDAL validates.

use bonifica_planner::{Limits, Planner, PlannerConfig};
use bonifica_store::prelude::*;
use bonifica_store::{GeoPackage, SYSTEM_ACTOR, Store};
use bonifica_synth::{Params, generate};

use crate::gdal::run;

/// The synthetic region's dataset, a plan of it and its forecast.
pub fn planned() -> (
    bonifica_model::Dataset,
    bonifica_planner::Plan,
    bonifica_planner::Forecast,
) {
    let params = Params {
        deminers: 60,
        workers: 120,
        hazard_density: 0.05,
        asset_density: 0.2,
        ..Params::default()
    };
    let dataset = generate(&params).expect("generates");
    let planner =
        Planner::new(&dataset, &PlannerConfig::default(), params.start_date).expect("plans");
    let limits = Limits {
        time_budget: None,
        max_iterations: Some(1),
        ..Limits::default()
    };
    let (plan, _) = planner.plan(&limits, &|_| {});
    let forecast = planner.forecast(&plan, 8, 1);
    (dataset, plan, forecast)
}

/// A new GeoPackage at `path` with the planned region and its plan saved with a forecast.
fn stored_with_forecast(
    path: &std::path::Path,
) -> (GeoPackage, bonifica_model::Dataset, bonifica_planner::Plan) {
    let (dataset, plan, forecast) = planned();
    let mut store = GeoPackage::create(path).expect("creates");
    store.insert(&dataset).expect("inserts");
    store
        .save_plan(
            &dataset,
            &plan,
            Some(&forecast),
            "2027-03-01T00:00:00.000Z",
            SYSTEM_ACTOR,
        )
        .expect("saves");
    (store, dataset, plan)
}

#[test]
fn a_saved_plan_carries_its_dates_and_p90_is_never_before_p50() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("plan.gpkg");
    let (_store, _, plan) = stored_with_forecast(&path);

    let conn = rusqlite::Connection::open(&path).expect("opens");
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
    assert_eq!(
        count("SELECT COUNT(*) FROM plan_assets"),
        plan.assets.len() as i64
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM plan_hazard_areas"),
        plan.hazards.len() as i64
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM plan_tasks"),
        plan.items.len() as i64
    );
    assert!(count("SELECT COUNT(*) FROM plan_assets WHERE p50_restoration IS NOT NULL") > 0);
    // ISO dates compare as text: no record's P90 falls before its P50.
    assert_eq!(
        count("SELECT COUNT(*) FROM plan_assets WHERE p90_restoration < p50_restoration"),
        0
    );
    // A P50 past the contracts (NULL) never comes with a dated P90.
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM plan_assets WHERE p50_restoration IS NULL AND p90_restoration IS NOT NULL"
        ),
        0
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM plan_hazard_areas WHERE p90_release < p50_release"),
        0
    );
}

#[test]
fn saving_under_the_same_name_replaces_and_gdal_still_validates() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("plan.gpkg");
    let (mut store, dataset, mut plan) = stored_with_forecast(&path);
    store
        .save_plan(
            &dataset,
            &plan,
            None,
            "2027-03-02T00:00:00.000Z",
            SYSTEM_ACTOR,
        )
        .expect("saves again");
    plan.name = "twice-deminers".into();
    store
        .save_plan(
            &dataset,
            &plan,
            None,
            "2027-03-02T00:00:00.000Z",
            SYSTEM_ACTOR,
        )
        .expect("saves another");
    let names: Vec<String> = store
        .plans()
        .expect("lists")
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["base", "twice-deminers"]);
    let stored = store.plans().expect("lists");
    assert_eq!(stored[0].created, "2027-03-02T00:00:00.000Z");
    assert_eq!(
        stored[0].programme_p50, None,
        "the replacement had no forecast"
    );
    assert!(store.plan_json("base").expect("reads").is_some());
    // Read back in the planner's types, whole: every field of the stored JSON.
    let typed = store
        .plan("twice-deminers")
        .expect("reads")
        .expect("stored");
    let text = store
        .plan_json("twice-deminers")
        .expect("reads")
        .expect("stored");
    assert_eq!(
        serde_json::to_value(&typed).expect("serialises"),
        serde_json::from_str::<serde_json::Value>(&text).expect("parses")
    );
    assert_eq!(typed.items.len(), plan.items.len());
    assert!(store.plan("no such plan").expect("reads").is_none());
    // One audit entry per save; the replacement names the plan it replaced.
    let saves: Vec<_> = store
        .audit_entries(0, 10)
        .expect("reads")
        .into_iter()
        .filter(|e| e.action == "save")
        .collect();
    assert_eq!(saves.len(), 3);
    assert!(saves[0].before.is_none());
    let replaced = saves[1].before.as_deref().expect("names the replaced plan");
    assert!(replaced.contains(&saves[0].entity_id), "{replaced}");
    assert!(
        saves
            .iter()
            .all(|e| e.entity == "plan" && e.actor == SYSTEM_ACTOR)
    );
    store.verify_audit().expect("the chain holds");
    drop(store);

    let file = path.to_str().expect("utf-8 path");
    let out = run("ogrinfo", &["-ro", "-al", "-so", file]);
    let text = String::from_utf8_lossy(&out.stdout);
    let assets = text
        .split("Layer name: ")
        .find(|b| b.starts_with("plan_assets"))
        .expect("layer");
    assert!(
        assets.contains(&format!("Feature Count: {}\n", 2 * plan.assets.len())),
        "{assets}"
    );
    let read = run("ogrinfo", &["-ro", "-al", "-q", file]);
    assert!(
        read.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let valid = run(
        "/usr/bin/python3",
        &["-m", "osgeo_utils.samples.validate_gpkg", file],
    );
    assert!(
        valid.status.success(),
        "{}",
        String::from_utf8_lossy(&valid.stdout)
    );
    assert!(
        valid.stdout.is_empty() && valid.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&valid.stdout)
    );
}

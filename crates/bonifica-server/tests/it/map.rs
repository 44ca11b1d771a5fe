//! The map layers: every layer is served whole, coordinates are rounded to a tenth of a
//! metre, assets say whether hazard areas block them, restricted records stay off the
//! map for roles that may not see them, teams and crews stand where the stored plan
//! puts them, and the layers are built in the background at start-up and after a write.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use bonifica_model::Gating;
use bonifica_server::Role;
use bonifica_server::map::LAYERS;
use serde_json::{Value, json};

use crate::fixture::{App, app, send, template};

async fn layer(app: &App, role: Role, name: &str) -> Vec<Value> {
    let reply = send(
        &app.router,
        Some(role),
        "GET",
        &format!("/api/map/{name}"),
        None,
        &[],
    )
    .await;
    assert_eq!(reply.status, 200, "{name}: {}", reply.body);
    assert_eq!(reply.body["type"], "FeatureCollection", "{name}");
    reply.body["features"].as_array().expect("features").clone()
}

fn by_id(features: &[Value]) -> HashMap<String, Value> {
    features
        .iter()
        .map(|f| {
            (
                f["properties"]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f.clone(),
            )
        })
        .collect()
}

/// Waits until the background builder is idle; fails after a minute.
async fn settled(app: &App) {
    for _ in 0..600 {
        if !app.state.maps_warming() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the map layers are still being built after a minute");
}

fn is_built(app: &App, layer: &'static str, sees_restricted: bool) -> bool {
    let slot = app
        .state
        .map_slot((layer, sees_restricted))
        .expect("a slot");
    slot.lock().expect("lock").is_some()
}

#[tokio::test]
async fn every_layer_is_served_with_one_feature_per_record() {
    let app = app();
    let d = &template().data;
    let expected = [
        ("regions", d.regions.len()),
        ("rivers", d.rivers.len()),
        ("settlements", d.settlements.len()),
        ("teams", d.teams.len()),
        ("crews", d.crews.len()),
    ];
    for (name, count) in expected {
        assert!(
            count > 0,
            "the test region has no {name}: the test proves nothing"
        );
        let features = layer(&app, Role::Viewer, name).await;
        assert_eq!(features.len(), count, "{name}");
    }
    let rivers = layer(&app, Role::Viewer, "rivers").await;
    assert_eq!(rivers[0]["geometry"]["type"], "MultiLineString");
    let regions = layer(&app, Role::Viewer, "regions").await;
    assert_eq!(
        regions[0]["properties"]["code"],
        json!(d.regions[0].code.as_str())
    );

    let missing = send(
        &app.router,
        Some(Role::Viewer),
        "GET",
        "/api/map/roads",
        None,
        &[],
    )
    .await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("teams")),
        "{}",
        missing.body
    );
}

#[tokio::test]
async fn coordinates_are_rounded_to_a_tenth_of_a_metre_and_stay_within_it() {
    let app = app();
    let features = by_id(&layer(&app, Role::DefenceLiaison, "hazard-areas").await);
    let d = &template().data;
    assert_eq!(features.len(), d.hazard_areas.len());
    for h in &d.hazard_areas {
        let f = &features[&h.id.to_string()];
        let served = &f["geometry"]["coordinates"][0][0];
        let model = &h.geometry().as_multi_polygon().0[0].exterior().0;
        assert_eq!(
            served.as_array().map(Vec::len),
            Some(model.len()),
            "{}",
            h.code
        );
        for (s, m) in served.as_array().expect("ring").iter().zip(model) {
            for (value, exact) in [(&s[0], m.x), (&s[1], m.y)] {
                let text = value.to_string();
                let decimals = text.split('.').nth(1).map_or(0, str::len);
                assert!(decimals <= 6, "{}: {text} has {decimals} decimals", h.code);
                let v = value.as_f64().expect("a number");
                assert!(
                    (v - exact).abs() <= 0.5e-6 + 1e-12,
                    "{}: {v} is not {exact}",
                    h.code
                );
            }
        }
        // What the map styles and filters with, and no more.
        let mut keys: Vec<&str> = f["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["area_m2", "classification", "code", "id", "status"]);
    }
}

#[tokio::test]
async fn restricted_assets_are_mapped_and_flagged_only_for_the_defence_liaison() {
    let app = app();
    let liaison = layer(&app, Role::DefenceLiaison, "assets").await;
    let flagged = liaison
        .iter()
        .filter(|f| f["properties"]["restricted"] == true)
        .count();
    assert!(flagged > 0, "the defence liaison sees no restricted asset");
    assert_eq!(liaison.len(), template().data.assets.len());
    for role in [Role::Coordinator, Role::Viewer, Role::TeamLeader] {
        let features = layer(&app, role, "assets").await;
        assert_eq!(features.len() + flagged, liaison.len(), "{role:?}");
        assert!(
            features
                .iter()
                .all(|f| f["properties"]["restricted"] == false),
            "{role:?} sees a restricted asset"
        );
    }
}

/// Gating as the model computes it, with the default programme's gating distance, in
/// the register's projection.
fn model_gating(data: &bonifica_model::Dataset) -> Gating {
    let buffer_m = bonifica_planner::PlannerConfig::default().gating.buffer_m;
    model_gating_at(data, buffer_m)
}

fn model_gating_at(data: &bonifica_model::Dataset, buffer_m: f64) -> Gating {
    let projection = data.projection().expect("projection");
    Gating::compute(&data.hazard_areas, &data.assets, buffer_m, &projection).expect("gating")
}

/// The assets the model's gating says are blocked: damaged, and within the gating
/// distance of an unreleased hazard area.
fn blocked_by_the_model(data: &bonifica_model::Dataset) -> HashSet<String> {
    blocked_at(
        data,
        bonifica_planner::PlannerConfig::default().gating.buffer_m,
    )
}

fn blocked_at(data: &bonifica_model::Dataset, buffer_m: f64) -> HashSet<String> {
    let gating = model_gating_at(data, buffer_m);
    data.assets
        .iter()
        .filter(|a| a.needs_repair() && !gating.of(a.id).is_empty())
        .map(|a| a.id.to_string())
        .collect()
}

fn blocked_on_the_map(features: &[Value]) -> HashSet<String> {
    features
        .iter()
        .filter(|f| f["properties"]["blocked"] == true)
        .map(|f| {
            f["properties"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn assets_are_blocked_by_unreleased_hazard_areas_until_they_are_released() {
    let app = app();
    let data = &template().data;
    let expected = blocked_by_the_model(data);
    let features = layer(&app, Role::DefenceLiaison, "assets").await;
    let blocked = blocked_on_the_map(&features);
    assert!(
        !blocked.is_empty(),
        "no asset is blocked: the test proves nothing"
    );
    assert!(blocked.len() < features.len(), "every asset is blocked");
    assert_eq!(blocked, expected);

    // Release every hazard area blocking one asset: it is free once the map is rebuilt.
    let asset = blocked.iter().next().expect("a blocked asset").clone();
    let asset_id: uuid::Uuid = asset.parse().expect("uuid");
    let blockers = model_gating(data).of(asset_id).to_vec();
    assert!(!blockers.is_empty());
    for h in &blockers {
        let uri = format!("/api/hazard-areas/{h}");
        let got = send(
            &app.router,
            Some(Role::DefenceLiaison),
            "GET",
            &uri,
            None,
            &[],
        )
        .await;
        assert_eq!(got.status, 200, "{}", got.body);
        let etag = got.headers["etag"].to_str().expect("etag").to_string();
        let closed = send(
            &app.router,
            Some(Role::DefenceLiaison),
            "POST",
            &format!("{uri}/events"),
            Some(json!({"event": "close", "closure_reason": "reduced"})),
            &[("if-match", etag.as_str())],
        )
        .await;
        assert!(closed.status.is_success(), "{}", closed.body);
    }
    let after = blocked_on_the_map(&layer(&app, Role::DefenceLiaison, "assets").await);
    assert!(
        !after.contains(&asset),
        "{asset} is still blocked after its hazard areas were released"
    );
}

#[tokio::test]
async fn the_gating_distance_is_the_programmes() {
    let app = app();
    let data = &template().data;
    let mut programme = bonifica_planner::PlannerConfig::default();
    programme.gating.buffer_m *= 4.0;
    let wider = blocked_at(data, programme.gating.buffer_m);
    assert!(
        wider.len() > blocked_by_the_model(data).len(),
        "a wider gating distance blocks no more assets: the test proves nothing"
    );
    app.state.set_programme(programme);
    let blocked = blocked_on_the_map(&layer(&app, Role::DefenceLiaison, "assets").await);
    assert_eq!(blocked, wider);
}

#[tokio::test]
async fn teams_stand_at_their_base_until_a_stored_plan_places_them_at_their_next_task() {
    let app = app();
    let d = &template().data;
    for f in layer(&app, Role::Viewer, "teams").await {
        assert_eq!(f["properties"]["placed_at"], "base", "{f}");
        let team = d
            .teams
            .iter()
            .find(|t| json!(t.id) == f["properties"]["id"])
            .expect("a team");
        let at = &f["geometry"]["coordinates"];
        assert!((at[0].as_f64().expect("lon") - team.base.x()).abs() < 1e-6);
        assert!((at[1].as_f64().expect("lat") - team.base.y()).abs() < 1e-6);
    }

    // A plan runs to the end and is saved; the teams and crews move to their tasks.
    let reply = send(
        &app.router,
        Some(Role::Coordinator),
        "POST",
        "/api/plans",
        Some(json!({"seconds": 1, "forecast_samples": 0})),
        &[],
    )
    .await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    let id = reply.body["id"].as_str().expect("id").to_string();
    for _ in 0..600 {
        let job = send(
            &app.router,
            Some(Role::Coordinator),
            "GET",
            &format!("/api/plans/{id}"),
            None,
            &[],
        )
        .await;
        if job.body["state"] != "running" {
            assert_eq!(job.body["state"], "done", "{}", job.body);
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let text = app
        .with_store(|store| store.plan_json("base").expect("reads"))
        .expect("the plan is stored");
    let plan: Value = serde_json::from_str(&text).expect("json");
    let today = chrono::Utc::now().date_naive().to_string();
    // Each unit's first task not finished by today, by start date.
    let mut next: HashMap<String, &Value> = HashMap::new();
    for item in plan["items"].as_array().expect("items") {
        if item["end"].as_str().unwrap_or_default() < today.as_str() {
            continue;
        }
        let unit = item["unit_id"].as_str().expect("unit").to_string();
        let earlier = next
            .get(&unit)
            .is_some_and(|n| n["start"].as_str() <= item["start"].as_str());
        if !earlier {
            next.insert(unit, item);
        }
    }
    let hidden_codes: HashSet<String> = d
        .hazard_areas
        .iter()
        .filter(|h| h.restricted)
        .map(|h| h.code.to_string())
        .chain(
            d.assets
                .iter()
                .filter(|a| a.restricted || a.kind == bonifica_model::AssetKind::MilitaryStructure)
                .map(|a| a.code.to_string()),
        )
        .collect();
    for (role, name) in [
        (Role::DefenceLiaison, "teams"),
        (Role::DefenceLiaison, "crews"),
        (Role::Viewer, "teams"),
        (Role::Viewer, "crews"),
    ] {
        let features = layer(&app, role, name).await;
        let mut at_task = 0;
        for f in &features {
            let p = &f["properties"];
            let unit = p["id"].as_str().expect("id");
            let Some(item) = next.get(unit) else {
                assert_eq!(p["placed_at"], "base", "{role:?} {name}: {p}");
                continue;
            };
            let hidden =
                hidden_codes.contains(item["subject"]["code"].as_str().unwrap_or_default());
            if hidden && role == Role::Viewer {
                assert_eq!(
                    p["placed_at"], "base",
                    "{role:?} {name}: a restricted site leaks: {p}"
                );
                continue;
            }
            at_task += 1;
            assert_eq!(p["placed_at"], "task", "{role:?} {name}: {p}");
            assert_eq!(p["site_code"], item["subject"]["code"], "{p}");
            assert_eq!(p["from"], item["start"], "{p}");
            let at = &f["geometry"]["coordinates"];
            assert!(
                (at[0].as_f64().expect("lon") - item["site"]["x"].as_f64().expect("x")).abs()
                    < 1e-6
            );
            assert!(
                (at[1].as_f64().expect("lat") - item["site"]["y"].as_f64().expect("y")).abs()
                    < 1e-6
            );
        }
        assert!(at_task > 0, "{role:?} {name}: no unit is placed at a task");
    }
}

#[tokio::test]
async fn layers_are_built_in_the_background_at_start_up_and_after_a_write() {
    let app = app();
    settled(&app).await;
    for name in LAYERS {
        for sees in [false, true] {
            assert!(
                is_built(&app, name, sees),
                "{name} ({sees}) is not built at start-up"
            );
        }
    }

    // A write drops the layers and the builder makes them again without a request.
    let settlement = &template().data.settlements[0];
    let uri = format!("/api/settlements/{}", settlement.id);
    let got = send(&app.router, Some(Role::Coordinator), "GET", &uri, None, &[]).await;
    let etag = got.headers["etag"].to_str().expect("etag").to_string();
    let body = json!({
        "name": "Renamed by the map test",
        "geometry": got.body["geometry"],
        "population": got.body["population"],
    });
    let put = send(
        &app.router,
        Some(Role::Coordinator),
        "PUT",
        &uri,
        Some(body),
        &[("if-match", etag.as_str())],
    )
    .await;
    assert_eq!(put.status, 200, "{}", put.body);
    settled(&app).await;
    assert!(
        is_built(&app, "settlements", false),
        "not rebuilt after the write"
    );
    // Read straight from the slot, so no request builds it.
    let slot = app.state.map_slot(("settlements", false)).expect("slot");
    let body = slot.lock().expect("lock").clone().expect("built");
    let json: Value = serde_json::from_slice(&body.json).expect("json");
    let names: Vec<_> = json["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            f["properties"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert!(
        names.iter().any(|n| n == "Renamed by the map test"),
        "the rebuilt layer misses the write"
    );
}

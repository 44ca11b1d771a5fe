//! Planning jobs: a plan runs to the end and is saved, a running plan is cancelled and
//! keeps its best result, readers without the restricted right never see restricted
//! records in a plan, and who may start, cancel and read plans.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use bonifica_server::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fixture::{App, app, send, template};

/// Polls a job until it is no longer running; fails after two minutes.
async fn wait(app: &App, id: &str) -> Value {
    for _ in 0..600 {
        let reply = send(
            &app.router,
            Some(Role::Coordinator),
            "GET",
            &format!("/api/plans/{id}"),
            None,
            &[],
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        if reply.body["state"] != "running" {
            return reply.body;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("plan job {id} still running after two minutes");
}

async fn start(app: &App, body: Value) -> String {
    let reply = send(
        &app.router,
        Some(Role::Coordinator),
        "POST",
        "/api/plans",
        Some(body),
        &[],
    )
    .await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    assert_eq!(reply.body["state"], "running");
    let id = reply.body["id"].as_str().expect("an id").to_string();
    let location = reply.headers.get("location").expect("a Location header");
    assert_eq!(location, &format!("/api/plans/{id}"));
    id
}

/// The ids of the restricted hazard areas and assets of the test region.
fn restricted() -> HashSet<String> {
    let data = &template().data;
    let hazards = data
        .hazard_areas
        .iter()
        .filter(|h| h.restricted)
        .map(|h| h.id);
    let assets = data
        .assets
        .iter()
        .filter(|a| a.restricted || a.kind == bonifica_model::AssetKind::MilitaryStructure)
        .map(|a| a.id);
    hazards.chain(assets).map(|id| id.to_string()).collect()
}

/// Every record id a plan names: hazard areas, assets, task subjects, forecast records.
fn named_ids(result: &Value) -> HashSet<String> {
    let mut ids = HashSet::new();
    let lists = [
        &result["hazards"],
        &result["assets"],
        &result["forecast"]["hazards"],
        &result["forecast"]["assets"],
    ];
    for list in lists {
        for r in list.as_array().into_iter().flatten() {
            ids.extend(r["id"].as_str().map(str::to_string));
        }
    }
    for list in [&result["items"], &result["deferred"]] {
        for r in list.as_array().into_iter().flatten() {
            ids.extend(r["subject"]["id"].as_str().map(str::to_string));
        }
    }
    ids
}

async fn read_as(app: &App, role: Role, id: &str) -> Value {
    let reply = send(
        &app.router,
        Some(role),
        "GET",
        &format!("/api/plans/{id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

#[tokio::test]
async fn a_plan_runs_to_the_end_is_saved_and_hides_restricted_records_from_a_viewer() {
    let app = app();
    let id = start(&app, json!({"seconds": 1, "forecast_samples": 5})).await;

    let second = send(
        &app.router,
        Some(Role::DefenceLiaison),
        "POST",
        "/api/plans",
        Some(json!({"seconds": 1})),
        &[],
    )
    .await;
    assert_eq!(second.status, 409, "{}", second.body);
    assert!(
        second.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("already running") && d.contains(&id)),
        "{}",
        second.body
    );

    let job = wait(&app, &id).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["progress"], 1.0);
    assert!(job["best_objective"].as_f64().is_some(), "{job}");
    // The audit log names the user who started the plan as the one who saved it.
    let audit = send(
        &app.router,
        Some(Role::Coordinator),
        "GET",
        "/api/audit?last=1",
        None,
        &[],
    )
    .await;
    let saved = &audit.body["entries"][0];
    assert_eq!(saved["action"], "save", "{}", audit.body);
    assert_eq!(saved["entity"], "plan");
    assert_eq!(saved["actor"], Role::Coordinator.as_str());
    let liaison = &read_as(&app, Role::DefenceLiaison, &id).await["result"];
    let items = liaison["items"].as_array().expect("items");
    assert!(!items.is_empty(), "the plan places no task");
    assert!(items[0]["unit_code"].is_string() && items[0]["start"].is_string());
    assert!(liaison["forecast"]["programme_p50"].is_string() || liaison["forecast"].is_object());

    let hidden = restricted();
    let seen_by_liaison: HashSet<_> = named_ids(liaison).intersection(&hidden).cloned().collect();
    assert!(
        !seen_by_liaison.is_empty(),
        "the defence liaison's plan names no restricted record: the test proves nothing"
    );
    for role in [
        Role::Viewer,
        Role::Coordinator,
        Role::OperationsManager,
        Role::TeamLeader,
    ] {
        let result = &read_as(&app, role, &id).await["result"];
        let leaked: Vec<_> = named_ids(result).intersection(&hidden).cloned().collect();
        assert!(leaked.is_empty(), "{role:?} sees restricted {leaked:?}");
        let released = result["hazards"]
            .as_array()
            .expect("hazards")
            .iter()
            .filter(|h| h["release_date"].is_string())
            .count();
        assert_eq!(
            result["indicators"]["hazards_released"],
            json!(released),
            "{role:?} counts hidden hazard areas"
        );
        let n = result["items"].as_array().expect("items").len();
        for it in result["itineraries"].as_array().expect("itineraries") {
            for i in it["items"].as_array().expect("indices") {
                assert!(i.as_u64().is_some_and(|i| (i as usize) < n), "{it}");
            }
        }
    }

    let stored = app.with_store(|store| store.plans().expect("lists plans"));
    assert!(stored.iter().any(|p| p.name == "base"), "{stored:?}");

    let list = send(
        &app.router,
        Some(Role::Viewer),
        "GET",
        "/api/plans",
        None,
        &[],
    )
    .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["jobs"][0]["id"], json!(id));
    assert!(list.body["jobs"][0]["result"].is_null());
    assert_eq!(list.body["stored"][0]["name"], "base");

    let compare = send(
        &app.router,
        Some(Role::Viewer),
        "GET",
        &format!("/api/plans/compare?a={id}&b={id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(compare.status, 200, "{}", compare.body);
    let rows = compare.body["rows"].as_array().expect("rows");
    assert!(rows.iter().any(|r| r["indicator"] == "objective"));
    assert!(rows.iter().all(|r| r["a"] == r["b"]), "{}", compare.body);
}

#[tokio::test]
async fn a_cancelled_plan_keeps_its_best_result() {
    let app = app();
    let id = start(&app, json!({"seconds": 60, "forecast_samples": 0})).await;
    let reply = send(
        &app.router,
        Some(Role::DefenceLiaison),
        "DELETE",
        &format!("/api/plans/{id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    let job = wait(&app, &id).await;
    assert_eq!(job["state"], "cancelled", "{job}");
    assert!(
        !job["result"]["items"].as_array().expect("items").is_empty(),
        "{job}"
    );
    // A cancelled plan is not saved over the stored one.
    assert!(app.with_store(|store| store.plans().expect("lists").is_empty()));
    // Another plan may start now.
    let next = start(&app, json!({"seconds": 1, "forecast_samples": 0})).await;
    assert_ne!(next, id);
}

#[tokio::test]
async fn bad_plan_requests_name_the_field() {
    let app = app();
    let cases = [
        (json!({"seconds": 0}), "seconds"),
        (json!({"seconds": 301}), "seconds"),
        (json!({"forecast_samples": 501}), "forecast_samples"),
        (json!({"seconds": 1, "budget": 3}), "budget"),
        (json!({"scenario": "no-such-scenario"}), "scenario"),
        (json!({"scenario": "../etc/passwd"}), "scenario"),
        (
            json!({"scenario": {"name": "x", "deminers_factor": -1.0}}),
            "scenario.deminers_factor",
        ),
    ];
    for (body, field) in cases {
        let reply = send(
            &app.router,
            Some(Role::Coordinator),
            "POST",
            "/api/plans",
            Some(body.clone()),
            &[],
        )
        .await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        assert_eq!(
            reply.body["errors"][0]["field"], field,
            "{body}: {}",
            reply.body
        );
    }
    let unknown = Uuid::new_v4();
    for method in ["GET", "DELETE"] {
        let reply = send(
            &app.router,
            Some(Role::Coordinator),
            method,
            &format!("/api/plans/{unknown}"),
            None,
            &[],
        )
        .await;
        assert_eq!(reply.status, 404, "{method}: {}", reply.body);
        assert_eq!(
            reply.headers.get("content-type").expect("type"),
            "application/problem+json"
        );
    }
    let reply = send(
        &app.router,
        Some(Role::Viewer),
        "GET",
        &format!("/api/plans/compare?a={unknown}"),
        None,
        &[],
    )
    .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
}

/// Expected statuses for coordinator, defence liaison, operations manager, team leader
/// and viewer. The POST body is out of range, so roles allowed to plan get 422 and no
/// plan starts; the DELETE and GET name no job.
const ROLES: &[(&str, &str, Option<&str>, [u16; 5])] = &[
    ("GET", "/api/plans", None, [200, 200, 200, 200, 200]),
    ("GET", "/api/scenarios", None, [200, 200, 200, 200, 200]),
    (
        "POST",
        "/api/plans",
        Some(r#"{"seconds":0}"#),
        [422, 422, 403, 403, 403],
    ),
    (
        "DELETE",
        "/api/plans/00000000-0000-0000-0000-000000000001",
        None,
        [404, 404, 403, 403, 403],
    ),
    (
        "GET",
        "/api/plans/00000000-0000-0000-0000-000000000001",
        None,
        [404, 404, 404, 404, 404],
    ),
];

#[tokio::test]
async fn who_may_start_cancel_and_read_plans() {
    let app = app();
    let mut wrong = Vec::new();
    for (method, uri, body, expected) in ROLES {
        for (role, want) in Role::ALL.into_iter().zip(expected) {
            let body = body.map(|b| serde_json::from_str(b).expect("json"));
            let reply = send(&app.router, Some(role), method, uri, body, &[]).await;
            if reply.status.as_u16() != *want {
                wrong.push(format!(
                    "{method} {uri} as {role:?}: {} not {want}",
                    reply.status
                ));
            }
        }
        let anonymous = send(&app.router, None, method, uri, None, &[]).await;
        if anonymous.status != 401 {
            wrong.push(format!("{method} {uri} anonymously: {}", anonymous.status));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[tokio::test]
async fn scenarios_are_listed_from_the_configured_folder() {
    let app = app();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-data/plans/scenarios");
    app.state.set_scenario_dirs(vec![dir]);
    let reply = send(
        &app.router,
        Some(Role::Viewer),
        "GET",
        "/api/scenarios",
        None,
        &[],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let names: Vec<_> = reply
        .body
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(names, ["bridges-first", "longer-contracts"]);
    assert_eq!(reply.body[1]["contract_extension_days"], 90);
    assert_eq!(reply.body[0]["priority"]["bridge"], 3.0);
}

#[tokio::test]
async fn finished_jobs_beyond_the_bound_are_forgotten_first_finished_first() {
    let app = app();
    app.state
        .jobs()
        .set_keep_finished(1)
        .expect("sets the bound");
    let first = start(&app, json!({"seconds": 1, "forecast_samples": 0})).await;
    assert_eq!(wait(&app, &first).await["state"], "done");
    let second = start(&app, json!({"seconds": 1, "forecast_samples": 0})).await;
    assert_eq!(wait(&app, &second).await["state"], "done");

    // The first job is gone; its id is no stored plan's either.
    let gone = send(
        &app.router,
        Some(Role::Coordinator),
        "GET",
        &format!("/api/plans/{first}"),
        None,
        &[],
    )
    .await;
    assert_eq!(gone.status, 404, "{}", gone.body);
    let list = send(
        &app.router,
        Some(Role::Coordinator),
        "GET",
        "/api/plans",
        None,
        &[],
    )
    .await;
    let ids: Vec<_> = list.body["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| j["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(ids, [second.as_str()]);
    assert_eq!(read_as(&app, Role::Viewer, &second).await["stored"], false);
}

#[tokio::test]
async fn a_stored_plan_opens_by_name_and_id_after_a_restart_without_restricted_records() {
    let app = app();
    let id = start(&app, json!({"seconds": 1, "forecast_samples": 0})).await;
    assert_eq!(wait(&app, &id).await["state"], "done");
    let job_plan = read_as(&app, Role::DefenceLiaison, &id).await["result"].clone();

    // A new server on the same file knows no job, only the stored plan.
    let again = app.restarted();
    let stored_id = app
        .with_store(|store| store.plans().expect("lists"))
        .into_iter()
        .find(|p| p.name == "base")
        .expect("the plan is stored as base")
        .id
        .to_string();

    let by_name = read_as(&again, Role::DefenceLiaison, "base").await;
    assert_eq!(by_name["stored"], true, "{}", by_name["id"]);
    assert_eq!(by_name["state"], "done");
    assert_eq!(by_name["id"], json!(stored_id));
    assert_eq!(by_name["scenario"], "base");
    let by_id = read_as(&again, Role::DefenceLiaison, &stored_id).await;
    assert_eq!(by_id["result"], by_name["result"]);

    // What the stored plan says is what the job said, but for the forecast it does not keep.
    let stored_plan = &by_name["result"];
    for field in [
        "items",
        "itineraries",
        "hazards",
        "assets",
        "deferred",
        "indicators",
    ] {
        assert_eq!(stored_plan[field], job_plan[field], "{field} differs");
    }
    assert!(stored_plan["forecast"].is_null());

    // Readers without the restricted right get it without the restricted records, with
    // the indicators counted again.
    let hidden = restricted();
    assert!(
        !named_ids(stored_plan).is_disjoint(&hidden),
        "the stored plan names no restricted record: the test proves nothing"
    );
    let viewer = &read_as(&again, Role::Viewer, "base").await["result"];
    let leaked: Vec<_> = named_ids(viewer).intersection(&hidden).cloned().collect();
    assert!(leaked.is_empty(), "the viewer sees restricted {leaked:?}");
    let job_viewer = &read_as(&app, Role::Viewer, &id).await["result"];
    for field in ["items", "hazards", "assets", "indicators"] {
        assert_eq!(
            viewer[field], job_viewer[field],
            "{field} differs from the job's"
        );
    }

    let missing = send(
        &again.router,
        Some(Role::Viewer),
        "GET",
        "/api/plans/no-such-plan",
        None,
        &[],
    )
    .await;
    assert_eq!(missing.status, 404, "{}", missing.body);
}

#[tokio::test]
async fn two_stored_plans_compare_by_name_with_their_differences() {
    let app = app();
    let base = start(&app, json!({"seconds": 1, "forecast_samples": 0})).await;
    wait(&app, &base).await;
    let scenario = json!({"name": "half-deminers", "deminers_factor": 0.5});
    let half = start(
        &app,
        json!({"seconds": 1, "forecast_samples": 0, "scenario": scenario}),
    )
    .await;
    wait(&app, &half).await;
    // Forgotten by the server, the jobs leave their plans in the store.
    app.state
        .jobs()
        .set_keep_finished(1)
        .expect("sets the bound");
    let compare = send(
        &app.router,
        Some(Role::Viewer),
        "GET",
        "/api/plans/compare?a=base&b=half-deminers",
        None,
        &[],
    )
    .await;
    assert_eq!(compare.status, 200, "{}", compare.body);
    assert_eq!(
        (compare.body["a"].as_str(), compare.body["b"].as_str()),
        (Some("base"), Some("half-deminers"))
    );
    let rows = compare.body["rows"].as_array().expect("rows");
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["indicator"] == name)
            .unwrap_or_else(|| panic!("no row {name}: {}", compare.body))
    };
    // Half the teams make another plan: its objective differs.
    let objective = row("objective");
    assert_ne!(objective["a"], objective["b"], "{}", compare.body);
    assert!(rows.iter().any(|r| r["a"] != r["b"]), "{}", compare.body);
    let moved = compare.body["assets_earlier"].as_u64().unwrap()
        + compare.body["assets_later"].as_u64().unwrap();
    assert!(moved > 0, "some asset moves: {}", compare.body);

    let unknown = send(
        &app.router,
        Some(Role::Viewer),
        "GET",
        "/api/plans/compare?a=base&b=no-such-plan",
        None,
        &[],
    )
    .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
}

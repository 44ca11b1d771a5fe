//! Two servers on one register: a write through one shows in the other's records, lists
//! and map once it has caught up with the audit log, and a planning job started on both
//! runs once.

use bonifica_server::Role;
use serde_json::json;

use crate::fixture::{app, send, template};

#[tokio::test]
async fn a_write_through_one_server_shows_in_the_other_after_it_catches_up() {
    let a = app();
    let b = a.restarted();
    let id = template().data.hazard_areas[2].id;
    let uri = format!("/api/hazard-areas/{id}");
    let me = Some(Role::Coordinator);

    let started = send(
        &a.router,
        me,
        "POST",
        &format!("{uri}/events"),
        Some(json!({"event": "start_work"})),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(started.status, 200, "{}", started.body);

    // B has not looked at the log yet: it still serves what it loaded.
    let before = send(&b.router, me, "GET", &uri, None, &[]).await;
    assert_eq!(before.body["status"], "open", "{}", before.body);

    let found = b.state.catch_up().await.expect("catches up");
    assert!(found.entries >= 1 && found.records >= 1, "{found:?}");
    let after = send(&b.router, me, "GET", &uri, None, &[]).await;
    assert_eq!(after.body["status"], "worked_on", "{}", after.body);
    assert_eq!(after.headers["etag"], "\"2\"");
    let listed = send(
        &b.router,
        me,
        "GET",
        "/api/hazard-areas?status=worked_on",
        None,
        &[],
    )
    .await;
    let codes: Vec<&str> = listed.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    let code = template().data.hazard_areas[2].code.as_str().to_string();
    assert!(codes.contains(&code.as_str()), "{codes:?}");
    let map = send(&b.router, me, "GET", "/api/map/hazard-areas", None, &[]).await;
    let on_map = map.body["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["properties"]["code"] == code.as_str())
        .expect("on the map");
    assert_eq!(on_map["properties"]["status"], "worked_on", "{on_map}");

    // B's write with the version it now knows is accepted; A then catches up with it.
    let suspended = send(
        &b.router,
        me,
        "POST",
        &format!("{uri}/events"),
        Some(json!({"event": "suspend_work"})),
        &[("if-match", "\"2\"")],
    )
    .await;
    assert_eq!(suspended.status, 200, "{}", suspended.body);
    a.state.catch_up().await.expect("catches up");
    let seen = send(&a.router, me, "GET", &uri, None, &[]).await;
    assert_eq!(seen.headers["etag"], "\"3\"");

    // B reads its own write back once (it changes nothing); then a round reads nothing.
    let own = b.state.catch_up().await.expect("catches up");
    assert_eq!(own.entries, 1, "{own:?}");
    let idle = b.state.catch_up().await.expect("catches up");
    assert_eq!(idle, bonifica_app::CaughtUp::default());
}

#[tokio::test]
async fn a_plan_started_on_two_servers_runs_once() {
    let a = app();
    let b = a.restarted();
    let body = json!({"seconds": 3, "forecast_samples": 0});
    let first = send(
        &a.router,
        Some(Role::Coordinator),
        "POST",
        "/api/plans",
        Some(body.clone()),
        &[],
    )
    .await;
    assert_eq!(first.status, 202, "{}", first.body);
    let second = send(
        &b.router,
        Some(Role::Coordinator),
        "POST",
        "/api/plans",
        Some(body),
        &[],
    )
    .await;
    assert_eq!(second.status, 409, "{}", second.body);
    let detail = second.body["detail"].as_str().unwrap_or_default();
    let id = first.body["id"].as_str().expect("a job id");
    assert!(detail.contains(id), "{detail}");
}

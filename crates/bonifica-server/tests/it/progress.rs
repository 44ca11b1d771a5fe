//! `/api/audit`, `/api/productivity` and `/api/plan-vs-actual`: who may read them, and
//! what they say before any report is approved.

use bonifica_server::Role;

use crate::fixture::{app, send};

#[tokio::test]
async fn the_audit_log_is_for_the_coordinator_and_the_defence_liaison_and_its_chain_holds() {
    let app = app();
    for role in [Role::Coordinator, Role::DefenceLiaison] {
        let reply = send(
            &app.router,
            Some(role),
            "GET",
            "/api/audit?limit=5",
            None,
            &[],
        )
        .await;
        assert_eq!(reply.status, 200, "{role:?}: {}", reply.body);
        let entries = reply.body["entries"].as_array().unwrap();
        assert!(!entries.is_empty(), "the import of the region is audited");
        assert!(entries.len() <= 5);
        assert_eq!(entries[0]["seq"], 1);
        assert!(reply.body["total"].as_u64().unwrap() >= entries.len() as u64);
        assert_eq!(reply.body["head"].as_str().unwrap().len(), 64);
    }
    for role in [Role::OperationsManager, Role::TeamLeader, Role::Viewer] {
        let reply = send(&app.router, Some(role), "GET", "/api/audit", None, &[]).await;
        assert_eq!(reply.status, 403, "{role:?}");
    }
    let reply = send(&app.router, None, "GET", "/api/audit", None, &[]).await;
    assert_eq!(reply.status, 401);
    let reply = send(
        &app.router,
        Some(Role::Coordinator),
        "GET",
        "/api/audit?limit=0",
        None,
        &[],
    )
    .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
}

#[tokio::test]
async fn an_edit_through_the_api_appears_in_the_audit_log_with_its_actor() {
    let app = app();
    let before = send(
        &app.router,
        Some(Role::Coordinator),
        "GET",
        "/api/audit?limit=1",
        None,
        &[],
    )
    .await;
    let total = before.body["total"].as_u64().unwrap();
    let list = send(
        &app.router,
        Some(Role::Coordinator),
        "GET",
        "/api/settlements?page_size=1",
        None,
        &[],
    )
    .await;
    let s = &list.body["items"][0];
    let id = s["id"].as_str().unwrap().to_string();
    let got = send(
        &app.router,
        Some(Role::Coordinator),
        "GET",
        &format!("/api/settlements/{id}"),
        None,
        &[],
    )
    .await;
    let etag = got
        .headers
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let mut body = got.body.clone();
    let obj = body.as_object_mut().unwrap();
    for k in [
        "id",
        "code",
        "region_id",
        "version",
        "updated_at",
        "updated_by",
    ] {
        obj.remove(k);
    }
    obj.insert("population".into(), 4321.into());
    let put = send(
        &app.router,
        Some(Role::Coordinator),
        "PUT",
        &format!("/api/settlements/{id}"),
        Some(body),
        &[("if-match", etag.as_str())],
    )
    .await;
    assert_eq!(put.status, 200, "{}", put.body);
    let after = send(
        &app.router,
        Some(Role::Coordinator),
        "GET",
        &format!("/api/audit?after={total}"),
        None,
        &[],
    )
    .await;
    let entries = after.body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{}", after.body);
    assert_eq!(entries[0]["entity_id"], id.as_str());
    assert_eq!(entries[0]["after"]["population"], 4321);
    assert_ne!(entries[0]["before"]["population"], 4321);
}

#[tokio::test]
async fn without_approved_reports_the_learned_rates_are_the_configured_ones() {
    let app = app();
    let reply = send(
        &app.router,
        Some(Role::Viewer),
        "GET",
        "/api/productivity",
        None,
        &[],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["reports_used"], 0);
    assert_eq!(reply.body["overall_ratio"], 1.0);
    let configured = bonifica_planner::PlannerConfig::default().productivity;
    assert_eq!(
        reply.body["productivity"]["manual_m2_per_deminer_day"],
        configured.manual_m2_per_deminer_day
    );
}

#[tokio::test]
async fn plan_versus_actual_needs_a_stored_plan() {
    let app = app();
    let reply = send(
        &app.router,
        Some(Role::Coordinator),
        "GET",
        "/api/plan-vs-actual?plan=nope",
        None,
        &[],
    )
    .await;
    assert_eq!(reply.status, 404, "{}", reply.body);
    let reply = send(
        &app.router,
        Some(Role::Coordinator),
        "GET",
        "/api/plan-vs-actual?what=1",
        None,
        &[],
    )
    .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
}

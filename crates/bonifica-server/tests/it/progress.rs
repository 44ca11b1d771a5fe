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
        let head = reply.body["head"].as_str().unwrap();
        assert_eq!(head.len(), 64);
        let anchor = reply.body["anchor"].as_str().unwrap().to_string();
        assert_eq!(anchor, format!("{}:{head}", reply.body["total"]));

        // The anchor holds while the log is the same; another hash at that entry does not.
        let held = send(
            &app.router,
            Some(role),
            "GET",
            &format!("/api/audit?limit=1&anchor={anchor}"),
            None,
            &[],
        )
        .await;
        assert_eq!(held.status, 200, "{}", held.body);
        let (seq, _) = anchor.split_once(':').unwrap();
        let other = send(
            &app.router,
            Some(role),
            "GET",
            &format!("/api/audit?limit=1&anchor={seq}:{}", "0".repeat(64)),
            None,
            &[],
        )
        .await;
        assert_eq!(other.status, 409, "{}", other.body);
        assert!(
            other.body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("the log was rewritten up to this entry"),
            "{}",
            other.body
        );
        // The newest entries in one call, oldest of them first.
        let total = reply.body["total"].as_u64().unwrap();
        let newest = send(
            &app.router,
            Some(role),
            "GET",
            "/api/audit?last=2",
            None,
            &[],
        )
        .await;
        assert_eq!(newest.status, 200, "{}", newest.body);
        let seqs: Vec<u64> = newest.body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_u64().unwrap())
            .collect();
        let expected: Vec<u64> = (total.saturating_sub(2) + 1..=total).collect();
        assert_eq!(seqs, expected);
        let both = send(
            &app.router,
            Some(role),
            "GET",
            "/api/audit?last=2&after=1",
            None,
            &[],
        )
        .await;
        assert_eq!(both.status, 400, "{}", both.body);
        let malformed = send(
            &app.router,
            Some(role),
            "GET",
            "/api/audit?anchor=12",
            None,
            &[],
        )
        .await;
        assert_eq!(malformed.status, 400, "{}", malformed.body);
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
    assert_eq!(reply.status, 400, "{}", reply.body);
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

/// Polls a planning job until it stops running.
async fn finish(app: &crate::fixture::App, id: &str) -> serde_json::Value {
    for _ in 0..600 {
        let uri = format!("/api/plans/{id}");
        let reply = send(&app.router, Some(Role::Coordinator), "GET", &uri, None, &[]).await;
        if reply.body["state"] != "running" {
            return reply.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("plan job {id} still running after two minutes");
}

#[tokio::test]
async fn an_approved_daily_progress_teaches_the_rates_and_counts_against_the_plan() {
    use crate::reports::{daily_progress, filed, m2, open_area, square_inside, step};
    let app = app();
    let area = open_area(0);
    let ring = square_inside(area, 0.0);
    let report = filed(&app, Role::TeamLeader, &daily_progress(area, &ring, true)).await;
    let id = &report["id"];
    let verified = step(&app, Role::OperationsManager, id, "verify", None).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    let approved = step(&app, Role::Coordinator, id, "approve", None).await;
    assert_eq!(approved.status, 200, "{}", approved.body);

    let rates = send(
        &app.router,
        Some(Role::Coordinator),
        "GET",
        "/api/productivity",
        None,
        &[],
    )
    .await;
    assert_eq!(rates.body["reports_used"], 1, "{}", rates.body);
    assert_ne!(rates.body["overall_ratio"], 1.0);
    let method = crate::fixture::template()
        .data
        .teams
        .iter()
        .find(|t| t.id == crate::fixture::template().team)
        .unwrap()
        .method;
    assert_eq!(
        rates.body["by_method"][method.as_str()]["reports"],
        1,
        "{}",
        rates.body
    );

    let started = send(
        &app.router,
        Some(Role::Coordinator),
        "POST",
        "/api/plans",
        Some(serde_json::json!({"seconds": 1, "forecast_samples": 2})),
        &[],
    )
    .await;
    assert_eq!(started.status, 202, "{}", started.body);
    let job = finish(&app, started.body["id"].as_str().unwrap()).await;
    assert_eq!(job["state"], "done", "{job}");

    let uri = format!("/api/plan-vs-actual?as_of={}", crate::reports::DATE);
    let v = send(&app.router, Some(Role::Coordinator), "GET", &uri, None, &[]).await;
    assert_eq!(v.status, 200, "{}", v.body);
    let team = crate::fixture::template().team.to_string();
    let unit = v.body["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == team.as_str())
        .unwrap_or_else(|| panic!("the team is compared: {}", v.body));
    let cleared = m2(&ring);
    assert!(
        (unit["actual_m2"].as_f64().unwrap() - cleared).abs() < 1e-6,
        "{unit}"
    );
    assert_eq!(unit["reports"], 1);
    let a = v.body["hazard_areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["hazard_area_id"] == area.id.to_string().as_str())
        .unwrap_or_else(|| panic!("the area is compared: {}", v.body));
    assert!(
        (a["actual_m2"].as_f64().unwrap() - cleared).abs() < 1e-6,
        "{a}"
    );

    // The team leader sees only their own team; a viewer sees no restricted area.
    let own = send(&app.router, Some(Role::TeamLeader), "GET", &uri, None, &[]).await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert!(
        own.body["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["unit_id"] == team.as_str())
    );
}

//! Requests the server refuses early and clearly, each as an independent probe sent it:
//! the role before the body, bodies over the limit (413), bodies not sent as JSON (415),
//! malformed ids and query strings (problem+json 400, never plain text), weak ETags in
//! `If-Match` (RFC 9110's strong comparison), and implausible field values.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bonifica_server::Role;
use http_body_util::BodyExt;
use serde_json::{Value, json};

use crate::fixture::{App, Reply, app, send, template, token};
use crate::reports::{daily_progress, file, open_area, square_inside};

/// Sends raw bytes with a content type (or none) as `role`.
async fn send_bytes(
    app: &App,
    role: Role,
    method: &str,
    uri: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Reply {
    use tower::ServiceExt;
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {}", token(role)));
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    let req = req.body(Body::from(body)).expect("builds request");
    let response = app.router.clone().oneshot(req).await.expect("responds");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("reads body")
        .to_bytes();
    Reply {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        bytes: bytes.to_vec(),
    }
}

fn assert_problem(reply: &Reply, status: u16) {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.body);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "application/problem+json",
        "{:?}",
        reply.headers
    );
    assert_eq!(reply.body["status"], status, "{}", reply.body);
}

/// A ring of `n` vertices on a circle of about 300 m around the area's first vertex.
fn circle(lon: f64, lat: f64, n: usize) -> Vec<[f64; 2]> {
    let mut ring: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / n as f64;
            [lon + 0.004 * a.cos(), lat + 0.0027 * a.sin()]
        })
        .collect();
    ring.push(ring[0]);
    ring
}

#[tokio::test]
async fn a_viewers_report_is_refused_for_the_role_before_its_body_is_read() {
    let app = app();
    let area = open_area(0);
    let ring = circle(36.5, 49.5, 200_000);
    // Written out: the model would refuse to measure a ring over its vertex cap.
    let body = json!({
        "client_id": uuid::Uuid::new_v4().to_string(), "kind": "daily_progress",
        "submit": true, "hazard_area_id": area.id, "team_id": template().team,
        "date": crate::reports::DATE, "worked": {"type": "Polygon", "coordinates": [ring]},
        "cancelled_m2": 0, "reduced_m2": 0, "cleared_m2": 100, "hours": 6, "ordnance": [],
    })
    .to_string()
    .into_bytes();
    for uri in ["/api/reports", "/api/reports/batch"] {
        let reply = send_bytes(
            &app,
            Role::Viewer,
            "POST",
            uri,
            Some("application/json"),
            body.clone(),
        )
        .await;
        assert_problem(&reply, 403);
    }
    // Not JSON at all, still the role first.
    let reply = send_bytes(
        &app,
        Role::Viewer,
        "POST",
        "/api/reports",
        Some("application/json"),
        b"{{{".to_vec(),
    )
    .await;
    assert_problem(&reply, 403);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let app = app();
    let big = vec![b' '; 3 * 1024 * 1024];
    let reply = send_bytes(
        &app,
        Role::Coordinator,
        "POST",
        "/api/hazard-areas",
        Some("application/json"),
        big,
    )
    .await;
    assert_problem(&reply, 413);
    let batch = vec![b' '; bonifica_server::reports::MAX_BATCH_BYTES + 1];
    let reply = send_bytes(
        &app,
        Role::TeamLeader,
        "POST",
        "/api/reports/batch",
        Some("application/json"),
        batch,
    )
    .await;
    assert_problem(&reply, 413);
    // The batch route took 64 MB: 20 MB, under that and over the limit, is refused.
    let reply = send_bytes(
        &app,
        Role::TeamLeader,
        "POST",
        "/api/reports/batch",
        Some("application/json"),
        vec![b' '; 20 * 1024 * 1024],
    )
    .await;
    assert_problem(&reply, 413);
}

#[tokio::test]
async fn json_sent_as_text_plain_is_415() {
    let app = app();
    let body = json!({"name": "Field office", "kind": "demining_operator"}).to_string();
    for content_type in [
        Some("text/plain"),
        None,
        Some("application/x-www-form-urlencoded"),
    ] {
        let reply = send_bytes(
            &app,
            Role::Coordinator,
            "POST",
            "/api/organisations",
            content_type,
            body.clone().into_bytes(),
        )
        .await;
        assert_problem(&reply, 415);
    }
    // With its parameters, JSON is JSON.
    let reply = send_bytes(
        &app,
        Role::Coordinator,
        "POST",
        "/api/organisations",
        Some("application/json; charset=utf-8"),
        b"{}".to_vec(),
    )
    .await;
    assert_problem(&reply, 422);
}

#[tokio::test]
async fn a_malformed_id_or_query_string_is_a_problem_not_plain_text() {
    let app = app();
    let me = Some(Role::Coordinator);
    for uri in [
        "/api/hazard-areas/not-a-uuid",
        "/api/assets/42",
        "/api/reports/xyz",
        "/api/regions/%ZZ",
        "/api/people/123",
        "/api/hazard-areas/nope/history",
    ] {
        let reply = send(&app.router, me, "GET", uri, None, &[]).await;
        assert_problem(&reply, 400);
    }
    for (uri, field) in [
        ("/api/audit?after=abc", "after"),
        ("/api/audit?colour=red", "colour"),
        ("/api/summary?nonsense=1", "nonsense"),
    ] {
        let reply = send(&app.router, me, "GET", uri, None, &[]).await;
        assert_problem(&reply, 400);
        let text = reply.body.to_string();
        assert!(text.contains(field), "{field} not named in {text}");
    }
}

#[tokio::test]
async fn a_weak_etag_in_if_match_is_412() {
    let app = app();
    let me = Some(Role::Coordinator);
    let id = template().data.hazard_areas[2].id;
    let uri = format!("/api/hazard-areas/{id}/events");
    let start = json!({"event": "start_work"});
    let reply = send(
        &app.router,
        me,
        "POST",
        &uri,
        Some(start.clone()),
        &[("if-match", "W/\"1\"")],
    )
    .await;
    assert_problem(&reply, 412);
    assert!(reply.body["detail"].as_str().unwrap_or("").contains("weak"));
    let reply = send(
        &app.router,
        me,
        "POST",
        &uri,
        Some(start),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn a_client_id_that_is_not_a_uuid_is_refused() {
    let app = app();
    let area = open_area(0);
    let ring = square_inside(area, 0.0);
    for bad in [
        "x",
        "1234",
        "not-a-uuid-at-all",
        "uuid:",
        "{0b6c1d0e-5a3e-4a52-9f1e-1f2d3c4b5a69}",
    ] {
        let mut body = daily_progress(area, &ring, false);
        body["client_id"] = json!(bad);
        let reply = file(&app, Role::TeamLeader, &body).await;
        assert_problem(&reply, 422);
        assert_eq!(reply.body["errors"][0]["field"], "client_id", "{bad}");
    }
    let mut body = daily_progress(area, &ring, false);
    body["client_id"] = json!("uuid:0b6c1d0e-5a3e-4a52-9f1e-1f2d3c4b5a69");
    let reply = file(&app, Role::TeamLeader, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

#[tokio::test]
async fn twenty_five_hours_in_a_day_and_dates_in_year_0_or_2999_are_refused() {
    let app = app();
    let area = open_area(0);
    let ring = square_inside(area, 0.0);
    let cases = [
        ("hours", json!(25)),
        ("date", json!("0000-06-01")),
        ("date", json!("2999-06-01")),
        ("date", json!("2099-06-01")),
    ];
    for (field, value) in cases {
        let mut body = daily_progress(area, &ring, false);
        body[field] = value.clone();
        let reply = file(&app, Role::TeamLeader, &body).await;
        assert_problem(&reply, 422);
        assert_eq!(reply.body["errors"][0]["field"], field, "{value}");
    }
    let mut body = daily_progress(area, &ring, false);
    body["hours"] = json!(24);
    let reply = file(&app, Role::TeamLeader, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

#[tokio::test]
async fn an_empty_or_blank_name_is_refused() {
    let app = app();
    let me = Some(Role::Coordinator);
    for blank in ["", "   ", "\t\n"] {
        let asset = json!({
            "name": blank, "kind": "bridge", "damage": "severe",
            "geometry": {"type": "Point", "coordinates": [36.5, 49.5]},
        });
        let reply = send(&app.router, me, "POST", "/api/assets", Some(asset), &[]).await;
        assert_problem(&reply, 422);
        assert_eq!(reply.body["errors"][0]["field"], "name", "{}", reply.body);
        let organisation = json!({"name": blank, "kind": "demining_operator"});
        let reply = send(
            &app.router,
            me,
            "POST",
            "/api/organisations",
            Some(organisation),
            &[],
        )
        .await;
        assert_problem(&reply, 422);
        assert_eq!(reply.body["errors"][0]["field"], "name", "{}", reply.body);
    }
    let asset = json!({
        "name": "  Bridge over the Udy  ", "kind": "bridge", "damage": "severe",
        "geometry": {"type": "Point", "coordinates": [36.5, 49.5]},
    });
    let reply = send(&app.router, me, "POST", "/api/assets", Some(asset), &[]).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["name"], "Bridge over the Udy");
}

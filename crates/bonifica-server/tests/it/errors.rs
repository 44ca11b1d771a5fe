//! Client errors are problem+json bodies that name the field: a stale ETag is 412, a
//! missing If-Match 428, invalid geometry, unknown fields and out-of-range values 422, an
//! illegal land-release transition 409; none of them is ever a 500.

use bonifica_server::Role;
use serde_json::{Value, json};

use crate::fixture::{app, send, template};

fn hazard_body() -> Value {
    json!({
        "geometry": {"type": "Polygon", "coordinates": [[[36.0, 50.0], [36.01, 50.0], [36.01, 50.01], [36.0, 50.01], [36.0, 50.0]]]},
        "contamination": "uxo", "terrain": "flat", "vegetation": "light", "density_per_ha": 2.0
    })
}

fn assert_problem(reply: &crate::fixture::Reply, status: u16, field: Option<&str>) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.headers["content-type"], "application/problem+json");
    assert_eq!(reply.body["status"], status);
    assert!(reply.body["title"].is_string() && reply.body["detail"].is_string());
    if let Some(field) = field {
        assert_eq!(reply.body["errors"][0]["field"], field, "{}", reply.body);
        assert!(reply.body["errors"][0]["problem"].is_string());
    }
}

#[tokio::test]
async fn a_stale_etag_is_412_and_a_missing_one_428() {
    let app = app();
    let id = template().data.hazard_areas[2].id;
    let uri = format!("/api/hazard-areas/{id}");
    let me = Some(Role::Coordinator);
    let read = send(&app.router, me, "GET", &uri, None, &[]).await;
    assert_eq!(read.headers["etag"], "\"1\"");
    let events = format!("{uri}/events");
    let start = json!({"event": "start_work"});
    let first = send(
        &app.router,
        me,
        "POST",
        &events,
        Some(start.clone()),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.headers["etag"], "\"2\"");
    assert_eq!(first.body["status"], "worked_on");
    let suspend = json!({"event": "suspend_work"});
    let stale = send(
        &app.router,
        me,
        "POST",
        &events,
        Some(suspend.clone()),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_problem(&stale, 412, None);
    let missing = send(&app.router, me, "POST", &events, Some(suspend), &[]).await;
    assert_problem(&missing, 428, None);
    let delete = send(
        &app.router,
        me,
        "DELETE",
        &uri,
        None,
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_problem(&delete, 412, None);
}

#[tokio::test]
async fn invalid_geometry_is_422_naming_the_geometry() {
    let app = app();
    let me = Some(Role::Coordinator);
    let cases = [
        json!({"type": "Polygon", "coordinates": [[[36.0, 50.0], [36.1, 50.0], [36.1, 50.1], [36.0, 50.1]]]}),
        json!({"type": "Polygon", "coordinates": [[[36.0, 50.0], [36.1, 50.1], [36.1, 50.0], [36.0, 50.1], [36.0, 50.0]]]}),
        json!({"type": "Polygon", "coordinates": [[[236.0, 50.0], [36.1, 50.0], [36.1, 50.1], [236.0, 50.0]]]}),
        json!({"type": "Point", "coordinates": [36.0, 50.0]}),
        json!({"type": "Polygon", "coordinates": "nonsense"}),
        json!({"coordinates": []}),
    ];
    for geometry in cases {
        let mut body = hazard_body();
        body["geometry"] = geometry.clone();
        let reply = send(
            &app.router,
            me,
            "POST",
            "/api/hazard-areas",
            Some(body),
            &[],
        )
        .await;
        assert_problem(&reply, 422, Some("geometry"));
        assert!(
            !reply.body["errors"][0]["problem"]
                .as_str()
                .unwrap_or("")
                .is_empty(),
            "{geometry}"
        );
    }
}

#[tokio::test]
async fn unknown_fields_wrong_words_and_out_of_range_values_are_422_naming_the_field() {
    let app = app();
    let me = Some(Role::Coordinator);
    let cases: [(&str, Value, &str); 6] = [
        ("colour", json!("red"), "colour"),
        ("status", json!("closed"), "status"),
        ("contamination", json!("bananas"), "contamination"),
        ("density_per_ha", json!(-1.0), "density_per_ha"),
        ("clearance_depth_cm", json!(-5), "clearance_depth_cm"),
        ("terrain", json!(7), "terrain"),
    ];
    for (key, value, field) in cases {
        let mut body = hazard_body();
        body[key] = value;
        let reply = send(
            &app.router,
            me,
            "POST",
            "/api/hazard-areas",
            Some(body),
            &[],
        )
        .await;
        assert_problem(&reply, 422, Some(field));
    }
    let mut body = hazard_body();
    body.as_object_mut().expect("object").remove("terrain");
    let reply = send(
        &app.router,
        me,
        "POST",
        "/api/hazard-areas",
        Some(body),
        &[],
    )
    .await;
    assert_problem(&reply, 422, Some("terrain"));
    let reply = send(&app.router, me, "POST", "/api/hazard-areas", None, &[]).await;
    assert_problem(&reply, 415, None);
}

#[tokio::test]
async fn an_illegal_transition_is_409_with_the_models_rule() {
    let app = app();
    let id = template().data.hazard_areas[2].id;
    let uri = format!("/api/hazard-areas/{id}/events");
    let body = json!({"event": "close", "closure_reason": "cleared"});
    let reply = send(
        &app.router,
        Some(Role::Coordinator),
        "POST",
        &uri,
        Some(body),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_problem(&reply, 409, Some("event"));
    let detail = reply.body["detail"].as_str().unwrap_or("");
    assert!(
        detail.contains("clearance needs a team to have worked the area"),
        "{detail}"
    );
}

#[tokio::test]
async fn bad_list_parameters_are_400_naming_the_parameter() {
    let app = app();
    let me = Some(Role::Coordinator);
    for (uri, field) in [
        ("/api/hazard-areas?bbox=1,2,3", "bbox"),
        ("/api/hazard-areas?bbox=40,50,35,52", "bbox"),
        ("/api/hazard-areas?page_size=0", "page_size"),
        ("/api/hazard-areas?colour=red", "colour"),
        ("/api/people?status=open", "status"),
        ("/api/hazard-areas?organisation=ORG-9999", "organisation"),
    ] {
        let reply = send(&app.router, me, "GET", uri, None, &[]).await;
        assert_problem(&reply, 400, Some(field));
    }
}

#[tokio::test]
async fn pages_follow_next_links_and_bbox_filters() {
    let app = app();
    let me = Some(Role::DefenceLiaison);
    let total = template().data.hazard_areas.len();
    let mut uri = "/api/hazard-areas?page_size=7".to_string();
    let mut seen = Vec::new();
    loop {
        let reply = send(&app.router, me, "GET", &uri, None, &[]).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body["total"], total);
        for item in reply.body["items"].as_array().expect("items") {
            seen.push(item["code"].as_str().expect("code").to_string());
        }
        match reply.body["next"].as_str() {
            Some(next) => uri = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen.len(), total);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen, "codes in order, none twice");

    let reply = send(
        &app.router,
        me,
        "GET",
        "/api/hazard-areas?bbox=0,0,1,1",
        None,
        &[],
    )
    .await;
    assert_eq!(reply.body["total"], 0);
}

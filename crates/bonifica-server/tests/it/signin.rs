//! Sign-in that reveals nothing and cannot be turned against others: an unknown user name
//! and a wrong password answer alike, failures lock out the source address and not the
//! user (on `/api/session` and ODK alike), the `Authorization` scheme is read in any case,
//! API tokens expire and are revoked at once, viewers mint none, and a crew's leader made
//! by the crew's code files the crew's reports.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use bonifica_server::users::{add_token, unit_by_code};
use bonifica_server::{Role, add_user};
use bonifica_store::NewApiToken;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

use crate::fixture::{App, app, send, template, token};
use crate::odk::basic;
use crate::reports::DATE;

const PASSWORD: &str = "s3cret-pass";
const HERE: &str = "192.0.2.1:50000";
const THERE: &str = "198.51.100.7:41000";

struct Answer {
    status: u16,
    retry_after: bool,
    body: Value,
    text: String,
}

/// Sends a request as if from `from` (the peer address `serve` would give it).
async fn call(app: &App, from: &str, req: Request<Body>) -> Answer {
    let mut req = req;
    let addr: SocketAddr = from.parse().expect("address");
    req.extensions_mut().insert(ConnectInfo(addr));
    let response = app.router.clone().oneshot(req).await.expect("responds");
    let status = response.status().as_u16();
    let retry_after = response.headers().contains_key(header::RETRY_AFTER);
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Answer {
        status,
        retry_after,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        text,
    }
}

fn login(username: &str, password: &str) -> Request<Body> {
    Request::post("/api/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"username": username, "password": password}).to_string(),
        ))
        .expect("request")
}

fn odk_form_list(authorization: &str) -> Request<Body> {
    Request::get("/odk/formList")
        .header(header::AUTHORIZATION, authorization)
        .body(Body::empty())
        .expect("request")
}

fn with_auth(method: &str, uri: &str, authorization: &str, body: Option<Value>) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, authorization)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.map_or(Body::empty(), |b| Body::from(b.to_string())))
        .expect("request")
}

/// Adds a user who signs in with [`PASSWORD`].
async fn add_password_user(
    app: &App,
    name: &str,
    role: Role,
    organisation: Option<Uuid>,
    unit: Option<Uuid>,
) {
    let name = name.to_string();
    app.state
        .with_store(move |store| {
            add_user(store, &name, role, PASSWORD, organisation, unit)
                .map_err(|e| bonifica_server::ApiError::internal(&e))
        })
        .await
        .expect("adds the user");
}

// ---- 1. the answer does not tell which user names exist ----------------------------------

#[tokio::test]
async fn an_unknown_user_name_is_answered_like_a_wrong_password() {
    let app = app();
    add_password_user(&app, "ana", Role::Coordinator, None, None).await;
    let unknown = call(&app, HERE, login("nobody-of-that-name", "guess")).await;
    let wrong = call(&app, THERE, login("ana", "guess")).await;
    assert_eq!((unknown.status, wrong.status), (401, 401));
    assert_eq!(unknown.body, wrong.body);
    let right = call(&app, THERE, login("ana", PASSWORD)).await;
    assert_eq!(right.status, 200, "{}", right.text);
}

// ---- 2. failures lock out an address, not a user -------------------------------------------

#[tokio::test]
async fn failed_sign_ins_lock_out_the_address_and_not_the_user() {
    let app = app();
    add_password_user(&app, "ana", Role::Coordinator, None, None).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(call(&app, HERE, login("ana", "guess")).await.status);
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429]);
    let limited = call(&app, HERE, login("ana", PASSWORD)).await;
    assert_eq!(limited.status, 429, "even the right password waits");
    assert!(limited.retry_after);
    assert!(
        !limited.text.contains("ana"),
        "names the user: {}",
        limited.text
    );

    // A header any client can write changes nothing.
    let mut forwarded = login("ana", PASSWORD);
    forwarded
        .headers_mut()
        .insert("x-forwarded-for", "203.0.113.9".parse().expect("header"));
    assert_eq!(call(&app, HERE, forwarded).await.status, 429);

    // A colleague behind the same address (an office, a carrier's NAT) still signs in.
    add_password_user(&app, "bogdan", Role::Viewer, None, None).await;
    let colleague = call(&app, HERE, login("bogdan", PASSWORD)).await;
    assert_eq!(colleague.status, 200, "{}", colleague.text);

    // Ana, elsewhere, is not locked out by the guesses.
    let elsewhere = call(&app, THERE, login("ana", PASSWORD)).await;
    assert_eq!(elsewhere.status, 200, "{}", elsewhere.text);
    assert_eq!(call(&app, THERE, login("ana", "typo")).await.status, 401);
}

#[tokio::test]
async fn odk_sign_in_failures_count_per_address_with_the_api_ones() {
    let app = app();
    add_password_user(
        &app,
        "ana",
        Role::TeamLeader,
        Some(template().operator),
        None,
    )
    .await;
    for _ in 0..3 {
        assert_eq!(call(&app, HERE, login("ana", "guess")).await.status, 401);
    }
    for _ in 0..2 {
        let phone = call(&app, HERE, odk_form_list(&basic("ana", "guess"))).await;
        assert_eq!(phone.status, 401, "{}", phone.text);
    }
    let phone = call(&app, HERE, odk_form_list(&basic("ana", PASSWORD))).await;
    assert_eq!(phone.status, 429, "{}", phone.text);
    assert!(phone.retry_after);
    assert!(!phone.text.contains("ana"), "{}", phone.text);
    let api = call(&app, HERE, login("ana", PASSWORD)).await;
    assert_eq!(api.status, 429);

    let other_phone = call(&app, THERE, odk_form_list(&basic("ana", PASSWORD))).await;
    assert_eq!(other_phone.status, 200, "{}", other_phone.text);
}

// ---- 3. tokens expire, are revoked, and viewers mint none ----------------------------------

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn a_viewer_may_not_mint_a_token() {
    let app = app();
    let body = Some(json!({"name": "mine"}));
    let viewer = send(
        &app.router,
        Some(Role::Viewer),
        "POST",
        "/api/tokens",
        body.clone(),
        &[],
    )
    .await;
    assert_eq!(viewer.status, 403, "{}", viewer.body);
    for role in [
        Role::Coordinator,
        Role::DefenceLiaison,
        Role::OperationsManager,
        Role::TeamLeader,
    ] {
        let reply = send(
            &app.router,
            Some(role),
            "POST",
            "/api/tokens",
            body.clone(),
            &[],
        )
        .await;
        assert_eq!(reply.status, 201, "{role:?}: {}", reply.body);
        assert_eq!(reply.body["username"], role.as_str());
    }
}

#[tokio::test]
async fn a_revoked_token_answers_401_at_once() {
    let app = app();
    let coordinator = bearer(&token(Role::Coordinator));
    let made = call(
        &app,
        HERE,
        with_auth(
            "POST",
            "/api/tokens",
            &coordinator,
            Some(json!({"name": "qgis"})),
        ),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let secret = made.body["token"].as_str().expect("secret").to_string();
    let id = made.body["id"].as_str().expect("id").to_string();
    let who = call(
        &app,
        HERE,
        with_auth("GET", "/api/session", &bearer(&secret), None),
    )
    .await;
    assert_eq!(who.status, 200, "used once, so now cached");

    let list = call(
        &app,
        HERE,
        with_auth("GET", "/api/tokens", &coordinator, None),
    )
    .await;
    assert_eq!(list.status, 200, "{}", list.text);
    let item = list.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|t| t["id"] == id.as_str())
        .expect("listed")
        .clone();
    assert_eq!(item["name"], "qgis");
    assert_eq!(item["expired"], false);
    let mut keys: Vec<&str> = item
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["created_at", "expired", "expires_at", "id", "name"]);
    assert!(!list.text.contains(&secret), "the secret is never listed");
    let hash = bonifica_server::auth::hash_token(&secret);
    assert!(!list.text.contains(&hash), "nor its hash");

    let uri = format!("/api/tokens/{id}");
    let gone = call(&app, HERE, with_auth("DELETE", &uri, &coordinator, None)).await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    let after = call(
        &app,
        HERE,
        with_auth("GET", "/api/session", &bearer(&secret), None),
    )
    .await;
    assert_eq!(after.status, 401, "revoked, cache included");
    let odk = call(&app, HERE, odk_form_list(&bearer(&secret))).await;
    assert_eq!(odk.status, 401);
    let again = call(&app, HERE, with_auth("DELETE", &uri, &coordinator, None)).await;
    assert_eq!(again.status, 404);
}

#[tokio::test]
async fn an_expired_token_answers_401() {
    let app = app();
    app.state
        .with_store(|store| {
            let user = store.user_by_name("viewer")?.expect("the viewer");
            store.create_api_token(&NewApiToken {
                token_hash: bonifica_server::auth::hash_token("expired-token"),
                user_id: user.id,
                name: "old".to_string(),
                expires_at: "2026-01-01T00:00:00Z".to_string(),
            })?;
            Ok(())
        })
        .await
        .expect("stores");
    let reply = call(
        &app,
        HERE,
        with_auth("GET", "/api/session", "Bearer expired-token", None),
    )
    .await;
    assert_eq!(reply.status, 401);
    let list = send(
        &app.router,
        Some(Role::Viewer),
        "GET",
        "/api/tokens",
        None,
        &[],
    )
    .await;
    let old = list.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|t| t["name"] == "old")
        .expect("listed until revoked")
        .clone();
    assert_eq!(old["expired"], true);
    let revoke = send(
        &app.router,
        Some(Role::Viewer),
        "DELETE",
        &format!("/api/tokens/{}", old["id"].as_str().expect("id")),
        None,
        &[],
    )
    .await;
    assert_eq!(revoke.status, 204, "a viewer revokes its own tokens");
}

#[tokio::test]
async fn a_token_lives_90_days_unless_told_1_to_365() {
    let app = app();
    let mint = |body: Value| {
        send(
            &app.router,
            Some(Role::TeamLeader),
            "POST",
            "/api/tokens",
            Some(body),
            &[],
        )
    };
    let days_left = |reply: &crate::fixture::Reply| {
        let at = reply.body["expires_at"].as_str().expect("expires_at");
        let at = chrono::DateTime::parse_from_rfc3339(at).expect("rfc 3339");
        (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours() as f64 / 24.0
    };
    let default = mint(json!({"name": "a"})).await;
    assert_eq!(default.status, 201, "{}", default.body);
    assert!(
        (89.9..=90.0).contains(&days_left(&default)),
        "{}",
        default.body
    );
    let month = mint(json!({"name": "b", "expires_in_days": 30})).await;
    assert!((29.9..=30.0).contains(&days_left(&month)), "{}", month.body);
    for days in [0, 366] {
        let refused = mint(json!({"name": "c", "expires_in_days": days})).await;
        assert_eq!(refused.status, 422, "{days}: {}", refused.body);
        assert_eq!(refused.body["errors"][0]["field"], "expires_in_days");
    }
}

#[tokio::test]
async fn a_coordinator_mints_for_a_viewer_account_and_not_for_the_defence_liaison() {
    let app = app();
    let as_coordinator = async |method: &str, uri: String, body: Option<Value>| {
        send(
            &app.router,
            Some(Role::Coordinator),
            method,
            &uri,
            body,
            &[],
        )
        .await
    };
    let made = as_coordinator(
        "POST",
        "/api/tokens".into(),
        Some(json!({"name": "gis", "username": "viewer", "expires_in_days": 30})),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.body["username"], "viewer");
    let secret = made.body["token"].as_str().expect("secret").to_string();
    let who = call(
        &app,
        HERE,
        with_auth("GET", "/api/session", &bearer(&secret), None),
    )
    .await;
    assert_eq!(who.body["role"], "viewer", "it acts as the viewer");

    let listed = as_coordinator("GET", "/api/tokens?username=viewer".into(), None).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.body["username"], "viewer");
    assert!(
        listed.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|t| t["id"] == made.body["id"])
    );

    for other in ["defence_liaison", "team_leader", "operations_manager"] {
        let refused = as_coordinator(
            "POST",
            "/api/tokens".into(),
            Some(json!({"name": "x", "username": other})),
        )
        .await;
        assert_eq!(refused.status, 403, "{other}: {}", refused.body);
    }
    let unknown = as_coordinator(
        "POST",
        "/api/tokens".into(),
        Some(json!({"name": "x", "username": "nobody"})),
    )
    .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);

    // Nobody else mints or reads another's tokens, nor revokes them.
    let ops = send(
        &app.router,
        Some(Role::OperationsManager),
        "POST",
        "/api/tokens",
        Some(json!({"name": "x", "username": "viewer"})),
        &[],
    )
    .await;
    assert_eq!(ops.status, 403, "{}", ops.body);
    let peek = send(
        &app.router,
        Some(Role::Viewer),
        "GET",
        "/api/tokens?username=coordinator",
        None,
        &[],
    )
    .await;
    assert_eq!(peek.status, 403, "{}", peek.body);
    let uri = format!("/api/tokens/{}", made.body["id"].as_str().expect("id"));
    let steal = send(
        &app.router,
        Some(Role::DefenceLiaison),
        "DELETE",
        &uri,
        None,
        &[],
    )
    .await;
    assert_eq!(steal.status, 404, "{}", steal.body);

    let revoked = as_coordinator("DELETE", uri, None).await;
    assert_eq!(revoked.status, 204, "{}", revoked.body);
    let who = call(
        &app,
        HERE,
        with_auth("GET", "/api/session", &bearer(&secret), None),
    )
    .await;
    assert_eq!(who.status, 401);
}

// ---- 4. the scheme in any case ------------------------------------------------------------

#[tokio::test]
async fn a_lower_case_bearer_scheme_is_accepted() {
    let app = app();
    let secret = token(Role::Viewer);
    for scheme in ["bearer", "BEARER", "Bearer", "bEaReR"] {
        let auth = format!("{scheme} {secret}");
        let reply = call(&app, HERE, with_auth("GET", "/api/session", &auth, None)).await;
        assert_eq!(reply.status, 200, "{scheme}: {}", reply.text);
        assert_eq!(reply.body["role"], "viewer");
        let phone = call(&app, HERE, odk_form_list(&auth)).await;
        assert_eq!(phone.status, 200, "{scheme} on odk: {}", phone.text);
    }
    add_password_user(&app, "ana", Role::Viewer, None, None).await;
    let lower_basic = basic("ana", PASSWORD).replacen("Basic", "basic", 1);
    let phone = call(&app, HERE, odk_form_list(&lower_basic)).await;
    assert_eq!(phone.status, 200, "{}", phone.text);
}

// ---- 5. a crew's leader ---------------------------------------------------------------------

#[tokio::test]
async fn a_crew_leader_made_by_the_crews_code_files_its_reconstruction_reports() {
    let app = app();
    let data = &template().data;
    let crew = data
        .crews
        .iter()
        .find(|c| c.members.len() >= 2)
        .expect("a crew with members");
    let unit = unit_by_code(data, crew.code.as_str()).expect("a crew's code is a unit");
    assert_eq!(
        (unit.id, unit.organisation_id),
        (crew.id, crew.organisation_id)
    );
    let team = data.teams.first().expect("a team");
    assert_eq!(
        unit_by_code(data, team.code.as_str()).map(|u| u.id),
        Some(team.id)
    );
    assert_eq!(unit_by_code(data, "RC-9999"), None);

    add_password_user(
        &app,
        "rita",
        Role::TeamLeader,
        Some(unit.organisation_id),
        Some(unit.id),
    )
    .await;
    let secret = app
        .state
        .with_store(|store| {
            add_token(store, "rita", "tablet", 30)
                .map(|(secret, _)| secret)
                .map_err(|e| bonifica_server::ApiError::internal(&e))
        })
        .await
        .expect("mints");
    let auth = bearer(&secret);
    let signed_in = call(&app, HERE, login("rita", PASSWORD)).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    assert_eq!(signed_in.body["user"]["team_id"], crew.id.to_string());

    // The crew's people are hers to read; another crew's are not.
    let member = crew.members[0];
    let own = call(
        &app,
        HERE,
        with_auth("GET", &format!("/api/people/{member}"), &auth, None),
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.text);
    let stranger = data
        .crews
        .iter()
        .filter(|c| c.id != crew.id)
        .flat_map(|c| c.members.iter())
        .find(|p| !crew.members.contains(p))
        .expect("someone in another crew");
    let other = call(
        &app,
        HERE,
        with_auth("GET", &format!("/api/people/{stranger}"), &auth, None),
    )
    .await;
    assert_eq!(other.status, 404, "{}", other.text);

    let map = send(
        &app.router,
        Some(Role::Coordinator),
        "GET",
        "/api/map/assets",
        None,
        &[],
    )
    .await;
    let asset = map.body["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| &f["properties"])
        .find(|p| {
            p["blocked"] == false
                && p["damage"] != "undamaged"
                && p["restricted"] == false
                && p["restored"] == false
        })
        .expect("a damaged asset blocked by nothing")
        .clone();
    let rebuild = json!({"client_id": Uuid::new_v4().to_string(), "kind": "reconstruction_progress",
        "asset_id": asset["id"], "crew_id": crew.id, "date": DATE, "percent_done": 20, "hours": 16});
    let filed = call(
        &app,
        HERE,
        with_auth("POST", "/api/reports", &auth, Some(rebuild)),
    )
    .await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let elsewhere = data
        .crews
        .iter()
        .find(|c| c.id != crew.id)
        .expect("another crew");
    let not_hers = json!({"client_id": Uuid::new_v4().to_string(), "kind": "reconstruction_progress",
        "asset_id": asset["id"], "crew_id": elsewhere.id, "date": DATE, "percent_done": 20, "hours": 16});
    let refused = call(
        &app,
        HERE,
        with_auth("POST", "/api/reports", &auth, Some(not_hers)),
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
}

//! Signing in: argon2 passwords, an HTTP-only SameSite session cookie whose writes need the
//! CSRF token, sign-out, bearer tokens, and the login rate limit.

use axum::body::Body;
use axum::http::{Request, header};
use bonifica_server::{Role, add_user, router};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::fixture::app;

async fn call(router: &axum::Router, req: Request<Body>) -> (u16, axum::http::HeaderMap, Value) {
    let response = router.clone().oneshot(req).await.expect("responds");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn login(username: &str, password: &str) -> Request<Body> {
    Request::post("/api/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"username": username, "password": password}).to_string(),
        ))
        .expect("request")
}

#[tokio::test]
async fn a_cookie_session_needs_its_csrf_token_to_write_and_ends_on_sign_out() {
    let app = app();
    app.with_store(|store| {
        add_user(store, "ana", Role::Coordinator, "s3cret-pass", None, None).expect("adds")
    });
    let router = router(app.restarted().state.clone());

    let (status, _, _) = call(&router, login("ana", "wrong")).await;
    assert_eq!(status, 401);
    let (status, headers, body) = call(&router, login("ana", "s3cret-pass")).await;
    assert_eq!(status, 200, "{body}");
    let set_cookie = headers[header::SET_COOKIE].to_str().expect("ascii");
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().expect("pair").to_string();
    let csrf = body["csrf_token"].as_str().expect("csrf token").to_string();
    assert_eq!(body["user"]["role"], "coordinator");

    let with_cookie = |method: &str, uri: &str, csrf: Option<&str>, body: Option<Value>| {
        let mut r = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::COOKIE, &cookie);
        if let Some(c) = csrf {
            r = r.header("x-csrf-token", c);
        }
        r = r.header(header::CONTENT_TYPE, "application/json");
        r.body(body.map_or(Body::empty(), |b| Body::from(b.to_string())))
            .expect("request")
    };
    let (status, _, body) = call(&router, with_cookie("GET", "/api/session", None, None)).await;
    assert_eq!((status, body["username"].as_str()), (200, Some("ana")));
    assert_eq!(
        body["csrf_token"].as_str(),
        Some(csrf.as_str()),
        "a second tab of the session reads the csrf token it writes with"
    );

    let token_body = Some(json!({"name": "export"}));
    let (status, _, _) = call(
        &router,
        with_cookie("POST", "/api/tokens", None, token_body.clone()),
    )
    .await;
    assert_eq!(status, 403, "a write without the csrf token is refused");
    let (status, _, _) = call(
        &router,
        with_cookie("POST", "/api/tokens", Some("forged"), token_body.clone()),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, body) = call(
        &router,
        with_cookie("POST", "/api/tokens", Some(&csrf), token_body),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let bearer = body["token"].as_str().expect("token").to_string();
    let req = Request::get("/api/session")
        .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
        .body(Body::empty())
        .expect("request");
    let (status, _, body) = call(&router, req).await;
    assert_eq!((status, body["role"].as_str()), (200, Some("coordinator")));
    assert!(
        body.get("csrf_token").is_none(),
        "a bearer token has no csrf: {body}"
    );

    let (status, _, _) = call(
        &router,
        with_cookie("DELETE", "/api/session", Some(&csrf), None),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _, _) = call(&router, with_cookie("GET", "/api/session", None, None)).await;
    assert_eq!(status, 401, "the session has ended");
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_rate_limited() {
    let app = app();
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let (status, headers, _) = call(&app.router, login("viewer", "guess")).await;
        if status == 429 {
            assert!(headers.contains_key(header::RETRY_AFTER));
        }
        statuses.push(status);
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429]);
}

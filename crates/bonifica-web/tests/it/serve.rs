//! `bonifica_web::router` serves index.html, hashed assets with long cache headers, app
//! routes through the SPA fallback, and leaves `/api/*` alone.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

struct Answer {
    status: StatusCode,
    content_type: String,
    cache: String,
    body: String,
}

async fn get(method: &str, path: &str) -> Answer {
    let app: axum::Router = bonifica_web::router();
    let request = Request::builder()
        .method(method)
        .uri(path)
        .body(Body::empty());
    let response = app
        .oneshot(request.expect("request"))
        .await
        .expect("response");
    let header_text = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let content_type = header_text(header::CONTENT_TYPE);
    let cache = header_text(header::CACHE_CONTROL);
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Answer {
        status,
        content_type,
        cache,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// The first `/assets/...` path referenced by index.html.
fn first_asset(index: &str) -> String {
    let start = index
        .find("/assets/")
        .expect("index.html references /assets/");
    let rest = &index[start..];
    let end = rest.find('"').expect("closing quote");
    rest[..end].to_owned()
}

#[tokio::test]
async fn root_is_the_app_and_is_revalidated() {
    let a = get("GET", "/").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.content_type, "text/html; charset=utf-8");
    assert_eq!(a.cache, bonifica_web::REVALIDATE);
    assert!(a.body.contains("<div id=\"app\">"), "{}", a.body);
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year() {
    let index = get("GET", "/").await.body;
    let path = first_asset(&index);
    let a = get("GET", &path).await;
    assert_eq!(a.status, StatusCode::OK, "{path}");
    assert!(
        a.content_type.starts_with("text/javascript") || a.content_type.starts_with("text/css")
    );
    assert_eq!(a.cache, bonifica_web::IMMUTABLE);
    let (bytes, _) = bonifica_web::asset(&path).expect("embedded");
    assert_eq!(bytes.len(), a.body.len());
}

#[tokio::test]
async fn app_routes_fall_back_to_index() {
    let a = get("GET", "/gantt").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("<div id=\"app\">"));
}

#[tokio::test]
async fn missing_files_and_api_paths_are_not_found() {
    assert_eq!(
        get("GET", "/assets/missing-0000.js").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get("GET", "/favicon.ico").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get("GET", "/api/nothing-here").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get("GET", "/api").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_reads_are_served() {
    assert_eq!(
        get("POST", "/").await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(get("HEAD", "/").await.status, StatusCode::OK);
}

/// `GET path` with the given Accept-Encoding: the status, the headers and the raw body bytes.
async fn get_encoded(
    path: &str,
    accept_encoding: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let app: axum::Router = bonifica_web::router();
    let mut request = Request::builder().uri(path);
    if let Some(value) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, value);
    }
    let response = app
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes().to_vec();
    (parts.status, parts.headers, bytes)
}

#[tokio::test]
async fn assets_go_gzipped_to_clients_that_take_gzip_and_plain_to_others() {
    use std::io::Read;
    let index = get("GET", "/").await.body;
    let path = first_asset(&index);
    let (plain, _) = bonifica_web::asset(&path).expect("embedded");

    let (status, headers, body) = get_encoded(&path, Some("gzip, deflate, br")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(headers[header::VARY], "accept-encoding");
    assert!(
        body.len() * 2 < plain.len(),
        "{path}: {} bytes gzipped, {} plain",
        body.len(),
        plain.len()
    );
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(body.as_slice())
        .read_to_end(&mut unzipped)
        .expect("a gzip stream");
    assert_eq!(unzipped, plain, "{path} unzips to the file itself");

    for refused in [None, Some("gzip;q=0"), Some("br")] {
        let (status, headers, body) = get_encoded(&path, refused).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            headers.get(header::CONTENT_ENCODING).is_none(),
            "{refused:?}"
        );
        assert_eq!(headers[header::VARY], "accept-encoding");
        assert_eq!(body, plain, "{refused:?}");
    }
}

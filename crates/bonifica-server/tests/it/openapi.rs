//! The OpenAPI document is served, is OpenAPI 3, and describes every route the router
//! serves with its method.

use bonifica_server::routes;

use crate::fixture::{app, send};

#[tokio::test]
async fn every_route_is_in_the_served_document() {
    let app = app();
    let reply = send(&app.router, None, "GET", "/api/openapi.json", None, &[]).await;
    assert_eq!(reply.status, 200);
    let doc = reply.body;
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{}",
        doc["openapi"]
    );
    let mut missing = Vec::new();
    for (method, path, _) in routes() {
        if doc["paths"][path][method].is_null() {
            missing.push(format!("{method} {path}"));
        }
    }
    assert!(missing.is_empty(), "not in the document: {missing:?}");
    let documented: usize = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|p| {
            p.as_object()
                .map_or(0, |m| m.keys().filter(|k| *k != "parameters").count())
        })
        .sum();
    assert_eq!(
        documented,
        routes().len(),
        "the document has operations no route serves"
    );
}

//! `/api/search`: codes and names of what the caller may see, best first; restricted
//! records only for the defence liaison.

use bonifica_server::Role;
use serde_json::Value;

use crate::fixture::{App, app, send, template};
use crate::reports::restricted_area;

async fn hits(app: &App, role: Role, q: &str) -> Vec<Value> {
    let reply = send(
        &app.router,
        Some(role),
        "GET",
        &format!("/api/search?q={q}&limit=100"),
        None,
        &[],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["items"].as_array().cloned().expect("items")
}

#[tokio::test]
async fn an_exact_code_comes_first_with_where_it_lies() {
    let app = app();
    let area = template()
        .data
        .hazard_areas
        .iter()
        .find(|a| !a.restricted)
        .expect("an open area");
    let found = hits(&app, Role::Viewer, area.code.as_str()).await;
    let first = &found[0];
    assert_eq!(first["code"], area.code.as_str(), "{found:?}");
    assert_eq!(first["kind"], "hazard_area");
    assert_eq!(first["href"], format!("/api/hazard-areas/{}", area.id));
    let b: Vec<f64> = first["bbox"]
        .as_array()
        .expect("a bbox")
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    assert!(b.len() == 4 && b[0] < b[2] && b[1] < b[3], "{b:?}");

    // A name finds its asset whatever its case.
    let data = &template().data;
    let asset = data
        .assets
        .iter()
        .filter(|a| !a.restricted)
        .find(|a| data.assets.iter().filter(|b| b.name == a.name).count() == 1)
        .expect("an asset with a name of its own");
    let found = hits(
        &app,
        Role::Viewer,
        &asset.name.to_uppercase().replace(' ', "%20"),
    )
    .await;
    assert!(
        found
            .iter()
            .any(|h| h["code"] == asset.code.as_str() && h["label"] == asset.name.as_str()),
        "{}: {found:?}",
        asset.name
    );
}

#[tokio::test]
async fn restricted_records_are_found_by_the_defence_liaison_only() {
    let app = app();
    let area = restricted_area();
    for role in [
        Role::Viewer,
        Role::Coordinator,
        Role::OperationsManager,
        Role::TeamLeader,
    ] {
        let found = hits(&app, role, area.code.as_str()).await;
        assert!(
            found.iter().all(|h| h["id"] != area.id.to_string()),
            "{role:?} finds {}: {found:?}",
            area.code
        );
    }
    let found = hits(&app, Role::DefenceLiaison, area.code.as_str()).await;
    assert_eq!(found[0]["id"], area.id.to_string(), "{found:?}");
}

#[tokio::test]
async fn a_short_query_or_a_wrong_limit_is_a_400_naming_it() {
    let app = app();
    for (uri, field) in [
        ("/api/search?q=H", "q"),
        ("/api/search?q=HA&limit=0", "limit"),
        ("/api/search?q=HA&limit=101", "limit"),
    ] {
        let reply = send(&app.router, Some(Role::Viewer), "GET", uri, None, &[]).await;
        assert_eq!(reply.status, 400, "{uri}: {}", reply.body);
        assert_eq!(
            reply.body["errors"][0]["field"], field,
            "{uri}: {}",
            reply.body
        );
    }
}

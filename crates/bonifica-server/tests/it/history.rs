//! Every kind of record has a history: its changes from the audit log, with who, when and
//! the fields that changed.

use bonifica_server::Role;
use serde_json::{Map, Value};

use crate::fixture::{app, send, template};

#[tokio::test]
async fn an_asset_s_history_lists_its_versions_with_the_fields_changed() {
    let app = app();
    let asset = template()
        .data
        .assets
        .iter()
        .find(|a| !a.restricted)
        .expect("an asset");
    let uri = format!("/api/assets/{}", asset.id);
    let me = Some(Role::Coordinator);
    let history = format!("{uri}/history");
    let before = send(&app.router, me, "GET", &history, None, &[]).await;
    assert_eq!(before.status, 200, "{}", before.body);
    assert_eq!(before.body["code"], asset.code.as_str());
    let first = before.body["changes"].as_array().expect("changes").len();

    for (n, name) in ["Bridge over the Oskil", "Bridge over the Oskil (east span)"]
        .into_iter()
        .enumerate()
    {
        let read = send(&app.router, me, "GET", &uri, None, &[]).await;
        let etag = read.headers["etag"].to_str().unwrap().to_string();
        let keys = [
            "code",
            "region_id",
            "name",
            "kind",
            "geometry",
            "damage",
            "repair",
            "population_served",
            "network_share",
            "depends_on",
            "restricted",
            "restored",
        ];
        let mut body: Map<String, Value> = keys
            .iter()
            .filter_map(|k| Some((k.to_string(), read.body.get(*k)?.clone())))
            .collect();
        body.insert("name".into(), Value::from(name));
        let put = send(
            &app.router,
            me,
            "PUT",
            &uri,
            Some(Value::Object(body)),
            &[("if-match", etag.as_str())],
        )
        .await;
        assert_eq!(put.status, 200, "edit {n}: {}", put.body);
    }
    let after = send(&app.router, me, "GET", &history, None, &[]).await;
    let changes = after.body["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), first + 2, "{}", after.body);
    let last = &changes[changes.len() - 1];
    assert_eq!(last["actor"], "coordinator");
    assert_eq!(last["action"], "update");
    assert_eq!(last["after"]["name"], "Bridge over the Oskil (east span)");
    assert_eq!(last["before"]["name"], "Bridge over the Oskil");
    assert!(
        last["changed"]
            .as_array()
            .expect("changed")
            .iter()
            .any(|f| f == "name"),
        "{last}"
    );

    // A restricted asset's history is not found for a viewer, as the asset is not.
    let hidden = template()
        .data
        .assets
        .iter()
        .find(|a| a.restricted)
        .expect("a restricted asset");
    let reply = send(
        &app.router,
        Some(Role::Viewer),
        "GET",
        &format!("/api/assets/{}/history", hidden.id),
        None,
        &[],
    )
    .await;
    assert_eq!(reply.status, 404, "{}", reply.body);
}

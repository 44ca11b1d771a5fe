//! Restricted records reach only the defence liaison, through the side doors too: the
//! audit log, record codes (a refused code, the next code, gaps in a list) and the refusal
//! of a reconstruction report on a blocked asset. Each test reproduces a leak found by a
//! probe, as the coordinator or the viewer sees it.

use std::collections::BTreeSet;

use bonifica_server::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fixture::{App, Reply, app, send, template};
use crate::reports::{
    DATE, add_leader, clear_spot, daily_progress, filed, polygon, restricted_area, send_as, square,
    square_inside,
};

async fn post(app: &App, role: Role, uri: &str, body: Value) -> Reply {
    send(&app.router, Some(role), "POST", uri, Some(body), &[]).await
}

/// A hazard area of a small square at `(lon, lat)`.
fn area_body(lon: f64, lat: f64) -> Value {
    json!({
        "geometry": polygon(&square(lon, lat, 0.0005)),
        "contamination": "ap_mines", "terrain": "flat", "vegetation": "light",
    })
}

/// A damaged bridge at `(lon, lat)`.
fn bridge_body(lon: f64, lat: f64) -> Value {
    json!({
        "name": "Bridge", "kind": "bridge", "damage": "severe",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "repair": [{"trade": "bridges", "person_days": 40}],
    })
}

/// Every record of a collection `role` may list, following the pages.
async fn listed(app: &App, role: Role, collection: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut uri = format!("{collection}?page_size=1000");
    loop {
        let reply = send(&app.router, Some(role), "GET", &uri, None, &[]).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        items.extend(reply.body["items"].as_array().cloned().unwrap_or_default());
        match reply.body["next"].as_str() {
            Some(next) => uri = next.to_string(),
            None => return items,
        }
    }
}

/// The numbers of the codes of `items` with prefix `prefix` (`HA`).
fn numbers(items: &[Value], prefix: &str) -> BTreeSet<u32> {
    items
        .iter()
        .filter_map(|i| i["code"].as_str()?.strip_prefix(prefix)?.strip_prefix('-'))
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// The probe's records, made by the defence liaison: a military structure, a restricted
/// hazard area and work started on the template's restricted area. Returns their ids.
async fn secrets(app: &App) -> Vec<String> {
    let (x, y) = clear_spot();
    let mut bunker = bridge_body(x, y);
    bunker["name"] = json!("SECRET BUNKER Z");
    bunker["kind"] = json!("military_structure");
    let bunker = post(app, Role::DefenceLiaison, "/api/assets", bunker).await;
    assert_eq!(bunker.status, 201, "{}", bunker.body);
    let mut area = area_body(x + 0.01, y);
    area["restricted"] = json!(true);
    area["evidence"] = json!("SECRET-HA-EVIDENCE");
    let area = post(app, Role::DefenceLiaison, "/api/hazard-areas", area).await;
    assert_eq!(area.status, 201, "{}", area.body);
    let worked = restricted_area();
    let uri = format!("/api/hazard-areas/{}", worked.id);
    let got = send(
        &app.router,
        Some(Role::DefenceLiaison),
        "GET",
        &uri,
        None,
        &[],
    )
    .await;
    let etag = got.headers["etag"].to_str().expect("an etag").to_string();
    let started = send(
        &app.router,
        Some(Role::DefenceLiaison),
        "POST",
        &format!("{uri}/events"),
        Some(json!({"event": "start_work"})),
        &[("if-match", etag.as_str())],
    )
    .await;
    assert_eq!(started.status, 200, "{}", started.body);
    vec![
        bunker.body["id"].as_str().expect("an id").to_string(),
        area.body["id"].as_str().expect("an id").to_string(),
        worked.id.to_string(),
    ]
}

/// The ids and codes of every restricted record of the template.
fn restricted_names() -> Vec<String> {
    let d = &template().data;
    let areas = d
        .hazard_areas
        .iter()
        .filter(|a| a.restricted)
        .map(|a| (a.id, a.code.to_string()));
    let assets = d
        .assets
        .iter()
        .filter(|a| a.restricted || a.kind == bonifica_model::AssetKind::MilitaryStructure)
        .map(|a| (a.id, a.code.to_string()));
    areas
        .chain(assets)
        .flat_map(|(id, code)| [id.to_string(), code])
        .collect()
}

async fn audit(app: &App, role: Role, query: &str) -> Reply {
    let uri = format!("/api/audit?{query}");
    send(&app.router, Some(role), "GET", &uri, None, &[]).await
}

#[tokio::test]
async fn the_audit_log_shows_the_coordinator_no_restricted_record() {
    let app = app();
    let ids = secrets(&app).await;
    // A visible change after them, so the coordinator's page is not only the import.
    let (x, y) = clear_spot();
    let visible = post(
        &app,
        Role::Coordinator,
        "/api/hazard-areas",
        area_body(x, y + 0.01),
    )
    .await;
    assert_eq!(visible.status, 201, "{}", visible.body);

    let defence = audit(&app, Role::DefenceLiaison, "last=1000").await;
    assert_eq!(defence.status, 200, "{}", defence.body);
    let everything = defence.body.to_string();
    assert!(everything.contains("SECRET BUNKER Z") && everything.contains("SECRET-HA-EVIDENCE"));

    let coordinator = audit(&app, Role::Coordinator, "last=1000").await;
    assert_eq!(coordinator.status, 200, "{}", coordinator.body);
    let text = coordinator.body.to_string();
    assert!(!text.contains("SECRET"), "{text}");
    for name in ids.iter().cloned().chain(restricted_names()) {
        assert!(!text.contains(&format!("\"{name}\"")), "{name} in {text}");
    }
    let entries = coordinator.body["entries"].as_array().expect("entries");
    assert!(
        entries.iter().any(|e| e["entity_id"] == visible.body["id"]),
        "the visible change is there"
    );
    // The bulk import gives no counts of the tables that hold restricted records.
    let import = &entries[0];
    assert_eq!(import["entity"], "dataset");
    let added = import["after"]["added"].as_object().expect("counts");
    assert!(added.contains_key("organisations"));
    for table in ["hazard_areas", "assets"] {
        assert!(!added.contains_key(table), "{table}: {import}");
    }
    assert!(
        defence.body["entries"][0]["after"]["added"]["hazard_areas"].is_u64(),
        "the defence liaison still sees every count"
    );
    // Withheld entries leave only gaps in the sequence; the chain is the whole log's.
    let seqs = |b: &Value| -> Vec<u64> {
        b["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["seq"].as_u64())
            .collect()
    };
    assert_eq!(
        seqs(&defence.body).len() - seqs(&coordinator.body).len(),
        3,
        "the three secret changes are withheld"
    );
    for key in ["total", "head", "anchor"] {
        assert_eq!(coordinator.body[key], defence.body[key], "{key}");
    }
}

#[tokio::test]
async fn audit_pages_hold_the_visible_entries_asked_for_in_order() {
    let app = app();
    let (x, y) = clear_spot();
    // Visible and restricted changes interleaved.
    for i in 0..4 {
        let lon = x + 0.003 * f64::from(i);
        let visible = post(
            &app,
            Role::Coordinator,
            "/api/hazard-areas",
            area_body(lon, y),
        )
        .await;
        assert_eq!(visible.status, 201, "{}", visible.body);
        let mut secret = area_body(lon, y + 0.003);
        secret["restricted"] = json!(true);
        let secret = post(&app, Role::DefenceLiaison, "/api/hazard-areas", secret).await;
        assert_eq!(secret.status, 201, "{}", secret.body);
    }
    let seqs = |b: &Value| -> Vec<u64> {
        b["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["seq"].as_u64())
            .collect()
    };
    let all = audit(&app, Role::Coordinator, "last=1000").await;
    let all = seqs(&all.body);
    assert_eq!(all.len(), 5, "the import and four visible creates: {all:?}");
    let last = audit(&app, Role::Coordinator, "last=2").await;
    assert_eq!(seqs(&last.body), all[3..], "the newest two visible entries");
    let mut paged = Vec::new();
    let mut after = 0;
    loop {
        let page = audit(&app, Role::Coordinator, &format!("after={after}&limit=2")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let page = seqs(&page.body);
        let Some(&end) = page.last() else {
            break;
        };
        assert!(
            page.len() == 2 || paged.len() + page.len() == all.len(),
            "{page:?}"
        );
        paged.extend(page);
        after = end;
    }
    assert_eq!(paged, all, "pages hold every visible entry once, in order");
}

#[tokio::test]
async fn a_restricted_records_code_is_refused_as_any_malformed_code() {
    let app = app();
    let d = &template().data;
    let restricted = d
        .hazard_areas
        .iter()
        .find(|a| a.restricted && a.code.as_str().starts_with("HAR-"))
        .expect("a restricted area of the generator, in its own series");
    let (x, y) = clear_spot();
    let mut details = Vec::new();
    for (i, code) in [restricted.code.as_str(), "HAR-9999", "AS-0005"]
        .into_iter()
        .enumerate()
    {
        let mut body = area_body(x + 0.003 * i as f64, y);
        body["code"] = json!(code);
        for role in [Role::Coordinator, Role::Viewer] {
            let reply = post(&app, role, "/api/hazard-areas", body.clone()).await;
            if role == Role::Viewer {
                assert_eq!(reply.status, 403, "{}", reply.body);
                continue;
            }
            assert_eq!(reply.status, 422, "{code}: {}", reply.body);
            assert_eq!(reply.body["errors"][0]["field"], "code");
            let detail = reply.body["detail"].as_str().unwrap_or_default();
            let detail = detail.replace(code, "CODE");
            assert!(
                !detail.contains("stored") && !detail.contains("HAR"),
                "{detail}"
            );
            details.push(detail);
        }
    }
    assert!(details.windows(2).all(|w| w[0] == w[1]), "{details:?}");
    // An unused code of the visible series is taken.
    let mut body = area_body(x, y + 0.003);
    body["code"] = json!("HA-9999");
    let reply = post(&app, Role::Coordinator, "/api/hazard-areas", body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

#[tokio::test]
async fn a_new_code_is_one_above_the_highest_of_its_own_series() {
    let app = app();
    let (x, y) = clear_spot();
    for (collection, prefix, body) in [
        ("/api/hazard-areas", "HA", area_body(x, y)),
        ("/api/assets", "AS", bridge_body(x + 0.003, y)),
    ] {
        let seen = numbers(&listed(&app, Role::Coordinator, collection).await, prefix);
        let highest = seen.last().copied().expect("codes");
        let reply = post(&app, Role::Coordinator, collection, body.clone()).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        assert_eq!(
            reply.body["code"],
            format!("{prefix}-{:04}", highest + 1),
            "the visible series does not jump over restricted records"
        );
        let every = listed(&app, Role::DefenceLiaison, collection).await;
        let restricted = numbers(&every, &format!("{prefix}R"));
        let mut secret = body;
        secret["restricted"] = json!(true);
        secret["geometry"] = match collection {
            "/api/assets" => json!({"type": "Point", "coordinates": [x + 0.006, y]}),
            _ => polygon(&square(x + 0.009, y, 0.0005)),
        };
        let reply = post(&app, Role::DefenceLiaison, collection, secret).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        let next = restricted.last().copied().unwrap_or(0) + 1;
        assert_eq!(reply.body["code"], format!("{prefix}R-{next:04}"));
    }
}

#[tokio::test]
async fn a_viewer_sees_no_gaps_where_restricted_records_are() {
    let app = app();
    let d = &template().data;
    // Records the fixture made restricted after generating keep their codes, as a record
    // made restricted does: their gaps are a deleted record's.
    let made_restricted: BTreeSet<String> = d
        .hazard_areas
        .iter()
        .filter(|a| a.restricted)
        .map(|a| a.code.to_string())
        .chain(
            d.assets
                .iter()
                .filter(|a| a.restricted || a.kind == bonifica_model::AssetKind::MilitaryStructure)
                .map(|a| a.code.to_string()),
        )
        .filter(|c| !c.starts_with("HAR-") && !c.starts_with("ASR-"))
        .collect();
    assert!(made_restricted.len() <= 2, "{made_restricted:?}");
    for (collection, prefix) in [("/api/hazard-areas", "HA"), ("/api/assets", "AS")] {
        let seen = numbers(&listed(&app, Role::Viewer, collection).await, prefix);
        let highest = seen.last().copied().expect("codes");
        let gaps: Vec<String> = (1..=highest)
            .filter(|n| !seen.contains(n))
            .map(|n| format!("{prefix}-{n:04}"))
            .collect();
        assert!(
            gaps.iter().all(|g| made_restricted.contains(g)),
            "{collection}: gaps {gaps:?}"
        );
    }
    let restricted_areas = d.hazard_areas.iter().filter(|a| a.restricted).count();
    assert!(
        restricted_areas > made_restricted.len(),
        "the generator made restricted areas"
    );
}

#[tokio::test]
async fn malformed_codes_are_refused_naming_the_rule() {
    let app = app();
    let (x, y) = clear_spot();
    let long = format!("HA-{}", "1".repeat(10_000));
    for code in ["AS-0005", "HA-0", "HA-", "HA-0000", long.as_str()] {
        let mut body = area_body(x, y);
        body["code"] = json!(code);
        let reply = post(&app, Role::Coordinator, "/api/hazard-areas", body).await;
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert_eq!(reply.body["errors"][0]["field"], "code");
        let detail = reply.body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("4 to 9 digits, not all zeros"), "{detail}");
        assert!(
            detail.len() < 300,
            "the message does not echo a long code whole"
        );
    }
}

#[tokio::test]
async fn a_record_keeps_its_code_when_it_becomes_restricted_and_takes_only_its_series() {
    let app = app();
    let (x, y) = clear_spot();
    let made = post(
        &app,
        Role::DefenceLiaison,
        "/api/hazard-areas",
        area_body(x, y),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let code = made.body["code"].as_str().expect("a code").to_string();
    assert!(code.starts_with("HA-"), "{code}");
    let uri = format!(
        "/api/hazard-areas/{}",
        made.body["id"].as_str().unwrap_or("")
    );
    let mut body = area_body(x, y);
    body["restricted"] = json!(true);
    let put = |body: Value, version: &'static str| {
        let (router, uri) = (app.router.clone(), uri.clone());
        async move {
            send(
                &router,
                Some(Role::DefenceLiaison),
                "PUT",
                &uri,
                Some(body),
                &[("if-match", version)],
            )
            .await
        }
    };
    let flipped = put(body.clone(), "\"1\"").await;
    assert_eq!(flipped.status, 200, "{}", flipped.body);
    assert_eq!(flipped.body["code"], code.as_str(), "the code is kept");
    // A new code must be of the series of a restricted area.
    body["code"] = json!("HA-9998");
    let refused = put(body.clone(), "\"2\"").await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("HAR-")
    );
    body["code"] = json!("HAR-9998");
    let renamed = put(body, "\"2\"").await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.body["code"], "HAR-9998");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_without_a_code_get_distinct_codes() {
    let app = app();
    let (x, y) = clear_spot();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let router = app.router.clone();
        let body = area_body(x + 0.002 * f64::from(i % 5), y + 0.002 * f64::from(i / 5));
        tasks.push(tokio::spawn(async move {
            send(
                &router,
                Some(Role::Coordinator),
                "POST",
                "/api/hazard-areas",
                Some(body),
                &[],
            )
            .await
        }));
    }
    let mut codes = BTreeSet::new();
    for task in tasks {
        let reply = task.await.expect("the request runs");
        assert_eq!(reply.status, 201, "{}", reply.body);
        codes.insert(reply.body["code"].as_str().expect("a code").to_string());
    }
    assert_eq!(codes.len(), 20, "{codes:?}");
}

#[tokio::test]
async fn reports_on_restricted_land_are_numbered_in_their_own_series() {
    let app = app();
    let visible_area = crate::reports::open_area(0);
    let first = filed(
        &app,
        Role::TeamLeader,
        &daily_progress(visible_area, &square_inside(visible_area, 0.0), false),
    )
    .await;
    let area = restricted_area();
    let mut secret = daily_progress(area, &square_inside(area, 0.0), false);
    secret["team_id"] = json!(
        template()
            .data
            .teams
            .iter()
            .find(|t| t.organisation_id != template().operator)
            .expect("a team of another organisation")
            .id
    );
    let secret = filed(&app, Role::DefenceLiaison, &secret).await;
    let second = filed(
        &app,
        Role::TeamLeader,
        &daily_progress(visible_area, &square_inside(visible_area, 1.0), false),
    )
    .await;
    assert_eq!(first["code"], "RPT-000001");
    assert_eq!(secret["code"], "RPTR-000001");
    assert_eq!(
        second["code"], "RPT-000002",
        "no gap where the restricted report is"
    );
}

#[tokio::test]
async fn a_blocked_asset_is_refused_without_naming_or_counting_restricted_areas() {
    let app = app();
    let (x, y) = clear_spot();
    // A restricted area 70 m west of a damaged bridge, within the 50 m gating distance.
    let mut secret = area_body(x - 0.0011, y);
    secret["restricted"] = json!(true);
    let secret = post(&app, Role::DefenceLiaison, "/api/hazard-areas", secret).await;
    assert_eq!(secret.status, 201, "{}", secret.body);
    let bridge = post(&app, Role::Coordinator, "/api/assets", bridge_body(x, y)).await;
    assert_eq!(bridge.status, 201, "{}", bridge.body);
    let crew = template().data.crews.first().expect("a crew");
    add_leader(
        &app,
        "crew-leader",
        crew.organisation_id,
        crew.id,
        "crew-token",
    )
    .await;
    let rebuild = || {
        json!({"client_id": Uuid::new_v4().to_string(), "kind": "reconstruction_progress",
        "asset_id": bridge.body["id"], "crew_id": crew.id, "date": DATE, "percent_done": 10, "hours": 8})
    };
    let reply = send_as(&app, "crew-token", "POST", "/api/reports", Some(rebuild())).await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    let detail = reply.body["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(detail.contains("land not yet released"), "{detail}");
    assert!(
        !detail.contains("restricted") && !detail.contains("1 "),
        "{detail}"
    );

    // With a visible area east of it too, the refusal names that one only.
    let visible = post(
        &app,
        Role::Coordinator,
        "/api/hazard-areas",
        area_body(x + 0.0011, y),
    )
    .await;
    assert_eq!(visible.status, 201, "{}", visible.body);
    let reply = send_as(&app, "crew-token", "POST", "/api/reports", Some(rebuild())).await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    let detail = reply.body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(visible.body["code"].as_str().unwrap_or("?")),
        "{detail}"
    );
    let secret_code = secret.body["code"].as_str().unwrap_or("?");
    assert!(
        !detail.contains("restricted") && !detail.contains(secret_code),
        "{detail}"
    );
}

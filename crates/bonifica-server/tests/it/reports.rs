//! Field reports over HTTP: every kind through every legal step, illegal steps refused
//! naming the state and the action, approvals cutting released land out of hazard areas
//! (or changing nothing when they do not fit), assets unblocked when their last blocking
//! hazard area is released, idempotent filing, stale versions, batches, victims' privacy,
//! drafts edited with `If-Match`, and a hazard area's history.

use bonifica_model::{HazardArea, HazardStatus, Polygonal};
use bonifica_server::Role;
use bonifica_store::NewApiToken;
use geo::{Contains, InteriorPoint};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fixture::{App, Reply, app, send, template, token};

// ---- helpers shared with the other report tests ------------------------------------------

/// The date of information the tests file reports for.
pub const DATE: &str = "2026-11-24";

/// Open, unrestricted hazard areas of the template: the `n`th.
pub fn open_area(n: usize) -> &'static HazardArea {
    template()
        .data
        .hazard_areas
        .iter()
        .filter(|a| !a.restricted && a.status() == HazardStatus::Open && a.area_m2() > 5_000.0)
        .nth(n)
        .expect("enough open hazard areas")
}

/// The template's restricted hazard area, open.
pub fn restricted_area() -> &'static HazardArea {
    template()
        .data
        .hazard_areas
        .iter()
        .find(|a| a.restricted && !a.status().is_released())
        .expect("a restricted hazard area")
}

/// A closed square ring of `half` degrees around `(lon, lat)`.
pub fn square(lon: f64, lat: f64, half: f64) -> Vec<[f64; 2]> {
    vec![
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
}

/// A small square well inside the area, shifted by `offset` squares eastwards.
pub fn square_inside(area: &HazardArea, offset: f64) -> Vec<[f64; 2]> {
    let mp = area.geometry().as_multi_polygon();
    let p = mp.interior_point().expect("an interior point");
    let mut half = 0.0002;
    loop {
        let ring = square(p.x() + offset * 2.0 * half, p.y(), half);
        let poly = geo_types::Polygon::new(ring.iter().map(|c| (c[0], c[1])).collect(), vec![]);
        if mp.contains(&poly) {
            return ring;
        }
        half /= 2.0;
        assert!(half > 1e-7, "no square fits in {}", area.code);
    }
}

/// A GeoJSON polygon of one ring.
pub fn polygon(ring: &[[f64; 2]]) -> Value {
    json!({"type": "Polygon", "coordinates": [ring]})
}

/// The geodesic area of one ring, m².
pub fn m2(ring: &[[f64; 2]]) -> f64 {
    Polygonal::from_raw(&[vec![ring.to_vec()]])
        .expect("valid ring")
        .area_m2()
}

/// A daily progress report clearing `ring` on `area`, for the template's team.
pub fn daily_progress(area: &HazardArea, ring: &[[f64; 2]], submit: bool) -> Value {
    json!({
        "client_id": Uuid::new_v4().to_string(),
        "kind": "daily_progress",
        "submit": submit,
        "hazard_area_id": area.id,
        "team_id": template().team,
        "date": DATE,
        "worked": polygon(ring),
        "cancelled_m2": 0,
        "reduced_m2": 0,
        "cleared_m2": m2(ring),
        "hours": 6,
        "ordnance": [{"category": "ap_mine", "count": 2, "disposal": "destroyed_in_situ"}],
    })
}

/// Files a report as `role`.
pub async fn file(app: &App, role: Role, body: &Value) -> Reply {
    send(
        &app.router,
        Some(role),
        "POST",
        "/api/reports",
        Some(body.clone()),
        &[],
    )
    .await
}

/// Files a report that must be accepted, and returns it.
pub async fn filed(app: &App, role: Role, body: &Value) -> Value {
    let reply = file(app, role, body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body
}

/// Takes a step as `role`.
pub async fn step(app: &App, role: Role, id: &Value, action: &str, comment: Option<&str>) -> Reply {
    let mut body = json!({ "action": action });
    if let Some(c) = comment {
        body["comment"] = json!(c);
    }
    let uri = format!("/api/reports/{}/transitions", id.as_str().expect("an id"));
    send(&app.router, Some(role), "POST", &uri, Some(body), &[]).await
}

/// Takes a step that must succeed; returns the answer (`report`, `effect`).
pub async fn stepped(app: &App, role: Role, id: &Value, action: &str) -> Value {
    let reply = step(app, role, id, action, Some("checked")).await;
    assert_eq!(reply.status, 200, "{action} by {role:?}: {}", reply.body);
    reply.body
}

/// Reads a record as `role`.
pub async fn get(app: &App, role: Role, uri: &str) -> Reply {
    send(&app.router, Some(role), "GET", uri, None, &[]).await
}

/// Adds a user leading `unit` (a team or a crew) with a bearer token `token`.
pub async fn add_leader(app: &App, name: &str, organisation: Uuid, unit: Uuid, token: &str) {
    add_user(
        app,
        name,
        Role::TeamLeader,
        Some(organisation),
        Some(unit),
        token,
    )
    .await;
}

/// Adds a user with a bearer token `token`.
pub async fn add_user(
    app: &App,
    name: &str,
    role: Role,
    organisation: Option<Uuid>,
    unit: Option<Uuid>,
    token: &str,
) {
    let (name, token) = (name.to_string(), token.to_string());
    app.state
        .with_store(move |store| {
            let user = store.add_user(&bonifica_store::NewUser {
                username: name.clone(),
                password_hash: "not-a-hash".to_string(),
                role: role.as_str().to_string(),
                organisation_id: organisation,
                team_id: unit,
            })?;
            store.create_api_token(&NewApiToken {
                token_hash: bonifica_server::auth::hash_token(&token),
                user_id: user.id,
                name: "tests".to_string(),
                expires_at: "2099-01-01T00:00:00Z".to_string(),
            })?;
            Ok(())
        })
        .await
        .expect("adds the leader");
}

/// Sends a request with a bearer token of a user added by a test.
pub async fn send_as(
    app: &App,
    token: &str,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> Reply {
    let auth = format!("Bearer {token}");
    send(
        &app.router,
        None,
        method,
        uri,
        body,
        &[("authorization", auth.as_str())],
    )
    .await
}

/// Entries in the audit log, checking the chain holds.
pub async fn audit_entries(app: &App) -> u64 {
    app.state
        .with_store(|store| Ok(store.verify_audit()?.entries))
        .await
        .expect("the audit chain holds")
}

/// A crew whose leader files reconstruction reports, and an asset it may rebuild now: damaged,
/// visible to all, blocked by nothing.
async fn crew_and_free_asset(app: &App) -> (Uuid, Value) {
    let crew = template().data.crews.first().expect("a crew");
    add_leader(
        app,
        "crew-leader",
        crew.organisation_id,
        crew.id,
        "crew-token",
    )
    .await;
    let org = Some(crew.organisation_id);
    add_user(
        app,
        "crew-ops",
        Role::OperationsManager,
        org,
        None,
        "crew-ops-token",
    )
    .await;
    let map = get(app, Role::Coordinator, "/api/map/assets").await;
    assert_eq!(map.status, 200);
    let free = map.body["features"]
        .as_array()
        .expect("as sent")
        .iter()
        .find(|f| {
            let p = &f["properties"];
            p["blocked"] == false
                && p["damage"] != "undamaged"
                && p["restricted"] == false
                && p["restored"] == false
        })
        .expect("a damaged asset blocked by nothing")["properties"]
        .clone();
    (crew.id, free)
}

// ---- the workflow ---------------------------------------------------------------------

/// Takes a filed draft through submit, reject, revise, submit, verify, reject, revise,
/// submit, verify and approve, checking each state; returns the approval's answer. The
/// leader and the operations manager act with the bearer tokens given.
async fn full_path(app: &App, leader: &str, ops: &str, report: &Value) -> Value {
    let id = report["id"].as_str().expect("as sent");
    assert_eq!(report["state"], "draft");
    let uri = format!("/api/reports/{id}/transitions");
    let coordinator = token(Role::Coordinator);
    let mut states = Vec::new();
    for (who, action, comment) in [
        (leader, "submit", None),
        (ops, "reject", Some("recount the mines")),
        (leader, "revise", None),
        (leader, "submit", None),
        (ops, "verify", None),
        (
            coordinator.as_str(),
            "reject",
            Some("the polygon is too coarse"),
        ),
        (leader, "revise", None),
        (leader, "submit", None),
        (ops, "verify", None),
        (coordinator.as_str(), "approve", None),
    ] {
        offered_is_taken(app, id, &[leader, ops, coordinator.as_str()], (who, action)).await;
        let body = json!({"action": action, "comment": comment});
        let reply = send_as(app, who, "POST", &uri, Some(body)).await;
        assert_eq!(reply.status, 200, "{action} by {who}: {}", reply.body);
        let offered = reply.body["report"]["actions"].as_array().expect("as sent");
        assert!(
            offered.iter().all(|a| a.is_string()),
            "actions are words: {offered:?}"
        );
        states.push(
            reply.body["report"]["state"]
                .as_str()
                .expect("as sent")
                .to_string(),
        );
        if action != "approve" {
            assert!(reply.body.get("effect").is_none(), "{}", reply.body);
            continue;
        }
        assert_eq!(
            states,
            [
                "submitted",
                "rejected",
                "draft",
                "submitted",
                "verified",
                "rejected",
                "draft",
                "submitted",
                "verified",
                "approved"
            ]
        );
        let transitions = reply.body["report"]["transitions"]
            .as_array()
            .expect("as sent");
        assert_eq!(transitions.len(), 10);
        assert_eq!(transitions[1]["comment"], "recount the mines");
        assert_eq!(transitions[5]["role"], "coordinator");
        assert_eq!(transitions[9]["from"], "verified");
        assert_eq!(transitions[9]["to"], "approved");
        assert_eq!(
            reply.body["report"]["approvals"][0]["approver"],
            "civil_authority"
        );
        assert!(reply.body["effect"].is_object(), "{}", reply.body);
        return reply.body;
    }
    unreachable!("the path ends with an approval")
}

/// Each of `who` reads the report's `actions`; every action not offered is refused
/// (and changes nothing), and the one the path takes next was offered to its taker.
async fn offered_is_taken(app: &App, id: &str, who: &[&str], next: (&str, &str)) {
    let uri = format!("/api/reports/{id}/transitions");
    for &token in who {
        let read = send_as(app, token, "GET", &format!("/api/reports/{id}"), None).await;
        assert_eq!(read.status, 200, "{}", read.body);
        let offered: Vec<&str> = read.body["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if token == next.0 {
            assert!(
                offered.contains(&next.1),
                "{} is not offered at {}: {offered:?}",
                next.1,
                read.body["state"]
            );
        }
        for action in ["submit", "verify", "approve", "reject", "revise"] {
            if offered.contains(&action) {
                continue;
            }
            let body = json!({"action": action, "comment": "not offered"});
            let reply = send_as(app, token, "POST", &uri, Some(body)).await;
            assert!(
                matches!(reply.status.as_u16(), 403 | 409),
                "{action} was not offered at {} yet answered {}: {}",
                read.body["state"],
                reply.status,
                reply.body
            );
        }
    }
}

#[tokio::test]
async fn every_kind_goes_through_every_legal_step() {
    let app = app();
    let area = open_area(0);
    let (tl, om) = (token(Role::TeamLeader), token(Role::OperationsManager));
    let inside = square_inside(area, 0.0);
    let p = area.geometry().as_multi_polygon().interior_point().unwrap();

    // Daily progress: the area is worked on and shrinks.
    let r = filed(
        &app,
        Role::TeamLeader,
        &daily_progress(area, &inside, false),
    )
    .await;
    assert_eq!(r["code"].as_str().unwrap().len(), "RPT-000001".len());
    let a = full_path(&app, &tl, &om, &r).await;
    assert_eq!(a["effect"]["hazard_area"]["status"], "worked_on");
    assert!((a["effect"]["released_m2"].as_f64().unwrap() - m2(&inside)).abs() < 1.0);

    let common = |kind: &str| {
        json!({"client_id": Uuid::new_v4().to_string(), "kind": kind,
               "hazard_area_id": area.id, "team_id": template().team, "date": DATE})
    };
    let with = |mut v: Value, extra: Value| {
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    // Surveys confirm the area: it is (or stays) a CHA.
    let nts = with(
        common("non_technical_survey"),
        json!({"outcome": "confirmed", "evidence": "mine signs"}),
    );
    let a = full_path(&app, &tl, &om, &filed(&app, Role::TeamLeader, &nts).await).await;
    assert_eq!(a["effect"]["hazard_area"]["classification"], "CHA");
    let ts = with(
        common("technical_survey"),
        json!({"outcome": "confirmed", "evidence": "two finds",
        "ordnance": [{"category": "uxo", "count": 1, "disposal": "removed"}]}),
    );
    let a = full_path(&app, &tl, &om, &filed(&app, Role::TeamLeader, &ts).await).await;
    assert_eq!(a["effect"]["hazard_area"]["classification"], "CHA");
    // Completion closes what remains as cleared; handover hands it over.
    let remaining = a["effect"]["hazard_area"]["remaining_m2"].as_f64().unwrap();
    let completion = with(
        common("completion"),
        json!({"cleared_m2": remaining, "depth_cm": 13, "summary": "done"}),
    );
    let a = full_path(
        &app,
        &tl,
        &om,
        &filed(&app, Role::TeamLeader, &completion).await,
    )
    .await;
    assert_eq!(a["effect"]["hazard_area"]["status"], "closed");
    assert_eq!(a["effect"]["hazard_area"]["closure_reason"], "cleared");
    assert_eq!(a["effect"]["hazard_area"]["remaining_m2"], 0.0);
    let mut handover = common("handover");
    handover.as_object_mut().unwrap().remove("team_id");
    let handover = with(
        handover,
        json!({"received_by": "Mayor of Izium", "residual_risk_owner": "municipality",
        "markers": [{"label": "M1", "lon": p.x(), "lat": p.y()}]}),
    );
    let h = filed(&app, Role::TeamLeader, &handover).await;
    assert_eq!(
        h["unit_id"],
        json!(template().team),
        "a handover is the filing leader's unit's"
    );
    let a = full_path(&app, &tl, &om, &h).await;
    assert_eq!(a["effect"]["hazard_area"]["status"], "handed_over");
    // An incident changes nothing on the register.
    let incident = with(
        common("incident"),
        json!({"lon": p.x(), "lat": p.y(), "category": "accident",
        "description": "a deminer was hurt", "victims": [{"name": "A. B.", "age": 31, "sex": "male", "injury": "injured"}]}),
    );
    let a = full_path(
        &app,
        &tl,
        &om,
        &filed(&app, Role::TeamLeader, &incident).await,
    )
    .await;
    assert_eq!(a["effect"]["released_m2"], 0.0);
    assert_eq!(a["effect"]["hazard_area"]["status"], "handed_over");

    // Reconstruction progress by a crew's leader: the asset is restored.
    let (crew, asset) = crew_and_free_asset(&app).await;
    let rebuild = json!({"client_id": Uuid::new_v4().to_string(), "kind": "reconstruction_progress",
        "asset_id": asset["id"], "crew_id": crew, "date": DATE, "percent_done": 100, "restored": true, "hours": 8});
    let reply = send_as(&app, "crew-token", "POST", "/api/reports", Some(rebuild)).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["asset_code"], asset["code"]);
    full_path(&app, "crew-token", "crew-ops-token", &reply.body).await;
    let after = get(
        &app,
        Role::Coordinator,
        &format!("/api/assets/{}", asset["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(after.body["restored"], true, "{}", after.body);
}

#[tokio::test]
async fn illegal_transitions_are_refused_naming_the_state_and_the_action() {
    let app = app();
    let area = open_area(0);
    // One report in each state.
    let mut in_state = Vec::new();
    for (n, path) in [
        (0.0, &[][..]),
        (1.0, &["submit"][..]),
        (2.0, &["submit", "verify"][..]),
        (3.0, &["submit", "verify", "approve"][..]),
        (4.0, &["submit", "reject"][..]),
    ] {
        let r = filed(
            &app,
            Role::TeamLeader,
            &daily_progress(area, &square_inside(area, n * 1.5), false),
        )
        .await;
        for action in path {
            let role = match *action {
                "submit" => Role::TeamLeader,
                "approve" => Role::Coordinator,
                _ => Role::OperationsManager,
            };
            stepped(&app, role, &r["id"], action).await;
        }
        let state = ["draft", "submitted", "verified", "approved", "rejected"][n as usize];
        in_state.push((state, r["id"].clone()));
    }
    let legal = |state: &str, action: &str| {
        matches!(
            (state, action),
            ("draft", "submit")
                | ("submitted", "verify" | "reject")
                | ("verified", "approve" | "reject")
                | ("rejected", "revise")
        )
    };
    let mut refused = 0;
    for (state, id) in &in_state {
        for action in ["submit", "verify", "approve", "reject", "revise"] {
            if legal(state, action) {
                continue;
            }
            for role in [Role::Coordinator, Role::TeamLeader, Role::OperationsManager] {
                let reply = step(&app, role, id, action, Some("a comment")).await;
                assert_eq!(
                    reply.status, 409,
                    "{action} at {state} by {role:?}: {}",
                    reply.body
                );
                let detail = reply.body["detail"].as_str().unwrap();
                assert!(
                    detail.contains(&format!("cannot {action} a report that is {state}")),
                    "{detail}"
                );
                refused += 1;
            }
        }
    }
    assert_eq!(refused, 3 * (25 - 6));
    // An unknown action is a wrong field.
    let reply = step(&app, Role::Coordinator, &in_state[0].1, "publish", None).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body["errors"][0]["field"], "action");
    // A rejection needs a comment.
    let reply = step(
        &app,
        Role::OperationsManager,
        &in_state[1].1,
        "reject",
        None,
    )
    .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.body["errors"][0]["field"], "comment");
}

// ---- approvals and the register --------------------------------------------------------

async fn verified(app: &App, body: &Value) -> Value {
    let r = filed(app, Role::TeamLeader, body).await;
    assert_eq!(r["state"], "submitted");
    stepped(app, Role::OperationsManager, &r["id"], "verify").await;
    r
}

#[tokio::test]
async fn a_partial_release_shrinks_the_area_and_an_emptying_one_closes_it() {
    let app = app();
    let area = open_area(1);
    let uri = format!("/api/hazard-areas/{}", area.id);
    let before = get(&app, Role::Coordinator, &uri).await.body;
    let inside = square_inside(area, 0.0);
    let r = verified(&app, &daily_progress(area, &inside, true)).await;
    let a = stepped(&app, Role::Coordinator, &r["id"], "approve").await;
    let after = get(&app, Role::Coordinator, &uri).await;
    assert_eq!(
        after.body["version"],
        before["version"].as_u64().unwrap() + 1
    );
    assert_eq!(
        after.headers["etag"],
        format!("\"{}\"", after.body["version"])
    );
    let shrunk = before["area_m2"].as_f64().unwrap() - after.body["area_m2"].as_f64().unwrap();
    assert!(
        (shrunk - m2(&inside)).abs() < 1.0,
        "shrunk by {shrunk}, released {}",
        m2(&inside)
    );
    assert_eq!(after.body["status"], "worked_on");
    assert_eq!(a["effect"]["hazard_area"]["version"], after.body["version"]);
    assert!(
        (a["effect"]["hazard_area"]["remaining_m2"].as_f64().unwrap()
            - after.body["area_m2"].as_f64().unwrap())
        .abs()
            < 1e-6
    );

    // A report of everything that remains closes the area as cleared.
    let remaining = after.body["geometry"].clone();
    let rest = verified(
        &app,
        &json!({
            "client_id": Uuid::new_v4().to_string(), "kind": "daily_progress", "submit": true,
            "hazard_area_id": area.id, "team_id": template().team, "date": DATE,
            "based_on_version": after.body["version"],
            "worked": remaining, "cleared_m2": after.body["area_m2"], "hours": 8,
        }),
    )
    .await;
    let a = stepped(&app, Role::Coordinator, &rest["id"], "approve").await;
    assert_eq!(a["effect"]["hazard_area"]["status"], "closed", "{}", a);
    assert_eq!(a["effect"]["hazard_area"]["closure_reason"], "cleared");
    let closed = get(&app, Role::Coordinator, &uri).await.body;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["closure_reason"], "cleared");

    // The history has every version, the two released pieces and the two reports.
    let h = get(&app, Role::Viewer, &format!("{uri}/history")).await;
    assert_eq!(h.status, 200, "{}", h.body);
    let versions = h.body["versions"].as_array().unwrap();
    assert_eq!(
        versions.len(),
        before["version"].as_u64().unwrap() as usize + 2
    );
    assert_eq!(versions.last().unwrap()["status"], "closed");
    assert_eq!(versions[versions.len() - 3]["status"], "open");
    let released = h.body["released"].as_array().unwrap();
    assert_eq!(released.len(), 2);
    assert_eq!(released[0]["report_code"], r["code"]);
    assert_eq!(released[0]["reason"], "cleared");
    assert!((released[0]["area_m2"].as_f64().unwrap() - m2(&inside)).abs() < 1.0);
    // All of it was reported cleared, so all of it counts as cleared.
    assert_eq!(released[0]["cancelled_m2"], 0.0);
    assert_eq!(released[0]["reduced_m2"], 0.0);
    assert_eq!(released[0]["cleared_m2"], released[0]["area_m2"]);
    assert_eq!(released[1]["geometry"]["type"], "MultiPolygon");
    let reports: Vec<&Value> = h.body["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["code"])
        .collect();
    assert_eq!(reports, [&r["code"], &rest["code"]]);
    // The history of a restricted area is as secret as the area.
    let hidden = format!("/api/hazard-areas/{}/history", restricted_area().id);
    assert_eq!(get(&app, Role::Coordinator, &hidden).await.status, 404);
    assert_eq!(get(&app, Role::DefenceLiaison, &hidden).await.status, 200);
}

#[tokio::test]
async fn a_polygon_outside_its_area_is_refused_at_filing_and_nothing_is_stored() {
    let app = app();
    let area = open_area(0);
    let audit = audit_entries(&app).await;
    let p = area.geometry().as_multi_polygon().interior_point().unwrap();
    // A square 0.5° away: wholly outside.
    let outside = square(p.x() + 0.5, p.y(), 0.0005);
    let reply = file(
        &app,
        Role::TeamLeader,
        &daily_progress(area, &outside, true),
    )
    .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.body["errors"][0]["field"], "worked");
    let problem = reply.body["errors"][0]["problem"].as_str().unwrap();
    assert!(
        problem.contains(area.code.as_str()) && problem.contains("outside the hazard area"),
        "{problem}"
    );
    assert_eq!(audit_entries(&app).await, audit);
    let inbox = get(&app, Role::Coordinator, "/api/reports").await;
    assert_eq!(inbox.body["total"], 0);
}

#[tokio::test]
async fn an_approval_over_land_already_released_is_refused_and_nothing_changes() {
    let app = app();
    let area = open_area(0);
    let inside = square_inside(area, 0.0);
    let first = verified(&app, &daily_progress(area, &inside, true)).await;
    let second = verified(&app, &daily_progress(area, &inside, true)).await;
    stepped(&app, Role::Coordinator, &first["id"], "approve").await;
    let uri = format!("/api/hazard-areas/{}", area.id);
    let area_before = get(&app, Role::Coordinator, &uri).await.body;
    let history_before = get(&app, Role::Coordinator, &format!("{uri}/history"))
        .await
        .body;
    let audit = audit_entries(&app).await;

    let reply = step(&app, Role::Coordinator, &second["id"], "approve", None).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.body["errors"][0]["field"], "worked");
    assert!(
        reply.body["detail"]
            .as_str()
            .unwrap()
            .contains("overlaps land already released"),
        "{}",
        reply.body
    );
    assert_eq!(get(&app, Role::Coordinator, &uri).await.body, area_before);
    let history_after = get(&app, Role::Coordinator, &format!("{uri}/history"))
        .await
        .body;
    assert_eq!(history_after["released"], history_before["released"]);
    assert_eq!(audit_entries(&app).await, audit);
    let still = get(
        &app,
        Role::Coordinator,
        &format!("/api/reports/{}", second["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(still.body["state"], "verified");
    // Filing it again now is refused at once.
    let reply = file(&app, Role::TeamLeader, &daily_progress(area, &inside, true)).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body["errors"][0]["field"], "worked");
}

/// A point of the template's region far (more than 1 km) from every hazard area.
pub fn clear_spot() -> (f64, f64) {
    use geo::BoundingRect;
    let d = &template().data;
    let rects: Vec<_> = d
        .hazard_areas
        .iter()
        .filter_map(|h| h.geometry().as_multi_polygon().bounding_rect())
        .collect();
    let (lo_x, hi_x) = rects.iter().fold((f64::MAX, f64::MIN), |(a, b), r| {
        (a.min(r.min().x), b.max(r.max().x))
    });
    let (lo_y, hi_y) = rects.iter().fold((f64::MAX, f64::MIN), |(a, b), r| {
        (a.min(r.min().y), b.max(r.max().y))
    });
    let margin = 0.015;
    for i in 0..40 {
        for j in 0..40 {
            let x = lo_x + (hi_x - lo_x) * f64::from(i) / 40.0;
            let y = lo_y + (hi_y - lo_y) * f64::from(j) / 40.0;
            let clear = rects.iter().all(|r| {
                x < r.min().x - margin
                    || x > r.max().x + margin
                    || y < r.min().y - margin
                    || y > r.max().y + margin
            }) && d.assets.iter().all(|a| {
                a.footprint.to_geometry().bounding_rect().is_none_or(|r| {
                    x < r.min().x - margin
                        || x > r.max().x + margin
                        || y < r.min().y - margin
                        || y > r.max().y + margin
                })
            });
            if clear {
                return (x, y);
            }
        }
    }
    panic!("no clear spot in the region")
}

#[tokio::test]
async fn an_asset_is_unblocked_exactly_when_its_last_blocking_hazard_area_is_released() {
    let app = app();
    let (x, y) = clear_spot();
    // Two hazard areas 0.001° (about 70 m) either side of a damaged bridge, both within the
    // 50 m gating distance of it.
    let mut areas = Vec::new();
    for dx in [-0.0011, 0.0011] {
        let ring = square(x + dx, y, 0.0005);
        let reply = send(&app.router, Some(Role::Coordinator), "POST", "/api/hazard-areas", Some(json!({
            "geometry": polygon(&ring), "contamination": "ap_mines", "terrain": "flat", "vegetation": "light",
        })), &[]).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        areas.push((reply.body, ring));
    }
    let reply = send(
        &app.router,
        Some(Role::Coordinator),
        "POST",
        "/api/assets",
        Some(json!({
            "name": "Bridge between two minefields", "kind": "bridge",
            "geometry": {"type": "Point", "coordinates": [x, y]}, "damage": "severe",
            "repair": [{"trade": "bridges", "person_days": 40}],
        })),
        &[],
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let bridge = reply.body;

    // A crew may not rebuild it yet: both areas block it, and the refusal names them.
    let crew = template().data.crews.first().unwrap();
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
        "asset_id": bridge["id"], "crew_id": crew.id, "date": DATE, "percent_done": 10, "hours": 8})
    };
    let reply = send_as(&app, "crew-token", "POST", "/api/reports", Some(rebuild())).await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    let detail = reply.body["detail"].as_str().unwrap();
    for (a, _) in &areas {
        assert!(detail.contains(a["code"].as_str().unwrap()), "{detail}");
    }

    let release = |(area, ring): &(Value, Vec<[f64; 2]>)| {
        json!({
            "client_id": Uuid::new_v4().to_string(), "kind": "daily_progress", "submit": true,
            "hazard_area_id": area["id"], "team_id": template().team, "date": DATE,
            "worked": polygon(ring), "cleared_m2": m2(ring), "hours": 8,
        })
    };
    let first = verified(&app, &release(&areas[0])).await;
    let a = stepped(&app, Role::Coordinator, &first["id"], "approve").await;
    assert_eq!(a["effect"]["hazard_area"]["status"], "closed");
    assert_eq!(
        a["effect"]["unblocked_assets"],
        json!([]),
        "still blocked by the second area"
    );
    let reply = send_as(&app, "crew-token", "POST", "/api/reports", Some(rebuild())).await;
    assert_eq!(reply.status, 409);
    assert!(
        !reply.body["detail"]
            .as_str()
            .unwrap()
            .contains(areas[0].0["code"].as_str().unwrap())
    );

    let second = verified(&app, &release(&areas[1])).await;
    let a = stepped(&app, Role::Coordinator, &second["id"], "approve").await;
    assert_eq!(
        a["effect"]["unblocked_assets"],
        json!([{"id": bridge["id"], "code": bridge["code"]}])
    );
    let reply = send_as(&app, "crew-token", "POST", "/api/reports", Some(rebuild())).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

// ---- filing -----------------------------------------------------------------------------

#[tokio::test]
async fn the_same_client_id_twice_makes_one_report() {
    let app = app();
    let area = open_area(0);
    let body = daily_progress(area, &square_inside(area, 0.0), true);
    let first = file(&app, Role::TeamLeader, &body).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(
        first.headers["location"],
        format!("/api/reports/{}", first.body["id"].as_str().unwrap())
    );
    let again = file(&app, Role::TeamLeader, &body).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.body, first.body);
    // Even a resend the server would now refuse answers the first report.
    let mut changed = body.clone();
    changed["hours"] = json!(-1);
    let replay = file(&app, Role::TeamLeader, &changed).await;
    assert_eq!(replay.status, 200);
    assert_eq!(replay.body["id"], first.body["id"]);
    let inbox = get(&app, Role::Coordinator, "/api/reports").await;
    assert_eq!(inbox.body["total"], 1);
    // Another team's leader cannot take over the client id.
    let other = template()
        .data
        .teams
        .iter()
        .find(|t| t.id != template().team)
        .unwrap();
    add_leader(
        &app,
        "other-leader",
        other.organisation_id,
        other.id,
        "other-token",
    )
    .await;
    let mut theirs = body.clone();
    theirs["team_id"] = json!(other.id);
    let reply = send_as(&app, "other-token", "POST", "/api/reports", Some(theirs)).await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    assert_eq!(reply.body["errors"][0]["field"], "client_id");
}

#[tokio::test]
async fn a_report_on_an_older_version_of_its_area_gets_409_with_the_changes() {
    let app = app();
    let area = open_area(0);
    let seen = area.version;
    let first = verified(&app, &daily_progress(area, &square_inside(area, 0.0), true)).await;
    stepped(&app, Role::Coordinator, &first["id"], "approve").await;
    let mut stale = daily_progress(area, &square_inside(area, 1.5), true);
    stale["based_on_version"] = json!(seen);
    let reply = file(&app, Role::TeamLeader, &stale).await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    let changes = &reply.body["changes"];
    assert_eq!(changes["based_on_version"], seen);
    assert_eq!(changes["current_version"], seen + 1);
    assert_eq!(changes["seen"], seen);
    assert_eq!(changes["current"], seen + 1);
    let fields: Vec<&str> = changes["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"geometry") && fields.contains(&"status") && fields.contains(&"area_m2"),
        "{fields:?}"
    );
    assert!(!fields.contains(&"classification"), "{fields:?}");
    // Against the current version it is filed.
    stale["based_on_version"] = json!(seen + 1);
    assert_eq!(file(&app, Role::TeamLeader, &stale).await.status, 201);
    // A version the area never had is a wrong field.
    stale["client_id"] = json!(Uuid::new_v4().to_string());
    stale["based_on_version"] = json!(seen + 7);
    let reply = file(&app, Role::TeamLeader, &stale).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body["errors"][0]["field"], "based_on_version");
}

#[tokio::test]
async fn a_batch_files_each_report_on_its_own() {
    let app = app();
    let area = open_area(0);
    let good1 = daily_progress(area, &square_inside(area, 0.0), true);
    let mut bad = daily_progress(area, &square_inside(area, 1.5), true);
    bad["hours"] = json!(-2);
    let mut unknown = daily_progress(area, &square_inside(area, 1.5), true);
    unknown["colour"] = json!("red");
    let good2 = daily_progress(area, &square_inside(area, 3.0), false);
    let batch = json!({"reports": [good1, bad, unknown, good2, good1]});
    let reply = send(
        &app.router,
        Some(Role::TeamLeader),
        "POST",
        "/api/reports/batch",
        Some(batch),
        &[],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let results = reply.body["results"].as_array().unwrap();
    let statuses: Vec<u64> = results
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [201, 422, 400, 201, 200]);
    assert_eq!(results[0]["client_id"], good1["client_id"]);
    assert_eq!(results[1]["problem"]["errors"][0]["field"], "hours");
    assert_eq!(results[2]["problem"]["errors"][0]["field"], "colour");
    assert_eq!(results[3]["report"]["state"], "draft");
    assert_eq!(results[4]["report"]["id"], results[0]["report"]["id"]);
    assert_eq!(
        get(&app, Role::Coordinator, "/api/reports").await.body["total"],
        2
    );
    // More than 500 is too many.
    let many: Vec<Value> = (0..501).map(|_| json!({})).collect();
    let reply = send(
        &app.router,
        Some(Role::TeamLeader),
        "POST",
        "/api/reports/batch",
        Some(json!({"reports": many})),
        &[],
    )
    .await;
    assert_eq!(reply.status, 413, "{}", reply.body);
}

/// A change to a good report, the status it gets and the field named.
type Case = (Box<dyn Fn(&mut Value)>, u16, &'static str);

#[tokio::test]
async fn wrong_and_unknown_fields_are_named() {
    let app = app();
    let area = open_area(0);
    let inside = square_inside(area, 0.0);
    let audit = audit_entries(&app).await;
    let cases: Vec<Case> = vec![
        (Box::new(|b| b["colour"] = json!("red")), 400, "colour"),
        (Box::new(|b| b["kind"] = json!("weekly")), 422, "kind"),
        (
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("client_id");
            }),
            422,
            "client_id",
        ),
        (
            Box::new(|b| b["hazard_area_id"] = json!(Uuid::new_v4())),
            422,
            "hazard_area_id",
        ),
        (
            Box::new(|b| b["hazard_area_id"] = json!(restricted_area().id)),
            422,
            "hazard_area_id",
        ),
        (
            Box::new(|b| b["team_id"] = json!(Uuid::new_v4())),
            422,
            "team_id",
        ),
        (Box::new(|b| b["cleared_m2"] = json!(1.0)), 422, "worked"),
        (
            Box::new(|b| b["ordnance"][0]["category"] = json!("mine")),
            422,
            "ordnance[0].category",
        ),
        (
            Box::new(|b| b["ordnance"][0]["count"] = json!(0)),
            422,
            "ordnance[0].count",
        ),
        (
            Box::new(|b| b["worked"] = json!({"type": "Point", "coordinates": [36.0, 50.0]})),
            422,
            "worked",
        ),
        (Box::new(|b| b["date"] = json!("24/11/2026")), 422, "date"),
    ];
    for (change, status, field) in cases {
        let mut body = daily_progress(area, &inside, true);
        change(&mut body);
        let reply = file(&app, Role::TeamLeader, &body).await;
        assert_eq!(reply.status, status, "{field}: {}", reply.body);
        assert_eq!(reply.body["errors"][0]["field"], field, "{}", reply.body);
    }
    // Another team's report: the leader files for their own team only.
    let other = template()
        .data
        .teams
        .iter()
        .find(|t| t.id != template().team)
        .unwrap();
    let mut body = daily_progress(area, &inside, true);
    body["team_id"] = json!(other.id);
    assert_eq!(file(&app, Role::TeamLeader, &body).await.status, 403);
    assert_eq!(audit_entries(&app).await, audit);
    assert_eq!(
        get(&app, Role::Coordinator, "/api/reports").await.body["total"],
        0
    );
}

#[tokio::test]
async fn victims_are_shown_to_the_coordinator_and_the_defence_liaison_only() {
    let app = app();
    let area = open_area(0);
    let p = area.geometry().as_multi_polygon().interior_point().unwrap();
    let r = filed(
        &app,
        Role::TeamLeader,
        &json!({
            "client_id": Uuid::new_v4().to_string(), "kind": "incident", "submit": true,
            "hazard_area_id": area.id, "team_id": template().team, "date": DATE,
            "lon": p.x(), "lat": p.y(), "category": "accident", "description": "a deminer was hurt",
            "victims": [{"name": "Olena K.", "age": 34, "sex": "female", "injury": "injured"}],
        }),
    )
    .await;
    let uri = format!("/api/reports/{}", r["id"].as_str().unwrap());
    for role in [Role::Coordinator, Role::DefenceLiaison] {
        let reply = get(&app, role, &uri).await;
        assert_eq!(
            reply.body["body"]["victims"][0]["name"], "Olena K.",
            "{role:?}"
        );
    }
    for role in [Role::Viewer, Role::OperationsManager, Role::TeamLeader] {
        let reply = get(&app, role, &uri).await;
        assert_eq!(reply.status, 200, "{role:?}");
        assert!(
            reply.body["body"].get("victims").is_none(),
            "{role:?}: {}",
            reply.body
        );
        assert_eq!(reply.body["body"]["description"], "a deminer was hurt");
        let inbox = get(&app, role, "/api/reports?kind=incident").await;
        assert!(
            inbox.body["items"][0]["body"].get("victims").is_none(),
            "{role:?}"
        );
    }
    assert!(
        r["body"].get("victims").is_none(),
        "the filing leader does not read them back"
    );
}

#[tokio::test]
async fn a_draft_is_edited_with_if_match_and_only_while_a_draft() {
    let app = app();
    let area = open_area(0);
    let mut body = daily_progress(area, &square_inside(area, 0.0), false);
    let r = filed(&app, Role::TeamLeader, &body).await;
    let uri = format!("/api/reports/{}", r["id"].as_str().unwrap());
    body["hours"] = json!(7.5);
    let put = |headers: &'static [(&'static str, &'static str)], role: Role, body: Value| {
        let (router, uri) = (app.router.clone(), uri.clone());
        async move { send(&router, Some(role), "PUT", &uri, Some(body), headers).await }
    };
    assert_eq!(put(&[], Role::TeamLeader, body.clone()).await.status, 428);
    assert_eq!(
        put(&[("if-match", "\"7\"")], Role::TeamLeader, body.clone())
            .await
            .status,
        412
    );
    assert_eq!(
        put(
            &[("if-match", "\"1\"")],
            Role::OperationsManager,
            body.clone()
        )
        .await
        .status,
        403
    );
    let reply = put(&[("if-match", "\"1\"")], Role::TeamLeader, body.clone()).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["body"]["hours"], 7.5);
    assert_eq!(reply.body["version"], 2);
    assert_eq!(reply.body["code"], r["code"]);
    assert_eq!(reply.headers["etag"], "\"2\"");
    let mut kind = body.clone();
    kind["kind"] = json!("completion");
    assert_eq!(
        put(&[("if-match", "\"2\"")], Role::TeamLeader, kind)
            .await
            .status,
        422
    );
    stepped(&app, Role::TeamLeader, &r["id"], "submit").await;
    let reply = put(&[("if-match", "\"3\"")], Role::TeamLeader, body).await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    assert!(
        reply.body["detail"]
            .as_str()
            .unwrap()
            .contains("only a draft"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn the_inbox_is_newest_first_filtered_and_paged() {
    let app = app();
    let area = open_area(0);
    let mut codes = Vec::new();
    for n in 0..5 {
        let r = filed(
            &app,
            Role::TeamLeader,
            &daily_progress(area, &square_inside(area, f64::from(n) * 1.5), n % 2 == 0),
        )
        .await;
        codes.push(r["code"].as_str().unwrap().to_string());
    }
    assert_eq!(codes[0], "RPT-000001");
    assert_eq!(codes[4], "RPT-000005");
    let mut seen = Vec::new();
    let mut uri = "/api/reports?page_size=2".to_string();
    loop {
        let page = get(&app, Role::Coordinator, &uri).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(page.body["total"], 5);
        for r in page.body["items"].as_array().unwrap() {
            seen.push(r["code"].as_str().unwrap().to_string());
        }
        match page.body["next"].as_str() {
            Some(next) => uri = next.to_string(),
            None => break,
        }
    }
    let newest_first: Vec<String> = codes.iter().rev().cloned().collect();
    assert_eq!(seen, newest_first);

    // A report filed between two pages does not shift them: the next page goes on from
    // where the first ended.
    let first = get(&app, Role::Coordinator, "/api/reports?page_size=2").await;
    filed(
        &app,
        Role::TeamLeader,
        &daily_progress(area, &square_inside(area, 9.0), true),
    )
    .await;
    let second = get(
        &app,
        Role::Coordinator,
        first.body["next"].as_str().unwrap(),
    )
    .await;
    let page_codes = |page: &serde_json::Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(page_codes(&first.body), newest_first[..2]);
    assert_eq!(page_codes(&second.body), newest_first[2..4]);
    assert_eq!(second.body["total"], 6, "the total counts the new report");
    let submitted = get(&app, Role::Coordinator, "/api/reports?state=submitted").await;
    assert_eq!(submitted.body["total"], 4);
    let by_area = get(
        &app,
        Role::Coordinator,
        &format!("/api/reports?hazard_area={}", area.code),
    )
    .await;
    assert_eq!(by_area.body["total"], 6);
    for bad in [
        "state=lost",
        "colour=red",
        "page_size=0",
        "hazard_area=HA-99999",
        "page_token=nope",
        "page_token=00000000-0000-0000-0000-000000000000",
    ] {
        let reply = get(&app, Role::Coordinator, &format!("/api/reports?{bad}")).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
    }
}

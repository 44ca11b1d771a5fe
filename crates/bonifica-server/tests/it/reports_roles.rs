//! Who may take each step of a report's workflow, as one table of expected statuses per
//! actor; the co-approval of reports on restricted land in both orders; and whose reports
//! each role's inbox lists.

use bonifica_server::Role;
use serde_json::{Value, json};

use crate::fixture::{App, app, template, token};
use crate::reports::{
    add_user, daily_progress, filed, get, open_area, restricted_area, send_as, square_inside,
    stepped,
};

/// The actors of the table, in its column order.
const ACTORS: [&str; 7] = [
    "coordinator",
    "defence liaison",
    "operations manager",
    "team leader",
    "viewer",
    "operations manager of another organisation",
    "team leader of another organisation's team",
];

/// The bearer tokens of the actors, in column order.
fn tokens() -> [String; 7] {
    [
        token(Role::Coordinator),
        token(Role::DefenceLiaison),
        token(Role::OperationsManager),
        token(Role::TeamLeader),
        token(Role::Viewer),
        "other-ops".to_string(),
        "other-leader".to_string(),
    ]
}

/// A team of another organisation than the template's operator.
fn other_team() -> &'static bonifica_model::Team {
    template()
        .data
        .teams
        .iter()
        .find(|t| t.organisation_id != template().operator)
        .expect("a team of another organisation")
}

async fn add_other_actors(app: &App) {
    let other = other_team();
    let org = Some(other.organisation_id);
    add_user(
        app,
        "other-ops",
        Role::OperationsManager,
        org,
        None,
        "other-ops",
    )
    .await;
    add_user(
        app,
        "other-leader",
        Role::TeamLeader,
        org,
        Some(other.id),
        "other-leader",
    )
    .await;
}

/// What is tried.
#[derive(Debug, Clone, Copy)]
enum Try {
    File,
    Read,
    Edit,
    Step(&'static str),
}

/// The steps that bring a new report to the state a row starts from.
fn path_to(state: &str) -> &'static [(&'static str, Role)] {
    match state {
        "draft" => &[],
        "submitted" => &[("submit", Role::TeamLeader)],
        "verified" => &[
            ("submit", Role::TeamLeader),
            ("verify", Role::OperationsManager),
        ],
        "rejected" => &[
            ("submit", Role::TeamLeader),
            ("reject", Role::OperationsManager),
        ],
        other => panic!("no path to {other}"),
    }
}

/// Expected statuses per actor (column order of [`ACTORS`]).
const TABLE: &[(Try, &str, [u16; 7])] = &[
    (Try::File, "", [403, 403, 403, 201, 403, 403, 403]),
    (Try::Read, "submitted", [200, 200, 200, 200, 200, 404, 404]),
    (Try::Edit, "draft", [403, 403, 403, 200, 403, 404, 404]),
    (
        Try::Step("submit"),
        "draft",
        [403, 403, 403, 200, 403, 404, 404],
    ),
    (
        Try::Step("verify"),
        "submitted",
        [403, 403, 200, 403, 403, 404, 404],
    ),
    (
        Try::Step("reject"),
        "submitted",
        [403, 403, 200, 403, 403, 404, 404],
    ),
    (
        Try::Step("reject"),
        "verified",
        [200, 200, 403, 403, 403, 404, 404],
    ),
    (
        Try::Step("revise"),
        "rejected",
        [403, 403, 403, 200, 403, 404, 404],
    ),
    // Last: the one approval releases land the other rows' reports would overlap.
    (
        Try::Step("approve"),
        "verified",
        [200, 403, 403, 403, 403, 404, 404],
    ),
];

#[tokio::test]
async fn every_actor_may_or_may_not_take_each_step() {
    let app = app();
    add_other_actors(&app).await;
    let area = open_area(0);
    let tokens = tokens();
    let mut failures = Vec::new();
    let mut n = 0.0;
    for (tried, state, expected) in TABLE {
        // One report per actor, all brought to the row's state before anyone acts.
        let mut reports = Vec::new();
        for _ in ACTORS {
            n += 1.5;
            let body = daily_progress(area, &square_inside(area, n), false);
            let report = match tried {
                Try::File => body,
                _ => {
                    let r = filed(&app, Role::TeamLeader, &body).await;
                    for (action, role) in path_to(state) {
                        stepped(&app, *role, &r["id"], action).await;
                    }
                    r
                }
            };
            reports.push(report);
        }
        for ((actor, token), (report, want)) in
            ACTORS.iter().zip(&tokens).zip(reports.iter().zip(expected))
        {
            let uri = format!("/api/reports/{}", report["id"].as_str().unwrap_or(""));
            let reply = match tried {
                Try::File => {
                    send_as(&app, token, "POST", "/api/reports", Some(report.clone())).await
                }
                Try::Read => send_as(&app, token, "GET", &uri, None).await,
                Try::Edit => {
                    let edit = edit_body(report);
                    let auth = format!("Bearer {token}");
                    crate::fixture::send(
                        &app.router,
                        None,
                        "PUT",
                        &uri,
                        Some(edit),
                        &[("authorization", auth.as_str()), ("if-match", "\"1\"")],
                    )
                    .await
                }
                Try::Step(action) => {
                    let body = json!({"action": action, "comment": "checked"});
                    send_as(
                        &app,
                        token,
                        "POST",
                        &format!("{uri}/transitions"),
                        Some(body),
                    )
                    .await
                }
            };
            if reply.status.as_u16() != *want {
                failures.push(format!(
                    "{tried:?} at {state:?} by {actor}: {} (wanted {want}): {}",
                    reply.status, reply.body
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A draft's wire body as filed, for a PUT: the kind's fields back at the top level.
fn edit_body(report: &Value) -> Value {
    let mut body = report["body"].clone();
    body["client_id"] = report["client_id"].clone();
    body["kind"] = report["kind"].clone();
    body["hours"] = json!(9);
    body
}

/// A daily progress on the restricted hazard area, filed and submitted by the defence
/// liaison for a team working there, then verified by the defence liaison.
async fn restricted_verified(app: &App, offset: f64) -> Value {
    let area = restricted_area();
    let mut body = daily_progress(area, &square_inside(area, offset), true);
    body["team_id"] = json!(other_team().id);
    let r = filed(app, Role::DefenceLiaison, &body).await;
    assert_eq!(r["restricted"], true);
    assert_eq!(r["state"], "submitted");
    // The operations manager of the team's organisation cannot see it: the defence liaison
    // verifies reports on restricted land.
    let verify = json!({"action": "verify"});
    let uri = format!(
        "/api/reports/{}/transitions",
        r["id"].as_str().unwrap_or("")
    );
    assert_eq!(
        send_as(app, "other-ops", "POST", &uri, Some(verify))
            .await
            .status,
        404
    );
    stepped(app, Role::DefenceLiaison, &r["id"], "verify").await;
    r
}

#[tokio::test]
async fn a_report_on_restricted_land_needs_both_approvals_in_either_order() {
    let app = app();
    add_other_actors(&app).await;
    for (first, second, offset) in [
        (Role::Coordinator, Role::DefenceLiaison, 0.0),
        (Role::DefenceLiaison, Role::Coordinator, 2.0),
    ] {
        let r = restricted_verified(&app, offset).await;
        let a = stepped(&app, first, &r["id"], "approve").await;
        assert_eq!(a["report"]["state"], "verified", "{first:?} first: {a}");
        assert!(
            a.get("effect").is_none(),
            "nothing changes before the co-approval"
        );
        let approver = |role| match role {
            Role::Coordinator => "civil_authority",
            _ => "defence",
        };
        assert_eq!(a["report"]["approvals"][0]["approver"], approver(first));
        // The same authority twice is refused.
        let again = crate::reports::step(&app, first, &r["id"], "approve", None).await;
        assert_eq!(again.status, 409, "{}", again.body);
        let a = stepped(&app, second, &r["id"], "approve").await;
        assert_eq!(a["report"]["state"], "approved", "{a}");
        assert_eq!(a["report"]["approvals"].as_array().map(Vec::len), Some(2));
        assert_eq!(a["effect"]["hazard_area"]["status"], "worked_on", "{a}");
        // Only the coordinator and the defence liaison ever see it.
        let uri = format!("/api/reports/{}", r["id"].as_str().unwrap_or(""));
        for role in [Role::Coordinator, Role::DefenceLiaison] {
            assert_eq!(get(&app, role, &uri).await.status, 200, "{role:?}");
        }
        for role in [Role::OperationsManager, Role::TeamLeader, Role::Viewer] {
            assert_eq!(get(&app, role, &uri).await.status, 404, "{role:?}");
        }
        assert_eq!(
            send_as(&app, "other-leader", "GET", &uri, None)
                .await
                .status,
            404
        );
    }
}

#[tokio::test]
async fn the_defence_liaison_alone_does_not_approve_or_file_on_unrestricted_land() {
    let app = app();
    let area = open_area(0);
    let body = daily_progress(area, &square_inside(area, 0.0), true);
    let reply = crate::reports::file(&app, Role::DefenceLiaison, &body).await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    let r = filed(&app, Role::TeamLeader, &body).await;
    stepped(&app, Role::OperationsManager, &r["id"], "verify").await;
    let reply = crate::reports::step(&app, Role::DefenceLiaison, &r["id"], "approve", None).await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert!(
        reply.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("restricted land only")),
        "{}",
        reply.body
    );
    let a = stepped(&app, Role::Coordinator, &r["id"], "approve").await;
    assert_eq!(a["report"]["state"], "approved", "one approval is enough");
}

#[tokio::test]
async fn each_inbox_lists_the_reports_its_role_may_see() {
    let app = app();
    add_other_actors(&app).await;
    let area = open_area(0);
    // Two of the template team's, one of another organisation's team, one restricted.
    for n in [0.0, 1.5] {
        filed(
            &app,
            Role::TeamLeader,
            &daily_progress(area, &square_inside(area, n), true),
        )
        .await;
    }
    let mut theirs = daily_progress(area, &square_inside(area, 3.0), true);
    theirs["team_id"] = json!(other_team().id);
    let reply = send_as(&app, "other-leader", "POST", "/api/reports", Some(theirs)).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let mut restricted = daily_progress(
        restricted_area(),
        &square_inside(restricted_area(), 0.0),
        true,
    );
    restricted["team_id"] = json!(other_team().id);
    filed(&app, Role::DefenceLiaison, &restricted).await;

    let total = |body: &Value| body["total"].as_u64().unwrap_or(u64::MAX);
    for (token, expected) in [
        (token(Role::Coordinator), 4),
        (token(Role::DefenceLiaison), 4),
        (token(Role::Viewer), 3),
        (token(Role::OperationsManager), 2),
        (token(Role::TeamLeader), 2),
        ("other-ops".to_string(), 1),
        ("other-leader".to_string(), 1),
    ] {
        let reply = send_as(&app, &token, "GET", "/api/reports", None).await;
        assert_eq!(reply.status, 200);
        assert_eq!(total(&reply.body), expected, "{token}: {}", reply.body);
        let items = reply.body["items"].as_array().map(Vec::len);
        assert_eq!(items, Some(expected as usize));
    }
    // A team leader asking for another unit's reports gets none.
    let uri = format!("/api/reports?unit={}", other_team().code);
    let reply = send_as(&app, &token(Role::TeamLeader), "GET", &uri, None).await;
    assert_eq!(total(&reply.body), 0);
    // The coordinator sees that team's report and the one on restricted land.
    let reply = send_as(&app, &token(Role::Coordinator), "GET", &uri, None).await;
    assert_eq!(total(&reply.body), 2);
    let reply = send_as(&app, &token(Role::Viewer), "GET", &uri, None).await;
    assert_eq!(total(&reply.body), 1);
    // Anonymous callers are told to sign in.
    let reply = crate::fixture::send(&app.router, None, "GET", "/api/reports", None, &[]).await;
    assert_eq!(reply.status, 401);
}

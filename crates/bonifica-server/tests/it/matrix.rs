//! Every role × resource × verb, as one table of expected statuses run through one
//! `check` helper. A list must show exactly the records a get may read: restricted
//! records and other organisations' staff are neither listed nor found (404, not 403).
//! The audit log is a target too (its reader sees no restricted record unless entitled),
//! and so are codes: a code of the restricted series, free or held by a restricted record,
//! is a format error for whoever may not see restricted records, never "already stored".

use bonifica_model::{AssetKind, Dataset};
use bonifica_server::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fixture::{app, send, template};

/// The record a row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Hazard,
    HazardOwn,
    HazardRestricted,
    Asset,
    AssetRestricted,
    Settlement,
    Organisation,
    Region,
    PersonOwn,
    PersonOther,
    ContractOwn,
    ContractOther,
    TeamOwn,
    TeamOther,
    Crew,
    /// `/api/audit`, read with `last=1000`.
    Audit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    List,
    Get,
    Create,
    Update,
    Delete,
    Event,
    /// Create the target's record with a free code of the restricted series (`HAR-9999`).
    CreateRestrictedCode,
    /// Create the target's record with the code a restricted record holds.
    CreateTakenCode,
}

use Target as T;
use Verb as V;

/// Expected statuses for coordinator, defence liaison, operations manager, team leader
/// and viewer, in that order.
const MATRIX: &[(Target, Verb, [u16; 5])] = &[
    (T::Hazard, V::List, [200, 200, 200, 200, 200]),
    (T::Hazard, V::Get, [200, 200, 200, 200, 200]),
    (T::Hazard, V::Create, [201, 201, 403, 403, 403]),
    (T::Hazard, V::Update, [200, 200, 403, 403, 403]),
    (T::Hazard, V::Delete, [204, 204, 403, 403, 403]),
    (T::Hazard, V::Event, [200, 200, 403, 403, 403]),
    (T::HazardOwn, V::Event, [200, 200, 200, 200, 403]),
    (T::HazardOwn, V::Update, [200, 200, 403, 403, 403]),
    (T::HazardRestricted, V::List, [200, 200, 200, 200, 200]),
    (T::HazardRestricted, V::Get, [404, 200, 404, 404, 404]),
    (T::HazardRestricted, V::Create, [403, 201, 403, 403, 403]),
    (T::HazardRestricted, V::Update, [404, 200, 403, 403, 403]),
    (T::HazardRestricted, V::Delete, [404, 204, 403, 403, 403]),
    (T::HazardRestricted, V::Event, [404, 200, 404, 404, 403]),
    (T::Asset, V::List, [200, 200, 200, 200, 200]),
    (T::Asset, V::Get, [200, 200, 200, 200, 200]),
    (T::Asset, V::Create, [201, 201, 403, 403, 403]),
    (T::Asset, V::Update, [200, 200, 403, 403, 403]),
    (T::Asset, V::Delete, [204, 204, 403, 403, 403]),
    (T::AssetRestricted, V::List, [200, 200, 200, 200, 200]),
    (T::AssetRestricted, V::Get, [404, 200, 404, 404, 404]),
    (T::AssetRestricted, V::Create, [403, 201, 403, 403, 403]),
    (T::AssetRestricted, V::Update, [404, 200, 403, 403, 403]),
    (T::AssetRestricted, V::Delete, [404, 204, 403, 403, 403]),
    (T::Settlement, V::List, [200, 200, 200, 200, 200]),
    (T::Settlement, V::Get, [200, 200, 200, 200, 200]),
    (T::Settlement, V::Create, [201, 201, 403, 403, 403]),
    (T::Settlement, V::Update, [200, 200, 403, 403, 403]),
    (T::Settlement, V::Delete, [204, 204, 403, 403, 403]),
    (T::Organisation, V::List, [200, 200, 200, 200, 200]),
    (T::Organisation, V::Get, [200, 200, 200, 200, 200]),
    (T::Organisation, V::Create, [201, 201, 403, 403, 403]),
    (T::Organisation, V::Update, [200, 200, 403, 403, 403]),
    (T::Organisation, V::Delete, [409, 409, 403, 403, 403]),
    (T::Region, V::List, [200, 200, 200, 200, 200]),
    (T::Region, V::Get, [200, 200, 200, 200, 200]),
    (T::Region, V::Create, [405, 405, 405, 405, 405]),
    (T::Region, V::Update, [405, 405, 405, 405, 405]),
    (T::Region, V::Delete, [405, 405, 405, 405, 405]),
    (T::PersonOwn, V::List, [200, 200, 200, 200, 403]),
    (T::PersonOwn, V::Get, [200, 200, 200, 200, 403]),
    (T::PersonOwn, V::Create, [201, 201, 201, 403, 403]),
    (T::PersonOwn, V::Update, [200, 200, 200, 403, 403]),
    (T::PersonOwn, V::Delete, [409, 409, 409, 403, 403]),
    (T::PersonOther, V::List, [200, 200, 200, 200, 403]),
    (T::PersonOther, V::Get, [200, 200, 404, 404, 403]),
    (T::PersonOther, V::Create, [201, 201, 403, 403, 403]),
    (T::PersonOther, V::Update, [200, 200, 404, 403, 403]),
    (T::PersonOther, V::Delete, [409, 409, 404, 403, 403]),
    (T::ContractOwn, V::List, [200, 200, 200, 200, 403]),
    (T::ContractOwn, V::Get, [200, 200, 200, 200, 403]),
    (T::ContractOwn, V::Create, [201, 201, 201, 403, 403]),
    (T::ContractOwn, V::Update, [200, 200, 200, 403, 403]),
    (T::ContractOwn, V::Delete, [204, 204, 204, 403, 403]),
    (T::ContractOther, V::List, [200, 200, 200, 200, 403]),
    (T::ContractOther, V::Get, [200, 200, 404, 404, 403]),
    (T::ContractOther, V::Create, [201, 201, 403, 403, 403]),
    (T::ContractOther, V::Update, [200, 200, 404, 403, 403]),
    (T::ContractOther, V::Delete, [204, 204, 404, 403, 403]),
    (T::TeamOwn, V::List, [200, 200, 200, 200, 200]),
    (T::TeamOwn, V::Get, [200, 200, 200, 200, 200]),
    (T::TeamOwn, V::Create, [201, 201, 201, 403, 403]),
    (T::TeamOwn, V::Update, [200, 200, 200, 403, 403]),
    (T::TeamOwn, V::Delete, [204, 204, 204, 403, 403]),
    (T::TeamOther, V::List, [200, 200, 200, 200, 200]),
    (T::TeamOther, V::Get, [200, 200, 200, 200, 200]),
    (T::TeamOther, V::Create, [201, 201, 403, 403, 403]),
    (T::TeamOther, V::Update, [200, 200, 403, 403, 403]),
    (T::TeamOther, V::Delete, [204, 204, 403, 403, 403]),
    (T::Crew, V::List, [200, 200, 200, 200, 200]),
    (T::Crew, V::Get, [200, 200, 200, 200, 200]),
    (T::Crew, V::Create, [201, 201, 403, 403, 403]),
    (T::Crew, V::Update, [200, 200, 403, 403, 403]),
    (T::Crew, V::Delete, [204, 204, 403, 403, 403]),
    (T::Audit, V::List, [200, 200, 403, 403, 403]),
    (
        T::Hazard,
        V::CreateRestrictedCode,
        [422, 422, 403, 403, 403],
    ),
    (T::Hazard, V::CreateTakenCode, [422, 422, 403, 403, 403]),
    (
        T::HazardRestricted,
        V::CreateRestrictedCode,
        [422, 201, 403, 403, 403],
    ),
    (
        T::HazardRestricted,
        V::CreateTakenCode,
        [422, 409, 403, 403, 403],
    ),
    (T::Asset, V::CreateRestrictedCode, [422, 422, 403, 403, 403]),
    (T::Asset, V::CreateTakenCode, [422, 422, 403, 403, 403]),
    (
        T::AssetRestricted,
        V::CreateRestrictedCode,
        [422, 201, 403, 403, 403],
    ),
    (
        T::AssetRestricted,
        V::CreateTakenCode,
        [422, 409, 403, 403, 403],
    ),
];

/// The collection path and the id of a target's record.
fn locate(t: Target, d: &Dataset) -> (&'static str, Uuid) {
    let tpl = template();
    let team = d.teams.iter().find(|x| x.id == tpl.team).expect("team");
    let own_person = team.members[0];
    let has_contract = |p: Uuid| d.contracts.iter().any(|c| c.person_id == p);
    let other_person = d
        .people
        .iter()
        .find(|p| p.organisation_id != tpl.operator && has_contract(p.id))
        .expect("another organisation's person")
        .id;
    let contract_of = |p: Uuid| {
        d.contracts
            .iter()
            .find(|c| c.person_id == p)
            .expect("contract")
            .id
    };
    let depended: Vec<Uuid> = d.assets.iter().flat_map(|a| a.depends_on.clone()).collect();
    let restricted_asset =
        |a: &bonifica_model::Asset| a.restricted || a.kind == AssetKind::MilitaryStructure;
    match t {
        T::Hazard => ("/api/hazard-areas", d.hazard_areas[2].id),
        T::HazardOwn => ("/api/hazard-areas", d.hazard_areas[1].id),
        T::HazardRestricted => ("/api/hazard-areas", d.hazard_areas[0].id),
        T::Asset => (
            "/api/assets",
            d.assets
                .iter()
                .find(|a| !restricted_asset(a) && !depended.contains(&a.id))
                .expect("a public asset")
                .id,
        ),
        T::AssetRestricted => (
            "/api/assets",
            d.assets
                .iter()
                .find(|a| restricted_asset(a) && !depended.contains(&a.id))
                .expect("a restricted asset")
                .id,
        ),
        T::Settlement => ("/api/settlements", d.settlements[0].id),
        T::Organisation => ("/api/organisations", tpl.operator),
        T::Region => ("/api/regions", d.regions[0].id),
        T::PersonOwn => ("/api/people", own_person),
        T::PersonOther => ("/api/people", other_person),
        T::ContractOwn => ("/api/contracts", contract_of(own_person)),
        T::ContractOther => ("/api/contracts", contract_of(other_person)),
        T::TeamOwn => ("/api/teams", tpl.team),
        T::TeamOther => (
            "/api/teams",
            d.teams
                .iter()
                .find(|x| x.organisation_id != tpl.operator)
                .expect("another organisation's team")
                .id,
        ),
        T::Crew => ("/api/crews", d.crews[0].id),
        T::Audit => ("/api/audit", Uuid::nil()),
    }
}

/// The request body that writes back what a GET returned (the wire `...In` of `out`).
fn to_input(collection: &str, out: &Value) -> Value {
    let pick = |keys: &[&str]| -> Value {
        let mut m = serde_json::Map::new();
        for k in keys {
            if let Some(v) = out.get(*k)
                && !v.is_null()
            {
                m.insert((*k).to_string(), v.clone());
            }
        }
        Value::Object(m)
    };
    let with_org = |mut v: Value| {
        v["organisation"] = out["organisation_id"].clone();
        v
    };
    match collection {
        "/api/hazard-areas" => {
            let mut v = pick(&[
                "geometry",
                "classification",
                "contamination",
                "density_per_ha",
                "terrain",
                "vegetation",
                "clearance_depth_cm",
                "evidence",
                "restricted",
            ]);
            if !out["organisation_id"].is_null() {
                v["organisation"] = out["organisation_id"].clone();
            }
            v
        }
        "/api/assets" => {
            let mut v = pick(&[
                "name",
                "kind",
                "geometry",
                "damage",
                "repair",
                "population_served",
                "network_share",
                "restricted",
                "restored",
            ]);
            v["network_share"] = json!(out["network_share"].as_f64().unwrap_or(0.0).min(1.0));
            v
        }
        "/api/settlements" => pick(&["name", "geometry", "population"]),
        "/api/organisations" => pick(&["name", "kind"]),
        "/api/people" => with_org(pick(&["name", "role", "trade", "qualifications"])),
        "/api/contracts" => with_org(pick(&["person_id", "start", "end"])),
        "/api/teams" | "/api/crews" => with_org(pick(&["name", "kind", "members", "base"])),
        _ => json!({}),
    }
}

/// The ids and codes of the template's restricted records, as JSON strings.
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
        .filter(|a| a.restricted || a.kind == AssetKind::MilitaryStructure)
        .map(|a| (a.id, a.code.to_string()));
    areas
        .chain(assets)
        .flat_map(|(id, code)| [format!("\"{id}\""), format!("\"{code}\"")])
        .collect()
}

const ROLES: [Role; 5] = [
    Role::Coordinator,
    Role::DefenceLiaison,
    Role::OperationsManager,
    Role::TeamLeader,
    Role::Viewer,
];

/// Runs one row for one role on a fresh copy of the region; returns a failure message.
async fn check(role: Role, target: Target, verb: Verb, expect: u16) -> Option<String> {
    let app = app();
    let data = &template().data;
    let (collection, id) = locate(target, data);
    let item = format!("{collection}/{id}");
    let defence = Some(Role::DefenceLiaison);
    let record = send(&app.router, defence, "GET", &item, None, &[])
        .await
        .body;
    let input = to_input(collection, &record);
    let me = Some(role);
    let if_match = [("if-match", "\"1\"")];
    let restricted_code = |prefix: &str| -> Value {
        let codes = data
            .hazard_areas
            .iter()
            .map(|a| a.code.as_str())
            .chain(data.assets.iter().map(|a| a.code.as_str()));
        let held = codes.filter(|c| c.starts_with(prefix)).min();
        json!(held.expect("a record of the restricted series"))
    };
    let prefix = if collection == "/api/assets" {
        "ASR-"
    } else {
        "HAR-"
    };
    let reply = match verb {
        V::List if target == T::Audit => {
            let reply = send(&app.router, me, "GET", "/api/audit?last=1000", None, &[]).await;
            let text = reply.body.to_string();
            if reply.status == 200 && !matches!(role, Role::DefenceLiaison) {
                let leaked = restricted_names().into_iter().find(|n| text.contains(n));
                if let Some(name) = leaked {
                    return Some(format!("{role:?} reads restricted {name} in the audit log"));
                }
            }
            reply
        }
        V::CreateRestrictedCode => {
            let mut input = input;
            input["code"] = json!(format!("{prefix}9999"));
            send(&app.router, me, "POST", collection, Some(input), &[]).await
        }
        V::CreateTakenCode => {
            let mut input = input;
            input["code"] = restricted_code(prefix);
            send(&app.router, me, "POST", collection, Some(input), &[]).await
        }
        V::List => {
            let uri = format!("{collection}?page_size=1000");
            let reply = send(&app.router, me, "GET", &uri, None, &[]).await;
            if reply.status == 200 {
                let listed = reply.body["items"]
                    .as_array()
                    .is_some_and(|items| items.iter().any(|i| i["id"] == json!(id)));
                let get = send(&app.router, me, "GET", &item, None, &[]).await;
                if listed != (get.status == 200) {
                    return Some(format!(
                        "{role:?} {target:?} list: listed={listed} but get gives {}",
                        get.status
                    ));
                }
            }
            reply
        }
        V::Get => send(&app.router, me, "GET", &item, None, &[]).await,
        V::Create => send(&app.router, me, "POST", collection, Some(input), &[]).await,
        V::Update => send(&app.router, me, "PUT", &item, Some(input), &if_match).await,
        V::Delete => send(&app.router, me, "DELETE", &item, None, &if_match).await,
        V::Event => {
            let uri = format!("{item}/events");
            let body = json!({"event": "start_work"});
            send(&app.router, me, "POST", &uri, Some(body), &if_match).await
        }
    };
    (reply.status.as_u16() != expect).then(|| {
        format!(
            "{role:?} {verb:?} {target:?}: expected {expect}, got {} {}",
            reply.status, reply.body
        )
    })
}

#[tokio::test]
async fn every_role_resource_and_verb_is_allowed_forbidden_or_not_found_as_the_table_says() {
    let mut failures = Vec::new();
    for (target, verb, expected) in MATRIX {
        for (role, expect) in ROLES.into_iter().zip(expected) {
            if let Some(f) = check(role, *target, *verb, *expect).await {
                failures.push(f);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn anonymous_requests_are_refused_with_401() {
    let app = app();
    for uri in [
        "/api/hazard-areas",
        "/api/summary",
        "/api/map/assets",
        "/api/session",
    ] {
        let reply = send(&app.router, None, "GET", uri, None, &[]).await;
        assert_eq!(reply.status, 401, "{uri}");
        assert_eq!(
            reply.headers["content-type"], "application/problem+json",
            "{uri}"
        );
    }
}

#[tokio::test]
async fn restricted_records_are_not_counted_nor_on_the_map_for_the_coordinator() {
    let app = app();
    let data = &template().data;
    let (coordinator_count, coordinator_map) = count(&app, Role::Coordinator).await;
    let (defence_count, defence_map) = count(&app, Role::DefenceLiaison).await;
    let restricted = data.hazard_areas.iter().filter(|h| h.restricted).count() as u64;
    assert!(restricted > 0);
    assert_eq!(defence_count, data.hazard_areas.len() as u64);
    assert_eq!(coordinator_count, defence_count - restricted);
    assert_eq!(coordinator_map as u64, coordinator_count);
    assert_eq!(defence_map as u64, defence_count);
}

async fn count(app: &crate::fixture::App, role: Role) -> (u64, usize) {
    let summary = send(&app.router, Some(role), "GET", "/api/summary", None, &[]).await;
    let map = send(
        &app.router,
        Some(role),
        "GET",
        "/api/map/hazard-areas",
        None,
        &[],
    )
    .await;
    (
        summary.body["hazard_areas"].as_u64().expect("a count"),
        map.body["features"].as_array().expect("features").len(),
    )
}

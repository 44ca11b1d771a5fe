//! `/api/summary`: the workforce, damaged and reopened network and contracts ending are
//! counted as the model counts them, from the `as_of` day, over what the caller may see.

use bonifica_model::{AssetKind, Dataset, Date};
use bonifica_server::Role;
use serde_json::Value;

use crate::fixture::{app, send, template};

async fn summary(app: &crate::fixture::App, role: Role, query: &str) -> Value {
    let reply = send(
        &app.router,
        Some(role),
        "GET",
        &format!("/api/summary{query}"),
        None,
        &[],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

/// A day on which some contracts end within 30 days and more within 90.
fn busy_day(data: &Dataset) -> Date {
    let first_end = data
        .contracts
        .iter()
        .map(|c| c.window.end())
        .min()
        .expect("contracts");
    first_end - chrono::Days::new(20)
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-6)
}

#[tokio::test]
async fn the_defence_liaison_gets_the_model_s_counts_as_of_a_day() {
    let app = app();
    let data = &template().data;
    let day = busy_day(data);
    let s = summary(&app, Role::DefenceLiaison, &format!("?as_of={day}")).await;
    let model = data.summary(day);
    assert_eq!(s["as_of"], day.to_string());
    assert_eq!(s["deminers"], model.deminers);
    assert_eq!(s["reconstruction_workers"], model.workers);
    assert!(model.deminers > 0 && model.workers > 0);
    assert!(close(&s["damaged_road_km"], model.damaged_road_km), "{s}");
    assert!(close(&s["damaged_rail_km"], model.damaged_rail_km), "{s}");
    assert!(model.damaged_road_km > 0.0);
    let [c30, c60, c90] = model.contracts_ending_30_60_90;
    assert_eq!(s["contracts_ending"]["in_30_days"], c30);
    assert_eq!(s["contracts_ending"]["in_60_days"], c60);
    assert_eq!(s["contracts_ending"]["in_90_days"], c90);
    assert!(c30 > 0 && c30 <= c60 && c60 <= c90, "{c30} {c60} {c90}");
    let reopened = |kind| {
        data.assets
            .iter()
            .filter(|a| a.kind == kind && a.restored)
            .map(|a| a.length_m() / 1000.0)
            .sum::<f64>()
    };
    assert!(
        close(&s["reopened_road_km"], reopened(AssetKind::RoadSegment)),
        "{s}"
    );
    assert!(
        close(&s["reopened_rail_km"], reopened(AssetKind::RailwaySegment)),
        "{s}"
    );

    // Long before the contracts, none ends within 90 days.
    let early = summary(&app, Role::DefenceLiaison, "?as_of=2000-01-01").await;
    assert_eq!(early["contracts_ending"]["in_90_days"], 0);
}

#[tokio::test]
async fn roles_count_only_what_they_may_see() {
    let app = app();
    let data = &template().data;
    let day = busy_day(data);
    let query = format!("?as_of={day}");

    // The viewer reads no people or contracts: no workforce, no contracts.
    let viewer = summary(&app, Role::Viewer, &query).await;
    for field in [
        "people",
        "deminers",
        "reconstruction_workers",
        "contracts",
        "contracts_ending",
    ] {
        assert!(viewer[field].is_null(), "the viewer gets {field}: {viewer}");
    }

    // The operations manager counts the contracts and people of their organisation only.
    let operator = template().operator;
    let own = Dataset {
        people: data
            .people
            .iter()
            .filter(|p| p.organisation_id == operator)
            .cloned()
            .collect(),
        contracts: data
            .contracts
            .iter()
            .filter(|c| c.organisation_id == operator)
            .cloned()
            .collect(),
        ..Dataset::default()
    }
    .summary(day);
    let manager = summary(&app, Role::OperationsManager, &query).await;
    assert_eq!(manager["deminers"], own.deminers);
    assert_eq!(manager["contracts"], own.contracts);
    assert_eq!(
        manager["contracts_ending"]["in_90_days"],
        own.contracts_ending_30_60_90[2]
    );
    assert!(own.contracts < data.contracts.len());

    // Restricted assets are not counted in the network figures of the coordinator.
    let open = Dataset {
        assets: data
            .assets
            .iter()
            .filter(|a| !a.restricted && a.kind != AssetKind::MilitaryStructure)
            .cloned()
            .collect(),
        ..Dataset::default()
    }
    .summary(day);
    let coordinator = summary(&app, Role::Coordinator, &query).await;
    assert_eq!(coordinator["damaged_assets"], open.damaged_assets);
    assert!(close(&coordinator["damaged_road_km"], open.damaged_road_km));
    let liaison = summary(&app, Role::DefenceLiaison, &query).await;
    assert!(
        coordinator["assets"].as_u64() < liaison["assets"].as_u64(),
        "{coordinator} {liaison}"
    );
}

#[tokio::test]
async fn a_bad_as_of_or_an_unknown_parameter_is_a_400_naming_it() {
    let app = app();
    for (query, field) in [
        ("?as_of=2027-13-01", "as_of"),
        ("?as_of=tomorrow", "as_of"),
        ("?as_at=2027-01-01", "as_at"),
    ] {
        let reply = send(
            &app.router,
            Some(Role::Viewer),
            "GET",
            &format!("/api/summary{query}"),
            None,
            &[],
        )
        .await;
        assert_eq!(reply.status, 400, "{query}: {}", reply.body);
        assert_eq!(reply.body["errors"][0]["field"], field, "{}", reply.body);
    }
    let today = summary(&app, Role::Viewer, "").await;
    assert_eq!(
        today["as_of"],
        chrono::Utc::now().date_naive().to_string(),
        "the default day is today"
    );
}

//! How fast an oversized report is refused: a report whose worked polygon has 200,000
//! vertices (about 7 MB of JSON), sent through `/api/reports/batch` by a viewer (refused for
//! the role before the body is read) and by a team leader (the body read, parsed and its
//! polygon refused by the vertex cap), in-process through the router, alternating the two,
//! and the medians and their ratio printed.
//!
//! Run with `cargo run --release -p bonifica-server --example refusals [-- ROUNDS]`.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, header};
use bonifica_server::auth::hash_token;
use bonifica_server::{AppState, router};
use bonifica_store::{NewApiToken, NewUser};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("small.gpkg");
    let data = bonifica_synth::generate(&bonifica_synth::Params {
        deminers: 60,
        workers: 60,
        hazard_density: 0.02,
        asset_density: 0.05,
        ..bonifica_synth::Params::default()
    })?;
    let mut store = bonifica_store::create(&path.to_string_lossy(), false)?;
    store.insert(&data)?;
    let area = data.hazard_areas.first().ok_or("no hazard area")?;
    let team = data.teams.first().ok_or("no team")?;
    for (role, team_id) in [("viewer", None), ("team_leader", Some(team.id))] {
        let user = store.add_user(&NewUser {
            username: role.to_string(),
            password_hash: "not-a-hash".to_string(),
            role: role.to_string(),
            organisation_id: team_id.map(|_| team.organisation_id),
            team_id,
        })?;
        store.create_api_token(&NewApiToken {
            token_hash: hash_token(role),
            user_id: user.id,
            name: "refusals".to_string(),
            expires_at: "2099-01-01T00:00:00Z".to_string(),
        })?;
    }
    drop(store);

    let n = 200_000;
    let mut ring: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / n as f64;
            [36.5 + 0.004 * a.cos(), 49.5 + 0.0027 * a.sin()]
        })
        .collect();
    ring.push(ring[0]);
    let report = serde_json::json!({
        "client_id": uuid::Uuid::new_v4().to_string(), "kind": "daily_progress",
        "hazard_area_id": area.id, "team_id": team.id, "date": "2026-11-24",
        "worked": {"type": "Polygon", "coordinates": [ring]},
        "cancelled_m2": 0, "reduced_m2": 0, "cleared_m2": 100, "hours": 6, "ordnance": [],
    });
    let body = serde_json::to_vec(&serde_json::json!({"reports": [report]}))?;
    println!(
        "one report of {n} vertices: {:.1} MB of JSON",
        body.len() as f64 / 1e6
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let app = router(AppState::open(&path.to_string_lossy())?);
        let mut times: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
        let mut statuses = [String::new(), String::new()];
        for _ in 0..rounds {
            for (i, role) in ["viewer", "team_leader"].into_iter().enumerate() {
                let req = Request::post("/api/reports/batch")
                    .header(header::AUTHORIZATION, format!("Bearer {role}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body.clone()))?;
                let t = Instant::now();
                let response = app.clone().oneshot(req).await?;
                let status = response.status();
                let answer = response.into_body().collect().await?.to_bytes();
                times[i].push(t.elapsed());
                statuses[i] = format!("{status} {}", String::from_utf8_lossy(&answer));
            }
        }
        let median = |v: &mut Vec<Duration>| {
            v.sort();
            v[v.len() / 2].as_secs_f64() * 1e3
        };
        let viewer = median(&mut times[0]);
        let leader = median(&mut times[1]);
        println!(
            "viewer: median {viewer:.3} ms over {rounds}: {:.120}",
            statuses[0]
        );
        println!(
            "team leader: median {leader:.3} ms over {rounds}: {:.160}",
            statuses[1]
        );
        println!("ratio viewer/team leader: {:.4}", viewer / leader);
        Ok::<(), Box<dyn std::error::Error>>(())
    })
}

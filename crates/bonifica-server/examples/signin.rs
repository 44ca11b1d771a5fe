//! Sign-in timing benchmark: whether the time of a refused sign-in tells an unknown user
//! name from a known one with a wrong password. Serves an empty register in-process and
//! sends `POST /api/session` through the router, alternating an unknown user name and a
//! known user with a wrong password, each from an address of its own (so the sign-in limit
//! never answers first), and prints the median and p90 of each, and their ratio.
//!
//! Run with `cargo run --release -p bonifica-server --example signin [-- ROUNDS]`.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use bonifica_server::{AppState, Role, add_user, router};
use tower::ServiceExt;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("signin.gpkg");
    let mut store = bonifica_store::create(&path.to_string_lossy(), false)?;
    add_user(
        &mut *store,
        "ana",
        Role::Coordinator,
        "the right password",
        None,
        None,
    )?;
    drop(store);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let app = router(AppState::open(&path.to_string_lossy())?);
        let mut n: u32 = 0;
        let mut attempt = |username: &'static str| {
            n += 1;
            let app = app.clone();
            // A fresh address per attempt: 10.x.y.z.
            let ip = Ipv4Addr::from(0x0a00_0000 | n);
            async move {
                let mut req = Request::post("/api/session")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(format!(
                        r#"{{"username":"{username}","password":"a wrong guess"}}"#
                    )))?;
                req.extensions_mut()
                    .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
                let started = Instant::now();
                let response = app.oneshot(req).await?;
                let took = started.elapsed();
                if response.status() != 401 {
                    return Err(format!("expected 401, got {}", response.status()).into());
                }
                Ok::<Duration, Box<dyn std::error::Error>>(took)
            }
        };
        // Warm up: the dummy hash is made on the first attempt, the store's statements
        // are prepared.
        for _ in 0..5 {
            attempt("nobody").await?;
            attempt("ana").await?;
        }
        let (mut unknown, mut known) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            unknown.push(attempt("nobody").await?);
            known.push(attempt("ana").await?);
        }
        let (u50, u90) = quantiles(&mut unknown);
        let (k50, k90) = quantiles(&mut known);
        println!("refused sign-ins, {rounds} of each, alternating, in-process through the router:");
        println!("  unknown user name          median {u50:>7.2} ms   p90 {u90:>7.2} ms");
        println!("  known user, wrong password median {k50:>7.2} ms   p90 {k90:>7.2} ms");
        println!("  ratio of medians (unknown / known): {:.3}", u50 / k50);
        Ok::<(), Box<dyn std::error::Error>>(())
    })?;
    Ok(())
}

/// The median and 90th percentile, in milliseconds.
fn quantiles(times: &mut [Duration]) -> (f64, f64) {
    times.sort_unstable();
    let at = |q: f64| {
        let i = ((times.len() as f64 - 1.0) * q).round() as usize;
        times[i].as_secs_f64() * 1000.0
    };
    (at(0.5), at(0.9))
}

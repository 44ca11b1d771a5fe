//! Load benchmark of the API: generates the default demo region (about 6,000 hazard areas
//! and 4,000 assets) into a temporary region file, serves it in-process on 127.0.0.1:0, and
//! fires a bounded number of requests from a few concurrent clients over loopback, printing
//! requests per second and p50/p95/p99 latency for:
//!
//! - the background build of every map layer, at start-up and after a write;
//! - the whole region's map data (`/api/map/hazard-areas` and `/api/map/assets`, gzip);
//! - bounding-box pages of 100 hazard areas (`/api/hazard-areas?bbox=...&page_size=100`).
//!
//! Run with `cargo run --release -p bonifica-server --example load [-- REQUESTS CLIENTS]`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bonifica_server::auth::hash_token;
use bonifica_server::{AppState, router};
use bonifica_store::{NewApiToken, NewUser};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const TOKEN: &str = "load-benchmark-token";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let requests: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let clients: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(4);

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("demo.gpkg");
    let started = Instant::now();
    let data = bonifica_synth::generate(&bonifica_synth::Params::default())?;
    let mut store = bonifica_store::create(&path.to_string_lossy(), false)?;
    store.insert(&data)?;
    let user = store.add_user(&NewUser {
        username: "bench".to_string(),
        password_hash: "not-a-hash".to_string(),
        role: "defence_liaison".to_string(),
        organisation_id: None,
        team_id: None,
    })?;
    store.create_api_token(&NewApiToken {
        token_hash: hash_token(TOKEN),
        user_id: user.id,
        name: "load".to_string(),
        expires_at: "2099-01-01T00:00:00Z".to_string(),
    })?;
    drop(store);
    println!(
        "demo region: {} hazard areas, {} assets, written in {:.1} s",
        data.hazard_areas.len(),
        data.assets.len(),
        started.elapsed().as_secs_f64()
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let t = Instant::now();
        let state = AppState::open(&path.to_string_lossy())?;
        let opened = t.elapsed();
        let warmed = warm_up(&state).await;
        println!(
            "register loaded in {:.0} ms; every map layer (7 layers, 2 visibilities) built in the background in {:.0} ms more",
            opened.as_secs_f64() * 1e3,
            warmed.as_secs_f64() * 1e3
        );
        // The same after a write: the layers are dropped and built again.
        state.maps_changed();
        let rebuilt = warm_up(&state).await;
        println!(
            "after a write: every map layer built again in the background in {:.0} ms",
            rebuilt.as_secs_f64() * 1e3
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let served = state.clone();
        tokio::spawn(async move { axum::serve(listener, router(served)).await });

        let mut client = Client::connect(addr).await?;
        for layer in bonifica_server::map::LAYERS {
            let t = Instant::now();
            let bytes = client.get(&format!("/api/map/{layer}")).await?;
            println!(
                "map {layer}: first request after start-up {:.1} ms, {:.2} MB gzipped",
                t.elapsed().as_secs_f64() * 1e3,
                bytes as f64 / 1e6
            );
        }
        let map = |i: usize| {
            let layer = if i.is_multiple_of(2) {
                "hazard-areas"
            } else {
                "assets"
            };
            format!("/api/map/{layer}")
        };
        run("whole-region map data", addr, requests / 10, clients, map).await?;
        let bbox = |i: usize| {
            // A deterministic walk of 0.25° boxes over the region.
            let x = (i * 7919) % 28;
            let y = (i * 104_729) % 16;
            let (lon, lat) = (33.0 + x as f64 * 0.25, 49.0 + y as f64 * 0.25);
            format!(
                "/api/hazard-areas?bbox={lon},{lat},{},{}&page_size=100",
                lon + 0.25,
                lat + 0.25
            )
        };
        run("bounding-box page of 100", addr, requests, clients, bbox).await?;
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;
    Ok(())
}

/// Waits for the background map builder to finish; returns how long it took.
async fn warm_up(state: &AppState) -> Duration {
    let t = Instant::now();
    while state.maps_warming() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    t.elapsed()
}

async fn run(
    name: &str,
    addr: SocketAddr,
    requests: usize,
    clients: usize,
    uri: impl Fn(usize) -> String + Send + Sync + Copy + 'static,
) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        tasks.push(tokio::spawn(async move {
            let mut client = Client::connect(addr).await?;
            let mut latencies = Vec::new();
            let mut bytes = 0;
            for i in (c..requests).step_by(clients) {
                let t = Instant::now();
                bytes += client.get(&uri(i)).await?;
                latencies.push(t.elapsed());
            }
            Ok::<_, std::io::Error>((latencies, bytes))
        }));
    }
    let mut all = Vec::new();
    let mut bytes = 0;
    for t in tasks {
        let (l, b) = t.await??;
        all.extend(l);
        bytes += b;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| -> f64 {
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        all[i].as_secs_f64() * 1e3
    };
    println!(
        "{name}: {} requests, {clients} clients, {:.0} req/s, p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, {:.1} kB per response",
        all.len(),
        all.len() as f64 / elapsed,
        pct(0.50),
        pct(0.95),
        pct(0.99),
        bytes as f64 / all.len().max(1) as f64 / 1e3
    );
    Ok(())
}

/// A minimal keep-alive HTTP/1.1 client: enough for GETs with a Content-Length.
struct Client {
    stream: BufReader<TcpStream>,
    addr: SocketAddr,
}

impl Client {
    async fn connect(addr: SocketAddr) -> std::io::Result<Client> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Client {
            stream: BufReader::new(stream),
            addr,
        })
    }

    /// Sends a GET and reads the whole response; returns the body's length.
    async fn get(&mut self, uri: &str) -> std::io::Result<usize> {
        let request = format!(
            "GET {uri} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {TOKEN}\r\nAccept-Encoding: gzip\r\n\r\n",
            self.addr
        );
        self.stream.get_mut().write_all(request.as_bytes()).await?;
        let mut status = String::new();
        self.stream.read_line(&mut status).await?;
        if !status.contains(" 200 ") {
            return Err(std::io::Error::other(format!("{uri}: {}", status.trim())));
        }
        let mut length = None;
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).await?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse::<usize>().ok();
            }
        }
        let length = length.ok_or_else(|| std::io::Error::other("no content-length"))?;
        let mut body = vec![0; length];
        tokio::time::timeout(Duration::from_secs(60), self.stream.read_exact(&mut body))
            .await
            .map_err(std::io::Error::other)??;
        Ok(length)
    }
}

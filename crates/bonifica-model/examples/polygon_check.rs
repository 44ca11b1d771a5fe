//! Times the polygon topology check at 10,000, 100,000 and 1,000,000 vertices and prints
//! the growth ratios, with the full checked constructor and the old quadratic check (`geo`'s
//! validation) at 10,000 vertices as a baseline.
//!
//! `cargo run --release -p bonifica-model --example polygon_check`
//!
//! The polygon is a star-shaped ring about 1 km across near 36.5°E 49.5°N: seven lobes
//! (so it is not convex), each vertex's radius jittered by up to half the spacing of the
//! vertices, like a traced outline. Vertices at increasing angles around the centre make
//! the ring simple whatever the radii, so every size is valid. A second, rougher ring
//! jitters each radius by up to 2 m whatever the spacing: at 100,000 vertices its edges are
//! 60 times longer than the spacing, which is where the R-tree's candidate lists grow.

use bonifica_model::topology::check_topology;
use bonifica_model::{MAX_VERTICES, Polygonal};
use geo::Validation;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use std::time::Instant;

fn main() {
    println!("vertex cap (MAX_VERTICES): {MAX_VERTICES}");
    let mut times = Vec::new();
    for n in [10_000, 100_000, 1_000_000] {
        let mp = star(n, Jitter::HalfSpacing);
        let seconds = best_of(3, || check_topology(&mp).expect("the ring is valid"));
        println!("check_topology, {n:>9} vertices: {:>9.1} ms", seconds * 1e3);
        times.push(seconds);
    }
    println!(
        "growth: x10 vertices -> x{:.1} time, x100 vertices -> x{:.1} time (linear: x10, x100)",
        times[1] / times[0],
        times[2] / times[0]
    );
    for n in [10_000, 100_000] {
        let raw = raw(&star(n, Jitter::HalfSpacing));
        let seconds = best_of(3, || Polygonal::from_raw(&raw).expect("the ring is valid"));
        println!(
            "Polygonal::from_raw (all checks), {n:>7} vertices: {:>9.1} ms",
            seconds * 1e3
        );
    }
    for n in [10_000, 100_000] {
        let mp = star(n, Jitter::TwoMetres);
        let seconds = best_of(3, || check_topology(&mp).expect("the ring is valid"));
        println!(
            "check_topology, rough ring (2 m jitter), {n:>7} vertices: {:>9.1} ms",
            seconds * 1e3
        );
    }
    let mp = star(10_000, Jitter::HalfSpacing);
    let seconds = best_of(1, || assert!(mp.is_valid(), "the ring is valid"));
    println!(
        "old check (geo validation, quadratic), 10000 vertices: {:>9.1} ms",
        seconds * 1e3
    );
}

enum Jitter {
    HalfSpacing,
    TwoMetres,
}

/// The star-shaped ring of `n` positions (the last repeating the first, as the vertex cap
/// counts them), WGS 84 degrees.
fn star(n: usize, jitter: Jitter) -> MultiPolygon<f64> {
    let n = n - 1;
    let (lon0, lat0) = (36.5_f64, 49.5_f64);
    let m_per_deg_lat = 111_200.0;
    let m_per_deg_lon = m_per_deg_lat * lat0.to_radians().cos();
    let spacing_m = std::f64::consts::TAU * 500.0 / n as f64;
    let amplitude_m = match jitter {
        Jitter::HalfSpacing => spacing_m / 2.0,
        Jitter::TwoMetres => 2.0,
    };
    // A small linear congruential generator: the same ring on every run, no dependency.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut unit = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut coords: Vec<Coord<f64>> = (0..n)
        .map(|i| {
            let t = i as f64 / n as f64 * std::f64::consts::TAU;
            let r_m = 450.0 + 60.0 * (7.0 * t).sin() + amplitude_m * (2.0 * unit() - 1.0);
            Coord {
                x: lon0 + r_m * t.cos() / m_per_deg_lon,
                y: lat0 + r_m * t.sin() / m_per_deg_lat,
            }
        })
        .collect();
    coords.push(coords[0]);
    MultiPolygon(vec![Polygon::new(LineString(coords), vec![])])
}

fn raw(mp: &MultiPolygon<f64>) -> Vec<bonifica_model::RawPolygon> {
    mp.0.iter()
        .map(|p| vec![p.exterior().0.iter().map(|c| [c.x, c.y]).collect()])
        .collect()
}

/// The shortest of `runs` timings of `f`, in seconds.
fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

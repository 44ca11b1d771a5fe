//! Generates the default synthetic region, times it and prints what it holds.
//!
//! `cargo run --release -p bonifica-synth --example generate [seed]`

use std::collections::BTreeMap;
use std::time::Instant;

use bonifica_model::{AssetKind, Classification, DamageLevel};
use bonifica_synth::{Params, generate};

fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let params = Params {
        seed,
        ..Params::default()
    };
    let started = Instant::now();
    let dataset = match generate(&params) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let elapsed = started.elapsed();
    let summary = dataset.summary(params.start_date);
    let area_km2 = dataset.regions[0].boundary.area_m2() / 1e6;
    println!("seed {seed}: generated in {:.2} s", elapsed.as_secs_f64());
    println!(
        "region {:.0} km², {} settlements, population {}",
        area_km2, summary.settlements, summary.population
    );
    let cha = dataset
        .hazard_areas
        .iter()
        .filter(|h| h.classification() == Classification::Cha)
        .count();
    let hazard_km2: f64 = dataset
        .hazard_areas
        .iter()
        .map(|h| h.area_m2())
        .sum::<f64>()
        / 1e6;
    println!(
        "hazard areas {} ({} CHA), {:.1} km²",
        summary.hazard_areas, cha, hazard_km2
    );
    let mut kinds: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for a in &dataset.assets {
        let e = kinds.entry(a.kind.as_str()).or_default();
        e.0 += 1;
        if a.damage != DamageLevel::Undamaged {
            e.1 += 1;
        }
    }
    println!(
        "assets {} ({} damaged)",
        summary.assets, summary.damaged_assets
    );
    for (kind, (n, damaged)) in kinds {
        println!("  {kind:<20} {n:>5} ({damaged} damaged)");
    }
    let road_km: f64 = dataset
        .assets
        .iter()
        .filter(|a| a.kind == AssetKind::RoadSegment)
        .map(|a| a.length_m() / 1000.0)
        .sum();
    println!(
        "road network {road_km:.0} km, damaged {:.0} km; rail damaged {:.0} km",
        summary.damaged_road_km, summary.damaged_rail_km
    );
    println!(
        "{} organisations, {} deminers in {} teams, {} workers in {} crews, {} rivers",
        summary.organisations,
        summary.deminers,
        summary.teams,
        summary.workers,
        summary.crews,
        dataset.rivers.len()
    );
}

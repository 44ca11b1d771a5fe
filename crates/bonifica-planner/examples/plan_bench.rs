//! Plans the default demo region and prints the figures for BENCHMARKS.md: time to the
//! first feasible plan and to the final plan, peak memory, the objective against the
//! greedy baseline, and the independent checker's verdict.
//!
//! `cargo run --release -p bonifica-planner --example plan_bench [seconds] [seed]`
//! (default: a 50 s improvement budget, so the whole run stays within 60 s)

use std::time::{Duration, Instant};

use bonifica_planner::{Limits, Planner, PlannerConfig, check};
use bonifica_synth::{Params, generate};

fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(50.0);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let params = Params::default();
    let dataset = match generate(&params) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let config = PlannerConfig::default();
    let started = Instant::now();
    let planner = match Planner::new(&dataset, &config, params.start_date) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let prepared = started.elapsed().as_secs_f64();
    let limits = Limits {
        time_budget: Some(Duration::from_secs_f64(seconds)),
        seed,
        ..Limits::default()
    };
    let (plan, figures) = planner.plan(&limits, &|_| {});
    let total = started.elapsed().as_secs_f64();
    let items = planner.instance.items.len();
    println!(
        "region: {} hazard areas, {} damaged assets, {} units, {} work items, {} zones",
        planner.region.hazards.len(),
        planner.region.assets.len(),
        planner.region.units.len(),
        items,
        planner.region.zones.len()
    );
    println!("prepare (gating, units, items): {prepared:.2} s");
    println!(
        "first feasible plan: {:.2} s after prepare ({:.2} s in all)",
        figures.first_feasible_s,
        prepared + figures.first_feasible_s
    );
    println!(
        "final plan: {:.2} s in all ({} improvement dispatches)",
        total, figures.iterations
    );
    println!(
        "peak memory (VmHWM): {} MiB",
        peak_memory_kib().unwrap_or(0) / 1024
    );
    let baseline = plan.baseline_objective.unwrap_or(f64::NAN);
    println!(
        "objective: first {:.4e}, final {:.4e}, baseline {:.4e}",
        figures.first_objective, plan.objective_value, baseline
    );
    println!(
        "improvement over baseline: {:.1} %",
        (1.0 - plan.objective_value / baseline) * 100.0
    );
    println!(
        "placed {} items, deferred {}; assets restored {}/{}; hazard areas released {}/{}",
        plan.items.len(),
        plan.deferred.len(),
        plan.indicators.assets_restored,
        plan.assets.len(),
        plan.indicators.hazards_released,
        plan.hazards.len()
    );
    println!(
        "released {:.1} km², road {:.0} km, rail {:.0} km, power share {:.2}",
        plan.indicators.released_km2,
        plan.indicators.road_km_reopened,
        plan.indicators.rail_km_reopened,
        plan.indicators.power_population_share
    );
    let t = Instant::now();
    match check(&dataset, &config, &plan) {
        Ok(v) => {
            println!(
                "checker: {} violations ({:.2} s)",
                v.len(),
                t.elapsed().as_secs_f64()
            );
            for x in v.iter().take(10) {
                println!("  {x}");
            }
        }
        Err(e) => println!("checker failed: {e}"),
    }
}

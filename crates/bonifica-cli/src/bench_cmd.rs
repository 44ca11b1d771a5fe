//! `bonifica bench region`: generates the default region, computes gating and writes the
//! GeoPackage, printing the time of each step and the peak memory of the process.

use std::time::Instant;

use anyhow::Context;
use bonifica_model::Gating;
use bonifica_store::{GeoPackage, Store};

/// Arguments of `bonifica bench region`.
#[derive(Debug, clap::Args)]
pub struct RegionBenchArgs {
    /// Demining staff.
    #[arg(long, default_value_t = 1_000)]
    pub deminers: u32,
    /// Reconstruction workers.
    #[arg(long, default_value_t = 5_000)]
    pub workers: u32,
    /// The seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Gating buffer around each asset's footprint, in metres.
    #[arg(long, default_value_t = 50.0)]
    pub buffer_m: f64,
    /// Also write the region to this GeoPackage file and time it.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
}

pub fn region(args: &RegionBenchArgs) -> anyhow::Result<()> {
    let params = bonifica_synth::Params {
        seed: args.seed,
        deminers: args.deminers,
        workers: args.workers,
        ..bonifica_synth::Params::default()
    };
    let t0 = Instant::now();
    let dataset = bonifica_synth::generate(&params)?;
    let generate_s = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let projection = dataset.projection()?;
    let gating = Gating::compute(
        &dataset.hazard_areas,
        &dataset.assets,
        args.buffer_m,
        &projection,
    )?;
    let gating_s = t1.elapsed().as_secs_f64();

    let write_s = match &args.out {
        Some(path) => {
            let t2 = Instant::now();
            let mut store = GeoPackage::create_overwriting(path)
                .with_context(|| format!("creating {}", path.display()))?;
            store.insert(&dataset)?;
            Some(t2.elapsed().as_secs_f64())
        }
        None => None,
    };
    crate::outln!(
        "region: {} hazard areas, {} assets ({} blocked), {} people, {} teams, {} crews",
        dataset.hazard_areas.len(),
        dataset.assets.len(),
        gating.blocked_count(),
        dataset.people.len(),
        dataset.teams.len(),
        dataset.crews.len()
    )?;
    crate::outln!("generate_s {generate_s:.3}")?;
    crate::outln!("gating_s {gating_s:.3}")?;
    if let Some(w) = write_s {
        crate::outln!("write_gpkg_s {w:.3}")?;
    }
    crate::outln!("total_s {:.3}", t0.elapsed().as_secs_f64())?;
    match peak_rss_mib() {
        Some(mib) => crate::outln!("peak_rss_mib {mib:.1}")?,
        None => crate::outln!("peak_rss_mib unknown (no /proc/self/status)")?,
    }
    Ok(())
}

/// Peak resident memory of this process, in MiB (Linux).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

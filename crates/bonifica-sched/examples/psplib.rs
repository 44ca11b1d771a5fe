//! Runs the PSPLIB benchmark without the CLI:
//! `cargo run --release -p bonifica-sched --example psplib -- DIR CSV SCHEDULES [LIMIT] [THREADS] [SEED]`.

use std::path::Path;

use bonifica_sched::bench::{BenchConfig, natural_key, parse_references, run_set};
use bonifica_sched::psplib::parse_sm;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    let dir = arg(1);
    let refs = parse_references(&std::fs::read_to_string(arg(2))?)?;
    let schedules: u64 = arg(3).parse()?;
    let limit: usize = arg(4).parse().unwrap_or(usize::MAX);
    let threads: usize = arg(5).parse().unwrap_or(2);
    let seed: u64 = arg(6).parse().unwrap_or(0);
    let set = Path::new(&dir)
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_string();
    let mut files: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sm"))
        .collect();
    files.sort_by_key(|p| natural_key(&p.file_stem().unwrap_or_default().to_string_lossy()));
    let stride: usize = std::env::var("STRIDE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let files: Vec<_> = files
        .into_iter()
        .step_by(stride.max(1))
        .take(limit)
        .collect();
    let mut instances = Vec::new();
    for f in files {
        let name = f
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        instances.push((
            name.clone(),
            parse_sm(&name, &std::fs::read_to_string(&f)?)?,
        ));
    }
    let config = BenchConfig {
        schedules,
        seed,
        threads,
    };
    let (fig, _) = run_set(&set, &instances, &refs, config, &|_| {});
    println!("{}", serde_json::to_string(&fig)?);
    Ok(())
}

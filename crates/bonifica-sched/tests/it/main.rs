//! Integration tests of the scheduling engine: hand-made instances with known optima,
//! brute force on random small instances, determinism, the JSON format, and a PSPLIB
//! smoke benchmark.

mod brute;
mod determinism;
mod handmade;
mod json_files;
mod props;
mod psplib_smoke;

use std::path::PathBuf;

/// The repository's `test-data/sched` folder.
pub fn test_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-data/sched")
}

/// Reads a problem from `test-data/sched`.
pub fn load(name: &str) -> bonifica_sched::Problem {
    let path = test_data().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    bonifica_sched::json::parse_problem(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

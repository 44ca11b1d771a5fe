//! A small PSPLIB subset as a smoke benchmark: the first 20 J30 instances at 1,000
//! schedules each, every schedule valid, average deviation from the optimum under 1 %.
//! The data folder comes from `BONIFICA_PSPLIB` (default `/work/shared/data/psplib`,
//! found relative to this crate); the test fails if it is missing.

use std::path::PathBuf;

use bonifica_sched::bench::{BenchConfig, natural_key, parse_references, run_set};
use bonifica_sched::psplib::parse_sm;

fn data_dir() -> PathBuf {
    std::env::var_os("BONIFICA_PSPLIB").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/psplib"),
        PathBuf::from,
    )
}

#[test]
fn first_twenty_j30_instances() {
    let dir = data_dir();
    let csv = std::fs::read_to_string(dir.join("reference_makespans.csv")).unwrap_or_else(|e| {
        panic!(
            "PSPLIB data missing at {} (set BONIFICA_PSPLIB): {e}",
            dir.display()
        )
    });
    let references = parse_references(&csv).unwrap_or_else(|e| panic!("{e}"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("j30"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("j30").display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sm"))
        .collect();
    files.sort_by_key(|p| natural_key(&p.file_stem().unwrap_or_default().to_string_lossy()));
    files.truncate(20);
    assert_eq!(files.len(), 20);
    let instances: Vec<_> = files
        .iter()
        .map(|f| {
            let name = f
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{e}"));
            let p = parse_sm(&name, &text).unwrap_or_else(|e| panic!("{e}"));
            (name, p)
        })
        .collect();
    let config = BenchConfig {
        schedules: 1_000,
        seed: 0,
        threads: 2,
    };
    let (figures, results) = run_set("j30", &instances, &references, config, &|_| {});
    assert_eq!(results.len(), 20);
    assert!(results.iter().all(|r| r.violations == 0), "{results:?}");
    assert!(results.iter().all(|r| r.schedules <= 1_000));
    assert_eq!(
        (figures.instances, figures.invalid, figures.unreferenced),
        (20, 0, 0)
    );
    assert!(figures.avg_deviation_pct < 1.0, "{figures:?}");
    assert!(figures.at_best_pct > 50.0, "{figures:?}");
}

#[test]
fn hand_made_sm_files_solve_to_their_optimum() {
    use bonifica_sched::{Limits, NoProgress, solve, validate};
    // tiny.sm: jobs of 3 (2 units) and 2 (1 unit) periods on 2 units run in sequence: 5.
    for (file, optimum) in [("tiny.sm", 5), ("small-12.sm", 30)] {
        let text = std::fs::read_to_string(crate::test_data().join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let p = parse_sm(file, &text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            crate::brute::classic_optimum(&p),
            optimum,
            "{file}: brute force"
        );
        let sol =
            solve(&p, &Limits::schedules(2_000), &NoProgress).unwrap_or_else(|e| panic!("{e}"));
        let s = sol.schedule.unwrap_or_default();
        assert_eq!(validate(&p, &s), vec![], "{file}");
        assert_eq!(sol.objective, Some(optimum), "{file}");
    }
}

//! The same seed gives the same region; another seed gives another.

use bonifica_synth::{Params, generate};

fn small(seed: u64) -> Params {
    Params {
        seed,
        deminers: 60,
        workers: 120,
        hazard_density: 0.15,
        asset_density: 0.2,
        ..Params::default()
    }
}

#[test]
fn the_same_seed_gives_an_identical_dataset() {
    let a = generate(&small(7)).expect("first run");
    let b = generate(&small(7)).expect("second run");
    assert!(a == b, "two runs with seed 7 differ");
    assert!(!a.hazard_areas.is_empty() && !a.assets.is_empty());
}

#[test]
fn another_seed_gives_another_dataset() {
    let a = generate(&small(7)).expect("seed 7");
    let b = generate(&small(8)).expect("seed 8");
    assert!(a != b);
    assert_ne!(a.hazard_areas[0].geometry(), b.hazard_areas[0].geometry());
    assert_ne!(a.settlements[0].name, b.settlements[0].name);
}

#[test]
fn the_default_region_is_reproducible() {
    let again = generate(&Params::default()).expect("default region");
    assert!(
        again == crate::default_region().dataset,
        "default region differs between runs"
    );
}

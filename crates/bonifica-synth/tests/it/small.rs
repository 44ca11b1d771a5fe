//! Small parameters give a small, valid region; bad parameters are refused by name.

use bonifica_model::Role;
use bonifica_synth::{Params, SynthError, generate};

#[test]
fn small_params_give_a_small_valid_region() {
    let params = Params {
        seed: 3,
        deminers: 50,
        workers: 100,
        hazard_density: 0.1,
        asset_density: 0.1,
        ..Params::default()
    };
    let d = generate(&params).expect("small region");
    d.check().expect("dataset check");
    let staff = d.people.iter().filter(|p| p.trade.is_none()).count();
    let workers = d.people.iter().filter(|p| p.role == Role::Worker).count();
    assert_eq!((staff, workers), (50, 100));
    assert!(
        (500..=700).contains(&d.hazard_areas.len()),
        "{}",
        d.hazard_areas.len()
    );
    assert!(d.settlements.len() < 80, "{}", d.settlements.len());
    assert!(!d.assets.is_empty());
}

#[test]
fn no_staff_at_all_is_fine() {
    let params = Params {
        deminers: 0,
        workers: 0,
        hazard_density: 0.05,
        asset_density: 0.1,
        ..Params::default()
    };
    let d = generate(&params).expect("empty contingent");
    assert!(d.people.is_empty() && d.teams.is_empty() && d.crews.is_empty());
}

#[test]
fn a_density_that_is_not_a_number_is_refused_by_name() {
    let params = Params {
        hazard_density: f64::NAN,
        ..Params::default()
    };
    let err = generate(&params).expect_err("NaN density");
    assert!(
        matches!(
            err,
            SynthError::InvalidParams {
                field: "hazard_density",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("parameter hazard_density is NaN"),
        "{err}"
    );
}

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

#[test]
fn restricted_records_take_codes_of_their_own_series_and_leave_no_gaps() {
    use bonifica_model::{AssetKind, RecordKind, Series};
    let params = Params {
        seed: 3,
        hazard_density: 0.1,
        asset_density: 0.1,
        ..Params::default()
    };
    let d = generate(&params).expect("small region");
    let areas = d.hazard_areas.iter().map(|a| (a.restricted, &a.code));
    let assets = d.assets.iter().map(|a| {
        let restricted = a.restricted || a.kind == AssetKind::MilitaryStructure;
        (restricted, &a.code)
    });
    for (kind, records) in [
        (RecordKind::HazardArea, areas.collect::<Vec<_>>()),
        (RecordKind::Asset, assets.collect::<Vec<_>>()),
    ] {
        for series in [Series::Visible, Series::Restricted] {
            let mut numbers: Vec<u32> = records
                .iter()
                .filter(|(restricted, _)| Series::of(*restricted) == series)
                .map(|(_, code)| {
                    code.number_in(kind, series)
                        .unwrap_or_else(|| panic!("{code} is not of the {series:?} series"))
                })
                .collect();
            numbers.sort_unstable();
            let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
            assert_eq!(numbers, expected, "{kind:?} {series:?}: numbered 1 to n");
            assert!(
                !numbers.is_empty(),
                "{kind:?} {series:?}: the region has some"
            );
        }
    }
}

//! The default region has the size, the mix and the validity the brief asks for.

use std::collections::BTreeMap;

use bonifica_model::{Classification, DamageLevel, Polygonal, Role};
use chrono::Months;

use crate::default_region;

#[test]
fn the_default_region_is_about_30000_km2_near_kharkiv() {
    let d = &default_region().dataset;
    assert_eq!(d.regions.len(), 1);
    let km2 = d.regions[0].boundary.area_m2() / 1e6;
    assert!((27_000.0..=33_000.0).contains(&km2), "{km2} km²");
    for c in &d.regions[0].boundary.as_multi_polygon().0[0].exterior().0 {
        assert!(
            (34.5..=38.5).contains(&c.x) && (49.0..=51.0).contains(&c.y),
            "{c:?}"
        );
    }
    d.check().expect("dataset check");
}

#[test]
fn settlements_hold_one_to_one_and_a_half_million_people() {
    let d = &default_region().dataset;
    assert!(
        (300..=600).contains(&d.settlements.len()),
        "{}",
        d.settlements.len()
    );
    let people: u64 = d.settlements.iter().map(|s| u64::from(s.population)).sum();
    assert!((1_000_000..=1_500_000).contains(&people), "{people}");
    let towns = d
        .settlements
        .iter()
        .filter(|s| s.population >= 20_000)
        .count();
    assert!((5..=12).contains(&towns), "{towns} towns");
    assert!(
        d.settlements
            .iter()
            .all(|s| (100..=200_000).contains(&s.population))
    );
}

#[test]
fn there_are_enough_hazard_areas_and_every_polygon_is_valid() {
    let d = &default_region().dataset;
    assert!(d.hazard_areas.len() >= 5_000, "{}", d.hazard_areas.len());
    for h in &d.hazard_areas {
        let again = Polygonal::try_from(h.geometry().as_multi_polygon().clone());
        assert!(again.is_ok(), "{}: {again:?}", h.code);
        assert!(h.density_per_ha > 0.0, "{}", h.code);
        assert!(
            [13, 20, 25, 30].contains(&h.clearance_depth_cm),
            "{}",
            h.code
        );
        assert!(!h.evidence.is_empty() && h.organisation_id.is_some());
    }
    let cha = d
        .hazard_areas
        .iter()
        .filter(|h| h.classification() == Classification::Cha)
        .count();
    let share = cha as f64 / d.hazard_areas.len() as f64;
    assert!((0.3..0.5).contains(&share), "CHA share {share}");
    let mut ha: Vec<f64> = d.hazard_areas.iter().map(|h| h.area_m2() / 1e4).collect();
    ha.sort_by(f64::total_cmp);
    let median = ha[ha.len() / 2];
    assert!((2.5..=6.0).contains(&median), "median {median} ha");
    assert!(
        ha[0] >= 0.3 && ha[ha.len() - 1] <= 250.0,
        "{} .. {} ha",
        ha[0],
        ha[ha.len() - 1]
    );
    assert!(d.hazard_areas.iter().any(|h| h.restricted));
}

#[test]
fn there_are_enough_damaged_assets_of_every_kind() {
    let d = &default_region().dataset;
    let damaged: Vec<_> = d
        .assets
        .iter()
        .filter(|a| a.damage != DamageLevel::Undamaged)
        .collect();
    assert!(damaged.len() >= 3_000, "{}", damaged.len());
    assert!(damaged.iter().all(|a| a.repair_person_days() > 0.0));
    let mut kinds = BTreeMap::new();
    for a in &d.assets {
        *kinds.entry(a.kind).or_insert(0) += 1;
    }
    assert_eq!(
        kinds.len(),
        bonifica_model::AssetKind::ALL.len(),
        "{kinds:?}"
    );
    assert!(
        d.assets
            .iter()
            .filter(|a| a.restricted)
            .all(|a| a.kind == bonifica_model::AssetKind::MilitaryStructure)
    );
}

#[test]
fn the_contingent_is_exactly_1000_deminers_and_5000_workers_each_with_one_contract() {
    let d = &default_region().dataset;
    let staff = d
        .people
        .iter()
        .filter(|p| p.trade.is_none() && p.role != Role::Worker)
        .count();
    let workers = d
        .people
        .iter()
        .filter(|p| p.role == Role::Worker && p.trade.is_some())
        .count();
    assert_eq!((staff, workers, d.people.len()), (1_000, 5_000, 6_000));
    let in_teams: usize = d.teams.iter().map(|t| t.members.len()).sum();
    let in_crews: usize = d.crews.iter().map(|c| c.members.len()).sum();
    assert_eq!((in_teams, in_crews), (1_000, 5_000));
    assert!(d.crews.iter().all(|c| c.members.len() <= 25));
    let mut contracts = BTreeMap::new();
    let start = crate::default_region_start();
    for c in &d.contracts {
        *contracts.entry(c.person_id).or_insert(0) += 1;
        let (from, to) = (c.window.start(), c.window.end());
        assert!(
            (0..=90).contains(&(from - start).num_days()),
            "{} starts {from}",
            c.code
        );
        let shortest = from
            .checked_add_months(Months::new(6))
            .and_then(|d| d.pred_opt());
        let longest = from
            .checked_add_months(Months::new(12))
            .and_then(|d| d.pred_opt());
        assert!(
            shortest.is_some_and(|s| to >= s) && longest.is_some_and(|l| to <= l),
            "{}: {from}..{to}",
            c.code
        );
    }
    assert_eq!(contracts.len(), 6_000);
    assert!(contracts.values().all(|n| *n == 1));
    let methods: std::collections::BTreeSet<_> = d.teams.iter().map(|t| t.method).collect();
    assert_eq!(methods.len(), bonifica_model::Method::ALL.len());
}

//! Hand-made regions with known answers: gating, dependencies, contracts and travel.
//!
//! One manual team of ten deminers clears 300 m² a day on flat, bare ground with
//! anti-personnel mines, and surveys at three times that. A CHA of 100 m × 100 m
//! (about 10,000 m²) takes technical survey ⌈10,000 / 900⌉ = 12 days, then clearance of
//! the half left ⌈5,000 / 300⌉ = 17 days: released on day 29.

use bonifica_model::{AssetKind, Classification, Method, Trade};
use bonifica_planner::{DeferReason, check};

use crate::fixture::{Fixture, day, dlon, span};

const SITE: (f64, f64) = (36.5, 50.0);

#[test]
fn repair_waits_for_the_hazard_area_around_the_asset() {
    let mut f = Fixture::new();
    f.team(Method::Manual, 10, SITE, (0, 365));
    f.crew(Trade::Roads, 10, SITE, (0, 365));
    let hazard = f.hazard(Classification::Cha, SITE, 100.0);
    // A road point inside the area, and one 2 km away that nothing gates.
    let gated = f.asset(
        AssetKind::RoadSegment,
        (SITE.0 + dlon(50.0), SITE.1 + 0.0003),
        &[(Trade::Roads, 50.0)],
        &[],
    );
    let free = f.asset(
        AssetKind::RoadSegment,
        (SITE.0 + dlon(2_000.0), SITE.1),
        &[(Trade::Roads, 30.0)],
        &[],
    );
    let plan = f.plan();
    assert_eq!(span(&plan, &f.code(hazard), "ts"), Some((day(0), day(11))));
    assert_eq!(
        span(&plan, &f.code(hazard), "clearance"),
        Some((day(12), day(28)))
    );
    let released = plan.hazards[0].release_date;
    assert_eq!(released, Some(day(29)));
    let (start, end) = span(&plan, &f.code(gated), "roads").expect("gated repair placed");
    assert!(start >= day(29), "repair starts {start} before release");
    assert_eq!((end - start).num_days() + 1, 5);
    let (free_start, _) = span(&plan, &f.code(free), "roads").expect("free repair placed");
    assert_eq!(free_start, day(0));
    assert_eq!(
        check(&f.d, &Default::default(), &plan).expect("checkable"),
        vec![]
    );
}

#[test]
fn a_line_waits_for_its_substation() {
    let mut f = Fixture::new();
    f.crew(Trade::Power, 10, SITE, (0, 365));
    f.crew(Trade::Power, 10, SITE, (0, 365));
    let substation = f.asset(AssetKind::Substation, SITE, &[(Trade::Power, 40.0)], &[]);
    let line = f.asset(
        AssetKind::PowerLine,
        (SITE.0 + 0.01, SITE.1),
        &[(Trade::Power, 20.0)],
        &[substation],
    );
    let plan = f.plan();
    assert_eq!(
        span(&plan, &f.code(substation), "power"),
        Some((day(0), day(3)))
    );
    // The second crew is free, yet the line must wait for the substation.
    assert_eq!(span(&plan, &f.code(line), "power"), Some((day(4), day(5))));
    assert_eq!(
        check(&f.d, &Default::default(), &plan).expect("checkable"),
        vec![]
    );
}

#[test]
fn work_longer_than_the_contract_is_deferred_with_what_waits_for_it() {
    let mut f = Fixture::new();
    f.team(Method::Manual, 10, SITE, (0, 19));
    f.crew(Trade::Roads, 10, SITE, (10, 365));
    let hazard = f.hazard(Classification::Cha, SITE, 100.0);
    let gated = f.asset(
        AssetKind::RoadSegment,
        (SITE.0 + dlon(50.0), SITE.1 + 0.0003),
        &[(Trade::Roads, 50.0)],
        &[],
    );
    let free = f.asset(
        AssetKind::RoadSegment,
        (SITE.0 + dlon(2_000.0), SITE.1),
        &[(Trade::Roads, 30.0)],
        &[],
    );
    let plan = f.plan();
    // Survey (12 days) fits in the 20 contracted days; clearance (17 more) does not.
    assert_eq!(span(&plan, &f.code(hazard), "ts"), Some((day(0), day(11))));
    let reasons: Vec<_> = plan
        .deferred
        .iter()
        .map(|d| (d.subject.code.clone(), d.reason))
        .collect();
    assert!(
        reasons.contains(&(f.code(hazard), DeferReason::OutsideContracts)),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&(f.code(gated), DeferReason::WaitsForDeferred)),
        "{reasons:?}"
    );
    assert_eq!(plan.hazards[0].release_date, None);
    // The crew's contract starts on day 10.
    assert_eq!(
        span(&plan, &f.code(free), "roads"),
        Some((day(10), day(12)))
    );
    assert!(plan.indicators.deferred_team_days >= 17);
    assert_eq!(
        check(&f.d, &Default::default(), &plan).expect("checkable"),
        vec![]
    );
}

#[test]
fn a_team_based_far_away_travels_first() {
    let mut f = Fixture::new();
    // About 245 km west: ⌈(245 − 20) / 150⌉ = 2 travel days.
    f.team(
        Method::Manual,
        10,
        (SITE.0 - dlon(245_000.0), SITE.1),
        (0, 365),
    );
    let first = f.hazard(Classification::Cha, SITE, 100.0);
    let plan = f.plan();
    let item = plan
        .items
        .iter()
        .find(|i| i.subject.code == f.code(first))
        .expect("placed");
    assert_eq!(item.travel_days, 2);
    assert_eq!(item.start, day(2));
    assert_eq!(
        check(&f.d, &Default::default(), &plan).expect("checkable"),
        vec![]
    );
}

#[test]
fn suspected_areas_are_surveyed_first_and_mostly_cancelled() {
    let mut f = Fixture::new();
    f.team(Method::Manual, 10, SITE, (0, 365));
    let sha = f.hazard(Classification::Sha, SITE, 100.0);
    let plan = f.plan();
    // NTS one day; TS on the 40 % left: ⌈4,000 / 900⌉ = 5 days; clearance of 2,000 m²:
    // ⌈2,000 / 300⌉ = 7 days.
    assert_eq!(span(&plan, &f.code(sha), "nts"), Some((day(0), day(0))));
    assert_eq!(span(&plan, &f.code(sha), "ts"), Some((day(1), day(5))));
    assert_eq!(
        span(&plan, &f.code(sha), "clearance"),
        Some((day(6), day(12)))
    );
    let o = plan.hazards[0].expected;
    let total = o.cancelled_m2 + o.reduced_m2 + o.cleared_m2;
    assert!((o.cancelled_m2 / total - 0.6).abs() < 1e-9);
    assert!((o.reduced_m2 / total - 0.2).abs() < 1e-9);
}

#[test]
fn the_same_seed_gives_the_same_plan_and_cancel_keeps_one() {
    let mut f = Fixture::new();
    f.team(Method::Manual, 10, SITE, (0, 365));
    f.team(Method::Manual, 8, (SITE.0 + 0.3, SITE.1), (0, 365));
    f.crew(Trade::Roads, 10, SITE, (0, 365));
    for k in 0..6 {
        f.hazard(
            Classification::Cha,
            (SITE.0 + 0.05 * f64::from(k), SITE.1),
            80.0,
        );
        f.asset(
            AssetKind::RoadSegment,
            (SITE.0 + 0.05 * f64::from(k) + dlon(40.0), SITE.1 + 0.0003),
            &[(Trade::Roads, 20.0)],
            &[],
        );
    }
    let planner =
        bonifica_planner::Planner::new(&f.d, &Default::default(), day(0)).expect("plannable");
    let limits = bonifica_planner::Limits {
        time_budget: None,
        max_iterations: Some(20),
        seed: 5,
        ..Default::default()
    };
    let dates = |p: &bonifica_planner::Plan| {
        p.items
            .iter()
            .map(|i| (i.subject.code.clone(), i.unit_code.clone(), i.start))
            .collect::<Vec<_>>()
    };
    let a = planner.plan(&limits, &|_| {}).0;
    let b = planner.plan(&limits, &|_| {}).0;
    assert_eq!(dates(&a), dates(&b));
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let limits = bonifica_planner::Limits {
        time_budget: None,
        max_iterations: None,
        cancel: Some(cancel),
        ..Default::default()
    };
    let c = planner.plan(&limits, &|_| {}).0;
    assert_eq!(c.items.len(), a.items.len());
    assert_eq!(
        check(&f.d, &Default::default(), &c).expect("checkable"),
        vec![]
    );
}

//! The independent checker catches each kind of violation on a hand-corrupted plan.

use bonifica_model::{AssetKind, Classification, Method, Trade};
use bonifica_planner::{CheckViolation, Plan, PlannerConfig, check};

use crate::fixture::{Fixture, dlon};

const SITE: (f64, f64) = (36.5, 50.0);

/// Two teams, one CHA with a gated road, a substation and its line.
fn region() -> (Fixture, Plan) {
    let mut f = Fixture::new();
    f.team(Method::Manual, 10, SITE, (0, 100));
    f.team(Method::Manual, 10, SITE, (0, 100));
    f.crew(Trade::Roads, 10, SITE, (0, 100));
    f.crew(Trade::Power, 10, SITE, (0, 100));
    // More than a zone (5 km) apart, so the two areas never share a zone.
    f.hazard(Classification::Cha, SITE, 100.0);
    f.hazard(Classification::Cha, (SITE.0 + dlon(6_000.0), SITE.1), 100.0);
    f.asset(
        AssetKind::RoadSegment,
        (SITE.0 + dlon(50.0), SITE.1 + 0.0003),
        &[(Trade::Roads, 50.0)],
        &[],
    );
    let sub = f.asset(
        AssetKind::Substation,
        (SITE.0 + 0.05, SITE.1),
        &[(Trade::Power, 40.0)],
        &[],
    );
    f.asset(
        AssetKind::PowerLine,
        (SITE.0 + 0.06, SITE.1),
        &[(Trade::Power, 20.0)],
        &[sub],
    );
    let plan = f.plan();
    assert_eq!(
        check(&f.d, &PlannerConfig::default(), &plan).expect("checkable"),
        vec![]
    );
    (f, plan)
}

fn shift(plan: &mut Plan, index: usize, days: i64) {
    let item = &mut plan.items[index];
    item.start_day += days;
    item.finish_day += days;
    item.start += chrono::Duration::days(days);
    item.end += chrono::Duration::days(days);
}

fn find(plan: &Plan, code: &str, kind: &str) -> usize {
    plan.items
        .iter()
        .position(|i| i.subject.code.as_str() == code && i.kind.word() == kind)
        .expect("item in plan")
}

fn violations(f: &Fixture, plan: &Plan) -> Vec<CheckViolation> {
    check(&f.d, &PlannerConfig::default(), plan).expect("checkable")
}

#[test]
fn repair_before_release_is_caught() {
    let (f, mut plan) = region();
    let road = find(&plan, "AS-0001", "roads");
    let back = plan.items[road].start_day;
    shift(&mut plan, road, -back);
    let v = violations(&f, &plan);
    assert!(
        v.iter().any(|x| matches!(x, CheckViolation::Gating { .. })),
        "{v:?}"
    );
}

#[test]
fn repair_before_its_dependency_is_caught() {
    let (f, mut plan) = region();
    let line = find(&plan, "AS-0003", "power");
    let back = plan.items[line].start_day;
    shift(&mut plan, line, -back);
    let v = violations(&f, &plan);
    assert!(
        v.iter()
            .any(|x| matches!(x, CheckViolation::Dependency { .. })),
        "{v:?}"
    );
    assert!(
        v.iter().any(|x| matches!(x, CheckViolation::Engine(_))),
        "engine agrees: {v:?}"
    );
}

#[test]
fn work_past_the_contract_is_caught() {
    let (f, mut plan) = region();
    let road = find(&plan, "AS-0001", "roads");
    shift(&mut plan, road, 90);
    let v = violations(&f, &plan);
    assert!(
        v.iter()
            .any(|x| matches!(x, CheckViolation::OutsideContract { .. })),
        "{v:?}"
    );
    assert!(
        v.iter().any(|x| matches!(x, CheckViolation::Engine(_))),
        "engine agrees: {v:?}"
    );
}

#[test]
fn two_items_at_once_on_one_team_are_caught() {
    let (f, mut plan) = region();
    let a = find(&plan, "HA-0001", "ts");
    let b = find(&plan, "HA-0002", "ts");
    plan.items[b].unit_id = plan.items[a].unit_id;
    plan.items[b].unit_code = plan.items[a].unit_code.clone();
    let by = plan.items[a].start_day - plan.items[b].start_day;
    shift(&mut plan, b, by);
    let v = violations(&f, &plan);
    assert!(
        v.iter()
            .any(|x| matches!(x, CheckViolation::Capacity { .. })),
        "{v:?}"
    );
    assert!(
        v.iter()
            .any(|x| matches!(x, CheckViolation::TwoPlaces { .. })),
        "{v:?}"
    );
}

#[test]
fn too_little_travel_time_is_caught() {
    let mut f = Fixture::new();
    f.team(
        Method::Manual,
        10,
        (SITE.0 - dlon(245_000.0), SITE.1),
        (0, 365),
    );
    f.hazard(Classification::Cha, SITE, 100.0);
    let mut plan = f.plan();
    let ts = find(&plan, "HA-0001", "ts");
    shift(&mut plan, ts, -2);
    let v = violations(&f, &plan);
    assert!(
        v.iter()
            .any(|x| matches!(x, CheckViolation::Travel { needed_days: 2, .. })),
        "{v:?}"
    );
}

#[test]
fn clearance_before_survey_is_caught() {
    let (f, mut plan) = region();
    let c = find(&plan, "HA-0001", "clearance");
    let back = plan.items[c].start_day;
    shift(&mut plan, c, -back);
    let v = violations(&f, &plan);
    assert!(
        v.iter()
            .any(|x| matches!(x, CheckViolation::ReleaseOrder { .. })),
        "{v:?}"
    );
}

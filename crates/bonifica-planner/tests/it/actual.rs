//! Learned productivity and planned against actual, on the small hand-made region.

use std::collections::HashMap;

use bonifica_model::{Classification, Method};
use bonifica_planner::PlannerConfig;
use bonifica_planner::actual::{
    ActualWork, HOURS_PER_DAY, PlannedRelease, PlannedWork, SHRINK, expected_rate,
    learn_productivity, plan_vs_actual,
};
use uuid::Uuid;

use crate::fixture::{Fixture, day, start};

fn region() -> (Fixture, Uuid, Uuid, Uuid) {
    let mut f = Fixture::new();
    let manual = f.team(Method::Manual, 10, (36.2, 49.9), (0, 300));
    let dogs = f.team(Method::MineDetectionDogs, 4, (36.2, 49.9), (0, 300));
    let area = f.hazard(Classification::Cha, (36.21, 49.91), 400.0);
    (f, manual, dogs, area)
}

fn report(unit: Uuid, area: Uuid, d: i64, cleared_m2: f64, hours: f64) -> ActualWork {
    ActualWork {
        unit_id: unit,
        hazard_area_id: area,
        date: day(d),
        cancelled_m2: 0.0,
        reduced_m2: 0.0,
        cleared_m2,
        hours,
    }
}

#[test]
fn no_reports_leave_the_configured_rates() {
    let (f, ..) = region();
    let config = PlannerConfig::default();
    let learned = learn_productivity(&config, &f.d, &[]);
    assert_eq!(learned.reports_used, 0);
    assert_eq!(learned.productivity, config.productivity);
}

#[test]
fn a_team_twice_as_fast_as_planned_moves_its_method_towards_twice_with_shrinkage() {
    let (f, manual, dogs, area) = region();
    let config = PlannerConfig::default();
    let team = f.d.teams.iter().find(|t| t.id == manual).unwrap();
    let hazard = f.d.hazard_areas.iter().find(|a| a.id == area).unwrap();
    let rate = expected_rate(&config.productivity, &f.d, team, hazard);
    assert!(
        (rate - 300.0).abs() < 1e-9,
        "10 deminers × 30 m² on flat bare ground: {rate}"
    );
    let n = 20;
    let reports: Vec<ActualWork> = (0..n)
        .map(|d| report(manual, area, d, 2.0 * rate, HOURS_PER_DAY))
        .collect();
    let learned = learn_productivity(&config, &f.d, &reports);
    assert_eq!(learned.reports_used, n as usize);
    assert!((learned.overall_ratio - 2.0).abs() < 1e-9);
    let manual_effect = learned.by_method["manual"];
    let expected = (2f64.ln() * n as f64 / (n as f64 + SHRINK)).exp();
    assert!(
        (manual_effect.factor - expected).abs() < 1e-9,
        "{manual_effect:?}"
    );
    assert!(
        (learned.productivity.manual_m2_per_deminer_day
            - config.productivity.manual_m2_per_deminer_day * expected)
            .abs()
            < 1e-9
    );
    // Other methods have no evidence and keep their rates.
    assert_eq!(
        learned.productivity.mdd_m2_per_dog_pair_day,
        config.productivity.mdd_m2_per_dog_pair_day
    );
    assert!(!learned.by_method.contains_key("mdd"));
    // Terrain and contamination take what the shrunk method effect leaves: all three
    // together come to 2 × (1 − (S / (n + S))³) on the log scale, close to twice.
    let keep = SHRINK / (n as f64 + SHRINK);
    let together = learned.by_method["manual"].factor
        * learned.by_terrain["flat"].factor
        * learned.by_contamination["ap_mines"].factor;
    let want = (2f64.ln() * (1.0 - keep.powi(3))).exp();
    assert!((together - want).abs() < 1e-9, "{together} against {want}");
    assert!(together > 1.98 && together < 2.0);
    let _ = dogs;
}

#[test]
fn reports_without_hours_or_clearance_say_nothing_about_speed() {
    let (f, manual, _, area) = region();
    let config = PlannerConfig::default();
    let mut cancelled = report(manual, area, 1, 0.0, 6.0);
    cancelled.cancelled_m2 = 5_000.0;
    let reports = [report(manual, area, 0, 500.0, 0.0), cancelled];
    let learned = learn_productivity(&config, &f.d, &reports);
    assert_eq!(learned.reports_used, 0);
}

#[test]
fn plan_versus_actual_per_team_and_area() {
    let (f, manual, dogs, area) = region();
    let planned = vec![
        PlannedWork {
            unit_id: manual,
            unit_code: "DT-0001".into(),
            hazard_area_id: area,
            start: start(),
            end: day(10),
            m2: 10_000.0,
        },
        PlannedWork {
            unit_id: dogs,
            unit_code: "DT-0002".into(),
            hazard_area_id: area,
            start: day(10),
            end: day(20),
            m2: 6_000.0,
        },
    ];
    let releases = [PlannedRelease {
        hazard_area_id: area,
        release_date: Some(day(20)),
    }];
    let actual = vec![
        report(manual, area, 1, 1_200.0, 6.0),
        report(manual, area, 2, 1_300.0, 6.0),
        // After the as-of date: ignored.
        report(manual, area, 9, 9_999.0, 6.0),
    ];
    let v = plan_vs_actual(&f.d, &planned, &releases, &actual, &HashMap::new(), day(5));
    let m = v.units.iter().find(|u| u.unit_id == manual).unwrap();
    assert!(
        (m.planned_m2 - 5_000.0).abs() < 1e-9,
        "half of the first task: {m:?}"
    );
    assert!((m.actual_m2 - 2_500.0).abs() < 1e-9);
    assert_eq!(m.reports, 2);
    let d = v.units.iter().find(|u| u.unit_id == dogs).unwrap();
    assert_eq!(d.planned_m2, 0.0, "the dogs' task has not started");
    let a = &v.hazard_areas[0];
    assert_eq!(a.planned_release, Some(day(20)));
    assert_eq!(a.days_late, None, "not yet due");
    // Closed five days late.
    let closed: HashMap<Uuid, _> = [(area, day(25))].into();
    let v = plan_vs_actual(&f.d, &planned, &releases, &actual, &closed, day(30));
    assert_eq!(v.hazard_areas[0].actual_release, Some(day(25)));
    assert_eq!(v.hazard_areas[0].days_late, Some(5));
    assert!((v.planned_m2 - 16_000.0).abs() < 1e-9);
}

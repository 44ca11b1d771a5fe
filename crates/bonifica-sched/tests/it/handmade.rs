//! Hand-made instances from `test-data/sched`, each exercising one feature, with the
//! optimum known by hand and confirmed by brute force.

use bonifica_sched::{Limits, NoProgress, Status, solve, validate};

use crate::{brute, load};

fn check(name: &str, optimum: i64, brute_horizon: i64) {
    let p = load(name);
    assert_eq!(
        brute::optimum(&p, brute_horizon),
        Some(optimum),
        "{name}: brute force"
    );
    let sol = solve(&p, &Limits::schedules(2_000), &NoProgress).unwrap_or_else(|e| panic!("{e}"));
    let s = sol.schedule.unwrap_or_default();
    assert_eq!(validate(&p, &s), vec![], "{name}");
    assert_eq!(sol.objective, Some(optimum), "{name}");
    assert_eq!(s.objective(&p), optimum, "{name}");
    assert!(sol.lower_bound <= optimum, "{name}");
    assert!(
        matches!(sol.status, Status::Optimal | Status::Feasible),
        "{name}"
    );
}

#[test]
fn multi_mode() {
    check("multimode.json", 5, 8);
}

#[test]
fn time_varying_capacity() {
    check("capacity-profile.json", 10, 12);
}

#[test]
fn lags() {
    check("lags.json", 7, 9);
}

#[test]
fn windows() {
    check("windows.json", 7, 10);
}

#[test]
fn setup_times() {
    check("setup.json", 8, 10);
}

#[test]
fn weighted_completion() {
    check("weighted.json", 15, 7);
}

#[test]
fn documented_example() {
    check("example.json", 46, 14);
}

#[test]
fn impossible_deadline_is_explained() {
    let mut p = load("windows.json");
    p.activities[1].deadline = Some(1);
    let sol = solve(&p, &Limits::schedules(100), &NoProgress).unwrap_or_else(|e| panic!("{e}"));
    let Status::Infeasible { reason } = sol.status else {
        panic!("expected infeasible, got {:?}", sol.status);
    };
    assert_eq!(
        reason,
        "activity 1: cannot finish before 2 (release dates and precedences) but its deadline is 1"
    );
}

#[test]
fn conflicting_deadlines_are_reported_with_best_attempt() {
    // A must finish by 3 and B by 2 on one team: each alone could, together they cannot.
    let mut p = load("windows.json");
    p.activities[0].deadline = Some(3);
    let sol = solve(&p, &Limits::schedules(200), &NoProgress).unwrap_or_else(|e| panic!("{e}"));
    let Status::Infeasible { reason } = &sol.status else {
        panic!("expected infeasible, got {:?}", sol.status);
    };
    assert!(
        reason.starts_with("no schedule meeting every deadline was found"),
        "{reason}"
    );
    assert!(sol.schedule.is_some());
}

#[test]
fn horizon_too_large_to_tabulate_is_an_error() {
    let mut p = load("weighted.json");
    p.horizon = Some(900_000_000);
    let e = solve(&p, &Limits::schedules(10), &NoProgress)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("horizon of 900000000 periods for 1 resources is too large"),
        "{e}"
    );
}

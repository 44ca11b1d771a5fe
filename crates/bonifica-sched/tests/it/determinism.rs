//! The same seed gives the same schedule; cancellation and progress work.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use bonifica_sched::{Limits, NoProgress, Progress, ProgressInfo, psplib, solve, validate};

fn instance() -> bonifica_sched::Problem {
    let text = std::fs::read_to_string(crate::test_data().join("small-12.sm"))
        .unwrap_or_else(|e| panic!("{e}"));
    psplib::parse_sm("small-12.sm", &text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn same_seed_same_schedule() {
    let p = instance();
    let limits = |seed, threads| Limits {
        schedules: Some(3_000),
        seed,
        threads,
        ..Limits::default()
    };
    for threads in [1, 2] {
        let a = solve(&p, &limits(7, threads), &NoProgress).unwrap_or_else(|e| panic!("{e}"));
        let b = solve(&p, &limits(7, threads), &NoProgress).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.schedule, b.schedule);
        assert_eq!(a.schedules, b.schedules);
        assert!(a.schedules <= 3_000);
    }
    let general = crate::load("example.json");
    let a = solve(&general, &limits(3, 2), &NoProgress).unwrap_or_else(|e| panic!("{e}"));
    let b = solve(&general, &limits(3, 2), &NoProgress).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.schedule, b.schedule);
}

struct StopAfter {
    reports: AtomicU64,
}

impl Progress for StopAfter {
    fn report(&self, info: &ProgressInfo) -> ControlFlow<()> {
        self.reports.fetch_add(1, Ordering::Relaxed);
        if info.schedules >= 500 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

#[test]
fn progress_can_stop_the_search_with_a_valid_schedule() {
    let p = instance();
    let stop = StopAfter {
        reports: AtomicU64::new(0),
    };
    let sol = solve(&p, &Limits::schedules(1_000_000), &stop).unwrap_or_else(|e| panic!("{e}"));
    assert!(stop.reports.load(Ordering::Relaxed) > 0);
    assert!(sol.schedules < 10_000, "{}", sol.schedules);
    let s = sol.schedule.unwrap_or_default();
    assert_eq!(validate(&p, &s), vec![]);
}

#[test]
fn cancel_flag_returns_best_so_far() {
    let p = instance();
    let cancel = Arc::new(AtomicBool::new(true));
    let limits = Limits {
        schedules: None,
        cancel: Some(cancel),
        ..Limits::default()
    };
    let sol = solve(&p, &limits, &NoProgress).unwrap_or_else(|e| panic!("{e}"));
    let s = sol.schedule.unwrap_or_default();
    assert_eq!(validate(&p, &s), vec![]);
}

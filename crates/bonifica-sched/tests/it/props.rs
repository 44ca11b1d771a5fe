//! Property tests on random small instances: every returned schedule passes the
//! validator, and on instances small enough for brute force the solver finds the optimum
//! (or reports infeasibility exactly when brute force finds no schedule).

use bonifica_sched::{
    Activity, CapacityProfile, Demand, LagKind, Limits, Mode, NoProgress, Objective, Precedence,
    Problem, Resource, SetupTimes, Status, Violation, solve, validate,
};
use proptest::prelude::*;

use crate::brute;

/// Random modes `(duration, resource, amount)`, release, deadline, weight, site.
type RawActivity = (Vec<(i64, usize, i64)>, i64, Option<i64>, i64, usize);

/// Raw random choices, turned into a problem by [`build`].
#[derive(Debug, Clone)]
struct Raw {
    acts: Vec<RawActivity>,
    caps: Vec<(i64, Option<(i64, i64)>)>,
    edges: Vec<(usize, usize, bool, i64)>,
    setup: bool,
    weighted: bool,
}

fn raw(max_acts: usize, max_modes: usize, max_dur: i64) -> impl Strategy<Value = Raw> {
    let mode = (0..=max_dur, 0usize..2, 1i64..=2);
    let act = (
        prop::collection::vec(mode, 1..=max_modes),
        0i64..=2,
        prop::option::weighted(0.2, 3i64..=12),
        0i64..=3,
        0usize..3,
    );
    (
        prop::collection::vec(act, 2..=max_acts),
        prop::collection::vec(
            (1i64..=2, prop::option::weighted(0.4, (1i64..=5, 0i64..=2))),
            1..=2,
        ),
        prop::collection::vec((0usize..8, 0usize..8, any::<bool>(), 0i64..=2), 0..=4),
        prop::bool::weighted(0.3),
        any::<bool>(),
    )
        .prop_map(|(acts, caps, edges, setup, weighted)| Raw {
            acts,
            caps,
            edges,
            setup,
            weighted,
        })
}

fn build(r: &Raw, horizon: Option<i64>) -> Problem {
    let nres = r.caps.len();
    let resources: Vec<Resource> = r
        .caps
        .iter()
        .enumerate()
        .map(|(k, &(cap, change))| {
            // A setup resource (resource 0 when `setup`) must have capacity 1.
            let cap = if r.setup && k == 0 { 1 } else { cap };
            Resource {
                name: format!("r{k}"),
                capacity: CapacityProfile {
                    initial: cap,
                    changes: change
                        .map(|(at, c)| (at, c.min(cap.max(1))))
                        .into_iter()
                        .collect(),
                },
            }
        })
        .collect();
    let activities = r
        .acts
        .iter()
        .map(|(modes, release, deadline, weight, site)| Activity {
            name: String::new(),
            modes: modes
                .iter()
                .map(|&(d, res, amount)| {
                    let res = res % nres;
                    let amount = amount.min(resources[res].capacity.initial.max(1));
                    let amount = if r.setup && res == 0 { 1 } else { amount };
                    Mode {
                        duration: d,
                        demands: vec![Demand {
                            resource: res,
                            amount,
                        }],
                    }
                })
                .collect(),
            release: *release,
            deadline: *deadline,
            weight: *weight,
            site: r.setup.then_some(*site),
        })
        .collect();
    let n = r.acts.len();
    let precedences = r
        .edges
        .iter()
        .filter_map(|&(a, b, ss, lag)| {
            let (a, b) = (a % n, b % n);
            (a < b).then_some(Precedence {
                before: a,
                after: b,
                kind: if ss {
                    LagKind::StartToStart
                } else {
                    LagKind::FinishToStart
                },
                lag,
            })
        })
        .collect();
    let setup = r.setup.then(|| SetupTimes {
        resources: vec![0],
        matrix: (0..3)
            .map(|a: i64| (0..3).map(|b: i64| (a - b).abs()).collect())
            .collect(),
        initial_sites: vec![Some(0)],
    });
    Problem {
        activities,
        resources,
        precedences,
        setup,
        objective: if r.weighted {
            Objective::WeightedCompletion
        } else {
            Objective::Makespan
        },
        horizon,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn returned_schedules_are_feasible(r in raw(8, 3, 4), threads in 1usize..=2) {
        let p = build(&r, None);
        prop_assert_eq!(p.check(), Ok(()));
        let limits = Limits { schedules: Some(300), threads, ..Limits::default() };
        let sol = solve(&p, &limits, &NoProgress).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(sol.schedules <= 300);
        match (&sol.status, &sol.schedule) {
            (Status::Infeasible { .. }, Some(s)) => {
                // The best attempt may only miss deadlines.
                let v = validate(&p, s);
                prop_assert!(v.iter().all(|v| matches!(v, Violation::Deadline { .. })), "{:?}", v);
            }
            (Status::Infeasible { .. }, None) => {}
            (_, Some(s)) => {
                prop_assert_eq!(validate(&p, s), vec![]);
                prop_assert_eq!(sol.objective, Some(s.objective(&p)));
                prop_assert!(sol.lower_bound <= s.objective(&p));
            }
            (_, None) => prop_assert!(false, "feasible without a schedule"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn finds_the_brute_force_optimum(r in raw(4, 2, 3)) {
        let r = Raw {
            // Keep brute force small: at most two activities with two modes, durations >= 1.
            acts: r.acts.iter().enumerate().map(|(j, a)| {
                let mut a = a.clone();
                a.0.truncate(if j < 2 { 2 } else { 1 });
                for m in &mut a.0 { m.0 = m.0.max(1); }
                a
            }).collect(),
            ..r
        };
        let horizon = 11;
        let p = build(&r, Some(horizon));
        let best = brute::optimum(&p, horizon);
        let sol = solve(&p, &Limits::schedules(3_000), &NoProgress)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        match best {
            Some(opt) => {
                let s = sol.schedule.clone().unwrap_or_default();
                prop_assert_eq!(validate(&p, &s), vec![], "{:?}", sol.status);
                prop_assert_eq!(sol.objective, Some(opt));
            }
            None => prop_assert!(
                matches!(sol.status, Status::Infeasible { .. }),
                "brute force finds no schedule but the solver says {:?}", sol.status
            ),
        }
    }
}

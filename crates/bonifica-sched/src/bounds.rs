//! Lower bounds and quick proofs of infeasibility: the critical path (earliest starts
//! through precedence lags and release dates, shortest modes), and a resource-based
//! bound (the time by which each resource's capacity profile can supply the least
//! work its activities need). The solver returns the larger one.

use crate::model::{LagKind, Objective, Problem, Time};

/// Shortest duration of each activity over its modes.
fn min_durations(problem: &Problem) -> Vec<Time> {
    problem
        .activities
        .iter()
        .map(|a| a.modes.iter().map(|m| m.duration).min().unwrap_or(0))
        .collect()
}

/// Earliest start of every activity from release dates and precedence lags, with the
/// shortest mode of each activity and no resource limits. Needs an acyclic problem.
pub fn earliest_starts(problem: &Problem) -> Vec<Time> {
    let n = problem.activities.len();
    let dmin = min_durations(problem);
    let mut es: Vec<Time> = problem
        .activities
        .iter()
        .map(|a| a.release.max(0))
        .collect();
    let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, p) in problem.precedences.iter().enumerate() {
        if p.after < n && p.before < n {
            incoming[p.after].push(k);
        }
    }
    for j in problem.topological_order().unwrap_or_default() {
        for &k in &incoming[j] {
            let p = problem.precedences[k];
            let t = match p.kind {
                LagKind::FinishToStart => es[p.before] + dmin[p.before] + p.lag,
                LagKind::StartToStart => es[p.before] + p.lag,
            };
            es[j] = es[j].max(t);
        }
    }
    es
}

/// Critical-path bound on the makespan.
pub fn critical_path(problem: &Problem) -> Time {
    let dmin = min_durations(problem);
    earliest_starts(problem)
        .iter()
        .zip(&dmin)
        .map(|(s, d)| s + d)
        .max()
        .unwrap_or(0)
}

/// Resource bound on the makespan: for every resource, the first time by which its
/// capacity profile supplies the least energy (duration × demand) its activities need.
pub fn resource_bound(problem: &Problem) -> Time {
    let mut bound = 0;
    for (r, res) in problem.resources.iter().enumerate() {
        let energy: i64 = problem
            .activities
            .iter()
            .map(|a| {
                a.modes
                    .iter()
                    .map(|m| {
                        let amount: i64 = m
                            .demands
                            .iter()
                            .filter(|d| d.resource == r)
                            .map(|d| d.amount)
                            .sum();
                        amount.saturating_mul(m.duration)
                    })
                    .min()
                    .unwrap_or(0)
            })
            .fold(0, i64::saturating_add);
        if energy > 0 {
            bound = bound.max(time_to_supply(&res.capacity, energy));
        }
    }
    bound
}

/// First `t` with the capacity summed over periods `0..t` at least `energy`;
/// `Time::MAX` if it never gets there.
fn time_to_supply(p: &crate::model::CapacityProfile, energy: i64) -> Time {
    let mut supplied = 0i64;
    let mut from = 0;
    let mut cap = p.initial;
    for &(at, next) in &p.changes {
        let span = at - from;
        if cap > 0 && supplied.saturating_add(cap.saturating_mul(span)) >= energy {
            return from + (energy - supplied + cap - 1) / cap;
        }
        supplied = supplied.saturating_add(cap.saturating_mul(span));
        from = at;
        cap = next;
    }
    if cap <= 0 {
        return Time::MAX;
    }
    from + (energy - supplied + cap - 1) / cap
}

/// A lower bound on the objective of any feasible schedule.
pub fn lower_bound(problem: &Problem) -> Time {
    match problem.objective {
        Objective::Makespan => {
            let rb = resource_bound(problem);
            critical_path(problem).max(if rb == Time::MAX { 0 } else { rb })
        }
        Objective::WeightedCompletion => {
            let dmin = min_durations(problem);
            earliest_starts(problem)
                .iter()
                .zip(&dmin)
                .zip(&problem.activities)
                .map(|((s, d), a)| a.weight.saturating_mul(s + d))
                .fold(0, Time::saturating_add)
        }
    }
}

/// A reason why no feasible schedule can exist, found without search, if any.
pub fn infeasibility(problem: &Problem) -> Option<String> {
    for (j, a) in problem.activities.iter().enumerate() {
        let fits = a.modes.iter().any(|m| {
            m.demands
                .iter()
                .all(|d| d.amount <= problem.resources[d.resource].capacity.max())
        });
        if !fits {
            let m = &a.modes[0];
            let d = m
                .demands
                .iter()
                .find(|d| d.amount > problem.resources[d.resource].capacity.max());
            return Some(match d {
                Some(d) => format!(
                    "activity {j}: every mode needs more than any capacity, e.g. mode 0 needs \
                     {} units of resource {} which never has more than {}",
                    d.amount,
                    d.resource,
                    problem.resources[d.resource].capacity.max()
                ),
                None => format!("activity {j}: no mode fits the resource capacities"),
            });
        }
    }
    let es = earliest_starts(problem);
    let dmin = min_durations(problem);
    let horizon = problem.effective_horizon();
    for (j, a) in problem.activities.iter().enumerate() {
        let finish = es[j] + dmin[j];
        if let Some(deadline) = a.deadline
            && finish > deadline
        {
            return Some(format!(
                "activity {j}: cannot finish before {finish} (release dates and precedences) \
                 but its deadline is {deadline}"
            ));
        }
        if finish > horizon {
            return Some(format!(
                "activity {j}: cannot finish before {finish} (release dates and precedences) \
                 but the horizon is {horizon}"
            ));
        }
    }
    if problem.objective == Objective::Makespan {
        let rb = resource_bound(problem);
        if rb > horizon {
            return Some(format!(
                "the resources cannot supply the work needed before the horizon {horizon}"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Activity, CapacityProfile, Demand, Mode, Precedence, Resource};

    fn problem() -> Problem {
        let act = |d, a| Activity {
            modes: vec![Mode {
                duration: d,
                demands: vec![Demand {
                    resource: 0,
                    amount: a,
                }],
            }],
            weight: 1,
            ..Default::default()
        };
        Problem {
            activities: vec![act(3, 1), act(2, 1), act(4, 1)],
            resources: vec![Resource {
                name: "r".into(),
                capacity: CapacityProfile::constant(2),
            }],
            precedences: vec![Precedence {
                before: 0,
                after: 1,
                kind: LagKind::FinishToStart,
                lag: 2,
            }],
            ..Default::default()
        }
    }

    #[test]
    fn critical_path_with_lag() {
        assert_eq!(earliest_starts(&problem()), vec![0, 5, 0]);
        assert_eq!(critical_path(&problem()), 7);
    }

    #[test]
    fn resource_bound_with_profile() {
        let mut p = problem();
        p.resources[0].capacity = CapacityProfile::constant(1);
        assert_eq!(resource_bound(&p), 9);
        p.resources[0].capacity = CapacityProfile {
            initial: 1,
            changes: vec![(2, 0), (4, 3)],
        };
        // 2 units by period 2, then nothing until 4, then 3 per period: 9 units at 7.
        assert_eq!(resource_bound(&p), 7);
        assert_eq!(lower_bound(&p), 7);
    }

    #[test]
    fn deadline_before_critical_path_is_infeasible() {
        let mut p = problem();
        p.activities[1].deadline = Some(6);
        let reason = infeasibility(&p).unwrap_or_default();
        assert!(
            reason.starts_with("activity 1: cannot finish before 7"),
            "{reason}"
        );
        let mut p = problem();
        p.activities[2].modes[0].demands[0].amount = 5;
        assert!(infeasibility(&p).is_some());
        assert_eq!(infeasibility(&problem()), None);
    }
}

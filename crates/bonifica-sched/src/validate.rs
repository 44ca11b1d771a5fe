//! An independent check of a schedule against a problem, sharing no code with the
//! solver: every broken constraint comes back as a [`Violation`], one small named
//! function per kind of constraint (shape, mode, window, precedence, capacity, setup).

use std::fmt;

use crate::model::{LagKind, Problem, Schedule, Time};

/// One broken constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// The schedule has the wrong number of starts or modes.
    Length {
        /// What is counted (`starts` or `modes`).
        what: &'static str,
        /// How many the schedule has.
        found: usize,
        /// How many activities the problem has.
        expected: usize,
    },
    /// The chosen mode does not exist.
    Mode {
        /// Activity index.
        activity: usize,
        /// Chosen mode index.
        mode: usize,
    },
    /// Started before its release date (or before period 0).
    Release {
        /// Activity index.
        activity: usize,
        /// Scheduled start.
        start: Time,
        /// Earliest allowed start.
        release: Time,
    },
    /// Finished after its deadline.
    Deadline {
        /// Activity index.
        activity: usize,
        /// Scheduled finish.
        finish: Time,
        /// Latest allowed finish.
        deadline: Time,
    },
    /// Finished after the problem's horizon.
    Horizon {
        /// Activity index.
        activity: usize,
        /// Scheduled finish.
        finish: Time,
        /// The horizon.
        horizon: Time,
    },
    /// A precedence lag is not respected.
    Precedence {
        /// Index of the precedence.
        index: usize,
        /// Earlier activity.
        before: usize,
        /// Later activity.
        after: usize,
        /// Earliest start the lag allows for `after`.
        earliest: Time,
        /// Scheduled start of `after`.
        start: Time,
    },
    /// More of a resource is used than available during `[from, to)`.
    Capacity {
        /// Resource index.
        resource: usize,
        /// First period of the overload.
        from: Time,
        /// Period after the last one of the overload.
        to: Time,
        /// Units used.
        used: i64,
        /// Units available.
        capacity: i64,
    },
    /// Two consecutive activities on a setup resource are too close together.
    Setup {
        /// Resource index.
        resource: usize,
        /// Earlier activity (`None`: the resource's initial site).
        first: Option<usize>,
        /// Later activity.
        second: usize,
        /// Periods between them.
        gap: Time,
        /// Setup periods needed.
        needed: Time,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length {
                what,
                found,
                expected,
            } => write!(f, "schedule has {found} {what}, expected {expected}"),
            Self::Mode { activity, mode } => {
                write!(f, "activity {activity}: mode {mode} does not exist")
            }
            Self::Release {
                activity,
                start,
                release,
            } => write!(
                f,
                "activity {activity}: starts at {start}, before its release {release}"
            ),
            Self::Deadline {
                activity,
                finish,
                deadline,
            } => write!(
                f,
                "activity {activity}: finishes at {finish}, after its deadline {deadline}"
            ),
            Self::Horizon {
                activity,
                finish,
                horizon,
            } => write!(
                f,
                "activity {activity}: finishes at {finish}, after the horizon {horizon}"
            ),
            Self::Precedence {
                index,
                before,
                after,
                earliest,
                start,
            } => write!(
                f,
                "precedence {index}: activity {after} starts at {start} but activity {before} \
                 allows it from {earliest} on"
            ),
            Self::Capacity {
                resource,
                from,
                to,
                used,
                capacity,
            } => write!(
                f,
                "resource {resource}: {used} units used in periods {from}..{to} but only \
                 {capacity} available"
            ),
            Self::Setup {
                resource,
                first,
                second,
                gap,
                needed,
            } => match first {
                Some(a) => write!(
                    f,
                    "resource {resource}: activity {second} follows activity {a} after {gap} \
                     periods, setup needs {needed}"
                ),
                None => write!(
                    f,
                    "resource {resource}: activity {second} starts at {gap}, setup from the \
                     initial site needs {needed}"
                ),
            },
        }
    }
}

/// Every violation of `schedule` against `problem`; empty means feasible.
pub fn validate(problem: &Problem, schedule: &Schedule) -> Vec<Violation> {
    let mut out = check_lengths(problem, schedule);
    if !out.is_empty() {
        return out;
    }
    out.extend(check_modes(problem, schedule));
    let durations = durations(problem, schedule);
    out.extend(check_windows(problem, schedule, &durations));
    out.extend(check_precedences(problem, schedule, &durations));
    out.extend(check_capacity(problem, schedule, &durations));
    out.extend(check_setups(problem, schedule, &durations));
    out
}

/// Duration of each activity in its chosen mode; `None` where the mode does not exist.
fn durations(problem: &Problem, schedule: &Schedule) -> Vec<Option<Time>> {
    problem
        .activities
        .iter()
        .zip(&schedule.modes)
        .map(|(a, &m)| a.modes.get(m).map(|m| m.duration))
        .collect()
}

/// One start and one mode per activity.
pub fn check_lengths(problem: &Problem, schedule: &Schedule) -> Vec<Violation> {
    let expected = problem.activities.len();
    let mut out = Vec::new();
    for (what, found) in [
        ("starts", schedule.starts.len()),
        ("modes", schedule.modes.len()),
    ] {
        if found != expected {
            out.push(Violation::Length {
                what,
                found,
                expected,
            });
        }
    }
    out
}

/// Every chosen mode exists.
pub fn check_modes(problem: &Problem, schedule: &Schedule) -> Vec<Violation> {
    (problem.activities.iter().zip(&schedule.modes).enumerate())
        .filter(|(_, (a, m))| **m >= a.modes.len())
        .map(|(activity, (_, &mode))| Violation::Mode { activity, mode })
        .collect()
}

/// Release dates, deadlines and the horizon.
fn check_windows(problem: &Problem, schedule: &Schedule, dur: &[Option<Time>]) -> Vec<Violation> {
    let mut out = Vec::new();
    for (j, a) in problem.activities.iter().enumerate() {
        let start = schedule.starts[j];
        if start < a.release.max(0) {
            out.push(Violation::Release {
                activity: j,
                start,
                release: a.release.max(0),
            });
        }
        let Some(d) = dur[j] else { continue };
        let finish = start.saturating_add(d);
        if let Some(deadline) = a.deadline
            && finish > deadline
        {
            out.push(Violation::Deadline {
                activity: j,
                finish,
                deadline,
            });
        }
        if let Some(horizon) = problem.horizon
            && finish > horizon
        {
            out.push(Violation::Horizon {
                activity: j,
                finish,
                horizon,
            });
        }
    }
    out
}

/// Precedences with their finish-to-start or start-to-start lags.
fn check_precedences(
    problem: &Problem,
    schedule: &Schedule,
    dur: &[Option<Time>],
) -> Vec<Violation> {
    let mut out = Vec::new();
    for (index, p) in problem.precedences.iter().enumerate() {
        let (Some(&sb), Some(&sa)) = (schedule.starts.get(p.before), schedule.starts.get(p.after))
        else {
            continue;
        };
        let Some(Some(db)) = dur.get(p.before) else {
            continue;
        };
        let earliest = match p.kind {
            LagKind::FinishToStart => sb.saturating_add(*db).saturating_add(p.lag),
            LagKind::StartToStart => sb.saturating_add(p.lag),
        };
        if sa < earliest {
            out.push(Violation::Precedence {
                index,
                before: p.before,
                after: p.after,
                earliest,
                start: sa,
            });
        }
    }
    out
}

/// Resource usage never exceeds the capacity profile.
fn check_capacity(problem: &Problem, schedule: &Schedule, dur: &[Option<Time>]) -> Vec<Violation> {
    let mut out = Vec::new();
    for (r, res) in problem.resources.iter().enumerate() {
        // Events: (time, change in usage).
        let mut events: Vec<(Time, i64)> = Vec::new();
        for (j, a) in problem.activities.iter().enumerate() {
            let (Some(mode), Some(d)) = (a.modes.get(schedule.modes[j]), dur[j]) else {
                continue;
            };
            let amount: i64 = mode
                .demands
                .iter()
                .filter(|x| x.resource == r)
                .map(|x| x.amount)
                .sum();
            if amount > 0 && d > 0 {
                events.push((schedule.starts[j], amount));
                events.push((schedule.starts[j].saturating_add(d), -amount));
            }
        }
        if events.is_empty() {
            continue;
        }
        let mut points: Vec<Time> = events.iter().map(|e| e.0).collect();
        points.extend(res.capacity.changes.iter().map(|c| c.0));
        points.sort_unstable();
        points.dedup();
        events.sort_unstable();
        let mut used = 0;
        let mut k = 0;
        let mut open: Option<(Time, i64, i64)> = None;
        for (i, &t) in points.iter().enumerate() {
            while k < events.len() && events[k].0 == t {
                used += events[k].1;
                k += 1;
            }
            let capacity = res.capacity.at(t);
            let next = points.get(i + 1).copied().unwrap_or(t);
            let over = used > capacity;
            match open {
                Some((from, u, c)) if !over || u != used || c != capacity => {
                    out.push(capacity_violation(r, from, t, u, c));
                    open = None;
                }
                _ => {}
            }
            if over && open.is_none() && next > t {
                open = Some((t, used, capacity));
            }
        }
        if let Some((from, u, c)) = open {
            let to = points.last().copied().unwrap_or(from);
            out.push(capacity_violation(r, from, to, u, c));
        }
    }
    out
}

fn capacity_violation(
    resource: usize,
    from: Time,
    to: Time,
    used: i64,
    capacity: i64,
) -> Violation {
    Violation::Capacity {
        resource,
        from,
        to,
        used,
        capacity,
    }
}

/// Setup times between consecutive activities (in start order) on each setup resource.
fn check_setups(problem: &Problem, schedule: &Schedule, dur: &[Option<Time>]) -> Vec<Violation> {
    let Some(setup) = &problem.setup else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for &r in &setup.resources {
        let mut on: Vec<(Time, Time, usize)> = Vec::new();
        for (j, a) in problem.activities.iter().enumerate() {
            let (Some(mode), Some(d)) = (a.modes.get(schedule.modes[j]), dur[j]) else {
                continue;
            };
            if mode.demands.iter().any(|x| x.resource == r && x.amount > 0) {
                on.push((schedule.starts[j], schedule.starts[j].saturating_add(d), j));
            }
        }
        on.sort_unstable();
        let site = |j: usize| problem.activities[j].site.unwrap_or(0);
        if let (Some(init), Some(&(start, _, j))) = (setup.initial_site(r), on.first()) {
            let needed = setup.between(init, site(j));
            if start < needed {
                out.push(Violation::Setup {
                    resource: r,
                    first: None,
                    second: j,
                    gap: start,
                    needed,
                });
            }
        }
        for w in on.windows(2) {
            let ((_, fa, a), (sb, _, b)) = (w[0], w[1]);
            let needed = setup.between(site(a), site(b));
            if sb.saturating_sub(fa) < needed {
                out.push(Violation::Setup {
                    resource: r,
                    first: Some(a),
                    second: b,
                    gap: sb.saturating_sub(fa),
                    needed,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Activity, CapacityProfile, Demand, Mode, Precedence, Resource, SetupTimes};

    fn act(duration: Time, amount: i64) -> Activity {
        Activity {
            modes: vec![Mode {
                duration,
                demands: vec![Demand {
                    resource: 0,
                    amount,
                }],
            }],
            weight: 1,
            site: Some(0),
            ..Default::default()
        }
    }

    fn problem() -> Problem {
        Problem {
            activities: vec![act(2, 1), act(3, 1)],
            resources: vec![Resource {
                name: "team".into(),
                capacity: CapacityProfile::constant(1),
            }],
            ..Default::default()
        }
    }

    fn sched(starts: &[Time]) -> Schedule {
        Schedule {
            starts: starts.to_vec(),
            modes: vec![0; starts.len()],
        }
    }

    #[test]
    fn feasible_schedule_has_no_violation() {
        assert_eq!(validate(&problem(), &sched(&[0, 2])), vec![]);
    }

    #[test]
    fn huge_starts_are_violations_not_overflows() {
        let mut p = problem();
        p.horizon = Some(100);
        let v = validate(&p, &sched(&[i64::MAX, i64::MIN]));
        assert!(
            v.iter()
                .any(|v| matches!(v, Violation::Horizon { activity: 0, .. }))
        );
        assert!(
            v.iter()
                .any(|v| matches!(v, Violation::Release { activity: 1, .. }))
        );
    }

    #[test]
    fn lengths() {
        let v = check_lengths(&problem(), &sched(&[0]));
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].to_string(), "schedule has 1 starts, expected 2");
    }

    #[test]
    fn modes() {
        let mut s = sched(&[0, 2]);
        s.modes[1] = 3;
        let v = check_modes(&problem(), &s);
        assert_eq!(v[0].to_string(), "activity 1: mode 3 does not exist");
    }

    #[test]
    fn windows() {
        let mut p = problem();
        p.activities[0].release = 1;
        p.activities[1].deadline = Some(4);
        p.horizon = Some(4);
        let s = sched(&[0, 2]);
        let v = check_windows(&p, &s, &durations(&p, &s));
        assert_eq!(v.len(), 3, "{v:?}");
        assert!(matches!(v[0], Violation::Release { activity: 0, .. }));
        assert!(matches!(v[1], Violation::Deadline { finish: 5, .. }));
        assert!(matches!(v[2], Violation::Horizon { finish: 5, .. }));
    }

    #[test]
    fn precedences_with_lags() {
        let mut p = problem();
        p.resources[0].capacity = CapacityProfile::constant(2);
        p.precedences = vec![
            Precedence {
                before: 0,
                after: 1,
                kind: LagKind::FinishToStart,
                lag: 1,
            },
            Precedence {
                before: 0,
                after: 1,
                kind: LagKind::StartToStart,
                lag: 1,
            },
        ];
        let s = sched(&[0, 2]);
        let v = check_precedences(&p, &s, &durations(&p, &s));
        assert_eq!(v.len(), 1);
        assert!(matches!(v[0], Violation::Precedence { earliest: 3, .. }));
        let s = sched(&[0, 3]);
        assert!(check_precedences(&p, &s, &durations(&p, &s)).is_empty());
    }

    #[test]
    fn capacity_overload_and_profile() {
        let p = problem();
        let s = sched(&[0, 1]);
        let v = check_capacity(&p, &s, &durations(&p, &s));
        assert_eq!(
            v,
            vec![Violation::Capacity {
                resource: 0,
                from: 1,
                to: 2,
                used: 2,
                capacity: 1
            }]
        );
        let mut p = problem();
        p.resources[0].capacity.changes = vec![(3, 0), (6, 1)];
        let s = sched(&[0, 2]);
        let v = check_capacity(&p, &s, &durations(&p, &s));
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(matches!(
            v[0],
            Violation::Capacity {
                from: 3,
                to: 5,
                capacity: 0,
                ..
            }
        ));
        let s = sched(&[0, 6]);
        assert!(check_capacity(&p, &s, &durations(&p, &s)).is_empty());
    }

    #[test]
    fn setups_between_sites() {
        let mut p = problem();
        p.activities[1].site = Some(1);
        p.setup = Some(SetupTimes {
            resources: vec![0],
            matrix: vec![vec![0, 2], vec![2, 0]],
            initial_sites: vec![Some(1)],
        });
        let s = sched(&[0, 3]);
        let v = check_setups(&p, &s, &durations(&p, &s));
        assert_eq!(v.len(), 2, "{v:?}");
        assert!(matches!(v[0], Violation::Setup { first: None, .. }));
        assert!(matches!(
            v[1],
            Violation::Setup {
                gap: 1,
                needed: 2,
                ..
            }
        ));
        let s = sched(&[2, 6]);
        assert!(check_setups(&p, &s, &durations(&p, &s)).is_empty());
    }
}

//! The facts of a scheduling problem (activities, modes, resources with capacity
//! profiles, precedences with lags, windows, setup times, objective) and the
//! decisions of a schedule (a start time and a mode per activity). Time is in
//! integer periods; the planner uses days. [`Problem::check`] enforces the
//! structural rules every other module relies on.

use crate::error::{Error, Result};

/// Time in integer periods (days for the planner).
pub type Time = i64;

/// A resource-constrained project scheduling problem.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Problem {
    /// The activities, indexed from 0.
    pub activities: Vec<Activity>,
    /// The renewable resources, indexed from 0.
    pub resources: Vec<Resource>,
    /// Precedence constraints with minimum time lags.
    pub precedences: Vec<Precedence>,
    /// Sequence-dependent setup times on capacity-1 resources, if any.
    pub setup: Option<SetupTimes>,
    /// What to minimise.
    pub objective: Objective,
    /// Latest period any activity may occupy; `None` lets the engine pick a safe bound.
    pub horizon: Option<Time>,
}

/// One thing to do, in one of several ways (modes).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Activity {
    /// Free text for people; the engine uses the index.
    pub name: String,
    /// The ways of doing it; at least one.
    pub modes: Vec<Mode>,
    /// Earliest start.
    pub release: Time,
    /// Latest finish, if any.
    pub deadline: Option<Time>,
    /// Weight in the weighted-completion objective.
    pub weight: i64,
    /// Site index into the setup matrix (needed only if the activity uses a setup resource).
    pub site: Option<usize>,
}

/// One way to do an activity: how long it takes and what it holds meanwhile.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mode {
    /// Number of periods the activity runs in this mode.
    pub duration: Time,
    /// Renewable resources held during the whole duration.
    pub demands: Vec<Demand>,
}

/// An amount of one renewable resource held by a mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Demand {
    /// Resource index.
    pub resource: usize,
    /// Units held per period.
    pub amount: i64,
}

/// A renewable resource: a team, a crew, or a pool of them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resource {
    /// Free text for people.
    pub name: String,
    /// Units available over time.
    pub capacity: CapacityProfile,
}

/// A step function of capacity over time, starting at period 0.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CapacityProfile {
    /// Capacity from period 0 on (until the first change).
    pub initial: i64,
    /// `(from, capacity)`: from period `from` on, the capacity is `capacity`;
    /// strictly increasing in `from`.
    pub changes: Vec<(Time, i64)>,
}

impl CapacityProfile {
    /// A capacity that never changes.
    pub fn constant(capacity: i64) -> Self {
        Self {
            initial: capacity,
            changes: Vec::new(),
        }
    }

    /// Capacity during period `t`.
    pub fn at(&self, t: Time) -> i64 {
        let mut c = self.initial;
        for &(from, cap) in &self.changes {
            if from <= t {
                c = cap;
            } else {
                break;
            }
        }
        c
    }

    /// Largest capacity ever available.
    pub fn max(&self) -> i64 {
        self.changes
            .iter()
            .map(|c| c.1)
            .fold(self.initial, i64::max)
    }

    /// Capacity from the last change on (the capacity "forever after").
    pub fn last(&self) -> i64 {
        self.changes.last().map_or(self.initial, |c| c.1)
    }

    /// Whether the capacity never changes.
    pub fn is_constant(&self) -> bool {
        self.changes.iter().all(|c| c.1 == self.initial)
    }
}

/// Which two events a precedence lag separates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LagKind {
    /// `start(after) >= finish(before) + lag`.
    #[default]
    FinishToStart,
    /// `start(after) >= start(before) + lag`.
    StartToStart,
}

/// `after` may not begin until `lag` periods after `before` finishes (or starts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Precedence {
    /// Index of the earlier activity.
    pub before: usize,
    /// Index of the later activity.
    pub after: usize,
    /// Finish-to-start or start-to-start.
    pub kind: LagKind,
    /// Minimum lag in periods (may be negative).
    pub lag: Time,
}

/// Setup (travel) times between consecutive activities on capacity-1 resources.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SetupTimes {
    /// Resources the setup times apply to; each must have capacity at most 1.
    pub resources: Vec<usize>,
    /// `matrix[a][b]`: periods needed between an activity at site `a` finishing and one at
    /// site `b` starting on the same resource.
    pub matrix: Vec<Vec<Time>>,
    /// Optional site where each listed resource starts (same order as `resources`).
    pub initial_sites: Vec<Option<usize>>,
}

impl SetupTimes {
    /// Setup time between two sites.
    pub fn between(&self, from: usize, to: usize) -> Time {
        self.matrix
            .get(from)
            .and_then(|row| row.get(to))
            .copied()
            .unwrap_or(0)
    }

    /// Initial site of resource `r`, if `r` is a setup resource that has one.
    pub fn initial_site(&self, r: usize) -> Option<usize> {
        let k = self.resources.iter().position(|&x| x == r)?;
        self.initial_sites.get(k).copied().flatten()
    }
}

/// What the solver minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Objective {
    /// Latest finish time of any activity.
    #[default]
    Makespan,
    /// Sum over activities of weight × finish time.
    WeightedCompletion,
}

/// The decisions: when each activity starts and in which mode.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct Schedule {
    /// Start period of each activity.
    pub starts: Vec<Time>,
    /// Chosen mode index of each activity.
    pub modes: Vec<usize>,
}

impl Schedule {
    /// Finish time of activity `j` under `problem`, if its mode exists.
    pub fn finish(&self, problem: &Problem, j: usize) -> Option<Time> {
        let m = *self.modes.get(j)?;
        let d = problem.activities.get(j)?.modes.get(m)?.duration;
        Some(self.starts.get(j)?.saturating_add(d))
    }

    /// Latest finish over all activities (0 for an empty problem).
    pub fn makespan(&self, problem: &Problem) -> Time {
        (0..self.starts.len())
            .filter_map(|j| self.finish(problem, j))
            .max()
            .unwrap_or(0)
    }

    /// Value of the problem's objective for this schedule.
    pub fn objective(&self, problem: &Problem) -> Time {
        match problem.objective {
            Objective::Makespan => self.makespan(problem),
            Objective::WeightedCompletion => (0..self.starts.len())
                .filter_map(|j| {
                    let w = problem.activities.get(j)?.weight;
                    Some(w.saturating_mul(self.finish(problem, j)?))
                })
                .fold(0, Time::saturating_add),
        }
    }
}

/// Largest magnitude accepted for any time (duration, date, lag, setup, horizon): far
/// beyond any plan, small enough that sums never overflow.
pub const MAX_TIME: Time = 1_000_000_000;

/// Largest accepted capacity, demand or weight.
pub const MAX_AMOUNT: i64 = 1_000_000_000;

fn invalid(msg: String) -> Error {
    Error::InvalidProblem(msg)
}

impl Problem {
    /// Checks the structural rules: indices in range, at least one mode per activity,
    /// non-negative durations and demands, precedences forming no cycle, increasing
    /// capacity changes, a square setup matrix, setup resources of capacity at most 1.
    pub fn check(&self) -> Result<()> {
        self.check_ranges()?;
        self.check_resources()?;
        self.check_activities()?;
        self.check_precedences()?;
        self.check_setup()?;
        if self.topological_order().is_none() {
            return Err(invalid("precedences contain a cycle".into()));
        }
        Ok(())
    }

    fn check_ranges(&self) -> Result<()> {
        let time = |v: Time, what: String| {
            if v.abs() > MAX_TIME {
                Err(invalid(format!(
                    "{what} {v} is out of range (at most {MAX_TIME})"
                )))
            } else {
                Ok(())
            }
        };
        let amount = |v: i64, what: String| {
            if v.abs() > MAX_AMOUNT {
                Err(invalid(format!(
                    "{what} {v} is out of range (at most {MAX_AMOUNT})"
                )))
            } else {
                Ok(())
            }
        };
        if let Some(h) = self.horizon {
            time(h, "horizon".into())?;
        }
        for (r, res) in self.resources.iter().enumerate() {
            amount(res.capacity.initial, format!("resource {r}: capacity"))?;
            for &(from, cap) in &res.capacity.changes {
                time(from, format!("resource {r}: capacity change at"))?;
                amount(cap, format!("resource {r}: capacity"))?;
            }
        }
        for (j, a) in self.activities.iter().enumerate() {
            time(a.release, format!("activity {j}: release"))?;
            if let Some(d) = a.deadline {
                time(d, format!("activity {j}: deadline"))?;
            }
            amount(a.weight, format!("activity {j}: weight"))?;
            for (m, mode) in a.modes.iter().enumerate() {
                time(mode.duration, format!("activity {j} mode {m}: duration"))?;
                for d in &mode.demands {
                    amount(d.amount, format!("activity {j} mode {m}: demand"))?;
                }
            }
        }
        for (k, p) in self.precedences.iter().enumerate() {
            time(p.lag, format!("precedence {k}: lag"))?;
        }
        if let Some(s) = &self.setup {
            for v in s.matrix.iter().flatten() {
                time(*v, "setup matrix: entry".into())?;
            }
        }
        Ok(())
    }

    fn check_resources(&self) -> Result<()> {
        for (r, res) in self.resources.iter().enumerate() {
            let p = &res.capacity;
            if p.initial < 0 || p.changes.iter().any(|c| c.1 < 0) {
                return Err(invalid(format!("resource {r}: negative capacity")));
            }
            if p.changes.iter().any(|c| c.0 < 0) {
                return Err(invalid(format!(
                    "resource {r}: capacity change before period 0"
                )));
            }
            if p.changes.windows(2).any(|w| w[0].0 >= w[1].0) {
                return Err(invalid(format!(
                    "resource {r}: capacity changes are not in increasing time order"
                )));
            }
        }
        Ok(())
    }

    fn check_activities(&self) -> Result<()> {
        let nr = self.resources.len();
        for (j, a) in self.activities.iter().enumerate() {
            if a.modes.is_empty() {
                return Err(invalid(format!("activity {j}: has no mode")));
            }
            if a.release < 0 {
                return Err(invalid(format!(
                    "activity {j}: negative release {}",
                    a.release
                )));
            }
            if a.weight < 0 {
                return Err(invalid(format!(
                    "activity {j}: negative weight {}",
                    a.weight
                )));
            }
            for (m, mode) in a.modes.iter().enumerate() {
                if mode.duration < 0 {
                    return Err(invalid(format!(
                        "activity {j} mode {m}: negative duration {}",
                        mode.duration
                    )));
                }
                for d in &mode.demands {
                    if d.resource >= nr {
                        return Err(invalid(format!(
                            "activity {j} mode {m}: demand on unknown resource {}",
                            d.resource
                        )));
                    }
                    if d.amount < 0 {
                        return Err(invalid(format!(
                            "activity {j} mode {m}: negative demand {} on resource {}",
                            d.amount, d.resource
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    fn check_precedences(&self) -> Result<()> {
        let n = self.activities.len();
        for (k, p) in self.precedences.iter().enumerate() {
            for j in [p.before, p.after] {
                if j >= n {
                    return Err(invalid(format!("precedence {k}: unknown activity {j}")));
                }
            }
            if p.before == p.after {
                return Err(invalid(format!(
                    "precedence {k}: activity {} precedes itself",
                    p.before
                )));
            }
        }
        Ok(())
    }

    fn check_setup(&self) -> Result<()> {
        let Some(s) = &self.setup else { return Ok(()) };
        let sites = s.matrix.len();
        for (i, row) in s.matrix.iter().enumerate() {
            if row.len() != sites {
                return Err(invalid(format!(
                    "setup matrix: row {i} has {} entries, expected {sites}",
                    row.len()
                )));
            }
            if row.iter().any(|&v| v < 0) {
                return Err(invalid(format!(
                    "setup matrix: row {i} has a negative entry"
                )));
            }
        }
        if !s.initial_sites.is_empty() && s.initial_sites.len() != s.resources.len() {
            return Err(invalid(format!(
                "setup: {} initial sites for {} resources",
                s.initial_sites.len(),
                s.resources.len()
            )));
        }
        for (k, &r) in s.resources.iter().enumerate() {
            let Some(res) = self.resources.get(r) else {
                return Err(invalid(format!("setup: unknown resource {r}")));
            };
            if res.capacity.max() > 1 {
                return Err(invalid(format!(
                    "setup: resource {r} has capacity {} but setup times need capacity 1",
                    res.capacity.max()
                )));
            }
            if let Some(Some(site)) = s.initial_sites.get(k)
                && *site >= sites
            {
                return Err(invalid(format!(
                    "setup: resource {r} starts at unknown site {site}"
                )));
            }
        }
        for (j, a) in self.activities.iter().enumerate() {
            if let Some(site) = a.site
                && site >= sites
            {
                return Err(invalid(format!("activity {j}: unknown site {site}")));
            }
            let uses_setup = a.modes.iter().any(|m| {
                m.demands
                    .iter()
                    .any(|d| d.amount > 0 && s.resources.contains(&d.resource))
            });
            if uses_setup && a.site.is_none() {
                return Err(invalid(format!(
                    "activity {j}: uses a resource with setup times but has no site"
                )));
            }
        }
        Ok(())
    }

    /// Activities in an order where every precedence points forward; `None` on a cycle.
    pub fn topological_order(&self) -> Option<Vec<usize>> {
        let n = self.activities.len();
        let mut indeg = vec![0usize; n];
        let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
        for p in &self.precedences {
            if p.before < n && p.after < n {
                indeg[p.after] += 1;
                succ[p.before].push(p.after);
            }
        }
        let mut order: Vec<usize> = (0..n).filter(|&j| indeg[j] == 0).collect();
        let mut head = 0;
        while head < order.len() {
            let j = order[head];
            head += 1;
            for &s in &succ[j] {
                indeg[s] -= 1;
                if indeg[s] == 0 {
                    order.push(s);
                }
            }
        }
        (order.len() == n).then_some(order)
    }

    /// A horizon within which any activity list can be scheduled when capacities allow:
    /// the given horizon, or releases + durations + positive lags + setups, plus the last
    /// capacity change.
    pub fn effective_horizon(&self) -> Time {
        if let Some(h) = self.horizon {
            return h.max(0);
        }
        // Summed in i128 so that absurd inputs saturate instead of overflowing.
        let max_release = self.activities.iter().map(|a| a.release).max().unwrap_or(0);
        let durations: i128 = (self.activities.iter())
            .map(|a| i128::from(a.modes.iter().map(|m| m.duration).max().unwrap_or(0)))
            .sum();
        let lags: i128 = self
            .precedences
            .iter()
            .map(|p| i128::from(p.lag.max(0)))
            .sum();
        let setups: i128 = self.setup.as_ref().map_or(0, |s| {
            let max = s.matrix.iter().flatten().copied().max().unwrap_or(0);
            i128::from(max) * (self.activities.len() as i128 + 1)
        });
        let last_change = (self.resources.iter())
            .filter_map(|r| r.capacity.changes.last().map(|c| c.0))
            .max()
            .unwrap_or(0);
        let total =
            i128::from(max_release) + durations + lags + setups + i128::from(last_change) + 1;
        total.min(i128::from(Time::MAX / 4)) as Time
    }

    /// Whether the problem is plain single-mode RCPSP (constant capacities, finish-to-start
    /// precedences without lag, no windows or horizon, no setups, makespan objective): the
    /// fast path.
    pub fn is_classic(&self) -> bool {
        self.objective == Objective::Makespan
            && self.setup.is_none()
            && self.horizon.is_none()
            && self
                .activities
                .iter()
                .all(|a| a.modes.len() == 1 && a.release == 0 && a.deadline.is_none())
            && self.resources.iter().all(|r| r.capacity.is_constant())
            && self
                .precedences
                .iter()
                .all(|p| p.kind == LagKind::FinishToStart && p.lag == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> Problem {
        Problem {
            activities: vec![
                Activity {
                    modes: vec![Mode {
                        duration: 2,
                        demands: vec![Demand {
                            resource: 0,
                            amount: 1,
                        }],
                    }],
                    weight: 1,
                    ..Default::default()
                };
                2
            ],
            resources: vec![Resource {
                name: "crew".into(),
                capacity: CapacityProfile::constant(1),
            }],
            precedences: vec![Precedence {
                before: 0,
                after: 1,
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn valid_problem_passes_check() {
        assert_eq!(two().check(), Ok(()));
        assert!(two().is_classic());
    }

    #[test]
    fn unknown_resource_is_named() {
        let mut p = two();
        p.activities[1].modes[0].demands[0].resource = 9;
        let e = p.check().unwrap_err().to_string();
        assert_eq!(e, "activity 1 mode 0: demand on unknown resource 9");
    }

    #[test]
    fn absurd_values_are_rejected() {
        let mut p = two();
        p.activities[0].modes[0].duration = i64::MAX;
        assert_eq!(
            p.check().unwrap_err().to_string(),
            "activity 0 mode 0: duration 9223372036854775807 is out of range (at most 1000000000)"
        );
    }

    #[test]
    fn cycle_is_rejected() {
        let mut p = two();
        p.precedences.push(Precedence {
            before: 1,
            after: 0,
            ..Default::default()
        });
        assert!(p.check().unwrap_err().to_string().contains("cycle"));
    }

    #[test]
    fn capacity_profile_steps() {
        let p = CapacityProfile {
            initial: 2,
            changes: vec![(5, 0), (8, 3)],
        };
        assert_eq!(
            (p.at(0), p.at(4), p.at(5), p.at(7), p.at(8)),
            (2, 2, 0, 0, 3)
        );
        assert_eq!(p.max(), 3);
        assert!(!p.is_constant());
    }

    #[test]
    fn objective_values() {
        let p = two();
        let s = Schedule {
            starts: vec![0, 2],
            modes: vec![0, 0],
        };
        assert_eq!(s.objective(&p), 4);
        let mut w = p.clone();
        w.objective = Objective::WeightedCompletion;
        assert_eq!(s.objective(&w), 2 + 4);
    }
}

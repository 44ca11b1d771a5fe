//! The general path: multi-mode activities, capacity profiles that change over time,
//! finish-to-start and start-to-start lags, release dates and deadlines, setup times on
//! capacity-1 resources, makespan or weighted completion. A serial schedule generation
//! scheme places each activity of a list, in its listed mode, at the earliest time that
//! respects lags, capacities over time and setup gaps to both neighbours on each setup
//! resource. Deadlines are not enforced while placing: missing them is a penalty the
//! search minimises first. A genetic algorithm searches lists and modes.

use crate::model::{LagKind, Objective, Problem, Schedule, Time};
use crate::rng::Rng;
use crate::solve::{Budget, Found};

/// The problem prepared for repeated schedule generation.
struct Prepared<'p> {
    p: &'p Problem,
    n: usize,
    horizon: Time,
    /// `(before, kind, lag)` per activity.
    incoming: Vec<Vec<(usize, LagKind, Time)>>,
    succs: Vec<Vec<usize>>,
    /// Usable modes (those whose demands can ever fit) per activity.
    usable: Vec<Vec<usize>>,
    /// Aggregated `(resource, amount)` per activity and mode.
    demands: Vec<Vec<Vec<(usize, i64)>>>,
    /// Capacity per resource and period, `0..horizon`.
    cap: Vec<Vec<i64>>,
    /// For each resource, its position in the setup resource list.
    setup_slot: Vec<Option<usize>>,
    /// Priority: latest start from the critical path with shortest modes.
    lst: Vec<Time>,
    /// Priority for the weighted objective (smaller first): minus the weight of the
    /// activity and its successors per period of its shortest mode, scaled.
    wspt: Vec<Time>,
}

impl<'p> Prepared<'p> {
    fn new(p: &'p Problem) -> Self {
        let n = p.activities.len();
        let horizon = p.effective_horizon();
        let mut incoming = vec![Vec::new(); n];
        let mut succs = vec![Vec::new(); n];
        for e in &p.precedences {
            incoming[e.after].push((e.before, e.kind, e.lag));
            succs[e.before].push(e.after);
        }
        let demands: Vec<Vec<Vec<(usize, i64)>>> = p
            .activities
            .iter()
            .map(|a| {
                a.modes
                    .iter()
                    .map(|m| {
                        let mut per = vec![0i64; p.resources.len()];
                        for d in &m.demands {
                            per[d.resource] += d.amount;
                        }
                        per.into_iter().enumerate().filter(|x| x.1 > 0).collect()
                    })
                    .collect()
            })
            .collect();
        let usable = demands
            .iter()
            .map(|modes| {
                (0..modes.len())
                    .filter(|&m| {
                        modes[m]
                            .iter()
                            .all(|&(r, a)| a <= p.resources[r].capacity.max())
                    })
                    .collect()
            })
            .collect();
        let cap = p
            .resources
            .iter()
            .map(|r| (0..horizon).map(|t| r.capacity.at(t)).collect())
            .collect();
        let mut setup_slot = vec![None; p.resources.len()];
        if let Some(s) = &p.setup {
            for (k, &r) in s.resources.iter().enumerate() {
                setup_slot[r] = Some(k);
            }
        }
        let mut pr = Self {
            p,
            n,
            horizon,
            incoming,
            succs,
            usable,
            demands,
            cap,
            setup_slot,
            lst: Vec::new(),
            wspt: Vec::new(),
        };
        pr.lst = pr.latest_starts();
        pr.wspt = pr.weighted_priority();
        pr
    }

    fn weighted_priority(&self) -> Vec<Time> {
        let mut weight: Vec<i64> = self.p.activities.iter().map(|a| a.weight).collect();
        let order = self.p.topological_order().unwrap_or_default();
        for &j in order.iter().rev() {
            let below: i64 = self.succs[j]
                .iter()
                .map(|&s| weight[s])
                .fold(0, i64::saturating_add);
            weight[j] = weight[j].saturating_add(below);
        }
        (0..self.n)
            .map(|j| {
                let d = (self.p.activities[j].modes.iter())
                    .map(|m| m.duration)
                    .min()
                    .unwrap_or(0)
                    .max(1);
                -(weight[j].saturating_mul(1_000) / d).min(MAX_PRIORITY)
            })
            .collect()
    }

    fn latest_starts(&self) -> Vec<Time> {
        let es = crate::bounds::earliest_starts(self.p);
        let dmin: Vec<Time> = (self.p.activities.iter())
            .map(|a| a.modes.iter().map(|m| m.duration).min().unwrap_or(0))
            .collect();
        let t = (0..self.n).map(|j| es[j] + dmin[j]).max().unwrap_or(0);
        let mut ls: Vec<Time> = (0..self.n).map(|j| t - dmin[j]).collect();
        let order = self.p.topological_order().unwrap_or_default();
        for &j in order.iter().rev() {
            for &(b, kind, lag) in &self.incoming[j] {
                let limit = match kind {
                    LagKind::FinishToStart => ls[j] - lag - dmin[b],
                    LagKind::StartToStart => ls[j] - lag,
                };
                ls[b] = ls[b].min(limit);
            }
        }
        ls
    }
}

/// Mutable state of one pass of the serial SGS.
struct Pass {
    usage: Vec<Vec<i64>>,
    /// Per resource, the periods `lo..hi` written since the last reset (so that a reset
    /// costs what the pass used, not the whole horizon).
    touched: Vec<(usize, usize)>,
    /// Per setup resource: `(start, finish, activity)` sorted.
    seq: Vec<Vec<(Time, Time, usize)>>,
    start: Vec<Time>,
}

impl Pass {
    fn new(pr: &Prepared<'_>) -> Self {
        let setups = pr.p.setup.as_ref().map_or(0, |s| s.resources.len());
        Self {
            usage: vec![vec![0; pr.horizon.max(0) as usize]; pr.p.resources.len()],
            touched: vec![(0, 0); pr.p.resources.len()],
            seq: vec![Vec::new(); setups],
            start: vec![0; pr.n],
        }
    }

    fn reset(&mut self) {
        for (u, t) in self.usage.iter_mut().zip(&mut self.touched) {
            u[t.0..t.1].fill(0);
            *t = (0, 0);
        }
        for s in &mut self.seq {
            s.clear();
        }
    }
}

/// Earliest start of `j` from release date and lags to already scheduled activities.
fn lag_start(pr: &Prepared<'_>, pass: &Pass, modes: &[usize], j: usize) -> Time {
    let mut t = pr.p.activities[j].release.max(0);
    for &(b, kind, lag) in &pr.incoming[j] {
        let sb = pass.start[b];
        let e = match kind {
            LagKind::FinishToStart => sb + pr.p.activities[b].modes[modes[b]].duration + lag,
            LagKind::StartToStart => sb + lag,
        };
        t = t.max(e);
    }
    t
}

/// If `[t, t+d)` overloads a resource, the latest overloaded period.
fn resource_conflict(
    pr: &Prepared<'_>,
    pass: &Pass,
    dem: &[(usize, i64)],
    t: Time,
    d: Time,
) -> Option<Time> {
    let mut tau = t + d;
    while tau > t {
        tau -= 1;
        let i = tau as usize;
        if dem
            .iter()
            .any(|&(r, a)| pass.usage[r][i] + a > pr.cap[r][i])
        {
            return Some(tau);
        }
    }
    None
}

/// If `j` at `[t, t+d)` breaks a setup gap on a setup resource, the next start to try.
fn setup_conflict(
    pr: &Prepared<'_>,
    pass: &Pass,
    dem: &[(usize, i64)],
    j: usize,
    t: Time,
    d: Time,
) -> Option<Time> {
    let setup = pr.p.setup.as_ref()?;
    let site = |a: usize| pr.p.activities[a].site.unwrap_or(0);
    for &(r, _) in dem {
        let Some(k) = pr.setup_slot[r] else { continue };
        let seq = &pass.seq[k];
        let pos = seq.partition_point(|&x| x < (t, t + d, j));
        let ready = match pos.checked_sub(1) {
            Some(i) => seq[i].1 + setup.between(site(seq[i].2), site(j)),
            None => setup
                .initial_sites
                .get(k)
                .copied()
                .flatten()
                .map_or(0, |init| setup.between(init, site(j))),
        };
        if t < ready {
            return Some(ready);
        }
        if let Some(&(ns, nf, na)) = seq.get(pos)
            && t + d + setup.between(site(j), site(na)) > ns
        {
            return Some((nf + setup.between(site(na), site(j))).max(t + 1));
        }
    }
    None
}

/// Serial SGS over `list` with `modes`. `None` when an activity finds no room before the
/// horizon. Fills `pass.start`.
fn generate(pr: &Prepared<'_>, pass: &mut Pass, list: &[usize], modes: &[usize]) -> Option<()> {
    pass.reset();
    for &j in list {
        let m = modes[j];
        let d = pr.p.activities[j].modes[m].duration;
        let dem = &pr.demands[j][m];
        let mut t = lag_start(pr, pass, modes, j);
        loop {
            if t + d > pr.horizon {
                return None;
            }
            if let Some(tau) = resource_conflict(pr, pass, dem, t, d) {
                t = tau + 1;
                continue;
            }
            if let Some(next) = setup_conflict(pr, pass, dem, j, t, d) {
                t = next;
                continue;
            }
            break;
        }
        for &(r, a) in dem {
            let (lo, hi) = (t as usize, (t + d) as usize);
            for u in &mut pass.usage[r][lo..hi] {
                *u += a;
            }
            let touched = &mut pass.touched[r];
            *touched = if touched.0 == touched.1 {
                (lo, hi)
            } else {
                (touched.0.min(lo), touched.1.max(hi))
            };
            if let Some(k) = pr.setup_slot[r] {
                let seq = &mut pass.seq[k];
                let pos = seq.partition_point(|&x| x < (t, t + d, j));
                seq.insert(pos, (t, t + d, j));
            }
        }
        pass.start[j] = t;
    }
    Some(())
}

/// Total periods by which finishes exceed deadlines.
fn lateness(p: &Problem, s: &Schedule) -> Time {
    (0..p.activities.len())
        .map(|j| match (p.activities[j].deadline, s.finish(p, j)) {
            (Some(dl), Some(f)) => (f - dl).max(0),
            _ => 0,
        })
        .sum()
}

/// Explains which deadlines the best schedule found still misses.
pub(crate) fn lateness_reason(p: &Problem, s: &Schedule) -> String {
    let late: Vec<String> = (0..p.activities.len())
        .filter_map(|j| {
            let dl = p.activities[j].deadline?;
            let f = s.finish(p, j)?;
            (f > dl).then(|| format!("activity {j} finishes at {f} after its deadline {dl}"))
        })
        .take(5)
        .collect();
    format!(
        "no schedule meeting every deadline was found: {}",
        late.join("; ")
    )
}

#[derive(Clone)]
struct Individual {
    list: Vec<usize>,
    modes: Vec<usize>,
    /// `(lateness, objective)`; `None` if the SGS failed.
    fitness: Option<(Time, Time)>,
}

fn fitness_key(i: &Individual) -> (bool, Time, Time) {
    match i.fitness {
        Some((l, o)) => (false, l, o),
        None => (true, Time::MAX, Time::MAX),
    }
}

/// Bound on priority values, so that regret weights stay finite.
const MAX_PRIORITY: Time = 1 << 40;

/// Random precedence-feasible list, regret-biased towards small `prio` (latest starts,
/// or the weighted rule); `greedy` takes the smallest every time.
fn sample(pr: &Prepared<'_>, prio: &[Time], rng: &mut Rng, greedy: bool) -> Vec<usize> {
    let mut missing: Vec<usize> = pr.incoming.iter().map(Vec::len).collect();
    let mut eligible: Vec<usize> = (0..pr.n).filter(|&j| missing[j] == 0).collect();
    let mut list = Vec::with_capacity(pr.n);
    while !eligible.is_empty() {
        let pick = if greedy {
            (0..eligible.len())
                .min_by_key(|&k| (prio[eligible[k]], eligible[k]))
                .unwrap_or(0)
        } else {
            let worst = eligible.iter().map(|&j| prio[j]).max().unwrap_or(0);
            let total: f64 = eligible.iter().map(|&j| (worst - prio[j] + 1) as f64).sum();
            let mut x = rng.unit() * total;
            let mut k = eligible.len() - 1;
            for (i, &j) in eligible.iter().enumerate() {
                x -= (worst - prio[j] + 1) as f64;
                if x < 0.0 {
                    k = i;
                    break;
                }
            }
            k
        };
        let j = eligible.swap_remove(pick);
        list.push(j);
        for &s in &pr.succs[j] {
            missing[s] -= 1;
            if missing[s] == 0 {
                eligible.push(s);
            }
        }
    }
    list
}

fn random_modes(pr: &Prepared<'_>, rng: &mut Rng, shortest: bool) -> Vec<usize> {
    (0..pr.n)
        .map(|j| {
            let u = &pr.usable[j];
            if shortest {
                *u.iter()
                    .min_by_key(|&&m| (pr.p.activities[j].modes[m].duration, m))
                    .unwrap_or(&0)
            } else {
                u[rng.below(u.len())]
            }
        })
        .collect()
}

fn evaluate(pr: &Prepared<'_>, pass: &mut Pass, ind: &mut Individual) -> Option<Schedule> {
    if generate(pr, pass, &ind.list, &ind.modes).is_none() {
        ind.fitness = None;
        return None;
    }
    let s = Schedule {
        starts: pass.start.clone(),
        modes: ind.modes.clone(),
    };
    let obj = match pr.p.objective {
        Objective::Makespan => s.makespan(pr.p),
        Objective::WeightedCompletion => s.objective(pr.p),
    };
    ind.fitness = Some((lateness(pr.p, &s), obj));
    Some(s)
}

fn child(pr: &Prepared<'_>, a: &Individual, b: &Individual, rng: &mut Rng) -> Individual {
    let n = pr.n;
    let (mut q1, mut q2) = (rng.below(n + 1), rng.below(n + 1));
    if q1 > q2 {
        std::mem::swap(&mut q1, &mut q2);
    }
    let mut seen = vec![false; n];
    let mut list = Vec::with_capacity(n);
    for &j in &a.list[..q1] {
        seen[j] = true;
        list.push(j);
    }
    for &j in &b.list {
        if list.len() >= q2 {
            break;
        }
        if !seen[j] {
            seen[j] = true;
            list.push(j);
        }
    }
    for &j in &a.list {
        if !seen[j] {
            seen[j] = true;
            list.push(j);
        }
    }
    let cut = rng.below(n + 1);
    let mut modes: Vec<usize> = (0..n)
        .map(|j| if j < cut { a.modes[j] } else { b.modes[j] })
        .collect();
    let pm = (1.0 / n.max(1) as f64).max(0.05);
    for i in 0..n.saturating_sub(1) {
        let (x, y) = (list[i], list[i + 1]);
        if rng.chance(pm) && !pr.succs[x].contains(&y) {
            list.swap(i, i + 1);
        }
    }
    for (j, m) in modes.iter_mut().enumerate() {
        if pr.usable[j].len() > 1 && rng.chance(pm) {
            *m = pr.usable[j][rng.below(pr.usable[j].len())];
        }
    }
    Individual {
        list,
        modes,
        fitness: None,
    }
}

/// Runs the genetic algorithm on a general problem until the budget is spent.
pub(crate) fn search(
    p: &Problem,
    seed: u64,
    stream: u64,
    budget: &mut Budget<'_>,
) -> Option<Found> {
    let pr = Prepared::new(p);
    let mut pass = Pass::new(&pr);
    let mut rng = Rng::new(seed, stream);
    let size = if budget.max() <= 2_000 { 20 } else { 40 };
    let mut best: Option<(Individual, Schedule)> = None;
    let mut pop: Vec<Individual> = Vec::new();
    // Seed with both priority rules when the objective is weighted, latest starts otherwise.
    let rule = |k: usize| match p.objective {
        Objective::WeightedCompletion if k.is_multiple_of(2) => &pr.wspt[..],
        _ => &pr.lst[..],
    };
    let keep = |ind: &Individual, s: Schedule, best: &mut Option<(Individual, Schedule)>| {
        if best
            .as_ref()
            .is_none_or(|b| fitness_key(ind) < fitness_key(&b.0))
        {
            *best = Some((ind.clone(), s));
        }
    };
    for k in 0..size {
        if !budget.take() {
            break;
        }
        let mut ind = Individual {
            list: sample(&pr, rule(k), &mut rng, k < 2),
            modes: random_modes(&pr, &mut rng, k < 2),
            fitness: None,
        };
        if let Some(s) = evaluate(&pr, &mut pass, &mut ind) {
            keep(&ind, s, &mut best);
        }
        pop.push(ind);
    }
    let target = crate::bounds::lower_bound(p);
    let mut stall = 0;
    while !pop.is_empty()
        && best
            .as_ref()
            .is_none_or(|b| b.0.fitness != Some((0, target)))
        && budget.keep_going(best.as_ref().and_then(|b| b.0.fitness.map(|f| f.1)))
    {
        let mut children = Vec::with_capacity(size);
        let restart = stall >= 30;
        if restart {
            stall = 0;
            pop.truncate(1);
        }
        stall += 1;
        for _ in 0..size {
            if !budget.take() {
                break;
            }
            let mut c = if restart {
                Individual {
                    list: sample(&pr, rule(rng.below(2)), &mut rng, false),
                    modes: random_modes(&pr, &mut rng, false),
                    fitness: None,
                }
            } else {
                let (a, b) = (tournament(&pop, &mut rng), tournament(&pop, &mut rng));
                child(&pr, &pop[a], &pop[b], &mut rng)
            };
            if let Some(s) = evaluate(&pr, &mut pass, &mut c) {
                if best
                    .as_ref()
                    .is_none_or(|b| fitness_key(&c) < fitness_key(&b.0))
                {
                    stall = 0;
                }
                keep(&c, s, &mut best);
            }
            children.push(c);
        }
        pop.extend(children);
        pop.sort_by_key(fitness_key);
        pop.dedup_by(|x, y| x.list == y.list && x.modes == y.modes);
        pop.truncate(size);
    }
    let (ind, schedule) = best?;
    let (lateness, objective) = ind.fitness?;
    Some(Found {
        schedule,
        objective,
        lateness,
    })
}

fn tournament(pop: &[Individual], rng: &mut Rng) -> usize {
    let a = rng.below(pop.len());
    let b = rng.below(pop.len());
    if fitness_key(&pop[b]) < fitness_key(&pop[a]) {
        b
    } else {
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Activity, CapacityProfile, Demand, Mode, Resource, SetupTimes};
    use crate::validate::validate;

    fn unit(site: usize) -> Activity {
        Activity {
            modes: vec![Mode {
                duration: 2,
                demands: vec![Demand {
                    resource: 0,
                    amount: 1,
                }],
            }],
            site: Some(site),
            weight: 1,
            ..Default::default()
        }
    }

    #[test]
    fn setup_gaps_and_capacity_changes_are_respected() {
        let p = Problem {
            activities: vec![unit(0), unit(1), unit(0)],
            resources: vec![Resource {
                name: "team".into(),
                capacity: CapacityProfile {
                    initial: 1,
                    changes: vec![(3, 0), (5, 1)],
                },
            }],
            setup: Some(SetupTimes {
                resources: vec![0],
                matrix: vec![vec![0, 3], vec![3, 0]],
                initial_sites: vec![],
            }),
            ..Default::default()
        };
        let pr = Prepared::new(&p);
        let mut pass = Pass::new(&pr);
        assert!(generate(&pr, &mut pass, &[0, 1, 2], &[0, 0, 0]).is_some());
        // 0 at [0,2); capacity gone in 3..5; 1 needs 3 periods of travel: starts at 5;
        // 2 goes back: 7 + 3 = 10.
        assert_eq!(pass.start, vec![0, 5, 10]);
        let s = Schedule {
            starts: pass.start.clone(),
            modes: vec![0; 3],
        };
        assert_eq!(validate(&p, &s), vec![]);
        // Order 0, 2, 1: 2 fits right after 0 at the same site.
        assert!(generate(&pr, &mut pass, &[0, 2, 1], &[0, 0, 0]).is_some());
        assert_eq!(pass.start, vec![0, 10, 5]);
    }
}

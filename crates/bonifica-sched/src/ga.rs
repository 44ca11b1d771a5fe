//! Genetic algorithm for classic RCPSP, after Hartmann (1998) and Valls et al. (2005,
//! 2008). Individuals are justified schedules. The initial population comes from
//! regret-based biased random sampling on the latest-finish-time rule. Each generation
//! works in one direction, alternating forward and backward: parents chosen by binary
//! tournament are turned into activity lists in that direction, combined by peak
//! crossover (the father's densest window of resource use is kept in his order, the rest
//! follows the mother), mutated by adjacent swaps, scheduled in that direction by the
//! serial SGS and justified once in the other (two schedules per child). The population
//! keeps the best distinct schedules.

use crate::classic::{Classic, Justifier};
use crate::rng::Rng;
use crate::solve::Budget;

fn hash(list: &[u32]) -> u64 {
    list.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &x| {
        (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Population size for a budget of `schedules` generated schedules on `n` activities,
/// tuned on PSPLIB: small instances profit from a broader population at 5,000
/// schedules, and large budgets from a much broader one.
fn population_size(schedules: u64, n: usize) -> usize {
    match schedules {
        0..=2_000 => 30,
        2_001..=10_000 if n <= 40 => 100,
        2_001..=10_000 => 80,
        10_001..=30_000 => 200,
        _ => 400,
    }
}

/// Regret-based biased random sampling on latest finish times: a precedence-feasible
/// activity list. With `greedy`, always the eligible activity of least LFT.
fn sample(c: &Classic, rng: &mut Rng, greedy: bool) -> Vec<u32> {
    let n = c.n;
    let mut missing: Vec<u32> = (0..n).map(|j| c.preds(j).len() as u32).collect();
    let mut eligible: Vec<u32> = (0..n as u32)
        .filter(|&j| missing[j as usize] == 0)
        .collect();
    let mut list = Vec::with_capacity(n);
    let mut weights = Vec::with_capacity(n);
    while !eligible.is_empty() {
        let pick = if greedy {
            (0..eligible.len())
                .min_by_key(|&k| (c.lft[eligible[k] as usize], eligible[k]))
                .unwrap_or(0)
        } else {
            let worst = eligible
                .iter()
                .map(|&j| c.lft[j as usize])
                .max()
                .unwrap_or(0);
            weights.clear();
            let mut total = 0.0;
            for &j in &eligible {
                let w = f64::from(worst - c.lft[j as usize] + 1);
                total += w;
                weights.push(total);
            }
            let x = rng.unit() * total;
            weights
                .iter()
                .position(|&w| x < w)
                .unwrap_or(eligible.len() - 1)
        };
        let j = eligible.swap_remove(pick);
        list.push(j);
        for &s in c.succs(j as usize) {
            missing[s as usize] -= 1;
            if missing[s as usize] == 0 {
                eligible.push(s);
            }
        }
    }
    list
}

/// A justified schedule in the population.
struct Member {
    start: Vec<u32>,
    makespan: u32,
    hash: u64,
}

/// Runs the GA until the budget is spent or the critical-path bound is reached; returns
/// the best makespan and its start times.
pub(crate) fn run(
    c: &Classic,
    seed: u64,
    stream: u64,
    budget: &mut Budget<'_>,
) -> Option<(u32, Vec<u32>)> {
    let mut rng = Rng::new(seed, stream);
    let mut just = Justifier::new(c);
    let lower = c.critical_path();
    let mut best: Option<(u32, Vec<u32>)> = None;
    let size = population_size(budget.max(), c.n);
    let pm = 0.05;
    let mut pop: Vec<Member> = Vec::new();
    let consider = |just: &Justifier<'_>, m: u32, best: &mut Option<(u32, Vec<u32>)>| {
        if best.as_ref().is_none_or(|b| m < b.0) {
            *best = Some((m, just.start.clone()));
        }
    };
    for k in 0..size {
        let list = sample(c, &mut rng, k == 0);
        let Some(m) = just.evaluate_pair(&list, false, budget) else {
            break;
        };
        consider(&just, m, &mut best);
        pop.push(Member {
            start: just.start.clone(),
            makespan: m,
            hash: hash(&just.start),
        });
    }
    let mut backward = true;
    let (mut la, mut lb) = (Vec::with_capacity(c.n), Vec::with_capacity(c.n));
    let (mut ka, mut kb, mut util) = (vec![0u32; c.n], vec![0u32; c.n], Vec::new());
    let mut children: Vec<Member> = Vec::with_capacity(size);
    while best.as_ref().is_some_and(|b| b.0 > lower)
        && budget.keep_going(best.as_ref().map(|b| i64::from(b.0)))
    {
        children.clear();
        let mut spent = false;
        while children.len() < size && !spent {
            let mother = tournament(&pop, &mut rng);
            let father = tournament(&pop, &mut rng);
            just.list_of(&pop[mother].start, pop[mother].makespan, backward, &mut la);
            just.list_of(&pop[father].start, pop[father].makespan, backward, &mut lb);
            for (x, k) in [(mother, &mut ka), (father, &mut kb)] {
                let m = &pop[x];
                for (kj, (&s, &d)) in k.iter_mut().zip(m.start.iter().zip(&c.dur)) {
                    *kj = if backward { m.makespan - s - d } else { s };
                }
            }
            let pair = [
                (&la, &lb, &kb, pop[father].makespan),
                (&lb, &la, &ka, pop[mother].makespan),
            ];
            for (a, b, kf, msf) in pair {
                let mut list = Vec::with_capacity(c.n);
                peak_crossover(c, a, b, kf, msf, &mut rng, &mut util, &mut list);
                mutate(c, &mut list, pm, backward, &mut rng);
                let Some(m) = just.evaluate_pair(&list, backward, budget) else {
                    spent = true;
                    break;
                };
                consider(&just, m, &mut best);
                children.push(Member {
                    start: just.start.clone(),
                    makespan: m,
                    hash: hash(&just.start),
                });
            }
        }
        pop.append(&mut children);
        pop.sort_by_key(|i| (i.makespan, i.hash));
        pop.dedup_by_key(|i| i.hash);
        pop.truncate(size);
        backward = !backward;
        if spent {
            break;
        }
    }
    best
}

/// Peak crossover (after Valls et al. 2008): finds the window of the father's schedule
/// with the highest resource utilisation; the child lists first the mother's activities
/// that the father starts before the window (in the mother's order), then those the
/// father starts inside it (in the father's order), then the rest in the mother's order.
/// `key` are the father's start times in the direction of the lists.
#[allow(clippy::too_many_arguments)]
fn peak_crossover(
    c: &Classic,
    mother: &[u32],
    father: &[u32],
    key: &[u32],
    makespan: u32,
    rng: &mut Rng,
    util: &mut Vec<f64>,
    child: &mut Vec<u32>,
) {
    let ms = makespan as usize;
    util.clear();
    util.resize(ms + 1, 0.0);
    for ((&s, &d), &load) in key.iter().zip(&c.dur).zip(&c.load) {
        let (s, d) = (s as usize, d as usize);
        for u in &mut util[s.min(ms)..(s + d).min(ms)] {
            *u += load;
        }
    }
    let len = (ms / 8 + rng.below(ms / 3 + 1)).clamp(1, ms.max(1));
    let mut sum: f64 = util[..len.min(ms)].iter().sum();
    let (mut best, mut t1) = (sum, 0usize);
    for t in 1..=ms.saturating_sub(len) {
        sum += util[t + len - 1] - util[t - 1];
        if sum > best {
            best = sum;
            t1 = t;
        }
    }
    let (t1, t2) = (t1 as u32, (t1 + len) as u32);
    child.clear();
    child.extend(mother.iter().filter(|&&j| key[j as usize] < t1));
    child.extend(
        father
            .iter()
            .filter(|&&j| (t1..t2).contains(&key[j as usize])),
    );
    child.extend(mother.iter().filter(|&&j| key[j as usize] >= t2));
}

/// Swaps neighbours with probability `p` each when neither directly precedes the other
/// (in the direction of the list).
fn mutate(c: &Classic, list: &mut [u32], p: f64, backward: bool, rng: &mut Rng) {
    for i in 0..list.len().saturating_sub(1) {
        let (x, y) = (list[i] as usize, list[i + 1] as usize);
        let related = if backward {
            c.precedes(y, x)
        } else {
            c.precedes(x, y)
        };
        if rng.chance(p) && !related {
            list.swap(i, i + 1);
        }
    }
}

/// Binary tournament: the better of two random members.
fn tournament(pop: &[Member], rng: &mut Rng) -> usize {
    let a = rng.below(pop.len());
    let b = rng.below(pop.len());
    if pop[b].makespan < pop[a].makespan {
        b
    } else {
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Activity, CapacityProfile, Demand, Mode, Precedence, Problem, Resource};

    fn chain_and_free() -> Classic {
        let act = |d| Activity {
            modes: vec![Mode {
                duration: d,
                demands: vec![Demand {
                    resource: 0,
                    amount: 1,
                }],
            }],
            ..Default::default()
        };
        Classic::new(&Problem {
            activities: vec![act(2), act(2), act(2), act(2)],
            resources: vec![Resource {
                name: "r".into(),
                capacity: CapacityProfile::constant(2),
            }],
            precedences: vec![Precedence {
                before: 0,
                after: 1,
                ..Default::default()
            }],
            ..Default::default()
        })
    }

    #[test]
    fn peak_crossover_keeps_every_activity_once_in_precedence_order() {
        let c = chain_and_free();
        let mut rng = Rng::new(1, 0);
        let mother = [3, 2, 0, 1];
        let father = [0, 2, 1, 3];
        let key = [0, 2, 0, 2];
        let (mut util, mut child) = (Vec::new(), Vec::new());
        for _ in 0..50 {
            peak_crossover(
                &c, &mother, &father, &key, 4, &mut rng, &mut util, &mut child,
            );
            let mut sorted = child.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, vec![0, 1, 2, 3]);
            let pos = |j| child.iter().position(|&x| x == j);
            assert!(pos(0) < pos(1), "{child:?}");
        }
    }

    #[test]
    fn sampling_gives_precedence_feasible_lists() {
        let c = chain_and_free();
        let mut rng = Rng::new(2, 0);
        for k in 0..20 {
            let list = sample(&c, &mut rng, k == 0);
            assert_eq!(list.len(), 4);
            let pos = |j| list.iter().position(|&x| x == j);
            assert!(pos(0) < pos(1));
        }
    }
}

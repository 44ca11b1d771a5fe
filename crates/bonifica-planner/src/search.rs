//! The search: a first plan from transparent priority scores, then improvement for the
//! time budget by perturbing the priorities (random keys) and re-dispatching, keeping a
//! change only when the objective improves. Both cores run their own search with their
//! own seed; the same seed and iteration budget give the same plan.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::dispatch::{Dispatch, Rule, Score, dispatch, evaluate, order_by_keys};
use crate::work::{Instance, Region, Subject};

/// What the planner minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectiveKind {
    /// Σ asset weight × restoration day + Σ hazard risk weight × release day.
    #[default]
    ServiceRestoration,
    /// Latest finish, plus the penalty day for every deferred item.
    Makespan,
}

impl ObjectiveKind {
    /// The value of a score under this objective.
    pub fn value(self, score: &Score, penalty_day: i64) -> f64 {
        match self {
            ObjectiveKind::ServiceRestoration => score.restoration(),
            ObjectiveKind::Makespan => {
                (score.makespan + score.deferred as i64 * penalty_day) as f64
            }
        }
    }
}

/// How long and how hard to search.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Wall-clock budget for improvement after the first plan.
    pub time_budget: Option<Duration>,
    /// Improvement iterations in all (split over the threads); with a seed this makes
    /// the result reproducible.
    pub max_iterations: Option<u64>,
    pub seed: u64,
    /// Search threads (at least one).
    pub threads: usize,
    /// Set to true to stop and keep the best plan so far.
    pub cancel: Option<Arc<AtomicBool>>,
    pub objective: ObjectiveKind,
    /// Also dispatch the greedy baseline and record its objective in the plan.
    pub with_baseline: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            time_budget: Some(Duration::from_secs(30)),
            max_iterations: None,
            seed: 1,
            threads: 2,
            cancel: None,
            objective: ObjectiveKind::ServiceRestoration,
            with_baseline: true,
        }
    }
}

/// What the progress callback is told.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProgressInfo {
    pub iterations: u64,
    pub best_objective: f64,
    pub elapsed: Duration,
}

/// The search's result: the best priorities, their dispatch and figures.
#[derive(Debug, Clone)]
pub struct Searched {
    pub keys: Vec<f64>,
    pub dispatch: Dispatch,
    pub score: Score,
    pub objective: f64,
    pub first_objective: f64,
    pub iterations: u64,
    pub first_feasible: Duration,
    pub elapsed: Duration,
}

/// Priority score of every asset: its weight per day of remaining work (its repair and
/// the release work gating it), raised to the score of any asset that depends on it.
pub fn asset_scores(region: &Region, inst: &Instance) -> Vec<f64> {
    let fastest = |i: u32| {
        inst.items[i as usize]
            .options
            .iter()
            .map(|o| o.1)
            .min()
            .unwrap_or(1) as f64
    };
    let hazard_days: Vec<f64> = inst
        .hazard_items
        .iter()
        .map(|items| items.iter().map(|&i| fastest(i)).sum())
        .collect();
    let mut scores: Vec<f64> = region
        .assets
        .iter()
        .enumerate()
        .map(|(a, info)| {
            let repair: f64 = inst.asset_items[a].iter().map(|&i| fastest(i)).sum();
            let gate: f64 = info.blocking.iter().map(|&h| hazard_days[h]).sum();
            info.weight / (1.0 + repair + gate)
        })
        .collect();
    for _ in 0..8 {
        let mut changed = false;
        for (a, info) in region.assets.iter().enumerate() {
            for &d in &info.depends_on {
                if scores[d] < scores[a] {
                    scores[d] = scores[a];
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    scores
}

/// Hazard area scores: the best score of the assets it gates, plus its own risk weight
/// per day of its work.
pub fn hazard_scores(region: &Region, inst: &Instance, asset_scores: &[f64]) -> Vec<f64> {
    let mut scores: Vec<f64> = region
        .hazards
        .iter()
        .zip(&inst.hazard_items)
        .map(|(h, items)| {
            let days: f64 = items
                .iter()
                .map(|&i| {
                    inst.items[i as usize]
                        .options
                        .iter()
                        .map(|o| o.1)
                        .min()
                        .unwrap_or(1) as f64
                })
                .sum();
            h.risk_weight / (1.0 + days)
        })
        .collect();
    let mut gated = vec![0.0f64; scores.len()];
    for (a, info) in region.assets.iter().enumerate() {
        for &h in &info.blocking {
            gated[h] = gated[h].max(asset_scores[a]);
        }
    }
    for (s, g) in scores.iter_mut().zip(gated) {
        *s += g;
    }
    scores
}

/// The first plan's priority keys, one per item.
pub fn initial_keys(region: &Region, inst: &Instance) -> Vec<f64> {
    let assets = asset_scores(region, inst);
    let hazards = hazard_scores(region, inst, &assets);
    inst.items
        .iter()
        .map(|item| match item.subject {
            Subject::Hazard(h) => hazards[h],
            Subject::Asset(a) => assets[a],
        })
        .collect()
}

/// Dispatches `keys` and scores the result.
pub fn run(region: &Region, inst: &Instance, keys: &[f64], rule: Rule) -> (Dispatch, Score) {
    let (order, _) = order_by_keys(inst, keys);
    let d = dispatch(region, inst, &order, rule);
    let s = evaluate(region, inst, &d);
    (d, s)
}

/// Plans: the first dispatch, then improvement within `limits`.
pub fn search(
    region: &Region,
    inst: &Instance,
    limits: &Limits,
    progress: &(dyn Fn(&ProgressInfo) + Sync),
) -> Searched {
    let started = Instant::now();
    let keys = initial_keys(region, inst);
    let (d, score) = run(region, inst, &keys, Rule::EarliestFinish);
    let value = limits.objective.value(&score, region.penalty_day);
    let first_feasible = started.elapsed();
    progress(&ProgressInfo {
        iterations: 0,
        best_objective: value,
        elapsed: first_feasible,
    });
    let threads = limits.threads.max(1);
    let best_bits = AtomicU64::new(value.to_bits());
    let iterations = AtomicU64::new(0);
    let deadline = limits.time_budget.map(|b| started + b);
    let per_thread = limits.max_iterations.map(|m| m.div_ceil(threads as u64));
    let results: Mutex<Vec<(usize, Vec<f64>, f64)>> = Mutex::new(Vec::new());
    let stop = |done: u64| {
        per_thread.is_some_and(|m| done >= m)
            || deadline.is_some_and(|d| Instant::now() >= d)
            || limits
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(Ordering::Relaxed))
            || (per_thread.is_none() && deadline.is_none())
    };
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (keys, results, best_bits, iterations, stop) =
                (&keys, &results, &best_bits, &iterations, &stop);
            scope.spawn(move || {
                let mut rng = ChaCha8Rng::seed_from_u64(
                    limits.seed.wrapping_mul(0x9E37_79B9).wrapping_add(t as u64),
                );
                let mut best_keys = keys.clone();
                let mut best = value;
                let mut done = 0;
                while !stop(done) {
                    let candidate = perturb(region, inst, &best_keys, &mut rng);
                    let (_, s) = run(region, inst, &candidate, Rule::EarliestFinish);
                    let v = limits.objective.value(&s, region.penalty_day);
                    done += 1;
                    let total = iterations.fetch_add(1, Ordering::Relaxed) + 1;
                    if v < best {
                        best = v;
                        best_keys = candidate;
                        let prev = best_bits.fetch_min(v.to_bits(), Ordering::Relaxed);
                        if v.to_bits() < prev {
                            progress(&ProgressInfo {
                                iterations: total,
                                best_objective: v,
                                elapsed: started.elapsed(),
                            });
                        }
                    }
                }
                if let Ok(mut r) = results.lock() {
                    r.push((t, best_keys, best));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)));
    let (keys, dispatch, score, objective) = match results.into_iter().next() {
        Some((_, k, v)) if v < value => {
            let (d, s) = run(region, inst, &k, Rule::EarliestFinish);
            (k, d, s, v)
        }
        _ => (keys, d, score, value),
    };
    Searched {
        keys,
        dispatch,
        score,
        objective,
        first_objective: value,
        iterations: iterations.load(Ordering::Relaxed),
        first_feasible,
        elapsed: started.elapsed(),
    }
}

/// A neighbour of `keys`: noise on every record's priority, or a boost to one asset and
/// everything that gates it.
fn perturb(region: &Region, inst: &Instance, keys: &[f64], rng: &mut ChaCha8Rng) -> Vec<f64> {
    let mut out = keys.to_vec();
    if rng.gen_bool(0.5) && !region.assets.is_empty() {
        let a = rng.gen_range(0..region.assets.len());
        let factor = rng.gen_range(1.5..6.0);
        let mut items: Vec<u32> = inst.asset_items[a].clone();
        for &h in &region.assets[a].blocking {
            items.extend(&inst.hazard_items[h]);
        }
        for &d in &region.assets[a].depends_on {
            items.extend(&inst.asset_items[d]);
        }
        for i in items {
            out[i as usize] *= factor;
        }
    } else {
        let sigma = [0.05, 0.2, 0.6][rng.gen_range(0..3)];
        let mut hazard_noise = vec![0.0; region.hazards.len()];
        let mut asset_noise = vec![0.0; region.assets.len()];
        for n in hazard_noise.iter_mut().chain(asset_noise.iter_mut()) {
            *n = (sigma * rng.gen_range(-1.0..1.0f64)).exp();
        }
        for (k, item) in out.iter_mut().zip(&inst.items) {
            *k *= match item.subject {
                Subject::Hazard(h) => hazard_noise[h],
                Subject::Asset(a) => asset_noise[a],
            };
        }
    }
    out
}

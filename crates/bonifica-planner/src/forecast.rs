//! The forecast: productivity is uncertain, so the plan's priority list is re-dispatched
//! under sampled rates (a triangular multiplier around 1 per method for the whole
//! programme, another per work item, and the cancelled and reduced shares varied either
//! way), and the P50 and P90 dates of every hazard area, asset and the programme end are
//! read from the samples. Each sample has its own seed, so the result does not depend on
//! how the samples are split over threads.

use bonifica_model::{Code, Date};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use uuid::Uuid;

use crate::config::ForecastConfig;
use crate::dispatch::{Rule, dispatch, order_by_keys, record_days};
use crate::plan::Plan;
use crate::work::{Instance, Region, Variation};

/// P50 and P90 dates of one record. `None` means past the contracts (deferred in that
/// share of the samples); a `None` P90 with a dated P50 is later than the P50.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordForecast {
    pub id: Uuid,
    pub code: Code,
    pub p50: Option<Date>,
    pub p90: Option<Date>,
    /// Day offsets behind the dates (the penalty day when deferred).
    pub p50_day: i64,
    pub p90_day: i64,
}

/// The forecast of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    pub samples: usize,
    pub seed: u64,
    pub hazards: Vec<RecordForecast>,
    pub assets: Vec<RecordForecast>,
    /// The last day of placed work.
    pub programme_p50: Option<Date>,
    pub programme_p90: Option<Date>,
}

/// Release days per hazard area, restoration days per asset, and the programme end of
/// one sample.
type SampleDays = (Vec<i64>, Vec<i64>, i64);

/// A value drawn from the triangular distribution with the given low, mode and high.
pub fn triangular(rng: &mut impl Rng, low: f64, mode: f64, high: f64) -> f64 {
    if high <= low {
        return mode;
    }
    let u: f64 = rng.r#gen();
    let cut = (mode - low) / (high - low);
    if u < cut {
        low + (u * (high - low) * (mode - low)).sqrt()
    } else {
        high - ((1.0 - u) * (high - low) * (high - mode)).sqrt()
    }
}

/// Draws sample `s`'s productivity rates.
pub fn sample_variation(region: &Region, items: usize, seed: u64, s: usize) -> Variation {
    let f: &ForecastConfig = &region.config.forecast;
    let mut rng = ChaCha8Rng::seed_from_u64(
        seed.wrapping_mul(0x2545_F491_4F6C_DD1D)
            .wrapping_add(s as u64),
    );
    let mut method_factor = [1.0; 5];
    for m in &mut method_factor {
        *m = triangular(&mut rng, f.method_low, 1.0, f.method_high);
    }
    let crew_factor = triangular(&mut rng, f.method_low, 1.0, f.method_high);
    let survey = &region.config.survey;
    let share = |rng: &mut ChaCha8Rng, mode: f64| {
        triangular(
            rng,
            (mode - f.share_spread).max(0.0),
            mode,
            (mode + f.share_spread).min(1.0),
        )
    };
    let cancelled_share = share(&mut rng, survey.cancelled_share);
    let reduced_share = share(&mut rng, survey.reduced_share);
    let item_factor = (0..items)
        .map(|_| triangular(&mut rng, f.item_low, 1.0, f.item_high))
        .collect();
    Variation {
        method_factor,
        crew_factor,
        item_factor,
        cancelled_share,
        reduced_share,
    }
}

/// Runs `samples` dispatches of the plan's priorities under sampled rates.
pub fn forecast(region: &Region, plan: &Plan, samples: usize, seed: u64) -> Forecast {
    let samples = samples.max(1);
    let base = Instance::build(region, &Variation::expected(&region.config));
    let n_items = base.items.len();
    let run = |s: usize| {
        let inst = Instance::build(region, &sample_variation(region, n_items, seed, s));
        let (order, _) = order_by_keys(&inst, &plan.keys);
        let d = dispatch(region, &inst, &order, Rule::EarliestFinish);
        let (h, a) = record_days(region, &inst, &d);
        let end = d
            .placed
            .iter()
            .flatten()
            .map(|p| p.finish)
            .max()
            .unwrap_or(0);
        (h, a, end)
    };
    let mut results: Vec<Option<SampleDays>> = vec![None; samples];
    std::thread::scope(|scope| {
        let (left, right) = results.split_at_mut(samples / 2);
        let run = &run;
        scope.spawn(move || {
            for (k, r) in left.iter_mut().enumerate() {
                *r = Some(run(k));
            }
        });
        for (k, r) in right.iter_mut().enumerate() {
            *r = Some(run(samples / 2 + k));
        }
    });
    let results: Vec<SampleDays> = results.into_iter().flatten().collect();
    let quantiles = |mut v: Vec<i64>| {
        v.sort_unstable();
        let at = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
        (at(0.5), at(0.9))
    };
    let date = |day: i64| (day < region.penalty_day).then(|| region.date(day));
    let record = |id: Uuid, code: &Code, days: Vec<i64>| {
        let (p50, p90) = quantiles(days);
        RecordForecast {
            id,
            code: code.clone(),
            p50: date(p50),
            p90: date(p90),
            p50_day: p50,
            p90_day: p90,
        }
    };
    let hazards = region
        .hazards
        .iter()
        .enumerate()
        .map(|(h, info)| {
            record(
                info.id,
                &info.code,
                results.iter().map(|r| r.0[h]).collect(),
            )
        })
        .collect();
    let assets = region
        .assets
        .iter()
        .enumerate()
        .map(|(a, info)| {
            record(
                info.id,
                &info.code,
                results.iter().map(|r| r.1[a]).collect(),
            )
        })
        .collect();
    let (end50, end90) = quantiles(results.iter().map(|r| r.2).collect());
    let last = |d: i64| (d > 0).then(|| region.date(d - 1));
    Forecast {
        samples,
        seed,
        hazards,
        assets,
        programme_p50: last(end50),
        programme_p90: last(end90),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triangular_draws_stay_within_bounds_around_the_mode() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let draws: Vec<f64> = (0..2000)
            .map(|_| triangular(&mut rng, 0.5, 1.0, 1.2))
            .collect();
        assert!(draws.iter().all(|&x| (0.5..=1.2).contains(&x)));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        // Mean of a triangular distribution: (low + mode + high) / 3.
        assert!((mean - 0.9).abs() < 0.02, "{mean}");
    }
}

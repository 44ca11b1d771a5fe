//! Small random draws the generator needs beyond `rand`'s uniform ones: normal and
//! log-normal values, log-uniform values and weighted choices.
//!
//! Everything takes the generator explicitly so that every stage can own its own seeded
//! stream and the output stays the same for a given seed.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The random stream every stage draws from.
pub(crate) type Stream = ChaCha8Rng;

/// A standard normal draw (Box–Muller).
pub(crate) fn normal(rng: &mut Stream) -> f64 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen_range(0.0..1.0);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A log-normal draw with the given median and log-space standard deviation, clamped.
pub(crate) fn log_normal(rng: &mut Stream, median: f64, sigma: f64, min: f64, max: f64) -> f64 {
    (median.ln() + sigma * normal(rng)).exp().clamp(min, max)
}

/// A draw spread evenly in log space between `min` and `max` (both positive).
pub(crate) fn log_uniform(rng: &mut Stream, min: f64, max: f64) -> f64 {
    rng.gen_range(min.ln()..=max.ln()).exp()
}

/// The index of a weighted choice; weights need not sum to one. Falls back to the last
/// index when every weight is zero, so callers always get a valid index.
pub(crate) fn weighted(rng: &mut Stream, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().map(|w| w.max(0.0)).sum();
    if total <= 0.0 {
        return weights.len().saturating_sub(1);
    }
    let mut pick = rng.gen_range(0.0..total);
    for (i, w) in weights.iter().enumerate() {
        let w = w.max(0.0);
        if pick < w {
            return i;
        }
        pick -= w;
    }
    weights.len() - 1
}

/// A weighted choice from a table of `(weight, value)` pairs.
pub(crate) fn pick<T: Copy>(rng: &mut Stream, table: &[(f64, T)]) -> T {
    let weights: Vec<f64> = table.iter().map(|(w, _)| *w).collect();
    table[weighted(rng, &weights)].1
}

/// A uniformly chosen element of a non-empty slice.
pub(crate) fn choose<'a, T>(rng: &mut Stream, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn log_normal_has_the_asked_median_and_stays_clamped() {
        let mut rng = Stream::seed_from_u64(7);
        let mut draws: Vec<f64> = (0..4001)
            .map(|_| log_normal(&mut rng, 40_000.0, 1.0, 5_000.0, 2e6))
            .collect();
        draws.sort_by(f64::total_cmp);
        let median = draws[2000];
        assert!((30_000.0..55_000.0).contains(&median), "{median}");
        assert!(draws[0] >= 5_000.0 && draws[4000] <= 2e6);
    }

    #[test]
    fn weighted_never_picks_a_zero_weight() {
        let mut rng = Stream::seed_from_u64(1);
        for _ in 0..1000 {
            assert_ne!(weighted(&mut rng, &[1.0, 0.0, 2.0]), 1);
        }
        assert_eq!(weighted(&mut rng, &[0.0, 0.0]), 1);
    }
}

//! The dispatcher: a serial schedule generation scheme over a priority list.
//!
//! Items are taken in list order (the list is topological: predecessors first). For each
//! item, every eligible unit is asked for the earliest start at or after the item's
//! release (the latest finish of its predecessors) such that the unit is free for the
//! whole duration, with travel from the item before it on the unit's calendar and to the
//! item after it, and the work lies within one availability window. The unit giving the
//! earliest finish wins (ties: less travel, then the lower unit index). An item no unit
//! can fit within its contracts is deferred, and so is everything that waits for it:
//! deferred work is reported, never placed outside a contract.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::Serialize;

use crate::units::Zones;
use crate::work::{Instance, Region};

/// Where and when an item was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub unit: u32,
    /// First working day.
    pub start: i64,
    /// Day after the last working day.
    pub finish: i64,
}

/// Why an item was not placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeferReason {
    /// No team or crew is able to do this kind of work.
    NoEligibleUnit,
    /// No eligible unit has a long enough stretch under contract after the item's release.
    OutsideContracts,
    /// It waits for deferred work (a blocking hazard area, a dependency, an earlier step).
    WaitsForDeferred,
    /// Asset dependencies form a cycle through it.
    DependencyCycle,
}

/// How units are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Insert into any gap; the unit with the earliest finish wins.
    EarliestFinish,
    /// The spreadsheet rule: append after the unit's last item; the unit free soonest wins.
    FreeSoonest,
}

/// The result of one dispatch.
#[derive(Debug, Clone)]
pub struct Dispatch {
    pub placed: Vec<Option<Placement>>,
    pub deferred: Vec<Option<DeferReason>>,
}

#[derive(Debug, Clone, Copy)]
struct Busy {
    start: i64,
    end: i64,
    zone: usize,
}

/// A topological order of the items, higher key first among the ready ones; items on a
/// dependency cycle come back separately.
pub fn order_by_keys(inst: &Instance, keys: &[f64]) -> (Vec<u32>, Vec<u32>) {
    let n = inst.items.len();
    let mut indeg: Vec<usize> = inst.items.iter().map(|i| i.preds.len()).collect();
    let key = |i: usize| keys.get(i).copied().unwrap_or(0.0);
    let mut heap: BinaryHeap<(OrdF64, Reverse<u32>)> = (0..n)
        .filter(|&i| indeg[i] == 0)
        .map(|i| (OrdF64(key(i)), Reverse(i as u32)))
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some((_, Reverse(i))) = heap.pop() {
        order.push(i);
        for &s in &inst.succs[i as usize] {
            indeg[s as usize] -= 1;
            if indeg[s as usize] == 0 {
                heap.push((OrdF64(key(s as usize)), Reverse(s)));
            }
        }
    }
    let cyclic = (0..n as u32).filter(|&i| indeg[i as usize] > 0).collect();
    (order, cyclic)
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct OrdF64(f64);
impl Eq for OrdF64 {}
impl PartialOrd for OrdF64 {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for OrdF64 {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Dispatches the items in `order` (topological) under `rule`; items not in `order` are
/// deferred as on a dependency cycle.
pub fn dispatch(region: &Region, inst: &Instance, order: &[u32], rule: Rule) -> Dispatch {
    let n = inst.items.len();
    let mut placed: Vec<Option<Placement>> = vec![None; n];
    let mut deferred: Vec<Option<DeferReason>> = vec![Some(DeferReason::DependencyCycle); n];
    let mut calendars: Vec<Vec<Busy>> = vec![Vec::new(); region.units.len()];
    // Longest gap before or between the items of each calendar, travel ignored: an item
    // longer than it can only go after the last item.
    let mut max_gap: Vec<i64> = vec![0; region.units.len()];
    for &i in order {
        let i = i as usize;
        let item = &inst.items[i];
        let mut release = 0;
        let mut waits = false;
        for &p in &item.preds {
            match placed[p as usize] {
                Some(pl) => release = release.max(pl.finish),
                None => waits = true,
            }
        }
        if waits {
            deferred[i] = Some(DeferReason::WaitsForDeferred);
            continue;
        }
        if item.options.is_empty() {
            deferred[i] = Some(DeferReason::NoEligibleUnit);
            continue;
        }
        // (finish or start, travel, unit, start)
        let mut best: Option<(i64, i64, u32, i64)> = None;
        for &(u, dur) in &item.options {
            let unit = &region.units[u as usize];
            if unit.last_day() < release + dur {
                continue;
            }
            let cal = &calendars[u as usize];
            let bound = best.map_or(i64::MAX, |b| b.0);
            let fit = match rule {
                Rule::EarliestFinish => earliest_fit(
                    cal,
                    max_gap[u as usize],
                    &unit.windows,
                    unit.base_zone,
                    &region.zones,
                    item.zone,
                    release,
                    dur,
                    bound,
                ),
                Rule::FreeSoonest => append_fit(
                    cal,
                    &unit.windows,
                    unit.base_zone,
                    &region.zones,
                    item.zone,
                    release,
                    dur,
                ),
            };
            if let Some((start, travel)) = fit {
                let rank = match rule {
                    Rule::EarliestFinish => start + dur,
                    Rule::FreeSoonest => start,
                };
                let candidate = (rank, travel, u, start);
                if best.is_none_or(|b| (candidate.0, candidate.1) < (b.0, b.1)) {
                    best = Some(candidate);
                }
            }
        }
        let Some((_, _, u, start)) = best else {
            deferred[i] = Some(DeferReason::OutsideContracts);
            continue;
        };
        let dur = item.options.iter().find(|o| o.0 == u).map_or(1, |o| o.1);
        let cal = &mut calendars[u as usize];
        let at = cal.partition_point(|b| b.start < start);
        cal.insert(
            at,
            Busy {
                start,
                end: start + dur,
                zone: item.zone,
            },
        );
        let lead = cal.first().map_or(0, |b| b.start);
        max_gap[u as usize] = cal
            .windows(2)
            .map(|w| w[1].start - w[0].end)
            .fold(lead, i64::max);
        placed[i] = Some(Placement {
            unit: u,
            start,
            finish: start + dur,
        });
        deferred[i] = None;
    }
    Dispatch { placed, deferred }
}

/// The earliest start in any gap of a calendar, with the travel into it; `None` when no
/// start gives a finish by `bound`.
#[allow(clippy::too_many_arguments)]
fn earliest_fit(
    cal: &[Busy],
    max_gap: i64,
    windows: &[(i64, i64)],
    base: usize,
    zones: &Zones,
    zone: usize,
    release: i64,
    dur: i64,
    bound: i64,
) -> Option<(i64, i64)> {
    let first = if dur > max_gap {
        cal.len()
    } else {
        cal.partition_point(|b| b.end <= release)
    };
    for j in first..=cal.len() {
        let prev = j.checked_sub(1).map(|k| cal[k]);
        let travel = prev.map_or_else(|| zones.travel(base, zone), |p| zones.travel(p.zone, zone));
        let lo = release.max(prev.map_or(0, |p| p.end) + travel);
        let hi = cal
            .get(j)
            .map_or(i64::MAX, |n| n.start - zones.travel(zone, n.zone));
        if lo + dur > bound {
            return None;
        }
        if lo + dur > hi {
            continue;
        }
        match fit_in_windows(windows, lo, dur, hi) {
            Fit::At(s) => return (s + dur <= bound).then_some((s, travel)),
            Fit::NotBefore => continue,
            Fit::Never => return None,
        }
    }
    None
}

/// The earliest start after the calendar's last item.
fn append_fit(
    cal: &[Busy],
    windows: &[(i64, i64)],
    base: usize,
    zones: &Zones,
    zone: usize,
    release: i64,
    dur: i64,
) -> Option<(i64, i64)> {
    let travel = cal
        .last()
        .map_or_else(|| zones.travel(base, zone), |p| zones.travel(p.zone, zone));
    let lo = release.max(cal.last().map_or(0, |p| p.end) + travel);
    match fit_in_windows(windows, lo, dur, i64::MAX) {
        Fit::At(s) => Some((s, travel)),
        Fit::NotBefore | Fit::Never => None,
    }
}

enum Fit {
    At(i64),
    /// No start within one window finishes by the gap's end.
    NotBefore,
    /// No window after `lo` is long enough.
    Never,
}

/// The earliest `s >= lo` with `s..s+dur` inside one window and `s + dur <= hi`.
fn fit_in_windows(windows: &[(i64, i64)], lo: i64, dur: i64, hi: i64) -> Fit {
    let mut k = windows.partition_point(|w| w.1 <= lo);
    let mut s = lo;
    while let Some(&(a, b)) = windows.get(k) {
        s = s.max(a);
        if s + dur > hi {
            return Fit::NotBefore;
        }
        if s + dur <= b {
            return Fit::At(s);
        }
        k += 1;
    }
    Fit::Never
}

/// The objective value of a dispatch, and its parts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Score {
    /// Σ asset weight × restoration day.
    pub service: f64,
    /// Σ hazard risk weight × release day.
    pub risk: f64,
    /// Latest finish of placed work.
    pub makespan: i64,
    /// Items deferred.
    pub deferred: usize,
}

impl Score {
    /// The service-weighted restoration objective (service + risk).
    pub fn restoration(&self) -> f64 {
        self.service + self.risk
    }
}

/// Release day of every hazard area and restoration day of every asset (the penalty day
/// when deferred).
pub fn record_days(region: &Region, inst: &Instance, d: &Dispatch) -> (Vec<i64>, Vec<i64>) {
    let finish = |items: &[u32]| -> i64 {
        let mut day = 0;
        for &i in items {
            match d.placed[i as usize] {
                Some(p) => day = day.max(p.finish),
                None => return region.penalty_day,
            }
        }
        day
    };
    let hazards = inst
        .hazard_items
        .iter()
        .map(|items| finish(items))
        .collect();
    let assets = inst.asset_done.iter().map(|items| finish(items)).collect();
    (hazards, assets)
}

/// Scores a dispatch.
pub fn evaluate(region: &Region, inst: &Instance, d: &Dispatch) -> Score {
    let (hazard_days, asset_days) = record_days(region, inst, d);
    let service = region
        .assets
        .iter()
        .zip(&asset_days)
        .map(|(a, &day)| a.weight * day as f64)
        .sum();
    let risk = region
        .hazards
        .iter()
        .zip(&hazard_days)
        .map(|(h, &day)| h.risk_weight * day as f64)
        .sum();
    Score {
        service,
        risk,
        makespan: d
            .placed
            .iter()
            .flatten()
            .map(|p| p.finish)
            .max()
            .unwrap_or(0),
        deferred: d.deferred.iter().flatten().count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_hold_the_whole_duration() {
        let w = [(0, 5), (10, 30)];
        assert!(matches!(fit_in_windows(&w, 0, 5, i64::MAX), Fit::At(0)));
        assert!(matches!(fit_in_windows(&w, 1, 5, i64::MAX), Fit::At(10)));
        assert!(matches!(fit_in_windows(&w, 1, 5, 14), Fit::NotBefore));
        assert!(matches!(fit_in_windows(&w, 0, 21, i64::MAX), Fit::Never));
    }
}

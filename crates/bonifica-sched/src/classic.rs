//! The fast path for classic RCPSP (one mode, constant capacities, plain finish-to-start
//! precedences, makespan): flat arrays, a serial schedule generation scheme over a
//! time-indexed table of free capacity, run forward or backward (on the reversed
//! network), and justification: a schedule is rescheduled in the opposite direction in
//! order of its finish (or start) times, which never lengthens it (Valls et al. 2005).
//! Every pass counts as one generated schedule. The search itself is in `ga.rs`.

use crate::model::{Problem, Schedule};
use crate::solve::{Budget, Found};

/// A classic RCPSP instance as flat arrays.
pub(crate) struct Classic {
    pub(crate) n: usize,
    nres: usize,
    pub(crate) dur: Vec<u32>,
    dem_off: Vec<u32>,
    dem_res: Vec<u32>,
    dem_amt: Vec<i32>,
    cap: Vec<i32>,
    pub(crate) pred_off: Vec<u32>,
    pub(crate) pred: Vec<u32>,
    pub(crate) succ_off: Vec<u32>,
    pub(crate) succ: Vec<u32>,
    /// Position of each activity in a fixed topological order.
    pub(crate) rank: Vec<u32>,
    by_rank: Vec<u32>,
    /// Bit matrix: `direct[a * words + b / 64] >> (b % 64)` is set when `a` directly precedes `b`.
    direct: Vec<u64>,
    words: usize,
    /// Latest finish times from the critical path (a priority rule).
    pub(crate) lft: Vec<u32>,
    /// Share of the capacities an activity holds per period, summed over resources.
    pub(crate) load: Vec<f64>,
    periods: usize,
}

fn csr(n: usize, edges: &[(usize, usize)]) -> (Vec<u32>, Vec<u32>) {
    let mut off = vec![0u32; n + 1];
    for &(a, _) in edges {
        off[a + 1] += 1;
    }
    for i in 0..n {
        off[i + 1] += off[i];
    }
    let mut fill = off.clone();
    let mut out = vec![0u32; edges.len()];
    for &(a, b) in edges {
        out[fill[a] as usize] = b as u32;
        fill[a] += 1;
    }
    (off, out)
}

impl Classic {
    /// Flattens a problem for which [`Problem::is_classic`] holds and which passed
    /// [`Problem::check`].
    pub(crate) fn new(p: &Problem) -> Self {
        let n = p.activities.len();
        let nres = p.resources.len();
        let dur: Vec<u32> = p
            .activities
            .iter()
            .map(|a| a.modes[0].duration.clamp(0, u32::MAX as i64 / 4) as u32)
            .collect();
        let (mut dem_off, mut dem_res, mut dem_amt) = (vec![0u32], Vec::new(), Vec::new());
        for a in &p.activities {
            let mut per = vec![0i64; nres];
            for d in &a.modes[0].demands {
                per[d.resource] += d.amount;
            }
            for (r, &amt) in per.iter().enumerate() {
                if amt > 0 {
                    dem_res.push(r as u32);
                    dem_amt.push(amt.min(i32::MAX as i64) as i32);
                }
            }
            dem_off.push(dem_res.len() as u32);
        }
        let cap = p
            .resources
            .iter()
            .map(|r| r.capacity.initial.min(i32::MAX as i64) as i32)
            .collect();
        let mut edges: Vec<(usize, usize)> =
            p.precedences.iter().map(|e| (e.before, e.after)).collect();
        edges.sort_unstable();
        edges.dedup();
        let (succ_off, succ) = csr(n, &edges);
        let rev: Vec<(usize, usize)> = edges.iter().map(|&(a, b)| (b, a)).collect();
        let mut rev_sorted = rev.clone();
        rev_sorted.sort_unstable();
        let (pred_off, pred) = csr(n, &rev_sorted);
        let topo = p.topological_order().unwrap_or_else(|| (0..n).collect());
        let mut rank = vec![0u32; n];
        for (i, &j) in topo.iter().enumerate() {
            rank[j] = i as u32;
        }
        let words = n.div_ceil(64).max(1);
        let mut direct = vec![0u64; n * words];
        for &(a, b) in &edges {
            direct[a * words + b / 64] |= 1 << (b % 64);
        }
        let periods = dur.iter().map(|&d| d as usize).sum::<usize>() + 2;
        let mut c = Self {
            n,
            nres,
            dur,
            dem_off,
            dem_res,
            dem_amt,
            cap,
            pred_off,
            pred,
            succ_off,
            succ,
            rank,
            by_rank: topo.iter().map(|&j| j as u32).collect(),
            direct,
            words,
            lft: Vec::new(),
            load: Vec::new(),
            periods,
        };
        c.load = (0..n)
            .map(|j| {
                let (lo, hi) = (c.dem_off[j] as usize, c.dem_off[j + 1] as usize);
                (lo..hi)
                    .map(|k| {
                        f64::from(c.dem_amt[k]) / f64::from(c.cap[c.dem_res[k] as usize].max(1))
                    })
                    .sum()
            })
            .collect();
        c.lft = c.latest_finish();
        c
    }

    fn latest_finish(&self) -> Vec<u32> {
        let mut ef = vec![0u32; self.n];
        for &j in &self.by_rank {
            let j = j as usize;
            let es = self
                .preds(j)
                .iter()
                .map(|&p| ef[p as usize])
                .max()
                .unwrap_or(0);
            ef[j] = es + self.dur[j];
        }
        let t = ef.iter().copied().max().unwrap_or(0);
        let mut lf = vec![t; self.n];
        for &j in self.by_rank.iter().rev() {
            let j = j as usize;
            lf[j] = self
                .succs(j)
                .iter()
                .map(|&s| lf[s as usize] - self.dur[s as usize])
                .min()
                .unwrap_or(t);
        }
        lf
    }

    pub(crate) fn preds(&self, j: usize) -> &[u32] {
        &self.pred[self.pred_off[j] as usize..self.pred_off[j + 1] as usize]
    }

    pub(crate) fn succs(&self, j: usize) -> &[u32] {
        &self.succ[self.succ_off[j] as usize..self.succ_off[j + 1] as usize]
    }

    /// Whether `a` directly precedes `b`.
    #[inline]
    pub(crate) fn precedes(&self, a: usize, b: usize) -> bool {
        self.direct[a * self.words + b / 64] >> (b % 64) & 1 == 1
    }

    /// Critical path length.
    pub(crate) fn critical_path(&self) -> u32 {
        self.lft.iter().copied().max().unwrap_or(0)
    }
}

/// Free capacity per period and resource (time-major), reset after every pass.
pub(crate) struct Sgs {
    avail: Vec<i32>,
}

impl Sgs {
    pub(crate) fn new(c: &Classic) -> Self {
        let mut avail = Vec::with_capacity(c.periods * c.nres);
        for _ in 0..c.periods {
            avail.extend_from_slice(&c.cap);
        }
        Self { avail }
    }

    /// Serial SGS: schedules `order` (precedence feasible in the chosen direction) each at
    /// its earliest precedence- and resource-feasible time. Backward runs on the reversed
    /// network (successors act as predecessors). Returns the makespan.
    pub(crate) fn run(
        &mut self,
        c: &Classic,
        order: &[u32],
        backward: bool,
        start: &mut [u32],
    ) -> u32 {
        let (adj_off, adj) = if backward {
            (&c.succ_off, &c.succ)
        } else {
            (&c.pred_off, &c.pred)
        };
        let nres = c.nres;
        let avail = &mut self.avail;
        let mut makespan = 0u32;
        for &j in order {
            let j = j as usize;
            let mut t = 0u32;
            for &p in &adj[adj_off[j] as usize..adj_off[j + 1] as usize] {
                let f = start[p as usize] + c.dur[p as usize];
                if f > t {
                    t = f;
                }
            }
            let d = c.dur[j];
            let (lo, hi) = (c.dem_off[j] as usize, c.dem_off[j + 1] as usize);
            if d > 0 && lo < hi {
                let res = &c.dem_res[lo..hi];
                let amt = &c.dem_amt[lo..hi];
                'search: loop {
                    let mut tau = t + d;
                    while tau > t {
                        tau -= 1;
                        let base = tau as usize * nres;
                        for (&r, &a) in res.iter().zip(amt) {
                            if avail[base + r as usize] < a {
                                t = tau + 1;
                                continue 'search;
                            }
                        }
                    }
                    break;
                }
                for tau in t..t + d {
                    let base = tau as usize * nres;
                    for (&r, &a) in res.iter().zip(amt) {
                        avail[base + r as usize] -= a;
                    }
                }
            }
            start[j] = t;
            makespan = makespan.max(t + d);
        }
        let used = (makespan as usize * nres).min(avail.len());
        for (chunk, _) in avail[..used].chunks_exact_mut(nres.max(1)).zip(0..) {
            chunk.copy_from_slice(&c.cap);
        }
        makespan
    }
}

/// Sorts activities by `key(j)` ascending into `order`, ties in topological order (or
/// reverse topological order when `reverse_ties`), so that the order stays precedence
/// feasible in the matching direction.
fn sort_into(
    c: &Classic,
    keys: &mut Vec<u64>,
    order: &mut Vec<u32>,
    reverse_ties: bool,
    key: impl Fn(usize) -> u32,
) {
    let n = c.n as u32;
    keys.clear();
    for j in 0..c.n {
        let r = c.rank[j];
        let tie = if reverse_ties { n - 1 - r } else { r };
        keys.push(u64::from(key(j)) << 32 | u64::from(tie));
    }
    keys.sort_unstable();
    order.clear();
    for &k in keys.iter() {
        let tie = (k & 0xFFFF_FFFF) as u32;
        let r = if reverse_ties { n - 1 - tie } else { tie };
        order.push(c.by_rank[r as usize]);
    }
}

/// Scratch space for forward–backward improvement.
pub(crate) struct Justifier<'c> {
    pub(crate) c: &'c Classic,
    sgs: Sgs,
    /// Start times (forward time) of the last evaluated schedule.
    pub(crate) start: Vec<u32>,
    back: Vec<u32>,
    keys: Vec<u64>,
    order: Vec<u32>,
}

impl<'c> Justifier<'c> {
    pub(crate) fn new(c: &'c Classic) -> Self {
        Self {
            c,
            sgs: Sgs::new(c),
            start: vec![0; c.n],
            back: vec![0; c.n],
            keys: Vec::with_capacity(c.n),
            order: Vec::with_capacity(c.n),
        }
    }
}

impl Justifier<'_> {
    /// Schedules `list` in one direction (forward, or backward on the reversed network),
    /// then justifies once in the other direction; two schedules from `budget`. On return
    /// `self.start` holds the better schedule in forward time. `None` if the budget was
    /// already spent.
    pub(crate) fn evaluate_pair(
        &mut self,
        list: &[u32],
        backward: bool,
        budget: &mut Budget<'_>,
    ) -> Option<u32> {
        if !budget.take() {
            return None;
        }
        let c = self.c;
        if backward {
            let m1 = self.sgs.run(c, list, true, &mut self.back);
            for j in 0..c.n {
                self.start[j] = m1 - self.back[j] - c.dur[j];
            }
            if !budget.take() {
                return Some(m1);
            }
            let start = &self.start;
            sort_into(c, &mut self.keys, &mut self.order, false, |j| start[j]);
            let m2 = self.sgs.run(c, &self.order, false, &mut self.back);
            if m2 <= m1 {
                std::mem::swap(&mut self.start, &mut self.back);
                return Some(m2);
            }
            Some(m1)
        } else {
            let m1 = self.sgs.run(c, list, false, &mut self.start);
            if !budget.take() {
                return Some(m1);
            }
            let start = &self.start;
            sort_into(c, &mut self.keys, &mut self.order, true, |j| {
                m1 - (start[j] + c.dur[j])
            });
            let m2 = self.sgs.run(c, &self.order, true, &mut self.back);
            if m2 <= m1 {
                for j in 0..c.n {
                    self.start[j] = m2 - self.back[j] - c.dur[j];
                }
                return Some(m2);
            }
            Some(m1)
        }
    }

    /// The activity list of schedule `start` (forward time, makespan `makespan`) in the
    /// given direction: by start time, or for backward by decreasing finish time.
    pub(crate) fn list_of(
        &mut self,
        start: &[u32],
        makespan: u32,
        backward: bool,
        out: &mut Vec<u32>,
    ) {
        let c = self.c;
        if backward {
            sort_into(c, &mut self.keys, out, true, |j| {
                makespan - (start[j] + c.dur[j])
            });
        } else {
            sort_into(c, &mut self.keys, out, false, |j| start[j]);
        }
    }
}

/// Runs the genetic algorithm on a classic instance.
pub(crate) fn search(
    problem: &Problem,
    seed: u64,
    stream: u64,
    budget: &mut Budget<'_>,
) -> Option<Found> {
    let c = Classic::new(problem);
    let (makespan, starts) = crate::ga::run(&c, seed, stream, budget)?;
    Some(Found {
        schedule: Schedule {
            starts: starts.iter().map(|&s| i64::from(s)).collect(),
            modes: vec![0; c.n],
        },
        objective: i64::from(makespan),
        lateness: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Activity, CapacityProfile, Demand, Mode, Precedence, Resource};
    use crate::solve::NoProgress;

    /// Three activities of duration 2 needing 1 of 1 unit, plus one free activity.
    pub(crate) fn tiny() -> Problem {
        let act = |d, a| Activity {
            modes: vec![Mode {
                duration: d,
                demands: vec![Demand {
                    resource: 0,
                    amount: a,
                }],
            }],
            ..Default::default()
        };
        Problem {
            activities: vec![act(2, 1), act(2, 1), act(2, 1), act(3, 0)],
            resources: vec![Resource {
                name: "r".into(),
                capacity: CapacityProfile::constant(1),
            }],
            precedences: vec![Precedence {
                before: 0,
                after: 3,
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn serial_sgs_forward_and_backward() {
        let c = Classic::new(&tiny());
        let mut sgs = Sgs::new(&c);
        let mut start = vec![0; 4];
        assert_eq!(sgs.run(&c, &[0, 1, 2, 3], false, &mut start), 6);
        assert_eq!(start, vec![0, 2, 4, 2]);
        // The table is reset: the same pass gives the same result.
        assert_eq!(sgs.run(&c, &[0, 3, 2, 1], false, &mut start), 6);
        assert_eq!(start, vec![0, 4, 2, 2]);
        assert_eq!(sgs.run(&c, &[3, 2, 1, 0], true, &mut start), 6);
        assert_eq!(start[3], 0);
        assert_eq!(start[0], 4);
    }

    #[test]
    fn justification_counts_two_schedules_and_never_worsens() {
        let c = Classic::new(&tiny());
        let mut j = Justifier::new(&c);
        let mut b = Budget::new(10, None, None, &NoProgress, 0);
        // Forward: 3 waits for 0 and sits idle; justified, still makespan 6.
        assert_eq!(j.evaluate_pair(&[0, 1, 2, 3], false, &mut b), Some(6));
        assert_eq!(b.used, 2);
        assert_eq!(j.evaluate_pair(&[3, 2, 1, 0], true, &mut b), Some(6));
        assert_eq!(b.used, 4);
        let mut list = Vec::new();
        let start = j.start.clone();
        j.list_of(&start, 6, false, &mut list);
        assert_eq!(list.len(), 4);
        let mut b = Budget::new(0, None, None, &NoProgress, 0);
        assert_eq!(j.evaluate_pair(&list, false, &mut b), None);
    }
}

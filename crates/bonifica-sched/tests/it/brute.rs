//! Exhaustive search over start times and modes for tiny instances, checked only by the
//! validator: an optimum that owes nothing to the solver.

use bonifica_sched::{Problem, Schedule, Time, validate};

/// Best objective over all schedules with starts in `0..=horizon - duration`;
/// `None` if no schedule is valid.
pub fn optimum(p: &Problem, horizon: Time) -> Option<Time> {
    let n = p.activities.len();
    let mut s = Schedule {
        starts: vec![0; n],
        modes: vec![0; n],
    };
    let mut best = None;
    rec(p, horizon, 0, &mut s, &mut best);
    best
}

fn rec(p: &Problem, horizon: Time, j: usize, s: &mut Schedule, best: &mut Option<Time>) {
    if j == p.activities.len() {
        if validate(p, s).is_empty() {
            let o = s.objective(p);
            if best.is_none_or(|b| o < b) {
                *best = Some(o);
            }
        }
        return;
    }
    for (m, mode) in p.activities[j].modes.iter().enumerate() {
        for t in 0..=(horizon - mode.duration).max(-1) {
            s.modes[j] = m;
            s.starts[j] = t;
            rec(p, horizon, j + 1, s, best);
        }
    }
}

/// Optimum makespan of a classic single-mode problem (constant capacities, plain
/// finish-to-start precedences) by trying every precedence-feasible order, each activity
/// placed at its earliest feasible time (active schedules contain an optimum), pruned by
/// the best makespan so far. Written apart from the solver.
pub fn classic_optimum(p: &Problem) -> Time {
    let n = p.activities.len();
    let horizon: Time = p
        .activities
        .iter()
        .map(|a| a.modes[0].duration)
        .sum::<Time>()
        + 1;
    let mut st = Dfs {
        p,
        used: vec![vec![0; horizon as usize]; p.resources.len()],
        start: vec![None; n],
        best: horizon,
    };
    st.go(0, 0);
    st.best
}

struct Dfs<'a> {
    p: &'a Problem,
    used: Vec<Vec<i64>>,
    start: Vec<Option<Time>>,
    best: Time,
}

impl Dfs<'_> {
    fn go(&mut self, placed: usize, makespan: Time) {
        if makespan >= self.best {
            return;
        }
        if placed == self.start.len() {
            self.best = makespan;
            return;
        }
        for j in 0..self.start.len() {
            if self.start[j].is_some() {
                continue;
            }
            let preds = self.p.precedences.iter().filter(|e| e.after == j);
            let mut ready = Some(0);
            for e in preds {
                let d = self.p.activities[e.before].modes[0].duration;
                ready = match (ready, self.start[e.before]) {
                    (Some(r), Some(s)) => Some(r.max(s + d)),
                    _ => None,
                };
            }
            let Some(ready) = ready else { continue };
            let mode = &self.p.activities[j].modes[0];
            let fits = |used: &Vec<Vec<i64>>, t: Time| {
                (t..t + mode.duration).all(|u| {
                    mode.demands.iter().all(|d| {
                        used[d.resource][u as usize] + d.amount
                            <= self.p.resources[d.resource].capacity.initial
                    })
                })
            };
            let mut t = ready;
            while !fits(&self.used, t) {
                t += 1;
            }
            self.book(j, t, 1);
            self.go(placed + 1, makespan.max(t + mode.duration));
            self.book(j, t, -1);
        }
    }

    fn book(&mut self, j: usize, t: Time, sign: i64) {
        let mode = &self.p.activities[j].modes[0];
        for u in t..t + mode.duration {
            for d in &mode.demands {
                self.used[d.resource][u as usize] += sign * d.amount;
            }
        }
        self.start[j] = (sign > 0).then_some(t);
    }
}

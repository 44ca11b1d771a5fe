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

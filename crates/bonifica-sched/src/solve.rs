//! The entry point: [`solve`] checks the problem, picks the fast path for classic
//! single-mode RCPSP or the general path otherwise, runs one search per thread with
//! its own seed stream and share of the budget, and returns the best schedule with
//! its objective and a lower bound. Budgets count generated schedules (every pass of a
//! schedule generation scheme is one) and/or wall time; cancellation keeps the best so far.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::bounds;
use crate::error::Result;
use crate::model::{Problem, Schedule, Time};
use crate::{classic, general};

/// When to stop searching.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Maximum number of generated schedules (over all threads); `None` for no limit.
    pub schedules: Option<u64>,
    /// Maximum wall time; `None` for no limit.
    pub time: Option<Duration>,
    /// Seed of the random choices; the same seed and thread count give the same schedule
    /// when only the schedule budget limits the search.
    pub seed: u64,
    /// Number of independent searches run in parallel (at least 1).
    pub threads: usize,
    /// Set to `true` from anywhere to stop and get the best schedule so far.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            schedules: Some(5_000),
            time: None,
            seed: 0,
            threads: 1,
            cancel: None,
        }
    }
}

impl Limits {
    /// A budget of `n` generated schedules on one thread, with seed 0.
    pub fn schedules(n: u64) -> Self {
        Self {
            schedules: Some(n),
            ..Self::default()
        }
    }
}

/// A snapshot of the search, handed to [`Progress::report`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressInfo {
    /// Which parallel search reports (0-based).
    pub thread: usize,
    /// Schedules generated so far by this search.
    pub schedules: u64,
    /// Best objective found so far by this search, counting deadline misses as infeasible.
    pub best_objective: Option<Time>,
}

/// Receives progress reports; returning `ControlFlow::Break(())` stops the search, which
/// then returns its best schedule so far.
pub trait Progress: Sync {
    /// Called regularly (about once per generation) by every search thread.
    fn report(&self, info: &ProgressInfo) -> ControlFlow<()>;
}

/// A [`Progress`] that ignores reports and never stops the search.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn report(&self, _info: &ProgressInfo) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// How good the returned schedule is known to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Feasible and equal to the lower bound.
    Optimal,
    /// Feasible; the optimum lies between the lower bound and the objective.
    Feasible,
    /// No feasible schedule exists or none was found; `reason` says why.
    Infeasible {
        /// Explanation for people.
        reason: String,
    },
}

/// What the solver returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    /// The best schedule; when infeasible, the best attempt (it may miss deadlines), if any.
    pub schedule: Option<Schedule>,
    /// Objective value of `schedule`.
    pub objective: Option<Time>,
    /// A lower bound on the objective of any feasible schedule.
    pub lower_bound: Time,
    /// Optimal, feasible or infeasible.
    pub status: Status,
    /// Number of schedules generated.
    pub schedules: u64,
    /// Wall time spent.
    pub elapsed: Duration,
}

/// Counts schedules and watches the clock, the cancel flag and the progress callback.
pub(crate) struct Budget<'a> {
    max: u64,
    pub(crate) used: u64,
    deadline: Option<Instant>,
    cancel: Option<&'a AtomicBool>,
    progress: &'a dyn Progress,
    thread: usize,
    stopped: bool,
}

impl<'a> Budget<'a> {
    pub(crate) fn new(
        max: u64,
        deadline: Option<Instant>,
        cancel: Option<&'a AtomicBool>,
        progress: &'a dyn Progress,
        thread: usize,
    ) -> Self {
        Self {
            max,
            used: 0,
            deadline,
            cancel,
            progress,
            thread,
            stopped: false,
        }
    }

    /// The number of schedules this budget allows.
    pub(crate) fn max(&self) -> u64 {
        self.max
    }

    /// Takes one schedule from the budget; false when the budget is spent or stopped.
    #[inline]
    pub(crate) fn take(&mut self) -> bool {
        if self.stopped || self.used >= self.max {
            return false;
        }
        self.used += 1;
        true
    }

    /// Whether the search should go on: checks time, cancellation, and reports progress.
    pub(crate) fn keep_going(&mut self, best_objective: Option<Time>) -> bool {
        if self.stopped || self.used >= self.max {
            return false;
        }
        let timed_out = self.deadline.is_some_and(|d| Instant::now() >= d);
        let cancelled = self.cancel.is_some_and(|c| c.load(Ordering::Relaxed));
        let info = ProgressInfo {
            thread: self.thread,
            schedules: self.used,
            best_objective,
        };
        if timed_out || cancelled || self.progress.report(&info).is_break() {
            self.stopped = true;
        }
        !self.stopped
    }
}

/// The result of one search thread: the best schedule, its objective, and the total
/// deadline overshoot (0 when feasible).
pub(crate) struct Found {
    pub(crate) schedule: Schedule,
    pub(crate) objective: Time,
    pub(crate) lateness: Time,
}

/// Largest time-by-resource table the schedule generation schemes may allocate.
const MAX_TABLE_CELLS: u128 = 50_000_000;

/// Solves `problem` within `limits`, reporting to `progress`. Fails only when the problem
/// breaks a structural rule ([`Problem::check`]); an infeasible problem is an
/// `Ok(Solution)` with [`Status::Infeasible`] and the reason.
pub fn solve(problem: &Problem, limits: &Limits, progress: &dyn Progress) -> Result<Solution> {
    let started = Instant::now();
    problem.check()?;
    let cells = problem.effective_horizon() as u128 * problem.resources.len().max(1) as u128;
    if cells > MAX_TABLE_CELLS {
        return Err(crate::Error::InvalidProblem(format!(
            "horizon of {} periods for {} resources is too large to schedule (more than {} \
             period-resource cells); give a shorter horizon or coarser periods",
            problem.effective_horizon(),
            problem.resources.len(),
            MAX_TABLE_CELLS
        )));
    }
    let lower_bound = bounds::lower_bound(problem);
    let infeasible = |reason: String| Solution {
        schedule: None,
        objective: None,
        lower_bound,
        status: Status::Infeasible { reason },
        schedules: 0,
        elapsed: started.elapsed(),
    };
    if let Some(reason) = bounds::infeasibility(problem) {
        return Ok(infeasible(reason));
    }
    let threads = limits.threads.max(1);
    let total = limits.schedules.unwrap_or(u64::MAX);
    let deadline = limits.time.map(|t| started + t);
    let cancel = limits.cancel.as_deref();
    let run = |thread: usize| {
        let share = total / threads as u64 + u64::from((thread as u64) < total % threads as u64);
        let mut budget = Budget::new(share, deadline, cancel, progress, thread);
        let found = if problem.is_classic() {
            classic::search(problem, limits.seed, thread as u64, &mut budget)
        } else {
            general::search(problem, limits.seed, thread as u64, &mut budget)
        };
        (found, budget.used)
    };
    let results: Vec<(Option<Found>, u64)> = if threads == 1 {
        vec![run(0)]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads).map(|t| s.spawn(move || run(t))).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or((None, 0)))
                .collect()
        })
    };
    let schedules = results.iter().map(|r| r.1).sum();
    // Best: least lateness, then least objective, then lowest thread index.
    let best = results
        .into_iter()
        .filter_map(|r| r.0)
        .min_by_key(|f| (f.lateness, f.objective));
    let mut sol = match best {
        None => infeasible("no schedule fits within the horizon and the capacities".into()),
        Some(f) if f.lateness > 0 => Solution {
            objective: Some(f.objective),
            status: Status::Infeasible {
                reason: general::lateness_reason(problem, &f.schedule),
            },
            schedule: Some(f.schedule),
            lower_bound,
            schedules,
            elapsed: started.elapsed(),
        },
        Some(f) => Solution {
            status: if f.objective <= lower_bound {
                Status::Optimal
            } else {
                Status::Feasible
            },
            objective: Some(f.objective),
            schedule: Some(f.schedule),
            lower_bound,
            schedules,
            elapsed: started.elapsed(),
        },
    };
    sol.schedules = schedules;
    Ok(sol)
}

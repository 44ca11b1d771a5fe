//! Planning jobs: what a job is asked, where it stands, what it found, and the planning
//! itself. A job runs the planner over the whole register on a thread of its own,
//! reports its progress (share of the time budget, best objective so far), stops early
//! when cancelled and keeps its best plan. At most one runs at a time over a register,
//! because the planner uses both cores of the machine: [`Jobs::register`] refuses a second
//! on this process, and the store's planning slot ([`lease`]), which every server of the
//! same store shares, refuses one started on another; the slot of a server killed mid-job
//! is free again after [`STALE_AFTER`]. Finished jobs are kept up to a bound
//! ([`KEEP_FINISHED`] by default): when one more finishes, the one that finished first is
//! forgotten. Their plans, when saved, stay in the store.
//!
//! The server runs the job's thread and its heartbeat, which need its locks.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bonifica_model::Dataset;
use bonifica_planner::{
    Forecast, Limits, ObjectiveKind, Plan, Planner, PlannerConfig, ProgressInfo, Scenario,
};
use bonifica_store::PlanningLease;
use uuid::Uuid;

use crate::AppError;
use crate::plan_view::{restricted_ids, without_restricted};

/// Search threads of a planning job.
const THREADS: usize = 2;

/// Finished jobs kept in memory by default: each holds a whole plan twice (with and
/// without the restricted records) and the register it was made on.
pub const KEEP_FINISHED: usize = 20;

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Running,
    Done,
    Cancelled,
    Failed,
}

impl JobState {
    /// The word on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Cancelled => "cancelled",
            JobState::Failed => "failed",
        }
    }
}

/// What a job was asked to do.
#[derive(Debug, Clone)]
pub struct JobSpec {
    /// `None` for the region as registered (`base`).
    pub scenario: Option<Scenario>,
    pub seconds: u32,
    pub seed: u64,
    pub forecast_samples: u32,
    /// The user who started the job: the audit log names them for the saved plan.
    pub started_by: String,
}

/// A finished plan: as the whole register has it, and without the restricted records.
#[derive(Debug)]
pub struct Outcome {
    pub full: Plan,
    pub full_forecast: Option<Forecast>,
    pub open: Plan,
    pub open_forecast: Option<Forecast>,
    /// The register the plan was made on (after the scenario), for unit organisations.
    pub data: Dataset,
}

/// A job's state at one moment.
#[derive(Debug, Clone)]
pub struct JobStatus {
    pub state: JobState,
    pub elapsed_s: f64,
    pub best_objective: Option<f64>,
    pub iterations: u64,
    pub finished: Option<String>,
    pub error: Option<String>,
    pub outcome: Option<Arc<Outcome>>,
}

/// One planning job.
#[derive(Debug)]
pub struct Job {
    pub id: Uuid,
    pub scenario: String,
    pub seconds: u32,
    /// RFC 3339, UTC.
    pub started: String,
    pub cancel: Arc<AtomicBool>,
    status: Mutex<JobStatus>,
}

impl Job {
    /// A copy of the job's state.
    pub fn status(&self) -> Result<JobStatus, AppError> {
        self.status
            .lock()
            .map(|s| s.clone())
            .map_err(|e| AppError::internal(&e))
    }

    /// Asks the planner to stop and keep its best plan.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Changes the job's state.
    pub fn update(&self, f: impl FnOnce(&mut JobStatus)) {
        if let Ok(mut s) = self.status.lock() {
            f(&mut s);
        }
    }
}

/// The jobs of the process, by id: the running one and the last finished ones.
#[derive(Debug)]
pub struct Jobs {
    jobs: Mutex<HashMap<Uuid, Arc<Job>>>,
    keep_finished: AtomicUsize,
}

impl Default for Jobs {
    fn default() -> Jobs {
        Jobs {
            jobs: Mutex::new(HashMap::new()),
            keep_finished: AtomicUsize::new(KEEP_FINISHED),
        }
    }
}

impl Jobs {
    /// How many finished jobs are kept (at least one).
    pub fn keep_finished(&self) -> usize {
        self.keep_finished.load(Ordering::Relaxed)
    }

    /// Keeps at most `n` finished jobs (at least one), forgetting the oldest at once.
    pub fn set_keep_finished(&self, n: usize) -> Result<(), AppError> {
        self.keep_finished.store(n.max(1), Ordering::Relaxed);
        self.evict()
    }

    /// Forgets the finished jobs beyond the bound, those that finished first.
    pub fn evict(&self) -> Result<(), AppError> {
        let mut jobs = self.jobs.lock().map_err(|e| AppError::internal(&e))?;
        let mut finished = Vec::new();
        for job in jobs.values() {
            let status = job.status()?;
            if let Some(at) = status
                .finished
                .filter(|_| status.state != JobState::Running)
            {
                finished.push((at, job.id));
            }
        }
        let keep = self.keep_finished();
        if finished.len() <= keep {
            return Ok(());
        }
        // RFC 3339 UTC times of one format sort as text.
        finished.sort();
        for (_, id) in &finished[..finished.len() - keep] {
            jobs.remove(id);
        }
        Ok(())
    }

    /// The job with this id.
    pub fn get(&self, id: Uuid) -> Result<Option<Arc<Job>>, AppError> {
        let jobs = self.jobs.lock().map_err(|e| AppError::internal(&e))?;
        Ok(jobs.get(&id).cloned())
    }

    /// Every job, newest first.
    pub fn all(&self) -> Result<Vec<Arc<Job>>, AppError> {
        let jobs = self.jobs.lock().map_err(|e| AppError::internal(&e))?;
        let mut all: Vec<Arc<Job>> = jobs.values().cloned().collect();
        all.sort_by(|a, b| b.started.cmp(&a.started));
        Ok(all)
    }

    /// Forgets a job that never ran (the store's planning slot was taken elsewhere).
    pub fn forget(&self, id: Uuid) -> Result<(), AppError> {
        let mut jobs = self.jobs.lock().map_err(|e| AppError::internal(&e))?;
        jobs.remove(&id);
        Ok(())
    }

    /// Registers a new running job, or a conflict naming the job that is running.
    pub fn register(&self, scenario: &str, seconds: u32) -> Result<Arc<Job>, AppError> {
        let mut jobs = self.jobs.lock().map_err(|e| AppError::internal(&e))?;
        for job in jobs.values() {
            if job.status()?.state == JobState::Running {
                return Err(AppError::conflict(format!(
                    "a plan is already running: {}",
                    job.id
                )));
            }
        }
        let job = Arc::new(Job {
            id: Uuid::new_v4(),
            scenario: scenario.to_string(),
            seconds,
            started: now(),
            cancel: Arc::new(AtomicBool::new(false)),
            status: Mutex::new(JobStatus {
                state: JobState::Running,
                elapsed_s: 0.0,
                best_objective: None,
                iterations: 0,
                finished: None,
                error: None,
                outcome: None,
            }),
        });
        jobs.insert(job.id, job.clone());
        Ok(job)
    }
}

pub use crate::stored_report::now;

/// A time as the store's records write it: UTC, RFC 3339 with milliseconds, as [`now`].
fn stamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// How often a running job tells the store it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(5);

/// A job silent for this long (its server killed) no longer holds the planning slot.
pub const STALE_AFTER: Duration = Duration::from_secs(30);

/// This server process, as the planning slot names it.
pub fn this_server() -> String {
    format!("process {}", std::process::id())
}

/// The store's planning slot as a new job asks for it, and the heartbeat before which a
/// holder is taken to be dead.
pub fn lease(job: &Job, started_by: &str) -> (PlanningLease, String) {
    let lease = PlanningLease {
        job_id: job.id,
        server: this_server(),
        started_by: started_by.to_string(),
        heartbeat_at: now(),
    };
    (lease, stamp(chrono::Utc::now() - STALE_AFTER))
}

/// The conflict a job meets when another holds the store's planning slot.
pub fn slot_taken(holder: &PlanningLease) -> AppError {
    AppError::conflict(format!(
        "a plan is already running: {} (started by {} on {})",
        holder.job_id, holder.started_by, holder.server
    ))
}

/// The job's outcome once planning has ended, the plan saved (`saved` is whether it was)
/// or not: marks the job done, cancelled or failed.
pub fn finish(job: &Job, result: Result<(Outcome, bool), String>) {
    job.update(|s| {
        s.finished = Some(now());
        match result {
            Ok((outcome, cancelled)) => {
                s.state = if cancelled {
                    JobState::Cancelled
                } else {
                    JobState::Done
                };
                s.best_objective = Some(outcome.full.objective_value);
                s.outcome = Some(Arc::new(outcome));
            }
            Err(e) => {
                tracing::warn!(job = %job.id, error = %e, "planning job failed");
                s.state = JobState::Failed;
                s.error = Some(e);
            }
        }
    });
}

/// Plans the region under the job's scenario, from `learned` (the programme's rates, as
/// approved daily progress taught them); errors are for the job's reader.
pub fn plan(
    job: &Job,
    base: &Dataset,
    spec: &JobSpec,
    learned: PlannerConfig,
) -> Result<Outcome, String> {
    let mut config = learned;
    let data = match &spec.scenario {
        None => base.clone(),
        Some(s) => {
            config = s.config(&config);
            bonifica_planner::apply(base, s).map_err(|e| e.to_string())?
        }
    };
    let start = data
        .contracts
        .iter()
        .map(|c| c.window.start())
        .min()
        .ok_or_else(|| "the register has no contracts: nobody to plan for".to_string())?;
    let planner = Planner::new(&data, &config, start).map_err(|e| e.to_string())?;
    let limits = Limits {
        time_budget: Some(Duration::from_secs(u64::from(spec.seconds))),
        max_iterations: None,
        seed: spec.seed,
        threads: THREADS,
        cancel: Some(job.cancel.clone()),
        objective: ObjectiveKind::ServiceRestoration,
        with_baseline: true,
    };
    let progress = |p: &ProgressInfo| {
        job.update(|s| {
            s.elapsed_s = p.elapsed.as_secs_f64();
            s.iterations = p.iterations;
            s.best_objective = Some(p.best_objective);
        });
    };
    let (mut full, figures) = planner.plan(&limits, &progress);
    full.name = job.scenario.clone();
    job.update(|s| {
        s.elapsed_s = figures.total_s;
        s.iterations = figures.iterations;
    });
    let cancelled = job.cancel.load(Ordering::Relaxed);
    // A cancelled job is wanted back soon: it keeps its plan but skips the forecast.
    let full_forecast = (spec.forecast_samples > 0 && !cancelled)
        .then(|| planner.forecast(&full, spec.forecast_samples as usize, spec.seed));
    let restricted: HashSet<Uuid> = restricted_ids(&data);
    let (open, open_forecast) =
        without_restricted(&full, full_forecast.as_ref(), &planner, &restricted);
    Ok(Outcome {
        full,
        full_forecast,
        open,
        open_forecast,
        data,
    })
}

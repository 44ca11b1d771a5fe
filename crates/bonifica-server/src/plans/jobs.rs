//! Planning jobs: each runs the planner on a thread of its own over the whole register,
//! reports its progress (share of the time budget, best objective so far), stops early
//! when cancelled and keeps its best plan, and on success saves the plan in the region
//! file. Jobs live in the memory of the server that runs them; at most one runs at a time
//! over a register, because the planner uses both cores of the machine: a job first takes
//! the store's planning slot, which every server of the same store shares, and renews it
//! while it runs, so a job started twice (on one server or two) runs once, and the slot
//! of a server killed mid-job is free again after [`STALE_AFTER`]. Finished jobs are kept up to a bound ([`KEEP_FINISHED`] by
//! default): when one more finishes, the one that finished first is forgotten. Their
//! plans, when saved, stay in the region file.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use bonifica_model::Dataset;
use bonifica_planner::{
    Forecast, Limits, ObjectiveKind, Plan, Planner, PlannerConfig, ProgressInfo, Scenario,
};
use bonifica_store::PlanningLease;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;
use bonifica_app::plan_view::{restricted_ids, without_restricted};

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
    cancel: Arc<AtomicBool>,
    status: Mutex<JobStatus>,
}

impl Job {
    /// A copy of the job's state.
    pub fn status(&self) -> Result<JobStatus, ApiError> {
        self.status
            .lock()
            .map(|s| s.clone())
            .map_err(|e| ApiError::internal(&e))
    }

    /// Asks the planner to stop and keep its best plan.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    fn update(&self, f: impl FnOnce(&mut JobStatus)) {
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
    pub fn set_keep_finished(&self, n: usize) -> Result<(), ApiError> {
        self.keep_finished.store(n.max(1), Ordering::Relaxed);
        self.evict()
    }

    /// Forgets the finished jobs beyond the bound, those that finished first.
    fn evict(&self) -> Result<(), ApiError> {
        let mut jobs = self.jobs.lock().map_err(|e| ApiError::internal(&e))?;
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
    pub fn get(&self, id: Uuid) -> Result<Option<Arc<Job>>, ApiError> {
        let jobs = self.jobs.lock().map_err(|e| ApiError::internal(&e))?;
        Ok(jobs.get(&id).cloned())
    }

    /// Every job, newest first.
    pub fn all(&self) -> Result<Vec<Arc<Job>>, ApiError> {
        let jobs = self.jobs.lock().map_err(|e| ApiError::internal(&e))?;
        let mut all: Vec<Arc<Job>> = jobs.values().cloned().collect();
        all.sort_by(|a, b| b.started.cmp(&a.started));
        Ok(all)
    }

    /// Forgets a job that never ran (the store's planning slot was taken elsewhere).
    fn forget(&self, id: Uuid) -> Result<(), ApiError> {
        let mut jobs = self.jobs.lock().map_err(|e| ApiError::internal(&e))?;
        jobs.remove(&id);
        Ok(())
    }

    /// Registers a new running job, or `Err(409)` naming the job that is running.
    fn register(&self, scenario: &str, seconds: u32) -> Result<Arc<Job>, ApiError> {
        let mut jobs = self.jobs.lock().map_err(|e| ApiError::internal(&e))?;
        for job in jobs.values() {
            if job.status()?.state == JobState::Running {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    format!("a plan is already running: {}", job.id),
                ));
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

/// The time now as the API writes it.
pub fn now() -> String {
    stamp(chrono::Utc::now())
}

fn stamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// How often a running job tells the store it is alive.
const HEARTBEAT: Duration = Duration::from_secs(5);

/// A job silent for this long (its server killed) no longer holds the planning slot.
const STALE_AFTER: Duration = Duration::from_secs(30);

/// This server process, as the planning slot names it.
fn this_server() -> String {
    format!("process {}", std::process::id())
}

/// Starts a planning job over the register as it is now; returns at once. A job is
/// refused (`409`) while another runs, on this server or on any other server of the same
/// store: the store's planning slot is taken first.
pub async fn start(state: &AppState, spec: JobSpec) -> Result<Arc<Job>, ApiError> {
    let name = spec
        .scenario
        .as_ref()
        .map_or("base", |s| s.name.as_str())
        .to_string();
    let data = state.read(|m| m.data.clone())?;
    let job = state.jobs().register(&name, spec.seconds)?;
    let lease = PlanningLease {
        job_id: job.id,
        server: this_server(),
        started_by: spec.started_by.clone(),
        heartbeat_at: now(),
    };
    let stale_before = stamp(chrono::Utc::now() - STALE_AFTER);
    let held = state
        .with_store(move |store| Ok(store.take_planning_slot(&lease, &stale_before)?))
        .await;
    match held {
        Ok(None) => {}
        Ok(Some(holder)) => {
            state.jobs().forget(job.id)?;
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!(
                    "a plan is already running: {} (started by {} on {})",
                    holder.job_id, holder.started_by, holder.server
                ),
            ));
        }
        Err(e) => {
            state.jobs().forget(job.id)?;
            return Err(e);
        }
    }
    let (thread_job, thread_state) = (job.clone(), state.clone());
    let spawned = std::thread::Builder::new()
        .name(format!("plan-{}", job.id))
        .spawn(move || run(&thread_state, &thread_job, &data, &spec));
    if let Err(e) = spawned {
        job.update(|s| {
            s.state = JobState::Failed;
            s.error = Some(format!("the planning thread did not start: {e}"));
            s.finished = Some(now());
        });
    }
    Ok(job)
}

/// The job's thread: plans, forecasts, saves and records the outcome, then frees the
/// planning slot. Another thread renews the slot while it runs.
fn run(state: &AppState, job: &Arc<Job>, base: &Dataset, spec: &JobSpec) {
    let (beat_state, beat_job) = (state.clone(), job.clone());
    let beating = std::thread::Builder::new()
        .name(format!("plan-heartbeat-{}", job.id))
        .spawn(move || heartbeat(&beat_state, &beat_job));
    if let Err(e) = beating {
        tracing::warn!(job = %job.id, error = %e, "the planning heartbeat did not start");
    }
    work(state, job, base, spec);
}

/// Frees the planning slot: before the job is marked finished, so a start that sees the
/// job finished never finds the slot still taken.
fn free_slot(state: &AppState, job: &Job) {
    if let Err(e) = state.with_store_here(|store| Ok(store.free_planning_slot(job.id)?)) {
        tracing::warn!(job = %job.id, error = %e.detail, "freeing the planning slot failed");
    }
}

/// Renews the job's hold on the planning slot until it finishes.
fn heartbeat(state: &AppState, job: &Job) {
    loop {
        std::thread::sleep(HEARTBEAT);
        match job.status() {
            Ok(s) if s.state == JobState::Running => {}
            _ => return,
        }
        if let Err(e) =
            state.with_store_here(|store| Ok(store.renew_planning_slot(job.id, &now())?))
        {
            tracing::warn!(job = %job.id, error = %e.detail, "renewing the planning slot failed");
        }
    }
}

fn work(state: &AppState, job: &Job, base: &Dataset, spec: &JobSpec) {
    let mut saved = false;
    // Re-planning starts from the approved state (the register as it is) and the rates
    // approved daily progress taught.
    let programme = PlannerConfig::clone(&state.programme());
    let learned = crate::progress::learned_config(state, programme.clone()).unwrap_or_else(|e| {
        tracing::warn!(error = %e.detail, "learning productivity failed; configured rates used");
        programme
    });
    let result = plan(job, base, spec, learned).and_then(|outcome| {
        let cancelled = job.cancel.load(Ordering::Relaxed);
        if !cancelled {
            state
                .with_store_here(|store| {
                    store
                        .save_plan(
                            &outcome.data,
                            &outcome.full,
                            outcome.full_forecast.as_ref(),
                            &now(),
                            &spec.started_by,
                        )
                        .map_err(ApiError::from)
                })
                .map_err(|e| format!("saving plan {}: {}", outcome.full.name, e.detail))?;
            saved = true;
        }
        Ok((outcome, cancelled))
    });
    free_slot(state, job);
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
    if let Err(e) = state.jobs().evict() {
        tracing::warn!(error = %e.detail, "forgetting old planning jobs failed");
    }
    // A saved plan moves the teams and crews on the map.
    if saved {
        state.maps_changed();
    }
}

/// Plans the region under the job's scenario; errors are for the job's reader.
fn plan(
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

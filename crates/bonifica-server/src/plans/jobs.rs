//! Running planning jobs ([`bonifica_app::planning`]) on this server: a job's thread,
//! the heartbeat that renews its hold on the store's planning slot, and saving its plan,
//! all of which need the server's locks.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use bonifica_app::planning::{self, HEARTBEAT, Job, JobSpec, JobState, now};
use bonifica_model::Dataset;
use bonifica_planner::PlannerConfig;

use crate::error::ApiError;
use crate::state::AppState;

/// Starts a planning job over the register as it is now; returns at once. A job is
/// refused (a conflict) while another runs, on this server or on any other server of the same
/// store: the store's planning slot is taken first.
pub async fn start(state: &AppState, spec: JobSpec) -> Result<Arc<Job>, ApiError> {
    let name = spec
        .scenario
        .as_ref()
        .map_or("base", |s| s.name.as_str())
        .to_string();
    let data = state.read(|m| m.data.clone())?;
    let job = state.jobs().register(&name, spec.seconds)?;
    let (lease, stale_before) = planning::lease(&job, &spec.started_by);
    let held = state
        .with_store(move |store| Ok(store.take_planning_slot(&lease, &stale_before)?))
        .await;
    match held {
        Ok(None) => {}
        Ok(Some(holder)) => {
            state.jobs().forget(job.id)?;
            return Err(planning::slot_taken(&holder).into());
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
    let result = planning::plan(job, base, spec, learned).and_then(|outcome| {
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
    planning::finish(job, result);
    if let Err(e) = state.jobs().evict() {
        tracing::warn!(error = %e, "forgetting old planning jobs failed");
    }
    // A saved plan moves the teams and crews on the map.
    if saved {
        state.maps_changed();
    }
}

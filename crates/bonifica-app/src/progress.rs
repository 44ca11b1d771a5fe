//! What the field reports say against the plan: planned against actual per team and hazard
//! area, and productivity learned from approved daily progress, which the next plan and its
//! forecast use. An actor sees the work of the hazard areas they may see, and a team
//! leader or an operations manager that of their own team or organisation.

use std::collections::{HashMap, HashSet};

use bonifica_model::{Dataset, Date, ReportBody};
use bonifica_planner::actual::{
    ActualWork, LearnedRates, PlanVsActual, PlannedRelease, PlannedWork, learn_productivity,
    plan_vs_actual,
};
use bonifica_planner::{Plan, PlannerConfig};
use bonifica_store::{Backend, ReportQuery, ReportRow, StoredPlan};
use uuid::Uuid;

use crate::access::visible;
use crate::stored_report::read_body;
use crate::{Actor, AppError, Model, Role};

/// The name of the plan made on the register as it is, without a scenario.
pub const BASE_PLAN: &str = "base";

/// A stored report read as daily progress; `None` for other kinds.
fn daily_progress(row: &ReportRow) -> Option<ActualWork> {
    match read_body(&row.kind, &row.body)? {
        ReportBody::DailyProgress(d) => Some(ActualWork {
            unit_id: d.team_id,
            hazard_area_id: d.hazard_area_id,
            date: d.date,
            cancelled_m2: d.cancelled_m2,
            reduced_m2: d.reduced_m2,
            cleared_m2: d.cleared_m2,
            hours: d.hours,
        }),
        _ => None,
    }
}

/// Approved daily progress, all of it (restricted included: the functions below keep what
/// an actor may see).
pub fn approved_work(store: &dyn Backend) -> Result<Vec<ActualWork>, AppError> {
    let rows = store.reports(&ReportQuery {
        state: Some("approved".into()),
        kind: Some("daily_progress".into()),
        include_restricted: true,
        ..ReportQuery::default()
    })?;
    Ok(rows.iter().filter_map(daily_progress).collect())
}

/// The hazard areas and units whose work the actor may see (`None`: every unit).
fn scope(actor: &Actor, model: &Model) -> (HashSet<Uuid>, Option<HashSet<Uuid>>) {
    let data = &model.data;
    let areas = data
        .hazard_areas
        .iter()
        .filter(|a| visible(actor, model, *a))
        .map(|a| a.id)
        .collect();
    let units = match actor.role {
        Role::TeamLeader => Some(actor.team_id.into_iter().collect()),
        Role::OperationsManager => Some(
            data.teams
                .iter()
                .filter(|t| Some(t.organisation_id) == actor.organisation_id)
                .map(|t| t.id)
                .chain(
                    data.crews
                        .iter()
                        .filter(|c| Some(c.organisation_id) == actor.organisation_id)
                        .map(|c| c.id),
                )
                .collect(),
        ),
        _ => None,
    };
    (areas, units)
}

/// Of the stored plans, the one the field's work is held against and the map places teams
/// and crews by: the base plan, else (no base plan stored) the newest.
pub fn followed(stored: Vec<StoredPlan>) -> Option<StoredPlan> {
    let newest = |a: &StoredPlan, b: &StoredPlan| a.created.cmp(&b.created);
    let (base, others): (Vec<StoredPlan>, Vec<StoredPlan>) =
        stored.into_iter().partition(|p| p.name == BASE_PLAN);
    base.into_iter()
        .max_by(newest)
        .or_else(|| others.into_iter().max_by(newest))
}

/// The stored plan to hold the field's work against: the one named, else the
/// [`followed`] one.
pub fn plan_to_follow(
    store: &dyn Backend,
    wanted: Option<String>,
) -> Result<(String, Plan), AppError> {
    let name = match wanted {
        Some(n) => n,
        None => {
            followed(store.plans()?)
                .ok_or_else(|| AppError::not_found("stored plan"))?
                .name
        }
    };
    let plan = store
        .plan(&name)?
        .ok_or_else(|| AppError::not_found("stored plan"))?;
    Ok((name, plan))
}

/// The demining work and release dates of a stored plan.
fn planned_of(plan: &Plan) -> (Vec<PlannedWork>, Vec<PlannedRelease>) {
    let work = plan
        .items
        .iter()
        .filter(|i| i.subject.record == "hazard_area")
        .map(|i| PlannedWork {
            unit_id: i.unit_id,
            unit_code: i.unit_code.to_string(),
            hazard_area_id: i.subject.id,
            start: i.start,
            end: i.end + chrono::Duration::days(1),
            m2: i.work,
        })
        .collect();
    let releases = plan
        .hazards
        .iter()
        .map(|h| PlannedRelease {
            hazard_area_id: h.id,
            release_date: h.release_date,
        })
        .collect();
    (work, releases)
}

/// Planned against actual as of a date, per team and per hazard area the actor may see,
/// from a stored plan and the approved daily progress (`actual`).
pub fn against_plan(
    model: &Model,
    actor: &Actor,
    plan: &Plan,
    mut actual: Vec<ActualWork>,
    as_of: Date,
) -> PlanVsActual {
    let (mut work, mut releases) = planned_of(plan);
    let data = &model.data;
    let (areas, units) = scope(actor, model);
    let in_scope = |area: &Uuid, unit: &Uuid| {
        areas.contains(area) && units.as_ref().is_none_or(|u| u.contains(unit))
    };
    work.retain(|w| in_scope(&w.hazard_area_id, &w.unit_id));
    actual.retain(|w| in_scope(&w.hazard_area_id, &w.unit_id));
    let worked: HashSet<Uuid> = work
        .iter()
        .map(|w| w.hazard_area_id)
        .chain(actual.iter().map(|w| w.hazard_area_id))
        .collect();
    releases.retain(|r| worked.contains(&r.hazard_area_id));
    let closed_on: HashMap<Uuid, Date> = data
        .hazard_areas
        .iter()
        .filter(|a| a.status().is_released() && areas.contains(&a.id))
        .map(|a| (a.id, a.as_of))
        .collect();
    plan_vs_actual(data, &work, &releases, &actual, &closed_on, as_of)
}

/// The productivity learned from the approved daily progress of the hazard areas the actor
/// may see, against the programme's rates.
pub fn productivity(
    model: &Model,
    actor: &Actor,
    programme: &PlannerConfig,
    mut actual: Vec<ActualWork>,
) -> LearnedRates {
    let (areas, _) = scope(actor, model);
    actual.retain(|w| areas.contains(&w.hazard_area_id));
    learn_productivity(programme, &model.data, &actual)
}

/// The rates a new plan uses: `config` with what all approved daily progress taught
/// (unchanged while no report carries a rate).
pub fn learned_config(
    data: &Dataset,
    config: PlannerConfig,
    actual: &[ActualWork],
) -> PlannerConfig {
    if actual.is_empty() {
        return config;
    }
    let learned = learn_productivity(&config, data, actual);
    tracing::info!(
        reports = learned.reports_used,
        ratio = learned.overall_ratio,
        "planning with productivity learned from approved reports"
    );
    PlannerConfig {
        productivity: learned.productivity,
        ..config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(name: &str, created: &str) -> StoredPlan {
        StoredPlan {
            id: Uuid::new_v4(),
            name: name.to_string(),
            created: created.to_string(),
            start_date: Date::from_ymd_opt(2026, 3, 1).expect("a date"),
            objective: 1.0,
            baseline_objective: None,
            programme_end: None,
            programme_p50: None,
            programme_p90: None,
        }
    }

    #[test]
    fn the_field_follows_the_base_plan_not_the_newest_what_if() {
        let plans = vec![
            stored("base", "2026-12-01T08:00:00.000Z"),
            stored("twice-deminers", "2026-12-03T08:00:00.000Z"),
        ];
        assert_eq!(followed(plans).map(|p| p.name).as_deref(), Some("base"));
        let what_ifs = vec![
            stored("dry-season", "2026-12-01T08:00:00.000Z"),
            stored("twice-deminers", "2026-12-03T08:00:00.000Z"),
        ];
        assert_eq!(
            followed(what_ifs).map(|p| p.name).as_deref(),
            Some("twice-deminers")
        );
        assert!(followed(Vec::new()).is_none());
    }
}

//! What the field reports say against the plan: `/api/plan-vs-actual` per team and hazard
//! area, `/api/productivity` (rates learned from approved daily progress, which the next
//! plan and its forecast use), and `/api/audit`, the hash-chained audit log.
//!
//! The audit log holds whole records before and after each change, restricted ones too.
//! A reader who may not see restricted records gets the log without every entry that
//! concerns one ([`Withheld`]): pages still hold the number of entries asked for, and the
//! chain, its total and its anchor stay those of the whole log.

use std::collections::{HashMap, HashSet};

use crate::wire::Query;
use axum::Json;
use axum::extract::State;
use bonifica_model::{Dataset, Date, ReportBody};
use bonifica_planner::actual::{
    ActualWork, LearnedRates, PlanVsActual, PlannedRelease, PlannedWork, learn_productivity,
    plan_vs_actual,
};
use bonifica_planner::{Plan, PlannerConfig};
use bonifica_store::{AuditEntry, ReportQuery, ReportRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Caller, Role};
use crate::error::ApiError;
use crate::state::AppState;
use bonifica_app::access::visible;

/// Reads a stored report body as daily progress; `None` for other kinds.
fn daily_progress(row: &ReportRow) -> Option<ActualWork> {
    if row.kind != "daily_progress" {
        return None;
    }
    let body: ReportBody = serde_json::from_str(&row.body).ok().or_else(|| {
        let mut v: serde_json::Value = serde_json::from_str(&row.body).ok()?;
        v.as_object_mut()?
            .insert("kind".into(), serde_json::Value::from("daily_progress"));
        serde_json::from_value(v).ok()
    })?;
    match body {
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

fn approved_query() -> ReportQuery {
    ReportQuery {
        state: Some("approved".into()),
        kind: Some("daily_progress".into()),
        include_restricted: true,
        ..ReportQuery::default()
    }
}

/// Approved daily progress, all of it (restricted included: callers filter).
async fn approved_work(state: &AppState) -> Result<Vec<ActualWork>, ApiError> {
    let rows = state
        .with_store(|store| Ok(store.reports(&approved_query())?))
        .await?;
    Ok(rows.iter().filter_map(daily_progress).collect())
}

/// The hazard areas and units whose work the caller may see.
fn scope(
    caller: &Caller,
    data: &Dataset,
    model: &bonifica_app::Model,
) -> (HashSet<Uuid>, Option<HashSet<Uuid>>) {
    let areas = data
        .hazard_areas
        .iter()
        .filter(|a| visible(caller, model, *a))
        .map(|a| a.id)
        .collect();
    let units = match caller.role {
        Role::TeamLeader => Some(caller.team_id.into_iter().collect()),
        Role::OperationsManager => Some(
            data.teams
                .iter()
                .filter(|t| Some(t.organisation_id) == caller.organisation_id)
                .map(|t| t.id)
                .chain(
                    data.crews
                        .iter()
                        .filter(|c| Some(c.organisation_id) == caller.organisation_id)
                        .map(|c| c.id),
                )
                .collect(),
        ),
        _ => None,
    };
    (areas, units)
}

/// Query of `/api/plan-vs-actual`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PlanVsActualParams {
    /// The stored plan (its name, such as `base`); the latest stored plan when absent.
    pub plan: Option<String>,
    /// The day to compare at (default today).
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<Date>,
}

/// Planned against actual, per team and per hazard area.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanVsActualOut {
    /// The plan compared with.
    pub plan: String,
    /// Everything else as [`bonifica_planner::actual::PlanVsActual`]: `as_of`, totals,
    /// `units` and `hazard_areas`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub figures: PlanVsActual,
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

/// Planned against actual per team and per hazard area, from a stored plan and the approved
/// daily progress reports.
#[utoipa::path(get, path = "/api/plan-vs-actual", tag = "reports", params(PlanVsActualParams),
    responses((status = 200, description = "Planned against actual", body = PlanVsActualOut),
              (status = 404, description = "No such stored plan", body = crate::error::Problem)))]
pub async fn plan_vs_actual_get(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<PlanVsActualParams>,
) -> Result<Json<PlanVsActualOut>, ApiError> {
    let wanted = params.plan.clone();
    let (name, plan) = state
        .with_store(move |store| {
            let name = match wanted {
                Some(n) => n,
                None => store
                    .plans()?
                    .into_iter()
                    .max_by(|a, b| a.created.cmp(&b.created))
                    .map(|p| p.name)
                    .ok_or_else(|| ApiError::not_found("stored plan"))?,
            };
            let plan = store
                .plan(&name)?
                .ok_or_else(|| ApiError::not_found("stored plan"))?;
            Ok((name, plan))
        })
        .await?;
    let (mut work, mut releases) = planned_of(&plan);
    let mut actual = approved_work(&state).await?;
    let as_of = params
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let figures = state.read(|model| {
        let data = &model.data;
        let (areas, units) = scope(&caller, data, model);
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
    })?;
    Ok(Json(PlanVsActualOut {
        plan: name,
        figures,
    }))
}

/// Productivity learned from approved daily progress reports.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductivityOut {
    /// `reports_used`, `overall_ratio`, effects `by_method`, `by_terrain`,
    /// `by_contamination` (reports and factor each), and `productivity`: the configured
    /// rates with the learned effects applied, as the planner takes them.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub learned: LearnedRates,
}

/// The productivity rates learned from approved daily progress, against the configured
/// ones. Plans started through the API use them.
#[utoipa::path(get, path = "/api/productivity", tag = "reports",
    responses((status = 200, description = "Learned rates", body = ProductivityOut)))]
pub async fn productivity_get(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ProductivityOut>, ApiError> {
    let mut actual = approved_work(&state).await?;
    let programme = state.programme();
    let learned = state.read(|model| {
        let (areas, _) = scope(&caller, &model.data, model);
        actual.retain(|w| areas.contains(&w.hazard_area_id));
        learn_productivity(&programme, &model.data, &actual)
    })?;
    Ok(Json(ProductivityOut { learned }))
}

/// The rates a new plan should use: `config` with what approved daily progress taught
/// (unchanged while no report carries a rate). For a planning thread: blocks on the store.
pub fn learned_config(state: &AppState, config: PlannerConfig) -> Result<PlannerConfig, ApiError> {
    let rows = state.with_store_here(|store| Ok(store.reports(&approved_query())?))?;
    let actual: Vec<ActualWork> = rows.iter().filter_map(daily_progress).collect();
    if actual.is_empty() {
        return Ok(config);
    }
    let learned = state.read(|model| learn_productivity(&config, &model.data, &actual))?;
    tracing::info!(
        reports = learned.reports_used,
        ratio = learned.overall_ratio,
        "planning with productivity learned from approved reports"
    );
    Ok(PlannerConfig {
        productivity: learned.productivity,
        ..config
    })
}

/// A query parameter that is wrong: 400, like every list's (docs/api.md, Errors).
fn bad_query(field: &str, problem: impl Into<String>) -> ApiError {
    ApiError::field_status(axum::http::StatusCode::BAD_REQUEST, field, problem)
}

/// Query of `/api/audit`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Entries after this sequence number (default 0: from the first).
    pub after: Option<u64>,
    /// At most this many entries, 1 to 1000 (default 100).
    pub limit: Option<usize>,
    /// The newest this many entries, 1 to 1000, oldest of them first: the log's last page
    /// in one call (instead of `after` and `limit`).
    pub last: Option<usize>,
    /// `SEQ:HASH`, an anchor an earlier answer gave: the log must still hold that entry
    /// with that hash (409 when it does not).
    pub anchor: Option<String>,
}

/// One audit log entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryOut {
    pub seq: u64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub hash: String,
}

/// A page of the audit log and whether its chain holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditOut {
    pub entries: Vec<AuditEntryOut>,
    /// Entries in the whole log.
    pub total: u64,
    /// The hash at the head of the chain.
    pub head: String,
    /// `SEQ:HASH` of the head: keep it outside Bonifica and pass it back as `anchor`
    /// (or to `bonifica audit verify --anchor`) to show the log was not rewritten since.
    pub anchor: String,
}

/// The audit log: who changed what and when, before and after, hash-chained. For the
/// coordinator and the defence liaison; the chain is verified on every call.
#[utoipa::path(get, path = "/api/audit", tag = "reports", params(AuditParams),
    responses((status = 200, description = "Audit entries", body = AuditOut),
              (status = 403, description = "Not for this role", body = crate::error::Problem),
              (status = 409, description = "The chain does not hold", body = crate::error::Problem)))]
pub async fn audit_get(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<AuditParams>,
) -> Result<Json<AuditOut>, ApiError> {
    if !matches!(caller.role, Role::Coordinator | Role::DefenceLiaison) {
        return Err(ApiError::forbidden(
            "the audit log is for the coordinator and the defence liaison",
        ));
    }
    let limit = params.limit.or(params.last).unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        let field = if params.limit.is_some() {
            "limit"
        } else {
            "last"
        };
        return Err(bad_query(field, "must be 1 to 1000"));
    }
    if params.last.is_some() && (params.after.is_some() || params.limit.is_some()) {
        return Err(bad_query(
            "last",
            "gives the newest entries; it goes without after and limit",
        ));
    }
    let last = params.last;
    let after = params.after.unwrap_or(0);
    let anchors = params
        .anchor
        .as_deref()
        .map(str::parse::<bonifica_store::AuditAnchor>)
        .transpose()
        .map_err(|e| bad_query("anchor", e))?
        .into_iter()
        .collect::<Vec<_>>();
    let withheld = if caller.role.sees_restricted() {
        None
    } else {
        Some(state.read(Withheld::from_model)?)
    };
    let (check, rows) = state
        .with_store(move |store| {
            let check = store.verify_audit_anchored(&anchors).map_err(|e| {
                ApiError::field_status(axum::http::StatusCode::CONFLICT, "audit_log", e.to_string())
            })?;
            let rows = match withheld {
                None => {
                    let after = last.map_or(after, |n| check.entries.saturating_sub(n as u64));
                    store.audit_entries(after, limit)?
                }
                Some(mut withheld) => {
                    withheld.add_reports(store)?;
                    let keep = &mut |e: &AuditEntry| !withheld.concerns(e);
                    let mut rows = match last {
                        Some(n) => store.audit_last_kept(n, keep)?,
                        None => store.audit_entries_kept(after, limit, keep)?,
                    };
                    rows.iter_mut().for_each(without_restricted_counts);
                    rows
                }
            };
            Ok((check, rows))
        })
        .await?;
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(Json(AuditOut {
        entries: rows
            .into_iter()
            .map(|e| AuditEntryOut {
                seq: e.seq,
                at: e.at,
                actor: e.actor,
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id,
                before: json(e.before),
                after: json(e.after),
                hash: e.hash,
            })
            .collect(),
        total: check.entries,
        anchor: format!("{}:{}", check.entries, check.head),
        head: check.head,
    }))
}

/// What a reader without the restricted right may not learn from the audit log: the ids
/// and codes of every restricted record (hazard areas, assets, military structures
/// included, and the reports on them).
#[derive(Debug, Default)]
pub struct Withheld {
    names: HashSet<String>,
}

/// The tables of a bulk import's counts that may hold restricted records.
const TABLES_WITH_RESTRICTED: [&str; 5] = [
    "hazard_areas",
    "hazard_area_versions",
    "assets",
    "asset_dependencies",
    "asset_repair_work",
];

impl Withheld {
    /// The restricted hazard areas and assets of the register.
    fn from_model(model: &bonifica_app::Model) -> Withheld {
        let areas = model
            .data
            .hazard_areas
            .iter()
            .filter(|a| bonifica_app::access::Scoped::restricted(*a))
            .map(|a| (a.id, a.code.as_str()));
        let assets = model
            .data
            .assets
            .iter()
            .filter(|a| bonifica_app::access::Scoped::restricted(*a))
            .map(|a| (a.id, a.code.as_str()));
        let names = areas
            .chain(assets)
            .flat_map(|(id, code)| [id.to_string(), code.to_string()])
            .collect();
        Withheld { names }
    }

    /// Adds the reports on restricted land, by id and code.
    fn add_reports(&mut self, store: &dyn bonifica_store::Backend) -> Result<(), ApiError> {
        let restricted = store.reports(&ReportQuery {
            include_restricted: true,
            only_restricted: true,
            ..ReportQuery::default()
        })?;
        for r in restricted {
            self.names.insert(r.id.to_string());
            if let Some(code) = crate::reports::wire::stored_code(&r.body) {
                self.names.insert(code);
            }
        }
        Ok(())
    }

    /// Whether the entry concerns a restricted record: its entity is one; its before or
    /// after is restricted or a military structure (a record since deleted or made
    /// visible); or its text names a restricted record anywhere (a report or released
    /// land on a restricted area, and whatever else may come to name one).
    pub fn concerns(&self, e: &AuditEntry) -> bool {
        let images = [e.before.as_deref(), e.after.as_deref()];
        if images.into_iter().flatten().any(is_restricted_image) {
            return true;
        }
        [
            Some(e.entity_id.as_str()),
            e.before.as_deref(),
            e.after.as_deref(),
        ]
        .into_iter()
        .flatten()
        .any(|text| self.named_in(text))
    }

    /// Whether `text` holds the id or code of a restricted record as a whole word.
    fn named_in(&self, text: &str) -> bool {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .any(|word| word.len() >= 4 && self.names.contains(word))
    }
}

/// Whether a record image of the log is a restricted record: `"restricted": true` or an
/// asset of kind `military_structure`.
fn is_restricted_image(text: &str) -> bool {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        // Not JSON: only the names in it can tell.
        return false;
    };
    value["restricted"] == true || value["kind"] == "military_structure"
}

/// A bulk import's entry keeps only the counts of tables that hold no restricted records;
/// the others are listed as `withheld`.
fn without_restricted_counts(e: &mut AuditEntry) {
    if e.entity != "dataset" {
        return;
    }
    let Some(mut after) = e
        .after
        .as_deref()
        .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
    else {
        e.after = None;
        return;
    };
    if let Some(added) = after["added"].as_object_mut() {
        let withheld: Vec<&str> = TABLES_WITH_RESTRICTED
            .into_iter()
            .filter(|t| added.remove(*t).is_some())
            .collect();
        after["withheld"] = serde_json::Value::from(withheld);
    } else {
        after = serde_json::Value::Null;
    }
    e.after = Some(after.to_string());
}

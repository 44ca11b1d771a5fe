//! The plan as it goes on the wire: a job's state and, once it has one, its plan with
//! dated tasks for the Gantt chart, release and restoration dates, indicators and the
//! P50/P90 forecast. These types are a promise to clients and are kept apart from the
//! planner's own: [`PlanOut::new`] copies a (filtered) planner plan into them.

use std::collections::{BTreeMap, HashMap};

use bonifica_model::{Dataset, Date};
use bonifica_planner::plan::{Indicators, Month};
use bonifica_planner::units::UnitKind;
use bonifica_planner::work::ItemKind;
use bonifica_planner::{Comparison, Forecast, ObjectiveKind, Plan, RecordForecast};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// What `POST /api/plans` takes. Every field is optional.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanIn {
    /// `base` (the default), the name of a scenario file (`GET /api/scenarios`), or a
    /// scenario written out.
    pub scenario: Option<ScenarioIn>,
    /// Improvement time after the first feasible plan, 1 to 300 seconds (default 30).
    pub seconds: Option<u32>,
    /// The seed of the search and of the forecast (default 1).
    pub seed: Option<u64>,
    /// Monte Carlo samples of the P50/P90 forecast, 0 (none) to 500 (default 50).
    pub forecast_samples: Option<u32>,
}

/// A scenario by name, or written out.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ScenarioIn {
    /// `base` or the name of a scenario file.
    Name(String),
    /// A scenario written out.
    Inline(ScenarioOut),
}

/// A scenario: a named variation of the region.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioOut {
    pub name: String,
    /// Multiplier on the number of demining teams (default 1).
    #[serde(default = "one")]
    pub deminers_factor: f64,
    /// Multiplier on the number of reconstruction crews (default 1).
    #[serde(default = "one")]
    pub workers_factor: f64,
    /// Days added to the end of every contract (default 0).
    #[serde(default)]
    pub contract_extension_days: i64,
    /// Weight multipliers by asset kind word (`bridge`) or asset code (`AS-0042`).
    #[serde(default)]
    pub priority: BTreeMap<String, f64>,
}

fn one() -> f64 {
    1.0
}

/// A planning job's state, and its plan once it has one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanJobOut {
    pub id: Uuid,
    /// The scenario's name.
    pub scenario: String,
    /// running, done, cancelled or failed.
    pub state: String,
    /// Share of the time budget spent, 0 to 1.
    pub progress: f64,
    /// The best objective found so far (lower is better).
    pub best_objective: Option<f64>,
    /// Improvement rounds so far.
    pub iterations: u64,
    /// RFC 3339, UTC.
    pub started: String,
    pub finished: Option<String>,
    /// Why the job failed.
    pub error: Option<String>,
    /// True for a plan read back from the region file rather than a job of this server
    /// (`id` is then the stored plan's, `started` and `finished` when it was saved).
    pub stored: bool,
    /// The plan: the final one when done, the best so far when cancelled.
    pub result: Option<PlanOut>,
}

/// Every job and every plan stored in the region file.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanListOut {
    /// Jobs of this server process, newest first, without their plans.
    pub jobs: Vec<PlanJobOut>,
    /// Plans saved in the region file, one per scenario name.
    pub stored: Vec<StoredPlanOut>,
    /// The id of the stored plan the field follows: the base plan, else the newest stored
    /// plan. Plan against actual and the map's team positions use it; the web app shows it
    /// when no other plan was chosen.
    pub followed: Option<Uuid>,
}

/// A plan saved in the region file.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoredPlanOut {
    pub id: Uuid,
    /// The scenario's name.
    pub name: String,
    pub created: String,
    #[schema(value_type = String, format = Date)]
    pub start_date: Date,
    pub objective: f64,
    pub baseline_objective: Option<f64>,
    #[schema(value_type = Option<String>, format = Date)]
    pub programme_end: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub programme_p50: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub programme_p90: Option<Date>,
}

/// A plan as a role may read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanOut {
    /// The scenario's name.
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub start_date: Date,
    /// What was minimised: service_restoration or makespan.
    pub objective: String,
    /// The objective's value (lower is better).
    pub objective_value: f64,
    /// The greedy baseline's value on the same objective.
    pub baseline_objective: Option<f64>,
    /// The day deferred records count as done in the objective.
    #[schema(value_type = String, format = Date)]
    pub penalty_date: Date,
    /// Every placed task, by unit and date: the bars of the Gantt chart.
    pub items: Vec<TaskOut>,
    pub itineraries: Vec<ItineraryOut>,
    pub hazards: Vec<HazardReleaseOut>,
    pub assets: Vec<AssetRestorationOut>,
    pub deferred: Vec<DeferredOut>,
    pub indicators: IndicatorsOut,
    pub forecast: Option<ForecastOut>,
}

/// The kind of a task: `{type: nts|ts|clearance|repair, trade?}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskKindOut {
    #[serde(rename = "type")]
    pub kind: String,
    /// The repair trade.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trade: Option<String>,
}

/// The record a task is about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectOut {
    /// hazard_area or asset.
    pub record: String,
    pub id: Uuid,
    pub code: String,
}

/// One placed task.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskOut {
    pub kind: TaskKindOut,
    pub subject: SubjectOut,
    /// nts, ts, clearance or repair.
    pub task: String,
    /// The code of the hazard area or asset worked on.
    pub code: String,
    pub unit_id: Uuid,
    pub unit_code: String,
    /// The team's method or the crew's trade.
    pub unit_kind: String,
    /// The code of the unit's organisation.
    pub organisation: Option<String>,
    /// First working day.
    #[schema(value_type = String, format = Date)]
    pub start: Date,
    /// Last working day (inclusive).
    #[schema(value_type = String, format = Date)]
    pub end: Date,
    /// Day offsets from the plan's start: first day, and the day after the last.
    pub start_day: i64,
    pub finish_day: i64,
    pub travel_days: i64,
    /// Square metres (release work) or person-days (repair).
    pub work: f64,
}

/// A unit's kind: `{type: team|crew, value: method or trade}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitKindOut {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// A team's or crew's dated itinerary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItineraryOut {
    pub unit_id: Uuid,
    pub unit_code: String,
    pub kind: UnitKindOut,
    pub organisation: Option<String>,
    /// Indices into `items`, by start date.
    pub items: Vec<usize>,
    pub busy_days: i64,
    pub available_days: i64,
}

/// When a hazard area is planned to be released.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HazardReleaseOut {
    pub id: Uuid,
    pub code: String,
    /// `null` when deferred past the contracts.
    #[schema(value_type = Option<String>, format = Date)]
    pub release_date: Option<Date>,
    pub people_nearby: u64,
}

/// When an asset is planned to be back in service.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssetRestorationOut {
    pub id: Uuid,
    pub code: String,
    pub kind: String,
    /// `null` when deferred past the contracts.
    #[schema(value_type = Option<String>, format = Date)]
    pub restoration_date: Option<Date>,
    pub weight: f64,
    /// Codes of the hazard areas that gate its repair.
    pub blocking: Vec<String>,
}

/// Work that could not be placed within any contract.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeferredOut {
    pub kind: TaskKindOut,
    pub subject: SubjectOut,
    /// no_eligible_unit, outside_contracts, waits_for_deferred or dependency_cycle.
    pub reason: String,
    pub work: f64,
    pub unit_days: i64,
}

/// Figures of one calendar month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthOut {
    /// `YYYY-MM`.
    pub month: String,
    pub cancelled_km2: f64,
    pub reduced_km2: f64,
    pub cleared_km2: f64,
    pub road_km_reopened: f64,
    pub rail_km_reopened: f64,
    pub power_population_share: f64,
    pub team_utilisation: f64,
    pub crew_utilisation: f64,
}

/// Indicators over time and work beyond the contracts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorsOut {
    pub months: Vec<MonthOut>,
    pub released_km2: f64,
    pub road_km_reopened: f64,
    pub rail_km_reopened: f64,
    pub power_population_share: f64,
    pub assets_restored: usize,
    pub hazards_released: usize,
    pub weighted_mean_restoration_day: f64,
    #[schema(value_type = Option<String>, format = Date)]
    pub programme_end: Option<Date>,
    pub deferred_team_days: i64,
    pub deferred_person_days: f64,
    /// The figures as they stand at the end of each day on which one changes, in order:
    /// the map's timeline and the dashboard read the figure at a date here (the last entry
    /// on or before it), and the totals above are the last entry's.
    pub days: Vec<DayOut>,
}

/// The figures at the end of one day of a plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayOut {
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    pub released_km2: f64,
    pub hazards_released: usize,
    pub assets_restored: usize,
    pub road_km_reopened: f64,
    pub rail_km_reopened: f64,
    pub power_population_share: f64,
}

/// P50 and P90 dates of one record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordForecastOut {
    pub id: Uuid,
    pub code: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub p50: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub p90: Option<Date>,
}

/// The Monte Carlo forecast of a plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ForecastOut {
    pub samples: usize,
    #[schema(value_type = Option<String>, format = Date)]
    pub programme_p50: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub programme_p90: Option<Date>,
    pub hazards: Vec<RecordForecastOut>,
    pub assets: Vec<RecordForecastOut>,
}

/// Two finished plans side by side.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComparisonOut {
    /// The two scenarios' names.
    pub a: String,
    pub b: String,
    pub rows: Vec<ComparisonRowOut>,
    /// Assets restored earlier, later and on the same day in `b` than in `a`.
    pub assets_earlier: usize,
    pub assets_later: usize,
    pub assets_same: usize,
}

/// One indicator of two plans.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComparisonRowOut {
    pub indicator: String,
    pub a: f64,
    pub b: f64,
}

impl From<Comparison> for ComparisonOut {
    fn from(c: Comparison) -> ComparisonOut {
        ComparisonOut {
            a: c.a,
            b: c.b,
            rows: c
                .rows
                .into_iter()
                .map(|r| ComparisonRowOut {
                    indicator: r.indicator.to_string(),
                    a: r.a,
                    b: r.b,
                })
                .collect(),
            assets_earlier: c.assets_earlier,
            assets_later: c.assets_later,
            assets_same: c.assets_same,
        }
    }
}

fn task_kind(kind: ItemKind) -> TaskKindOut {
    let (word, trade) = match kind {
        ItemKind::Nts => ("nts", None),
        ItemKind::Ts => ("ts", None),
        ItemKind::Clearance => ("clearance", None),
        ItemKind::Repair(t) => ("repair", Some(t.as_str().to_string())),
    };
    TaskKindOut {
        kind: word.to_string(),
        trade,
    }
}

fn unit_kind(kind: UnitKind) -> UnitKindOut {
    let (word, value) = match kind {
        UnitKind::Team(m) => ("team", m.as_str()),
        UnitKind::Crew(t) => ("crew", t.as_str()),
    };
    UnitKindOut {
        kind: word.to_string(),
        value: value.to_string(),
    }
}

fn subject(s: &bonifica_planner::plan::RecordRef) -> SubjectOut {
    SubjectOut {
        record: s.record.to_string(),
        id: s.id,
        code: s.code.to_string(),
    }
}

fn word_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// What the wire needs of the teams and crews: kind and organisation code, by id.
fn units(data: &Dataset) -> HashMap<Uuid, Option<String>> {
    let org: HashMap<Uuid, String> = data
        .organisations
        .iter()
        .map(|o| (o.id, o.code.to_string()))
        .collect();
    data.teams
        .iter()
        .map(|t| (t.id, t.organisation_id))
        .chain(data.crews.iter().map(|c| (c.id, c.organisation_id)))
        .map(|(id, o)| (id, org.get(&o).cloned()))
        .collect()
}

impl PlanOut {
    /// The wire form of a plan (already filtered for the reader) made from `data`.
    pub fn new(plan: &Plan, forecast: Option<&Forecast>, data: &Dataset) -> PlanOut {
        let orgs = units(data);
        let organisation = |id: &Uuid| orgs.get(id).cloned().flatten();
        let unit_kinds: HashMap<Uuid, UnitKind> = plan
            .itineraries
            .iter()
            .map(|i| (i.unit_id, i.kind))
            .collect();
        PlanOut {
            name: plan.name.clone(),
            start_date: plan.start_date,
            objective: match plan.objective {
                ObjectiveKind::ServiceRestoration => "service_restoration",
                ObjectiveKind::Makespan => "makespan",
            }
            .to_string(),
            objective_value: plan.objective_value,
            baseline_objective: plan.baseline_objective,
            penalty_date: plan.penalty_date,
            items: plan
                .items
                .iter()
                .map(|i| {
                    let kind = task_kind(i.kind);
                    TaskOut {
                        task: kind.kind.clone(),
                        kind,
                        subject: subject(&i.subject),
                        code: i.subject.code.to_string(),
                        unit_id: i.unit_id,
                        unit_code: i.unit_code.to_string(),
                        unit_kind: unit_kinds
                            .get(&i.unit_id)
                            .map(|k| unit_kind(*k).value)
                            .unwrap_or_default(),
                        organisation: organisation(&i.unit_id),
                        start: i.start,
                        end: i.end,
                        start_day: i.start_day,
                        finish_day: i.finish_day,
                        travel_days: i.travel_days,
                        work: i.work,
                    }
                })
                .collect(),
            itineraries: plan
                .itineraries
                .iter()
                .map(|i| ItineraryOut {
                    unit_id: i.unit_id,
                    unit_code: i.unit_code.to_string(),
                    kind: unit_kind(i.kind),
                    organisation: organisation(&i.unit_id),
                    items: i.items.clone(),
                    busy_days: i.busy_days,
                    available_days: i.available_days,
                })
                .collect(),
            hazards: plan
                .hazards
                .iter()
                .map(|h| HazardReleaseOut {
                    id: h.id,
                    code: h.code.to_string(),
                    release_date: h.release_date,
                    people_nearby: h.people_nearby,
                })
                .collect(),
            assets: plan
                .assets
                .iter()
                .map(|a| AssetRestorationOut {
                    id: a.id,
                    code: a.code.to_string(),
                    kind: a.kind.as_str().to_string(),
                    restoration_date: a.restoration_date,
                    weight: a.weight,
                    blocking: a.blocking.iter().map(ToString::to_string).collect(),
                })
                .collect(),
            deferred: plan
                .deferred
                .iter()
                .map(|d| DeferredOut {
                    kind: task_kind(d.kind),
                    subject: subject(&d.subject),
                    reason: word_of(&d.reason),
                    work: d.work,
                    unit_days: d.unit_days,
                })
                .collect(),
            indicators: indicators(&plan.indicators),
            forecast: forecast.map(forecast_out),
        }
    }
}

fn indicators(i: &Indicators) -> IndicatorsOut {
    IndicatorsOut {
        months: i.months.iter().map(month).collect(),
        released_km2: i.released_km2,
        road_km_reopened: i.road_km_reopened,
        rail_km_reopened: i.rail_km_reopened,
        power_population_share: i.power_population_share,
        assets_restored: i.assets_restored,
        hazards_released: i.hazards_released,
        weighted_mean_restoration_day: i.weighted_mean_restoration_day,
        programme_end: i.programme_end,
        deferred_team_days: i.deferred_team_days,
        deferred_person_days: i.deferred_person_days,
        days: i
            .days
            .iter()
            .map(|d| DayOut {
                date: d.date,
                released_km2: d.released_km2,
                hazards_released: d.hazards_released,
                assets_restored: d.assets_restored,
                road_km_reopened: d.road_km_reopened,
                rail_km_reopened: d.rail_km_reopened,
                power_population_share: d.power_population_share,
            })
            .collect(),
    }
}

fn month(m: &Month) -> MonthOut {
    MonthOut {
        month: m.month.clone(),
        cancelled_km2: m.cancelled_km2,
        reduced_km2: m.reduced_km2,
        cleared_km2: m.cleared_km2,
        road_km_reopened: m.road_km_reopened,
        rail_km_reopened: m.rail_km_reopened,
        power_population_share: m.power_population_share,
        team_utilisation: m.team_utilisation,
        crew_utilisation: m.crew_utilisation,
    }
}

fn record_forecast(r: &RecordForecast) -> RecordForecastOut {
    RecordForecastOut {
        id: r.id,
        code: r.code.to_string(),
        p50: r.p50,
        p90: r.p90,
    }
}

fn forecast_out(f: &Forecast) -> ForecastOut {
    ForecastOut {
        samples: f.samples,
        programme_p50: f.programme_p50,
        programme_p90: f.programme_p90,
        hazards: f.hazards.iter().map(record_forecast).collect(),
        assets: f.assets.iter().map(record_forecast).collect(),
    }
}

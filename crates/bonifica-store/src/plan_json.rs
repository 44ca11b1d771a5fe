//! Plans read back from the JSON the planner writes (`plan.json`), which is how both
//! stores keep them, into the planner's own types: every field is read or the plan is
//! refused, never half read.

use bonifica_model::{AssetKind, Code, Date, Method, Trade};
use bonifica_planner::plan::{
    AssetRestoration, DayFigures, DeferredItem, HazardRelease, Indicators, Itinerary, Month,
    PlannedItem, PriorityExplanation, RecordRef, UnitEnding,
};
use bonifica_planner::units::UnitKind;
use bonifica_planner::work::{ItemKind, Outcome};
use bonifica_planner::{DeferReason, ObjectiveKind, Plan, Score};
use geo_types::Point;
use serde::Deserialize;
use uuid::Uuid;

/// A plan from the JSON the planner wrote.
pub fn read(text: &str) -> Result<Plan, String> {
    let p: PlanJson = serde_json::from_str(text).map_err(|e| format!("it does not read: {e}"))?;
    Ok(Plan {
        name: p.name,
        start_date: p.start_date,
        objective: p.objective,
        objective_value: p.objective_value,
        baseline_objective: p.baseline_objective,
        score: Score {
            service: p.score.service,
            risk: p.score.risk,
            makespan: p.score.makespan,
            deferred: p.score.deferred,
        },
        penalty_date: p.penalty_date,
        items: p
            .items
            .into_iter()
            .map(|i| PlannedItem {
                kind: i.kind.into(),
                subject: i.subject.into(),
                unit_id: i.unit_id,
                unit_code: i.unit_code,
                start: i.start,
                end: i.end,
                start_day: i.start_day,
                finish_day: i.finish_day,
                travel_days: i.travel_days,
                zone: i.zone,
                site: Point::new(i.site.x, i.site.y),
                work: i.work,
            })
            .collect(),
        itineraries: p
            .itineraries
            .into_iter()
            .map(|i| Itinerary {
                unit_id: i.unit_id,
                unit_code: i.unit_code,
                kind: match i.kind {
                    UnitKindJson::Team(m) => UnitKind::Team(m),
                    UnitKindJson::Crew(t) => UnitKind::Crew(t),
                },
                items: i.items,
                busy_days: i.busy_days,
                available_days: i.available_days,
            })
            .collect(),
        hazards: p
            .hazards
            .into_iter()
            .map(|h| HazardRelease {
                id: h.id,
                code: h.code,
                release_date: h.release_date,
                expected: Outcome {
                    cancelled_m2: h.expected.cancelled_m2,
                    reduced_m2: h.expected.reduced_m2,
                    cleared_m2: h.expected.cleared_m2,
                },
                people_nearby: h.people_nearby,
            })
            .collect(),
        assets: p
            .assets
            .into_iter()
            .map(|a| AssetRestoration {
                id: a.id,
                code: a.code,
                kind: a.kind,
                restoration_date: a.restoration_date,
                weight: a.weight,
                blocking: a.blocking,
            })
            .collect(),
        deferred: p
            .deferred
            .into_iter()
            .map(|d| DeferredItem {
                kind: d.kind.into(),
                subject: d.subject.into(),
                reason: d.reason.into(),
                work: d.work,
                unit_days: d.unit_days,
            })
            .collect(),
        indicators: p.indicators.into(),
        priorities: p.priorities,
        keys: Vec::new(),
    })
}

// The planner's plan as it writes it; its types only serialise, so the reading side is
// here, field for field.

#[derive(Deserialize)]
struct PlanJson {
    name: String,
    start_date: Date,
    objective: ObjectiveKind,
    objective_value: f64,
    baseline_objective: Option<f64>,
    score: ScoreJson,
    penalty_date: Date,
    items: Vec<ItemJson>,
    itineraries: Vec<ItineraryJson>,
    hazards: Vec<HazardJson>,
    assets: Vec<AssetJson>,
    deferred: Vec<DeferredJson>,
    indicators: IndicatorsJson,
    priorities: Vec<PriorityExplanation>,
}

#[derive(Deserialize)]
struct ScoreJson {
    service: f64,
    risk: f64,
    makespan: i64,
    deferred: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "trade")]
enum ItemKindJson {
    Nts,
    Ts,
    Clearance,
    Repair(Trade),
}

impl From<ItemKindJson> for ItemKind {
    fn from(k: ItemKindJson) -> ItemKind {
        match k {
            ItemKindJson::Nts => ItemKind::Nts,
            ItemKindJson::Ts => ItemKind::Ts,
            ItemKindJson::Clearance => ItemKind::Clearance,
            ItemKindJson::Repair(t) => ItemKind::Repair(t),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
enum UnitKindJson {
    Team(Method),
    Crew(Trade),
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum RecordJson {
    HazardArea,
    Asset,
}

#[derive(Deserialize)]
struct RecordRefJson {
    record: RecordJson,
    id: Uuid,
    code: Code,
}

impl From<RecordRefJson> for RecordRef {
    fn from(r: RecordRefJson) -> RecordRef {
        RecordRef {
            record: match r.record {
                RecordJson::HazardArea => "hazard_area",
                RecordJson::Asset => "asset",
            },
            id: r.id,
            code: r.code,
        }
    }
}

#[derive(Deserialize)]
struct PointJson {
    x: f64,
    y: f64,
}

#[derive(Deserialize)]
struct ItemJson {
    kind: ItemKindJson,
    subject: RecordRefJson,
    unit_id: Uuid,
    unit_code: Code,
    start: Date,
    end: Date,
    start_day: i64,
    finish_day: i64,
    travel_days: i64,
    zone: usize,
    site: PointJson,
    work: f64,
}

#[derive(Deserialize)]
struct ItineraryJson {
    unit_id: Uuid,
    unit_code: Code,
    kind: UnitKindJson,
    items: Vec<usize>,
    busy_days: i64,
    available_days: i64,
}

#[derive(Deserialize)]
struct OutcomeJson {
    cancelled_m2: f64,
    reduced_m2: f64,
    cleared_m2: f64,
}

#[derive(Deserialize)]
struct HazardJson {
    id: Uuid,
    code: Code,
    release_date: Option<Date>,
    expected: OutcomeJson,
    people_nearby: u64,
}

#[derive(Deserialize)]
struct AssetJson {
    id: Uuid,
    code: Code,
    kind: AssetKind,
    restoration_date: Option<Date>,
    weight: f64,
    blocking: Vec<Code>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum DeferReasonJson {
    NoEligibleUnit,
    OutsideContracts,
    WaitsForDeferred,
    DependencyCycle,
}

impl From<DeferReasonJson> for DeferReason {
    fn from(r: DeferReasonJson) -> DeferReason {
        match r {
            DeferReasonJson::NoEligibleUnit => DeferReason::NoEligibleUnit,
            DeferReasonJson::OutsideContracts => DeferReason::OutsideContracts,
            DeferReasonJson::WaitsForDeferred => DeferReason::WaitsForDeferred,
            DeferReasonJson::DependencyCycle => DeferReason::DependencyCycle,
        }
    }
}

#[derive(Deserialize)]
struct DeferredJson {
    kind: ItemKindJson,
    subject: RecordRefJson,
    reason: DeferReasonJson,
    work: f64,
    unit_days: i64,
}

#[derive(Deserialize)]
struct MonthJson {
    month: String,
    cancelled_km2: f64,
    reduced_km2: f64,
    cleared_km2: f64,
    road_km_reopened: f64,
    rail_km_reopened: f64,
    power_population_share: f64,
    team_utilisation: f64,
    crew_utilisation: f64,
}

#[derive(Deserialize)]
struct UnitEndingJson {
    unit_code: Code,
    last_day: Option<Date>,
}

#[derive(Deserialize)]
struct IndicatorsJson {
    months: Vec<MonthJson>,
    released_km2: f64,
    road_km_reopened: f64,
    rail_km_reopened: f64,
    power_population_share: f64,
    assets_restored: usize,
    hazards_released: usize,
    weighted_mean_restoration_day: f64,
    programme_end: Option<Date>,
    deferred_team_days: i64,
    deferred_person_days: f64,
    #[serde(default)]
    units_ending_with_work: Vec<UnitEndingJson>,
    /// Absent from plans stored before the figures were kept day by day.
    #[serde(default)]
    days: Vec<DayFigures>,
}

impl From<IndicatorsJson> for Indicators {
    fn from(i: IndicatorsJson) -> Indicators {
        Indicators {
            months: i
                .months
                .into_iter()
                .map(|m| Month {
                    month: m.month,
                    cancelled_km2: m.cancelled_km2,
                    reduced_km2: m.reduced_km2,
                    cleared_km2: m.cleared_km2,
                    road_km_reopened: m.road_km_reopened,
                    rail_km_reopened: m.rail_km_reopened,
                    power_population_share: m.power_population_share,
                    team_utilisation: m.team_utilisation,
                    crew_utilisation: m.crew_utilisation,
                })
                .collect(),
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
            units_ending_with_work: i
                .units_ending_with_work
                .into_iter()
                .map(|u| UnitEnding {
                    unit_code: u.unit_code,
                    last_day: u.last_day,
                })
                .collect(),
            days: i.days,
        }
    }
}

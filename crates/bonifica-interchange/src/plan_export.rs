//! Export of a plan: CSV tables a planner opens in a spreadsheet (every dated task, the
//! release date of every hazard area, the restoration date of every asset) and GeoJSON
//! layers with planned and forecast dates as attributes, so a GIS colours the map by date.

use std::collections::HashMap;

use bonifica_model::{Dataset, Date};
use bonifica_planner::{Forecast, Plan, forecast::RecordForecast};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::InterchangeError;
use crate::geojson_export::{area_geometry, collection, feature, footprint_geometry};

/// The tables and layers of a plan export, with their file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanLayer {
    /// `plan_tasks.csv`: every placed task of every team and crew, in time order.
    Tasks,
    /// `plan_hazard_areas.csv`: planned release date and expected outcome per hazard area.
    HazardAreas,
    /// `plan_assets.csv`: planned restoration date per asset, with what blocks it.
    Assets,
    /// `plan_deferred.csv`: work that does not fit within the contracts, with the reason.
    Deferred,
}

impl PlanLayer {
    pub const ALL: [PlanLayer; 4] = [
        PlanLayer::Tasks,
        PlanLayer::HazardAreas,
        PlanLayer::Assets,
        PlanLayer::Deferred,
    ];

    /// The file name stem, such as `plan_tasks`.
    pub fn stem(self) -> &'static str {
        match self {
            PlanLayer::Tasks => "plan_tasks",
            PlanLayer::HazardAreas => "plan_hazard_areas",
            PlanLayer::Assets => "plan_assets",
            PlanLayer::Deferred => "plan_deferred",
        }
    }
}

/// One plan table as CSV text. A forecast, when given, adds P50 and P90 columns.
pub fn plan_csv(
    plan: &Plan,
    forecast: Option<&Forecast>,
    layer: PlanLayer,
) -> Result<String, InterchangeError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let file = format!("{}.csv", layer.stem());
    let err = |e: csv::Error| InterchangeError::File {
        file: file.clone(),
        problem: e.to_string(),
    };
    let dates = ForecastDates::new(forecast);
    match layer {
        PlanLayer::Tasks => {
            w.write_record([
                "unit_code",
                "task",
                "record",
                "code",
                "start",
                "end",
                "travel_days",
                "work",
                "site_lon",
                "site_lat",
            ])
            .map_err(err)?;
            let mut items: Vec<_> = plan.items.iter().collect();
            items.sort_by(|a, b| (&a.unit_code, a.start_day).cmp(&(&b.unit_code, b.start_day)));
            for i in items {
                w.write_record([
                    i.unit_code.to_string(),
                    i.kind.word().to_string(),
                    i.subject.record.to_string(),
                    i.subject.code.to_string(),
                    i.start.to_string(),
                    i.end.to_string(),
                    i.travel_days.to_string(),
                    format!("{:.1}", i.work),
                    format!("{:.6}", i.site.x()),
                    format!("{:.6}", i.site.y()),
                ])
                .map_err(err)?;
            }
        }
        PlanLayer::HazardAreas => {
            w.write_record([
                "code",
                "planned_release",
                "p50_release",
                "p90_release",
                "cancelled_m2",
                "reduced_m2",
                "cleared_m2",
                "people_nearby",
            ])
            .map_err(err)?;
            for h in &plan.hazards {
                let (p50, p90) = dates.of(h.id);
                w.write_record([
                    h.code.to_string(),
                    date(h.release_date),
                    p50,
                    p90,
                    format!("{:.0}", h.expected.cancelled_m2),
                    format!("{:.0}", h.expected.reduced_m2),
                    format!("{:.0}", h.expected.cleared_m2),
                    h.people_nearby.to_string(),
                ])
                .map_err(err)?;
            }
        }
        PlanLayer::Assets => {
            w.write_record([
                "code",
                "kind",
                "planned_restoration",
                "p50_restoration",
                "p90_restoration",
                "weight",
                "blocking_hazard_areas",
            ])
            .map_err(err)?;
            for a in &plan.assets {
                let (p50, p90) = dates.of(a.id);
                let blocking: Vec<String> = a.blocking.iter().map(ToString::to_string).collect();
                w.write_record([
                    a.code.to_string(),
                    a.kind.as_str().to_string(),
                    date(a.restoration_date),
                    p50,
                    p90,
                    format!("{:.0}", a.weight),
                    blocking.join(";"),
                ])
                .map_err(err)?;
            }
        }
        PlanLayer::Deferred => {
            w.write_record(["task", "record", "code", "reason", "work", "unit_days"])
                .map_err(err)?;
            for d in &plan.deferred {
                w.write_record([
                    d.kind.word().to_string(),
                    d.subject.record.to_string(),
                    d.subject.code.to_string(),
                    format!("{:?}", d.reason),
                    format!("{:.1}", d.work),
                    d.unit_days.to_string(),
                ])
                .map_err(err)?;
            }
        }
    }
    let bytes = w.into_inner().map_err(|e| InterchangeError::File {
        file: file.clone(),
        problem: e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|e| InterchangeError::File {
        file,
        problem: e.to_string(),
    })
}

/// Hazard areas as GeoJSON with their planned release date (and P50/P90 with a
/// forecast); `planned_release` is null for areas the contracts do not reach.
pub fn plan_hazard_areas_geojson(
    dataset: &Dataset,
    plan: &Plan,
    forecast: Option<&Forecast>,
) -> String {
    let dates = ForecastDates::new(forecast);
    let by_id: HashMap<Uuid, _> = plan.hazards.iter().map(|h| (h.id, h)).collect();
    let features: Vec<Value> = dataset
        .hazard_areas
        .iter()
        .filter_map(|h| {
            let planned = by_id.get(&h.id)?;
            let (p50, p90) = dates.of(h.id);
            let props = json!({
                "id": h.id,
                "code": h.code.as_str(),
                "plan": plan.name,
                "classification": h.classification().as_str(),
                "status": h.status().as_str(),
                "area_m2": h.area_m2().round(),
                "planned_release": planned.release_date.map(|d| d.to_string()),
                "p50_release": null_if_empty(p50),
                "p90_release": null_if_empty(p90),
                "cancelled_m2": planned.expected.cancelled_m2.round(),
                "reduced_m2": planned.expected.reduced_m2.round(),
                "cleared_m2": planned.expected.cleared_m2.round(),
            });
            Some(feature(h.id, props, area_geometry(h.geometry())))
        })
        .collect();
    collection("plan_hazard_areas", &features)
}

/// Assets as GeoJSON with their planned restoration date (and P50/P90 with a forecast).
pub fn plan_assets_geojson(dataset: &Dataset, plan: &Plan, forecast: Option<&Forecast>) -> String {
    let dates = ForecastDates::new(forecast);
    let by_id: HashMap<Uuid, _> = plan.assets.iter().map(|a| (a.id, a)).collect();
    let features: Vec<Value> = dataset
        .assets
        .iter()
        .filter_map(|a| {
            let planned = by_id.get(&a.id)?;
            let (p50, p90) = dates.of(a.id);
            let blocking: Vec<&str> = planned.blocking.iter().map(|c| c.as_str()).collect();
            let props = json!({
                "id": a.id,
                "code": a.code.as_str(),
                "plan": plan.name,
                "name": a.name,
                "kind": a.kind.as_str(),
                "damage": a.damage.as_str(),
                "restricted": a.restricted,
                "planned_restoration": planned.restoration_date.map(|d| d.to_string()),
                "p50_restoration": null_if_empty(p50),
                "p90_restoration": null_if_empty(p90),
                "weight": planned.weight.round(),
                "blocking_hazard_areas": blocking.join(";"),
            });
            Some(feature(a.id, props, footprint_geometry(&a.footprint)))
        })
        .collect();
    collection("plan_assets", &features)
}

/// P50 and P90 dates by record id, as text (empty when there is no forecast; `deferred`
/// when the sampled date falls past the contracts).
struct ForecastDates<'a>(HashMap<Uuid, &'a RecordForecast>);

impl<'a> ForecastDates<'a> {
    fn new(forecast: Option<&'a Forecast>) -> ForecastDates<'a> {
        let map = forecast
            .map(|f| {
                f.hazards
                    .iter()
                    .chain(&f.assets)
                    .map(|r| (r.id, r))
                    .collect()
            })
            .unwrap_or_default();
        ForecastDates(map)
    }

    fn of(&self, id: Uuid) -> (String, String) {
        match self.0.get(&id) {
            None => (String::new(), String::new()),
            Some(r) => (or_deferred(r.p50), or_deferred(r.p90)),
        }
    }
}

fn or_deferred(d: Option<Date>) -> String {
    d.map_or_else(|| "deferred".to_string(), |d| d.to_string())
}

fn date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn null_if_empty(s: String) -> Value {
    if s.is_empty() {
        Value::Null
    } else {
        Value::String(s)
    }
}

//! Plans in the GeoPackage: a plan's header and indicators, its dated tasks, and two
//! feature layers, `plan_hazard_areas` and `plan_assets`, that carry the planned, P50 and
//! P90 dates as attributes so QGIS colours the map by date. Saving a plan replaces the
//! stored plan of the same name (one per scenario), in one transaction.

use std::collections::HashMap;

use bonifica_model::{Dataset, Date, RecordKind};
use bonifica_planner::{Forecast, Plan};
use geo_types::Geometry;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use uuid::Uuid;

use super::audit::{self, Change};
use super::binary;
use super::schema::{TableDef, create_table};
use super::write::{begin, refresh_extent};
use crate::error::{SqlContext, StoreError};

/// A stored plan's header.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPlan {
    pub id: Uuid,
    pub name: String,
    /// When it was saved, as RFC 3339 UTC.
    pub created: String,
    pub start_date: Date,
    pub objective: f64,
    pub baseline_objective: Option<f64>,
    pub programme_end: Option<Date>,
    pub programme_p50: Option<Date>,
    pub programme_p90: Option<Date>,
}

/// Migration 5: the plan tables.
pub(super) fn plan_tables(tx: &Transaction) -> rusqlite::Result<()> {
    for def in plan_defs() {
        create_table(tx, &def)?;
    }
    tx.execute_batch(
        "CREATE INDEX plan_tasks_plan ON plan_tasks(plan_id);
         CREATE INDEX plan_hazard_areas_plan ON plan_hazard_areas(plan_id);
         CREATE INDEX plan_assets_plan ON plan_assets(plan_id);",
    )
}

/// The plan tables, in creation order.
pub(crate) fn plan_defs() -> [TableDef; 4] {
    [
        TableDef::attributes(
            "plans",
            "Plans",
            "Plans and scenarios: objective, baseline, programme end, indicators (JSON)",
            "id TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE, created DATETIME NOT NULL, \
         start_date DATE NOT NULL, objective REAL NOT NULL, baseline_objective REAL, \
         programme_end DATE, programme_p50 DATE, programme_p90 DATE, \
         indicators TEXT NOT NULL, plan TEXT NOT NULL",
        ),
        TableDef::attributes(
            "plan_tasks",
            "Plan tasks",
            "Every dated task of every team and crew in each stored plan",
            "plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE, \
         unit_code TEXT NOT NULL, task TEXT NOT NULL, record TEXT NOT NULL, \
         code TEXT NOT NULL, start DATE NOT NULL, \"end\" DATE NOT NULL, \
         travel_days INTEGER NOT NULL, work REAL NOT NULL",
        ),
        TableDef::features(
            "plan_hazard_areas",
            "Planned release of hazard areas",
            "Planned, P50 and P90 release dates of each hazard area, per plan",
            "MULTIPOLYGON",
            "plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE, \
         plan TEXT NOT NULL, hazard_area_id TEXT NOT NULL, code TEXT NOT NULL, \
         classification TEXT NOT NULL, status TEXT NOT NULL, area_m2 REAL NOT NULL, \
         planned_release DATE, p50_release DATE, p90_release DATE, \
         cancelled_m2 REAL NOT NULL, reduced_m2 REAL NOT NULL, cleared_m2 REAL NOT NULL",
        ),
        TableDef::features(
            "plan_assets",
            "Planned restoration of assets",
            "Planned, P50 and P90 restoration dates of each damaged asset, per plan",
            "GEOMETRY",
            "plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE, \
         plan TEXT NOT NULL, asset_id TEXT NOT NULL, code TEXT NOT NULL, \
         name TEXT NOT NULL, kind TEXT NOT NULL, restricted BOOLEAN NOT NULL, \
         planned_restoration DATE, p50_restoration DATE, p90_restoration DATE, \
         weight REAL NOT NULL",
        ),
    ]
}

/// Saves a plan (and its forecast) under its name, replacing a stored plan of that name.
pub fn save(
    conn: &mut Connection,
    dataset: &Dataset,
    plan: &Plan,
    forecast: Option<&Forecast>,
    created: &str,
    by: &str,
) -> Result<Uuid, StoreError> {
    let id = Uuid::new_v4();
    let tx = begin(conn).ctx(|| "starting to save a plan".to_string())?;
    let replaced: Option<(String, String, f64)> = tx
        .query_row(
            "SELECT id, created, objective FROM plans WHERE name = ?1",
            [&plan.name],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .ctx(|| format!("reading plan {}", plan.name))?;
    tx.execute("DELETE FROM plans WHERE name = ?1", [&plan.name])
        .ctx(|| format!("replacing plan {}", plan.name))?;
    let f = forecast;
    tx.execute(
        "INSERT INTO plans (id, name, created, start_date, objective, baseline_objective, \
         programme_end, programme_p50, programme_p90, indicators, plan) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            id.to_string(),
            plan.name,
            created,
            plan.start_date.to_string(),
            plan.objective_value,
            plan.baseline_objective,
            plan.indicators.programme_end.map(|d| d.to_string()),
            f.and_then(|f| f.programme_p50).map(|d| d.to_string()),
            f.and_then(|f| f.programme_p90).map(|d| d.to_string()),
            to_json(&plan.indicators)?,
            to_json(plan)?,
        ],
    )
    .ctx(|| format!("saving plan {}", plan.name))?;
    save_tasks(&tx, id, plan)?;
    let dates = forecast_dates(forecast);
    save_hazard_areas(&tx, id, dataset, plan, &dates)?;
    save_assets(&tx, id, dataset, plan, &dates)?;
    refresh_extent(&tx, "plan_hazard_areas")?;
    refresh_extent(&tx, "plan_assets")?;
    let header = |id: &str, created: &str, objective: f64| {
        serde_json::json!({
            "id": id, "name": plan.name, "created": created, "objective": objective,
        })
    };
    audit::append_now(
        &tx,
        Change {
            actor: by,
            action: "save",
            entity: "plan",
            entity_id: id.to_string(),
            before: replaced
                .map(|(id, created, objective)| audit::json(&header(&id, &created, objective)))
                .transpose()?,
            after: Some(audit::json(&header(
                &id.to_string(),
                created,
                plan.objective_value,
            ))?),
        },
    )?;
    tx.commit()
        .ctx(|| format!("committing plan {}", plan.name))?;
    Ok(id)
}

/// The stored plans, by name.
pub fn list(conn: &Connection) -> Result<Vec<StoredPlan>, StoreError> {
    let mut stmt = conn
        .prepare(
            "SELECT id, name, created, start_date, objective, baseline_objective, \
             programme_end, programme_p50, programme_p90 FROM plans ORDER BY name",
        )
        .ctx(|| "listing plans".to_string())?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, f64>(4)?,
                r.get::<_, Option<f64>>(5)?,
                [r.get::<_, Option<String>>(6)?, r.get(7)?, r.get(8)?],
            ))
        })
        .ctx(|| "listing plans".to_string())?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, created, start, objective, baseline, ends) =
            row.ctx(|| "reading a plan".to_string())?;
        let bad = |field: &'static str, problem: String| StoreError::CorruptRow {
            table: "plans",
            code: name.clone(),
            field,
            problem,
        };
        let date = |field: &'static str, text: &str| {
            text.parse::<Date>()
                .map_err(|e| bad(field, format!("{text:?}: {e}")))
        };
        let opt = |field, t: &Option<String>| t.as_deref().map(|t| date(field, t)).transpose();
        out.push(StoredPlan {
            id: id.parse().map_err(|e| bad("id", format!("{id:?}: {e}")))?,
            start_date: date("start_date", &start)?,
            programme_end: opt("programme_end", &ends[0])?,
            programme_p50: opt("programme_p50", &ends[1])?,
            programme_p90: opt("programme_p90", &ends[2])?,
            name,
            created,
            objective,
            baseline_objective: baseline,
        });
    }
    Ok(out)
}

/// A stored plan as JSON (the whole plan, as `bonifica plan --out` writes `plan.json`).
pub fn plan_json(conn: &Connection, name: &str) -> Result<Option<String>, StoreError> {
    let mut stmt = conn
        .prepare("SELECT plan FROM plans WHERE name = ?1")
        .ctx(|| format!("reading plan {name}"))?;
    let mut rows = stmt.query([name]).ctx(|| format!("reading plan {name}"))?;
    match rows.next().ctx(|| format!("reading plan {name}"))? {
        Some(row) => Ok(Some(row.get(0).ctx(|| format!("reading plan {name}"))?)),
        None => Ok(None),
    }
}

fn save_tasks(tx: &Transaction, id: Uuid, plan: &Plan) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare(
            "INSERT INTO plan_tasks (plan_id, unit_code, task, record, code, start, \"end\", \
             travel_days, work) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .ctx(|| "preparing plan tasks".to_string())?;
    let id = id.to_string();
    for i in &plan.items {
        stmt.execute(params![
            id,
            i.unit_code.as_str(),
            i.kind.word(),
            i.subject.record,
            i.subject.code.as_str(),
            i.start.to_string(),
            i.end.to_string(),
            i.travel_days,
            i.work,
        ])
        .ctx(|| format!("saving the task of {} on {}", i.unit_code, i.subject.code))?;
    }
    Ok(())
}

pub(crate) type Dates = HashMap<Uuid, (Option<String>, Option<String>)>;

/// P50 and P90 by record; a sampled date past the contracts is stored as NULL.
pub(crate) fn forecast_dates(forecast: Option<&Forecast>) -> Dates {
    let Some(f) = forecast else {
        return Dates::new();
    };
    f.hazards
        .iter()
        .chain(&f.assets)
        .map(|r| {
            (
                r.id,
                (r.p50.map(|d| d.to_string()), r.p90.map(|d| d.to_string())),
            )
        })
        .collect()
}

fn save_hazard_areas(
    tx: &Transaction,
    id: Uuid,
    dataset: &Dataset,
    plan: &Plan,
    dates: &Dates,
) -> Result<(), StoreError> {
    let areas: HashMap<Uuid, _> = dataset.hazard_areas.iter().map(|h| (h.id, h)).collect();
    let mut stmt = tx
        .prepare(
            "INSERT INTO plan_hazard_areas (geom, plan_id, plan, hazard_area_id, code, \
             classification, status, area_m2, planned_release, p50_release, p90_release, \
             cancelled_m2, reduced_m2, cleared_m2) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )
        .ctx(|| "preparing planned hazard areas".to_string())?;
    for h in &plan.hazards {
        let Some(area) = areas.get(&h.id) else {
            continue;
        };
        let geometry = Geometry::from(area.geometry().as_multi_polygon().clone());
        let blob = encode(RecordKind::HazardArea, area.code.as_str(), &geometry)?;
        let (p50, p90) = dates.get(&h.id).cloned().unwrap_or_default();
        stmt.execute(params![
            blob,
            id.to_string(),
            plan.name,
            h.id.to_string(),
            h.code.as_str(),
            area.classification().as_str(),
            area.status().as_str(),
            area.area_m2(),
            h.release_date.map(|d| d.to_string()),
            p50,
            p90,
            h.expected.cancelled_m2,
            h.expected.reduced_m2,
            h.expected.cleared_m2,
        ])
        .ctx(|| format!("saving the planned release of {}", h.code))?;
    }
    Ok(())
}

fn save_assets(
    tx: &Transaction,
    id: Uuid,
    dataset: &Dataset,
    plan: &Plan,
    dates: &Dates,
) -> Result<(), StoreError> {
    let assets: HashMap<Uuid, _> = dataset.assets.iter().map(|a| (a.id, a)).collect();
    let mut stmt = tx
        .prepare(
            "INSERT INTO plan_assets (geom, plan_id, plan, asset_id, code, name, kind, \
             restricted, planned_restoration, p50_restoration, p90_restoration, weight) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .ctx(|| "preparing planned assets".to_string())?;
    for a in &plan.assets {
        let Some(asset) = assets.get(&a.id) else {
            continue;
        };
        let blob = encode(
            RecordKind::Asset,
            asset.code.as_str(),
            &asset.footprint.to_geometry(),
        )?;
        let (p50, p90) = dates.get(&a.id).cloned().unwrap_or_default();
        stmt.execute(params![
            blob,
            id.to_string(),
            plan.name,
            a.id.to_string(),
            a.code.as_str(),
            asset.name,
            asset.kind.as_str(),
            asset.restricted,
            a.restoration_date.map(|d| d.to_string()),
            p50,
            p90,
            a.weight,
        ])
        .ctx(|| format!("saving the planned restoration of {}", a.code))?;
    }
    Ok(())
}

fn encode(kind: RecordKind, code: &str, geometry: &Geometry<f64>) -> Result<Vec<u8>, StoreError> {
    binary::encode(geometry).map_err(|problem| StoreError::Geometry {
        kind: kind.label(),
        code: code.to_string(),
        problem,
    })
}

/// A plan part as JSON text for an attribute column.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::CorruptRow {
        table: "plans",
        code: String::new(),
        field: "plan",
        problem: e.to_string(),
    })
}

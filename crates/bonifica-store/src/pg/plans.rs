//! Plans in the database, as in the GeoPackage: a plan's header and indicators, its dated
//! tasks, and the layers `plan_hazard_areas` and `plan_assets` with the planned, P50 and
//! P90 dates. Saving a plan replaces the stored plan of the same name, in one transaction.

use std::collections::HashMap;

use bonifica_model::{Dataset, Date, RecordKind};
use bonifica_planner::{Forecast, Plan};
use geo_types::Geometry;
use postgres::{Client, GenericClient, Transaction};
use uuid::Uuid;

use super::audit::{self, Change};
use super::write::{begin, encode};
use crate::StoredPlan;
use crate::error::{SqlContext, StoreError};
use crate::gpkg::plans::{Dates, forecast_dates, to_json};

/// Saves a plan (and its forecast) under its name, replacing a stored plan of that name.
pub fn save(
    client: &mut Client,
    dataset: &Dataset,
    plan: &Plan,
    forecast: Option<&Forecast>,
    created: &str,
    by: &str,
) -> Result<Uuid, StoreError> {
    let id = Uuid::new_v4();
    let mut tx = begin(client).ctx(|| "starting to save a plan".to_string())?;
    let context = || format!("reading plan {}", plan.name);
    let replaced = tx
        .query_opt(
            "SELECT id, created, objective FROM plans WHERE name = $1",
            &[&plan.name],
        )
        .ctx(context)?
        .map(|r| -> Result<(String, String, f64), postgres::Error> {
            Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
        })
        .transpose()
        .ctx(context)?;
    tx.execute("DELETE FROM plans WHERE name = $1", &[&plan.name])
        .ctx(|| format!("replacing plan {}", plan.name))?;
    let f = forecast;
    tx.execute(
        "INSERT INTO plans (id, name, created, start_date, objective, baseline_objective, \
         programme_end, programme_p50, programme_p90, indicators, plan) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &id.to_string(),
            &plan.name,
            &created,
            &plan.start_date.to_string(),
            &plan.objective_value,
            &plan.baseline_objective,
            &plan.indicators.programme_end.map(|d| d.to_string()),
            &f.and_then(|f| f.programme_p50).map(|d| d.to_string()),
            &f.and_then(|f| f.programme_p90).map(|d| d.to_string()),
            &to_json(&plan.indicators)?,
            &to_json(plan)?,
        ],
    )
    .ctx(|| format!("saving plan {}", plan.name))?;
    save_tasks(&mut tx, id, plan)?;
    let dates = forecast_dates(forecast);
    save_hazard_areas(&mut tx, id, dataset, plan, &dates)?;
    save_assets(&mut tx, id, dataset, plan, &dates)?;
    let header = |id: &str, created: &str, objective: f64| {
        serde_json::json!({
            "id": id, "name": plan.name, "created": created, "objective": objective,
        })
    };
    audit::append_now(
        &mut tx,
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
pub fn list(c: &mut impl GenericClient) -> Result<Vec<StoredPlan>, StoreError> {
    let context = || "listing plans".to_string();
    let rows = c
        .query(
            "SELECT id, name, created, start_date, objective, baseline_objective, \
             programme_end, programme_p50, programme_p90 FROM plans ORDER BY name",
            &[],
        )
        .ctx(context)?;
    let mut out = Vec::new();
    for r in &rows {
        let id: String = r.try_get(0).ctx(context)?;
        let name: String = r.try_get(1).ctx(context)?;
        let created: String = r.try_get(2).ctx(context)?;
        let start: String = r.try_get(3).ctx(context)?;
        let objective: f64 = r.try_get(4).ctx(context)?;
        let baseline: Option<f64> = r.try_get(5).ctx(context)?;
        let ends: [Option<String>; 3] = [
            r.try_get(6).ctx(context)?,
            r.try_get(7).ctx(context)?,
            r.try_get(8).ctx(context)?,
        ];
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
pub fn plan_json(c: &mut impl GenericClient, name: &str) -> Result<Option<String>, StoreError> {
    let context = || format!("reading plan {name}");
    let row = c
        .query_opt("SELECT plan FROM plans WHERE name = $1", &[&name])
        .ctx(context)?;
    row.map(|r| r.try_get(0)).transpose().ctx(context)
}

fn save_tasks(tx: &mut Transaction, id: Uuid, plan: &Plan) -> Result<(), StoreError> {
    let stmt = tx
        .prepare(
            "INSERT INTO plan_tasks (plan_id, unit_code, task, record, code, start, \"end\", \
             travel_days, work) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .ctx(|| "preparing plan tasks".to_string())?;
    let id = id.to_string();
    for i in &plan.items {
        tx.execute(
            &stmt,
            &[
                &id,
                &i.unit_code.as_str(),
                &i.kind.word(),
                &i.subject.record,
                &i.subject.code.as_str(),
                &i.start.to_string(),
                &i.end.to_string(),
                &i.travel_days,
                &i.work,
            ],
        )
        .ctx(|| format!("saving the task of {} on {}", i.unit_code, i.subject.code))?;
    }
    Ok(())
}

fn save_hazard_areas(
    tx: &mut Transaction,
    id: Uuid,
    dataset: &Dataset,
    plan: &Plan,
    dates: &Dates,
) -> Result<(), StoreError> {
    let areas: HashMap<Uuid, _> = dataset.hazard_areas.iter().map(|h| (h.id, h)).collect();
    let stmt = tx
        .prepare(
            "INSERT INTO plan_hazard_areas (geom, plan_id, plan, hazard_area_id, code, \
             classification, status, area_m2, planned_release, p50_release, p90_release, \
             cancelled_m2, reduced_m2, cleared_m2) \
             VALUES (ST_GeomFromWKB($1, 4326), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             $13, $14)",
        )
        .ctx(|| "preparing planned hazard areas".to_string())?;
    for h in &plan.hazards {
        let Some(area) = areas.get(&h.id) else {
            continue;
        };
        let geometry = Geometry::from(area.geometry().as_multi_polygon().clone());
        let wkb = encode(RecordKind::HazardArea, area.code.as_str(), &geometry)?;
        let (p50, p90) = dates.get(&h.id).cloned().unwrap_or_default();
        tx.execute(
            &stmt,
            &[
                &wkb,
                &id.to_string(),
                &plan.name,
                &h.id.to_string(),
                &h.code.as_str(),
                &area.classification().as_str(),
                &area.status().as_str(),
                &area.area_m2(),
                &h.release_date.map(|d| d.to_string()),
                &p50,
                &p90,
                &h.expected.cancelled_m2,
                &h.expected.reduced_m2,
                &h.expected.cleared_m2,
            ],
        )
        .ctx(|| format!("saving the planned release of {}", h.code))?;
    }
    Ok(())
}

fn save_assets(
    tx: &mut Transaction,
    id: Uuid,
    dataset: &Dataset,
    plan: &Plan,
    dates: &Dates,
) -> Result<(), StoreError> {
    let assets: HashMap<Uuid, _> = dataset.assets.iter().map(|a| (a.id, a)).collect();
    let stmt = tx
        .prepare(
            "INSERT INTO plan_assets (geom, plan_id, plan, asset_id, code, name, kind, \
             restricted, planned_restoration, p50_restoration, p90_restoration, weight) \
             VALUES (ST_GeomFromWKB($1, 4326), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .ctx(|| "preparing planned assets".to_string())?;
    for a in &plan.assets {
        let Some(asset) = assets.get(&a.id) else {
            continue;
        };
        let wkb = encode(
            RecordKind::Asset,
            asset.code.as_str(),
            &asset.footprint.to_geometry(),
        )?;
        let (p50, p90) = dates.get(&a.id).cloned().unwrap_or_default();
        tx.execute(
            &stmt,
            &[
                &wkb,
                &id.to_string(),
                &plan.name,
                &a.id.to_string(),
                &a.code.as_str(),
                &asset.name,
                &asset.kind.as_str(),
                &asset.restricted,
                &a.restoration_date.map(|d| d.to_string()),
                &p50,
                &p90,
                &a.weight,
            ],
        )
        .ctx(|| format!("saving the planned restoration of {}", a.code))?;
    }
    Ok(())
}

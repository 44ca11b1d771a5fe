//! Writing: inserting a dataset and replacing a hazard area, each in one transaction, with
//! the GeoPackage's checks in the GeoPackage's order.
//!
//! Every write transaction starts by locking the audit log's head row ([`begin`]): writers
//! queue there, each reads what it checks after the one before has committed, and the
//! audit log's sequence never forks, however many servers share the database.

use std::collections::HashSet;

use bonifica_model::{
    Asset, Dataset, Footprint, HazardArea, Organisation, OrganisationKind, Person, Polygonal,
    RecordKind, Region, Role, ServiceValue,
};
use geo_types::{Geometry, LineString, Point, Polygon};
use postgres::{Client, Transaction};
use uuid::Uuid;

use super::audit::{self, Change, SYSTEM};
use super::geometry;
use super::read::{self, Param, refs};
use crate::error::SqlContext;
use crate::gpkg::read::{parse_code, parse_uuid};
use crate::gpkg::write::{HAZARD_FIELDS, check_with_stored, region_ids};
use crate::{Counts, InsertReport, StoreError};

/// Begins a write transaction and takes the audit head's row lock, which every writer
/// takes first: writers run one after the other.
pub fn begin(client: &mut Client) -> Result<Transaction<'_>, postgres::Error> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE", &[])?;
    Ok(tx)
}

/// Adds every record of `dataset` in one transaction; see [`crate::Store::insert`].
/// The audit log gets one entry for the whole insert: the rows added per table.
pub fn insert(client: &mut Client, dataset: &Dataset) -> Result<InsertReport, StoreError> {
    let mut tx = begin(client).ctx(|| "starting an insert".to_string())?;
    let before = read::counts(&mut tx)?;
    insert_tx(&mut tx, dataset)?;
    let after = read::counts(&mut tx)?;
    let added = Counts(
        after
            .0
            .iter()
            .map(|(table, n)| (*table, n - before.get(table)))
            .filter(|(_, n)| *n > 0)
            .collect(),
    );
    if added.total() > 0 {
        audit::append_now(
            &mut tx,
            Change {
                actor: SYSTEM,
                action: "insert",
                entity: "dataset",
                entity_id: region_ids(dataset),
                before: None,
                after: Some(audit::json(&serde_json::json!({ "added": added.0 }))?),
            },
        )?;
    }
    tx.commit().ctx(|| "committing the insert".to_string())?;
    Ok(InsertReport { added })
}

/// Checks and writes every record of `dataset` inside a transaction the caller commits.
pub fn insert_tx(tx: &mut Transaction, dataset: &Dataset) -> Result<(), StoreError> {
    refuse_stored_duplicates(tx, dataset)?;
    check_with_stored(stand_ins(tx)?, dataset)?;
    insert_records(tx, dataset)
}

/// Replaces a stored hazard area, keeping the replaced version in the history; the audit
/// log records it as done by `system`.
pub fn replace_hazard_area(
    client: &mut Client,
    area: &HazardArea,
    expected_version: u32,
) -> Result<(), StoreError> {
    let context = || format!("replacing hazard area {}", area.code);
    let mut tx = begin(client).ctx(context)?;
    let before = read::hazard_area(&mut tx, area.id)?;
    replace_hazard_area_tx(&mut tx, area, expected_version)?;
    audit::append_now(
        &mut tx,
        Change {
            actor: SYSTEM,
            action: "update",
            entity: "hazard_area",
            entity_id: area.id.to_string(),
            before: before.as_ref().map(audit::json).transpose()?,
            after: Some(audit::json(area)?),
        },
    )?;
    tx.commit().ctx(context)?;
    Ok(())
}

/// [`replace_hazard_area`] inside a transaction the caller commits.
pub fn replace_hazard_area_tx(
    tx: &mut Transaction,
    area: &HazardArea,
    expected_version: u32,
) -> Result<(), StoreError> {
    let code = area.code.as_str();
    let context = || format!("replacing hazard area {code}");
    let stored = tx
        .query_opt(
            "SELECT version, code FROM hazard_areas WHERE id = $1",
            &[&area.id.to_string()],
        )
        .ctx(context)?;
    let Some(stored) = stored else {
        return Err(StoreError::NotFound {
            kind: RecordKind::HazardArea.label(),
            id: area.id,
        });
    };
    let stored_code: String = stored.try_get(1).ctx(context)?;
    let stored = read::version_of(
        "hazard_areas",
        &stored_code,
        stored.try_get(0).ctx(context)?,
    )?;
    if stored != expected_version {
        return Err(StoreError::VersionConflict {
            kind: RecordKind::HazardArea.label(),
            code: stored_code,
            stored,
            expected: expected_version,
        });
    }
    if area.version <= stored {
        return Err(StoreError::VersionNotRaised {
            code: stored_code,
            stored,
            given: area.version,
        });
    }
    tx.execute(
        &format!(
            "INSERT INTO hazard_area_versions (hazard_area_id, {HAZARD_FIELDS}, geom) \
             SELECT id, {HAZARD_FIELDS}, ST_AsBinary(geom) FROM hazard_areas WHERE id = $1"
        ),
        &[&area.id.to_string()],
    )
    .ctx(context)?;
    let mut values = hazard_values(area)?;
    let sets = HAZARD_FIELDS
        .split(", ")
        .enumerate()
        .map(|(i, f)| format!("{f} = ${}", i + 1))
        .collect::<Vec<_>>()
        .join(", ");
    values.push(Box::new(area.id.to_string()));
    tx.execute(
        &format!("UPDATE hazard_areas SET {sets}, geom = ST_GeomFromWKB($17, 4326) WHERE id = $18"),
        &refs(&values),
    )
    .ctx(context)?;
    Ok(())
}

/// A hazard area's values in [`HAZARD_FIELDS`] order, then its geometry as WKB.
fn hazard_values(h: &HazardArea) -> Result<Vec<Param>, StoreError> {
    let geometry = Geometry::MultiPolygon(h.geometry().as_multi_polygon().clone());
    Ok(vec![
        Box::new(h.code.to_string()),
        Box::new(h.region_id.to_string()),
        Box::new(h.organisation_id.map(|o| o.to_string())),
        Box::new(h.classification().as_str().to_string()),
        Box::new(h.status().as_str().to_string()),
        Box::new(h.status().closure_reason().map(|r| r.as_str().to_string())),
        Box::new(h.contamination.as_str().to_string()),
        Box::new(h.area_m2()),
        Box::new(h.density_per_ha),
        Box::new(h.terrain.as_str().to_string()),
        Box::new(h.vegetation.as_str().to_string()),
        Box::new(i64::from(h.clearance_depth_cm)),
        Box::new(h.evidence.clone()),
        Box::new(h.restricted),
        Box::new(i64::from(h.version)),
        Box::new(h.as_of.to_string()),
        Box::new(encode(RecordKind::HazardArea, h.code.as_str(), &geometry)?),
    ])
}

/// A geometry as WKB, or [`StoreError::Geometry`] naming the record.
pub fn encode(
    kind: RecordKind,
    code: &str,
    geometry: &Geometry<f64>,
) -> Result<Vec<u8>, StoreError> {
    geometry::encode(geometry).map_err(|problem| StoreError::Geometry {
        kind: kind.label(),
        code: code.to_string(),
        problem,
    })
}

/// Refuses records whose id or code is already stored, naming the first one.
fn refuse_stored_duplicates(tx: &mut Transaction, d: &Dataset) -> Result<(), StoreError> {
    type Pairs<'a> = Vec<(Uuid, &'a bonifica_model::Code)>;
    let kinds: [(RecordKind, &str, Pairs); 10] = [
        (
            RecordKind::Region,
            "regions",
            d.regions.iter().map(|r| (r.id, &r.code)).collect(),
        ),
        (
            RecordKind::Organisation,
            "organisations",
            d.organisations.iter().map(|r| (r.id, &r.code)).collect(),
        ),
        (
            RecordKind::Person,
            "people",
            d.people.iter().map(|r| (r.id, &r.code)).collect(),
        ),
        (
            RecordKind::Contract,
            "contracts",
            d.contracts.iter().map(|r| (r.id, &r.code)).collect(),
        ),
        (
            RecordKind::Team,
            "teams",
            d.teams.iter().map(|r| (r.id, &r.code)).collect(),
        ),
        (
            RecordKind::Crew,
            "crews",
            d.crews.iter().map(|r| (r.id, &r.code)).collect(),
        ),
        (
            RecordKind::Settlement,
            "settlements",
            d.settlements.iter().map(|r| (r.id, &r.code)).collect(),
        ),
        (
            RecordKind::River,
            "rivers",
            d.rivers.iter().map(|r| (r.id, &r.code)).collect(),
        ),
        (
            RecordKind::HazardArea,
            "hazard_areas",
            d.hazard_areas.iter().map(|r| (r.id, &r.code)).collect(),
        ),
        (
            RecordKind::Asset,
            "assets",
            d.assets.iter().map(|r| (r.id, &r.code)).collect(),
        ),
    ];
    for (kind, table, records) in kinds {
        if records.is_empty() {
            continue;
        }
        let context = || format!("reading stored ids and codes of {table}");
        let rows = tx
            .query(&format!("SELECT id, code FROM \"{table}\""), &[])
            .ctx(context)?;
        let mut ids = HashSet::new();
        let mut codes = HashSet::new();
        for row in &rows {
            ids.insert(row.try_get::<_, String>(0).ctx(context)?);
            codes.insert(row.try_get::<_, String>(1).ctx(context)?);
        }
        for (id, code) in records {
            let what = if ids.contains(&id.to_string()) {
                "id"
            } else if codes.contains(code.as_str()) {
                "code"
            } else {
                continue;
            };
            return Err(StoreError::Duplicate {
                kind: kind.label(),
                code: code.to_string(),
                what,
            });
        }
    }
    Ok(())
}

/// Stand-ins of the stored records that references need (id, code, region,
/// organisation), as the GeoPackage builds them.
fn stand_ins(tx: &mut Transaction) -> Result<Dataset, StoreError> {
    let mut d = Dataset::default();
    let nowhere = Polygonal::from(Polygon::new(LineString(vec![]), vec![]));
    for_rows(tx, "regions", "id, code, id, id", |id, code, _, _| {
        d.regions.push(Region {
            id,
            code,
            name: String::new(),
            boundary: nowhere.clone(),
        });
    })?;
    for_rows(
        tx,
        "organisations",
        "id, code, region_id, region_id",
        |id, code, region_id, _| {
            d.organisations.push(Organisation {
                id,
                code,
                region_id,
                name: String::new(),
                kind: OrganisationKind::CivilAuthority,
            });
        },
    )?;
    for_rows(
        tx,
        "people",
        "id, code, region_id, organisation_id",
        |id, code, region_id, org| {
            d.people.push(Person {
                id,
                code,
                region_id,
                organisation_id: org,
                name: String::new(),
                role: Role::Worker,
                trade: None,
                qualifications: Vec::new(),
            });
        },
    )?;
    for_rows(
        tx,
        "assets",
        "id, code, region_id, region_id",
        |id, code, region_id, _| {
            d.assets.push(Asset {
                id,
                code,
                region_id,
                name: String::new(),
                kind: bonifica_model::AssetKind::RoadSegment,
                footprint: Footprint::Point(Point::new(0.0, 0.0)),
                damage: bonifica_model::DamageLevel::Undamaged,
                repair: Vec::new(),
                service: ServiceValue::default(),
                depends_on: Vec::new(),
                restricted: false,
                restored: false,
            });
        },
    )?;
    Ok(d)
}

/// Calls `f(id, code, a, b)` for every row of `SELECT {columns} FROM {table}`, where the
/// four columns are the id, the code and two more uuids.
fn for_rows(
    tx: &mut Transaction,
    table: &'static str,
    columns: &'static str,
    mut f: impl FnMut(Uuid, bonifica_model::Code, Uuid, Uuid),
) -> Result<(), StoreError> {
    let context = || format!("reading stored {table}");
    let rows = tx
        .query(
            &format!("SELECT {columns} FROM \"{table}\" ORDER BY fid"),
            &[],
        )
        .ctx(context)?;
    let names: Vec<&'static str> = columns.split(", ").collect();
    for row in &rows {
        let text: [String; 4] = [
            row.try_get(0).ctx(context)?,
            row.try_get(1).ctx(context)?,
            row.try_get(2).ctx(context)?,
            row.try_get(3).ctx(context)?,
        ];
        let code = parse_code(table, &text[1])?;
        let id = parse_uuid(table, &text[1], "id", &text[0])?;
        let a = parse_uuid(table, &text[1], names[2], &text[2])?;
        let b = parse_uuid(table, &text[1], names[3], &text[3])?;
        f(id, code, a, b);
    }
    Ok(())
}

fn insert_records(tx: &mut Transaction, d: &Dataset) -> Result<(), StoreError> {
    insert_regions(tx, d)?;
    insert_workforce(tx, d)?;
    insert_places(tx, d)?;
    let stmt = tx
        .prepare(&format!(
            "INSERT INTO hazard_areas ({HAZARD_FIELDS}, geom, id) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             ST_GeomFromWKB($17, 4326), $18)"
        ))
        .ctx(|| "preparing hazard area insert".to_string())?;
    for h in &d.hazard_areas {
        let mut values = hazard_values(h)?;
        values.push(Box::new(h.id.to_string()));
        tx.execute(&stmt, &refs(&values))
            .ctx(|| format!("storing hazard area {}", h.code))?;
    }
    insert_assets(tx, d)
}

fn insert_regions(tx: &mut Transaction, d: &Dataset) -> Result<(), StoreError> {
    let stmt = tx
        .prepare(
            "INSERT INTO regions (geom, id, code, name, area_m2) \
             VALUES (ST_GeomFromWKB($1, 4326), $2, $3, $4, $5)",
        )
        .ctx(|| "preparing region insert".to_string())?;
    for r in &d.regions {
        let geometry = Geometry::MultiPolygon(r.boundary.as_multi_polygon().clone());
        let wkb = encode(RecordKind::Region, r.code.as_str(), &geometry)?;
        tx.execute(
            &stmt,
            &[
                &wkb,
                &r.id.to_string(),
                &r.code.as_str(),
                &r.name,
                &r.boundary.area_m2(),
            ],
        )
        .ctx(|| format!("storing region {}", r.code))?;
    }
    Ok(())
}

fn position(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX)
}

fn insert_workforce(tx: &mut Transaction, d: &Dataset) -> Result<(), StoreError> {
    let stmt = tx
        .prepare(
            "INSERT INTO organisations (id, code, region_id, name, kind) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .ctx(|| "preparing organisation insert".to_string())?;
    for o in &d.organisations {
        tx.execute(
            &stmt,
            &[
                &o.id.to_string(),
                &o.code.as_str(),
                &o.region_id.to_string(),
                &o.name,
                &o.kind.as_str(),
            ],
        )
        .ctx(|| format!("storing organisation {}", o.code))?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO people (id, code, region_id, organisation_id, name, role, trade, \
             qualifications) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .ctx(|| "preparing person insert".to_string())?;
    for p in &d.people {
        let qualifications = serde_json::Value::from(p.qualifications.clone()).to_string();
        tx.execute(
            &stmt,
            &[
                &p.id.to_string(),
                &p.code.as_str(),
                &p.region_id.to_string(),
                &p.organisation_id.to_string(),
                &p.name,
                &p.role.as_str(),
                &p.trade.map(|t| t.as_str()),
                &qualifications,
            ],
        )
        .ctx(|| format!("storing person {}", p.code))?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO contracts (id, code, region_id, person_id, organisation_id, \
             start_date, end_date) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .ctx(|| "preparing contract insert".to_string())?;
    for c in &d.contracts {
        tx.execute(
            &stmt,
            &[
                &c.id.to_string(),
                &c.code.as_str(),
                &c.region_id.to_string(),
                &c.person_id.to_string(),
                &c.organisation_id.to_string(),
                &c.window.start().to_string(),
                &c.window.end().to_string(),
            ],
        )
        .ctx(|| format!("storing contract {}", c.code))?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO teams (id, code, region_id, organisation_id, name, method, base_lon, \
             base_lat) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .ctx(|| "preparing team insert".to_string())?;
    let member = tx
        .prepare("INSERT INTO team_members (team_id, position, person_id) VALUES ($1, $2, $3)")
        .ctx(|| "preparing team member insert".to_string())?;
    for t in &d.teams {
        tx.execute(
            &stmt,
            &[
                &t.id.to_string(),
                &t.code.as_str(),
                &t.region_id.to_string(),
                &t.organisation_id.to_string(),
                &t.name,
                &t.method.as_str(),
                &t.base.x(),
                &t.base.y(),
            ],
        )
        .ctx(|| format!("storing team {}", t.code))?;
        for (i, m) in t.members.iter().enumerate() {
            tx.execute(&member, &[&t.id.to_string(), &position(i), &m.to_string()])
                .ctx(|| format!("storing team {} member {m}", t.code))?;
        }
    }
    let stmt = tx
        .prepare(
            "INSERT INTO crews (id, code, region_id, organisation_id, name, trade, base_lon, \
             base_lat) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .ctx(|| "preparing crew insert".to_string())?;
    let member = tx
        .prepare("INSERT INTO crew_members (crew_id, position, person_id) VALUES ($1, $2, $3)")
        .ctx(|| "preparing crew member insert".to_string())?;
    for c in &d.crews {
        tx.execute(
            &stmt,
            &[
                &c.id.to_string(),
                &c.code.as_str(),
                &c.region_id.to_string(),
                &c.organisation_id.to_string(),
                &c.name,
                &c.trade.as_str(),
                &c.base.x(),
                &c.base.y(),
            ],
        )
        .ctx(|| format!("storing crew {}", c.code))?;
        for (i, m) in c.members.iter().enumerate() {
            tx.execute(&member, &[&c.id.to_string(), &position(i), &m.to_string()])
                .ctx(|| format!("storing crew {} member {m}", c.code))?;
        }
    }
    Ok(())
}

fn insert_places(tx: &mut Transaction, d: &Dataset) -> Result<(), StoreError> {
    let stmt = tx
        .prepare(
            "INSERT INTO settlements (geom, id, code, region_id, name, population) \
             VALUES (ST_GeomFromWKB($1, 4326), $2, $3, $4, $5, $6)",
        )
        .ctx(|| "preparing settlement insert".to_string())?;
    for s in &d.settlements {
        let wkb = encode(
            RecordKind::Settlement,
            s.code.as_str(),
            &s.footprint.to_geometry(),
        )?;
        tx.execute(
            &stmt,
            &[
                &wkb,
                &s.id.to_string(),
                &s.code.as_str(),
                &s.region_id.to_string(),
                &s.name,
                &i64::from(s.population),
            ],
        )
        .ctx(|| format!("storing settlement {}", s.code))?;
    }
    let stmt = tx
        .prepare(
            "INSERT INTO rivers (geom, id, code, region_id, name) \
             VALUES (ST_GeomFromWKB($1, 4326), $2, $3, $4, $5)",
        )
        .ctx(|| "preparing river insert".to_string())?;
    for r in &d.rivers {
        let wkb = encode(
            RecordKind::River,
            r.code.as_str(),
            &Geometry::MultiLineString(r.course.clone()),
        )?;
        tx.execute(
            &stmt,
            &[
                &wkb,
                &r.id.to_string(),
                &r.code.as_str(),
                &r.region_id.to_string(),
                &r.name,
            ],
        )
        .ctx(|| format!("storing river {}", r.code))?;
    }
    Ok(())
}

fn insert_assets(tx: &mut Transaction, d: &Dataset) -> Result<(), StoreError> {
    let stmt = tx
        .prepare(
            "INSERT INTO assets (geom, id, code, region_id, name, kind, damage, \
             population_served, network_share, restricted, restored, repair_person_days, \
             length_m) VALUES (ST_GeomFromWKB($1, 4326), $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13)",
        )
        .ctx(|| "preparing asset insert".to_string())?;
    let work = tx
        .prepare(
            "INSERT INTO asset_repair_work (asset_id, position, trade, person_days) \
             VALUES ($1, $2, $3, $4)",
        )
        .ctx(|| "preparing repair work insert".to_string())?;
    for a in &d.assets {
        let wkb = encode(
            RecordKind::Asset,
            a.code.as_str(),
            &a.footprint.to_geometry(),
        )?;
        tx.execute(
            &stmt,
            &[
                &wkb,
                &a.id.to_string(),
                &a.code.as_str(),
                &a.region_id.to_string(),
                &a.name,
                &a.kind.as_str(),
                &a.damage.as_str(),
                &i64::from(a.service.population_served),
                &a.service.network_share,
                &a.restricted,
                &a.restored,
                &a.repair_person_days(),
                &a.length_m(),
            ],
        )
        .ctx(|| format!("storing asset {}", a.code))?;
        for (i, w) in a.repair.iter().enumerate() {
            tx.execute(
                &work,
                &[
                    &a.id.to_string(),
                    &position(i),
                    &w.trade.as_str(),
                    &w.person_days,
                ],
            )
            .ctx(|| format!("storing asset {} repair work", a.code))?;
        }
    }
    // Dependencies last: an asset may depend on one listed after it.
    let dep = tx
        .prepare(
            "INSERT INTO asset_dependencies (asset_id, position, depends_on_id) \
             VALUES ($1, $2, $3)",
        )
        .ctx(|| "preparing asset dependency insert".to_string())?;
    for a in &d.assets {
        for (i, on) in a.depends_on.iter().enumerate() {
            tx.execute(&dep, &[&a.id.to_string(), &position(i), &on.to_string()])
                .ctx(|| format!("storing asset {} dependency on {on}", a.code))?;
        }
    }
    Ok(())
}

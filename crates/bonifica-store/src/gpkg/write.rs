//! Writing: inserting a dataset and replacing a hazard area, each in one transaction.
//!
//! An insert first checks its records against what is stored (duplicate ids and codes,
//! references to stored records) and only then writes, in an order that lets foreign keys
//! be checked immediately. Any error rolls the whole transaction back.
//!
//! Write transactions begin IMMEDIATE: they take the write lock before reading what they
//! check, so two writers queue (within the busy timeout) instead of one failing at its
//! commit, and the audit log's sequence never forks.

use std::collections::{BTreeSet, HashSet};

use bonifica_model::{
    Asset, Dataset, Footprint, HazardArea, Organisation, OrganisationKind, Person, Polygonal,
    RecordKind, Region, Role, ServiceValue,
};
use geo_types::{Geometry, LineString, Point, Polygon};
use rusqlite::{Connection, Transaction, TransactionBehavior, params};
use uuid::Uuid;

use super::audit::{self, Change, SYSTEM};
use super::binary;
use super::read::{self, parse_code, parse_uuid};
use super::schema::FEATURE_TABLES;
use crate::error::SqlContext;
use crate::{Counts, InsertReport, StoreError};

/// Adds every record of `dataset` in one transaction; see [`crate::Store::insert`].
/// The audit log gets one entry for the whole insert: the rows added per table.
pub fn insert(conn: &mut Connection, dataset: &Dataset) -> Result<InsertReport, StoreError> {
    let tx = begin(conn).ctx(|| "starting an insert".to_string())?;
    let before = read::counts(&tx)?;
    insert_tx(&tx, dataset)?;
    let after = read::counts(&tx)?;
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
            &tx,
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

/// Begins a write transaction that holds the write lock from its start.
pub(super) fn begin(conn: &mut Connection) -> rusqlite::Result<Transaction<'_>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
}

/// The ids of the regions a dataset's records belong to, for the audit log.
pub(crate) fn region_ids(d: &Dataset) -> String {
    let ids: BTreeSet<Uuid> = d
        .regions
        .iter()
        .map(|r| r.id)
        .chain(d.organisations.iter().map(|r| r.region_id))
        .chain(d.people.iter().map(|r| r.region_id))
        .chain(d.contracts.iter().map(|r| r.region_id))
        .chain(d.teams.iter().map(|r| r.region_id))
        .chain(d.crews.iter().map(|r| r.region_id))
        .chain(d.settlements.iter().map(|r| r.region_id))
        .chain(d.rivers.iter().map(|r| r.region_id))
        .chain(d.hazard_areas.iter().map(|r| r.region_id))
        .chain(d.assets.iter().map(|r| r.region_id))
        .collect();
    ids.iter()
        .map(Uuid::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Checks and writes every record of `dataset` inside a transaction the caller commits.
pub(super) fn insert_tx(tx: &Transaction, dataset: &Dataset) -> Result<(), StoreError> {
    refuse_stored_duplicates(tx, dataset)?;
    check_against_stored(tx, dataset)?;
    insert_records(tx, dataset)?;
    for table in FEATURE_TABLES {
        refresh_extent(tx, table)?;
    }
    Ok(())
}

/// Replaces a stored hazard area, keeping the replaced version in the history; the audit
/// log records it as done by `system`.
pub fn replace_hazard_area(
    conn: &mut Connection,
    area: &HazardArea,
    expected_version: u32,
) -> Result<(), StoreError> {
    let context = || format!("replacing hazard area {}", area.code);
    let tx = begin(conn).ctx(context)?;
    let before = read::hazard_area(&tx, area.id)?;
    replace_hazard_area_tx(&tx, area, expected_version)?;
    audit::append_now(
        &tx,
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
pub(super) fn replace_hazard_area_tx(
    tx: &Transaction,
    area: &HazardArea,
    expected_version: u32,
) -> Result<(), StoreError> {
    let code = area.code.as_str();
    let context = || format!("replacing hazard area {code}");
    let stored: Option<(u32, String)> = tx
        .query_row(
            "SELECT version, code FROM hazard_areas WHERE id = ?1",
            [area.id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })
        .ctx(context)?;
    let Some((stored, stored_code)) = stored else {
        return Err(StoreError::NotFound {
            kind: RecordKind::HazardArea.label(),
            id: area.id,
        });
    };
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
             SELECT id, {HAZARD_FIELDS}, geom FROM hazard_areas WHERE id = ?1"
        ),
        [area.id.to_string()],
    )
    .ctx(context)?;
    let row = HazardRow::new(area)?;
    let sets = HAZARD_FIELDS
        .split(", ")
        .enumerate()
        .map(|(i, f)| format!("{f} = ?{}", i + 1))
        .collect::<Vec<_>>()
        .join(", ");
    tx.execute(
        &format!("UPDATE hazard_areas SET {sets}, geom = ?17 WHERE id = ?18"),
        row.params_with(area.id.to_string()),
    )
    .ctx(context)?;
    refresh_extent(tx, "hazard_areas")?;
    Ok(())
}

/// The stored columns of a hazard area besides `id` and `geom`, in [`HazardRow`] order.
pub(crate) const HAZARD_FIELDS: &str = "code, region_id, organisation_id, classification, \
    status, closure_reason, contamination, area_m2, density_per_ha, terrain, vegetation, \
    clearance_depth_cm, evidence, restricted, version, as_of";

/// A hazard area's column values, ready to bind.
struct HazardRow {
    values: Vec<rusqlite::types::Value>,
}

impl HazardRow {
    fn new(h: &HazardArea) -> Result<HazardRow, StoreError> {
        use rusqlite::types::Value;
        let text = |s: &str| Value::Text(s.to_string());
        let opt = |s: Option<String>| s.map(Value::Text).unwrap_or(Value::Null);
        let geometry = Geometry::MultiPolygon(h.geometry().as_multi_polygon().clone());
        let values = vec![
            text(h.code.as_str()),
            Value::Text(h.region_id.to_string()),
            opt(h.organisation_id.map(|o| o.to_string())),
            text(h.classification().as_str()),
            text(h.status().as_str()),
            opt(h.status().closure_reason().map(|r| r.as_str().to_string())),
            text(h.contamination.as_str()),
            Value::Real(h.area_m2()),
            Value::Real(h.density_per_ha),
            text(h.terrain.as_str()),
            text(h.vegetation.as_str()),
            Value::Integer(i64::from(h.clearance_depth_cm)),
            text(&h.evidence),
            Value::Integer(i64::from(h.restricted)),
            Value::Integer(i64::from(h.version)),
            Value::Text(h.as_of.to_string()),
            Value::Blob(encode(RecordKind::HazardArea, &h.code, &geometry)?),
        ];
        Ok(HazardRow { values })
    }

    fn params_with(
        mut self,
        last: String,
    ) -> rusqlite::ParamsFromIter<Vec<rusqlite::types::Value>> {
        self.values.push(rusqlite::types::Value::Text(last));
        rusqlite::params_from_iter(self.values)
    }
}

fn encode(
    kind: RecordKind,
    code: &bonifica_model::Code,
    geometry: &Geometry<f64>,
) -> Result<Vec<u8>, StoreError> {
    binary::encode(geometry).map_err(|problem| StoreError::Geometry {
        kind: kind.label(),
        code: code.to_string(),
        problem,
    })
}

fn footprint_geometry(f: &Footprint) -> Geometry<f64> {
    f.to_geometry()
}

/// Refuses records whose id or code is already stored, naming the first one.
fn refuse_stored_duplicates(tx: &Transaction, d: &Dataset) -> Result<(), StoreError> {
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
        let mut stmt = tx
            .prepare(&format!("SELECT id, code FROM \"{table}\""))
            .ctx(context)?;
        let mut ids = HashSet::new();
        let mut codes = HashSet::new();
        let mut rows = stmt.query([]).ctx(context)?;
        while let Some(row) = rows.next().ctx(context)? {
            ids.insert(row.get::<_, String>(0).ctx(context)?);
            codes.insert(row.get::<_, String>(1).ctx(context)?);
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

/// Runs [`Dataset::check`] on the union of the stored records and `d`. Stored records enter
/// as stand-ins that carry only what references need (id, code, region, organisation):
/// they were checked when they were stored, and loading them whole would be wasted work.
fn check_against_stored(tx: &Transaction, d: &Dataset) -> Result<(), StoreError> {
    check_with_stored(stand_ins(tx)?, d)
}

/// Runs [`Dataset::check`] on `stored` (stand-ins of the stored records) with `d` added.
pub(crate) fn check_with_stored(stored: Dataset, d: &Dataset) -> Result<(), StoreError> {
    if stored.regions.is_empty() {
        return Ok(d.check()?);
    }
    let mut union = stored;
    union.regions.extend(d.regions.iter().cloned());
    union.organisations.extend(d.organisations.iter().cloned());
    union.people.extend(d.people.iter().cloned());
    union.assets.extend(d.assets.iter().cloned());
    union.contracts = d.contracts.clone();
    union.teams = d.teams.clone();
    union.crews = d.crews.clone();
    union.settlements = d.settlements.clone();
    union.hazard_areas = d.hazard_areas.clone();
    union.rivers = d.rivers.clone();
    Ok(union.check()?)
}

fn stand_ins(tx: &Transaction) -> Result<Dataset, StoreError> {
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
    tx: &Transaction,
    table: &'static str,
    columns: &'static str,
    mut f: impl FnMut(Uuid, bonifica_model::Code, Uuid, Uuid),
) -> Result<(), StoreError> {
    let context = || format!("reading stored {table}");
    let mut stmt = tx
        .prepare(&format!("SELECT {columns} FROM \"{table}\" ORDER BY fid"))
        .ctx(context)?;
    let mut rows = stmt.query([]).ctx(context)?;
    let names: Vec<&'static str> = columns.split(", ").collect();
    while let Some(row) = rows.next().ctx(context)? {
        let text: [String; 4] = [
            row.get(0).ctx(context)?,
            row.get(1).ctx(context)?,
            row.get(2).ctx(context)?,
            row.get(3).ctx(context)?,
        ];
        let code = parse_code(table, &text[1])?;
        let id = parse_uuid(table, &text[1], "id", &text[0])?;
        let a = parse_uuid(table, &text[1], names[2], &text[2])?;
        let b = parse_uuid(table, &text[1], names[3], &text[3])?;
        f(id, code, a, b);
    }
    Ok(())
}

fn insert_records(tx: &Transaction, d: &Dataset) -> Result<(), StoreError> {
    insert_regions(tx, d)?;
    insert_workforce(tx, d)?;
    insert_places(tx, d)?;
    for h in &d.hazard_areas {
        let row = HazardRow::new(h)?;
        let mut stmt = tx
            .prepare_cached(&format!(
                "INSERT INTO hazard_areas ({HAZARD_FIELDS}, geom, id) VALUES \
                 (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
            ))
            .ctx(|| "preparing hazard area insert".to_string())?;
        stmt.execute(row.params_with(h.id.to_string()))
            .ctx(|| format!("storing hazard area {}", h.code))?;
    }
    insert_assets(tx, d)
}

fn insert_regions(tx: &Transaction, d: &Dataset) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO regions (geom, id, code, name, area_m2) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .ctx(|| "preparing region insert".to_string())?;
    for r in &d.regions {
        let geometry = Geometry::MultiPolygon(r.boundary.as_multi_polygon().clone());
        let blob = encode(RecordKind::Region, &r.code, &geometry)?;
        stmt.execute(params![
            blob,
            r.id.to_string(),
            r.code.as_str(),
            r.name,
            r.boundary.area_m2()
        ])
        .ctx(|| format!("storing region {}", r.code))?;
    }
    Ok(())
}

fn insert_workforce(tx: &Transaction, d: &Dataset) -> Result<(), StoreError> {
    let prep = |sql: &str| tx.prepare_cached(sql).ctx(|| format!("preparing {sql}"));
    let mut stmt = prep(
        "INSERT INTO organisations (id, code, region_id, name, kind) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for o in &d.organisations {
        stmt.execute(params![
            o.id.to_string(),
            o.code.as_str(),
            o.region_id.to_string(),
            o.name,
            o.kind.as_str()
        ])
        .ctx(|| format!("storing organisation {}", o.code))?;
    }
    let mut stmt = prep(
        "INSERT INTO people (id, code, region_id, organisation_id, name, role, trade, qualifications) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for p in &d.people {
        let qualifications = serde_json::Value::from(p.qualifications.clone()).to_string();
        stmt.execute(params![
            p.id.to_string(),
            p.code.as_str(),
            p.region_id.to_string(),
            p.organisation_id.to_string(),
            p.name,
            p.role.as_str(),
            p.trade.map(|t| t.as_str()),
            qualifications
        ])
        .ctx(|| format!("storing person {}", p.code))?;
    }
    let mut stmt = prep(
        "INSERT INTO contracts (id, code, region_id, person_id, organisation_id, start_date, end_date) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for c in &d.contracts {
        stmt.execute(params![
            c.id.to_string(),
            c.code.as_str(),
            c.region_id.to_string(),
            c.person_id.to_string(),
            c.organisation_id.to_string(),
            c.window.start().to_string(),
            c.window.end().to_string()
        ])
        .ctx(|| format!("storing contract {}", c.code))?;
    }
    let mut stmt = prep(
        "INSERT INTO teams (id, code, region_id, organisation_id, name, method, base_lon, base_lat) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut member =
        prep("INSERT INTO team_members (team_id, position, person_id) VALUES (?1, ?2, ?3)")?;
    for t in &d.teams {
        stmt.execute(params![
            t.id.to_string(),
            t.code.as_str(),
            t.region_id.to_string(),
            t.organisation_id.to_string(),
            t.name,
            t.method.as_str(),
            t.base.x(),
            t.base.y()
        ])
        .ctx(|| format!("storing team {}", t.code))?;
        for (i, m) in t.members.iter().enumerate() {
            member
                .execute(params![t.id.to_string(), i, m.to_string()])
                .ctx(|| format!("storing team {} member {m}", t.code))?;
        }
    }
    let mut stmt = prep(
        "INSERT INTO crews (id, code, region_id, organisation_id, name, trade, base_lon, base_lat) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut member =
        prep("INSERT INTO crew_members (crew_id, position, person_id) VALUES (?1, ?2, ?3)")?;
    for c in &d.crews {
        stmt.execute(params![
            c.id.to_string(),
            c.code.as_str(),
            c.region_id.to_string(),
            c.organisation_id.to_string(),
            c.name,
            c.trade.as_str(),
            c.base.x(),
            c.base.y()
        ])
        .ctx(|| format!("storing crew {}", c.code))?;
        for (i, m) in c.members.iter().enumerate() {
            member
                .execute(params![c.id.to_string(), i, m.to_string()])
                .ctx(|| format!("storing crew {} member {m}", c.code))?;
        }
    }
    Ok(())
}

fn insert_places(tx: &Transaction, d: &Dataset) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO settlements (geom, id, code, region_id, name, population) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .ctx(|| "preparing settlement insert".to_string())?;
    for s in &d.settlements {
        let blob = encode(
            RecordKind::Settlement,
            &s.code,
            &footprint_geometry(&s.footprint),
        )?;
        stmt.execute(params![
            blob,
            s.id.to_string(),
            s.code.as_str(),
            s.region_id.to_string(),
            s.name,
            s.population
        ])
        .ctx(|| format!("storing settlement {}", s.code))?;
    }
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO rivers (geom, id, code, region_id, name) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .ctx(|| "preparing river insert".to_string())?;
    for r in &d.rivers {
        let blob = encode(
            RecordKind::River,
            &r.code,
            &Geometry::MultiLineString(r.course.clone()),
        )?;
        stmt.execute(params![
            blob,
            r.id.to_string(),
            r.code.as_str(),
            r.region_id.to_string(),
            r.name
        ])
        .ctx(|| format!("storing river {}", r.code))?;
    }
    Ok(())
}

fn insert_assets(tx: &Transaction, d: &Dataset) -> Result<(), StoreError> {
    let prep = |sql: &str| tx.prepare_cached(sql).ctx(|| format!("preparing {sql}"));
    let mut stmt = prep(
        "INSERT INTO assets (geom, id, code, region_id, name, kind, damage, population_served, \
         network_share, restricted, restored, repair_person_days, length_m) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    let mut work = prep(
        "INSERT INTO asset_repair_work (asset_id, position, trade, person_days) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for a in &d.assets {
        let blob = encode(
            RecordKind::Asset,
            &a.code,
            &footprint_geometry(&a.footprint),
        )?;
        stmt.execute(params![
            blob,
            a.id.to_string(),
            a.code.as_str(),
            a.region_id.to_string(),
            a.name,
            a.kind.as_str(),
            a.damage.as_str(),
            a.service.population_served,
            a.service.network_share,
            a.restricted,
            a.restored,
            a.repair_person_days(),
            a.length_m()
        ])
        .ctx(|| format!("storing asset {}", a.code))?;
        for (i, w) in a.repair.iter().enumerate() {
            work.execute(params![
                a.id.to_string(),
                i,
                w.trade.as_str(),
                w.person_days
            ])
            .ctx(|| format!("storing asset {} repair work", a.code))?;
        }
    }
    // Dependencies last: an asset may depend on one listed after it.
    let mut dep = prep(
        "INSERT INTO asset_dependencies (asset_id, position, depends_on_id) VALUES (?1, ?2, ?3)",
    )?;
    for a in &d.assets {
        for (i, on) in a.depends_on.iter().enumerate() {
            dep.execute(params![a.id.to_string(), i, on.to_string()])
                .ctx(|| format!("storing asset {} dependency on {on}", a.code))?;
        }
    }
    Ok(())
}

/// [`refresh_extent`] for a feature table; nothing for an attribute table.
pub(super) fn refresh_extent_if_feature(tx: &Transaction, table: &str) -> Result<(), StoreError> {
    if FEATURE_TABLES.contains(&table) {
        refresh_extent(tx, table)?;
    }
    Ok(())
}

/// Sets a feature table's extent in `gpkg_contents` from its R-tree, and its last change.
pub(super) fn refresh_extent(tx: &Transaction, table: &str) -> Result<(), StoreError> {
    let rtree = format!("rtree_{table}_geom");
    tx.execute(
        &format!(
            "UPDATE gpkg_contents SET \
             min_x = (SELECT MIN(minx) FROM \"{rtree}\"), max_x = (SELECT MAX(maxx) FROM \"{rtree}\"), \
             min_y = (SELECT MIN(miny) FROM \"{rtree}\"), max_y = (SELECT MAX(maxy) FROM \"{rtree}\"), \
             last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') \
             WHERE table_name = ?1"
        ),
        [table],
    )
    .ctx(|| format!("updating the extent of {table}"))?;
    Ok(())
}

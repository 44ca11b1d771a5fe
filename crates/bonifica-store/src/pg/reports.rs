//! Field reports, their transitions and released land in the database, and the one
//! transaction in which an approval changes the official picture; the GeoPackage's rules,
//! order and errors.
//!
//! A report's geometry is WKB in a `bytea` column, as the GeoPackage keeps it out of GIS
//! tools; `released_land` is a PostGIS layer. Reports are listed by `created_at` and then
//! by `rowid`, the order in which they were stored, as SQLite orders them.

use bonifica_model::{Polygonal, RecordKind};
use geo_types::Geometry;
use postgres::{Client, GenericClient, Transaction};
use uuid::Uuid;

use super::audit::{self, Change};
use super::geometry;
use super::read::{Cells, Param, refs};
use super::records;
use super::write::begin;
use crate::error::SqlContext;
use crate::gpkg::reports::{COLUMNS, closure_reason, invalid, released_json, report_json};
use crate::report::APPROVED;
use crate::{
    ChangeSet, Inserted, Record, ReleasedLand, ReportQuery, ReportRow, StoreError, TransitionRow,
};

/// Stores a new report, or returns the stored one with the same client id.
pub fn insert(
    client: &mut Client,
    row: &ReportRow,
    transition: Option<&TransitionRow>,
) -> Result<Inserted, StoreError> {
    let context = || format!("storing report {} (client id {})", row.id, row.client_id);
    let mut tx = begin(client).ctx(context)?;
    if let Some(existing) = by_client_id(&mut tx, &row.client_id)? {
        return Ok(Inserted::Existing(existing));
    }
    check(&mut tx, row)?;
    if report(&mut tx, row.id)?.is_some() {
        return Err(StoreError::Duplicate {
            kind: "report",
            code: row.id.to_string(),
            what: "id",
        });
    }
    let values = values(row)?;
    let placeholders = (1..=values.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let inserted = tx
        .execute(
            &format!(
                "INSERT INTO reports ({COLUMNS}) VALUES ({placeholders}) \
                 ON CONFLICT (client_id) DO NOTHING"
            ),
            &refs(&values),
        )
        .ctx(context)?;
    if inserted == 0 {
        // Another writer stored the same client id first: theirs is the report.
        if let Some(existing) = by_client_id(&mut tx, &row.client_id)? {
            return Ok(Inserted::Existing(existing));
        }
        return Err(StoreError::Duplicate {
            kind: "report",
            code: row.id.to_string(),
            what: "client id",
        });
    }
    if let Some(t) = transition {
        insert_transition(&mut tx, row.id, t)?;
    }
    audit::append_now(
        &mut tx,
        Change {
            actor: &row.created_by,
            action: "create",
            entity: "report",
            entity_id: row.id.to_string(),
            before: None,
            after: Some(report_json(row, transition)?),
        },
    )?;
    tx.commit().ctx(context)?;
    Ok(Inserted::New(row.clone()))
}

/// Rewrites a report's content (not its state) if its stored version is still
/// `expected_version`; returns the new version.
pub fn update(
    client: &mut Client,
    row: &ReportRow,
    expected_version: u32,
    by: &str,
) -> Result<u32, StoreError> {
    let context = || format!("updating report {}", row.id);
    let mut tx = begin(client).ctx(context)?;
    let stored = stored_for_change(&mut tx, row, expected_version)?;
    if row.state != stored.state {
        return Err(invalid(
            row.id,
            "state",
            format!(
                "is {:?}, stored {:?}: a report changes state only through a transition",
                row.state, stored.state
            ),
        ));
    }
    write_report(&mut tx, row)?;
    audit::append_now(
        &mut tx,
        Change {
            actor: by,
            action: "update",
            entity: "report",
            entity_id: row.id.to_string(),
            before: Some(report_json(&stored, None)?),
            after: Some(report_json(row, None)?),
        },
    )?;
    tx.commit().ctx(context)?;
    Ok(row.version)
}

/// Commits a report transition and everything it changes; see
/// [`crate::ReportStore::commit`].
pub fn commit(client: &mut Client, change: &ChangeSet) -> Result<(), StoreError> {
    let report = &change.report;
    let context = || {
        format!(
            "committing {} of report {}",
            change.transition.action, report.id
        )
    };
    let mut tx = begin(client).ctx(context)?;
    let stored = stored_for_change(&mut tx, report, change.expected_report_version)?;
    let t = &change.transition;
    if t.from_state != stored.state || t.to_state != report.state {
        return Err(invalid(
            report.id,
            "state",
            format!(
                "the transition {} goes from {:?} to {:?}, but the report goes from {:?} to {:?}",
                t.action, t.from_state, t.to_state, stored.state, report.state
            ),
        ));
    }
    write_report(&mut tx, report)?;
    insert_transition(&mut tx, report.id, t)?;
    let at = change.at.as_str();
    let actor = change.actor.as_str();
    audit::append(
        &mut tx,
        at,
        Change {
            actor,
            action: &t.action,
            entity: "report",
            entity_id: report.id.to_string(),
            before: Some(report_json(&stored, None)?),
            after: Some(report_json(report, Some(t))?),
        },
    )?;
    for (area, expected) in &change.hazard_areas {
        let record = Record::HazardArea(area.clone());
        records::update_tx(&mut tx, &record, *expected, actor, at)?;
    }
    for piece in &change.released {
        insert_released(&mut tx, piece)?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor,
                action: "create",
                entity: "released_land",
                entity_id: piece.id.to_string(),
                before: None,
                after: Some(released_json(piece)?),
            },
        )?;
    }
    for (asset, expected) in &change.assets {
        let record = Record::Asset(asset.clone());
        records::update_tx(&mut tx, &record, *expected, actor, at)?;
    }
    tx.commit().ctx(context)?;
    Ok(())
}

/// One report by id.
pub fn report(c: &mut impl GenericClient, id: Uuid) -> Result<Option<ReportRow>, StoreError> {
    one(c, "id", &id.to_string())
}

/// One report by its client id.
pub fn by_client_id(
    c: &mut impl GenericClient,
    client_id: &str,
) -> Result<Option<ReportRow>, StoreError> {
    one(c, "client_id", client_id)
}

/// Reports that pass the query's filters, newest first.
pub fn list(c: &mut impl GenericClient, q: &ReportQuery) -> Result<Vec<ReportRow>, StoreError> {
    let (filter, params) = list_filter(q);
    let limit = q.limit.map_or("ALL".to_string(), |l| l.to_string());
    let sql = format!(
        "SELECT {COLUMNS} FROM reports WHERE {filter} \
         ORDER BY created_at DESC, rowid DESC LIMIT {limit} OFFSET {}",
        q.offset
    );
    select(c, &sql, &params)
}

/// How many reports pass the query's filters (its page, `after_report` included, aside).
pub fn count(c: &mut impl GenericClient, q: &ReportQuery) -> Result<u64, StoreError> {
    let context = || "counting reports".to_string();
    let (filter, params) = list_filter(&ReportQuery {
        after_report: None,
        ..q.clone()
    });
    let row = c
        .query_one(
            &format!("SELECT COUNT(*) FROM reports WHERE {filter}"),
            &refs(&params),
        )
        .ctx(context)?;
    let n: i64 = row.try_get(0).ctx(context)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The `WHERE` clause of a report query and its parameters.
fn list_filter(q: &ReportQuery) -> (String, Vec<Param>) {
    let mut filter = vec!["1 = 1".to_string()];
    let mut params: Vec<Param> = Vec::new();
    let mut and = |column: &str, value: Option<String>| {
        if let Some(v) = value {
            params.push(Box::new(v));
            filter.push(format!("{column} = ${}", params.len()));
        }
    };
    and("state", q.state.clone());
    and("kind", q.kind.clone());
    and("hazard_area_id", q.hazard_area_id.map(|u| u.to_string()));
    and("unit_id", q.unit_id.map(|u| u.to_string()));
    and("organisation_id", q.organisation_id.map(|u| u.to_string()));
    if !q.include_restricted {
        filter.push("NOT restricted".to_string());
    } else if q.only_restricted {
        filter.push("restricted".to_string());
    }
    if let Some(after) = q.after_report {
        params.push(Box::new(after.to_string()));
        filter.push(format!(
            "(created_at, rowid) < (SELECT created_at, rowid FROM reports WHERE id = ${})",
            params.len()
        ));
    }
    (filter.join(" AND "), params)
}

/// The transitions of a report, in order.
pub fn transitions(c: &mut impl GenericClient, id: Uuid) -> Result<Vec<TransitionRow>, StoreError> {
    let context = || format!("reading the transitions of report {id}");
    let rows = c
        .query(
            "SELECT action, from_state, to_state, actor, role, comment, at \
             FROM report_transitions WHERE report_id = $1 ORDER BY seq",
            &[&id.to_string()],
        )
        .ctx(context)?;
    rows.iter()
        .map(|r| {
            Ok(TransitionRow {
                action: r.try_get(0)?,
                from_state: r.try_get(1)?,
                to_state: r.try_get(2)?,
                actor: r.try_get(3)?,
                role: r.try_get(4)?,
                comment: r.try_get(5)?,
                at: r.try_get(6)?,
            })
        })
        .collect::<Result<_, postgres::Error>>()
        .ctx(context)
}

/// The land released from a hazard area, oldest first.
pub fn released_land(
    c: &mut impl GenericClient,
    hazard_area_id: Uuid,
) -> Result<Vec<ReleasedLand>, StoreError> {
    let context = || format!("reading the land released from hazard area {hazard_area_id}");
    let rows = c
        .query(
            "SELECT id, hazard_area_id, report_id, reason, released_on, ST_AsBinary(geom), \
             area_m2, cancelled_m2, reduced_m2, cleared_m2 \
             FROM released_land WHERE hazard_area_id = $1 ORDER BY released_on, fid",
            &[&hazard_area_id.to_string()],
        )
        .ctx(context)?;
    let mut out = Vec::new();
    for row in &rows {
        let c = Cells::by_first(row, "released_land");
        out.push(ReleasedLand {
            id: c.uuid(0, "id")?,
            hazard_area_id: c.uuid(1, "hazard_area_id")?,
            report_id: c.uuid(2, "report_id")?,
            reason: c.word(3, "reason", closure_reason)?,
            released_on: c.date(4, "released_on")?,
            polygon: c.polygonal(5)?,
            area_m2: c.get(6, "area_m2")?,
            by_outcome: bonifica_model::ReleasedByOutcome {
                cancelled_m2: c.get(7, "cancelled_m2")?,
                reduced_m2: c.get(8, "reduced_m2")?,
                cleared_m2: c.get(9, "cleared_m2")?,
            },
        });
    }
    Ok(out)
}

fn one(
    c: &mut impl GenericClient,
    column: &str,
    key: &str,
) -> Result<Option<ReportRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM reports WHERE {column} = $1");
    Ok(select(c, &sql, &[Box::new(key.to_string())])?.pop())
}

fn select(
    c: &mut impl GenericClient,
    sql: &str,
    params: &[Param],
) -> Result<Vec<ReportRow>, StoreError> {
    let context = || "reading reports".to_string();
    let rows = c.query(sql, &refs(params)).ctx(context)?;
    rows.iter()
        .map(|row| row_of(&Cells::by_first(row, "reports")))
        .collect()
}

fn row_of(c: &Cells) -> Result<ReportRow, StoreError> {
    let geometry = match c.get::<Option<Vec<u8>>>(12, "geom")? {
        Some(_) => Some(c.polygonal(12)?),
        None => None,
    };
    let approvals: String = c.get(13, "approvals")?;
    let approvals = serde_json::from_str(&approvals)
        .map_err(|e| c.corrupt("approvals", format!("not a JSON list of names: {e}")))?;
    Ok(ReportRow {
        id: c.uuid(0, "id")?,
        client_id: c.get(1, "client_id")?,
        kind: c.get(2, "kind")?,
        state: c.get(3, "state")?,
        hazard_area_id: c.opt_uuid(4, "hazard_area_id")?,
        asset_id: c.opt_uuid(5, "asset_id")?,
        unit_id: c.opt_uuid(6, "unit_id")?,
        organisation_id: c.opt_uuid(7, "organisation_id")?,
        restricted: c.get(8, "restricted")?,
        based_on_version: c.opt_int(9, "based_on_version")?,
        report_date: c.date(10, "report_date")?,
        body: c.get(11, "body")?,
        geometry,
        approvals,
        version: c.int(14, "version")?,
        created_by: c.get(15, "created_by")?,
        created_at: c.get(16, "created_at")?,
        updated_at: c.get(17, "updated_at")?,
    })
}

/// A report's column values in [`COLUMNS`] order.
fn values(r: &ReportRow) -> Result<Vec<Param>, StoreError> {
    let uuid = |u: Option<Uuid>| -> Param { Box::new(u.map(|u| u.to_string())) };
    let geom = r
        .geometry
        .as_ref()
        .map(|p| {
            polygon_wkb(p).map_err(|problem| StoreError::Geometry {
                kind: "report",
                code: r.id.to_string(),
                problem,
            })
        })
        .transpose()?;
    let approvals = serde_json::to_string(&r.approvals).map_err(|e| StoreError::Geometry {
        kind: "report",
        code: r.id.to_string(),
        problem: e.to_string(),
    })?;
    Ok(vec![
        Box::new(r.id.to_string()),
        Box::new(r.client_id.clone()),
        Box::new(r.kind.clone()),
        Box::new(r.state.clone()),
        uuid(r.hazard_area_id),
        uuid(r.asset_id),
        uuid(r.unit_id),
        uuid(r.organisation_id),
        Box::new(r.restricted),
        Box::new(r.based_on_version.map(i64::from)),
        Box::new(r.report_date.to_string()),
        Box::new(r.body.clone()),
        Box::new(geom),
        Box::new(approvals),
        Box::new(i64::from(r.version)),
        Box::new(r.created_by.clone()),
        Box::new(r.created_at.clone()),
        Box::new(r.updated_at.clone()),
    ])
}

fn polygon_wkb(p: &Polygonal) -> Result<Vec<u8>, String> {
    geometry::encode(&Geometry::MultiPolygon(p.as_multi_polygon().clone()))
}

/// Rewrites every column of a stored report but its id.
fn write_report(tx: &mut Transaction, r: &ReportRow) -> Result<(), StoreError> {
    let context = || format!("writing report {}", r.id);
    let mut values = values(r)?;
    // Every column but the id, which comes last, to find the row.
    values.remove(0);
    let sets = COLUMNS
        .split(", ")
        .enumerate()
        .skip(1)
        .map(|(i, c)| format!("{c} = ${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    values.push(Box::new(r.id.to_string()));
    let n = values.len();
    tx.execute(
        &format!("UPDATE reports SET {sets} WHERE id = ${n}"),
        &refs(&values),
    )
    .ctx(context)?;
    Ok(())
}

/// The stored report that `row` is to replace, after the GeoPackage's checks.
fn stored_for_change(
    tx: &mut Transaction,
    row: &ReportRow,
    expected_version: u32,
) -> Result<ReportRow, StoreError> {
    let stored = report(tx, row.id)?.ok_or(StoreError::NotFound {
        kind: "report",
        id: row.id,
    })?;
    if stored.state == APPROVED {
        return Err(StoreError::ReportFinal { id: row.id });
    }
    if stored.version != expected_version {
        return Err(StoreError::VersionConflict {
            kind: "report",
            code: row.id.to_string(),
            stored: stored.version,
            expected: expected_version,
        });
    }
    if row.version != expected_version + 1 {
        return Err(invalid(
            row.id,
            "version",
            format!(
                "is {}, must be {} (the stored version raised by one)",
                row.version,
                expected_version + 1
            ),
        ));
    }
    let fixed = [
        ("client_id", &row.client_id, &stored.client_id),
        ("kind", &row.kind, &stored.kind),
        ("created_by", &row.created_by, &stored.created_by),
        ("created_at", &row.created_at, &stored.created_at),
    ];
    for (field, given, kept) in fixed {
        if given != kept {
            return Err(invalid(
                row.id,
                field,
                format!("is {given:?}, stored {kept:?}: it never changes"),
            ));
        }
    }
    check(tx, row)?;
    Ok(stored)
}

/// Checks what the schema cannot: a body that is JSON, words that are present, and
/// references to stored records.
fn check(tx: &mut Transaction, r: &ReportRow) -> Result<(), StoreError> {
    for (field, text) in [
        ("client_id", &r.client_id),
        ("kind", &r.kind),
        ("state", &r.state),
        ("created_by", &r.created_by),
    ] {
        if text.trim().is_empty() {
            return Err(invalid(r.id, field, "is empty".to_string()));
        }
    }
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&r.body) {
        return Err(invalid(r.id, "body", format!("is not JSON: {e}")));
    }
    let refs = [
        (
            "hazard_area_id",
            RecordKind::HazardArea,
            "hazard_areas",
            r.hazard_area_id,
        ),
        ("asset_id", RecordKind::Asset, "assets", r.asset_id),
        (
            "organisation_id",
            RecordKind::Organisation,
            "organisations",
            r.organisation_id,
        ),
    ];
    for (field, kind, table, id) in refs {
        let Some(id) = id else { continue };
        let context = || format!("checking report {} {field}", r.id);
        let row = tx
            .query_one(
                &format!("SELECT EXISTS (SELECT 1 FROM \"{table}\" WHERE id = $1)"),
                &[&id.to_string()],
            )
            .ctx(context)?;
        let stored: bool = row.try_get(0).ctx(context)?;
        if !stored {
            return Err(invalid(
                r.id,
                field,
                format!("{} {id} is not stored", kind.label()),
            ));
        }
    }
    Ok(())
}

fn insert_transition(tx: &mut Transaction, id: Uuid, t: &TransitionRow) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO report_transitions \
         (report_id, seq, action, from_state, to_state, actor, role, comment, at) \
         VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM report_transitions \
         WHERE report_id = $1), $2, $3, $4, $5, $6, $7, $8)",
        &[
            &id.to_string(),
            &t.action,
            &t.from_state,
            &t.to_state,
            &t.actor,
            &t.role,
            &t.comment,
            &t.at,
        ],
    )
    .ctx(|| format!("recording the {} of report {id}", t.action))?;
    Ok(())
}

fn insert_released(tx: &mut Transaction, piece: &ReleasedLand) -> Result<(), StoreError> {
    let wkb = polygon_wkb(&piece.polygon).map_err(|problem| StoreError::Geometry {
        kind: "released land",
        code: piece.id.to_string(),
        problem,
    })?;
    let changed = tx
        .execute(
            "INSERT INTO released_land (geom, id, hazard_area_id, hazard_area_code, report_id, \
             reason, released_on, area_m2, cancelled_m2, reduced_m2, cleared_m2) \
             SELECT ST_GeomFromWKB($1::bytea, 4326), $2::text, h.id, h.code, $4::text, \
             $5::text, $6::text, $7::double precision, $8::double precision, \
             $9::double precision, $10::double precision \
             FROM hazard_areas h WHERE h.id = $3::text",
            &[
                &wkb,
                &piece.id.to_string(),
                &piece.hazard_area_id.to_string(),
                &piece.report_id.to_string(),
                &piece.reason.as_str(),
                &piece.released_on.to_string(),
                &piece.area_m2,
                &piece.by_outcome.cancelled_m2,
                &piece.by_outcome.reduced_m2,
                &piece.by_outcome.cleared_m2,
            ],
        )
        .ctx(|| {
            format!(
                "storing land {} released from hazard area {}",
                piece.id, piece.hazard_area_id
            )
        })?;
    if changed == 0 {
        return Err(StoreError::NotFound {
            kind: RecordKind::HazardArea.label(),
            id: piece.hazard_area_id,
        });
    }
    Ok(())
}

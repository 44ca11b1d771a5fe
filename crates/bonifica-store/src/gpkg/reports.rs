//! Field reports, their transitions and released land in the GeoPackage, and the one
//! transaction in which an approval changes the official picture.
//!
//! `reports` and `report_transitions` are attribute tables left out of `gpkg_contents`:
//! incident reports carry victims' personal data, and GIS tools must not list them (the
//! same reasoning as for `bonifica_users`). `released_land` is a registered feature
//! layer with its R-tree, which QGIS shows as "Released land".
//!
//! Every write here appends its audit entries in its own transaction.

use bonifica_model::{ClosureReason, Polygonal, RecordKind};
use geo_types::Geometry;
use rusqlite::types::Value;
use rusqlite::{Connection, Row, Transaction, params};
use uuid::Uuid;

use super::audit::{self, Change};
use super::binary;
use super::read::Cells;
use super::records;
use super::schema::{TableDef, create_table};
use super::write::{begin, refresh_extent};
use crate::error::SqlContext;
use crate::report::APPROVED;
use crate::{
    ChangeSet, Inserted, Record, ReleasedLand, ReportQuery, ReportRow, StoreError, TransitionRow,
};

/// Migration 6's part: reports, their transitions and the released land layer.
pub(super) fn report_tables(tx: &Transaction) -> rusqlite::Result<()> {
    tx.execute_batch(REPORTS_DDL)?;
    create_table(tx, &released_land_def())?;
    tx.execute_batch("CREATE INDEX released_land_hazard_area ON released_land(hazard_area_id);")
}

/// Schema 7: the square metres of each released piece by outcome (cancelled, reduced,
/// cleared), the pieces released before it counted whole under their reason; and the
/// indexes that read inboxes (everyone's, a team's, an organisation's) in filing order.
pub fn outcomes_and_inbox_order(tx: &Transaction) -> rusqlite::Result<()> {
    tx.execute_batch(
        "ALTER TABLE released_land ADD COLUMN cancelled_m2 REAL NOT NULL DEFAULT 0;
         ALTER TABLE released_land ADD COLUMN reduced_m2 REAL NOT NULL DEFAULT 0;
         ALTER TABLE released_land ADD COLUMN cleared_m2 REAL NOT NULL DEFAULT 0;
         UPDATE released_land SET cancelled_m2 = area_m2 WHERE reason = 'cancelled';
         UPDATE released_land SET reduced_m2 = area_m2 WHERE reason = 'reduced';
         UPDATE released_land SET cleared_m2 = area_m2 WHERE reason = 'cleared';
         UPDATE gpkg_contents SET description = description || \
           '; cancelled_m2, reduced_m2 and cleared_m2 split it by outcome' \
           WHERE table_name = 'released_land';
         CREATE INDEX reports_created ON reports(created_at);
         CREATE INDEX reports_unit_created ON reports(unit_id, created_at);
         CREATE INDEX reports_organisation_created ON reports(organisation_id, created_at);",
    )
}

/// The reports and their transitions (attribute tables outside `gpkg_contents`).
pub(crate) const REPORTS_DDL: &str = "CREATE TABLE reports (
           id TEXT PRIMARY KEY NOT NULL,
           client_id TEXT NOT NULL UNIQUE,
           kind TEXT NOT NULL,
           state TEXT NOT NULL,
           hazard_area_id TEXT REFERENCES hazard_areas(id),
           asset_id TEXT REFERENCES assets(id),
           unit_id TEXT,
           organisation_id TEXT REFERENCES organisations(id),
           restricted BOOLEAN NOT NULL,
           based_on_version INTEGER,
           report_date DATE NOT NULL,
           body TEXT NOT NULL,
           geom BLOB,
           approvals TEXT NOT NULL,
           version INTEGER NOT NULL,
           created_by TEXT NOT NULL,
           created_at TEXT NOT NULL,
           updated_at TEXT NOT NULL
         );
         CREATE INDEX reports_state ON reports(state);
         CREATE INDEX reports_hazard_area ON reports(hazard_area_id);
         CREATE INDEX reports_unit ON reports(unit_id);
         CREATE TABLE report_transitions (
           report_id TEXT NOT NULL REFERENCES reports(id),
           seq INTEGER NOT NULL,
           action TEXT NOT NULL,
           from_state TEXT NOT NULL,
           to_state TEXT NOT NULL,
           actor TEXT NOT NULL,
           role TEXT NOT NULL,
           comment TEXT,
           at TEXT NOT NULL,
           PRIMARY KEY (report_id, seq)
         );";

/// The released land layer.
pub(crate) fn released_land_def() -> TableDef {
    TableDef::features(
        "released_land",
        "Released land",
        "Land released from hazard areas by approved reports: cancelled (non-technical \
         survey), reduced (technical survey) or cleared; area_m2 is geodesic",
        "MULTIPOLYGON",
        "id TEXT NOT NULL UNIQUE, \
         hazard_area_id TEXT NOT NULL REFERENCES hazard_areas(id), \
         hazard_area_code TEXT NOT NULL, \
         report_id TEXT NOT NULL REFERENCES reports(id), \
         reason TEXT NOT NULL CHECK (reason IN ('cancelled', 'reduced', 'cleared')), \
         released_on DATE NOT NULL, area_m2 REAL NOT NULL",
    )
}

/// Stores a new report, or returns the stored one with the same client id.
pub fn insert(
    conn: &mut Connection,
    row: &ReportRow,
    transition: Option<&TransitionRow>,
) -> Result<Inserted, StoreError> {
    let context = || format!("storing report {} (client id {})", row.id, row.client_id);
    let tx = begin(conn).ctx(context)?;
    if let Some(existing) = by_client_id(&tx, &row.client_id)? {
        return Ok(Inserted::Existing(existing));
    }
    check(&tx, row)?;
    if report(&tx, row.id)?.is_some() {
        return Err(StoreError::Duplicate {
            kind: "report",
            code: row.id.to_string(),
            what: "id",
        });
    }
    let values = values(row).map_err(|e| geometry_or_sql(row.id, e))?;
    let inserted = tx
        .prepare_cached(&format!(
            "INSERT INTO reports ({COLUMNS}) VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
        ))
        .and_then(|mut stmt| stmt.execute(rusqlite::params_from_iter(values)));
    match inserted {
        Ok(_) => {}
        // Another writer stored the same client id first: theirs is the report.
        Err(e) if is_constraint(&e, rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE) => {
            if let Some(existing) = by_client_id(&tx, &row.client_id)? {
                return Ok(Inserted::Existing(existing));
            }
            return Err(StoreError::Duplicate {
                kind: "report",
                code: row.id.to_string(),
                what: "client id",
            });
        }
        Err(e) => return Err(e).ctx(context),
    }
    if let Some(t) = transition {
        insert_transition(&tx, row.id, t)?;
    }
    audit::append_now(
        &tx,
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
    conn: &mut Connection,
    row: &ReportRow,
    expected_version: u32,
    by: &str,
) -> Result<u32, StoreError> {
    let context = || format!("updating report {}", row.id);
    let tx = begin(conn).ctx(context)?;
    let stored = stored_for_change(&tx, row, expected_version)?;
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
    write_report(&tx, row)?;
    audit::append_now(
        &tx,
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
pub fn commit(conn: &mut Connection, change: &ChangeSet) -> Result<(), StoreError> {
    let report = &change.report;
    let context = || {
        format!(
            "committing {} of report {}",
            change.transition.action, report.id
        )
    };
    let tx = begin(conn).ctx(context)?;
    let stored = stored_for_change(&tx, report, change.expected_report_version)?;
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
    write_report(&tx, report)?;
    insert_transition(&tx, report.id, t)?;
    let at = change.at.as_str();
    let actor = change.actor.as_str();
    audit::append(
        &tx,
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
        records::update_tx(&tx, &record, *expected, actor, at)?;
    }
    for piece in &change.released {
        insert_released(&tx, piece)?;
        audit::append(
            &tx,
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
    if !change.released.is_empty() {
        refresh_extent(&tx, "released_land")?;
    }
    for (asset, expected) in &change.assets {
        let record = Record::Asset(asset.clone());
        records::update_tx(&tx, &record, *expected, actor, at)?;
    }
    tx.commit().ctx(context)?;
    Ok(())
}

/// One report by id.
pub fn report(conn: &Connection, id: Uuid) -> Result<Option<ReportRow>, StoreError> {
    one(conn, "id", &id.to_string())
}

/// One report by its client id.
pub fn by_client_id(conn: &Connection, client_id: &str) -> Result<Option<ReportRow>, StoreError> {
    one(conn, "client_id", client_id)
}

/// Reports that pass the query's filters, newest first.
pub fn list(conn: &Connection, q: &ReportQuery) -> Result<Vec<ReportRow>, StoreError> {
    let (filter, params) = list_filter(q);
    let limit = q.limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
    let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
    let sql = format!(
        "SELECT {COLUMNS} FROM reports WHERE {filter} \
         ORDER BY created_at DESC, rowid DESC LIMIT {limit} OFFSET {offset}"
    );
    select(conn, &sql, params)
}

/// How many reports pass the query's filters (its page, `after_report` included, aside).
pub fn count(conn: &Connection, q: &ReportQuery) -> Result<u64, StoreError> {
    let (filter, params) = list_filter(&ReportQuery {
        after_report: None,
        ..q.clone()
    });
    conn.prepare_cached(&format!("SELECT COUNT(*) FROM reports WHERE {filter}"))
        .and_then(|mut stmt| {
            stmt.query_row(rusqlite::params_from_iter(params), |r| r.get::<_, i64>(0))
        })
        .map(|n| u64::try_from(n).unwrap_or(0))
        .ctx(|| "counting reports".to_string())
}

/// The `WHERE` clause of a report query and its parameters.
fn list_filter(q: &ReportQuery) -> (String, Vec<Value>) {
    let mut filter = vec!["1 = 1".to_string()];
    let mut params: Vec<Value> = Vec::new();
    let mut and = |column: &str, value: Option<String>| {
        if let Some(v) = value {
            params.push(Value::Text(v));
            filter.push(format!("{column} = ?{}", params.len()));
        }
    };
    and("state", q.state.clone());
    and("kind", q.kind.clone());
    and("hazard_area_id", q.hazard_area_id.map(|u| u.to_string()));
    and("unit_id", q.unit_id.map(|u| u.to_string()));
    and("organisation_id", q.organisation_id.map(|u| u.to_string()));
    if !q.include_restricted {
        filter.push("restricted = 0".to_string());
    } else if q.only_restricted {
        filter.push("restricted <> 0".to_string());
    }
    if let Some(after) = q.after_report {
        params.push(Value::Text(after.to_string()));
        filter.push(format!(
            "(created_at, rowid) < (SELECT created_at, rowid FROM reports WHERE id = ?{})",
            params.len()
        ));
    }
    (filter.join(" AND "), params)
}

/// The transitions of a report, in order.
pub fn transitions(conn: &Connection, id: Uuid) -> Result<Vec<TransitionRow>, StoreError> {
    let context = || format!("reading the transitions of report {id}");
    let mut stmt = conn
        .prepare_cached(
            "SELECT action, from_state, to_state, actor, role, comment, at \
             FROM report_transitions WHERE report_id = ?1 ORDER BY seq",
        )
        .ctx(context)?;
    let rows = stmt
        .query_map([id.to_string()], |r| {
            Ok(TransitionRow {
                action: r.get(0)?,
                from_state: r.get(1)?,
                to_state: r.get(2)?,
                actor: r.get(3)?,
                role: r.get(4)?,
                comment: r.get(5)?,
                at: r.get(6)?,
            })
        })
        .ctx(context)?;
    rows.collect::<Result<_, _>>().ctx(context)
}

/// The land released from a hazard area, oldest first.
pub fn released_land(
    conn: &Connection,
    hazard_area_id: Uuid,
) -> Result<Vec<ReleasedLand>, StoreError> {
    let context = || format!("reading the land released from hazard area {hazard_area_id}");
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, hazard_area_id, report_id, reason, released_on, geom, area_m2, \
             cancelled_m2, reduced_m2, cleared_m2 \
             FROM released_land WHERE hazard_area_id = ?1 ORDER BY released_on, fid",
        )
        .ctx(context)?;
    let mut rows = stmt.query([hazard_area_id.to_string()]).ctx(context)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().ctx(context)? {
        let c = cells(row, "released_land");
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

pub(crate) const COLUMNS: &str = "id, client_id, kind, state, hazard_area_id, asset_id, unit_id, \
    organisation_id, restricted, based_on_version, report_date, body, geom, approvals, \
    version, created_by, created_at, updated_at";

fn one(conn: &Connection, column: &str, key: &str) -> Result<Option<ReportRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM reports WHERE {column} = ?1");
    Ok(select(conn, &sql, vec![Value::Text(key.to_string())])?.pop())
}

fn select(conn: &Connection, sql: &str, params: Vec<Value>) -> Result<Vec<ReportRow>, StoreError> {
    let context = || "reading reports".to_string();
    let mut stmt = conn.prepare_cached(sql).ctx(context)?;
    let mut rows = stmt
        .query(rusqlite::params_from_iter(params))
        .ctx(context)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().ctx(context)? {
        out.push(row_of(&cells(row, "reports"))?);
    }
    Ok(out)
}

/// Names a row by its first column (the id) in messages.
fn cells<'r, 's>(row: &'r Row<'s>, table: &'static str) -> Cells<'r, 's> {
    let code = row.get::<_, String>(0).unwrap_or_default();
    Cells { row, table, code }
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
        based_on_version: c.get(9, "based_on_version")?,
        report_date: c.date(10, "report_date")?,
        body: c.get(11, "body")?,
        geometry,
        approvals,
        version: c.get(14, "version")?,
        created_by: c.get(15, "created_by")?,
        created_at: c.get(16, "created_at")?,
        updated_at: c.get(17, "updated_at")?,
    })
}

/// A report's column values in [`COLUMNS`] order.
fn values(r: &ReportRow) -> Result<Vec<Value>, rusqlite::Error> {
    let uuid = |u: Option<Uuid>| u.map_or(Value::Null, |u| Value::Text(u.to_string()));
    let geom = match &r.geometry {
        Some(p) => Value::Blob(
            polygon_blob(p)
                .map_err(|problem| rusqlite::Error::ToSqlConversionFailure(problem.into()))?,
        ),
        None => Value::Null,
    };
    let approvals = serde_json::to_string(&r.approvals)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
    Ok(vec![
        Value::Text(r.id.to_string()),
        Value::Text(r.client_id.clone()),
        Value::Text(r.kind.clone()),
        Value::Text(r.state.clone()),
        uuid(r.hazard_area_id),
        uuid(r.asset_id),
        uuid(r.unit_id),
        uuid(r.organisation_id),
        Value::Integer(i64::from(r.restricted)),
        r.based_on_version
            .map_or(Value::Null, |v| Value::Integer(i64::from(v))),
        Value::Text(r.report_date.to_string()),
        Value::Text(r.body.clone()),
        geom,
        Value::Text(approvals),
        Value::Integer(i64::from(r.version)),
        Value::Text(r.created_by.clone()),
        Value::Text(r.created_at.clone()),
        Value::Text(r.updated_at.clone()),
    ])
}

fn polygon_blob(p: &Polygonal) -> Result<Vec<u8>, String> {
    binary::encode(&Geometry::MultiPolygon(p.as_multi_polygon().clone()))
}

/// Rewrites every column of a stored report but its id.
fn write_report(tx: &Transaction, r: &ReportRow) -> Result<(), StoreError> {
    let context = || format!("writing report {}", r.id);
    let mut values = values(r).map_err(|e| geometry_or_sql(r.id, e))?;
    let sets = COLUMNS
        .split(", ")
        .enumerate()
        .skip(1)
        .map(|(i, c)| format!("{c} = ?{}", i + 1))
        .collect::<Vec<_>>()
        .join(", ");
    values.push(Value::Text(r.id.to_string()));
    let n = values.len();
    tx.execute(
        &format!("UPDATE reports SET {sets} WHERE id = ?{n}"),
        rusqlite::params_from_iter(values),
    )
    .ctx(context)?;
    Ok(())
}

fn geometry_or_sql(id: Uuid, e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::ToSqlConversionFailure(problem) => StoreError::Geometry {
            kind: "report",
            code: id.to_string(),
            problem: problem.to_string(),
        },
        source => StoreError::Sqlite {
            context: format!("writing report {id}"),
            source,
        },
    }
}

/// The stored report that `row` is to replace, after checking that the change may be
/// made: stored, not approved, at the expected version, with the version raised by one
/// and the fields that never change left alone.
fn stored_for_change(
    tx: &Transaction,
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
/// references to stored records (named, where a foreign key failure would not be).
fn check(tx: &Transaction, r: &ReportRow) -> Result<(), StoreError> {
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
        let stored: bool = tx
            .query_row(
                &format!("SELECT EXISTS (SELECT 1 FROM \"{table}\" WHERE id = ?1)"),
                [id.to_string()],
                |row| row.get(0),
            )
            .ctx(|| format!("checking report {} {field}", r.id))?;
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

pub(crate) fn invalid(id: Uuid, field: &'static str, problem: String) -> StoreError {
    StoreError::InvalidReport { id, field, problem }
}

fn insert_transition(tx: &Transaction, id: Uuid, t: &TransitionRow) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO report_transitions \
         (report_id, seq, action, from_state, to_state, actor, role, comment, at) \
         VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM report_transitions \
         WHERE report_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id.to_string(),
            t.action,
            t.from_state,
            t.to_state,
            t.actor,
            t.role,
            t.comment,
            t.at
        ],
    )
    .ctx(|| format!("recording the {} of report {id}", t.action))?;
    Ok(())
}

fn insert_released(tx: &Transaction, piece: &ReleasedLand) -> Result<(), StoreError> {
    let blob = polygon_blob(&piece.polygon).map_err(|problem| StoreError::Geometry {
        kind: "released land",
        code: piece.id.to_string(),
        problem,
    })?;
    let changed = tx
        .execute(
            "INSERT INTO released_land (geom, id, hazard_area_id, hazard_area_code, report_id, \
             reason, released_on, area_m2, cancelled_m2, reduced_m2, cleared_m2) \
             SELECT ?1, ?2, h.id, h.code, ?4, ?5, ?6, ?7, ?8, ?9, ?10 \
             FROM hazard_areas h WHERE h.id = ?3",
            params![
                blob,
                piece.id.to_string(),
                piece.hazard_area_id.to_string(),
                piece.report_id.to_string(),
                piece.reason.as_str(),
                piece.released_on.to_string(),
                piece.area_m2,
                piece.by_outcome.cancelled_m2,
                piece.by_outcome.reduced_m2,
                piece.by_outcome.cleared_m2
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

fn is_constraint(e: &rusqlite::Error, extended_code: i32) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == extended_code)
}

pub(crate) fn closure_reason(word: &str) -> Option<ClosureReason> {
    ClosureReason::ALL.into_iter().find(|r| r.as_str() == word)
}

/// A report as JSON for the audit log: every field, the body as JSON, the transition if
/// one is made.
pub(crate) fn report_json(
    r: &ReportRow,
    transition: Option<&TransitionRow>,
) -> Result<String, StoreError> {
    let body: serde_json::Value =
        serde_json::from_str(&r.body).unwrap_or_else(|_| serde_json::Value::String(r.body.clone()));
    let mut value = serde_json::json!({
        "id": r.id,
        "client_id": r.client_id,
        "kind": r.kind,
        "state": r.state,
        "hazard_area_id": r.hazard_area_id,
        "asset_id": r.asset_id,
        "unit_id": r.unit_id,
        "organisation_id": r.organisation_id,
        "restricted": r.restricted,
        "based_on_version": r.based_on_version,
        "report_date": r.report_date,
        "body": body,
        "geometry": r.geometry,
        "approvals": r.approvals,
        "version": r.version,
        "created_by": r.created_by,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    });
    if let (Some(t), Some(map)) = (transition, value.as_object_mut()) {
        map.insert(
            "transition".to_string(),
            serde_json::json!({
                "action": t.action, "from": t.from_state, "to": t.to_state,
                "actor": t.actor, "role": t.role, "comment": t.comment, "at": t.at,
            }),
        );
    }
    audit::json(&value)
}

pub(crate) fn released_json(piece: &ReleasedLand) -> Result<String, StoreError> {
    audit::json(&serde_json::json!({
        "id": piece.id,
        "hazard_area_id": piece.hazard_area_id,
        "report_id": piece.report_id,
        "reason": piece.reason.as_str(),
        "released_on": piece.released_on,
        "polygon": piece.polygon,
        "area_m2": piece.area_m2,
    }))
}

//! Writing one record at a time, as the API does: create, update against an expected
//! version, delete. Each is one transaction and stamps the record with who wrote it and
//! when; an update raises the version by one.
//!
//! An update of anything but a hazard area deletes the row and inserts the new record
//! under the same `fid` with foreign keys deferred to the commit, so the insert path's
//! checks (duplicate codes, references that resolve) apply to updates too. A hazard area
//! is replaced through [`write::replace_hazard_area_tx`], which keeps its history.
//!
//! Each write appends its audit entry (the record before and after, as JSON) in its own
//! transaction.

use bonifica_model::RecordKind;
use rusqlite::{Connection, Transaction, params};
use uuid::Uuid;

use super::audit::{self, Change};
use super::read;
use super::write::{self, begin};
use crate::error::SqlContext;
use crate::record::table_of;
use crate::{Record, StoreError};

/// Child tables of a kind, with the column naming the parent, deleted and rewritten with it.
fn children(kind: RecordKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        RecordKind::Team => &[("team_members", "team_id")],
        RecordKind::Crew => &[("crew_members", "crew_id")],
        RecordKind::Asset => &[
            ("asset_repair_work", "asset_id"),
            ("asset_dependencies", "asset_id"),
        ],
        _ => &[],
    }
}

/// Stores a new record with version 1, stamped by `by`.
pub fn create(conn: &mut Connection, record: &Record, by: &str) -> Result<u32, StoreError> {
    let context = || format!("creating {} {}", record.kind().label(), record.code());
    let tx = begin(conn).ctx(context)?;
    write::insert_tx(&tx, &record.to_dataset())?;
    let version = match record {
        Record::HazardArea(h) => h.version,
        _ => 1,
    };
    stamp(&tx, record, version, by)?;
    audit::append_now(
        &tx,
        Change {
            actor: by,
            action: "create",
            entity: audit::entity(record.kind()),
            entity_id: record.id().to_string(),
            before: None,
            after: Some(audit::record_json(record)?),
        },
    )?;
    tx.commit().ctx(context)?;
    Ok(version)
}

/// Replaces a stored record if its stored version is still `expected_version`; returns the
/// new version (`expected_version + 1`). For a hazard area, `record`'s own version must be
/// that new version, as [`bonifica_model::HazardArea::apply`] and `reshape` leave it.
pub fn update(
    conn: &mut Connection,
    record: &Record,
    expected_version: u32,
    by: &str,
) -> Result<u32, StoreError> {
    let kind = record.kind();
    let context = || format!("updating {} {}", kind.label(), record.code());
    let tx = begin(conn).ctx(context)?;
    let version = update_tx(&tx, record, expected_version, by, &audit::now())?;
    tx.commit()
        .map_err(|e| in_use_or(e, kind, record.code().as_str(), context()))?;
    Ok(version)
}

/// [`update`] inside a transaction the caller commits, with its audit entry at time `at`.
/// Foreign keys are deferred to the commit.
pub(super) fn update_tx(
    tx: &Transaction,
    record: &Record,
    expected_version: u32,
    by: &str,
    at: &str,
) -> Result<u32, StoreError> {
    let kind = record.kind();
    let context = || format!("updating {} {}", kind.label(), record.code());
    let (fid, stored) = stored_version(tx, kind, record.id())?;
    if stored.1 != expected_version {
        return Err(StoreError::VersionConflict {
            kind: kind.label(),
            code: stored.0,
            stored: stored.1,
            expected: expected_version,
        });
    }
    let before = before_json(tx, kind, record.id())?;
    let version = expected_version + 1;
    if let Record::HazardArea(area) = record {
        write::replace_hazard_area_tx(tx, area, expected_version)?;
    } else {
        let table = table_or_refuse(kind, record.id())?;
        tx.execute_batch("PRAGMA defer_foreign_keys = ON")
            .ctx(context)?;
        delete_rows(tx, kind, table, record.id())?;
        write::insert_tx(tx, &record.to_dataset())?;
        tx.execute(
            &format!("UPDATE \"{table}\" SET fid = ?1 WHERE id = ?2"),
            params![fid, record.id().to_string()],
        )
        .ctx(context)?;
    }
    stamp(tx, record, version, by)?;
    audit::append(
        tx,
        at,
        Change {
            actor: by,
            action: "update",
            entity: audit::entity(record.kind()),
            entity_id: record.id().to_string(),
            before,
            after: Some(audit::record_json(record)?),
        },
    )?;
    Ok(version)
}

/// Deletes a stored record if its stored version is still `expected_version`. A record
/// that others still refer to is [`StoreError::InUse`]; so is a hazard area with history,
/// whose earlier versions are kept. `by` is the user name the audit log records.
pub fn delete(
    conn: &mut Connection,
    kind: RecordKind,
    id: Uuid,
    expected_version: u32,
    by: &str,
) -> Result<(), StoreError> {
    let table = table_or_refuse(kind, id)?;
    let context = || format!("deleting {} {id}", kind.label());
    let tx = begin(conn).ctx(context)?;
    let (_, (code, stored)) = stored_version(&tx, kind, id)?;
    if stored != expected_version {
        return Err(StoreError::VersionConflict {
            kind: kind.label(),
            code,
            stored,
            expected: expected_version,
        });
    }
    if kind == RecordKind::HazardArea {
        let history: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM hazard_area_versions WHERE hazard_area_id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .ctx(context)?;
        if history > 0 {
            return Err(StoreError::InUse {
                kind: kind.label(),
                code,
                by: "its version history",
            });
        }
    }
    let before = before_json(&tx, kind, id)?;
    delete_rows(&tx, kind, table, id).map_err(|e| match e {
        StoreError::Sqlite { source, context } => in_use_or(source, kind, &code, context),
        other => other,
    })?;
    write::refresh_extent_if_feature(&tx, table)?;
    audit::append_now(
        &tx,
        Change {
            actor: by,
            action: "delete",
            entity: audit::entity(kind),
            entity_id: id.to_string(),
            before,
            after: None,
        },
    )?;
    tx.commit().ctx(context)?;
    Ok(())
}

/// The stored record as JSON, for the audit log.
fn before_json(tx: &Transaction, kind: RecordKind, id: Uuid) -> Result<Option<String>, StoreError> {
    read::record(tx, kind, id)?
        .map(|v| audit::record_json(&v.record))
        .transpose()
}

fn table_or_refuse(kind: RecordKind, id: Uuid) -> Result<&'static str, StoreError> {
    table_of(kind).ok_or(StoreError::NotFound {
        kind: kind.label(),
        id,
    })
}

/// The stored `fid`, code and version of a record.
fn stored_version(
    tx: &Transaction,
    kind: RecordKind,
    id: Uuid,
) -> Result<(i64, (String, u32)), StoreError> {
    let table = table_or_refuse(kind, id)?;
    let found = tx
        .query_row(
            &format!("SELECT fid, code, version FROM \"{table}\" WHERE id = ?1"),
            [id.to_string()],
            |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })
        .ctx(|| format!("reading the version of {} {id}", kind.label()))?;
    found.ok_or(StoreError::NotFound {
        kind: kind.label(),
        id,
    })
}

fn delete_rows(
    tx: &Transaction,
    kind: RecordKind,
    table: &str,
    id: Uuid,
) -> Result<(), StoreError> {
    let context = || format!("deleting {} {id}", kind.label());
    for (child, column) in children(kind) {
        tx.execute(
            &format!("DELETE FROM \"{child}\" WHERE {column} = ?1"),
            [id.to_string()],
        )
        .ctx(context)?;
    }
    tx.execute(
        &format!("DELETE FROM \"{table}\" WHERE id = ?1"),
        [id.to_string()],
    )
    .ctx(context)?;
    Ok(())
}

fn stamp(tx: &Transaction, record: &Record, version: u32, by: &str) -> Result<(), StoreError> {
    let kind = record.kind();
    let table = table_or_refuse(kind, record.id())?;
    tx.execute(
        &format!(
            "UPDATE \"{table}\" SET version = ?1, \
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), updated_by = ?2 WHERE id = ?3"
        ),
        params![version, by, record.id().to_string()],
    )
    .ctx(|| format!("stamping {} {}", kind.label(), record.code()))?;
    Ok(())
}

/// A foreign key failure means other records still refer to this one.
fn in_use_or(source: rusqlite::Error, kind: RecordKind, code: &str, context: String) -> StoreError {
    let foreign_key = matches!(
        &source,
        rusqlite::Error::SqliteFailure(e, _)
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
    );
    if foreign_key {
        return StoreError::InUse {
            kind: kind.label(),
            code: code.to_string(),
            by: "other records",
        };
    }
    StoreError::Sqlite { context, source }
}

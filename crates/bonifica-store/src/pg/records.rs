//! Writing one record at a time, as the API does: create, update against an expected
//! version, delete; each one transaction with its audit entry, as in the GeoPackage.
//!
//! An update of anything but a hazard area deletes the row and inserts the new record
//! under the same `fid` with the (deferrable) foreign keys deferred to the commit, so the
//! insert path's checks apply to updates too. A foreign key that fails, at a delete or at
//! that commit, means other records still refer to the record: [`StoreError::InUse`].

use bonifica_model::RecordKind;
use postgres::error::SqlState;
use postgres::{Client, Transaction};
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
pub fn create(client: &mut Client, record: &Record, by: &str) -> Result<u32, StoreError> {
    let context = || format!("creating {} {}", record.kind().label(), record.code());
    let mut tx = begin(client).ctx(context)?;
    write::insert_tx(&mut tx, &record.to_dataset())?;
    let version = match record {
        Record::HazardArea(h) => h.version,
        _ => 1,
    };
    stamp(&mut tx, record, version, by)?;
    audit::append_now(
        &mut tx,
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
/// new version.
pub fn update(
    client: &mut Client,
    record: &Record,
    expected_version: u32,
    by: &str,
) -> Result<u32, StoreError> {
    let kind = record.kind();
    let context = || format!("updating {} {}", kind.label(), record.code());
    let mut tx = begin(client).ctx(context)?;
    let version = update_tx(&mut tx, record, expected_version, by, &audit::now())?;
    tx.commit()
        .map_err(|e| in_use_or(e, kind, record.code().as_str(), context()))?;
    Ok(version)
}

/// [`update`] inside a transaction the caller commits, with its audit entry at time `at`.
/// Foreign keys are deferred to the commit.
pub fn update_tx(
    tx: &mut Transaction,
    record: &Record,
    expected_version: u32,
    by: &str,
    at: &str,
) -> Result<u32, StoreError> {
    let kind = record.kind();
    let context = || format!("updating {} {}", kind.label(), record.code());
    let (fid, (stored_code, stored)) = stored_version(tx, kind, record.id())?;
    if stored != expected_version {
        return Err(StoreError::VersionConflict {
            kind: kind.label(),
            code: stored_code,
            stored,
            expected: expected_version,
        });
    }
    let before = before_json(tx, kind, record.id())?;
    let version = expected_version + 1;
    if let Record::HazardArea(area) = record {
        write::replace_hazard_area_tx(tx, area, expected_version)?;
    } else {
        let table = table_or_refuse(kind, record.id())?;
        tx.batch_execute("SET CONSTRAINTS ALL DEFERRED")
            .ctx(context)?;
        delete_rows(tx, kind, table, record.id())?;
        write::insert_tx(tx, &record.to_dataset())?;
        tx.execute(
            &format!("UPDATE \"{table}\" SET fid = $1 WHERE id = $2"),
            &[&fid, &record.id().to_string()],
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

/// Deletes a stored record if its stored version is still `expected_version`; see
/// [`crate::RecordStore::delete_record`].
pub fn delete(
    client: &mut Client,
    kind: RecordKind,
    id: Uuid,
    expected_version: u32,
    by: &str,
) -> Result<(), StoreError> {
    let table = table_or_refuse(kind, id)?;
    let context = || format!("deleting {} {id}", kind.label());
    let mut tx = begin(client).ctx(context)?;
    let (_, (code, stored)) = stored_version(&mut tx, kind, id)?;
    if stored != expected_version {
        return Err(StoreError::VersionConflict {
            kind: kind.label(),
            code,
            stored,
            expected: expected_version,
        });
    }
    if kind == RecordKind::HazardArea {
        let row = tx
            .query_one(
                "SELECT COUNT(*) FROM hazard_area_versions WHERE hazard_area_id = $1",
                &[&id.to_string()],
            )
            .ctx(context)?;
        let history: i64 = row.try_get(0).ctx(context)?;
        if history > 0 {
            return Err(StoreError::InUse {
                kind: kind.label(),
                code,
                by: "its version history",
            });
        }
    }
    let before = before_json(&mut tx, kind, id)?;
    delete_rows(&mut tx, kind, table, id).map_err(|e| match e {
        StoreError::Postgres { source, context } => in_use_or(source, kind, &code, context),
        other => other,
    })?;
    audit::append_now(
        &mut tx,
        Change {
            actor: by,
            action: "delete",
            entity: audit::entity(kind),
            entity_id: id.to_string(),
            before,
            after: None,
        },
    )?;
    tx.commit()
        .map_err(|e| in_use_or(e, kind, &code, context()))?;
    Ok(())
}

/// The stored record as JSON, for the audit log.
fn before_json(
    tx: &mut Transaction,
    kind: RecordKind,
    id: Uuid,
) -> Result<Option<String>, StoreError> {
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
    tx: &mut Transaction,
    kind: RecordKind,
    id: Uuid,
) -> Result<(i64, (String, u32)), StoreError> {
    let table = table_or_refuse(kind, id)?;
    let context = || format!("reading the version of {} {id}", kind.label());
    let row = tx
        .query_opt(
            &format!("SELECT fid, code, version FROM \"{table}\" WHERE id = $1"),
            &[&id.to_string()],
        )
        .ctx(context)?;
    let Some(row) = row else {
        return Err(StoreError::NotFound {
            kind: kind.label(),
            id,
        });
    };
    let code: String = row.try_get(1).ctx(context)?;
    let version = read::version_of(table, &code, row.try_get(2).ctx(context)?)?;
    Ok((row.try_get(0).ctx(context)?, (code, version)))
}

fn delete_rows(
    tx: &mut Transaction,
    kind: RecordKind,
    table: &str,
    id: Uuid,
) -> Result<(), StoreError> {
    let context = || format!("deleting {} {id}", kind.label());
    for (child, column) in children(kind) {
        tx.execute(
            &format!("DELETE FROM \"{child}\" WHERE {column} = $1"),
            &[&id.to_string()],
        )
        .ctx(context)?;
    }
    tx.execute(
        &format!("DELETE FROM \"{table}\" WHERE id = $1"),
        &[&id.to_string()],
    )
    .ctx(context)?;
    Ok(())
}

fn stamp(tx: &mut Transaction, record: &Record, version: u32, by: &str) -> Result<(), StoreError> {
    let kind = record.kind();
    let table = table_or_refuse(kind, record.id())?;
    tx.execute(
        &format!(
            "UPDATE \"{table}\" SET version = $1, updated_at = $2, updated_by = $3 WHERE id = $4"
        ),
        &[
            &i64::from(version),
            &audit::now(),
            &by,
            &record.id().to_string(),
        ],
    )
    .ctx(|| format!("stamping {} {}", kind.label(), record.code()))?;
    Ok(())
}

/// A foreign key failure means other records still refer to this one.
fn in_use_or(source: postgres::Error, kind: RecordKind, code: &str, context: String) -> StoreError {
    if source.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) {
        return StoreError::InUse {
            kind: kind.label(),
            code: code.to_string(),
            by: "other records",
        };
    }
    StoreError::Postgres { context, source }
}

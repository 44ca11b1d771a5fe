//! The audit log in the database: `audit_log`, one row per change, and `audit_head`, one
//! row holding the last sequence number and hash, as in the GeoPackage.
//!
//! Entries are appended inside the transaction of the change they describe, after
//! [`super::write::begin`] has locked the head row, so two servers writing at once append
//! one after the other to one chain. The hash and its walk are in [`crate::audit`].

use postgres::{GenericClient, Row, Transaction};

use crate::StoreError;
use crate::audit::{AuditCheck, AuditEntry, AuditProblem, GENESIS};
use crate::error::SqlContext;
pub(crate) use crate::gpkg::audit::{Change, SYSTEM, entity, json, now, record_json};

/// Appends `change` to the log at time `at`, inside the caller's transaction, and moves
/// the head. Returns the new entry's sequence number.
pub fn append(tx: &mut Transaction, at: &str, change: Change) -> Result<u64, StoreError> {
    let context = || {
        format!(
            "appending to the audit log ({} {})",
            change.action, change.entity
        )
    };
    let (seq, prev_hash) = head(tx)?.ok_or(StoreError::AuditBroken {
        seq: 0,
        problem: AuditProblem::NoHead,
    })?;
    let mut entry = AuditEntry {
        seq: seq + 1,
        at: at.to_string(),
        actor: change.actor.to_string(),
        action: change.action.to_string(),
        entity: change.entity.to_string(),
        entity_id: change.entity_id.clone(),
        before: change.before.clone(),
        after: change.after.clone(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.expected_hash();
    tx.execute(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, after, \
         prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &sql_seq(entry.seq),
            &entry.at,
            &entry.actor,
            &entry.action,
            &entry.entity,
            &entry.entity_id,
            &entry.before,
            &entry.after,
            &entry.prev_hash,
            &entry.hash,
        ],
    )
    .ctx(context)?;
    tx.execute(
        "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
        &[&sql_seq(entry.seq), &entry.hash],
    )
    .ctx(context)?;
    Ok(entry.seq)
}

/// Appends `change` stamped with the current time.
pub fn append_now(tx: &mut Transaction, change: Change) -> Result<u64, StoreError> {
    append(tx, &now(), change)
}

/// Walks the whole chain; see [`crate::AuditStore::verify_audit`].
pub fn verify(c: &mut impl GenericClient) -> Result<AuditCheck, StoreError> {
    let context = || "reading the audit log".to_string();
    let rows = c
        .query(
            &format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"),
            &[],
        )
        .ctx(context)?;
    let mut last = 0_u64;
    let mut last_hash = GENESIS.to_string();
    for row in &rows {
        let entry = entry_of(row).ctx(context)?;
        let broken = |seq, problem| Err(StoreError::AuditBroken { seq, problem });
        if entry.seq != last + 1 {
            let problem = AuditProblem::Missing {
                previous: last,
                next: entry.seq,
            };
            return broken(last + 1, problem);
        }
        if entry.prev_hash != last_hash {
            let follows = stored_with_hash(c, &entry.prev_hash, entry.seq)?;
            return broken(entry.seq, AuditProblem::Unlinked { follows });
        }
        if entry.expected_hash() != entry.hash {
            return broken(entry.seq, AuditProblem::Edited);
        }
        last = entry.seq;
        last_hash = entry.hash;
    }
    let Some((head_seq, head_hash)) = head(c)? else {
        return Err(StoreError::AuditBroken {
            seq: last,
            problem: AuditProblem::NoHead,
        });
    };
    let problem = if last < head_seq {
        Some((
            last + 1,
            AuditProblem::TailRemoved {
                last,
                head: head_seq,
            },
        ))
    } else if last > head_seq {
        Some((head_seq + 1, AuditProblem::PastHead { head: head_seq }))
    } else if last_hash != head_hash {
        Some((last, AuditProblem::HeadMismatch))
    } else {
        None
    };
    match problem {
        Some((seq, problem)) => Err(StoreError::AuditBroken { seq, problem }),
        None => Ok(AuditCheck {
            entries: last,
            head: last_hash,
        }),
    }
}

/// Up to `limit` entries after `after_seq`, in order.
pub fn entries(
    c: &mut impl GenericClient,
    after_seq: u64,
    limit: usize,
) -> Result<Vec<AuditEntry>, StoreError> {
    let context = || format!("reading the audit log after entry {after_seq}");
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = c
        .query(
            &format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"),
            &[&sql_seq(after_seq), &limit],
        )
        .ctx(context)?;
    rows.iter()
        .map(entry_of)
        .collect::<Result<_, _>>()
        .ctx(context)
}

/// How many entries a filtered read takes from the log at a time.
const BATCH: usize = 500;

/// Up to `limit` entries after `after_seq` that `keep` accepts, in order, read in batches
/// as the GeoPackage reads them.
pub fn entries_kept(
    c: &mut impl GenericClient,
    after_seq: u64,
    limit: usize,
    keep: &mut dyn FnMut(&AuditEntry) -> bool,
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut kept = Vec::new();
    let mut after = after_seq;
    loop {
        let batch = entries(c, after, BATCH)?;
        let Some(last) = batch.last().map(|e| e.seq) else {
            return Ok(kept);
        };
        for entry in batch {
            if keep(&entry) {
                kept.push(entry);
                if kept.len() == limit {
                    return Ok(kept);
                }
            }
        }
        after = last;
    }
}

/// The newest `limit` entries that `keep` accepts, oldest of them first.
pub fn last_kept(
    c: &mut impl GenericClient,
    limit: usize,
    keep: &mut dyn FnMut(&AuditEntry) -> bool,
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut kept = Vec::new();
    let mut before = u64::MAX;
    'read: loop {
        let batch = entries_before(c, before, BATCH)?;
        let Some(first) = batch.last().map(|e| e.seq) else {
            break;
        };
        for entry in batch {
            if keep(&entry) {
                kept.push(entry);
                if kept.len() == limit {
                    break 'read;
                }
            }
        }
        before = first;
    }
    kept.reverse();
    Ok(kept)
}

/// Up to `limit` entries before `before_seq`, newest first.
fn entries_before(
    c: &mut impl GenericClient,
    before_seq: u64,
    limit: usize,
) -> Result<Vec<AuditEntry>, StoreError> {
    let context = || format!("reading the audit log before entry {before_seq}");
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = c
        .query(
            &format!("SELECT {COLUMNS} FROM audit_log WHERE seq < $1 ORDER BY seq DESC LIMIT $2"),
            &[&sql_seq(before_seq), &limit],
        )
        .ctx(context)?;
    rows.iter()
        .map(entry_of)
        .collect::<Result<_, _>>()
        .ctx(context)
}

const COLUMNS: &str = crate::gpkg::audit::COLUMNS;

fn entry_of(r: &Row) -> Result<AuditEntry, postgres::Error> {
    Ok(AuditEntry {
        seq: u64::try_from(r.try_get::<_, i64>(0)?).unwrap_or(0),
        at: r.try_get(1)?,
        actor: r.try_get(2)?,
        action: r.try_get(3)?,
        entity: r.try_get(4)?,
        entity_id: r.try_get(5)?,
        before: r.try_get(6)?,
        after: r.try_get(7)?,
        prev_hash: r.try_get(8)?,
        hash: r.try_get(9)?,
    })
}

/// The head: the last sequence number and hash, if the head row is there.
fn head(c: &mut impl GenericClient) -> Result<Option<(u64, String)>, StoreError> {
    let context = || "reading the audit log's head".to_string();
    let row = c
        .query_opt("SELECT seq, hash FROM audit_head WHERE id = 1", &[])
        .ctx(context)?;
    row.map(|r| -> Result<(u64, String), postgres::Error> {
        Ok((
            u64::try_from(r.try_get::<_, i64>(0)?).unwrap_or(0),
            r.try_get(1)?,
        ))
    })
    .transpose()
    .ctx(context)
}

/// The sequence number of the newest entry; 0 for an empty log.
pub fn head_seq(c: &mut impl GenericClient) -> Result<u64, StoreError> {
    let context = || "reading the audit log's last entry".to_string();
    let row = c
        .query_one("SELECT COALESCE(MAX(seq), 0)::bigint FROM audit_log", &[])
        .ctx(context)?;
    let seq: i64 = row.try_get(0).ctx(context)?;
    Ok(u64::try_from(seq).unwrap_or(0))
}

/// The entry other than `seq` whose hash is `hash`, if any: what a misplaced entry follows.
fn stored_with_hash(
    c: &mut impl GenericClient,
    hash: &str,
    seq: u64,
) -> Result<Option<u64>, StoreError> {
    let context = || "looking for a misplaced audit entry".to_string();
    let row = c
        .query_opt(
            "SELECT seq FROM audit_log WHERE hash = $1 AND seq <> $2 ORDER BY seq LIMIT 1",
            &[&hash, &sql_seq(seq)],
        )
        .ctx(context)?;
    row.map(|r| r.try_get::<_, i64>(0))
        .transpose()
        .map(|s| s.and_then(|s| u64::try_from(s).ok()))
        .ctx(context)
}

/// Sequence numbers are `bigint`; the log never comes near `i64::MAX` entries.
fn sql_seq(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

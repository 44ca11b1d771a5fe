//! The audit log in the GeoPackage: `audit_log`, one row per change, and `audit_head`,
//! one row holding the last sequence number and hash.
//!
//! Entries are appended inside the transaction of the change they describe, so a change
//! and its entry are committed together or not at all, and the head moves in the same
//! transaction. Neither table is registered in `gpkg_contents`: the log holds before and
//! after images of reports, victims' personal data included, and GIS tools must not list
//! it. The hash and its walk are in [`crate::audit`].

use bonifica_model::RecordKind;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::StoreError;
use crate::audit::{AuditCheck, AuditEntry, AuditProblem, GENESIS};
use crate::error::SqlContext;
use crate::record::Record;

/// The actor of changes made without a signed-in user: the command line and imports.
pub const SYSTEM: &str = crate::audit::SYSTEM_ACTOR;

/// Migration 6's part: the log and its head, which starts at the genesis hash.
pub(super) fn audit_tables(tx: &Transaction) -> rusqlite::Result<()> {
    tx.execute_batch(AUDIT_DDL)?;
    tx.execute(
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, ?1)",
        [GENESIS],
    )?;
    Ok(())
}

/// The log and its head.
pub(crate) const AUDIT_DDL: &str = "CREATE TABLE audit_log (
           seq INTEGER PRIMARY KEY NOT NULL,
           at TEXT NOT NULL,
           actor TEXT NOT NULL,
           action TEXT NOT NULL,
           entity TEXT NOT NULL,
           entity_id TEXT NOT NULL,
           before TEXT,
           after TEXT,
           prev_hash TEXT NOT NULL,
           hash TEXT NOT NULL
         );
         CREATE TABLE audit_head (
           id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
           seq INTEGER NOT NULL,
           hash TEXT NOT NULL
         );";

/// A change to record, without its place in the chain.
#[derive(Debug, Clone)]
pub(crate) struct Change<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Appends `change` to the log at time `at`, inside the caller's transaction, and moves
/// the head. Returns the new entry's sequence number.
pub(super) fn append(tx: &Transaction, at: &str, change: Change) -> Result<u64, StoreError> {
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
        entity_id: change.entity_id,
        before: change.before,
        after: change.after,
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.expected_hash();
    tx.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, after, \
         prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            sql_seq(entry.seq),
            entry.at,
            entry.actor,
            entry.action,
            entry.entity,
            entry.entity_id,
            entry.before,
            entry.after,
            entry.prev_hash,
            entry.hash
        ])
    })
    .ctx(context)?;
    tx.execute(
        "UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1",
        params![sql_seq(entry.seq), entry.hash],
    )
    .ctx(context)?;
    Ok(entry.seq)
}

/// Appends `change` stamped with the current time.
pub(super) fn append_now(tx: &Transaction, change: Change) -> Result<u64, StoreError> {
    append(tx, &now(), change)
}

/// The current time as the log writes it: UTC, RFC 3339 with milliseconds.
pub(crate) fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Walks the whole chain; see [`crate::AuditStore::verify_audit`].
pub fn verify(conn: &Connection) -> Result<AuditCheck, StoreError> {
    let context = || "reading the audit log".to_string();
    let mut stmt = conn
        .prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))
        .ctx(context)?;
    let mut rows = stmt.query([]).ctx(context)?;
    let mut last = 0_u64;
    let mut last_hash = GENESIS.to_string();
    while let Some(row) = rows.next().ctx(context)? {
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
            let follows = stored_with_hash(conn, &entry.prev_hash, entry.seq)?;
            return broken(entry.seq, AuditProblem::Unlinked { follows });
        }
        if entry.expected_hash() != entry.hash {
            return broken(entry.seq, AuditProblem::Edited);
        }
        last = entry.seq;
        last_hash = entry.hash;
    }
    let Some((head_seq, head_hash)) = head(conn)? else {
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
    conn: &Connection,
    after_seq: u64,
    limit: usize,
) -> Result<Vec<AuditEntry>, StoreError> {
    let context = || format!("reading the audit log after entry {after_seq}");
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))
        .ctx(context)?;
    let rows = stmt
        .query_map(params![sql_seq(after_seq), limit], entry_of)
        .ctx(context)?;
    rows.collect::<Result<_, _>>().ctx(context)
}

/// How many entries a filtered read takes from the log at a time.
const BATCH: usize = 500;

/// Up to `limit` entries after `after_seq` that `keep` accepts, in order. The log is read
/// in batches until `limit` entries are kept or it ends, so a page holds `limit` kept
/// entries whatever number of entries `keep` passes over.
pub fn entries_kept(
    conn: &Connection,
    after_seq: u64,
    limit: usize,
    keep: &mut dyn FnMut(&AuditEntry) -> bool,
) -> Result<Vec<AuditEntry>, StoreError> {
    entries_kept_by(conn, after_seq, limit, BATCH, keep)
}

fn entries_kept_by(
    conn: &Connection,
    after_seq: u64,
    limit: usize,
    batch_size: usize,
    keep: &mut dyn FnMut(&AuditEntry) -> bool,
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut kept = Vec::new();
    let mut after = after_seq;
    loop {
        let batch = entries(conn, after, batch_size)?;
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
    conn: &Connection,
    limit: usize,
    keep: &mut dyn FnMut(&AuditEntry) -> bool,
) -> Result<Vec<AuditEntry>, StoreError> {
    last_kept_by(conn, limit, BATCH, keep)
}

fn last_kept_by(
    conn: &Connection,
    limit: usize,
    batch_size: usize,
    keep: &mut dyn FnMut(&AuditEntry) -> bool,
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut kept = Vec::new();
    let mut before = u64::MAX;
    'read: loop {
        let batch = entries_before(conn, before, batch_size)?;
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
    conn: &Connection,
    before_seq: u64,
    limit: usize,
) -> Result<Vec<AuditEntry>, StoreError> {
    let context = || format!("reading the audit log before entry {before_seq}");
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2"
        ))
        .ctx(context)?;
    let rows = stmt
        .query_map(params![sql_seq(before_seq), limit], entry_of)
        .ctx(context)?;
    rows.collect::<Result<_, _>>().ctx(context)
}

/// A value as JSON text for an entry's `before` or `after`.
pub(crate) fn json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::CorruptRow {
        table: "audit_log",
        code: String::new(),
        field: "after",
        problem: format!("cannot write the change as JSON: {e}"),
    })
}

/// A record as JSON text, as the model serialises it.
pub(crate) fn record_json(record: &Record) -> Result<String, StoreError> {
    match record {
        Record::Region(r) => json(r),
        Record::Organisation(r) => json(r),
        Record::Person(r) => json(r),
        Record::Contract(r) => json(r),
        Record::Team(r) => json(r),
        Record::Crew(r) => json(r),
        Record::Settlement(r) => json(r),
        Record::HazardArea(r) => json(r),
        Record::Asset(r) => json(r),
    }
}

/// The entity word of a record kind in the log (`hazard_area`, `asset`...).
pub(crate) fn entity(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Region => "region",
        RecordKind::Organisation => "organisation",
        RecordKind::Person => "person",
        RecordKind::Contract => "contract",
        RecordKind::Team => "team",
        RecordKind::Crew => "crew",
        RecordKind::Settlement => "settlement",
        RecordKind::HazardArea => "hazard_area",
        RecordKind::Asset => "asset",
        RecordKind::River => "river",
    }
}

pub(crate) const COLUMNS: &str =
    "seq, at, actor, action, entity, entity_id, before, after, prev_hash, hash";

fn entry_of(r: &rusqlite::Row) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        entity: r.get(4)?,
        entity_id: r.get(5)?,
        before: r.get(6)?,
        after: r.get(7)?,
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
    })
}

/// The head: the last sequence number and hash, if the head row is there.
fn head(conn: &Connection) -> Result<Option<(u64, String)>, StoreError> {
    conn.query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
        Ok((u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0), r.get(1)?))
    })
    .optional()
    .ctx(|| "reading the audit log's head".to_string())
}

/// The sequence number of the newest entry; 0 for an empty log.
pub fn head_seq(conn: &Connection) -> Result<u64, StoreError> {
    conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM audit_log", [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|s| u64::try_from(s).unwrap_or(0))
    .ctx(|| "reading the audit log's last entry".to_string())
}

/// The entry other than `seq` whose hash is `hash`, if any: what a misplaced entry follows.
fn stored_with_hash(conn: &Connection, hash: &str, seq: u64) -> Result<Option<u64>, StoreError> {
    conn.query_row(
        "SELECT seq FROM audit_log WHERE hash = ?1 AND seq <> ?2 ORDER BY seq LIMIT 1",
        params![hash, sql_seq(seq)],
        |r| r.get::<_, i64>(0),
    )
    .optional()
    .map(|s| s.and_then(|s| u64::try_from(s).ok()))
    .ctx(|| "looking for a misplaced audit entry".to_string())
}

/// Sequence numbers are SQLite integers; the log never comes near `i64::MAX` entries.
fn sql_seq(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log of `n` entries in memory, entry `seq` about entity `e{seq}`.
    fn log(n: u64) -> Connection {
        let mut conn = Connection::open_in_memory().expect("memory db");
        let tx = conn.transaction().expect("begins");
        audit_tables(&tx).expect("creates the log");
        for seq in 1..=n {
            let change = Change {
                actor: "tester",
                action: "create",
                entity: "thing",
                entity_id: format!("e{seq}"),
                before: None,
                after: None,
            };
            append(&tx, "2026-12-05T00:00:00.000Z", change).expect("appends");
        }
        tx.commit().expect("commits");
        conn
    }

    fn seqs(entries: &[AuditEntry]) -> Vec<u64> {
        entries.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn filtered_pages_hold_their_count_of_kept_entries_across_batches() {
        let conn = log(12);
        let mut every_third = |e: &AuditEntry| e.seq.is_multiple_of(3);
        for batch in [1, 2, 5, 500] {
            let page = entries_kept_by(&conn, 0, 2, batch, &mut every_third).expect("reads");
            assert_eq!(seqs(&page), [3, 6], "batch {batch}");
            let next = entries_kept_by(&conn, 6, 3, batch, &mut every_third).expect("reads");
            assert_eq!(seqs(&next), [9, 12], "batch {batch}: the log ends first");
            let last = last_kept_by(&conn, 3, batch, &mut every_third).expect("reads");
            assert_eq!(seqs(&last), [6, 9, 12], "batch {batch}: oldest first");
            let all = last_kept_by(&conn, 10, batch, &mut every_third).expect("reads");
            assert_eq!(seqs(&all), [3, 6, 9, 12], "batch {batch}");
        }
        let mut none = |_: &AuditEntry| false;
        assert!(
            entries_kept_by(&conn, 0, 5, 2, &mut none)
                .expect("reads")
                .is_empty()
        );
        assert!(
            last_kept_by(&conn, 5, 2, &mut none)
                .expect("reads")
                .is_empty()
        );
        verify(&conn).expect("the chain holds");
    }
}

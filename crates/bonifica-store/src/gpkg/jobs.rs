//! The planning slot in the GeoPackage: one row, taken in a write transaction.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use uuid::Uuid;

use super::write::begin;
use crate::PlanningLease;
use crate::error::{SqlContext, StoreError};

/// Migration 9: the planning slot.
pub(super) fn planning_slot(tx: &Transaction) -> rusqlite::Result<()> {
    tx.execute_batch(PLANNING_SLOT_DDL)
}

/// The slot's table, the same in both backends. Not registered in `gpkg_contents`, and
/// not copied between stores: it belongs to the servers running now.
pub(crate) const PLANNING_SLOT_DDL: &str = "
CREATE TABLE bonifica_planning_slot (
  id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
  job_id TEXT NOT NULL,
  server TEXT NOT NULL,
  started_by TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL
);
";

pub fn take(
    conn: &mut Connection,
    lease: &PlanningLease,
    stale_before: &str,
) -> Result<Option<PlanningLease>, StoreError> {
    let context = || "taking the planning slot".to_string();
    let tx = begin(conn).ctx(context)?;
    let held = tx
        .query_row(
            "SELECT job_id, server, started_by, heartbeat_at FROM bonifica_planning_slot \
             WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )
        .optional()
        .ctx(context)?;
    if let Some((job, server, started_by, heartbeat_at)) = held
        && job != lease.job_id.to_string()
        && heartbeat_at.as_str() >= stale_before
    {
        let job_id = job.parse().map_err(|e| StoreError::CorruptRow {
            table: "bonifica_planning_slot",
            code: job.clone(),
            field: "job_id",
            problem: format!("{e}"),
        })?;
        return Ok(Some(PlanningLease {
            job_id,
            server,
            started_by,
            heartbeat_at,
        }));
    }
    tx.execute(
        "INSERT OR REPLACE INTO bonifica_planning_slot \
         (id, job_id, server, started_by, heartbeat_at) VALUES (1, ?1, ?2, ?3, ?4)",
        params![
            lease.job_id.to_string(),
            lease.server,
            lease.started_by,
            lease.heartbeat_at
        ],
    )
    .ctx(context)?;
    tx.commit().ctx(context)?;
    Ok(None)
}

pub fn renew(conn: &Connection, job_id: Uuid, at: &str) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE bonifica_planning_slot SET heartbeat_at = ?1 WHERE id = 1 AND job_id = ?2",
        params![at, job_id.to_string()],
    )
    .ctx(|| "renewing the planning slot".to_string())?;
    Ok(())
}

pub fn free(conn: &Connection, job_id: Uuid) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM bonifica_planning_slot WHERE id = 1 AND job_id = ?1",
        params![job_id.to_string()],
    )
    .ctx(|| "freeing the planning slot".to_string())?;
    Ok(())
}

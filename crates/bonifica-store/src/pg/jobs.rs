//! The planning slot in PostgreSQL: one row, read and written under a table lock, so two
//! servers starting a job at once see each other.

use postgres::Client;
use uuid::Uuid;

use crate::PlanningLease;
use crate::error::{SqlContext, StoreError};

pub fn take(
    client: &mut Client,
    lease: &PlanningLease,
    stale_before: &str,
) -> Result<Option<PlanningLease>, StoreError> {
    let context = || "taking the planning slot".to_string();
    let mut tx = client.transaction().ctx(context)?;
    tx.batch_execute("LOCK TABLE bonifica_planning_slot IN EXCLUSIVE MODE")
        .ctx(context)?;
    let held = tx
        .query_opt(
            "SELECT job_id, server, started_by, heartbeat_at FROM bonifica_planning_slot \
             WHERE id = 1",
            &[],
        )
        .ctx(context)?;
    if let Some(row) = held {
        let job: String = row.try_get(0).ctx(context)?;
        let heartbeat_at: String = row.try_get(3).ctx(context)?;
        if job != lease.job_id.to_string() && heartbeat_at.as_str() >= stale_before {
            let job_id = job.parse().map_err(|e| StoreError::CorruptRow {
                table: "bonifica_planning_slot",
                code: job.clone(),
                field: "job_id",
                problem: format!("{e}"),
            })?;
            return Ok(Some(PlanningLease {
                job_id,
                server: row.try_get(1).ctx(context)?,
                started_by: row.try_get(2).ctx(context)?,
                heartbeat_at,
            }));
        }
    }
    tx.execute(
        "INSERT INTO bonifica_planning_slot (id, job_id, server, started_by, heartbeat_at) \
         VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET job_id = $1, server = $2, \
         started_by = $3, heartbeat_at = $4",
        &[
            &lease.job_id.to_string(),
            &lease.server,
            &lease.started_by,
            &lease.heartbeat_at,
        ],
    )
    .ctx(context)?;
    tx.commit().ctx(context)?;
    Ok(None)
}

pub fn renew(client: &mut Client, job_id: Uuid, at: &str) -> Result<(), StoreError> {
    client
        .execute(
            "UPDATE bonifica_planning_slot SET heartbeat_at = $1 WHERE id = 1 AND job_id = $2",
            &[&at, &job_id.to_string()],
        )
        .ctx(|| "renewing the planning slot".to_string())?;
    Ok(())
}

pub fn free(client: &mut Client, job_id: Uuid) -> Result<(), StoreError> {
    client
        .execute(
            "DELETE FROM bonifica_planning_slot WHERE id = 1 AND job_id = $1",
            &[&job_id.to_string()],
        )
        .ctx(|| "freeing the planning slot".to_string())?;
    Ok(())
}

//! The PostgreSQL/PostGIS backend: the same traits as the GeoPackage, on a database that
//! several servers share.
//!
//! [`Postgres`] holds one connection of the synchronous `postgres` client; the traits'
//! methods are called from plain threads or `spawn_blocking`. It behaves as the
//! GeoPackage does, call for call: the same checks in the same order, the same errors,
//! the same order of results, the same audit entries (so the hash chain of a copy verifies
//! with the same hashes), one transaction per write. Every write transaction first locks
//! the audit log's head row, so writers from several servers queue there and the log keeps
//! one chain of consecutive sequence numbers.

mod accounts;
mod audit;
mod geometry;
mod gis;
mod jobs;
mod plans;
mod read;
mod records;
mod reports;
mod schema;
mod transfer;
mod write;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use bonifica_model::{Asset, Dataset, HazardArea, RecordKind};
use postgres::{Client, NoTls};
use uuid::Uuid;

use crate::backend::{AccountStore, AuditStore, Backend, PlanStore, RecordStore, ReportStore};
use crate::{
    ApiToken, AuditCheck, AuditEntry, BBox, ChangeSet, Counts, HazardAreaVersion, InsertReport,
    Inserted, ListQuery, NewApiToken, NewUser, Record, RecordPage, ReleasedLand, ReportQuery,
    ReportRow, Session, Stamp, Store, StoreError, StoredPlan, TransitionRow, User, Versioned,
};

/// A Bonifica register in a PostgreSQL/PostGIS database.
pub struct Postgres {
    /// `None` only while the value is dropped (see its `Drop`).
    client: Mutex<Option<Client>>,
    /// The database URL without its password, for messages.
    url: String,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres").field("url", &self.url).finish()
    }
}

impl Postgres {
    /// Opens the database at `url`, applying any migration it lacks. An empty database
    /// gains the schema; a database that holds other tables than Bonifica's and PostGIS's,
    /// or a newer schema than this code knows, is refused.
    pub fn open(url: &str) -> Result<Postgres, StoreError> {
        let mut client = connect(url)?;
        let shown = without_password(url);
        let has = schema::has_schema(&mut client).map_err(|e| problem(&shown, e))?;
        if !has {
            refuse_foreign_tables(&mut client, &shown)?;
        }
        schema::migrate(&mut client, &shown)?;
        Ok(Postgres {
            client: Mutex::new(Some(client)),
            url: shown,
        })
    }

    /// Creates the schema in the database at `url`, which must exist. A database that
    /// already holds Bonifica's schema is refused unless `overwrite`, which first drops
    /// the whole `public` schema (every table, view, sequence and function in it, PostGIS
    /// included) and creates it again, usable by every role as a new database's is.
    pub fn create(url: &str, overwrite: bool) -> Result<Postgres, StoreError> {
        let mut client = connect(url)?;
        let shown = without_password(url);
        if overwrite {
            client
                .batch_execute(
                    "DROP SCHEMA public CASCADE; CREATE SCHEMA public; \
                     GRANT USAGE ON SCHEMA public TO PUBLIC;",
                )
                .map_err(|e| problem(&shown, e))?;
        } else {
            let has = schema::has_schema(&mut client).map_err(|e| problem(&shown, e))?;
            if has {
                return Err(StoreError::Database {
                    url: shown,
                    problem: "it already holds a bonifica register (refusing to overwrite it)"
                        .to_string(),
                });
            }
            refuse_foreign_tables(&mut client, &shown)?;
        }
        schema::migrate(&mut client, &shown)?;
        Ok(Postgres {
            client: Mutex::new(Some(client)),
            url: shown,
        })
    }

    /// The database URL without its password.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The connection, for reads through `&self`.
    fn client(&self) -> ClientGuard<'_> {
        ClientGuard(self.client.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The connection, for writes through `&mut self`.
    fn client_mut(&mut self) -> &mut Client {
        self.client
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
            .expect("the connection is there until the store is dropped")
    }
}

/// The connection, locked.
struct ClientGuard<'a>(MutexGuard<'a, Option<Client>>);

impl std::ops::Deref for ClientGuard<'_> {
    type Target = Client;

    fn deref(&self) -> &Client {
        self.0
            .as_ref()
            .expect("the connection is there until the store is dropped")
    }
}

impl std::ops::DerefMut for ClientGuard<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.0
            .as_mut()
            .expect("the connection is there until the store is dropped")
    }
}

impl Drop for Postgres {
    /// Closes the connection on a thread of its own: the synchronous client blocks on a
    /// runtime of its own when it closes, which a thread driving async tasks (where the
    /// last owner of a server's state may drop it) must not do.
    fn drop(&mut self) {
        let client = self
            .client
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(client) = client {
            let closed = std::thread::Builder::new()
                .name("postgres-close".into())
                .spawn(move || drop(client))
                .map(std::thread::JoinHandle::join);
            if let Err(e) = closed {
                tracing::warn!(error = %e, "closing the database connection on a thread failed");
            }
        }
    }
}

/// Opens the database at `url`, applying any migration it lacks.
pub fn open(url: &str) -> Result<Box<dyn Backend>, StoreError> {
    Ok(Box::new(Postgres::open(url)?))
}

/// Creates the Bonifica schema in the database at `url`.
pub fn create(url: &str, overwrite: bool) -> Result<Box<dyn Backend>, StoreError> {
    Ok(Box::new(Postgres::create(url, overwrite)?))
}

fn connect(url: &str) -> Result<Client, StoreError> {
    Client::connect(url, NoTls).map_err(|e| problem(&without_password(url), e))
}

fn problem(url: &str, e: postgres::Error) -> StoreError {
    StoreError::Database {
        url: url.to_string(),
        problem: e.to_string(),
    }
}

fn refuse_foreign_tables(client: &mut Client, url: &str) -> Result<(), StoreError> {
    let foreign = schema::foreign_tables(client).map_err(|e| problem(url, e))?;
    if foreign.is_empty() {
        return Ok(());
    }
    Err(StoreError::Database {
        url: url.to_string(),
        problem: format!(
            "not a bonifica database: it holds other tables ({}) and no bonifica_migrations",
            foreign.join(", ")
        ),
    })
}

/// `url` without the password of its user part or of a `password=` parameter.
pub fn without_password(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme) = out.find("://") {
        let start = scheme + 3;
        let end = out[start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| start + i);
        if let Some(at) = out[start..end].rfind('@') {
            let user = &out[start..start + at];
            if let Some(colon) = user.find(':') {
                out.replace_range(start + colon..start + at, "");
            }
        }
    }
    if let Some(q) = out.find('?') {
        let kept: Vec<&str> = out[q + 1..]
            .split('&')
            .filter(|p| !p.starts_with("password="))
            .collect();
        let base = out[..q].to_string();
        out = if kept.is_empty() {
            base
        } else {
            format!("{base}?{}", kept.join("&"))
        };
    }
    out
}

impl Store for Postgres {
    fn load(&self) -> Result<Dataset, StoreError> {
        read::load(&mut *self.client(), None)
    }

    fn load_region(&self, region_id: Uuid) -> Result<Dataset, StoreError> {
        let dataset = read::load(&mut *self.client(), Some(region_id))?;
        if dataset.regions.is_empty() {
            return Err(StoreError::NotFound {
                kind: "region",
                id: region_id,
            });
        }
        Ok(dataset)
    }

    fn insert(&mut self, dataset: &Dataset) -> Result<InsertReport, StoreError> {
        write::insert(self.client_mut(), dataset)
    }

    fn replace_hazard_area(
        &mut self,
        area: &HazardArea,
        expected_version: u32,
    ) -> Result<(), StoreError> {
        write::replace_hazard_area(self.client_mut(), area, expected_version)
    }

    fn hazard_area_history(&self, id: Uuid) -> Result<Vec<HazardAreaVersion>, StoreError> {
        read::hazard_area_history(&mut *self.client(), id)
    }

    fn hazard_areas_in_bbox(&self, bbox: BBox) -> Result<Vec<HazardArea>, StoreError> {
        read::hazard_areas_in_bbox(&mut *self.client(), bbox)
    }

    fn assets_in_bbox(&self, bbox: BBox) -> Result<Vec<Asset>, StoreError> {
        read::assets_in_bbox(&mut *self.client(), bbox)
    }

    fn hazard_area(&self, id: Uuid) -> Result<Option<HazardArea>, StoreError> {
        read::hazard_area(&mut *self.client(), id)
    }

    fn asset(&self, id: Uuid) -> Result<Option<Asset>, StoreError> {
        read::asset(&mut *self.client(), id)
    }

    fn counts(&self) -> Result<Counts, StoreError> {
        read::counts(&mut *self.client())
    }
}

impl RecordStore for Postgres {
    fn create_record(&mut self, record: &Record, by: &str) -> Result<u32, StoreError> {
        records::create(self.client_mut(), record, by)
    }

    fn update_record(
        &mut self,
        record: &Record,
        expected_version: u32,
        by: &str,
    ) -> Result<u32, StoreError> {
        records::update(self.client_mut(), record, expected_version, by)
    }

    fn delete_record(
        &mut self,
        kind: RecordKind,
        id: Uuid,
        expected_version: u32,
        by: &str,
    ) -> Result<(), StoreError> {
        records::delete(self.client_mut(), kind, id, expected_version, by)
    }

    fn record(&self, kind: RecordKind, id: Uuid) -> Result<Option<Versioned>, StoreError> {
        read::record(&mut *self.client(), kind, id)
    }

    fn stamps(&self, kind: RecordKind) -> Result<HashMap<Uuid, Stamp>, StoreError> {
        read::stamps(&mut *self.client(), kind)
    }

    fn list_records(&self, kind: RecordKind, query: &ListQuery) -> Result<RecordPage, StoreError> {
        read::list(&mut *self.client(), kind, query)
    }
}

impl ReportStore for Postgres {
    fn insert_report(
        &mut self,
        row: &ReportRow,
        transition: Option<&TransitionRow>,
    ) -> Result<Inserted, StoreError> {
        reports::insert(self.client_mut(), row, transition)
    }

    fn report(&self, id: Uuid) -> Result<Option<ReportRow>, StoreError> {
        reports::report(&mut *self.client(), id)
    }

    fn report_by_client_id(&self, client_id: &str) -> Result<Option<ReportRow>, StoreError> {
        reports::by_client_id(&mut *self.client(), client_id)
    }

    fn reports(&self, query: &ReportQuery) -> Result<Vec<ReportRow>, StoreError> {
        reports::list(&mut *self.client(), query)
    }

    fn count_reports(&self, query: &ReportQuery) -> Result<u64, StoreError> {
        reports::count(&mut *self.client(), query)
    }

    fn report_transitions(&self, id: Uuid) -> Result<Vec<TransitionRow>, StoreError> {
        reports::transitions(&mut *self.client(), id)
    }

    fn update_report(
        &mut self,
        row: &ReportRow,
        expected_version: u32,
        by: &str,
    ) -> Result<u32, StoreError> {
        reports::update(self.client_mut(), row, expected_version, by)
    }

    fn commit(&mut self, change: &ChangeSet) -> Result<(), StoreError> {
        reports::commit(self.client_mut(), change)
    }

    fn released_land(&self, hazard_area_id: Uuid) -> Result<Vec<ReleasedLand>, StoreError> {
        reports::released_land(&mut *self.client(), hazard_area_id)
    }
}

impl AccountStore for Postgres {
    fn add_user(&mut self, user: &NewUser) -> Result<User, StoreError> {
        accounts::add_user(self.client_mut(), user)
    }

    fn user(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        accounts::user(&mut *self.client(), id)
    }

    fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        accounts::user_by_name(&mut *self.client(), username)
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        accounts::users(&mut *self.client())
    }

    fn create_session(&mut self, session: &Session) -> Result<(), StoreError> {
        accounts::create_session(self.client_mut(), session)
    }

    fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        accounts::session(&mut *self.client(), token_hash)
    }

    fn delete_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        accounts::delete_session(self.client_mut(), token_hash)
    }

    fn create_api_token(&mut self, token: &NewApiToken) -> Result<ApiToken, StoreError> {
        accounts::create_api_token(self.client_mut(), token)
    }

    fn api_token(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        accounts::api_token(&mut *self.client(), token_hash)
    }

    fn api_token_by_id(&self, id: Uuid) -> Result<Option<ApiToken>, StoreError> {
        accounts::api_token_by_id(&mut *self.client(), id)
    }

    fn api_tokens(&self, user_id: Uuid) -> Result<Vec<ApiToken>, StoreError> {
        accounts::api_tokens(&mut *self.client(), user_id)
    }

    fn revoke_api_token(&mut self, id: Uuid) -> Result<Option<ApiToken>, StoreError> {
        accounts::revoke_api_token(self.client_mut(), id)
    }
}

impl PlanStore for Postgres {
    fn save_plan(
        &mut self,
        dataset: &Dataset,
        plan: &bonifica_planner::Plan,
        forecast: Option<&bonifica_planner::Forecast>,
        created: &str,
        by: &str,
    ) -> Result<Uuid, StoreError> {
        plans::save(self.client_mut(), dataset, plan, forecast, created, by)
    }

    fn plans(&self) -> Result<Vec<StoredPlan>, StoreError> {
        plans::list(&mut *self.client())
    }

    fn plan_json(&self, name: &str) -> Result<Option<String>, StoreError> {
        plans::plan_json(&mut *self.client(), name)
    }
}

impl AuditStore for Postgres {
    fn verify_audit(&self) -> Result<AuditCheck, StoreError> {
        audit::verify(&mut *self.client())
    }

    fn audit_entries(&self, after_seq: u64, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        audit::entries(&mut *self.client(), after_seq, limit)
    }

    fn audit_entries_kept(
        &self,
        after_seq: u64,
        limit: usize,
        keep: &mut dyn FnMut(&AuditEntry) -> bool,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        audit::entries_kept(&mut *self.client(), after_seq, limit, keep)
    }

    fn audit_last_kept(
        &self,
        limit: usize,
        keep: &mut dyn FnMut(&AuditEntry) -> bool,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        audit::last_kept(&mut *self.client(), limit, keep)
    }

    fn audit_head_seq(&self) -> Result<u64, StoreError> {
        audit::head_seq(&mut *self.client())
    }
}

impl crate::JobStore for Postgres {
    fn take_planning_slot(
        &mut self,
        lease: &crate::PlanningLease,
        stale_before: &str,
    ) -> Result<Option<crate::PlanningLease>, StoreError> {
        jobs::take(self.client_mut(), lease, stale_before)
    }

    fn renew_planning_slot(&mut self, job_id: Uuid, at: &str) -> Result<(), StoreError> {
        jobs::renew(self.client_mut(), job_id, at)
    }

    fn free_planning_slot(&mut self, job_id: Uuid) -> Result<(), StoreError> {
        jobs::free(self.client_mut(), job_id)
    }
}

impl Backend for Postgres {
    fn kind(&self) -> &'static str {
        "postgresql"
    }

    fn location(&self) -> String {
        self.url.clone()
    }

    fn folder(&self) -> Option<PathBuf> {
        None
    }

    fn schema_version(&self) -> Result<u32, StoreError> {
        schema::current_version(&mut *self.client())
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn passwords_are_left_out_of_the_url_shown() {
        assert_eq!(
            without_password("postgresql://bonifica:secret@db.example:5432/register"),
            "postgresql://bonifica@db.example:5432/register"
        );
        assert_eq!(
            without_password("postgres://u@%2Ftmp%2Fs/db?password=x&sslmode=disable"),
            "postgres://u@%2Ftmp%2Fs/db?sslmode=disable"
        );
        assert_eq!(
            without_password("postgres://u@h/db?password=x"),
            "postgres://u@h/db"
        );
        assert_eq!(without_password("postgres://h/db"), "postgres://h/db");
    }
}

//! Following the writes of other processes: several servers (and the command line) may
//! write the same register, each serving reads from its own in-memory model. Every write
//! appends to the audit log in its own transaction, so the log is the change feed: a
//! server reads the entries after the last one it applied, reloads each record they
//! name from the store, and drops its map layers. A bulk import reloads the whole model.
//!
//! [`AppState::catch_up`] does one round; `serve` runs it every [`INTERVAL`].

use std::time::Duration;

use bonifica_model::{Dataset, RecordKind};
use bonifica_store::{Backend, Record, Stamp, audit::record_kind_of};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::{AppState, Model};

/// How often a server looks for writes made by others: a write through one server shows
/// in the others' lists and maps within this, plus the time to rebuild a layer.
pub const INTERVAL: Duration = Duration::from_millis(200);

/// Audit entries read per round at most; a longer backlog is read over several rounds.
const BATCH: usize = 5_000;

/// What one round found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaughtUp {
    /// Audit entries read.
    pub entries: usize,
    /// Records reloaded or removed.
    pub records: usize,
    /// Whether the whole model was reloaded (after a bulk import).
    pub reloaded: bool,
    /// Whether a plan was saved.
    pub plans: bool,
}

/// Applies the entries after `seen` to `model`; returns what it did and the last entry's
/// sequence number.
pub fn apply(
    store: &dyn Backend,
    model: &mut Model,
    seen: u64,
) -> Result<(CaughtUp, u64), ApiError> {
    let entries = store.audit_entries(seen, BATCH)?;
    let mut out = CaughtUp {
        entries: entries.len(),
        ..CaughtUp::default()
    };
    let last = entries.last().map_or(seen, |e| e.seq);
    for entry in &entries {
        if entry.entity == "dataset" {
            out.reloaded = true;
            break;
        }
        if entry.entity == "plan" {
            out.plans = true;
        }
        let Some(kind) = record_kind_of(&entry.entity) else {
            continue;
        };
        let Ok(id) = entry.entity_id.parse::<Uuid>() else {
            continue;
        };
        if kind == RecordKind::River {
            continue;
        }
        match store.record(kind, id)? {
            Some(v) => put(model, v.record, v.stamp),
            None => remove(model, kind, id),
        }
        out.records += 1;
    }
    if out.reloaded {
        *model = Model::load(store)?;
    }
    Ok((out, last))
}

/// Puts a record into the model in code order, replacing the one with its id.
fn put(model: &mut Model, record: Record, stamp: Stamp) {
    let id = record.id();
    remove(model, record.kind(), id);
    let d = &mut model.data;
    match record {
        Record::Region(r) => insert(&mut d.regions, r, |r| r.code.as_str().to_string()),
        Record::Organisation(r) => insert(&mut d.organisations, r, |r| r.code.as_str().to_string()),
        Record::Person(r) => insert(&mut d.people, r, |r| r.code.as_str().to_string()),
        Record::Contract(r) => insert(&mut d.contracts, r, |r| r.code.as_str().to_string()),
        Record::Team(r) => insert(&mut d.teams, r, |r| r.code.as_str().to_string()),
        Record::Crew(r) => insert(&mut d.crews, r, |r| r.code.as_str().to_string()),
        Record::Settlement(r) => insert(&mut d.settlements, r, |r| r.code.as_str().to_string()),
        Record::HazardArea(r) => insert(&mut d.hazard_areas, r, |r| r.code.as_str().to_string()),
        Record::Asset(r) => insert(&mut d.assets, r, |r| r.code.as_str().to_string()),
    }
    model.stamps.insert(id, stamp);
}

fn insert<T>(all: &mut Vec<T>, record: T, code: impl Fn(&T) -> String) {
    let key = code(&record);
    let at = all.partition_point(|r| code(r) < key);
    all.insert(at, record);
}

/// Removes a record from the model, if it is there.
fn remove(model: &mut Model, kind: RecordKind, id: Uuid) {
    let d: &mut Dataset = &mut model.data;
    match kind {
        RecordKind::Region => d.regions.retain(|r| r.id != id),
        RecordKind::Organisation => d.organisations.retain(|r| r.id != id),
        RecordKind::Person => d.people.retain(|r| r.id != id),
        RecordKind::Contract => d.contracts.retain(|r| r.id != id),
        RecordKind::Team => d.teams.retain(|r| r.id != id),
        RecordKind::Crew => d.crews.retain(|r| r.id != id),
        RecordKind::Settlement => d.settlements.retain(|r| r.id != id),
        RecordKind::HazardArea => d.hazard_areas.retain(|r| r.id != id),
        RecordKind::Asset => d.assets.retain(|r| r.id != id),
        RecordKind::River => d.rivers.retain(|r| r.id != id),
    }
    model.stamps.remove(&id);
}

impl AppState {
    /// Applies the writes other processes made since the last round (and this server's
    /// own, which changes nothing): the records they name are read again, and the map
    /// layers rebuilt when anything changed. Returns what it found.
    pub async fn catch_up(&self) -> Result<CaughtUp, ApiError> {
        let state = self.clone();
        let found = tokio::task::spawn_blocking(move || state.catch_up_here())
            .await
            .map_err(|e| ApiError::internal(&e))??;
        if found.records > 0 || found.reloaded || found.plans {
            self.maps_changed();
        }
        Ok(found)
    }

    /// Runs [`AppState::catch_up`] every [`INTERVAL`] for as long as the runtime runs.
    pub fn follow_others(&self) {
        let state = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(INTERVAL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match state.catch_up().await {
                    Ok(found) if found.entries > 0 => tracing::debug!(
                        entries = found.entries,
                        records = found.records,
                        reloaded = found.reloaded,
                        "applied writes from the store"
                    ),
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e.detail, "reading the store's changes failed")
                    }
                }
            }
        });
    }
}

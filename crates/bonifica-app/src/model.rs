//! The register in memory ([`Model`]) and how it follows the store: every write appends to
//! the audit log in its own transaction, so the log is the change feed. [`apply`] reads
//! the entries after the last one applied, reloads each record they name from the store
//! (a bulk import reloads the whole model), so several servers and the command line may
//! write one register and each serve reads from its own model.

use std::collections::HashMap;

use bonifica_model::{Dataset, RecordKind};
use bonifica_store::{Backend, Record, Stamp, audit::record_kind_of};
use uuid::Uuid;

use crate::error::AppError;

/// The register as a server holds it in memory: every record, and every record's stamp.
#[derive(Debug, Default)]
pub struct Model {
    pub data: Dataset,
    /// Version and stamp of every record, by id.
    pub stamps: HashMap<Uuid, Stamp>,
}

impl Model {
    /// Reads the whole register and every record's stamp from the store.
    pub fn load(store: &dyn Backend) -> Result<Model, bonifica_store::StoreError> {
        let mut data = store.load()?;
        sort_by_code(&mut data);
        let mut stamps = HashMap::new();
        for (kind, _) in bonifica_store::RECORD_KINDS {
            stamps.extend(store.stamps(kind)?);
        }
        Ok(Model { data, stamps })
    }

    /// The version of a record; 1 for one the store never stamped.
    pub fn version(&self, id: Uuid) -> u32 {
        self.stamps.get(&id).map_or(1, |s| s.version)
    }

    /// The stamp of a record.
    pub fn stamp(&self, id: Uuid) -> Stamp {
        self.stamps.get(&id).cloned().unwrap_or(Stamp {
            version: 1,
            ..Stamp::default()
        })
    }
}

/// Puts every kind of record in code order, the order lists and their pages rely on. The
/// store gives records in the order they were written, which is not code order once
/// restricted records take codes of their own series (`HAR-0001` between `HA-0002` and
/// `HA-0003`) or an import wrote them in another order.
fn sort_by_code(d: &mut Dataset) {
    d.regions.sort_by(|a, b| a.code.cmp(&b.code));
    d.organisations.sort_by(|a, b| a.code.cmp(&b.code));
    d.people.sort_by(|a, b| a.code.cmp(&b.code));
    d.contracts.sort_by(|a, b| a.code.cmp(&b.code));
    d.teams.sort_by(|a, b| a.code.cmp(&b.code));
    d.crews.sort_by(|a, b| a.code.cmp(&b.code));
    d.settlements.sort_by(|a, b| a.code.cmp(&b.code));
    d.rivers.sort_by(|a, b| a.code.cmp(&b.code));
    d.hazard_areas.sort_by(|a, b| a.code.cmp(&b.code));
    d.assets.sort_by(|a, b| a.code.cmp(&b.code));
}

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
) -> Result<(CaughtUp, u64), AppError> {
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

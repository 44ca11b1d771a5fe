//! Reading the audit log. It holds whole records before and after each change,
//! restricted ones too. The coordinator and the defence liaison read it; a reader who may
//! not see restricted records gets the log without every entry that concerns one
//! ([`Withheld`]): pages still hold the number of entries asked for, and the chain, its
//! total and its anchor stay those of the whole log. The chain is verified on every read.

use std::collections::HashSet;

use bonifica_store::{AuditAnchor, AuditCheck, AuditEntry, Backend, ReportQuery};

use crate::access::Scoped;
use crate::stored_report::stored_code;
use crate::{Actor, AppError, Model, Role};

/// Which entries to read.
#[derive(Debug, Clone, Copy)]
pub enum Window {
    /// Up to `limit` entries after sequence number `after`.
    After { after: u64, limit: usize },
    /// The newest `n` entries.
    Last(usize),
}

/// Refuses every role but the coordinator and the defence liaison.
pub fn may_read(actor: &Actor) -> Result<(), AppError> {
    if matches!(actor.role, Role::Coordinator | Role::DefenceLiaison) {
        return Ok(());
    }
    Err(AppError::forbidden(
        "the audit log is for the coordinator and the defence liaison",
    ))
}

/// What the actor may not learn from the log; `None` when they see everything.
pub fn withheld_for(actor: &Actor, model: &Model) -> Option<Withheld> {
    (!actor.role.sees_restricted()).then(|| Withheld::from_model(model))
}

/// Verifies the chain (and the anchors given), then reads a window of the entries the
/// reader may see. A broken chain or a wrong anchor is a conflict on `audit_log`.
pub fn read(
    store: &dyn Backend,
    anchors: &[AuditAnchor],
    window: Window,
    withheld: Option<Withheld>,
) -> Result<(AuditCheck, Vec<AuditEntry>), AppError> {
    let check = store
        .verify_audit_anchored(anchors)
        .map_err(|e| AppError::conflict_on("audit_log", e.to_string()))?;
    let rows = match withheld {
        None => match window {
            Window::After { after, limit } => store.audit_entries(after, limit)?,
            Window::Last(n) => store.audit_entries(check.entries.saturating_sub(n as u64), n)?,
        },
        Some(mut withheld) => {
            withheld.add_reports(store)?;
            let keep = &mut |e: &AuditEntry| !withheld.concerns(e);
            let mut rows = match window {
                Window::After { after, limit } => store.audit_entries_kept(after, limit, keep)?,
                Window::Last(n) => store.audit_last_kept(n, keep)?,
            };
            rows.iter_mut().for_each(without_restricted_counts);
            rows
        }
    };
    Ok((check, rows))
}

/// What a reader without the restricted right may not learn from the audit log: the ids
/// and codes of every restricted record (hazard areas, assets, military structures
/// included, and the reports on them).
#[derive(Debug, Default)]
pub struct Withheld {
    names: HashSet<String>,
}

/// The tables of a bulk import's counts that may hold restricted records.
const TABLES_WITH_RESTRICTED: [&str; 5] = [
    "hazard_areas",
    "hazard_area_versions",
    "assets",
    "asset_dependencies",
    "asset_repair_work",
];

impl Withheld {
    /// The restricted hazard areas and assets of the register.
    pub fn from_model(model: &Model) -> Withheld {
        let areas = model
            .data
            .hazard_areas
            .iter()
            .filter(|a| Scoped::restricted(*a))
            .map(|a| (a.id, a.code.as_str()));
        let assets = model
            .data
            .assets
            .iter()
            .filter(|a| Scoped::restricted(*a))
            .map(|a| (a.id, a.code.as_str()));
        let names = areas
            .chain(assets)
            .flat_map(|(id, code)| [id.to_string(), code.to_string()])
            .collect();
        Withheld { names }
    }

    /// Adds the reports on restricted land, by id and code.
    fn add_reports(&mut self, store: &dyn Backend) -> Result<(), AppError> {
        let restricted = store.reports(&ReportQuery {
            include_restricted: true,
            only_restricted: true,
            ..ReportQuery::default()
        })?;
        for r in restricted {
            self.names.insert(r.id.to_string());
            if let Some(code) = stored_code(&r.body) {
                self.names.insert(code);
            }
        }
        Ok(())
    }

    /// Whether the entry concerns a restricted record: its entity is one; its before or
    /// after is restricted or a military structure (a record since deleted or made
    /// visible); or its text names a restricted record anywhere (a report or released
    /// land on a restricted area, and whatever else may come to name one).
    pub fn concerns(&self, e: &AuditEntry) -> bool {
        let images = [e.before.as_deref(), e.after.as_deref()];
        if images.into_iter().flatten().any(is_restricted_image) {
            return true;
        }
        [
            Some(e.entity_id.as_str()),
            e.before.as_deref(),
            e.after.as_deref(),
        ]
        .into_iter()
        .flatten()
        .any(|text| self.named_in(text))
    }

    /// Whether `text` holds the id or code of a restricted record as a whole word.
    fn named_in(&self, text: &str) -> bool {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .any(|word| word.len() >= 4 && self.names.contains(word))
    }
}

/// Whether a record image of the log is a restricted record: `"restricted": true` or an
/// asset of kind `military_structure`.
fn is_restricted_image(text: &str) -> bool {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        // Not JSON: only the names in it can tell.
        return false;
    };
    value["restricted"] == true || value["kind"] == "military_structure"
}

/// A bulk import's entry keeps only the counts of tables that hold no restricted records;
/// the others are listed as `withheld`.
fn without_restricted_counts(e: &mut AuditEntry) {
    if e.entity != "dataset" {
        return;
    }
    let Some(mut after) = e
        .after
        .as_deref()
        .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
    else {
        e.after = None;
        return;
    };
    if let Some(added) = after["added"].as_object_mut() {
        let withheld: Vec<&str> = TABLES_WITH_RESTRICTED
            .into_iter()
            .filter(|t| added.remove(*t).is_some())
            .collect();
        after["withheld"] = serde_json::Value::from(withheld);
    } else {
        after = serde_json::Value::Null;
    }
    e.after = Some(after.to_string());
}

/// The most changes of one record a history gives.
pub const HISTORY_LIMIT: usize = 1000;

/// The changes of one record, oldest first, from the audit log: each with when, who, what
/// and the record before and after. The caller has found the record visible to the actor;
/// a record's own changes say nothing of others. A record loaded by a bulk import has no
/// entry of its own for that first version: the import's entry (`dataset`) holds it.
pub fn history(store: &dyn Backend, id: uuid::Uuid) -> Result<Vec<AuditEntry>, AppError> {
    let id = id.to_string();
    let keep = &mut |e: &AuditEntry| e.entity_id == id;
    Ok(store.audit_entries_kept(0, HISTORY_LIMIT, keep)?)
}

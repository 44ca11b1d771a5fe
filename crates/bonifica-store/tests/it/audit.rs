//! The audit log: every write path appends its entry, the chain holds after a series of
//! writes, and an edited, removed or reordered entry, or a removed tail, is found and named.

use bonifica_store::prelude::*;
use std::path::{Path, PathBuf};

use bonifica_model::{Code, RecordKind, ReleaseEvent};
use bonifica_store::audit::GENESIS;
use bonifica_store::{AuditEntry, AuditProblem, GeoPackage, Record, Store, StoreError};
use rusqlite::Connection;

use crate::fixture::{date, id, new_store, report, small_dataset, step};

/// A file after seven writes through seven paths; returns its path (in `dir`).
fn written(dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("audited.gpkg");
    let mut store = GeoPackage::create(&path).expect("creates");
    let dataset = small_dataset();
    store.insert(&dataset).expect("inserts");
    let mut person = dataset.people[0].clone();
    person.id = id(RecordKind::Person, 60);
    person.code = Code::new(RecordKind::Person, 60);
    store
        .create_record(&Record::Person(person.clone()), "coordinator")
        .expect("creates a person");
    let mut team = dataset.teams[0].clone();
    team.name = "Renamed team".to_string();
    store
        .update_record(&Record::Team(team), 1, "coordinator")
        .expect("renames the team");
    let mut area = dataset.hazard_areas[0].clone();
    area.apply(ReleaseEvent::StartWork, date(2026, 5, 1))
        .expect("legal");
    store.replace_hazard_area(&area, 1).expect("replaces");
    let draft = report(1, &area);
    store.insert_report(&draft, None).expect("files");
    store
        .commit(&step(
            &draft,
            "submit",
            "submitted",
            "leader",
            "team_leader",
        ))
        .expect("submits");
    store
        .delete_record(RecordKind::Person, person.id, 1, "coordinator")
        .expect("deletes the person");
    path
}

fn verify(path: &Path) -> Result<bonifica_store::AuditCheck, StoreError> {
    GeoPackage::open(path).expect("opens").verify_audit()
}

fn tamper(path: &Path, sql: &str) {
    Connection::open(path)
        .and_then(|c| c.execute_batch(sql))
        .expect("tampers");
}

/// The entry named and what is wrong with it.
fn broken(path: &Path) -> (u64, AuditProblem) {
    match verify(path) {
        Err(StoreError::AuditBroken { seq, problem }) => (seq, problem),
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

#[test]
fn every_write_path_appends_one_entry_and_the_chain_holds() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = written(&dir);
    let check = verify(&path).expect("the chain holds");
    assert_eq!(check.entries, 7);
    let store = GeoPackage::open(&path).expect("opens");
    let entries = store.audit_entries(0, 100).expect("reads");
    let summary: Vec<(u64, &str, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e.seq,
                e.actor.as_str(),
                e.action.as_str(),
                e.entity.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1, "system", "insert", "dataset"),
            (2, "coordinator", "create", "person"),
            (3, "coordinator", "update", "team"),
            (4, "system", "update", "hazard_area"),
            (5, "leader", "create", "report"),
            (6, "leader", "submit", "report"),
            (7, "coordinator", "delete", "person"),
        ]
    );
    assert_eq!(check.head, entries[6].hash);
    assert_eq!(entries[0].prev_hash, GENESIS);
    assert!(entries.windows(2).all(|w| w[1].prev_hash == w[0].hash));
    assert!(entries.iter().all(|e| e.expected_hash() == e.hash));
    // The bulk insert is one entry that counts rows per table.
    let counts: serde_json::Value =
        serde_json::from_str(entries[0].after.as_deref().expect("after")).expect("JSON");
    assert_eq!(counts["added"]["hazard_areas"], 3);
    assert_eq!(counts["added"]["people"], 4);
    assert_eq!(entries[0].entity_id, id(RecordKind::Region, 1).to_string());
    // Updates carry the record before and after; a delete only before.
    assert!(
        entries[2]
            .before
            .as_deref()
            .is_some_and(|b| !b.contains("Renamed team"))
    );
    assert!(
        entries[2]
            .after
            .as_deref()
            .is_some_and(|a| a.contains("Renamed team"))
    );
    assert!(entries[6].before.is_some() && entries[6].after.is_none());
    // The report's body is in its entry.
    assert!(
        entries[4]
            .after
            .as_deref()
            .is_some_and(|a| a.contains("destroyed_in_situ"))
    );
    // Paging.
    let page: Vec<u64> = store
        .audit_entries(2, 3)
        .expect("reads")
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(page, [3, 4, 5]);
}

#[test]
fn an_empty_log_holds_and_ends_at_the_genesis_hash() {
    let (_dir, store) = new_store();
    let check = store.verify_audit().expect("holds");
    assert_eq!((check.entries, check.head.as_str()), (0, GENESIS));
}

#[test]
fn an_edited_entry_is_named() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = written(&dir);
    tamper(
        &path,
        "UPDATE audit_log SET after = replace(after, 'Renamed team', 'Another team') WHERE seq = 3",
    );
    assert_eq!(broken(&path), (3, AuditProblem::Edited));
    let message = verify(&path).expect_err("broken").to_string();
    assert_eq!(
        message,
        "audit log entry 3: its hash does not match its content: the entry was edited"
    );
}

#[test]
fn an_edited_entry_with_a_recomputed_hash_breaks_the_next_link() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = written(&dir);
    let store = GeoPackage::open(&path).expect("opens");
    let mut forged: AuditEntry = store.audit_entries(2, 1).expect("reads").remove(0);
    drop(store);
    forged.actor = "somebody else".to_string();
    let hash = forged.expected_hash();
    tamper(
        &path,
        &format!("UPDATE audit_log SET actor = 'somebody else', hash = '{hash}' WHERE seq = 3"),
    );
    assert_eq!(broken(&path), (4, AuditProblem::Unlinked { follows: None }));
}

#[test]
fn a_deleted_entry_is_named() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = written(&dir);
    tamper(&path, "DELETE FROM audit_log WHERE seq = 4");
    assert_eq!(
        broken(&path),
        (
            4,
            AuditProblem::Missing {
                previous: 3,
                next: 5
            }
        )
    );
    assert!(
        verify(&path)
            .expect_err("broken")
            .to_string()
            .starts_with("audit log entry 4: it is missing"),
    );
}

#[test]
fn a_reordered_pair_is_named() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = written(&dir);
    // Entries 3 and 4 swap places; each keeps its own content and hashes.
    tamper(
        &path,
        "UPDATE audit_log SET seq = -4 WHERE seq = 4;
         UPDATE audit_log SET seq = 4 WHERE seq = 3;
         UPDATE audit_log SET seq = 3 WHERE seq = -4;",
    );
    assert_eq!(
        broken(&path),
        (3, AuditProblem::Unlinked { follows: Some(4) })
    );
    assert!(
        verify(&path)
            .expect_err("broken")
            .to_string()
            .contains("entries were reordered"),
    );
}

#[test]
fn a_pair_swapped_content_for_content_is_named() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = written(&dir);
    // Every column but seq swapped between 5 and 6.
    let columns = "at, actor, action, entity, entity_id, before, after, prev_hash, hash";
    tamper(
        &path,
        &format!(
            "CREATE TEMP TABLE t AS SELECT seq, {columns} FROM audit_log WHERE seq IN (5, 6);
             UPDATE audit_log SET ({columns}) =
               (SELECT {columns} FROM t WHERE t.seq = 11 - audit_log.seq)
               WHERE seq IN (5, 6);"
        ),
    );
    assert_eq!(
        broken(&path),
        (5, AuditProblem::Unlinked { follows: Some(6) })
    );
}

#[test]
fn a_removed_tail_is_named() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = written(&dir);
    tamper(&path, "DELETE FROM audit_log WHERE seq >= 6");
    assert_eq!(
        broken(&path),
        (6, AuditProblem::TailRemoved { last: 5, head: 7 })
    );
}

#[test]
fn an_entry_added_past_the_head_is_named() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = written(&dir);
    let store = GeoPackage::open(&path).expect("opens");
    let last = store.audit_entries(6, 1).expect("reads").remove(0);
    drop(store);
    let mut forged = AuditEntry {
        seq: 8,
        prev_hash: last.hash.clone(),
        action: "delete".to_string(),
        ..last
    };
    forged.hash = forged.expected_hash();
    let conn = Connection::open(&path).expect("opens");
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, after, \
         prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        rusqlite::params![
            8,
            forged.at,
            forged.actor,
            forged.action,
            forged.entity,
            forged.entity_id,
            forged.before,
            forged.after,
            forged.prev_hash,
            forged.hash
        ],
    )
    .expect("forges");
    drop(conn);
    assert_eq!(broken(&path), (8, AuditProblem::PastHead { head: 7 }));
}

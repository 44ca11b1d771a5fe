//! `audit verify` on a demo file: the chain holds after the demo, and an entry edited or
//! removed behind the store's back is named with exit code 5.

use bonifica_store::prelude::*;
use std::path::Path;

use crate::{bonifica, text};

/// A small demo region in `dir`, as `r.gpkg`: its import is the log's first entry.
pub fn small_demo(dir: &Path) {
    let out = bonifica(
        dir,
        &[
            "demo",
            "--out",
            "r.gpkg",
            "--deminers",
            "60",
            "--workers",
            "120",
            "--hazard-density",
            "0.05",
            "--asset-density",
            "0.2",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
}

fn tamper(dir: &Path, sql: &str) {
    rusqlite::Connection::open(dir.join("r.gpkg"))
        .and_then(|c| c.execute_batch(sql))
        .unwrap();
}

#[test]
fn a_demo_file_has_an_intact_chain() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path());
    let out = bonifica(dir.path(), &["audit", "verify", "r.gpkg"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with("audit log of r.gpkg: 1 entry, chain intact, head "),
        "{stdout}"
    );
    let first = stdout.lines().next().unwrap();
    let head = first.rsplit(' ').next().unwrap();
    assert_eq!(head.len(), 64, "{stdout}");
    assert!(head.chars().all(|c| c.is_ascii_hexdigit()), "{stdout}");
    assert!(
        stdout.contains(&format!("\nanchor 1:{head} (keep it outside this file")),
        "{stdout}"
    );
}

/// The anchor `bonifica audit verify` prints for the file's only entry.
fn anchor_of(dir: &Path) -> String {
    let out = bonifica(dir, &["audit", "verify", "r.gpkg"]);
    let (stdout, _) = text(&out);
    let line = stdout.lines().find(|l| l.starts_with("anchor ")).unwrap();
    line.split(' ').nth(1).unwrap().to_string()
}

#[test]
fn an_anchor_holds_while_the_log_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path());
    let anchor = anchor_of(dir.path());
    let out = bonifica(
        dir.path(),
        &["audit", "verify", "r.gpkg", "--anchor", &anchor],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("\n1 anchor held\n"), "{stdout}");
}

#[test]
fn a_log_rewritten_with_its_head_passes_the_walk_but_not_its_anchor() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path());
    let anchor = anchor_of(dir.path());

    // Edit the entry, then recompute its hash and the head, as someone with the file and
    // this source code could: the chain alone holds again.
    let conn = rusqlite::Connection::open(dir.path().join("r.gpkg")).unwrap();
    conn.execute(
        "UPDATE audit_log SET actor = 'somebody else' WHERE seq = 1",
        [],
    )
    .unwrap();
    let store = bonifica_store::GeoPackage::open(&dir.path().join("r.gpkg")).unwrap();
    let mut entry = store.audit_entries(0, 1).unwrap().pop().unwrap();
    drop(store);
    entry.hash = entry.expected_hash();
    conn.execute(
        "UPDATE audit_log SET hash = ?1 WHERE seq = 1",
        [&entry.hash],
    )
    .unwrap();
    conn.execute("UPDATE audit_head SET hash = ?1", [&entry.hash])
        .unwrap();
    drop(conn);

    let walk = bonifica(dir.path(), &["audit", "verify", "r.gpkg"]);
    assert_eq!(walk.status.code(), Some(0), "{:?}", text(&walk));

    let out = bonifica(
        dir.path(),
        &["audit", "verify", "r.gpkg", "--anchor", &anchor],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(5), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("r.gpkg: audit log entry 1: it was anchored with hash ")
            && stderr.contains("the log was rewritten up to this entry"),
        "{stderr}"
    );
}

#[test]
fn a_malformed_anchor_is_refused_with_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path());
    let out = bonifica(
        dir.path(),
        &["audit", "verify", "r.gpkg", "--anchor", "3:abc"],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is not a SHA-256 hash (64 hex digits)"),
        "{stderr}"
    );
}

#[test]
fn an_edited_entry_is_named_with_exit_code_5() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path());
    tamper(
        dir.path(),
        "UPDATE audit_log SET actor = 'somebody else' WHERE seq = 1",
    );
    let out = bonifica(dir.path(), &["audit", "verify", "r.gpkg"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(5), "{stdout}\n{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains(
            "r.gpkg: audit log entry 1: its hash does not match its content: the entry was edited"
        ),
        "{stderr}"
    );
}

#[test]
fn a_removed_last_entry_is_named_with_exit_code_5() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path());
    tamper(dir.path(), "DELETE FROM audit_log WHERE seq = 1");
    let out = bonifica(dir.path(), &["audit", "verify", "r.gpkg"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains("audit log entry 1: it is missing: the log ends at entry 0"),
        "{stderr}"
    );
}

#[test]
fn verifying_changes_nothing_in_the_file_not_even_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path());
    // As an earlier release left it: schema 6, without the migrations of 7, 8 and 9.
    tamper(
        dir.path(),
        "DROP TABLE bonifica_planning_slot;
         DELETE FROM bonifica_migrations WHERE version = 9;
         DROP TABLE bonifica_api_tokens;
         CREATE TABLE bonifica_api_tokens (
           token_hash TEXT PRIMARY KEY NOT NULL,
           user_id TEXT NOT NULL REFERENCES bonifica_users(id) ON DELETE CASCADE,
           name TEXT NOT NULL,
           created_at TEXT NOT NULL
         );
         DELETE FROM bonifica_migrations WHERE version = 8;
         DROP INDEX reports_created; DROP INDEX reports_unit_created;
         DROP INDEX reports_organisation_created;
         ALTER TABLE released_land DROP COLUMN cancelled_m2;
         ALTER TABLE released_land DROP COLUMN reduced_m2;
         ALTER TABLE released_land DROP COLUMN cleared_m2;
         DELETE FROM bonifica_migrations WHERE version = 7;",
    );
    let bytes = || std::fs::read(dir.path().join("r.gpkg")).unwrap();
    let before = bytes();
    let out = bonifica(dir.path(), &["audit", "verify", "r.gpkg"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(before == bytes(), "the region file changed");
    let schema: u32 = rusqlite::Connection::open(dir.path().join("r.gpkg"))
        .and_then(|c| {
            c.query_row("SELECT MAX(version) FROM bonifica_migrations", [], |r| {
                r.get(0)
            })
        })
        .unwrap();
    assert_eq!(schema, 6, "verify migrated the file");
}

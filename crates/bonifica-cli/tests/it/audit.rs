//! `audit verify` on a demo file: the chain holds after the demo, and an entry edited or
//! removed behind the store's back is named with exit code 5.

use std::path::Path;

use crate::{bonifica, text};

/// A small demo region in `dir`, as `r.gpkg`: its import is the log's first entry.
fn small_demo(dir: &Path) {
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
    let head = stdout.trim_end().rsplit(' ').next().unwrap();
    assert_eq!(head.len(), 64, "{stdout}");
    assert!(head.chars().all(|c| c.is_ascii_hexdigit()), "{stdout}");
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

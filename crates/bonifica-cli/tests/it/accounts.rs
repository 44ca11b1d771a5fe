//! `user add` and `token add` on a demo file: a crew's leader is made from the crew's code,
//! and a token is printed once and stored as a hash with its expiry.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::audit::small_demo;
use crate::{bonifica, text};

/// Runs `bonifica` with `input` on standard input (a password, as an operator pipes it).
fn bonifica_with_input(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bonifica"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn query(dir: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(dir.join("r.gpkg")).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_row([], |r| {
        (0..r.as_ref().column_count())
            .map(|i| r.get::<_, String>(i))
            .collect::<Result<Vec<_>, _>>()
    })
    .unwrap()
}

#[test]
fn user_add_with_a_crews_code_makes_a_crew_leader() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path());
    let crew = query(
        dir.path(),
        "SELECT code, id, organisation_id FROM crews ORDER BY code LIMIT 1",
    );
    let (code, crew_id, organisation_id) = (&crew[0], &crew[1], &crew[2]);
    assert!(code.starts_with("RC-"), "{code}");
    let out = bonifica_with_input(
        dir.path(),
        &[
            "user",
            "add",
            "--file",
            "r.gpkg",
            "--username",
            "rita",
            "--role",
            "team_leader",
            "--team",
            code,
        ],
        "crew leader password\n",
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(stdout, "added rita (team_leader)\n");
    let user = query(
        dir.path(),
        "SELECT team_id, organisation_id FROM bonifica_users WHERE username = 'rita'",
    );
    assert_eq!(&user, &[crew_id.clone(), organisation_id.clone()]);

    let out = bonifica_with_input(
        dir.path(),
        &[
            "user",
            "add",
            "--file",
            "r.gpkg",
            "--username",
            "nobody",
            "--role",
            "team_leader",
            "--team",
            "RC-9999",
        ],
        "password\n",
    );
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("no team or crew RC-9999"), "{stderr}");
}

#[test]
fn token_add_prints_the_token_once_and_stores_its_hash_and_expiry() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path());
    let out = bonifica_with_input(
        dir.path(),
        &[
            "user",
            "add",
            "--file",
            "r.gpkg",
            "--username",
            "gis",
            "--role",
            "viewer",
        ],
        "viewer password\n",
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let out = bonifica(
        dir.path(),
        &[
            "token",
            "add",
            "--file",
            "r.gpkg",
            "--username",
            "gis",
            "--name",
            "qgis",
            "--days",
            "30",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let secret = stdout.trim();
    assert_eq!(secret.len(), 64, "{stdout}");
    let stored = query(
        dir.path(),
        "SELECT token_hash, name, CAST(round(julianday(expires_at) - julianday('now')) AS TEXT) \
         FROM bonifica_api_tokens",
    );
    assert_eq!(stored[1], "qgis");
    assert_eq!(stored[2], "30.0");
    assert_ne!(stored[0], secret, "stored as a hash only");
    assert_eq!(stored[0], bonifica_server::auth::hash_token(secret));

    for (args, problem) in [
        (vec!["--username", "gis", "--days", "0"], "must be 1 to 365"),
        (vec!["--username", "nobody"], "user nobody: not stored"),
    ] {
        let mut all = vec!["token", "add", "--file", "r.gpkg"];
        all.extend(args);
        let out = bonifica(dir.path(), &all);
        let (_, stderr) = text(&out);
        assert!(!out.status.success());
        assert!(stderr.contains(problem), "{stderr}");
    }
}

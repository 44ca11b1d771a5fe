//! The binary as a process among others: a reader that goes away (`| head -1`) ends a
//! command quietly instead of a panic, and `bonifica serve` logs what it does on standard
//! error.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use crate::audit::small_demo;

#[test]
fn audit_verify_into_a_closed_pipe_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path());
    // The reading end is closed before the command starts, as `| head -1` closes it
    // after one line: every write then fails with a broken pipe.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_bonifica"))
        .args(["audit", "verify", "r.gpkg"])
        .current_dir(dir.path())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[test]
fn serve_logs_that_it_serves_and_each_request() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_bonifica"))
        .args(["serve", "r.gpkg", "--port", "0"])
        .current_dir(dir.path())
        .env_remove("BONIFICA_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let addr = first
        .split("open http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "GET /api/session HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    child.kill().unwrap();
    child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains("serving the bonifica api"), "{stderr}");
    let request = stderr
        .lines()
        .find(|l| l.contains("/api/session") && l.contains("status=401"))
        .unwrap_or_else(|| panic!("no line for the request in:\n{stderr}"));
    assert!(request.contains("INFO"), "{request}");
}

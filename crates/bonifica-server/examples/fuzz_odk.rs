//! The long fuzz harness of the OpenRosa submission reader, outside CI:
//!
//! `cargo run --release -p bonifica-server --example fuzz_odk -- --seconds 600`
//!
//! Inputs are random bytes and mutations of `test-data/odk/daily_progress.xml`. A panic,
//! or an error without a field or a problem, is a crash; each crashing input is saved
//! under `fuzz-crashes/`. The exit code is 1 when anything crashed.

// The loop and the mutations are shared with the interchange readers' harness.
#[path = "../../bonifica-interchange/examples/fuzz/mutate.rs"]
mod mutate;

use bonifica_server::odk::submission::parse_daily_progress;

const SEED: &str = include_str!("../../../test-data/odk/daily_progress.xml");

const TOKENS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "=",
    "\"",
    "'",
    "<!DOCTYPE d [<!ENTITY e \"x\">]>",
    "&e;",
    "&amp;",
    "&#0;",
    "&#x10FFFF;",
    ";",
    " ",
    "NaN",
    "inf",
    "-0",
    "1e400",
    "4294967296",
    "-1",
    "\u{feff}",
    "é",
    "<ordnance>",
    "</ordnance>",
    "<worked>",
    "</worked>",
    "<meta>",
    "</meta>",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml version='1.0'?>",
    "xmlns:a=\"u\"",
    "a:",
    "90 180 0 0;",
    "-90.0000001 0;",
    "49.9 36.2 0 5;",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seconds = match mutate::seconds_from(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let seeds = vec![SEED.as_bytes().to_vec()];
    let crashes = mutate::run("odk", seconds, &seeds, TOKENS, check);
    std::process::exit(i32::from(crashes > 0));
}

fn check(bytes: &[u8]) -> Result<(), String> {
    let xml = String::from_utf8_lossy(bytes);
    match parse_daily_progress(&xml) {
        Ok(_) => Ok(()),
        Err(e) if e.field.is_empty() || e.problem.is_empty() => {
            Err(format!("error without a field or a problem: {e:?}"))
        }
        Err(_) => Ok(()),
    }
}

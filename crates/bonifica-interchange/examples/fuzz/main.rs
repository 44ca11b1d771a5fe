//! The long fuzz harness of the GeoJSON and CSV readers, outside CI:
//!
//! `cargo run --release -p bonifica-interchange --example fuzz -- geojson --seconds 600`
//! (or `csv`). Inputs are random bytes and mutations of the files under
//! `test-data/interchange/`, read into every layer or table in both import modes. A panic,
//! or an error that does not name the file, is a crash; each crashing input is saved under
//! `fuzz-crashes/`. The exit code is 1 when anything crashed.

mod mutate;

use bonifica_interchange::{
    ImportOptions, InterchangeError, SpatialLayer, Table, import_csv, import_geojson,
};
use bonifica_model::{Dataset, Date};
use std::path::PathBuf;

const FILE: &str = "fuzzed.input";

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\n",
    "\r\n",
    "null",
    "true",
    "-0",
    "1e308",
    "1e-320",
    "-1e400",
    "180.0000001",
    "-90",
    "NaN",
    "99999999999999999999",
    "\u{feff}",
    "\"\"",
    "é",
    "[[",
    "]]",
    "[36.1, 49.9]",
    "[179.9, 0], [-179.9, 0]",
    "\"type\": \"MultiPolygon\"",
    "\"type\": \"LineString\"",
    "\"coordinates\": []",
    "\"features\": [{}]",
    ",,,",
    "\"HA-0001\"",
    "2027-02-30",
    "\"depends_on\": \"AS-0001\"",
    "\"id\": \"00000000-0000-0000-0000-000000000001\"",
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
    let reader = args.first().map(String::as_str).unwrap_or("");
    let crashes = match reader {
        "geojson" => mutate::run("geojson", seconds, &seeds("geojson"), TOKENS, check_geojson),
        "csv" => mutate::run("csv", seconds, &seeds("csv"), TOKENS, check_csv),
        _ => {
            eprintln!("usage: fuzz geojson|csv [--seconds N]");
            std::process::exit(2);
        }
    };
    std::process::exit(i32::from(crashes > 0));
}

fn seeds(extension: &str) -> Vec<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-data/interchange");
    let mut seeds = Vec::new();
    for folder in ["good", "bad"] {
        let Ok(dir) = std::fs::read_dir(root.join(folder)) else {
            continue;
        };
        for entry in dir.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == extension)
                && let Ok(bytes) = std::fs::read(&path)
            {
                seeds.push(bytes);
            }
        }
    }
    // Sorted, so the same seed of the generator gives the same inputs on every machine.
    seeds.sort();
    if seeds.is_empty() {
        seeds.push(Vec::new());
    }
    seeds
}

fn options(skip_invalid: bool) -> ImportOptions {
    let as_of = Date::from_ymd_opt(2027, 3, 1).unwrap_or_default();
    ImportOptions {
        skip_invalid,
        region_id: Some(uuid::Uuid::from_u128(1)),
        ..ImportOptions::new(as_of)
    }
}

fn named(e: &InterchangeError) -> Result<(), String> {
    let message = e.to_string();
    if !message.starts_with(&format!("{FILE}: ")) {
        return Err(format!("error does not name the file: {message}"));
    }
    if let Some(record) = e.record()
        && !message.contains(&record.to_string())
    {
        return Err(format!("error does not name the record: {message}"));
    }
    Ok(())
}

fn check_geojson(bytes: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(bytes);
    for layer in SpatialLayer::ALL {
        for skip in [false, true] {
            match import_geojson(FILE, &text, layer, &options(skip), &Dataset::default()) {
                Ok(import) => import.report.rejected.iter().try_for_each(named)?,
                Err(e) => named(&e)?,
            }
        }
    }
    Ok(())
}

fn check_csv(bytes: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(bytes);
    for table in Table::ALL {
        for skip in [false, true] {
            match import_csv(FILE, &text, table, &options(skip), &Dataset::default()) {
                Ok(import) => import.report.rejected.iter().try_for_each(named)?,
                Err(e) => named(&e)?,
            }
        }
    }
    Ok(())
}

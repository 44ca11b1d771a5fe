//! Short fuzz tests of the two readers: arbitrary bytes, and mutations of the files under
//! `test-data/interchange/`. Neither reader may panic, and every error (and every record
//! left out in skip mode) names the file, and the record when it is about one. The long
//! harness is `cargo run --release -p bonifica-interchange --example fuzz`.

use bonifica_interchange::{
    ImportOptions, InterchangeError, SpatialLayer, Table, import_csv, import_geojson,
};
use proptest::prelude::*;

use crate::{as_of, sample_dataset, test_data};

const FILE: &str = "fuzzed.input";

/// Every file under `test-data/interchange/{good,bad}` ending in `extension`.
fn seeds(extension: &str) -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for folder in ["good", "bad"] {
        let dir = std::fs::read_dir(test_data(folder)).expect("test-data folder");
        let mut paths: Vec<_> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == extension))
            .collect();
        paths.sort();
        for path in paths {
            seeds.push(std::fs::read(&path).expect("seed file"));
        }
    }
    assert!(!seeds.is_empty(), "no .{extension} seeds");
    seeds
}

/// One edit of a seed: where (a share of its length), what, and bytes to put in.
#[derive(Debug, Clone)]
enum Edit {
    Flip(f64, u8),
    Insert(f64, Vec<u8>),
    Delete(f64, usize),
    Duplicate(f64, usize),
    Token(f64, usize),
}

/// Fragments that reach deeper than random bytes: JSON and CSV syntax, extreme numbers,
/// antimeridian and degenerate coordinates, a byte-order mark.
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
    "\"coordinates\": []",
    "\"features\": [{}]",
    ",,,",
    "\"HA-0001\"",
    "2027-02-30",
];

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0.0..1.0, any::<u8>()).prop_map(|(at, b)| Edit::Flip(at, b)),
        (0.0..1.0, prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Edit::Insert(at, bytes)),
        (0.0..1.0, 1..64usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        (0.0..1.0, 1..256usize).prop_map(|(at, n)| Edit::Duplicate(at, n)),
        (0.0..1.0, 0..TOKENS.len()).prop_map(|(at, t)| Edit::Token(at, t)),
    ]
}

fn mutate(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for edit in edits {
        let place = |share: f64, len: usize| ((share * len as f64) as usize).min(len);
        match edit {
            Edit::Flip(at, b) if !bytes.is_empty() => {
                let i = place(*at, bytes.len() - 1);
                bytes[i] ^= b;
            }
            Edit::Flip(..) => {}
            Edit::Insert(at, new) => {
                let i = place(*at, bytes.len());
                bytes.splice(i..i, new.iter().copied());
            }
            Edit::Delete(at, n) => {
                let i = place(*at, bytes.len());
                let end = (i + n).min(bytes.len());
                bytes.drain(i..end);
            }
            Edit::Duplicate(at, n) => {
                let i = place(*at, bytes.len());
                let end = (i + n).min(bytes.len());
                let copy = bytes[i..end].to_vec();
                bytes.splice(end..end, copy);
            }
            Edit::Token(at, t) => {
                let i = place(*at, bytes.len());
                bytes.splice(i..i, TOKENS[*t].bytes());
            }
        }
    }
    bytes
}

/// The message names the file, and the record when the error is about one.
fn assert_named(e: &InterchangeError) {
    let message = e.to_string();
    assert!(message.starts_with(&format!("{FILE}: ")), "{message}");
    if let Some(record) = e.record() {
        assert!(message.contains(&record.to_string()), "{message}");
    }
}

fn options(skip_invalid: bool) -> ImportOptions {
    let existing = sample_dataset();
    ImportOptions {
        skip_invalid,
        region_id: Some(existing.regions[0].id),
        ..ImportOptions::new(as_of())
    }
}

fn check_geojson(bytes: &[u8], layer: usize, skip_invalid: bool) {
    let text = String::from_utf8_lossy(bytes);
    let layer = SpatialLayer::ALL[layer % SpatialLayer::ALL.len()];
    let existing = sample_dataset();
    match import_geojson(FILE, &text, layer, &options(skip_invalid), &existing) {
        Ok(import) => import.report.rejected.iter().for_each(assert_named),
        Err(e) => assert_named(&e),
    }
}

fn check_csv(bytes: &[u8], table: usize, skip_invalid: bool) {
    let text = String::from_utf8_lossy(bytes);
    let table = Table::ALL[table % Table::ALL.len()];
    let existing = sample_dataset();
    match import_csv(FILE, &text, table, &options(skip_invalid), &existing) {
        Ok(import) => import.report.rejected.iter().for_each(assert_named),
        Err(e) => assert_named(&e),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_geojson_reader_survives_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..512),
        layer in 0..5usize,
        skip in any::<bool>(),
    ) {
        check_geojson(&bytes, layer, skip);
    }

    #[test]
    fn the_geojson_reader_survives_mutated_files(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..6),
        layer in 0..5usize,
        skip in any::<bool>(),
    ) {
        let seeds = seeds("geojson");
        let bytes = mutate(&seeds[seed.index(seeds.len())], &edits);
        check_geojson(&bytes, layer, skip);
    }

    #[test]
    fn the_csv_reader_survives_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..512),
        table in 0..5usize,
        skip in any::<bool>(),
    ) {
        check_csv(&bytes, table, skip);
    }

    #[test]
    fn the_csv_reader_survives_mutated_files(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..6),
        table in 0..5usize,
        skip in any::<bool>(),
    ) {
        let seeds = seeds("csv");
        let bytes = mutate(&seeds[seed.index(seeds.len())], &edits);
        check_csv(&bytes, table, skip);
    }
}

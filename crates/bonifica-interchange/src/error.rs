//! The one error type of the crate. Every message names the file, the record (a GeoJSON
//! feature by index and whatever identifies it, or a CSV line), the field and the problem,
//! so an information manager can find the bad spot without reading code.

use std::fmt;

/// Which record of a file a problem belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordRef {
    /// A GeoJSON feature: its 0-based index in `features`, and a label made of its id, code
    /// and name when the file gives them (`relation/123, "Lyptsi"`).
    Feature { index: usize, label: String },
    /// A CSV record: its 1-based line (the header is line 1).
    Line { line: u64 },
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordRef::Feature { index, label } if label.is_empty() => {
                write!(f, "feature {index}")
            }
            RecordRef::Feature { index, label } => write!(f, "feature {index} ({label})"),
            RecordRef::Line { line } => write!(f, "line {line}"),
        }
    }
}

/// Why an import or an export failed.
#[derive(Debug, thiserror::Error)]
pub enum InterchangeError {
    /// The text is not JSON (this includes `NaN` and numbers too large for a double, which
    /// JSON cannot carry).
    #[error("{file}: line {line}, column {column}: not valid JSON: {problem}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        problem: String,
    },
    /// The file as a whole is not what was expected (not a FeatureCollection, a CSV header
    /// without a required column).
    #[error("{file}: {problem}")]
    File { file: String, problem: String },
    /// One record is wrong. `field` is the GeoJSON member or property, or the CSV column.
    #[error("{file}: {}", describe(.record, .field.as_deref(), .problem))]
    Record {
        file: String,
        record: RecordRef,
        field: Option<String>,
        problem: String,
    },
    /// A field mapping given as `key=property` cannot be understood.
    #[error("field mapping {pair:?}: {problem}")]
    Mapping { pair: String, problem: String },
    /// A file could not be read or written.
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

fn describe(record: &RecordRef, field: Option<&str>, problem: &str) -> String {
    match (record, field) {
        (RecordRef::Line { .. }, Some(field)) => format!("{record}, column {field}: {problem}"),
        (RecordRef::Feature { .. }, Some(field)) => format!("{record}: {field}: {problem}"),
        (_, None) => format!("{record}: {problem}"),
    }
}

impl InterchangeError {
    /// The record the error is about, if it is about one record.
    pub fn record(&self) -> Option<&RecordRef> {
        match self {
            InterchangeError::Record { record, .. } => Some(record),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_file_record_field_and_problem() {
        let err = InterchangeError::Record {
            file: "settlements.geojson".into(),
            record: RecordRef::Feature {
                index: 17,
                label: "relation/123, \"Lyptsi\"".into(),
            },
            field: Some("geometry".into()),
            problem: "polygon 0: ring 0 is not closed".into(),
        };
        assert_eq!(
            err.to_string(),
            "settlements.geojson: feature 17 (relation/123, \"Lyptsi\"): geometry: polygon 0: ring 0 is not closed"
        );
        let err = InterchangeError::Record {
            file: "contracts.csv".into(),
            record: RecordRef::Line { line: 14 },
            field: Some("end".into()),
            problem: "2027-13-01 is not a date (YYYY-MM-DD)".into(),
        };
        assert_eq!(
            err.to_string(),
            "contracts.csv: line 14, column end: 2027-13-01 is not a date (YYYY-MM-DD)"
        );
    }
}

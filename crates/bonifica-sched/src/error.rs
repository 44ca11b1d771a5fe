//! The one error type of the crate: malformed problems, unreadable instance
//! files and reference tables. Messages are lowercase, without a final full stop,
//! and name the thing at fault, e.g. `activity 7: mode 3 does not exist`.

use thiserror::Error;

/// Everything that can go wrong before solving starts.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// The problem breaks a structural rule (unknown index, negative duration, cycle...).
    #[error("{0}")]
    InvalidProblem(String),
    /// A schedule file does not fit the problem it is checked against (wrong lengths).
    #[error("{0}")]
    InvalidSchedule(String),
    /// A JSON document could not be read; `path` is where in the document, if known.
    #[error("{path}: {message} at line {line} column {column}")]
    Json {
        /// JSON path of the offending value, like `activities[3].modes[0].duration`.
        path: String,
        /// What serde_json reported.
        message: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
    /// A PSPLIB `.sm` file could not be read.
    #[error("psplib {file}: line {line}: {message}")]
    Psplib {
        /// The name given for the file being read.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The reference CSV of best known makespans could not be read.
    #[error("reference csv: line {line}: {message}")]
    Reference {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Short-hand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

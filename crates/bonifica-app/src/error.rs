//! [`AppError`], the one error type of the application layer. It says what went wrong in
//! the words of the register (not found, not allowed, wrong field, refused by the state of
//! the register, a store failure), never how a protocol answers it: the HTTP crate turns
//! each variant into a status code.

use bonifica_store::StoreError;

/// What an operation of the application layer can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A record that does not exist or that the actor may not see: the two are the same
    /// answer, so a restricted record's existence does not leak.
    #[error("{0} not found")]
    NotFound(String),
    /// The actor's role or scope does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// One field of what was asked is wrong.
    #[error("{field}: {problem}")]
    Invalid { field: String, problem: String },
    /// Refused by the state of the register (a blocked asset, a report already decided, a
    /// planning job already running), optionally naming a field, with any further facts
    /// the actor needs (`extensions`, such as the changes a report missed).
    #[error("{detail}")]
    Conflict {
        field: Option<String>,
        detail: String,
        extensions: serde_json::Map<String, serde_json::Value>,
    },
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A failure of the system, not of the request.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// A record not found (or not visible).
    pub fn not_found(what: impl Into<String>) -> AppError {
        AppError::NotFound(what.into())
    }

    /// Not allowed to this actor.
    pub fn forbidden(detail: impl Into<String>) -> AppError {
        AppError::Forbidden(detail.into())
    }

    /// One field is wrong.
    pub fn field(field: impl Into<String>, problem: impl Into<String>) -> AppError {
        AppError::Invalid {
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// Refused by the state of the register.
    pub fn conflict(detail: impl Into<String>) -> AppError {
        AppError::Conflict {
            field: None,
            detail: detail.into(),
            extensions: serde_json::Map::new(),
        }
    }

    /// Refused by the state of the register, naming the field that asked for it.
    pub fn conflict_on(field: impl Into<String>, detail: impl Into<String>) -> AppError {
        AppError::Conflict {
            field: Some(field.into()),
            detail: detail.into(),
            extensions: serde_json::Map::new(),
        }
    }

    /// A failure of the system, with its cause.
    pub fn internal(cause: &dyn std::fmt::Display) -> AppError {
        AppError::Internal(cause.to_string())
    }
}

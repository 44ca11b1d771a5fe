//! The errors of the server: [`ApiError`], the one type every handler returns, which
//! becomes an `application/problem+json` body (RFC 9457) naming the field and the problem;
//! and [`ServerError`], what can stop the server from starting.
//!
//! Client errors explain themselves. Server errors are logged with their cause and reach
//! the client as an opaque 500.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bonifica_app::AppError;
use bonifica_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// What can stop the server from starting or serving.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("opening the register: {0}")]
    Store(#[from] StoreError),
    #[error("binding {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("serving: {0}")]
    Serve(#[source] std::io::Error),
    #[error("hashing a password: {0}")]
    Password(String),
    #[error(transparent)]
    UnknownRole(#[from] bonifica_app::UnknownRole),
    #[error("programme configuration {path}: {problem}")]
    Programme { path: String, problem: String },
    #[error("user {0}: not stored")]
    UnknownUser(String),
    #[error("token life of {0} days: must be 1 to 365")]
    TokenDays(u32),
}

/// One field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field, as a path in the request (`geometry`, `members[2]`, `bbox`).
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

/// A problem details body (RFC 9457) with the fields that are wrong.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The fields that are wrong, if the problem is in the request.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// An error a handler returns; becomes a problem+json response.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: String,
    pub errors: Vec<FieldProblem>,
    /// Extra headers, such as `Retry-After` for rate limiting.
    pub retry_after_s: Option<u64>,
    /// Members of the problem beyond RFC 9457's (such as `changes` when a report was
    /// based on an older version of its hazard area).
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

impl ApiError {
    /// A client error with a detail and no field.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after_s: None,
            extensions: serde_json::Map::new(),
        }
    }

    /// A 422 naming one field.
    pub fn field(field: impl Into<String>, problem: impl Into<String>) -> ApiError {
        ApiError::field_status(StatusCode::UNPROCESSABLE_ENTITY, field, problem)
    }

    /// A client error naming one field.
    pub fn field_status(
        status: StatusCode,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) -> ApiError {
        let field = field.into();
        let problem = problem.into();
        ApiError {
            status,
            detail: format!("{field}: {problem}"),
            errors: vec![FieldProblem { field, problem }],
            retry_after_s: None,
            extensions: serde_json::Map::new(),
        }
    }

    /// 404 for a record that does not exist or that the caller may not see.
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }

    /// 403 for something the caller's role may not do.
    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, detail)
    }

    /// 401: no valid session or token.
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "sign in (POST /api/session) or send a bearer token",
        )
    }

    /// A server error: logged here with its cause, opaque to the client.
    pub fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(%cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server failed; the error is logged",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match &e {
            StoreError::VersionConflict { .. } => {
                ApiError::new(StatusCode::PRECONDITION_FAILED, e.to_string())
            }
            StoreError::Duplicate { what, .. } => {
                ApiError::field_status(StatusCode::CONFLICT, *what, e.to_string())
            }
            StoreError::DuplicateUser { .. } => {
                ApiError::field_status(StatusCode::CONFLICT, "username", e.to_string())
            }
            StoreError::InUse { .. } => ApiError::new(StatusCode::CONFLICT, e.to_string()),
            StoreError::NotFound { kind, .. } => ApiError::not_found(kind),
            StoreError::Dataset(d) => match d {
                bonifica_model::DatasetError::DanglingReference { field, .. } => {
                    ApiError::field(*field, d.to_string())
                }
                _ => ApiError::new(StatusCode::CONFLICT, d.to_string()),
            },
            StoreError::Geometry { .. } => ApiError::field("geometry", e.to_string()),
            _ => ApiError::internal(&e),
        }
    }
}

impl From<AppError> for ApiError {
    /// The one place the application layer's errors meet status codes.
    fn from(e: AppError) -> ApiError {
        match e {
            AppError::NotFound(what) => ApiError::not_found(&what),
            AppError::Forbidden(detail) => ApiError::forbidden(detail),
            AppError::Invalid { field, problem } => ApiError::field(field, problem),
            AppError::Conflict {
                field,
                detail,
                extensions,
            } => {
                let mut out = match field {
                    Some(field) => ApiError::field_status(StatusCode::CONFLICT, field, detail),
                    None => ApiError::new(StatusCode::CONFLICT, detail),
                };
                out.extensions = extensions;
                out
            }
            AppError::Store(e) => ApiError::from(e),
            AppError::Internal(cause) => ApiError::internal(&cause),
        }
    }
}

impl ApiError {
    /// The problem document this error answers with, extensions included.
    pub fn problem(&self) -> serde_json::Value {
        let title = self
            .status
            .canonical_reason()
            .unwrap_or("Error")
            .to_string();
        let body = Problem {
            kind: "about:blank".to_string(),
            title,
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        };
        let mut value = serde_json::to_value(&body).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            for (k, v) in &self.extensions {
                map.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        value
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let bytes = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response = (self.status, bytes).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(s) = self.retry_after_s {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        response
    }
}

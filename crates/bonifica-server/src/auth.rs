//! Who is calling: roles, argon2 password hashes, session cookies with their CSRF token,
//! bearer tokens, and the login rate limit.
//!
//! A request is authenticated by a bearer token (`Authorization: Bearer ...`, for API
//! clients) or by the `bonifica_session` cookie (for the browser). Cookie sessions must send
//! their CSRF token in `X-CSRF-Token` on every request that changes something; bearer
//! tokens cannot be sent by a browser on another site's behalf, so they need none. Tokens
//! are stored as SHA-256 hashes only.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, ServerError};
use crate::state::AppState;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "bonifica_session";
/// The header carrying a cookie session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a browser session lasts.
pub const SESSION_HOURS: i64 = 12;

/// What a user may do; see docs/api.md for the full table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Civil authority: reads and writes everything that is not restricted.
    Coordinator,
    /// Defence ministry: everything, restricted records included.
    DefenceLiaison,
    /// A demining operator or contractor: its own organisation's workforce and tasks.
    OperationsManager,
    /// A team leader: reads the register and their own team.
    TeamLeader,
    /// Ministries, donors, municipalities: reads, no restricted records, no personal data.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Coordinator,
        Role::DefenceLiaison,
        Role::OperationsManager,
        Role::TeamLeader,
        Role::Viewer,
    ];

    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::DefenceLiaison => "defence_liaison",
            Role::OperationsManager => "operations_manager",
            Role::TeamLeader => "team_leader",
            Role::Viewer => "viewer",
        }
    }

    /// Parses the stored word.
    pub fn parse(text: &str) -> Result<Role, ServerError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| ServerError::UnknownRole(text.to_string()))
    }

    /// True for the one role entitled to restricted records.
    pub fn sees_restricted(self) -> bool {
        self == Role::DefenceLiaison
    }
}

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session, with the CSRF token it must echo on writes.
    Cookie { token_hash: String, csrf: String },
    /// A bearer token.
    Bearer,
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: Uuid,
    pub username: String,
    pub role: Role,
    pub organisation_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub credential: Credential,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let (token, from_cookie) = match bearer(parts) {
            Some(t) => (t, false),
            None => match cookie(parts, SESSION_COOKIE) {
                Some(t) => (t, true),
                None => return Err(ApiError::unauthorized()),
            },
        };
        let caller = state
            .authenticate(hash_token(&token), from_cookie)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        if let Credential::Cookie { csrf, .. } = &caller.credential {
            let unsafe_method =
                !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if unsafe_method && sent != Some(csrf.as_str()) {
                return Err(ApiError::forbidden(
                    "csrf token missing or wrong: send the session's csrf_token in X-CSRF-Token",
                ));
            }
        }
        Ok(caller)
    }
}

fn bearer(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty()).then(|| token.to_string())
}

/// The value of a cookie sent with the request.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, ServerError> {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| ServerError::Password(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServerError::Password(e.to_string()))
}

/// True when `password` matches the stored PHC hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A fresh random token: 32 bytes as 64 hex digits.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// A random password for generated accounts: 20 characters from an unambiguous alphabet.
pub fn new_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// The SHA-256 of a token, as stored.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Failed logins allowed per user name within [`LoginLimiter::WINDOW`].
const MAX_FAILURES: usize = 5;

/// Counts failed logins per user name and refuses further attempts for a while once there
/// are too many, so passwords cannot be guessed at network speed.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginLimiter {
    /// The window over which failures count.
    pub const WINDOW: Duration = Duration::from_secs(60);

    /// `Err(429)` when the user name has too many recent failures.
    pub fn check(&self, username: &str) -> Result<(), ApiError> {
        let now = Instant::now();
        let mut map = self.failures.lock().map_err(|e| ApiError::internal(&e))?;
        let recent = map.entry(username.to_string()).or_default();
        recent.retain(|t| now.duration_since(*t) < Self::WINDOW);
        if recent.len() >= MAX_FAILURES {
            let mut err = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many failed sign-ins for {username}; wait a minute"),
            );
            err.retry_after_s = Some(Self::WINDOW.as_secs());
            return Err(err);
        }
        Ok(())
    }

    /// Records a failed login.
    pub fn fail(&self, username: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.entry(username.to_string())
                .or_default()
                .push(Instant::now());
        }
    }

    /// Forgets failures after a successful login.
    pub fn succeed(&self, username: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(username);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse").expect("hashes");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn the_limiter_refuses_after_five_failures_and_forgets_on_success() {
        let limiter = LoginLimiter::default();
        for _ in 0..MAX_FAILURES {
            assert!(limiter.check("a").is_ok());
            limiter.fail("a");
        }
        let err = limiter.check("a").expect_err("limited");
        assert_eq!(err.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(limiter.check("b").is_ok());
        limiter.succeed("a");
        assert!(limiter.check("a").is_ok());
    }
}

//! `/api/session` (sign in, who am I, sign out) and `/api/tokens` (bearer tokens for API
//! clients).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bonifica_store::{ApiToken, Session};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{
    Caller, Credential, Role, SESSION_COOKIE, SESSION_HOURS, hash_token, new_token, verify_password,
};
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::JsonBody;

/// Credentials to sign in with.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginIn {
    pub username: String,
    pub password: String,
}

/// Who the caller is.
#[derive(Debug, Serialize, ToSchema)]
pub struct WhoAmI {
    pub user_id: Uuid,
    pub username: String,
    pub role: Role,
    pub organisation_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

/// A new browser session: the cookie is set; the CSRF token must be sent back in
/// `X-CSRF-Token` on every write.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    pub user: WhoAmI,
    pub csrf_token: String,
}

fn whoami(c: &Caller) -> WhoAmI {
    WhoAmI {
        user_id: c.user_id,
        username: c.username.clone(),
        role: c.role,
        organisation_id: c.organisation_id,
        team_id: c.team_id,
    }
}

/// Signs in: sets an HTTP-only, SameSite=Strict session cookie. Five failed attempts for a
/// user name within a minute lock it for a minute (429).
#[utoipa::path(post, path = "/api/session", tag = "session", request_body = LoginIn,
    responses(
        (status = 200, description = "Signed in; cookie set", body = SessionOut),
        (status = 401, description = "Wrong user name or password", body = crate::error::Problem),
        (status = 429, description = "Too many failed attempts", body = crate::error::Problem)))]
pub async fn session_create(
    State(state): State<AppState>,
    JsonBody(input): JsonBody<LoginIn>,
) -> Result<Response, ApiError> {
    state.limiter().check(&input.username)?;
    let username = input.username.clone();
    let user = state
        .with_store(move |store| Ok(store.user_by_name(&username)?))
        .await?;
    let password = input.password.clone();
    // Verify on a blocking thread: argon2 is deliberately slow.
    let verified = match user {
        Some(u) => tokio::task::spawn_blocking(move || {
            verify_password(&password, &u.password_hash).then_some(u)
        })
        .await
        .map_err(|e| ApiError::internal(&e))?,
        None => None,
    };
    let Some(user) = verified else {
        state.limiter().fail(&input.username);
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "wrong user name or password",
        ));
    };
    state.limiter().succeed(&input.username);
    let role = Role::parse(&user.role).map_err(|e| ApiError::internal(&e))?;
    let token = new_token();
    let csrf = new_token();
    let expires = chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS);
    let session = Session {
        token_hash: hash_token(&token),
        user_id: user.id,
        csrf_token: csrf.clone(),
        expires_at: expires.to_rfc3339(),
    };
    state
        .with_store(move |store| Ok(store.create_session(&session)?))
        .await?;
    tracing::info!(username = %user.username, role = role.as_str(), "signed in");
    let body = SessionOut {
        user: WhoAmI {
            user_id: user.id,
            username: user.username,
            role,
            organisation_id: user.organisation_id,
            team_id: user.team_id,
        },
        csrf_token: csrf,
    };
    let cookie = format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        SESSION_HOURS * 3600
    );
    let mut response = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}

/// Who am I.
#[utoipa::path(get, path = "/api/session", tag = "session",
    responses((status = 200, description = "The caller", body = WhoAmI),
              (status = 401, description = "Not signed in", body = crate::error::Problem)))]
pub async fn session_get(caller: Caller) -> Json<WhoAmI> {
    Json(whoami(&caller))
}

/// Signs out: ends the session and clears the cookie.
#[utoipa::path(delete, path = "/api/session", tag = "session",
    responses((status = 204, description = "Signed out"),
              (status = 401, description = "Not signed in", body = crate::error::Problem),
              (status = 403, description = "CSRF token missing", body = crate::error::Problem)))]
pub async fn session_delete(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    if let Credential::Cookie { token_hash, .. } = caller.credential {
        state.forget_token(&token_hash);
        state
            .with_store(move |store| Ok(store.delete_session(&token_hash)?))
            .await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("bonifica_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    Ok(response)
}

/// A bearer token to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    /// What the token is for, such as `nightly export`.
    pub name: String,
}

/// A new bearer token; shown once, stored only as a hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    pub name: String,
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
}

/// Creates a bearer token acting as the caller, with the caller's role.
#[utoipa::path(post, path = "/api/tokens", tag = "session", request_body = TokenIn,
    responses((status = 201, description = "Created", body = TokenOut),
              (status = 401, description = "Not signed in", body = crate::error::Problem),
              (status = 422, description = "A field is wrong", body = crate::error::Problem)))]
pub async fn tokens_create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<TokenIn>,
) -> Result<Response, ApiError> {
    let name = input.name.trim().to_string();
    if name.is_empty() {
        return Err(ApiError::field("name", "must not be empty"));
    }
    let token = new_token();
    let stored = ApiToken {
        token_hash: hash_token(&token),
        user_id: caller.user_id,
        name: name.clone(),
    };
    state
        .with_store(move |store| Ok(store.create_api_token(&stored)?))
        .await?;
    Ok((StatusCode::CREATED, Json(TokenOut { name, token })).into_response())
}

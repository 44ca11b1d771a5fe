//! `/api/session` (sign in, who am I, sign out) and `/api/tokens` (bearer tokens for API
//! clients).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bonifica_store::{ApiToken, Backend, NewApiToken, Session, User};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{
    Caller, Credential, Role, SESSION_COOKIE, SESSION_HOURS, Source, hash_token, new_token, sign_in,
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

/// A role, as its stored word.
fn role_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(Role::ALL.map(Role::as_str)))
        .build()
}

/// Who the caller is.
#[derive(Debug, Serialize, ToSchema)]
pub struct WhoAmI {
    pub user_id: Uuid,
    pub username: String,
    #[schema(schema_with = role_schema)]
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

/// Signs in: sets an HTTP-only, SameSite=Strict session cookie. Five failed attempts from
/// one address within a minute make it wait a minute (429), whatever the user names.
#[utoipa::path(post, path = "/api/session", tag = "session", request_body = LoginIn,
    security(()),
    responses(
        (status = 200, description = "Signed in; cookie set", body = SessionOut),
        (status = 401, description = "Wrong user name or password (which of the two is not said)", body = crate::error::Problem),
        (status = 429, description = "Too many failed attempts from this address", body = crate::error::Problem,
         headers(("Retry-After" = u64, description = "Seconds to wait")))))]
pub async fn session_create(
    State(state): State<AppState>,
    from: Source,
    JsonBody(input): JsonBody<LoginIn>,
) -> Result<Response, ApiError> {
    let user = sign_in(&state, from, input.username, input.password).await?;
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

/// The caller, and for a browser session its CSRF token: a second tab of the same
/// session reads it here to write too. Only a page of this origin can read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionNow {
    #[serde(flatten)]
    pub user: WhoAmI,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
}

/// Who am I.
#[utoipa::path(get, path = "/api/session", tag = "session",
    responses((status = 200, description = "The caller, with the session's CSRF token for a browser session", body = SessionNow),
              (status = 401, description = "Not signed in", body = crate::error::Problem)))]
pub async fn session_get(caller: Caller) -> Json<SessionNow> {
    let csrf_token = match &caller.credential {
        Credential::Cookie { csrf, .. } => Some(csrf.clone()),
        Credential::Bearer => None,
    };
    Json(SessionNow {
        user: whoami(&caller),
        csrf_token,
    })
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

/// How long a token lives when `expires_in_days` is not given.
pub const TOKEN_DEFAULT_DAYS: u32 = 90;
/// The longest life a token may be given, days.
pub const TOKEN_MAX_DAYS: u32 = 365;

/// A bearer token to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    /// What the token is for, such as `nightly export`.
    pub name: String,
    /// Days until the token expires, 1 to 365; 90 when absent.
    #[schema(minimum = 1, maximum = 365)]
    pub expires_in_days: Option<u32>,
    /// The user the token acts as; the caller when absent. Only a coordinator names
    /// another user, and only a viewer account (such as one a GIS client uses).
    pub username: Option<String>,
}

/// A new bearer token; shown once, stored only as a hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    pub id: Uuid,
    pub name: String,
    /// The user the token acts as.
    pub username: String,
    /// Send as `Authorization: Bearer <token>`. Never shown again.
    pub token: String,
    /// UTC, RFC 3339.
    pub created_at: String,
    /// UTC, RFC 3339; from then on the token answers 401.
    pub expires_at: String,
}

/// A stored token as listed: never its secret nor its hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: Uuid,
    pub name: String,
    /// UTC, RFC 3339.
    pub created_at: String,
    /// UTC, RFC 3339.
    pub expires_at: String,
    /// Whether the expiry has passed (the token answers 401).
    pub expired: bool,
}

/// The tokens of one user.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenListOut {
    /// The user whose tokens these are.
    pub username: String,
    /// Oldest first, expired ones included until revoked.
    pub items: Vec<TokenInfo>,
}

/// Whose tokens to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenListParams {
    /// Another user's tokens (a coordinator, for a viewer account); the caller's when
    /// absent.
    pub username: Option<String>,
}

/// Why a caller may not hold or manage tokens of an account; `None` when they may. The
/// rules: every role but the viewer mints tokens for itself; a coordinator also mints,
/// lists and revokes the tokens of viewer accounts (a GIS client reading the register),
/// and of no other account: a token for a defence liaison would read restricted records,
/// and one for a team leader or operations manager would file or verify reports in their
/// name, so a coordinator could both make and approve a report.
pub fn token_refusal(caller: &Caller, target: &User, minting: bool) -> Option<String> {
    if target.id == caller.user_id {
        let refused = minting && caller.role == Role::Viewer;
        return refused.then(|| {
            "viewers may not create tokens; a coordinator creates one for a viewer account"
                .to_string()
        });
    }
    if caller.role != Role::Coordinator {
        return Some("only a coordinator manages another user's tokens".to_string());
    }
    match Role::parse(&target.role) {
        Ok(Role::Viewer) => None,
        Ok(Role::DefenceLiaison) => Some(format!(
            "username: {} is a defence liaison, whose tokens would read restricted records",
            target.username
        )),
        Ok(role) => Some(format!(
            "username: {} is a {}; a coordinator manages the tokens of viewer accounts only",
            target.username,
            role.as_str()
        )),
        Err(_) => Some(format!("username: {} has no known role", target.username)),
    }
}

/// The account whose tokens a request is about: the caller's own, or the one named, if
/// the caller may manage its tokens.
fn token_owner(
    store: &dyn Backend,
    caller: &Caller,
    username: Option<&str>,
    minting: bool,
) -> Result<User, ApiError> {
    let name = username.map_or(caller.username.as_str(), str::trim);
    if name != caller.username && caller.role != Role::Coordinator {
        // Before any look-up, so that other roles learn nothing of which names exist.
        return Err(ApiError::forbidden(
            "only a coordinator manages another user's tokens",
        ));
    }
    let user = store
        .user_by_name(name)?
        .ok_or_else(|| ApiError::field("username", format!("no user {name:?}")))?;
    match token_refusal(caller, &user, minting) {
        Some(why) => Err(ApiError::forbidden(why)),
        None => Ok(user),
    }
}

/// Whether an RFC 3339 time has passed; an unreadable one has.
fn has_passed(rfc3339: &str, now: chrono::DateTime<chrono::Utc>) -> bool {
    chrono::DateTime::parse_from_rfc3339(rfc3339).map_or(true, |t| t <= now)
}

fn token_info(t: ApiToken, now: chrono::DateTime<chrono::Utc>) -> TokenInfo {
    TokenInfo {
        expired: has_passed(&t.expires_at, now),
        id: t.id,
        name: t.name,
        created_at: t.created_at,
        expires_at: t.expires_at,
    }
}

/// Creates a bearer token acting as the caller, or, for a coordinator, as a viewer
/// account. It expires after `expires_in_days` (default 90, at most 365).
#[utoipa::path(post, path = "/api/tokens", tag = "session", request_body = TokenIn,
    responses((status = 201, description = "Created; the secret is shown this once", body = TokenOut),
              (status = 401, description = "Not signed in", body = crate::error::Problem),
              (status = 403, description = "A viewer minting for itself, or an account the caller may not mint for", body = crate::error::Problem),
              (status = 422, description = "A field is wrong (named)", body = crate::error::Problem)))]
pub async fn tokens_create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<TokenIn>,
) -> Result<Response, ApiError> {
    let name = input.name.trim().to_string();
    if name.is_empty() {
        return Err(ApiError::field("name", "must not be empty"));
    }
    let days = input.expires_in_days.unwrap_or(TOKEN_DEFAULT_DAYS);
    if !(1..=TOKEN_MAX_DAYS).contains(&days) {
        return Err(ApiError::field(
            "expires_in_days",
            format!("must be 1 to {TOKEN_MAX_DAYS}, not {days}"),
        ));
    }
    let token = new_token();
    let token_hash = hash_token(&token);
    let expires_at = chrono::Utc::now() + chrono::Duration::days(i64::from(days));
    let minter = caller.clone();
    let (owner, stored) = state
        .with_store(move |store| {
            let owner = token_owner(store, &minter, input.username.as_deref(), true)?;
            let stored = store.create_api_token(&NewApiToken {
                token_hash,
                user_id: owner.id,
                name,
                expires_at: expires_at.to_rfc3339(),
            })?;
            Ok((owner, stored))
        })
        .await?;
    tracing::info!(
        token = %stored.id,
        for_user = %owner.username,
        by = %caller.username,
        days,
        "api token created"
    );
    let out = TokenOut {
        id: stored.id,
        name: stored.name,
        username: owner.username,
        token,
        created_at: stored.created_at,
        expires_at: stored.expires_at,
    };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// Lists the caller's tokens (or, for a coordinator, a viewer account's): ids, names and
/// dates, never the secrets.
#[utoipa::path(get, path = "/api/tokens", tag = "session", params(TokenListParams),
    responses((status = 200, description = "The tokens, oldest first", body = TokenListOut),
              (status = 401, description = "Not signed in", body = crate::error::Problem),
              (status = 403, description = "Another user's tokens, not a viewer's or not as coordinator", body = crate::error::Problem),
              (status = 422, description = "No such user", body = crate::error::Problem)))]
pub async fn tokens_list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<TokenListParams>,
) -> Result<Json<TokenListOut>, ApiError> {
    let (owner, tokens) = state
        .with_store(move |store| {
            let owner = token_owner(store, &caller, params.username.as_deref(), false)?;
            let tokens = store.api_tokens(owner.id)?;
            Ok((owner, tokens))
        })
        .await?;
    let now = chrono::Utc::now();
    Ok(Json(TokenListOut {
        username: owner.username,
        items: tokens.into_iter().map(|t| token_info(t, now)).collect(),
    }))
}

/// Revokes a token at once: the next request with it is 401. Callers revoke their own
/// tokens (a viewer too); a coordinator also a viewer account's.
#[utoipa::path(delete, path = "/api/tokens/{id}", tag = "session",
    params(("id" = Uuid, Path, description = "The token's id, from the list")),
    responses((status = 204, description = "Revoked"),
              (status = 401, description = "Not signed in", body = crate::error::Problem),
              (status = 403, description = "CSRF token missing", body = crate::error::Problem),
              (status = 404, description = "No such token among those the caller manages", body = crate::error::Problem)))]
pub async fn tokens_delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let Ok(id) = Uuid::parse_str(&id) else {
        return Err(ApiError::not_found("api token"));
    };
    let by = caller.clone();
    let revoked = state
        .revoke_token(id, move |store, token| {
            let Some(owner) = store.user(token.user_id)? else {
                return Ok(false);
            };
            Ok(token_refusal(&by, &owner, false).is_none())
        })
        .await?
        .ok_or_else(|| ApiError::not_found("api token"))?;
    tracing::info!(token = %revoked.id, by = %caller.username, "api token revoked");
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, role: Role) -> User {
        User {
            id: Uuid::new_v4(),
            username: name.to_string(),
            password_hash: String::new(),
            role: role.as_str().to_string(),
            organisation_id: None,
            team_id: None,
            created_at: String::new(),
        }
    }

    fn caller_of(u: &User) -> Caller {
        Caller {
            actor: bonifica_app::Actor {
                user_id: u.id,
                username: u.username.clone(),
                role: Role::parse(&u.role).expect("role"),
                organisation_id: None,
                team_id: None,
            },
            credential: Credential::Bearer,
        }
    }

    #[test]
    fn every_role_but_the_viewer_mints_tokens_for_itself() {
        for role in Role::ALL {
            let me = user("me", role);
            let refused = token_refusal(&caller_of(&me), &me, true).is_some();
            assert_eq!(refused, role == Role::Viewer, "{role:?}");
            assert!(
                token_refusal(&caller_of(&me), &me, false).is_none(),
                "{role:?} revokes"
            );
        }
    }

    #[test]
    fn a_coordinator_mints_for_viewer_accounts_only() {
        let coordinator = caller_of(&user("ana", Role::Coordinator));
        for role in Role::ALL {
            let other = user("other", role);
            let refused = token_refusal(&coordinator, &other, true).is_some();
            assert_eq!(refused, role != Role::Viewer, "{role:?}");
        }
        let liaison = user("def", Role::DefenceLiaison);
        let why = token_refusal(&coordinator, &liaison, true).expect("refused");
        assert!(why.contains("restricted"), "{why}");
        for role in Role::ALL {
            if role == Role::Coordinator {
                continue;
            }
            let someone = caller_of(&user("x", role));
            let viewer = user("gis", Role::Viewer);
            assert!(token_refusal(&someone, &viewer, true).is_some(), "{role:?}");
        }
    }
}

//! Users, browser sessions and API tokens, as the GeoPackage keeps them. The GIS role of
//! [`super::Postgres::grant_gis`] has no access to these tables.

use postgres::error::SqlState;
use postgres::{GenericClient, Row};
use uuid::Uuid;

use super::audit::now;
use crate::error::SqlContext;
use crate::{ApiToken, NewApiToken, NewUser, Session, StoreError, User};

const USER_COLUMNS: &str =
    "id, username, password_hash, role, organisation_id, team_id, created_at";

/// Adds a user; a taken user name is [`StoreError::DuplicateUser`].
pub fn add_user(c: &mut impl GenericClient, new: &NewUser) -> Result<User, StoreError> {
    let context = || format!("adding user {}", new.username);
    let duplicate = || StoreError::DuplicateUser {
        username: new.username.clone(),
    };
    if user_by_name(c, &new.username)?.is_some() {
        return Err(duplicate());
    }
    let id = Uuid::new_v4();
    let added = c.execute(
        "INSERT INTO bonifica_users (id, username, password_hash, role, organisation_id, \
         team_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &id.to_string(),
            &new.username,
            &new.password_hash,
            &new.role,
            &new.organisation_id.map(|o| o.to_string()),
            &new.team_id.map(|t| t.to_string()),
            &now(),
        ],
    );
    match added {
        Ok(_) => {}
        // Another server added the same name since it was looked up.
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => return Err(duplicate()),
        Err(e) => return Err(e).ctx(context),
    }
    user(c, id)?.ok_or(StoreError::NotFound { kind: "user", id })
}

/// One user by id.
pub fn user(c: &mut impl GenericClient, id: Uuid) -> Result<Option<User>, StoreError> {
    one_user(c, "id", &id.to_string())
}

/// One user by user name.
pub fn user_by_name(
    c: &mut impl GenericClient,
    username: &str,
) -> Result<Option<User>, StoreError> {
    one_user(c, "username", username)
}

/// Every user, by user name.
pub fn users(c: &mut impl GenericClient) -> Result<Vec<User>, StoreError> {
    let context = || "reading users".to_string();
    let rows = c
        .query(
            &format!("SELECT {USER_COLUMNS} FROM bonifica_users ORDER BY username"),
            &[],
        )
        .ctx(context)?;
    rows.iter()
        .map(|r| read_user(r).ctx(context)?.parse())
        .collect()
}

fn one_user(
    c: &mut impl GenericClient,
    column: &str,
    value: &str,
) -> Result<Option<User>, StoreError> {
    let context = || format!("reading user {value}");
    let row = c
        .query_opt(
            &format!("SELECT {USER_COLUMNS} FROM bonifica_users WHERE {column} = $1"),
            &[&value],
        )
        .ctx(context)?;
    row.map(|r| read_user(&r).ctx(context)?.parse()).transpose()
}

struct RawUser([Option<String>; 7]);

fn read_user(r: &Row) -> Result<RawUser, postgres::Error> {
    Ok(RawUser([
        r.try_get(0)?,
        r.try_get(1)?,
        r.try_get(2)?,
        r.try_get(3)?,
        r.try_get(4)?,
        r.try_get(5)?,
        r.try_get(6)?,
    ]))
}

impl RawUser {
    fn parse(self) -> Result<User, StoreError> {
        let [id, username, hash, role, org, team, created] = self.0;
        let username = username.unwrap_or_default();
        let uuid =
            |field: &'static str, text: Option<String>| -> Result<Option<Uuid>, StoreError> {
                text.map(|t| {
                    Uuid::parse_str(&t).map_err(|e| StoreError::CorruptRow {
                        table: "bonifica_users",
                        code: username.clone(),
                        field,
                        problem: format!("{t:?} is not a uuid: {e}"),
                    })
                })
                .transpose()
            };
        Ok(User {
            id: uuid("id", id)?.unwrap_or_default(),
            organisation_id: uuid("organisation_id", org)?,
            team_id: uuid("team_id", team)?,
            password_hash: hash.unwrap_or_default(),
            role: role.unwrap_or_default(),
            created_at: created.unwrap_or_default(),
            username,
        })
    }
}

/// Records a session and forgets the sessions that have expired. An expiry that is not an
/// RFC 3339 time is kept, as SQLite's `julianday` leaves it alone in the GeoPackage.
pub fn create_session(c: &mut impl GenericClient, session: &Session) -> Result<(), StoreError> {
    let context = || "forgetting expired sessions".to_string();
    let rows = c
        .query("SELECT token_hash, expires_at FROM bonifica_sessions", &[])
        .ctx(context)?;
    let now = chrono::Utc::now();
    let mut expired: Vec<String> = Vec::new();
    for row in &rows {
        let expires: String = row.try_get(1).ctx(context)?;
        let passed = chrono::DateTime::parse_from_rfc3339(&expires)
            .map(|t| t < now)
            .unwrap_or(false);
        if passed {
            expired.push(row.try_get(0).ctx(context)?);
        }
    }
    if !expired.is_empty() {
        c.execute(
            "DELETE FROM bonifica_sessions WHERE token_hash = ANY($1)",
            &[&expired],
        )
        .ctx(context)?;
    }
    c.execute(
        "INSERT INTO bonifica_sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &session.token_hash,
            &session.user_id.to_string(),
            &session.csrf_token,
            &super::audit::now(),
            &session.expires_at,
        ],
    )
    .ctx(|| format!("creating a session for user {}", session.user_id))?;
    Ok(())
}

/// The session with this token hash, expired or not (the caller compares the expiry).
pub fn session(
    c: &mut impl GenericClient,
    token_hash: &str,
) -> Result<Option<Session>, StoreError> {
    let context = || "reading a session".to_string();
    let row = c
        .query_opt(
            "SELECT token_hash, user_id, csrf_token, expires_at FROM bonifica_sessions \
             WHERE token_hash = $1",
            &[&token_hash],
        )
        .ctx(context)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let user: String = row.try_get(1).ctx(context)?;
    Ok(Some(Session {
        user_id: parse_user_id("bonifica_sessions", &user)?,
        token_hash: row.try_get(0).ctx(context)?,
        csrf_token: row.try_get(2).ctx(context)?,
        expires_at: row.try_get(3).ctx(context)?,
    }))
}

/// Ends a session; ending an unknown session does nothing.
pub fn delete_session(c: &mut impl GenericClient, token_hash: &str) -> Result<(), StoreError> {
    c.execute(
        "DELETE FROM bonifica_sessions WHERE token_hash = $1",
        &[&token_hash],
    )
    .ctx(|| "deleting a session".to_string())?;
    Ok(())
}

const TOKEN_COLUMNS: &str = "id, token_hash, user_id, name, created_at, expires_at";

/// Records an API token under a fresh id and returns it as stored.
pub fn create_api_token(
    c: &mut impl GenericClient,
    token: &NewApiToken,
) -> Result<ApiToken, StoreError> {
    let id = Uuid::new_v4();
    c.execute(
        "INSERT INTO bonifica_api_tokens (id, token_hash, user_id, name, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &id.to_string(),
            &token.token_hash,
            &token.user_id.to_string(),
            &token.name,
            &now(),
            &token.expires_at,
        ],
    )
    .ctx(|| format!("creating api token {}", token.name))?;
    api_token_where(c, "id", &id.to_string())?.ok_or(StoreError::NotFound {
        kind: "api token",
        id,
    })
}

/// The API token with this hash, expired or not.
pub fn api_token(
    c: &mut impl GenericClient,
    token_hash: &str,
) -> Result<Option<ApiToken>, StoreError> {
    api_token_where(c, "token_hash", token_hash)
}

/// The API token with this id, expired or not.
pub fn api_token_by_id(
    c: &mut impl GenericClient,
    id: Uuid,
) -> Result<Option<ApiToken>, StoreError> {
    api_token_where(c, "id", &id.to_string())
}

/// The API tokens of one user, oldest first.
pub fn api_tokens(c: &mut impl GenericClient, user_id: Uuid) -> Result<Vec<ApiToken>, StoreError> {
    let context = || format!("reading the api tokens of user {user_id}");
    let rows = c
        .query(
            &format!(
                "SELECT {TOKEN_COLUMNS} FROM bonifica_api_tokens WHERE user_id = $1 \
                 ORDER BY created_at, rowid"
            ),
            &[&user_id.to_string()],
        )
        .ctx(context)?;
    rows.iter()
        .map(|r| read_token(r).ctx(context)?.parse())
        .collect()
}

/// Deletes the API token with this id and returns it as it was.
pub fn revoke_api_token(
    c: &mut impl GenericClient,
    id: Uuid,
) -> Result<Option<ApiToken>, StoreError> {
    let Some(token) = api_token_where(c, "id", &id.to_string())? else {
        return Ok(None);
    };
    c.execute(
        "DELETE FROM bonifica_api_tokens WHERE id = $1",
        &[&id.to_string()],
    )
    .ctx(|| format!("revoking api token {id}"))?;
    Ok(Some(token))
}

fn api_token_where(
    c: &mut impl GenericClient,
    column: &str,
    value: &str,
) -> Result<Option<ApiToken>, StoreError> {
    let context = || "reading an api token".to_string();
    let row = c
        .query_opt(
            &format!("SELECT {TOKEN_COLUMNS} FROM bonifica_api_tokens WHERE {column} = $1"),
            &[&value],
        )
        .ctx(context)?;
    row.map(|r| read_token(&r).ctx(context)?.parse())
        .transpose()
}

struct RawToken([String; 6]);

fn read_token(r: &Row) -> Result<RawToken, postgres::Error> {
    Ok(RawToken([
        r.try_get(0)?,
        r.try_get(1)?,
        r.try_get(2)?,
        r.try_get(3)?,
        r.try_get(4)?,
        r.try_get(5)?,
    ]))
}

impl RawToken {
    fn parse(self) -> Result<ApiToken, StoreError> {
        let [id, token_hash, user, name, created_at, expires_at] = self.0;
        let id = Uuid::parse_str(&id).map_err(|e| StoreError::CorruptRow {
            table: "bonifica_api_tokens",
            code: id.clone(),
            field: "id",
            problem: e.to_string(),
        })?;
        Ok(ApiToken {
            id,
            user_id: parse_user_id("bonifica_api_tokens", &user)?,
            token_hash,
            name,
            created_at,
            expires_at,
        })
    }
}

fn parse_user_id(table: &'static str, text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text).map_err(|e| StoreError::CorruptRow {
        table,
        code: text.to_string(),
        field: "user_id",
        problem: e.to_string(),
    })
}

//! Users, browser sessions and API tokens, in tables that are not registered in
//! `gpkg_contents`, so GIS tools never list them.
//!
//! The store keeps what it is given: password hashes and token hashes are computed by the
//! caller (the server), which alone knows how to check them.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use uuid::Uuid;

use crate::error::SqlContext;
use crate::{ApiToken, NewApiToken, NewUser, Session, StoreError, User};

const USER_COLUMNS: &str =
    "id, username, password_hash, role, organisation_id, team_id, created_at";

/// Adds a user; a taken user name is [`StoreError::DuplicateUser`].
pub fn add_user(conn: &Connection, new: &NewUser) -> Result<User, StoreError> {
    let context = || format!("adding user {}", new.username);
    let taken = user_by_name(conn, &new.username)?.is_some();
    if taken {
        return Err(StoreError::DuplicateUser {
            username: new.username.clone(),
        });
    }
    let id = Uuid::new_v4();
    conn.execute(
        "INSERT INTO bonifica_users (id, username, password_hash, role, organisation_id, \
         team_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
        params![
            id.to_string(),
            new.username,
            new.password_hash,
            new.role,
            new.organisation_id.map(|o| o.to_string()),
            new.team_id.map(|t| t.to_string()),
        ],
    )
    .ctx(context)?;
    user(conn, id)?.ok_or(StoreError::NotFound { kind: "user", id })
}

/// One user by id.
pub fn user(conn: &Connection, id: Uuid) -> Result<Option<User>, StoreError> {
    one_user(conn, "id", &id.to_string())
}

/// One user by user name.
pub fn user_by_name(conn: &Connection, username: &str) -> Result<Option<User>, StoreError> {
    one_user(conn, "username", username)
}

/// Every user, by user name.
pub fn users(conn: &Connection) -> Result<Vec<User>, StoreError> {
    let context = || "reading users".to_string();
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM bonifica_users ORDER BY username"
        ))
        .ctx(context)?;
    let rows = stmt.query_map([], read_user).ctx(context)?;
    let users: Vec<RawUser> = rows.collect::<Result<_, _>>().ctx(context)?;
    users.into_iter().map(RawUser::parse).collect()
}

fn one_user(conn: &Connection, column: &str, value: &str) -> Result<Option<User>, StoreError> {
    let raw = conn
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM bonifica_users WHERE {column} = ?1"
        ))
        .and_then(|mut stmt| stmt.query_row([value], read_user).optional())
        .ctx(|| format!("reading user {value}"))?;
    raw.map(RawUser::parse).transpose()
}

struct RawUser([Option<String>; 7]);

fn read_user(r: &Row) -> rusqlite::Result<RawUser> {
    Ok(RawUser([
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
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

/// Records a session for `user_id` until `expires_at` (UTC, RFC 3339), and forgets the
/// sessions that have expired, so the table holds only sessions that may still be used.
pub fn create_session(conn: &Connection, session: &Session) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM bonifica_sessions WHERE julianday(expires_at) < julianday('now')",
        [],
    )
    .ctx(|| "forgetting expired sessions".to_string())?;
    conn.execute(
        "INSERT INTO bonifica_sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
         VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?4)",
        params![
            session.token_hash,
            session.user_id.to_string(),
            session.csrf_token,
            session.expires_at
        ],
    )
    .ctx(|| format!("creating a session for user {}", session.user_id))?;
    Ok(())
}

/// The session with this token hash, expired or not (the caller compares the expiry).
pub fn session(conn: &Connection, token_hash: &str) -> Result<Option<Session>, StoreError> {
    let row: Option<(String, String, String, String)> = conn
        .prepare_cached(
            "SELECT token_hash, user_id, csrf_token, expires_at FROM bonifica_sessions \
             WHERE token_hash = ?1",
        )
        .and_then(|mut stmt| {
            stmt.query_row([token_hash], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()
        })
        .ctx(|| "reading a session".to_string())?;
    row.map(|(token_hash, user, csrf_token, expires_at)| {
        Ok(Session {
            user_id: parse_user_id("bonifica_sessions", &user)?,
            token_hash,
            csrf_token,
            expires_at,
        })
    })
    .transpose()
}

/// Ends a session; ending an unknown session does nothing.
pub fn delete_session(conn: &Connection, token_hash: &str) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM bonifica_sessions WHERE token_hash = ?1",
        [token_hash],
    )
    .ctx(|| "deleting a session".to_string())?;
    Ok(())
}

const TOKEN_COLUMNS: &str = "id, token_hash, user_id, name, created_at, expires_at";

/// Records an API token under a fresh id and returns it as stored.
pub fn create_api_token(conn: &Connection, token: &NewApiToken) -> Result<ApiToken, StoreError> {
    let id = Uuid::new_v4();
    conn.execute(
        "INSERT INTO bonifica_api_tokens (id, token_hash, user_id, name, created_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?5)",
        params![
            id.to_string(),
            token.token_hash,
            token.user_id.to_string(),
            token.name,
            token.expires_at
        ],
    )
    .ctx(|| format!("creating api token {}", token.name))?;
    api_token_where(conn, "id", &id.to_string())?.ok_or(StoreError::NotFound {
        kind: "api token",
        id,
    })
}

/// The API token with this hash, expired or not.
pub fn api_token(conn: &Connection, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
    api_token_where(conn, "token_hash", token_hash)
}

/// The API token with this id, expired or not.
pub fn api_token_by_id(conn: &Connection, id: Uuid) -> Result<Option<ApiToken>, StoreError> {
    api_token_where(conn, "id", &id.to_string())
}

/// The API tokens of one user, oldest first.
pub fn api_tokens(conn: &Connection, user_id: Uuid) -> Result<Vec<ApiToken>, StoreError> {
    let context = || format!("reading the api tokens of user {user_id}");
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {TOKEN_COLUMNS} FROM bonifica_api_tokens WHERE user_id = ?1 \
             ORDER BY created_at, rowid"
        ))
        .ctx(context)?;
    let rows = stmt
        .query_map([user_id.to_string()], read_token)
        .ctx(context)?;
    let raw: Vec<RawToken> = rows.collect::<Result<_, _>>().ctx(context)?;
    raw.into_iter().map(RawToken::parse).collect()
}

/// Deletes the API token with this id and returns it as it was.
pub fn revoke_api_token(conn: &Connection, id: Uuid) -> Result<Option<ApiToken>, StoreError> {
    let Some(token) = api_token_where(conn, "id", &id.to_string())? else {
        return Ok(None);
    };
    conn.execute(
        "DELETE FROM bonifica_api_tokens WHERE id = ?1",
        [id.to_string()],
    )
    .ctx(|| format!("revoking api token {id}"))?;
    Ok(Some(token))
}

fn api_token_where(
    conn: &Connection,
    column: &str,
    value: &str,
) -> Result<Option<ApiToken>, StoreError> {
    let raw = conn
        .prepare_cached(&format!(
            "SELECT {TOKEN_COLUMNS} FROM bonifica_api_tokens WHERE {column} = ?1"
        ))
        .and_then(|mut stmt| stmt.query_row([value], read_token).optional())
        .ctx(|| "reading an api token".to_string())?;
    raw.map(RawToken::parse).transpose()
}

struct RawToken([String; 6]);

fn read_token(r: &Row) -> rusqlite::Result<RawToken> {
    Ok(RawToken([
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
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

/// Migration 8: API tokens gain a public id (to list and revoke them by) and an expiry.
/// Tokens made before it expire [`MIGRATED_TOKEN_DAYS`] days after the migration, so that
/// no client stops working on the day of the upgrade.
pub(super) fn token_ids_and_expiry(tx: &Transaction) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE bonifica_api_tokens_v8 (
           id TEXT PRIMARY KEY NOT NULL,
           token_hash TEXT NOT NULL UNIQUE,
           user_id TEXT NOT NULL REFERENCES bonifica_users(id) ON DELETE CASCADE,
           name TEXT NOT NULL,
           created_at TEXT NOT NULL,
           expires_at TEXT NOT NULL
         );",
    )?;
    let old: Vec<String> = {
        let mut stmt = tx.prepare("SELECT token_hash FROM bonifica_api_tokens")?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let expiry = format!("+{MIGRATED_TOKEN_DAYS} days");
    for hash in old {
        tx.execute(
            "INSERT INTO bonifica_api_tokens_v8 (id, token_hash, user_id, name, created_at, \
             expires_at) SELECT ?1, token_hash, user_id, name, created_at, \
             strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?2) FROM bonifica_api_tokens \
             WHERE token_hash = ?3",
            params![Uuid::new_v4().to_string(), expiry, hash],
        )?;
    }
    tx.execute_batch(
        "DROP TABLE bonifica_api_tokens;
         ALTER TABLE bonifica_api_tokens_v8 RENAME TO bonifica_api_tokens;
         CREATE INDEX bonifica_api_tokens_user ON bonifica_api_tokens(user_id);",
    )
}

/// How long a token made before migration 8 lives after it, days.
pub const MIGRATED_TOKEN_DAYS: u32 = 90;

fn parse_user_id(table: &'static str, text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text).map_err(|e| StoreError::CorruptRow {
        table,
        code: text.to_string(),
        field: "user_id",
        problem: e.to_string(),
    })
}

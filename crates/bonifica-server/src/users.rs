//! Creating users and API tokens from the command line and for the demo: the functions
//! `bonifica user add`, `bonifica token add` and `bonifica demo --serve` call.

use bonifica_model::Dataset;
use bonifica_store::{ApiToken, Backend, NewApiToken, NewUser, StoreError};
use uuid::Uuid;

use crate::auth::{Role, hash_password, hash_token, new_password, new_token};
use crate::error::ServerError;
use crate::session::TOKEN_MAX_DAYS;

/// A unit a team leader can lead: a demining team or a reconstruction crew. The access
/// rules treat both alike through the user's `team_id`: a crew's leader files its
/// reconstruction reports as a demining team's leader files its daily progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    pub id: Uuid,
    pub organisation_id: Uuid,
}

/// The team or crew with this code (`DT-0007` for a demining team, `RC-0012` for a
/// reconstruction crew).
pub fn unit_by_code(data: &Dataset, code: &str) -> Option<Unit> {
    let team = data
        .teams
        .iter()
        .find(|t| t.code.as_str() == code)
        .map(|t| Unit {
            id: t.id,
            organisation_id: t.organisation_id,
        });
    team.or_else(|| {
        data.crews
            .iter()
            .find(|c| c.code.as_str() == code)
            .map(|c| Unit {
                id: c.id,
                organisation_id: c.organisation_id,
            })
    })
}

/// Mints an API token acting as `username`, expiring after `days` (1 to 365), and returns
/// the secret (to show once) and the token as stored (by hash). Unlike `POST /api/tokens`
/// this applies no role rule: whoever can write the region file is its administrator.
pub fn add_token(
    store: &mut dyn Backend,
    username: &str,
    name: &str,
    days: u32,
) -> Result<(String, ApiToken), ServerError> {
    if !(1..=TOKEN_MAX_DAYS).contains(&days) {
        return Err(ServerError::TokenDays(days));
    }
    let user = store
        .user_by_name(username)?
        .ok_or_else(|| ServerError::UnknownUser(username.to_string()))?;
    let secret = new_token();
    let expires_at = chrono::Utc::now() + chrono::Duration::days(i64::from(days));
    let stored = store.create_api_token(&NewApiToken {
        token_hash: hash_token(&secret),
        user_id: user.id,
        name: name.to_string(),
        expires_at: expires_at.to_rfc3339(),
    })?;
    Ok((secret, stored))
}

/// Adds a user with an argon2 hash of `password` to the register at `path`.
pub fn add_user(
    store: &mut dyn Backend,
    username: &str,
    role: Role,
    password: &str,
    organisation_id: Option<Uuid>,
    team_id: Option<Uuid>,
) -> Result<(), ServerError> {
    let user = NewUser {
        username: username.to_string(),
        password_hash: hash_password(password)?,
        role: role.as_str().to_string(),
        organisation_id,
        team_id,
    };
    store.add_user(&user)?;
    Ok(())
}

/// Creates one user per role in the register at `path`, with random passwords, and
/// returns `(username, role, password)` for each. The operations manager belongs to the
/// first demining operator, the team leader leads that operator's first team. User names
/// already taken are skipped.
pub fn create_demo_users(location: &str) -> Result<Vec<(String, Role, String)>, ServerError> {
    let mut store = bonifica_store::open(location)?;
    let data = store.load()?;
    let operator = data
        .organisations
        .iter()
        .find(|o| o.kind == bonifica_model::OrganisationKind::DeminingOperator);
    let team = operator.and_then(|o| data.teams.iter().find(|t| t.organisation_id == o.id));
    let org = operator.map(|o| o.id);
    let plan = [
        ("coordinator", Role::Coordinator, None, None),
        ("defence", Role::DefenceLiaison, None, None),
        ("operator", Role::OperationsManager, org, None),
        ("teamleader", Role::TeamLeader, org, team.map(|t| t.id)),
        ("viewer", Role::Viewer, None, None),
    ];
    let mut out = Vec::new();
    for (name, role, org, team) in plan {
        let password = new_password();
        match add_user(&mut *store, name, role, &password, org, team) {
            Ok(()) => out.push((name.to_string(), role, password)),
            Err(ServerError::Store(StoreError::DuplicateUser { .. })) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

//! Creating users from the command line and for the demo: the functions `bonifica user add`
//! and `bonifica demo --serve` call.

use std::path::Path;

use bonifica_store::{GeoPackage, NewUser, StoreError};
use uuid::Uuid;

use crate::auth::{Role, hash_password, new_password};
use crate::error::ServerError;

/// Adds a user with an argon2 hash of `password` to the register at `path`.
pub fn add_user(
    store: &mut GeoPackage,
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
pub fn create_demo_users(path: &Path) -> Result<Vec<(String, Role, String)>, ServerError> {
    use bonifica_store::Store;
    let mut store = GeoPackage::open(path)?;
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
        match add_user(&mut store, name, role, &password, org, team) {
            Ok(()) => out.push((name.to_string(), role, password)),
            Err(ServerError::Store(StoreError::DuplicateUser { .. })) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

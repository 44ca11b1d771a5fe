//! Who acts: an [`Actor`] is a signed-in user with a [`Role`], whatever the protocol
//! that proved it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a user may do; see docs/api.md for the full table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

/// A stored role word that is none of [`Role::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "role {0:?} is not one of coordinator, defence_liaison, operations_manager, team_leader, viewer"
)]
pub struct UnknownRole(pub String);

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
    pub fn parse(text: &str) -> Result<Role, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| UnknownRole(text.to_string()))
    }

    /// True for the one role entitled to restricted records.
    pub fn sees_restricted(self) -> bool {
        self == Role::DefenceLiaison
    }
}

/// A signed-in user, as every operation of the application layer sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub username: String,
    pub role: Role,
    pub organisation_id: Option<Uuid>,
    /// The demining team or reconstruction crew a team leader leads.
    pub team_id: Option<Uuid>,
}

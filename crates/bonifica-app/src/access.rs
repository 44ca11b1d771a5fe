//! Access control: what each role may do to each kind of record, and which records it
//! may see at all.
//!
//! Two levels. The role decides whether a verb on a kind is allowed at all (a viewer never
//! writes: 403). The record decides whether the caller may see it (restricted records and
//! other organisations' staff are 404, never 403, so their existence does not leak) and
//! whether it lies within the caller's scope for writing (403).

use bonifica_model::{
    Asset, AssetKind, Contract, Crew, HazardArea, Organisation, Person, RecordKind, Region,
    Settlement, Team,
};
use uuid::Uuid;

use crate::actor::{Actor, Role};
use crate::error::AppError;
use crate::model::Model;

/// What a request does to a kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    Read,
    Create,
    Update,
    Delete,
    /// A land-release event on a hazard area.
    Event,
}

/// What access control needs to know of a record.
pub trait Scoped {
    /// Restricted records are visible only to roles entitled to them.
    fn restricted(&self) -> bool {
        false
    }
    /// The organisation the record belongs to, if any.
    fn organisation(&self) -> Option<Uuid> {
        None
    }
    /// The person a record is about (people and contracts), for team leaders' scope.
    fn person(&self) -> Option<Uuid> {
        None
    }
}

impl Scoped for Region {}
impl Scoped for Settlement {}
impl Scoped for Organisation {}

impl Scoped for HazardArea {
    fn restricted(&self) -> bool {
        self.restricted
    }
    fn organisation(&self) -> Option<Uuid> {
        self.organisation_id
    }
}

impl Scoped for Asset {
    fn restricted(&self) -> bool {
        self.restricted || self.kind == AssetKind::MilitaryStructure
    }
}

impl Scoped for Person {
    fn organisation(&self) -> Option<Uuid> {
        Some(self.organisation_id)
    }
    fn person(&self) -> Option<Uuid> {
        Some(self.id)
    }
}

impl Scoped for Contract {
    fn organisation(&self) -> Option<Uuid> {
        Some(self.organisation_id)
    }
    fn person(&self) -> Option<Uuid> {
        Some(self.person_id)
    }
}

impl Scoped for Team {
    fn organisation(&self) -> Option<Uuid> {
        Some(self.organisation_id)
    }
}

impl Scoped for Crew {
    fn organisation(&self) -> Option<Uuid> {
        Some(self.organisation_id)
    }
}

/// Whether the role may do `verb` to `kind` at all.
pub fn role_allows(role: Role, kind: RecordKind, verb: Verb) -> bool {
    use RecordKind as K;
    let personal = matches!(kind, K::Person | K::Contract);
    match (verb, role) {
        (Verb::Read, Role::Viewer) => !personal,
        (Verb::Read, _) => true,
        (_, _) if kind == K::Region || kind == K::River => false,
        (Verb::Event, Role::Viewer) => false,
        (Verb::Event, _) => kind == K::HazardArea,
        (_, Role::Coordinator | Role::DefenceLiaison) => true,
        (_, Role::OperationsManager) => matches!(kind, K::Person | K::Contract | K::Team | K::Crew),
        (_, Role::TeamLeader | Role::Viewer) => false,
    }
}

/// `Err(403)` when the role may not do `verb` to `kind`.
pub fn require(caller: &Actor, kind: RecordKind, verb: Verb) -> Result<(), AppError> {
    if role_allows(caller.role, kind, verb) {
        return Ok(());
    }
    Err(AppError::forbidden(format!(
        "role {} may not {} {} records",
        caller.role.as_str(),
        verb_word(verb),
        kind.label()
    )))
}

fn verb_word(verb: Verb) -> &'static str {
    match verb {
        Verb::Read => "read",
        Verb::Create => "create",
        Verb::Update => "update",
        Verb::Delete => "delete",
        Verb::Event => "record land-release events on",
    }
}

/// Whether the caller may see this record at all (unseen records are 404).
pub fn visible(caller: &Actor, model: &Model, record: &impl Scoped) -> bool {
    if record.restricted() && !caller.role.sees_restricted() {
        return false;
    }
    let Some(person) = record.person() else {
        return true;
    };
    match caller.role {
        Role::Coordinator | Role::DefenceLiaison => true,
        Role::OperationsManager => {
            caller.organisation_id.is_some() && record.organisation() == caller.organisation_id
        }
        // A team leader's unit is a demining team or a reconstruction crew.
        Role::TeamLeader => caller.team_id.is_some_and(|unit| {
            let d = &model.data;
            d.teams
                .iter()
                .any(|t| t.id == unit && t.members.contains(&person))
                || d.crews
                    .iter()
                    .any(|c| c.id == unit && c.members.contains(&person))
        }),
        Role::Viewer => false,
    }
}

/// `Err(403)` when a visible record lies outside what the caller may change.
pub fn require_scope(caller: &Actor, record: &impl Scoped) -> Result<(), AppError> {
    if record.restricted() && !caller.role.sees_restricted() {
        return Err(AppError::forbidden(
            "only the defence liaison may record restricted records",
        ));
    }
    match caller.role {
        Role::Coordinator | Role::DefenceLiaison => Ok(()),
        _ if caller.organisation_id.is_some()
            && record.organisation() == caller.organisation_id =>
        {
            Ok(())
        }
        _ => Err(AppError::forbidden(
            "the record belongs to another organisation than yours",
        )),
    }
}

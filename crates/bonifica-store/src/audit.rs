//! The audit trail: every change to the official picture, chained by SHA-256 so that an
//! edited, removed or reordered entry is found.
//!
//! Each entry's hash covers the previous entry's hash and the entry's own fields, joined by
//! newlines: `prev_hash, seq, at, actor, action, entity, entity_id, before, after` (an
//! absent `before` or `after` counts as the empty string). The first entry follows
//! [`GENESIS`], 64 zeros. The last sequence number and hash are also kept apart from the
//! log (the head), so removing the last entries breaks the chain too.
//!
//! This module knows no SQL: the hash and the walk are the same whatever the backend.

use sha2::{Digest, Sha256};

/// The actor of changes made from the command line and by imports, not by a signed-in user.
pub const SYSTEM_ACTOR: &str = "system";

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// 1 for the first entry, then one more for each.
    pub seq: u64,
    /// When the change was made: UTC, RFC 3339.
    pub at: String,
    /// Who made it: a user name, or `system` for the command line and imports.
    pub actor: String,
    /// What was done: `create`, `update`, `delete`, `insert` (a bulk import), `save`, or a
    /// report's workflow action (`submit`, `verify`, `approve`...).
    pub action: String,
    /// The kind of thing changed: `hazard_area`, `asset`, `report`, `released_land`,
    /// `plan`, `dataset`...
    pub entity: String,
    /// Its id (or, for a bulk import, the codes of its regions).
    pub entity_id: String,
    /// The thing before the change, as JSON; `None` when it is new.
    pub before: Option<String>,
    /// The thing after the change, as JSON; `None` when it was deleted.
    pub after: Option<String>,
    /// The hash of the entry before ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// This entry's hash, hex-encoded SHA-256.
    pub hash: String,
}

impl AuditEntry {
    /// The hash this entry's content should have, whatever its `hash` field says.
    pub fn expected_hash(&self) -> String {
        let mut h = Sha256::new();
        let seq = self.seq.to_string();
        let fields = [
            self.prev_hash.as_str(),
            seq.as_str(),
            self.at.as_str(),
            self.actor.as_str(),
            self.action.as_str(),
            self.entity.as_str(),
            self.entity_id.as_str(),
            self.before.as_deref().unwrap_or(""),
            self.after.as_deref().unwrap_or(""),
        ];
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                h.update(b"\n");
            }
            h.update(field.as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A chain that holds: how many entries it has and the hash of the last one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheck {
    pub entries: u64,
    /// The hash of the last entry ([`GENESIS`] for an empty log).
    pub head: String,
}

/// An entry's sequence number and hash written down outside the region file (printed by
/// `bonifica audit verify`, kept in a signed report, a ticket or an e-mail), written
/// `SEQ:HASH`. A chain rewritten consistently from its first entry on, head included,
/// still holds; it no longer holds an anchor taken before the rewrite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditAnchor {
    pub seq: u64,
    pub hash: String,
}

impl std::fmt::Display for AuditAnchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl std::str::FromStr for AuditAnchor {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (seq, hash) = text
            .split_once(':')
            .ok_or_else(|| format!("{text:?} is not SEQ:HASH"))?;
        let seq: u64 = seq
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("{seq:?} is not an entry number (1 or more)"))?;
        let hash = hash.to_ascii_lowercase();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("{hash:?} is not a SHA-256 hash (64 hex digits)"));
        }
        Ok(AuditAnchor { seq, hash })
    }
}

impl AuditAnchor {
    /// Whether `entry`, the log's entry at the anchor's sequence number (`None` when the
    /// log has none), is the anchored one.
    pub fn check(&self, entry: Option<&AuditEntry>) -> Result<(), AuditProblem> {
        match entry {
            None => Err(AuditProblem::AnchorMissing {
                anchored: self.hash.clone(),
            }),
            Some(e) if e.hash != self.hash => Err(AuditProblem::AnchorMismatch {
                anchored: self.hash.clone(),
                found: e.hash.clone(),
            }),
            Some(_) => Ok(()),
        }
    }
}

/// What is wrong with an entry of the audit log; [`crate::StoreError::AuditBroken`] names
/// the entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditProblem {
    /// The entry's hash is not the hash of its content.
    #[error("its hash does not match its content: the entry was edited")]
    Edited,
    /// The entry is not in the log, but a later one is.
    #[error("it is missing: the log goes from entry {previous} to entry {next} (entries removed)")]
    Missing { previous: u64, next: u64 },
    /// The entry's `prev_hash` is not the hash of the entry before it. When it is the hash
    /// of another stored entry, `follows` names that one.
    #[error("{}", unlinked(*.follows))]
    Unlinked { follows: Option<u64> },
    /// The log ends before the head recorded beside it.
    #[error(
        "it is missing: the log ends at entry {last} but its recorded head is entry {head} \
         (the last entries were removed)"
    )]
    TailRemoved { last: u64, head: u64 },
    /// The log goes on past the head recorded beside it.
    #[error("it is past the recorded head, entry {head}: it was added outside the store")]
    PastHead { head: u64 },
    /// The last entry is not the one the head records.
    #[error("its hash is not the recorded head's hash: the head or the entry was rewritten")]
    HeadMismatch,
    /// The head beside the log is missing.
    #[error("the log's recorded head is missing")]
    NoHead,
    /// An anchor names an entry the log no longer has.
    #[error(
        "it was anchored with hash {anchored} but the log no longer has it: the log was cut \
         short and its head rewritten"
    )]
    AnchorMissing { anchored: String },
    /// The entry an anchor names has another hash now.
    #[error(
        "it was anchored with hash {anchored} but its hash is now {found}: the log was \
         rewritten up to this entry"
    )]
    AnchorMismatch { anchored: String, found: String },
}

fn unlinked(follows: Option<u64>) -> String {
    match follows {
        Some(other) => format!(
            "its prev_hash is the hash of entry {other}, not of the entry before it: \
             entries were reordered"
        ),
        None => "its prev_hash is not the hash of the entry before it: an entry was \
                 removed or rewritten"
            .to_string(),
    }
}

/// The record kind an audit entry's `entity` word names (`hazard_area`, `asset`...);
/// `None` for entries about other things (reports, plans, bulk imports).
pub fn record_kind_of(entity: &str) -> Option<bonifica_model::RecordKind> {
    use bonifica_model::RecordKind;
    Some(match entity {
        "region" => RecordKind::Region,
        "organisation" => RecordKind::Organisation,
        "person" => RecordKind::Person,
        "contract" => RecordKind::Contract,
        "team" => RecordKind::Team,
        "crew" => RecordKind::Crew,
        "settlement" => RecordKind::Settlement,
        "hazard_area" => RecordKind::HazardArea,
        "asset" => RecordKind::Asset,
        "river" => RecordKind::River,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> AuditEntry {
        AuditEntry {
            seq: 1,
            at: "2027-03-01T08:00:00.000Z".to_string(),
            actor: "system".to_string(),
            action: "insert".to_string(),
            entity: "dataset".to_string(),
            entity_id: "RG-0001".to_string(),
            before: None,
            after: Some("{}".to_string()),
            prev_hash: GENESIS.to_string(),
            hash: String::new(),
        }
    }

    #[test]
    fn the_hash_is_sha256_over_the_fields_joined_by_newlines() {
        let text = format!(
            "{GENESIS}\n1\n2027-03-01T08:00:00.000Z\nsystem\ninsert\ndataset\nRG-0001\n\n{{}}"
        );
        let expected: String = Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(entry().expected_hash(), expected);
        assert_eq!(expected.len(), 64);
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = entry().expected_hash();
        let edits: [fn(&mut AuditEntry); 9] = [
            |e| e.seq = 2,
            |e| e.at.push('1'),
            |e| e.actor.push('x'),
            |e| e.action.push('x'),
            |e| e.entity.push('x'),
            |e| e.entity_id.push('x'),
            |e| e.before = Some("{}".to_string()),
            |e| e.after = None,
            |e| e.prev_hash = "1".repeat(64),
        ];
        for edit in edits {
            let mut e = entry();
            edit(&mut e);
            assert_ne!(e.expected_hash(), base, "{e:?}");
        }
    }

    #[test]
    fn anchors_read_as_seq_colon_hash() {
        let hash = "AB".repeat(32);
        let anchor: AuditAnchor = format!("12:{hash}").parse().expect("reads");
        assert_eq!(anchor.seq, 12);
        assert_eq!(anchor.hash, "ab".repeat(32), "hex is kept in lower case");
        assert_eq!(anchor.to_string(), format!("12:{}", "ab".repeat(32)));
        let bad = [
            "12".to_string(),
            format!("0:{hash}"),
            format!("x:{hash}"),
            "3:abc".to_string(),
        ];
        for bad in bad {
            assert!(bad.parse::<AuditAnchor>().is_err(), "{bad:?} read");
        }
    }

    #[test]
    fn an_anchor_holds_only_its_own_entry() {
        let mut e = entry();
        e.hash = e.expected_hash();
        let anchor = AuditAnchor {
            seq: 1,
            hash: e.hash.clone(),
        };
        assert_eq!(anchor.check(Some(&e)), Ok(()));
        assert!(matches!(
            anchor.check(None),
            Err(AuditProblem::AnchorMissing { .. })
        ));
        e.actor = "somebody else".to_string();
        e.hash = e.expected_hash();
        assert!(matches!(
            anchor.check(Some(&e)),
            Err(AuditProblem::AnchorMismatch { .. })
        ));
    }
}

//! Record identity: a stable UUID that offline clients and merges rely on, and a
//! human-readable code as the field writes it (`HA-0042` for a hazard area).

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The kinds of record Bonifica keeps, each with the code prefix the field uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Region,
    Organisation,
    Person,
    Contract,
    Team,
    Crew,
    Settlement,
    HazardArea,
    Asset,
    River,
}

impl RecordKind {
    pub const ALL: [RecordKind; 10] = [
        RecordKind::Region,
        RecordKind::Organisation,
        RecordKind::Person,
        RecordKind::Contract,
        RecordKind::Team,
        RecordKind::Crew,
        RecordKind::Settlement,
        RecordKind::HazardArea,
        RecordKind::Asset,
        RecordKind::River,
    ];

    /// The prefix of the human-readable code, as in `HA-0042`.
    pub fn prefix(self) -> &'static str {
        match self {
            RecordKind::Region => "RG",
            RecordKind::Organisation => "ORG",
            RecordKind::Person => "P",
            RecordKind::Contract => "CT",
            RecordKind::Team => "DT",
            RecordKind::Crew => "RC",
            RecordKind::Settlement => "ST",
            RecordKind::HazardArea => "HA",
            RecordKind::Asset => "AS",
            RecordKind::River => "RV",
        }
    }

    /// A short name for messages, such as `hazard area`.
    pub fn label(self) -> &'static str {
        match self {
            RecordKind::Region => "region",
            RecordKind::Organisation => "organisation",
            RecordKind::Person => "person",
            RecordKind::Contract => "contract",
            RecordKind::Team => "team",
            RecordKind::Crew => "crew",
            RecordKind::Settlement => "settlement",
            RecordKind::HazardArea => "hazard area",
            RecordKind::Asset => "asset",
            RecordKind::River => "river",
        }
    }
}

/// A human-readable record code: an upper-case prefix, a dash and digits (`HA-0042`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Code(String);

/// Why a string is not a record code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("code {code:?} is not of the form PREFIX-0001 (upper-case letters, a dash, digits)")]
pub struct CodeError {
    pub code: String,
}

impl Code {
    /// The code of the `number`th record of a kind, zero-padded to four digits.
    pub fn new(kind: RecordKind, number: u32) -> Code {
        Code(format!("{}-{number:04}", kind.prefix()))
    }

    /// Parses a code written by a person or another system.
    pub fn parse(text: &str) -> Result<Code, CodeError> {
        let err = || CodeError {
            code: text.to_string(),
        };
        let (prefix, digits) = text.split_once('-').ok_or_else(err)?;
        let prefix_ok = !prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_uppercase());
        let digits_ok = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit());
        if !(prefix_ok && digits_ok) {
            return Err(err());
        }
        Ok(Code(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Code {
    type Error = CodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Code::parse(&value)
    }
}

impl From<Code> for String {
    fn from(code: Code) -> String {
        code.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stable UUID derived from a seed and a name, so that a generated region gets the same
/// identifiers every time it is generated with the same seed.
pub fn stable_uuid(seed: u64, kind: RecordKind, number: u32) -> Uuid {
    let name = format!("bonifica:{seed}:{}:{number}", kind.prefix());
    Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_zero_padded_and_parse_back() {
        let code = Code::new(RecordKind::HazardArea, 42);
        assert_eq!(code.as_str(), "HA-0042");
        assert_eq!(Code::parse("HA-0042"), Ok(code));
        assert_eq!(Code::new(RecordKind::Asset, 12345).as_str(), "AS-12345");
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in ["", "HA", "HA-", "-0042", "ha-0042", "HA-00x2", "HA 0042"] {
            assert!(Code::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn stable_uuids_depend_on_seed_kind_and_number() {
        let a = stable_uuid(1, RecordKind::HazardArea, 1);
        assert_eq!(a, stable_uuid(1, RecordKind::HazardArea, 1));
        assert_ne!(a, stable_uuid(2, RecordKind::HazardArea, 1));
        assert_ne!(a, stable_uuid(1, RecordKind::Asset, 1));
        assert_ne!(a, stable_uuid(1, RecordKind::HazardArea, 2));
    }
}

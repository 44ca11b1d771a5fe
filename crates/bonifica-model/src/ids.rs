//! Record identity: a stable UUID that offline clients and merges rely on, and a
//! human-readable code as the field writes it (`HA-0042` for a hazard area).
//!
//! Kinds that hold restricted records (hazard areas and assets) number them in a series of
//! their own (`HAR-0007`, `ASR-0003`), so that the codes a role without the restricted
//! right sees run without gaps and say nothing of how many restricted records there are.

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

    /// The prefix of the codes of this kind's restricted records (`HAR` for hazard areas,
    /// `ASR` for assets, military structures included); `None` for kinds that have no
    /// restricted records.
    pub fn restricted_prefix(self) -> Option<&'static str> {
        match self {
            RecordKind::HazardArea => Some("HAR"),
            RecordKind::Asset => Some("ASR"),
            _ => None,
        }
    }

    /// The prefix of a series of this kind; kinds without restricted records have one
    /// series, the visible one.
    pub fn series_prefix(self, series: Series) -> &'static str {
        match series {
            Series::Visible => self.prefix(),
            Series::Restricted => self.restricted_prefix().unwrap_or(self.prefix()),
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

/// The two series of codes of a kind: the one every role sees, and the one of restricted
/// records, which only the roles entitled to them see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Series {
    Visible,
    Restricted,
}

impl Series {
    /// The series of a record that is restricted or not.
    pub fn of(restricted: bool) -> Series {
        if restricted {
            Series::Restricted
        } else {
            Series::Visible
        }
    }
}

/// A human-readable record code: an upper-case prefix, a dash and digits (`HA-0042`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Code(String);

/// Why a string is not a record code: `expected` says what a code looks like.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("code {} is not {expected}", shown(.code))]
pub struct CodeError {
    pub code: String,
    pub expected: String,
}

/// The fewest and the most digits of a code a person writes for a record of a kind.
pub const CODE_DIGITS: std::ops::RangeInclusive<usize> = 4..=9;

/// A code as an error message quotes it: cut short when it is long.
fn shown(code: &str) -> String {
    const MOST: usize = 24;
    if code.chars().count() <= MOST {
        return format!("{code:?}");
    }
    let head: String = code.chars().take(MOST).collect();
    format!("{head:?}… ({} characters)", code.chars().count())
}

impl Code {
    /// The code of the `number`th record of a kind, zero-padded to four digits.
    pub fn new(kind: RecordKind, number: u32) -> Code {
        Code::in_series(kind, Series::Visible, number)
    }

    /// The code of the `number`th record of a kind's series, zero-padded to four digits
    /// (`HAR-0007` for the seventh restricted hazard area).
    pub fn in_series(kind: RecordKind, series: Series, number: u32) -> Code {
        Code(format!("{}-{number:04}", kind.series_prefix(series)))
    }

    /// Parses a code as stored or imported: any upper-case prefix, a dash and digits.
    /// Codes written for a known kind go through [`Code::parse_for`], which is stricter.
    pub fn parse(text: &str) -> Result<Code, CodeError> {
        let err = || CodeError {
            code: text.to_string(),
            expected: "of the form PREFIX-0001 (upper-case letters, a dash, digits)".to_string(),
        };
        let (prefix, digits) = text.split_once('-').ok_or_else(err)?;
        let prefix_ok = !prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_uppercase());
        let digits_ok = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit());
        if !(prefix_ok && digits_ok) {
            return Err(err());
        }
        Ok(Code(text.to_string()))
    }

    /// Parses a code written for a record of `kind`, accepting only the prefixes of the
    /// `allowed` series: the prefix, a dash and 4 to 9 digits, not all zeros. Returns the
    /// code and its series. The error names only the allowed prefixes, so a caller who
    /// may not write restricted codes learns nothing from it.
    pub fn parse_for(
        kind: RecordKind,
        allowed: &[Series],
        text: &str,
    ) -> Result<(Code, Series), CodeError> {
        let err = || CodeError {
            code: text.to_string(),
            expected: expected(kind, allowed),
        };
        let (prefix, digits) = text.split_once('-').ok_or_else(err)?;
        let series = [Series::Visible, Series::Restricted]
            .into_iter()
            .filter(|s| allowed.contains(s))
            .find(|s| kind.series_prefix(*s) == prefix)
            .ok_or_else(err)?;
        let digits_ok = CODE_DIGITS.contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && digits.bytes().any(|b| b != b'0');
        if !digits_ok {
            return Err(err());
        }
        Ok((Code(text.to_string()), series))
    }

    /// The number of this code in `kind`'s `series`, if it is a code of that series.
    pub fn number_in(&self, kind: RecordKind, series: Series) -> Option<u32> {
        let digits = self
            .0
            .strip_prefix(kind.series_prefix(series))?
            .strip_prefix('-')?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a code of `kind` in the `allowed` series looks like, for error messages.
fn expected(kind: RecordKind, allowed: &[Series]) -> String {
    let visible = kind.prefix();
    let prefixes = match kind.restricted_prefix() {
        Some(r) if allowed.contains(&Series::Restricted) && allowed.contains(&Series::Visible) => {
            format!("{visible}- (or {r}- for a restricted one)")
        }
        Some(r) if allowed.contains(&Series::Restricted) => format!("{r}-"),
        _ => format!("{visible}-"),
    };
    let series = if allowed == [Series::Restricted] {
        Series::Restricted
    } else {
        Series::Visible
    };
    format!(
        "a {} code: {prefixes} then {} to {} digits, not all zeros, as in {}",
        kind.label(),
        CODE_DIGITS.start(),
        CODE_DIGITS.end(),
        Code::in_series(kind, series, 42)
    )
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
    fn a_code_of_another_kind_or_with_too_few_or_too_many_digits_is_refused() {
        let both = [Series::Visible, Series::Restricted];
        let long = format!("HA-{}", "1".repeat(10_000));
        for bad in [
            "AS-0005",
            "HA-0",
            "HA-",
            "HA-000",
            "HA-0000",
            "HA-1234567890",
            "HA-00x2",
            "ha-0042",
            "HAR0042",
            "RG-0001",
            "-0042",
            long.as_str(),
        ] {
            let e = Code::parse_for(RecordKind::HazardArea, &both, bad);
            assert!(e.is_err(), "{bad:?} should be refused");
        }
        let e = Code::parse_for(RecordKind::HazardArea, &both, &long).expect_err("refused");
        assert!(e.to_string().len() < 200, "{e}");
        assert!(e.to_string().contains("10003 characters"), "{e}");
        assert_eq!(
            Code::parse_for(RecordKind::HazardArea, &both, "AS-0005")
                .expect_err("refused")
                .to_string(),
            "code \"AS-0005\" is not a hazard area code: HA- (or HAR- for a restricted one) \
             then 4 to 9 digits, not all zeros, as in HA-0042"
        );
    }

    #[test]
    fn codes_of_a_kind_parse_with_their_series() {
        let both = [Series::Visible, Series::Restricted];
        let parsed = |kind, allowed: &[Series], text| Code::parse_for(kind, allowed, text);
        assert_eq!(
            parsed(RecordKind::HazardArea, &both, "HA-0042"),
            Ok((Code::new(RecordKind::HazardArea, 42), Series::Visible))
        );
        assert_eq!(
            parsed(RecordKind::HazardArea, &both, "HAR-0007"),
            Ok((
                Code::in_series(RecordKind::HazardArea, Series::Restricted, 7),
                Series::Restricted
            ))
        );
        assert!(parsed(RecordKind::Asset, &both, "ASR-123456789").is_ok());
        assert!(parsed(RecordKind::Asset, &both, "AS-0001").is_ok());
        // A kind without restricted records has one series.
        assert!(parsed(RecordKind::Settlement, &both, "STR-0001").is_err());
        assert!(parsed(RecordKind::Settlement, &both, "ST-0001").is_ok());
    }

    #[test]
    fn a_restricted_code_is_refused_as_any_other_prefix_where_it_is_not_allowed() {
        let visible_only = [Series::Visible];
        let restricted = Code::parse_for(RecordKind::HazardArea, &visible_only, "HAR-0001")
            .expect_err("refused")
            .to_string();
        let other = Code::parse_for(RecordKind::HazardArea, &visible_only, "AS-0001")
            .expect_err("refused")
            .to_string();
        assert_eq!(
            restricted.replace("HAR-0001", "X"),
            other.replace("AS-0001", "X")
        );
        assert!(!restricted.contains("restricted"), "{restricted}");
    }

    #[test]
    fn numbers_are_read_within_their_series_only() {
        let code = Code::in_series(RecordKind::HazardArea, Series::Restricted, 12);
        assert_eq!(code.as_str(), "HAR-0012");
        assert_eq!(
            code.number_in(RecordKind::HazardArea, Series::Restricted),
            Some(12)
        );
        assert_eq!(
            code.number_in(RecordKind::HazardArea, Series::Visible),
            None
        );
        let visible = Code::new(RecordKind::HazardArea, 9);
        assert_eq!(
            visible.number_in(RecordKind::HazardArea, Series::Visible),
            Some(9)
        );
        assert_eq!(
            visible.number_in(RecordKind::HazardArea, Series::Restricted),
            None
        );
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

//! Pieces shared by the GeoJSON and CSV importers: reading a value written as text (dates,
//! enum words, codes, lists, repair work), handing out codes after the existing ones,
//! catching duplicate ids and codes, and resolving references by code.
//!
//! The parse functions return the problem alone as a `String`; the importer wraps it in an
//! [`crate::InterchangeError`] with the file, the record and the field.

use std::collections::{HashMap, HashSet};

use bonifica_model::{Code, Date, RecordKind, RepairWork, Trade};
use uuid::Uuid;

/// Parses `YYYY-MM-DD`.
pub(crate) fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{text} is not a date (YYYY-MM-DD)"))
}

/// Parses one of a word enum's words, listing the accepted words when it fails.
pub(crate) fn parse_word<T>(
    text: &str,
    what: &str,
    parse: fn(&str) -> Option<T>,
    words: &str,
) -> Result<T, String> {
    parse(text.trim()).ok_or_else(|| format!("{text:?} is not a {what}; expected one of {words}"))
}

/// Parses a UUID.
pub(crate) fn parse_uuid(text: &str) -> Result<Uuid, String> {
    Uuid::parse_str(text.trim()).map_err(|_| format!("{text:?} is not a UUID"))
}

/// Parses a record code and checks that its prefix is one of `kind`'s: its own, or the
/// one of its restricted records (`HAR-0001`), which exports of restricted records carry.
pub(crate) fn parse_code(text: &str, kind: RecordKind) -> Result<Code, String> {
    let code = Code::parse(text.trim()).map_err(|e| e.to_string())?;
    let prefix_ok = code
        .as_str()
        .split_once('-')
        .is_some_and(|(p, _)| p == kind.prefix() || Some(p) == kind.restricted_prefix());
    if !prefix_ok {
        return Err(format!(
            "{code} is not a {} code ({}-0001)",
            kind.label(),
            kind.prefix()
        ));
    }
    Ok(code)
}

/// Parses a whole number that fits in 32 bits (`"14025"`, `14025`, `14025.0`).
pub(crate) fn parse_whole(text: &str) -> Result<u32, String> {
    let t = text.trim();
    if let Ok(n) = t.parse::<u32>() {
        return Ok(n);
    }
    match t.parse::<f64>() {
        Ok(x) if x.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&x) => Ok(x as u32),
        _ => Err(format!("{text:?} is not a whole number")),
    }
}

/// Parses a finite decimal number.
pub(crate) fn parse_number(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(format!("{text:?} is not a finite number")),
    }
}

/// Parses `true`/`false` (also `yes`/`no`, `1`/`0`).
pub(crate) fn parse_flag(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" | "" => Ok(false),
        _ => Err(format!("{text:?} is not true or false")),
    }
}

/// Splits a `;`-separated list, dropping blanks.
pub(crate) fn split_list(text: &str) -> Vec<&str> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Parses repair work written as `roads:12.5; bridges:3` (trade and person-days).
pub(crate) fn parse_repair(text: &str) -> Result<Vec<RepairWork>, String> {
    split_list(text)
        .into_iter()
        .map(|item| {
            let (trade, days) = item
                .split_once(':')
                .ok_or_else(|| format!("{item:?} is not trade:person_days"))?;
            let trade = parse_word(trade, "trade", Trade::parse, &Trade::words())?;
            let person_days = parse_number(days)?;
            if person_days < 0.0 {
                return Err(format!("{item:?}: person-days cannot be negative"));
            }
            Ok(RepairWork { trade, person_days })
        })
        .collect()
}

/// Writes repair work as [`parse_repair`] reads it.
pub(crate) fn format_repair(repair: &[RepairWork]) -> String {
    repair
        .iter()
        .map(|w| format!("{}:{}", w.trade.as_str(), w.person_days))
        .collect::<Vec<_>>()
        .join(";")
}

/// Hands out codes of one kind, numbered after a starting point and skipping codes already
/// taken (by the register or by explicit codes in the same file).
pub(crate) struct CodeAllocator {
    kind: RecordKind,
    next: u32,
    taken: HashSet<String>,
}

impl CodeAllocator {
    /// Starts at `next_number`, or after the highest existing number of `kind`.
    pub(crate) fn new<'a>(
        kind: RecordKind,
        next_number: Option<u32>,
        existing: impl Iterator<Item = &'a Code>,
        in_file: impl Iterator<Item = String>,
    ) -> CodeAllocator {
        let mut taken: HashSet<String> = in_file.collect();
        let mut highest = 0;
        for code in existing {
            if let Some(n) = number_of(code.as_str(), kind) {
                highest = highest.max(n);
            }
            taken.insert(code.as_str().to_string());
        }
        let next = next_number.unwrap_or_else(|| highest.saturating_add(1));
        CodeAllocator { kind, next, taken }
    }

    /// The next free code.
    pub(crate) fn allocate(&mut self) -> Code {
        loop {
            let code = Code::new(self.kind, self.next);
            self.next = self.next.saturating_add(1);
            if self.taken.insert(code.as_str().to_string()) {
                return code;
            }
        }
    }
}

fn number_of(code: &str, kind: RecordKind) -> Option<u32> {
    let (prefix, digits) = code.split_once('-')?;
    if prefix != kind.prefix() {
        return None;
    }
    digits.parse().ok()
}

/// Ids and codes already used, with where (for the message).
pub(crate) struct Seen {
    label: &'static str,
    ids: HashMap<Uuid, String>,
    codes: HashMap<String, String>,
}

impl Seen {
    /// Starts with the existing records of one kind.
    pub(crate) fn new<'a>(
        kind: RecordKind,
        existing: impl Iterator<Item = (Uuid, &'a Code)>,
    ) -> Seen {
        let mut seen = Seen {
            label: kind.label(),
            ids: HashMap::new(),
            codes: HashMap::new(),
        };
        for (id, code) in existing {
            let at = format!("existing {} {code}", kind.label());
            seen.ids.insert(id, at.clone());
            seen.codes.insert(code.as_str().to_string(), at);
        }
        seen
    }

    /// Checks a new record's id and code, returning the field and the problem on a
    /// clash, and remembers them as used by `at` (`feature 3`, `line 4`) when free.
    pub(crate) fn claim(
        &mut self,
        id: Uuid,
        code: &Code,
        at: String,
    ) -> Result<(), (&'static str, String)> {
        if let Some(other) = self.ids.get(&id) {
            return Err((
                "id",
                format!("duplicate {} id {id}: also used by {other}", self.label),
            ));
        }
        if let Some(other) = self.codes.get(code.as_str()) {
            return Err((
                "code",
                format!("duplicate {} code {code}: also used by {other}", self.label),
            ));
        }
        self.ids.insert(id, at.clone());
        self.codes.insert(code.as_str().to_string(), at);
        Ok(())
    }
}

/// Records of one kind that references can name by code or by id.
#[derive(Default)]
pub(crate) struct Lookup {
    by_code: HashMap<String, Uuid>,
    ids: HashSet<Uuid>,
}

impl Lookup {
    pub(crate) fn new<'a>(records: impl Iterator<Item = (Uuid, &'a Code)>) -> Lookup {
        let mut lookup = Lookup::default();
        for (id, code) in records {
            lookup.add(id, code);
        }
        lookup
    }

    pub(crate) fn add(&mut self, id: Uuid, code: &Code) {
        self.by_code.insert(code.as_str().to_string(), id);
        self.ids.insert(id);
    }

    /// The id of the record named by `text`, a code or a UUID.
    pub(crate) fn resolve(&self, text: &str) -> Option<Uuid> {
        let text = text.trim();
        if let Some(id) = self.by_code.get(text) {
            return Some(*id);
        }
        Uuid::parse_str(text)
            .ok()
            .filter(|id| self.ids.contains(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_existing_and_skip_taken() {
        let existing = [Code::new(RecordKind::Settlement, 7)];
        let mut alloc = CodeAllocator::new(
            RecordKind::Settlement,
            None,
            existing.iter(),
            ["ST-0009".to_string()].into_iter(),
        );
        let got: Vec<String> = (0..3).map(|_| alloc.allocate().to_string()).collect();
        assert_eq!(got, ["ST-0008", "ST-0010", "ST-0011"]);
    }

    #[test]
    fn text_values_explain_themselves() {
        assert_eq!(parse_whole("14025"), Ok(14025));
        assert_eq!(
            parse_whole("many"),
            Err("\"many\" is not a whole number".into())
        );
        assert_eq!(
            parse_date("2027-13-01"),
            Err("2027-13-01 is not a date (YYYY-MM-DD)".into())
        );
        assert!(parse_code("ST-0001", RecordKind::HazardArea).is_err());
        let repair = parse_repair("roads:12.5; bridges:3").expect("valid repair");
        assert_eq!(format_repair(&repair), "roads:12.5;bridges:3");
        assert!(parse_repair("roads").is_err());
    }

    #[test]
    fn codes_of_a_kinds_restricted_series_are_read() {
        assert!(parse_code("HAR-0001", RecordKind::HazardArea).is_ok());
        assert!(parse_code("ASR-0001", RecordKind::Asset).is_ok());
        assert!(parse_code("ASR-0001", RecordKind::HazardArea).is_err());
        assert!(parse_code("STR-0001", RecordKind::Settlement).is_err());
    }
}

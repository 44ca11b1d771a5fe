//! CSV import of the tabular records: organisations, people, contracts, teams and crews.
//!
//! Columns are named as the domain names them (see [`crate::export_csv`] for the exact
//! headers). Columns can come in any order; `id`, `code` and `region_code` (or
//! `region_id`) may be left out. References are by code (or UUID) to records already in
//! the register, so import organisations, then people, then contracts, teams and crews,
//! adding each fragment to `existing` before the next. Lines are counted from 1, the header.

use std::collections::HashMap;

use bonifica_model::{
    Code, Contract, ContractWindow, Crew, Dataset, Footprint, Method, Organisation,
    OrganisationKind, Person, RecordKind, Role, Team, Trade,
};
use csv::StringRecord;
use uuid::Uuid;

use crate::error::{InterchangeError, RecordRef};
use crate::values::{
    CodeAllocator, Lookup, Seen, parse_code, parse_date, parse_number, parse_uuid, parse_word,
    split_list,
};
use crate::{Import, ImportOptions, ImportReport, Table};

/// Imports the lines of one CSV file as new records of `table`.
///
/// `file` names the file in messages; `existing` holds the register's records, against
/// which ids and codes must be new and codes in reference columns are resolved. By default
/// the first bad line fails the whole import; with `options.skip_invalid` bad lines are left
/// out and listed in the report.
pub fn import_csv(
    file: &str,
    text: &str,
    table: Table,
    options: &ImportOptions,
    existing: &Dataset,
) -> Result<Import, InterchangeError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| csv_error(file, &e))?.clone();
    let columns: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.to_string(), i))
        .collect();
    for column in required_columns(table) {
        if !columns.contains_key(*column) {
            return Err(InterchangeError::Record {
                file: file.to_string(),
                record: RecordRef::Line { line: 1 },
                field: Some(column.to_string()),
                problem: format!(
                    "missing from the header (columns found: {})",
                    headers.iter().collect::<Vec<_>>().join(",")
                ),
            });
        }
    }
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) if options.skip_invalid && e.position().is_some() => {
                lines.push(Err(csv_error(file, &e)));
                continue;
            }
            Err(e) => return Err(csv_error(file, &e)),
        };
        lines.push(Ok(record));
    }

    let kind = record_kind(table);
    let known = Known::new(existing);
    let existing_ids = existing_records(existing, table);
    let code_column = columns.get("code").copied();
    let in_file = lines.iter().filter_map(|r| {
        let r = r.as_ref().ok()?;
        Some(r.get(code_column?)?.to_string()).filter(|c| !c.is_empty())
    });
    let mut codes = CodeAllocator::new(
        kind,
        options.next_number,
        existing_ids.iter().map(|(_, c)| *c),
        in_file,
    );
    let mut seen = Seen::new(kind, existing_ids.iter().map(|(id, c)| (*id, *c)));
    let mut records = Dataset::default();
    let mut report = ImportReport {
        file: file.to_string(),
        read: lines.len(),
        ..ImportReport::default()
    };
    for line in lines {
        let result = line.and_then(|record| {
            let row = Row {
                file,
                line: record.position().map_or(0, |p| p.line()),
                record: &record,
                columns: &columns,
            };
            let parsed = row.parse(table, kind, options, &known, &mut codes)?;
            let (id, code) = parsed.identity();
            seen.claim(id, code, RecordRef::Line { line: row.line }.to_string())
                .map_err(|(field, problem)| row.err(field, problem))?;
            Ok(parsed)
        });
        match result {
            Ok(parsed) => {
                report.imported += 1;
                parsed.push_into(&mut records);
            }
            Err(e) if options.skip_invalid => report.rejected.push(e),
            Err(e) => return Err(e),
        }
    }
    Ok(Import { records, report })
}

/// Columns a table's file must have; the others are optional.
fn required_columns(table: Table) -> &'static [&'static str] {
    match table {
        Table::Organisations => &["name", "kind"],
        Table::People => &["organisation_code", "name", "role"],
        Table::Contracts => &["person_code", "organisation_code", "start", "end"],
        Table::Teams => &[
            "organisation_code",
            "name",
            "method",
            "base_lon",
            "base_lat",
        ],
        Table::Crews => &["organisation_code", "name", "trade", "base_lon", "base_lat"],
    }
}

fn record_kind(table: Table) -> RecordKind {
    match table {
        Table::Organisations => RecordKind::Organisation,
        Table::People => RecordKind::Person,
        Table::Contracts => RecordKind::Contract,
        Table::Teams => RecordKind::Team,
        Table::Crews => RecordKind::Crew,
    }
}

fn existing_records(existing: &Dataset, table: Table) -> Vec<(Uuid, &Code)> {
    match table {
        Table::Organisations => existing
            .organisations
            .iter()
            .map(|r| (r.id, &r.code))
            .collect(),
        Table::People => existing.people.iter().map(|r| (r.id, &r.code)).collect(),
        Table::Contracts => existing.contracts.iter().map(|r| (r.id, &r.code)).collect(),
        Table::Teams => existing.teams.iter().map(|r| (r.id, &r.code)).collect(),
        Table::Crews => existing.crews.iter().map(|r| (r.id, &r.code)).collect(),
    }
}

fn csv_error(file: &str, e: &csv::Error) -> InterchangeError {
    let problem = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("has {len} fields, the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8".to_string(),
        _ => e.to_string(),
    };
    match e.position() {
        Some(p) => InterchangeError::Record {
            file: file.to_string(),
            record: RecordRef::Line { line: p.line() },
            field: None,
            problem,
        },
        None => InterchangeError::File {
            file: file.to_string(),
            problem,
        },
    }
}

/// The register's records that lines can refer to.
struct Known {
    regions: Lookup,
    organisations: Lookup,
    people: Lookup,
    /// The region of each organisation and person, the default for records under them.
    region_of: HashMap<Uuid, Uuid>,
}

impl Known {
    fn new(existing: &Dataset) -> Known {
        let region_of = existing
            .organisations
            .iter()
            .map(|o| (o.id, o.region_id))
            .chain(existing.people.iter().map(|p| (p.id, p.region_id)))
            .collect();
        Known {
            regions: Lookup::new(existing.regions.iter().map(|r| (r.id, &r.code))),
            organisations: Lookup::new(existing.organisations.iter().map(|r| (r.id, &r.code))),
            people: Lookup::new(existing.people.iter().map(|r| (r.id, &r.code))),
            region_of,
        }
    }
}

/// A record read from one line, before it joins the fragment.
enum Parsed {
    Organisation(Organisation),
    Person(Person),
    Contract(Contract),
    Team(Team),
    Crew(Crew),
}

impl Parsed {
    fn identity(&self) -> (Uuid, &Code) {
        match self {
            Parsed::Organisation(r) => (r.id, &r.code),
            Parsed::Person(r) => (r.id, &r.code),
            Parsed::Contract(r) => (r.id, &r.code),
            Parsed::Team(r) => (r.id, &r.code),
            Parsed::Crew(r) => (r.id, &r.code),
        }
    }

    fn push_into(self, records: &mut Dataset) {
        match self {
            Parsed::Organisation(r) => records.organisations.push(r),
            Parsed::Person(r) => records.people.push(r),
            Parsed::Contract(r) => records.contracts.push(r),
            Parsed::Team(r) => records.teams.push(r),
            Parsed::Crew(r) => records.crews.push(r),
        }
    }
}

/// One CSV line, read by column name, with errors that name the line and the column.
struct Row<'a> {
    file: &'a str,
    line: u64,
    record: &'a StringRecord,
    columns: &'a HashMap<String, usize>,
}

impl Row<'_> {
    fn err(&self, column: &str, problem: impl Into<String>) -> InterchangeError {
        InterchangeError::Record {
            file: self.file.to_string(),
            record: RecordRef::Line { line: self.line },
            field: Some(column.to_string()),
            problem: problem.into(),
        }
    }

    /// The cell of `column`, or `None` when the column is absent or the cell blank.
    fn get(&self, column: &str) -> Option<&str> {
        let i = *self.columns.get(column)?;
        self.record.get(i).filter(|c| !c.is_empty())
    }

    fn parsed<T>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, InterchangeError> {
        match self.get(column) {
            Some(cell) => parse(cell).map(Some).map_err(|e| self.err(column, e)),
            None => Ok(None),
        }
    }

    fn required<T>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, InterchangeError> {
        self.parsed(column, parse)?
            .ok_or_else(|| self.err(column, "is empty"))
    }

    fn text(&self, column: &str) -> Result<String, InterchangeError> {
        self.required(column, |t| Ok(t.to_string()))
    }

    fn reference(
        &self,
        column: &str,
        lookup: &Lookup,
        what: &str,
    ) -> Result<Uuid, InterchangeError> {
        self.required(column, |t| {
            lookup
                .resolve(t)
                .ok_or_else(|| format!("unknown {what} {t:?}"))
        })
    }

    /// The region from `region_code` or `region_id`, else the region of the record this
    /// one belongs to (the organisation, the person), else the options' default.
    fn region(
        &self,
        known: &Known,
        options: &ImportOptions,
        owner: Option<Uuid>,
    ) -> Result<Uuid, InterchangeError> {
        for column in ["region_code", "region_id"] {
            let found = self.parsed(column, |t| {
                known
                    .regions
                    .resolve(t)
                    .ok_or_else(|| format!("unknown region {t:?}"))
            })?;
            if let Some(id) = found {
                return Ok(id);
            }
        }
        let from_owner = owner.and_then(|o| known.region_of.get(&o).copied());
        from_owner
            .or(options.region_id)
            .ok_or_else(|| self.err("region_code", "is empty, and no default region was given"))
    }

    fn members(&self, known: &Known) -> Result<Vec<Uuid>, InterchangeError> {
        let Some(cell) = self.get("members") else {
            return Ok(Vec::new());
        };
        split_list(cell)
            .into_iter()
            .map(|m| {
                known
                    .people
                    .resolve(m)
                    .ok_or_else(|| self.err("members", format!("unknown person {m:?}")))
            })
            .collect()
    }

    fn base(&self) -> Result<geo_types::Point<f64>, InterchangeError> {
        let lon = self.required("base_lon", parse_number)?;
        let lat = self.required("base_lat", parse_number)?;
        match Footprint::point(lon, lat) {
            Ok(Footprint::Point(p)) => Ok(p),
            Ok(_) => Err(self.err("base_lon", "is not a point")),
            Err(e) => Err(self.err("base_lon", e.to_string())),
        }
    }

    /// Reads the line as a record of `table`.
    fn parse(
        &self,
        table: Table,
        kind: RecordKind,
        options: &ImportOptions,
        known: &Known,
        codes: &mut CodeAllocator,
    ) -> Result<Parsed, InterchangeError> {
        let id = self.parsed("id", parse_uuid)?.unwrap_or_else(Uuid::new_v4);
        let code = match self.parsed("code", |t| parse_code(t, kind))? {
            Some(code) => code,
            None => codes.allocate(),
        };
        let parsed = match table {
            Table::Organisations => Parsed::Organisation(Organisation {
                id,
                code,
                region_id: self.region(known, options, None)?,
                name: self.text("name")?,
                kind: self.required("kind", |t| {
                    parse_word(
                        t,
                        "kind of organisation",
                        OrganisationKind::parse,
                        &OrganisationKind::words(),
                    )
                })?,
            }),
            Table::People => {
                let organisation_id =
                    self.reference("organisation_code", &known.organisations, "organisation")?;
                Parsed::Person(Person {
                    id,
                    code,
                    region_id: self.region(known, options, Some(organisation_id))?,
                    organisation_id,
                    name: self.text("name")?,
                    role: self.required("role", |t| {
                        parse_word(t, "role", Role::parse, &Role::words())
                    })?,
                    trade: self.parsed("trade", |t| {
                        parse_word(t, "trade", Trade::parse, &Trade::words())
                    })?,
                    qualifications: self
                        .get("qualifications")
                        .map(|q| split_list(q).into_iter().map(String::from).collect())
                        .unwrap_or_default(),
                })
            }
            Table::Contracts => {
                let person_id = self.reference("person_code", &known.people, "person")?;
                let organisation_id =
                    self.reference("organisation_code", &known.organisations, "organisation")?;
                let start = self.required("start", parse_date)?;
                let end = self.required("end", parse_date)?;
                let window = ContractWindow::new(start, end)
                    .map_err(|_| self.err("end", format!("end {end} is before start {start}")))?;
                Parsed::Contract(Contract {
                    id,
                    code,
                    region_id: self.region(known, options, Some(person_id))?,
                    person_id,
                    organisation_id,
                    window,
                })
            }
            Table::Teams => {
                let organisation_id =
                    self.reference("organisation_code", &known.organisations, "organisation")?;
                Parsed::Team(Team {
                    id,
                    code,
                    region_id: self.region(known, options, Some(organisation_id))?,
                    organisation_id,
                    name: self.text("name")?,
                    method: self.required("method", |t| {
                        parse_word(t, "method", Method::parse, &Method::words())
                    })?,
                    members: self.members(known)?,
                    base: self.base()?,
                })
            }
            Table::Crews => {
                let organisation_id =
                    self.reference("organisation_code", &known.organisations, "organisation")?;
                Parsed::Crew(Crew {
                    id,
                    code,
                    region_id: self.region(known, options, Some(organisation_id))?,
                    organisation_id,
                    name: self.text("name")?,
                    trade: self.required("trade", |t| {
                        parse_word(t, "trade", Trade::parse, &Trade::words())
                    })?,
                    members: self.members(known)?,
                    base: self.base()?,
                })
            }
        };
        Ok(parsed)
    }
}

//! CSV export of the tabular records, with the columns [`crate::import_csv`] reads back:
//!
//! | table | columns |
//! |---|---|
//! | organisations | `id,code,region_code,name,kind` |
//! | people | `id,code,region_code,organisation_code,name,role,trade,qualifications` |
//! | contracts | `id,code,region_code,person_code,organisation_code,start,end` |
//! | teams | `id,code,region_code,organisation_code,name,method,members,base_lon,base_lat` |
//! | crews | `id,code,region_code,organisation_code,name,trade,members,base_lon,base_lat` |
//!
//! Lists (`qualifications`, `members`) are `;`-separated; references are codes; dates are
//! `YYYY-MM-DD`; base coordinates are rounded to 7 decimals.

use bonifica_model::{Code, Dataset};
use uuid::Uuid;

use crate::Table;
use crate::codes::Codes;
use crate::error::InterchangeError;

/// Writes the records of `table` as CSV with a header line. The error names the table if
/// the writer fails (it writes to memory, so only a bug can make it fail).
pub fn export_csv(dataset: &Dataset, table: Table) -> Result<String, InterchangeError> {
    let codes = Codes::new(dataset);
    let rows: Vec<Vec<String>> = match table {
        Table::Organisations => dataset
            .organisations
            .iter()
            .map(|o| {
                vec![
                    o.id.to_string(),
                    o.code.to_string(),
                    codes.region(o.region_id),
                    o.name.clone(),
                    o.kind.as_str().to_string(),
                ]
            })
            .collect(),
        Table::People => dataset
            .people
            .iter()
            .map(|p| {
                vec![
                    p.id.to_string(),
                    p.code.to_string(),
                    codes.region(p.region_id),
                    codes.organisation(p.organisation_id),
                    p.name.clone(),
                    p.role.as_str().to_string(),
                    p.trade.map(|t| t.as_str().to_string()).unwrap_or_default(),
                    p.qualifications.join(";"),
                ]
            })
            .collect(),
        Table::Contracts => dataset
            .contracts
            .iter()
            .map(|c| {
                vec![
                    c.id.to_string(),
                    c.code.to_string(),
                    codes.region(c.region_id),
                    codes.person(c.person_id),
                    codes.organisation(c.organisation_id),
                    c.window.start().format("%Y-%m-%d").to_string(),
                    c.window.end().format("%Y-%m-%d").to_string(),
                ]
            })
            .collect(),
        Table::Teams => dataset
            .teams
            .iter()
            .map(|t| {
                unit_row(
                    &codes,
                    t.method.as_str(),
                    (t.id, &t.code, t.region_id, t.organisation_id),
                    &t.name,
                    &t.members,
                    t.base,
                )
            })
            .collect(),
        Table::Crews => dataset
            .crews
            .iter()
            .map(|c| {
                unit_row(
                    &codes,
                    c.trade.as_str(),
                    (c.id, &c.code, c.region_id, c.organisation_id),
                    &c.name,
                    &c.members,
                    c.base,
                )
            })
            .collect(),
    };
    write(table, header(table), &rows)
}

/// A team's or crew's row: they differ only in what their kind names (method or trade).
fn unit_row(
    codes: &Codes,
    kind: &str,
    (id, code, region_id, organisation_id): (Uuid, &Code, Uuid, Uuid),
    name: &str,
    members: &[Uuid],
    base: geo_types::Point<f64>,
) -> Vec<String> {
    vec![
        id.to_string(),
        code.to_string(),
        codes.region(region_id),
        codes.organisation(organisation_id),
        name.to_string(),
        kind.to_string(),
        codes.people(members),
        coordinate(base.x()),
        coordinate(base.y()),
    ]
}

/// The header of a table's file.
pub fn header(table: Table) -> &'static [&'static str] {
    match table {
        Table::Organisations => &["id", "code", "region_code", "name", "kind"],
        Table::People => &[
            "id",
            "code",
            "region_code",
            "organisation_code",
            "name",
            "role",
            "trade",
            "qualifications",
        ],
        Table::Contracts => &[
            "id",
            "code",
            "region_code",
            "person_code",
            "organisation_code",
            "start",
            "end",
        ],
        Table::Teams => &[
            "id",
            "code",
            "region_code",
            "organisation_code",
            "name",
            "method",
            "members",
            "base_lon",
            "base_lat",
        ],
        Table::Crews => &[
            "id",
            "code",
            "region_code",
            "organisation_code",
            "name",
            "trade",
            "members",
            "base_lon",
            "base_lat",
        ],
    }
}

fn write(table: Table, header: &[&str], rows: &[Vec<String>]) -> Result<String, InterchangeError> {
    let failed = |problem: String| InterchangeError::File {
        file: format!("{}.csv", table.as_str()),
        problem,
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(header)
        .map_err(|e| failed(e.to_string()))?;
    for row in rows {
        writer
            .write_record(row)
            .map_err(|e| failed(e.to_string()))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| failed(e.error().to_string()))?;
    String::from_utf8(bytes).map_err(|e| failed(e.to_string()))
}

/// A coordinate rounded to 7 decimals (about 1 cm).
fn coordinate(x: f64) -> String {
    ((x * 1e7).round() / 1e7).to_string()
}

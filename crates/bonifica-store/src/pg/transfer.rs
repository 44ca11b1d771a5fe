//! [`Transfer`] for the database: every table as [`TableDump`]s, and dumps written back
//! into an empty database in one transaction.
//!
//! Values follow the columns' types: `text` as [`Value::Text`], `bigint` as
//! [`Value::Integer`], `double precision` as [`Value::Real`], `boolean` as
//! [`Value::Boolean`], PostGIS `geom` columns and the WKB `geom` columns of the attribute
//! tables as [`Value::Geometry`]. An import also takes integers 0 and 1 for booleans and
//! integers for reals, as SQLite keeps them. The `rowid` columns (insertion order, see
//! [`super::schema`]) are neither exported nor imported: an import numbers the rows in
//! the order of the dump, which lists them in that order.

use std::collections::HashMap;

use postgres::{GenericClient, Transaction};

use super::geometry;
use super::read::{Param, refs};
use super::write::begin;
use super::{Postgres, schema};
use crate::error::SqlContext;
use crate::{StoreError, TableDump, Transfer, Value};

/// Every table a copy carries, referenced tables first, with the order of its rows.
const TABLES: [(&str, &str); 26] = [
    ("regions", "fid"),
    ("organisations", "fid"),
    ("people", "fid"),
    ("contracts", "fid"),
    ("teams", "fid"),
    ("crews", "fid"),
    ("team_members", "fid"),
    ("crew_members", "fid"),
    ("settlements", "fid"),
    ("rivers", "fid"),
    ("hazard_areas", "fid"),
    ("assets", "fid"),
    ("asset_dependencies", "fid"),
    ("asset_repair_work", "fid"),
    ("hazard_area_versions", "fid"),
    ("bonifica_users", "id"),
    ("bonifica_api_tokens", "rowid"),
    ("plans", "fid"),
    ("plan_tasks", "fid"),
    ("plan_hazard_areas", "fid"),
    ("plan_assets", "fid"),
    ("reports", "rowid"),
    ("report_transitions", "report_id, seq"),
    ("released_land", "fid"),
    ("audit_log", "seq"),
    ("audit_head", "id"),
];

/// Tables a dump may hold that a copy leaves alone: each store has its own.
const NOT_COPIED: [&str; 3] = [
    "bonifica_sessions",
    "bonifica_migrations",
    "bonifica_planning_slot",
];

/// How a column is stored.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Integer,
    Real,
    Boolean,
    /// PostGIS geometry.
    Geometry,
    /// WKB in `bytea`.
    Wkb,
}

/// The copied columns of a table, in order, with their kinds.
fn columns(c: &mut impl GenericClient, table: &str) -> Result<Vec<(String, Kind)>, StoreError> {
    let context = || format!("reading the columns of {table}");
    let rows = c
        .query(
            "SELECT column_name::text, udt_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
            &[&table],
        )
        .ctx(context)?;
    let mut out = Vec::new();
    for row in &rows {
        let name: String = row.try_get(0).ctx(context)?;
        let udt: String = row.try_get(1).ctx(context)?;
        if name == "rowid" {
            continue;
        }
        let kind = match udt.as_str() {
            "text" | "varchar" => Kind::Text,
            "int8" | "int4" | "int2" => Kind::Integer,
            "float8" | "float4" => Kind::Real,
            "bool" => Kind::Boolean,
            "geometry" => Kind::Geometry,
            "bytea" => Kind::Wkb,
            other => {
                return Err(StoreError::CorruptRow {
                    table: "information_schema.columns",
                    code: format!("{table}.{name}"),
                    field: "udt_name",
                    problem: format!("type {other} cannot be copied"),
                });
            }
        };
        out.push((name, kind));
    }
    Ok(out)
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Transfer for Postgres {
    fn export(&self) -> Result<Vec<TableDump>, StoreError> {
        let mut client = self.client();
        let mut tx = client
            .build_transaction()
            .read_only(true)
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .start()
            .ctx(|| "starting an export".to_string())?;
        let mut dumps = Vec::with_capacity(TABLES.len());
        for (table, order) in TABLES {
            dumps.push(export_table(&mut tx, table, order)?);
        }
        tx.commit().ctx(|| "ending the export".to_string())?;
        Ok(dumps)
    }

    fn import(&mut self, tables: &[TableDump]) -> Result<(), StoreError> {
        let url = self.url.clone();
        let refuse = |problem: String| StoreError::Database {
            url: url.clone(),
            problem,
        };
        for dump in tables {
            let known = TABLES.iter().any(|(t, _)| *t == dump.name);
            if !known && !NOT_COPIED.contains(&dump.name.as_str()) {
                return Err(refuse(format!(
                    "cannot import table {}: the register has no such table",
                    dump.name
                )));
            }
        }
        let mut tx = begin(self.client_mut()).ctx(|| "starting an import".to_string())?;
        let mut held = Vec::new();
        for table in schema::ALL_TABLES
            .iter()
            .chain(&["reports", "plans", "audit_log"])
        {
            let context = || format!("counting {table}");
            let row = tx
                .query_one(&format!("SELECT EXISTS (SELECT 1 FROM \"{table}\")"), &[])
                .ctx(context)?;
            if row.try_get::<_, bool>(0).ctx(context)? {
                held.push(*table);
            }
        }
        if !held.is_empty() {
            return Err(refuse(format!(
                "cannot import into a register that is not empty: it holds rows in {}",
                held.join(", ")
            )));
        }
        tx.batch_execute("SET CONSTRAINTS ALL DEFERRED")
            .ctx(|| "deferring foreign keys for the import".to_string())?;
        for (table, _) in TABLES {
            let Some(dump) = tables.iter().find(|d| d.name == table) else {
                continue;
            };
            if table == "audit_head" {
                tx.execute("DELETE FROM audit_head", &[])
                    .ctx(|| "replacing the audit head".to_string())?;
            }
            import_table(&mut tx, dump, &refuse)?;
            let has_fid = dump.columns.iter().any(|c| c == "fid");
            if has_fid {
                tx.execute(
                    &format!(
                        "SELECT setval(pg_get_serial_sequence('\"{table}\"', 'fid'), \
                         COALESCE(MAX(fid), 0) + 1, false) FROM \"{table}\""
                    ),
                    &[],
                )
                .ctx(|| format!("moving the fid sequence of {table} past the imported rows"))?;
            }
        }
        tx.commit().ctx(|| "committing the import".to_string())
    }
}

fn export_table(tx: &mut Transaction, table: &str, order: &str) -> Result<TableDump, StoreError> {
    let columns = columns(tx, table)?;
    let select = columns
        .iter()
        .map(|(name, kind)| match kind {
            Kind::Geometry => format!("ST_AsBinary({})", quoted(name)),
            _ => quoted(name),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let context = || format!("exporting {table}");
    let rows = tx
        .query(
            &format!("SELECT {select} FROM \"{table}\" ORDER BY {order}"),
            &[],
        )
        .ctx(context)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut values = Vec::with_capacity(columns.len());
        for (i, (name, kind)) in columns.iter().enumerate() {
            let value = match kind {
                Kind::Text => row
                    .try_get::<_, Option<String>>(i)
                    .ctx(context)?
                    .map(Value::Text),
                Kind::Integer => row
                    .try_get::<_, Option<i64>>(i)
                    .ctx(context)?
                    .map(Value::Integer),
                Kind::Real => row
                    .try_get::<_, Option<f64>>(i)
                    .ctx(context)?
                    .map(Value::Real),
                Kind::Boolean => row
                    .try_get::<_, Option<bool>>(i)
                    .ctx(context)?
                    .map(Value::Boolean),
                Kind::Geometry | Kind::Wkb => row
                    .try_get::<_, Option<Vec<u8>>>(i)
                    .ctx(context)?
                    .map(|wkb| {
                        geometry::decode(&wkb)
                            .map(Value::Geometry)
                            .map_err(|problem| StoreError::CorruptRow {
                                table: "export",
                                code: format!("{table} row {}", out.len() + 1),
                                field: "geom",
                                problem: format!("{name}: {problem}"),
                            })
                    })
                    .transpose()?,
            };
            values.push(value.unwrap_or(Value::Null));
        }
        out.push(values);
    }
    Ok(TableDump {
        name: table.to_string(),
        columns: columns.into_iter().map(|(name, _)| name).collect(),
        rows: out,
    })
}

fn import_table(
    tx: &mut Transaction,
    dump: &TableDump,
    refuse: &dyn Fn(String) -> StoreError,
) -> Result<(), StoreError> {
    let table = dump.name.as_str();
    let known: HashMap<String, Kind> = columns(tx, table)?.into_iter().collect();
    let mut kinds = Vec::with_capacity(dump.columns.len());
    for name in &dump.columns {
        let Some(kind) = known.get(name) else {
            return Err(refuse(format!(
                "cannot import table {table}: it has no column {name}"
            )));
        };
        kinds.push(*kind);
    }
    let names = dump
        .columns
        .iter()
        .map(|c| quoted(c))
        .collect::<Vec<_>>()
        .join(", ");
    let placeholders = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| match kind {
            Kind::Geometry => format!("ST_GeomFromWKB(${}, 4326)", i + 1),
            _ => format!("${}", i + 1),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let context = || format!("importing {table}");
    let stmt = tx
        .prepare(&format!(
            "INSERT INTO \"{table}\" ({names}) VALUES ({placeholders})"
        ))
        .ctx(context)?;
    for (n, row) in dump.rows.iter().enumerate() {
        if row.len() != kinds.len() {
            return Err(refuse(format!(
                "cannot import table {table}: row {} has {} values for {} columns",
                n + 1,
                row.len(),
                kinds.len()
            )));
        }
        let mut params: Vec<Param> = Vec::with_capacity(row.len());
        for ((value, kind), name) in row.iter().zip(&kinds).zip(&dump.columns) {
            let param = param(value, *kind).map_err(|found| {
                refuse(format!(
                    "cannot import table {table}: row {} column {name}: {found}",
                    n + 1
                ))
            })?;
            params.push(param);
        }
        tx.execute(&stmt, &refs(&params))
            .ctx(|| format!("importing {table} row {}", n + 1))?;
    }
    Ok(())
}

/// A dumped value as a parameter for a column of `kind`; what was found otherwise.
fn param(value: &Value, kind: Kind) -> Result<Param, String> {
    let wrong = || format!("{value:?} does not fit a {kind:?} column");
    Ok(match (kind, value) {
        (Kind::Text, Value::Null) => Box::new(None::<String>),
        (Kind::Text, Value::Text(s)) => Box::new(s.clone()),
        (Kind::Integer, Value::Null) => Box::new(None::<i64>),
        (Kind::Integer, Value::Integer(i)) => Box::new(*i),
        (Kind::Integer, Value::Boolean(b)) => Box::new(i64::from(*b)),
        (Kind::Real, Value::Null) => Box::new(None::<f64>),
        (Kind::Real, Value::Real(r)) => Box::new(*r),
        #[allow(clippy::cast_precision_loss)]
        (Kind::Real, Value::Integer(i)) => Box::new(*i as f64),
        (Kind::Boolean, Value::Null) => Box::new(None::<bool>),
        (Kind::Boolean, Value::Boolean(b)) => Box::new(*b),
        (Kind::Boolean, Value::Integer(0)) => Box::new(false),
        (Kind::Boolean, Value::Integer(1)) => Box::new(true),
        (Kind::Geometry | Kind::Wkb, Value::Null) => Box::new(None::<Vec<u8>>),
        (Kind::Geometry | Kind::Wkb, Value::Geometry(g)) => Box::new(geometry::encode(g)?),
        _ => return Err(wrong()),
    })
}

//! Whole-register copies in and out of a GeoPackage: [`crate::Transfer`] for [`GeoPackage`].
//!
//! The tables a copy carries are read from the file itself: every table but GeoPackage's
//! own (`gpkg_*`), the R-tree indexes (`rtree_*`), SQLite's (`sqlite_*`), the migrations
//! table and the browser sessions. They are ordered so that a table comes after every
//! table its foreign keys refer to (creation order among the rest), which is an order in
//! which they can be imported.
//!
//! A GeoPackage table's `fid` is a row number that means nothing outside the file, so it
//! is not copied: rows are exported in `fid` order and the import numbers them afresh in
//! that order, which keeps every read that lists by `fid` in the same order. Keys that
//! mean something (the audit log's `seq`, the head's `id`) are ordinary columns.
//!
//! Values follow the declared column: `BOOLEAN` columns (0/1 in SQLite) are
//! [`Value::Boolean`], geometry columns (the feature tables' registered ones and the
//! `geom` blobs of the history and the reports) are decoded GeoPackage binary.
//!
//! An import writes into a store that holds no rows in any table a copy writes (the audit
//! head excepted, which must still be at its genesis), in one transaction: foreign keys are
//! checked at its end, so the order of the dumps does not matter, and on any error nothing
//! is written. The R-tree triggers fill the spatial indexes as rows arrive; the extents in
//! `gpkg_contents` are refreshed before the commit.

use std::collections::{HashMap, HashSet};

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, OptionalExtension, Transaction, params_from_iter};

use super::GeoPackage;
use super::binary;
use super::write::{begin, refresh_extent};
use crate::audit::GENESIS;
use crate::backend::Backend;
use crate::error::SqlContext;
use crate::{StoreError, TableDump, Transfer, Value};

impl Transfer for GeoPackage {
    fn export(&self) -> Result<Vec<TableDump>, StoreError> {
        let url = self.location();
        // One read transaction, so the dump is one consistent state of the file even when
        // another connection writes meanwhile.
        let tx = self
            .conn
            .unchecked_transaction()
            .ctx(|| "starting an export".to_string())?;
        let tables = copied_tables(&tx, &url)?;
        let dumps = tables
            .iter()
            .map(|t| export_table(&tx, &url, t))
            .collect::<Result<Vec<_>, _>>()?;
        tx.finish().ctx(|| "ending the export".to_string())?;
        Ok(dumps)
    }

    fn import(&mut self, tables: &[TableDump]) -> Result<(), StoreError> {
        let url = self.location();
        let tx = begin(&mut self.conn).ctx(|| "starting an import".to_string())?;
        // Foreign keys are checked at the commit, so dumps may come in any order and a
        // table may refer to itself.
        tx.pragma_update(None, "defer_foreign_keys", true)
            .ctx(|| "deferring foreign keys for the import".to_string())?;
        let known = copied_tables(&tx, &url)?;
        refuse_unless_empty(&tx, &url, &known)?;
        let by_name: HashMap<&str, &Table> = known.iter().map(|t| (t.name.as_str(), t)).collect();
        let excluded = all_tables(&tx)?;
        let mut spatial = Vec::new();
        for dump in tables {
            let Some(table) = by_name.get(dump.name.as_str()) else {
                let problem = if excluded.contains(&dump.name) {
                    format!("table {} is not one a copy writes", dump.name)
                } else {
                    format!("table {}: the file has no such table", dump.name)
                };
                return Err(database(&url, problem));
            };
            import_table(&tx, &url, table, dump)?;
            if table.rtree && !spatial.contains(&table.name) {
                spatial.push(table.name.clone());
            }
        }
        check_foreign_keys(&tx, &url)?;
        for table in &spatial {
            refresh_extent(&tx, table)?;
        }
        tx.commit().ctx(|| "committing the import".to_string())?;
        Ok(())
    }
}

fn database(url: &str, problem: String) -> StoreError {
    StoreError::Database {
        url: url.to_string(),
        problem,
    }
}

/// How a column's values are copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// As SQLite stores them: NULL, integer, real or text.
    Plain {
        /// Declared with an integer type, so it also takes booleans.
        integer: bool,
    },
    /// Declared `BOOLEAN`: 0 or 1 in the file.
    Boolean,
    /// A GeoPackage binary geometry.
    Geometry,
}

#[derive(Debug)]
struct Column {
    name: String,
    kind: Kind,
}

/// A table a copy carries, with the columns it copies in declared order.
#[derive(Debug)]
struct Table {
    name: String,
    /// Every column of the table but a surrogate `fid`.
    columns: Vec<Column>,
    /// True when the table has an R-tree index, whose extent the import refreshes.
    rtree: bool,
}

/// True for the tables a copy carries.
fn is_copied(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !(lower.starts_with("gpkg_")
        || lower.starts_with("rtree_")
        || lower.starts_with("sqlite_")
        || lower == "bonifica_migrations"
        || lower == "bonifica_sessions"
        || lower == "bonifica_planning_slot")
}

/// Every table of the file, copied or not.
fn all_tables(conn: &Connection) -> Result<HashSet<String>, StoreError> {
    let context = || "listing the file's tables".to_string();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .ctx(context)?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .ctx(context)?
        .collect::<Result<HashSet<_>, _>>()
        .ctx(context)?;
    Ok(names)
}

/// The tables a copy carries, referenced tables first: among the tables whose references
/// are all placed, the one created first comes next.
fn copied_tables(conn: &Connection, url: &str) -> Result<Vec<Table>, StoreError> {
    let context = || "listing the tables to copy".to_string();
    let names: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
            .ctx(context)?;
        stmt.query_map([], |r| r.get::<_, String>(0))
            .ctx(context)?
            .collect::<Result<Vec<_>, _>>()
            .ctx(context)?
    };
    let names: Vec<String> = names.into_iter().filter(|n| is_copied(n)).collect();
    let copied: HashSet<&str> = names.iter().map(String::as_str).collect();
    let mut references: Vec<HashSet<String>> = Vec::with_capacity(names.len());
    for name in &names {
        let context = || format!("reading the foreign keys of {name}");
        let mut stmt = conn
            .prepare("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)")
            .ctx(context)?;
        let referred = stmt
            .query_map([name], |r| r.get::<_, String>(0))
            .ctx(context)?
            .collect::<Result<HashSet<_>, _>>()
            .ctx(context)?;
        references.push(
            referred
                .into_iter()
                .filter(|t| t != name && copied.contains(t.as_str()))
                .collect(),
        );
    }
    let mut order: Vec<usize> = Vec::with_capacity(names.len());
    let mut placed: HashSet<&str> = HashSet::new();
    while order.len() < names.len() {
        let next = (0..names.len()).find(|&i| {
            !placed.contains(names[i].as_str())
                && references[i].iter().all(|r| placed.contains(r.as_str()))
        });
        let Some(i) = next else {
            let left: Vec<&str> = names
                .iter()
                .map(String::as_str)
                .filter(|n| !placed.contains(n))
                .collect();
            return Err(database(
                url,
                format!(
                    "the foreign keys of tables {} refer to each other in a cycle; \
                     no import order exists",
                    left.join(", ")
                ),
            ));
        };
        placed.insert(names[i].as_str());
        order.push(i);
    }
    order.into_iter().map(|i| table(conn, &names[i])).collect()
}

/// A table's copied columns and whether it has an R-tree.
fn table(conn: &Connection, name: &str) -> Result<Table, StoreError> {
    let context = || format!("reading the columns of {name}");
    let registered: HashSet<String> = {
        let mut stmt = conn
            .prepare("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?1")
            .ctx(context)?;
        stmt.query_map([name], |r| r.get::<_, String>(0))
            .ctx(context)?
            .collect::<Result<_, _>>()
            .ctx(context)?
    };
    let rtree: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM gpkg_extensions \
             WHERE table_name = ?1 AND extension_name = 'gpkg_rtree_index')",
            [name],
            |r| r.get(0),
        )
        .ctx(context)?;
    let mut stmt = conn
        .prepare("SELECT name, type, pk FROM pragma_table_info(?1) ORDER BY cid")
        .ctx(context)?;
    let declared: Vec<(String, String, i64)> = stmt
        .query_map([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .ctx(context)?
        .collect::<Result<_, _>>()
        .ctx(context)?;
    let keys: Vec<&(String, String, i64)> = declared.iter().filter(|c| c.2 > 0).collect();
    // GeoPackage's `fid INTEGER PRIMARY KEY AUTOINCREMENT`: a row number, not copied.
    let surrogate = match keys.as_slice() {
        [(column, ty, _)] if column == "fid" && ty.eq_ignore_ascii_case("INTEGER") => {
            Some(column.as_str())
        }
        _ => None,
    };
    let columns = declared
        .iter()
        .filter(|(column, _, _)| Some(column.as_str()) != surrogate)
        .map(|(column, ty, _)| {
            let kind = if registered.contains(column)
                || (column == "geom" && ty.eq_ignore_ascii_case("BLOB"))
            {
                Kind::Geometry
            } else if ty.eq_ignore_ascii_case("BOOLEAN") {
                Kind::Boolean
            } else {
                Kind::Plain {
                    integer: ty.to_ascii_uppercase().contains("INT"),
                }
            };
            Column {
                name: column.clone(),
                kind,
            }
        })
        .collect();
    Ok(Table {
        name: name.to_string(),
        columns,
        rtree,
    })
}

/// `"name"`, quoted for SQL.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Every row of `table` in rowid order (the `fid` order of GeoPackage tables).
fn export_table(conn: &Connection, url: &str, table: &Table) -> Result<TableDump, StoreError> {
    let name = &table.name;
    let context = || format!("exporting {name}");
    let columns = table
        .columns
        .iter()
        .map(|c| quoted(&c.name))
        .collect::<Vec<_>>()
        .join(", ");
    let select = if columns.is_empty() {
        format!("SELECT rowid FROM {} ORDER BY rowid", quoted(name))
    } else {
        format!(
            "SELECT rowid, {columns} FROM {} ORDER BY rowid",
            quoted(name)
        )
    };
    let mut stmt = conn.prepare(&select).ctx(context)?;
    let mut rows = stmt.query([]).ctx(context)?;
    let mut dumped = Vec::new();
    while let Some(row) = rows.next().ctx(context)? {
        let rowid: i64 = row.get(0).ctx(context)?;
        let mut values = Vec::with_capacity(table.columns.len());
        for (i, column) in table.columns.iter().enumerate() {
            let cell = row.get_ref(i + 1).ctx(context)?;
            let value = exported(cell, column.kind).map_err(|problem| {
                database(
                    url,
                    format!("{name} row {rowid}: column {}: {problem}", column.name),
                )
            })?;
            values.push(value);
        }
        dumped.push(values);
    }
    Ok(TableDump {
        name: name.clone(),
        columns: table.columns.iter().map(|c| c.name.clone()).collect(),
        rows: dumped,
    })
}

/// A stored value as a copy carries it.
fn exported(cell: ValueRef, kind: Kind) -> Result<Value, String> {
    Ok(match (cell, kind) {
        (ValueRef::Null, _) => Value::Null,
        (ValueRef::Blob(blob), Kind::Geometry) => Value::Geometry(binary::decode(blob)?),
        (_, Kind::Geometry) => {
            return Err(format!(
                "holds {} where a geometry blob belongs",
                type_name(cell)
            ));
        }
        (ValueRef::Integer(0), Kind::Boolean) => Value::Boolean(false),
        (ValueRef::Integer(1), Kind::Boolean) => Value::Boolean(true),
        (_, Kind::Boolean) => {
            return Err(format!("holds {cell:?} where a boolean (0 or 1) belongs"));
        }
        (ValueRef::Integer(i), Kind::Plain { .. }) => Value::Integer(i),
        (ValueRef::Real(r), Kind::Plain { .. }) => Value::Real(r),
        (ValueRef::Text(t), Kind::Plain { .. }) => Value::Text(
            String::from_utf8(t.to_vec()).map_err(|e| format!("text is not UTF-8: {e}"))?,
        ),
        (ValueRef::Blob(_), Kind::Plain { .. }) => {
            return Err("holds a blob, which a copy cannot carry".to_string());
        }
    })
}

fn type_name(cell: ValueRef) -> &'static str {
    match cell {
        ValueRef::Null => "null",
        ValueRef::Integer(_) => "an integer",
        ValueRef::Real(_) => "a real",
        ValueRef::Text(_) => "text",
        ValueRef::Blob(_) => "a blob",
    }
}

/// Refuses a store that holds any row a copy would write, or an audit head past genesis.
fn refuse_unless_empty(tx: &Transaction, url: &str, tables: &[Table]) -> Result<(), StoreError> {
    for table in tables {
        let name = &table.name;
        if name == "audit_head" {
            let head: Option<(i64, String)> = tx
                .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
                .ctx(|| "reading the audit log's head".to_string())?;
            if let Some((seq, hash)) = head
                && (seq != 0 || hash != GENESIS)
            {
                return Err(database(
                    url,
                    format!(
                        "the store is not empty: its audit log's head is at entry {seq}; \
                         a copy is only written into an empty store"
                    ),
                ));
            }
            continue;
        }
        let rows: i64 = tx
            .query_row(&format!("SELECT COUNT(*) FROM {}", quoted(name)), [], |r| {
                r.get(0)
            })
            .ctx(|| format!("counting the rows of {name}"))?;
        if rows > 0 {
            return Err(database(
                url,
                format!(
                    "the store is not empty: table {name} holds {rows} rows; \
                     a copy is only written into an empty store"
                ),
            ));
        }
    }
    Ok(())
}

/// Inserts every row of `dump` into `table`.
fn import_table(
    tx: &Transaction,
    url: &str,
    table: &Table,
    dump: &TableDump,
) -> Result<(), StoreError> {
    let name = &table.name;
    let mut kinds = Vec::with_capacity(dump.columns.len());
    let mut seen = HashSet::new();
    for column in &dump.columns {
        // A dump may carry the surrogate fid too: it is a column of the table.
        let kind = match table.columns.iter().find(|c| &c.name == column) {
            Some(c) => c.kind,
            None if column == "fid" && is_fid_table(tx, name)? => Kind::Plain { integer: true },
            None => {
                return Err(database(
                    url,
                    format!("table {name}: the file's table has no column {column}"),
                ));
            }
        };
        if !seen.insert(column.as_str()) {
            return Err(database(
                url,
                format!("table {name}: column {column} is given twice"),
            ));
        }
        kinds.push(kind);
    }
    if name == "audit_head" {
        // A fresh store's head sits at genesis; the copied head replaces it.
        tx.execute("DELETE FROM audit_head", [])
            .ctx(|| "replacing the audit log's head".to_string())?;
    }
    if dump.rows.is_empty() {
        return Ok(());
    }
    let context = || format!("importing {name}");
    let sql = if dump.columns.is_empty() {
        format!("INSERT INTO {} DEFAULT VALUES", quoted(name))
    } else {
        format!(
            "INSERT INTO {} ({}) VALUES ({})",
            quoted(name),
            dump.columns
                .iter()
                .map(|c| quoted(c))
                .collect::<Vec<_>>()
                .join(", "),
            (1..=dump.columns.len())
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut stmt = tx.prepare(&sql).ctx(context)?;
    for (n, row) in dump.rows.iter().enumerate() {
        let number = n + 1;
        if row.len() != dump.columns.len() {
            return Err(database(
                url,
                format!(
                    "table {name} row {number}: {} values for {} columns",
                    row.len(),
                    dump.columns.len()
                ),
            ));
        }
        let values = row
            .iter()
            .zip(&kinds)
            .zip(&dump.columns)
            .map(|((value, kind), column)| {
                stored(value, *kind).map_err(|problem| {
                    database(
                        url,
                        format!("table {name} row {number}: column {column}: {problem}"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        stmt.execute(params_from_iter(values))
            .ctx(|| format!("importing {name} row {number}"))?;
    }
    Ok(())
}

/// True when `fid` is the table's surrogate key.
fn is_fid_table(tx: &Transaction, name: &str) -> Result<bool, StoreError> {
    tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = 'fid' AND pk = 1)",
        [name],
        |r| r.get(0),
    )
    .ctx(|| format!("reading the columns of {name}"))
}

/// A copied value as the file stores it in a column of `kind`.
fn stored(value: &Value, kind: Kind) -> Result<SqlValue, String> {
    Ok(match (value, kind) {
        (Value::Null, _) => SqlValue::Null,
        (Value::Geometry(g), Kind::Geometry) => SqlValue::Blob(binary::encode(g)?),
        (other, Kind::Geometry) => {
            return Err(format!("{} where a geometry belongs", value_name(other)));
        }
        (Value::Boolean(b), Kind::Boolean | Kind::Plain { integer: true }) => {
            SqlValue::Integer(i64::from(*b))
        }
        (Value::Integer(i @ (0 | 1)), Kind::Boolean) => SqlValue::Integer(*i),
        (other, Kind::Boolean) => {
            return Err(format!(
                "{} where a boolean (or 0 or 1) belongs",
                value_name(other)
            ));
        }
        (Value::Boolean(_), Kind::Plain { integer: false }) => {
            return Err("a boolean where the column is not an integer or boolean one".to_string());
        }
        (Value::Geometry(_), Kind::Plain { .. }) => {
            return Err("a geometry where the column is not a geometry column".to_string());
        }
        (Value::Integer(i), Kind::Plain { .. }) => SqlValue::Integer(*i),
        (Value::Real(r), Kind::Plain { .. }) => SqlValue::Real(*r),
        (Value::Text(t), Kind::Plain { .. }) => SqlValue::Text(t.clone()),
    })
}

fn value_name(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Integer(i) => format!("the integer {i}"),
        Value::Real(r) => format!("the real {r}"),
        Value::Text(_) => "text".to_string(),
        Value::Boolean(b) => format!("the boolean {b}"),
        Value::Geometry(_) => "a geometry".to_string(),
    }
}

/// Refuses the import when a row refers to one that is not there, naming the table.
fn check_foreign_keys(tx: &Transaction, url: &str) -> Result<(), StoreError> {
    let context = || "checking the imported foreign keys".to_string();
    let mut stmt = tx.prepare("PRAGMA foreign_key_check").ctx(context)?;
    let broken: Option<(String, Option<i64>, String)> = stmt
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
        .ctx(context)?;
    match broken {
        None => Ok(()),
        Some((table, rowid, parent)) => {
            let row = rowid.map_or(String::new(), |r| format!(" row {r}"));
            Err(database(
                url,
                format!("table {table}{row} refers to a row of {parent} that the copy lacks"),
            ))
        }
    }
}

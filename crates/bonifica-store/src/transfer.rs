//! Copying a whole register between backends, table by table, row by row.
//!
//! Both backends keep the same tables with the same columns, so a copy needs no knowledge
//! of what a row means: [`Transfer::export`] reads every table as [`TableDump`]s and
//! [`Transfer::import`] writes them into an empty store in one transaction. The audit log
//! and its head are copied as they are, so the chain verifies, with the same hashes, on
//! the other side. Sessions are not copied: they belong to one server's browsers.

use geo_types::Geometry;

use crate::StoreError;

/// One stored value, as both backends can hold it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Boolean(bool),
    /// A feature's geometry, WGS 84 longitude/latitude.
    Geometry(Geometry<f64>),
}

/// Every row of one table, columns in the table's order.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDump {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// Whole-register copies between backends.
pub trait Transfer {
    /// Every table of the register (sessions excepted), in an order in which they can be
    /// imported (referenced tables first).
    fn export(&self) -> Result<Vec<TableDump>, StoreError>;

    /// Writes `tables` into this store, which must hold no records, reports, plans or
    /// audit entries yet, in one transaction: on any error nothing is written.
    fn import(&mut self, tables: &[TableDump]) -> Result<(), StoreError>;
}

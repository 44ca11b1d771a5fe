//! The PostgreSQL/PostGIS backend: the same traits as the GeoPackage, on a database that
//! several servers share.

use crate::{Backend, StoreError};

/// Opens the database at `url`, applying any migration it lacks.
pub fn open(url: &str) -> Result<Box<dyn Backend>, StoreError> {
    Err(StoreError::Database {
        url: url.to_string(),
        problem: "the PostgreSQL backend is not built in".to_string(),
    })
}

/// Creates the Bonifica schema in the database at `url`.
pub fn create(url: &str, _overwrite: bool) -> Result<Box<dyn Backend>, StoreError> {
    open(url)
}

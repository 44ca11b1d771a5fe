//! Opening the register a command names: a GeoPackage file's path or a PostgreSQL URL.

use std::path::Path;

use anyhow::Context;
use bonifica_store::Backend;

/// Opens the register at `location`, a file path or a `postgres://` URL.
pub fn open_store(location: &Path) -> anyhow::Result<Box<dyn Backend>> {
    bonifica_store::open(&location.to_string_lossy())
        .with_context(|| format!("opening {}", shown(location)))
}

/// A location as messages show it: a database URL without its password.
pub fn shown(location: &Path) -> String {
    bonifica_store::scratch::without_password(&location.to_string_lossy())
}

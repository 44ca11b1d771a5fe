//! Opening the register a command names: a GeoPackage file's path or a PostgreSQL URL.

use std::path::Path;

use anyhow::Context;

use crate::exit::Failure;
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

/// Creates an empty register at `location`: a new file (an existing one only with
/// `force`), or the schema in a database (over an existing register only with `force`).
pub fn create_store(path: &Path, force: bool) -> anyhow::Result<Box<dyn Backend>> {
    let location = path.to_string_lossy();
    if bonifica_store::is_database_url(&location) {
        return bonifica_store::create(&location, force)
            .with_context(|| format!("creating the register in {}", shown(path)));
    }
    if path.exists() && !force {
        return Err(Failure::Exists(format!(
            "{} already exists (use --force to overwrite it)",
            path.display()
        ))
        .into());
    }
    let store = bonifica_store::create(&location, force);
    store.with_context(|| format!("creating {}", path.display()))
}

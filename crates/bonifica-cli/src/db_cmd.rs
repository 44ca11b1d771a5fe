//! `bonifica copy` moves a whole register between a GeoPackage file and a PostgreSQL
//! database, and `bonifica db grant-gis` opens a database to GIS analysts.

use std::path::PathBuf;

use anyhow::Context;

use crate::store::{create_store, open_store, shown};

/// `bonifica copy SOURCE TARGET`.
#[derive(Debug, clap::Args)]
pub struct CopyArgs {
    /// The register to copy: a GeoPackage file or a `postgres://` URL.
    pub source: PathBuf,
    /// Where to copy it: a new GeoPackage file or a `postgres://` URL of a database
    /// without a register.
    pub target: PathBuf,
    /// Overwrite the target file, or drop the register already in the target database.
    #[arg(long)]
    pub force: bool,
}

/// `bonifica db …`.
#[derive(Debug, clap::Args)]
pub struct GrantGisArgs {
    /// The database: a `postgres://` URL whose user owns the register.
    pub database: String,
    /// The role to create (or update) for GIS analysts; it logs in without a password
    /// where the server trusts local connections, or with one set by the administrator.
    pub name: String,
}

/// Copies every table, the audit log and its head included, in one transaction on the
/// target; then walks the target's audit chain.
pub fn copy(args: &CopyArgs) -> anyhow::Result<()> {
    let source = open_store(&args.source)?;
    let tables = source
        .export()
        .with_context(|| format!("reading {}", shown(&args.source)))?;
    let before = source
        .verify_audit()
        .with_context(|| format!("checking the audit log of {}", shown(&args.source)))?;
    drop(source);
    let mut target = create_store(&args.target, args.force)?;
    target
        .import(&tables)
        .with_context(|| format!("writing {}", shown(&args.target)))?;
    let after = target
        .verify_audit()
        .with_context(|| format!("checking the audit log of {}", shown(&args.target)))?;
    if after != before {
        anyhow::bail!(
            "the copy's audit log differs: {} entries, head {} (the source has {}, head {})",
            after.entries,
            after.head,
            before.entries,
            before.head
        );
    }
    let rows: usize = tables.iter().map(|t| t.rows.len()).sum();
    crate::outln!(
        "copied {} tables, {rows} rows, from {} to {}",
        tables.len(),
        shown(&args.source),
        shown(&args.target)
    )?;
    crate::outln!(
        "audit log: {} entries, chain intact, head {}",
        after.entries,
        after.head
    )?;
    Ok(())
}

/// Creates the read-only GIS role.
pub fn grant_gis(args: &GrantGisArgs) -> anyhow::Result<()> {
    let shown_url = bonifica_store::scratch::without_password(&args.database);
    if !bonifica_store::is_database_url(&args.database) {
        anyhow::bail!("{shown_url}: not a postgres:// URL; a GIS role is a database's");
    }
    let mut store = bonifica_store::Postgres::open(&args.database)
        .with_context(|| format!("opening {shown_url}"))?;
    store
        .grant_gis(&args.name)
        .with_context(|| format!("granting {} read access to {shown_url}", args.name))?;
    crate::outln!(
        "role {} reads the register in {shown_url}, without restricted records, users or the audit log",
        args.name
    )?;
    Ok(())
}

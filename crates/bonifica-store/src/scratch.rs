//! Throwaway databases, for tests and benchmarks that run against a PostgreSQL server:
//! each gets a database of its own, created empty and dropped afterwards.

use postgres::{Client, NoTls};
use uuid::Uuid;

use crate::StoreError;
use crate::error::SqlContext;

/// Creates an empty database with a fresh name on the server at `server_url` (a URL of
/// any database there, whose user may create databases) and returns its URL.
pub fn create_database(server_url: &str) -> Result<String, StoreError> {
    let name = format!("scratch_{}", Uuid::new_v4().simple());
    let mut client = Client::connect(server_url, NoTls)
        .ctx(|| format!("connecting to {}", without_password(server_url)))?;
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .ctx(|| format!("creating database {name}"))?;
    Ok(with_database(server_url, &name))
}

/// Creates a database with a fresh name as a copy of the database `template` on the same
/// server, and returns its URL. Copying a template is much faster than migrating and
/// filling a new database, for tests that need many of the same.
pub fn copy_database(server_url: &str, template: &str) -> Result<String, StoreError> {
    let name = format!("scratch_{}", Uuid::new_v4().simple());
    let mut client = Client::connect(server_url, NoTls)
        .ctx(|| format!("connecting to {}", without_password(server_url)))?;
    client
        .batch_execute(&format!(
            "CREATE DATABASE {name} TEMPLATE \"{template}\" STRATEGY FILE_COPY"
        ))
        .ctx(|| format!("creating database {name} from {template}"))?;
    Ok(with_database(server_url, &name))
}

/// Makes sure the server at `server_url` has a database called `name`, made by `fill`
/// (given the URL of an empty database) the first time; every process asking at once
/// waits for the one that makes it. The database is complete once it has its name: it
/// is filled under another one and renamed.
pub fn ensure_database(
    server_url: &str,
    name: &str,
    fill: impl FnOnce(&str) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut client = Client::connect(server_url, NoTls)
        .ctx(|| format!("connecting to {}", without_password(server_url)))?;
    let context = || format!("making database {name}");
    // A session lock, held until this connection closes; the key is the name's hash.
    let key: i64 = name
        .bytes()
        .fold(1_469_598_103_934_665_603_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(1_099_511_628_211)
        })
        .cast_signed();
    client
        .execute("SELECT pg_advisory_lock($1)", &[&key])
        .ctx(context)?;
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .ctx(context)?
        .is_some();
    if !exists {
        let building = format!("{name}_building");
        // Left by a process killed while it filled it. (One statement per call: neither
        // may run inside a transaction.)
        client
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"
            ))
            .ctx(context)?;
        client
            .batch_execute(&format!("CREATE DATABASE \"{building}\""))
            .ctx(context)?;
        fill(&with_database(server_url, &building))?;
        client
            .batch_execute(&format!(
                "ALTER DATABASE \"{building}\" RENAME TO \"{name}\""
            ))
            .ctx(context)?;
    }
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&key])
        .ctx(context)?;
    Ok(())
}

/// Drops the database at `url`, closing every connection to it first. Dropping a
/// database that is gone does nothing.
pub fn drop_database(url: &str) -> Result<(), StoreError> {
    let (base, name) = split_database(url);
    let admin = format!("{base}/postgres{}", query_of(url));
    let mut client = Client::connect(&admin, NoTls)
        .ctx(|| format!("connecting to {}", without_password(&admin)))?;
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .ctx(|| format!("dropping database {name}"))
}

/// `url` with its database (the path) replaced by `name`, its query kept.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, _) = split_database(url);
    format!("{base}/{name}{}", query_of(url))
}

/// `url` with its user replaced by `user` and no password.
pub fn with_user(url: &str, user: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}{user}@{}", &url[..scheme + 3], &url[at + 1..])
        }
        (Some(scheme), _) => format!("{}{user}@{}", &url[..scheme + 3], &url[scheme + 3..]),
        _ => url.to_string(),
    }
}

/// A URL as logs and messages show it: without its password.
pub fn without_password(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or("");
            format!("{}{user}@{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// The URL before its path, and the database name.
fn split_database(url: &str) -> (&str, &str) {
    let without_query = url.split('?').next().unwrap_or(url);
    let after_scheme = without_query.find("://").map_or(0, |i| i + 3);
    match without_query[after_scheme..].find('/') {
        Some(slash) => {
            let slash = after_scheme + slash;
            (&without_query[..slash], &without_query[slash + 1..])
        }
        None => (without_query, ""),
    }
}

fn query_of(url: &str) -> &str {
    url.find('?').map_or("", |i| &url[i..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_taken_apart_and_put_together() {
        let url = "postgresql://bonifica:secret@%2Ftmp%2Fs/bonifica?connect_timeout=5";
        assert_eq!(
            with_database(url, "other"),
            "postgresql://bonifica:secret@%2Ftmp%2Fs/other?connect_timeout=5"
        );
        assert_eq!(
            without_password(url),
            "postgresql://bonifica@%2Ftmp%2Fs/bonifica?connect_timeout=5"
        );
        assert_eq!(
            with_user(url, "gis"),
            "postgresql://gis@%2Ftmp%2Fs/bonifica?connect_timeout=5"
        );
        assert_eq!(split_database("postgres://h/db"), ("postgres://h", "db"));
    }
}

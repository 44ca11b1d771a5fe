//! The SQL functions the GeoPackage R-tree triggers call (GeoPackage 1.3, Annex F.3):
//! `ST_IsEmpty`, `ST_MinX`, `ST_MaxX`, `ST_MinY`, `ST_MaxY`. SQLite does not have them, so
//! every connection the store opens registers them before it writes a feature.
//!
//! They read the GeoPackageBinary header (and the WKB when the header has no envelope).
//! NULL in gives NULL out; a blob that is not a GeoPackage geometry is an error, so a
//! broken geometry aborts the write instead of silently missing from the index.

use rusqlite::Connection;
use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;

use super::binary::{self, Envelope};

/// Registers the `ST_*` functions on a connection.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("ST_IsEmpty", 1, flags, |ctx| {
        let Some(blob) = blob_arg(ctx)? else {
            return Ok(None);
        };
        let header = binary::header(blob).map_err(user_error)?;
        Ok(Some(header.empty))
    })?;
    type Pick = fn(&Envelope) -> f64;
    let picks: [(&str, Pick); 4] = [
        ("ST_MinX", |e| e.min_x),
        ("ST_MaxX", |e| e.max_x),
        ("ST_MinY", |e| e.min_y),
        ("ST_MaxY", |e| e.max_y),
    ];
    for (name, pick) in picks {
        conn.create_scalar_function(name, 1, flags, move |ctx| {
            let Some(blob) = blob_arg(ctx)? else {
                return Ok(None);
            };
            let envelope = binary::envelope(blob).map_err(user_error)?;
            Ok(envelope.as_ref().map(pick))
        })?;
    }
    Ok(())
}

fn blob_arg<'a>(ctx: &'a Context<'_>) -> rusqlite::Result<Option<&'a [u8]>> {
    match ctx.get_raw(0) {
        ValueRef::Null => Ok(None),
        ValueRef::Blob(b) => Ok(Some(b)),
        _ => Err(user_error("geometry argument is not a blob".to_string())),
    }
}

fn user_error(problem: String) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(problem.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{Geometry, LineString};

    #[test]
    fn functions_read_the_envelope_and_pass_null_through() {
        let conn = Connection::open_in_memory().expect("memory db");
        register(&conn).expect("registers");
        let line = Geometry::LineString(LineString::from(vec![(36.0, 50.5), (35.5, 51.0)]));
        let blob = binary::encode(&line).expect("encodes");
        let row: (bool, f64, f64, f64, f64) = conn
            .query_row(
                "SELECT ST_IsEmpty(?1), ST_MinX(?1), ST_MaxX(?1), ST_MinY(?1), ST_MaxY(?1)",
                [&blob],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .expect("queries");
        assert_eq!(row, (false, 35.5, 36.0, 50.5, 51.0));
        let null: Option<f64> = conn
            .query_row("SELECT ST_MinX(NULL)", [], |r| r.get(0))
            .expect("queries");
        assert_eq!(null, None);
        assert!(
            conn.query_row("SELECT ST_MinX(x'00')", [], |r| r.get::<_, f64>(0))
                .is_err()
        );
    }
}

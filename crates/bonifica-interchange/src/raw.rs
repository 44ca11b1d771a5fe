//! GeoJSON geometries read as written, before any checks: positions in the order the file
//! gives them and rings left open if the file leaves them open. The model's checked
//! constructors ([`bonifica_model::Polygonal::from_raw`]) then say what is wrong; going
//! through `geo-types` first would close rings silently and hide the mistake.

use bonifica_model::RawPolygon;
use serde_json::Value;

/// A GeoJSON geometry as written.
#[derive(Debug, Clone, PartialEq)]
pub enum RawGeometry {
    Point([f64; 2]),
    MultiPoint(Vec<[f64; 2]>),
    LineString(Vec<[f64; 2]>),
    MultiLineString(Vec<Vec<[f64; 2]>>),
    Polygon(RawPolygon),
    MultiPolygon(Vec<RawPolygon>),
    GeometryCollection,
}

impl RawGeometry {
    /// The GeoJSON type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            RawGeometry::Point(_) => "Point",
            RawGeometry::MultiPoint(_) => "MultiPoint",
            RawGeometry::LineString(_) => "LineString",
            RawGeometry::MultiLineString(_) => "MultiLineString",
            RawGeometry::Polygon(_) => "Polygon",
            RawGeometry::MultiPolygon(_) => "MultiPolygon",
            RawGeometry::GeometryCollection => "GeometryCollection",
        }
    }

    /// Reads a GeoJSON geometry object. The error is the problem alone; the caller adds the
    /// file and the feature.
    pub fn parse(value: &Value) -> Result<RawGeometry, String> {
        let Value::Object(object) = value else {
            return Err("is not an object".to_string());
        };
        let kind = match object.get("type") {
            Some(Value::String(kind)) => kind.as_str(),
            Some(_) => return Err("member \"type\" is not a string".to_string()),
            None => return Err("has no member \"type\"".to_string()),
        };
        if kind == "GeometryCollection" {
            return Ok(RawGeometry::GeometryCollection);
        }
        let coords = object
            .get("coordinates")
            .ok_or_else(|| format!("{kind} has no member \"coordinates\""))?;
        let geometry = match kind {
            "Point" => RawGeometry::Point(position(coords)?),
            "MultiPoint" => RawGeometry::MultiPoint(positions(coords)?),
            "LineString" => RawGeometry::LineString(positions(coords)?),
            "MultiLineString" => RawGeometry::MultiLineString(list(coords, "line", positions)?),
            "Polygon" => RawGeometry::Polygon(rings(coords)?),
            "MultiPolygon" => RawGeometry::MultiPolygon(list(coords, "polygon", rings)?),
            other => return Err(format!("unknown geometry type {other:?}")),
        };
        Ok(geometry)
    }

    /// True for a LineString whose first and last positions differ: in an OSM extract this
    /// is usually an outline that was never closed into a ring.
    pub fn is_open_line(&self) -> bool {
        match self {
            RawGeometry::LineString(line) => line.len() >= 2 && line.first() != line.last(),
            _ => false,
        }
    }
}

fn position(value: &Value) -> Result<[f64; 2], String> {
    let Value::Array(numbers) = value else {
        return Err(format!("position {value} is not an array of numbers"));
    };
    match numbers.as_slice() {
        [lon, lat, ..] => match (lon.as_f64(), lat.as_f64()) {
            (Some(lon), Some(lat)) => Ok([lon, lat]),
            _ => Err(format!("position {value} is not an array of numbers")),
        },
        _ => Err(format!(
            "position {value} has {} numbers, at least 2 are needed",
            numbers.len()
        )),
    }
}

fn positions(value: &Value) -> Result<Vec<[f64; 2]>, String> {
    list(value, "position", |v| {
        position(v).map_err(|e| e.to_string())
    })
}

fn rings(value: &Value) -> Result<RawPolygon, String> {
    list(value, "ring", positions)
}

/// Reads an array, prefixing an element's problem with its kind and number.
fn list<T>(
    value: &Value,
    what: &str,
    item: impl Fn(&Value) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let Value::Array(items) = value else {
        return Err(format!("coordinates: expected an array of {what}s"));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            item(v).map_err(|e| {
                if what == "position" {
                    e
                } else {
                    format!("{what} {i}: {e}")
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rings_stay_as_written() {
        let g = json!({"type": "Polygon", "coordinates": [[[36, 50], [36.1, 50], [36.1, 50.1]]]});
        assert_eq!(
            RawGeometry::parse(&g),
            Ok(RawGeometry::Polygon(vec![vec![
                [36.0, 50.0],
                [36.1, 50.0],
                [36.1, 50.1]
            ]]))
        );
    }

    #[test]
    fn malformed_positions_are_named() {
        let g = json!({"type": "MultiPolygon", "coordinates": [[[[36, 50], ["x", 50]]]]});
        let err = RawGeometry::parse(&g).expect_err("string coordinate");
        assert_eq!(
            err,
            "polygon 0: ring 0: position [\"x\",50] is not an array of numbers"
        );
        let g = json!({"type": "Circle", "coordinates": []});
        assert!(RawGeometry::parse(&g).is_err());
    }
}

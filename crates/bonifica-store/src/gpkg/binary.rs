//! GeoPackageBinary (GeoPackage 1.3, clause 2.1.3): the blob every geometry column holds.
//!
//! A blob is a header (`GP`, version 0, flags, srs_id, envelope) followed by ISO WKB. We
//! always write little-endian with an `[minx, maxx, miny, maxy]` envelope, so the R-tree
//! triggers read the extent without parsing WKB; we read any header the spec allows,
//! since QGIS or GDAL may have edited the file.

use geo_traits::to_geo::ToGeoGeometry;
use geo_types::{Coord, Geometry};
use wkb::Endianness;
use wkb::writer::WriteOptions;

/// The spatial reference system of every geometry Bonifica writes: WGS 84 (EPSG:4326).
pub const SRS_ID: i32 = 4326;

/// An axis-aligned extent in the geometry's coordinates (degrees for WGS 84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Envelope {
    pub min_x: f64,
    pub max_x: f64,
    pub min_y: f64,
    pub max_y: f64,
}

/// The parsed header of a GeoPackageBinary blob.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Header {
    pub srs_id: i32,
    /// True when the empty-geometry flag is set.
    pub empty: bool,
    /// The envelope stored in the header, if any.
    pub envelope: Option<Envelope>,
    /// Where the WKB starts.
    pub wkb_offset: usize,
}

const FLAG_LITTLE_ENDIAN: u8 = 0b0000_0001;
const FLAG_ENVELOPE_XY: u8 = 0b0000_0010;
const FLAG_EMPTY: u8 = 0b0001_0000;
const FLAG_EXTENDED: u8 = 0b0010_0000;

/// Encodes a geometry as a GeoPackageBinary blob in WGS 84 with an XY envelope (or the
/// empty flag and no envelope for a geometry without coordinates).
pub fn encode(geometry: &Geometry<f64>) -> Result<Vec<u8>, String> {
    let envelope = envelope_of(geometry);
    let mut blob = Vec::with_capacity(8 + 32 + wkb::writer::geometry_wkb_size(geometry));
    blob.extend_from_slice(b"GP");
    blob.push(0);
    match envelope {
        Some(e) => {
            blob.push(FLAG_LITTLE_ENDIAN | FLAG_ENVELOPE_XY);
            blob.extend_from_slice(&SRS_ID.to_le_bytes());
            for v in [e.min_x, e.max_x, e.min_y, e.max_y] {
                blob.extend_from_slice(&v.to_le_bytes());
            }
        }
        None => {
            blob.push(FLAG_LITTLE_ENDIAN | FLAG_EMPTY);
            blob.extend_from_slice(&SRS_ID.to_le_bytes());
        }
    }
    let options = WriteOptions {
        endianness: Endianness::LittleEndian,
    };
    wkb::writer::write_geometry(&mut blob, geometry, &options).map_err(|e| e.to_string())?;
    Ok(blob)
}

/// Parses the header of a GeoPackageBinary blob.
pub fn header(blob: &[u8]) -> Result<Header, String> {
    if blob.len() < 8 || &blob[0..2] != b"GP" {
        return Err("not a geopackage geometry (no GP magic)".to_string());
    }
    if blob[2] != 0 {
        return Err(format!("unknown geopackage binary version {}", blob[2]));
    }
    let flags = blob[3];
    if flags & FLAG_EXTENDED != 0 {
        return Err("extended geopackage geometries are not supported".to_string());
    }
    let little = flags & FLAG_LITTLE_ENDIAN != 0;
    let read_i32 = |b: [u8; 4]| match little {
        true => i32::from_le_bytes(b),
        false => i32::from_be_bytes(b),
    };
    let read_f64 = |b: [u8; 8]| match little {
        true => f64::from_le_bytes(b),
        false => f64::from_be_bytes(b),
    };
    let srs_id = read_i32([blob[4], blob[5], blob[6], blob[7]]);
    let doubles = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 4,
        2 | 3 => 6,
        4 => 8,
        other => return Err(format!("invalid envelope indicator {other}")),
    };
    let wkb_offset = 8 + doubles * 8;
    if blob.len() < wkb_offset {
        return Err("geometry blob is shorter than its header".to_string());
    }
    let value = |i: usize| {
        let start = 8 + i * 8;
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&blob[start..start + 8]);
        read_f64(bytes)
    };
    let envelope = (doubles > 0).then(|| Envelope {
        min_x: value(0),
        max_x: value(1),
        min_y: value(2),
        max_y: value(3),
    });
    Ok(Header {
        srs_id,
        empty: flags & FLAG_EMPTY != 0,
        envelope,
        wkb_offset,
    })
}

/// Decodes a GeoPackageBinary blob into a geometry (XY only; Z and M are dropped).
pub fn decode(blob: &[u8]) -> Result<Geometry<f64>, String> {
    let header = header(blob)?;
    let wkb = wkb::reader::read_wkb(&blob[header.wkb_offset..]).map_err(|e| e.to_string())?;
    wkb.try_to_geometry()
        .ok_or_else(|| "empty point geometries are not supported".to_string())
}

/// The extent of a blob: from its header, or computed from its WKB when the header has
/// none. `None` for an empty geometry.
pub fn envelope(blob: &[u8]) -> Result<Option<Envelope>, String> {
    let header = header(blob)?;
    if header.empty {
        return Ok(None);
    }
    match header.envelope {
        Some(e) => Ok(Some(e)),
        None => Ok(envelope_of(&decode(blob)?)),
    }
}

/// The extent of a geometry's coordinates; `None` when it has none.
pub fn envelope_of(geometry: &Geometry<f64>) -> Option<Envelope> {
    let mut env: Option<Envelope> = None;
    for_each_coord(geometry, &mut |c| {
        if c.x.is_nan() || c.y.is_nan() {
            return;
        }
        env = Some(match env {
            None => Envelope {
                min_x: c.x,
                max_x: c.x,
                min_y: c.y,
                max_y: c.y,
            },
            Some(e) => Envelope {
                min_x: e.min_x.min(c.x),
                max_x: e.max_x.max(c.x),
                min_y: e.min_y.min(c.y),
                max_y: e.max_y.max(c.y),
            },
        });
    });
    env
}

fn for_each_coord(geometry: &Geometry<f64>, f: &mut impl FnMut(Coord<f64>)) {
    let line = |l: &geo_types::LineString<f64>, f: &mut dyn FnMut(Coord<f64>)| {
        l.0.iter().for_each(|c| f(*c));
    };
    let polygon = |p: &geo_types::Polygon<f64>, f: &mut dyn FnMut(Coord<f64>)| {
        p.exterior().0.iter().for_each(|c| f(*c));
        for ring in p.interiors() {
            ring.0.iter().for_each(|c| f(*c));
        }
    };
    match geometry {
        Geometry::Point(p) => f(p.0),
        Geometry::Line(l) => {
            f(l.start);
            f(l.end);
        }
        Geometry::LineString(l) => line(l, f),
        Geometry::Polygon(p) => polygon(p, f),
        Geometry::MultiPoint(mp) => mp.0.iter().for_each(|p| f(p.0)),
        Geometry::MultiLineString(ml) => ml.0.iter().for_each(|l| line(l, f)),
        Geometry::MultiPolygon(mp) => mp.0.iter().for_each(|p| polygon(p, f)),
        Geometry::GeometryCollection(gc) => gc.0.iter().for_each(|g| for_each_coord(g, f)),
        Geometry::Rect(r) => {
            f(r.min());
            f(r.max());
        }
        Geometry::Triangle(t) => t.to_array().into_iter().for_each(&mut *f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{LineString, MultiPolygon, Point, Polygon, polygon};

    #[test]
    fn a_multipolygon_round_trips_with_its_envelope() {
        let p: Polygon<f64> = polygon![(x: 36.0, y: 50.0), (x: 36.2, y: 50.0), (x: 36.1, y: 50.3), (x: 36.0, y: 50.0)];
        let g = Geometry::MultiPolygon(MultiPolygon(vec![p]));
        let blob = encode(&g).expect("encodes");
        assert_eq!(&blob[0..4], &[b'G', b'P', 0, 0b11]);
        let h = header(&blob).expect("header");
        assert_eq!(h.srs_id, 4326);
        assert!(!h.empty);
        assert_eq!(
            h.envelope,
            Some(Envelope {
                min_x: 36.0,
                max_x: 36.2,
                min_y: 50.0,
                max_y: 50.3
            })
        );
        assert_eq!(decode(&blob).expect("decodes"), g);
    }

    #[test]
    fn an_envelope_is_computed_when_the_header_has_none() {
        let g = Geometry::LineString(LineString::from(vec![(36.0, 50.5), (35.5, 51.0)]));
        let mut blob = encode(&g).expect("encodes");
        // Rewrite as a header without envelope, as GDAL writes points.
        blob.drain(8..40);
        blob[3] = FLAG_LITTLE_ENDIAN;
        let e = envelope(&blob).expect("parses").expect("not empty");
        assert_eq!(
            (e.min_x, e.max_x, e.min_y, e.max_y),
            (35.5, 36.0, 50.5, 51.0)
        );
        assert_eq!(decode(&blob).expect("decodes"), g);
    }

    #[test]
    fn garbage_is_refused_not_panicked_on() {
        for bad in [
            &b""[..],
            b"GP",
            b"XX\0\x03\0\0\0\0",
            b"GP\0\x03\xe6\x10\0\0\x01",
        ] {
            assert!(decode(bad).is_err(), "{bad:?}");
        }
        let point = encode(&Geometry::Point(Point::new(36.0, 50.0))).expect("encodes");
        assert!(decode(&point[..point.len() - 3]).is_err());
    }
}

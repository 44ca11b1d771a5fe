//! Geometries in and out of PostGIS as ISO WKB: written with `ST_GeomFromWKB($n, 4326)`,
//! read with `ST_AsBinary(geom)`; the `bytea` columns of the attribute tables hold the
//! same WKB.

use geo_traits::to_geo::ToGeoGeometry;
use geo_types::Geometry;
use wkb::Endianness;
use wkb::writer::WriteOptions;

/// A geometry as little-endian WKB.
pub fn encode(geometry: &Geometry<f64>) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(wkb::writer::geometry_wkb_size(geometry));
    let options = WriteOptions {
        endianness: Endianness::LittleEndian,
    };
    wkb::writer::write_geometry(&mut out, geometry, &options).map_err(|e| e.to_string())?;
    Ok(out)
}

/// WKB back into a geometry (XY only; Z and M are dropped).
pub fn decode(bytes: &[u8]) -> Result<Geometry<f64>, String> {
    let wkb = wkb::reader::read_wkb(bytes).map_err(|e| e.to_string())?;
    wkb.try_to_geometry()
        .ok_or_else(|| "empty point geometries are not supported".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{MultiPolygon, polygon};

    #[test]
    fn a_multipolygon_round_trips() {
        let p = polygon![(x: 36.0, y: 50.0), (x: 36.2, y: 50.0), (x: 36.1, y: 50.3), (x: 36.0, y: 50.0)];
        let g = Geometry::MultiPolygon(MultiPolygon(vec![p]));
        assert_eq!(decode(&encode(&g).expect("encodes")).expect("decodes"), g);
        assert!(decode(b"\x01\x03").is_err());
    }
}

//! Measurement on the Earth: geodesic areas and lengths on the WGS 84 ellipsoid, and a
//! local metric projection for planar work (buffers, distances, overlay).
//!
//! Degrees are never used as distances. Anything planar is projected first with a
//! [`LocalProjection`], a transverse Mercator centred on the region, whose scale error
//! stays below 0.1 % within about 300 km of its central meridian.

use geo::{Geodesic, GeodesicArea, Length, MapCoords};
use geo_types::{Coord, Geometry, LineString, MultiPolygon};
use proj4rs::proj::Proj;

/// Geodesic area of a multipolygon on the WGS 84 ellipsoid, in square metres.
///
/// Rings are oriented first (exterior counter-clockwise, holes clockwise): on the
/// ellipsoid a clockwise exterior encloses the rest of the Earth, and GeoJSON from outside
/// (RFC 7946 only recommends the winding) comes either way.
pub fn area_m2(mp: &MultiPolygon<f64>) -> f64 {
    use geo::orient::{Direction, Orient};
    mp.orient(Direction::Default).geodesic_area_unsigned()
}

/// Geodesic length of a line on the WGS 84 ellipsoid, in metres.
pub fn length_m(line: &LineString<f64>) -> f64 {
    Geodesic.length(line)
}

/// Geodesic distance between two WGS 84 positions, in metres.
pub fn distance_m(a: geo_types::Point<f64>, b: geo_types::Point<f64>) -> f64 {
    use geo::Distance;
    Geodesic.distance(a, b)
}

/// Why a coordinate could not be projected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProjectionError {
    #[error("projection definition {definition:?} is not usable: {reason}")]
    Definition { definition: String, reason: String },
    #[error("position ({lon}, {lat}) could not be projected: {reason}")]
    Transform { lon: f64, lat: f64, reason: String },
}

/// A transverse Mercator projection on WGS 84 centred on a meridian, in metres.
///
/// Used for every planar operation on a region: the buffer of an asset's footprint, the
/// distance between a hazard polygon and a road, polygon overlay.
pub struct LocalProjection {
    wgs84: Proj,
    local: Proj,
    definition: String,
}

impl std::fmt::Debug for LocalProjection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalProjection")
            .field("definition", &self.definition)
            .finish()
    }
}

impl LocalProjection {
    /// A transverse Mercator with its central meridian at `lon0` degrees.
    pub fn centred_on(lon0: f64) -> Result<LocalProjection, ProjectionError> {
        let definition = format!(
            "+proj=tmerc +lat_0=0 +lon_0={lon0} +k=1 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m +no_defs"
        );
        let make = |def: &str| {
            Proj::from_proj_string(def).map_err(|e| ProjectionError::Definition {
                definition: def.to_string(),
                reason: e.to_string(),
            })
        };
        let wgs84 = make("+proj=longlat +ellps=WGS84 +datum=WGS84 +no_defs")?;
        let local = make(&definition)?;
        Ok(LocalProjection {
            wgs84,
            local,
            definition,
        })
    }

    /// A projection suited to a geometry: centred on the middle of its bounding box.
    pub fn for_extent(min_lon: f64, max_lon: f64) -> Result<LocalProjection, ProjectionError> {
        LocalProjection::centred_on(((min_lon + max_lon) / 2.0 * 1000.0).round() / 1000.0)
    }

    /// The PROJ string of the local system.
    pub fn definition(&self) -> &str {
        &self.definition
    }

    /// Projects one WGS 84 position (degrees) to local metres.
    pub fn forward(&self, c: Coord<f64>) -> Result<Coord<f64>, ProjectionError> {
        let mut p = (c.x.to_radians(), c.y.to_radians(), 0.0);
        proj4rs::transform::transform(&self.wgs84, &self.local, &mut p).map_err(|e| {
            ProjectionError::Transform {
                lon: c.x,
                lat: c.y,
                reason: e.to_string(),
            }
        })?;
        Ok(Coord { x: p.0, y: p.1 })
    }

    /// Projects local metres back to WGS 84 degrees.
    pub fn inverse(&self, c: Coord<f64>) -> Result<Coord<f64>, ProjectionError> {
        let mut p = (c.x, c.y, 0.0);
        proj4rs::transform::transform(&self.local, &self.wgs84, &mut p).map_err(|e| {
            ProjectionError::Transform {
                lon: c.x,
                lat: c.y,
                reason: e.to_string(),
            }
        })?;
        Ok(Coord {
            x: p.0.to_degrees(),
            y: p.1.to_degrees(),
        })
    }

    /// Projects a whole geometry to local metres.
    pub fn project(&self, g: &Geometry<f64>) -> Result<Geometry<f64>, ProjectionError> {
        g.try_map_coords(|c| self.forward(c))
    }

    /// Brings a projected geometry back to WGS 84 degrees.
    pub fn unproject(&self, g: &Geometry<f64>) -> Result<Geometry<f64>, ProjectionError> {
        g.try_map_coords(|c| self.inverse(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{Point, polygon};

    #[test]
    fn a_one_degree_cell_at_50n_is_close_to_the_spherical_estimate() {
        // On a sphere of the mean radius the cell is R² Δλ (sin 51° − sin 50°) ≈ 7,864 km²;
        // the ellipsoid and the geodesic (not parallel) edges add a few tenths of a per cent.
        let cell = polygon![(x: 36.0, y: 50.0), (x: 37.0, y: 50.0), (x: 37.0, y: 51.0), (x: 36.0, y: 51.0)];
        let km2 = area_m2(&MultiPolygon(vec![cell])) / 1e6;
        let r_km: f64 = 6_371.008_8;
        let sphere = r_km.powi(2)
            * 1f64.to_radians()
            * (51f64.to_radians().sin() - 50f64.to_radians().sin());
        assert!((km2 - sphere).abs() / sphere < 0.01, "{km2} vs {sphere}");
    }

    #[test]
    fn a_clockwise_ring_has_the_same_area_as_a_counter_clockwise_one() {
        // Regression: a clockwise exterior gave the area of the rest of the Earth.
        let ccw = polygon![(x: 36.0, y: 50.0), (x: 36.1, y: 50.0), (x: 36.1, y: 50.1), (x: 36.0, y: 50.1)];
        let cw = polygon![(x: 36.0, y: 50.0), (x: 36.0, y: 50.1), (x: 36.1, y: 50.1), (x: 36.1, y: 50.0)];
        let a = area_m2(&MultiPolygon(vec![ccw]));
        let b = area_m2(&MultiPolygon(vec![cw]));
        assert!(a > 70e6 && a < 85e6, "{a}");
        assert!((a - b).abs() < 1e-3, "{a} vs {b}");
    }

    #[test]
    fn projection_round_trips_and_keeps_distances() {
        let proj = LocalProjection::centred_on(36.5).unwrap();
        let a = Coord { x: 36.2, y: 50.1 };
        let b = Coord { x: 36.21, y: 50.1 };
        let pa = proj.forward(a).unwrap();
        let pb = proj.forward(b).unwrap();
        let planar = ((pa.x - pb.x).powi(2) + (pa.y - pb.y).powi(2)).sqrt();
        let geodesic = distance_m(Point(a), Point(b));
        assert!(
            (planar - geodesic).abs() / geodesic < 1e-3,
            "{planar} vs {geodesic}"
        );
        let back = proj.inverse(pa).unwrap();
        assert!(
            (back.x - a.x).abs() < 1e-9 && (back.y - a.y).abs() < 1e-9,
            "{back:?}"
        );
    }
}

//! Geometry that has been checked: WGS 84 longitude/latitude, finite, in range, with
//! closed rings and no self-intersection.
//!
//! Raw coordinates from outside (GeoJSON, a form, a database row) enter through the
//! constructors here, which return a [`GeometryError`] that says which part is wrong.
//! Rings are given as written, so an unclosed ring is caught before `geo` would close it.

use geo::{Validation, Within};
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use serde::{Deserialize, Serialize};

/// What is wrong with a geometry. Ring numbers count from 0 within a polygon (0 is the
/// exterior); polygon numbers count from 0 within a multipolygon.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryError {
    #[error("coordinate {index} is not a finite number")]
    NotFinite { index: usize },
    #[error("coordinate {index} ({lon}, {lat}) is outside longitude -180..180, latitude -90..90")]
    OutOfRange { index: usize, lon: f64, lat: f64 },
    #[error("polygon {polygon}: ring {ring} is not closed (first and last positions differ)")]
    RingNotClosed { polygon: usize, ring: usize },
    #[error("polygon {polygon}: ring {ring} has {points} positions, at least 4 are needed")]
    RingTooShort {
        polygon: usize,
        ring: usize,
        points: usize,
    },
    #[error("polygon {polygon}: has no exterior ring")]
    NoExterior { polygon: usize },
    #[error("line has {points} positions, at least 2 are needed")]
    LineTooShort { points: usize },
    #[error("geometry is empty")]
    Empty,
    #[error("invalid geometry: {reason}")]
    Invalid { reason: String },
    #[error("expected a {expected} geometry, found {found}")]
    WrongType {
        expected: &'static str,
        found: String,
    },
}

/// A valid polygonal area (one or more polygons), WGS 84 degrees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "MultiPolygon<f64>", into = "MultiPolygon<f64>")]
pub struct Polygonal(MultiPolygon<f64>);

/// Raw rings of one polygon: exterior first, then holes; each ring a list of `[lon, lat]`.
pub type RawPolygon = Vec<Vec<[f64; 2]>>;

impl Polygonal {
    /// Builds an area from raw polygons as written (one entry for a Polygon, several for a
    /// MultiPolygon), checking every coordinate, every ring's closure and length, and then
    /// the topology (self-intersection, holes outside the shell, overlapping parts).
    pub fn from_raw(polygons: &[RawPolygon]) -> Result<Polygonal, GeometryError> {
        if polygons.is_empty() {
            return Err(GeometryError::Empty);
        }
        let mut index = 0;
        let mut built = Vec::with_capacity(polygons.len());
        for (p, rings) in polygons.iter().enumerate() {
            let Some((exterior, holes)) = rings.split_first() else {
                return Err(GeometryError::NoExterior { polygon: p });
            };
            let mut ring_lines = Vec::with_capacity(rings.len());
            for (r, ring) in std::iter::once(exterior).chain(holes).enumerate() {
                check_coords(ring, &mut index)?;
                if ring.len() < 4 {
                    return Err(GeometryError::RingTooShort {
                        polygon: p,
                        ring: r,
                        points: ring.len(),
                    });
                }
                if ring.first() != ring.last() {
                    return Err(GeometryError::RingNotClosed {
                        polygon: p,
                        ring: r,
                    });
                }
                ring_lines.push(to_line(ring));
            }
            let exterior = ring_lines.remove(0);
            built.push(Polygon::new(exterior, ring_lines));
        }
        Polygonal::try_from(MultiPolygon(built))
    }

    /// The area as a `geo` multipolygon, in WGS 84 degrees.
    pub fn as_multi_polygon(&self) -> &MultiPolygon<f64> {
        &self.0
    }

    /// Geodesic area on the WGS 84 ellipsoid, in square metres.
    pub fn area_m2(&self) -> f64 {
        crate::geodesy::area_m2(&self.0)
    }

    /// True when `point` lies inside the area.
    pub fn contains_point(&self, point: Point<f64>) -> bool {
        point.is_within(&self.0)
    }
}

impl TryFrom<MultiPolygon<f64>> for Polygonal {
    type Error = GeometryError;

    /// Checks an already-built multipolygon: coordinates and topology.
    fn try_from(mp: MultiPolygon<f64>) -> Result<Self, Self::Error> {
        if mp.0.is_empty() {
            return Err(GeometryError::Empty);
        }
        let mut index = 0;
        for poly in &mp.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for c in &ring.0 {
                    check_coord(*c, index)?;
                    index += 1;
                }
            }
        }
        if let Some(err) = mp.validation_errors().into_iter().next() {
            return Err(GeometryError::Invalid {
                reason: err.to_string(),
            });
        }
        Ok(Polygonal(mp))
    }
}

impl From<Polygon<f64>> for Polygonal {
    /// Wraps one polygon without checks; only for polygons built by Bonifica itself.
    /// Outside input goes through [`Polygonal::from_raw`] or `TryFrom<MultiPolygon>`.
    fn from(p: Polygon<f64>) -> Polygonal {
        Polygonal(MultiPolygon(vec![p]))
    }
}

impl From<Polygonal> for MultiPolygon<f64> {
    fn from(p: Polygonal) -> MultiPolygon<f64> {
        p.0
    }
}

/// Where something is on the map: a point, a line or an area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Footprint {
    Point(Point<f64>),
    Line(LineString<f64>),
    Area(Polygonal),
}

impl Footprint {
    /// A checked point.
    pub fn point(lon: f64, lat: f64) -> Result<Footprint, GeometryError> {
        check_coord(Coord { x: lon, y: lat }, 0)?;
        Ok(Footprint::Point(Point::new(lon, lat)))
    }

    /// A checked line of at least two positions.
    pub fn line(coords: &[[f64; 2]]) -> Result<Footprint, GeometryError> {
        let mut index = 0;
        check_coords(coords, &mut index)?;
        if coords.len() < 2 {
            return Err(GeometryError::LineTooShort {
                points: coords.len(),
            });
        }
        Ok(Footprint::Line(to_line(coords)))
    }

    /// The footprint as a `geo` geometry, in WGS 84 degrees.
    pub fn to_geometry(&self) -> geo_types::Geometry<f64> {
        match self {
            Footprint::Point(p) => (*p).into(),
            Footprint::Line(l) => l.clone().into(),
            Footprint::Area(a) => a.as_multi_polygon().clone().into(),
        }
    }

    /// The geometry type name, as GeoJSON spells it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Footprint::Point(_) => "Point",
            Footprint::Line(_) => "LineString",
            Footprint::Area(_) => "MultiPolygon",
        }
    }

    /// A representative point: the point itself, the middle vertex of a line, or the
    /// first vertex of an area's exterior (cheap, and always on the geometry).
    pub fn anchor(&self) -> Point<f64> {
        match self {
            Footprint::Point(p) => *p,
            Footprint::Line(l) => Point(l.0[l.0.len() / 2]),
            Footprint::Area(a) => Point(a.as_multi_polygon().0[0].exterior().0[0]),
        }
    }
}

/// Builds a checked multi-line (a river's course, a network) from raw parts.
pub fn lines_from_raw(
    parts: &[Vec<[f64; 2]>],
) -> Result<geo_types::MultiLineString<f64>, GeometryError> {
    if parts.is_empty() {
        return Err(GeometryError::Empty);
    }
    let mut index = 0;
    let mut lines = Vec::with_capacity(parts.len());
    for part in parts {
        check_coords(part, &mut index)?;
        if part.len() < 2 {
            return Err(GeometryError::LineTooShort { points: part.len() });
        }
        lines.push(to_line(part));
    }
    Ok(geo_types::MultiLineString(lines))
}

fn to_line(coords: &[[f64; 2]]) -> LineString<f64> {
    LineString(coords.iter().map(|&[x, y]| Coord { x, y }).collect())
}

fn check_coords(coords: &[[f64; 2]], index: &mut usize) -> Result<(), GeometryError> {
    for &[x, y] in coords {
        check_coord(Coord { x, y }, *index)?;
        *index += 1;
    }
    Ok(())
}

fn check_coord(c: Coord<f64>, index: usize) -> Result<(), GeometryError> {
    if !c.x.is_finite() || !c.y.is_finite() {
        return Err(GeometryError::NotFinite { index });
    }
    if !(-180.0..=180.0).contains(&c.x) || !(-90.0..=90.0).contains(&c.y) {
        return Err(GeometryError::OutOfRange {
            index,
            lon: c.x,
            lat: c.y,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64, size: f64) -> Vec<[f64; 2]> {
        vec![
            [x, y],
            [x + size, y],
            [x + size, y + size],
            [x, y + size],
            [x, y],
        ]
    }

    #[test]
    fn a_closed_square_is_accepted() {
        let area = Polygonal::from_raw(&[vec![square(36.0, 50.0, 0.01)]]);
        assert!(area.is_ok(), "{area:?}");
    }

    #[test]
    fn an_unclosed_ring_is_named() {
        let mut ring = square(36.0, 50.0, 0.01);
        ring.pop();
        ring.push([36.0, 50.005]);
        let err = Polygonal::from_raw(&[vec![ring]]).unwrap_err();
        assert_eq!(
            err,
            GeometryError::RingNotClosed {
                polygon: 0,
                ring: 0
            }
        );
    }

    #[test]
    fn a_bow_tie_is_a_self_intersection() {
        let ring = vec![
            [36.0, 50.0],
            [36.1, 50.1],
            [36.1, 50.0],
            [36.0, 50.1],
            [36.0, 50.0],
        ];
        let err = Polygonal::from_raw(&[vec![ring]]).unwrap_err();
        assert!(matches!(err, GeometryError::Invalid { .. }), "{err:?}");
        assert!(err.to_string().contains("intersect"), "{err}");
    }

    #[test]
    fn nan_and_out_of_range_coordinates_are_refused() {
        let mut ring = square(36.0, 50.0, 0.01);
        ring[2] = [f64::NAN, 50.0];
        let err = Polygonal::from_raw(&[vec![ring]]).unwrap_err();
        assert_eq!(err, GeometryError::NotFinite { index: 2 });
        let err = Footprint::point(200.0, 50.0).unwrap_err();
        assert!(matches!(err, GeometryError::OutOfRange { .. }));
    }

    #[test]
    fn short_rings_and_lines_are_refused() {
        let ring = vec![[36.0, 50.0], [36.1, 50.0], [36.0, 50.0]];
        let err = Polygonal::from_raw(&[vec![ring]]).unwrap_err();
        assert!(matches!(err, GeometryError::RingTooShort { points: 3, .. }));
        assert!(Footprint::line(&[[36.0, 50.0]]).is_err());
    }
}

//! Geometry that has been checked: WGS 84 longitude/latitude, finite, in range, with
//! closed rings, no self-intersection, and plausible for a place on the ground.
//!
//! Raw coordinates from outside (GeoJSON, a form, a database row) enter through the
//! constructors here, which return a [`GeometryError`] that says which part is wrong.
//! Rings are given as written, so an unclosed ring is caught before `geo` would close it.
//!
//! The checks run cheapest first, so hostile input costs little: the vertex cap
//! ([`MAX_VERTICES`]) before anything else, then each coordinate, ring closure, edges
//! across the antimeridian, the topology ([`crate::topology::check_topology`], near-linear),
//! degenerate rings (in metres, in a [`LocalProjection`]) and the area cap
//! ([`MAX_AREA_M2`]).

use crate::geodesy::LocalProjection;
use geo::Within;
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use serde::{Deserialize, Serialize};

/// The most positions one geometry may have, all its rings or parts together. A surveyed
/// hazard area has tens to hundreds; the largest drawn outline (a region boundary traced
/// from a map) a few thousand. The cap bounds the work one request can cause, and is
/// checked before any other work.
pub const MAX_VERTICES: usize = 100_000;

/// The largest geodesic area a polygonal geometry may have, in square metres
/// (100,000 km²). A hazard area is at most a few km² and the largest area Bonifica holds is
/// a region boundary, an oblast of about 30,000 km²; anything larger is a mistake, such as
/// a ring read with its winding or its hemisphere wrong.
pub const MAX_AREA_M2: f64 = 1.0e11;

/// The smallest planar area of a ring, in square metres, measured in a local transverse
/// Mercator projection. Smaller rings are slivers or collinear positions, not land.
pub const MIN_RING_AREA_M2: f64 = 0.1;

/// The smallest mean width of a ring (2 × area / perimeter), in metres, in the same
/// projection. A strip of width w has a mean width close to w, so a road-side strip a few
/// metres wide passes; a ring of positions on one line (a few centimetres of bulge at most)
/// does not.
pub const MIN_MEAN_WIDTH_M: f64 = 0.01;

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
    #[error("{what} has {vertices} vertices; at most {max} are accepted")]
    TooManyVertices {
        what: &'static str,
        vertices: usize,
        max: usize,
    },
    #[error(
        "{at}: the edge from vertex {vertex} spans more than 180° of longitude; crossing the antimeridian is not supported, split the geometry at 180° as RFC 7946 §3.1.9 says"
    )]
    CrossesAntimeridian { at: String, vertex: usize },
    #[error(
        "polygon {polygon}: ring {ring} has {points} distinct positions, at least 3 are needed"
    )]
    TooFewDistinct {
        polygon: usize,
        ring: usize,
        points: usize,
    },
    #[error(
        "polygon {polygon}: ring {ring} intersects itself: its edges from vertex {vertex} and from vertex {other} cross or touch"
    )]
    SelfIntersection {
        polygon: usize,
        ring: usize,
        vertex: usize,
        other: usize,
    },
    #[error(
        "polygon {polygon}: ring {ring} turns back on itself at vertex {vertex} (a spike, or all its positions on one line)"
    )]
    Spike {
        polygon: usize,
        ring: usize,
        vertex: usize,
    },
    #[error(
        "polygon {polygon}: ring {ring} (edge from vertex {vertex}) and polygon {other_polygon}: ring {other_ring} (edge from vertex {other_vertex}) cross or touch; rings may meet only at a shared vertex"
    )]
    RingsCross {
        polygon: usize,
        ring: usize,
        vertex: usize,
        other_polygon: usize,
        other_ring: usize,
        other_vertex: usize,
    },
    #[error("polygon {polygon}: ring {ring} (a hole) is not inside ring 0")]
    HoleOutside { polygon: usize, ring: usize },
    #[error("polygon {polygon}: ring {ring} (a hole) lies inside ring {other}, another hole")]
    HoleInHole {
        polygon: usize,
        ring: usize,
        other: usize,
    },
    #[error("polygon {polygon} and polygon {other} overlap")]
    PolygonsOverlap { polygon: usize, other: usize },
    #[error(
        "polygon {polygon}: ring {ring} is degenerate: {area_m2:.3} m² and {width_m:.3} m wide on average; a ring needs at least {MIN_RING_AREA_M2} m² and a mean width (2 × area / perimeter) of {MIN_MEAN_WIDTH_M} m"
    )]
    Degenerate {
        polygon: usize,
        ring: usize,
        area_m2: f64,
        width_m: f64,
    },
    #[error(
        "the area is {area_km2:.0} km², more than the {max_km2:.0} km² accepted (a hazard area is at most a few km²)"
    )]
    TooLarge { area_km2: f64, max_km2: f64 },
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
    ///
    /// Refuses, in this order: more than [`MAX_VERTICES`] positions in all, a bad
    /// coordinate, a short or open ring, an edge across the antimeridian, a topology
    /// error, a degenerate ring, an area above [`MAX_AREA_M2`].
    pub fn from_raw(polygons: &[RawPolygon]) -> Result<Polygonal, GeometryError> {
        if polygons.is_empty() {
            return Err(GeometryError::Empty);
        }
        let vertices = polygons.iter().flatten().map(Vec::len).sum();
        check_vertex_count("polygon", vertices)?;
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

    /// Checks an already-built multipolygon: the vertex cap, coordinates, the antimeridian,
    /// topology, degenerate rings and the area cap.
    fn try_from(mp: MultiPolygon<f64>) -> Result<Self, Self::Error> {
        if mp.0.is_empty() {
            return Err(GeometryError::Empty);
        }
        let vertices = rings_of(&mp).map(|(_, _, ring)| ring.0.len()).sum();
        check_vertex_count("polygon", vertices)?;
        let mut index = 0;
        for (_, _, ring) in rings_of(&mp) {
            for c in &ring.0 {
                check_coord(*c, index)?;
                index += 1;
            }
        }
        for (p, r, ring) in rings_of(&mp) {
            check_antimeridian(&ring.0, || format!("polygon {p}: ring {r}"))?;
        }
        crate::topology::check_topology(&mp)?;
        check_not_degenerate(&mp)?;
        let area_m2 = crate::geodesy::area_m2(&mp);
        if area_m2 > MAX_AREA_M2 {
            return Err(GeometryError::TooLarge {
                area_km2: area_m2 / 1e6,
                max_km2: MAX_AREA_M2 / 1e6,
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
    /// Refuses more than [`MAX_VERTICES`] positions and edges across the antimeridian.
    pub fn line(coords: &[[f64; 2]]) -> Result<Footprint, GeometryError> {
        check_vertex_count("line", coords.len())?;
        let mut index = 0;
        check_coords(coords, &mut index)?;
        if coords.len() < 2 {
            return Err(GeometryError::LineTooShort {
                points: coords.len(),
            });
        }
        let line = to_line(coords);
        check_antimeridian(&line.0, || "line".to_string())?;
        Ok(Footprint::Line(line))
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

/// Builds a checked multi-line (a river's course, a network) from raw parts, with at most
/// [`MAX_VERTICES`] positions in all and no edge across the antimeridian.
pub fn lines_from_raw(
    parts: &[Vec<[f64; 2]>],
) -> Result<geo_types::MultiLineString<f64>, GeometryError> {
    if parts.is_empty() {
        return Err(GeometryError::Empty);
    }
    check_vertex_count("line", parts.iter().map(Vec::len).sum())?;
    let mut index = 0;
    let mut lines = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        check_coords(part, &mut index)?;
        if part.len() < 2 {
            return Err(GeometryError::LineTooShort { points: part.len() });
        }
        let line = to_line(part);
        check_antimeridian(&line.0, || format!("line {i}"))?;
        lines.push(line);
    }
    Ok(geo_types::MultiLineString(lines))
}

/// Every ring of a multipolygon with its polygon and ring numbers (0 is the exterior).
fn rings_of(mp: &MultiPolygon<f64>) -> impl Iterator<Item = (usize, usize, &LineString<f64>)> {
    mp.0.iter().enumerate().flat_map(|(p, poly)| {
        std::iter::once(poly.exterior())
            .chain(poly.interiors())
            .enumerate()
            .map(move |(r, ring)| (p, r, ring))
    })
}

fn check_vertex_count(what: &'static str, vertices: usize) -> Result<(), GeometryError> {
    if vertices > MAX_VERTICES {
        return Err(GeometryError::TooManyVertices {
            what,
            vertices,
            max: MAX_VERTICES,
        });
    }
    Ok(())
}

/// Refuses an edge spanning more than 180° of longitude: read as written it goes the long
/// way round the Earth, which is never what a file crossing the antimeridian means.
fn check_antimeridian(coords: &[Coord<f64>], at: impl Fn() -> String) -> Result<(), GeometryError> {
    match coords
        .windows(2)
        .position(|e| (e[1].x - e[0].x).abs() > 180.0)
    {
        Some(vertex) => Err(GeometryError::CrossesAntimeridian { at: at(), vertex }),
        None => Ok(()),
    }
}

/// Refuses a ring whose planar area is under [`MIN_RING_AREA_M2`] or whose mean width is
/// under [`MIN_MEAN_WIDTH_M`], measured in a transverse Mercator centred on the geometry.
/// Geodesic areas cannot judge this: a ring of positions on one line of longitude/latitude
/// encloses a few square metres between the geodesics joining them.
fn check_not_degenerate(mp: &MultiPolygon<f64>) -> Result<(), GeometryError> {
    let (min_lon, max_lon) = rings_of(mp)
        .flat_map(|(_, _, ring)| ring.0.iter())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), c| {
            (lo.min(c.x), hi.max(c.x))
        });
    let projection = LocalProjection::for_extent(min_lon, max_lon).map_err(invalid)?;
    for (p, r, ring) in rings_of(mp) {
        let mut twice_area = 0.0;
        let mut perimeter_m = 0.0;
        let mut previous: Option<Coord<f64>> = None;
        let mut origin: Option<Coord<f64>> = None;
        for c in &ring.0 {
            // Relative to the ring's first position: projected metres are in the millions,
            // and the products of the shoelace formula would lose the square metres.
            let projected = projection.forward(*c).map_err(invalid)?;
            let o = *origin.get_or_insert(projected);
            let here = projected - o;
            if let Some(prev) = previous {
                twice_area += prev.x * here.y - here.x * prev.y;
                perimeter_m += (here.x - prev.x).hypot(here.y - prev.y);
            }
            previous = Some(here);
        }
        let area_m2 = twice_area.abs() / 2.0;
        let width_m = if perimeter_m > 0.0 {
            2.0 * area_m2 / perimeter_m
        } else {
            0.0
        };
        if area_m2 < MIN_RING_AREA_M2 || width_m < MIN_MEAN_WIDTH_M {
            return Err(GeometryError::Degenerate {
                polygon: p,
                ring: r,
                area_m2,
                width_m,
            });
        }
    }
    Ok(())
}

fn invalid(e: crate::geodesy::ProjectionError) -> GeometryError {
    GeometryError::Invalid {
        reason: e.to_string(),
    }
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
        assert_eq!(
            err,
            GeometryError::SelfIntersection {
                polygon: 0,
                ring: 0,
                vertex: 0,
                other: 2
            }
        );
        assert!(err.to_string().contains("intersects itself"), "{err}");
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

    /// A star-shaped ring of `n` vertices about 1 km across near 36.5°E 49.5°N, its radius
    /// jittered deterministically so that it is not convex.
    fn noisy_circle(n: usize) -> Vec<[f64; 2]> {
        let mut ring: Vec<[f64; 2]> = (0..n)
            .map(|i| {
                let t = i as f64 / n as f64 * std::f64::consts::TAU;
                let r_m = 500.0 + 30.0 * (7.0 * t).sin() + 5.0 * ((i * 7919 % 13) as f64 / 13.0);
                [
                    36.5 + r_m * t.cos() / 72_400.0,
                    49.5 + r_m * t.sin() / 111_200.0,
                ]
            })
            .collect();
        ring.push(ring[0]);
        ring
    }

    #[test]
    fn a_polygon_over_the_vertex_cap_is_refused_by_the_cap() {
        let err = Polygonal::from_raw(&[vec![noisy_circle(199_999)]]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "polygon has 200000 vertices; at most 100000 are accepted"
        );
        let line: Vec<[f64; 2]> = (0..100_001)
            .map(|i| [36.0 + i as f64 * 1e-6, 50.0])
            .collect();
        assert!(matches!(
            Footprint::line(&line),
            Err(GeometryError::TooManyVertices { what: "line", .. })
        ));
    }

    #[test]
    fn a_valid_polygon_of_50000_vertices_is_accepted() {
        let area = Polygonal::from_raw(&[vec![noisy_circle(50_000)]]).expect("valid");
        let km2 = area.area_m2() / 1e6;
        assert!((0.6..1.0).contains(&km2), "{km2} km²");
    }

    #[test]
    fn an_antimeridian_ring_is_refused() {
        let ring = vec![
            [179.9, 0.0],
            [-179.9, 0.0],
            [-179.9, 0.1],
            [179.9, 0.1],
            [179.9, 0.0],
        ];
        let err = Polygonal::from_raw(&[vec![ring]]).unwrap_err();
        assert_eq!(
            err,
            GeometryError::CrossesAntimeridian {
                at: "polygon 0: ring 0".to_string(),
                vertex: 0
            }
        );
        assert!(err.to_string().contains("RFC 7946 §3.1.9"), "{err}");
        let err = Footprint::line(&[[179.9, 0.0], [-179.9, 0.0]]).unwrap_err();
        assert!(matches!(err, GeometryError::CrossesAntimeridian { .. }));
    }

    #[test]
    fn a_collinear_ring_is_refused_as_degenerate() {
        // On one line of longitude/latitude but not exactly collinear in binary floating
        // point, so only the measurement in metres can tell.
        let ring = vec![[36.1, 49.1], [36.2, 49.2], [36.3, 49.3], [36.1, 49.1]];
        let err = Polygonal::from_raw(&[vec![ring]]).unwrap_err();
        assert!(
            matches!(
                err,
                GeometryError::Degenerate { .. } | GeometryError::Spike { .. }
            ),
            "{err:?}"
        );

        let ring = vec![[36.0, 49.0], [36.0, 49.5], [36.0, 49.25], [36.0, 49.0]];
        let err = Polygonal::from_raw(&[vec![ring]]).unwrap_err();
        assert!(matches!(err, GeometryError::Spike { .. }), "{err:?}");
    }

    #[test]
    fn a_thin_road_side_strip_stays_valid_and_a_sliver_does_not() {
        // 2 km long: 3 m wide is a strip of land, 5 mm wide is a sliver.
        let strip = |width_deg: f64| {
            vec![
                [36.0, 50.0],
                [36.028, 50.0],
                [36.028, 50.0 + width_deg],
                [36.0, 50.0 + width_deg],
                [36.0, 50.0],
            ]
        };
        assert!(Polygonal::from_raw(&[vec![strip(3.0 / 111_200.0)]]).is_ok());
        let err = Polygonal::from_raw(&[vec![strip(0.005 / 111_200.0)]]).unwrap_err();
        assert!(matches!(err, GeometryError::Degenerate { .. }), "{err:?}");
    }

    #[test]
    fn a_planet_sized_polygon_is_refused() {
        let ring = vec![
            [0.0, 0.0],
            [10.0, 0.0],
            [10.0, 10.0],
            [0.0, 10.0],
            [0.0, 0.0],
        ];
        let err = Polygonal::from_raw(&[vec![ring]]).unwrap_err();
        assert!(matches!(err, GeometryError::TooLarge { .. }), "{err:?}");
    }
}

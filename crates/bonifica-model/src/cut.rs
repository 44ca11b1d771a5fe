//! Cutting released land out of a hazard area: one area is usually released piece by
//! piece, the released part cut out of the polygon and the rest left open.
//!
//! The overlay runs in a local transverse Mercator projection centred on the hazard area
//! (metres), with `geo`'s boolean operations; every area that decides anything is measured
//! geodesically on WGS 84 after projecting back. A cut is refused, with figures, when the
//! released polygon overlaps land already released, lies outside the area, or cannot be
//! cut cleanly; nothing is ever half cut.

use std::panic::{AssertUnwindSafe, catch_unwind};

use geo::{BooleanOps, BoundingRect, Intersects, MapCoords};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};

use crate::geodesy::{self, LocalProjection};
use crate::geometry::Polygonal;

/// Pieces smaller than this, in square metres (geodesic), count as nothing: overlay and
/// projection leave slivers of that size along shared edges, and no survey is that precise.
pub const MIN_PIECE_M2: f64 = 1.0;

/// Vertices of one polygon within this distance (metres) of the other's boundary are made
/// common to both before the overlay. A worked polygon drawn along a hazard area's edge
/// comes back from projection a few hundred nanometres off that edge; left alone, the
/// overlay turns the gap into spikes and slivers that are no longer valid polygons once
/// brought back to longitude and latitude.
pub const SNAP_M: f64 = 0.01;

/// A released polygon may stick out of its hazard area by this share of its own area
/// (drawing on a phone, GPS error) or by [`MIN_PIECE_M2`], whichever is larger.
pub const OUTSIDE_SHARE: f64 = 0.001;

/// The result of cutting released land out of a hazard area.
#[derive(Debug, Clone, PartialEq)]
pub struct Cut {
    /// What is actually cut out: the released polygon within the area.
    pub released: Polygonal,
    /// Geodesic area of `released`, in square metres.
    pub released_m2: f64,
    /// What stays open; `None` when under [`MIN_PIECE_M2`], and the area closes.
    pub remainder: Option<Polygonal>,
    /// Geodesic area of `remainder`, in square metres (0 when there is none).
    pub remainder_m2: f64,
}

/// Why a polygon cannot be cut out of a hazard area. Figures are geodesic square metres.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CutError {
    #[error(
        "the polygon overlaps land already released from this hazard area by {} m²",
        fmt_m2(*.overlap_m2)
    )]
    OverlapsReleased { overlap_m2: f64 },
    #[error(
        "{} m² of the {} m² polygon lie outside the hazard area (at most {} m² may)",
        fmt_m2(*.outside_m2), fmt_m2(*.polygon_m2), fmt_m2(outside_tolerance_m2(*.polygon_m2))
    )]
    Outside { outside_m2: f64, polygon_m2: f64 },
    #[error(
        "the polygon covers only {} m² of the hazard area; at least {} m² must be released",
        fmt_m2(*.released_m2), fmt_m2(MIN_PIECE_M2)
    )]
    NothingReleased { released_m2: f64 },
    #[error(
        "the revised polygon keeps only {} m² of the hazard area; a confirmed area keeps at least {} m²",
        fmt_m2(*.kept_m2), fmt_m2(MIN_PIECE_M2)
    )]
    NothingKept { kept_m2: f64 },
    #[error("the polygon cannot be cut cleanly from the hazard area: {reason}")]
    Unclean { reason: String },
}

/// Cuts `released` out of a hazard area whose earlier releases were `already_released`.
///
/// Checks, in order: `released` must not overlap land already released (more than
/// [`MIN_PIECE_M2`]); it must lie within the area (see [`OUTSIDE_SHARE`]); the overlay
/// must succeed and give valid polygons. Remainder parts under [`MIN_PIECE_M2`] are
/// dropped.
pub fn cut_release(
    area: &Polygonal,
    already_released: &[Polygonal],
    released: &Polygonal,
) -> Result<Cut, CutError> {
    let plane = Plane::around(area)?;
    let (area_p, released_p) = snap_together(&plane.project(area)?, &plane.project(released)?);
    plane.check_overlap(&released_p, already_released)?;
    plane.check_within(&released_p, &area_p, released.area_m2())?;

    let cut_p = overlay("intersection", &released_p, &area_p, |a, b| {
        a.intersection(b)
    })?;
    let (cut, cut_m2) = plane.keep_pieces(cut_p)?;
    let Some(cut) = cut else {
        return Err(CutError::NothingReleased {
            released_m2: cut_m2,
        });
    };
    let rest_p = overlay("difference", &area_p, &released_p, |a, b| a.difference(b))?;
    let (remainder, remainder_m2) = plane.keep_pieces(rest_p)?;
    Ok(Cut {
        released: cut,
        released_m2: cut_m2,
        remainder,
        remainder_m2,
    })
}

/// Revises a hazard area to the polygon a survey confirmed: the land of the area outside
/// `revised` is released. `None` when `revised` covers the whole area (nothing released).
///
/// Checks, in order: `revised` must not overlap land already released; it must lie within
/// the area (see [`OUTSIDE_SHARE`]); it must keep at least [`MIN_PIECE_M2`] of the area
/// (a confirmed area does not vanish); the overlay must succeed and give valid polygons.
pub fn cut_to_revised(
    area: &Polygonal,
    already_released: &[Polygonal],
    revised: &Polygonal,
) -> Result<Option<Cut>, CutError> {
    let plane = Plane::around(area)?;
    let (area_p, revised_p) = snap_together(&plane.project(area)?, &plane.project(revised)?);
    plane.check_overlap(&revised_p, already_released)?;
    plane.check_within(&revised_p, &area_p, revised.area_m2())?;

    let kept_p = overlay("intersection", &area_p, &revised_p, |a, b| {
        a.intersection(b)
    })?;
    let (kept, kept_m2) = plane.keep_pieces(kept_p)?;
    let Some(kept) = kept else {
        return Err(CutError::NothingKept { kept_m2 });
    };
    let released_p = overlay("difference", &area_p, &revised_p, |a, b| a.difference(b))?;
    let (released, released_m2) = plane.keep_pieces(released_p)?;
    Ok(released.map(|released| Cut {
        released,
        released_m2,
        remainder: Some(kept),
        remainder_m2: kept_m2,
    }))
}

/// The most a polygon of `polygon_m2` may stick out of its hazard area, in m².
pub fn outside_tolerance_m2(polygon_m2: f64) -> f64 {
    (polygon_m2 * OUTSIDE_SHARE).max(MIN_PIECE_M2)
}

/// Square metres for messages: whole metres with thousands separators from 10 m² up,
/// one decimal below.
pub(crate) fn fmt_m2(m2: f64) -> String {
    if !m2.is_finite() || m2.abs() < 10.0 {
        return format!("{m2:.1}");
    }
    let digits = format!("{:.0}", m2.abs());
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(d);
    }
    if m2 < 0.0 {
        grouped.insert(0, '-');
    }
    grouped
}

/// The local metric plane of one hazard area.
struct Plane {
    projection: LocalProjection,
}

impl Plane {
    fn around(area: &Polygonal) -> Result<Plane, CutError> {
        let Some(rect) = area.as_multi_polygon().bounding_rect() else {
            return Err(unclean("the hazard area has no extent"));
        };
        let projection = LocalProjection::for_extent(rect.min().x, rect.max().x)
            .map_err(|e| unclean(format!("projection: {e}")))?;
        Ok(Plane { projection })
    }

    fn project(&self, p: &Polygonal) -> Result<MultiPolygon<f64>, CutError> {
        p.as_multi_polygon()
            .try_map_coords(|c| self.projection.forward(c))
            .map_err(|e| unclean(format!("projection: {e}")))
    }

    fn unproject<G: MapCoords<f64, f64, Output = G>>(&self, g: &G) -> Result<G, CutError> {
        g.try_map_coords(|c| self.projection.inverse(c))
            .map_err(|e| unclean(format!("projection: {e}")))
    }

    /// Geodesic area of a projected multipolygon, in m².
    fn geodesic_m2(&self, planar: &MultiPolygon<f64>) -> Result<f64, CutError> {
        Ok(geodesy::area_m2(&self.unproject(planar)?))
    }

    /// Refuses a polygon that overlaps any earlier release by more than [`MIN_PIECE_M2`].
    fn check_overlap(
        &self,
        polygon_p: &MultiPolygon<f64>,
        already_released: &[Polygonal],
    ) -> Result<(), CutError> {
        let Some(bounds) = polygon_p.bounding_rect() else {
            return Ok(());
        };
        let mut overlap_m2 = 0.0;
        for earlier in already_released {
            let earlier_p = self.project(earlier)?;
            let near = earlier_p
                .bounding_rect()
                .is_some_and(|b| b.intersects(&bounds));
            if !near {
                continue;
            }
            let common = overlay("intersection", polygon_p, &earlier_p, |a, b| {
                a.intersection(b)
            })?;
            overlap_m2 += self.geodesic_m2(&common)?;
        }
        if overlap_m2 > MIN_PIECE_M2 {
            return Err(CutError::OverlapsReleased { overlap_m2 });
        }
        Ok(())
    }

    /// Refuses a polygon that sticks out of the area by more than the tolerance.
    fn check_within(
        &self,
        polygon_p: &MultiPolygon<f64>,
        area_p: &MultiPolygon<f64>,
        polygon_m2: f64,
    ) -> Result<(), CutError> {
        let outside = overlay("difference", polygon_p, area_p, |a, b| a.difference(b))?;
        let outside_m2 = self.geodesic_m2(&outside)?;
        if outside_m2 > outside_tolerance_m2(polygon_m2) {
            return Err(CutError::Outside {
                outside_m2,
                polygon_m2,
            });
        }
        Ok(())
    }

    /// Brings an overlay result back to WGS 84, drops parts under [`MIN_PIECE_M2`] and
    /// checks what is left. Returns the polygon (if any part is kept) and its area in m²;
    /// when nothing is kept, the area of what was dropped.
    fn keep_pieces(&self, planar: MultiPolygon<f64>) -> Result<(Option<Polygonal>, f64), CutError> {
        let mut kept: Vec<Polygon<f64>> = Vec::new();
        let mut kept_m2 = 0.0;
        let mut dropped_m2 = 0.0;
        for polygon in planar {
            let lonlat = self.unproject(&polygon)?;
            let m2 = geodesy::area_m2(&MultiPolygon(vec![lonlat.clone()]));
            if m2 < MIN_PIECE_M2 {
                dropped_m2 += m2;
            } else {
                kept.push(lonlat);
                kept_m2 += m2;
            }
        }
        if kept.is_empty() {
            return Ok((None, dropped_m2));
        }
        let polygonal = Polygonal::try_from(MultiPolygon(kept))
            .map_err(|e| unclean(format!("the result is not a valid polygon: {e}")))?;
        Ok((Some(polygonal), kept_m2))
    }
}

/// Runs one boolean operation, turning a panic inside the overlay into an error: a report
/// must be refused with a message, never take the server down.
fn overlay(
    name: &str,
    a: &MultiPolygon<f64>,
    b: &MultiPolygon<f64>,
    op: impl Fn(&MultiPolygon<f64>, &MultiPolygon<f64>) -> MultiPolygon<f64>,
) -> Result<MultiPolygon<f64>, CutError> {
    catch_unwind(AssertUnwindSafe(|| op(a, b))).map_err(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown failure".to_string());
        unclean(format!("the {name} overlay failed: {detail}"))
    })
}

/// Makes the boundaries of `a` and `b` meet exactly where they run within [`SNAP_M`]:
/// vertices of `b` near a vertex of `a` move onto it, and each polygon gains the other's
/// vertices that lie near its edges. Edges that run together then share their end points,
/// which the overlay treats as one edge. Coordinates are projected metres.
fn snap_together(
    a: &MultiPolygon<f64>,
    b: &MultiPolygon<f64>,
) -> (MultiPolygon<f64>, MultiPolygon<f64>) {
    let a_vertices = vertices(a);
    let b = map_rings(b, |ring| snap_to_vertices(ring, &a_vertices));
    let a = map_rings(a, |ring| insert_near(ring, &vertices(&b)));
    let b = map_rings(&b, |ring| insert_near(ring, &vertices(&a)));
    (a, b)
}

fn vertices(mp: &MultiPolygon<f64>) -> Vec<Coord<f64>> {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|ring| ring.0.iter().copied())
        .collect()
}

fn map_rings(
    mp: &MultiPolygon<f64>,
    f: impl Fn(&LineString<f64>) -> LineString<f64>,
) -> MultiPolygon<f64> {
    MultiPolygon(
        mp.0.iter()
            .map(|p| Polygon::new(f(p.exterior()), p.interiors().iter().map(&f).collect()))
            .collect(),
    )
}

/// Moves each vertex of `ring` within [`SNAP_M`] of one of `targets` onto the nearest.
fn snap_to_vertices(ring: &LineString<f64>, targets: &[Coord<f64>]) -> LineString<f64> {
    let snapped = ring.0.iter().map(|&c| {
        targets
            .iter()
            .map(|&t| (t, dist(c, t)))
            .filter(|&(_, d)| d < SNAP_M)
            .min_by(|x, y| x.1.total_cmp(&y.1))
            .map_or(c, |(t, _)| t)
    });
    LineString(snapped.collect())
}

/// Inserts into each edge of `ring` the `points` lying within [`SNAP_M`] of it (and not
/// already its end points), in order along the edge.
fn insert_near(ring: &LineString<f64>, points: &[Coord<f64>]) -> LineString<f64> {
    let Some(&first) = ring.0.first() else {
        return ring.clone();
    };
    let mut out = vec![first];
    for edge in ring.0.windows(2) {
        let (p, q) = (edge[0], edge[1]);
        let mut on_edge: Vec<(f64, Coord<f64>)> = points
            .iter()
            .filter(|&&x| x != p && x != q)
            .filter_map(|&x| {
                let (t, d) = along(p, q, x);
                (d < SNAP_M && t > 0.0 && t < 1.0).then_some((t, x))
            })
            .collect();
        on_edge.sort_by(|x, y| x.0.total_cmp(&y.0));
        on_edge.dedup_by(|x, y| x.1 == y.1);
        out.extend(on_edge.into_iter().map(|(_, x)| x));
        out.push(q);
    }
    LineString(out)
}

/// Where `x` projects on the segment `p`–`q` (0 at `p`, 1 at `q`) and how far it lies
/// from the segment, in metres.
fn along(p: Coord<f64>, q: Coord<f64>, x: Coord<f64>) -> (f64, f64) {
    let d = q - p;
    let len2 = d.x * d.x + d.y * d.y;
    if len2 == 0.0 {
        return (0.0, dist(p, x));
    }
    let t = ((x.x - p.x) * d.x + (x.y - p.y) * d.y) / len2;
    let foot = p + d * t.clamp(0.0, 1.0);
    (t, dist(foot, x))
}

fn dist(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).hypot(a.y - b.y)
}

fn unclean(reason: impl Into<String>) -> CutError {
    CutError::Unclean {
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_metres_read_well_in_messages() {
        assert_eq!(fmt_m2(0.24), "0.2");
        assert_eq!(fmt_m2(9.96), "10.0");
        assert_eq!(fmt_m2(12.4), "12");
        assert_eq!(fmt_m2(1234.6), "1,235");
        assert_eq!(fmt_m2(40_000.0), "40,000");
        assert_eq!(fmt_m2(1_234_567.0), "1,234,567");
        assert_eq!(fmt_m2(-2500.0), "-2,500");
    }
}

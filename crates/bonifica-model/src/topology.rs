//! The topology check of polygons in near-linear time: rings are simple, holes lie inside
//! their shell, and the parts of a multipolygon do not overlap.
//!
//! Every edge of every ring goes into one R-tree (bulk-loaded); each edge is then tested
//! only against the edges whose bounding boxes meet its own, so a ring of ordinary shape
//! (edges about as long as the spacing of its vertices) costs O(n log n) instead of the
//! O(n²) of testing every pair. Containment is decided afterwards, once no two rings cross,
//! by casting one ray per ring through the same tree. Coordinates are whatever the caller
//! gives (WGS 84 degrees for [`crate::Polygonal`]); the predicates are exact (robust
//! orientation tests), so no tolerance is involved.
//!
//! The rules are the OGC simple-feature ones, slightly stricter: a ring must not touch
//! itself at all (not even at a repeated vertex), and two rings may touch only at a vertex
//! they share.

use crate::geometry::GeometryError;
use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::line_intersection::{LineIntersection, line_intersection};
use geo_types::{Coord, Line, MultiPolygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// Checks the topology of a multipolygon whose coordinates are finite and whose rings are
/// closed: each ring has at least three distinct positions, does not cross or touch
/// itself and does not turn back on itself (a spike); rings meet only at shared vertices;
/// every hole lies inside its exterior and outside the other holes; no two polygons
/// overlap.
///
/// This function has **no vertex cap**: [`crate::Polygonal`]'s constructors apply
/// [`crate::geometry::MAX_VERTICES`] before calling it. It is public so that benchmarks
/// can time it beyond the cap. Time is O(n log n) for rings whose edges are short against
/// the ring's size, which is every surveyed or drawn polygon; a contrived ring of many long,
/// parallel, diagonal edges can still cost up to O(n²).
pub fn check_topology(mp: &MultiPolygon<f64>) -> Result<(), GeometryError> {
    let (rings, edges) = collect(mp)?;
    if edges.is_empty() {
        return Ok(());
    }
    let tree = RTree::bulk_load(
        edges
            .iter()
            .enumerate()
            .map(|(i, e)| GeomWithData::new(Rectangle::from_corners(pt(e.a), pt(e.b)), i))
            .collect(),
    );
    for (i, e) in edges.iter().enumerate() {
        let envelope = AABB::from_corners(pt(e.a), pt(e.b));
        // The first offending partner in written order, so the message does not depend on
        // the tree's layout.
        let mut partner: Option<(usize, GeometryError)> = None;
        for candidate in tree.locate_in_envelope_intersecting(&envelope) {
            let j = candidate.data;
            let earlier = partner.as_ref().is_none_or(|(k, _)| j < *k);
            if j <= i || !earlier {
                continue;
            }
            if let Some(err) = pair_problem(&rings, e, &edges[j]) {
                partner = Some((j, err));
            }
        }
        if let Some((_, err)) = partner {
            return Err(err);
        }
    }
    if rings.len() > 1 {
        check_containment(&rings, &edges, &tree)?;
    }
    Ok(())
}

/// One ring: where it sits in the multipolygon and where its edges start in the edge list.
struct Ring {
    polygon: usize,
    ring: usize,
    first_edge: usize,
    edges: usize,
}

/// One edge of non-zero length. `vertex` is the index, in the ring as written, of the
/// position it starts from; `k` its place among the ring's non-zero edges.
struct Edge {
    a: Coord<f64>,
    b: Coord<f64>,
    ring: usize,
    vertex: usize,
    k: usize,
}

fn pt(c: Coord<f64>) -> [f64; 2] {
    [c.x, c.y]
}

/// Lists the rings and their edges, skipping repeated positions (zero-length edges), and
/// refuses a ring with fewer than three distinct positions.
fn collect(mp: &MultiPolygon<f64>) -> Result<(Vec<Ring>, Vec<Edge>), GeometryError> {
    let mut rings = Vec::new();
    let mut edges = Vec::new();
    for (p, polygon) in mp.0.iter().enumerate() {
        for (r, ring) in std::iter::once(polygon.exterior())
            .chain(polygon.interiors())
            .enumerate()
        {
            let first_edge = edges.len();
            let id = rings.len();
            for (v, pair) in ring.0.windows(2).enumerate() {
                if pair[0] != pair[1] {
                    let k = edges.len() - first_edge;
                    edges.push(Edge {
                        a: pair[0],
                        b: pair[1],
                        ring: id,
                        vertex: v,
                        k,
                    });
                }
            }
            let count = edges.len() - first_edge;
            if count < 3 {
                return Err(GeometryError::TooFewDistinct {
                    polygon: p,
                    ring: r,
                    points: count,
                });
            }
            rings.push(Ring {
                polygon: p,
                ring: r,
                first_edge,
                edges: count,
            });
        }
    }
    Ok((rings, edges))
}

/// What is wrong with two edges that may meet (`e` before `f` in written order), if
/// anything.
fn pair_problem(rings: &[Ring], e: &Edge, f: &Edge) -> Option<GeometryError> {
    let meeting = line_intersection(Line::new(e.a, e.b), Line::new(f.a, f.b))?;
    let at_one_point = match meeting {
        LineIntersection::SinglePoint { .. } => true,
        LineIntersection::Collinear { intersection } => intersection.start == intersection.end,
    };
    let ring = &rings[e.ring];
    if e.ring == f.ring {
        let next = f.k == e.k + 1;
        let wraps = e.k == 0 && f.k + 1 == ring.edges;
        if next || wraps {
            // Neighbours always share their common vertex; they must not run back along
            // each other.
            if at_one_point {
                return None;
            }
            let vertex = if next { f.vertex } else { e.vertex };
            return Some(GeometryError::Spike {
                polygon: ring.polygon,
                ring: ring.ring,
                vertex,
            });
        }
        return Some(GeometryError::SelfIntersection {
            polygon: ring.polygon,
            ring: ring.ring,
            vertex: e.vertex,
            other: f.vertex,
        });
    }
    // Two non-collinear edges that share an end point meet only there: a touch at a
    // common vertex, which is allowed between rings.
    let shared = e.a == f.a || e.a == f.b || e.b == f.a || e.b == f.b;
    if shared && at_one_point {
        return None;
    }
    let other = &rings[f.ring];
    Some(GeometryError::RingsCross {
        polygon: ring.polygon,
        ring: ring.ring,
        vertex: e.vertex,
        other_polygon: other.polygon,
        other_ring: other.ring,
        other_vertex: f.vertex,
    })
}

/// Once no two rings cross, one point per ring decides what it lies in: the midpoint of
/// its first edge, which is on no other ring (that would have been a crossing). A ray from
/// it towards +x crosses each other ring an odd number of times exactly when the ring
/// encloses it.
fn check_containment(
    rings: &[Ring],
    edges: &[Edge],
    tree: &RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
) -> Result<(), GeometryError> {
    let max_x = tree.root().envelope().upper()[0];
    // The first ring of each polygon, so a polygon's shell and holes can be found by
    // global ring number.
    let mut shell_of = Vec::new();
    for (id, ring) in rings.iter().enumerate() {
        if ring.ring == 0 {
            shell_of.push(id);
        }
    }
    for (id, ring) in rings.iter().enumerate() {
        let first = &edges[ring.first_edge];
        let probe = Coord {
            x: (first.a.x + first.b.x) / 2.0,
            y: (first.a.y + first.b.y) / 2.0,
        };
        let inside = enclosing_rings(probe, id, edges, tree, max_x);
        if ring.ring > 0 {
            let shell = shell_of[ring.polygon];
            if !inside.contains(&shell) {
                return Err(GeometryError::HoleOutside {
                    polygon: ring.polygon,
                    ring: ring.ring,
                });
            }
            if let Some(&other) = inside
                .iter()
                .find(|&&o| o != shell && rings[o].polygon == ring.polygon)
            {
                return Err(GeometryError::HoleInHole {
                    polygon: ring.polygon,
                    ring: ring.ring,
                    other: rings[other].ring,
                });
            }
            continue;
        }
        // A shell overlaps polygon q when it lies inside q's shell but in none of its holes.
        for &o in &inside {
            let q = rings[o].polygon;
            let in_a_hole = inside
                .iter()
                .any(|&h| rings[h].polygon == q && rings[h].ring > 0);
            if rings[o].ring == 0 && q != ring.polygon && !in_a_hole {
                return Err(GeometryError::PolygonsOverlap {
                    polygon: ring.polygon.min(q),
                    other: ring.polygon.max(q),
                });
            }
        }
    }
    Ok(())
}

/// The rings other than `own` that enclose `probe`, as sorted global ring numbers.
fn enclosing_rings(
    probe: Coord<f64>,
    own: usize,
    edges: &[Edge],
    tree: &RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    max_x: f64,
) -> Vec<usize> {
    let ray = AABB::from_corners([probe.x, probe.y], [max_x.max(probe.x), probe.y]);
    let mut crossed: Vec<usize> = tree
        .locate_in_envelope_intersecting(&ray)
        .map(|c| &edges[c.data])
        .filter(|e| e.ring != own && crosses_ray(probe, e))
        .map(|e| e.ring)
        .collect();
    crossed.sort_unstable();
    let mut inside = Vec::new();
    for run in crossed.chunk_by(|a, b| a == b) {
        if run.len() % 2 == 1 {
            inside.push(run[0]);
        }
    }
    inside
}

/// True when the edge crosses the ray from `probe` towards +x. The half-open rule on y
/// (lower end included, upper end excluded) counts a vertex on the ray once.
fn crosses_ray(probe: Coord<f64>, e: &Edge) -> bool {
    let (low, high) = if e.a.y <= e.b.y {
        (e.a, e.b)
    } else {
        (e.b, e.a)
    };
    if !(low.y <= probe.y && probe.y < high.y) {
        return false;
    }
    // The probe is left of the upward edge, so the edge is to its right.
    RobustKernel::orient2d(low, high, probe) == Orientation::CounterClockwise
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{LineString, Polygon};

    fn ring(coords: &[(f64, f64)]) -> LineString<f64> {
        let mut c: Vec<Coord<f64>> = coords.iter().map(|&(x, y)| Coord { x, y }).collect();
        c.push(c[0]);
        LineString(c)
    }

    fn check(polygons: Vec<Polygon<f64>>) -> Result<(), GeometryError> {
        check_topology(&MultiPolygon(polygons))
    }

    fn square(x: f64, y: f64, s: f64) -> LineString<f64> {
        ring(&[(x, y), (x + s, y), (x + s, y + s), (x, y + s)])
    }

    #[test]
    fn a_square_with_a_hole_and_a_collinear_vertex_is_simple() {
        let shell = ring(&[
            (0.0, 0.0),
            (5.0, 0.0),
            (10.0, 0.0),
            (10.0, 10.0),
            (0.0, 10.0),
        ]);
        let hole = square(2.0, 2.0, 3.0);
        assert_eq!(check(vec![Polygon::new(shell, vec![hole])]), Ok(()));
    }

    #[test]
    fn a_ring_touching_itself_at_a_vertex_is_refused() {
        // A figure eight through (2, 2), written as one ring.
        let r = ring(&[
            (0.0, 0.0),
            (2.0, 2.0),
            (4.0, 0.0),
            (4.0, 4.0),
            (2.0, 2.0),
            (0.0, 4.0),
        ]);
        let err = check(vec![Polygon::new(r, vec![])]).unwrap_err();
        assert!(
            matches!(err, GeometryError::SelfIntersection { vertex: 0, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn a_spike_is_named_at_its_tip() {
        let r = ring(&[
            (0.0, 0.0),
            (4.0, 0.0),
            (4.0, 4.0),
            (6.0, 6.0),
            (5.0, 5.0),
            (0.0, 4.0),
        ]);
        let err = check(vec![Polygon::new(r, vec![])]).unwrap_err();
        assert_eq!(
            err,
            GeometryError::Spike {
                polygon: 0,
                ring: 0,
                vertex: 3
            }
        );
    }

    #[test]
    fn holes_outside_or_inside_other_holes_are_refused() {
        let outside = Polygon::new(square(0.0, 0.0, 10.0), vec![square(20.0, 0.0, 1.0)]);
        assert_eq!(
            check(vec![outside]),
            Err(GeometryError::HoleOutside {
                polygon: 0,
                ring: 1
            })
        );
        let nested = Polygon::new(
            square(0.0, 0.0, 10.0),
            vec![square(1.0, 1.0, 8.0), square(2.0, 2.0, 1.0)],
        );
        assert_eq!(
            check(vec![nested]),
            Err(GeometryError::HoleInHole {
                polygon: 0,
                ring: 2,
                other: 1
            })
        );
    }

    #[test]
    fn a_hole_touching_the_shell_at_a_shared_vertex_is_allowed() {
        let hole = ring(&[(0.0, 5.0), (3.0, 4.0), (3.0, 6.0)]);
        let shell = ring(&[
            (0.0, 0.0),
            (10.0, 0.0),
            (10.0, 10.0),
            (0.0, 10.0),
            (0.0, 5.0),
        ]);
        assert_eq!(check(vec![Polygon::new(shell, vec![hole])]), Ok(()));
    }

    #[test]
    fn overlapping_and_nested_parts_are_refused_islands_in_holes_are_not() {
        let a = Polygon::new(square(0.0, 0.0, 10.0), vec![]);
        let inner = Polygon::new(square(2.0, 2.0, 2.0), vec![]);
        assert_eq!(
            check(vec![a.clone(), inner.clone()]),
            Err(GeometryError::PolygonsOverlap {
                polygon: 0,
                other: 1
            })
        );
        assert_eq!(
            check(vec![inner.clone(), a]),
            Err(GeometryError::PolygonsOverlap {
                polygon: 0,
                other: 1
            })
        );
        let lake = Polygon::new(square(0.0, 0.0, 10.0), vec![square(1.0, 1.0, 5.0)]);
        assert_eq!(check(vec![lake, inner]), Ok(()));
        let crossing = vec![
            Polygon::new(square(0.0, 0.0, 10.0), vec![]),
            Polygon::new(square(5.0, 5.0, 10.0), vec![]),
        ];
        assert!(matches!(
            check(crossing),
            Err(GeometryError::RingsCross { .. })
        ));
    }

    #[test]
    fn parts_sharing_an_edge_cross_parts_sharing_a_corner_do_not() {
        let a = Polygon::new(square(0.0, 0.0, 1.0), vec![]);
        let edge = Polygon::new(square(1.0, 0.0, 1.0), vec![]);
        let corner = Polygon::new(square(1.0, 1.0, 1.0), vec![]);
        assert!(matches!(
            check(vec![a.clone(), edge]),
            Err(GeometryError::RingsCross { .. })
        ));
        assert_eq!(check(vec![a, corner]), Ok(()));
    }
}

//! Roads cross rivers only on bridges, the roads beyond a bridge depend on it, and many
//! assets sit close enough to hazard areas for gating to matter.

use std::collections::BTreeSet;

use bonifica_model::{Asset, AssetKind, Footprint, Gating};
use geo::line_intersection::line_intersection;
use geo::{BoundingRect, Distance, Euclidean, Intersects};
use geo_types::{Coord, Geometry, LineString, Point};
use uuid::Uuid;

use crate::{default_region, projection};

fn line_of(a: &Asset) -> &LineString<f64> {
    match &a.footprint {
        Footprint::Line(l) => l,
        other => panic!("{} is not a line: {other:?}", a.code),
    }
}

/// Where a line crosses any river, WGS 84.
fn river_crossings(line: &LineString<f64>) -> Vec<Coord<f64>> {
    let d = &default_region().dataset;
    let mut found = Vec::new();
    let Some(bbox) = line.bounding_rect() else {
        return found;
    };
    for river in &d.rivers {
        for part in &river.course.0 {
            if !part.bounding_rect().is_some_and(|r| r.intersects(&bbox)) {
                continue;
            }
            for a in line.lines() {
                for b in part.lines() {
                    if let Some(hit) = line_intersection(a, b) {
                        found.push(match hit {
                            geo::LineIntersection::SinglePoint { intersection, .. } => intersection,
                            geo::LineIntersection::Collinear { intersection } => intersection.start,
                        });
                    }
                }
            }
        }
    }
    found
}

#[test]
fn every_road_or_railway_river_crossing_is_on_a_bridge() {
    let d = &default_region().dataset;
    let proj = projection();
    let bridges: Vec<Geometry<f64>> = d
        .assets
        .iter()
        .filter(|a| a.kind == AssetKind::Bridge)
        .map(|a| {
            proj.project(&a.footprint.to_geometry())
                .expect("bridge projects")
        })
        .collect();
    assert!(bridges.len() >= 10, "{} bridges", bridges.len());
    let mut crossings = 0;
    for a in d.assets.iter().filter(|a| {
        matches!(
            a.kind,
            AssetKind::RoadSegment | AssetKind::RailwaySegment | AssetKind::Bridge
        )
    }) {
        for hit in river_crossings(line_of(a)) {
            crossings += 1;
            let at = Point(proj.forward(hit).expect("crossing projects"));
            let nearest = bridges
                .iter()
                .map(|b| Euclidean.distance(&at, b))
                .fold(f64::INFINITY, f64::min);
            assert!(
                nearest < 1.0,
                "{} {} crosses a river {nearest:.0} m from any bridge",
                a.code,
                a.name
            );
        }
    }
    assert!(
        crossings >= bridges.len(),
        "{crossings} crossings for {} bridges",
        bridges.len()
    );
}

#[test]
fn every_bridge_crosses_a_river_and_carries_segments_that_depend_on_it() {
    let d = &default_region().dataset;
    let dependants: BTreeSet<Uuid> = d
        .assets
        .iter()
        .filter(|a| matches!(a.kind, AssetKind::RoadSegment | AssetKind::RailwaySegment))
        .flat_map(|a| a.depends_on.iter().copied())
        .collect();
    for b in d.assets.iter().filter(|a| a.kind == AssetKind::Bridge) {
        assert!(
            !river_crossings(line_of(b)).is_empty(),
            "{} {} crosses no river",
            b.code,
            b.name
        );
        assert!(
            dependants.contains(&b.id),
            "no segment depends on {} {}",
            b.code,
            b.name
        );
    }
    let rail_bridges = d
        .assets
        .iter()
        .filter(|a| a.kind == AssetKind::Bridge && a.name.starts_with("Railway"))
        .count();
    let rail_dependants = d
        .assets
        .iter()
        .filter(|a| a.kind == AssetKind::RailwaySegment && !a.depends_on.is_empty())
        .count();
    assert!(rail_bridges == 0 || rail_dependants > 0);
}

#[test]
fn power_lines_depend_on_their_feeding_substation() {
    let d = &default_region().dataset;
    let substations: BTreeSet<Uuid> = d
        .assets
        .iter()
        .filter(|a| a.kind == AssetKind::Substation)
        .map(|a| a.id)
        .collect();
    assert!(substations.len() >= 10);
    for line in d.assets.iter().filter(|a| a.kind == AssetKind::PowerLine) {
        assert!(
            line.depends_on.iter().any(|id| substations.contains(id)),
            "{} {}",
            line.code,
            line.name
        );
        assert!(
            line.service.population_served > 0,
            "{} serves no one",
            line.code
        );
    }
}

#[test]
fn many_roads_and_assets_are_gated_by_hazard_areas() {
    let d = &default_region().dataset;
    let proj = projection();
    let gating = Gating::compute(&d.hazard_areas, &d.assets, 100.0, &proj).expect("gating");
    let roads: Vec<_> = d
        .assets
        .iter()
        .filter(|a| a.kind == AssetKind::RoadSegment)
        .collect();
    let gated_roads = roads.iter().filter(|a| !gating.of(a.id).is_empty()).count();
    let gated = gating.blocked_count();
    println!(
        "gated: {gated} of {} assets, {gated_roads} of {} road segments",
        d.assets.len(),
        roads.len()
    );
    assert!(
        gated_roads * 3 >= roads.len(),
        "{gated_roads} of {} road segments gated",
        roads.len()
    );
    assert!(
        gated * 5 >= d.assets.len(),
        "{gated} of {} assets gated",
        d.assets.len()
    );
    assert!(gated < d.assets.len(), "every asset gated");
}

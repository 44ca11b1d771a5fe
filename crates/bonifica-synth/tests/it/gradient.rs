//! Contamination and damage are heaviest near the former front and fall away from it.

use bonifica_model::{DamageLevel, LocalProjection};
use geo::{Centroid, Contains, Distance, Euclidean};
use geo_types::{Coord, Geometry, LineString, Point, Polygon};

use crate::{default_region, projection};

/// The front line and the region outline in projected metres.
fn projected(proj: &LocalProjection) -> (LineString<f64>, Polygon<f64>) {
    let g = default_region();
    let front = match proj.project(&Geometry::LineString(g.front_line.clone())) {
        Ok(Geometry::LineString(l)) => l,
        other => panic!("front line: {other:?}"),
    };
    let outline = g.dataset.regions[0].boundary.as_multi_polygon().0[0].clone();
    let outline = match proj.project(&Geometry::Polygon(outline)) {
        Ok(Geometry::Polygon(p)) => p,
        other => panic!("outline: {other:?}"),
    };
    (front, outline)
}

fn metres(proj: &LocalProjection, p: Point<f64>) -> Point<f64> {
    match proj.forward(p.0) {
        Ok(c) => Point(c),
        Err(e) => panic!("{e}"),
    }
}

/// Area of the region in each distance band from the front, in km², by a 2 km grid.
fn band_km2(outline: &Polygon<f64>, front: &LineString<f64>, bands: &[(f64, f64)]) -> Vec<f64> {
    let mut out = vec![0.0; bands.len()];
    let rect = geo::BoundingRect::bounding_rect(outline).expect("outline has a box");
    let step = 2_000.0;
    let mut y = rect.min().y;
    while y < rect.max().y {
        let mut x = rect.min().x;
        while x < rect.max().x {
            let p = Point(Coord { x, y });
            if outline.contains(&p) {
                let d = Euclidean.distance(&p, front);
                for (i, (lo, hi)) in bands.iter().enumerate() {
                    if (*lo..*hi).contains(&d) {
                        out[i] += step * step / 1e6;
                    }
                }
            }
            x += step;
        }
        y += step;
    }
    out
}

#[test]
fn hazard_density_near_the_front_is_several_times_the_far_band() {
    let proj = projection();
    let (front, outline) = projected(&proj);
    let bands = [(0.0, 30_000.0), (150_000.0, 1e9)];
    let km2 = band_km2(&outline, &front, &bands);
    let mut counts = [0usize; 2];
    for h in &default_region().dataset.hazard_areas {
        let c = h
            .geometry()
            .as_multi_polygon()
            .centroid()
            .expect("centroid");
        let d = Euclidean.distance(&metres(&proj, c), &front);
        for (i, (lo, hi)) in bands.iter().enumerate() {
            if (*lo..*hi).contains(&d) {
                counts[i] += 1;
            }
        }
    }
    let near = counts[0] as f64 / km2[0];
    let far = counts[1] as f64 / km2[1];
    println!(
        "hazards per km²: near {near:.3} ({} in {:.0} km²), far {far:.3} ({} in {:.0} km²)",
        counts[0], km2[0], counts[1], km2[1]
    );
    assert!(km2[0] > 3_000.0 && km2[1] > 3_000.0, "bands {km2:?}");
    assert!(near > 4.0 * far, "near {near} far {far}");
}

#[test]
fn damage_is_heavier_near_the_front() {
    let proj = projection();
    let (front, _) = projected(&proj);
    let grade = |d: DamageLevel| DamageLevel::ALL.iter().position(|x| *x == d).unwrap_or(0) as f64;
    let (mut near, mut far) = (Vec::new(), Vec::new());
    for a in &default_region().dataset.assets {
        let d = Euclidean.distance(&metres(&proj, a.footprint.anchor()), &front);
        if d < 30_000.0 {
            near.push(grade(a.damage));
        } else if d > 120_000.0 {
            far.push(grade(a.damage));
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "mean damage grade (0 undamaged .. 4 destroyed): near {:.2} ({}), far {:.2} ({})",
        mean(&near),
        near.len(),
        mean(&far),
        far.len()
    );
    assert!(near.len() > 100 && far.len() > 100);
    assert!(
        mean(&near) > mean(&far) + 1.0,
        "near {} far {}",
        mean(&near),
        mean(&far)
    );
}

//! Cutting released land out of a hazard area near Kharkiv: a partial release, a release
//! that empties the area, polygons outside the area or over land released before, and a
//! property over random rectangles.

use bonifica_model::{CutError, Polygonal, cut_release, cut_to_revised};
use proptest::prelude::*;

use crate::fixtures::{close_to, rect};

/// A hazard area 400 m east–west by 300 m north–south: 12 ha.
fn area() -> Polygonal {
    rect(0.0, 0.0, 400.0, 300.0)
}

#[test]
fn a_partial_release_leaves_the_rest_open() {
    let area = area();
    let released = rect(0.0, 0.0, 150.0, 300.0);
    let cut = cut_release(&area, &[], &released).unwrap();

    let before_m2 = area.area_m2();
    assert!(close_to(before_m2, 120_000.0, 0.01), "{before_m2}");
    assert!(close_to(cut.released_m2, released.area_m2(), 0.005));
    let rest = cut.remainder.as_ref().expect("most of the area stays open");
    assert!(close_to(rest.area_m2(), cut.remainder_m2, 1e-9));
    assert!(
        close_to(cut.remainder_m2, before_m2 - released.area_m2(), 0.005),
        "{} vs {}",
        cut.remainder_m2,
        before_m2 - released.area_m2()
    );
    // The remainder is the eastern 250 m: it matches that rectangle.
    assert!(close_to(
        cut.remainder_m2,
        rect(150.0, 0.0, 400.0, 300.0).area_m2(),
        0.001
    ));
}

#[test]
fn a_release_in_the_middle_leaves_a_hole() {
    let area = area();
    let released = rect(100.0, 100.0, 200.0, 200.0);
    let cut = cut_release(&area, &[], &released).unwrap();
    let rest = cut.remainder.unwrap();
    let polygons = &rest.as_multi_polygon().0;
    assert_eq!(polygons.len(), 1);
    assert_eq!(
        polygons[0].interiors().len(),
        1,
        "the released square is a hole"
    );
    assert!(close_to(
        cut.remainder_m2,
        area.area_m2() - released.area_m2(),
        0.005
    ));
}

#[test]
fn a_release_of_the_whole_area_leaves_nothing() {
    let area = area();
    let cut = cut_release(&area, &[], &area).unwrap();
    assert_eq!(cut.remainder, None);
    assert_eq!(cut.remainder_m2, 0.0);
    assert!(close_to(cut.released_m2, area.area_m2(), 0.001));
}

#[test]
fn a_diagonal_release_from_corner_to_corner_leaves_the_other_half() {
    let area = area();
    let half = polygon_m(&[(0.0, 0.0), (400.0, 0.0), (0.0, 300.0)]).unwrap();
    let cut = cut_release(&area, &[], &half).unwrap();
    let rest = cut.remainder.unwrap();
    assert_eq!(rest.as_multi_polygon().0.len(), 1);
    let other = polygon_m(&[(400.0, 0.0), (400.0, 300.0), (0.0, 300.0)]).unwrap();
    assert!(close_to(cut.remainder_m2, other.area_m2(), 0.001));
    assert!(close_to(cut.released_m2, half.area_m2(), 0.001));
}

#[test]
fn a_sliver_under_a_square_metre_counts_as_nothing() {
    // The released polygon leaves out a 3 cm × 30 m strip in the south-east corner:
    // 0.9 m², which counts as nothing, so the area is emptied.
    let area = area();
    let released = polygon_m(&[
        (0.0, 0.0),
        (399.97, 0.0),
        (399.97, 30.0),
        (400.0, 30.0),
        (400.0, 300.0),
        (0.0, 300.0),
    ])
    .unwrap();
    let cut = cut_release(&area, &[], &released).unwrap();
    assert_eq!(cut.remainder, None);
    // Twice as long, the strip is 1.8 m² and stays open.
    let released = polygon_m(&[
        (0.0, 0.0),
        (399.97, 0.0),
        (399.97, 60.0),
        (400.0, 60.0),
        (400.0, 300.0),
        (0.0, 300.0),
    ])
    .unwrap();
    let cut = cut_release(&area, &[], &released).unwrap();
    assert!(cut.remainder.is_some());
    assert!(
        close_to(cut.remainder_m2, 1.8, 0.02),
        "{}",
        cut.remainder_m2
    );
}

#[test]
fn a_polygon_outside_the_area_is_refused_with_the_outside_square_metres() {
    // 50 m past the northern edge along 100 m: 5,000 m² outside of 15,000 m².
    let released = rect(0.0, 200.0, 100.0, 350.0);
    let err = cut_release(&area(), &[], &released).unwrap_err();
    let CutError::Outside {
        outside_m2,
        polygon_m2,
    } = err
    else {
        panic!("{err:?}");
    };
    assert!(close_to(outside_m2, 5000.0, 0.01), "{outside_m2}");
    assert!(close_to(polygon_m2, 15_000.0, 0.01), "{polygon_m2}");
    let message = err.to_string();
    assert!(message.contains(" m² of the "), "{message}");
    assert!(message.contains("lie outside the hazard area"), "{message}");
    assert!(
        message.contains("4,9") || message.contains("5,0"),
        "{message}"
    );
}

#[test]
fn a_polygon_a_few_centimetres_over_the_edge_is_accepted() {
    // 5 cm past the western edge along 300 m: 15 m² of 30,015 m², within 0.1 %.
    let released = rect(-0.05, 0.0, 100.0, 300.0);
    let cut = cut_release(&area(), &[], &released).unwrap();
    assert!(close_to(
        cut.released_m2,
        rect(0.0, 0.0, 100.0, 300.0).area_m2(),
        0.001
    ));
}

#[test]
fn a_polygon_over_land_released_before_is_refused() {
    let area = area();
    let first = rect(0.0, 0.0, 100.0, 300.0);
    let cut = cut_release(&area, &[], &first).unwrap();
    let rest = cut.remainder.unwrap();
    // The next day's polygon reaches 20 m back into the first day's strip.
    let second = rect(80.0, 0.0, 200.0, 300.0);
    let err = cut_release(&rest, std::slice::from_ref(&cut.released), &second).unwrap_err();
    let CutError::OverlapsReleased { overlap_m2 } = err else {
        panic!("{err:?}");
    };
    assert!(close_to(overlap_m2, 6000.0, 0.01), "{overlap_m2}");
    assert!(err.to_string().contains("already released"), "{err}");
    // Sharing only the edge is fine.
    let adjacent = rect(100.0, 0.0, 200.0, 300.0);
    let cut2 = cut_release(&rest, &[cut.released], &adjacent).unwrap();
    assert!(close_to(
        cut2.remainder_m2,
        rect(200.0, 0.0, 400.0, 300.0).area_m2(),
        0.005
    ));
}

#[test]
fn a_polygon_that_barely_touches_the_area_releases_nothing() {
    let released = rect(399.9, 0.0, 400.0, 5.0); // 0.5 m²
    let err = cut_release(&area(), &[], &released).unwrap_err();
    assert!(matches!(err, CutError::NothingReleased { .. }), "{err:?}");
}

#[test]
fn a_survey_revision_releases_the_land_outside_it() {
    let area = area();
    let revised = rect(100.0, 0.0, 400.0, 300.0);
    let cut = cut_to_revised(&area, &[], &revised).unwrap().unwrap();
    assert!(close_to(
        cut.released_m2,
        rect(0.0, 0.0, 100.0, 300.0).area_m2(),
        0.005
    ));
    assert!(close_to(cut.remainder_m2, revised.area_m2(), 0.005));
    // A revision that keeps the whole area releases nothing.
    assert_eq!(cut_to_revised(&area, &[], &area).unwrap(), None);
    // A revision reaching outside is refused like a release would be.
    let outside = rect(100.0, 0.0, 450.0, 300.0);
    let err = cut_to_revised(&area, &[], &outside).unwrap_err();
    assert!(matches!(err, CutError::Outside { .. }), "{err:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever rectangle inside the area is released, released and remaining land add up
    /// to the area.
    #[test]
    fn released_and_remaining_land_add_up_to_the_area(
        x0 in 0.0..390.0f64,
        y0 in 0.0..290.0f64,
        w in 5.0..400.0f64,
        h in 5.0..300.0f64,
    ) {
        let x1 = (x0 + w).min(400.0);
        let y1 = (y0 + h).min(300.0);
        let area = area();
        let cut = cut_release(&area, &[], &rect(x0, y0, x1, y1)).unwrap();
        let total = cut.released_m2 + cut.remainder_m2;
        prop_assert!(
            close_to(total, area.area_m2(), 0.005),
            "released {} + remaining {} = {} against {}",
            cut.released_m2, cut.remainder_m2, total, area.area_m2()
        );
    }
}

/// A polygon from metre positions, closed here.
fn polygon_m(points: &[(f64, f64)]) -> Option<Polygonal> {
    let mut ring: Vec<[f64; 2]> = points
        .iter()
        .map(|&(x, y)| crate::fixtures::at(x, y))
        .collect();
    ring.push(ring[0]);
    Polygonal::from_raw(&[vec![ring]]).ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Day after day a team releases the next strip of the area, each drawn against the
    /// strip before; the area closes on the last day and nothing is lost or counted twice.
    #[test]
    fn strips_released_day_by_day_close_the_area(
        cuts in proptest::collection::vec(10.0..390.0f64, 1..6),
    ) {
        let mut edges = cuts;
        edges.sort_by(f64::total_cmp);
        edges.dedup_by(|a, b| (*a - *b).abs() < 2.0);
        edges.push(400.0);
        let whole = area();
        let mut current = whole.clone();
        let mut released: Vec<Polygonal> = Vec::new();
        let mut x0 = 0.0;
        for (i, &x1) in edges.iter().enumerate() {
            let cut = cut_release(&current, &released, &rect(x0, 0.0, x1, 300.0)).unwrap();
            released.push(cut.released);
            match cut.remainder {
                Some(rest) => {
                    prop_assert!(i + 1 < edges.len(), "the last strip leaves {} m²", cut.remainder_m2);
                    current = rest;
                }
                None => prop_assert_eq!(i + 1, edges.len(), "closed early at {}", x1),
            }
            x0 = x1;
        }
        let total: f64 = released.iter().map(Polygonal::area_m2).sum();
        prop_assert!(close_to(total, whole.area_m2(), 0.005), "{} vs {}", total, whole.area_m2());
    }

    /// Any triangle within the area cuts cleanly, and the land adds up.
    #[test]
    fn triangles_within_the_area_cut_cleanly(
        a in (0.0..400.0f64, 0.0..300.0f64),
        b in (0.0..400.0f64, 0.0..300.0f64),
        c in (0.0..400.0f64, 0.0..300.0f64),
    ) {
        let Some(triangle) = polygon_m(&[a, b, c]) else { return Ok(()); };
        prop_assume!(triangle.area_m2() > 5.0);
        let whole = area();
        let cut = cut_release(&whole, &[], &triangle).unwrap();
        let total = cut.released_m2 + cut.remainder_m2;
        prop_assert!(close_to(total, whole.area_m2(), 0.005));
    }
}

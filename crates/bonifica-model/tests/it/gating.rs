//! Gating on hand-made cases near 50° N, where one degree of longitude is about 71.7 km:
//! a road through a hazard, a road just outside the buffer, a hazard across a bridge.

use bonifica_model::{
    Asset, AssetKind, Classification, ClosureReason, Code, Contamination, DamageLevel, Footprint,
    Gating, HazardArea, LocalProjection, NewHazardArea, Polygonal, RecordKind, ReleaseEvent,
    ServiceValue, Terrain, Vegetation,
};
use uuid::Uuid;

const LAT: f64 = 50.0;

/// Metres east of 36.0° E at 50° N, in degrees of longitude.
fn east(m: f64) -> f64 {
    36.0 + m / (111_412.84 * LAT.to_radians().cos() - 93.5 * (3.0 * LAT.to_radians()).cos())
}

/// Metres north of 50° N, in degrees of latitude (about 111.23 km a degree here).
fn north(m: f64) -> f64 {
    LAT + m / 111_229.0
}

fn hazard(n: u32, x0: f64, y0: f64, x1: f64, y1: f64) -> HazardArea {
    let ring = vec![
        [east(x0), north(y0)],
        [east(x1), north(y0)],
        [east(x1), north(y1)],
        [east(x0), north(y1)],
        [east(x0), north(y0)],
    ];
    HazardArea::new(NewHazardArea {
        id: Uuid::from_u128(u128::from(n)),
        code: Code::new(RecordKind::HazardArea, n),
        region_id: Uuid::nil(),
        organisation_id: None,
        geometry: Polygonal::from_raw(&[vec![ring]]).unwrap(),
        classification: Classification::Sha,
        contamination: Contamination::AntiPersonnelMines,
        density_per_ha: 1.0,
        terrain: Terrain::Flat,
        vegetation: Vegetation::Light,
        clearance_depth_cm: 13,
        evidence: String::new(),
        restricted: false,
        as_of: chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
    })
}

fn asset(n: u32, kind: AssetKind, footprint: Footprint) -> Asset {
    Asset {
        id: Uuid::from_u128(1000 + u128::from(n)),
        code: Code::new(RecordKind::Asset, n),
        region_id: Uuid::nil(),
        name: format!("asset {n}"),
        kind,
        footprint,
        damage: DamageLevel::Moderate,
        repair: Vec::new(),
        service: ServiceValue::default(),
        depends_on: Vec::new(),
        restricted: false,
        restored: false,
    }
}

/// A north–south road at `x` metres east, from 0 to 2,000 m north.
fn road(n: u32, x: f64) -> Asset {
    let line = Footprint::line(&[[east(x), north(0.0)], [east(x), north(2000.0)]]).unwrap();
    asset(n, AssetKind::RoadSegment, line)
}

fn gate(hazards: &[HazardArea], assets: &[Asset], buffer_m: f64) -> Gating {
    let projection = LocalProjection::centred_on(36.0).unwrap();
    Gating::compute(hazards, assets, buffer_m, &projection).unwrap()
}

#[test]
fn a_road_touching_a_hazard_is_blocked() {
    // Hazard from 100 to 300 m east; the road runs along its west edge and through it.
    let hazards = [hazard(1, 100.0, 500.0, 300.0, 700.0)];
    let assets = [road(1, 100.0), road(2, 200.0)];
    let gating = gate(&hazards, &assets, 0.0);
    assert_eq!(gating.of(assets[0].id), &[hazards[0].id]);
    assert_eq!(gating.of(assets[1].id), &[hazards[0].id]);
}

#[test]
fn a_road_just_outside_the_buffer_is_free_and_just_inside_is_blocked() {
    // Hazard's west edge at 100 m east; roads 49 m and 51 m west of it; buffer 50 m.
    let hazards = [hazard(1, 100.0, 500.0, 300.0, 700.0)];
    let inside = road(1, 51.0);
    let outside = road(2, 49.0);
    let gating = gate(&hazards, &[inside.clone(), outside.clone()], 50.0);
    assert_eq!(gating.of(inside.id), &[hazards[0].id]);
    assert!(
        gating.of(outside.id).is_empty(),
        "{:?}",
        gating.of(outside.id)
    );
    assert_eq!(gating.blocked_count(), 1);
}

#[test]
fn a_hazard_across_a_bridge_blocks_the_bridge_and_not_the_far_road() {
    // A bridge 60 m long over a river at 1,000 m north; the hazard covers the bridge's
    // south abutment only. A road 2 km away stays free.
    let bridge_line =
        Footprint::line(&[[east(0.0), north(970.0)], [east(0.0), north(1030.0)]]).unwrap();
    let bridge = asset(1, AssetKind::Bridge, bridge_line);
    let far_road = road(2, 2000.0);
    let hazards = [hazard(1, -40.0, 900.0, 40.0, 980.0)];
    let gating = gate(&hazards, &[bridge.clone(), far_road.clone()], 25.0);
    assert_eq!(gating.of(bridge.id), &[hazards[0].id]);
    assert!(gating.of(far_road.id).is_empty());
}

#[test]
fn a_point_asset_inside_a_hazard_is_blocked_by_every_overlapping_area() {
    let depot = asset(
        1,
        AssetKind::AgriculturalDepot,
        Footprint::point(east(150.0), north(600.0)).unwrap(),
    );
    let hazards = [
        hazard(1, 100.0, 500.0, 300.0, 700.0),
        hazard(2, 140.0, 590.0, 160.0, 610.0),
        hazard(3, 500.0, 500.0, 600.0, 600.0),
    ];
    let gating = gate(&hazards, std::slice::from_ref(&depot), 10.0);
    let mut expected = vec![hazards[0].id, hazards[1].id];
    expected.sort();
    assert_eq!(gating.of(depot.id), expected.as_slice());
}

#[test]
fn released_hazards_no_longer_block() {
    let mut cleared = hazard(1, 100.0, 500.0, 300.0, 700.0);
    let date = chrono::NaiveDate::from_ymd_opt(2027, 4, 1).unwrap();
    cleared.apply(ReleaseEvent::StartWork, date).unwrap();
    cleared
        .apply(ReleaseEvent::Close(ClosureReason::Cleared), date)
        .unwrap();
    let still_open = hazard(2, 100.0, 1500.0, 300.0, 1700.0);
    let road = road(1, 200.0);
    let gating = gate(
        &[cleared, still_open.clone()],
        std::slice::from_ref(&road),
        0.0,
    );
    assert_eq!(gating.of(road.id), &[still_open.id]);
}

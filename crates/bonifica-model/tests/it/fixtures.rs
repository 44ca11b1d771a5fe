//! Land near Kharkiv (36.2° E, 49.9° N) laid out in metres: rectangles built through the
//! model's own local projection, hazard areas and a report date.

use bonifica_model::{
    Classification, Code, Contamination, Date, HazardArea, LocalProjection, NewHazardArea,
    Polygonal, RecordKind, Terrain, Vegetation,
};
use geo_types::Coord;
use uuid::Uuid;

/// The origin of the layout: 36.2° E, 49.9° N.
pub const ORIGIN: Coord<f64> = Coord { x: 36.2, y: 49.9 };

/// Longitude and latitude of a point `x` metres east and `y` metres north of [`ORIGIN`].
pub fn at(x: f64, y: f64) -> [f64; 2] {
    let projection = LocalProjection::centred_on(ORIGIN.x).unwrap();
    let origin = projection.forward(ORIGIN).unwrap();
    let c = projection
        .inverse(Coord {
            x: origin.x + x,
            y: origin.y + y,
        })
        .unwrap();
    [c.x, c.y]
}

/// The rectangle from (`x0`, `y0`) to (`x1`, `y1`) metres, counter-clockwise.
pub fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygonal {
    let ring = vec![at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1), at(x0, y0)];
    Polygonal::from_raw(&[vec![ring]]).unwrap()
}

pub fn day(d: u32) -> Date {
    Date::from_ymd_opt(2027, 5, d).unwrap()
}

pub fn hazard_id(n: u32) -> Uuid {
    Uuid::from_u128(0x4841_0000 + u128::from(n))
}

/// An open hazard area `HA-000n` over `geometry`.
pub fn hazard(n: u32, geometry: Polygonal, classification: Classification) -> HazardArea {
    HazardArea::new(NewHazardArea {
        id: hazard_id(n),
        code: Code::new(RecordKind::HazardArea, n),
        region_id: Uuid::nil(),
        organisation_id: None,
        geometry,
        classification,
        contamination: Contamination::AntiPersonnelMines,
        density_per_ha: 2.0,
        terrain: Terrain::Rolling,
        vegetation: Vegetation::Medium,
        clearance_depth_cm: 13,
        evidence: "shepherd saw a PMN-2 near the tree line".into(),
        restricted: false,
        as_of: day(1),
    })
}

/// True when `a` and `b` agree within `share` of `b`.
pub fn close_to(a: f64, b: f64, share: f64) -> bool {
    (a - b).abs() <= share * b.abs()
}

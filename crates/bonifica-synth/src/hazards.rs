//! Hazard areas: where they lie, what shape they take and what the field knows of them.
//!
//! Contamination falls with distance from the former front (an exponential with a 25 km
//! scale over a floor), and hazard areas cluster along roads, around settlements and next
//! to assets, with the rest in open fields, so that gating bites. Polygons are blobs drawn
//! in frame metres (star-shaped, hence simple) and checked again through
//! [`Polygonal`](bonifica_model::Polygonal) after projection. A coarse grid of bounding
//! circles keeps them from overlapping one another.

use bonifica_model::{
    Classification, Code, Contamination, Date, HazardArea, NewHazardArea, RecordKind, Series,
    Terrain, Vegetation,
};
use geo_types::Coord;
use rand::Rng;
use uuid::Uuid;

use crate::assets::{Planned, Shape};
use crate::frame::{Frame, at_chainage, blob, chainage, distance_m, polyline_distance_m, reach_m};
use crate::geography::Geography;
use crate::networks::Networks;
use crate::sample::{Stream, choose, log_normal, log_uniform, pick};
use crate::{Ids, SynthError};

/// Hazard areas at density 1.
const BASE_COUNT: f64 = 6_300.0;
/// The contamination floor far from the front, relative to the front itself.
const FLOOR: f64 = 0.05;
/// Grid cell of the overlap check, in metres.
const CELL_M: f64 = 1_000.0;

/// Where a hazard area was drawn from.
#[derive(Clone, Copy, PartialEq)]
enum Anchor {
    Roadside,
    Settlement,
    Asset,
    Military,
    Field,
}

/// What a hazard area needs from the rest of the region.
pub(crate) struct Context<'a> {
    pub geo: &'a Geography,
    pub networks: &'a Networks,
    pub planned: &'a [Planned],
    pub frame: &'a Frame,
    pub region_id: Uuid,
    pub operators: &'a [Uuid],
    pub start_date: Date,
}

/// Draws about `BASE_COUNT × density` hazard areas.
pub(crate) fn generate(
    rng: &mut Stream,
    cx: &Context<'_>,
    ids: &mut Ids,
    density: f64,
) -> Result<Vec<HazardArea>, SynthError> {
    let target = (BASE_COUNT * density).round() as usize;
    let lines = LineSampler::new(cx.networks);
    let point_assets: Vec<Coord<f64>> = cx
        .planned
        .iter()
        .filter(|p| {
            !matches!(p.shape, Shape::Line(_)) || p.kind == bonifica_model::AssetKind::Bridge
        })
        .filter(|p| !p.restricted)
        .map(|p| p.anchor)
        .collect();
    let military: Vec<Coord<f64>> = cx
        .planned
        .iter()
        .filter(|p| p.restricted)
        .map(|p| p.anchor)
        .collect();
    let mut grid = Grid::new(cx.geo);
    let mut out = Vec::with_capacity(target);
    let mut attempts = 0;
    while out.len() < target && attempts < target * 60 {
        attempts += 1;
        let anchor = pick(
            rng,
            &[
                (0.40, Anchor::Roadside),
                (0.20, Anchor::Settlement),
                (0.10, Anchor::Asset),
                (
                    if military.is_empty() { 0.0 } else { 0.015 },
                    Anchor::Military,
                ),
                (0.285, Anchor::Field),
            ],
        );
        let area_m2 = log_normal(rng, 40_000.0, 1.05, 5_000.0, 2_000_000.0);
        let Some((centre, heading, elongation)) =
            place(rng, cx, &lines, &point_assets, &military, anchor, area_m2)
        else {
            continue;
        };
        if !cx.geo.contains(centre) {
            continue;
        }
        let intensity = cx.geo.front_intensity(centre);
        if !rng.gen_bool((FLOOR + intensity) / (FLOOR + 1.0)) {
            continue;
        }
        let b = (area_m2 / (std::f64::consts::PI * elongation)).sqrt();
        let vertices = if area_m2 > 200_000.0 { 32 } else { 20 };
        let ring = blob(rng, centre, b * elongation, b, heading, vertices);
        let reach = reach_m(&ring, centre);
        if !ring.iter().all(|c| cx.geo.contains(*c)) || grid.overlaps(centre, reach) {
            continue;
        }
        let code = Code::new(RecordKind::HazardArea, out.len() as u32 + 1);
        let Ok(geometry) = cx.frame.area(&ring, code.as_str()) else {
            // A blob that fails the check after projection is dropped and drawn again.
            continue;
        };
        grid.insert(centre, reach);
        let restricted = anchor == Anchor::Military;
        let (id, code) = ids.next_in(RecordKind::HazardArea, Series::of(restricted));
        let organisation_id = Some(*choose(rng, cx.operators));
        out.push(describe(
            rng,
            cx,
            anchor,
            centre,
            intensity,
            NewHazardArea {
                id,
                code,
                region_id: cx.region_id,
                organisation_id,
                geometry,
                classification: Classification::Sha,
                contamination: Contamination::Uxo,
                density_per_ha: 0.0,
                terrain: Terrain::Flat,
                vegetation: Vegetation::Light,
                clearance_depth_cm: 13,
                evidence: String::new(),
                restricted,
                as_of: cx.start_date,
            },
        ));
    }
    Ok(out)
}

/// Centre, heading (radians) and elongation of a hazard area drawn from `anchor`.
fn place(
    rng: &mut Stream,
    cx: &Context<'_>,
    lines: &LineSampler<'_>,
    point_assets: &[Coord<f64>],
    military: &[Coord<f64>],
    anchor: Anchor,
    area_m2: f64,
) -> Option<(Coord<f64>, f64, f64)> {
    let angle = rng.gen_range(0.0..std::f64::consts::TAU);
    let around = |rng: &mut Stream, c: Coord<f64>, min: f64, max: f64| {
        let r = rng.gen_range(min..max.max(min + 1.0));
        Coord {
            x: c.x + r * angle.cos(),
            y: c.y + r * angle.sin(),
        }
    };
    match anchor {
        Anchor::Roadside => {
            let (at, heading) = lines.sample(rng)?;
            let elongation = rng.gen_range(2.0..5.0);
            let b = (area_m2 / (std::f64::consts::PI * elongation)).sqrt();
            let side = if rng.gen_bool(0.5) { 1.0 } else { -1.0 };
            let offset = side * (rng.gen_range(-0.3..1.0) * b + rng.gen_range(0.0..220.0));
            let centre = Coord {
                x: at.x - heading.sin() * offset,
                y: at.y + heading.cos() * offset,
            };
            Some((centre, heading, elongation))
        }
        Anchor::Settlement => {
            let place = choose(rng, &cx.geo.places);
            let centre = around(
                rng,
                place.centre,
                place.radius_m * 0.3,
                place.radius_m + 1_500.0,
            );
            Some((centre, rng.gen_range(0.0..3.2), rng.gen_range(1.0..2.5)))
        }
        Anchor::Asset | Anchor::Military => {
            let pool = if anchor == Anchor::Military {
                military
            } else {
                point_assets
            };
            if pool.is_empty() {
                return None;
            }
            let r = (area_m2 / std::f64::consts::PI).sqrt();
            let site = *choose(rng, pool);
            let centre = around(rng, site, 0.3 * r, r + 300.0);
            Some((centre, rng.gen_range(0.0..3.2), rng.gen_range(1.0..2.0)))
        }
        Anchor::Field => Some((
            cx.geo.random_point(rng),
            rng.gen_range(0.0..3.2),
            rng.gen_range(1.0..3.0),
        )),
    }
}

/// Fills in what the field knows of a hazard area drawn at `centre`.
fn describe(
    rng: &mut Stream,
    cx: &Context<'_>,
    anchor: Anchor,
    centre: Coord<f64>,
    s: f64,
    new: NewHazardArea,
) -> HazardArea {
    let cha = rng
        .gen_bool((0.26 + 0.32 * s + if anchor == Anchor::Military { 0.2 } else { 0.0 }).min(0.95));
    let classification = if cha {
        Classification::Cha
    } else {
        Classification::Sha
    };
    let roadside = f64::from(u8::from(anchor == Anchor::Roadside));
    let settled = f64::from(u8::from(
        anchor == Anchor::Settlement || anchor == Anchor::Asset,
    ));
    let military = f64::from(u8::from(anchor == Anchor::Military));
    let contamination = pick(
        rng,
        &[
            (0.04 + 0.40 * s, Contamination::AntiPersonnelMines),
            (
                0.03 + 0.30 * s + 0.12 * s * roadside,
                Contamination::AntiVehicleMines,
            ),
            (0.30 + 0.10 * roadside + 0.15 * settled, Contamination::Uxo),
            (
                0.14 + 0.15 * roadside + 0.2 * settled,
                Contamination::ClusterMunitions,
            ),
            (0.01 + 0.04 * settled, Contamination::Ied),
            (0.05 + 0.4 * military, Contamination::AbandonedOrdnance),
            (0.03 + 0.22 * s, Contamination::Mixed),
        ],
    );
    let clearance_depth_cm = match contamination {
        Contamination::AntiVehicleMines => pick(rng, &[(0.4, 20), (0.2, 25), (0.4, 30)]),
        Contamination::Uxo if rng.gen_bool(0.3) => pick(rng, &[(0.5, 25), (0.5, 30)]),
        Contamination::Mixed if rng.gen_bool(0.25) => 20,
        _ => 13,
    };
    let (lo, hi) = density_range(contamination, classification);
    let density_per_ha = (log_uniform(rng, lo, hi) * 100.0).round() / 100.0;
    let near_river = cx
        .geo
        .rivers
        .iter()
        .flat_map(|r| &r.parts)
        .any(|part| polyline_distance_m(centre, part) < 1_500.0);
    let terrain = match anchor {
        Anchor::Settlement => pick(
            rng,
            &[
                (0.5, Terrain::Urban),
                (0.3, Terrain::Flat),
                (0.2, Terrain::Rolling),
            ],
        ),
        _ if near_river => pick(
            rng,
            &[
                (0.4, Terrain::Wetland),
                (0.4, Terrain::Flat),
                (0.2, Terrain::Rolling),
            ],
        ),
        _ => pick(
            rng,
            &[
                (0.5, Terrain::Flat),
                (0.35, Terrain::Rolling),
                (0.07, Terrain::Steep),
                (0.08, Terrain::Wetland),
            ],
        ),
    };
    let vegetation = match (anchor, terrain) {
        (_, Terrain::Urban) => pick(
            rng,
            &[
                (0.35, Vegetation::Bare),
                (0.35, Vegetation::Light),
                (0.3, Vegetation::Medium),
            ],
        ),
        (Anchor::Roadside, _) => pick(
            rng,
            &[
                (0.1, Vegetation::Bare),
                (0.3, Vegetation::Light),
                (0.45, Vegetation::Medium),
                (0.15, Vegetation::Heavy),
            ],
        ),
        _ => pick(
            rng,
            &[
                (0.1, Vegetation::Bare),
                (0.42, Vegetation::Light),
                (0.3, Vegetation::Medium),
                (0.18, Vegetation::Heavy),
            ],
        ),
    };
    let evidence = evidence(rng, cx.start_date, classification, contamination, anchor);
    let as_of = cx.start_date - chrono::Days::new(rng.gen_range(1..=240));
    HazardArea::new(NewHazardArea {
        classification,
        contamination,
        density_per_ha,
        terrain,
        vegetation,
        clearance_depth_cm,
        evidence,
        as_of,
        ..new
    })
}

/// Plausible items per hectare for a contamination type: (low, high).
fn density_range(contamination: Contamination, classification: Classification) -> (f64, f64) {
    let confirmed = classification == Classification::Cha;
    match (contamination, confirmed) {
        (Contamination::AntiPersonnelMines, true) => (3.0, 40.0),
        (Contamination::AntiPersonnelMines, false) => (0.2, 5.0),
        (Contamination::AntiVehicleMines, true) => (0.5, 8.0),
        (Contamination::AntiVehicleMines, false) => (0.05, 1.5),
        (Contamination::Uxo, true) => (0.5, 15.0),
        (Contamination::Uxo, false) => (0.1, 3.0),
        (Contamination::ClusterMunitions, true) => (2.0, 60.0),
        (Contamination::ClusterMunitions, false) => (0.3, 8.0),
        (Contamination::Ied, true) => (0.1, 2.0),
        (Contamination::Ied, false) => (0.05, 0.5),
        (Contamination::AbandonedOrdnance, true) => (1.0, 30.0),
        (Contamination::AbandonedOrdnance, false) => (0.2, 4.0),
        (Contamination::Mixed, true) => (1.0, 25.0),
        (Contamination::Mixed, false) => (0.2, 5.0),
    }
}

/// The evidence line a surveyor would write.
fn evidence(
    rng: &mut Stream,
    start: Date,
    classification: Classification,
    contamination: Contamination,
    anchor: Anchor,
) -> String {
    let date = start - chrono::Days::new(rng.gen_range(20..=700));
    let place = match anchor {
        Anchor::Roadside => *choose(
            rng,
            &[
                "along the road verge",
                "in the roadside tree line",
                "at the road junction",
                "in the drainage ditch",
            ],
        ),
        Anchor::Settlement => *choose(
            rng,
            &[
                "behind the school",
                "in the gardens at the village edge",
                "near the farm buildings",
                "in the orchard",
            ],
        ),
        Anchor::Asset | Anchor::Military => *choose(
            rng,
            &[
                "around the site fence",
                "at the access road",
                "in the trenches by the site",
            ],
        ),
        Anchor::Field => *choose(
            rng,
            &[
                "at the field edge",
                "in the tree line between fields",
                "across the sunflower field",
                "along the shelter belt",
            ],
        ),
    };
    let item = match contamination {
        Contamination::AntiPersonnelMines => *choose(
            rng,
            &[
                "PMN-2 mines",
                "tripwires of POM-2 mines",
                "PFM-1 scatterable mines",
                "OZM-72 fragments and tripwires",
            ],
        ),
        Contamination::AntiVehicleMines => *choose(
            rng,
            &[
                "TM-62 anti-vehicle mines",
                "TM-72 mines",
                "anti-vehicle mine casings",
            ],
        ),
        Contamination::Uxo => *choose(
            rng,
            &[
                "unexploded 152 mm projectiles",
                "unexploded 122 mm rockets",
                "mortar bombs",
                "tail fins of 120 mm bombs",
            ],
        ),
        Contamination::ClusterMunitions => *choose(
            rng,
            &[
                "9N210 submunitions",
                "cluster submunitions",
                "opened cluster rocket carriers",
            ],
        ),
        Contamination::Ied => *choose(
            rng,
            &["a suspected improvised device", "wires and a battery pack"],
        ),
        Contamination::AbandonedOrdnance => *choose(
            rng,
            &[
                "abandoned ammunition boxes",
                "abandoned grenades and charges",
                "an abandoned ammunition stack",
            ],
        ),
        Contamination::Mixed => *choose(
            rng,
            &[
                "mines and unexploded projectiles",
                "tripwires and unexploded mortar bombs",
            ],
        ),
    };
    match classification {
        Classification::Sha => match rng.gen_range(0..4) {
            0 => format!("local informant reports {item} {place}, seen around {date}"),
            1 => format!(
                "former firing positions {place} visible on imagery of {date}; no items seen"
            ),
            2 => format!("shelling recorded on {date}; craters {place}, {item} suspected"),
            _ => format!("farmer reports livestock lost {place} on {date}"),
        },
        Classification::Cha => match (contamination, rng.gen_range(0..3)) {
            (Contamination::AntiVehicleMines, 0) => {
                format!("mine incident {date}: a tractor struck a mine {place}")
            }
            (Contamination::AntiPersonnelMines, 0) => {
                format!("mine incident {date}: a civilian injured {place}")
            }
            (_, 1) => format!("EOD spot task {date} removed {item} {place}; more items visible"),
            _ => format!("visible {item} {place}, recorded {date}"),
        },
    }
}

/// Samples positions along the roads and railways, evenly by length.
struct LineSampler<'a> {
    lines: Vec<(&'a [Coord<f64>], Vec<f64>)>,
    ends: Vec<f64>,
}

impl<'a> LineSampler<'a> {
    fn new(networks: &'a Networks) -> LineSampler<'a> {
        let mut lines = Vec::new();
        let mut ends = Vec::new();
        let mut total = 0.0;
        for line in networks.roads.iter().chain(&networks.rail) {
            let cum = chainage(line);
            total += cum.last().copied().unwrap_or(0.0);
            ends.push(total);
            lines.push((line.as_slice(), cum));
        }
        LineSampler { lines, ends }
    }

    /// A position on a line and the line's heading there, in radians.
    fn sample(&self, rng: &mut Stream) -> Option<(Coord<f64>, f64)> {
        let total = *self.ends.last()?;
        if total <= 0.0 {
            return None;
        }
        let s = rng.gen_range(0.0..total);
        let i = self
            .ends
            .partition_point(|e| *e <= s)
            .min(self.lines.len() - 1);
        let start = if i == 0 { 0.0 } else { self.ends[i - 1] };
        let (line, cum) = &self.lines[i];
        let along = s - start;
        let a = at_chainage(line, cum, along);
        let b = at_chainage(line, cum, along + 10.0);
        let heading = if distance_m(a, b) > 0.0 {
            (b.y - a.y).atan2(b.x - a.x)
        } else {
            0.0
        };
        Some((a, heading))
    }
}

/// Bounding circles of the placed hazard areas on a coarse grid.
struct Grid {
    min: Coord<f64>,
    cols: usize,
    rows: usize,
    cells: Vec<Vec<(Coord<f64>, f64)>>,
    largest_m: f64,
}

impl Grid {
    fn new(geo: &Geography) -> Grid {
        let min = Coord {
            x: -geo.half_width_m * 1.2,
            y: -geo.half_height_m * 1.2,
        };
        let cols = (geo.half_width_m * 2.4 / CELL_M).ceil() as usize + 1;
        let rows = (geo.half_height_m * 2.4 / CELL_M).ceil() as usize + 1;
        Grid {
            min,
            cols,
            rows,
            cells: vec![Vec::new(); cols * rows],
            largest_m: 0.0,
        }
    }

    fn cell(&self, c: Coord<f64>) -> (usize, usize) {
        let col = ((c.x - self.min.x) / CELL_M)
            .floor()
            .clamp(0.0, (self.cols - 1) as f64) as usize;
        let row = ((c.y - self.min.y) / CELL_M)
            .floor()
            .clamp(0.0, (self.rows - 1) as f64) as usize;
        (col, row)
    }

    fn overlaps(&self, centre: Coord<f64>, reach_m: f64) -> bool {
        let span = ((reach_m + self.largest_m) / CELL_M).ceil() as usize;
        let (col, row) = self.cell(centre);
        let cols = col.saturating_sub(span)..=(col + span).min(self.cols - 1);
        cols.into_iter().any(|c| {
            (row.saturating_sub(span)..=(row + span).min(self.rows - 1)).any(|r| {
                self.cells[r * self.cols + c]
                    .iter()
                    .any(|(other, other_reach)| distance_m(centre, *other) < reach_m + other_reach)
            })
        })
    }

    fn insert(&mut self, centre: Coord<f64>, reach_m: f64) {
        let (col, row) = self.cell(centre);
        self.cells[row * self.cols + col].push((centre, reach_m));
        self.largest_m = self.largest_m.max(reach_m);
    }
}

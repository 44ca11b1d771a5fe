//! The lie of the land: the region's outline, the former front line along its eastern
//! edge, the rivers that cross it and the settlements, all in frame metres.

use geo::Contains;
use geo_types::{Coord, LineString, Point, Polygon};
use rand::Rng;

use crate::frame::{Frame, blob, distance_m, polyline_distance_m};
use crate::names::PlaceNames;
use crate::sample::{Stream, log_normal, log_uniform};
use crate::{Params, SynthError};

/// The region's target area, in square kilometres (geodesic).
pub(crate) const TARGET_AREA_KM2: f64 = 30_000.0;

/// Semi-axes of the outline before it is scaled to the target area, in metres.
const HALF_WIDTH_M: f64 = 125_000.0;
const HALF_HEIGHT_M: f64 = 65_000.0;

/// Rivers of the Kharkiv area, for flavour.
const RIVER_NAMES: &[&str] = &[
    "Siverskyi Donets",
    "Oskil",
    "Udy",
    "Mzha",
    "Bereka",
    "Lopan",
];

/// A river's course inside the region and its width.
pub(crate) struct RiverCourse {
    pub name: String,
    pub parts: Vec<Vec<Coord<f64>>>,
    pub width_m: f64,
}

/// A town or village.
pub(crate) struct Place {
    pub name: String,
    pub centre: Coord<f64>,
    pub population: u32,
    pub town: bool,
    /// Built-up radius, in metres.
    pub radius_m: f64,
    /// The built-up outline of a town; villages are points.
    pub ring: Option<Vec<Coord<f64>>>,
}

/// The region's geography in frame metres.
pub(crate) struct Geography {
    pub outline: Vec<Coord<f64>>,
    pub polygon: Polygon<f64>,
    pub half_width_m: f64,
    pub half_height_m: f64,
    pub front: Vec<Coord<f64>>,
    pub rivers: Vec<RiverCourse>,
    pub places: Vec<Place>,
}

impl Geography {
    /// Lays out the region: outline, front line, rivers and settlements.
    pub(crate) fn generate(
        rng: &mut Stream,
        frame: &Frame,
        params: &Params,
    ) -> Result<Geography, SynthError> {
        let (outline, scale) = outline(rng, frame)?;
        let polygon = closed(&outline);
        let (hw, hh) = (HALF_WIDTH_M * scale, HALF_HEIGHT_M * scale);
        let mut geo = Geography {
            outline,
            polygon,
            half_width_m: hw,
            half_height_m: hh,
            front: Vec::new(),
            rivers: Vec::new(),
            places: Vec::new(),
        };
        geo.front = front_line(rng, hw, hh)
            .into_iter()
            .filter_map(|c| geo.pull_inside(c, 4_000.0))
            .collect();
        geo.rivers = rivers(rng, &geo);
        geo.places = places(rng, &geo, params);
        Ok(geo)
    }

    /// True when a frame position lies inside the region.
    pub(crate) fn contains(&self, p: Coord<f64>) -> bool {
        self.polygon.contains(&Point(p))
    }

    /// The position moved west, in steps of 500 m, until it lies at least `margin_m`
    /// inside the region; `None` when no such position is within 15 km, which ends the
    /// front line before it would bend along the southern edge.
    fn pull_inside(&self, c: Coord<f64>, margin_m: f64) -> Option<Coord<f64>> {
        let mut boundary = self.outline.clone();
        boundary.extend(self.outline.first().copied());
        (0..30)
            .map(|k| Coord {
                x: c.x - 500.0 * f64::from(k),
                y: c.y,
            })
            .find(|p| self.contains(*p) && polyline_distance_m(*p, &boundary) >= margin_m)
    }

    /// Distance from a frame position to the former front line, in metres.
    pub(crate) fn front_distance_m(&self, p: Coord<f64>) -> f64 {
        polyline_distance_m(p, &self.front)
    }

    /// Nearness to the front on a 0–1 scale: 1 on the line, falling with a 25 km scale.
    pub(crate) fn front_intensity(&self, p: Coord<f64>) -> f64 {
        (-self.front_distance_m(p) / 25_000.0).exp()
    }

    /// A uniformly drawn position inside the region.
    pub(crate) fn random_point(&self, rng: &mut Stream) -> Coord<f64> {
        loop {
            let p = Coord {
                x: rng.gen_range(-self.half_width_m..self.half_width_m),
                y: rng.gen_range(-self.half_height_m..self.half_height_m),
            };
            if self.contains(p) {
                return p;
            }
        }
    }
}

fn closed(ring: &[Coord<f64>]) -> Polygon<f64> {
    let mut coords = ring.to_vec();
    coords.push(ring[0]);
    Polygon::new(LineString(coords), vec![])
}

/// A jittered super-ellipse about 250 km by 130 km, scaled so that its geodesic area is
/// the target. Returns the ring and the scale applied to the nominal semi-axes.
fn outline(rng: &mut Stream, frame: &Frame) -> Result<(Vec<Coord<f64>>, f64), SynthError> {
    let vertices = 96;
    // Long waves for the overall shape, short ones weaker so the edge does not scallop.
    let waves: Vec<(f64, f64, f64)> = [3.0_f64, 5.0, 9.0, 17.0]
        .iter()
        .map(|k| {
            let amplitude = rng.gen_range(0.03..0.1) / k.sqrt();
            (*k, amplitude, rng.gen_range(0.0..std::f64::consts::TAU))
        })
        .collect();
    let unit: Vec<Coord<f64>> = (0..vertices)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / vertices as f64;
            let (s, c) = t.sin_cos();
            // Super-ellipse of exponent 4: |x/a|^4 + |y/b|^4 = 1, as a radius per angle.
            let r = ((c / HALF_WIDTH_M).powi(4) + (s / HALF_HEIGHT_M).powi(4)).powf(-0.25);
            let wave: f64 = waves.iter().map(|(k, a, p)| a * (k * t + p).sin()).sum();
            let r = r * (1.0 + wave + rng.gen_range(-0.006..0.006));
            Coord { x: r * c, y: r * s }
        })
        .collect();
    let area_km2 = frame.area(&unit, "region outline")?.area_m2() / 1e6;
    let scale = (TARGET_AREA_KM2 / area_km2).sqrt();
    let ring = unit
        .iter()
        .map(|c| Coord {
            x: c.x * scale,
            y: c.y * scale,
        })
        .collect();
    Ok((ring, scale))
}

/// The former front line: a wavy line a few kilometres inside the eastern edge.
fn front_line(rng: &mut Stream, hw: f64, hh: f64) -> Vec<Coord<f64>> {
    let (p1, p2) = (rng.gen_range(0.0..6.3), rng.gen_range(0.0..6.3));
    let steps = 60;
    (0..=steps)
        .map(|i| {
            let y = -0.9 * hh + 1.8 * hh * i as f64 / steps as f64;
            let edge = hw * (1.0 - (y / hh).powi(4)).max(0.0).powf(0.25);
            let wave = 3_500.0 * (y / 9_000.0 + p1).sin() + 1_500.0 * (y / 3_100.0 + p2).sin();
            Coord {
                x: edge - 9_000.0 + wave,
                y,
            }
        })
        .collect()
}

/// Two to four meandering rivers running roughly north to south, spaced so that they
/// never cross: each is the graph of a function x(y), which cannot cross itself either.
fn rivers(rng: &mut Stream, geo: &Geography) -> Vec<RiverCourse> {
    let count = rng.gen_range(2..=4);
    let (hw, hh) = (geo.half_width_m, geo.half_height_m);
    let spacing = 1.5 * hw / count as f64;
    (0..count)
        .map(|k| {
            let base_x =
                -0.8 * hw + spacing * (k as f64 + 0.5) + rng.gen_range(-0.1..0.1) * spacing;
            let slope = rng.gen_range(-0.08..0.08);
            let waves: Vec<(f64, f64, f64)> =
                [(24_000.0, 7_500.0), (6_500.0, 1_800.0), (1_700.0, 250.0)]
                    .iter()
                    .map(|(wl, amp)| (*wl, amp * rng.gen_range(0.6..1.0), rng.gen_range(0.0..6.3)))
                    .collect();
            let course: Vec<Coord<f64>> = (0..)
                .map(|i| hh + 5_000.0 - 600.0 * f64::from(i))
                .take_while(|y| *y > -hh - 5_000.0)
                .map(|y| {
                    let wave: f64 = waves.iter().map(|(wl, a, p)| a * (y / wl + p).sin()).sum();
                    Coord {
                        x: base_x + slope * y + wave,
                        y,
                    }
                })
                .collect();
            RiverCourse {
                name: RIVER_NAMES[k % RIVER_NAMES.len()].to_string(),
                parts: clip_to(&course, geo),
                width_m: rng.gen_range(40.0..160.0),
            }
        })
        .collect()
}

/// The runs of a line inside the region, each kept one vertex beyond the boundary so that
/// it reaches the edge.
fn clip_to(line: &[Coord<f64>], geo: &Geography) -> Vec<Vec<Coord<f64>>> {
    let inside: Vec<bool> = line.iter().map(|c| geo.contains(*c)).collect();
    let mut parts = Vec::new();
    let mut current: Vec<Coord<f64>> = Vec::new();
    for (i, c) in line.iter().enumerate() {
        let near = inside[i] || (i > 0 && inside[i - 1]) || (i + 1 < line.len() && inside[i + 1]);
        if near {
            current.push(*c);
        } else if current.len() >= 2 {
            parts.push(std::mem::take(&mut current));
        } else {
            current.clear();
        }
    }
    if current.len() >= 2 {
        parts.push(current);
    }
    parts
}

/// A handful of towns (20,000–200,000 people) and many villages (100–5,000).
fn places(rng: &mut Stream, geo: &Geography, params: &Params) -> Vec<Place> {
    let mut names = PlaceNames::new();
    let mut places: Vec<Place> = Vec::new();
    let towns = rng.gen_range(8..=11);
    for t in 0..towns {
        let population = if t == 0 {
            rng.gen_range(130_000.0..200_000.0)
        } else {
            log_uniform(rng, 22_000.0, 110_000.0)
        };
        let Some(centre) = free_spot(rng, geo, &places, 15_000.0, 32_000.0, 32_000.0) else {
            continue;
        };
        let radius_m = 10.0 * population.sqrt();
        let heading = rng.gen_range(0.0..std::f64::consts::PI);
        let ring = blob(rng, centre, radius_m * 1.2, radius_m / 1.2, heading, 28);
        places.push(Place {
            name: names.town(rng),
            centre,
            population: population.round() as u32,
            town: true,
            radius_m,
            ring: Some(ring),
        });
    }
    let villages = (540.0 * params.asset_density).round().max(5.0) as usize;
    for _ in 0..villages {
        let Some(centre) = free_spot(rng, geo, &places, 1_500.0, 2_600.0, 3_000.0) else {
            continue;
        };
        let population = log_normal(rng, 680.0, 0.95, 100.0, 5_000.0);
        places.push(Place {
            name: names.village(rng),
            centre,
            population: population.round() as u32,
            town: false,
            radius_m: 8.0 * population.sqrt(),
            ring: None,
        });
    }
    places
}

/// A position inside the region at least `margin_m` from its edge, `from_village_m` from
/// every village and `from_town_m` beyond every town's built-up radius; `None` when the
/// region is too full.
fn free_spot(
    rng: &mut Stream,
    geo: &Geography,
    places: &[Place],
    margin_m: f64,
    from_village_m: f64,
    from_town_m: f64,
) -> Option<Coord<f64>> {
    let boundary = geo
        .outline
        .iter()
        .copied()
        .chain(geo.outline.first().copied());
    let boundary: Vec<Coord<f64>> = boundary.collect();
    (0..400).map(|_| geo.random_point(rng)).find(|p| {
        polyline_distance_m(*p, &boundary) >= margin_m
            && places.iter().all(|q| {
                let gap = if q.town {
                    q.radius_m + from_town_m
                } else {
                    from_village_m
                };
                distance_m(*p, q.centre) >= gap
            })
    })
}

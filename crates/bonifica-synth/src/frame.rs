//! The metric frame the generator draws in, and the plane shapes it draws.
//!
//! Everything is laid out in metres east and north of the region's centre, in the
//! model's transverse Mercator [`LocalProjection`], and only turned into WGS 84 degrees
//! when records are built. Shapes built here are simple by construction: a star-shaped
//! ring (one radius per angle, angles strictly increasing) cannot cross itself.

use bonifica_model::{Footprint, LocalProjection, Polygonal};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use rand::Rng;

use crate::SynthError;
use crate::sample::{Stream, normal};

/// A metric frame centred on a WGS 84 position.
pub(crate) struct Frame {
    projection: LocalProjection,
    origin: Coord<f64>,
}

impl Frame {
    /// A frame whose (0, 0) is at `lon0`, `lat0` degrees.
    pub(crate) fn centred_on(lon0: f64, lat0: f64) -> Result<Frame, SynthError> {
        let projection = LocalProjection::centred_on(lon0)?;
        let origin = projection.forward(Coord { x: lon0, y: lat0 })?;
        Ok(Frame { projection, origin })
    }

    /// Frame metres to WGS 84 degrees.
    pub(crate) fn to_lonlat(&self, c: Coord<f64>) -> Result<Coord<f64>, SynthError> {
        let ll = self.projection.inverse(Coord {
            x: c.x + self.origin.x,
            y: c.y + self.origin.y,
        })?;
        Ok(ll)
    }

    /// A line in frame metres as a WGS 84 line string.
    pub(crate) fn line(&self, coords: &[Coord<f64>]) -> Result<LineString<f64>, SynthError> {
        let coords = coords
            .iter()
            .map(|c| self.to_lonlat(*c))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LineString(coords))
    }

    /// A closed ring in frame metres (first vertex not repeated) as a checked area.
    pub(crate) fn area(&self, ring: &[Coord<f64>], what: &str) -> Result<Polygonal, SynthError> {
        let mut coords = ring
            .iter()
            .map(|c| self.to_lonlat(*c))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(first) = coords.first().copied() {
            coords.push(first);
        }
        let polygon = Polygon::new(LineString(coords), vec![]);
        Polygonal::try_from(MultiPolygon(vec![polygon])).map_err(|source| SynthError::Geometry {
            what: what.to_string(),
            source,
        })
    }

    /// A point in frame metres as a footprint.
    pub(crate) fn point(&self, c: Coord<f64>) -> Result<Footprint, SynthError> {
        let ll = self.to_lonlat(c)?;
        Ok(Footprint::Point(ll.into()))
    }
}

/// A blob: a star-shaped ring around `centre`, an ellipse of semi-axes `a_m` (along
/// `heading_rad`) and `b_m`, roughened by a few low harmonics and per-vertex jitter.
pub(crate) fn blob(
    rng: &mut Stream,
    centre: Coord<f64>,
    a_m: f64,
    b_m: f64,
    heading_rad: f64,
    vertices: usize,
) -> Vec<Coord<f64>> {
    let harmonics: Vec<(f64, f64, f64)> = (2..5)
        .map(|k| {
            let amplitude = rng.gen_range(0.0..0.12) / (k as f64 - 1.0);
            (
                k as f64,
                amplitude,
                rng.gen_range(0.0..std::f64::consts::TAU),
            )
        })
        .collect();
    let (sin_h, cos_h) = heading_rad.sin_cos();
    (0..vertices)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / vertices as f64;
            let (s, c) = t.sin_cos();
            let ellipse = a_m * b_m / ((b_m * c).powi(2) + (a_m * s).powi(2)).sqrt();
            let rough: f64 = harmonics
                .iter()
                .map(|(k, amp, phase)| amp * (k * t + phase).sin())
                .sum();
            let jitter = (0.04 * normal(rng)).clamp(-0.1, 0.1);
            let r = ellipse * (1.0 + rough + jitter).max(0.4);
            let (x, y) = (r * c, r * s);
            Coord {
                x: centre.x + x * cos_h - y * sin_h,
                y: centre.y + x * sin_h + y * cos_h,
            }
        })
        .collect()
}

/// The largest distance from a ring's vertices to `centre`, in metres.
pub(crate) fn reach_m(ring: &[Coord<f64>], centre: Coord<f64>) -> f64 {
    ring.iter()
        .map(|c| distance_m(*c, centre))
        .fold(0.0, f64::max)
}

/// A rotated rectangle (a building's plan) of `w_m` by `d_m`, first vertex not repeated.
pub(crate) fn rectangle(
    centre: Coord<f64>,
    w_m: f64,
    d_m: f64,
    heading_rad: f64,
) -> Vec<Coord<f64>> {
    let (s, c) = heading_rad.sin_cos();
    [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)]
        .iter()
        .map(|(u, v)| {
            let (x, y) = (u * w_m, v * d_m);
            Coord {
                x: centre.x + x * c - y * s,
                y: centre.y + x * s + y * c,
            }
        })
        .collect()
}

/// Planar distance between two frame positions, in metres.
pub(crate) fn distance_m(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).hypot(a.y - b.y)
}

/// Distance from `p` to the segment `a`–`b`, in metres.
pub(crate) fn segment_distance_m(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0)
    };
    distance_m(
        p,
        Coord {
            x: a.x + t * dx,
            y: a.y + t * dy,
        },
    )
}

/// Distance from `p` to a polyline, in metres.
pub(crate) fn polyline_distance_m(p: Coord<f64>, line: &[Coord<f64>]) -> f64 {
    line.windows(2)
        .map(|w| segment_distance_m(p, w[0], w[1]))
        .fold(f64::INFINITY, f64::min)
}

/// Length of a polyline, in metres.
pub(crate) fn length_m(line: &[Coord<f64>]) -> f64 {
    line.windows(2).map(|w| distance_m(w[0], w[1])).sum()
}

/// A route from `a` to `b` with a vertex about every `step_m`, bowed sideways by up to
/// `bow` of its length and roughened by `jitter_m`; the ends are exactly `a` and `b`.
pub(crate) fn route(
    rng: &mut Stream,
    a: Coord<f64>,
    b: Coord<f64>,
    step_m: f64,
    bow: f64,
    jitter_m: f64,
) -> Vec<Coord<f64>> {
    let len = distance_m(a, b);
    let n = ((len / step_m).ceil() as usize).max(1);
    let (ux, uy) = if len > 0.0 {
        ((b.x - a.x) / len, (b.y - a.y) / len)
    } else {
        (1.0, 0.0)
    };
    let bow_m = rng.gen_range(-bow..=bow) * len;
    let wiggle_m = rng.gen_range(0.0..=bow * 0.4) * len;
    let phase = rng.gen_range(0.0..std::f64::consts::TAU);
    (0..=n)
        .map(|i| {
            let t = i as f64 / n as f64;
            let along = Coord {
                x: a.x + t * (b.x - a.x),
                y: a.y + t * (b.y - a.y),
            };
            if i == 0 || i == n {
                return along;
            }
            let side = bow_m * (std::f64::consts::PI * t).sin()
                + wiggle_m
                    * (3.0 * std::f64::consts::PI * t + phase).sin()
                    * (std::f64::consts::PI * t).sin()
                + (jitter_m * normal(rng)).clamp(-2.5 * jitter_m, 2.5 * jitter_m);
            Coord {
                x: along.x - uy * side,
                y: along.y + ux * side,
            }
        })
        .collect()
}

/// Cumulative lengths of a polyline's vertices from its start, in metres.
pub(crate) fn chainage(line: &[Coord<f64>]) -> Vec<f64> {
    let mut out = Vec::with_capacity(line.len());
    let mut total = 0.0;
    for (i, c) in line.iter().enumerate() {
        if i > 0 {
            total += distance_m(line[i - 1], *c);
        }
        out.push(total);
    }
    out
}

/// The position at chainage `s` metres along a polyline with chainage `cum`.
pub(crate) fn at_chainage(line: &[Coord<f64>], cum: &[f64], s: f64) -> Coord<f64> {
    let i = cum.partition_point(|&c| c <= s).clamp(1, line.len() - 1);
    let (a, b) = (line[i - 1], line[i]);
    let span = cum[i] - cum[i - 1];
    let t = if span > 0.0 {
        ((s - cum[i - 1]) / span).clamp(0.0, 1.0)
    } else {
        0.0
    };
    Coord {
        x: a.x + t * (b.x - a.x),
        y: a.y + t * (b.y - a.y),
    }
}

/// The part of a polyline between chainages `from` and `to` metres (from < to).
pub(crate) fn slice(line: &[Coord<f64>], cum: &[f64], from: f64, to: f64) -> Vec<Coord<f64>> {
    let mut out = vec![at_chainage(line, cum, from)];
    for (c, s) in line.iter().zip(cum) {
        if *s > from + 0.5 && *s < to - 0.5 {
            out.push(*c);
        }
    }
    out.push(at_chainage(line, cum, to));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Validation;
    use rand::SeedableRng;

    #[test]
    fn blobs_are_simple_polygons() {
        let mut rng = Stream::seed_from_u64(3);
        for i in 0..300 {
            let ring = blob(
                &mut rng,
                Coord { x: 0.0, y: 0.0 },
                900.0,
                120.0,
                i as f64,
                24,
            );
            let mut closed = ring.clone();
            closed.push(ring[0]);
            let polygon = Polygon::new(LineString(closed), vec![]);
            assert!(polygon.is_valid(), "blob {i} is not simple");
        }
    }

    #[test]
    fn slicing_a_route_keeps_its_ends_and_length() {
        let line = vec![
            Coord { x: 0.0, y: 0.0 },
            Coord { x: 1000.0, y: 0.0 },
            Coord {
                x: 1000.0,
                y: 1000.0,
            },
        ];
        let cum = chainage(&line);
        let part = slice(&line, &cum, 500.0, 1500.0);
        assert_eq!(part.first(), Some(&Coord { x: 500.0, y: 0.0 }));
        assert_eq!(
            part.last(),
            Some(&Coord {
                x: 1000.0,
                y: 500.0
            })
        );
        assert!((length_m(&part) - 1000.0).abs() < 1e-9);
    }
}

//! The networks: roads between settlements, railway lines between the major towns and the
//! power grid, with a bridge wherever a road or railway crosses a river.
//!
//! Roads are a minimum spanning tree over the settlements plus some nearest-neighbour
//! links, with main roads between the towns. Every route is cut at its river crossings
//! (found with `geo`'s segment intersection) into bridges and the segments between them,
//! and the segments next to a bridge depend on it. Power runs from substations near the
//! towns along a trunk tree, and from there to every village along a feeder tree; each
//! line depends on the substation that feeds it.

use std::collections::BTreeSet;

use bonifica_model::AssetKind;
use geo::line_intersection::{LineIntersection, line_intersection};
use geo_types::{Coord, Line};
use rand::Rng;

use crate::assets::{Net, Planned, Shape};
use crate::frame::{at_chainage, chainage, distance_m, length_m, route, slice};
use crate::geography::{Geography, Place};
use crate::sample::Stream;

/// Segments are never longer than this, in metres.
const MAX_SEGMENT_M: f64 = 15_000.0;

/// The linear networks as drawn, for placing hazards along them.
pub(crate) struct Networks {
    pub roads: Vec<Vec<Coord<f64>>>,
    pub rail: Vec<Vec<Coord<f64>>>,
}

/// What a route carries.
#[derive(Clone, Copy, PartialEq)]
enum Carrier {
    LocalRoad,
    MainRoad,
    Railway,
}

/// Lays out roads, railways and power, adding their assets to `planned`.
pub(crate) fn build(rng: &mut Stream, geo: &Geography, planned: &mut Vec<Planned>) -> Networks {
    let places = &geo.places;
    let mut roads = Vec::new();
    for (a, b, carrier) in road_links(rng, places) {
        let (step, bow, jitter) = match carrier {
            Carrier::MainRoad => (1_200.0, 0.05, 60.0),
            _ => (900.0, 0.1, 60.0),
        };
        let line = route(rng, places[a].centre, places[b].centre, step, bow, jitter);
        let name = format!("{} – {}", places[a].name, places[b].name);
        let population = places[a].population + places[b].population;
        lay(rng, geo, &line, carrier, &name, population, planned);
        roads.push(line);
    }
    let mut rail = Vec::new();
    for stops in railway_lines(places) {
        let population: u32 = stops.iter().map(|s| places[*s].population).sum();
        for leg in stops.windows(2) {
            let (a, b) = (&places[leg[0]], &places[leg[1]]);
            let line = route(rng, a.centre, b.centre, 1_500.0, 0.04, 15.0);
            let name = format!("{} – {}", a.name, b.name);
            lay(
                rng,
                geo,
                &line,
                Carrier::Railway,
                &name,
                population,
                planned,
            );
            rail.push(line);
        }
    }
    power(rng, geo, planned);
    Networks { roads, rail }
}

/// Road links as pairs of settlement indices: main roads between towns first, then a
/// minimum spanning tree over every settlement and a share of nearest-neighbour links.
fn road_links(rng: &mut Stream, places: &[Place]) -> Vec<(usize, usize, Carrier)> {
    let mut seen = BTreeSet::new();
    let mut links = Vec::new();
    let mut add = |a: usize, b: usize, carrier, links: &mut Vec<_>| {
        if a != b && seen.insert((a.min(b), a.max(b))) {
            links.push((a.min(b), a.max(b), carrier));
        }
    };
    let towns: Vec<usize> = (0..places.len()).filter(|i| places[*i].town).collect();
    let centres: Vec<Coord<f64>> = towns.iter().map(|i| places[*i].centre).collect();
    for (a, b) in spanning_tree(&centres) {
        add(towns[a], towns[b], Carrier::MainRoad, &mut links);
    }
    for (i, t) in towns.iter().enumerate() {
        if let Some(&(_, j)) = nearest(&centres, i).get(1) {
            add(*t, towns[j], Carrier::MainRoad, &mut links);
        }
    }
    let all: Vec<Coord<f64>> = places.iter().map(|p| p.centre).collect();
    for (a, b) in spanning_tree(&all) {
        add(a, b, Carrier::LocalRoad, &mut links);
    }
    for i in 0..all.len() {
        for (d, j) in nearest(&all, i).into_iter().take(3) {
            if d < 11_000.0 && rng.gen_bool(0.3) {
                add(i, j, Carrier::LocalRoad, &mut links);
            }
        }
    }
    links
}

/// Prim's minimum spanning tree over points, as index pairs (parent, child).
fn spanning_tree(points: &[Coord<f64>]) -> Vec<(usize, usize)> {
    let n = points.len();
    if n < 2 {
        return Vec::new();
    }
    let mut in_tree = vec![false; n];
    let mut best = vec![(f64::INFINITY, 0usize); n];
    in_tree[0] = true;
    for j in 1..n {
        best[j] = (distance_m(points[0], points[j]), 0);
    }
    let mut edges = Vec::with_capacity(n - 1);
    for _ in 1..n {
        let next = (0..n)
            .filter(|j| !in_tree[*j])
            .min_by(|a, b| best[*a].0.total_cmp(&best[*b].0));
        let Some(next) = next else { break };
        in_tree[next] = true;
        edges.push((best[next].1, next));
        for j in 0..n {
            let d = distance_m(points[next], points[j]);
            if !in_tree[j] && d < best[j].0 {
                best[j] = (d, next);
            }
        }
    }
    edges
}

/// The other points by distance from point `i`: (distance in metres, index).
fn nearest(points: &[Coord<f64>], i: usize) -> Vec<(f64, usize)> {
    let mut out: Vec<(f64, usize)> = (0..points.len())
        .filter(|j| *j != i)
        .map(|j| (distance_m(points[i], points[j]), j))
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    out
}

/// One or two railway lines through the largest towns, as ordered stops.
fn railway_lines(places: &[Place]) -> Vec<Vec<usize>> {
    let mut towns: Vec<usize> = (0..places.len()).filter(|i| places[*i].town).collect();
    towns.sort_by_key(|i| std::cmp::Reverse(places[*i].population));
    if towns.len() < 2 {
        return Vec::new();
    }
    let mut main: Vec<usize> = towns.iter().take(4).copied().collect();
    main.sort_by(|a, b| places[*a].centre.x.total_cmp(&places[*b].centre.x));
    let mut lines = vec![main];
    if towns.len() >= 7 {
        let mut branch = vec![towns[0], towns[4], towns[5]];
        branch.sort_by(|a, b| places[*a].centre.y.total_cmp(&places[*b].centre.y));
        lines.push(branch);
    }
    lines
}

/// Where a route crosses the rivers: (chainage in metres, river index), sorted.
fn crossings(line: &[Coord<f64>], geo: &Geography) -> Vec<(f64, usize)> {
    let cum = chainage(line);
    let mut found = Vec::new();
    for (r, river) in geo.rivers.iter().enumerate() {
        for part in &river.parts {
            let (min_x, max_x) = part
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), c| {
                    (lo.min(c.x), hi.max(c.x))
                });
            for (i, w) in line.windows(2).enumerate() {
                if w[0].x.max(w[1].x) < min_x || w[0].x.min(w[1].x) > max_x {
                    continue;
                }
                let road = Line::new(w[0], w[1]);
                for v in part.windows(2) {
                    let hit = match line_intersection(road, Line::new(v[0], v[1])) {
                        Some(LineIntersection::SinglePoint { intersection, .. }) => intersection,
                        Some(LineIntersection::Collinear { intersection }) => intersection.start,
                        None => continue,
                    };
                    found.push((cum[i] + distance_m(w[0], hit), r));
                }
            }
        }
    }
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    found.dedup_by(|a, b| (a.0 - b.0).abs() < 1.0);
    found
}

/// Cuts a route into bridges and segments and plans their assets.
fn lay(
    rng: &mut Stream,
    geo: &Geography,
    line: &[Coord<f64>],
    carrier: Carrier,
    name: &str,
    population: u32,
    planned: &mut Vec<Planned>,
) {
    let cum = chainage(line);
    let total = cum.last().copied().unwrap_or(0.0);
    if total < 10.0 {
        return;
    }
    // Bridge spans around each crossing, merged where they would overlap.
    let mut spans: Vec<(f64, f64, usize)> = Vec::new();
    for (s, river) in crossings(line, geo) {
        let half = geo.rivers[river].width_m / 2.0 + rng.gen_range(15.0..40.0);
        let (from, to) = ((s - half).max(0.0), (s + half).min(total));
        match spans.last_mut() {
            Some(last) if from <= last.1 + 300.0 => last.1 = to,
            _ => spans.push((from, to, river)),
        }
    }
    let target_m = match carrier {
        Carrier::LocalRoad => rng.gen_range(2_500.0..6_000.0),
        Carrier::MainRoad => rng.gen_range(4_000.0..9_000.0),
        Carrier::Railway => rng.gen_range(5_000.0..11_000.0),
    };
    let mut cursor = 0.0;
    let mut last_bridge: Option<usize> = None;
    for span in spans.iter().copied().map(Some).chain([None]) {
        let until = span.map_or(total, |s| s.0);
        let stretch = segments(
            line,
            &cum,
            (cursor, until),
            target_m,
            carrier,
            name,
            population,
            last_bridge,
            planned,
        );
        let Some((from, to, river)) = span else { break };
        let bridge = planned.len();
        let bridge_kind = if carrier == Carrier::Railway {
            "Railway bridge"
        } else {
            "Bridge"
        };
        planned.push(
            Planned::new(
                AssetKind::Bridge,
                format!("{bridge_kind} over the {} ({name})", geo.rivers[river].name),
                Shape::Line(slice(line, &cum, from, to)),
                at_chainage(line, &cum, (from + to) / 2.0),
            )
            .sized((to - from) / 1000.0)
            .serving(population, total, net(carrier))
            .main(carrier != Carrier::LocalRoad)
            .rail(carrier == Carrier::Railway),
        );
        if let Some((_, before)) = stretch {
            planned[before].depends_on.push(bridge);
        }
        last_bridge = Some(bridge);
        cursor = to;
    }
}

fn net(carrier: Carrier) -> Net {
    match carrier {
        Carrier::Railway => Net::Rail,
        Carrier::LocalRoad | Carrier::MainRoad => Net::Road,
    }
}

/// Splits the stretch from `from` to `to` metres into segments of about `target_m`.
/// The first segment depends on `after_bridge`; returns (first, last) planned indices.
#[allow(clippy::too_many_arguments)]
fn segments(
    line: &[Coord<f64>],
    cum: &[f64],
    (from, to): (f64, f64),
    target_m: f64,
    carrier: Carrier,
    name: &str,
    population: u32,
    after_bridge: Option<usize>,
    planned: &mut Vec<Planned>,
) -> Option<(usize, usize)> {
    let len = to - from;
    if len < 5.0 {
        return None;
    }
    let n = ((len / target_m).round().max(1.0)).max((len / MAX_SEGMENT_M).ceil()) as usize;
    let (kind, label) = match carrier {
        Carrier::Railway => (AssetKind::RailwaySegment, "Railway"),
        Carrier::MainRoad => (AssetKind::RoadSegment, "Main road"),
        Carrier::LocalRoad => (AssetKind::RoadSegment, "Road"),
    };
    let first = planned.len();
    for i in 0..n {
        let a = from + len * i as f64 / n as f64;
        let b = from + len * (i + 1) as f64 / n as f64;
        let coords = slice(line, cum, a, b);
        let km = length_m(&coords) / 1000.0;
        let mut asset = Planned::new(
            kind,
            format!("{label} {name}, km {:.1}–{:.1}", a / 1000.0, b / 1000.0),
            Shape::Line(coords),
            at_chainage(line, cum, (a + b) / 2.0),
        )
        .sized(km)
        .serving(population, km * 1000.0, net(carrier))
        .main(carrier != Carrier::LocalRoad);
        if i == 0 {
            asset.depends_on.extend(after_bridge);
        }
        planned.push(asset);
    }
    Some((first, planned.len() - 1))
}

/// Substations near the towns and the larger villages, a trunk tree between them and a
/// feeder tree out to every village.
fn power(rng: &mut Stream, geo: &Geography, planned: &mut Vec<Planned>) {
    let places = &geo.places;
    // (planned index, position, town index or none)
    let mut stations: Vec<(usize, Coord<f64>, Option<usize>)> = Vec::new();
    for (i, place) in places.iter().enumerate() {
        let count = match (place.town, place.population) {
            (true, p) if p > 80_000 => 3,
            (true, _) => 2,
            (false, p) if p > 2_500 => 1,
            _ => 0,
        };
        for k in 0..count {
            let reach = if place.town {
                rng.gen_range(1_500.0..4_000.0)
            } else {
                600.0
            };
            let angle = rng.gen_range(0.0..std::f64::consts::TAU);
            let at = Coord {
                x: place.centre.x + reach * angle.cos(),
                y: place.centre.y + reach * angle.sin(),
            };
            let at = if geo.contains(at) { at } else { place.centre };
            let voltage = if place.town && k == 0 {
                "110/35/10 kV"
            } else {
                "35/10 kV"
            };
            stations.push((planned.len(), at, Some(i)));
            planned.push(
                Planned::new(
                    AssetKind::Substation,
                    format!("Substation {} {} {}", place.name, k + 1, voltage),
                    Shape::Point(at),
                    at,
                )
                .sized(if place.town && k == 0 { 1.0 } else { 0.4 })
                .main(place.town),
            );
        }
    }
    if stations.is_empty() {
        return;
    }
    // Feeder tree: each village joins the nearest substation or already-fed village.
    let mut order: Vec<usize> = (0..places.len()).filter(|i| !places[*i].town).collect();
    let to_station = |p: Coord<f64>| {
        stations
            .iter()
            .map(|s| distance_m(s.1, p))
            .fold(f64::INFINITY, f64::min)
    };
    let station_gap: Vec<f64> = order
        .iter()
        .map(|i| to_station(places[*i].centre))
        .collect();
    let mut keyed: Vec<(f64, usize)> = station_gap.into_iter().zip(order.iter().copied()).collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    order = keyed.into_iter().map(|k| k.1).collect();
    // For every fed village: (village, parent: Ok(station) or Err(fed position), root station).
    let mut fed: Vec<(usize, Result<usize, usize>, usize)> = Vec::new();
    for v in &order {
        let p = places[*v].centre;
        let (ds, s) = stations
            .iter()
            .enumerate()
            .map(|(k, s)| (distance_m(s.1, p), k))
            .fold((f64::INFINITY, 0), |a, b| if b.0 < a.0 { b } else { a });
        let via = fed
            .iter()
            .enumerate()
            .map(|(k, f)| (distance_m(places[f.0].centre, p), k))
            .fold((f64::INFINITY, 0), |a, b| if b.0 < a.0 { b } else { a });
        if via.0 < ds {
            fed.push((*v, Err(via.1), fed[via.1].2));
        } else {
            fed.push((*v, Ok(s), s));
        }
    }
    let mut downstream: Vec<u32> = fed.iter().map(|f| places[f.0].population).collect();
    for k in (0..fed.len()).rev() {
        if let Err(parent) = fed[k].1 {
            downstream[parent] += downstream[k];
        }
    }
    let mut station_load = vec![0u32; stations.len()];
    for (k, f) in fed.iter().enumerate() {
        if let Ok(s) = f.1 {
            station_load[s] += downstream[k];
        }
    }
    for (k, f) in fed.iter().enumerate() {
        let from = match f.1 {
            Ok(s) => stations[s].1,
            Err(parent) => places[fed[parent].0].centre,
        };
        let to = places[f.0].centre;
        let line = route(rng, from, to, 2_500.0, 0.02, 20.0);
        let km = length_m(&line) / 1000.0;
        let mid = line[line.len() / 2];
        planned.push(Planned {
            depends_on: vec![stations[f.2].0],
            ..Planned::new(
                AssetKind::PowerLine,
                format!("10 kV line to {}", places[f.0].name),
                Shape::Line(line),
                mid,
            )
            .sized(km)
            .serving(downstream[k], f64::from(downstream[k]), Net::Power)
        });
    }
    trunk(rng, geo, &stations, &station_load, planned);
}

/// The 110 kV trunk: a spanning tree over the substations, each span split at 12 km.
fn trunk(
    rng: &mut Stream,
    geo: &Geography,
    stations: &[(usize, Coord<f64>, Option<usize>)],
    load: &[u32],
    planned: &mut Vec<Planned>,
) {
    let places = &geo.places;
    let points: Vec<Coord<f64>> = stations.iter().map(|s| s.1).collect();
    for (parent, child) in spanning_tree(&points) {
        let line = route(rng, points[parent], points[child], 2_000.0, 0.015, 25.0);
        let cum = chainage(&line);
        let total = cum.last().copied().unwrap_or(0.0);
        if total < 10.0 {
            continue;
        }
        let n = (total / 12_000.0).ceil().max(1.0) as usize;
        let town = |s: usize| stations[s].2.map_or("", |t| places[t].name.as_str());
        let served = load[child] + stations[child].2.map_or(0, |t| places[t].population / 3);
        for i in 0..n {
            let (a, b) = (
                total * i as f64 / n as f64,
                total * (i + 1) as f64 / n as f64,
            );
            let coords = slice(&line, &cum, a, b);
            let km = length_m(&coords) / 1000.0;
            planned.push(Planned {
                depends_on: vec![stations[parent].0],
                ..Planned::new(
                    AssetKind::PowerLine,
                    format!(
                        "110 kV line {} – {}, span {}",
                        town(parent),
                        town(child),
                        i + 1
                    ),
                    Shape::Line(coords),
                    at_chainage(&line, &cum, (a + b) / 2.0),
                )
                .sized(km)
                .serving(served, f64::from(served), Net::Power)
                .main(true)
            });
        }
    }
}

//! The asset register: the plan of every asset in frame metres, the facilities in and
//! around the settlements, and the step that turns plans into [`Asset`] records with a
//! damage assessment, repair work by trade and the service they give.
//!
//! Damage is heaviest near the former front and mostly minor or absent far from it.
//! Repair work scales with damage and size: kilometres for linear assets, a size figure in
//! person-days for the rest.

use bonifica_model::{
    Asset, AssetKind, DamageLevel, Footprint, RecordKind, RepairWork, Series, ServiceValue, Trade,
};
use geo_types::Coord;
use rand::Rng;
use uuid::Uuid;

use crate::frame::{Frame, distance_m, rectangle};
use crate::geography::Geography;
use crate::sample::{Stream, pick, weighted};
use crate::{Ids, SynthError};

/// Where an asset is, in frame metres.
pub(crate) enum Shape {
    Point(Coord<f64>),
    Line(Vec<Coord<f64>>),
    /// A ring, first vertex not repeated.
    Area(Vec<Coord<f64>>),
}

/// The network a linear asset belongs to, for its network share.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Net {
    Road,
    Rail,
    Power,
}

/// An asset before it becomes a record.
pub(crate) struct Planned {
    pub kind: AssetKind,
    pub name: String,
    pub shape: Shape,
    /// A representative position, for the damage assessment and nearby hazards.
    pub anchor: Coord<f64>,
    /// Kilometres for linear assets; a size figure in person-days for the rest.
    pub size: f64,
    pub main: bool,
    pub rail: bool,
    pub population_served: u32,
    /// The asset's weight in its network (length or population), before normalising.
    pub share_basis: f64,
    pub net: Option<Net>,
    /// Indices of planned assets to restore first.
    pub depends_on: Vec<usize>,
    pub restricted: bool,
}

impl Planned {
    pub(crate) fn new(kind: AssetKind, name: String, shape: Shape, anchor: Coord<f64>) -> Planned {
        Planned {
            kind,
            name,
            shape,
            anchor,
            size: 1.0,
            main: false,
            rail: false,
            population_served: 0,
            share_basis: 0.0,
            net: None,
            depends_on: Vec::new(),
            restricted: false,
        }
    }

    pub(crate) fn sized(self, size: f64) -> Planned {
        Planned { size, ..self }
    }

    pub(crate) fn serving(self, population: u32, share_basis: f64, net: Net) -> Planned {
        Planned {
            population_served: population,
            share_basis,
            net: Some(net),
            ..self
        }
    }

    pub(crate) fn main(self, main: bool) -> Planned {
        Planned { main, ..self }
    }

    pub(crate) fn rail(self, rail: bool) -> Planned {
        Planned { rail, ..self }
    }

    fn people(self, population: u32) -> Planned {
        Planned {
            population_served: population,
            ..self
        }
    }
}

/// Civil buildings, water and heating works in and around the settlements, agricultural
/// depots in the countryside and military structures, most of them near the front.
pub(crate) fn facilities(
    rng: &mut Stream,
    geo: &Geography,
    density: f64,
    planned: &mut Vec<Planned>,
) {
    for place in &geo.places {
        if place.town {
            town_facilities(rng, geo, place, planned);
        } else {
            village_facilities(rng, place, planned);
        }
    }
    let villages: Vec<usize> = (0..geo.places.len())
        .filter(|i| !geo.places[*i].town)
        .collect();
    let depots = (620.0 * density).round() as usize;
    for _ in 0..depots {
        if villages.is_empty() {
            break;
        }
        let v = &geo.places[villages[rng.gen_range(0..villages.len())]];
        let Some(at) = near(rng, geo, v.centre, 800.0, 4_000.0) else {
            continue;
        };
        let (what, size) = pick(
            rng,
            &[
                (3.0, ("Grain store", 250.0)),
                (1.0, ("Grain elevator", 900.0)),
                (2.0, ("Machine yard", 300.0)),
                (1.0, ("Fertiliser store", 150.0)),
                (1.0, ("Fuel depot", 120.0)),
            ],
        );
        let w = rng.gen_range(60.0..180.0);
        let shape = Shape::Area(rectangle(
            at,
            w,
            w * rng.gen_range(0.4..0.9),
            rng.gen_range(0.0..3.1),
        ));
        planned.push(
            Planned::new(
                AssetKind::AgriculturalDepot,
                format!("{what} near {}", v.name),
                shape,
                at,
            )
            .sized(size)
            .people(v.population),
        );
    }
    let military = (60.0 * density).round() as usize;
    let mut placed = 0;
    while placed < military {
        let at = geo.random_point(rng);
        if !rng.gen_bool(0.15 + 0.85 * geo.front_intensity(at)) {
            continue;
        }
        placed += 1;
        let what = pick(
            rng,
            &[
                (2.0, "Fortified position"),
                (1.0, "Ammunition depot"),
                (1.0, "Barracks"),
                (1.0, "Checkpoint"),
                (1.0, "Air defence position"),
                (1.0, "Vehicle park"),
            ],
        );
        let w = rng.gen_range(80.0..400.0);
        let shape = Shape::Area(rectangle(
            at,
            w,
            w * rng.gen_range(0.3..1.0),
            rng.gen_range(0.0..3.1),
        ));
        planned.push(Planned {
            restricted: true,
            ..Planned::new(
                AssetKind::MilitaryStructure,
                format!("{what} {placed}"),
                shape,
                at,
            )
            .sized(rng.gen_range(200.0..1_500.0))
        });
    }
}

/// A town facility: kind, name, how many, size in person-days, people served by each,
/// and its plan (width, depth) in metres.
type TownFacility = (AssetKind, &'static str, u32, f64, u32, (f64, f64));

fn town_facilities(
    rng: &mut Stream,
    geo: &Geography,
    place: &crate::geography::Place,
    planned: &mut Vec<Planned>,
) {
    let pop = place.population;
    let hinterland: u32 = geo
        .places
        .iter()
        .filter(|p| !p.town && distance_m(p.centre, place.centre) < 20_000.0)
        .map(|p| p.population)
        .sum();
    let schools = pop.div_ceil(9_000).min(14);
    let hospitals = pop.div_ceil(60_000);
    let water = 1 + u32::from(pop > 60_000);
    let heating = 1 + u32::from(pop > 80_000);
    let table: [TownFacility; 5] = [
        (
            AssetKind::CivilBuilding,
            "City administration",
            1,
            700.0,
            pop,
            (60.0, 40.0),
        ),
        (
            AssetKind::CivilBuilding,
            "Hospital",
            hospitals,
            2_500.0,
            pop / hospitals + hinterland / hospitals,
            (130.0, 60.0),
        ),
        (
            AssetKind::CivilBuilding,
            "School",
            schools,
            900.0,
            pop / schools,
            (80.0, 40.0),
        ),
        (
            AssetKind::WaterWorks,
            "Water treatment plant",
            water,
            1_800.0,
            pop / water,
            (150.0, 100.0),
        ),
        (
            AssetKind::HeatingWorks,
            "Boiler house",
            heating,
            1_400.0,
            pop / heating,
            (90.0, 60.0),
        ),
    ];
    for (kind, what, count, size, served, (w, d)) in table {
        for k in 0..count {
            let angle = rng.gen_range(0.0..std::f64::consts::TAU);
            let reach = place.radius_m * rng.gen_range(0.05..0.7);
            let at = Coord {
                x: place.centre.x + reach * angle.cos(),
                y: place.centre.y + reach * angle.sin(),
            };
            let shape = Shape::Area(rectangle(at, w, d, rng.gen_range(0.0..3.1)));
            let name = if count > 1 {
                format!("{what} No. {} {}", k + 1, place.name)
            } else {
                format!("{what} {}", place.name)
            };
            planned.push(
                Planned::new(kind, name, shape, at)
                    .sized(size * rng.gen_range(0.7..1.3))
                    .people(served),
            );
        }
    }
}

fn village_facilities(
    rng: &mut Stream,
    place: &crate::geography::Place,
    planned: &mut Vec<Planned>,
) {
    let pop = place.population;
    let table: [(AssetKind, &str, u32, f64, f64); 5] = [
        (AssetKind::CivilBuilding, "Village council", 150, 0.8, 250.0),
        (AssetKind::CivilBuilding, "School", 350, 0.85, 600.0),
        (AssetKind::CivilBuilding, "Medical point", 500, 0.75, 150.0),
        (
            AssetKind::CivilBuilding,
            "House of culture",
            900,
            0.6,
            350.0,
        ),
        (AssetKind::WaterWorks, "Water tower", 1_200, 0.5, 120.0),
    ];
    for (kind, what, min_pop, chance, size) in table {
        if pop < min_pop || !rng.gen_bool(chance) {
            continue;
        }
        let angle = rng.gen_range(0.0..std::f64::consts::TAU);
        let reach = rng.gen_range(30.0..place.radius_m.max(60.0));
        let at = Coord {
            x: place.centre.x + reach * angle.cos(),
            y: place.centre.y + reach * angle.sin(),
        };
        planned.push(
            Planned::new(kind, format!("{what} {}", place.name), Shape::Point(at), at)
                .sized(size * rng.gen_range(0.7..1.3))
                .people(pop),
        );
    }
}

/// A position inside the region between `min_m` and `max_m` from `centre`.
fn near(
    rng: &mut Stream,
    geo: &Geography,
    centre: Coord<f64>,
    min_m: f64,
    max_m: f64,
) -> Option<Coord<f64>> {
    (0..20)
        .map(|_| {
            let angle = rng.gen_range(0.0..std::f64::consts::TAU);
            let r = rng.gen_range(min_m..max_m);
            Coord {
                x: centre.x + r * angle.cos(),
                y: centre.y + r * angle.sin(),
            }
        })
        .find(|p| geo.contains(*p))
}

/// A damage assessment drawn for a position: severe and destroyed near the front, minor
/// or undamaged far from it.
pub(crate) fn assess(rng: &mut Stream, geo: &Geography, at: Coord<f64>) -> DamageLevel {
    let near = (-geo.front_distance_m(at) / 45_000.0).exp();
    let far = 1.0 - near;
    let weights = [
        0.04 + 0.19 * far,
        0.14 + 0.46 * far,
        0.22 + 0.05 * far,
        0.08 + 0.32 * near,
        0.02 + 0.30 * near,
    ];
    [
        DamageLevel::Undamaged,
        DamageLevel::Minor,
        DamageLevel::Moderate,
        DamageLevel::Severe,
        DamageLevel::Destroyed,
    ][weighted(rng, &weights)]
}

/// The share of full reconstruction a damage level needs.
pub(crate) fn damage_factor(damage: DamageLevel) -> f64 {
    match damage {
        DamageLevel::Undamaged => 0.0,
        DamageLevel::Minor => 0.1,
        DamageLevel::Moderate => 0.35,
        DamageLevel::Severe => 0.7,
        DamageLevel::Destroyed => 1.0,
    }
}

/// Repair work by trade, in person-days, for a planned asset at a damage level.
fn repair(asset: &Planned, damage: DamageLevel) -> Vec<RepairWork> {
    let f = damage_factor(damage);
    if f == 0.0 {
        return Vec::new();
    }
    let size = asset.size;
    let split: Vec<(Trade, f64)> = match asset.kind {
        AssetKind::RoadSegment => {
            let per_km = if asset.main { 900.0 } else { 450.0 };
            vec![(Trade::Roads, size * per_km * f)]
        }
        AssetKind::Bridge => {
            // 300 person-days for a light repair of a short bridge, 3,000 to rebuild a long one.
            let length = ((size * 1000.0 - 60.0) / 200.0).clamp(0.0, 1.0);
            let total = 300.0 + 2_700.0 * length * f;
            let approach = if asset.rail {
                Trade::Rail
            } else {
                Trade::Roads
            };
            vec![(Trade::Bridges, total * 0.85), (approach, total * 0.15)]
        }
        AssetKind::RailwaySegment => vec![(Trade::Rail, size * 700.0 * f)],
        AssetKind::PowerLine => {
            let per_km = if asset.main { 120.0 } else { 50.0 };
            vec![(Trade::Power, size * per_km * f)]
        }
        AssetKind::Substation => vec![
            (Trade::Power, size * 1_500.0 * f),
            (Trade::General, size * 250.0 * f),
        ],
        AssetKind::CivilBuilding => vec![
            (Trade::Buildings, size * 0.75 * f),
            (Trade::General, size * 0.25 * f),
        ],
        AssetKind::WaterWorks => vec![
            (Trade::General, size * 0.5 * f),
            (Trade::Power, size * 0.2 * f),
            (Trade::Buildings, size * 0.3 * f),
        ],
        AssetKind::HeatingWorks => vec![
            (Trade::Buildings, size * 0.4 * f),
            (Trade::Power, size * 0.3 * f),
            (Trade::General, size * 0.3 * f),
        ],
        AssetKind::AgriculturalDepot => vec![
            (Trade::Buildings, size * 0.7 * f),
            (Trade::General, size * 0.3 * f),
        ],
        AssetKind::MilitaryStructure => vec![
            (Trade::Buildings, size * 0.5 * f),
            (Trade::General, size * 0.5 * f),
        ],
    };
    split
        .into_iter()
        .map(|(trade, pd)| RepairWork {
            trade,
            person_days: pd.round().max(1.0),
        })
        .collect()
}

/// Turns the plans into asset records: ids and codes in plan order, damage assessed at
/// each anchor, repair work, service and dependencies resolved to ids.
pub(crate) fn records(
    rng: &mut Stream,
    geo: &Geography,
    frame: &Frame,
    ids: &mut Ids,
    region_id: Uuid,
    planned: &[Planned],
) -> Result<Vec<Asset>, SynthError> {
    let keys: Vec<_> = planned
        .iter()
        .map(|p| {
            let restricted = p.restricted || p.kind == AssetKind::MilitaryStructure;
            ids.next_in(RecordKind::Asset, Series::of(restricted))
        })
        .collect();
    let total = |net: Net| -> f64 {
        match net {
            Net::Power => geo.places.iter().map(|p| f64::from(p.population)).sum(),
            Net::Road | Net::Rail => planned
                .iter()
                .filter(|p| p.net == Some(net) && p.kind != AssetKind::Bridge)
                .map(|p| p.share_basis)
                .sum(),
        }
    };
    let totals = [total(Net::Road), total(Net::Rail), total(Net::Power)];
    let mut out = Vec::with_capacity(planned.len());
    for (p, (id, code)) in planned.iter().zip(keys.iter().cloned()) {
        let damage = assess(rng, geo, p.anchor);
        let network_share = match p.net {
            Some(net) => {
                let t = totals[net as usize];
                if t > 0.0 {
                    (p.share_basis / t).clamp(0.0, 1.0)
                } else {
                    0.0
                }
            }
            None => 0.0,
        };
        let footprint = match &p.shape {
            Shape::Point(c) => frame.point(*c)?,
            Shape::Line(coords) => Footprint::Line(frame.line(coords)?),
            Shape::Area(ring) => Footprint::Area(frame.area(ring, &format!("asset {code}"))?),
        };
        out.push(Asset {
            id,
            code,
            region_id,
            name: p.name.clone(),
            kind: p.kind,
            footprint,
            damage,
            repair: repair(p, damage),
            service: ServiceValue {
                population_served: p.population_served,
                network_share,
            },
            depends_on: p.depends_on.iter().map(|d| keys[*d].0).collect(),
            restricted: p.restricted,
            restored: false,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undamaged_assets_need_no_repair_and_destroyed_ones_need_most() {
        let road = Planned::new(
            AssetKind::RoadSegment,
            "r".into(),
            Shape::Point(Coord { x: 0.0, y: 0.0 }),
            Coord { x: 0.0, y: 0.0 },
        )
        .sized(4.0);
        assert!(repair(&road, DamageLevel::Undamaged).is_empty());
        let minor: f64 = repair(&road, DamageLevel::Minor)
            .iter()
            .map(|w| w.person_days)
            .sum();
        let destroyed: f64 = repair(&road, DamageLevel::Destroyed)
            .iter()
            .map(|w| w.person_days)
            .sum();
        assert!(destroyed > 5.0 * minor, "{minor} {destroyed}");
    }

    #[test]
    fn bridge_repair_stays_within_300_to_3000_person_days() {
        for metres in [20.0, 100.0, 400.0] {
            let bridge = Planned::new(
                AssetKind::Bridge,
                "b".into(),
                Shape::Point(Coord { x: 0.0, y: 0.0 }),
                Coord { x: 0.0, y: 0.0 },
            )
            .sized(metres / 1000.0);
            for damage in [DamageLevel::Minor, DamageLevel::Destroyed] {
                let total: f64 = repair(&bridge, damage).iter().map(|w| w.person_days).sum();
                assert!(
                    (299.0..=3001.0).contains(&total),
                    "{metres} m {damage}: {total}"
                );
            }
        }
    }
}

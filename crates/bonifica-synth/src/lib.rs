//! A synthetic frontier region, generated from a seed: a plausible stand-in for the real
//! register while none can be shared, for demonstrations, tests and benchmarks.
//!
//! [`generate`] lays out a region of about 30,000 km² near Kharkiv (lon 34.7–38.3,
//! lat 49.4–50.6) with a former front line along its eastern edge, settlements, roads,
//! railways, power, rivers and bridges, damaged assets, hazard areas whose density falls
//! with distance from the front, the organisations and the contingent of deminers and
//! workers. It does no IO and reads no clock; the same [`Params`] give the same
//! [`Dataset`], record for record.
//!
//! Every stage draws from its own ChaCha8 stream derived from the seed, so changing how
//! one stage draws does not move the others. Record ids come from
//! [`stable_uuid`](bonifica_model::stable_uuid) and codes from [`Code::in_series`]: restricted
//! hazard areas and assets (military structures) are numbered in their own series.

mod assets;
mod frame;
mod geography;
mod hazards;
mod names;
mod networks;
mod sample;
mod workforce;

use std::collections::BTreeMap;

use bonifica_model::{
    Code, Dataset, DatasetError, Date, GeometryError, ProjectionError, RecordKind, Region, River,
    Series, WindowError, lines_from_raw, stable_uuid,
};
use geo_types::LineString;
use rand::SeedableRng;
use uuid::Uuid;

use crate::frame::Frame;
use crate::geography::Geography;
use crate::sample::Stream;

/// Longitude and latitude of the region's centre, in degrees.
const CENTRE: (f64, f64) = (36.5, 50.0);

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// The seed: the same seed gives the same region.
    pub seed: u64,
    /// Demining staff, every team member counted (default 1,000).
    pub deminers: u32,
    /// Reconstruction workers (default 5,000).
    pub workers: u32,
    /// Multiplier on the number of hazard areas (default 1.0, about 6,300 areas).
    pub hazard_density: f64,
    /// Multiplier on the number of villages and countryside assets (default 1.0).
    pub asset_density: f64,
    /// The programme's first day: contracts start within 90 days of it, and the hazard
    /// register's information dates fall before it.
    pub start_date: Date,
    /// The region's name, also used for the civil authority's name.
    pub region_name: String,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            seed: 1,
            deminers: 1_000,
            workers: 5_000,
            hazard_density: 1.0,
            asset_density: 1.0,
            start_date: Date::from_ymd_opt(2027, 3, 1).unwrap_or_default(),
            region_name: "Frontier Region".to_string(),
        }
    }
}

/// Why a region could not be generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SynthError {
    #[error("parameter {field} is {value}: {reason}")]
    InvalidParams {
        field: &'static str,
        value: String,
        reason: &'static str,
    },
    #[error("projection failed: {0}")]
    Projection(#[from] ProjectionError),
    #[error("{what}: {source}")]
    Geometry { what: String, source: GeometryError },
    #[error("contract window: {0}")]
    Window(#[from] WindowError),
    #[error("contract starting {date} cannot run {months} months")]
    DateOutOfRange { date: Date, months: u32 },
    #[error("the region has no town to base teams and crews at")]
    NoTowns,
    #[error("generated dataset is inconsistent: {0}")]
    Dataset(#[from] DatasetError),
}

/// A generated region with what lies outside the register: the former front line.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub dataset: Dataset,
    /// The former front line along the region's eastern edge, WGS 84.
    pub front_line: LineString<f64>,
}

/// Generates a region's register from `params`.
pub fn generate(params: &Params) -> Result<Dataset, SynthError> {
    generate_region(params).map(|g| g.dataset)
}

/// Generates a region's register and its front line from `params`.
pub fn generate_region(params: &Params) -> Result<Generated, SynthError> {
    check(params)?;
    let seed = params.seed;
    let mut ids = Ids::new(seed);
    let frame = Frame::centred_on(CENTRE.0, CENTRE.1)?;
    let geo = Geography::generate(&mut stream(seed, 1), &frame, params)?;

    let (region_id, region_code) = ids.next(RecordKind::Region);
    let region = Region {
        id: region_id,
        code: region_code,
        name: params.region_name.clone(),
        boundary: frame.area(&geo.outline, "region outline")?,
    };

    let mut planned = Vec::new();
    let networks = networks::build(&mut stream(seed, 2), &geo, &mut planned);
    assets::facilities(
        &mut stream(seed, 3),
        &geo,
        params.asset_density,
        &mut planned,
    );
    let orgs = workforce::organisations(
        &mut stream(seed, 4),
        &mut ids,
        region_id,
        &params.region_name,
    );
    let settlements = settlements(&geo, &frame, &mut ids, region_id)?;
    let rivers = rivers(&geo, &frame, &mut ids, region_id)?;
    let hazard_areas = hazards::generate(
        &mut stream(seed, 5),
        &hazards::Context {
            geo: &geo,
            networks: &networks,
            planned: &planned,
            frame: &frame,
            region_id,
            operators: &orgs.operators,
            start_date: params.start_date,
        },
        &mut ids,
        params.hazard_density,
    )?;
    let assets = assets::records(
        &mut stream(seed, 6),
        &geo,
        &frame,
        &mut ids,
        region_id,
        &planned,
    )?;
    let crowd = workforce::contingent(
        &mut stream(seed, 7),
        &mut ids,
        &workforce::Setting {
            geo: &geo,
            frame: &frame,
            orgs: &orgs,
            region_id,
            start_date: params.start_date,
        },
        params.deminers,
        params.workers,
    )?;
    let dataset = Dataset {
        regions: vec![region],
        organisations: orgs.records,
        people: crowd.people,
        contracts: crowd.contracts,
        teams: crowd.teams,
        crews: crowd.crews,
        settlements,
        hazard_areas,
        assets,
        rivers,
    };
    dataset.check()?;
    Ok(Generated {
        dataset,
        front_line: frame.line(&geo.front)?,
    })
}

fn check(params: &Params) -> Result<(), SynthError> {
    for (field, value) in [
        ("hazard_density", params.hazard_density),
        ("asset_density", params.asset_density),
    ] {
        if !(value.is_finite() && value > 0.0 && value <= 10.0) {
            return Err(SynthError::InvalidParams {
                field,
                value: value.to_string(),
                reason: "must be a multiplier above 0 and at most 10",
            });
        }
    }
    for (field, value) in [("deminers", params.deminers), ("workers", params.workers)] {
        if value > 200_000 {
            return Err(SynthError::InvalidParams {
                field,
                value: value.to_string(),
                reason: "must be at most 200000",
            });
        }
    }
    Ok(())
}

/// The random stream of one generation stage.
fn stream(seed: u64, stage: u64) -> Stream {
    let mut rng = Stream::seed_from_u64(seed);
    rng.set_stream(stage);
    rng
}

/// Hands out stable ids and codes. Ids are numbered per record kind from 1; codes per
/// kind and series from 1, so restricted records (`HAR-0001`, `ASR-0001`) leave no gaps in
/// the codes every role sees.
pub(crate) struct Ids {
    seed: u64,
    next: BTreeMap<RecordKind, u32>,
    codes: BTreeMap<(RecordKind, bool), u32>,
}

impl Ids {
    fn new(seed: u64) -> Ids {
        Ids {
            seed,
            next: BTreeMap::new(),
            codes: BTreeMap::new(),
        }
    }

    /// The id and code of the next record of `kind`.
    pub(crate) fn next(&mut self, kind: RecordKind) -> (Uuid, Code) {
        self.next_in(kind, Series::Visible)
    }

    /// The id and code of the next record of `kind` whose code is of `series`.
    pub(crate) fn next_in(&mut self, kind: RecordKind, series: Series) -> (Uuid, Code) {
        let n = self.next.entry(kind).or_insert(0);
        *n += 1;
        let id = stable_uuid(self.seed, kind, *n);
        let c = self
            .codes
            .entry((kind, series == Series::Restricted))
            .or_insert(0);
        *c += 1;
        (id, Code::in_series(kind, series, *c))
    }
}

fn settlements(
    geo: &Geography,
    frame: &Frame,
    ids: &mut Ids,
    region_id: Uuid,
) -> Result<Vec<bonifica_model::Settlement>, SynthError> {
    geo.places
        .iter()
        .map(|p| {
            let (id, code) = ids.next(RecordKind::Settlement);
            let footprint = match &p.ring {
                Some(ring) => bonifica_model::Footprint::Area(
                    frame.area(ring, &format!("settlement {code}"))?,
                ),
                None => frame.point(p.centre)?,
            };
            Ok(bonifica_model::Settlement {
                id,
                code,
                region_id,
                name: p.name.clone(),
                footprint,
                population: p.population,
            })
        })
        .collect()
}

fn rivers(
    geo: &Geography,
    frame: &Frame,
    ids: &mut Ids,
    region_id: Uuid,
) -> Result<Vec<River>, SynthError> {
    let mut out = Vec::new();
    for r in &geo.rivers {
        let mut parts = Vec::new();
        for part in &r.parts {
            let line = frame.line(part)?;
            parts.push(line.0.iter().map(|c| [c.x, c.y]).collect::<Vec<_>>());
        }
        if parts.is_empty() {
            continue;
        }
        let (id, code) = ids.next(RecordKind::River);
        let course = lines_from_raw(&parts).map_err(|source| SynthError::Geometry {
            what: format!("river {code}"),
            source,
        })?;
        out.push(River {
            id,
            code,
            region_id,
            name: r.name.clone(),
            course,
        });
    }
    Ok(out)
}

//! Times the GeoPackage store on a region of demo size (6,000 hazard areas, 4,000 assets,
//! 6,000 people and contracts): one insert, one full load, and a box query.
//!
//! `cargo run --release -p bonifica-store --example store_bench [-- FILE.gpkg]`
//! keeps the file when a path is given, so it can be opened in QGIS or checked with GDAL.

use std::time::Instant;

use bonifica_model::{
    Asset, AssetKind, Classification, Code, Contamination, Contract, ContractWindow, Crew,
    DamageLevel, Dataset, Date, Footprint, HazardArea, Method, NewHazardArea, Organisation,
    OrganisationKind, Person, Polygonal, RecordKind, Region, RepairWork, Role, ServiceValue, Team,
    Terrain, Trade, Vegetation, stable_uuid,
};
use bonifica_store::{BBox, GeoPackage, Store};
use geo_types::Point;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = match std::env::args().nth(1) {
        Some(p) => std::path::PathBuf::from(p),
        None => dir.path().join("bench.gpkg"),
    };
    let dataset = demo_sized()?;
    let mut store = GeoPackage::create_overwriting(&path)?;
    let started = Instant::now();
    store.insert(&dataset)?;
    let insert_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let loaded = store.load()?;
    let load_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let found = store.hazard_areas_in_bbox(BBox::new(36.0, 49.6, 36.5, 50.0))?;
    let bbox_ms = started.elapsed().as_secs_f64() * 1e3;
    assert!(
        loaded == dataset,
        "the loaded dataset differs from the inserted one"
    );
    println!(
        "{} hazard areas, {} assets, {} people, {} contracts",
        dataset.hazard_areas.len(),
        dataset.assets.len(),
        dataset.people.len(),
        dataset.contracts.len()
    );
    println!(
        "insert {insert_s:.3} s, load {load_s:.3} s, bbox query {bbox_ms:.1} ms ({} found)",
        found.len()
    );
    println!("file {}", path.display());
    Ok(())
}

fn square(lon: f64, lat: f64, size: f64) -> Result<Polygonal, Box<dyn std::error::Error>> {
    let ring = vec![
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ];
    Ok(Polygonal::from_raw(&[vec![ring]])?)
}

fn demo_sized() -> Result<Dataset, Box<dyn std::error::Error>> {
    let id = |kind, n| stable_uuid(1, kind, n);
    let region = id(RecordKind::Region, 1);
    let day = |d: u32| Date::from_ymd_opt(2026, 1, 1).map(|s| s + chrono::Days::new(d.into()));
    let start = day(0).ok_or("bad date")?;
    let mut d = Dataset {
        regions: vec![Region {
            id: region,
            code: Code::new(RecordKind::Region, 1),
            name: "Demo".to_string(),
            boundary: square(35.9, 49.4, 2.2)?,
        }],
        ..Dataset::default()
    };
    for n in 1..=20 {
        d.organisations.push(Organisation {
            id: id(RecordKind::Organisation, n),
            code: Code::new(RecordKind::Organisation, n),
            region_id: region,
            name: format!("Organisation {n}"),
            kind: OrganisationKind::ALL[n as usize % OrganisationKind::ALL.len()],
        });
    }
    for n in 1..=6000u32 {
        let deminer = n <= 1000;
        d.people.push(Person {
            id: id(RecordKind::Person, n),
            code: Code::new(RecordKind::Person, n),
            region_id: region,
            organisation_id: id(RecordKind::Organisation, 1 + n % 20),
            name: format!("Person {n}"),
            role: if deminer { Role::Deminer } else { Role::Worker },
            trade: (!deminer).then_some(Trade::ALL[n as usize % Trade::ALL.len()]),
            qualifications: vec!["IMAS EOD level 2".to_string()],
        });
        d.contracts.push(Contract {
            id: id(RecordKind::Contract, n),
            code: Code::new(RecordKind::Contract, n),
            region_id: region,
            person_id: id(RecordKind::Person, n),
            organisation_id: id(RecordKind::Organisation, 1 + n % 20),
            window: ContractWindow::new(start, day(180 + n % 365).ok_or("bad date")?)?,
        });
    }
    let members = |first: u32| {
        (first..first + 10)
            .map(|p| id(RecordKind::Person, p))
            .collect()
    };
    for n in 1..=100u32 {
        d.teams.push(Team {
            id: id(RecordKind::Team, n),
            code: Code::new(RecordKind::Team, n),
            region_id: region,
            organisation_id: id(RecordKind::Organisation, 2),
            name: format!("Team {n}"),
            method: Method::ALL[n as usize % Method::ALL.len()],
            members: members((n - 1) * 10 + 1),
            base: Point::new(36.0 + f64::from(n) / 100.0, 50.0),
        });
    }
    for n in 1..=500u32 {
        d.crews.push(Crew {
            id: id(RecordKind::Crew, n),
            code: Code::new(RecordKind::Crew, n),
            region_id: region,
            organisation_id: id(RecordKind::Organisation, 3),
            name: format!("Crew {n}"),
            trade: Trade::ALL[n as usize % Trade::ALL.len()],
            members: members(1000 + (n - 1) * 10 + 1),
            base: Point::new(36.0 + f64::from(n) / 500.0, 50.1),
        });
    }
    for n in 0..6000u32 {
        let (lon, lat) = (
            36.0 + f64::from(n % 80) * 0.025,
            49.5 + f64::from(n / 80) * 0.025,
        );
        d.hazard_areas.push(HazardArea::new(NewHazardArea {
            id: id(RecordKind::HazardArea, n + 1),
            code: Code::new(RecordKind::HazardArea, n + 1),
            region_id: region,
            organisation_id: Some(id(RecordKind::Organisation, 2)),
            geometry: square(lon, lat, 0.01)?,
            classification: if n % 3 == 0 {
                Classification::Cha
            } else {
                Classification::Sha
            },
            contamination: Contamination::ALL[n as usize % Contamination::ALL.len()],
            density_per_ha: f64::from(n % 17) / 4.0,
            terrain: Terrain::ALL[n as usize % Terrain::ALL.len()],
            vegetation: Vegetation::ALL[n as usize % Vegetation::ALL.len()],
            clearance_depth_cm: 13,
            evidence: "reported by residents".to_string(),
            restricted: n % 50 == 0,
            as_of: start,
        }));
    }
    for n in 0..4000u32 {
        let (lon, lat) = (
            36.01 + f64::from(n % 80) * 0.025,
            49.51 + f64::from(n / 80) * 0.025,
        );
        let footprint = match n % 3 {
            0 => Footprint::point(lon, lat)?,
            1 => Footprint::line(&[[lon, lat], [lon + 0.01, lat + 0.004], [lon + 0.02, lat]])?,
            _ => Footprint::Area(square(lon, lat, 0.002)?),
        };
        d.assets.push(Asset {
            id: id(RecordKind::Asset, n + 1),
            code: Code::new(RecordKind::Asset, n + 1),
            region_id: region,
            name: format!("Asset {n}"),
            kind: AssetKind::ALL[n as usize % AssetKind::ALL.len()],
            footprint,
            damage: DamageLevel::ALL[n as usize % DamageLevel::ALL.len()],
            repair: vec![RepairWork {
                trade: Trade::ALL[n as usize % Trade::ALL.len()],
                person_days: f64::from(n % 40) + 0.5,
            }],
            service: ServiceValue {
                population_served: n * 3,
                network_share: 0.001,
            },
            depends_on: if n > 0 {
                vec![id(RecordKind::Asset, n)]
            } else {
                vec![]
            },
            restricted: false,
            restored: false,
        });
    }
    Ok(d)
}

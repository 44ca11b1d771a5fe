//! Integration tests of import and export: the real reference geography, one small file per
//! kind of bad input, and export → import round trips of every layer.

mod bad_input;
mod byte_order_mark;
mod fuzz;
mod real_data;
mod round_trip;

use std::path::PathBuf;

use bonifica_model::Date;

/// The shared reference data, from `BONIFICA_SHARED_DATA` or beside the repository. Tests
/// fail rather than skip when it is missing.
pub fn shared_data(relative: &str) -> PathBuf {
    let root = std::env::var_os("BONIFICA_SHARED_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        PathBuf::from,
    );
    let path = root.join(relative);
    assert!(
        path.exists(),
        "shared data {} is missing: set BONIFICA_SHARED_DATA to the folder holding geo/",
        path.display()
    );
    path
}

/// A file under `test-data/interchange/`.
pub fn test_data(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-data/interchange")
        .join(relative)
}

/// The date of information used throughout the tests.
pub fn as_of() -> Date {
    Date::from_ymd_opt(2027, 3, 1).expect("valid date")
}

/// A small hand-made register with a record of every kind, coordinates given to at most
/// 7 decimals so exports round-trip exactly.
pub fn sample_dataset() -> bonifica_model::Dataset {
    use bonifica_model::*;
    use uuid::Uuid;

    let id = |n: u128| Uuid::from_u128(0x0b0f_0000_0000_4000_8000_0000_0000_0000 + n);
    let square = |x: f64, y: f64, size: f64| {
        // Rounded as the export rounds, so the round trip compares equal.
        let r = |v: f64| (v * 1e7).round() / 1e7;
        let (x2, y2) = (r(x + size), r(y + size));
        vec![[x, y], [x2, y], [x2, y2], [x, y2], [x, y]]
    };
    let area = |rings: RawPolygon| Polygonal::from_raw(&[rings]).expect("valid test polygon");
    let day = |y, m, d| Date::from_ymd_opt(y, m, d).expect("valid date");
    let region = Region {
        id: id(1),
        code: Code::new(RecordKind::Region, 1),
        name: "Kharkiv Raion".into(),
        boundary: area(vec![square(36.0, 49.8, 0.5)]),
    };
    let operator = Organisation {
        id: id(2),
        code: Code::new(RecordKind::Organisation, 1),
        region_id: region.id,
        name: "Slobozhanshchyna Demining".into(),
        kind: OrganisationKind::DeminingOperator,
    };
    let contractor = Organisation {
        id: id(3),
        code: Code::new(RecordKind::Organisation, 2),
        region_id: region.id,
        name: "Roads and Bridges, \"Kharkiv\"".into(),
        kind: OrganisationKind::ConstructionContractor,
    };
    let deminer = Person {
        id: id(4),
        code: Code::new(RecordKind::Person, 1),
        region_id: region.id,
        organisation_id: operator.id,
        name: "Olena Kovalenko".into(),
        role: Role::TeamLeader,
        trade: None,
        qualifications: vec!["IMAS EOD level 2".into(), "medic".into()],
    };
    let worker = Person {
        id: id(5),
        code: Code::new(RecordKind::Person, 2),
        region_id: region.id,
        organisation_id: contractor.id,
        name: "Petro Shevchuk".into(),
        role: Role::Worker,
        trade: Some(Trade::Bridges),
        qualifications: vec![],
    };
    let contract = Contract {
        id: id(6),
        code: Code::new(RecordKind::Contract, 1),
        region_id: region.id,
        person_id: deminer.id,
        organisation_id: operator.id,
        window: ContractWindow::new(day(2027, 1, 1), day(2028, 6, 30)).expect("start before end"),
    };
    let team = Team {
        id: id(7),
        code: Code::new(RecordKind::Team, 1),
        region_id: region.id,
        organisation_id: operator.id,
        name: "Manual team 1".into(),
        method: Method::Manual,
        members: vec![deminer.id],
        base: geo_types::Point::new(36.2304, 49.9935),
    };
    let crew = Crew {
        id: id(8),
        code: Code::new(RecordKind::Crew, 1),
        region_id: region.id,
        organisation_id: contractor.id,
        name: "Bridge crew 1".into(),
        trade: Trade::Bridges,
        members: vec![worker.id],
        base: geo_types::Point::new(36.1234567, 49.7654321),
    };
    let settlements = vec![
        Settlement {
            id: id(9),
            code: Code::new(RecordKind::Settlement, 1),
            region_id: region.id,
            name: "Lyptsi".into(),
            footprint: Footprint::point(36.42, 50.19).expect("valid point"),
            population: 3041,
        },
        Settlement {
            id: id(10),
            code: Code::new(RecordKind::Settlement, 2),
            region_id: region.id,
            name: "Tsyrkuny".into(),
            footprint: Footprint::Area(area(vec![square(36.35, 50.1, 0.02)])),
            population: 0,
        },
    ];
    let river = River {
        id: id(11),
        code: Code::new(RecordKind::River, 1),
        region_id: region.id,
        name: "Siverskyi Donets".into(),
        course: lines_from_raw(&[
            vec![[36.9, 49.9], [36.95, 49.85], [37.0, 49.8]],
            vec![[37.0, 49.8], [37.1, 49.75]],
        ])
        .expect("valid course"),
    };
    let hazard = |n: u128, number: u32, classification, geometry| NewHazardArea {
        id: id(n),
        code: Code::new(RecordKind::HazardArea, number),
        region_id: region.id,
        organisation_id: Some(operator.id),
        geometry,
        classification,
        contamination: Contamination::AntiPersonnelMines,
        density_per_ha: 2.5,
        terrain: Terrain::Rolling,
        vegetation: Vegetation::Medium,
        clearance_depth_cm: 13,
        evidence: "villagers report mines along the tree line".into(),
        restricted: false,
        as_of: day(2027, 2, 1),
    };
    let open = HazardArea::new(hazard(
        12,
        1,
        Classification::Sha,
        area(vec![square(36.1, 49.9, 0.01)]),
    ));
    let mut with_hole = vec![square(36.2, 49.9, 0.02)];
    with_hole.push(vec![
        [36.205, 49.905],
        [36.205, 49.91],
        [36.21, 49.91],
        [36.21, 49.905],
        [36.205, 49.905],
    ]);
    let mut closed = hazard(13, 2, Classification::Cha, area(with_hole));
    closed.organisation_id = None;
    closed.restricted = true;
    let closed = HazardArea::restore(closed, HazardStatus::Closed(ClosureReason::Cleared), 3);
    let bridge = Asset {
        id: id(14),
        code: Code::new(RecordKind::Asset, 1),
        region_id: region.id,
        name: "Bridge over the Udy".into(),
        kind: AssetKind::Bridge,
        footprint: Footprint::point(36.15, 49.95).expect("valid point"),
        damage: DamageLevel::Severe,
        repair: vec![RepairWork {
            trade: Trade::Bridges,
            person_days: 420.5,
        }],
        service: ServiceValue {
            population_served: 12000,
            network_share: 0.125,
        },
        depends_on: vec![],
        restricted: false,
        restored: false,
    };
    let road = Asset {
        id: id(15),
        code: Code::new(RecordKind::Asset, 2),
        region_id: region.id,
        name: "Road T-2117".into(),
        kind: AssetKind::RoadSegment,
        footprint: Footprint::line(&[[36.15, 49.95], [36.16, 49.96], [36.18, 49.965]])
            .expect("valid line"),
        damage: DamageLevel::Moderate,
        repair: vec![
            RepairWork {
                trade: Trade::Roads,
                person_days: 60.0,
            },
            RepairWork {
                trade: Trade::General,
                person_days: 12.0,
            },
        ],
        service: ServiceValue {
            population_served: 3000,
            network_share: 0.02,
        },
        depends_on: vec![bridge.id],
        restricted: false,
        restored: false,
    };
    let depot = Asset {
        id: id(16),
        code: Code::new(RecordKind::Asset, 3),
        region_id: region.id,
        name: "Grain depot".into(),
        kind: AssetKind::MilitaryStructure,
        footprint: Footprint::Area(area(vec![square(36.3, 49.95, 0.005)])),
        damage: DamageLevel::Destroyed,
        repair: vec![],
        service: ServiceValue::default(),
        depends_on: vec![],
        restricted: true,
        restored: true,
    };
    let dataset = Dataset {
        regions: vec![region],
        organisations: vec![operator, contractor],
        people: vec![deminer, worker],
        contracts: vec![contract],
        teams: vec![team],
        crews: vec![crew],
        settlements,
        hazard_areas: vec![open, closed],
        assets: vec![bridge, road, depot],
        rivers: vec![river],
    };
    dataset.check().expect("the sample dataset is consistent");
    dataset
}

//! A small hand-made region with one of every kind of record, and helpers to open stores
//! on temporary files.

use bonifica_model::{
    Asset, AssetKind, Classification, ClosureReason, Code, Contamination, Contract, ContractWindow,
    Crew, DamageLevel, Dataset, Date, Footprint, HazardArea, Method, NewHazardArea, Organisation,
    OrganisationKind, Person, Polygonal, RawPolygon, RecordKind, Region, ReleaseEvent, RepairWork,
    River, Role, ServiceValue, Settlement, Team, Terrain, Trade, Vegetation, lines_from_raw,
    stable_uuid,
};
use bonifica_store::prelude::*;
use bonifica_store::{ChangeSet, GeoPackage, ReleasedLand, ReportRow, TransitionRow};
use geo_types::Point;
use tempfile::TempDir;
use uuid::Uuid;

const SEED: u64 = 7;

/// The id of the `n`th record of a kind in the fixture.
pub fn id(kind: RecordKind, n: u32) -> Uuid {
    stable_uuid(SEED, kind, n)
}

fn code(kind: RecordKind, n: u32) -> Code {
    Code::new(kind, n)
}

pub fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd_opt(y, m, d).expect("valid fixture date")
}

/// A closed square ring with its south-west corner at (lon, lat), `size` degrees wide.
pub fn square(lon: f64, lat: f64, size: f64) -> Vec<[f64; 2]> {
    vec![
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
}

pub fn area(polygons: &[RawPolygon]) -> Polygonal {
    Polygonal::from_raw(polygons).expect("valid fixture polygon")
}

/// A fresh store on a file in a new temporary directory (kept alive by the `TempDir`).
pub fn new_store() -> (TempDir, GeoPackage) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = GeoPackage::create(&dir.path().join("register.gpkg")).expect("creates store");
    (dir, store)
}

/// A new open SHA hazard area in region 1.
pub fn hazard(n: u32, geometry: Polygonal) -> HazardArea {
    HazardArea::new(NewHazardArea {
        id: id(RecordKind::HazardArea, n),
        code: code(RecordKind::HazardArea, n),
        region_id: id(RecordKind::Region, 1),
        organisation_id: None,
        geometry,
        classification: Classification::Sha,
        contamination: Contamination::AntiPersonnelMines,
        density_per_ha: 0.75,
        terrain: Terrain::Flat,
        vegetation: Vegetation::Light,
        clearance_depth_cm: 13,
        evidence: "farmer reports a mine near the track".to_string(),
        restricted: false,
        as_of: date(2026, 3, 1),
    })
}

/// One region with two organisations, four people and their contracts, a team and a crew,
/// two settlements (point and polygon), a river of two parts, three hazard areas (a square,
/// a multipolygon with a hole, a released triangle) and five assets of every footprint
/// with dependencies and repair work.
pub fn small_dataset() -> Dataset {
    let region = id(RecordKind::Region, 1);
    let org = |n| id(RecordKind::Organisation, n);
    let person = |n| id(RecordKind::Person, n);
    let people = [
        (
            1,
            "Olena Kovalenko",
            Role::TeamLeader,
            None,
            vec!["IMAS EOD level 3"],
        ),
        (
            2,
            "Taras Shevchuk",
            Role::Deminer,
            None,
            vec!["IMAS EOD level 2", "medic"],
        ),
        (3, "Iryna Bondar", Role::Worker, Some(Trade::Roads), vec![]),
        (
            4,
            "Petro Melnyk",
            Role::Worker,
            Some(Trade::Power),
            vec!["HV lines"],
        ),
    ];
    let mut hazards = vec![
        hazard(1, area(&[vec![square(36.10, 50.10, 0.02)]])),
        hazard(
            2,
            area(&[
                vec![square(36.20, 50.20, 0.04), square(36.21, 50.21, 0.02)],
                vec![square(36.30, 50.20, 0.01)],
            ]),
        ),
        hazard(
            3,
            area(&[vec![vec![
                [36.30, 50.30],
                [36.40, 50.30],
                [36.30, 50.40],
                [36.30, 50.30],
            ]]]),
        ),
    ];
    hazards[1].organisation_id = Some(org(2));
    hazards[1].restricted = true;
    hazards[1].contamination = Contamination::Mixed;
    hazards[1].vegetation = Vegetation::Bare;
    let released = &mut hazards[2];
    for event in [
        ReleaseEvent::Confirm,
        ReleaseEvent::StartWork,
        ReleaseEvent::Close(ClosureReason::Cleared),
    ] {
        released
            .apply(event, date(2026, 4, 2))
            .expect("legal transition");
    }
    Dataset {
        regions: vec![Region {
            id: region,
            code: code(RecordKind::Region, 1),
            name: "Kharkiv east".to_string(),
            boundary: area(&[vec![square(36.0, 50.0, 0.5)]]),
        }],
        organisations: vec![
            Organisation {
                id: org(1),
                code: code(RecordKind::Organisation, 1),
                region_id: region,
                name: "Oblast civil authority".to_string(),
                kind: OrganisationKind::CivilAuthority,
            },
            Organisation {
                id: org(2),
                code: code(RecordKind::Organisation, 2),
                region_id: region,
                name: "Field demining operator".to_string(),
                kind: OrganisationKind::DeminingOperator,
            },
        ],
        people: people
            .iter()
            .map(|(n, name, role, trade, quals)| Person {
                id: person(*n),
                code: code(RecordKind::Person, *n),
                region_id: region,
                organisation_id: org(2),
                name: name.to_string(),
                role: *role,
                trade: *trade,
                qualifications: quals.iter().map(|q| q.to_string()).collect(),
            })
            .collect(),
        contracts: (1..=4)
            .map(|n| Contract {
                id: id(RecordKind::Contract, n),
                code: code(RecordKind::Contract, n),
                region_id: region,
                person_id: person(n),
                organisation_id: org(2),
                window: ContractWindow::new(date(2026, 1, 1), date(2026 + n as i32, 6, 30))
                    .expect("start before end"),
            })
            .collect(),
        teams: vec![Team {
            id: id(RecordKind::Team, 1),
            code: code(RecordKind::Team, 1),
            region_id: region,
            organisation_id: org(2),
            name: "Manual team 1".to_string(),
            method: Method::Manual,
            members: vec![person(2), person(1)],
            base: Point::new(36.05, 50.05),
        }],
        crews: vec![Crew {
            id: id(RecordKind::Crew, 1),
            code: code(RecordKind::Crew, 1),
            region_id: region,
            organisation_id: org(1),
            name: "Roads and power crew".to_string(),
            trade: Trade::Roads,
            members: vec![person(3), person(4)],
            base: Point::new(36.06, 50.06),
        }],
        settlements: vec![
            Settlement {
                id: id(RecordKind::Settlement, 1),
                code: code(RecordKind::Settlement, 1),
                region_id: region,
                name: "Mala Rohan".to_string(),
                footprint: Footprint::point(36.15, 50.15).expect("valid point"),
                population: 1200,
            },
            Settlement {
                id: id(RecordKind::Settlement, 2),
                code: code(RecordKind::Settlement, 2),
                region_id: region,
                name: "Chuhuiv".to_string(),
                footprint: Footprint::Area(area(&[vec![square(36.42, 50.42, 0.03)]])),
                population: 30_000,
            },
        ],
        hazard_areas: hazards,
        assets: assets(region),
        rivers: vec![River {
            id: id(RecordKind::River, 1),
            code: code(RecordKind::River, 1),
            region_id: region,
            name: "Siverskyi Donets".to_string(),
            course: lines_from_raw(&[
                vec![[36.0, 50.25], [36.2, 50.26], [36.25, 50.3]],
                vec![[36.25, 50.3], [36.5, 50.31]],
            ])
            .expect("valid river"),
        }],
    }
}

fn assets(region: Uuid) -> Vec<Asset> {
    let asset = |n: u32, kind, footprint, damage| Asset {
        id: id(RecordKind::Asset, n),
        code: code(RecordKind::Asset, n),
        region_id: region,
        name: format!("{} {n}", AssetKind::as_str(kind)),
        kind,
        footprint,
        damage,
        repair: vec![],
        service: ServiceValue::default(),
        depends_on: vec![],
        restricted: false,
        restored: false,
    };
    let mut bridge = asset(
        1,
        AssetKind::Bridge,
        Footprint::point(36.22, 50.26).expect("valid point"),
        DamageLevel::Destroyed,
    );
    bridge.repair = vec![RepairWork {
        trade: Trade::Bridges,
        person_days: 420.0,
    }];
    let mut road = asset(
        2,
        AssetKind::RoadSegment,
        Footprint::line(&[[36.05, 50.05], [36.15, 50.15], [36.22, 50.26]]).expect("valid line"),
        DamageLevel::Moderate,
    );
    road.depends_on = vec![id(RecordKind::Asset, 1)];
    road.repair = vec![
        RepairWork {
            trade: Trade::Roads,
            person_days: 12.5,
        },
        RepairWork {
            trade: Trade::General,
            person_days: 3.25,
        },
    ];
    road.service = ServiceValue {
        population_served: 31_200,
        network_share: 0.125,
    };
    let substation = asset(
        3,
        AssetKind::Substation,
        Footprint::Area(area(&[vec![square(36.44, 50.05, 0.005)]])),
        DamageLevel::Severe,
    );
    let mut line = asset(
        4,
        AssetKind::PowerLine,
        Footprint::line(&[[36.44, 50.05], [36.43, 50.42]]).expect("valid line"),
        DamageLevel::Minor,
    );
    // Depends on one asset before it and one after it in the list.
    line.depends_on = vec![id(RecordKind::Asset, 3), id(RecordKind::Asset, 5)];
    let mut depot = asset(
        5,
        AssetKind::MilitaryStructure,
        Footprint::point(36.33, 50.33).expect("valid point"),
        DamageLevel::Undamaged,
    );
    depot.restricted = true;
    depot.restored = true;
    vec![bridge, road, substation, line, depot]
}

/// A new draft daily progress report on a hazard area, by the team leader `leader`:
/// `n` picks its id and client id.
pub fn report(n: u128, hazard: &HazardArea) -> ReportRow {
    let at = format!("2026-05-02T17:00:{:02}.000Z", n % 60);
    ReportRow {
        id: Uuid::from_u128(0x5e00 + n),
        client_id: format!("c0ffee00-0000-4000-8000-{n:012x}"),
        kind: "daily_progress".to_string(),
        state: "draft".to_string(),
        hazard_area_id: Some(hazard.id),
        asset_id: None,
        unit_id: Some(id(RecordKind::Team, 1)),
        organisation_id: Some(id(RecordKind::Organisation, 1)),
        restricted: hazard.restricted,
        based_on_version: Some(hazard.version),
        report_date: date(2026, 5, 2),
        body: r#"{"cleared_m2": 1240.5, "hours": 7.5, "ordnance": [{"category": "AP mine", "count": 2, "disposal": "destroyed_in_situ"}]}"#.to_string(),
        geometry: Some(area(&[vec![square(36.10, 50.10, 0.01)]])),
        approvals: Vec::new(),
        version: 1,
        created_by: "leader".to_string(),
        created_at: at.clone(),
        updated_at: at,
    }
}

/// A transition of a report by `actor`, with their role, at a fixed time.
pub fn transition(action: &str, from: &str, to: &str, actor: &str, role: &str) -> TransitionRow {
    TransitionRow {
        action: action.to_string(),
        from_state: from.to_string(),
        to_state: to.to_string(),
        actor: actor.to_string(),
        role: role.to_string(),
        comment: None,
        at: "2026-05-03T09:00:00.000Z".to_string(),
    }
}

/// The change set of a report moving from its stored state to `to` by `action`, with
/// nothing else changed.
pub fn step(stored: &ReportRow, action: &str, to: &str, actor: &str, role: &str) -> ChangeSet {
    let mut report = stored.clone();
    report.state = to.to_string();
    report.version += 1;
    report.updated_at = "2026-05-03T09:00:00.000Z".to_string();
    ChangeSet {
        actor: actor.to_string(),
        at: "2026-05-03T09:00:00.000Z".to_string(),
        expected_report_version: stored.version,
        transition: transition(action, &stored.state, to, actor, role),
        report,
        hazard_areas: Vec::new(),
        released: Vec::new(),
        assets: Vec::new(),
    }
}

/// The approval of a verified report on hazard area 1 of the small dataset: the south-west
/// quarter of the area is cleared and cut out, the rest is worked on, and the road asset
/// is marked restored.
pub fn approval(stored: &ReportRow, dataset: &Dataset) -> ChangeSet {
    let mut change = step(stored, "approve", "approved", "coordinator", "coordinator");
    change.report.approvals = vec!["coordinator".to_string()];
    let before = dataset.hazard_areas[0].clone();
    let mut after = before.clone();
    // The L-shaped remainder of the 0.02° square once its south-west 0.01° square is cut.
    let remainder = area(&[vec![vec![
        [36.11, 50.10],
        [36.12, 50.10],
        [36.12, 50.12],
        [36.10, 50.12],
        [36.10, 50.11],
        [36.11, 50.11],
        [36.11, 50.10],
    ]]]);
    after.reshape(remainder, date(2026, 5, 2));
    after
        .apply(ReleaseEvent::StartWork, date(2026, 5, 2))
        .expect("legal");
    after.version = before.version + 1;
    let piece = area(&[vec![square(36.10, 50.10, 0.01)]]);
    change.released = vec![ReleasedLand {
        id: Uuid::from_u128(0x1a4d),
        hazard_area_id: before.id,
        report_id: stored.id,
        reason: ClosureReason::Cleared,
        released_on: date(2026, 5, 2),
        area_m2: piece.area_m2(),
        by_outcome: bonifica_model::ReleasedByOutcome::all(ClosureReason::Cleared, piece.area_m2()),
        polygon: piece,
    }];
    change.hazard_areas = vec![(after, before.version)];
    let mut road = dataset.assets[1].clone();
    road.restored = true;
    change.assets = vec![(road, 1)];
    change
}

/// Files, submits and verifies a report on hazard area 1, and returns it as stored.
pub fn verified_report<S: ReportStore + ?Sized>(store: &mut S, dataset: &Dataset) -> ReportRow {
    let draft = report(1, &dataset.hazard_areas[0]);
    store.insert_report(&draft, None).expect("files");
    let submitted = step(&draft, "submit", "submitted", "leader", "team_leader");
    store.commit(&submitted).expect("submits");
    let verified = step(
        &submitted.report,
        "verify",
        "verified",
        "ops",
        "operations_manager",
    );
    store.commit(&verified).expect("verifies");
    verified.report
}

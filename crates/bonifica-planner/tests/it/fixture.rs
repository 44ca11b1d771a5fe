//! A small hand-made region, built record by record, and helpers to plan it.

use bonifica_model::{
    Asset, AssetKind, Classification, Code, Contamination, Contract, ContractWindow, Crew,
    DamageLevel, Dataset, Date, Footprint, HazardArea, Method, NewHazardArea, Organisation,
    OrganisationKind, Person, Polygonal, RecordKind, Region, RepairWork, Role, ServiceValue, Team,
    Terrain, Trade, Vegetation, stable_uuid,
};
use bonifica_planner::{Limits, Plan, Planner, PlannerConfig};
use geo_types::Point;
use uuid::Uuid;

pub fn start() -> Date {
    Date::from_ymd_opt(2027, 3, 1).expect("valid date")
}

pub fn day(n: i64) -> Date {
    start() + chrono::Duration::days(n)
}

/// Metres to degrees near latitude 50.
pub fn dlat(m: f64) -> f64 {
    m / 111_320.0
}
pub fn dlon(m: f64) -> f64 {
    m / (111_320.0 * 50f64.to_radians().cos())
}

pub struct Fixture {
    pub d: Dataset,
    region: Uuid,
    org: Uuid,
    numbers: std::collections::HashMap<RecordKind, u32>,
}

impl Fixture {
    pub fn new() -> Fixture {
        let mut f = Fixture {
            d: Dataset::default(),
            region: Uuid::nil(),
            org: Uuid::nil(),
            numbers: Default::default(),
        };
        let (id, code) = f.next(RecordKind::Region);
        let ring = vec![
            [35.0, 49.0],
            [38.0, 49.0],
            [38.0, 51.0],
            [35.0, 51.0],
            [35.0, 49.0],
        ];
        f.d.regions.push(Region {
            id,
            code,
            name: "Test".into(),
            boundary: Polygonal::from_raw(&[vec![ring]]).expect("valid boundary"),
        });
        f.region = id;
        let (id, code) = f.next(RecordKind::Organisation);
        f.d.organisations.push(Organisation {
            id,
            code,
            region_id: f.region,
            name: "Operator".into(),
            kind: OrganisationKind::DeminingOperator,
        });
        f.org = id;
        f
    }

    fn next(&mut self, kind: RecordKind) -> (Uuid, Code) {
        let n = self.numbers.entry(kind).or_insert(0);
        *n += 1;
        (stable_uuid(99, kind, *n), Code::new(kind, *n))
    }

    fn person(&mut self, role: Role, trade: Option<Trade>, days: (i64, i64)) -> Uuid {
        let (id, code) = self.next(RecordKind::Person);
        self.d.people.push(Person {
            id,
            code,
            region_id: self.region,
            organisation_id: self.org,
            name: "Member".into(),
            role,
            trade,
            qualifications: Vec::new(),
        });
        let (cid, ccode) = self.next(RecordKind::Contract);
        self.d.contracts.push(Contract {
            id: cid,
            code: ccode,
            region_id: self.region,
            person_id: id,
            organisation_id: self.org,
            window: ContractWindow::new(day(days.0), day(days.1)).expect("valid window"),
        });
        id
    }

    /// A team: a leader and `deminers` deminers, all under contract on days
    /// `days.0..=days.1`.
    pub fn team(
        &mut self,
        method: Method,
        deminers: usize,
        base: (f64, f64),
        days: (i64, i64),
    ) -> Uuid {
        let mut members = vec![self.person(Role::TeamLeader, None, days)];
        for _ in 0..deminers {
            members.push(self.person(Role::Deminer, None, days));
        }
        let (id, code) = self.next(RecordKind::Team);
        self.d.teams.push(Team {
            id,
            code,
            region_id: self.region,
            organisation_id: self.org,
            name: "Team".into(),
            method,
            members,
            base: Point::new(base.0, base.1),
        });
        id
    }

    pub fn crew(
        &mut self,
        trade: Trade,
        workers: usize,
        base: (f64, f64),
        days: (i64, i64),
    ) -> Uuid {
        let members = (0..workers)
            .map(|_| self.person(Role::Worker, Some(trade), days))
            .collect();
        let (id, code) = self.next(RecordKind::Crew);
        self.d.crews.push(Crew {
            id,
            code,
            region_id: self.region,
            organisation_id: self.org,
            name: "Crew".into(),
            trade,
            members,
            base: Point::new(base.0, base.1),
        });
        id
    }

    /// A square confirmed (or suspected) hazard area of `side_m` metres with its
    /// south-west corner at `at`.
    pub fn hazard(&mut self, class: Classification, at: (f64, f64), side_m: f64) -> Uuid {
        let (x, y) = at;
        let (w, h) = (dlon(side_m), dlat(side_m));
        let ring = vec![[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]];
        let (id, code) = self.next(RecordKind::HazardArea);
        self.d.hazard_areas.push(HazardArea::new(NewHazardArea {
            id,
            code,
            region_id: self.region,
            organisation_id: Some(self.org),
            geometry: Polygonal::from_raw(&[vec![ring]]).expect("valid square"),
            classification: class,
            contamination: Contamination::AntiPersonnelMines,
            density_per_ha: 1.0,
            terrain: Terrain::Flat,
            vegetation: Vegetation::Bare,
            clearance_depth_cm: 13,
            evidence: String::new(),
            restricted: false,
            as_of: start(),
        }));
        id
    }

    pub fn asset(
        &mut self,
        kind: AssetKind,
        at: (f64, f64),
        repair: &[(Trade, f64)],
        depends_on: &[Uuid],
    ) -> Uuid {
        let (id, code) = self.next(RecordKind::Asset);
        self.d.assets.push(Asset {
            id,
            code,
            region_id: self.region,
            name: "Asset".into(),
            kind,
            footprint: Footprint::point(at.0, at.1).expect("valid point"),
            damage: DamageLevel::Severe,
            repair: repair
                .iter()
                .map(|&(trade, person_days)| RepairWork { trade, person_days })
                .collect(),
            service: ServiceValue {
                population_served: 1000,
                network_share: 0.0,
            },
            depends_on: depends_on.to_vec(),
            restricted: false,
            restored: false,
        });
        id
    }

    pub fn code(&self, id: Uuid) -> Code {
        let all = self
            .d
            .assets
            .iter()
            .map(|a| (a.id, &a.code))
            .chain(self.d.hazard_areas.iter().map(|h| (h.id, &h.code)));
        all.into_iter()
            .find(|(i, _)| *i == id)
            .map(|(_, c)| c.clone())
            .expect("known record")
    }

    pub fn plan(&self) -> Plan {
        let planner =
            Planner::new(&self.d, &PlannerConfig::default(), start()).expect("plannable region");
        let limits = Limits {
            time_budget: None,
            max_iterations: Some(4),
            ..Limits::default()
        };
        planner.plan(&limits, &|_| {}).0
    }
}

/// Start and end (inclusive) of a record's items of one kind word.
pub fn span(plan: &Plan, code: &Code, kind: &str) -> Option<(Date, Date)> {
    plan.items
        .iter()
        .find(|i| &i.subject.code == code && i.kind.word() == kind)
        .map(|i| (i.start, i.end))
}

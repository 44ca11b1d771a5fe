//! The organisations and the contingent: demining teams by method, reconstruction crews by
//! trade, every member with one contract.
//!
//! Demining staff count every team member (team leaders, medics, dog handlers and machine
//! operators included), so the region gets exactly the number of deminers asked for; the
//! same holds for workers. Contracts start in the first 90 days and last 6 to 12 months.

use bonifica_model::{
    Contract, ContractWindow, Crew, Date, Method, Organisation, OrganisationKind, Person,
    RecordKind, Role, Team, Trade,
};
use chrono::{Days, Months};
use geo_types::Coord;
use rand::Rng;
use uuid::Uuid;

use crate::frame::Frame;
use crate::geography::Geography;
use crate::names;
use crate::sample::{Stream, choose, pick, weighted};
use crate::{Ids, SynthError};

const OPERATORS: &[&str] = &[
    "State Emergency Service Pyrotechnic Unit",
    "Black Earth Demining",
    "Safe Ground Foundation",
    "Northern Mine Action Group",
    "Clear Fields Charity",
    "Engineer Demining Battalion 7",
];

const CONTRACTORS: &[(&str, &[Trade])] = &[
    ("Shliakhbud Roads", &[Trade::Roads]),
    ("Mostobud East", &[Trade::Bridges, Trade::Roads]),
    ("Rail Renewal Company", &[Trade::Rail]),
    ("Oblenergo Repair Service", &[Trade::Power]),
    (
        "Slobozhanshchyna Construction",
        &[Trade::Buildings, Trade::General],
    ),
    ("Vidnova Builders", &[Trade::Buildings]),
    ("Teplo Service", &[Trade::Power, Trade::General]),
    ("Civil Works Cooperative", &[Trade::General, Trade::Roads]),
    (
        "Frontier Rebuild Partners",
        &[Trade::Bridges, Trade::Rail, Trade::Buildings],
    ),
    ("Steel Structures Trust", &[Trade::Bridges]),
];

/// The organisations and who does what among them.
pub(crate) struct Orgs {
    pub records: Vec<Organisation>,
    pub operators: Vec<Uuid>,
    pub contractors: Vec<(Uuid, &'static [Trade])>,
}

/// The civil authority, the defence ministry, 4–6 demining operators and 6–10
/// construction contractors.
pub(crate) fn organisations(
    rng: &mut Stream,
    ids: &mut Ids,
    region_id: Uuid,
    region_name: &str,
) -> Orgs {
    let mut orgs = Orgs {
        records: Vec::new(),
        operators: Vec::new(),
        contractors: Vec::new(),
    };
    let mut add = |name: String, kind, orgs: &mut Orgs| {
        let (id, code) = ids.next(RecordKind::Organisation);
        orgs.records.push(Organisation {
            id,
            code,
            region_id,
            name,
            kind,
        });
        id
    };
    add(
        format!("{region_name} Civil-Military Administration"),
        OrganisationKind::CivilAuthority,
        &mut orgs,
    );
    add(
        "Ministry of Defence".to_string(),
        OrganisationKind::DefenceMinistry,
        &mut orgs,
    );
    for name in OPERATORS.iter().take(rng.gen_range(4..=6)) {
        let id = add(
            name.to_string(),
            OrganisationKind::DeminingOperator,
            &mut orgs,
        );
        orgs.operators.push(id);
    }
    for (name, trades) in CONTRACTORS.iter().take(rng.gen_range(6..=10)) {
        let id = add(
            name.to_string(),
            OrganisationKind::ConstructionContractor,
            &mut orgs,
        );
        orgs.contractors.push((id, trades));
    }
    orgs
}

/// The people, contracts, teams and crews of the contingent.
#[derive(Default)]
pub(crate) struct Contingent {
    pub people: Vec<Person>,
    pub contracts: Vec<Contract>,
    pub teams: Vec<Team>,
    pub crews: Vec<Crew>,
}

/// Everything the contingent needs from the rest of the region.
pub(crate) struct Setting<'a> {
    pub geo: &'a Geography,
    pub frame: &'a Frame,
    pub orgs: &'a Orgs,
    pub region_id: Uuid,
    pub start_date: Date,
}

/// Forms `deminers` demining staff into teams and `workers` workers into crews.
pub(crate) fn contingent(
    rng: &mut Stream,
    ids: &mut Ids,
    set: &Setting<'_>,
    deminers: u32,
    workers: u32,
) -> Result<Contingent, SynthError> {
    let mut out = Contingent::default();
    let mut left = deminers;
    while left > 0 {
        let method = pick(
            rng,
            &[
                (0.50, Method::Manual),
                (0.10, Method::Mechanical),
                (0.12, Method::MineDetectionDogs),
                (0.16, Method::BattleAreaClearance),
                (0.12, Method::Eod),
            ],
        );
        let mut roles = team_roles(rng, method);
        roles.truncate(left as usize);
        left -= roles.len() as u32;
        let organisation_id = *choose(rng, &set.orgs.operators);
        let start = set.start_date + Days::new(rng.gen_range(0..=90));
        let mut members = Vec::with_capacity(roles.len());
        for role in roles {
            let quals = qualifications(rng, role, Some(method), None);
            members.push(enlist(
                rng,
                ids,
                set,
                &mut out,
                organisation_id,
                role,
                None,
                quals,
                start,
            )?);
        }
        let (id, code) = ids.next(RecordKind::Team);
        out.teams.push(Team {
            id,
            name: format!("{} team {}", method_label(method), code.as_str()),
            code,
            region_id: set.region_id,
            organisation_id,
            method,
            members,
            base: base(rng, set)?,
        });
    }
    let mut left = workers;
    while left > 0 {
        let trade = pick(
            rng,
            &[
                (0.25, Trade::Roads),
                (0.10, Trade::Bridges),
                (0.10, Trade::Rail),
                (0.15, Trade::Power),
                (0.25, Trade::Buildings),
                (0.15, Trade::General),
            ],
        );
        let size = rng.gen_range(8..=25).min(left);
        left -= size;
        let able: Vec<Uuid> = set
            .orgs
            .contractors
            .iter()
            .filter(|c| c.1.contains(&trade))
            .map(|c| c.0)
            .collect();
        let all: Vec<Uuid> = set.orgs.contractors.iter().map(|c| c.0).collect();
        let organisation_id = *choose(rng, if able.is_empty() { &all } else { &able });
        let start = set.start_date + Days::new(rng.gen_range(0..=90));
        let mut members = Vec::with_capacity(size as usize);
        for _ in 0..size {
            let quals = qualifications(rng, Role::Worker, None, Some(trade));
            members.push(enlist(
                rng,
                ids,
                set,
                &mut out,
                organisation_id,
                Role::Worker,
                Some(trade),
                quals,
                start,
            )?);
        }
        let (id, code) = ids.next(RecordKind::Crew);
        out.crews.push(Crew {
            id,
            name: format!("{} crew {}", trade.as_str(), code.as_str()),
            code,
            region_id: set.region_id,
            organisation_id,
            trade,
            members,
            base: base(rng, set)?,
        });
    }
    Ok(out)
}

/// The roles of a team, team leader first.
fn team_roles(rng: &mut Stream, method: Method) -> Vec<Role> {
    let mut roles = vec![Role::TeamLeader];
    let (role, count, medic) = match method {
        Method::Manual => (Role::Deminer, rng.gen_range(8..=12), true),
        Method::Mechanical => {
            // A supervisor, two machine operators, a mechanic and logistics.
            roles.extend([Role::MachineOperator, Role::MachineOperator]);
            (Role::Deminer, 2, rng.gen_bool(0.5))
        }
        Method::MineDetectionDogs => (Role::DogHandler, rng.gen_range(4..=6), true),
        Method::BattleAreaClearance => (Role::Deminer, rng.gen_range(5..=8), true),
        Method::Eod => (Role::Deminer, rng.gen_range(3..=5), false),
    };
    roles.extend(std::iter::repeat_n(role, count));
    if medic {
        roles.push(Role::Medic);
    }
    roles
}

fn method_label(method: Method) -> &'static str {
    match method {
        Method::Manual => "Manual clearance",
        Method::Mechanical => "Mechanical",
        Method::MineDetectionDogs => "MDD",
        Method::BattleAreaClearance => "BAC",
        Method::Eod => "EOD",
    }
}

/// Qualifications as the field writes them.
fn qualifications(
    rng: &mut Stream,
    role: Role,
    method: Option<Method>,
    trade: Option<Trade>,
) -> Vec<String> {
    let level = pick(rng, &[(0.6, 1), (0.3, 2), (0.1, 3)]);
    let mut q: Vec<&str> = match role {
        Role::TeamLeader => vec!["IMAS EOD level 3", "team leader"],
        Role::Medic => vec!["medic", "IMAS EOD level 1"],
        Role::DogHandler => vec!["MDD handler", "IMAS EOD level 1"],
        Role::MachineOperator => vec!["demining machine operator", "IMAS EOD level 1"],
        Role::Deminer => match (method, level) {
            (Some(Method::Eod), _) => vec!["IMAS EOD level 2"],
            (_, 1) => vec!["IMAS EOD level 1"],
            (_, 2) => vec!["IMAS EOD level 2"],
            _ => vec!["IMAS EOD level 3"],
        },
        Role::Worker => match trade {
            Some(Trade::Roads) => vec![*choose(
                rng,
                &["asphalt paving", "heavy plant operator", "road marking"],
            )],
            Some(Trade::Bridges) => vec![*choose(
                rng,
                &["welding", "steel erection", "concrete works"],
            )],
            Some(Trade::Rail) => vec![*choose(rng, &["track laying", "welding", "signalling"])],
            Some(Trade::Power) => vec![*choose(
                rng,
                &["HV lines", "electrician", "substation fitter"],
            )],
            Some(Trade::Buildings) => vec![*choose(
                rng,
                &["masonry", "roofing", "electrician", "plumbing"],
            )],
            Some(Trade::General) | None => vec![*choose(
                rng,
                &["general construction", "driver C1", "crane operator"],
            )],
        },
    };
    match method {
        Some(Method::BattleAreaClearance) if role == Role::Deminer => {
            q.push("battle area clearance")
        }
        Some(Method::Manual) if role == Role::Deminer => q.push("manual clearance"),
        _ => {}
    }
    if role == Role::Worker && rng.gen_bool(0.2) {
        q.push("first aid");
    }
    q.into_iter().map(str::to_string).collect()
}

/// Adds a person and their contract; returns the person's id.
#[allow(clippy::too_many_arguments)]
fn enlist(
    rng: &mut Stream,
    ids: &mut Ids,
    set: &Setting<'_>,
    out: &mut Contingent,
    organisation_id: Uuid,
    role: Role,
    trade: Option<Trade>,
    qualifications: Vec<String>,
    start: Date,
) -> Result<Uuid, SynthError> {
    let (id, code) = ids.next(RecordKind::Person);
    out.people.push(Person {
        id,
        code,
        region_id: set.region_id,
        organisation_id,
        name: names::person(rng),
        role,
        trade,
        qualifications,
    });
    let months = rng.gen_range(6..=12);
    let end = start
        .checked_add_months(Months::new(months))
        .and_then(|d| d.pred_opt())
        .ok_or(SynthError::DateOutOfRange {
            date: start,
            months,
        })?;
    let (contract_id, contract_code) = ids.next(RecordKind::Contract);
    out.contracts.push(Contract {
        id: contract_id,
        code: contract_code,
        region_id: set.region_id,
        person_id: id,
        organisation_id,
        window: ContractWindow::new(start, end)?,
    });
    Ok(id)
}

/// A base at a town, towns near the front more likely.
fn base(rng: &mut Stream, set: &Setting<'_>) -> Result<geo_types::Point<f64>, SynthError> {
    let towns: Vec<_> = set.geo.places.iter().filter(|p| p.town).collect();
    let Some(first) = towns.first() else {
        return Err(SynthError::NoTowns);
    };
    let weights: Vec<f64> = towns
        .iter()
        .map(|t| 0.3 + set.geo.front_intensity(t.centre))
        .collect();
    let town = towns.get(weighted(rng, &weights)).unwrap_or(first);
    let at = Coord {
        x: town.centre.x + rng.gen_range(-800.0..800.0),
        y: town.centre.y + rng.gen_range(-800.0..800.0),
    };
    Ok(set.frame.to_lonlat(at)?.into())
}

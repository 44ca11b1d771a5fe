//! The register's other records: regions, organisations, people, contracts, demining teams,
//! reconstruction crews and settlements.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Date;
use crate::geometry::{Footprint, Polygonal};
use crate::hazard::word_enum;
use crate::ids::Code;

/// A region of the programme. One file can hold several; every record belongs to one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    pub id: Uuid,
    pub code: Code,
    pub name: String,
    pub boundary: Polygonal,
}

word_enum! {
    /// What an organisation is, which decides what it may see and do.
    OrganisationKind {
        CivilAuthority => "civil_authority",
        DefenceMinistry => "defence_ministry",
        DeminingOperator => "demining_operator",
        ConstructionContractor => "construction_contractor",
    }
}

/// An organisation taking part in the programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: Uuid,
    pub code: Code,
    pub region_id: Uuid,
    pub name: String,
    pub kind: OrganisationKind,
}

word_enum! {
    /// A reconstruction trade; crews have one, and repair work is counted by trade.
    Trade {
        Roads => "roads",
        Bridges => "bridges",
        Rail => "rail",
        Power => "power",
        Buildings => "buildings",
        General => "general",
    }
}

word_enum! {
    /// What a person does in the field.
    Role {
        Deminer => "deminer",
        TeamLeader => "team_leader",
        Medic => "medic",
        DogHandler => "dog_handler",
        MachineOperator => "machine_operator",
        Worker => "worker",
    }
}

/// A member of the contingent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id: Uuid,
    pub code: Code,
    pub region_id: Uuid,
    pub organisation_id: Uuid,
    pub name: String,
    pub role: Role,
    /// The trade of a reconstruction worker; `None` for demining staff.
    pub trade: Option<Trade>,
    /// Qualifications as the field names them (`IMAS EOD level 2`, `medic`, `HV lines`).
    pub qualifications: Vec<String>,
}

/// A contract period, first and last day included. Built only with start ≤ end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "(Date, Date)", into = "(Date, Date)")]
pub struct ContractWindow {
    start: Date,
    end: Date,
}

/// A contract window whose end comes before its start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("contract ends on {end} before it starts on {start}")]
pub struct WindowError {
    pub start: Date,
    pub end: Date,
}

impl ContractWindow {
    pub fn new(start: Date, end: Date) -> Result<ContractWindow, WindowError> {
        if end < start {
            return Err(WindowError { start, end });
        }
        Ok(ContractWindow { start, end })
    }

    pub fn start(&self) -> Date {
        self.start
    }

    pub fn end(&self) -> Date {
        self.end
    }

    /// True when `date` falls within the contract, both ends included.
    pub fn covers(&self, date: Date) -> bool {
        self.start <= date && date <= self.end
    }

    /// Length in calendar days, both ends included.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

impl TryFrom<(Date, Date)> for ContractWindow {
    type Error = WindowError;
    fn try_from((start, end): (Date, Date)) -> Result<Self, Self::Error> {
        ContractWindow::new(start, end)
    }
}

impl From<ContractWindow> for (Date, Date) {
    fn from(w: ContractWindow) -> (Date, Date) {
        (w.start, w.end)
    }
}

/// A person's contract with an organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contract {
    pub id: Uuid,
    pub code: Code,
    pub region_id: Uuid,
    pub person_id: Uuid,
    pub organisation_id: Uuid,
    pub window: ContractWindow,
}

word_enum! {
    /// How a demining team works (IMAS 09.10, 09.11, 09.40, 09.50).
    Method {
        Manual => "manual",
        Mechanical => "mechanical",
        MineDetectionDogs => "mdd",
        BattleAreaClearance => "bac",
        Eod => "eod",
    }
}

/// A demining team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub id: Uuid,
    pub code: Code,
    pub region_id: Uuid,
    pub organisation_id: Uuid,
    pub name: String,
    pub method: Method,
    pub members: Vec<Uuid>,
    /// Where the team is based, WGS 84.
    pub base: geo_types::Point<f64>,
}

/// A reconstruction crew.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Crew {
    pub id: Uuid,
    pub code: Code,
    pub region_id: Uuid,
    pub organisation_id: Uuid,
    pub name: String,
    pub trade: Trade,
    pub members: Vec<Uuid>,
    /// Where the crew is based, WGS 84.
    pub base: geo_types::Point<f64>,
}

/// A river or canal: reference geography that roads cross on bridges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct River {
    pub id: Uuid,
    pub code: Code,
    pub region_id: Uuid,
    pub name: String,
    /// The course, WGS 84; checked by [`crate::geometry::lines_from_raw`].
    pub course: geo_types::MultiLineString<f64>,
}

/// A settlement, as a point or a polygon, with its population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settlement {
    pub id: Uuid,
    pub code: Code,
    pub region_id: Uuid,
    pub name: String,
    pub footprint: Footprint,
    pub population: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn contract_window_refuses_end_before_start() {
        assert!(ContractWindow::new(d(2027, 1, 2), d(2027, 1, 1)).is_err());
        let one_day = ContractWindow::new(d(2027, 1, 1), d(2027, 1, 1)).unwrap();
        assert_eq!(one_day.days(), 1);
        assert!(one_day.covers(d(2027, 1, 1)));
        assert!(!one_day.covers(d(2027, 1, 2)));
    }
}

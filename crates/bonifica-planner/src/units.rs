//! Teams and crews as planning units: capacity-1 resources with availability windows
//! derived from their members' contracts, and the zones that sites and bases fall in.
//!
//! Days are whole days from the plan's start date; a window `(from, to)` is half-open:
//! the unit can work on days `from..to`. A team is available on a day when its team
//! leader and at least `min_staff_share` of its members are under contract; a crew when
//! that share of its members are.

use std::collections::HashMap;

use bonifica_model::{Code, Dataset, Date, LocalProjection, Method, Role, Trade};
use geo_types::{Coord, Point};
use serde::Serialize;
use uuid::Uuid;

use crate::config::{PlannerConfig, Travel};
use crate::error::PlannerError;

/// What a unit is and does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum UnitKind {
    /// A demining team and its method.
    Team(Method),
    /// A reconstruction crew and its trade.
    Crew(Trade),
}

/// A team or crew ready for planning.
#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    pub id: Uuid,
    pub code: Code,
    pub kind: UnitKind,
    /// Members of the team or crew.
    pub members: usize,
    /// Members with the deminer role (manual and BAC productivity).
    pub deminers: usize,
    /// Pairs of mine detection dogs (one pair per two dog handlers, at least one).
    pub dog_pairs: usize,
    /// Zone of the base, where the unit starts.
    pub base_zone: usize,
    /// Half-open day ranges when the unit can work, sorted and disjoint.
    pub windows: Vec<(i64, i64)>,
}

impl Unit {
    /// Last day (exclusive) the unit can work; 0 when it never can.
    pub fn last_day(&self) -> i64 {
        self.windows.last().map_or(0, |w| w.1)
    }

    /// Available unit-days within `from..to`.
    pub fn available_days(&self, from: i64, to: i64) -> i64 {
        self.windows
            .iter()
            .map(|&(a, b)| (b.min(to) - a.max(from)).max(0))
            .sum()
    }
}

/// Day offset of `date` from `start`.
pub fn day_of(start: Date, date: Date) -> i64 {
    (date - start).num_days()
}

/// Every person's contract periods as merged half-open day ranges from `start`.
pub fn contract_days(dataset: &Dataset, start: Date) -> HashMap<Uuid, Vec<(i64, i64)>> {
    let mut by_person: HashMap<Uuid, Vec<(i64, i64)>> = HashMap::new();
    for c in &dataset.contracts {
        let from = day_of(start, c.window.start()).max(0);
        let to = day_of(start, c.window.end()) + 1;
        if to > from {
            by_person.entry(c.person_id).or_default().push((from, to));
        }
    }
    for ranges in by_person.values_mut() {
        ranges.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(ranges.len());
        for &(a, b) in ranges.iter() {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        *ranges = merged;
    }
    by_person
}

/// The days on which enough members (and the leader, if any) are under contract.
pub fn availability(
    members: &[Uuid],
    leader: Option<Uuid>,
    contracts: &HashMap<Uuid, Vec<(i64, i64)>>,
    min_share: f64,
) -> Vec<(i64, i64)> {
    if members.is_empty() {
        return Vec::new();
    }
    let needed = ((min_share * members.len() as f64) - 1e-9).ceil().max(1.0) as i64;
    // Events: (day, change in members, change in leader).
    let mut events: Vec<(i64, i64, i64)> = Vec::new();
    for m in members {
        let is_leader = i64::from(Some(*m) == leader);
        for &(a, b) in contracts.get(m).map(Vec::as_slice).unwrap_or(&[]) {
            events.push((a, 1, is_leader));
            events.push((b, -1, -is_leader));
        }
    }
    events.sort_unstable();
    let mut windows: Vec<(i64, i64)> = Vec::new();
    let (mut count, mut lead) = (0, 0);
    let mut open: Option<i64> = None;
    let mut k = 0;
    while k < events.len() {
        let day = events[k].0;
        while k < events.len() && events[k].0 == day {
            count += events[k].1;
            lead += events[k].2;
            k += 1;
        }
        let ok = count >= needed && (leader.is_none() || lead > 0);
        match (ok, open) {
            (true, None) => open = Some(day),
            (false, Some(from)) => {
                windows.push((from, day));
                open = None;
            }
            _ => {}
        }
    }
    windows
}

/// Builds every team and crew of the dataset as a unit.
pub fn build_units(
    dataset: &Dataset,
    config: &PlannerConfig,
    start: Date,
    zones: &mut Zones,
) -> Result<Vec<Unit>, PlannerError> {
    let contracts = contract_days(dataset, start);
    let roles: HashMap<Uuid, Role> = dataset.people.iter().map(|p| (p.id, p.role)).collect();
    let share = config.staffing.min_staff_share;
    let count = |members: &[Uuid], role: Role| {
        members
            .iter()
            .filter(|m| roles.get(m) == Some(&role))
            .count()
    };
    let mut units = Vec::with_capacity(dataset.teams.len() + dataset.crews.len());
    for t in &dataset.teams {
        let leader = t
            .members
            .iter()
            .copied()
            .find(|m| roles.get(m) == Some(&Role::TeamLeader));
        units.push(Unit {
            id: t.id,
            code: t.code.clone(),
            kind: UnitKind::Team(t.method),
            members: t.members.len(),
            deminers: count(&t.members, Role::Deminer),
            dog_pairs: (count(&t.members, Role::DogHandler) / 2).max(1),
            base_zone: zones.zone_of(t.base)?,
            windows: availability(&t.members, leader, &contracts, share),
        });
    }
    for c in &dataset.crews {
        units.push(Unit {
            id: c.id,
            code: c.code.clone(),
            kind: UnitKind::Crew(c.trade),
            members: c.members.len(),
            deminers: 0,
            dog_pairs: 0,
            base_zone: zones.zone_of(c.base)?,
            windows: availability(&c.members, None, &contracts, share),
        });
    }
    Ok(units)
}

/// Square cells of the local projection: the sites between which travel is counted.
#[derive(Debug)]
pub struct Zones {
    projection: LocalProjection,
    size_m: f64,
    index: HashMap<(i64, i64), usize>,
    /// Centre of each zone, projected metres.
    pub centres: Vec<Coord<f64>>,
    travel: Travel,
}

impl Zones {
    /// An empty zoning in the register's projection ([`bonifica_model::Dataset::projection`]).
    pub fn new(projection: LocalProjection, travel: &Travel) -> Zones {
        Zones {
            projection,
            size_m: travel.zone_size_m,
            index: HashMap::new(),
            centres: Vec::new(),
            travel: travel.clone(),
        }
    }

    /// The projection used for zones and distances.
    pub fn projection(&self) -> &LocalProjection {
        &self.projection
    }

    /// The zone a WGS 84 point falls in, adding it when new.
    pub fn zone_of(&mut self, p: Point<f64>) -> Result<usize, PlannerError> {
        let c = self.projection.forward(p.0)?;
        let key = (
            (c.x / self.size_m).floor() as i64,
            (c.y / self.size_m).floor() as i64,
        );
        let next = self.centres.len();
        let zone = *self.index.entry(key).or_insert(next);
        if zone == next {
            self.centres.push(Coord {
                x: (key.0 as f64 + 0.5) * self.size_m,
                y: (key.1 as f64 + 0.5) * self.size_m,
            });
        }
        Ok(zone)
    }

    /// Number of zones in use.
    pub fn len(&self) -> usize {
        self.centres.len()
    }

    /// True when no zone is in use.
    pub fn is_empty(&self) -> bool {
        self.centres.is_empty()
    }

    /// Distance between zone centres, kilometres.
    pub fn km(&self, a: usize, b: usize) -> f64 {
        let (p, q) = (self.centres[a], self.centres[b]);
        ((p.x - q.x).powi(2) + (p.y - q.y).powi(2)).sqrt() / 1000.0
    }

    /// Whole travel days from zone `a` to zone `b`.
    pub fn travel(&self, a: usize, b: usize) -> i64 {
        if a == b {
            0
        } else {
            self.travel.days_for_km(self.km(a, b))
        }
    }

    /// The zone centre as WGS 84.
    pub fn centre_wgs84(&self, zone: usize) -> Point<f64> {
        self.projection
            .inverse(self.centres[zone])
            .map(Point)
            .unwrap_or_else(|_| Point::new(0.0, 0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: u128) -> Vec<Uuid> {
        (1..=n).map(Uuid::from_u128).collect()
    }

    #[test]
    fn a_team_is_available_while_its_leader_and_three_quarters_are_contracted() {
        let members = ids(4);
        let mut contracts = HashMap::new();
        contracts.insert(members[0], vec![(0, 100)]); // leader
        contracts.insert(members[1], vec![(0, 50)]);
        contracts.insert(members[2], vec![(10, 100)]);
        contracts.insert(members[3], vec![(0, 100)]);
        let w = availability(&members, Some(members[0]), &contracts, 0.75);
        // Three of four needed: days 0..100 except where two are missing (none here).
        assert_eq!(w, vec![(0, 100)]);
        contracts.insert(members[0], vec![(0, 80)]);
        let w = availability(&members, Some(members[0]), &contracts, 1.0);
        assert_eq!(w, vec![(10, 50)]);
        let w = availability(&members, Some(members[0]), &contracts, 0.75);
        assert_eq!(w, vec![(0, 80)]);
    }

    #[test]
    fn a_crew_without_enough_members_is_never_available() {
        let members = ids(4);
        let mut contracts = HashMap::new();
        contracts.insert(members[0], vec![(0, 10)]);
        contracts.insert(members[1], vec![(20, 30)]);
        assert_eq!(availability(&members, None, &contracts, 0.75), vec![]);
        assert_eq!(
            availability(&members, None, &contracts, 0.25),
            vec![(0, 10), (20, 30)]
        );
    }
}

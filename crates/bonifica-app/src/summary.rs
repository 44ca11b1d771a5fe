//! The register's counts and totals as one actor may see them: the model counts
//! ([`Dataset::summary`]), and what goes in is what the actor may see.

use bonifica_model::{AssetKind, Dataset, Date, RecordKind, Summary};

use crate::access::{Verb, role_allows, visible};
use crate::actor::Actor;
use crate::model::Model;

/// What an actor sees of the register's counts.
#[derive(Debug, Clone)]
pub struct SeenSummary {
    /// Counted over the records the actor may see.
    pub counts: Summary,
    /// Whether the actor's role reads people and contracts: the figures about them
    /// are left out otherwise.
    pub reads_people: bool,
    pub reads_contracts: bool,
    /// Records every role sees, counted whole.
    pub regions: usize,
    pub organisations: usize,
    pub teams: usize,
    pub crews: usize,
    pub settlements: usize,
    /// Geodesic length of the road and railway segments recorded as restored, km.
    pub reopened_road_km: f64,
    pub reopened_rail_km: f64,
}

/// The counts and totals of what `actor` may see, contract horizons from `as_of`.
pub fn seen_summary(model: &Model, actor: &Actor, as_of: Date) -> SeenSummary {
    let reads = |kind| role_allows(actor.role, kind, Verb::Read);
    let (reads_people, reads_contracts) = (reads(RecordKind::Person), reads(RecordKind::Contract));
    let d = &model.data;
    let seen = Dataset {
        hazard_areas: d
            .hazard_areas
            .iter()
            .filter(|h| visible(actor, model, *h))
            .cloned()
            .collect(),
        assets: d
            .assets
            .iter()
            .filter(|a| visible(actor, model, *a))
            .cloned()
            .collect(),
        people: match reads_people {
            true => d
                .people
                .iter()
                .filter(|p| visible(actor, model, *p))
                .cloned()
                .collect(),
            false => Vec::new(),
        },
        contracts: match reads_contracts {
            true => d
                .contracts
                .iter()
                .filter(|c| visible(actor, model, *c))
                .cloned()
                .collect(),
            false => Vec::new(),
        },
        ..Dataset::default()
    };
    let reopened_km = |kind| {
        seen.assets
            .iter()
            .filter(|a| a.kind == kind && a.restored)
            // A fold from 0, because an empty f64 sum is -0.
            .fold(0.0, |km, a| km + a.length_m() / 1000.0)
    };
    SeenSummary {
        counts: seen.summary(as_of),
        reads_people,
        reads_contracts,
        regions: d.regions.len(),
        organisations: d.organisations.len(),
        teams: d.teams.len(),
        crews: d.crews.len(),
        settlements: d.settlements.len(),
        reopened_road_km: reopened_km(AssetKind::RoadSegment),
        reopened_rail_km: reopened_km(AssetKind::RailwaySegment),
    }
}

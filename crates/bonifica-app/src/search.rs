//! Search across the register: codes and names of hazard areas, assets, teams, crews,
//! organisations and settlements, as one ranked list. Access rules apply as in every list:
//! a record the actor may not see (a restricted one, or a kind their role does not read)
//! is never a hit.

use bonifica_model::{Code, RecordKind};
use geo::BoundingRect;
use geo_types::Geometry;
use uuid::Uuid;

use crate::access::{Verb, role_allows, visible};
use crate::{Actor, AppError, Model};

/// The most hits one search answers.
pub const MAX_HITS: usize = 100;

/// One record found.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: RecordKind,
    pub id: Uuid,
    pub code: String,
    /// The record's name, or what says most of it where it has none (a hazard area's
    /// classification and status).
    pub label: String,
    /// Where it lies, WGS 84: `[west, south, east, north]`.
    pub bbox: Option<[f64; 4]>,
}

/// How well a record's words match: lower is better.
fn rank(query: &str, code: &str, name: &str) -> Option<u8> {
    let (code, name) = (code.to_lowercase(), name.to_lowercase());
    if code == query {
        Some(0)
    } else if code.starts_with(query) {
        Some(1)
    } else if name.starts_with(query) || name.split_whitespace().any(|w| w.starts_with(query)) {
        Some(2)
    } else if code.contains(query) || name.contains(query) {
        Some(3)
    } else {
        None
    }
}

fn bbox(g: &Geometry<f64>) -> Option<[f64; 4]> {
    g.bounding_rect()
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
}

/// The records matching `query` (case does not matter; at least two characters) that the
/// actor may see, best first, then by code; at most `limit` of them (1 to [`MAX_HITS`]).
pub fn search(
    model: &Model,
    actor: &Actor,
    query: &str,
    limit: usize,
) -> Result<Vec<Hit>, AppError> {
    let query = query.trim().to_lowercase();
    if query.chars().count() < 2 {
        return Err(AppError::field(
            "q",
            "give at least two characters to search for",
        ));
    }
    if !(1..=MAX_HITS).contains(&limit) {
        return Err(AppError::field("limit", format!("must be 1 to {MAX_HITS}")));
    }
    let d = &model.data;
    let reads = |kind| role_allows(actor.role, kind, Verb::Read);
    let mut found: Vec<(u8, Hit)> = Vec::new();
    let mut add = |kind, id, code: &Code, name: &str, label: String, bbox: Option<[f64; 4]>| {
        if let Some(r) = rank(&query, code.as_str(), name) {
            found.push((
                r,
                Hit {
                    kind,
                    id,
                    code: code.to_string(),
                    label,
                    bbox,
                },
            ));
        }
    };
    if reads(RecordKind::HazardArea) {
        for a in d.hazard_areas.iter().filter(|a| visible(actor, model, *a)) {
            let label = format!(
                "{} {}",
                a.classification().as_str().to_uppercase(),
                a.status().as_str().replace('_', " ")
            );
            let g = Geometry::MultiPolygon(a.geometry().as_multi_polygon().clone());
            add(RecordKind::HazardArea, a.id, &a.code, "", label, bbox(&g));
        }
    }
    if reads(RecordKind::Asset) {
        for a in d.assets.iter().filter(|a| visible(actor, model, *a)) {
            let g = a.footprint.to_geometry();
            add(
                RecordKind::Asset,
                a.id,
                &a.code,
                &a.name,
                a.name.clone(),
                bbox(&g),
            );
        }
    }
    if reads(RecordKind::Settlement) {
        for s in &d.settlements {
            let g = s.footprint.to_geometry();
            add(
                RecordKind::Settlement,
                s.id,
                &s.code,
                &s.name,
                s.name.clone(),
                bbox(&g),
            );
        }
    }
    if reads(RecordKind::Team) {
        for t in &d.teams {
            let g = Geometry::Point(t.base);
            add(
                RecordKind::Team,
                t.id,
                &t.code,
                &t.name,
                t.name.clone(),
                bbox(&g),
            );
        }
    }
    if reads(RecordKind::Crew) {
        for c in &d.crews {
            let g = Geometry::Point(c.base);
            add(
                RecordKind::Crew,
                c.id,
                &c.code,
                &c.name,
                c.name.clone(),
                bbox(&g),
            );
        }
    }
    if reads(RecordKind::Organisation) {
        for o in &d.organisations {
            add(
                RecordKind::Organisation,
                o.id,
                &o.code,
                &o.name,
                o.name.clone(),
                None,
            );
        }
    }
    found.sort_by(|(ra, a), (rb, b)| ra.cmp(rb).then_with(|| a.code.cmp(&b.code)));
    Ok(found.into_iter().take(limit).map(|(_, hit)| hit).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_code_ranks_before_a_prefix_a_word_and_a_part() {
        assert_eq!(rank("ha-0042", "HA-0042", ""), Some(0));
        assert_eq!(rank("ha-004", "HA-0042", ""), Some(1));
        assert_eq!(rank("kup", "AS-0001", "Bridge at Kupiansk"), Some(2));
        assert_eq!(rank("pians", "AS-0001", "Bridge at Kupiansk"), Some(3));
        assert_eq!(rank("lviv", "AS-0001", "Bridge at Kupiansk"), None);
    }
}

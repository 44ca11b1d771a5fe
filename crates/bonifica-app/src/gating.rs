//! Gating as the reports need it: the hazard areas that still block one asset (nothing is
//! rebuilt on unreleased land), and the assets an approval unblocks.
//!
//! Both run on the hazard areas and assets near the place in question rather than the
//! whole register: a box around it, widened by the gating distance (twice, for the
//! hazard areas that may block an asset near it), picks the candidates in degrees, and
//! the model's gating decides in metres, in the register's projection
//! ([`Dataset::projection`]), which the map's `blocked` flag uses too, so both say the
//! same. The gating distance is the programme's (`GatingConfig::buffer_m`).

use bonifica_model::{
    Asset, Dataset, Gating, GatingIndex, HazardArea, LocalProjection, assets_unblocked,
};
use geo::BoundingRect;
use geo_types::Rect;
use uuid::Uuid;

use crate::access::visible;
use crate::actor::Actor;
use crate::error::AppError;
use crate::model::Model;

/// `rect` widened by `margin_m` metres, in degrees, generously: a degree of latitude is
/// taken as 110 km, a degree of longitude as that times the cosine of the latitude
/// farthest from the equator.
fn widened(rect: Rect<f64>, margin_m: f64) -> Rect<f64> {
    let dlat = margin_m / 110_000.0 + 1e-6;
    let max_lat = (rect.max().y + dlat).abs().max((rect.min().y - dlat).abs());
    let cos = max_lat.to_radians().cos();
    let dlon = if cos > 0.01 { dlat / cos } else { 360.0 };
    Rect::new(
        geo_types::coord! { x: rect.min().x - dlon, y: rect.min().y - dlat },
        geo_types::coord! { x: rect.max().x + dlon, y: rect.max().y + dlat },
    )
}

fn overlaps(a: &Rect<f64>, b: Option<Rect<f64>>) -> bool {
    b.is_some_and(|b| {
        a.min().x <= b.max().x
            && b.min().x <= a.max().x
            && a.min().y <= b.max().y
            && b.min().y <= a.max().y
    })
}

fn hazards_near(d: &Dataset, around: &Rect<f64>) -> Vec<HazardArea> {
    d.hazard_areas
        .iter()
        .filter(|h| overlaps(around, h.geometry().as_multi_polygon().bounding_rect()))
        .cloned()
        .collect()
}

/// The unreleased hazard areas that block `asset`, restricted ones included.
pub fn blocking(d: &Dataset, asset: &Asset, buffer_m: f64) -> Result<Vec<Uuid>, AppError> {
    let Some(place) = asset.footprint.to_geometry().bounding_rect() else {
        return Ok(Vec::new());
    };
    let projection = d.projection().map_err(|e| AppError::internal(&e))?;
    let buffer = buffer_m;
    let near = hazards_near(d, &widened(place, buffer));
    let index = GatingIndex::build(&near, &projection).map_err(|e| AppError::internal(&e))?;
    index
        .blocking(&asset.footprint, buffer)
        .map_err(|e| AppError::internal(&e))
}

/// A conflict naming the hazard areas that still block the asset: nothing is rebuilt on
/// unreleased land. Only the areas the caller may see are named, and nothing counts the
/// others: when only areas the caller may not see block it, the asset is said to be
/// blocked by land not yet released, which the crew needs to know to stay safe.
pub fn refuse_blocked(
    model: &Model,
    caller: &Actor,
    asset: &Asset,
    buffer_m: f64,
) -> Result<(), AppError> {
    let blocking = blocking(&model.data, asset, buffer_m)?;
    if blocking.is_empty() {
        return Ok(());
    }
    let mut named: Vec<String> = model
        .data
        .hazard_areas
        .iter()
        .filter(|h| blocking.contains(&h.id) && visible(caller, model, *h))
        .map(|h| h.code.to_string())
        .collect();
    named.sort();
    let by = if named.is_empty() {
        "land not yet released".to_string()
    } else {
        format!("unreleased hazard area(s) {}", named.join(", "))
    };
    Err(AppError::conflict_on(
        "asset_id",
        format!(
            "asset {} is still blocked by {by}: nothing is rebuilt on land that has not been released",
            asset.code
        ),
    ))
}

/// The damaged assets the caller may see whose last blocking hazard area is released when
/// `before` becomes `after`, sorted by code. `model` is the register before the change.
pub fn unblocked<'m>(
    model: &'m Model,
    caller: &Actor,
    before: &HazardArea,
    after: &HazardArea,
    buffer_m: f64,
) -> Result<Vec<&'m Asset>, AppError> {
    let d = &model.data;
    let Some(place) = before.geometry().as_multi_polygon().bounding_rect() else {
        return Ok(Vec::new());
    };
    let projection = d.projection().map_err(|e| AppError::internal(&e))?;
    let buffer = buffer_m;
    let around = widened(place, buffer);
    let assets: Vec<Asset> = d
        .assets
        .iter()
        .filter(|a| {
            a.needs_repair() && overlaps(&around, a.footprint.to_geometry().bounding_rect())
        })
        .cloned()
        .collect();
    if assets.is_empty() {
        return Ok(Vec::new());
    }
    let hazards_before = hazards_near(d, &widened(place, 2.0 * buffer));
    let hazards_after: Vec<HazardArea> = hazards_before
        .iter()
        .map(|h| {
            if h.id == after.id {
                after.clone()
            } else {
                h.clone()
            }
        })
        .collect();
    let gate = |hazards: &[HazardArea]| {
        Gating::compute(hazards, &assets, buffer, &projection).map_err(|e| AppError::internal(&e))
    };
    let ids = assets_unblocked(&gate(&hazards_before)?, &gate(&hazards_after)?);
    let mut out: Vec<&Asset> = d
        .assets
        .iter()
        .filter(|a| ids.contains(&a.id) && visible(caller, model, *a))
        .collect();
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

/// The assets still to repair that an unreleased hazard area within `buffer_m` blocks
/// (restricted areas included: they gate whoever looks), over the whole register at once:
/// the map's `blocked` flag and the lists' `blocked` filter. `projection` is the whole
/// register's ([`Dataset::projection`]), the one [`blocking`] uses, even when `d` holds
/// only the hazard areas and assets.
pub fn blocked_assets(
    d: &Dataset,
    projection: &LocalProjection,
    buffer_m: f64,
) -> Result<std::collections::HashSet<Uuid>, AppError> {
    let index =
        GatingIndex::build(&d.hazard_areas, projection).map_err(|e| AppError::internal(&e))?;
    let mut blocked = std::collections::HashSet::new();
    for a in d.assets.iter().filter(|a| a.needs_repair()) {
        if !index
            .blocking(&a.footprint, buffer_m)
            .map_err(|e| AppError::internal(&e))?
            .is_empty()
        {
            blocked.insert(a.id);
        }
    }
    Ok(blocked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_covers_the_margin_in_both_directions() {
        let r = Rect::new(
            geo_types::coord! { x: 36.0, y: 50.0 },
            geo_types::coord! { x: 36.1, y: 50.1 },
        );
        let w = widened(r, 1_100.0);
        assert!((r.min().y - w.min().y - 0.01).abs() < 1e-5);
        // At 50° a degree of longitude is about 71 km: 1.1 km is more than 0.015°.
        assert!(r.min().x - w.min().x > 0.015);
        assert!(overlaps(&w, Some(r)));
    }
}

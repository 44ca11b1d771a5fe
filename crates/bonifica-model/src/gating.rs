//! Gating: the hazard areas that block each asset.
//!
//! An asset is blocked by every unreleased hazard area whose polygon intersects the asset's
//! footprint buffered by a working distance in metres. "Intersects the buffer by d" is the
//! same as "lies within d of the footprint", so the test is a planar distance in a local
//! metric projection, which is exact where a polygonal buffer would approximate the
//! round caps. Candidates come from an R*-tree over the projected hazard envelopes.

use std::collections::BTreeMap;

use geo::{BoundingRect, Distance, Euclidean};
use geo_types::Geometry;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use uuid::Uuid;

use crate::asset::Asset;
use crate::geodesy::{LocalProjection, ProjectionError};
use crate::geometry::Footprint;
use crate::hazard::HazardArea;

/// Distances within a millimetre count as touching: projection and floating point leave
/// sub-millimetre noise on shared edges, and no survey is that precise.
pub const TOUCH_TOLERANCE_M: f64 = 0.001;

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// An index of the unreleased hazard areas of a region, in projected metres.
pub struct GatingIndex<'p> {
    projection: &'p LocalProjection,
    tree: RTree<Entry>,
    hazards: Vec<(Uuid, Geometry<f64>)>,
}

/// For every asset, the ids of the hazard areas that block it (sorted).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gating {
    pub blocking: BTreeMap<Uuid, Vec<Uuid>>,
}

impl Gating {
    /// Computes gating for every asset against every unreleased hazard area.
    pub fn compute(
        hazards: &[HazardArea],
        assets: &[Asset],
        buffer_m: f64,
        projection: &LocalProjection,
    ) -> Result<Gating, ProjectionError> {
        let index = GatingIndex::build(hazards, projection)?;
        let mut blocking = BTreeMap::new();
        for asset in assets {
            blocking.insert(asset.id, index.blocking(&asset.footprint, buffer_m)?);
        }
        Ok(Gating { blocking })
    }

    /// The hazard areas blocking `asset`; empty when it is free to repair.
    pub fn of(&self, asset: Uuid) -> &[Uuid] {
        self.blocking.get(&asset).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Number of assets blocked by at least one hazard area.
    pub fn blocked_count(&self) -> usize {
        self.blocking.values().filter(|h| !h.is_empty()).count()
    }
}

impl<'p> GatingIndex<'p> {
    /// Projects the unreleased hazard areas and indexes their envelopes.
    pub fn build(
        hazards: &[HazardArea],
        projection: &'p LocalProjection,
    ) -> Result<GatingIndex<'p>, ProjectionError> {
        let mut projected = Vec::new();
        let mut entries = Vec::new();
        for hazard in hazards.iter().filter(|h| !h.status().is_released()) {
            let geometry = Geometry::from(hazard.geometry().as_multi_polygon().clone());
            let geometry = projection.project(&geometry)?;
            if let Some(rect) = geometry.bounding_rect() {
                let envelope = Rectangle::from_corners(rect.min().into(), rect.max().into());
                entries.push(GeomWithData::new(envelope, projected.len()));
            }
            projected.push((hazard.id, geometry));
        }
        Ok(GatingIndex {
            projection,
            tree: RTree::bulk_load(entries),
            hazards: projected,
        })
    }

    /// The hazard areas within `buffer_m` metres of a footprint, sorted by id.
    pub fn blocking(
        &self,
        footprint: &Footprint,
        buffer_m: f64,
    ) -> Result<Vec<Uuid>, ProjectionError> {
        let geometry = self.projection.project(&footprint.to_geometry())?;
        let Some(rect) = geometry.bounding_rect() else {
            return Ok(Vec::new());
        };
        let search = AABB::from_corners(
            [rect.min().x - buffer_m, rect.min().y - buffer_m],
            [rect.max().x + buffer_m, rect.max().y + buffer_m],
        );
        let mut found: Vec<Uuid> = self
            .tree
            .locate_in_envelope_intersecting(&search)
            .map(|entry| &self.hazards[entry.data])
            .filter(|(_, hazard)| {
                Euclidean.distance(hazard, &geometry) <= buffer_m + TOUCH_TOLERANCE_M
            })
            .map(|(id, _)| *id)
            .collect();
        found.sort_unstable();
        Ok(found)
    }
}

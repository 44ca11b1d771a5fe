//! The domain model of Bonifica: hazard areas, damaged assets, the workforce and
//! the rules that tie them together (land release and gating).
//!
//! This crate does no IO and reads no clock. Every type that carries an invariant is
//! built through a constructor that checks it ("parse, don't validate"), so the rest of
//! the system can take a [`HazardArea`] or a [`ContractWindow`] and trust it.
//!
//! Coordinates are WGS 84 longitude/latitude in degrees unless a type says otherwise.
//! Planar operations (buffers, distances used for gating) run in a local transverse
//! Mercator projection in metres ([`LocalProjection`]); areas and lengths are geodesic on
//! the WGS 84 ellipsoid ([`geodesy`]).

pub mod asset;
pub mod dataset;
pub mod entities;
pub mod gating;
pub mod geodesy;
pub mod geometry;
pub mod hazard;
pub mod ids;
pub mod release;

pub use asset::{Asset, AssetKind, DamageLevel, RepairWork, ServiceValue};
pub use dataset::{Dataset, DatasetError, Summary};
pub use entities::{
    Contract, ContractWindow, Crew, Method, Organisation, OrganisationKind, Person, Region, River,
    Role, Settlement, Team, Trade, WindowError,
};
pub use gating::{Gating, GatingIndex};
pub use geodesy::{LocalProjection, ProjectionError};
pub use geometry::{Footprint, GeometryError, Polygonal, RawPolygon, lines_from_raw};
pub use hazard::{Classification, Contamination, HazardArea, NewHazardArea, Terrain, Vegetation};
pub use ids::{Code, CodeError, RecordKind, stable_uuid};
pub use release::{ClosureReason, HazardStatus, IllegalTransition, ReleaseEvent, ReleaseState};

/// A date of information or a contract date. Calendar days, no time zone.
pub type Date = chrono::NaiveDate;

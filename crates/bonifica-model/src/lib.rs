//! The domain model of Bonifica: hazard areas, damaged assets, the workforce and
//! the rules that tie them together (land release and gating), and the field reports
//! that move land release along (their workflow and what their approval does).
//!
//! This crate does no IO and reads no clock. Every type that carries an invariant is
//! built through a constructor that checks it ("parse, don't validate"), so the rest of
//! the system can take a [`HazardArea`] or a [`ContractWindow`] and trust it.
//!
//! Coordinates are WGS 84 longitude/latitude in degrees unless a type says otherwise.
//! Planar operations (buffers, distances used for gating) run in a local transverse
//! Mercator projection in metres ([`LocalProjection`]); areas and lengths are geodesic on
//! the WGS 84 ellipsoid ([`geodesy`]).

pub mod approval;
pub mod asset;
pub mod cut;
pub mod dataset;
pub mod entities;
pub mod gating;
pub mod geodesy;
pub mod geometry;
pub mod hazard;
pub mod ids;
pub mod release;
pub mod report;
pub mod topology;
pub mod workflow;

pub use approval::{
    ApprovalEffect, ApprovalError, ReleasedByOutcome, ReleasedPiece, approval_effect,
    assets_unblocked,
};
pub use asset::{Asset, AssetKind, DamageLevel, RepairWork, ServiceValue};
pub use cut::{Cut, CutError, cut_release, cut_to_revised};
pub use dataset::{Dataset, DatasetError, Summary};
pub use entities::{
    Contract, ContractWindow, Crew, Method, Organisation, OrganisationKind, Person, Region, River,
    Role, Settlement, Team, Trade, WindowError,
};
pub use gating::{Gating, GatingIndex};
pub use geodesy::{LocalProjection, ProjectionError};
pub use geometry::{
    Footprint, GeometryError, MAX_AREA_M2, MAX_VERTICES, Polygonal, RawPolygon, lines_from_raw,
};
pub use hazard::{Classification, Contamination, HazardArea, NewHazardArea, Terrain, Vegetation};
pub use ids::{CODE_DIGITS, Code, CodeError, RecordKind, Series, stable_uuid};
pub use release::{ClosureReason, HazardStatus, IllegalTransition, ReleaseEvent, ReleaseState};
pub use report::{
    Completion, DailyProgress, Disposal, Handover, Incident, IncidentCategory, Injury, Marker,
    NonTechnicalSurvey, NtsOutcome, OrdnanceCategory, OrdnanceFound, ReconstructionProgress,
    ReportBody, ReportError, ReportKind, Sex, TechnicalSurvey, TsOutcome, Victim,
};
pub use workflow::{
    Approvals, Approver, IllegalReportTransition, ReportAction, ReportState, ReportStep,
    ReportTransition, WorkflowError, transition,
};

/// A date of information or a contract date. Calendar days, no time zone.
pub type Date = chrono::NaiveDate;

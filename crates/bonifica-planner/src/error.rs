//! The planner's one error type: what can stop a plan from being made.

/// Why the planner could not do what was asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlannerError {
    /// A configuration file could not be read; the message names the key.
    #[error("planner configuration: {0}")]
    Config(String),
    /// A scenario file could not be read; the message names the key.
    #[error("scenario {name}: {reason}")]
    Scenario { name: String, reason: String },
    /// The region could not be projected for planar work.
    #[error("projection failed: {0}")]
    Projection(#[from] bonifica_model::ProjectionError),
    /// A dataset broke a rule across records (after merging a scenario's extra region).
    #[error("dataset: {0}")]
    Dataset(#[from] bonifica_model::DatasetError),
    /// A configuration value is outside what makes sense.
    #[error("planner configuration: {key} is {value}: {reason}")]
    Invalid {
        key: &'static str,
        value: String,
        reason: &'static str,
    },
}

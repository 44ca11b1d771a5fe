//! Bonifica's scheduling engine: a resource-constrained project scheduling (RCPSP)
//! library that does no IO. [`model`] holds the facts (activities with modes, resources
//! with capacity profiles, precedences with lags, windows, setup times, the objective)
//! and the decisions ([`Schedule`]); [`solve()`] searches; [`validate()`] checks any
//! schedule independently of the solver; [`psplib`] reads the standard benchmark,
//! [`json`] the documented instance format, and [`bench`] computes benchmark figures.

pub mod bench;
pub mod bounds;
mod classic;
pub mod error;
mod ga;
mod general;
pub mod json;
pub mod model;
pub mod psplib;
pub mod rng;
pub mod solve;
pub mod validate;

pub use error::{Error, Result};
pub use model::{
    Activity, CapacityProfile, Demand, LagKind, Mode, Objective, Precedence, Problem, Resource,
    Schedule, SetupTimes, Time,
};
pub use solve::{Limits, NoProgress, Progress, ProgressInfo, Solution, Status, solve};
pub use validate::{Violation, validate};

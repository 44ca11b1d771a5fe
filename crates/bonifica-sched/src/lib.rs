//! Bonifica's scheduling engine: a resource-constrained project scheduling (RCPSP)
//! library that does no IO. [`model`] holds the facts (activities with modes, resources
//! with capacity profiles, precedences with lags, windows, setup times, the objective)
//! and the decisions ([`Schedule`]); [`solve()`] searches; [`validate()`] checks any
//! schedule independently of the solver; [`psplib`] reads the standard benchmark,
//! [`json`] the documented instance format, and [`bench`] computes benchmark figures.
//!
//! ```
//! use bonifica_sched::{
//!     Activity, CapacityProfile, Demand, Limits, Mode, NoProgress, Problem, Resource, solve,
//!     validate,
//! };
//!
//! // Two tasks for one team: 3 and 2 periods.
//! let task = |duration| Activity {
//!     modes: vec![Mode { duration, demands: vec![Demand { resource: 0, amount: 1 }] }],
//!     weight: 1,
//!     ..Default::default()
//! };
//! let problem = Problem {
//!     activities: vec![task(3), task(2)],
//!     resources: vec![Resource { name: "team".into(), capacity: CapacityProfile::constant(1) }],
//!     ..Default::default()
//! };
//! let solution = solve(&problem, &Limits::schedules(1_000), &NoProgress).expect("valid problem");
//! assert_eq!(solution.objective, Some(5));
//! let schedule = solution.schedule.expect("a schedule");
//! assert!(validate(&problem, &schedule).is_empty());
//! ```

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

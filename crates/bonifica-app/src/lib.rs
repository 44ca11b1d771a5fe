//! The application layer of Bonifica: what its users do, over the store's traits, with no
//! protocol in it.
//!
//! The HTTP crate parses a request, calls a function here and converts the answer; the
//! command line calls the same functions. Errors are [`AppError`]s, which name what went
//! wrong in the register's words and carry no status code. Access control ([`access`])
//! decides for an [`Actor`] what they may see and change; the register lives in memory as
//! a [`Model`] that follows the store's audit log. A report is filed ([`filing`]) and
//! taken through its workflow to the approval that changes the register ([`steps`]).

pub mod access;
pub mod actor;
pub mod audit;
pub mod error;
pub mod export;
pub mod filing;
pub mod gating;
pub mod model;
pub mod plan_view;
pub mod planning;
pub mod progress;
pub mod report_rules;
pub mod search;
pub mod steps;
pub mod stored_report;
pub mod summary;

pub use actor::{Actor, Role, UnknownRole};
pub use error::AppError;
pub use model::{CaughtUp, Model};

//! Integration tests of the domain model: land-release rules, gating, field reports and
//! what their approval does, each driven by small tables so a rule change shows up as one
//! changed row.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod approval;
mod cut;
mod fixtures;
mod gating;
mod release;
mod reports;
mod workflow;

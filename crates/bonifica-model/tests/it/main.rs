//! Integration tests of the domain model: land-release rules and gating, each driven by
//! small tables so a rule change shows up as one changed row.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod gating;
mod release;

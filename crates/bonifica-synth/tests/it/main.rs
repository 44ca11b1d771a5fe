//! Integration tests of the synthetic region generator, in one test binary.
//!
//! The default region is generated once and shared by the tests that only read it.

mod default_region;
mod determinism;
mod gradient;
mod networks;
mod small;

use std::sync::OnceLock;

use bonifica_model::LocalProjection;
use bonifica_synth::{Generated, Params, generate_region};

/// The default region (seed 1), generated once for the whole test binary.
pub fn default_region() -> &'static Generated {
    static REGION: OnceLock<Generated> = OnceLock::new();
    REGION.get_or_init(|| match generate_region(&Params::default()) {
        Ok(g) => g,
        Err(e) => panic!("default region failed: {e}"),
    })
}

/// The projection the tests measure in, centred on the region.
pub fn projection() -> LocalProjection {
    match LocalProjection::centred_on(36.5) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

/// The default programme start date.
pub fn default_region_start() -> bonifica_model::Date {
    Params::default().start_date
}

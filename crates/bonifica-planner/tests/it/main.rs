//! Integration tests of the planner: hand-made regions with known answers, the checker
//! on corrupted plans, and the default demo region end to end.

mod actual;
mod checker;
mod demo;
mod fixture;
mod small;

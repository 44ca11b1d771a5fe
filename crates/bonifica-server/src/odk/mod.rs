//! ODK Collect and KoBoCollect compatibility: the OpenRosa form list, the daily progress
//! XForm and the submission endpoint, under `/odk/`. See `docs/reports.md`.

pub mod submission;
pub mod xform;

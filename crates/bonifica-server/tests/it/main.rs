//! Integration tests of the API, in-process through `tower::ServiceExt::oneshot`: one
//! binary, one module per concern. Every test serves a fresh copy of a small generated
//! region.

mod errors;
mod fixture;
mod follow;
mod history;
mod lists;
mod map;
mod matrix;
mod odk;
mod openapi;
mod plans;
mod progress;
mod reports;
mod reports_roles;
mod requests;
mod restricted;
mod search;
mod sessions;
mod signin;
mod summary;

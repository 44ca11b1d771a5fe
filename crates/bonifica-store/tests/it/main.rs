//! Integration tests of the stores: one binary, one module per concern. Every GeoPackage
//! test writes a fresh file in its own temporary directory; every PostgreSQL test
//! (`pg`) creates its own database on the server `BONIFICA_TEST_DATABASE` names.

mod accounts;
mod atomic;
mod audit;
mod bbox;
mod fixture;
mod gdal;
mod migrations;
mod pg;
mod plans;
mod records;
mod reports;
mod round_trip;
mod transfer;
mod versions;

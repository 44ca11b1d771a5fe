//! Integration tests of the GeoPackage store: one binary, one module per concern. Every
//! test writes a fresh file in its own temporary directory.

mod accounts;
mod atomic;
mod audit;
mod bbox;
mod fixture;
mod gdal;
mod migrations;
mod plans;
mod records;
mod reports;
mod round_trip;
mod transfer;
mod versions;

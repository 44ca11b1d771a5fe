//! Integration tests of the GeoPackage store: one binary, one module per concern. Every
//! test writes a fresh file in its own temporary directory.

mod atomic;
mod bbox;
mod fixture;
mod gdal;
mod migrations;
mod round_trip;
mod versions;

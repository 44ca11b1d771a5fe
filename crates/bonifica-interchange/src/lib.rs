//! Import and export of Bonifica's records: GeoJSON (RFC 7946) for the spatial layers
//! (regions, settlements, rivers, hazard areas, assets) and CSV for the tabular ones
//! (organisations, people, contracts, teams, crews).
//!
//! The functions here turn a file's *contents* into a [`bonifica_model::Dataset`] fragment
//! holding only the new records, and back. They do no IO beyond the thin `read_*`
//! wrappers, and never return half a fragment: by default the first bad record fails the
//! whole import with an [`InterchangeError`] naming the file, the record, the field and the
//! problem. With [`ImportOptions::skip_invalid`] the bad records are left out and listed
//! in the [`ImportReport`] instead. Inserting the fragment in one transaction is the
//! store's job.

mod codes;
mod csv_export;
mod csv_import;
mod error;
mod geojson_export;
mod geojson_import;
mod mapping;
mod plan_export;
mod raw;
mod values;

use std::path::Path;

use bonifica_model::{Dataset, Date};
use uuid::Uuid;

pub use csv_export::{export_csv, header as csv_header};
pub use csv_import::import_csv;
pub use error::{InterchangeError, RecordRef};
pub use geojson_export::export_geojson;
pub use geojson_import::import_geojson;
pub use mapping::{Field, FieldMapping};
pub use plan_export::{PlanLayer, plan_assets_geojson, plan_csv, plan_hazard_areas_geojson};
pub use raw::RawGeometry;

/// A spatial layer, exchanged as a GeoJSON FeatureCollection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpatialLayer {
    Regions,
    Settlements,
    Rivers,
    HazardAreas,
    Assets,
}

impl SpatialLayer {
    pub const ALL: [SpatialLayer; 5] = [
        SpatialLayer::Regions,
        SpatialLayer::Settlements,
        SpatialLayer::Rivers,
        SpatialLayer::HazardAreas,
        SpatialLayer::Assets,
    ];

    /// The layer's name, as in file names (`hazard_areas.geojson`).
    pub fn as_str(self) -> &'static str {
        match self {
            SpatialLayer::Regions => "regions",
            SpatialLayer::Settlements => "settlements",
            SpatialLayer::Rivers => "rivers",
            SpatialLayer::HazardAreas => "hazard_areas",
            SpatialLayer::Assets => "assets",
        }
    }

    /// Parses a layer name.
    pub fn parse(text: &str) -> Option<SpatialLayer> {
        SpatialLayer::ALL.into_iter().find(|l| l.as_str() == text)
    }
}

/// A tabular layer, exchanged as CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Organisations,
    People,
    Contracts,
    Teams,
    Crews,
}

impl Table {
    /// In the order they can be imported: each refers only to tables before it.
    pub const ALL: [Table; 5] = [
        Table::Organisations,
        Table::People,
        Table::Contracts,
        Table::Teams,
        Table::Crews,
    ];

    /// The table's name, as in file names (`people.csv`).
    pub fn as_str(self) -> &'static str {
        match self {
            Table::Organisations => "organisations",
            Table::People => "people",
            Table::Contracts => "contracts",
            Table::Teams => "teams",
            Table::Crews => "crews",
        }
    }

    /// Parses a table name.
    pub fn parse(text: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// How to import one file.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Which property holds which field (GeoJSON only; CSV columns have fixed names).
    pub mapping: FieldMapping,
    /// Leave bad records out and list them in the report, instead of failing on the first.
    pub skip_invalid: bool,
    /// The number of the first generated code (`Code::new(kind, n)`). `None` numbers after
    /// the highest code of that kind in the existing records.
    pub next_number: Option<u32>,
    /// The region of records whose file does not say (no `region_code` property or column).
    pub region_id: Option<Uuid>,
    /// The population of a settlement whose file does not give one.
    pub default_population: u32,
    /// The date of information of imported hazard areas that do not carry `as_of`.
    pub as_of: Date,
}

impl ImportOptions {
    /// All-or-nothing import of Bonifica's own files, with `as_of` as the date of
    /// information.
    pub fn new(as_of: Date) -> ImportOptions {
        ImportOptions {
            mapping: FieldMapping::bonifica(),
            skip_invalid: false,
            next_number: None,
            region_id: None,
            default_population: 0,
            as_of,
        }
    }
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// The file name used in messages.
    pub file: String,
    /// Records (features or CSV lines) read.
    pub read: usize,
    /// Records imported.
    pub imported: usize,
    /// Records left out, each with its reason (only with `skip_invalid`).
    pub rejected: Vec<InterchangeError>,
}

/// The new records of one file and what happened to the others.
#[derive(Debug)]
pub struct Import {
    /// Only the new records; the caller inserts them in one transaction.
    pub records: Dataset,
    pub report: ImportReport,
}

/// Reads a GeoJSON file and imports it; errors name the file by its final component.
pub fn read_geojson(
    path: &Path,
    layer: SpatialLayer,
    options: &ImportOptions,
    existing: &Dataset,
) -> Result<Import, InterchangeError> {
    let (name, text) = read(path)?;
    import_geojson(&name, &text, layer, options, existing)
}

/// Reads a CSV file and imports it; errors name the file by its final component.
pub fn read_csv(
    path: &Path,
    table: Table,
    options: &ImportOptions,
    existing: &Dataset,
) -> Result<Import, InterchangeError> {
    let (name, text) = read(path)?;
    import_csv(&name, &text, table, options, existing)
}

fn read(path: &Path) -> Result<(String, String), InterchangeError> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    let text = std::fs::read_to_string(path).map_err(|source| InterchangeError::Io {
        file: name.clone(),
        source,
    })?;
    Ok((name, text))
}

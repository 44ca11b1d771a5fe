//! Exports of a list as the user filtered it: CSV for every kind of record, GeoJSON and
//! GeoPackage for the kinds on the map (hazard areas, assets, settlements). The caller
//! gives the records the actor may see that pass the list's filters; the files are written
//! by the same functions as `bonifica export` (GeoJSON, CSV) and by the store (a
//! GeoPackage holding just those records, with the regions and organisations they refer
//! to), so a record reads the same in every file.

use bonifica_interchange::{SpatialLayer, Table, export_csv, export_geojson};
use bonifica_model::{Dataset, RecordKind};
use serde_json::Value;

use crate::AppError;

/// A file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    GeoJson,
    GeoPackage,
}

impl Format {
    /// The word of the `format` parameter.
    pub fn parse(word: &str) -> Result<Format, AppError> {
        match word {
            "csv" => Ok(Format::Csv),
            "geojson" => Ok(Format::GeoJson),
            "gpkg" => Ok(Format::GeoPackage),
            other => Err(AppError::field(
                "format",
                format!("{other:?} is not one of csv, geojson, gpkg"),
            )),
        }
    }

    /// The media type of the file.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::GeoJson => "application/geo+json",
            Format::GeoPackage => "application/geopackage+sqlite3",
        }
    }

    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::GeoJson => "geojson",
            Format::GeoPackage => "gpkg",
        }
    }
}

/// The subset to export: the regions and organisations of the register (which the records
/// refer to by code), and no other record yet; the caller adds the records it exports.
pub fn frame(full: &Dataset) -> Dataset {
    Dataset {
        regions: full.regions.clone(),
        organisations: full.organisations.clone(),
        ..Dataset::default()
    }
}

/// The layer of a kind of record on the map, if it has one.
fn layer_of(kind: RecordKind) -> Option<SpatialLayer> {
    match kind {
        RecordKind::HazardArea => Some(SpatialLayer::HazardAreas),
        RecordKind::Asset => Some(SpatialLayer::Assets),
        RecordKind::Settlement => Some(SpatialLayer::Settlements),
        RecordKind::Region => Some(SpatialLayer::Regions),
        RecordKind::River => Some(SpatialLayer::Rivers),
        _ => None,
    }
}

fn table_of(kind: RecordKind) -> Option<Table> {
    match kind {
        RecordKind::Organisation => Some(Table::Organisations),
        RecordKind::Person => Some(Table::People),
        RecordKind::Contract => Some(Table::Contracts),
        RecordKind::Team => Some(Table::Teams),
        RecordKind::Crew => Some(Table::Crews),
        _ => None,
    }
}

/// Writes the records of `kind` in `subset` (made from [`frame`]) in `format`.
pub fn write(subset: &Dataset, kind: RecordKind, format: Format) -> Result<Vec<u8>, AppError> {
    let unsupported = || {
        AppError::field(
            "format",
            format!(
                "{} lists export as CSV only; GeoJSON and GeoPackage are for hazard areas, assets and settlements",
                kind.label()
            ),
        )
    };
    match (format, layer_of(kind), table_of(kind)) {
        (Format::Csv, _, Some(table)) => Ok(export_csv(subset, table)
            .map_err(|e| AppError::internal(&e))?
            .into_bytes()),
        (Format::Csv, Some(layer), None) => {
            Ok(csv_of_layer(&export_geojson(subset, layer))?.into_bytes())
        }
        (Format::GeoJson, Some(layer), _) => Ok(export_geojson(subset, layer).into_bytes()),
        (Format::GeoPackage, Some(_), _)
            if kind != RecordKind::Region && kind != RecordKind::River =>
        {
            geopackage(subset)
        }
        _ => Err(unsupported()),
    }
}

/// A layer's GeoJSON as CSV: one column per property, in the order of the first feature,
/// and the geometry as WKT in a last column `WKT` (GDAL and QGIS read it as the geometry).
fn csv_of_layer(geojson: &str) -> Result<String, AppError> {
    let fc: geojson::FeatureCollection = geojson
        .parse::<geojson::GeoJson>()
        .map_err(|e| AppError::internal(&e))?
        .try_into()
        .map_err(|e: geojson::Error| AppError::internal(&e))?;
    let mut columns: Vec<String> = Vec::new();
    for f in &fc.features {
        for key in f.properties.iter().flat_map(|p| p.keys()) {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header = columns.clone();
    header.push("WKT".to_string());
    out.write_record(&header)
        .map_err(|e| AppError::internal(&e))?;
    for f in &fc.features {
        let mut row: Vec<String> = columns
            .iter()
            .map(|c| match f.properties.as_ref().and_then(|p| p.get(c)) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            })
            .collect();
        let wkt = match &f.geometry {
            Some(g) => {
                let g: geo_types::Geometry<f64> = g
                    .clone()
                    .try_into()
                    .map_err(|e: geojson::Error| AppError::internal(&e))?;
                wkt::ToWkt::wkt_string(&g)
            }
            None => String::new(),
        };
        row.push(wkt);
        out.write_record(&row).map_err(|e| AppError::internal(&e))?;
    }
    let bytes = out.into_inner().map_err(|e| AppError::internal(&e))?;
    String::from_utf8(bytes).map_err(|e| AppError::internal(&e))
}

/// A GeoPackage holding the subset, written by the store to a temporary file and read
/// back. An asset's dependency on an asset outside the subset is left out: the file holds
/// no record it cannot show.
fn geopackage(subset: &Dataset) -> Result<Vec<u8>, AppError> {
    let mut data = subset.clone();
    let ids: std::collections::HashSet<uuid::Uuid> = data.assets.iter().map(|a| a.id).collect();
    for a in &mut data.assets {
        a.depends_on.retain(|d| ids.contains(d));
    }
    let dir =
        std::env::temp_dir().join(format!("bonifica-export-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir(&dir).map_err(|e| AppError::internal(&e))?;
    let path = dir.join("export.gpkg");
    let written = (|| {
        let mut store = bonifica_store::create(&path.to_string_lossy(), false)?;
        store.insert(&data)?;
        drop(store);
        std::fs::read(&path).map_err(|e| AppError::internal(&e))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    written
}

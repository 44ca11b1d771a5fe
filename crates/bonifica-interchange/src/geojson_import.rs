//! GeoJSON import: a FeatureCollection's text into new records of one spatial layer.
//!
//! Each feature is read on its own (properties through the [`FieldMapping`], geometry as
//! written through the model's checked constructors), so a bad feature is named by its
//! index, id, code and name. Duplicates are caught against the file so far and the
//! existing register; asset dependencies are resolved once the whole file is read.

use bonifica_model::{
    Asset, AssetKind, Classification, Code, Contamination, DamageLevel, Dataset, Footprint,
    HazardArea, HazardStatus, NewHazardArea, Polygonal, RecordKind, Region, River, ServiceValue,
    Settlement, Terrain, Vegetation, lines_from_raw,
};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::{InterchangeError, RecordRef};
use crate::mapping::{Field, FieldMapping};
use crate::raw::RawGeometry;
use crate::values::{
    CodeAllocator, Lookup, Seen, parse_date, parse_flag, parse_number, parse_repair, parse_uuid,
    parse_whole, parse_word, split_list,
};
use crate::{Import, ImportOptions, ImportReport, SpatialLayer};

/// Imports the features of one GeoJSON FeatureCollection as new records of `layer`.
///
/// A UTF-8 byte-order mark at the start is skipped. `file` names the file in messages;
/// `existing` holds the register's records, against which ids and codes must be new and
/// references (`region_code`, `organisation_code`, `depends_on`) are resolved. By default
/// the first bad feature fails the whole import; with `options.skip_invalid` bad features
/// are left out and listed in the report.
pub fn import_geojson(
    file: &str,
    text: &str,
    layer: SpatialLayer,
    options: &ImportOptions,
    existing: &Dataset,
) -> Result<Import, InterchangeError> {
    // A byte-order mark is not JSON, but editors on Windows write one; RFC 8259 §8.1 lets a
    // parser ignore it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root: Value = serde_json::from_str(text).map_err(|e| syntax_error(file, &e))?;
    let features = features(file, &root)?;
    let kind = record_kind(layer);
    let ctx = Context::new(file, options, existing);
    let in_file = features.iter().filter_map(|f| {
        let props = f.get("properties")?.as_object()?;
        let (_, v) = options.mapping.lookup(Field::Code, props)?;
        value_text(v)
    });
    let mut codes = CodeAllocator::new(
        kind,
        options.next_number,
        existing_records(existing, layer)
            .into_iter()
            .map(|(_, c)| c),
        in_file,
    );
    let mut seen = Seen::new(kind, existing_records(existing, layer).into_iter());
    let mut records = Dataset::default();
    let mut report = ImportReport {
        file: file.to_string(),
        read: features.len(),
        ..ImportReport::default()
    };
    let mut pending = Vec::new();
    for (index, value) in features.iter().enumerate() {
        let result = ctx
            .feature(layer, index, value, &mut codes)
            .and_then(|(row, parsed)| {
                let (id, code) = parsed.identity();
                seen.claim(id, code, row.at())
                    .map_err(|(field, problem)| row.err(field, problem))?;
                Ok((row, parsed))
            });
        match result {
            Ok((row, parsed)) => {
                report.imported += 1;
                if let Parsed::Asset(_, deps) = &parsed
                    && !deps.is_empty()
                {
                    pending.push((records.assets.len(), row.record(), deps.clone()));
                }
                parsed.push_into(&mut records);
            }
            Err(e) if options.skip_invalid => report.rejected.push(e),
            Err(e) => return Err(e),
        }
    }
    resolve_dependencies(
        &ctx,
        &mut records,
        &mut report,
        pending,
        options.skip_invalid,
    )?;
    Ok(Import { records, report })
}

/// The kind of record a layer holds.
fn record_kind(layer: SpatialLayer) -> RecordKind {
    match layer {
        SpatialLayer::Regions => RecordKind::Region,
        SpatialLayer::Settlements => RecordKind::Settlement,
        SpatialLayer::Rivers => RecordKind::River,
        SpatialLayer::HazardAreas => RecordKind::HazardArea,
        SpatialLayer::Assets => RecordKind::Asset,
    }
}

fn existing_records(existing: &Dataset, layer: SpatialLayer) -> Vec<(Uuid, &Code)> {
    match layer {
        SpatialLayer::Regions => existing.regions.iter().map(|r| (r.id, &r.code)).collect(),
        SpatialLayer::Settlements => existing
            .settlements
            .iter()
            .map(|r| (r.id, &r.code))
            .collect(),
        SpatialLayer::Rivers => existing.rivers.iter().map(|r| (r.id, &r.code)).collect(),
        SpatialLayer::HazardAreas => existing
            .hazard_areas
            .iter()
            .map(|r| (r.id, &r.code))
            .collect(),
        SpatialLayer::Assets => existing.assets.iter().map(|r| (r.id, &r.code)).collect(),
    }
}

fn syntax_error(file: &str, e: &serde_json::Error) -> InterchangeError {
    // serde_json's message ends with " at line L column C"; the position goes in front.
    let text = e.to_string();
    let problem = match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    };
    let problem = if problem.contains("number out of range") {
        "number out of range (a coordinate or value that is not a finite number)".to_string()
    } else if problem.starts_with("expected value") {
        "expected value (NaN, Infinity and bare words are not JSON numbers)".to_string()
    } else {
        problem
    };
    InterchangeError::Syntax {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        problem,
    }
}

fn features<'a>(file: &str, root: &'a Value) -> Result<&'a [Value], InterchangeError> {
    let err = |problem: &str| InterchangeError::File {
        file: file.to_string(),
        problem: problem.to_string(),
    };
    let kind = root.get("type").and_then(Value::as_str);
    if kind != Some("FeatureCollection") {
        return Err(err(
            "not a GeoJSON FeatureCollection (member \"type\" is not \"FeatureCollection\")",
        ));
    }
    match root.get("features") {
        Some(Value::Array(features)) => Ok(features),
        _ => Err(err("member \"features\" is not an array")),
    }
}

/// A scalar property as text; lists of scalars are joined with `;`. Blank text is absent.
pub(crate) fn value_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::Array(_) | Value::Object(_) | Value::Null => None,
                other => value_text(other),
            })
            .collect::<Option<Vec<_>>>()?
            .join(";"),
        Value::Null | Value::Object(_) => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// A record read from one feature, before it joins the fragment.
enum Parsed {
    Region(Region),
    Settlement(Settlement),
    River(River),
    HazardArea(Box<HazardArea>),
    /// An asset with the codes of the assets it depends on, resolved at the end.
    Asset(Box<Asset>, Vec<String>),
}

impl Parsed {
    fn identity(&self) -> (Uuid, &Code) {
        match self {
            Parsed::Region(r) => (r.id, &r.code),
            Parsed::Settlement(r) => (r.id, &r.code),
            Parsed::River(r) => (r.id, &r.code),
            Parsed::HazardArea(r) => (r.id, &r.code),
            Parsed::Asset(r, _) => (r.id, &r.code),
        }
    }

    fn push_into(self, records: &mut Dataset) {
        match self {
            Parsed::Region(r) => records.regions.push(r),
            Parsed::Settlement(r) => records.settlements.push(r),
            Parsed::River(r) => records.rivers.push(r),
            Parsed::HazardArea(r) => records.hazard_areas.push(*r),
            Parsed::Asset(r, _) => records.assets.push(*r),
        }
    }
}

/// What every feature of one import is read against.
struct Context<'a> {
    file: &'a str,
    options: &'a ImportOptions,
    regions: Lookup,
    organisations: Lookup,
    assets: Lookup,
}

impl<'a> Context<'a> {
    fn new(file: &'a str, options: &'a ImportOptions, existing: &Dataset) -> Context<'a> {
        Context {
            file,
            options,
            regions: Lookup::new(existing.regions.iter().map(|r| (r.id, &r.code))),
            organisations: Lookup::new(existing.organisations.iter().map(|r| (r.id, &r.code))),
            assets: Lookup::new(existing.assets.iter().map(|r| (r.id, &r.code))),
        }
    }

    /// Reads feature `index` as a record of `layer`.
    fn feature<'v>(
        &self,
        layer: SpatialLayer,
        index: usize,
        value: &'v Value,
        codes: &mut CodeAllocator,
    ) -> Result<(Row<'v>, Parsed), InterchangeError>
    where
        'a: 'v,
    {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        let empty = EMPTY.get_or_init(Map::new);
        let mut row = Row {
            file: self.file,
            index,
            label: String::new(),
            props: empty,
            mapping: &self.options.mapping,
        };
        let Value::Object(feature) = value else {
            return Err(row.err_whole("is not an object"));
        };
        row.props = match feature.get("properties") {
            Some(Value::Object(props)) => props,
            None | Some(Value::Null) => empty,
            Some(_) => return Err(row.err("properties", "is not an object")),
        };
        row.label = label(feature, row.props, row.mapping);
        if feature.get("type").and_then(Value::as_str) != Some("Feature") {
            return Err(row.err("type", "is not \"Feature\""));
        }
        let geometry = match feature.get("geometry") {
            None | Some(Value::Null) => return Err(row.err("geometry", "missing")),
            Some(g) => RawGeometry::parse(g).map_err(|e| row.err("geometry", e))?,
        };
        let id = match row.parsed(Field::Id, parse_uuid)? {
            Some(id) => id,
            None => feature
                .get("id")
                .and_then(Value::as_str)
                .and_then(|s| Uuid::parse_str(s).ok())
                .unwrap_or_else(Uuid::new_v4),
        };
        let kind = record_kind(layer);
        let code = match row.parsed(Field::Code, |t| crate::values::parse_code(t, kind))? {
            Some(code) => code,
            None => codes.allocate(),
        };
        let parsed = match layer {
            SpatialLayer::Regions => Parsed::Region(Region {
                id,
                code,
                name: row.required(Field::Name, |t| Ok(t.to_string()))?,
                boundary: polygonal(&row, geometry)?,
            }),
            SpatialLayer::Settlements => {
                Parsed::Settlement(self.settlement(&row, id, code, geometry)?)
            }
            SpatialLayer::Rivers => Parsed::River(River {
                id,
                code,
                region_id: self.region(&row)?,
                // Small rivers and canals often have no name; they are still obstacles.
                name: row
                    .parsed(Field::Name, |t| Ok(t.to_string()))?
                    .unwrap_or_default(),
                course: course(&row, geometry)?,
            }),
            SpatialLayer::HazardAreas => {
                Parsed::HazardArea(Box::new(self.hazard_area(&row, id, code, geometry)?))
            }
            SpatialLayer::Assets => {
                let (asset, deps) = self.asset(&row, id, code, geometry)?;
                Parsed::Asset(Box::new(asset), deps)
            }
        };
        Ok((row, parsed))
    }

    fn region(&self, row: &Row<'_>) -> Result<Uuid, InterchangeError> {
        let found = row.parsed(Field::Region, |t| {
            self.regions
                .resolve(t)
                .ok_or_else(|| format!("unknown region {t:?}"))
        })?;
        match (found, self.options.region_id) {
            (Some(id), _) | (None, Some(id)) => Ok(id),
            (None, None) => Err(row.err(
                Field::Region.as_str(),
                "missing, and no default region was given",
            )),
        }
    }

    fn settlement(
        &self,
        row: &Row<'_>,
        id: Uuid,
        code: Code,
        geometry: RawGeometry,
    ) -> Result<Settlement, InterchangeError> {
        let footprint = match geometry {
            RawGeometry::Point([lon, lat]) => Footprint::point(lon, lat),
            RawGeometry::Polygon(p) => Polygonal::from_raw(&[p]).map(Footprint::Area),
            RawGeometry::MultiPolygon(ps) => Polygonal::from_raw(&ps).map(Footprint::Area),
            other => return Err(wrong_type(row, "Point, Polygon or MultiPolygon", &other)),
        }
        .map_err(|e| row.err("geometry", e.to_string()))?;
        Ok(Settlement {
            id,
            code,
            region_id: self.region(row)?,
            name: row.required(Field::Name, |t| Ok(t.to_string()))?,
            footprint,
            population: row
                .parsed(Field::Population, parse_whole)?
                .unwrap_or(self.options.default_population),
        })
    }

    fn hazard_area(
        &self,
        row: &Row<'_>,
        id: Uuid,
        code: Code,
        geometry: RawGeometry,
    ) -> Result<HazardArea, InterchangeError> {
        let geometry = polygonal(row, geometry)?;
        let organisation_id = row.parsed(Field::Organisation, |t| {
            self.organisations
                .resolve(t)
                .ok_or_else(|| format!("unknown organisation {t:?}"))
        })?;
        let classification = row.required(Field::Classification, |t| {
            Classification::parse(t)
                .ok_or_else(|| format!("{t:?} is not a classification; expected one of SHA, CHA"))
        })?;
        let status_word = row.parsed(Field::Status, |t| Ok(t.to_string()))?;
        let reason_word = row.parsed(Field::ClosureReason, |t| Ok(t.to_string()))?;
        let status = HazardStatus::from_parts(
            status_word.as_deref().unwrap_or("open"),
            reason_word.as_deref(),
        )
        .map_err(|e| {
            let words = "open, worked_on, closed, handed_over (closure reasons: cancelled, reduced, cleared)";
            row.err(Field::Status.as_str(), format!("{e}; expected one of {words}"))
        })?;
        let new = NewHazardArea {
            id,
            code,
            region_id: self.region(row)?,
            organisation_id,
            geometry,
            classification,
            contamination: row.required(Field::Contamination, |t| {
                parse_word(
                    t,
                    "contamination",
                    Contamination::parse,
                    &Contamination::words(),
                )
            })?,
            density_per_ha: row
                .parsed(Field::DensityPerHa, non_negative)?
                .unwrap_or(0.0),
            terrain: row
                .parsed(Field::Terrain, |t| {
                    parse_word(t, "terrain", Terrain::parse, &Terrain::words())
                })?
                .unwrap_or(Terrain::Flat),
            vegetation: row
                .parsed(Field::Vegetation, |t| {
                    parse_word(t, "vegetation", Vegetation::parse, &Vegetation::words())
                })?
                .unwrap_or(Vegetation::Bare),
            clearance_depth_cm: row
                .parsed(Field::ClearanceDepthCm, parse_whole)?
                .unwrap_or(DEFAULT_CLEARANCE_DEPTH_CM),
            evidence: row
                .parsed(Field::Evidence, |t| Ok(t.to_string()))?
                .unwrap_or_default(),
            restricted: row.parsed(Field::Restricted, parse_flag)?.unwrap_or(false),
            as_of: row
                .parsed(Field::AsOf, parse_date)?
                .unwrap_or(self.options.as_of),
        };
        let version = row.parsed(Field::Version, parse_whole)?.unwrap_or(1).max(1);
        Ok(HazardArea::restore(new, status, version))
    }

    fn asset(
        &self,
        row: &Row<'_>,
        id: Uuid,
        code: Code,
        geometry: RawGeometry,
    ) -> Result<(Asset, Vec<String>), InterchangeError> {
        let footprint = match geometry {
            RawGeometry::Point([lon, lat]) => Footprint::point(lon, lat),
            RawGeometry::LineString(line) => Footprint::line(&line),
            RawGeometry::Polygon(p) => Polygonal::from_raw(&[p]).map(Footprint::Area),
            RawGeometry::MultiPolygon(ps) => Polygonal::from_raw(&ps).map(Footprint::Area),
            other => {
                return Err(wrong_type(
                    row,
                    "Point, LineString, Polygon or MultiPolygon",
                    &other,
                ));
            }
        }
        .map_err(|e| row.err("geometry", e.to_string()))?;
        let kind = row.required(Field::Kind, |t| {
            parse_word(t, "kind of asset", AssetKind::parse, &AssetKind::words())
        })?;
        let network_share = row.parsed(Field::NetworkShare, |t| {
            let share = parse_number(t)?;
            match (0.0..=1.0).contains(&share) {
                true => Ok(share),
                false => Err(format!("{t} is not a share between 0 and 1")),
            }
        })?;
        let deps = row
            .parsed(Field::DependsOn, |t| {
                Ok(split_list(t).into_iter().map(String::from).collect())
            })?
            .unwrap_or_default();
        let asset = Asset {
            id,
            code,
            region_id: self.region(row)?,
            name: row.required(Field::Name, |t| Ok(t.to_string()))?,
            kind,
            footprint,
            damage: row.required(Field::Damage, |t| {
                parse_word(t, "damage level", DamageLevel::parse, &DamageLevel::words())
            })?,
            repair: row.parsed(Field::Repair, parse_repair)?.unwrap_or_default(),
            service: ServiceValue {
                population_served: row
                    .parsed(Field::PopulationServed, parse_whole)?
                    .unwrap_or(0),
                network_share: network_share.unwrap_or(0.0),
            },
            depends_on: Vec::new(),
            restricted: row
                .parsed(Field::Restricted, parse_flag)?
                .unwrap_or(kind == AssetKind::MilitaryStructure),
            restored: row.parsed(Field::Restored, parse_flag)?.unwrap_or(false),
        };
        Ok((asset, deps))
    }
}

/// The clearance depth when a file does not give one (a common national standard).
const DEFAULT_CLEARANCE_DEPTH_CM: u32 = 13;

fn non_negative(text: &str) -> Result<f64, String> {
    let x = parse_number(text)?;
    if x < 0.0 {
        return Err(format!("{text} cannot be negative"));
    }
    Ok(x)
}

fn polygonal(row: &Row<'_>, geometry: RawGeometry) -> Result<Polygonal, InterchangeError> {
    let result = match geometry {
        RawGeometry::Polygon(p) => Polygonal::from_raw(&[p]),
        RawGeometry::MultiPolygon(ps) => Polygonal::from_raw(&ps),
        other => return Err(wrong_type(row, "Polygon or MultiPolygon", &other)),
    };
    result.map_err(|e| row.err("geometry", e.to_string()))
}

fn course(
    row: &Row<'_>,
    geometry: RawGeometry,
) -> Result<geo_types::MultiLineString<f64>, InterchangeError> {
    let result = match geometry {
        RawGeometry::LineString(line) => lines_from_raw(&[line]),
        RawGeometry::MultiLineString(lines) => lines_from_raw(&lines),
        other => return Err(wrong_type(row, "LineString or MultiLineString", &other)),
    };
    result.map_err(|e| row.err("geometry", e.to_string()))
}

fn wrong_type(row: &Row<'_>, expected: &str, found: &RawGeometry) -> InterchangeError {
    let hint = match found {
        RawGeometry::LineString(_) if found.is_open_line() => {
            " (its first and last positions differ: an unclosed ring or a stray line)"
        }
        RawGeometry::LineString(_) => " (a closed ring written as a line)",
        _ => "",
    };
    row.err(
        "geometry",
        format!("expected {expected}, found {}{hint}", found.type_name()),
    )
}

/// The feature's id, code and name as far as the file gives them, for messages.
fn label(
    feature: &Map<String, Value>,
    props: &Map<String, Value>,
    mapping: &FieldMapping,
) -> String {
    let mut parts = Vec::new();
    let id = feature
        .get("id")
        .and_then(value_text)
        .or_else(|| props.get("@id").and_then(value_text));
    parts.extend(id);
    if let Some(code) = mapping
        .lookup(Field::Code, props)
        .and_then(|(_, v)| value_text(v))
    {
        parts.push(code);
    }
    if let Some(name) = mapping
        .lookup(Field::Name, props)
        .and_then(|(_, v)| value_text(v))
    {
        parts.push(format!("{name:?}"));
    }
    parts.join(", ")
}

/// One feature's properties, read through the mapping, with errors that name it.
struct Row<'v> {
    file: &'v str,
    index: usize,
    label: String,
    props: &'v Map<String, Value>,
    mapping: &'v FieldMapping,
}

impl Row<'_> {
    fn record(&self) -> RecordRef {
        RecordRef::Feature {
            index: self.index,
            label: self.label.clone(),
        }
    }

    /// Where this record is, for duplicate messages.
    fn at(&self) -> String {
        self.record().to_string()
    }

    fn err(&self, field: &str, problem: impl Into<String>) -> InterchangeError {
        InterchangeError::Record {
            file: self.file.to_string(),
            record: self.record(),
            field: Some(field.to_string()),
            problem: problem.into(),
        }
    }

    fn err_whole(&self, problem: &str) -> InterchangeError {
        InterchangeError::Record {
            file: self.file.to_string(),
            record: self.record(),
            field: None,
            problem: problem.to_string(),
        }
    }

    /// The mapped property of `field` parsed by `parse`, or `None` when absent. Errors name
    /// the property the value came from.
    fn parsed<T>(
        &self,
        field: Field,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, InterchangeError> {
        let Some((source, value)) = self.mapping.lookup(field, self.props) else {
            return Ok(None);
        };
        if matches!(value, Value::Object(_))
            || matches!(value, Value::Array(items) if items.iter().any(|v| v.is_object() || v.is_array()))
        {
            return Err(self.err(
                source,
                format!("{value} is not a text, number or list of them"),
            ));
        }
        let Some(text) = value_text(value) else {
            return Ok(None);
        };
        parse(&text).map(Some).map_err(|e| self.err(source, e))
    }

    /// Like [`Row::parsed`], but a missing value is an error.
    fn required<T>(
        &self,
        field: Field,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, InterchangeError> {
        match self.parsed(field, parse)? {
            Some(v) => Ok(v),
            None => Err(self.missing(field)),
        }
    }

    fn missing(&self, field: Field) -> InterchangeError {
        let sources = self.mapping.sources(field);
        let problem = if sources.is_empty() {
            "missing (no property is mapped to it)".to_string()
        } else {
            format!("missing (looked for property {})", sources.join(", "))
        };
        self.err(field.as_str(), problem)
    }
}

/// Resolves asset `depends_on` codes against the register and the file, once every asset
/// of the file is known. In skip mode an asset with an unknown dependency is left out.
fn resolve_dependencies(
    ctx: &Context<'_>,
    records: &mut Dataset,
    report: &mut ImportReport,
    pending: Vec<(usize, RecordRef, Vec<String>)>,
    skip_invalid: bool,
) -> Result<(), InterchangeError> {
    let lookup = Lookup::new(records.assets.iter().map(|a| (a.id, &a.code)));
    let mut drop = Vec::new();
    for (at, record, deps) in pending {
        let mut ids = Vec::with_capacity(deps.len());
        for dep in &deps {
            match ctx.assets.resolve(dep).or_else(|| lookup.resolve(dep)) {
                Some(id) => ids.push(id),
                None => {
                    let e = InterchangeError::Record {
                        file: ctx.file.to_string(),
                        record: record.clone(),
                        field: Some(Field::DependsOn.as_str().to_string()),
                        problem: format!("unknown asset {dep:?}"),
                    };
                    if !skip_invalid {
                        return Err(e);
                    }
                    report.rejected.push(e);
                    drop.push(at);
                    break;
                }
            }
        }
        records.assets[at].depends_on = ids;
    }
    for at in drop.into_iter().rev() {
        records.assets.remove(at);
        report.imported -= 1;
    }
    Ok(())
}

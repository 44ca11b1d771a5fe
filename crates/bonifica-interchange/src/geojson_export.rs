//! GeoJSON export: one FeatureCollection per spatial layer, readable by QGIS and by
//! [`crate::import_geojson`] with the default mapping.
//!
//! Properties carry every human-readable attribute, references as codes (`region_code`),
//! and derived figures a GIS user wants to see (`area_m2`, `length_m`). The record's UUID
//! is both the feature id and the `id` property. Coordinates are rounded to 7 decimals
//! (about 1 cm), and one feature is written per line so files diff well.

use bonifica_model::{Dataset, Footprint, Polygonal, geodesy};
use geo_types::{LineString, MultiLineString};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::SpatialLayer;
use crate::codes::Codes;
use crate::values::format_repair;

/// Writes the records of `layer` as a GeoJSON FeatureCollection.
pub fn export_geojson(dataset: &Dataset, layer: SpatialLayer) -> String {
    let codes = Codes::new(dataset);
    let features: Vec<Value> = match layer {
        SpatialLayer::Regions => dataset
            .regions
            .iter()
            .map(|r| {
                let props = json!({
                    "id": r.id, "code": r.code, "name": r.name,
                    "area_m2": round_to(r.boundary.area_m2(), 1),
                });
                feature(r.id, props, area_geometry(&r.boundary))
            })
            .collect(),
        SpatialLayer::Settlements => dataset
            .settlements
            .iter()
            .map(|s| {
                let props = json!({
                    "id": s.id, "code": s.code, "region_code": codes.region(s.region_id),
                    "name": s.name, "population": s.population,
                });
                feature(s.id, props, footprint_geometry(&s.footprint))
            })
            .collect(),
        SpatialLayer::Rivers => dataset
            .rivers
            .iter()
            .map(|r| {
                let length_m: f64 = r.course.0.iter().map(geodesy::length_m).sum();
                let props = json!({
                    "id": r.id, "code": r.code, "region_code": codes.region(r.region_id),
                    "name": r.name, "length_m": round_to(length_m, 1),
                });
                feature(r.id, props, lines_geometry(&r.course))
            })
            .collect(),
        SpatialLayer::HazardAreas => dataset
            .hazard_areas
            .iter()
            .map(|h| {
                let status = h.status();
                let props = json!({
                    "id": h.id, "code": h.code, "region_code": codes.region(h.region_id),
                    "organisation_code": h.organisation_id.map(|o| codes.organisation(o)),
                    "classification": h.classification().as_str(),
                    "status": status.as_str(),
                    "closure_reason": status.closure_reason().map(|r| r.as_str()),
                    "contamination": h.contamination.as_str(),
                    "density_per_ha": h.density_per_ha,
                    "terrain": h.terrain.as_str(),
                    "vegetation": h.vegetation.as_str(),
                    "clearance_depth_cm": h.clearance_depth_cm,
                    "evidence": h.evidence,
                    "restricted": h.restricted,
                    "version": h.version,
                    "as_of": h.as_of.format("%Y-%m-%d").to_string(),
                    "area_m2": round_to(h.area_m2(), 1),
                });
                feature(h.id, props, area_geometry(h.geometry()))
            })
            .collect(),
        SpatialLayer::Assets => dataset
            .assets
            .iter()
            .map(|a| {
                let depends_on: Vec<String> =
                    a.depends_on.iter().map(|d| codes.asset(*d)).collect();
                let props = json!({
                    "id": a.id, "code": a.code, "region_code": codes.region(a.region_id),
                    "name": a.name,
                    "kind": a.kind.as_str(),
                    "damage": a.damage.as_str(),
                    "repair": format_repair(&a.repair),
                    "repair_person_days": a.repair_person_days(),
                    "population_served": a.service.population_served,
                    "network_share": a.service.network_share,
                    "depends_on": depends_on.join(";"),
                    "restricted": a.restricted,
                    "restored": a.restored,
                    "length_m": round_to(a.length_m(), 1),
                });
                feature(a.id, props, footprint_geometry(&a.footprint))
            })
            .collect(),
    };
    collection(layer.as_str(), &features)
}

pub(crate) fn collection(name: &str, features: &[Value]) -> String {
    let mut out = format!("{{\"type\":\"FeatureCollection\",\"name\":{name:?},\"features\":[");
    for (i, f) in features.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str(&f.to_string());
    }
    out.push_str("\n]}\n");
    out
}

pub(crate) fn feature(id: Uuid, properties: Value, geometry: Value) -> Value {
    let mut f = Map::new();
    f.insert("type".into(), "Feature".into());
    f.insert("id".into(), id.to_string().into());
    f.insert("properties".into(), properties);
    f.insert("geometry".into(), geometry);
    Value::Object(f)
}

/// Rounds to `decimals` places (7 for coordinates, about 1 cm).
fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

fn ring(line: &LineString<f64>) -> Value {
    line.0
        .iter()
        .map(|c| json!([round_to(c.x, 7), round_to(c.y, 7)]))
        .collect()
}

pub(crate) fn area_geometry(area: &Polygonal) -> Value {
    let polygons: Vec<Value> = area
        .as_multi_polygon()
        .0
        .iter()
        .map(|p| {
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(ring)
                .collect()
        })
        .collect();
    match polygons.as_slice() {
        [one] => json!({"type": "Polygon", "coordinates": one}),
        _ => json!({"type": "MultiPolygon", "coordinates": polygons}),
    }
}

fn lines_geometry(lines: &MultiLineString<f64>) -> Value {
    let parts: Vec<Value> = lines.0.iter().map(ring).collect();
    match parts.as_slice() {
        [one] => json!({"type": "LineString", "coordinates": one}),
        _ => json!({"type": "MultiLineString", "coordinates": parts}),
    }
}

pub(crate) fn footprint_geometry(footprint: &Footprint) -> Value {
    match footprint {
        Footprint::Point(p) => json!({
            "type": "Point",
            "coordinates": [round_to(p.x(), 7), round_to(p.y(), 7)],
        }),
        Footprint::Line(l) => json!({"type": "LineString", "coordinates": ring(l)}),
        Footprint::Area(a) => area_geometry(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_rounded_to_seven_decimals() {
        assert_eq!(round_to(36.123456789, 7), 36.1234568);
        let g = footprint_geometry(&Footprint::Point(geo_types::Point::new(36.123456789, 50.0)));
        assert_eq!(
            g.to_string(),
            r#"{"coordinates":[36.1234568,50.0],"type":"Point"}"#
        );
    }
}

//! `/api/map/{layer}`: a whole layer as one GeoJSON FeatureCollection for the map, with the
//! records the caller may see. Each layer is built once per visibility (with or without
//! restricted records), gzipped, cached, and dropped on the next write.

use std::io::Write;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

use crate::access::{Verb, require, visible};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::{AppState, Model};
use crate::wire::{footprint_json, polygonal_json};

/// The layers the map serves.
pub const LAYERS: [&str; 3] = ["hazard-areas", "assets", "settlements"];

/// A built layer: the JSON and its gzip.
#[derive(Debug)]
pub struct MapBody {
    pub json: Bytes,
    pub gzip: Bytes,
}

fn feature(geometry: Value, properties: Value) -> Value {
    json!({"type": "Feature", "geometry": geometry, "properties": properties})
}

fn build(layer: &str, caller: &Caller, model: &Model) -> Result<Vec<u8>, ApiError> {
    let d = &model.data;
    let features: Vec<Value> = match layer {
        "hazard-areas" => d
            .hazard_areas
            .iter()
            .filter(|h| visible(caller, model, *h))
            .map(|h| {
                feature(
                    polygonal_json(h.geometry()),
                    json!({
                        "id": h.id, "code": h.code.as_str(),
                        "classification": h.classification().as_str(),
                        "status": h.status().as_str(),
                        "contamination": h.contamination.as_str(),
                        "area_m2": h.area_m2().round(),
                    }),
                )
            })
            .collect(),
        "assets" => d
            .assets
            .iter()
            .filter(|a| visible(caller, model, *a))
            .map(|a| {
                feature(
                    footprint_json(&a.footprint),
                    json!({
                        "id": a.id, "code": a.code.as_str(), "name": a.name,
                        "kind": a.kind.as_str(), "damage": a.damage.as_str(),
                        "restored": a.restored,
                    }),
                )
            })
            .collect(),
        "settlements" => d
            .settlements
            .iter()
            .map(|s| {
                feature(
                    footprint_json(&s.footprint),
                    json!({"id": s.id, "code": s.code.as_str(), "name": s.name,
                           "population": s.population}),
                )
            })
            .collect(),
        other => {
            return Err(ApiError::not_found(&format!(
                "map layer {other:?} (layers: {})",
                LAYERS.join(", ")
            )));
        }
    };
    serde_json::to_vec(&json!({"type": "FeatureCollection", "features": features}))
        .map_err(|e| ApiError::internal(&e))
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>, ApiError> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).map_err(|e| ApiError::internal(&e))?;
    enc.finish().map_err(|e| ApiError::internal(&e))
}

/// A whole map layer as GeoJSON, gzipped when the client accepts it.
#[utoipa::path(get, path = "/api/map/{layer}", tag = "map",
    params(("layer" = String, Path, description = "hazard-areas, assets or settlements")),
    responses((status = 200, description = "A GeoJSON FeatureCollection", content_type = "application/geo+json", body = Object),
              (status = 401, description = "Not signed in", body = crate::error::Problem),
              (status = 404, description = "No such layer", body = crate::error::Problem)))]
pub async fn map_get(
    State(state): State<AppState>,
    caller: Caller,
    Path(layer): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    require(&caller, bonifica_model::RecordKind::HazardArea, Verb::Read)?;
    let key = (layer.clone(), caller.role.sees_restricted());
    let body = match state.cached_map(&key) {
        Some(b) => b,
        None => {
            let caller2 = caller.clone();
            let state2 = state.clone();
            let body = tokio::task::spawn_blocking(move || {
                let json = state2.read(|m| build(&layer, &caller2, m))??;
                let gzip = gzip(&json)?;
                Ok::<_, ApiError>(Arc::new(MapBody {
                    json: Bytes::from(json),
                    gzip: Bytes::from(gzip),
                }))
            })
            .await
            .map_err(|e| ApiError::internal(&e))??;
            state.cache_map(key, body.clone());
            body
        }
    };
    let gzip_ok = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("gzip"));
    let mut response = if gzip_ok {
        let mut r = (StatusCode::OK, body.gzip.clone()).into_response();
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else {
        (StatusCode::OK, body.json.clone()).into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    Ok(response)
}

//! What requests and responses share: the JSON body extractor that names the wrong field,
//! GeoJSON geometry in and out, enumerated words, list parameters and `If-Match`.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use bonifica_model::{Footprint, GeometryError, Polygonal, RawPolygon};
use geo_types::{Geometry, LineString, Point, Polygon};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON request body. A body that is not sent as JSON is 415, one over the route's
/// limit 413, a syntax error 400; unknown fields, wrong types and missing fields are 422
/// naming the field.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let unread = UnreadJson::from_request(req, state).await?;
        unread.parse().await.map(JsonBody)
    }
}

/// A JSON request body not read yet: its media type is checked, and a declared length over
/// the limit is refused (413), but the bytes are read only when the handler asks, after it
/// has checked that the caller may send it at all. A request that may not be made is then
/// refused at once, whatever its size.
pub struct UnreadJson {
    body: axum::body::Body,
    limit: usize,
}

/// The largest body a route takes unless it says otherwise, bytes.
pub const DEFAULT_BODY_BYTES: usize = 2 * 1024 * 1024;

impl<S: Send + Sync> FromRequest<S> for UnreadJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        let headers = req.headers();
        if !is_json(headers) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as JSON, with Content-Type: application/json",
            ));
        }
        // A route's `DefaultBodyLimit` layer leaves its limit for `Bytes`; read it the same
        // way by letting `Bytes` do the reading below, and refuse a declared length early.
        let limit = req
            .extensions()
            .get::<BodyLimit>()
            .map_or(DEFAULT_BODY_BYTES, |l| l.0);
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(too_large(limit));
        }
        Ok(UnreadJson {
            body: req.into_body(),
            limit,
        })
    }
}

impl UnreadJson {
    /// Reads the body, up to the limit, and parses it as [`JsonBody`] does.
    pub async fn parse<T: DeserializeOwned>(self) -> Result<T, ApiError> {
        let bytes: Bytes = axum::body::to_bytes(self.body, self.limit)
            .await
            .map_err(|e| {
                let inner = e.into_inner();
                if inner.is::<http_body_util::LengthLimitError>() {
                    too_large(self.limit)
                } else {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        format!("reading the body: {inner}"),
                    )
                }
            })?;
        parse_json(&bytes)
    }
}

/// The body limit of a route, for [`UnreadJson`]: put on a route with
/// `axum::Extension(BodyLimit(bytes))`.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the body is over this route's limit of {limit} bytes"),
    )
}

/// True when the request says its body is JSON: `application/json` or `application/*+json`.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// A path parameter, as axum's `Path`, whose rejection is a problem+json 400 naming the
/// parameter instead of plain text.
pub struct Path<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|e| {
                use axum::extract::rejection::PathRejection;
                match e {
                    PathRejection::FailedToDeserializePathParams(inner) => {
                        ApiError::field_status(StatusCode::BAD_REQUEST, "path", inner.body_text())
                    }
                    other => ApiError::internal(&other.body_text()),
                }
            })
    }
}

/// A query string, as axum's `Query`, whose rejection is a problem+json 400 naming the
/// parameter instead of plain text.
pub struct Query<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|e| query_error(&e))
    }
}

/// A query string axum could not read, as a 400 naming the parameter.
pub fn query_error(e: &axum::extract::rejection::QueryRejection) -> ApiError {
    let text = e.body_text();
    let problem = text
        .strip_prefix("Failed to deserialize query string: ")
        .unwrap_or(&text)
        .to_string();
    let field = problem
        .strip_prefix("unknown field `")
        .or_else(|| problem.strip_prefix("missing field `"))
        .and_then(|rest| rest.split_once('`'))
        .map_or_else(|| "query".to_string(), |(name, _)| name.to_string());
    ApiError::field_status(StatusCode::BAD_REQUEST, field, problem)
}

/// Parses a JSON body, naming the field of the first problem.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("the body is not JSON: {message}"),
            );
        }
        let unknown = message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split_once('`'))
            .map(|(name, _)| name.to_string());
        let field = match (unknown, path.as_str()) {
            (Some(name), "." | "") => name,
            // The path of an unknown field already ends with its name.
            (Some(_), p) => p.to_string(),
            (None, "." | "") => missing_field(&message).unwrap_or_else(|| "body".to_string()),
            (None, p) => p.to_string(),
        };
        let problem = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        ApiError::field(field, problem)
    })
}

fn missing_field(message: &str) -> Option<String> {
    message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name.to_string())
}

/// Parses an enumerated word, or names the field and the accepted words.
pub fn word<T>(
    field: &str,
    text: &str,
    parse: fn(&str) -> Option<T>,
    words: fn() -> String,
) -> Result<T, ApiError> {
    parse(text).ok_or_else(|| ApiError::field(field, format!("{text:?} is not one of {}", words())))
}

/// The longest name a record may carry, characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A record's name: trimmed, not blank, at most [`MAX_NAME_CHARS`] characters.
pub fn name(field: &str, text: String) -> Result<String, ApiError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(ApiError::field(field, "must not be empty or blank"));
    }
    if trimmed.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::field(
            field,
            format!("is over {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(trimmed.to_string())
}

/// `Err(422)` unless `value` is finite and within `min..=max`.
pub fn in_range(field: &str, value: f64, min: f64, max: f64) -> Result<f64, ApiError> {
    if value.is_finite() && (min..=max).contains(&value) {
        return Ok(value);
    }
    Err(ApiError::field(
        field,
        format!("{value} is out of range {min}..={max}"),
    ))
}

fn geometry_error(field: &str, e: GeometryError) -> ApiError {
    ApiError::field(field, e.to_string())
}

fn coordinates<T: DeserializeOwned>(
    field: &str,
    value: &Value,
    shape: &str,
) -> Result<T, ApiError> {
    let coords = value
        .get("coordinates")
        .ok_or_else(|| ApiError::field(field, "a GeoJSON geometry needs coordinates"))?;
    serde_json::from_value(coords.clone()).map_err(|_| {
        ApiError::field(
            field,
            format!("coordinates are not {shape} of [longitude, latitude] positions"),
        )
    })
}

fn geometry_type<'v>(field: &str, value: &'v Value) -> Result<&'v str, ApiError> {
    value
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::field(field, "a GeoJSON geometry needs a type"))
}

/// A GeoJSON Polygon or MultiPolygon, checked by the model.
pub fn parse_polygonal(field: &str, value: &Value) -> Result<Polygonal, ApiError> {
    let polygons: Vec<RawPolygon> = match geometry_type(field, value)? {
        "Polygon" => vec![coordinates(field, value, "rings")?],
        "MultiPolygon" => coordinates(field, value, "polygons of rings")?,
        other => {
            return Err(ApiError::field(
                field,
                format!("expected a Polygon or MultiPolygon, found {other}"),
            ));
        }
    };
    Polygonal::from_raw(&polygons).map_err(|e| geometry_error(field, e))
}

/// A GeoJSON Point, LineString, Polygon or MultiPolygon, checked by the model.
pub fn parse_footprint(field: &str, value: &Value) -> Result<Footprint, ApiError> {
    match geometry_type(field, value)? {
        "Point" => {
            let [lon, lat]: [f64; 2] = coordinates(field, value, "one")?;
            Footprint::point(lon, lat).map_err(|e| geometry_error(field, e))
        }
        "LineString" => {
            let line: Vec<[f64; 2]> = coordinates(field, value, "a list")?;
            Footprint::line(&line).map_err(|e| geometry_error(field, e))
        }
        "Polygon" | "MultiPolygon" => parse_polygonal(field, value).map(Footprint::Area),
        other => Err(ApiError::field(
            field,
            format!("expected a Point, LineString, Polygon or MultiPolygon, found {other}"),
        )),
    }
}

/// A GeoJSON Point.
pub fn parse_point(field: &str, value: &Value) -> Result<Point<f64>, ApiError> {
    match parse_footprint(field, value)? {
        Footprint::Point(p) => Ok(p),
        other => Err(ApiError::field(
            field,
            format!("expected a Point, found {}", other.type_name()),
        )),
    }
}

/// A geometry as a GeoJSON geometry object.
pub fn geometry_json(g: &Geometry<f64>) -> Value {
    fn ring(l: &LineString<f64>) -> Value {
        Value::Array(l.0.iter().map(|c| json!([c.x, c.y])).collect())
    }
    fn polygon(p: &Polygon<f64>) -> Value {
        Value::Array(
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(ring)
                .collect(),
        )
    }
    match g {
        Geometry::Point(p) => json!({"type": "Point", "coordinates": [p.x(), p.y()]}),
        Geometry::LineString(l) => json!({"type": "LineString", "coordinates": ring(l)}),
        Geometry::Polygon(p) => json!({"type": "Polygon", "coordinates": polygon(p)}),
        Geometry::MultiPolygon(mp) => json!({
            "type": "MultiPolygon",
            "coordinates": mp.0.iter().map(polygon).collect::<Vec<_>>()
        }),
        Geometry::MultiLineString(ml) => json!({
            "type": "MultiLineString",
            "coordinates": ml.0.iter().map(ring).collect::<Vec<_>>()
        }),
        _ => Value::Null,
    }
}

/// A footprint as GeoJSON.
pub fn footprint_json(f: &Footprint) -> Value {
    geometry_json(&f.to_geometry())
}

/// A polygonal area as GeoJSON.
pub fn polygonal_json(p: &Polygonal) -> Value {
    geometry_json(&Geometry::MultiPolygon(p.as_multi_polygon().clone()))
}

/// A point as GeoJSON.
pub fn point_json(p: Point<f64>) -> Value {
    geometry_json(&Geometry::Point(p))
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The records of this page, in code order.
    pub items: Vec<T>,
    /// Records matching the filters that the caller may see, on every page.
    pub total: usize,
    /// The link to the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// The query parameters of a list. Each resource accepts the filters that apply to it;
/// any other parameter is a 400 naming it.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `minlon,minlat,maxlon,maxlat` in WGS 84 degrees: records whose geometry meets it.
    pub bbox: Option<String>,
    /// Hazard area status: open, worked_on, closed, handed_over.
    pub status: Option<String>,
    /// Asset kind, organisation kind, team method or crew trade.
    pub kind: Option<String>,
    /// Organisation id or code.
    pub organisation: Option<String>,
    /// Hazard area classification: sha or cha.
    pub classification: Option<String>,
    /// Asset damage: undamaged, light, moderate, severe, destroyed.
    pub damage: Option<String>,
    /// Assets still blocked by an unreleased hazard area (`true`) or not (`false`).
    pub blocked: Option<bool>,
    /// Words of the code or the name, any case (every list).
    pub q: Option<String>,
    /// `code` (the default), `name` or `size` (area in m² or length in m), `-` first for
    /// the reverse (every list).
    pub sort: Option<String>,
    /// Records per page, 1 to 1000 (default 100).
    pub page_size: Option<usize>,
    /// The `page_token` of the previous page's `next` link.
    pub page_token: Option<String>,
}

/// The maximum page size.
pub const MAX_PAGE_SIZE: usize = 1000;

/// What a list sorts by.
pub const SORTS: [&str; 3] = ["code", "name", "size"];

impl ListParams {
    /// Parses a raw query string, refusing parameters not in `allowed` (besides paging).
    pub fn parse(query: Option<&str>, allowed: &[&str]) -> Result<ListParams, ApiError> {
        let mut p = ListParams::default();
        for pair in query.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value);
            let bad =
                |problem: String| ApiError::field_status(StatusCode::BAD_REQUEST, key, problem);
            match key {
                "page_size" => p.page_size = Some(page_size(key, &value)?),
                "page_token" => p.page_token = Some(value),
                "q" => p.q = Some(value),
                "sort" => {
                    let field = value.strip_prefix('-').unwrap_or(&value);
                    if !SORTS.contains(&field) {
                        return Err(bad(format!(
                            "{value:?} is not one of {} (with - first for the reverse)",
                            SORTS.join(", ")
                        )));
                    }
                    p.sort = Some(value);
                }
                k if !allowed.contains(&k) => {
                    return Err(bad(format!(
                        "unknown parameter; this list accepts {}",
                        [allowed, &["q", "sort", "page_size", "page_token"]]
                            .concat()
                            .join(", ")
                    )));
                }
                "classification" => p.classification = Some(value),
                "damage" => p.damage = Some(value),
                "blocked" => {
                    p.blocked = Some(match value.as_str() {
                        "true" => true,
                        "false" => false,
                        other => return Err(bad(format!("{other:?} is not true or false"))),
                    })
                }
                "bbox" => p.bbox = Some(value),
                "status" => p.status = Some(value),
                "kind" => p.kind = Some(value),
                "organisation" => p.organisation = Some(value),
                _ => return Err(bad("unknown parameter".to_string())),
            }
        }
        Ok(p)
    }
}

/// Percent-decoding of a query value (`+` is a space).
/// A `page_size` query value: a whole number from 1 to [`MAX_PAGE_SIZE`].
pub fn page_size(key: &str, value: &str) -> Result<usize, ApiError> {
    let bad = |problem: String| ApiError::field_status(StatusCode::BAD_REQUEST, key, problem);
    let n: usize = value
        .parse()
        .map_err(|_| bad(format!("{value:?} is not a whole number")))?;
    if !(1..=MAX_PAGE_SIZE).contains(&n) {
        return Err(bad(format!("{n} is out of range 1..={MAX_PAGE_SIZE}")));
    }
    Ok(n)
}

/// Percent-decoding of a query value (`+` is a space).
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A parsed `bbox`, `[min_lon, min_lat, max_lon, max_lat]`.
pub fn parse_bbox(text: &str) -> Result<geo_types::Rect<f64>, ApiError> {
    let bad = |problem: &str| ApiError::field_status(StatusCode::BAD_REQUEST, "bbox", problem);
    let n: Vec<f64> = text
        .split(',')
        .map(|s| s.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad("expected four numbers: minlon,minlat,maxlon,maxlat"))?;
    let [a, b, c, d] = n[..] else {
        return Err(bad("expected four numbers: minlon,minlat,maxlon,maxlat"));
    };
    let lon_ok = |x: f64| (-180.0..=180.0).contains(&x);
    let lat_ok = |y: f64| (-90.0..=90.0).contains(&y);
    if !(lon_ok(a) && lon_ok(c) && lat_ok(b) && lat_ok(d)) {
        return Err(bad("out of range: longitude -180..180, latitude -90..90"));
    }
    if a > c || b > d {
        return Err(bad(
            "the minimum corner must come before the maximum corner",
        ));
    }
    Ok(geo_types::Rect::new(
        geo_types::coord! { x: a, y: b },
        geo_types::coord! { x: c, y: d },
    ))
}

/// The version named by `If-Match` (`"3"`, as an ETag this server gave): 428 when
/// missing, 412 when it is not one. `If-Match` uses the strong comparison (RFC 9110
/// §13.1.1), so a weak tag (`W/"3"`) never matches.
pub fn if_match(headers: &HeaderMap) -> Result<u32, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "send If-Match with the ETag of the version you are changing",
        ));
    };
    let text = value.to_str().unwrap_or("").trim();
    let version = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|t| t.parse().ok());
    version.ok_or_else(|| {
        let why = if text.starts_with("W/") {
            "a weak ETag never matches (If-Match compares strongly); send the ETag as given"
        } else {
            "not an ETag this server gave"
        };
        ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            format!("If-Match {text:?}: {why}"),
        )
    })
}

/// The ETag of a version.
pub fn etag(version: u32) -> String {
    format!("\"{version}\"")
}

#[cfg(test)]
mod tests {
    use super::{decode, page_size};

    #[test]
    fn query_values_are_percent_decoded() {
        assert_eq!(decode("a%20b+c"), "a b c");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%4"), "%4");
    }

    #[test]
    fn page_sizes_are_whole_numbers_in_range() {
        assert_eq!(page_size("page_size", "100").expect("in range"), 100);
        for bad in ["0", "1001", "ten", "-1"] {
            assert!(page_size("page_size", bad).is_err(), "{bad}");
        }
    }
}

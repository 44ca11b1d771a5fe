//! The five verbs every register resource shares, written once over the [`Resource`]
//! trait: list (filters, pages, visibility), get (ETag), create, update and delete (both
//! with `If-Match`). The named handlers of each resource (`hazards_list`...) call these.
//!
//! Codes come in two series per kind that holds restricted records: `HA-0042` for what
//! every role sees, `HAR-0007` for restricted records. A record created without a code
//! takes the next code of its series, chosen under the write lock so that two creates at
//! once never get the same one; a code of the restricted series is a format error for a
//! caller who may not see restricted records, so a refusal tells them nothing.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bonifica_model::{Code, Dataset, RecordKind, Series};
use bonifica_store::{Record, Stamp};
use geo::Intersects;
use geo_types::Rect;
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{ListParams, Page, etag, if_match, parse_bbox};
use bonifica_app::Model;
use bonifica_app::access::{Scoped, Verb, require, require_scope, visible};
use bonifica_app::export::Format;
use std::collections::HashSet;

/// The filters of a list, parsed.
#[derive(Debug, Default)]
pub struct Filters {
    pub bbox: Option<Rect<f64>>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub organisation: Option<Uuid>,
    pub classification: Option<String>,
    pub damage: Option<String>,
    /// Whether the asset is blocked, when asked, and the assets that are.
    pub blocked: Option<(bool, HashSet<Uuid>)>,
}

impl Filters {
    /// True when the record's blocked state is the one asked for, if any.
    pub fn blocked_is(&self, id: Uuid) -> bool {
        self.blocked
            .as_ref()
            .is_none_or(|(wanted, blocked)| *wanted == blocked.contains(&id))
    }
}

/// A kind of record served under `/api/<PATH>`.
pub trait Resource: Scoped + Clone + Send + Sync + 'static {
    const KIND: RecordKind;
    /// The collection's path, such as `/api/hazard-areas`.
    const PATH: &'static str;
    /// The list filters this resource accepts.
    const FILTERS: &'static [&'static str];
    /// The request body of create and update.
    type In: DeserializeOwned + Send + 'static;
    /// The response body.
    type Out: Serialize;

    fn all(data: &Dataset) -> &Vec<Self>;
    fn all_mut(data: &mut Dataset) -> &mut Vec<Self>;
    fn id(&self) -> Uuid;
    fn code(&self) -> &Code;
    /// Gives the record its code (a create without one gets it under the write lock).
    fn set_code(&mut self, code: Code);
    fn out(&self, stamp: &Stamp) -> Self::Out;
    fn into_record(self) -> Record;
    /// The code the client asked for, if any.
    fn wanted_code(input: &Self::In) -> Option<&str>;
    /// Builds the record from a request body; `existing` is the stored record on update.
    fn build(
        input: Self::In,
        id: Uuid,
        code: Code,
        existing: Option<&Self>,
        model: &Model,
    ) -> Result<Self, ApiError>;
    /// True when the record passes the list filters (already checked to apply).
    fn matches(&self, filters: &Filters) -> bool;
    /// The record's name, which `q` searches and `sort=name` orders by.
    fn name(&self) -> Option<&str> {
        None
    }
    /// Its area in m² or its length in m, which `sort=size` orders by.
    fn size(&self) -> Option<f64> {
        None
    }
    /// The version the store must see next, for kinds that carry it (hazard areas).
    fn set_version(&mut self, _version: u32) {}
}

/// The region a new record belongs to: the one asked for, or the only one stored.
pub fn region_for(model: &Model, asked: Option<Uuid>) -> Result<Uuid, ApiError> {
    match (asked, model.data.regions.as_slice()) {
        (Some(id), regions) if regions.iter().any(|r| r.id == id) => Ok(id),
        (Some(id), _) => Err(ApiError::field("region_id", format!("no region {id}"))),
        (None, [only]) => Ok(only.id),
        (None, _) => Err(ApiError::field(
            "region_id",
            "required when the register holds several regions",
        )),
    }
}

/// An organisation given by id or code, which must exist.
pub fn organisation_ref(model: &Model, field: &str, text: &str) -> Result<Uuid, ApiError> {
    model
        .data
        .organisations
        .iter()
        .find(|o| o.id.to_string() == text || o.code.as_str() == text)
        .map(|o| o.id)
        .ok_or_else(|| ApiError::field(field, format!("no organisation {text:?}")))
}

fn parse_filters(model: &Model, p: &ListParams, buffer_m: f64) -> Result<Filters, ApiError> {
    let blocked = match p.blocked {
        None => None,
        Some(wanted) => {
            let projection = model
                .data
                .projection()
                .map_err(|e| ApiError::internal(&e))?;
            let blocked = bonifica_app::gating::blocked_assets(&model.data, &projection, buffer_m)?;
            Some((wanted, blocked))
        }
    };
    Ok(Filters {
        bbox: p.bbox.as_deref().map(parse_bbox).transpose()?,
        status: p.status.clone(),
        kind: p.kind.clone(),
        classification: p.classification.clone(),
        damage: p.damage.clone(),
        blocked,
        organisation: p
            .organisation
            .as_deref()
            .map(|o| {
                organisation_ref(model, "organisation", o).map_err(|mut e| {
                    e.status = StatusCode::BAD_REQUEST;
                    e
                })
            })
            .transpose()?,
    })
}

/// True when `geometry` meets the box.
pub fn meets(bbox: &Option<Rect<f64>>, geometry: &impl Intersects<Rect<f64>>) -> bool {
    bbox.as_ref().is_none_or(|b| geometry.intersects(b))
}

/// True when a footprint meets the box.
pub fn footprint_meets(bbox: &Option<Rect<f64>>, f: &bonifica_model::Footprint) -> bool {
    use bonifica_model::Footprint as F;
    match f {
        F::Point(p) => meets(bbox, p),
        F::Line(l) => meets(bbox, l),
        F::Area(a) => meets(bbox, a.as_multi_polygon()),
    }
}

/// The records of a list the caller may see that pass its filters and its `q`, in the
/// order asked (`sort`, ties by code; code order by default).
fn selected<'m, R: Resource>(
    model: &'m Model,
    caller: &Caller,
    params: &ListParams,
    buffer_m: f64,
) -> Result<Vec<&'m R>, ApiError> {
    let filters = parse_filters(model, params, buffer_m)?;
    let q = params.q.as_deref().map(str::to_lowercase);
    let mut rows: Vec<&R> = R::all(&model.data)
        .iter()
        .filter(|r| visible(caller, model, *r) && r.matches(&filters))
        .filter(|r| {
            q.as_deref().is_none_or(|q| {
                r.code().as_str().to_lowercase().contains(q)
                    || r.name().is_some_and(|n| n.to_lowercase().contains(q))
            })
        })
        .collect();
    let sort = params.sort.as_deref().unwrap_or("code");
    let (reverse, field) = match sort.strip_prefix('-') {
        Some(field) => (true, field),
        None => (false, sort),
    };
    // The register keeps each kind in code order: only another order needs a sort.
    match field {
        "name" => rows.sort_by(|a, b| {
            a.name()
                .unwrap_or("")
                .to_lowercase()
                .cmp(&b.name().unwrap_or("").to_lowercase())
                .then_with(|| a.code().as_str().cmp(b.code().as_str()))
        }),
        "size" => rows.sort_by(|a, b| {
            a.size()
                .unwrap_or(0.0)
                .total_cmp(&b.size().unwrap_or(0.0))
                .then_with(|| a.code().as_str().cmp(b.code().as_str()))
        }),
        _ => {}
    }
    if reverse {
        rows.reverse();
    }
    Ok(rows)
}

/// `GET /api/<resource>`: one page of the records the caller may see, filtered and sorted.
/// A page ends with the `next` link, whose `page_token` is the last code given; in code
/// order the next page starts after that code, in another order after that record.
pub async fn list<R: Resource>(
    state: AppState,
    caller: Caller,
    query: Option<String>,
) -> Result<Json<Page<R::Out>>, ApiError> {
    require(&caller, R::KIND, Verb::Read)?;
    let params = ListParams::parse(query.as_deref(), R::FILTERS)?;
    let size = params.page_size.unwrap_or(100);
    let buffer_m = state.programme().gating.buffer_m;
    state.read(|model| {
        let rows = selected::<R>(model, &caller, &params, buffer_m)?;
        let total = rows.len();
        let in_code_order = params.sort.as_deref().is_none_or(|s| s == "code");
        let start = match params.page_token.as_deref() {
            None => 0,
            Some(after) if in_code_order => rows.partition_point(|r| r.code().as_str() <= after),
            Some(after) => rows
                .iter()
                .position(|r| r.code().as_str() == after)
                .map(|i| i + 1)
                .ok_or_else(|| {
                    ApiError::field_status(
                        StatusCode::BAD_REQUEST,
                        "page_token",
                        format!(
                            "{after} is no longer in this list; start again from the first page"
                        ),
                    )
                })?,
        };
        let page = &rows[start.min(total)..(start + size).min(total)];
        let items = page.iter().map(|r| r.out(&model.stamp(r.id()))).collect();
        let next = match page.last() {
            Some(last) if start + size < total => {
                Some(next_link(R::PATH, query.as_deref(), last.code().as_str()))
            }
            _ => None,
        };
        Ok(Json(Page { items, total, next }))
    })?
}

/// `GET /api/export/<resource>?format=csv|geojson|gpkg&<the list's filters>`: every record
/// of the list as filtered and sorted, in one file.
pub async fn export<R: Resource>(
    state: AppState,
    caller: Caller,
    query: Option<String>,
) -> Result<Response, ApiError> {
    require(&caller, R::KIND, Verb::Read)?;
    let mut format = None;
    let rest: Vec<&str> = query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|pair| match pair.strip_prefix("format=") {
            Some(word) => {
                format = Some(word.to_string());
                false
            }
            None => true,
        })
        .collect();
    let format = Format::parse(format.as_deref().unwrap_or("")).map_err(|e| {
        let mut e = ApiError::from(e);
        e.status = StatusCode::BAD_REQUEST;
        e
    })?;
    let params = ListParams::parse(Some(&rest.join("&")), R::FILTERS)?;
    let buffer_m = state.programme().gating.buffer_m;
    let subset = state.read(|model| {
        let rows = selected::<R>(model, &caller, &params, buffer_m)?;
        let mut subset = bonifica_app::export::frame(&model.data);
        let kept = R::all_mut(&mut subset);
        kept.clear();
        kept.extend(rows.into_iter().cloned());
        Ok::<_, ApiError>(subset)
    })??;
    let bytes =
        tokio::task::spawn_blocking(move || bonifica_app::export::write(&subset, R::KIND, format))
            .await
            .map_err(|e| ApiError::internal(&e))?
            .map_err(|e| {
                let mut e = ApiError::from(e);
                if e.status == StatusCode::UNPROCESSABLE_ENTITY {
                    e.status = StatusCode::BAD_REQUEST;
                }
                e
            })?;
    let name = format!(
        "{}-{}.{}",
        R::PATH.trim_start_matches("/api/"),
        chrono::Utc::now().format("%Y-%m-%d"),
        format.extension()
    );
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.media_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

fn next_link(path: &str, query: Option<&str>, last: &str) -> String {
    let mut parts: Vec<String> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("page_token="))
        .map(str::to_string)
        .collect();
    parts.push(format!("page_token={last}"));
    format!("{path}?{}", parts.join("&"))
}

/// A record response with its ETag.
pub fn with_etag<T: Serialize>(status: StatusCode, version: u32, body: T) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&etag(version)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

/// Finds a record the caller may see, or 404.
pub fn find_visible<R: Resource>(model: &Model, caller: &Caller, id: Uuid) -> Result<R, ApiError> {
    R::all(&model.data)
        .iter()
        .find(|r| r.id() == id && visible(caller, model, *r))
        .cloned()
        .ok_or_else(|| ApiError::not_found(R::KIND.label()))
}

/// `GET /api/<resource>/{id}`.
pub async fn get<R: Resource>(
    state: AppState,
    caller: Caller,
    id: Uuid,
) -> Result<Response, ApiError> {
    require(&caller, R::KIND, Verb::Read)?;
    state.read(|model| {
        let r = find_visible::<R>(model, &caller, id)?;
        let stamp = model.stamp(id);
        Ok(with_etag(StatusCode::OK, stamp.version, r.out(&stamp)))
    })?
}

/// The series a caller may write codes of: both for the roles that see restricted
/// records, the visible one for everyone else.
fn writable_series(caller: &Caller) -> &'static [Series] {
    if caller.role.sees_restricted() {
        &[Series::Visible, Series::Restricted]
    } else {
        &[Series::Visible]
    }
}

/// A code a caller wrote for a record of kind `R`, with its series; `Err(422)` naming
/// `code` when it is not a code of `R` the caller may write.
fn parse_code<R: Resource>(caller: &Caller, text: &str) -> Result<(Code, Series), ApiError> {
    Code::parse_for(R::KIND, writable_series(caller), text)
        .map_err(|e| ApiError::field("code", e.to_string()))
}

/// The series of a record's code: restricted records of the kinds that have restricted
/// records take the restricted one.
fn series_of<R: Resource>(record: &R) -> Series {
    match R::KIND.restricted_prefix() {
        Some(_) => Series::of(record.restricted()),
        None => Series::Visible,
    }
}

/// `Err(422)` when a code the caller chose is not of the record's series. A caller who
/// may not see restricted records only ever gets here with a code of the visible series
/// for a record that is not restricted.
fn check_series<R: Resource>(record: &R, code: &Code, series: Series) -> Result<(), ApiError> {
    let wanted = series_of(record);
    if series == wanted {
        return Ok(());
    }
    let what = match wanted {
        Series::Restricted => format!("a restricted {}", R::KIND.label()),
        Series::Visible => format!("a {} that is not restricted", R::KIND.label()),
    };
    Err(ApiError::field(
        "code",
        format!(
            "{code} is not for {what}: it takes a code of the {}- series",
            R::KIND.series_prefix(wanted)
        ),
    ))
}

/// The next code of a series: one above the highest code of that series among the
/// records that belong to it (a record that changed visibility keeps its code and does
/// not move the series it left), passing over codes already taken.
fn next_code<R: Resource>(model: &Model, series: Series) -> Code {
    let all = R::all(&model.data);
    let max = all
        .iter()
        .filter(|r| series_of(*r) == series)
        .filter_map(|r| r.code().number_in(R::KIND, series))
        .max()
        .unwrap_or(0);
    let mut n = max.saturating_add(1);
    loop {
        let code = Code::in_series(R::KIND, series, n);
        if n == u32::MAX || !all.iter().any(|r| r.code() == &code) {
            return code;
        }
        n += 1;
    }
}

fn insert_sorted<R: Resource>(model: &mut Model, record: R) {
    let all = R::all_mut(&mut model.data);
    let at = all.partition_point(|r| r.code().as_str() < record.code().as_str());
    all.insert(at, record);
}

/// `POST /api/<resource>`: 201 with the record, its ETag and its Location.
pub async fn create<R: Resource>(
    state: AppState,
    caller: Caller,
    input: R::In,
) -> Result<Response, ApiError> {
    require(&caller, R::KIND, Verb::Create)?;
    let wanted = R::wanted_code(&input)
        .map(|text| parse_code::<R>(&caller, text))
        .transpose()?;
    let record = state.read(|model| {
        // Without a code the record is built with a stand-in and given the next code of
        // its series under the write lock below.
        let code = wanted
            .as_ref()
            .map_or_else(|| Code::new(R::KIND, 0), |(code, _)| code.clone());
        R::build(input, Uuid::new_v4(), code, None, model)
    })??;
    require_scope(&caller, &record)?;
    if let Some((code, series)) = &wanted {
        check_series(&record, code, *series)?;
    }
    let by = caller.username.clone();
    let (record, version) = state
        .write(move |store, model| {
            let mut record = record;
            if wanted.is_none() {
                record.set_code(next_code::<R>(model, series_of(&record)));
            }
            let version = store.create_record(&record.clone().into_record(), &by)?;
            model.stamps.insert(
                record.id(),
                Stamp {
                    version,
                    updated_at: None,
                    updated_by: Some(by),
                },
            );
            insert_sorted(model, record.clone());
            Ok((record, version))
        })
        .await?;
    let stamp = state.read(|m| m.stamp(record.id()))?;
    let mut response = with_etag(StatusCode::CREATED, version, record.out(&stamp));
    if let Ok(v) = HeaderValue::from_str(&format!("{}/{}", R::PATH, record.id())) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// Replaces a visible, in-scope record with `change(existing)`, checking `If-Match`.
pub async fn replace<R: Resource>(
    state: AppState,
    caller: Caller,
    id: Uuid,
    headers: &HeaderMap,
    verb: Verb,
    change: impl FnOnce(&R, &Model) -> Result<R, ApiError>,
) -> Result<Response, ApiError> {
    require(&caller, R::KIND, verb)?;
    let expected = state.read(|model| {
        let existing = find_visible::<R>(model, &caller, id)?;
        require_scope(&caller, &existing)?;
        let expected = if_match(headers)?;
        check_version(model, id, expected)?;
        let mut updated = change(&existing, model)?;
        updated.set_version(expected + 1);
        require_scope(&caller, &updated)?;
        Ok::<_, ApiError>((updated, expected))
    })??;
    let (updated, expected) = expected;
    let by = caller.username.clone();
    let version = state
        .write(move |store, model| {
            let version = store.update_record(&updated.clone().into_record(), expected, &by)?;
            let all = R::all_mut(&mut model.data);
            all.retain(|r| r.id() != id);
            model.stamps.insert(
                id,
                Stamp {
                    version,
                    updated_at: None,
                    updated_by: Some(by),
                },
            );
            insert_sorted(model, updated);
            Ok(version)
        })
        .await?;
    state.read(|model| {
        let r = find_visible::<R>(model, &caller, id)?;
        Ok(with_etag(StatusCode::OK, version, r.out(&model.stamp(id))))
    })?
}

fn check_version(model: &Model, id: Uuid, expected: u32) -> Result<(), ApiError> {
    let stored = model.version(id);
    if stored != expected {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            format!("the record is at version {stored}, not {expected}: reload it and try again"),
        ));
    }
    Ok(())
}

/// `PUT /api/<resource>/{id}`.
pub async fn update<R: Resource>(
    state: AppState,
    caller: Caller,
    id: Uuid,
    headers: HeaderMap,
    input: R::In,
) -> Result<Response, ApiError> {
    let caller_for_code = caller.clone();
    replace::<R>(
        state,
        caller,
        id,
        &headers,
        Verb::Update,
        move |existing, model| {
            // A record keeps its code when it becomes restricted or stops being so; a new
            // code must be of the record's series.
            let wanted = match R::wanted_code(&input) {
                Some(text) if text == existing.code().as_str() => None,
                Some(text) => Some(parse_code::<R>(&caller_for_code, text)?),
                None => None,
            };
            let code = wanted
                .as_ref()
                .map_or_else(|| existing.code().clone(), |(code, _)| code.clone());
            let updated = R::build(input, id, code, Some(existing), model)?;
            if let Some((code, series)) = &wanted {
                check_series(&updated, code, *series)?;
            }
            Ok(updated)
        },
    )
    .await
}

/// `DELETE /api/<resource>/{id}`: 204.
pub async fn delete<R: Resource>(
    state: AppState,
    caller: Caller,
    id: Uuid,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    require(&caller, R::KIND, Verb::Delete)?;
    let expected = state.read(|model| {
        let existing = find_visible::<R>(model, &caller, id)?;
        require_scope(&caller, &existing)?;
        let expected = if_match(&headers)?;
        check_version(model, id, expected)?;
        Ok::<_, ApiError>(expected)
    })??;
    let by = caller.username.clone();
    state
        .write(move |store, model| {
            store.delete_record(R::KIND, id, expected, &by)?;
            R::all_mut(&mut model.data).retain(|r| r.id() != id);
            model.stamps.remove(&id);
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

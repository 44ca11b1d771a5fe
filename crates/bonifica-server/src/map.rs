//! `/api/map/{layer}`: a whole layer as one GeoJSON FeatureCollection for the map, with the
//! records the caller may see.
//!
//! Each layer is built once per visibility (with or without restricted records), gzipped
//! and cached. The server builds every layer in the background at start-up and again
//! after each write (see [`AppState::warm_maps`]), so the first page load does not wait
//! for a build. What goes on the wire is what the map draws and filters: coordinates
//! rounded to 1e-6° (about 0.1 m, finer than any survey) and only the properties the
//! map's styles, filters and counters read; the details of a record come from its own
//! resource (`/api/hazard-areas/{id}`, ...).
//!
//! Team and crew positions: the model records where each unit is based, not where it is.
//! A unit is placed at the site of its current task, or else its next one, in the
//! latest plan stored in the region file (the plan's site is the centre of the work
//! zone); a unit with no such task, or whose task is on a record the caller may not see,
//! is placed at its base. Property `placed_at` says which.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;

use crate::wire::Path;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bonifica_model::{Dataset, Date, LocalProjection};
use bonifica_planner::work::ItemKind;
use flate2::Compression;
use flate2::write::GzEncoder;
use geo_types::{Coord, Geometry, LineString, Polygon};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use bonifica_app::Model;
use bonifica_app::access::{Scoped, Verb, require};

/// The layers the map serves.
pub const LAYERS: [&str; 7] = [
    "regions",
    "rivers",
    "settlements",
    "hazard-areas",
    "assets",
    "teams",
    "crews",
];

/// A cached layer's key: the layer and whether restricted records are in it.
pub type MapKey = (&'static str, bool);

/// A built layer: the JSON, its gzip, and the day it was built for.
#[derive(Debug)]
pub struct MapBody {
    pub json: Bytes,
    pub gzip: Bytes,
    /// Team and crew positions depend on the day; other layers do not.
    pub as_of: Date,
}

/// The task sites of the latest stored plan, by unit, for placing teams and crews.
#[derive(Debug)]
pub struct PlanSites {
    /// The stored plan's id and when it was saved: a newer plan replaces these sites.
    pub plan_id: Uuid,
    pub created: String,
    pub name: String,
    /// Each unit's tasks, by start date.
    pub by_unit: HashMap<Uuid, Vec<Site>>,
}

/// Where and when a unit works on one record.
#[derive(Debug, Clone)]
pub struct Site {
    /// The hazard area or asset worked on.
    pub subject: Uuid,
    pub code: String,
    /// nts, ts, clearance or repair.
    pub task: String,
    pub start: Date,
    /// Last working day (inclusive).
    pub end: Date,
    /// The centre of the work zone, WGS 84.
    pub at: Coord<f64>,
}

/// The layer's body for a visibility: the cached one, or built now. A build under way
/// for the same layer (the background warm-up) is waited for rather than repeated.
/// Blocks: call it off the async runtime.
pub fn body(
    state: &AppState,
    layer: &'static str,
    sees_restricted: bool,
) -> Result<Arc<MapBody>, ApiError> {
    let slot = state.map_slot((layer, sees_restricted))?;
    // A build that panicked leaves the slot empty, not unusable.
    let mut cached = slot
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let today = crate::resources::hazards::today();
    if let Some(b) = cached.as_ref()
        && (b.as_of == today || !is_dated(layer))
    {
        return Ok(b.clone());
    }
    let started = std::time::Instant::now();
    let json = build(state, layer, sees_restricted, today)?;
    let gzip = gzip(&json)?;
    tracing::debug!(
        layer,
        sees_restricted,
        bytes = json.len(),
        gzip = gzip.len(),
        ms = started.elapsed().as_millis() as u64,
        "map layer built"
    );
    let b = Arc::new(MapBody {
        json: Bytes::from(json),
        gzip: Bytes::from(gzip),
        as_of: today,
    });
    *cached = Some(b.clone());
    Ok(b)
}

/// Layers whose content changes with the day.
fn is_dated(layer: &str) -> bool {
    matches!(layer, "teams" | "crews")
}

/// Whether a caller with or without the restricted right sees the record. The same as
/// [`bonifica_app::access::visible`] for the records on the map, none of which is about a person.
fn shown(sees_restricted: bool, record: &impl Scoped) -> bool {
    sees_restricted || !record.restricted()
}

fn build(state: &AppState, layer: &str, sees: bool, today: Date) -> Result<Vec<u8>, ApiError> {
    // The store is read before the register, never while holding the register's lock.
    let sites = match layer {
        "teams" | "crews" => plan_sites(state)?,
        _ => None,
    };
    let buffer_m = state.programme().gating.buffer_m;
    // The two heavy layers are built from a copy taken under the register's lock, so a
    // write (an approval, say) never waits behind a layer being built.
    if matches!(layer, "hazard-areas" | "assets") {
        let (d, projection) = state.read(|model| {
            let d = Dataset {
                hazard_areas: model.data.hazard_areas.clone(),
                assets: match layer {
                    "assets" => model.data.assets.clone(),
                    _ => Vec::new(),
                },
                ..Dataset::default()
            };
            (d, model.data.projection())
        })?;
        let mut out = Collection::new();
        if layer == "assets" {
            let projection = projection.map_err(|e| ApiError::internal(&e))?;
            assets(&mut out, &d, sees, &projection, buffer_m)?;
        } else {
            hazard_areas(&mut out, &d, sees);
        }
        return Ok(out.finish());
    }
    state.read(|model| {
        let mut out = Collection::new();
        let d = &model.data;
        match layer {
            "regions" => {
                for r in &d.regions {
                    let g = Geometry::MultiPolygon(r.boundary.as_multi_polygon().clone());
                    out.feature(
                        &g,
                        &json!({"id": r.id, "code": r.code.as_str(), "name": r.name}),
                    );
                }
            }
            "rivers" => {
                for r in &d.rivers {
                    let g = Geometry::MultiLineString(r.course.clone());
                    out.feature(
                        &g,
                        &json!({"id": r.id, "code": r.code.as_str(), "name": r.name}),
                    );
                }
            }
            "settlements" => {
                for s in &d.settlements {
                    out.feature(
                        &s.footprint.to_geometry(),
                        &json!({"id": s.id, "code": s.code.as_str(), "name": s.name,
                                "population": s.population}),
                    );
                }
            }
            "hazard-areas" => hazard_areas(&mut out, d, sees),
            "assets" => {
                let projection = d.projection().map_err(|e| ApiError::internal(&e))?;
                assets(&mut out, d, sees, &projection, buffer_m)?;
            }
            "teams" | "crews" => units(&mut out, model, layer, sees, sites.as_deref(), today),
            other => {
                return Err(ApiError::not_found(&format!(
                    "map layer {other:?} (layers: {})",
                    LAYERS.join(", ")
                )));
            }
        }
        Ok(out.finish())
    })?
}

/// Hazard areas with what the map styles them by.
fn hazard_areas(out: &mut Collection, d: &Dataset, sees: bool) {
    for h in d.hazard_areas.iter().filter(|h| shown(sees, *h)) {
        let g = Geometry::MultiPolygon(h.geometry().as_multi_polygon().clone());
        out.feature(
            &g,
            &json!({
                "id": h.id, "code": h.code.as_str(),
                "classification": h.classification().as_str(),
                "status": h.status().as_str(),
                "area_m2": h.area_m2().round(),
            }),
        );
    }
}

/// Assets with their state: `blocked` when damaged and within the gating distance of an
/// unreleased hazard area (restricted ones included: they gate whoever looks).
/// `projection` is the whole register's ([`Dataset::projection`]), the one gating uses.
fn assets(
    out: &mut Collection,
    d: &Dataset,
    sees: bool,
    projection: &LocalProjection,
    buffer_m: f64,
) -> Result<(), ApiError> {
    let blocked = bonifica_app::gating::blocked_assets(d, projection, buffer_m)?;
    for a in d.assets.iter().filter(|a| shown(sees, *a)) {
        out.feature(
            &a.footprint.to_geometry(),
            &json!({
                "id": a.id, "code": a.code.as_str(), "name": a.name,
                "kind": a.kind.as_str(), "damage": a.damage.as_str(),
                "restored": a.restored, "blocked": blocked.contains(&a.id),
                "restricted": a.restricted(),
            }),
        );
    }
    Ok(())
}

/// Teams or crews at their current or next task of the latest stored plan, else at base.
fn units(
    out: &mut Collection,
    model: &Model,
    layer: &str,
    sees: bool,
    sites: Option<&PlanSites>,
    today: Date,
) {
    let d = &model.data;
    let orgs: HashMap<Uuid, &str> = d
        .organisations
        .iter()
        .map(|o| (o.id, o.name.as_str()))
        .collect();
    let hidden: HashSet<Uuid> = match sees {
        true => HashSet::new(),
        false => bonifica_app::plan_view::restricted_ids(d),
    };
    let rows: Vec<Unit> = match layer {
        "teams" => d
            .teams
            .iter()
            .map(|t| Unit {
                id: t.id,
                code: t.code.as_str(),
                name: &t.name,
                organisation: t.organisation_id,
                members: t.members.len(),
                base: t.base,
                kind: ("method", t.method.as_str()),
            })
            .collect(),
        _ => d
            .crews
            .iter()
            .map(|c| Unit {
                id: c.id,
                code: c.code.as_str(),
                name: &c.name,
                organisation: c.organisation_id,
                members: c.members.len(),
                base: c.base,
                kind: ("trade", c.trade.as_str()),
            })
            .collect(),
    };
    for u in rows {
        let (id, (kind_key, kind)) = (u.id, u.kind);
        let mut props = json!({
            "id": id, "code": u.code, "name": u.name, kind_key: kind,
            "organisation": orgs.get(&u.organisation).copied().unwrap_or_default(),
            "members": u.members,
        });
        let site = sites.and_then(|s| placed(s.by_unit.get(&id)?, today, &hidden));
        let at = match (site, sites) {
            (Some(site), Some(plan)) => {
                if let Value::Object(p) = &mut props {
                    p.insert("placed_at".into(), json!("task"));
                    p.insert("task".into(), json!(site.task));
                    p.insert("site_code".into(), json!(site.code));
                    p.insert("from".into(), json!(site.start));
                    p.insert("until".into(), json!(site.end));
                    p.insert("plan".into(), json!(plan.name));
                }
                site.at
            }
            _ => {
                if let Value::Object(p) = &mut props {
                    p.insert("placed_at".into(), json!("base"));
                }
                u.base.0
            }
        };
        out.feature(&Geometry::Point(at.into()), &props);
    }
}

/// What the teams and crews layers show of a unit.
struct Unit<'d> {
    id: Uuid,
    code: &'d str,
    name: &'d str,
    organisation: Uuid,
    members: usize,
    base: geo_types::Point<f64>,
    /// `("method", "manual")` or `("trade", "roads")`.
    kind: (&'static str, &'d str),
}

/// The unit's task under way on `today`, or else its next one; `None` when it has none
/// left, or when that task is on a record in `hidden` (the unit then shows at its base,
/// so a hidden record's place does not leak through the unit's).
pub fn placed<'s>(sites: &'s [Site], today: Date, hidden: &HashSet<Uuid>) -> Option<&'s Site> {
    let site = sites.iter().find(|s| s.end >= today)?;
    (!hidden.contains(&site.subject)).then_some(site)
}

/// The task sites of the plan the field follows (the base plan, else the newest stored),
/// read once per plan.
fn plan_sites(state: &AppState) -> Result<Option<Arc<PlanSites>>, ApiError> {
    let latest =
        state.with_store_here(|store| Ok(bonifica_app::progress::followed(store.plans()?)))?;
    let Some(latest) = latest else {
        return Ok(None);
    };
    if let Some(cached) = state.cached_plan_sites()
        && cached.plan_id == latest.id
        && cached.created == latest.created
    {
        return Ok(Some(cached));
    }
    let name = latest.name.clone();
    let Some(stored) = state.with_store_here(|store| Ok(store.plan(&name)?))? else {
        return Ok(None);
    };
    let mut by_unit: HashMap<Uuid, Vec<Site>> = HashMap::new();
    for i in stored.items {
        let task = match i.kind {
            ItemKind::Repair(_) => "repair",
            kind => kind.word(),
        };
        by_unit.entry(i.unit_id).or_default().push(Site {
            subject: i.subject.id,
            code: i.subject.code.to_string(),
            task: task.to_string(),
            start: i.start,
            end: i.end,
            at: i.site.0,
        });
    }
    for sites in by_unit.values_mut() {
        sites.sort_by_key(|s| s.start);
    }
    let sites = Arc::new(PlanSites {
        plan_id: latest.id,
        created: latest.created,
        name: latest.name,
        by_unit,
    });
    state.cache_plan_sites(sites.clone());
    Ok(Some(sites))
}

/// A FeatureCollection written straight to text, coordinates rounded to 1e-6°.
struct Collection {
    out: String,
    first: bool,
}

impl Collection {
    fn new() -> Collection {
        Collection {
            out: String::from(r#"{"type":"FeatureCollection","features":["#),
            first: true,
        }
    }

    fn feature(&mut self, geometry: &Geometry<f64>, properties: &Value) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push_str(r#"{"type":"Feature","geometry":"#);
        write_geometry(&mut self.out, geometry);
        self.out.push_str(r#","properties":"#);
        self.out.push_str(&properties.to_string());
        self.out.push('}');
    }

    fn finish(mut self) -> Vec<u8> {
        self.out.push_str("]}");
        self.out.into_bytes()
    }
}

/// A coordinate rounded to 1e-6°: about 0.1 m on the ground.
fn round6(v: f64) -> f64 {
    // Adding zero turns -0 into 0, so a coordinate never reads "-0".
    (v * 1e6).round() / 1e6 + 0.0
}

fn write_coord(out: &mut String, c: Coord<f64>) {
    // Writing to a String cannot fail.
    let _ = write!(out, "[{},{}]", round6(c.x), round6(c.y));
}

fn write_list<T>(out: &mut String, items: &[T], mut each: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, item);
    }
    out.push(']');
}

fn write_line(out: &mut String, l: &LineString<f64>) {
    write_list(out, &l.0, |out, c| write_coord(out, *c));
}

fn write_polygon(out: &mut String, p: &Polygon<f64>) {
    let rings: Vec<&LineString<f64>> = std::iter::once(p.exterior()).chain(p.interiors()).collect();
    write_list(out, &rings, |out, r| write_line(out, r));
}

fn write_geometry(out: &mut String, g: &Geometry<f64>) {
    let (kind, body): (&str, &dyn Fn(&mut String)) = match g {
        Geometry::Point(p) => ("Point", &|out| write_coord(out, p.0)),
        Geometry::MultiPoint(mp) => ("MultiPoint", &|out| {
            write_list(out, &mp.0, |out, p| write_coord(out, p.0))
        }),
        Geometry::LineString(l) => ("LineString", &|out| write_line(out, l)),
        Geometry::MultiLineString(ml) => {
            ("MultiLineString", &|out| write_list(out, &ml.0, write_line))
        }
        Geometry::Polygon(p) => ("Polygon", &|out| write_polygon(out, p)),
        Geometry::MultiPolygon(mp) => {
            ("MultiPolygon", &|out| write_list(out, &mp.0, write_polygon))
        }
        // The register's footprints are points, lines and polygons; anything else goes
        // through the general writer, unrounded.
        other => {
            out.push_str(&crate::wire::geometry_json(other).to_string());
            return;
        }
    };
    let _ = write!(out, r#"{{"type":"{kind}","coordinates":"#);
    body(out);
    out.push('}');
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>, ApiError> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).map_err(|e| ApiError::internal(&e))?;
    enc.finish().map_err(|e| ApiError::internal(&e))
}

/// A whole map layer as GeoJSON, gzipped when the client accepts it.
#[utoipa::path(get, path = "/api/map/{layer}", tag = "map",
    params(("layer" = String, Path, description = "regions, rivers, settlements, hazard-areas, assets, teams or crews")),
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
    let Some(layer) = LAYERS.iter().copied().find(|l| *l == layer) else {
        return Err(ApiError::not_found(&format!(
            "map layer {layer:?} (layers: {})",
            LAYERS.join(", ")
        )));
    };
    let sees = caller.role.sees_restricted();
    let state2 = state.clone();
    let body = tokio::task::spawn_blocking(move || body(&state2, layer, sees))
        .await
        .map_err(|e| ApiError::internal(&e))??;
    let mut response = if bonifica_web::accepts_gzip(&headers) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> Date {
        Date::from_ymd_opt(2027, m, day).unwrap()
    }

    fn site(subject: u128, start: Date, end: Date) -> Site {
        Site {
            subject: Uuid::from_u128(subject),
            code: format!("HA-{subject:04}"),
            task: "clearance".into(),
            start,
            end,
            at: Coord { x: 36.0, y: 50.0 },
        }
    }

    #[test]
    fn a_unit_is_placed_at_its_current_task_then_its_next_then_nowhere() {
        let sites = [site(1, d(3, 1), d(3, 10)), site(2, d(3, 15), d(3, 20))];
        let none = HashSet::new();
        assert_eq!(
            placed(&sites, d(2, 1), &none).map(|s| s.code.as_str()),
            Some("HA-0001")
        );
        assert_eq!(
            placed(&sites, d(3, 10), &none).map(|s| s.code.as_str()),
            Some("HA-0001")
        );
        assert_eq!(
            placed(&sites, d(3, 11), &none).map(|s| s.code.as_str()),
            Some("HA-0002")
        );
        assert!(placed(&sites, d(3, 21), &none).is_none());
    }

    #[test]
    fn a_unit_working_on_a_hidden_record_is_not_placed_there() {
        let sites = [site(1, d(3, 1), d(3, 10)), site(2, d(3, 15), d(3, 20))];
        let hidden = HashSet::from([Uuid::from_u128(1)]);
        assert!(placed(&sites, d(3, 5), &hidden).is_none());
    }

    #[test]
    fn coordinates_are_rounded_to_a_tenth_of_a_metre() {
        let mut c = Collection::new();
        let line = Geometry::LineString(LineString::from(vec![
            (37.791_786_052_111_51, 50.452_513_036_103_8),
            (37.0, -0.000_000_4),
        ]));
        c.feature(&line, &json!({"id": 1}));
        let text = String::from_utf8(c.finish()).unwrap();
        assert!(text.contains("[[37.791786,50.452513],[37,0]]"), "{text}");
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["features"][0]["geometry"]["type"], "LineString");
    }
}

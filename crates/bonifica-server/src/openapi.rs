//! The OpenAPI 3 document, generated from the handlers' `#[utoipa::path]` attributes and
//! the wire types' `ToSchema` derives, and served at `/api/openapi.json`.

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::resources::{assets, hazards, places, workforce};
use crate::{map, odk, plans, progress, reports, resources, search, session, summary};

/// The API's description.
#[derive(OpenApi)]
#[openapi(
    info(title = "Bonifica API", description = "The register of hazard areas, damaged assets and the contingent, with land release, access control and planning jobs. See docs/api.md."),
    paths(
        hazards::hazards_list, hazards::hazards_get, hazards::hazards_create,
        hazards::hazards_update, hazards::hazards_delete, hazards::hazards_events_create,
        assets::assets_list, assets::assets_get, assets::assets_create,
        assets::assets_update, assets::assets_delete,
        places::settlements_list, places::settlements_get, places::settlements_create,
        places::settlements_update, places::settlements_delete,
        places::regions_list, places::regions_get,
        workforce::organisations_list, workforce::organisations_get,
        workforce::organisations_create, workforce::organisations_update,
        workforce::organisations_delete,
        workforce::people_list, workforce::people_get, workforce::people_create,
        workforce::people_update, workforce::people_delete,
        workforce::contracts_list, workforce::contracts_get, workforce::contracts_create,
        workforce::contracts_update, workforce::contracts_delete,
        workforce::teams_list, workforce::teams_get, workforce::teams_create,
        workforce::teams_update, workforce::teams_delete,
        workforce::crews_list, workforce::crews_get, workforce::crews_create,
        workforce::crews_update, workforce::crews_delete,
        session::session_create, session::session_get, session::session_delete,
        session::tokens_create, session::tokens_list, session::tokens_delete,
        summary::summary_get, search::search_get, resources::export::export_get,
        resources::history::assets_history, resources::history::settlements_history,
        resources::history::organisations_history, resources::history::people_history,
        resources::history::contracts_history, resources::history::teams_history,
        resources::history::crews_history, map::map_get, openapi_get,
        plans::plans_create, plans::plans_list, plans::plans_get, plans::plans_delete,
        plans::plans_compare, plans::scenarios_list,
        progress::plan_vs_actual_get, progress::productivity_get, progress::audit_get,
        reports::reports_list, reports::reports_create, reports::reports_batch,
        reports::reports_get, reports::reports_update, reports::reports_transition,
        reports::history::hazards_history,
        odk::odk_form_list, odk::odk_form_get, odk::odk_submission_head,
        odk::odk_submission_create,
    ),
    modifiers(&Security, &CommonResponses, &Examples),
    security(("bearer" = []), ("cookie" = [])),
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("bonifica_session"))),
        );
    }
}

/// A valid request body for each create of the register, so that a client (and a
/// conformance checker) has one request that succeeds. Codes are left out: the server
/// gives the next of its series.
struct Examples;

impl Modify for Examples {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let square = serde_json::json!({"type": "Polygon", "coordinates": [[
            [36.60, 49.60], [36.601, 49.60], [36.601, 49.601], [36.60, 49.601], [36.60, 49.60]
        ]]});
        let examples = [
            (
                "/api/hazard-areas",
                serde_json::json!({
                    "geometry": square, "contamination": "uxo", "density_per_ha": 2.0,
                    "terrain": "flat", "vegetation": "light",
                    "evidence": "reported by a farmer"
                }),
            ),
            (
                "/api/assets",
                serde_json::json!({
                    "name": "Culvert on the T-2104", "kind": "road_segment",
                    "damage": "moderate",
                    "geometry": {"type": "LineString",
                                 "coordinates": [[36.60, 49.60], [36.61, 49.605]]}
                }),
            ),
            (
                "/api/settlements",
                serde_json::json!({
                    "name": "Novyi Khutir", "population": 420,
                    "geometry": {"type": "Point", "coordinates": [36.61, 49.61]}
                }),
            ),
            (
                "/api/organisations",
                serde_json::json!({"name": "Field office", "kind": "demining_operator"}),
            ),
        ];
        for (path, example) in examples {
            let body = openapi
                .paths
                .paths
                .get_mut(path)
                .and_then(|item| item.post.as_mut())
                .and_then(|op| op.request_body.as_mut())
                .and_then(|b| b.content.get_mut("application/json"));
            if let Some(content) = body {
                content.example = Some(example);
            }
        }
    }
}

/// The answers every operation of a kind can give, added where a handler's own list leaves
/// them out, so that a client (or a conformance checker such as schemathesis) finds every
/// status the server returns documented: 400 for a malformed path or query parameter, 401
/// and 403 where a caller must be signed in, 404 for a path naming a record, and 413,
/// 415 and 422 for a JSON request body. Problem bodies are `application/problem+json`.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::PathItem;
        for (path, item) in &mut openapi.paths.paths {
            let PathItem {
                get,
                put,
                post,
                delete,
                head,
                ..
            } = item;
            for op in [get, put, post, delete, head].into_iter().flatten() {
                add_common_responses(path, op);
            }
        }
    }
}

fn add_common_responses(path: &str, op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::security::SecurityRequirement;
    let public = op
        .security
        .as_ref()
        .is_some_and(|s| s.contains(&SecurityRequirement::default()));
    let json_body = op
        .request_body
        .as_ref()
        .is_some_and(|b| b.content.keys().any(|k| k.ends_with("json")));
    let has_parameters = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let mut common: Vec<(&str, &str)> = Vec::new();
    if has_parameters || json_body || path.contains('{') {
        common.push((
            "400",
            "A path or query parameter is malformed, or the body is not JSON",
        ));
    }
    if !public {
        common.push(("401", "Not signed in"));
        common.push((
            "403",
            "Not for this role, or a cookie session without its CSRF token",
        ));
    }
    if path.contains('{') {
        common.push(("404", "Not found, or not visible to the caller"));
    }
    if json_body {
        common.push(("413", "The body is over the route's limit"));
        common.push(("415", "The body is not sent as JSON"));
        common.push(("422", "A field is wrong"));
    }
    for (status, description) in common {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| problem_response(description));
    }
    for response in op.responses.responses.values_mut() {
        if let utoipa::openapi::RefOr::T(r) = response {
            as_problem_json(r);
        }
    }
}

/// A response with a problem+json body.
fn problem_response(
    description: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::response::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
}

/// Problem bodies go as `application/problem+json` (RFC 9457), which is what the server
/// sends; utoipa writes every body as `application/json`.
fn as_problem_json(response: &mut utoipa::openapi::response::Response) {
    let is_problem = |c: &utoipa::openapi::Content| {
        matches!(&c.schema, Some(utoipa::openapi::RefOr::Ref(r))
            if r.ref_location == "#/components/schemas/Problem")
    };
    let Some(content) = response.content.get("application/json") else {
        return;
    };
    if is_problem(content)
        && let Some(content) = response.content.shift_remove("application/json")
    {
        response.content.insert(PROBLEM_JSON.to_string(), content);
    }
}

const PROBLEM_JSON: &str = "application/problem+json";

/// The OpenAPI document of this API.
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI 3 document", body = Object)))]
pub async fn openapi_get() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

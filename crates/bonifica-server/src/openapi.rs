//! The OpenAPI 3 document, generated from the handlers' `#[utoipa::path]` attributes and
//! the wire types' `ToSchema` derives, and served at `/api/openapi.json`.

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::resources::{assets, hazards, places, workforce};
use crate::{map, odk, plans, progress, reports, session, summary};

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
        summary::summary_get, map::map_get, openapi_get,
        plans::plans_create, plans::plans_list, plans::plans_get, plans::plans_delete,
        plans::plans_compare, plans::scenarios_list,
        progress::plan_vs_actual_get, progress::productivity_get, progress::audit_get,
        reports::reports_list, reports::reports_create, reports::reports_batch,
        reports::reports_get, reports::reports_update, reports::reports_transition,
        reports::history::hazards_history,
        odk::odk_form_list, odk::odk_form_get, odk::odk_submission_head,
        odk::odk_submission_create,
    ),
    modifiers(&Security),
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

/// The OpenAPI document of this API.
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI 3 document", body = Object)))]
pub async fn openapi_get() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

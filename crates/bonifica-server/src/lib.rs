//! The HTTP server of Bonifica: the JSON API under `/api/`, access control, and the
//! OpenAPI document generated from the code.
//!
//! [`router`] builds the whole API over an [`AppState`] and is what tests drive in-process;
//! [`serve`] binds it to an address with graceful shutdown. Only this crate knows HTTP
//! and JSON: handlers turn requests into model types through the wire types beside them,
//! and every error becomes an `application/problem+json` body ([`ApiError`]).

pub mod auth;
pub mod crud;
pub mod error;
pub mod follow;
pub mod map;
pub mod odk;
pub mod openapi;
pub mod plans;
pub mod progress;
pub mod reports;
pub mod resources;
pub mod search;
pub mod session;
pub mod state;
pub mod summary;
pub mod users;
pub mod wire;

use std::net::SocketAddr;

use axum::Router;
use axum::routing::{MethodRouter, delete, get, post, put};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use auth::Role;
pub use error::{ApiError, ServerError};
pub use state::AppState;
pub use users::{add_user, create_demo_users};

use resources::{assets, hazards, places, workforce};

/// Every route: method, path (as axum and OpenAPI write it) and handler.
pub fn routes() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    let mut r: Vec<(&'static str, &'static str, MethodRouter<AppState>)> = vec![
        ("get", "/api/openapi.json", get(openapi::openapi_get)),
        ("post", "/api/session", post(session::session_create)),
        ("get", "/api/session", get(session::session_get)),
        ("delete", "/api/session", delete(session::session_delete)),
        ("post", "/api/tokens", post(session::tokens_create)),
        ("get", "/api/tokens", get(session::tokens_list)),
        ("delete", "/api/tokens/{id}", delete(session::tokens_delete)),
        ("get", "/api/summary", get(summary::summary_get)),
        ("get", "/api/search", get(search::search_get)),
        (
            "get",
            "/api/export/{collection}",
            get(resources::export::export_get),
        ),
        (
            "get",
            "/api/assets/{id}/history",
            get(resources::history::assets_history),
        ),
        (
            "get",
            "/api/settlements/{id}/history",
            get(resources::history::settlements_history),
        ),
        (
            "get",
            "/api/organisations/{id}/history",
            get(resources::history::organisations_history),
        ),
        (
            "get",
            "/api/people/{id}/history",
            get(resources::history::people_history),
        ),
        (
            "get",
            "/api/contracts/{id}/history",
            get(resources::history::contracts_history),
        ),
        (
            "get",
            "/api/teams/{id}/history",
            get(resources::history::teams_history),
        ),
        (
            "get",
            "/api/crews/{id}/history",
            get(resources::history::crews_history),
        ),
        ("get", "/api/map/{layer}", get(map::map_get)),
        ("get", "/api/regions", get(places::regions_list)),
        ("get", "/api/regions/{id}", get(places::regions_get)),
        (
            "post",
            "/api/hazard-areas/{id}/events",
            post(hazards::hazards_events_create),
        ),
        ("get", "/api/plans", get(plans::plans_list)),
        ("post", "/api/plans", post(plans::plans_create)),
        ("get", "/api/plans/compare", get(plans::plans_compare)),
        ("get", "/api/plans/{id}", get(plans::plans_get)),
        ("delete", "/api/plans/{id}", delete(plans::plans_delete)),
        ("get", "/api/scenarios", get(plans::scenarios_list)),
        (
            "get",
            "/api/plan-vs-actual",
            get(progress::plan_vs_actual_get),
        ),
        ("get", "/api/productivity", get(progress::productivity_get)),
        ("get", "/api/audit", get(progress::audit_get)),
        ("get", "/api/reports", get(reports::reports_list)),
        ("post", "/api/reports", post(reports::reports_create)),
        (
            "post",
            "/api/reports/batch",
            post(reports::reports_batch)
                .layer(axum::Extension(wire::BodyLimit(reports::MAX_BATCH_BYTES))),
        ),
        ("get", "/api/reports/{id}", get(reports::reports_get)),
        ("put", "/api/reports/{id}", put(reports::reports_update)),
        (
            "post",
            "/api/reports/{id}/transitions",
            post(reports::reports_transition),
        ),
        (
            "get",
            "/api/hazard-areas/{id}/history",
            get(reports::hazards_history),
        ),
        ("get", "/odk/formList", get(odk::odk_form_list)),
        (
            "get",
            "/odk/forms/daily_progress.xml",
            get(odk::odk_form_get),
        ),
        (
            "head",
            "/odk/submission",
            axum::routing::head(odk::odk_submission_head),
        ),
        (
            "post",
            "/odk/submission",
            post(odk::odk_submission_create).layer(axum::extract::DefaultBodyLimit::max(
                odk::MAX_SUBMISSION_BYTES,
            )),
        ),
    ];
    macro_rules! crud {
        ($coll:literal, $item:literal, $m:ident :: $list:ident, $get:ident, $create:ident, $update:ident, $delete:ident) => {
            r.push(("get", $coll, get($m::$list)));
            r.push(("post", $coll, post($m::$create)));
            r.push(("get", $item, get($m::$get)));
            r.push(("put", $item, put($m::$update)));
            r.push(("delete", $item, delete($m::$delete)));
        };
    }
    crud!(
        "/api/hazard-areas",
        "/api/hazard-areas/{id}",
        hazards::hazards_list,
        hazards_get,
        hazards_create,
        hazards_update,
        hazards_delete
    );
    crud!(
        "/api/assets",
        "/api/assets/{id}",
        assets::assets_list,
        assets_get,
        assets_create,
        assets_update,
        assets_delete
    );
    crud!(
        "/api/settlements",
        "/api/settlements/{id}",
        places::settlements_list,
        settlements_get,
        settlements_create,
        settlements_update,
        settlements_delete
    );
    crud!(
        "/api/organisations",
        "/api/organisations/{id}",
        workforce::organisations_list,
        organisations_get,
        organisations_create,
        organisations_update,
        organisations_delete
    );
    crud!(
        "/api/people",
        "/api/people/{id}",
        workforce::people_list,
        people_get,
        people_create,
        people_update,
        people_delete
    );
    crud!(
        "/api/contracts",
        "/api/contracts/{id}",
        workforce::contracts_list,
        contracts_get,
        contracts_create,
        contracts_update,
        contracts_delete
    );
    crud!(
        "/api/teams",
        "/api/teams/{id}",
        workforce::teams_list,
        teams_get,
        teams_create,
        teams_update,
        teams_delete
    );
    crud!(
        "/api/crews",
        "/api/crews/{id}",
        workforce::crews_list,
        crews_get,
        crews_create,
        crews_update,
        crews_delete
    );
    r
}

/// The whole API over `state`, and the browser app on every path outside `/api/`.
pub fn router(state: AppState) -> Router {
    let backend = state.backend_kind();
    let process = std::process::id();
    let mut router = Router::new();
    for (_, path, handler) in routes() {
        router = router.route(path, handler);
    }
    router
        .fallback(fallback)
        .layer(
            // One line per request at INFO (method, path, status, latency, the backend and
            // the server process that answered); a 5xx also logs its cause where it arose
            // (`ApiError::internal`).
            TraceLayer::new_for_http()
                .make_span_with(move |request: &axum::http::Request<axum::body::Body>| {
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        uri = %request.uri(),
                        backend = %backend,
                        process,
                    )
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// Unknown API paths are problem+json 404s; everything else is the embedded browser app.
async fn fallback(
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return ApiError::not_found("route").into_response();
    }
    bonifica_web::serve(method, uri, headers).await
}

/// Serves the API on `addr` until Ctrl-C or SIGTERM, then finishes the requests under way.
/// `on_bound` is told the bound address (useful with port 0).
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), ServerError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: addr.to_string(),
            source,
        })?;
    let bound = listener.local_addr().map_err(ServerError::Serve)?;
    tracing::info!(%bound, "serving the bonifica api");
    on_bound(bound);
    state.follow_others();
    // The peer's address is what the sign-in limit counts (`auth::Source`).
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(ServerError::Serve)?;
    tracing::info!("server stopped");
    Ok(())
}

/// [`serve`] on a runtime of its own, for callers that are not async (the command line):
/// opens the register at `location` (a region file's path or a PostgreSQL URL) and
/// serves it until Ctrl-C or SIGTERM.
pub fn run(
    location: &str,
    programme: Option<bonifica_planner::PlannerConfig>,
    addr: SocketAddr,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), ServerError> {
    let state = AppState::open(location)?;
    if let Some(config) = programme {
        state.set_programme(config);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServerError::Serve)?;
    runtime.block_on(serve(state, addr, on_bound))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests under way");
}

//! The register's resources, one module per family, each with its wire types (`...In`,
//! `...Out`) beside its handlers. [`crud_handlers!`] writes the five named handlers of a
//! resource and their OpenAPI descriptions over the generic verbs in [`crate::crud`].

pub mod assets;
pub mod export;
pub mod hazards;
pub mod history;
pub mod places;
pub mod workforce;

/// Writes `list`, `get`, `create`, `update` and `delete` handlers for a resource, each
/// with its `#[utoipa::path]`.
macro_rules! crud_handlers {
    (
        resource: $R:ty, input: $In:ident, output: $Out:ident, tag: $tag:literal,
        collection: $coll:literal, item: $item:literal,
        list: $list:ident, get: $get:ident, create: $create:ident,
        update: $update:ident, delete: $delete:ident $(,)?
    ) => {
        /// Lists the records the caller may see, filtered, one page at a time.
        #[utoipa::path(get, path = $coll, tag = $tag, params(crate::wire::ListParams),
            responses(
                (status = 200, description = "One page", body = crate::wire::Page<$Out>),
                (status = 400, description = "Bad filter", body = crate::error::Problem),
                (status = 401, description = "Not signed in", body = crate::error::Problem),
                (status = 403, description = "Not for this role", body = crate::error::Problem)))]
        pub async fn $list(
            axum::extract::State(state): axum::extract::State<crate::state::AppState>,
            caller: crate::auth::Caller,
            axum::extract::RawQuery(query): axum::extract::RawQuery,
        ) -> Result<axum::Json<crate::wire::Page<$Out>>, crate::error::ApiError> {
            crate::crud::list::<$R>(state, caller, query).await
        }

        /// Reads one record; its ETag is its version.
        #[utoipa::path(get, path = $item, tag = $tag,
            params(("id" = uuid::Uuid, Path, description = "The record's id")),
            responses(
                (status = 200, description = "The record", body = $Out,
                 headers(("ETag" = String, description = "The version, quoted"))),
                (status = 401, description = "Not signed in", body = crate::error::Problem),
                (status = 403, description = "Not for this role", body = crate::error::Problem),
                (status = 404, description = "No such record, or not visible", body = crate::error::Problem)))]
        pub async fn $get(
            axum::extract::State(state): axum::extract::State<crate::state::AppState>,
            caller: crate::auth::Caller,
            $crate::wire::Path(id): $crate::wire::Path<uuid::Uuid>,
        ) -> Result<axum::response::Response, crate::error::ApiError> {
            crate::crud::get::<$R>(state, caller, id).await
        }

        /// Records a new record; 201 with its ETag and Location.
        #[utoipa::path(post, path = $coll, tag = $tag, request_body = $In,
            responses(
                (status = 201, description = "Created", body = $Out),
                (status = 400, description = "Not JSON", body = crate::error::Problem),
                (status = 403, description = "Not for this role or scope", body = crate::error::Problem),
                (status = 409, description = "Code already used", body = crate::error::Problem),
                (status = 422, description = "A field is wrong", body = crate::error::Problem)))]
        pub async fn $create(
            axum::extract::State(state): axum::extract::State<crate::state::AppState>,
            caller: crate::auth::Caller,
            body: crate::wire::UnreadJson,
        ) -> Result<axum::response::Response, crate::error::ApiError> {
            // The role before the body: a caller who may not create reads nothing.
            bonifica_app::access::require(
                &caller,
                <$R as crate::crud::Resource>::KIND,
                bonifica_app::access::Verb::Create,
            )?;
            let input: $In = body.parse().await?;
            crate::crud::create::<$R>(state, caller, input).await
        }

        /// Replaces a record; `If-Match` must name its current version.
        #[utoipa::path(put, path = $item, tag = $tag, request_body = $In,
            params(("id" = uuid::Uuid, Path, description = "The record's id"),
                   ("If-Match" = String, Header, description = "The ETag read")),
            responses(
                (status = 200, description = "Replaced", body = $Out),
                (status = 403, description = "Not for this role or scope", body = crate::error::Problem),
                (status = 404, description = "No such record, or not visible", body = crate::error::Problem),
                (status = 412, description = "Stale version", body = crate::error::Problem),
                (status = 422, description = "A field is wrong", body = crate::error::Problem),
                (status = 428, description = "If-Match missing", body = crate::error::Problem)))]
        pub async fn $update(
            axum::extract::State(state): axum::extract::State<crate::state::AppState>,
            caller: crate::auth::Caller,
            $crate::wire::Path(id): $crate::wire::Path<uuid::Uuid>,
            headers: axum::http::HeaderMap,
            body: crate::wire::UnreadJson,
        ) -> Result<axum::response::Response, crate::error::ApiError> {
            bonifica_app::access::require(
                &caller,
                <$R as crate::crud::Resource>::KIND,
                bonifica_app::access::Verb::Update,
            )?;
            let input: $In = body.parse().await?;
            crate::crud::update::<$R>(state, caller, id, headers, input).await
        }

        /// Deletes a record; `If-Match` must name its current version.
        #[utoipa::path(delete, path = $item, tag = $tag,
            params(("id" = uuid::Uuid, Path, description = "The record's id"),
                   ("If-Match" = String, Header, description = "The ETag read")),
            responses(
                (status = 204, description = "Deleted"),
                (status = 403, description = "Not for this role or scope", body = crate::error::Problem),
                (status = 404, description = "No such record, or not visible", body = crate::error::Problem),
                (status = 409, description = "Other records refer to it", body = crate::error::Problem),
                (status = 412, description = "Stale version", body = crate::error::Problem),
                (status = 428, description = "If-Match missing", body = crate::error::Problem)))]
        pub async fn $delete(
            axum::extract::State(state): axum::extract::State<crate::state::AppState>,
            caller: crate::auth::Caller,
            $crate::wire::Path(id): $crate::wire::Path<uuid::Uuid>,
            headers: axum::http::HeaderMap,
        ) -> Result<axum::response::Response, crate::error::ApiError> {
            crate::crud::delete::<$R>(state, caller, id, headers).await
        }
    };
}
pub(crate) use crud_handlers;

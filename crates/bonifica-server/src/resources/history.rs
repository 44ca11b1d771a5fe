//! `GET /api/<collection>/{id}/history` for every kind of record but hazard areas (whose
//! history, with their polygons, released land and reports, is `reports::history`): the
//! record's changes from the audit log, oldest first.

use axum::Json;
use axum::extract::State;
use bonifica_model::{Asset, Contract, Crew, Organisation, Person, Settlement, Team};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::crud::{Resource, find_visible};
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::Path;
use bonifica_app::access::{Verb, require};
use bonifica_app::audit;

/// One change of a record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeOut {
    /// The audit log's sequence number.
    pub seq: u64,
    pub at: String,
    pub actor: String,
    /// `create`, `update` or `delete`.
    pub action: String,
    /// The record before the change; absent when it is new.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The record after the change; absent when it was deleted.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    /// The fields that differ between before and after.
    pub changed: Vec<String>,
}

/// A record's changes, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryOut {
    pub id: Uuid,
    pub code: String,
    pub changes: Vec<ChangeOut>,
}

/// The fields of two JSON objects that differ.
fn changed(before: Option<&serde_json::Value>, after: Option<&serde_json::Value>) -> Vec<String> {
    let empty = serde_json::Map::new();
    let b = before.and_then(|v| v.as_object()).unwrap_or(&empty);
    let a = after.and_then(|v| v.as_object()).unwrap_or(&empty);
    let mut keys: Vec<String> = b
        .keys()
        .chain(a.keys())
        .filter(|k| b.get(*k) != a.get(*k))
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

async fn history<R: Resource>(
    state: AppState,
    caller: Caller,
    id: Uuid,
) -> Result<Json<HistoryOut>, ApiError> {
    require(&caller, R::KIND, Verb::Read)?;
    let record = state.read(|model| find_visible::<R>(model, &caller, id))??;
    let entries = state
        .with_store(move |store| Ok(audit::history(store, id)?))
        .await?;
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    let changes = entries
        .into_iter()
        .map(|e| {
            let (before, after) = (json(e.before), json(e.after));
            ChangeOut {
                seq: e.seq,
                at: e.at,
                actor: e.actor,
                action: e.action,
                changed: changed(before.as_ref(), after.as_ref()),
                before,
                after,
            }
        })
        .collect();
    Ok(Json(HistoryOut {
        id,
        code: record.code().to_string(),
        changes,
    }))
}

/// Writes the history handler of one collection, with its OpenAPI description.
macro_rules! history_handler {
    ($name:ident, $R:ty, $path:literal, $tag:literal) => {
        /// A record's changes, oldest first, from the audit log: when, who, what, the
        /// record before and after, and the fields that changed.
        #[utoipa::path(get, path = $path, tag = $tag,
            params(("id" = Uuid, Path, description = "The record's id")),
            responses(
                (status = 200, description = "The record's changes", body = HistoryOut),
                (status = 401, description = "Not signed in", body = crate::error::Problem),
                (status = 403, description = "Not for this role", body = crate::error::Problem),
                (status = 404, description = "No such record, or not visible", body = crate::error::Problem)))]
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            Path(id): Path<Uuid>,
        ) -> Result<Json<HistoryOut>, ApiError> {
            history::<$R>(state, caller, id).await
        }
    };
}

history_handler!(assets_history, Asset, "/api/assets/{id}/history", "assets");
history_handler!(
    settlements_history,
    Settlement,
    "/api/settlements/{id}/history",
    "settlements"
);
history_handler!(
    organisations_history,
    Organisation,
    "/api/organisations/{id}/history",
    "organisations"
);
history_handler!(people_history, Person, "/api/people/{id}/history", "people");
history_handler!(
    contracts_history,
    Contract,
    "/api/contracts/{id}/history",
    "contracts"
);
history_handler!(teams_history, Team, "/api/teams/{id}/history", "teams");
history_handler!(crews_history, Crew, "/api/crews/{id}/history", "crews");

//! A small generated region in a GeoPackage, written once per test binary and copied for
//! every test, with one user and one bearer token per role; and helpers to send requests
//! to the router in-process.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bonifica_model::{Dataset, OrganisationKind};
use bonifica_server::auth::hash_token;
use bonifica_server::{AppState, Role, router};
use bonifica_store::{GeoPackage, NewApiToken, NewUser, Store};
use http_body_util::BodyExt;
use serde_json::Value;
use tempfile::TempDir;
use uuid::Uuid;

/// The template file and what the tests need to know of it.
pub struct Template {
    _dir: TempDir,
    pub path: PathBuf,
    pub data: Dataset,
    /// The operations manager's (and team leader's) organisation.
    pub operator: Uuid,
    /// The team leader's team.
    pub team: Uuid,
}

/// The bearer token of a role's user in every copy of the template.
pub fn token(role: Role) -> String {
    format!("token-of-{}", role.as_str())
}

fn small_params() -> bonifica_synth::Params {
    bonifica_synth::Params {
        deminers: 60,
        workers: 60,
        hazard_density: 0.02,
        asset_density: 0.05,
        ..bonifica_synth::Params::default()
    }
}

/// Makes sure the region holds what the access tests need: a restricted hazard area, a
/// hazard area of the operator's, a restricted (military) asset.
fn prepare(data: &mut Dataset) {
    let operator = operator_of(data);
    data.hazard_areas[0].restricted = true;
    data.hazard_areas[1].restricted = false;
    data.hazard_areas[1].organisation_id = Some(operator);
    data.hazard_areas[2].restricted = false;
    data.hazard_areas[2].organisation_id = None;
    if !data
        .assets
        .iter()
        .any(|a| a.kind == bonifica_model::AssetKind::MilitaryStructure)
    {
        data.assets[0].restricted = true;
    }
}

fn operator_of(data: &Dataset) -> Uuid {
    data.organisations
        .iter()
        .filter(|o| o.kind == OrganisationKind::DeminingOperator)
        .find(|o| data.teams.iter().any(|t| t.organisation_id == o.id))
        .expect("an operator with a team")
        .id
}

/// The template, generated on first use.
pub fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("template.gpkg");
        let mut data = bonifica_synth::generate(&small_params()).expect("generates");
        prepare(&mut data);
        let mut store = GeoPackage::create(&path).expect("creates");
        store.insert(&data).expect("inserts");
        let operator = operator_of(&data);
        let team = data
            .teams
            .iter()
            .find(|t| t.organisation_id == operator && !t.members.is_empty())
            .expect("a team with members")
            .id;
        for role in Role::ALL {
            let scoped = matches!(role, Role::OperationsManager | Role::TeamLeader);
            let user = store
                .add_user(&NewUser {
                    username: role.as_str().to_string(),
                    // Token-only users: no password verifies against this.
                    password_hash: "not-a-hash".to_string(),
                    role: role.as_str().to_string(),
                    organisation_id: scoped.then_some(operator),
                    team_id: (role == Role::TeamLeader).then_some(team),
                })
                .expect("adds user");
            store
                .create_api_token(&NewApiToken {
                    token_hash: hash_token(&token(role)),
                    user_id: user.id,
                    name: "tests".to_string(),
                    expires_at: "2099-01-01T00:00:00Z".to_string(),
                })
                .expect("adds token");
        }
        let data = store.load().expect("loads");
        Template {
            _dir: dir,
            path,
            data,
            operator,
            team,
        }
    })
}

/// A fresh copy of the template served by a router.
pub struct App {
    pub dir: TempDir,
    pub router: Router,
    pub state: AppState,
}

impl App {
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("register.gpkg")
    }
}

/// Copies the template into a fresh directory and serves it.
pub fn app() -> App {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("register.gpkg");
    copy(&template().path, &path);
    let state = AppState::open(&path).expect("opens");
    App {
        dir,
        router: router(state.clone()),
        state,
    }
}

fn copy(from: &Path, to: &Path) {
    // The template is closed and checkpointed? Copy the WAL too, so nothing is lost.
    std::fs::copy(from, to).expect("copies the template");
    for suffix in ["-wal", "-shm"] {
        let mut f = from.as_os_str().to_owned();
        f.push(suffix);
        let mut t = to.as_os_str().to_owned();
        t.push(suffix);
        if Path::new(&f).exists() {
            std::fs::copy(&f, &t).expect("copies the wal");
        }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

/// Sends a request as `role` (or anonymously) with an optional JSON body and headers.
pub async fn send(
    router: &Router,
    role: Option<Role>,
    method: &str,
    uri: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Reply {
    use tower::ServiceExt;
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(role) = role {
        req = req.header(header::AUTHORIZATION, format!("Bearer {}", token(role)));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("builds request");
    let response = router.clone().oneshot(req).await.expect("responds");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("reads body")
        .to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
    }
}

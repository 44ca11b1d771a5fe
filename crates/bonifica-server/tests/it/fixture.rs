//! A small generated region, written once per test binary and copied for every test, with
//! one user and one bearer token per role; and helpers to send requests to the router
//! in-process.
//!
//! The tests run on an embedded region file unless `BONIFICA_TEST_BACKEND=postgresql`,
//! when each test gets a database of its own on the server at `BONIFICA_TEST_DATABASE`
//! (`scripts/test` starts one), dropped when the test ends.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bonifica_model::{Dataset, OrganisationKind};
use bonifica_server::auth::hash_token;
use bonifica_server::{AppState, Role, router};
use bonifica_store::{Backend, NewApiToken, NewUser};
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
        let mut store = bonifica_store::create(&path.to_string_lossy(), false).expect("creates");
        let (operator, team) = populate(&mut *store, &data);
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

/// Writes the region and one user and API token per role into an empty store; returns
/// the operator and the team leader's team.
fn populate(store: &mut dyn Backend, data: &Dataset) -> (Uuid, Uuid) {
    store.insert(data).expect("inserts");
    let operator = operator_of(data);
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
    (operator, team)
}

/// Runs `f` on a thread of its own, outside the test's async runtime: the PostgreSQL
/// client blocks on a runtime of its own, which a thread driving async tasks must not do.
/// (The server itself reaches the store only from blocking threads.)
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| scope.spawn(f).join().expect("the store call panicked"))
}

/// The PostgreSQL server the tests run on, when they do.
fn test_database() -> Option<String> {
    let backend = std::env::var("BONIFICA_TEST_BACKEND").unwrap_or_default();
    if backend != "postgresql" {
        return None;
    }
    Some(std::env::var("BONIFICA_TEST_DATABASE").expect(
        "BONIFICA_TEST_BACKEND=postgresql needs BONIFICA_TEST_DATABASE, \
         a URL of a server where the tests may create databases (scripts/test sets both)",
    ))
}

/// A fresh copy of the template served by a router.
pub struct App {
    _dir: TempDir,
    pub router: Router,
    pub state: AppState,
    /// The register's file path or database URL.
    location: String,
    /// Whether the register is a database of this test's own, dropped with it.
    database: bool,
}

impl App {
    /// A new server on the same register, as after a restart; the register stays this
    /// app's.
    pub fn restarted(&self) -> App {
        let state = off_runtime(|| AppState::open(&self.location).expect("opens"));
        App {
            _dir: tempfile::tempdir().expect("temporary directory"),
            router: router(state.clone()),
            state,
            location: self.location.clone(),
            database: false,
        }
    }

    /// Runs `f` on the register opened beside the server, as another process would, off
    /// the test's async runtime.
    pub fn with_store<T: Send>(&self, f: impl FnOnce(&mut dyn Backend) -> T + Send) -> T {
        off_runtime(|| {
            let mut store = bonifica_store::open(&self.location).expect("opens the register");
            f(&mut *store)
        })
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if self.database {
            // Closes the server's connection too.
            off_runtime(|| {
                bonifica_store::scratch::drop_database(&self.location).expect("drops the database")
            });
        }
    }
}

/// Copies the template into a fresh directory (or a fresh database) and serves it.
pub fn app() -> App {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (location, database) = match test_database() {
        None => {
            let path = dir.path().join("register.gpkg");
            copy(&template().path, &path);
            (path.to_string_lossy().into_owned(), false)
        }
        Some(server) => off_runtime(|| {
            // One filled template database for every test process of a run (the cluster
            // is thrown away after it), copied for each app.
            let name = format!("bonifica_test_template_{}", bonifica_store::SCHEMA_VERSION);
            bonifica_store::scratch::ensure_database(&server, &name, |url| {
                let mut store = bonifica_store::create(url, false)?;
                populate(&mut *store, &template().data);
                Ok(())
            })
            .expect("makes the template database");
            let url = bonifica_store::scratch::copy_database(&server, &name)
                .expect("copies the template database");
            (url, true)
        }),
    };
    let state = off_runtime(|| AppState::open(&location).expect("opens"));
    App {
        _dir: dir,
        router: router(state.clone()),
        state,
        location,
        database,
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
    /// The body read as JSON (`Null` when it is not).
    pub body: Value,
    /// The body as sent.
    pub bytes: Vec<u8>,
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
        bytes: bytes.to_vec(),
    }
}

//! The server's shared state: the store behind a mutex, an in-memory read model of the
//! whole register, the cached map layers, and the sign-in bookkeeping.
//!
//! Reads are served from the read model, which is what keeps a page of a bounding-box
//! query under a few milliseconds. Every write goes to the store first, on a blocking
//! thread, and only then to the read model, both while the store's lock is held, so the
//! two never disagree and writes are applied in one order.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use bonifica_model::Dataset;
use bonifica_store::{GeoPackage, Stamp, Store};
use uuid::Uuid;

use crate::auth::{Caller, Credential, LoginLimiter, Role};
use crate::error::{ApiError, ServerError};
use crate::map::MapBody;
use crate::plans::jobs::Jobs;

/// The register as the server holds it in memory.
#[derive(Debug, Default)]
pub struct Model {
    pub data: Dataset,
    /// Version and stamp of every record, by id.
    pub stamps: HashMap<Uuid, Stamp>,
}

impl Model {
    /// The version of a record; 1 for one the store never stamped.
    pub fn version(&self, id: Uuid) -> u32 {
        self.stamps.get(&id).map_or(1, |s| s.version)
    }

    /// The stamp of a record.
    pub fn stamp(&self, id: Uuid) -> Stamp {
        self.stamps.get(&id).cloned().unwrap_or(Stamp {
            version: 1,
            ..Stamp::default()
        })
    }
}

/// Everything the handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Mutex<GeoPackage>,
    model: RwLock<Model>,
    /// Gzipped map layers by (layer, whether restricted records are included).
    map_cache: Mutex<HashMap<(String, bool), Arc<MapBody>>>,
    /// Authenticated callers by token hash, so a request does not wait on the store.
    callers: Mutex<HashMap<String, Caller>>,
    limiter: LoginLimiter,
    /// Planning jobs, running and finished, for the life of the process.
    jobs: Jobs,
    /// Folders searched for scenario files (`NAME.toml`), first match wins.
    scenario_dirs: RwLock<Vec<PathBuf>>,
}

impl AppState {
    /// Opens the register at `path` and loads it into memory.
    pub fn open(path: &Path) -> Result<AppState, ServerError> {
        AppState::from_store(GeoPackage::open(path)?)
    }

    /// Serves an already opened store.
    pub fn from_store(store: GeoPackage) -> Result<AppState, ServerError> {
        let data = store.load()?;
        let mut stamps = HashMap::new();
        for (kind, _) in bonifica_store::RECORD_KINDS {
            stamps.extend(store.stamps(kind)?);
        }
        let beside = store
            .path()
            .parent()
            .unwrap_or(Path::new("."))
            .join("scenarios");
        tracing::info!(
            path = %store.path().display(),
            hazard_areas = data.hazard_areas.len(),
            assets = data.assets.len(),
            "register loaded"
        );
        Ok(AppState {
            inner: Arc::new(Inner {
                store: Mutex::new(store),
                model: RwLock::new(Model { data, stamps }),
                map_cache: Mutex::new(HashMap::new()),
                callers: Mutex::new(HashMap::new()),
                limiter: LoginLimiter::default(),
                jobs: Jobs::default(),
                scenario_dirs: RwLock::new(vec![beside, PathBuf::from("scenarios")]),
            }),
        })
    }

    /// Runs `f` on the read model under a shared lock. Keep `f` short: it blocks writers.
    pub fn read<T>(&self, f: impl FnOnce(&Model) -> T) -> Result<T, ApiError> {
        let model = self
            .inner
            .model
            .read()
            .map_err(|e| ApiError::internal(&e))?;
        Ok(f(&model))
    }

    /// Runs a write on a blocking thread: `f` gets the store and the read model, both
    /// locked, and must write the store before changing the model. Map caches are dropped.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut GeoPackage, &mut Model) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = inner.store.lock().map_err(|e| ApiError::internal(&e))?;
            let mut model = inner.model.write().map_err(|e| ApiError::internal(&e))?;
            let out = f(&mut store, &mut model)?;
            if let Ok(mut cache) = inner.map_cache.lock() {
                cache.clear();
            }
            Ok(out)
        })
        .await
        .map_err(|e| ApiError::internal(&e))?
    }

    /// Runs `f` on the store alone, on a blocking thread (accounts, sessions, tokens).
    pub async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut GeoPackage) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = inner.store.lock().map_err(|e| ApiError::internal(&e))?;
            f(&mut store)
        })
        .await
        .map_err(|e| ApiError::internal(&e))?
    }

    /// Runs `f` on the store on the current thread, for work that is already off the
    /// async runtime (a planning job saving its plan).
    pub fn with_store_here<T>(
        &self,
        f: impl FnOnce(&mut GeoPackage) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut store = self
            .inner
            .store
            .lock()
            .map_err(|e| ApiError::internal(&e))?;
        f(&mut store)
    }

    /// The planning jobs.
    pub fn jobs(&self) -> &Jobs {
        &self.inner.jobs
    }

    /// The folders searched for scenario files, in order. By default `scenarios/` beside
    /// the region file, then `scenarios/` in the current folder.
    pub fn scenario_dirs(&self) -> Vec<PathBuf> {
        self.inner
            .scenario_dirs
            .read()
            .map(|d| d.clone())
            .unwrap_or_default()
    }

    /// Replaces the folders searched for scenario files.
    pub fn set_scenario_dirs(&self, dirs: Vec<PathBuf>) {
        if let Ok(mut d) = self.inner.scenario_dirs.write() {
            *d = dirs;
        }
    }

    /// The login rate limiter.
    pub fn limiter(&self) -> &LoginLimiter {
        &self.inner.limiter
    }

    /// The cached map layer for a key, if any.
    pub fn cached_map(&self, key: &(String, bool)) -> Option<Arc<MapBody>> {
        self.inner.map_cache.lock().ok()?.get(key).cloned()
    }

    /// Caches a map layer.
    pub fn cache_map(&self, key: (String, bool), body: Arc<MapBody>) {
        if let Ok(mut cache) = self.inner.map_cache.lock() {
            cache.insert(key, body);
        }
    }

    /// Forgets a token (sign-out).
    pub fn forget_token(&self, token_hash: &str) {
        if let Ok(mut callers) = self.inner.callers.lock() {
            callers.remove(token_hash);
        }
    }

    /// The caller holding the token with this hash: a session (from a cookie) or an API
    /// token (from a bearer header); `None` when unknown or expired.
    pub async fn authenticate(
        &self,
        token_hash: String,
        from_cookie: bool,
    ) -> Result<Option<Caller>, ApiError> {
        let cached = self
            .inner
            .callers
            .lock()
            .map_err(|e| ApiError::internal(&e))?
            .get(&token_hash)
            .cloned();
        if let Some(c) = cached {
            let right_kind = matches!(c.credential, Credential::Cookie { .. }) == from_cookie;
            return Ok(right_kind.then_some(c));
        }
        let key = token_hash.clone();
        let found = self
            .with_store(move |store| {
                let (user_id, credential) = if from_cookie {
                    let Some(s) = store.session(&key)? else {
                        return Ok(None);
                    };
                    let expired = chrono::DateTime::parse_from_rfc3339(&s.expires_at)
                        .map(|t| t < chrono::Utc::now())
                        .unwrap_or(true);
                    if expired {
                        return Ok(None);
                    }
                    let credential = Credential::Cookie {
                        token_hash: key.clone(),
                        csrf: s.csrf_token,
                    };
                    (s.user_id, credential)
                } else {
                    let Some(t) = store.api_token(&key)? else {
                        return Ok(None);
                    };
                    (t.user_id, Credential::Bearer)
                };
                let Some(user) = store.user(user_id)? else {
                    return Ok(None);
                };
                let role = Role::parse(&user.role).map_err(|e| ApiError::internal(&e))?;
                Ok(Some(Caller {
                    user_id: user.id,
                    username: user.username,
                    role,
                    organisation_id: user.organisation_id,
                    team_id: user.team_id,
                    credential,
                }))
            })
            .await?;
        // Sessions expire: only bearer tokens are cached for the life of the process.
        if let Some(c) = &found
            && matches!(c.credential, Credential::Bearer)
            && let Ok(mut callers) = self.inner.callers.lock()
        {
            callers.insert(token_hash, c.clone());
        }
        Ok(found)
    }
}

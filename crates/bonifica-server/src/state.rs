//! The server's shared state: the store behind a mutex, an in-memory read model of the
//! whole register, the cached map layers, and the sign-in bookkeeping.
//!
//! Reads are served from the read model, which is what keeps a page of a bounding-box
//! query under a few milliseconds. Every write goes to the store first, on a blocking
//! thread, and only then to the read model, both while the store's lock is held, so the
//! two never disagree and writes are applied in one order.
//!
//! Map layers are built in the background: once when the register is opened, and again
//! after every write (a burst of writes gives one rebuild after the last). A request for
//! a layer whose build is under way waits for it rather than building it a second time.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use bonifica_app::{Actor, Model};
use bonifica_planner::PlannerConfig;
use bonifica_store::{ApiToken, Backend};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::{Caller, Credential, LoginLimiter, Role};
use crate::error::{ApiError, ServerError};
use crate::map::{LAYERS, MapBody, MapKey, PlanSites};
use bonifica_app::planning::Jobs;

/// One map layer of the current register: empty until built. Its lock is held while it
/// is built, so a second request waits for the first build.
pub type MapSlot = Mutex<Option<Arc<MapBody>>>;

/// The file beside a region file that configures its programme.
pub const PROGRAMME_FILE: &str = "programme.toml";

/// The programme's configuration from [`PROGRAMME_FILE`] in `folder`, or the documented
/// defaults when there is none.
fn programme_beside(folder: &std::path::Path) -> Result<PlannerConfig, ServerError> {
    let path = folder.join(PROGRAMME_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => PlannerConfig::from_toml(&text).map_err(|e| ServerError::Programme {
            path: path.display().to_string(),
            problem: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PlannerConfig::default()),
        Err(e) => Err(ServerError::Programme {
            path: path.display().to_string(),
            problem: e.to_string(),
        }),
    }
}

/// Everything the handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Mutex<Box<dyn Backend>>,
    model: RwLock<Model>,
    /// The last audit entry applied to the model (see `follow.rs`).
    seen_seq: AtomicU64,
    /// The backend's name, for the request log.
    backend_kind: &'static str,
    /// Gzipped map layers by (layer, whether restricted records are included); replaced
    /// by empty slots on every write.
    map_cache: Mutex<HashMap<MapKey, Arc<MapSlot>>>,
    /// Whether the background map builder runs, and whether it must run again.
    warmer: Mutex<Warmer>,
    /// The task sites of the latest stored plan, for the teams and crews layers.
    plan_sites: Mutex<Option<Arc<PlanSites>>>,
    /// Callers authenticated by an API token, by token hash, with the token's expiry, so a
    /// request does not wait on the store. Filled and emptied only while the store's lock
    /// is held, so a token revoked in the store is never cached again afterwards.
    callers: Mutex<HashMap<String, CachedCaller>>,
    limiter: LoginLimiter,
    /// Planning jobs, running and finished, for the life of the process.
    jobs: Jobs,
    /// Folders searched for scenario files (`NAME.toml`), first match wins.
    scenario_dirs: RwLock<Vec<PathBuf>>,
    /// The programme's configuration: the planner's parameters, the gating distance
    /// among them, for every plan, map layer and report this server makes.
    programme: RwLock<Arc<PlannerConfig>>,
}

/// How long a server trusts a token it looked up without asking the store again: a token
/// revoked through another server of the same store stops working within this.
const TOKEN_CACHE: chrono::TimeDelta = chrono::TimeDelta::seconds(5);

/// A caller authenticated by an API token, until the token expires or [`TOKEN_CACHE`]
/// has passed.
#[derive(Debug, Clone)]
struct CachedCaller {
    cached_until: DateTime<Utc>,
    caller: Caller,
    expires_at: DateTime<Utc>,
}

/// The background map builder's state.
#[derive(Debug, Default)]
struct Warmer {
    running: bool,
    again: bool,
}

impl AppState {
    /// Opens the register at `location` (a region file's path or a PostgreSQL URL)
    /// and loads it into memory.
    pub fn open(location: &str) -> Result<AppState, ServerError> {
        AppState::from_store(bonifica_store::open(location)?)
    }

    /// Serves an already opened store, and starts building the map layers in the
    /// background.
    pub fn from_store(store: Box<dyn Backend>) -> Result<AppState, ServerError> {
        // The head first: a write between the two reads is applied again later, which
        // changes nothing, rather than missed.
        let seen = store.audit_head_seq()?;
        let backend_kind = store.kind();
        let model = Model::load(&*store)?;
        let folder = store.folder().unwrap_or_else(|| PathBuf::from("."));
        let beside = folder.join("scenarios");
        let programme = programme_beside(&folder)?;
        tracing::info!(
            backend = store.kind(),
            location = %store.location(),
            hazard_areas = model.data.hazard_areas.len(),
            assets = model.data.assets.len(),
            "register loaded"
        );
        let state = AppState {
            inner: Arc::new(Inner {
                store: Mutex::new(store),
                model: RwLock::new(model),
                seen_seq: AtomicU64::new(seen),
                backend_kind,
                map_cache: Mutex::new(HashMap::new()),
                warmer: Mutex::new(Warmer::default()),
                plan_sites: Mutex::new(None),
                callers: Mutex::new(HashMap::new()),
                limiter: LoginLimiter::default(),
                jobs: Jobs::default(),
                scenario_dirs: RwLock::new(vec![beside, PathBuf::from("scenarios")]),
                programme: RwLock::new(Arc::new(programme)),
            }),
        };
        state.warm_maps();
        Ok(state)
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
    /// locked, and must write the store before changing the model. The map layers are
    /// dropped and built again in the background.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn Backend, &mut Model) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let inner = self.inner.clone();
        let out = tokio::task::spawn_blocking(move || {
            let mut store = inner.store.lock().map_err(|e| ApiError::internal(&e))?;
            let mut model = inner.model.write().map_err(|e| ApiError::internal(&e))?;
            let out = f(&mut **store, &mut model)?;
            // Dropped while the register is still locked: no request can find a layer
            // built before this write once the write is seen.
            if let Ok(mut cache) = inner.map_cache.lock() {
                cache.clear();
            }
            Ok::<T, ApiError>(out)
        })
        .await
        .map_err(|e| ApiError::internal(&e))??;
        self.warm_maps();
        Ok(out)
    }

    /// Runs `f` on the store alone, on a blocking thread (accounts, sessions, tokens).
    pub async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn Backend) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = inner.store.lock().map_err(|e| ApiError::internal(&e))?;
            f(&mut **store)
        })
        .await
        .map_err(|e| ApiError::internal(&e))?
    }

    /// Runs `f` on the store on the current thread, for work that is already off the
    /// async runtime (a planning job saving its plan).
    pub fn with_store_here<T>(
        &self,
        f: impl FnOnce(&mut dyn Backend) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut store = self
            .inner
            .store
            .lock()
            .map_err(|e| ApiError::internal(&e))?;
        f(&mut **store)
    }

    /// One round of following other processes' writes, on the current thread, with the
    /// store and the model locked as a write locks them.
    pub(crate) fn catch_up_here(&self) -> Result<bonifica_app::CaughtUp, ApiError> {
        let store = self
            .inner
            .store
            .lock()
            .map_err(|e| ApiError::internal(&e))?;
        let seen = self.inner.seen_seq.load(Ordering::Acquire);
        if store.audit_head_seq()? <= seen {
            return Ok(bonifica_app::CaughtUp::default());
        }
        let mut model = self
            .inner
            .model
            .write()
            .map_err(|e| ApiError::internal(&e))?;
        let (found, last) = bonifica_app::model::apply(&**store, &mut model, seen)?;
        self.inner.seen_seq.store(last, Ordering::Release);
        if found.plans
            && let Ok(mut sites) = self.inner.plan_sites.lock()
        {
            *sites = None;
        }
        Ok(found)
    }

    /// Which backend this server runs on (`geopackage`, `postgresql`), for its logs.
    pub fn backend_kind(&self) -> &'static str {
        self.inner.backend_kind
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

    /// The programme's configuration.
    pub fn programme(&self) -> Arc<PlannerConfig> {
        self.inner
            .programme
            .read()
            .map(|p| p.clone())
            .unwrap_or_default()
    }

    /// Replaces the programme's configuration (`bonifica serve --config`); the map
    /// layers are built again, since the gating distance decides which assets are blocked.
    pub fn set_programme(&self, config: PlannerConfig) {
        if let Ok(mut p) = self.inner.programme.write() {
            *p = Arc::new(config);
        }
        self.maps_changed();
    }

    /// The login rate limiter.
    pub fn limiter(&self) -> &LoginLimiter {
        &self.inner.limiter
    }

    /// The slot of a map layer for the register as it is now.
    pub fn map_slot(&self, key: MapKey) -> Result<Arc<MapSlot>, ApiError> {
        let mut cache = self
            .inner
            .map_cache
            .lock()
            .map_err(|e| ApiError::internal(&e))?;
        Ok(cache.entry(key).or_default().clone())
    }

    /// Drops every map layer and builds them again in the background: for changes that
    /// do not go through [`AppState::write`] (a plan saved by a planning job moves the
    /// teams and crews).
    pub fn maps_changed(&self) {
        if let Ok(mut cache) = self.inner.map_cache.lock() {
            cache.clear();
        }
        self.warm_maps();
    }

    /// Builds every map layer, with and without restricted records, on a thread of its
    /// own; returns at once. While it runs, a further call makes it run once more when
    /// it is done, so a burst of writes gives one more build, not one per write.
    pub fn warm_maps(&self) {
        {
            let Ok(mut w) = self.inner.warmer.lock() else {
                return;
            };
            if w.running {
                w.again = true;
                return;
            }
            w.running = true;
        }
        let state = self.clone();
        let spawned = std::thread::Builder::new()
            .name("map-warmer".into())
            .spawn(move || state.warm_loop());
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "the map builder did not start; layers are built on request");
            if let Ok(mut w) = self.inner.warmer.lock() {
                w.running = false;
            }
        }
    }

    fn warm_loop(&self) {
        loop {
            let started = std::time::Instant::now();
            for layer in LAYERS {
                for sees_restricted in [false, true] {
                    if let Err(e) = crate::map::body(self, layer, sees_restricted) {
                        tracing::warn!(layer, error = %e.detail, "building a map layer failed");
                    }
                }
            }
            tracing::debug!(
                ms = started.elapsed().as_millis() as u64,
                "map layers built"
            );
            let Ok(mut w) = self.inner.warmer.lock() else {
                return;
            };
            if !w.again {
                w.running = false;
                return;
            }
            w.again = false;
        }
    }

    /// Whether the background map builder is at work (for tests and benchmarks).
    pub fn maps_warming(&self) -> bool {
        self.inner.warmer.lock().map(|w| w.running).unwrap_or(false)
    }

    /// The task sites of the latest stored plan, as last read.
    pub fn cached_plan_sites(&self) -> Option<Arc<PlanSites>> {
        self.inner.plan_sites.lock().ok()?.clone()
    }

    /// Keeps the task sites of the latest stored plan.
    pub fn cache_plan_sites(&self, sites: Arc<PlanSites>) {
        if let Ok(mut s) = self.inner.plan_sites.lock() {
            *s = Some(sites);
        }
    }

    /// Forgets a session's token (sign-out).
    pub fn forget_token(&self, token_hash: &str) {
        if let Ok(mut callers) = self.inner.callers.lock() {
            callers.remove(token_hash);
        }
    }

    /// Revokes the API token with this id, if `may_revoke` allows it, and forgets it at
    /// once: the next request with it is `401`. Returns the token as it was; `None` when
    /// there is no such token or `may_revoke` refused (the caller answers `404` either
    /// way, so a token's existence does not leak).
    pub async fn revoke_token(
        &self,
        id: Uuid,
        may_revoke: impl FnOnce(&dyn Backend, &ApiToken) -> Result<bool, ApiError> + Send + 'static,
    ) -> Result<Option<ApiToken>, ApiError> {
        let inner = self.inner.clone();
        self.with_store(move |store| {
            let Some(token) = store.api_token_by_id(id)? else {
                return Ok(None);
            };
            if !may_revoke(store, &token)? {
                return Ok(None);
            }
            let revoked = store.revoke_api_token(id)?;
            // Still under the store's lock: no request can cache the token again.
            if let Ok(mut callers) = inner.callers.lock() {
                callers.remove(&token.token_hash);
            }
            Ok(revoked)
        })
        .await
    }

    /// The caller holding the token with this hash: a session (from a cookie) or an API
    /// token (from a bearer header); `None` when unknown, expired or revoked.
    pub async fn authenticate(
        &self,
        token_hash: String,
        from_cookie: bool,
    ) -> Result<Option<Caller>, ApiError> {
        let now = Utc::now();
        if !from_cookie {
            let cached = self
                .inner
                .callers
                .lock()
                .map_err(|e| ApiError::internal(&e))?
                .get(&token_hash)
                .cloned();
            if let Some(c) = cached.filter(|c| c.cached_until > now) {
                return Ok((c.expires_at > now).then_some(c.caller));
            }
        }
        let inner = self.inner.clone();
        self.with_store(move |store| {
            let (user_id, credential, expires_at) = if from_cookie {
                let Some(s) = store.session(&token_hash)? else {
                    return Ok(None);
                };
                let credential = Credential::Cookie {
                    token_hash: token_hash.clone(),
                    csrf: s.csrf_token,
                };
                (s.user_id, credential, s.expires_at)
            } else {
                let Some(t) = store.api_token(&token_hash)? else {
                    return Ok(None);
                };
                (t.user_id, Credential::Bearer, t.expires_at)
            };
            // An expiry that cannot be read counts as passed.
            let Some(expires_at) = DateTime::parse_from_rfc3339(&expires_at)
                .ok()
                .map(|t| t.with_timezone(&Utc))
                .filter(|t| *t > now)
            else {
                return Ok(None);
            };
            let Some(user) = store.user(user_id)? else {
                return Ok(None);
            };
            let role = Role::parse(&user.role).map_err(|e| ApiError::internal(&e))?;
            let caller = Caller {
                actor: Actor {
                    user_id: user.id,
                    username: user.username,
                    role,
                    organisation_id: user.organisation_id,
                    team_id: user.team_id,
                },
                credential,
            };
            // Only API tokens are cached; sessions are read each time, so that signing
            // out ends them everywhere. Cached under the store's lock, so a revocation
            // (which holds it too) comes wholly before or after.
            if !from_cookie && let Ok(mut callers) = inner.callers.lock() {
                callers.insert(
                    token_hash,
                    CachedCaller {
                        cached_until: now + TOKEN_CACHE,
                        caller: caller.clone(),
                        expires_at,
                    },
                );
            }
            Ok(Some(caller))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_programme_is_read_from_beside_the_register_or_defaults() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let none = programme_beside(dir.path()).expect("no file is the defaults");
        assert_eq!(
            none.gating.buffer_m,
            PlannerConfig::default().gating.buffer_m
        );

        let path = dir.path().join(PROGRAMME_FILE);
        std::fs::write(&path, "[gating]\nbuffer_m = 100\n").expect("writes");
        let read = programme_beside(dir.path()).expect("reads");
        assert_eq!(read.gating.buffer_m, 100.0);

        std::fs::write(&path, "[gating]\nbuffer_m = \"wide\"\n").expect("writes");
        let e = programme_beside(dir.path())
            .expect_err("refused")
            .to_string();
        assert!(
            e.contains(&path.display().to_string()) && e.contains("buffer_m"),
            "{e}"
        );
    }
}

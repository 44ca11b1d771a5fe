//! Following the writes of other processes: several servers (and the command line) may
//! write the same register, each serving reads from its own in-memory model, which
//! `bonifica_app::model::apply` brings up to date from the audit log. The server then
//! drops its map layers.
//!
//! [`AppState::catch_up`] does one round; `serve` runs it every [`INTERVAL`].

use std::time::Duration;

use bonifica_app::CaughtUp;

use crate::error::ApiError;
use crate::state::AppState;

/// How often a server looks for writes made by others: a write through one server shows
/// in the others' lists and maps within this, plus the time to rebuild a layer.
pub const INTERVAL: Duration = Duration::from_millis(200);

impl AppState {
    /// Applies the writes other processes made since the last round (and this server's
    /// own, which changes nothing): the records they name are read again, and the map
    /// layers rebuilt when anything changed. Returns what it found.
    pub async fn catch_up(&self) -> Result<CaughtUp, ApiError> {
        let state = self.clone();
        let found = tokio::task::spawn_blocking(move || state.catch_up_here())
            .await
            .map_err(|e| ApiError::internal(&e))??;
        if found.records > 0 || found.reloaded || found.plans {
            self.maps_changed();
        }
        Ok(found)
    }

    /// Runs [`AppState::catch_up`] every [`INTERVAL`] for as long as the runtime runs.
    pub fn follow_others(&self) {
        let state = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(INTERVAL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match state.catch_up().await {
                    Ok(found) if found.entries > 0 => tracing::debug!(
                        entries = found.entries,
                        records = found.records,
                        reloaded = found.reloaded,
                        "applied writes from the store"
                    ),
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e.detail, "reading the store's changes failed")
                    }
                }
            }
        });
    }
}

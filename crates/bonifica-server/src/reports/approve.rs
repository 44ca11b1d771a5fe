//! `POST /api/reports/{id}/transitions`: a step of a report's workflow, taken by
//! [`bonifica_app::steps`] under the store's lock, and an approval under the store's and
//! the read model's locks, in one [`AppState::write`].

use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use bonifica_app::steps::{self, Effect, FirstPass};

use super::report_out;
use super::wire::{AreaEffect, AssetRef, EffectOut, TransitionAnswer, TransitionIn};

/// Takes one step of a report's workflow for the caller.
pub async fn take_step(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    input: TransitionIn,
) -> Result<TransitionAnswer, ApiError> {
    let action = steps::action(&input.action)?;
    let comment = input
        .comment
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    let (who, said) = (caller.clone(), comment.clone());
    let first = state
        .with_store(move |store| Ok(steps::step(store, &who, id, action, said.as_deref())?))
        .await?;
    let ((row, transitions), effect) = match first {
        FirstPass::Done(done) => (*done, None),
        FirstPass::Approval => {
            let who = caller.clone();
            let buffer_m = state.programme().gating.buffer_m;
            state
                .write(move |store, model| {
                    Ok(steps::approve(
                        store,
                        model,
                        &who,
                        id,
                        comment.as_deref(),
                        buffer_m,
                    )?)
                })
                .await?
        }
    };
    let report = state.read(|model| report_out(model, caller, &row, &transitions))?;
    Ok(TransitionAnswer {
        report,
        effect: effect.map(effect_out),
    })
}

/// An approval's effect as the wire shows it.
fn effect_out(effect: Effect) -> EffectOut {
    EffectOut {
        released_m2: effect.released_m2,
        unblocked_assets: effect
            .unblocked_assets
            .into_iter()
            .map(|(id, code)| AssetRef { id, code })
            .collect(),
        hazard_area: effect.hazard_area.map(|a| AreaEffect {
            id: a.id,
            code: a.code.to_string(),
            version: a.version,
            classification: a.classification().as_str().to_string(),
            status: a.status().as_str().to_string(),
            closure_reason: a.status().closure_reason().map(|r| r.as_str().to_string()),
            remaining_m2: if a.status().is_released() {
                0.0
            } else {
                a.area_m2()
            },
        }),
    }
}

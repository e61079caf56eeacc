//! The rounds a soak runs: each planned afresh by the round builder (so the adapter and the proxy
//! settings are read again), run by the engine and judged, exactly as `probe` does once.

use super::Builder;
use crate::lab::Lab;
use crate::model::Round;
use crate::soak::run::RoundSource;
use std::future::Future;
use tokio_util::sync::CancellationToken;

/// Rounds from a [`Builder`], against the lab when one is given.
pub struct EngineSource<'a> {
    pub builder: Builder,
    pub lab: Option<&'a Lab>,
}

impl RoundSource for EngineSource<'_> {
    fn round(
        &mut self,
        cancel: &CancellationToken,
    ) -> impl Future<Output = Result<Option<Round>, String>> {
        let cancel = cancel.clone();
        async move {
            let plan = self.builder.plan(self.lab).map_err(|e| e.to_string())?;
            let m = crate::engine::run_round(&plan, &cancel)
                .await
                .map_err(|e| e.to_string())?;
            if cancel.is_cancelled() {
                return Ok(None);
            }
            Ok(Some(crate::judge::judge(&plan.profile, &m)))
        }
    }
}

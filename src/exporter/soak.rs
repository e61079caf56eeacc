//! A soak's metrics: the last round (caught on its way from the round source) with every
//! target's flap state, rendered once the round is journalled, then handed to the listener and
//! written to the textfile. Wraps the soak's source and observer; changes neither.

use super::http::{Handler, Reply};
use super::textfile;
use crate::model::Round;
use crate::output::metrics::{self, SoakView, TargetState};
use crate::soak::journal::{Record, RoundRecord};
use crate::soak::run::{Clock, Observer, RoundSource};
use crate::soak::track::Tracker;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use tokio_util::sync::CancellationToken;

/// The exposition scrapes get: the last round's, or the build info alone before the first.
#[derive(Clone, Debug)]
pub struct Latest(Arc<RwLock<Arc<String>>>);

impl Default for Latest {
    fn default() -> Latest {
        Latest(Arc::new(RwLock::new(Arc::new(metrics::build_only()))))
    }
}

impl Latest {
    pub fn get(&self) -> Arc<String> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, text: Arc<String>) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = text;
    }
}

/// The soak's listener: `/metrics` only.
impl Handler for Latest {
    fn get(&self, path: &str, _query: Option<&str>) -> impl Future<Output = Reply> + Send {
        let reply = match path {
            "/metrics" => Reply::metrics(self.get()),
            "/" => Reply::text(200, "oqs-net soak: metrics at /metrics\n"),
            _ => Reply::text(404, "not found: this soak serves /metrics\n"),
        };
        async move { reply }
    }
}

/// The round in flight between the source that made it and the observer told of it.
type Slot = Arc<Mutex<Option<Round>>>;

/// A round source that keeps a copy of each round it hands on.
pub struct Capture<S> {
    inner: S,
    slot: Slot,
    active: bool,
}

impl<S: RoundSource> RoundSource for Capture<S> {
    async fn round(&mut self, cancel: &CancellationToken) -> Result<Option<Round>, String> {
        let r = self.inner.round(cancel).await?;
        if let Some(round) = r.as_ref().filter(|_| self.active) {
            *self.slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(round.clone());
        }
        Ok(r)
    }
}

/// An observer that publishes each journalled round's metrics, then tells `inner`.
pub struct Publish<O> {
    inner: O,
    slot: Slot,
    latest: Latest,
    textfile: Option<PathBuf>,
    /// The textfile's last error, said once until a write succeeds again.
    failing: bool,
}

/// Wraps a soak's source and observer so that every journalled round is published to `latest`
/// and written to `textfile`; when not `active`, they only pass rounds on.
pub fn wrap<S: RoundSource, O: Observer>(
    source: S,
    observer: O,
    latest: Latest,
    textfile: Option<PathBuf>,
    active: bool,
) -> (Capture<S>, Publish<O>) {
    let slot: Slot = Arc::default();
    (
        Capture {
            inner: source,
            slot: slot.clone(),
            active,
        },
        Publish {
            inner: observer,
            slot,
            latest,
            textfile,
            failing: false,
        },
    )
}

impl<O> Publish<O> {
    pub fn into_inner(self) -> O {
        self.inner
    }
}

/// What the tracker knows after `rec`, for the metrics.
pub fn view(rec: &RoundRecord, tracker: &Tracker) -> SoakView {
    SoakView {
        seq: rec.seq,
        rounds: tracker.rounds(),
        flaps: tracker.flaps(),
        overruns: tracker.overruns(),
        targets: tracker
            .targets()
            .map(|(id, t)| TargetState {
                check: id.to_string(),
                kind: t.kind.clone(),
                up: t.up,
                flapping: t.flapping(),
                score_pct: t.score(),
            })
            .collect(),
    }
}

impl<O: Observer> Observer for Publish<O> {
    fn round(&mut self, rec: &RoundRecord, written: &[Record], tracker: &Tracker, clock: &Clock) {
        let round = self
            .slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(round) = round {
            let text = Arc::new(metrics::round(&round, Some(&view(rec, tracker))));
            self.latest.set(text.clone());
            if let Some(path) = &self.textfile {
                match textfile::write(path, &text) {
                    Ok(()) => self.failing = false,
                    Err(e) => {
                        if !self.failing {
                            eprintln!(
                                "oqs-net: {e}; the soak goes on, and says so again only once it has written the file"
                            );
                        }
                        self.failing = true;
                    }
                }
            }
        }
        self.inner.round(rec, written, tracker, clock);
    }

    fn interrupted(&mut self) {
        self.inner.interrupted();
    }
}

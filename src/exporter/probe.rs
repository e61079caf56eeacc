//! `serve`'s rounds on demand, as blackbox_exporter's `/probe`: one profile, at most one round at
//! a time, and never two real rounds closer than the minimum interval. A scrape that arrives
//! while a round runs waits for it and gets its result; one within the minimum interval after it
//! gets the last result. Every real round also goes through a flap detector, as a soak's do, so
//! `oqs_net_flapping` follows each target over the scrapes (its 21 states span 21 scrape
//! intervals). `/metrics` is the process's own counters.

use super::http::{Handler, Reply, query_value};
use crate::lab::Lab;
use crate::model::Round;
use crate::output::metrics::{self, ProcessView};
use crate::round::Builder;
use crate::soak::journal::{RoundRecord, now_ms, rfc3339};
use crate::soak::track::Tracker;
use crate::soak::{Thresholds, extract};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// The last real round: when it ended, its number, and its metrics.
struct Last {
    ended: Instant,
    generation: u64,
    text: Arc<String>,
}

/// Runs rounds of one profile for `/probe`.
pub struct Prober {
    builder: Builder,
    lab: Option<Arc<Lab>>,
    min_interval: Duration,
    cancel: CancellationToken,
    /// Held while a round runs: the one-at-a-time rule.
    running: Mutex<Option<Last>>,
    /// Every real round's targets, for the flap state.
    tracker: std::sync::Mutex<Tracker>,
    generation: AtomicU64,
    rounds: AtomicU64,
    cached: AtomicU64,
    refused: AtomicU64,
}

impl Prober {
    /// `cancel` cuts a round in flight short (at shutdown).
    pub fn new(
        builder: Builder,
        lab: Option<Arc<Lab>>,
        min_interval: Duration,
        cancel: CancellationToken,
    ) -> Prober {
        let s = &builder.profile().soak;
        let thresholds =
            Thresholds::new(s.flap_high_pct, s.flap_low_pct).unwrap_or(Thresholds::DEFAULT);
        Prober {
            tracker: std::sync::Mutex::new(Tracker::new(thresholds)),
            builder,
            lab,
            min_interval,
            cancel,
            running: Mutex::new(None),
            generation: AtomicU64::new(0),
            rounds: AtomicU64::new(0),
            cached: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        }
    }

    pub fn profile_name(&self) -> &str {
        &self.builder.profile().name
    }

    /// Rounds really run, and answers given from the last round.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.rounds.load(Ordering::Relaxed),
            self.cached.load(Ordering::Relaxed),
        )
    }

    /// The metrics of a round: a new one, or the last when it is fresh or ended while this
    /// caller waited. `Err` when the round could not be run (said on stderr, not to the scraper).
    pub async fn probe(&self) -> Result<Arc<String>, ()> {
        let seen = self.generation.load(Ordering::Acquire);
        let mut last = self.running.lock().await;
        if let Some(l) = last.as_ref()
            && (l.generation > seen || l.ended.elapsed() < self.min_interval)
        {
            self.cached.fetch_add(1, Ordering::Relaxed);
            return Ok(l.text.clone());
        }
        let round = async {
            let plan = self
                .builder
                .plan(self.lab.as_deref())
                .map_err(|e| e.to_string())?;
            let m = crate::engine::run_round(&plan, &self.cancel)
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(crate::judge::judge(&plan.profile, &m))
        };
        let round = match round.await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("oqs-net: a round for /probe could not be run: {e}");
                return Err(());
            }
        };
        let generation = self.generation.load(Ordering::Relaxed) + 1;
        let text = Arc::new(self.render(&round, generation));
        *last = Some(Last {
            ended: Instant::now(),
            generation,
            text: text.clone(),
        });
        self.generation.store(generation, Ordering::Release);
        self.rounds.fetch_add(1, Ordering::Relaxed);
        Ok(text)
    }

    /// The round's metrics with the flap state after it.
    fn render(&self, round: &Round, seq: u64) -> String {
        let ts = now_ms();
        let rec = RoundRecord {
            seq,
            ts,
            at: rfc3339(ts),
            dur_ms: round.duration_ms,
            overrun: false,
            skipped: 0,
            status: round.status,
            targets: extract::targets(round),
        };
        let mut tracker = self
            .tracker
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        tracker.observe(&rec);
        metrics::round(round, Some(&super::soak::view(&rec, &tracker)))
    }

    fn process(&self) -> String {
        let (rounds, cached) = self.counts();
        metrics::process(&ProcessView {
            profiles: vec![(self.profile_name().to_string(), rounds, cached)],
            refused: self.refused.load(Ordering::Relaxed),
        })
    }

    fn refuse(&self, status: u16, why: String) -> Reply {
        self.refused.fetch_add(1, Ordering::Relaxed);
        Reply::text(status, why)
    }
}

impl Handler for Prober {
    fn get(&self, path: &str, query: Option<&str>) -> impl Future<Output = Reply> + Send {
        let path = path.to_string();
        let profile = query_value(query, "profile");
        async move {
            match path.as_str() {
                "/metrics" => Reply::metrics(Arc::new(self.process())),
                "/probe" => match profile {
                    Some(p) if p == self.profile_name() => match self.probe().await {
                        Ok(text) => Reply::metrics(text),
                        Err(()) => Reply::text(
                            500,
                            "the round could not be run; the server's log says why\n",
                        ),
                    },
                    Some(_) => self.refuse(
                        404,
                        format!("this server runs profile {} only\n", self.profile_name()),
                    ),
                    None => self.refuse(
                        400,
                        format!("/probe needs ?profile={}\n", self.profile_name()),
                    ),
                },
                "/" => Reply::text(
                    200,
                    format!(
                        "oqs-net serve: /probe?profile={} runs a round, /metrics is this process\n",
                        self.profile_name()
                    ),
                ),
                _ => Reply::text(404, "not found: /probe?profile=NAME or /metrics\n"),
            }
        }
    }
}

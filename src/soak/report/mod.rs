//! The report: any journal, finished or not, streamed record by record into a [`SoakReport`] in
//! bounded memory (fixed-size latency histograms, a hundred offset buckets, capped lists), so a
//! million probe records cost seconds and megabytes. Flapping is recomputed from the recorded
//! states with the same detector the soak ran, so thresholds can be changed after the fact.
//! [`aggregate`] streams the records, [`drift`] fits the offsets, [`columns`] keeps the per-column
//! figures the HTML report's charts draw, [`verdicts`] concludes (the
//! 補17 finding through `judge`). Depends on `model`, the soak's own journal and flap modules,
//! and `judge`'s soak verdicts, which take plain data.
//!
//! # Time
//! Each round stands for its slot: a target's time up or down runs from one round to the next
//! within a segment, and the last round of a segment counts one interval. The gap between an
//! interruption and its resume counts as neither, and an outage open at an interruption is closed
//! there and marked `cut`.
//!
//! # 補17
//! When the distribution server (`tls:distribution`, or its way through the proxy settings,
//! `proxy:distribution`) flaps and a round of the flapping period recorded WPAD auto-detect on
//! (the `proxy:settings` target's `auto_detect`), the report adds `proxy.autodetect_on` beside
//! `soak.flapping`: the probe's verdict, over the soak's periods (decided in
//! `judge::soak_proxy`, from the periods [`verdicts`] gathers). Known off, or not recorded
//! (journals from before it was, soaks without the proxy section), adds nothing.

mod aggregate;
mod changes;
mod columns;
mod drift;
mod steps;
mod verdicts;

pub use aggregate::Aggregator;
pub use verdicts::DRIFT_WARN_PPM;

use super::flap::Thresholds;
use super::journal::{self, Header, JournalError};
use crate::model::SoakReport;
use std::path::Path;

/// Flap periods kept per target (and 補17 periods per distribution target).
const MAX_FLAPS: usize = 1000;

/// Reads a journal and summarises it. `thresholds` overrides the journal's flap thresholds.
pub fn from_path(
    path: &Path,
    thresholds: Option<Thresholds>,
    charts: Charts,
) -> Result<SoakReport, JournalError> {
    let (header, mut reader) = journal::open(path)?;
    let mut agg = Aggregator::new(&header, thresholds).charts(charts);
    while let Some(rec) = reader
        .next_record()
        .map_err(|source| JournalError::read(path, source))?
    {
        agg.add(&rec);
    }
    Ok(agg.finish(reader.notes()))
}

/// What a report keeps for the HTML page's charts besides the summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charts {
    /// Each target's up/down and latencies per column: for `--html`.
    All,
    /// Up/down per column only: for every other rendering (see [`Aggregator::charts`]).
    Timelines,
}

/// The thresholds a header names, or the defaults when they are not valid.
pub fn header_thresholds(h: &Header) -> Thresholds {
    Thresholds::new(h.settings.flap_high_pct, h.settings.flap_low_pct).unwrap_or_default()
}

/// Three decimals: microseconds for milliseconds, thousandths for ppm and seconds.
fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests;

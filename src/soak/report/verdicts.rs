//! What a soak's report concludes: a target's flapping (NTP and DNS under codes of their own),
//! this machine's clock drift, and the facts behind 補17 (the distribution server flapping while WPAD
//! auto-detect was on), which `judge` turns into its finding. Depends on `model`, the journal's
//! records and `judge`'s soak verdicts (which take plain data).

use super::super::journal::RoundRecord;
use super::MAX_FLAPS;
use crate::judge::soak_proxy::{AutoDetectFlap, autodetect_flapping};
use crate::model::{Code, DriftFit, Finding, FlapPeriod, Status, display_target, human_duration};

/// Clock drift worth a finding: at least this many ppm, three standard errors from zero, over at
/// least a minute and ten rounds.
pub const DRIFT_WARN_PPM: f64 = 10.0;
const DRIFT_MIN_SPAN_S: f64 = 60.0;
const DRIFT_MIN_SAMPLES: u64 = 10;

/// The distribution server's targets whose flapping WPAD auto-detect can cause (補17).
pub(super) const DISTRIBUTION: [&str; 2] = ["tls:distribution", "proxy:distribution"];
/// The target whose record says whether WPAD auto-detect was on.
pub(super) const PROXY_SETTINGS: &str = "proxy:settings";

/// What one round's proxy settings said about WPAD auto-detect.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Wpad<'a> {
    /// `None`: not recorded.
    on: Option<bool>,
    /// The source that decided.
    source: Option<&'a str>,
}

impl<'a> Wpad<'a> {
    pub(super) fn of(r: &'a RoundRecord) -> Wpad<'a> {
        r.targets
            .iter()
            .find(|t| t.id == PROXY_SETTINGS)
            .map_or(Wpad::default(), |t| Wpad {
                on: t.auto_detect,
                source: t.proxy_source.as_deref(),
            })
    }
}

/// A target's flapping over the soak: its periods, their peak and the state changes, under the
/// code of its kind (NTP and DNS have their own guide sections).
pub(super) fn flapping(
    id: &str,
    kind: &str,
    flaps: &[FlapPeriod],
    changes: u64,
) -> Option<Finding> {
    let (first, last) = (flaps.first()?, flaps.last()?);
    let code = match kind {
        "ntp" => Code::SoakNtpFlapping,
        "dns" => Code::SoakDnsFlapping,
        _ => Code::SoakFlapping,
    };
    let peak = flaps.iter().map(|f| f.peak_score_pct).fold(0.0, f64::max);
    let end = match last.end {
        Some(e) if !last.ongoing => e.rfc3339_secs(),
        _ => "ongoing".into(),
    };
    Some(
        Finding::new(code, Status::Fail, display_target(id))
            .with("start", first.start.rfc3339_secs())
            .with("end", end)
            .with("peak_pct", format!("{peak:.1}"))
            .with("periods", flaps.len())
            .with("changes", changes),
    )
}

/// This machine's clock drift, when the fit says it matters.
pub(super) fn clock_drift(fit: &DriftFit) -> Option<Finding> {
    drift_matters(fit).then(|| {
        Finding::new(Code::SoakClockDrift, Status::Warn, "local clock")
            .with("ppm", format!("{:+.1}", fit.local_drift_ppm))
            .with(
                "per_day_s",
                format!("{:.1}", fit.local_drift_ppm.abs() * 86_400.0 / 1e6),
            )
            .with("span", human_duration(fit.span_s))
    })
}

fn drift_matters(fit: &DriftFit) -> bool {
    fit.local_drift_ppm.abs() >= DRIFT_WARN_PPM
        && fit.local_drift_ppm.abs() >= 3.0 * fit.stderr_ppm
        && fit.span_s >= DRIFT_MIN_SPAN_S
        && fit.samples >= DRIFT_MIN_SAMPLES
}

/// One distribution target's flap periods during which WPAD auto-detect was on.
#[derive(Debug, Default)]
pub(super) struct WpadWatch {
    /// A round of the open period recorded auto-detect on.
    open_on: bool,
    /// The deciding source in the first round seen on.
    source: Option<String>,
    /// Closed periods with auto-detect on: start and end (`None`: still flapping at the end).
    periods: Vec<(i64, Option<i64>)>,
}

impl WpadWatch {
    pub(super) fn see(&mut self, w: Wpad) {
        if w.on == Some(true) {
            self.open_on = true;
            if self.source.is_none() {
                self.source = w.source.map(str::to_string);
            }
        }
    }

    pub(super) fn close(&mut self, start: i64, end: Option<i64>) {
        if std::mem::take(&mut self.open_on) && self.periods.len() < MAX_FLAPS {
            self.periods.push((start, end));
        }
    }
}

/// The flap periods with auto-detect on of all the distribution server's targets, overlapping
/// ones merged, and the 補17 finding they give.
#[derive(Debug, Default)]
pub(super) struct WpadOn {
    /// Start, end (the last round seen when ongoing) and whether it is ongoing.
    periods: Vec<(i64, i64, bool)>,
    source: Option<String>,
}

impl WpadOn {
    pub(super) fn add(&mut self, w: WpadWatch, last_ts: i64) {
        if self.source.is_none() {
            self.source = w.source;
        }
        for (start, end) in w.periods {
            self.periods
                .push((start, end.unwrap_or(last_ts.max(start)), end.is_none()));
        }
    }

    /// The 補17 verdict on these periods (judge's).
    pub(super) fn finding(self) -> Option<Finding> {
        let periods: Vec<AutoDetectFlap> = self
            .periods
            .into_iter()
            .map(|(start, end, ongoing)| AutoDetectFlap {
                start_ms: start,
                end_ms: end,
                ongoing,
            })
            .collect();
        autodetect_flapping(&periods, self.source.as_deref())
    }
}

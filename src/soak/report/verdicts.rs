//! What a soak's report concludes: a target's flapping (NTP and DNS under codes of their own),
//! this machine's clock drift, steps and changes over time (an NTP clock that jumped, this
//! machine's or a member's; a round-robin set, a server certificate or a proxy way that changed),
//! latencies slow against the profile (`judge`'s verdict on the percentiles), and the facts behind 補17 (the distribution server flapping while WPAD
//! auto-detect was on), which `judge` turns into its finding. Depends on `model`, the journal's
//! records and `judge`'s soak verdicts (which take plain data).

use super::super::journal::RoundRecord;
use super::MAX_FLAPS;
use super::changes::Changes;
use crate::judge::slow::{PhasePercentiles, soak_phase};
use crate::judge::soak_proxy::{AutoDetectFlap, autodetect_flapping};
use crate::model::{
    Code, DriftFit, Finding, FlapPeriod, OffsetStep, PhaseLatency, SetChange, Slowness, Stamp,
    Status, TargetReport, display_target, human_duration,
};
use std::collections::BTreeMap;

/// Changes spelt out in a finding; the report's JSON lists them all.
const HISTORY: usize = 3;

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

/// A target's phase whose percentiles are slow against the profile (judge's verdict).
pub(super) fn slow(t: &Slowness, id: &str, l: &PhaseLatency) -> Option<Finding> {
    soak_phase(
        t,
        &display_target(id),
        PhasePercentiles {
            phase: &l.phase,
            samples: l.samples,
            p50_ms: l.p50_ms,
            p95_ms: l.p95_ms,
            slow: l.slow.unwrap_or(0),
        },
    )
}

/// `+3000.0`, `-12.5`.
fn signed(v: f64) -> String {
    format!("{v:+.1}")
}

/// A name's round-robin set that changed, one finding per family: when and what came and went.
pub(super) fn set_changed(id: &str, changes: &[SetChange], total: u64) -> Vec<Finding> {
    let mut by_family: BTreeMap<&str, Vec<&SetChange>> = BTreeMap::new();
    for c in changes {
        by_family.entry(c.family.as_str()).or_default().push(c);
    }
    let families = by_family.len().max(1) as u64;
    by_family
        .into_iter()
        .map(|(family, list)| {
            let mut history: Vec<String> = list
                .iter()
                .take(HISTORY)
                .map(|c| {
                    let parts: Vec<String> = c
                        .removed
                        .iter()
                        .map(|a| format!("-{a}"))
                        .chain(c.added.iter().map(|a| format!("+{a}")))
                        .collect();
                    format!("{} {}", c.at.rfc3339_secs(), parts.join(" "))
                })
                .collect();
            if list.len() > HISTORY {
                history.push("…".into());
            }
            let record = if family == "ipv6" { "AAAA" } else { "A" };
            // The kept list holds every change unless there were more than it keeps.
            let n = if (changes.len() as u64) < total && families == 1 {
                total
            } else {
                list.len() as u64
            };
            Finding::new(Code::SoakSetChanged, Status::Warn, display_target(id))
                .with("record", record)
                .with("at", list[0].at.rfc3339_secs())
                .with("changes", n)
                .with("history", history.join("; "))
        })
        .collect()
}

/// A watched value (a server certificate, a proxy way) that changed: the first change's when,
/// from and to, and how many there were.
pub(super) fn value_changed(code: Code, id: &str, c: &Changes<String>) -> Option<Finding> {
    let total = c.total();
    if total == 0 {
        return None;
    }
    let list = c.list();
    let (at, _, from, to, _) = list.iter().find(|e| e.2.is_some() && !e.4)?;
    Some(
        Finding::new(code, Status::Warn, display_target(id))
            .with("at", Stamp(*at).rfc3339_secs())
            .with("from", from.as_deref().unwrap_or("-"))
            .with("to", to)
            .with("changes", total),
    )
}

/// NTP clocks that stepped. A round in which more than half of the NTP servers (at least two)
/// jumped together is this machine's clock stepping, named once; every other step is the
/// member's own, named per member by its largest jump.
pub(super) fn clock_steps(targets: &[TargetReport]) -> Vec<Finding> {
    let series: Vec<(&str, &[OffsetStep], u64)> = targets
        .iter()
        .filter(|t| t.kind == "ntp")
        .filter_map(|t| {
            t.ntp
                .as_ref()
                .map(|n| (t.id.as_str(), n.steps.as_slice(), n.steps_total))
        })
        .collect();
    let mut at: BTreeMap<Stamp, Vec<f64>> = BTreeMap::new();
    for (_, steps, _) in &series {
        for s in *steps {
            at.entry(s.at).or_default().push(s.step_ms);
        }
    }
    let local: BTreeMap<Stamp, f64> = at
        .into_iter()
        .filter(|(_, v)| series.len() >= 2 && v.len() * 2 > series.len())
        .map(|(t, mut v)| {
            v.sort_by(f64::total_cmp);
            (t, v[v.len() / 2])
        })
        .collect();
    let mut out = Vec::new();
    if let Some((first, step)) = local.iter().next() {
        out.push(
            Finding::new(Code::SoakClockStep, Status::Warn, "local clock")
                .with("at", first.rfc3339_secs())
                .with("step_ms", signed(-step))
                .with("steps", local.len()),
        );
    }
    for (id, steps, total) in series {
        let own: Vec<&OffsetStep> = steps
            .iter()
            .filter(|s| !local.contains_key(&s.at))
            .collect();
        let Some(big) = own
            .iter()
            .max_by(|a, b| a.step_ms.abs().total_cmp(&b.step_ms.abs()))
        else {
            continue;
        };
        let n = total - (steps.len() - own.len()) as u64;
        out.push(
            Finding::new(Code::SoakNtpStep, Status::Warn, display_target(id))
                .with("at", big.at.rfc3339_secs())
                .with("step_ms", signed(big.step_ms))
                .with("from_ms", format!("{:.1}", big.from_ms))
                .with("to_ms", format!("{:.1}", big.to_ms))
                .with("steps", n),
        );
    }
    out
}

//! A soak's report as plain data: per target availability, state changes, flapping periods,
//! outages, latency percentiles, NTP offset and drift, and round-robin answer-set changes. Built by
//! `soak::report` from a journal, read by the renderers. No I/O.

use super::{Finding, Slowness, Status};
use serde::Serialize;

/// Bumped whenever a field of the report's JSON is removed or changes meaning.
pub const SOAK_SCHEMA_VERSION: u32 = 1;

/// A wall-clock instant in milliseconds since the Unix epoch; serialised as RFC 3339 UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp(pub i64);

impl Stamp {
    /// RFC 3339 to the second, for prose (`2025-06-01T10:00:00Z`).
    pub fn rfc3339_secs(self) -> String {
        jiff::Timestamp::from_millisecond(self.0.div_euclid(1000) * 1000)
            .map(|t| t.to_string())
            .unwrap_or_else(|_| format!("@{}ms", self.0))
    }

    pub fn rfc3339(self) -> String {
        jiff::Timestamp::from_millisecond(self.0)
            .map(|t| t.to_string())
            .unwrap_or_else(|_| format!("@{}ms", self.0))
    }

    /// Seconds from `self` to `later`.
    pub fn secs_to(self, later: Stamp) -> f64 {
        (later.0 - self.0) as f64 / 1000.0
    }
}

impl Serialize for Stamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.rfc3339())
    }
}

impl schemars::JsonSchema for Stamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Stamp".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "date-time"})
    }
}

/// What the journal's header said about the soak.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct SoakHeader {
    pub journal_version: u32,
    /// The oqs-net version that started the soak.
    pub written_by: String,
    pub started_at: Stamp,
    pub profile: String,
    pub profile_source: String,
    pub mode: String,
    pub environment: String,
    pub interval_s: f64,
    /// `None`: until stopped.
    pub duration_s: Option<f64>,
    pub flap_high_pct: f64,
    pub flap_low_pct: f64,
    pub lab: bool,
    pub lab_faults: Option<String>,
    /// The thresholds the latency percentiles are judged against.
    pub slowness: Slowness,
}

#[derive(Clone, Debug, Default, Serialize, schemars::JsonSchema)]
pub struct StatusCounts {
    pub pass: u64,
    pub warn: u64,
    pub fail: u64,
    pub error: u64,
}

impl StatusCounts {
    pub fn add(&mut self, s: Status) {
        match s {
            Status::Pass => self.pass += 1,
            Status::Warn => self.warn += 1,
            Status::Fail => self.fail += 1,
            Status::Error => self.error += 1,
        }
    }
}

/// A period during which a target was flapping.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct FlapPeriod {
    /// The round whose state took the score to the high threshold.
    pub start: Stamp,
    /// The round whose state brought the score down to the low threshold; `None` while ongoing.
    pub end: Option<Stamp>,
    pub duration_s: f64,
    pub peak_score_pct: f64,
    /// Still flapping at the last round of the journal.
    pub ongoing: bool,
}

/// A run of rounds in which a target was down.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Outage {
    /// The first round that found it down.
    pub start: Stamp,
    /// The first round that found it up again, or the last round seen (then `ongoing` or
    /// `cut` say why the end is not a recovery).
    pub end: Stamp,
    pub duration_s: f64,
    pub rounds: u64,
    /// Still down at the end of the journal.
    pub ongoing: bool,
    /// The soak was interrupted (and later resumed) while it was down: the real end is unknown.
    pub cut: bool,
}

/// Latency percentiles of one phase (dns query, ntp exchange, later tcp connect, tls handshake).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct PhaseLatency {
    pub phase: String,
    pub samples: u64,
    pub min_ms: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The profile's slowness threshold for this phase, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold_ms: Option<f64>,
    /// Samples at or above the threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slow: Option<u64>,
}

/// NTP offsets over a stretch of the soak.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct OffsetBucket {
    pub start: Stamp,
    pub end: Stamp,
    pub samples: u64,
    pub min_ms: f64,
    pub mean_ms: f64,
    pub max_ms: f64,
}

/// A straight-line fit of offset against time.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DriftFit {
    /// Drift of this machine's clock against the server(s): positive means this clock runs fast
    /// (the measured offset, server minus local, falls by this many µs per second).
    pub local_drift_ppm: f64,
    /// One standard error of the drift.
    pub stderr_ppm: f64,
    pub samples: u64,
    pub span_s: f64,
    /// Root mean square of the residuals around the line.
    pub residual_ms: f64,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct NtpOffsets {
    pub samples: u64,
    pub first_ms: f64,
    pub last_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub fit: Option<DriftFit>,
    /// At most a hundred buckets covering the soak, in time order.
    pub series: Vec<OffsetBucket>,
    /// Jumps that stayed (a clock set), told apart from drift and noise; at most the first 100.
    pub steps: Vec<OffsetStep>,
    pub steps_total: u64,
}

/// An offset that jumped and stayed at its new level.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct OffsetStep {
    /// The first round at the new level.
    pub at: Stamp,
    /// What the old level (and its drift) predicted for that round.
    pub from_ms: f64,
    pub to_ms: f64,
    pub step_ms: f64,
}

/// A value of a target that changed between rounds (the certificate a server presented, the way
/// through the proxy settings): the first value, then each round it differed in.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ValueChange {
    pub at: Stamp,
    /// The round's sequence number.
    pub seq: u64,
    /// `None` for the first round's value.
    pub from: Option<String>,
    pub to: String,
    /// Found different after an interruption: listed, but no round saw it happen, so no finding
    /// counts it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub across_resume: bool,
}

/// A round-robin answer set that changed.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct SetChange {
    pub at: Stamp,
    pub family: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// The whole set after the change.
    pub set: Vec<String>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct CodeCount {
    pub code: String,
    pub rounds: u64,
}

/// The proxy settings as a round found them, when they differed from the round before.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SettingsChange {
    pub at: Stamp,
    /// The round's sequence number.
    pub seq: u64,
    /// "Automatically detect settings" (WPAD) in the deciding settings; `None`: not recorded.
    pub auto_detect: Option<bool>,
    /// The source whose settings decided; `None`: none did.
    pub source: Option<String>,
}

/// Everything about one target (a DNS name, an NTP server address, later a TLS endpoint...).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct TargetReport {
    /// `dns:NAME`, `ntp:ADDR:PORT`, or a check id.
    pub id: String,
    pub kind: String,
    /// For an address: the names whose answers contained it.
    pub via: Vec<String>,
    pub rounds: u64,
    pub up_rounds: u64,
    pub availability_pct: f64,
    /// Up→down and down→up changes.
    pub state_changes: u64,
    pub flaps: Vec<FlapPeriod>,
    /// Listed in time order; at most the first 1000 (`outages_total` counts them all).
    pub outages: Vec<Outage>,
    pub outages_total: u64,
    pub longest_outage: Option<Outage>,
    /// Mean time between failures: time up divided by the number of outages.
    pub mtbf_s: Option<f64>,
    /// Mean time to recovery: time down divided by the number of outages.
    pub mttr_s: Option<f64>,
    pub latency: Vec<PhaseLatency>,
    pub ntp: Option<NtpOffsets>,
    /// Answer-set changes of a name, per family (at most the first 200; `set_changes_total`).
    pub first_sets: Vec<SetChange>,
    pub set_changes: Vec<SetChange>,
    pub set_changes_total: u64,
    /// `proxy:settings`: the settings at the first round, then every round they changed in
    /// (auto-detect or the deciding source), at most the first 200.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub settings_changes: Vec<SettingsChange>,
    /// TLS: the server certificate presented (`SERIAL (NOT_AFTER)`) at the first round, then
    /// every round it changed in, at most the first 200.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cert_changes: Vec<ValueChange>,
    /// A proxy way (`proxy:NAME`): `direct` or `proxy HOST:PORT` at the first round, then every
    /// round it changed in, at most the first 200.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub way_changes: Vec<ValueChange>,
    /// Finding codes the rounds gave this target, most frequent first.
    pub codes: Vec<CodeCount>,
    /// Still flapping at the end of the journal.
    pub flapping: bool,
    /// State at the last round seen.
    pub up: bool,
    /// The target per column of [`SoakReport::columns`], for charts (not in the JSON).
    #[serde(skip)]
    pub columns: TargetColumns,
}

/// The soak cut into columns of equal time, for charts: column `i` covers
/// `start + i × width_ms` to the next. At most [`MAX_COLUMNS`]; the width doubles as the soak
/// grows, so a 7-day soak has between 256 and 512, never a point per probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Columns {
    pub start: Stamp,
    pub width_ms: i64,
    pub count: usize,
}

/// Columns kept at most (a chart's width in pixels, give or take).
pub const MAX_COLUMNS: usize = 512;

/// Up and down rounds of one target in one column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StateColumn {
    pub up: u32,
    pub down: u32,
}

/// Latencies of one phase in one column: extremes exact, percentiles to within 5 %.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LatencyColumn {
    pub samples: u32,
    pub min_ms: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

/// One phase's latencies per column (`None`: no sample in that column).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PhaseColumns {
    pub phase: String,
    pub columns: Vec<Option<LatencyColumn>>,
}

/// A target per column: its states, and its latencies per phase (in the order of `latency`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TargetColumns {
    pub states: Vec<StateColumn>,
    pub latency: Vec<PhaseColumns>,
}

/// A soak summarised: the whole journal, finished or not.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct SoakReport {
    pub schema_version: u32,
    pub tool_version: String,
    pub header: SoakHeader,
    pub first_round: Option<Stamp>,
    pub last_round: Option<Stamp>,
    /// Seconds measured, gaps between an interruption and its resume left out.
    pub active_s: f64,
    pub rounds: u64,
    pub round_status: StatusCounts,
    /// Rounds that ran past the start of the next slot, and slots skipped because of them.
    pub overruns: u64,
    pub skipped_slots: u64,
    /// 1 + the number of resumes.
    pub segments: u64,
    /// The soak reached its end (duration or rounds) rather than being interrupted or crashing.
    pub complete: bool,
    /// Worst of the rounds' statuses and the soak's own findings.
    pub status: Status,
    pub targets: Vec<TargetReport>,
    /// This machine's clock drift from the median offset of all NTP servers per round.
    pub local_clock: Option<NtpOffsets>,
    /// Serialised by the renderer, with each finding's text in the chosen language.
    #[serde(skip)]
    pub findings: Vec<Finding>,
    /// What the reader had to skip or could not tell (torn last record, damaged lines...).
    pub notes: Vec<String>,
    /// The time grid of every target's `columns`; `None` before the first round.
    #[serde(skip)]
    pub columns: Option<Columns>,
}

/// `2h 3m 4s`, `5m 0s`, `12s`, `0.5s`.
pub fn human_duration(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "?".into();
    }
    if secs < 10.0 {
        let t = format!("{secs:.1}");
        return format!("{}s", t.strip_suffix(".0").unwrap_or(&t));
    }
    let s = secs.round() as u64;
    let (d, h, m, s) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m {s}s"),
        _ => format!("{d}d {h}h {m}m"),
    }
}

/// A target id without its kind: `ntp:[fd0e:a5::12]:123` → `[fd0e:a5::12]:123`,
/// `dns:ntp.example` → `ntp.example`, `tls:distribution` → `distribution`.
pub fn display_target(id: &str) -> String {
    id.split_once(':')
        .filter(|(k, _)| matches!(*k, "ntp" | "dns" | "tls" | "tcp"))
        .map_or(id, |(_, rest)| rest)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(human_duration(0.5), "0.5s");
        assert_eq!(human_duration(3.999), "4s");
        assert_eq!(human_duration(4.0), "4s");
        assert_eq!(human_duration(12.0), "12s");
        assert_eq!(human_duration(120.0), "2m 0s");
        assert_eq!(human_duration(3725.0), "1h 2m 5s");
        assert_eq!(human_duration(90_061.0), "1d 1h 1m");
    }

    #[test]
    fn targets_read_without_their_kind() {
        assert_eq!(display_target("ntp:[fd0e:a5::12]:123"), "[fd0e:a5::12]:123");
        assert_eq!(display_target("dns:ntp.example"), "ntp.example");
        assert_eq!(display_target("tls:dist"), "dist");
        assert_eq!(display_target("adapter"), "adapter");
    }
}

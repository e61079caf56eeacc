//! The journal's records: the header and its settings, rounds with their target results, events,
//! notes, resume and end markers, as they are written one JSON object a line. Plain data; depends
//! on `model` for the status only.

use crate::model::{RoundSettings, Slowness, StartFacts, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The first line: what was soaked, how, and by which version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub journal_version: u32,
    pub tool_version: String,
    pub started_at: String,
    /// Unix milliseconds.
    pub ts: i64,
    pub profile: ProfileRef,
    pub settings: Settings,
}

/// The profile a soak ran, enough to run it again on `--resume`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileRef {
    pub name: String,
    /// `builtin:NAME` or the file it was read from.
    pub source: String,
    pub mode: String,
    pub environment: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// A profile file's text, so a resume does not depend on the file still being there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toml: Option<String>,
}

/// The soak's settings as given (after defaults), for the report and for `--resume`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub interval_ms: u64,
    /// `None`: until stopped.
    pub duration_ms: Option<u64>,
    /// Stop after this many rounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounds: Option<u64>,
    pub flap_high_pct: f64,
    pub flap_low_pct: f64,
    /// The profile's slowness thresholds, for the report's percentiles (journals from before
    /// they were recorded read as the defaults).
    #[serde(default)]
    pub slowness: Slowness,
    /// What shapes every round (the flags of `probe` too): `--resume` restores all of it.
    #[serde(flatten)]
    pub round: RoundSettings,
    /// The certificate presented and the proxy sources, as the soak found them at its start.
    #[serde(default, skip_serializing_if = "is_default")]
    pub started: StartFacts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lab: Option<LabSettings>,
}

fn is_default(s: &StartFacts) -> bool {
    *s == StartFacts::default()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabSettings {
    /// A built-in scenario name or a scenario file's absolute path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// A built-in fault schedule's name, or the file it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults: Option<String>,
    /// A fault file's text, so a resume runs the same schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults_toml: Option<String>,
    #[serde(default)]
    pub latency_ms: u64,
    /// The lab's NTP port, so a resumed soak's lab serves the same addresses (target names
    /// include the port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ntp_port: Option<u16>,
}

/// One finished round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoundRecord {
    /// 1, 2, 3... over the whole journal, resumes included.
    pub seq: u64,
    /// When the round started, Unix milliseconds (the segment's start plus monotonic time).
    pub ts: i64,
    pub at: String,
    pub dur_ms: f64,
    /// It ran past the start of the next slot.
    #[serde(default, skip_serializing_if = "is_false")]
    pub overrun: bool,
    /// Slots skipped because of the overrun.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub skipped: u64,
    pub status: Status,
    pub targets: Vec<TargetRecord>,
}

/// One target's result in a round: a "probe record".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetRecord {
    pub id: String,
    pub kind: String,
    pub up: bool,
    pub status: Status,
    /// Finding codes the round gave this target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<String>,
    /// For an address: the names that led to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
    /// Latencies in ms per phase (`dns`: each answered query; `ntp`: each exchange's delay).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lat: BTreeMap<String, Vec<f64>>,
    /// NTP: the minimum-delay sample's offset, server minus local, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_ms: Option<f64>,
    /// DNS: the answer set per family (`ipv4`, `ipv6`), sorted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sets: BTreeMap<String, Vec<String>>,
    /// `proxy:settings`: whether "Automatically detect settings" (WPAD) was on in the deciding
    /// settings. Absent elsewhere, and in journals written before it was recorded: unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_detect: Option<bool>,
    /// `proxy:settings`: the source whose settings decided (`wininet`, `environment`...);
    /// absent when none did (everything DIRECT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_source: Option<String>,
    /// TLS: the certificate the server presented, `SERIAL (NOT_AFTER)`, so the report sees it
    /// change (a renewal, or servers behind one name that differ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert: Option<String>,
    /// A proxy way (`proxy:NAME`): `direct` or `proxy HOST:PORT`, so the report sees it change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub way: Option<String>,
}

/// Something the soak noticed as it happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    pub ts: i64,
    pub at: String,
    /// The round that caused it.
    pub seq: u64,
    pub target: String,
    #[serde(flatten)]
    pub event: Event,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    FlapStart {
        score_pct: f64,
    },
    FlapEnd {
        score_pct: f64,
        peak_pct: f64,
    },
    SetChanged {
        family: String,
        added: Vec<String>,
        removed: Vec<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoteRecord {
    pub ts: i64,
    pub at: String,
    pub text: String,
}

/// A resumed soak starts a new segment here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResumeRecord {
    pub ts: i64,
    pub at: String,
    pub tool_version: String,
    /// What was left of the duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_ms: Option<u64>,
    /// The round settings the resumed soak runs with (the header's; only where the PFX password
    /// comes from may differ). Absent in journals written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<RoundSettings>,
    /// The certificate and proxy sources as the resumed soak found them.
    #[serde(default, skip_serializing_if = "is_default")]
    pub started: StartFacts,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The duration (or the number of rounds) was reached.
    Completed,
    /// Stopped with Ctrl-C.
    Interrupted,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndRecord {
    pub ts: i64,
    pub at: String,
    pub reason: EndReason,
    /// Rounds recorded in this segment.
    pub rounds: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    Header(Box<Header>),
    Round(RoundRecord),
    Event(EventRecord),
    Note(NoteRecord),
    Resume(Box<ResumeRecord>),
    End(EndRecord),
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

//! An acceptance run's judgement as plain data: the criteria (the profile's `[acceptance]` with the
//! flags over it), what the journal holds beyond the soak report (the last round, the NTP servers'
//! spread, the client certificate), and each criterion's verdict with the value measured beside
//! its limit. Built by `judge::acceptance`, read by the renderers. No I/O.

use super::{ChosenCertificate, Code, Mode, SoakReport, Stamp, Status};
use serde::Serialize;

/// Bumped whenever a field of `accept --json` is removed or changes meaning.
pub const ACCEPT_SCHEMA_VERSION: u32 = 1;

/// The limits an acceptance run is judged by.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Criteria {
    pub min_availability_pct: f64,
    pub max_flaps: u32,
    pub max_ntp_offset_ms: f64,
    /// The servers' offsets may differ by at most this much in one round.
    pub max_ntp_spread_ms: f64,
    pub max_handshake_p95_ms: f64,
    pub min_cert_days: u32,
    /// Issuer names that count (matched inside the issuer DN), from `[tls] issuer_names`.
    pub issuer_names: Vec<String>,
}

/// One target as the last round found it.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LastTarget {
    pub id: String,
    pub kind: String,
    pub up: bool,
    pub status: Status,
    pub codes: Vec<String>,
}

/// What a journal holds that the soak report does not summarise.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Evidence {
    /// The profile's round-robin NTP name: its members are the NTP targets reached through it.
    pub round_robin: String,
    /// The targets of the last round.
    pub last_round: Vec<LastTarget>,
    /// The largest difference between two NTP servers' offsets within one round, ms.
    pub ntp_spread_ms: Option<f64>,
    /// The client certificate presented, as the soak found it at its start.
    pub certificate: Option<ChosenCertificate>,
}

/// Where a criterion belongs: one JUnit testsuite each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Line,
    Tls,
    Ntp,
    Soak,
}

impl Area {
    pub fn as_label(self) -> &'static str {
        match self {
            Area::Line => "line",
            Area::Tls => "tls",
            Area::Ntp => "ntp",
            Area::Soak => "soak",
        }
    }
}

/// The criteria, one each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CriterionId {
    Environment,
    NgnDns,
    LineAuth,
    Ipv4Fallback,
    ProxyWays,
    CertDays,
    CertIssuer,
    TlsHandshake,
    NtpMembers,
    NtpOffset,
    Flapping,
    Availability,
    LastRound,
}

impl CriterionId {
    pub fn as_label(self) -> &'static str {
        match self {
            CriterionId::Environment => "environment",
            CriterionId::LineAuth => "line_auth",
            CriterionId::NgnDns => "ngn_dns",
            CriterionId::Ipv4Fallback => "ipv4_fallback",
            CriterionId::ProxyWays => "proxy_ways",
            CriterionId::CertDays => "cert_days",
            CriterionId::CertIssuer => "cert_issuer",
            CriterionId::TlsHandshake => "tls_handshake",
            CriterionId::NtpMembers => "ntp_members",
            CriterionId::NtpOffset => "ntp_offset",
            CriterionId::Flapping => "flapping",
            CriterionId::Availability => "availability",
            CriterionId::LastRound => "last_round",
        }
    }
}

/// A criterion's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    /// The data it needs is not in the journal (the check never ran): a failure.
    NotMeasured,
    /// Every target it reads was explained by a criterion that failed before it: not judged.
    Blocked,
}

/// The unit of a measured value and its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Pct,
    Ms,
    Days,
    /// Rounds, periods, targets.
    Count,
}

/// What was measured.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measured {
    Number(f64),
    Text(String),
}

/// The limit a measured value is held to.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    AtLeast(f64),
    AtMost(f64),
    /// The text measured must contain one of these.
    OneOf(Vec<String>),
}

/// One target's value for a criterion (the JUnit properties, the JSON's detail).
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Sample {
    pub subject: String,
    pub value: f64,
}

/// One criterion judged.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CriterionResult {
    pub id: CriterionId,
    pub area: Area,
    pub verdict: Verdict,
    pub unit: Unit,
    /// The worst value seen (`None`: not measured).
    pub measured: Option<Measured>,
    pub limit: Limit,
    /// Where the worst value was seen.
    pub subject: Option<String>,
    /// With `blocked`: the criterion that explained every target this one reads.
    pub blocked_by: Option<CriterionId>,
    /// The finding code the criterion fails with (`None` when it holds).
    pub code: Option<Code>,
    /// The targets that broke it.
    pub offenders: Vec<String>,
    /// Every target's value, worst first.
    pub samples: Vec<Sample>,
}

/// An acceptance run judged.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct AcceptanceReport {
    pub mode: Mode,
    pub criteria: Criteria,
    pub first_round: Option<Stamp>,
    pub last_round: Option<Stamp>,
    pub rounds: u64,
    pub results: Vec<CriterionResult>,
    /// Pass only when every criterion holds.
    pub passed: bool,
    /// The soak report the criteria were judged from.
    #[serde(skip)]
    pub soak: Option<Box<SoakReport>>,
}

impl AcceptanceReport {
    pub fn failed(&self) -> impl Iterator<Item = &CriterionResult> {
        self.results.iter().filter(|r| r.verdict != Verdict::Pass)
    }
}

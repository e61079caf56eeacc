//! Everything one round measured, before any verdict: the engine fills it, the judge reads it, the
//! soak keeps what it needs. Plain data, no I/O.

use super::{DnsNameResult, NtpServerResult, PathMeasurements, ProxyRound, TlsRound};
use std::time::{Duration, SystemTime};

/// Everything a round measured.
#[derive(Clone, Debug)]
pub struct Measurements {
    pub started_at: SystemTime,
    pub duration: Duration,
    pub dns: Vec<DnsNameResult>,
    pub ntp: Vec<NtpServerResult>,
    /// Probes that did not finish within their deadline: (subject, deadline).
    pub cut_off: Vec<(String, Duration)>,
    pub resolvers: Vec<String>,
    /// Set when the resolver could not be built at all.
    pub resolver_error: Option<String>,
    /// The client identity and every TLS endpoint (empty when the profile has none).
    pub tls: TlsRound,
    /// The OQS adapter and the path through it (empty unless the plan's `net.adapter` is set).
    pub path: PathMeasurements,
    /// The proxy section (`None` when the plan has no proxy plan).
    pub proxy: Option<ProxyRound>,
    /// The line's own checks and the environment's names (empty when the plan has none).
    pub line: super::LineRound,
}

//! Raw measurements as probes produce them: DNS answers per query, NTP samples per server.
//! Pure data with small derived views; judging them is the `judge` module's work.

use serde::Serialize;
use std::net::{IpAddr, SocketAddr};

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Ipv4,
    Ipv6,
}

impl Family {
    pub fn of(ip: &IpAddr) -> Family {
        if ip.is_ipv4() {
            Family::Ipv4
        } else {
            Family::Ipv6
        }
    }
    /// The DNS record type that carries this family.
    pub fn record(self) -> &'static str {
        match self {
            Family::Ipv4 => "A",
            Family::Ipv6 => "AAAA",
        }
    }
    pub fn as_label(self) -> &'static str {
        match self {
            Family::Ipv4 => "ipv4",
            Family::Ipv6 => "ipv6",
        }
    }
}

/// Why a name did not resolve, kept apart because each has a different fix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DnsFailure {
    NxDomain,
    ServFail,
    Refused,
    /// NOERROR but no record of this type.
    NoData,
    Timeout,
    /// The server answered over UDP at once, truncated (the answer is too large for UDP), and the
    /// retry over TCP port 53 failed: `tcp` is `refused` or `timeout`.
    TcpBlocked {
        server: String,
        tcp: String,
    },
    /// The resolver could not be used at all (no nameserver, socket error...).
    Other {
        detail: String,
    },
}

impl DnsFailure {
    pub fn as_label(&self) -> &'static str {
        match self {
            DnsFailure::NxDomain => "nxdomain",
            DnsFailure::ServFail => "servfail",
            DnsFailure::Refused => "refused",
            DnsFailure::NoData => "nodata",
            DnsFailure::Timeout => "timeout",
            DnsFailure::TcpBlocked { .. } => "tcp_blocked",
            DnsFailure::Other { .. } => "other",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DnsAnswer {
    #[serde(serialize_with = "ser_ip")]
    pub ip: IpAddr,
    pub ttl: u32,
}

/// One query's outcome: the answers in wire order, or why there were none.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DnsQuery {
    pub answers: Vec<DnsAnswer>,
    pub failure: Option<DnsFailure>,
    pub elapsed_ms: f64,
}

/// Repeated queries of one record type for one name.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct FamilyLookup {
    pub family: Family,
    pub queries: Vec<DnsQuery>,
}

impl FamilyLookup {
    /// Every address seen in any answer, in first-seen order.
    pub fn set(&self) -> Vec<IpAddr> {
        let mut out: Vec<IpAddr> = Vec::new();
        for a in self.queries.iter().flat_map(|q| &q.answers) {
            if !out.contains(&a.ip) {
                out.push(a.ip);
            }
        }
        out
    }

    /// Queries that came back with at least one address.
    pub fn answered(&self) -> impl Iterator<Item = &DnsQuery> {
        self.queries.iter().filter(|q| !q.answers.is_empty())
    }

    /// The first address of each answered query: what a device without round-robin support uses.
    pub fn first_picks(&self) -> Vec<IpAddr> {
        self.answered().map(|q| q.answers[0].ip).collect()
    }

    /// `Some(true)` when the order changed between answers, `None` when it cannot be told
    /// (fewer than two answers, or a single member).
    pub fn rotates(&self) -> Option<bool> {
        let orders: Vec<Vec<IpAddr>> = self
            .answered()
            .map(|q| q.answers.iter().map(|a| a.ip).collect())
            .collect();
        if orders.len() < 2 || self.set().len() < 2 {
            return None;
        }
        Some(orders.windows(2).any(|w| w[0] != w[1]))
    }

    pub fn ttl_range(&self) -> Option<(u32, u32)> {
        let ttls = self.queries.iter().flat_map(|q| &q.answers).map(|a| a.ttl);
        ttls.fold(None, |acc, t| match acc {
            None => Some((t, t)),
            Some((lo, hi)) => Some((lo.min(t), hi.max(t))),
        })
    }

    /// The failure when no query answered: the most frequent kind (timeouts lose ties, since a
    /// real answer code says more).
    pub fn failure(&self) -> Option<DnsFailure> {
        if self.answered().next().is_some() {
            return None;
        }
        let fails: Vec<&DnsFailure> = self
            .queries
            .iter()
            .filter_map(|q| q.failure.as_ref())
            .collect();
        let count = |f: &DnsFailure| fails.iter().filter(|g| **g == f).count();
        fails
            .iter()
            .max_by_key(|f| (count(f), **f != &DnsFailure::Timeout))
            .map(|f| (*f).clone())
            .or(Some(DnsFailure::NoData))
    }

    /// Answers that failed while others succeeded (an unstable resolver).
    pub fn failed_queries(&self) -> usize {
        self.queries.iter().filter(|q| q.answers.is_empty()).count()
    }

    pub fn median_ms(&self) -> Option<f64> {
        let mut v: Vec<f64> = self.queries.iter().map(|q| q.elapsed_ms).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        Some(v[v.len() / 2])
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NameRole {
    RoundRobin,
    Fallback,
}

/// A name's A and AAAA lookups.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DnsNameResult {
    pub name: String,
    pub role: NameRole,
    pub lookups: Vec<FamilyLookup>,
}

impl DnsNameResult {
    pub fn lookup(&self, family: Family) -> Option<&FamilyLookup> {
        self.lookups.iter().find(|l| l.family == family)
    }
}

/// A decoded, validated NTP reply with the clock figures computed from it.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NtpReading {
    pub offset_ms: f64,
    pub delay_ms: f64,
    /// Half the round-trip delay: the offset cannot be known better than that.
    pub error_bound_ms: f64,
    pub stratum: u8,
    pub leap: u8,
    pub ref_id: String,
    pub root_delay_ms: f64,
    pub root_dispersion_ms: f64,
    pub precision: i8,
}

/// Why one NTP exchange gave no usable time.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NtpSampleError {
    /// No reply before the deadline.
    Timeout,
    /// ICMP port unreachable: nothing listens on the NTP port.
    Refused,
    /// The local socket could not send or receive.
    Network {
        detail: String,
    },
    /// Shorter than 48 bytes.
    Truncated {
        len: usize,
    },
    WrongMode {
        mode: u8,
    },
    BadVersion,
    /// The origin timestamp does not echo our transmit timestamp (stale or forged reply).
    OriginMismatch,
    /// Transmit (or receive) timestamp is zero.
    ZeroTimestamp,
    /// Leap indicator 3 or stratum 16: the server itself is not synchronised.
    Unsynchronised {
        leap: u8,
        stratum: u8,
    },
    /// Kiss-o'-death with its code (RATE, DENY, RSTR...).
    KissOfDeath {
        code: String,
    },
    /// Root distance too large, reference time after transmit, or similar nonsense.
    Implausible {
        detail: String,
    },
    /// Reply from another address than the one asked.
    WrongSource,
}

impl NtpSampleError {
    pub fn as_label(&self) -> &'static str {
        match self {
            NtpSampleError::Timeout => "timeout",
            NtpSampleError::Refused => "refused",
            NtpSampleError::Network { .. } => "network",
            NtpSampleError::Truncated { .. } => "truncated",
            NtpSampleError::WrongMode { .. } => "wrong_mode",
            NtpSampleError::BadVersion => "bad_version",
            NtpSampleError::OriginMismatch => "origin_mismatch",
            NtpSampleError::ZeroTimestamp => "zero_timestamp",
            NtpSampleError::Unsynchronised { .. } => "unsynchronised",
            NtpSampleError::KissOfDeath { .. } => "kiss_of_death",
            NtpSampleError::Implausible { .. } => "implausible",
            NtpSampleError::WrongSource => "wrong_source",
        }
    }
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct NtpSample {
    /// Milliseconds from the server's first request to this one's sending.
    pub sent_at_ms: f64,
    #[serde(flatten)]
    pub outcome: NtpSampleOutcome,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NtpSampleOutcome {
    Reading(NtpReading),
    Error(NtpSampleError),
}

/// All samples against one server address, and the one kept.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct NtpServerResult {
    #[serde(serialize_with = "ser_sock")]
    pub addr: SocketAddr,
    /// The names whose answers contained this address.
    pub names: Vec<String>,
    pub samples: Vec<NtpSample>,
}

impl NtpServerResult {
    /// The minimum-delay valid sample, as chrony and ntpdate keep.
    pub fn best(&self) -> Option<&NtpReading> {
        self.readings()
            .min_by(|a, b| a.delay_ms.total_cmp(&b.delay_ms))
    }

    pub fn readings(&self) -> impl Iterator<Item = &NtpReading> {
        self.samples.iter().filter_map(|s| match &s.outcome {
            NtpSampleOutcome::Reading(r) => Some(r),
            NtpSampleOutcome::Error(_) => None,
        })
    }

    pub fn errors(&self) -> impl Iterator<Item = &NtpSampleError> {
        self.samples.iter().filter_map(|s| match &s.outcome {
            NtpSampleOutcome::Error(e) => Some(e),
            NtpSampleOutcome::Reading(_) => None,
        })
    }
}

fn ser_ip<S: serde::Serializer>(ip: &IpAddr, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(ip)
}

fn ser_sock<S: serde::Serializer>(a: &SocketAddr, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(ips: &[&str]) -> DnsQuery {
        DnsQuery {
            answers: ips
                .iter()
                .map(|s| DnsAnswer {
                    ip: s.parse().unwrap(),
                    ttl: 60,
                })
                .collect(),
            failure: None,
            elapsed_ms: 1.0,
        }
    }

    fn fail(f: DnsFailure) -> DnsQuery {
        DnsQuery {
            answers: vec![],
            failure: Some(f),
            elapsed_ms: 1.0,
        }
    }

    #[test]
    fn rotation_and_set() {
        let l = FamilyLookup {
            family: Family::Ipv4,
            queries: vec![q(&["10.0.0.1", "10.0.0.2"]), q(&["10.0.0.2", "10.0.0.1"])],
        };
        assert_eq!(l.rotates(), Some(true));
        assert_eq!(l.set().len(), 2);
        assert_eq!(l.first_picks().len(), 2);
        let fixed = FamilyLookup {
            family: Family::Ipv4,
            queries: vec![q(&["10.0.0.1", "10.0.0.2"]); 3],
        };
        assert_eq!(fixed.rotates(), Some(false));
        let single = FamilyLookup {
            family: Family::Ipv4,
            queries: vec![q(&["10.0.0.1"]); 3],
        };
        assert_eq!(single.rotates(), None);
    }

    #[test]
    fn failure_prefers_answer_codes_over_timeouts() {
        let l = FamilyLookup {
            family: Family::Ipv4,
            queries: vec![fail(DnsFailure::Timeout), fail(DnsFailure::NxDomain)],
        };
        assert_eq!(l.failure(), Some(DnsFailure::NxDomain));
        let l = FamilyLookup {
            family: Family::Ipv4,
            queries: vec![
                fail(DnsFailure::Timeout),
                fail(DnsFailure::Timeout),
                fail(DnsFailure::ServFail),
            ],
        };
        assert_eq!(l.failure(), Some(DnsFailure::Timeout));
    }
}

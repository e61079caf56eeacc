//! Slowness verdicts: a measurement that succeeded but took at least the profile's `[slowness]`
//! threshold (a DNS name's median answer, an NTP server's kept delay, a TCP connect, a TLS
//! handshake) warns in a round; over a soak, a phase whose 95th percentile reaches it warns.
//! Failures are other verdicts' business: a timeout is never also "slow". Pure; reads `model`.

use super::ms;
use crate::model::{Code, FamilyLookup, Finding, Slowness, Status};

/// A name's answers of one family, when their median is slow.
pub(super) fn dns(t: &Slowness, name: &str, l: &FamilyLookup) -> Option<Finding> {
    let mut v: Vec<f64> = l.answered().map(|q| q.elapsed_ms).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let median = v[v.len() / 2];
    let max = v[v.len() - 1];
    (median >= t.dns_answer_ms).then(|| {
        Finding::new(Code::DnsSlow, Status::Warn, name)
            .with("record", l.family.record())
            .with("median_ms", ms(median))
            .with("max_ms", ms(max))
            .with("slow", v.iter().filter(|x| **x >= t.dns_answer_ms).count())
            .with("answered", v.len())
            .with("threshold_ms", ms(t.dns_answer_ms))
    })
}

/// An NTP server's kept (minimum-delay) sample, when even that one was slow.
pub(super) fn ntp(t: &Slowness, subject: &str, delay_ms: f64) -> Option<Finding> {
    (delay_ms >= t.ntp_delay_ms).then(|| {
        Finding::new(Code::NtpSlowDelay, Status::Warn, subject)
            .with("delay_ms", ms(delay_ms))
            .with("error_ms", ms(delay_ms / 2.0))
            .with("threshold_ms", ms(t.ntp_delay_ms))
    })
}

/// A TCP connect that completed, slowly.
pub(super) fn tcp(t: &Slowness, subject: &str, addr: &str, connect_ms: f64) -> Option<Finding> {
    (connect_ms >= t.tcp_connect_ms).then(|| {
        Finding::new(Code::TcpSlow, Status::Warn, subject)
            .with("addr", addr)
            .with("connect_ms", ms(connect_ms))
            .with("threshold_ms", ms(t.tcp_connect_ms))
    })
}

/// A TLS handshake that completed, slowly.
pub(super) fn tls(t: &Slowness, subject: &str, addr: &str, handshake_ms: f64) -> Option<Finding> {
    (handshake_ms >= t.tls_handshake_ms).then(|| {
        Finding::new(Code::TlsSlow, Status::Warn, subject)
            .with("addr", addr)
            .with("handshake_ms", ms(handshake_ms))
            .with("threshold_ms", ms(t.tls_handshake_ms))
    })
}

/// One phase of a target's latencies over a soak, as the report's percentiles give them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PhasePercentiles<'a> {
    pub phase: &'a str,
    pub samples: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    /// Samples at or above the threshold.
    pub slow: u64,
}

/// A soak target's phase whose 95th percentile reached its threshold: more than one answer in
/// twenty was slow, which a user feels.
pub(crate) fn soak_phase(t: &Slowness, subject: &str, p: PhasePercentiles) -> Option<Finding> {
    let threshold = t.for_phase(p.phase)?;
    let (en, ja) = phase_words(p.phase);
    (p.samples > 0 && p.p95_ms >= threshold).then(|| {
        Finding::new(Code::SoakSlow, Status::Warn, subject)
            .with("phase", en)
            .with("phase_ja", ja)
            .with("p50_ms", ms(p.p50_ms))
            .with("p95_ms", ms(p.p95_ms))
            .with("threshold_ms", ms(threshold))
            .with("slow", p.slow)
            .with("samples", p.samples)
    })
}

fn phase_words(phase: &str) -> (&'static str, &'static str) {
    match phase {
        "dns" => ("DNS answers", "DNSの応答"),
        "ntp" => ("NTP round trips", "NTPの往復遅延"),
        "handshake" => ("TLS handshakes", "TLSハンドシェイク"),
        _ => ("TCP connects", "TCP接続"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DnsAnswer, DnsQuery, Family};

    fn lookup(elapsed: &[f64]) -> FamilyLookup {
        FamilyLookup {
            family: Family::Ipv6,
            queries: elapsed
                .iter()
                .map(|e| DnsQuery {
                    answers: vec![DnsAnswer {
                        ip: "2001:db8::1".parse().unwrap(),
                        ttl: 60,
                    }],
                    failure: None,
                    elapsed_ms: *e,
                })
                .collect(),
        }
    }

    #[test]
    fn a_slow_median_warns_one_slow_cache_miss_does_not() {
        let t = Slowness::default();
        // 1.5 s answers against a 2 s timeout: slow.
        let f = dns(&t, "ntp.example", &lookup(&[1500.0, 1510.0, 1490.0])).unwrap();
        assert_eq!(f.code, Code::DnsSlow);
        assert_eq!(f.severity, Status::Warn);
        assert_eq!(f.value("median_ms"), Some("1500.0"));
        assert_eq!(f.value("max_ms"), Some("1510.0"));
        assert_eq!(f.value("slow"), Some("3"));
        assert_eq!(f.value("threshold_ms"), Some("500.0"));
        // The first query missed the cache; the other seven came from it.
        let mut v = vec![900.0];
        v.extend([2.0; 7]);
        assert_eq!(dns(&t, "ntp.example", &lookup(&v)), None);
        // Just under the threshold, and exactly at it.
        assert_eq!(dns(&t, "n", &lookup(&[499.9; 3])), None);
        assert!(dns(&t, "n", &lookup(&[500.0; 3])).is_some());
        // Nothing answered: the failure's verdict, not slowness.
        assert_eq!(dns(&t, "n", &lookup(&[])), None);
    }

    #[test]
    fn ntp_tcp_and_tls_thresholds() {
        let t = Slowness::default();
        assert_eq!(ntp(&t, "s", 99.0), None);
        let f = ntp(&t, "s", 150.0).unwrap();
        assert_eq!(
            (f.value("delay_ms"), f.value("error_ms")),
            (Some("150.0"), Some("75.0"))
        );
        assert_eq!(tcp(&t, "e", "[::1]:443", 299.0), None);
        assert_eq!(
            tcp(&t, "e", "[::1]:443", 300.0).unwrap().code,
            Code::TcpSlow
        );
        assert_eq!(tls(&t, "e", "[::1]:443", 999.0), None);
        assert_eq!(
            tls(&t, "e", "[::1]:443", 1200.0).unwrap().code,
            Code::TlsSlow
        );
    }

    #[test]
    fn a_soak_phase_warns_on_its_95th_percentile() {
        let t = Slowness::default();
        let p = |phase, p50_ms, p95_ms| PhasePercentiles {
            phase,
            samples: 100,
            p50_ms,
            p95_ms,
            slow: 7,
        };
        // Most answers fast, the slowest 5 % slow: felt by users, named.
        let f = soak_phase(&t, "ntp.example", p("dns", 3.0, 800.0)).unwrap();
        assert_eq!(f.code, Code::SoakSlow);
        assert_eq!(f.value("p95_ms"), Some("800.0"));
        assert_eq!(f.value("phase"), Some("DNS answers"));
        assert_eq!(soak_phase(&t, "x", p("dns", 3.0, 499.0)), None);
        assert!(soak_phase(&t, "x", p("ntp", 20.0, 100.0)).is_some());
        assert!(soak_phase(&t, "x", p("handshake", 20.0, 1000.0)).is_some());
        assert!(soak_phase(&t, "x", p("tcp_connect", 20.0, 300.0)).is_some());
        // Phases without a threshold (the request, the resolve of a TLS endpoint) never warn.
        assert_eq!(soak_phase(&t, "x", p("request", 9e3, 9e3)), None);
    }
}

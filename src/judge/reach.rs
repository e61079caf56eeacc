//! Reachability verdicts: each TLS endpoint over TCP through the OQS adapter (a host without AAAA
//! is unreachable from an IPv6-only adapter, said as such and not as a timeout; connect failures by
//! kind; AAAA synthesised by DNS64), and NAT64/DNS64 itself.

use super::adapter::uses_v6;
use super::worst;
use crate::model::{
    Check, CheckData, CheckKind, Code, DnsFailure, Family, Finding, Mode, Nat64Prefix, Nat64Result,
    PathMeasurements, Profile, Status, TcpOutcome, TcpTargetResult,
};
use std::net::IpAddr;

pub(super) fn checks(p: &Profile, path: &PathMeasurements) -> Vec<Check> {
    if path.adapter.is_none() {
        return Vec::new();
    }
    let prefixes: &[Nat64Prefix] = path.nat64.as_ref().map_or(&[], |n| &n.prefixes);
    let mut out: Vec<Check> = path.tcp.iter().map(|t| tcp_check(p, t, prefixes)).collect();
    if let Some(n) = &path.nat64 {
        out.push(nat64_check(n));
    }
    out
}

fn list(ips: &[IpAddr]) -> String {
    ips.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the profile wants this endpoint reached over IPv6 only.
fn v6_only(p: &Profile, families: &[Family]) -> bool {
    uses_v6(families) && (p.adapter.ipv6_only || p.mode == Mode::Ipvpn)
}

pub fn tcp_check(p: &Profile, t: &TcpTargetResult, nat64: &[Nat64Prefix]) -> Check {
    let subject = t.subject();
    let mut findings = Vec::new();
    let v4 = t.addresses(Family::Ipv4);
    let v6 = t.addresses(Family::Ipv6);
    let failure_of = |f: Family| {
        let q = if f == Family::Ipv4 { &t.a } else { &t.aaaa };
        q.as_ref().and_then(|q| q.failure.clone())
    };
    let no_aaaa = match &t.aaaa {
        Some(q) => q.failure == Some(DnsFailure::NoData),
        None => true, // an IPv4 literal
    };
    if v6_only(p, &t.families) && v6.is_empty() && no_aaaa && !v4.is_empty() {
        let a = match t.a {
            Some(_) => format!("A {}", list(&v4)),
            None => format!("IPv4 address {}", list(&v4)),
        };
        findings.push(Finding::new(Code::ReachNoAaaa, Status::Fail, &subject).with("a", a));
    } else if t.attempts.is_empty() {
        // No address of a family the round uses: why, in the order a person would look.
        let reason = t
            .families
            .iter()
            .filter_map(|f| failure_of(*f))
            .find(|f| *f != DnsFailure::NoData)
            .or_else(|| t.families.iter().find_map(|f| failure_of(*f)))
            .map(|f| match f {
                DnsFailure::Other { detail } => detail,
                other => other.as_label().to_string(),
            })
            .unwrap_or_else(|| "no address of the round's families".to_string());
        findings.push(
            Finding::new(Code::ReachUnresolved, Status::Fail, &subject).with("reason", reason),
        );
    }
    let total = t.attempts.len();
    let connected = t
        .attempts
        .iter()
        .filter(|a| a.outcome == TcpOutcome::Connected)
        .count();
    let sev = if connected == 0 {
        Status::Fail
    } else {
        Status::Warn
    };
    for (label, code) in [
        ("refused", Code::ReachRefused),
        ("timeout", Code::ReachTimeout),
        ("unreachable", Code::ReachUnreachable),
        ("local", Code::ReachLocalError),
    ] {
        let failed: Vec<_> = t
            .attempts
            .iter()
            .filter(|a| a.outcome.as_label() == label)
            .collect();
        let Some(first) = failed.first() else {
            continue;
        };
        let addrs: Vec<IpAddr> = failed.iter().map(|a| a.addr.ip()).collect();
        let mut f = Finding::new(code, sev, &subject)
            .with("addresses", list(&addrs))
            .with("failed", failed.len())
            .with("total", total)
            .with("port", t.port)
            .with("timeout_ms", crate::engine::TCP_CONNECT_TIMEOUT.as_millis());
        if let TcpOutcome::Unreachable { detail } | TcpOutcome::Local { detail } = &first.outcome {
            f = f.with("detail", detail);
        }
        if code == Code::ReachUnreachable {
            f = f.with("mode", p.mode.as_label());
        }
        findings.push(f);
    }
    // The fastest connect: one slow address among quick ones is the others' fallback at work.
    if let Some(fastest) = t
        .attempts
        .iter()
        .filter(|a| a.outcome == TcpOutcome::Connected)
        .min_by(|a, b| a.elapsed_ms.total_cmp(&b.elapsed_ms))
    {
        findings.extend(super::slow::tcp(
            &p.slowness,
            &subject,
            &fastest.addr.to_string(),
            fastest.elapsed_ms,
        ));
    }
    let synthesised: Vec<(IpAddr, Nat64Prefix)> = v6
        .iter()
        .filter_map(|ip| match ip {
            IpAddr::V6(v6) => nat64.iter().find(|p| p.contains(v6)).map(|p| (*ip, *p)),
            IpAddr::V4(_) => None,
        })
        .collect();
    if !v6.is_empty() && synthesised.len() == v6.len() {
        findings.push(
            Finding::new(Code::ReachViaNat64, Status::Warn, &subject)
                .with("addresses", list(&v6))
                .with("prefix", synthesised[0].1),
        );
    }
    Check {
        id: format!("tcp:{}", t.name),
        kind: CheckKind::Tcp,
        target: subject,
        status: worst(&findings),
        findings,
        data: CheckData::Tcp(t.clone()),
    }
}

pub fn nat64_check(n: &Nat64Result) -> Check {
    let mut findings = Vec::new();
    if !n.prefixes.is_empty() {
        let prefixes: Vec<String> = n.prefixes.iter().map(ToString::to_string).collect();
        let answers: Vec<IpAddr> = n.query.answers.iter().map(|a| a.ip).collect();
        findings.push(
            Finding::new(Code::Nat64Detected, Status::Warn, "ipv4only.arpa")
                .with("prefix", prefixes.join(", "))
                .with("addresses", list(&answers)),
        );
    }
    Check {
        id: "nat64".into(),
        kind: CheckKind::Nat64,
        target: "ipv4only.arpa".into(),
        status: worst(&findings),
        findings,
        data: CheckData::Nat64(n.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DnsAnswer, DnsQuery, Environment, TcpAttempt};

    fn ipvpn() -> Profile {
        crate::profile::shipped_for(Mode::Ipvpn, Environment::Production)
    }

    fn answers(ips: &[&str]) -> DnsQuery {
        DnsQuery {
            answers: ips
                .iter()
                .map(|s| DnsAnswer {
                    ip: s.parse().unwrap(),
                    ttl: 60,
                })
                .collect(),
            failure: if ips.is_empty() {
                Some(DnsFailure::NoData)
            } else {
                None
            },
            elapsed_ms: 1.0,
        }
    }

    fn target(a: &[&str], aaaa: &[&str], attempts: Vec<TcpAttempt>) -> TcpTargetResult {
        TcpTargetResult {
            name: "oqs-web".into(),
            host: "hweb.oqs.onshikaku.org".into(),
            port: 443,
            a: Some(answers(a)),
            aaaa: Some(answers(aaaa)),
            families: vec![Family::Ipv6],
            attempts,
        }
    }

    fn attempt(addr: &str, outcome: TcpOutcome) -> TcpAttempt {
        TcpAttempt {
            addr: addr.parse().unwrap(),
            outcome,
            elapsed_ms: 1.0,
        }
    }

    /// The codes, after checking that each finding supplies every value its texts use.
    fn codes(c: &Check) -> Vec<Code> {
        for x in &c.findings {
            for key in crate::findings::placeholders(x.code) {
                assert!(x.value(&key).is_some(), "{:?} lacks {key}", x.code);
            }
        }
        c.findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn only_an_a_record_is_unreachable_not_a_timeout() {
        let c = tcp_check(&ipvpn(), &target(&["203.0.113.5"], &[], vec![]), &[]);
        assert_eq!(codes(&c), [Code::ReachNoAaaa]);
        assert_eq!(c.findings[0].value("a"), Some("A 203.0.113.5"));
        assert_eq!(c.status, Status::Fail);
    }

    #[test]
    fn nothing_at_all_is_unresolved_with_the_reason() {
        let mut t = target(&[], &[], vec![]);
        t.aaaa.as_mut().unwrap().failure = Some(DnsFailure::NxDomain);
        let c = tcp_check(&ipvpn(), &t, &[]);
        assert_eq!(codes(&c), [Code::ReachUnresolved]);
        assert_eq!(c.findings[0].value("reason"), Some("nxdomain"));
    }

    #[test]
    fn connect_failures_by_kind_fail_when_none_connects_warn_otherwise() {
        let c = tcp_check(
            &ipvpn(),
            &target(
                &[],
                &["2001:db8::1", "2001:db8::2"],
                vec![
                    attempt("[2001:db8::1]:443", TcpOutcome::Timeout),
                    attempt(
                        "[2001:db8::2]:443",
                        TcpOutcome::Unreachable {
                            detail: "Network is unreachable".into(),
                        },
                    ),
                ],
            ),
            &[],
        );
        assert_eq!(codes(&c), [Code::ReachTimeout, Code::ReachUnreachable]);
        assert!(c.findings.iter().all(|f| f.severity == Status::Fail));
        assert_eq!(
            c.findings[1].value("detail"),
            Some("Network is unreachable")
        );
        let c = tcp_check(
            &ipvpn(),
            &target(
                &[],
                &["2001:db8::1", "2001:db8::2"],
                vec![
                    attempt("[2001:db8::1]:443", TcpOutcome::Connected),
                    attempt("[2001:db8::2]:443", TcpOutcome::Refused),
                ],
            ),
            &[],
        );
        assert_eq!(codes(&c), [Code::ReachRefused]);
        assert_eq!(c.status, Status::Warn);
        assert_eq!(
            (c.findings[0].value("failed"), c.findings[0].value("total")),
            (Some("1"), Some("2"))
        );
    }

    #[test]
    fn synthesised_aaaa_is_reached_through_nat64() {
        let t = target(
            &["203.0.113.5"],
            &["64:ff9b::cb00:7105"],
            vec![attempt("[64:ff9b::cb00:7105]:443", TcpOutcome::Connected)],
        );
        let c = tcp_check(&ipvpn(), &t, &[Nat64Prefix::WELL_KNOWN]);
        assert_eq!(codes(&c), [Code::ReachViaNat64]);
        assert_eq!(c.findings[0].value("prefix"), Some("64:ff9b::/96"));
        assert!(tcp_check(&ipvpn(), &t, &[]).findings.is_empty());
    }

    #[test]
    fn nat64_is_reported_with_its_prefix() {
        let n = crate::probe::ipv6::nat64_from(answers(&["2001:db8:64::c000:aa"]));
        let c = nat64_check(&n);
        assert_eq!(codes(&c), [Code::Nat64Detected]);
        assert_eq!(c.findings[0].value("prefix"), Some("2001:db8:64::/96"));
        let none = crate::probe::ipv6::nat64_from(answers(&[]));
        assert_eq!(nat64_check(&none).status, Status::Pass);
    }
}

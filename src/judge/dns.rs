//! DNS verdicts: resolution failures kept apart, round-robin shape (members, rotation), fallbacks
//! against the set, and what a device without round-robin support would live through.

use super::worst;
use crate::model::{
    Check, CheckData, CheckKind, Code, DnsFailure, DnsNameResult, Family, FamilyLookup,
    FamilySummary, Finding, Mode, NameRole, NtpServerResult, Profile, Status,
};
use std::net::IpAddr;

/// Addresses that were probed for NTP and gave no time at all.
fn without_ntp(ntp: &[NtpServerResult]) -> Vec<IpAddr> {
    ntp.iter()
        .filter(|r| r.readings().next().is_none())
        .map(|r| r.addr.ip())
        .collect()
}

/// The families whose fallback names (ntp1/ntp2, ntp1v4/ntp2v4) were probed for NTP in this round
/// and gave no time from any of their addresses: advice must not send devices there.
fn failing_fallbacks(dns: &[DnsNameResult], ntp: &[NtpServerResult]) -> Vec<Family> {
    [Family::Ipv4, Family::Ipv6]
        .into_iter()
        .filter(|&family| {
            let probed: Vec<&NtpServerResult> = dns
                .iter()
                .filter(|d| d.role == NameRole::Fallback)
                .filter_map(|d| d.lookup(family))
                .flat_map(|l| l.set())
                .filter_map(|ip| ntp.iter().find(|r| r.addr.ip() == ip))
                .collect();
            !probed.is_empty() && probed.iter().all(|r| r.readings().next().is_none())
        })
        .collect()
}

/// How rarely a server that does rotate may be called one that does not, per family and round.
const SAME_ORDER_BY_CHANCE: f64 = 1e-4;

/// Whether `answers` answers in one order, from a set of `members`, say that the server does not
/// rotate. A server may start each answer at a member picked at random rather than the next one
/// (unbound takes the offset from the query's id): then every answer comes in the first one's
/// order once in `members^(answers − 1)`. Two members and the default 8 queries give that
/// once in 128 rounds, dozens of false warnings a day in a soak, so the order is judged only when
/// chance is below [`SAME_ORDER_BY_CHANCE`] (four members and 8 queries: once in 16,384).
fn one_order_is_telling(members: usize, answers: usize) -> bool {
    let Some(repeats) = answers.checked_sub(1).and_then(|r| i32::try_from(r).ok()) else {
        return false;
    };
    (members as f64).powi(repeats) * SAME_ORDER_BY_CHANCE >= 1.0
}

pub(super) fn checks(p: &Profile, dns: &[DnsNameResult], ntp: &[NtpServerResult]) -> Vec<Check> {
    let dead = without_ntp(ntp);
    let rr = dns.iter().find(|d| d.role == NameRole::RoundRobin);
    dns.iter().map(|d| name_check(p, d, rr, &dead)).collect()
}

/// Marks every finding whose usual advice is a fallback NTP name (`fallbacks` = `failing`) where
/// this round shows that family's fallbacks giving no time, so the catalogue gives other advice.
/// The family is the finding's record type (DNS findings) or its server's address (NTP ones).
pub(super) fn mark_failing_fallbacks(
    checks: &mut [Check],
    dns: &[DnsNameResult],
    ntp: &[NtpServerResult],
) {
    let failing = failing_fallbacks(dns, ntp);
    if failing.is_empty() {
        return;
    }
    for f in checks.iter_mut().flat_map(|c| c.findings.iter_mut()) {
        if crate::findings::fallbacks_failing_entry(f.code).is_none() {
            continue;
        }
        let family = match f.value("record") {
            Some("A") => Some(Family::Ipv4),
            Some(_) => Some(Family::Ipv6),
            None => f
                .subject
                .parse::<std::net::SocketAddr>()
                .ok()
                .map(|a| Family::of(&a.ip())),
        };
        if family.is_some_and(|fam| failing.contains(&fam)) {
            *f = f.clone().with("fallbacks", "failing");
        }
    }
}

fn name_check(
    p: &Profile,
    d: &DnsNameResult,
    rr: Option<&DnsNameResult>,
    dead: &[IpAddr],
) -> Check {
    let mut findings = Vec::new();
    let mut summary = Vec::new();
    for l in &d.lookups {
        let expected = p.dns.families.contains(&l.family);
        let rr_set = rr.and_then(|r| r.lookup(l.family)).map(FamilyLookup::set);
        let s = summarise(l, expected, d.role, rr_set.as_deref(), dead);
        if expected {
            judge_family(p, d, l, &s, &mut findings);
        }
        summary.push(s);
    }
    Check {
        id: format!("dns:{}", d.name),
        kind: CheckKind::Dns,
        target: d.name.clone(),
        status: worst(&findings),
        findings,
        data: CheckData::Dns {
            summary,
            result: d.clone(),
        },
    }
}

fn summarise(
    l: &FamilyLookup,
    expected: bool,
    role: NameRole,
    rr_set: Option<&[IpAddr]>,
    dead: &[IpAddr],
) -> FamilySummary {
    let set = l.set();
    // Only the round-robin name has a "first answer" worth following; a fallback is one address.
    let picks = if role == NameRole::RoundRobin {
        l.first_picks()
    } else {
        Vec::new()
    };
    let outside = match (role, rr_set) {
        (NameRole::Fallback, Some(rr)) if !rr.is_empty() => set
            .iter()
            .filter(|ip| !rr.contains(ip))
            .map(ToString::to_string)
            .collect(),
        _ => Vec::new(),
    };
    let (dead_members, dead_picks) = if expected {
        (
            set.iter()
                .filter(|ip| dead.contains(ip))
                .map(ToString::to_string)
                .collect(),
            picks.iter().filter(|ip| dead.contains(ip)).count(),
        )
    } else {
        (Vec::new(), 0)
    };
    FamilySummary {
        family: l.family,
        expected,
        members: set.iter().map(ToString::to_string).collect(),
        rotates: l.rotates(),
        ttl_min: l.ttl_range().map(|r| r.0),
        ttl_max: l.ttl_range().map(|r| r.1),
        failure: l.failure().map(|f| f.as_label().to_string()),
        failed_queries: if l.failure().is_some() {
            0
        } else {
            l.failed_queries()
        },
        members_without_ntp: dead_members,
        first_picks: picks.len(),
        first_picks_without_ntp: dead_picks,
        outside_round_robin: outside,
    }
}

fn judge_family(
    p: &Profile,
    d: &DnsNameResult,
    l: &FamilyLookup,
    s: &FamilySummary,
    out: &mut Vec<Finding>,
) {
    let record = l.family.record();
    let name = d.name.as_str();
    let base = |code, sev| Finding::new(code, sev, name).with("record", record);
    if let Some(failure) = l.failure() {
        let f =
            match (&failure, d.role) {
                (DnsFailure::NoData, _) => match (l.family, p.mode) {
                    (Family::Ipv6, Mode::Ipvpn) => base(Code::DnsNoAaaa, Status::Fail),
                    (Family::Ipv4, Mode::Ipsec) => base(Code::DnsNoA, Status::Fail),
                    _ => base(Code::DnsNoAddress, Status::Fail),
                },
                // The server answered: only DNS over TCP is blocked, whatever the name's role.
                (DnsFailure::TcpBlocked { server, tcp }, _) => {
                    let (tcp_en, tcp_ja) = match tcp.as_str() {
                        "timeout" => ("dropped (no answer)", "応答がありませんでした（破棄）"),
                        _ => ("refused", "拒否されました"),
                    };
                    base(Code::DnsTcpBlocked, Status::Fail)
                        .with("server", server)
                        .with("tcp", tcp_en)
                        .with("tcp_ja", tcp_ja)
                }
                (_, NameRole::Fallback) => base(Code::DnsFallbackUnresolvable, Status::Fail)
                    .with("reason", failure.as_label()),
                (DnsFailure::NxDomain, _) => base(Code::DnsNxDomain, Status::Fail),
                (DnsFailure::ServFail, _) => base(Code::DnsServFail, Status::Fail),
                (DnsFailure::Refused, _) => base(Code::DnsRefused, Status::Fail),
                (DnsFailure::Timeout, _) => base(Code::DnsTimeout, Status::Fail)
                    .with("timeout_ms", p.dns.timeout.as_millis()),
                (DnsFailure::Other { detail }, _) => {
                    base(Code::DnsResolverError, Status::Error).with("detail", detail)
                }
            };
        out.push(f);
        return;
    }
    out.extend(super::slow::dns(&p.slowness, name, l));
    if s.failed_queries > 0 {
        out.push(
            base(Code::DnsUnstable, Status::Warn)
                .with("failed", s.failed_queries)
                .with("total", l.queries.len()),
        );
    }
    if d.role == NameRole::RoundRobin {
        if p.dns.expect_round_robin && s.members.len() == 1 {
            out.push(base(Code::DnsSingleMember, Status::Warn));
        }
        if s.rotates == Some(false)
            && p.dns.expect_round_robin
            && one_order_is_telling(s.members.len(), l.answered().count())
        {
            let first = s.members.first().cloned().unwrap_or_default();
            out.push(
                base(Code::DnsNoRotation, Status::Warn)
                    .with("queries", l.answered().count())
                    .with("first", first),
            );
        }
        for m in &s.members_without_ntp {
            out.push(base(Code::DnsMemberNoNtp, Status::Fail).with("member", m));
        }
        if s.first_picks_without_ntp > 0 {
            let sev = if s.first_picks_without_ntp == s.first_picks {
                Status::Fail
            } else {
                Status::Warn
            };
            out.push(
                base(Code::DnsFirstPickDead, sev)
                    .with("dead", s.first_picks_without_ntp)
                    .with("picks", s.first_picks),
            );
        }
    } else if !s.outside_round_robin.is_empty() {
        let rr = p.dns.round_robin.host.clone();
        out.push(
            base(Code::DnsFallbackOutsideSet, Status::Warn)
                .with("addresses", s.outside_round_robin.join(", "))
                .with("round_robin", rr),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DnsAnswer, DnsQuery};

    /// The round-robin name answering `queries` times with the same `members` in the same order.
    fn same_order(members: usize, queries: usize) -> DnsNameResult {
        let answer = DnsQuery {
            answers: (1..=members)
                .map(|i| DnsAnswer {
                    ip: format!("10.0.0.{i}").parse().unwrap(),
                    ttl: 60,
                })
                .collect(),
            failure: None,
            elapsed_ms: 1.0,
        };
        DnsNameResult {
            name: "ntp.base.oqs-pdl.org".into(),
            role: NameRole::RoundRobin,
            lookups: vec![FamilyLookup {
                family: Family::Ipv4,
                queries: vec![answer; queries],
            }],
        }
    }

    fn codes(members: usize, queries: usize) -> Vec<&'static str> {
        let p = crate::profile::shipped("ipsec-production").unwrap();
        checks(&p, &[same_order(members, queries)], &[])
            .iter()
            .flat_map(|c| &c.findings)
            .map(|f| f.code.as_label())
            .collect()
    }

    #[test]
    fn one_order_is_no_rotation_only_where_chance_would_rarely_give_it() {
        // Four members, eight answers alike: a random rotator does that once in 16,384.
        assert!(
            codes(4, 8).contains(&"dns.no_rotation"),
            "{:?}",
            codes(4, 8)
        );
        // Two members: once in 128 rounds by chance (unbound), not a finding; fifteen answers
        // alike (once in 16,384) are.
        assert!(
            !codes(2, 8).contains(&"dns.no_rotation"),
            "{:?}",
            codes(2, 8)
        );
        assert!(
            codes(2, 15).contains(&"dns.no_rotation"),
            "{:?}",
            codes(2, 15)
        );
        // Three members need ten answers.
        assert!(!codes(3, 9).contains(&"dns.no_rotation"));
        assert!(codes(3, 10).contains(&"dns.no_rotation"));
    }

    #[test]
    fn too_few_answers_tell_nothing() {
        assert!(!one_order_is_telling(100, 0));
        assert!(!one_order_is_telling(100, 1));
        assert!(one_order_is_telling(100_000, 2));
        assert!(!one_order_is_telling(9_999, 2));
    }
}

//! Which finding explains which: the causal links between finding codes as one table, and the pure
//! functions that find a round's root causes (the findings no other finding explains) and group the
//! consequences under them. Reads `model` only; the judge attaches the result to the round.

use crate::model::{Check, Code, Finding, FindingRef, RootCause, Status};

/// How a cause's finding and a consequence's finding must relate for the link to hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// Whatever the subjects: the cause concerns the whole round (the resolver, the certificate,
    /// the adapter).
    Any,
    /// The same subject (the same name, endpoint or server).
    SameSubject,
    /// The cause's subject is a name, and the consequence is about that name (its subject or its
    /// `host` value).
    SameHost,
    /// The cause is about one NTP server (`ADDR:PORT`), the consequence names that address as its
    /// `member` (a round-robin member without NTP).
    MemberAddress,
    /// The cause is about one address family (its `family` value, `IPv4` or `IPv6`), the
    /// consequence about an address of that family (its `ADDR:PORT` subject or its `member`).
    SameFamily,
}

/// One causal link: a finding with `cause` explains a finding with `consequence` when `relation`
/// holds between them.
#[derive(Clone, Copy, Debug)]
pub struct Link {
    pub cause: Code,
    pub consequence: Code,
    pub relation: Relation,
}

const fn link(cause: Code, consequence: Code, relation: Relation) -> Link {
    Link {
        cause,
        consequence,
        relation,
    }
}

use Code::*;
use Relation::*;

/// Names that do not resolve, by how the resolver answered.
const DNS_FAILURES: &[Code] = &[
    DnsNxDomain,
    DnsServFail,
    DnsRefused,
    DnsTimeout,
    DnsTcpBlocked,
    DnsNoAddress,
];
/// An NTP server that gave no usable time.
const NTP_SERVER_FAULTS: &[Code] = &[
    NtpNoReply,
    NtpRefused,
    NtpUnsynchronised,
    NtpKodRate,
    NtpKodDeny,
    NtpKodRstr,
    NtpKodOther,
    NtpInvalidReply,
    NtpLocalError,
];
/// What a name that does not resolve leads to downstream.
const UNRESOLVED: &[Code] = &[TlsUnresolved, ReachUnresolved, ReachNoAaaa];
/// Every way the TLS servers can refuse or fail a client certificate.
const TLS_REJECTIONS: &[Code] = &[
    TlsClientCertRequired,
    TlsRejectedBadCertificate,
    TlsRejectedUnknownCa,
    TlsRejectedCertificateExpired,
    TlsRejectedCertificateRevoked,
    TlsRejectedCertificateRequired,
    TlsRejectedAccessDenied,
    TlsRejectedOther,
];
/// A client certificate that cannot be used or is not the right one.
const CERT_FAULTS: &[Code] = &[
    CertNotInstalled,
    CertExpired,
    CertForeignIssuer,
    CertCodeUnmatched,
    PfxWrongPassword,
    PfxNoPassword,
    PfxCorrupt,
    PfxNoPrivateKey,
    PfxUnreadable,
    PfxPasswordUnavailable,
];
/// A proxy that does not carry a CONNECT.
const PROXY_REFUSALS: &[Code] = &[
    ProxyAuthRequired,
    ProxyForbidden,
    ProxyUpstreamFailed,
    ProxyUnavailable,
    ProxyUnreachable,
    ProxySilent,
    ProxyNotHttp,
    ProxyOtherStatus,
];
/// What fails when nothing gets through: connections and everything carried over them.
const CONNECTION_FAILURES: &[Code] = &[
    TlsRefused,
    TlsReset,
    TlsConnectTimeout,
    TlsConnectError,
    TlsHandshakeTimeout,
    ReachRefused,
    ReachTimeout,
    ReachUnreachable,
    NtpNoReply,
    NtpNoServers,
];

/// The causal links, built from the groups above plus the single links. Acyclic (a test holds it
/// so): every finding is either a root cause or reachable from one.
pub fn links() -> Vec<Link> {
    let mut v = Vec::new();
    let mut all = |causes: &[Code], consequences: &[Code], relation: Relation| {
        for c in causes {
            for q in consequences {
                v.push(link(*c, *q, relation));
            }
        }
    };
    // A name that does not resolve: nothing connects to it, and an NTP name leaves no servers.
    all(DNS_FAILURES, UNRESOLVED, SameHost);
    all(DNS_FAILURES, &[NtpNoServers, DnsFallbackUnresolvable], Any);
    // A resolver that does not answer at all (the OQS DNS servers out of reach) is why the other
    // names it was asked in the same round do not resolve either.
    all(&[DnsTimeout], UNRESOLVED, Any);
    // A resolver that cannot be used explains every name's failure.
    all(&[DnsResolverError], DNS_FAILURES, Any);
    all(&[DnsResolverError], UNRESOLVED, Any);
    all(
        &[DnsResolverError],
        &[NtpNoServers, DnsFallbackUnresolvable],
        Any,
    );
    all(&[AdapterNoDns], DNS_FAILURES, Any);
    all(&[AdapterNoDns], UNRESOLVED, Any);
    all(&[AdapterNoDns], &[DnsResolverError], Any);
    // One member that gives no time: the round-robin name has a member without NTP, and a device
    // that takes the first answer lands on it.
    all(NTP_SERVER_FAULTS, &[DnsMemberNoNtp], MemberAddress);
    // NTP dropped for one family: each of its servers unanswered, its members without NTP.
    all(
        &[NtpFamilyBlocked],
        &[NtpNoReply, NtpRefused, DnsMemberNoNtp],
        SameFamily,
    );
    all(&[NtpFamilyBlocked], &[DnsFirstPickDead], Any);
    all(&[DnsMemberNoNtp], &[DnsFirstPickDead], SameSubject);
    // A round-robin name with one member: a fallback's addresses fall outside its set.
    all(&[DnsSingleMember], &[DnsFallbackOutsideSet], SameHost);
    // One server's clock off is why the members disagree.
    all(&[NtpServerOff], &[NtpMembersDisagree], Any);
    // A slow TCP connect (the path) is why the handshake over it is slow too.
    all(&[TcpSlow], &[TlsSlow], SameSubject);
    // A client certificate that cannot be used explains every TLS rejection.
    all(CERT_FAULTS, TLS_REJECTIONS, Any);
    // A proxy that refuses CONNECT explains every tunnelled failure.
    all(PROXY_REFUSALS, &[ProxyTunnelTlsFailed], SameSubject);
    all(PROXY_REFUSALS, CONNECTION_FAILURES, SameSubject);
    // Settings that send OQS hosts to the proxy are why their way is wrong.
    all(
        &[ProxyBypassMissing, ProxyAutoDetectOn],
        &[ProxyRouteWrong],
        Any,
    );
    all(&[ProxyAutoDetectOn], &[ProxyAutoDetectWaysDiffer], Any);
    all(&[ProxyAutoDetectWaysDiffer], &[ProxyRouteWrong], Any);
    // Over a soak: auto-detect on is why the distribution server's connection flaps (補17).
    all(&[ProxyAutoDetectOn], &[SoakFlapping], Any);
    // No OQS adapter, or one that is down: nothing goes out through it.
    all(&[AdapterNotFound, AdapterDown], CONNECTION_FAILURES, Any);
    all(&[AdapterNotFound, AdapterDown], UNRESOLVED, Any);
    all(
        &[AdapterNotFound, AdapterDown],
        &[RouteWrongAdapter, RouteNone, Ipv4Fallback],
        Any,
    );
    all(&[RouteNone], CONNECTION_FAILURES, Any);
    // The OQS names answer only as the other environment: the profile's names do not resolve,
    // nor do the NGN's servers know them, and a certificate of the other environment is the same
    // fault seen from TLS.
    all(&[EnvOtherEnvironment], UNRESOLVED, Any);
    all(
        &[EnvOtherEnvironment],
        &[LineNgnDnsNoAnswer, TlsWrongEnvironment],
        Any,
    );
    // DNS servers off the NGN's list are why OQS names fail to resolve through them.
    all(&[LineDnsNotNgn], DNS_FAILURES, Any);
    all(&[LineDnsNotNgn], UNRESOLVED, Any);
    all(
        &[LineDnsNotNgn],
        &[NtpNoServers, DnsFallbackUnresolvable, LineAuthUnreachable],
        Any,
    );
    // No IPv6 default route on the OQS adapter (found only when the targets depend on it): why
    // they have no route, or leave by another adapter's.
    all(
        &[AdapterNoIpv6DefaultRoute],
        &[RouteNone, RouteWrongAdapter],
        Any,
    );
    v
}

/// A finding's names: its subject, its `host` value and the round-robin name it is compared
/// with, trimmed and lower-cased.
fn hosts(f: &Finding) -> Vec<String> {
    let norm = |s: &str| s.trim().trim_end_matches('.').to_ascii_lowercase();
    let mut v = vec![norm(&f.subject)];
    for key in ["host", "round_robin"] {
        if let Some(h) = f.value(key) {
            v.push(norm(h));
        }
    }
    v
}

/// The address of an `ADDR:PORT` (or bare address) subject.
fn address(subject: &str) -> String {
    subject
        .parse::<std::net::SocketAddr>()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|_| subject.to_string())
}

fn holds(relation: Relation, cause: &Finding, consequence: &Finding) -> bool {
    match relation {
        Any => true,
        SameSubject => cause.subject == consequence.subject,
        SameHost => {
            let c = hosts(cause);
            hosts(consequence).iter().any(|h| c.contains(h))
        }
        MemberAddress => consequence.value("member") == Some(address(&cause.subject).as_str()),
        SameFamily => {
            let ip = address(&consequence.subject)
                .parse::<std::net::IpAddr>()
                .ok()
                .or_else(|| consequence.value("member")?.parse().ok());
            let label = |ip: std::net::IpAddr| if ip.is_ipv4() { "IPv4" } else { "IPv6" };
            ip.is_some_and(|ip| cause.value("family") == Some(label(ip)))
        }
    }
}

/// Who explains whom: for each finding, the indices of the findings it explains by one link. Built
/// through an index by code, so a round of many findings costs the links that hold, not every pair.
fn adjacency(findings: &[&Finding]) -> Vec<Vec<usize>> {
    let table = links();
    let mut by_code: std::collections::HashMap<Code, Vec<usize>> = Default::default();
    for (i, f) in findings.iter().enumerate() {
        by_code.entry(f.code).or_default().push(i);
    }
    findings
        .iter()
        .enumerate()
        .map(|(i, cause)| {
            let mut out: Vec<usize> = table
                .iter()
                .filter(|l| l.cause == cause.code)
                .flat_map(|l| {
                    by_code
                        .get(&l.consequence)
                        .into_iter()
                        .flatten()
                        .copied()
                        .filter(move |&j| j != i && holds(l.relation, cause, findings[j]))
                })
                .collect();
            out.sort_unstable();
            out.dedup();
            out
        })
        .collect()
}

/// Everything reachable from `sources` (themselves left out), in index order.
fn reachable(adj: &[Vec<usize>], sources: &[usize]) -> Vec<usize> {
    let mut seen = vec![false; adj.len()];
    let mut stack: Vec<usize> = sources.to_vec();
    for &s in sources {
        seen[s] = true;
    }
    while let Some(i) = stack.pop() {
        for &j in &adj[i] {
            if !seen[j] {
                seen[j] = true;
                stack.push(j);
            }
        }
    }
    (0..adj.len())
        .filter(|&j| seen[j] && !sources.contains(&j))
        .collect()
}

/// The findings no other explains, in the order given.
fn root_indices(adj: &[Vec<usize>]) -> Vec<usize> {
    let mut explained = vec![false; adj.len()];
    for j in adj.iter().flatten() {
        explained[*j] = true;
    }
    (0..adj.len()).filter(|&j| !explained[j]).collect()
}

/// For each finding no other explains, in the order given: its index and the indices of every
/// finding it explains, directly or through others. Every finding is a root or reachable from one
/// (the links are acyclic).
pub fn roots(findings: &[&Finding]) -> Vec<(usize, Vec<usize>)> {
    let adj = adjacency(findings);
    root_indices(&adj)
        .into_iter()
        .map(|r| (r, reachable(&adj, &[r])))
        .collect()
}

/// The round's root causes: the findings (warnings and worse) that no other finding explains,
/// grouped by code, each with every finding it explains directly or through others. Ordered worst
/// first, then by how much each explains.
pub fn root_causes(checks: &[Check]) -> Vec<RootCause> {
    let all: Vec<(FindingRef, &Finding)> = checks
        .iter()
        .flat_map(|c| {
            c.findings.iter().enumerate().map(move |(i, f)| {
                (
                    FindingRef {
                        check: c.id.clone(),
                        index: i,
                        code: f.code,
                        severity: f.severity,
                        subject: f.subject.clone(),
                    },
                    f,
                )
            })
        })
        .filter(|(_, f)| f.severity > Status::Pass)
        .collect();
    let fs: Vec<&Finding> = all.iter().map(|(_, f)| *f).collect();
    let adj = adjacency(&fs);
    // One root cause per code, in the order its first finding comes.
    let mut groups: Vec<(Code, Vec<usize>)> = Vec::new();
    for r in root_indices(&adj) {
        match groups.iter_mut().find(|(c, _)| *c == fs[r].code) {
            Some((_, members)) => members.push(r),
            None => groups.push((fs[r].code, vec![r])),
        }
    }
    let mut out: Vec<RootCause> = groups
        .into_iter()
        .map(|(code, members)| RootCause {
            code,
            section: super::entry(code).section,
            severity: members
                .iter()
                .map(|&m| fs[m].severity)
                .max()
                .unwrap_or(Status::Pass),
            explains: reachable(&adj, &members)
                .into_iter()
                .map(|j| all[j].0.clone())
                .collect(),
            findings: members.into_iter().map(|m| all[m].0.clone()).collect(),
        })
        .collect();
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.explains.len().cmp(&a.explains.len()))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CheckData, CheckKind};

    fn check(id: &str, findings: Vec<Finding>) -> Check {
        Check {
            id: id.into(),
            kind: CheckKind::Deadline,
            target: id.into(),
            status: findings
                .iter()
                .map(|f| f.severity)
                .max()
                .unwrap_or(Status::Pass),
            findings,
            data: CheckData::Deadline { deadline_ms: 1 },
        }
    }

    fn fail(code: Code, subject: &str) -> Finding {
        Finding::new(code, Status::Fail, subject)
    }

    /// Issue 16: a slow path explains a slow handshake over it, and only over it.
    #[test]
    fn a_slow_connect_explains_the_slow_handshake_of_the_same_endpoint() {
        let warn = |code, subject| Finding::new(code, Status::Warn, subject);
        let checks = vec![
            check("tls:web", vec![warn(TcpSlow, "web"), warn(TlsSlow, "web")]),
            check("tls:api", vec![warn(TlsSlow, "api")]),
        ];
        let rc = root_causes(&checks);
        let got: Vec<(Code, usize)> = rc.iter().map(|r| (r.code, r.explains.len())).collect();
        assert_eq!(got, [(TcpSlow, 1), (TlsSlow, 0)]);
    }

    #[test]
    fn the_links_have_no_cycle_so_every_finding_has_a_root() {
        let table = links();
        // Depth-first over codes: reaching a code already on the path is a cycle.
        fn visit(table: &[Link], code: Code, path: &mut Vec<Code>) {
            assert!(!path.contains(&code), "cycle: {path:?} -> {code:?}");
            path.push(code);
            for l in table.iter().filter(|l| l.cause == code) {
                visit(table, l.consequence, path);
            }
            path.pop();
        }
        for c in Code::ALL {
            visit(&table, *c, &mut Vec::new());
        }
    }

    #[test]
    fn an_unresolvable_name_explains_what_follows_for_that_name_only() {
        let checks = vec![
            check("dns:a.example", vec![fail(DnsNxDomain, "a.example")]),
            check(
                "tls:web",
                vec![fail(TlsUnresolved, "web").with("host", "A.example.")],
            ),
            check(
                "tls:api",
                vec![fail(TlsUnresolved, "api").with("host", "b.example")],
            ),
            check("tcp:a", vec![fail(ReachUnresolved, "a.example")]),
        ];
        let rc = root_causes(&checks);
        let got: Vec<(Code, usize)> = rc.iter().map(|r| (r.code, r.explains.len())).collect();
        assert_eq!(got, [(DnsNxDomain, 2), (TlsUnresolved, 0)]);
        assert_eq!(rc[0].section, crate::findings::entry(DnsNxDomain).section);
        assert_eq!(rc[1].findings[0].check, "tls:api");
    }

    #[test]
    fn a_resolver_out_of_reach_explains_every_name_that_does_not_resolve() {
        let checks = vec![
            check("dns:ntp", vec![fail(DnsTimeout, "ntp.example")]),
            check("dns:ntp1", vec![fail(DnsTimeout, "ntp1.example")]),
            check("ntp-consensus", vec![fail(NtpNoServers, "ntp.example")]),
            check(
                "tls:web",
                vec![fail(TlsUnresolved, "web").with("host", "web.example")],
            ),
            check("tcp:api", vec![fail(ReachUnresolved, "api.example")]),
        ];
        let rc = root_causes(&checks);
        assert_eq!(rc.len(), 1, "{rc:#?}");
        assert_eq!(rc[0].code, DnsTimeout);
        assert_eq!(rc[0].findings.len(), 2);
        assert_eq!(rc[0].explains.len(), 3);
    }

    #[test]
    fn a_dead_member_explains_the_name_and_the_first_pick_through_it() {
        let checks = vec![
            check(
                "dns:ntp",
                vec![
                    fail(DnsMemberNoNtp, "ntp").with("member", "10.0.0.2"),
                    Finding::new(DnsFirstPickDead, Status::Warn, "ntp"),
                ],
            ),
            check("ntp:10.0.0.2:123", vec![fail(NtpNoReply, "10.0.0.2:123")]),
            check("ntp:10.0.0.3:123", vec![fail(NtpKodDeny, "10.0.0.3:123")]),
        ];
        let rc = root_causes(&checks);
        assert_eq!(rc[0].code, NtpNoReply);
        let explained: Vec<Code> = rc[0].explains.iter().map(|e| e.code).collect();
        assert_eq!(explained, [DnsMemberNoNtp, DnsFirstPickDead]);
        // The other server's fault names no member of the answers: a root of its own.
        assert_eq!(rc[1].code, NtpKodDeny);
        assert!(rc[1].explains.is_empty());
    }

    #[test]
    fn one_code_on_many_endpoints_is_one_root_cause_and_a_missing_certificate_explains_them() {
        let rejected = |ep: &str| {
            check(
                &format!("tls:{ep}"),
                vec![fail(TlsRejectedBadCertificate, ep)],
            )
        };
        let alone = vec![rejected("web"), rejected("api")];
        let rc = root_causes(&alone);
        assert_eq!(rc.len(), 1);
        assert_eq!(rc[0].findings.len(), 2);
        let mut with_cert = alone.clone();
        with_cert.push(check(
            "tls:client-cert",
            vec![fail(CertNotInstalled, "store")],
        ));
        let rc = root_causes(&with_cert);
        assert_eq!(rc.len(), 1);
        assert_eq!((rc[0].code, rc[0].explains.len()), (CertNotInstalled, 2));
    }

    #[test]
    fn a_refusing_proxy_explains_its_own_targets_failures_only() {
        let checks = vec![
            check("proxy:web", vec![fail(ProxyForbidden, "web")]),
            check("tls:web", vec![fail(TlsConnectTimeout, "web")]),
            check("tls:api", vec![fail(TlsConnectTimeout, "api")]),
        ];
        let rc = root_causes(&checks);
        let got: Vec<(Code, usize)> = rc.iter().map(|r| (r.code, r.explains.len())).collect();
        assert_eq!(got, [(ProxyForbidden, 1), (TlsConnectTimeout, 0)]);
    }

    #[test]
    fn over_a_soak_auto_detect_is_why_the_distribution_server_flaps() {
        let flap = fail(SoakFlapping, "distribution");
        let wpad = fail(ProxyAutoDetectOn, "auto-detect");
        let drift = Finding::new(SoakClockDrift, Status::Warn, "local clock");
        assert_eq!(roots(&[&flap, &wpad, &drift]), [(1, vec![0]), (2, vec![])]);
    }

    #[test]
    fn a_round_of_many_findings_is_grouped_quickly() {
        // 400 names out of reach and an unresolved endpoint for each: 800 findings.
        let mut checks: Vec<Check> = (0..400)
            .map(|i| {
                check(
                    &format!("dns:{i}"),
                    vec![fail(DnsTimeout, &format!("n{i}"))],
                )
            })
            .collect();
        checks.extend((0..400).map(|i| {
            check(
                &format!("tls:{i}"),
                vec![fail(TlsUnresolved, &format!("e{i}")).with("host", format!("h{i}"))],
            )
        }));
        let start = std::time::Instant::now();
        let rc = root_causes(&checks);
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(rc.len(), 1);
        assert_eq!((rc[0].findings.len(), rc[0].explains.len()), (400, 400));
    }

    #[test]
    fn passing_findings_are_neither_causes_nor_consequences() {
        let checks = vec![check(
            "dns:a",
            vec![Finding::new(DnsNxDomain, Status::Pass, "a")],
        )];
        assert!(root_causes(&checks).is_empty());
    }
}

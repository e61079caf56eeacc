//! A judged round into the journal's per-target records: which targets were up, their latencies
//! per phase, NTP offsets, and the round-robin answer sets. Reads `model` only.
//!
//! # Up and down
//! A target is *up* when it did its job, whatever the warnings: a DNS name when every family the
//! profile uses resolved to at least one address; an NTP address when at least one exchange gave
//! a valid time; a TLS endpoint when it answered as TLS and accepted us (phases `resolve`,
//! `connect`, `handshake`, `request`); a TCP target when a connect succeeded (`tcp_connect`);
//! anything else (the adapter, routes, the proxy section...) when its check passed or warned. A
//! probe cut off by its deadline, or a resolver that could not be built, is *down*. The NTP
//! consensus is about agreement, not reachability, and is not a target.
//!
//! The proxy settings' target (`proxy:settings`) also records whether WPAD auto-detect was on in
//! the deciding settings and which source decided, for the report's 補17 verdict.

use super::journal::TargetRecord;
use crate::model::{Check, CheckData, DnsFailure, Round, Status};
use std::collections::BTreeMap;

/// Milliseconds rounded to the microsecond, which is all a journal needs.
fn us(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// The targets of one round, in the order of its checks.
pub fn targets(round: &Round) -> Vec<TargetRecord> {
    let mut out: Vec<TargetRecord> = Vec::with_capacity(round.checks.len());
    for c in &round.checks {
        let Some(t) = target(c) else { continue };
        match out.iter_mut().find(|o| o.id == t.id) {
            // A cut-off or resolver failure for a target that also has a result: down wins.
            Some(o) => {
                o.up &= t.up;
                o.status = o.status.max(t.status);
                for code in t.codes {
                    if !o.codes.contains(&code) {
                        o.codes.push(code);
                    }
                }
            }
            None => out.push(t),
        }
    }
    out
}

fn codes(c: &Check) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for f in &c.findings {
        let l = f.code.as_label();
        if !v.iter().any(|x| x == l) {
            v.push(l.to_string());
        }
    }
    v
}

fn base(id: String, kind: &str, up: bool, c: &Check) -> TargetRecord {
    TargetRecord {
        id,
        kind: kind.to_string(),
        up,
        status: c.status,
        codes: codes(c),
        via: Vec::new(),
        lat: BTreeMap::new(),
        offset_ms: None,
        sets: BTreeMap::new(),
        auto_detect: None,
        proxy_source: None,
        cert: None,
        way: None,
    }
}

fn target(c: &Check) -> Option<TargetRecord> {
    // `if let` rather than `match`: checks added later (TLS, proxy...) fall through to the
    // generic rule without touching this function.
    if let CheckData::Dns { summary, result } = &c.data {
        let expected: Vec<_> = summary.iter().filter(|s| s.expected).collect();
        let up = !expected.is_empty() && expected.iter().all(|s| s.failure.is_none());
        let mut t = base(c.id.clone(), "dns", up, c);
        let lat: Vec<f64> = result
            .lookups
            .iter()
            .filter(|l| expected.iter().any(|s| s.family == l.family))
            .flat_map(|l| &l.queries)
            .filter(|q| {
                !matches!(
                    q.failure,
                    Some(DnsFailure::Timeout | DnsFailure::Other { .. })
                )
            })
            .map(|q| us(q.elapsed_ms))
            .collect();
        if !lat.is_empty() {
            t.lat.insert("dns".into(), lat);
        }
        for s in expected.iter().filter(|s| !s.members.is_empty()) {
            let mut set = s.members.clone();
            set.sort();
            t.sets.insert(s.family.as_label().to_string(), set);
        }
        return Some(t);
    }
    if let CheckData::Ntp(r) = &c.data {
        let up = r.readings().next().is_some();
        let mut t = base(c.id.clone(), "ntp", up, c);
        let lat: Vec<f64> = r.readings().map(|x| us(x.delay_ms)).collect();
        if !lat.is_empty() {
            t.lat.insert("ntp".into(), lat);
        }
        t.offset_ms = r.best().map(|b| us(b.offset_ms));
        t.via = r.names.clone();
        return Some(t);
    }
    if let CheckData::Tls(r) = &c.data {
        // Up when the endpoint answered as TLS and accepted us (no failure named); a warning
        // such as a certificate near expiry does not make it down.
        let mut t = base(c.id.clone(), "tls", r.failure.is_none(), c);
        for (phase, v) in [
            ("resolve", r.resolve_ms),
            ("connect", r.connect_ms),
            ("handshake", r.handshake_ms),
            ("request", r.request_ms),
        ] {
            if let Some(ms) = v.filter(|v| v.is_finite()) {
                t.lat.insert(phase.into(), vec![us(ms)]);
            }
        }
        t.cert = r.server_cert.as_ref().map(cert_id);
        return Some(t);
    }
    if let CheckData::Tcp(r) = &c.data {
        let connected: Vec<f64> = r
            .attempts
            .iter()
            .filter(|a| a.outcome == crate::model::TcpOutcome::Connected)
            .map(|a| us(a.elapsed_ms))
            .collect();
        let mut t = base(c.id.clone(), "tcp", !connected.is_empty(), c);
        if !connected.is_empty() {
            t.lat.insert("tcp_connect".into(), connected);
        }
        return Some(t);
    }
    if let CheckData::NtpConsensus { .. } = &c.data {
        return None;
    }
    if let CheckData::Resolver { .. } = &c.data {
        return Some(base("dns:resolver".into(), "dns", false, c));
    }
    if let CheckData::Deadline { .. } = &c.data {
        let (id, kind) = match c.target.parse::<std::net::SocketAddr>() {
            Ok(_) => (format!("ntp:{}", c.target), "ntp"),
            Err(_) => (format!("dns:{}", c.target), "dns"),
        };
        return Some(base(id, kind, false, c));
    }
    let kind = serde_json::to_value(c.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "other".into());
    let mut t = base(
        c.id.clone(),
        &kind,
        matches!(c.status, Status::Pass | Status::Warn),
        c,
    );
    // The proxy settings stay a generic target; they also say whether WPAD auto-detect was on,
    // so the report can tie a flapping distribution server to it (補17).
    if let CheckData::ProxySettings {
        auto_detect,
        effective,
        ..
    } = &c.data
    {
        t.auto_detect = Some(*auto_detect);
        t.proxy_source = effective.map(|k| k.as_label().to_string());
    }
    // The client certificate presented: a replaced PFX shows as a change.
    if let CheckData::TlsClientCert(r) = &c.data {
        t.cert = r.selected_cert().map(cert_id);
    }
    // A target's way through the proxy settings: DIRECT, or which proxy.
    if let CheckData::ProxyRoute(r) = &c.data {
        t.way = Some(match (&r.way, &r.proxy) {
            (crate::model::Way::Proxy, Some(p)) => format!("proxy {p}"),
            (w, _) => w.as_label().to_string(),
        });
    }
    Some(t)
}

/// A certificate (a server's, or the client's own) as the journal keeps it: its serial and expiry.
fn cert_id(c: &crate::model::CertInfo) -> String {
    format!("{} ({})", c.serial, c.not_after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use std::time::Duration;

    fn profile() -> Profile {
        crate::profile::shipped_for(Mode::Ipsec, Environment::Production)
    }

    fn reading(offset_ms: f64, delay_ms: f64) -> NtpSample {
        NtpSample {
            sent_at_ms: 0.0,
            outcome: NtpSampleOutcome::Reading(NtpReading {
                offset_ms,
                delay_ms,
                error_bound_ms: delay_ms / 2.0,
                stratum: 2,
                leap: 0,
                ref_id: "127.0.0.1".into(),
                root_delay_ms: 0.0,
                root_dispersion_ms: 0.0,
                precision: -20,
            }),
        }
    }

    fn measurements() -> crate::model::Measurements {
        let q = |ips: &[&str]| DnsQuery {
            answers: ips
                .iter()
                .map(|s| DnsAnswer {
                    ip: s.parse().unwrap(),
                    ttl: 60,
                })
                .collect(),
            failure: None,
            elapsed_ms: 0.4,
        };
        let timeout = DnsQuery {
            answers: vec![],
            failure: Some(DnsFailure::Timeout),
            elapsed_ms: 2000.0,
        };
        crate::model::Measurements {
            tls: Default::default(),
            path: Default::default(),
            proxy: None,
            line: Default::default(),
            started_at: std::time::SystemTime::UNIX_EPOCH,
            duration: Duration::from_millis(5),
            dns: vec![DnsNameResult {
                name: "ntp.base.oqs-pdl.org".into(),
                role: NameRole::RoundRobin,
                lookups: vec![
                    FamilyLookup {
                        family: Family::Ipv4,
                        queries: vec![
                            q(&["10.0.0.2", "10.0.0.1"]),
                            q(&["10.0.0.1", "10.0.0.2"]),
                            timeout,
                        ],
                    },
                    FamilyLookup {
                        family: Family::Ipv6,
                        queries: vec![q(&["2001:db8::1"])],
                    },
                ],
            }],
            ntp: vec![
                NtpServerResult {
                    addr: "10.0.0.1:123".parse().unwrap(),
                    names: vec!["ntp.base.oqs-pdl.org".into()],
                    samples: vec![reading(2.0, 0.9), reading(1.5, 0.3)],
                },
                NtpServerResult {
                    addr: "10.0.0.2:123".parse().unwrap(),
                    names: vec!["ntp.base.oqs-pdl.org".into()],
                    samples: vec![NtpSample {
                        sent_at_ms: 0.0,
                        outcome: NtpSampleOutcome::Error(NtpSampleError::Timeout),
                    }],
                },
            ],
            cut_off: vec![("ntp1v4.base.oqs-pdl.org".into(), Duration::from_secs(3))],
            resolvers: vec![],
            resolver_error: None,
        }
    }

    #[test]
    fn a_round_becomes_one_record_per_target() {
        let round = crate::judge::judge(&profile(), &measurements());
        let t = targets(&round);
        let ids: Vec<&str> = t.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "dns:ntp.base.oqs-pdl.org",
                "ntp:10.0.0.1:123",
                "ntp:10.0.0.2:123",
                "dns:ntp1v4.base.oqs-pdl.org"
            ],
            "consensus left out, the cut-off name kept as down"
        );
        let dns = &t[0];
        assert!(dns.up);
        assert_eq!(
            dns.lat["dns"],
            [0.4, 0.4],
            "the timed-out query is not a latency"
        );
        assert_eq!(dns.sets["ipv4"], ["10.0.0.1", "10.0.0.2"], "sorted");
        assert!(!dns.sets.contains_key("ipv6"), "ipsec uses IPv4 only");
        let good = &t[1];
        assert!(good.up);
        assert_eq!(
            good.offset_ms,
            Some(1.5),
            "the minimum-delay sample's offset"
        );
        assert_eq!(good.lat["ntp"], [0.9, 0.3]);
        assert_eq!(good.via, ["ntp.base.oqs-pdl.org"]);
        let dead = &t[2];
        assert!(!dead.up);
        assert_eq!(dead.status, Status::Fail);
        assert_eq!(dead.codes, ["ntp.no_reply"]);
        assert!(dead.lat.is_empty() && dead.offset_ms.is_none());
        let cut = &t[3];
        assert!(!cut.up);
        assert_eq!(cut.codes, ["probe.deadline"]);
    }

    fn tls(failure: Option<TlsFailure>) -> Check {
        Check {
            id: "tls:distribution".into(),
            kind: CheckKind::Tls,
            target: "distribution".into(),
            status: if failure.is_some() {
                Status::Fail
            } else {
                Status::Warn
            },
            findings: vec![],
            data: CheckData::Tls(Box::new(TlsEndpointResult {
                name: "distribution".into(),
                host: "dist.example".into(),
                port: 443,
                addr: None,
                resolve_ms: Some(0.5),
                connect_ms: Some(1.25),
                handshake_ms: failure.is_none().then_some(4.5),
                request_ms: failure.is_none().then_some(2.0),
                protocol: None,
                cipher: None,
                server_cert: None,
                server_chain_len: 0,
                client_cert_requested: None,
                client_cert_sent: false,
                client_cert_expected: true,
                accepted_by: None,
                request: None,
                http_status: None,
                http_reason: None,
                failure,
                small_mss_retry: None,
            })),
        }
    }

    #[test]
    fn tls_and_tcp_targets_carry_their_phases() {
        let mut round = crate::judge::judge(&profile(), &measurements());
        round.checks = vec![tls(None), tls(Some(TlsFailure::ClientCertRequired))];
        round.checks[1].id = "tls:api".into();
        round.checks.push(Check {
            id: "tcp:oqs-web".into(),
            kind: CheckKind::Tcp,
            target: "oqs-web".into(),
            status: Status::Pass,
            findings: vec![],
            data: CheckData::Tcp(TcpTargetResult {
                name: "oqs-web".into(),
                host: "hweb.example".into(),
                port: 443,
                a: None,
                aaaa: None,
                families: vec![Family::Ipv6],
                attempts: vec![
                    TcpAttempt {
                        addr: "[2001:db8::1]:443".parse().unwrap(),
                        outcome: TcpOutcome::Timeout,
                        elapsed_ms: 1000.0,
                    },
                    TcpAttempt {
                        addr: "[2001:db8::2]:443".parse().unwrap(),
                        outcome: TcpOutcome::Connected,
                        elapsed_ms: 3.5,
                    },
                ],
            }),
        });
        let t = targets(&round);
        assert_eq!(t[0].kind, "tls");
        assert!(t[0].up, "a warning is still up");
        assert_eq!(t[0].lat["handshake"], [4.5]);
        assert_eq!(t[0].lat.len(), 4);
        assert!(!t[1].up, "a named TLS failure is down");
        assert!(!t[1].lat.contains_key("handshake"));
        assert!(t[2].up);
        assert_eq!(
            t[2].lat["tcp_connect"],
            [3.5],
            "only the connect that succeeded"
        );
    }

    #[test]
    fn proxy_settings_record_auto_detect_and_the_deciding_source() {
        let settings = |auto_detect, effective| Check {
            id: "proxy:settings".into(),
            kind: CheckKind::ProxySettings,
            target: "proxy settings".into(),
            status: Status::Pass,
            findings: vec![],
            data: CheckData::ProxySettings {
                sources: vec![],
                effective,
                auto_detect,
                bypass_missing: vec![],
                bypass_extra: vec![],
                dhcp_wpad: None,
                pac: None,
            },
        };
        let mut round = crate::judge::judge(&profile(), &measurements());
        round.checks = vec![settings(true, Some(ProxySourceKind::WinInet)), tls(None)];
        let t = targets(&round);
        assert_eq!(
            (t[0].id.as_str(), t[0].kind.as_str(), t[0].up),
            ("proxy:settings", "proxy_settings", true)
        );
        assert_eq!(t[0].auto_detect, Some(true));
        assert_eq!(t[0].proxy_source.as_deref(), Some("wininet"));
        assert_eq!(
            (t[1].auto_detect, t[1].proxy_source.as_deref()),
            (None, None),
            "only the proxy settings say it"
        );
        let json = serde_json::to_string(&t[0]).unwrap();
        assert!(
            json.ends_with(r#","auto_detect":true,"proxy_source":"wininet"}"#),
            "{json}"
        );
        assert!(
            !serde_json::to_string(&t[1])
                .unwrap()
                .contains("auto_detect")
        );
        // Known off is recorded (false), not left out; no source when nothing decides.
        round.checks = vec![settings(false, None)];
        let t = targets(&round);
        assert_eq!(
            (t[0].auto_detect, t[0].proxy_source.as_deref()),
            (Some(false), None)
        );
        let json = serde_json::to_string(&t[0]).unwrap();
        assert!(json.ends_with(r#","auto_detect":false}"#), "{json}");
    }

    #[test]
    fn a_resolver_failure_is_a_down_target() {
        let mut m = measurements();
        m.dns.clear();
        m.ntp.clear();
        m.cut_off.clear();
        m.resolver_error = Some("no nameserver".into());
        let t = targets(&crate::judge::judge(&profile(), &m));
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].id.as_str(), t[0].up), ("dns:resolver", false));
    }
}

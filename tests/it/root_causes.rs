//! Issue 15, root cause first: in every lab scenario the round's root causes are exactly the fault
//! the scenario injects, and every other finding is grouped under one of them.

use crate::proxy::lab_scenario_round;
use oqs_net::model::{Code, Round, Status};

/// (scenario, the codes of the round's root causes). Every built-in scenario has a row.
const TABLE: &[(&str, &[Code])] = {
    use Code::*;
    &[
        ("healthy", &[]),
        ("slow", &[NtpSlowDelay]),
        ("a-only", &[]),
        ("dns64", &[]),
        ("dns64-nsp", &[]),
        ("tls12-only", &[]),
        // DNS faults on the round-robin name.
        ("nxdomain", &[DnsNxDomain]),
        ("servfail", &[DnsServFail]),
        ("refused", &[DnsRefused]),
        ("timeout", &[DnsTimeout]),
        ("no-rotation", &[DnsNoRotation]),
        ("single-member", &[DnsSingleMember]),
        ("fallback-outside", &[DnsFallbackOutsideSet]),
        // One member's fault explains the member without NTP and the dead first pick.
        ("dead-member", &[NtpNoReply]),
        ("kod-rate", &[NtpKodRate]),
        ("kod-deny", &[NtpKodDeny]),
        ("kod-rstr", &[NtpKodRstr]),
        ("unsync-stratum16", &[NtpUnsynchronised]),
        ("unsync-leap3", &[NtpUnsynchronised]),
        ("truncated", &[NtpInvalidReply]),
        ("wrong-mode", &[NtpInvalidReply]),
        ("wrong-origin", &[NtpInvalidReply]),
        ("zero-transmit", &[NtpInvalidReply]),
        // A member off explains the disagreement.
        ("offset-warn", &[NtpServerOff]),
        ("offset-fail", &[NtpServerOff]),
        ("disagree", &[NtpServerOff]),
        // TLS servers' faults, one code on every endpoint.
        ("tls-reject-all", &[TlsRejectedBadCertificate]),
        ("tls-no-client-auth", &[TlsClientCertNotRequested]),
        ("tls-expired-server", &[TlsServerCertExpired]),
        // The terminal's own certificate near its end: a warning with nothing under it.
        ("cert-expiring", &[CertExpiring]),
        ("tls-wrong-name", &[TlsServerNameMismatch]),
        ("tls-other-env", &[TlsWrongEnvironment]),
        ("tls-stall", &[TlsHandshakeTimeout]),
        ("tls-reset", &[TlsReset]),
        // The proxy's refusals, and settings that send OQS hosts to it.
        ("proxy-forbidden", &[ProxyForbidden]),
        ("proxy-auth", &[ProxyAuthRequired]),
        ("proxy-bad-gateway", &[ProxyUpstreamFailed]),
        ("proxy-flap", &[ProxyUpstreamFailed]),
        ("proxy-unavailable", &[ProxyUnavailable]),
        ("proxy-stall", &[ProxySilent]),
        ("proxy-garbage", &[ProxyNotHttp]),
        ("proxy-reset", &[ProxyUnreachable]),
        ("proxy-down", &[ProxyUnreachable]),
        ("bypass-missing", &[ProxyBypassMissing]),
        ("env-proxy", &[ProxyBypassMissing, ProxyBypassExtra]),
        ("winhttp-direct", &[ProxyWinHttpDiffers]),
        ("pac-url", &[]),
        ("pac-url-https", &[]),
        ("wpad-on", &[]),
        ("wpad-dhcp", &[]),
        // Auto-detect on is why the ways differ and the OQS hosts go to the proxy (補17); the
        // flapping WPAD server answers the first round.
        ("wpad-flap", &[ProxyAutoDetectOn]),
        ("wpad-everything-proxy", &[ProxyAutoDetectOn]),
        ("wpad-hostile", &[ProxyPacUnusable]),
        ("wpad-not-found", &[ProxyPacUnusable]),
        // The line's own faults (issue 11): the page, the adapter's DNS servers, the environment.
        ("line-auth-required", &[LineAuthRequired]),
        ("line-auth-unexpected", &[LineAuthUnexpected]),
        ("line-auth-unreachable", &[LineAuthUnreachable]),
        ("line-dns-other", &[LineDnsNotNgn]),
        ("wrong-environment", &[EnvOtherEnvironment]),
    ]
};

fn root_codes(r: &Round) -> Vec<Code> {
    let mut v: Vec<Code> = r.root_causes.iter().map(|rc| rc.code).collect();
    v.sort();
    v
}

/// Every finding that is not passing is a root cause or explained by one: none is left out.
fn ungrouped(r: &Round) -> Vec<String> {
    r.checks
        .iter()
        .flat_map(|c| c.findings.iter().enumerate().map(move |(i, f)| (c, i, f)))
        .filter(|(_, _, f)| f.severity > Status::Pass)
        .filter(|(c, i, _)| {
            !r.root_causes.iter().any(|rc| {
                rc.findings
                    .iter()
                    .chain(&rc.explains)
                    .any(|at| at.check == c.id && at.index == *i)
            })
        })
        .map(|(c, _, f)| format!("{} {}", c.id, f.code.as_label()))
        .collect()
}

#[test]
fn every_built_in_scenario_has_a_row() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/lab/scenarios");
    let mut missing = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        let name = name.trim_end_matches(".toml");
        if !TABLE.iter().any(|(s, _)| *s == name) {
            missing.push(name.to_string());
        }
    }
    assert!(missing.is_empty(), "scenarios without a row: {missing:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_scenarios_root_cause_is_the_fault_it_injects() {
    let mut failures = Vec::new();
    for (scenario, want) in TABLE {
        let (r, _) = lab_scenario_round(scenario).await;
        let mut want = want.to_vec();
        want.sort();
        let got = root_codes(&r);
        let left = ungrouped(&r);
        if got != want || !left.is_empty() {
            let all: Vec<String> = r
                .findings()
                .map(|(c, f)| format!("{} {} {}", c.id, f.code.as_label(), f.subject))
                .collect();
            failures.push(format!(
                "{scenario}: want {want:?}, got {got:?}; not grouped {left:?}; findings {all:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_member_explains_the_name_without_ntp_and_the_dead_first_pick() {
    let (r, _) = lab_scenario_round("dead-member").await;
    assert_eq!(r.root_causes.len(), 1, "{:#?}", r.root_causes);
    let rc = &r.root_causes[0];
    assert_eq!(rc.code, Code::NtpNoReply);
    assert_eq!(
        rc.section,
        oqs_net::findings::entry(Code::NtpNoReply).section
    );
    let mut explained: Vec<Code> = rc.explains.iter().map(|e| e.code).collect();
    explained.sort();
    assert_eq!(explained, [Code::DnsMemberNoNtp, Code::DnsFirstPickDead]);
}

/// Issue 15's case: the OQS DNS servers out of reach. The round was a list of FAIL lines; its
/// root cause is the DNS timeout, and every name that does not resolve, the fallbacks and the
/// missing NTP servers are grouped under it. Only loopback: a resolver that never answers.
#[tokio::test(flavor = "multi_thread")]
async fn issue15_unreachable_dns_servers_are_the_one_root_cause_of_what_follows() {
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let p = crate::support::quick_profile(oqs_net::model::Mode::Ipsec);
    let (_, r) = crate::support::round_with(&p, vec![silent.local_addr().unwrap()]).await;
    assert_eq!(
        r.root_causes[0].code,
        Code::DnsTimeout,
        "{:#?}",
        r.root_causes
    );
    let followers = [
        Code::TlsUnresolved,
        Code::ReachUnresolved,
        Code::NtpNoServers,
        Code::DnsFallbackUnresolvable,
    ];
    assert!(
        !r.root_causes.iter().any(|rc| followers.contains(&rc.code)),
        "{:#?}",
        r.root_causes
    );
    let explained: Vec<Code> = r.root_causes[0].explains.iter().map(|e| e.code).collect();
    for code in [Code::TlsUnresolved, Code::NtpNoServers] {
        assert!(explained.contains(&code), "{code:?} in {explained:?}");
    }
    assert!(ungrouped(&r).is_empty(), "{:?}", ungrouped(&r));
    drop(silent);
}

/// Each rendering opens with the root causes: human (both languages) before the first section,
/// JSON as `root_causes` with the count each explains.
#[tokio::test(flavor = "multi_thread")]
async fn issue15_renderings_open_with_the_root_causes() {
    use oqs_net::findings::Lang;
    use oqs_net::output::{human, json};
    let (r, _) = lab_scenario_round("dead-member").await;
    for (lang, title, count) in [
        (
            Lang::En,
            "Root causes (fix these first)",
            "explains 2 failures",
        ),
        (
            Lang::Ja,
            "根本原因（まずここから直す）",
            "起因する失敗 2 件",
        ),
    ] {
        let text = human::render(&r, &human::Style { color: false, lang });
        let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(lines[1], title, "{text}");
        assert!(
            lines[2].contains("ntp.no_reply [補24]") && lines[2].ends_with(count),
            "{text}"
        );
        assert!(lines[3].contains("dns.member_no_ntp"), "{text}");
        // The consequences are still listed in their own section.
        assert_eq!(text.matches("▸ dns.member_no_ntp").count(), 1, "{text}");
    }
    let v: serde_json::Value = serde_json::from_str(&json::render(&r, Lang::En)).unwrap();
    let rc = &v["root_causes"][0];
    assert_eq!(rc["code"], "ntp.no_reply");
    assert_eq!(rc["section"], "補24");
    assert_eq!(rc["explains_count"], 2);
    assert_eq!(rc["explains"].as_array().unwrap().len(), 2);
    assert!(!rc["cause"].as_str().unwrap().is_empty());
}

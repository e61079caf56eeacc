//! Issue 15, root cause first: in every lab scenario the round's root causes are exactly the fault
//! the scenario injects, and every other finding is grouped under one of them.

use crate::proxy::lab_scenario_round;
use oqs_net::model::{Code, Round, Status};

/// (scenario, the codes of the round's root causes). Every built-in scenario has a row.
const TABLE: &[(&str, &[Code])] = {
    use Code::*;
    &[
        ("healthy", &[]),
        ("slow", &[]),
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
        // Auto-detect on is why the ways differ and the OQS hosts go to the proxy (補17); the
        // flapping WPAD server answers the first round.
        ("wpad-flap", &[ProxyAutoDetectOn]),
        ("wpad-everything-proxy", &[ProxyAutoDetectOn]),
        ("wpad-hostile", &[ProxyPacUnusable]),
        ("wpad-not-found", &[ProxyPacUnusable]),
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

//! Verdicts of the line's own checks: the line-authentication page (authenticated, not, another
//! page, or out of reach by step), the OQS adapter's DNS servers against the NGN's and each NGN
//! server's answers (補35), and the environment the OQS names answer as against the profile's
//! (補16, 補18; the certificates' environment is shown beside it, its finding stays TLS's). Pure;
//! reads `model` only.

use super::worst;
use crate::model::{
    AuthPage, Check, CheckData, CheckKind, Code, EnvironmentResult, Finding, LineAuthResult,
    LineRound, NgnDnsResult, Profile, Status, TlsEndpointResult, environment_of,
};

fn env_label(e: crate::model::Environment, ja: bool) -> &'static str {
    use crate::model::Environment::*;
    match (e, ja) {
        (Production, false) => "production",
        (Verification, false) => "verification",
        (Production, true) => "本番環境",
        (Verification, true) => "接続検証環境",
    }
}

/// The line's checks of a round (none when the round had no line section).
pub(super) fn checks(p: &Profile, line: &LineRound, tls: &[TlsEndpointResult]) -> Vec<Check> {
    let mut out = Vec::new();
    if let Some(a) = &line.auth {
        out.push(auth_check(p, a));
    }
    if let Some(n) = &line.ngn_dns {
        out.push(ngn_dns_check(n));
    }
    if let Some(e) = &line.environment {
        out.push(environment_check(p, e, tls));
    }
    out
}

fn auth_check(p: &Profile, r: &LineAuthResult) -> Check {
    let host = p
        .line
        .auth
        .as_ref()
        .map_or_else(|| r.url.clone(), |a| a.host.host.clone());
    let mut findings = Vec::new();
    match (&r.page, &r.failure) {
        (Some(page), _) => match page.verdict {
            AuthPage::Authenticated => {}
            AuthPage::NotAuthenticated => findings.push(
                Finding::new(Code::LineAuthRequired, Status::Fail, &host)
                    .with("url", &r.url)
                    .with("excerpt", &page.excerpt),
            ),
            AuthPage::Unexpected => findings.push(
                Finding::new(Code::LineAuthUnexpected, Status::Warn, &host)
                    .with("url", &r.url)
                    .with("status", page.status)
                    .with("excerpt", &page.excerpt),
            ),
        },
        (None, Some((stage, detail))) => findings.push(
            Finding::new(Code::LineAuthUnreachable, Status::Fail, &host)
                .with("host", &host)
                .with("url", &r.url)
                .with("stage", stage.as_label())
                .with("detail", detail),
        ),
        (None, None) => {}
    }
    Check {
        id: "line:auth".into(),
        kind: CheckKind::LineAuth,
        target: host,
        status: worst(&findings),
        findings,
        data: CheckData::LineAuth(Box::new(r.clone())),
    }
}

fn ngn_dns_check(r: &NgnDnsResult) -> Check {
    let list = |v: &[std::net::SocketAddr]| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut findings = Vec::new();
    let off: Vec<std::net::SocketAddr> = r
        .terminal_servers
        .iter()
        .filter(|s| !r.ngn_servers.contains(s))
        .copied()
        .collect();
    if !off.is_empty() {
        findings.push(
            Finding::new(Code::LineDnsNotNgn, Status::Warn, "OQS adapter")
                .with("servers", list(&off))
                .with("ngn", list(&r.ngn_servers)),
        );
    }
    for server in &r.ngn_servers {
        let missing: Vec<_> = r
            .answers
            .iter()
            .filter(|a| a.server == *server && a.failure.is_some())
            .collect();
        if let Some(first) = missing.first() {
            let names: Vec<&str> = missing.iter().map(|a| a.name.as_str()).collect();
            findings.push(
                Finding::new(Code::LineNgnDnsNoAnswer, Status::Fail, server.to_string())
                    .with("names", names.join(", "))
                    .with("detail", first.failure.as_deref().unwrap_or_default()),
            );
        }
    }
    Check {
        id: "line:ngn-dns".into(),
        kind: CheckKind::NgnDns,
        target: "NGN DNS".into(),
        status: worst(&findings),
        findings,
        data: CheckData::NgnDns(Box::new(r.clone())),
    }
}

fn environment_check(p: &Profile, e: &EnvironmentResult, tls: &[TlsEndpointResult]) -> Check {
    let expected = p.environment;
    let other = expected.other();
    let of = |env| e.names.iter().filter(move |n| n.environment == env);
    let mut findings = Vec::new();
    let own_resolving = of(expected).filter(|n| n.resolves).count();
    let other_resolving: Vec<&str> = of(other)
        .filter(|n| n.resolves)
        .map(|n| n.host.as_str())
        .collect();
    if own_resolving == 0 && of(expected).count() > 0 && !other_resolving.is_empty() {
        let missing: Vec<&str> = of(expected).map(|n| n.host.as_str()).collect();
        findings.push(
            Finding::new(
                Code::EnvOtherEnvironment,
                Status::Fail,
                env_label(expected, false),
            )
            .with("expected", env_label(expected, false))
            .with("actual", env_label(other, false))
            .with("expected_ja", env_label(expected, true))
            .with("actual_ja", env_label(other, true))
            .with("resolving", other_resolving.join(", "))
            .with("missing", missing.join(", ")),
        );
    }
    // The environment each endpoint's certificate names, where all its names agree.
    let certificates = tls
        .iter()
        .filter_map(|r| {
            let c = r.server_cert.as_ref()?;
            let envs: Vec<_> = c.names.iter().filter_map(|n| environment_of(n)).collect();
            let first = *envs.first()?;
            envs.iter()
                .all(|x| *x == first)
                .then(|| (r.host.clone(), first))
        })
        .collect();
    Check {
        id: "environment".into(),
        kind: CheckKind::Environment,
        target: env_label(expected, false).into(),
        status: worst(&findings),
        findings,
        data: CheckData::Environment {
            expected,
            names: e.names.clone(),
            certificates,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EnvName, Environment, Mode, NgnAnswer, PageReading, ReachStage};

    fn profile() -> Profile {
        crate::profile::shipped_for(Mode::Ipvpn, Environment::Production)
    }

    fn auth(page: Option<AuthPage>, failure: Option<(ReachStage, &str)>) -> LineAuthResult {
        LineAuthResult {
            url: "https://www.lineauth.mnw:443/".into(),
            page: page.map(|verdict| PageReading {
                verdict,
                status: 200,
                charset: "UTF-8".into(),
                charset_from: crate::model::CharsetOrigin::Meta,
                undecodable: false,
                bytes: 300,
                excerpt: "回線認証".into(),
            }),
            failure: failure.map(|(s, d)| (s, d.to_string())),
            verified: true,
            elapsed_ms: 12.0,
        }
    }

    fn codes(c: &Check) -> Vec<(Code, Status)> {
        c.findings.iter().map(|f| (f.code, f.severity)).collect()
    }

    #[test]
    fn the_page_decides_the_line_authentication_verdict() {
        let p = profile();
        let c = auth_check(&p, &auth(Some(AuthPage::Authenticated), None));
        assert_eq!((c.status, codes(&c)), (Status::Pass, vec![]));
        assert_eq!(c.target, "www.lineauth.mnw");
        let c = auth_check(&p, &auth(Some(AuthPage::NotAuthenticated), None));
        assert_eq!(codes(&c), [(Code::LineAuthRequired, Status::Fail)]);
        let c = auth_check(&p, &auth(Some(AuthPage::Unexpected), None));
        assert_eq!(codes(&c), [(Code::LineAuthUnexpected, Status::Warn)]);
        let c = auth_check(&p, &auth(None, Some((ReachStage::Dns, "AAAA NXDOMAIN"))));
        assert_eq!(codes(&c), [(Code::LineAuthUnreachable, Status::Fail)]);
        assert_eq!(c.findings[0].value("stage"), Some("dns"));
    }

    #[test]
    fn dns_servers_off_the_ngn_list_and_silent_ngn_servers_are_named() {
        let ngn: std::net::SocketAddr = "[2404:1a8:f583:d00::53:1]:53".parse().unwrap();
        let home: std::net::SocketAddr = "192.168.1.1:53".parse().unwrap();
        let answer = |name: &str, failure: Option<&str>| NgnAnswer {
            server: ngn,
            name: name.into(),
            addresses: if failure.is_none() {
                vec!["2001:db8::1".parse().unwrap()]
            } else {
                vec![]
            },
            failure: failure.map(str::to_string),
            elapsed_ms: 3.0,
        };
        let r = NgnDnsResult {
            terminal_servers: vec![ngn],
            ngn_servers: vec![ngn],
            answers: vec![answer("assv.asc.flets-east.jp", None)],
        };
        assert_eq!(codes(&ngn_dns_check(&r)), []);
        let r = NgnDnsResult {
            terminal_servers: vec![home, ngn],
            answers: vec![
                answer("assv.asc.flets-east.jp", None),
                answer("assv.asc.flets-west.jp", Some("AAAA TIMEOUT")),
            ],
            ..r
        };
        let c = ngn_dns_check(&r);
        assert_eq!(
            codes(&c),
            [
                (Code::LineDnsNotNgn, Status::Warn),
                (Code::LineNgnDnsNoAnswer, Status::Fail)
            ]
        );
        assert_eq!(c.findings[0].value("servers"), Some("192.168.1.1:53"));
        assert_eq!(c.findings[1].value("names"), Some("assv.asc.flets-west.jp"));
    }

    #[test]
    fn only_the_other_environment_answering_is_the_wrong_environment() {
        let p = profile();
        let name = |host: &str, environment, resolves| EnvName {
            host: host.into(),
            environment,
            resolves,
            detail: None,
        };
        let both = EnvironmentResult {
            names: vec![
                name("hweb.oqs.onshikaku.org", Environment::Production, true),
                name("hweb.oqs-st.onshikaku.org", Environment::Verification, true),
            ],
        };
        assert_eq!(codes(&environment_check(&p, &both, &[])), []);
        let other = EnvironmentResult {
            names: vec![
                name("hweb.oqs.onshikaku.org", Environment::Production, false),
                name("hweb.oqs-st.onshikaku.org", Environment::Verification, true),
            ],
        };
        let c = environment_check(&p, &other, &[]);
        assert_eq!(codes(&c), [(Code::EnvOtherEnvironment, Status::Fail)]);
        assert_eq!(
            c.findings[0].value("resolving"),
            Some("hweb.oqs-st.onshikaku.org")
        );
        let none = EnvironmentResult {
            names: vec![
                name("hweb.oqs.onshikaku.org", Environment::Production, false),
                name(
                    "hweb.oqs-st.onshikaku.org",
                    Environment::Verification,
                    false,
                ),
            ],
        };
        assert_eq!(
            codes(&environment_check(&p, &none, &[])),
            [],
            "nothing resolving is DNS's finding, not the environment's"
        );
    }
}

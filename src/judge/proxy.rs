//! Proxy verdicts: the deciding settings against the profile (bypass list), each target's way
//! against the expected one, what the CONNECT through the proxy came to, and the 補17 advice when
//! WPAD auto-detect is on while the distribution server fails or a way is wrong.

use super::worst;
use crate::model::{
    Check, CheckData, CheckKind, Code, ConnectOutcome, Finding, ProxyRound, Status, TargetRoute,
};

pub(super) fn checks(p: &ProxyRound) -> Vec<Check> {
    let mut out = Vec::new();
    let routes: Vec<Check> = p.routes.iter().map(route_check).collect();

    let mut findings = Vec::new();
    let source = p.effective.map_or("none", |k| k.as_label());
    if !p.bypass_missing.is_empty() {
        findings.push(
            Finding::new(Code::ProxyBypassMissing, Status::Warn, "bypass list")
                .with("source", source)
                .with("entries", p.bypass_missing.join(", ")),
        );
    }
    if !p.bypass_extra.is_empty() {
        findings.push(
            Finding::new(Code::ProxyBypassExtra, Status::Warn, "bypass list")
                .with("source", source)
                .with("entries", p.bypass_extra.join(", ")),
        );
    }
    if let Some(pac) = p.pac.as_ref().filter(|u| u.error.is_some()) {
        findings.push(
            Finding::new(
                Code::ProxyPacUnusable,
                Status::Warn,
                pac.url.clone().unwrap_or_default(),
            )
            .with("via", &pac.via)
            .with("reason", pac.error.clone().unwrap_or_default()),
        );
    }
    if p.auto_detect {
        let bad = routes
            .iter()
            .filter(|c| c.status >= Status::Fail)
            .map(|c| c.target.clone())
            .collect::<Vec<_>>();
        let distribution_failed = bad.iter().any(|t| t == "distribution");
        if !bad.is_empty() {
            // `detail` ends the English text after "while", `detail_ja` the Japanese after
            // 「オンのまま、」.
            let (detail, detail_ja) = if distribution_failed {
                (
                    "the distribution server's connection fails".to_string(),
                    "配信サーバへの接続が失敗しています".to_string(),
                )
            } else {
                (
                    format!("these go the wrong way or fail: {}", bad.join(", ")),
                    format!(
                        "次の宛先の経路が誤っているか接続が失敗しています: {}",
                        bad.join(", ")
                    ),
                )
            };
            findings.push(
                Finding::new(Code::ProxyAutoDetectOn, Status::Fail, "auto-detect")
                    .with("detail", detail)
                    .with("detail_ja", detail_ja),
            );
        }
    }
    out.push(Check {
        id: "proxy:settings".into(),
        kind: CheckKind::ProxySettings,
        target: "proxy settings".into(),
        status: worst(&findings),
        findings,
        data: CheckData::ProxySettings {
            sources: p.sources.clone(),
            effective: p.effective,
            auto_detect: p.auto_detect,
            bypass_missing: p.bypass_missing.clone(),
            bypass_extra: p.bypass_extra.clone(),
            pac: p.pac.clone(),
        },
    });
    out.extend(routes);
    out
}

fn route_check(r: &TargetRoute) -> Check {
    let mut findings = Vec::new();
    let subject = r.name.as_str();
    if r.way != r.expected {
        findings.push(
            Finding::new(Code::ProxyRouteWrong, Status::Fail, subject)
                .with("way", r.way.as_label().to_uppercase())
                .with("expected", r.expected.as_label().to_uppercase())
                .with("reason", &r.reason),
        );
    }
    if let Some(c) = &r.connect {
        let f = |code| Finding::new(code, Status::Fail, subject).with("proxy", &c.proxy);
        let finding = match &c.outcome {
            ConnectOutcome::Tunnel => None,
            ConnectOutcome::AuthRequired { scheme } => {
                Some(f(Code::ProxyAuthRequired).with("scheme", scheme.as_deref().unwrap_or("?")))
            }
            ConnectOutcome::Forbidden => Some(f(Code::ProxyForbidden)),
            ConnectOutcome::UpstreamFailed { status } => {
                Some(f(Code::ProxyUpstreamFailed).with("status", status))
            }
            ConnectOutcome::Unavailable => Some(f(Code::ProxyUnavailable)),
            ConnectOutcome::OtherStatus { status } => {
                Some(f(Code::ProxyOtherStatus).with("status", status))
            }
            ConnectOutcome::Silent => Some(f(Code::ProxySilent)),
            ConnectOutcome::NotHttp { first_bytes } => {
                Some(f(Code::ProxyNotHttp).with("first_bytes", first_bytes))
            }
            other => Some(f(Code::ProxyUnreachable).with("reason", other.as_label())),
        };
        findings.extend(finding);
    }
    if let Some(failure) = r.tls.as_ref().and_then(|t| t.failure.as_ref()) {
        findings.push(
            Finding::new(Code::ProxyTunnelTlsFailed, Status::Fail, subject)
                .with("proxy", r.proxy.clone().unwrap_or_default())
                .with("reason", failure.as_label()),
        );
    }
    Check {
        id: format!("proxy:{}", r.name),
        kind: CheckKind::ProxyRoute,
        target: r.name.clone(),
        status: worst(&findings),
        findings,
        data: CheckData::ProxyRoute(Box::new(r.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Lang, render};
    use crate::model::{ProxySourceKind, Way};

    fn wrong_way(name: &str) -> TargetRoute {
        TargetRoute {
            name: name.into(),
            target: format!("{name}.example:443"),
            expected: Way::Direct,
            way: Way::Proxy,
            proxy: Some("proxy.example:8080".into()),
            reason: "no bypass entry".into(),
            connect: None,
            tls: None,
        }
    }

    fn auto_detect_finding(routes: Vec<TargetRoute>) -> Finding {
        let p = ProxyRound {
            effective: Some(ProxySourceKind::WinInet),
            auto_detect: true,
            routes,
            ..ProxyRound::default()
        };
        checks(&p)
            .into_iter()
            .flat_map(|c| c.findings)
            .find(|f| f.code == Code::ProxyAutoDetectOn)
            .expect("the 補17 finding")
    }

    #[test]
    fn auto_detect_reads_naturally_in_both_languages() {
        let f = auto_detect_finding(vec![wrong_way("distribution")]);
        assert_eq!(
            render(&f, Lang::En).cause,
            "'Automatically detect settings' (WPAD) is on while the distribution server's connection fails"
        );
        assert_eq!(
            render(&f, Lang::Ja).cause,
            "「設定を自動的に検出する」（WPAD）がオンのまま、配信サーバへの接続が失敗しています"
        );
        let f = auto_detect_finding(vec![wrong_way("api"), wrong_way("oqs-web")]);
        assert_eq!(
            f.value("detail"),
            Some("these go the wrong way or fail: api, oqs-web")
        );
        assert_eq!(
            render(&f, Lang::Ja).cause,
            "「設定を自動的に検出する」（WPAD）がオンのまま、次の宛先の経路が誤っているか接続が失敗しています: api, oqs-web"
        );
        for key in crate::findings::placeholders(f.code) {
            assert!(f.value(&key).is_some(), "lacks {key}");
        }
    }
}

//! Proxy verdicts: the deciding settings against the profile (bypass list), each target's way
//! against the expected one, what the CONNECT through the proxy came to, and the 補17 advice when
//! WPAD auto-detect is on while the distribution server fails or a way is wrong.

use super::worst;
use crate::model::{
    Check, CheckData, CheckKind, Code, ConnectOutcome, Finding, ProxyRound, ProxySource,
    ProxySourceKind, Status, TargetRoute, Way,
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
        let bad: Vec<&str> = routes
            .iter()
            .filter(|c| c.status >= Status::Fail)
            .map(|c| c.target.as_str())
            .collect();
        if !bad.is_empty() {
            findings.push(
                Finding::new(Code::ProxyAutoDetectOn, Status::Fail, "auto-detect")
                    .with("targets", bad.join(", ")),
            );
        }
        if let Some(f) = ways_differ(p) {
            findings.push(f);
        }
    }
    findings.extend(winhttp_differs(p));
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

/// Targets whose WPAD way is not the way the explicit settings give: the way flips whenever WPAD
/// discovery fails, which is 補17's flapping.
fn ways_differ(p: &ProxyRound) -> Option<Finding> {
    p.pac
        .as_ref()
        .filter(|u| u.via == "wpad" && u.error.is_none())?;
    let shown = |way: Way, proxy: &Option<String>| match proxy {
        Some(proxy) => format!("PROXY {proxy}"),
        None => way.as_label().to_uppercase(),
    };
    let differ: Vec<(&TargetRoute, String)> = p
        .routes
        .iter()
        .filter_map(|r| {
            let f = r.fallback.as_ref()?;
            (f.way != r.way || f.proxy != r.proxy).then(|| {
                let ways = format!(
                    "{}: {} / {}",
                    r.name,
                    shown(r.way, &r.proxy),
                    shown(f.way, &f.proxy)
                );
                (r, ways)
            })
        })
        .collect();
    if differ.is_empty() {
        return None;
    }
    let names: Vec<&str> = differ.iter().map(|(r, _)| r.name.as_str()).collect();
    let ways: Vec<&str> = differ.iter().map(|(_, w)| w.as_str()).collect();
    // Worse when the distribution server's way flips (補17's very case), or an OQS host's.
    let status = if names.contains(&"distribution")
        || differ.iter().any(|(r, _)| r.expected == Way::Direct)
    {
        Status::Fail
    } else {
        Status::Warn
    };
    Some(
        Finding::new(Code::ProxyAutoDetectWaysDiffer, status, "auto-detect")
            .with("targets", names.join(", "))
            .with("ways", ways.join("; ")),
    )
}

/// WinHTTP (services, Windows Update) against Internet Options (the user's applications): the
/// proxy and the bypass list should be the same in both (installers set both).
fn winhttp_differs(p: &ProxyRound) -> Option<Finding> {
    let of = |k| p.sources.iter().find(|s| s.kind == k);
    let (inet, http) = (of(ProxySourceKind::WinInet)?, of(ProxySourceKind::WinHttp)?);
    let said = |s: &ProxySource| match &s.proxy {
        Some(proxy) if s.bypass.is_empty() => proxy.clone(),
        Some(proxy) => format!("{proxy}, bypass {}", s.bypass.join(";")),
        None => "DIRECT".to_string(),
    };
    // A bypass list matters only beside a proxy that is switched on.
    let norm = |s: &ProxySource| {
        let proxy = s.proxy.as_ref().map(|p| p.to_ascii_lowercase());
        let mut b: Vec<String> = match proxy {
            Some(_) => s.bypass.iter().map(|e| e.to_ascii_lowercase()).collect(),
            None => Vec::new(),
        };
        b.sort();
        (proxy, b)
    };
    (norm(inet) != norm(http)).then(|| {
        Finding::new(Code::ProxyWinHttpDiffers, Status::Warn, "WinHTTP")
            .with("winhttp", said(http))
            .with("wininet", said(inet))
    })
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

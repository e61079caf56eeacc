//! Proxy verdicts: the deciding settings against the profile (bypass list), each target's way
//! against the expected one, what the CONNECT through the proxy came to, and the 補17 advice when
//! WPAD auto-detect is on while the distribution server fails or a way is wrong.

use super::worst;
use crate::findings::{Lang, route_reason};
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
        if let Some((detail, detail_ja)) = what_went_wrong(&p.routes, &routes) {
            findings.push(
                Finding::new(Code::ProxyAutoDetectOn, Status::Fail, "auto-detect")
                    .with("detail", detail)
                    .with("detail_ja", detail_ja),
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
            dhcp_wpad: p.dhcp_wpad.clone(),
            pac: p.pac.clone(),
        },
    });
    out.extend(routes);
    out
}

/// What happened to the targets of this round that failed, in words that end the 補17 finding
/// (`detail` after "while", `detail_ja` after 「オンのまま、」): a wrong way and a failed connection
/// are told apart, so a connection that went the wrong way but worked is not called a failure.
fn what_went_wrong(routes: &[TargetRoute], checks: &[Check]) -> Option<(String, String)> {
    let way = |w: Way| match w {
        Way::Direct => ("directly", "直接"),
        Way::Proxy => ("through the proxy", "プロキシ経由"),
    };
    let mut wrong = Vec::new();
    let mut failed = Vec::new();
    let (mut en, mut ja) = (Vec::new(), Vec::new());
    for (r, c) in routes.iter().zip(checks) {
        let is_wrong = r.way != r.expected;
        let is_failed = c
            .findings
            .iter()
            .any(|f| f.code != Code::ProxyRouteWrong && f.severity >= Status::Fail);
        if r.name != "distribution" {
            if is_wrong {
                wrong.push(r.name.as_str());
            }
            if is_failed {
                failed.push(r.name.as_str());
            }
            continue;
        }
        let ((went, went_ja), (should, should_ja)) = (way(r.way), way(r.expected));
        match (is_wrong, is_failed) {
            (true, false) => {
                en.push(format!(
                    "the distribution server's connection goes {went} instead of {should}"
                ));
                ja.push(format!(
                    "配信サーバへの接続が{should_ja}ではなく{went_ja}になっています"
                ));
            }
            (true, true) => {
                en.push(format!(
                    "the distribution server's connection goes {went} instead of {should}, and fails"
                ));
                ja.push(format!(
                    "配信サーバへの接続が{should_ja}ではなく{went_ja}になっており、失敗しています"
                ));
            }
            (false, true) => {
                en.push("the distribution server's connection fails".to_string());
                ja.push("配信サーバへの接続が失敗しています".to_string());
            }
            (false, false) => {}
        }
    }
    if !wrong.is_empty() {
        en.push(format!("these go the wrong way: {}", wrong.join(", ")));
        ja.push(format!(
            "次の宛先の経路が誤っています: {}",
            wrong.join(", ")
        ));
    }
    if !failed.is_empty() {
        en.push(format!("these connections fail: {}", failed.join(", ")));
        ja.push(format!(
            "次の宛先への接続が失敗しています: {}",
            failed.join(", ")
        ));
    }
    (!en.is_empty()).then(|| (en.join("; "), ja.join("。")))
}

/// Targets whose WPAD way is not the way the explicit settings give: the way flips whenever WPAD
/// discovery fails, which is 補17's flapping.
fn ways_differ(p: &ProxyRound) -> Option<Finding> {
    p.pac
        .as_ref()
        .filter(|u| matches!(u.via.as_str(), "wpad" | "dhcp") && u.error.is_none())?;
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
    // A bypass list matters only beside a proxy that is switched on.
    let bypass = |s: &ProxySource| -> Vec<String> {
        match s.proxy {
            Some(_) => s.bypass.iter().map(|e| e.to_ascii_lowercase()).collect(),
            None => Vec::new(),
        }
    };
    let way = |s: &ProxySource| s.proxy.clone().unwrap_or_else(|| "DIRECT".into());
    let (ib, hb) = (bypass(inet), bypass(http));
    let mut differing: Vec<String> = ib
        .iter()
        .filter(|e| !hb.contains(e))
        .map(|e| format!("−{e}"))
        .collect();
    differing.extend(
        hb.iter()
            .filter(|e| !ib.contains(e))
            .map(|e| format!("+{e}")),
    );
    let proxy = |s: &ProxySource| s.proxy.as_ref().map(|p| p.to_ascii_lowercase());
    (proxy(inet) != proxy(http) || !differing.is_empty()).then(|| {
        let differing = if differing.is_empty() {
            "—".to_string()
        } else {
            differing.join(" ")
        };
        Finding::new(Code::ProxyWinHttpDiffers, Status::Warn, "WinHTTP")
            .with("winhttp", way(http))
            .with("winhttp_bypass", hb.len())
            .with("wininet", way(inet))
            .with("wininet_bypass", ib.len())
            .with("differing", differing)
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
                .with("reason", route_reason(&r.reason, Lang::En))
                .with("reason_ja", route_reason(&r.reason, Lang::Ja)),
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
    use crate::findings::render;
    use crate::model::RouteReason;
    use crate::model::{Fallback, PacUse};

    fn wrong_way(name: &str) -> TargetRoute {
        TargetRoute {
            name: name.into(),
            target: format!("{name}.example:443"),
            expected: Way::Direct,
            way: Way::Proxy,
            proxy: Some("proxy.example:8080".into()),
            reason: RouteReason::ProxyOf {
                source: ProxySourceKind::WinInet,
            },
            fallback: None,
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
        // Issue 15: the distribution server went through the proxy and its connection worked;
        // the finding said "the distribution server's connection fails".
        let f = auto_detect_finding(vec![wrong_way("distribution")]);
        assert_eq!(
            render(&f, Lang::En).cause,
            "'Automatically detect settings' (WPAD) is on while the distribution server's connection goes through the proxy instead of directly"
        );
        assert_eq!(
            render(&f, Lang::Ja).cause,
            "「設定を自動的に検出する」（WPAD）がオンのまま、配信サーバへの接続が直接ではなくプロキシ経由になっています"
        );
        let refused = crate::model::ConnectResult {
            proxy: "proxy.example:8080".into(),
            proxy_addr: None,
            target: "x:443".into(),
            connect_ms: None,
            response_ms: None,
            status_line: Some("HTTP/1.1 403 Forbidden".into()),
            outcome: ConnectOutcome::Forbidden,
        };
        let mut dist = wrong_way("distribution");
        dist.connect = Some(refused.clone());
        let f = auto_detect_finding(vec![dist.clone()]);
        assert_eq!(
            f.value("detail"),
            Some(
                "the distribution server's connection goes through the proxy instead of directly, and fails"
            )
        );
        dist.expected = Way::Proxy;
        let f = auto_detect_finding(vec![dist]);
        assert_eq!(
            render(&f, Lang::Ja).cause,
            "「設定を自動的に検出する」（WPAD）がオンのまま、配信サーバへの接続が失敗しています"
        );
        let mut web = wrong_way("oqs-web");
        web.connect = Some(refused);
        let f = auto_detect_finding(vec![wrong_way("api"), web]);
        assert_eq!(
            f.value("detail"),
            Some("these go the wrong way: api, oqs-web; these connections fail: oqs-web")
        );
        assert_eq!(
            render(&f, Lang::Ja).cause,
            "「設定を自動的に検出する」（WPAD）がオンのまま、次の宛先の経路が誤っています: api, oqs-web。次の宛先への接続が失敗しています: oqs-web"
        );
        for key in crate::findings::placeholders(f.code) {
            assert!(f.value(&key).is_some(), "lacks {key}");
        }
    }

    fn via_wpad(routes: Vec<TargetRoute>) -> ProxyRound {
        ProxyRound {
            effective: Some(ProxySourceKind::WinInet),
            auto_detect: true,
            pac: Some(PacUse {
                via: "wpad".into(),
                tried: vec!["wpad.example".into()],
                url: Some("http://wpad.example/wpad.dat".into()),
                error: None,
            }),
            routes,
            ..ProxyRound::default()
        }
    }

    fn pac_routed(name: &str, expected: Way, fallback: Way) -> TargetRoute {
        TargetRoute {
            expected,
            fallback: Some(Fallback {
                way: fallback,
                proxy: (fallback == Way::Proxy).then(|| "proxy.example:8080".into()),
                reason: RouteReason::NothingSet,
            }),
            ..wrong_way(name)
        }
    }

    fn finding(p: &ProxyRound, code: Code) -> Option<Finding> {
        checks(p)
            .into_iter()
            .flat_map(|c| c.findings)
            .find(|f| f.code == code)
    }

    #[test]
    fn a_wpad_way_unlike_the_explicit_one_is_hosei_17() {
        // The distribution server: WPAD says PROXY, the explicit settings DIRECT.
        let p = via_wpad(vec![pac_routed("distribution", Way::Direct, Way::Direct)]);
        let f = finding(&p, Code::ProxyAutoDetectWaysDiffer).expect("named");
        assert_eq!(f.severity, Status::Fail);
        assert_eq!(f.value("targets"), Some("distribution"));
        assert_eq!(
            f.value("ways"),
            Some("distribution: PROXY proxy.example:8080 / DIRECT")
        );
        assert_eq!(render(&f, Lang::Ja).section, "補17");
        // An internet-bound host whose proxy WPAD and the settings agree on: nothing.
        let same = via_wpad(vec![pac_routed("update", Way::Proxy, Way::Proxy)]);
        assert!(finding(&same, Code::ProxyAutoDetectWaysDiffer).is_none());
        // Only an internet-bound host differs: a warning, not a failure.
        let inet = via_wpad(vec![pac_routed("update", Way::Proxy, Way::Direct)]);
        let f = finding(&inet, Code::ProxyAutoDetectWaysDiffer).unwrap();
        assert_eq!(f.severity, Status::Warn);
        // A PAC URL (not WPAD) is meant to differ from the explicit settings.
        let mut by_url = via_wpad(vec![pac_routed("distribution", Way::Direct, Way::Direct)]);
        by_url.pac.as_mut().unwrap().via = "pac_url".into();
        assert!(finding(&by_url, Code::ProxyAutoDetectWaysDiffer).is_none());
        // A WPAD file that could not be used decides nothing.
        let mut broken = via_wpad(vec![pac_routed("distribution", Way::Direct, Way::Direct)]);
        broken.pac.as_mut().unwrap().error = Some("timeout".into());
        assert!(finding(&broken, Code::ProxyAutoDetectWaysDiffer).is_none());
    }

    #[test]
    fn winhttp_is_compared_with_internet_options() {
        use crate::probe::proxy::settings::from_flag;
        let source = |kind, proxy: Option<&str>, bypass: &[&str]| ProxySource {
            kind,
            proxy: proxy.map(str::to_string),
            bypass: bypass.iter().map(|b| b.to_string()).collect(),
            ..from_flag("none").unwrap()
        };
        let round = |sources| ProxyRound {
            sources,
            ..ProxyRound::default()
        };
        let inet = source(ProxySourceKind::WinInet, Some("p:8080"), &["*.a", "*.b"]);
        let same = source(ProxySourceKind::WinHttp, Some("P:8080"), &["*.b", "*.A"]);
        assert!(finding(&round(vec![inet.clone(), same]), Code::ProxyWinHttpDiffers).is_none());
        let direct = source(ProxySourceKind::WinHttp, None, &[]);
        let f = finding(
            &round(vec![inet.clone(), direct]),
            Code::ProxyWinHttpDiffers,
        )
        .unwrap();
        assert_eq!(f.value("winhttp"), Some("DIRECT"));
        assert_eq!(f.value("wininet"), Some("p:8080"));
        assert_eq!(f.value("wininet_bypass"), Some("2"));
        assert_eq!(f.value("winhttp_bypass"), Some("0"));
        assert_eq!(f.value("differing"), Some("−*.a −*.b"));
        let other = source(ProxySourceKind::WinHttp, Some("p:8080"), &["*.a", "*.c"]);
        let f = finding(&round(vec![inet.clone(), other]), Code::ProxyWinHttpDiffers).unwrap();
        assert_eq!(f.value("differing"), Some("−*.b +*.c"));
        let moved = source(ProxySourceKind::WinHttp, Some("q:3128"), &["*.a", "*.b"]);
        let f = finding(&round(vec![inet.clone(), moved]), Code::ProxyWinHttpDiffers).unwrap();
        assert_eq!(
            (f.value("winhttp"), f.value("differing")),
            (Some("q:3128"), Some("—"))
        );
        // Both without a proxy: a leftover bypass list in one of them does not matter.
        let off = source(ProxySourceKind::WinInet, None, &["*.a"]);
        let off2 = source(ProxySourceKind::WinHttp, None, &[]);
        assert!(finding(&round(vec![off, off2]), Code::ProxyWinHttpDiffers).is_none());
        // Only one of the two places known (not on Windows): nothing to compare.
        assert!(finding(&round(vec![inet]), Code::ProxyWinHttpDiffers).is_none());
    }
}

//! Issue 4, the proxy section: where settings come from and which decides, each target's way
//! against the profile's, a CONNECT through the lab's proxy with each of its faults, TLS through the
//! tunnel, a PAC URL, the 補17 advice, and a real proxy (Debian's tinyproxy).

use crate::support::{codes, lab_for, quick_profile, round_with_proxy};
use oqs_net::lab::proxy::{LabProxy, LabProxySpec, ProxyFault};
use oqs_net::model::*;
use oqs_net::net::NetOptions;
use oqs_net::probe::pac::FixedResolver;
use oqs_net::probe::proxy::connect::{ConnectSpec, connect};
use oqs_net::probe::proxy::{DhcpAsk, settings};
use oqs_net::round::{lab as lab_setup, proxy as proxy_setup};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

fn spec(proxy: SocketAddr, target: &str) -> ConnectSpec {
    ConnectSpec {
        proxy_name: format!("proxy.lab:{}", proxy.port()),
        proxy,
        target: target.to_string(),
        connect_timeout: Duration::from_millis(500),
        response_timeout: Duration::from_millis(700),
    }
}

#[tokio::test]
async fn each_proxy_fault_is_named() {
    let upstream = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = upstream.local_addr().unwrap().to_string();
    tokio::spawn(async move { while upstream.accept().await.is_ok() {} });
    let proxy = LabProxy::start(LabProxySpec::default()).await.unwrap();
    let net = NetOptions::default();
    for (fault, want) in [
        (ProxyFault::None, "tunnel"),
        (ProxyFault::RequireAuth, "auth_required"),
        (ProxyFault::Forbidden, "forbidden"),
        (ProxyFault::BadGateway, "upstream_failed"),
        (ProxyFault::Unavailable, "unavailable"),
        (ProxyFault::Stall, "silent"),
        (ProxyFault::Garbage, "not_http"),
        (ProxyFault::Reset, "reset"),
    ] {
        proxy.set_fault(fault);
        let (r, stream) = connect(&net, &spec(proxy.addr(), &target)).await;
        assert_eq!(r.outcome.as_label(), want, "{fault:?}: {r:?}");
        assert_eq!(stream.is_some(), want == "tunnel");
        assert!(r.connect_ms.is_some());
    }
    proxy.set_fault(ProxyFault::RequireAuth);
    let (r, _) = connect(&net, &spec(proxy.addr(), &target)).await;
    assert_eq!(
        r.outcome,
        ConnectOutcome::AuthRequired {
            scheme: Some("Basic".into())
        }
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn a_closed_proxy_port_is_refused_and_an_unknown_destination_is_upstream_failed() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (r, _) = connect(
        &NetOptions::default(),
        &spec(SocketAddr::from(([127, 0, 0, 1], port)), "x:443"),
    )
    .await;
    assert_eq!(r.outcome, ConnectOutcome::Refused);
    let proxy = LabProxy::start(LabProxySpec::default()).await.unwrap();
    let (r, _) = connect(
        &NetOptions::default(),
        &spec(proxy.addr(), "nowhere.lab:443"),
    )
    .await;
    assert_eq!(r.outcome, ConnectOutcome::UpstreamFailed { status: 502 });
    assert_eq!(r.status_line.as_deref(), Some("HTTP/1.1 502 Bad Gateway"));
}

/// A round against the lab (TLS servers and its proxy included) with a proxy section whose
/// sources `make` builds from the lab proxy's address.
async fn proxy_round(
    fault: ProxyFault,
    make: impl FnOnce(SocketAddr, &Profile) -> Vec<ProxySource>,
    pac: Option<&str>,
) -> (Round, ProxyRound) {
    let mut base = quick_profile(Mode::Ipsec);
    base.tls_settings.connect_timeout = Duration::from_millis(800);
    base.tls_settings.handshake_timeout = Duration::from_millis(800);
    let (lab, p, resolvers) = lab_for(&base, None).await;
    lab.update(|s| s.proxy.as_mut().expect("the lab has a proxy").fault = fault);
    let proxy = SocketAddr::from(([127, 0, 0, 1], lab.proxy_port().unwrap()));
    let pac_server = match pac {
        Some(script) => Some(serve_once_forever(script.to_string()).await),
        None => None,
    };
    let mut sources = make(proxy, &p);
    if let Some(addr) = pac_server {
        sources = vec![ProxySource {
            pac_url: Some(format!("http://{addr}/proxy.pac")),
            ..settings::from_flag("none").unwrap()
        }];
        sources[0].direct = false;
    }
    let not_offered = DhcpAsk::NotOffered {
        asked: "the test".into(),
    };
    let mut plan =
        proxy_setup::plan(&p, sources, not_offered).expect("the profile has TLS endpoints");
    plan.search_domains = vec!["lab.example".into()];
    plan.pac_resolver = Arc::new(FixedResolver::new());
    plan.connect_timeout = Duration::from_millis(500);
    plan.response_timeout = Duration::from_millis(800);
    let (m, round) = round_with_proxy(&p, resolvers, Some(plan)).await;
    lab.shutdown().await;
    (round, m.proxy.expect("a proxy section"))
}

/// A round of the lab with `scenario`, its proxy section planned as `probe --lab` plans it: the
/// lab's terminal settings, WPAD under its search domain, its PAC server.
pub(crate) async fn lab_scenario_round(scenario: &str) -> (Round, ProxyRound) {
    let sc = oqs_net::lab::scenario::builtin(scenario).expect("a built-in scenario");
    // The line's own checks run in every scenario: the lab stands in for the NGN's page and DNS.
    let mut base = crate::support::quick_profile_with_line(Mode::Ipsec);
    base.tls_settings.connect_timeout = Duration::from_millis(800);
    base.tls_settings.handshake_timeout = Duration::from_millis(800);
    if let Some(latency) = sc.latency_ms {
        // A slow line is slow, not dead: the quick timeouts leave room for its latency.
        base.dns.timeout = Duration::from_millis(latency + 1000);
        base.ntp.timeout = Duration::from_millis(latency + 600);
        // The lab's TLS servers hold the handshake two latencies and each response one.
        base.tls_settings.handshake_timeout += Duration::from_millis(2 * latency);
        base.tls_settings.request_timeout += Duration::from_millis(latency);
        // The line-authentication page: its name, the connection, the handshake and the page.
        if let Some(a) = &mut base.line.auth {
            a.timeout += Duration::from_millis(5 * latency);
        }
    }
    let (lab, p, resolvers) = lab_for(&base, Some(&sc)).await;
    let sources = lab_setup::proxy_sources(&p, &lab, None).unwrap();
    let mut plan = lab_setup::proxy_plan(&p, sources, &lab, None).expect("a proxy section");
    plan.connect_timeout = Duration::from_millis(500);
    plan.response_timeout = Duration::from_millis(800);
    let (m, round) =
        crate::support::round_with_sections(&p, resolvers, Some(plan), crate::support::WITH_LINE)
            .await;
    lab.shutdown().await;
    (round, m.proxy.expect("a proxy section"))
}

fn proxy_codes(round: &Round) -> Vec<Code> {
    codes(round)
        .into_iter()
        .filter(|c| c.as_label().starts_with("proxy."))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_lab_proxy_scenario_gives_exactly_its_findings() {
    use Code::*;
    let table: &[(&str, &[Code])] = &[
        ("healthy", &[]),
        ("proxy-auth", &[ProxyAuthRequired]),
        ("proxy-forbidden", &[ProxyForbidden]),
        ("proxy-bad-gateway", &[ProxyUpstreamFailed]),
        ("proxy-unavailable", &[ProxyUnavailable]),
        ("proxy-stall", &[ProxySilent]),
        ("proxy-garbage", &[ProxyNotHttp]),
        ("proxy-reset", &[ProxyUnreachable]),
        ("proxy-down", &[ProxyUnreachable]),
        ("proxy-flap", &[ProxyUpstreamFailed]),
        ("bypass-missing", &[ProxyRouteWrong, ProxyBypassMissing]),
        ("winhttp-direct", &[ProxyWinHttpDiffers]),
        (
            "env-proxy",
            &[ProxyRouteWrong, ProxyBypassMissing, ProxyBypassExtra],
        ),
        ("pac-url", &[]),
        ("pac-url-https", &[]),
        ("wpad-on", &[]),
        (
            "wpad-everything-proxy",
            &[
                ProxyRouteWrong,
                ProxyAutoDetectOn,
                ProxyAutoDetectWaysDiffer,
            ],
        ),
        ("wpad-hostile", &[ProxyPacUnusable]),
        ("wpad-not-found", &[ProxyPacUnusable]),
    ];
    for (scenario, want) in table {
        let (round, pr) = lab_scenario_round(scenario).await;
        let mut want = want.to_vec();
        want.sort();
        assert_eq!(proxy_codes(&round), want, "{scenario}: {pr:#?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lab_terminal_is_read_through_the_windows_decoders() {
    let (_, pr) = lab_scenario_round("healthy").await;
    let kinds: Vec<ProxySourceKind> = pr.sources.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            ProxySourceKind::WinInet,
            ProxySourceKind::WinHttp,
            ProxySourceKind::Profile
        ]
    );
    let inet = &pr.sources[0];
    assert!(inet.origin.contains("the lab's terminal"), "{inet:?}");
    assert_eq!(inet.auto_detect, Some(false));
    assert!(
        inet.proxy
            .as_deref()
            .unwrap()
            .starts_with("proxy.base.oqs-pdl.org:")
    );
    // The installers' list plus the site's distribution server.
    assert_eq!(inet.bypass.len(), 10, "{inet:?}");
    assert_eq!(pr.sources[1].proxy, inet.proxy);
    // Internet-bound hosts go through the proxy and are tunnelled; OQS hosts go DIRECT.
    let update = pr
        .routes
        .iter()
        .find(|r| r.name == "update.microsoft.com")
        .unwrap();
    assert_eq!(update.way, Way::Proxy);
    assert_eq!(
        update.connect.as_ref().map(|c| &c.outcome),
        Some(&ConnectOutcome::Tunnel)
    );
    assert!(update.tls.is_none(), "an internet host gets a CONNECT only");
    assert!(
        pr.routes
            .iter()
            .filter(|r| r.expected == Way::Direct)
            .all(|r| r.way == Way::Direct && r.connect.is_none())
    );

    let (_, pr) = lab_scenario_round("env-proxy").await;
    assert_eq!(pr.effective, Some(ProxySourceKind::Environment));
    assert_eq!(
        pr.sources[0].origin,
        "HTTPS_PROXY + NO_PROXY (the lab's terminal)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wpad_is_found_by_walking_the_search_domain_and_its_way_is_compared_with_the_explicit_one()
{
    let (round, pr) = lab_scenario_round("wpad-everything-proxy").await;
    let pac = pr.pac.as_ref().expect("WPAD found a PAC file");
    assert_eq!(pac.via, "wpad");
    assert_eq!(
        pac.tried,
        ["wpad.clinic.oqs-lab.test", "wpad.oqs-lab.test"],
        "{pac:?}"
    );
    assert!(
        pac.url
            .as_deref()
            .unwrap()
            .starts_with("http://wpad.oqs-lab.test:")
    );
    let dist = pr.routes.iter().find(|r| r.name == "distribution").unwrap();
    assert_eq!(dist.way, Way::Proxy);
    let fallback = dist.fallback.as_ref().expect("the explicit way beside it");
    assert_eq!(fallback.way, Way::Direct);
    assert_eq!(
        fallback.reason,
        RouteReason::Bypass {
            entry: "distribution.oqs-lab.test".into(),
            source: ProxySourceKind::WinInet
        }
    );
    let f = round
        .findings()
        .map(|(_, f)| f)
        .find(|f| f.code == Code::ProxyAutoDetectWaysDiffer)
        .unwrap();
    assert_eq!(f.severity, Status::Fail);
    assert!(
        f.value("targets").unwrap().contains("distribution"),
        "{f:?}"
    );
    let ja = oqs_net::findings::render(f, oqs_net::findings::Lang::Ja);
    assert_eq!(ja.section, "補17");
    assert!(ja.fix.contains("設定を自動的に検出する"), "{}", ja.fix);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wpad_server_that_answers_every_other_time_flips_the_way_round_by_round() {
    let sc = oqs_net::lab::scenario::builtin("wpad-flap").unwrap();
    let base = quick_profile(Mode::Ipsec);
    let (lab, p, resolvers) = lab_for(&base, Some(&sc)).await;
    let mut ways = Vec::new();
    for _ in 0..4 {
        let sources = lab_setup::proxy_sources(&p, &lab, None).unwrap();
        let plan = lab_setup::proxy_plan(&p, sources, &lab, None).unwrap();
        let (m, _) = round_with_proxy(&p, resolvers.clone(), Some(plan)).await;
        let pr = m.proxy.unwrap();
        let dist = pr.routes.iter().find(|r| r.name == "distribution").unwrap();
        ways.push(dist.way);
    }
    lab.shutdown().await;
    assert_eq!(ways, [Way::Proxy, Way::Direct, Way::Proxy, Way::Direct]);
}

/// Issue 15: in `wpad-everything-proxy` the distribution server's TLS row passes (through the
/// proxy, HTTP 200), yet `proxy.autodetect_on` said its connection fails. Its words must say
/// what the round saw: the connection goes the wrong way.
#[test]
fn issue15_autodetect_on_says_the_way_is_wrong_not_that_the_connection_fails() {
    let (code, out, err) = crate::support::run(&[
        "probe",
        "--mode",
        "ipsec",
        "--lab",
        "--lab-scenario",
        "wpad-everything-proxy",
        "--format",
        "json",
        "--lang",
        "en",
    ]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let checks = v["checks"].as_array().unwrap();
    let check = |id: &str| {
        checks
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no {id} in {out}"))
    };
    assert_eq!(check("tls:distribution")["status"], "pass", "{out}");
    let f = check("proxy:settings")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "proxy.autodetect_on")
        .expect("the 補17 finding");
    let cause = f["cause"].as_str().unwrap();
    assert!(!cause.contains("fail"), "{cause}");
    assert!(
        cause.contains(
            "the distribution server's connection goes through the proxy instead of directly"
        ),
        "{cause}"
    );
}

#[test]
fn probe_lab_shows_the_hosei_17_case_in_json() {
    let (code, out, err) = crate::support::run(&[
        "probe",
        "--mode",
        "ipsec",
        "--lab",
        "--lab-scenario",
        "wpad-everything-proxy",
        "--format",
        "json",
        "--lang",
        "ja",
    ]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let settings = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "proxy:settings")
        .expect("the proxy section");
    let codes: Vec<&str> = settings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"proxy.autodetect_ways_differ"), "{codes:?}");
    let f = settings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "proxy.autodetect_ways_differ")
        .unwrap();
    assert_eq!(f["section"], "補17");
}

/// An HTTP server on loopback that answers every request with `body` (a PAC file).
async fn serve_once_forever(body: String) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 2048];
                let _ = s.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/x-ns-proxy-autoconfig\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(body.as_bytes()).await;
            });
        }
    });
    addr
}

fn flag_with_bypass(proxy: SocketAddr, bypass: Vec<String>) -> ProxySource {
    let mut s = settings::from_flag(&format!("http://{proxy}")).unwrap();
    s.bypass = bypass;
    s
}

fn expected_bypass(p: &Profile) -> Vec<String> {
    proxy_setup::expected_bypass(p)
}

#[tokio::test(flavor = "multi_thread")]
async fn installers_settings_send_oqs_hosts_direct_and_nothing_is_found() {
    let (round, pr) = proxy_round(
        ProxyFault::None,
        |a, p| vec![flag_with_bypass(a, expected_bypass(p))],
        None,
    )
    .await;
    let proxy_codes: Vec<Code> = codes(&round)
        .into_iter()
        .filter(|c| c.as_label().starts_with("proxy."))
        .collect();
    assert_eq!(proxy_codes, vec![], "{pr:#?}");
    assert_eq!(pr.effective, Some(ProxySourceKind::Flag));
    assert!(pr.routes.iter().all(|r| r.way == r.expected), "{pr:#?}");
    // The OQS hosts go DIRECT; the internet-bound ones through the proxy, tunnelled.
    assert!(pr.routes.iter().any(|r| r.way == Way::Direct));
    assert!(
        pr.routes.iter().filter(|r| r.way == Way::Proxy).all(|r| r
            .connect
            .as_ref()
            .map(|c| &c.outcome)
            == Some(&ConnectOutcome::Tunnel)),
        "{pr:#?}"
    );
    assert!(pr.routes.iter().any(
        |r| matches!(&r.reason, RouteReason::Bypass { entry, .. } if entry == "*.onshikaku.org")
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_bypass_entry_sends_oqs_hosts_through_the_proxy_and_tls_is_measured_in_the_tunnel()
 {
    let (round, pr) = proxy_round(
        ProxyFault::None,
        |a, _| vec![flag_with_bypass(a, vec!["pweb.base.oqs-pdl.org".into()])],
        None,
    )
    .await;
    let c = codes(&round);
    assert!(c.contains(&Code::ProxyRouteWrong), "{c:?}");
    assert!(c.contains(&Code::ProxyBypassMissing), "{c:?}");
    let web = pr.routes.iter().find(|r| r.name == "oqs-web").unwrap();
    assert_eq!(web.way, Way::Proxy);
    assert_eq!(
        web.connect.as_ref().unwrap().outcome,
        ConnectOutcome::Tunnel
    );
    let tls = web.tls.as_ref().expect("TLS through the tunnel");
    assert_eq!(tls.failure, None, "{tls:#?}");
    assert_eq!(tls.protocol.as_deref(), Some("TLSv1.3"));
    assert!(tls.handshake_ms.is_some());
    // The distribution server is not on any bypass list but belongs to the closed network.
    let dist = pr.routes.iter().find(|r| r.name == "distribution").unwrap();
    assert_eq!(dist.expected, Way::Direct);
}

#[tokio::test(flavor = "multi_thread")]
async fn proxy_faults_each_give_their_finding() {
    for (fault, code) in [
        (ProxyFault::RequireAuth, Code::ProxyAuthRequired),
        (ProxyFault::Forbidden, Code::ProxyForbidden),
        (ProxyFault::BadGateway, Code::ProxyUpstreamFailed),
        (ProxyFault::Unavailable, Code::ProxyUnavailable),
        (ProxyFault::Stall, Code::ProxySilent),
        (ProxyFault::Garbage, Code::ProxyNotHttp),
        (ProxyFault::Reset, Code::ProxyUnreachable),
    ] {
        let (round, _) = proxy_round(fault, |a, _| vec![flag_with_bypass(a, vec![])], None).await;
        assert!(
            codes(&round).contains(&code),
            "{fault:?}: {:?}",
            codes(&round)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pac_url_decides_the_way_per_target() {
    // The lab's proxy is not in this script: it sends the OQS web host to a dead proxy.
    let script = "function FindProxyForURL(url, host) {\n  if (shExpMatch(host, \"hweb.*\")) return \"PROXY 127.0.0.1:9\";\n  return \"DIRECT\";\n}\n";
    let (round, pr) = proxy_round(ProxyFault::None, |_, _| vec![], Some(script)).await;
    let pac = pr.pac.as_ref().expect("the PAC was used");
    assert_eq!(
        (pac.via.as_str(), pac.error.as_ref()),
        ("pac_url", None),
        "{pac:?}"
    );
    let web = pr.routes.iter().find(|r| r.name == "oqs-web").unwrap();
    assert_eq!(web.way, Way::Proxy, "{web:#?}");
    assert_eq!(
        web.reason,
        RouteReason::Pac {
            answer: "PROXY 127.0.0.1:9".into()
        }
    );
    assert!(
        pr.routes
            .iter()
            .filter(|r| r.name != "oqs-web")
            .all(|r| r.way == Way::Direct)
    );
    let c = codes(&round);
    assert!(
        c.contains(&Code::ProxyRouteWrong) && c.contains(&Code::ProxyUnreachable),
        "{c:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn auto_detect_on_while_the_distribution_server_fails_cites_hosei_17() {
    let (round, pr) = proxy_round(
        ProxyFault::BadGateway,
        |a, p| {
            // The site's bypass list lacks its distribution server: it goes to the (failing) proxy.
            let mut s = flag_with_bypass(a, p.proxy.as_ref().unwrap().bypass.clone());
            s.kind = ProxySourceKind::WinInet;
            s.auto_detect = Some(true);
            vec![s]
        },
        None,
    )
    .await;
    assert!(pr.auto_detect);
    // No WPAD host answers in the lab, so Windows would fall back to the explicit proxy.
    assert_eq!(
        pr.pac.as_ref().and_then(|p| p.error.as_deref()),
        Some("no WPAD host resolved")
    );
    let f = round
        .findings()
        .map(|(_, f)| f)
        .find(|f| f.code == Code::ProxyAutoDetectOn)
        .expect("the 補17 finding");
    assert!(f.value("detail").unwrap().contains("distribution"), "{f:?}");
    let text = oqs_net::findings::render(f, oqs_net::findings::Lang::Ja);
    assert_eq!(text.section, "補17");
    assert!(text.fix.contains("設定を自動的に検出する"));
}

/// Debian's tinyproxy on loopback, on a free port, stopped on drop.
struct Tinyproxy {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tinyproxy() -> Tinyproxy {
    let bin = ["/usr/bin/tinyproxy", "/usr/sbin/tinyproxy"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("tinyproxy is not installed: run scripts/test, which installs it");
    for _ in 0..5 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("tinyproxy.conf");
        // No ConnectPort line: CONNECT to any port is allowed (the lab's TLS ports are high).
        std::fs::write(
            &conf,
            format!(
                "Port {port}\nListen 127.0.0.1\nTimeout 10\nAllow 127.0.0.1\nMaxClients 10\nLogLevel Error\nPidFile \"{}\"\n",
                dir.path().join("pid").display()
            ),
        )
        .unwrap();
        let child = std::process::Command::new(bin)
            .args(["-d", "-c"])
            .arg(&conf)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let t = Tinyproxy {
            child,
            port,
            _dir: dir,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return t;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("tinyproxy did not start");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_proxy_tunnels_to_a_lab_tls_server_and_the_handshake_is_measured_through_it() {
    let proxy = tinyproxy();
    let mut base = quick_profile(Mode::Ipsec);
    base.tls_settings.handshake_timeout = Duration::from_secs(2);
    let (lab, p, _) = lab_for(&base, None).await;
    // tinyproxy resolves names itself, so ask it for the lab server's address literally.
    let web = p.tls.iter().find(|e| e.name == "oqs-web").unwrap();
    let ip = *lab.spec().name(&web.host.host).unwrap().a.first().unwrap();
    let (r, stream) = connect(
        &NetOptions::default(),
        &spec(
            SocketAddr::from(([127, 0, 0, 1], proxy.port)),
            &format!("{ip}:{}", web.host.port_or(443)),
        ),
    )
    .await;
    assert_eq!(r.outcome, ConnectOutcome::Tunnel, "{r:?}");
    assert!(
        r.status_line
            .as_deref()
            .is_some_and(|l| l.starts_with("HTTP/1.")),
        "{r:?}"
    );
    let (_, ctx) = oqs_net::probe::tls::prepare(&p.tls_settings);
    let mut t = oqs_net::probe::tls::blank_result(web);
    oqs_net::probe::tls::session(&ctx, web, stream.expect("the tunnel"), &mut t).await;
    assert_eq!(t.failure, None, "{t:#?}");
    assert_eq!(t.protocol.as_deref(), Some("TLSv1.3"));
    assert!(
        t.handshake_ms.is_some() && t.http_status == Some(200),
        "{t:#?}"
    );
    lab.shutdown().await;
}

/// The proxy section pinned by golden files (refresh with UPDATE_GOLDEN=1): auto-detect on with a
/// WPAD file that sends the distribution server another way than the explicit settings (補17),
/// WinHTTP unlike Internet Options, an internet-bound host tunnelled and one refused with 407.
#[test]
fn proxy_section_golden() {
    let p = oqs_net::profile::shipped_for(Mode::Ipvpn, Environment::Production);
    let bypass = proxy_setup::expected_bypass(&p);
    let wininet = ProxySource {
        kind: ProxySourceKind::WinInet,
        origin: r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings".into(),
        proxy: Some("proxy.base.oqs-pdl.org:8080".into()),
        bypass: bypass.clone(),
        pac_url: None,
        auto_detect: Some(true),
        direct: false,
    };
    let winhttp = ProxySource {
        kind: ProxySourceKind::WinHttp,
        origin: "WinHttpSettings".into(),
        auto_detect: None,
        bypass: bypass[..3].to_vec(),
        ..wininet.clone()
    };
    let profile = settings::from_profile(&p.name, p.proxy.as_ref().unwrap());
    let tunnel = |target: &str, outcome: ConnectOutcome, status: &str| ConnectResult {
        proxy: "proxy.base.oqs-pdl.org:8080".into(),
        proxy_addr: Some("[2001:db8::8]:8080".into()),
        target: target.into(),
        connect_ms: Some(1.5),
        response_ms: Some(12.0),
        status_line: Some(status.into()),
        outcome,
    };
    let route = |name: &str, target: &str, expected, way, reason: RouteReason| TargetRoute {
        name: name.into(),
        target: target.into(),
        expected,
        way,
        proxy: (way == Way::Proxy).then(|| "proxy.base.oqs-pdl.org:8080".into()),
        reason,
        fallback: None,
        connect: None,
        tls: None,
    };
    let explicit = |way, reason| {
        Some(Fallback {
            way,
            proxy: (way == Way::Proxy).then(|| "proxy.base.oqs-pdl.org:8080".into()),
            reason,
        })
    };
    let bypass = |entry: &str| RouteReason::Bypass {
        entry: entry.into(),
        source: ProxySourceKind::WinInet,
    };
    let pac = |answer: &str| RouteReason::Pac {
        answer: answer.into(),
    };
    let proxy_of = RouteReason::ProxyOf {
        source: ProxySourceKind::WinInet,
    };
    let web = TargetRoute {
        fallback: explicit(Way::Direct, bypass("*.onshikaku.org")),
        ..route(
            "oqs-web",
            "hweb.oqs.onshikaku.org:443",
            Way::Direct,
            Way::Direct,
            pac("DIRECT"),
        )
    };
    let dist = TargetRoute {
        fallback: explicit(Way::Direct, bypass("dist.example.lan")),
        connect: Some(tunnel(
            "dist.example.lan:443",
            ConnectOutcome::Tunnel,
            "HTTP/1.1 200 Connection established",
        )),
        ..route(
            "distribution",
            "dist.example.lan:443",
            Way::Direct,
            Way::Proxy,
            pac("PROXY proxy.base.oqs-pdl.org:8080"),
        )
    };
    let update = TargetRoute {
        fallback: explicit(Way::Proxy, proxy_of.clone()),
        connect: Some(tunnel(
            "update.microsoft.com:443",
            ConnectOutcome::Tunnel,
            "HTTP/1.1 200 Connection established",
        )),
        ..route(
            "update.microsoft.com",
            "update.microsoft.com:443",
            Way::Proxy,
            Way::Proxy,
            pac("PROXY proxy.base.oqs-pdl.org:8080"),
        )
    };
    let wu = TargetRoute {
        fallback: explicit(Way::Proxy, proxy_of.clone()),
        connect: Some(tunnel(
            "windowsupdate.microsoft.com:443",
            ConnectOutcome::AuthRequired {
                scheme: Some("Basic".into()),
            },
            "HTTP/1.1 407 Proxy Authentication Required",
        )),
        ..route(
            "windowsupdate.microsoft.com",
            "windowsupdate.microsoft.com:443",
            Way::Proxy,
            Way::Proxy,
            pac("PROXY proxy.base.oqs-pdl.org:8080"),
        )
    };
    let m = oqs_net::model::Measurements {
        started_at: std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        duration: Duration::from_millis(420),
        dns: vec![],
        ntp: vec![],
        cut_off: vec![],
        resolvers: vec!["[2404:1a8:f583:d00::53:1]:53".into()],
        resolver_error: None,
        path: Default::default(),
        tls: Default::default(),
        proxy: Some(ProxyRound {
            sources: vec![wininet, winhttp, profile],
            effective: Some(ProxySourceKind::WinInet),
            auto_detect: true,
            bypass_missing: vec![],
            bypass_extra: vec![],
            dhcp_wpad: Some(DhcpWpad::NotOffered {
                asked: vec!["{4D36E972-E325-11CE-BFC1-08002BE10318}".into()],
            }),
            pac: Some(PacUse {
                via: "wpad".into(),
                tried: vec!["wpad.clinic.example.jp".into(), "wpad.example.jp".into()],
                url: Some("http://wpad.example.jp/wpad.dat".into()),
                error: None,
            }),
            routes: vec![web, dist, update, wu],
        }),
        line: Default::default(),
    };
    let mut r = oqs_net::judge::judge(&p, &m);
    r.tool_version = "0.0.0".into();
    r.checks
        .retain(|c| matches!(c.kind, CheckKind::ProxySettings | CheckKind::ProxyRoute));
    crate::support::section_goldens("proxy", &r);
    let mut want = vec![
        Code::ProxyAutoDetectOn,
        Code::ProxyAutoDetectWaysDiffer,
        Code::ProxyWinHttpDiffers,
        Code::ProxyRouteWrong,
        Code::ProxyAuthRequired,
    ];
    want.sort();
    assert_eq!(codes(&r), want);
}

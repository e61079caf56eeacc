//! Proxy probes: which way each target goes under the settings that decide (explicit proxy and
//! bypass list, a PAC URL, or WPAD), and a CONNECT through the proxy with the TLS handshake through
//! the tunnel. Uses `model`, `net` and the TLS and PAC probes; no output.

pub mod connect;
pub(crate) mod dhcp;
pub mod settings;
pub(crate) mod wpad;

use super::pac::fetch::FetchVia;
use super::pac::{self, PacEnv, PacLimits, PacResolver, SystemClock, UrlPolicy};
use super::resolve::resolve;
use super::tls::{self, TlsContext};
use crate::model::{
    DhcpWpad, Fallback, Family, HostPort, PacUse, ProxyRound, ProxySource, Route, RouteReason,
    TargetRoute, TlsEndpoint, Way,
};
use crate::net::{DnsResolver, NetOptions};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// One target whose route is checked.
#[derive(Clone, Debug)]
pub struct ProxyTarget {
    /// The endpoint's name in the profile, or the host of an internet-bound target.
    pub name: String,
    /// `host:port`.
    pub target: HostPort,
    pub expected: Way,
    /// The TLS endpoint, handshaken through the tunnel; `None` for an internet-bound host, whose
    /// CONNECT is the whole check.
    pub tls: Option<TlsEndpoint>,
}

/// Everything the proxy section needs, gathered before the round.
#[derive(Clone)]
pub struct ProxyPlan {
    pub sources: Vec<ProxySource>,
    /// The bypass list the profile expects beside its proxy.
    pub expected_bypass: Vec<String>,
    pub targets: Vec<ProxyTarget>,
    /// Where WPAD by DHCP (option 252) is asked, before WPAD by DNS.
    pub dhcp: DhcpAsk,
    /// DNS search domains, for WPAD.
    pub search_domains: Vec<String>,
    /// The port WPAD servers are asked on (80; the lab uses its own).
    pub wpad_port: u16,
    /// Names PAC scripts resolve to fixed addresses (the lab's), before the system's resolver.
    pub pac_resolver: Arc<dyn PacResolver + Send + Sync>,
    pub connect_timeout: Duration,
    pub response_timeout: Duration,
}

impl std::fmt::Debug for ProxyPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyPlan")
            .field("sources", &self.sources)
            .field("targets", &self.targets.len())
            .finish_non_exhaustive()
    }
}

/// Where WPAD by DHCP's answer comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DhcpAsk {
    /// This machine's DHCP client, through `platform` (Windows' DHCP API, Linux lease files).
    System,
    /// Option 252 as given (`--wpad-dhcp URL`, the lab's terminal): where, and its bytes.
    Given { origin: String, bytes: Vec<u8> },
    /// No DHCP server offers option 252 (the lab's terminal without one): what was asked.
    NotOffered { asked: String },
}

/// WPAD by DHCP as `ask` says it, the system's DHCP client given `timeout` (Windows' API may ask
/// the DHCP server).
pub async fn dhcp_wpad(ask: &DhcpAsk, timeout: Duration) -> DhcpWpad {
    match ask {
        DhcpAsk::Given { origin, bytes } => dhcp::offered(origin, bytes),
        DhcpAsk::NotOffered { asked } => DhcpWpad::NotOffered {
            asked: vec![asked.clone()],
        },
        DhcpAsk::System => {
            let read = tokio::task::spawn_blocking(crate::platform::dhcp_wpad);
            match tokio::time::timeout(timeout, read).await {
                Ok(Ok(read)) => dhcp::from_read(read),
                Ok(Err(e)) => DhcpWpad::NotAvailable {
                    detail: format!("the DHCP query failed: {e}"),
                },
                Err(_) => DhcpWpad::NotAvailable {
                    detail: format!("the DHCP client did not answer in {} s", timeout.as_secs()),
                },
            }
        }
    }
}

/// What a PAC script (or the explicit settings) said for one target.
struct Decision {
    way: Way,
    proxy: Option<String>,
    reason: RouteReason,
    fallback: Option<Fallback>,
}

fn explicit(source: Option<&ProxySource>, host: &str) -> Decision {
    let direct = |reason| Decision {
        way: Way::Direct,
        proxy: None,
        reason,
        fallback: None,
    };
    let Some(s) = source else {
        return direct(RouteReason::NothingSet);
    };
    let source = s.kind;
    if s.direct {
        return direct(RouteReason::SaysDirect { source });
    }
    match &s.proxy {
        None => direct(RouteReason::NoServer { source }),
        Some(p) => match settings::bypassed_by(&s.bypass, host) {
            Some(entry) => direct(RouteReason::Bypass {
                entry: entry.to_string(),
                source,
            }),
            None => Decision {
                way: Way::Proxy,
                proxy: Some(p.clone()),
                reason: RouteReason::ProxyOf { source },
                fallback: None,
            },
        },
    }
}

fn from_route(route: Option<&Route>) -> Decision {
    match route {
        Some(Route::Proxy { host, port, kind }) => {
            let proxy = HostPort {
                host: host.clone(),
                port: Some(*port),
            }
            .to_string();
            Decision {
                way: Way::Proxy,
                reason: RouteReason::Pac {
                    answer: format!("{} {proxy}", kind.keyword()),
                },
                proxy: Some(proxy),
                fallback: None,
            }
        }
        _ => Decision {
            way: Way::Direct,
            proxy: None,
            reason: RouteReason::Pac {
                answer: "DIRECT".into(),
            },
            fallback: None,
        },
    }
}

/// The PAC script in force, if the deciding source uses one: WPAD when auto-detect is on (by
/// DHCP, then by DNS), else its PAC URL (Windows tries them in that order, then the explicit
/// proxy).
async fn find_pac(
    net: &NetOptions,
    via: &FetchVia<'_>,
    plan: &ProxyPlan,
    source: &ProxySource,
    dhcp: Option<&DhcpWpad>,
) -> Option<(PacUse, Option<String>)> {
    let limits = pac::fetch::FetchLimits {
        timeout: plan.response_timeout * 2,
        ..Default::default()
    };
    let fetched = |pac_use: PacUse, url: String| async move {
        match pac::fetch::fetch(&url, net, via, &limits).await {
            Ok(f) => (pac_use, Some(f.text)),
            Err(e) => (
                PacUse {
                    error: Some(format!("{}: {e}", e.as_label())),
                    ..pac_use
                },
                None,
            ),
        }
    };
    if let Some(url) = dhcp.and_then(DhcpWpad::url) {
        let pac_use = PacUse {
            via: "dhcp".into(),
            tried: Vec::new(),
            url: Some(url.to_string()),
            error: None,
        };
        return Some(fetched(pac_use, url.to_string()).await);
    }
    if source.auto_detect == Some(true) {
        let mut pac_use = PacUse {
            via: "wpad".into(),
            tried: Vec::new(),
            url: None,
            error: None,
        };
        for name in wpad::candidates(&plan.search_domains) {
            pac_use.tried.push(name.clone());
            if resolve(via.resolver, &name, via.families, plan.response_timeout)
                .await
                .is_err()
            {
                continue;
            }
            let url = wpad::pac_url(&name, plan.wpad_port);
            pac_use.url = Some(url.clone());
            return Some(fetched(pac_use, url).await);
        }
        pac_use.error = Some("no WPAD host resolved".into());
        if source.pac_url.is_none() {
            return Some((pac_use, None));
        }
    }
    let url = source.pac_url.as_ref()?;
    let pac_use = PacUse {
        via: "pac_url".into(),
        tried: Vec::new(),
        url: Some(url.clone()),
        error: None,
    };
    Some(fetched(pac_use, url.clone()).await)
}

/// Evaluates the script for one target in a blocking thread (the engine has its own deadline).
/// A failure is its label and what it said.
async fn pac_decision(
    script: &str,
    target: &HostPort,
    resolver: Arc<dyn PacResolver + Send + Sync>,
) -> Result<Decision, (String, String)> {
    let url = format!("https://{target}/");
    let query = pac::query_for(&url, None, UrlPolicy::StripHttpsPath)
        .map_err(|e| ("bad_url".to_string(), e.to_string()))?;
    let env = PacEnv {
        resolver,
        clock: Arc::new(SystemClock),
        my_ip: my_ips(),
    };
    let script = script.to_string();
    let answer = tokio::task::spawn_blocking(move || {
        pac::evaluate(&script, &query, &env, &PacLimits::default())
    })
    .await
    .map_err(|e| ("internal".to_string(), e.to_string()))?
    .map_err(|e| (e.as_label().to_string(), e.to_string()))?;
    Ok(from_route(answer.routes.first_usable()))
}

/// This machine's addresses as `myIpAddress` reports them: where the default route leaves from.
fn my_ips() -> Vec<IpAddr> {
    [
        IpAddr::from([192, 0, 2, 1]),
        IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]),
    ]
    .into_iter()
    .filter_map(crate::net::route_source)
    .collect()
}

/// The proxy section of a round.
pub async fn probe(
    net: &NetOptions,
    resolver: Option<&DnsResolver>,
    tls_ctx: Option<&TlsContext>,
    families: &[Family],
    plan: &ProxyPlan,
) -> ProxyRound {
    let deciding = settings::effective(&plan.sources);
    let mut round = ProxyRound {
        sources: plan.sources.clone(),
        effective: deciding.map(|s| s.kind),
        auto_detect: deciding.is_some_and(|s| s.auto_detect == Some(true)),
        ..ProxyRound::default()
    };
    if let Some(s) = deciding.filter(|s| s.proxy.is_some()) {
        (round.bypass_missing, round.bypass_extra) =
            settings::compare_bypass(&plan.expected_bypass, &s.bypass);
    }
    let server_auth = tls_ctx
        .map(TlsContext::server_auth_only)
        .unwrap_or_else(|| tls::server_auth_config(None))
        .ok();
    let via = FetchVia {
        resolver,
        families,
        tls: server_auth.as_ref(),
    };
    // Windows asks DHCP only when auto-detect is on.
    if round.auto_detect {
        round.dhcp_wpad = Some(dhcp_wpad(&plan.dhcp, plan.response_timeout).await);
    }
    let pac = match deciding {
        Some(s) => find_pac(net, &via, plan, s, round.dhcp_wpad.as_ref()).await,
        None => None,
    };
    let script = pac.as_ref().and_then(|(_, t)| t.clone());
    round.pac = pac.map(|(u, _)| u);

    let routes = plan.targets.iter().map(|t| async {
        let explicit = explicit(deciding, &t.target.host);
        let (decision, failed) = match &script {
            None => (explicit, None),
            Some(script) => {
                match pac_decision(script, &t.target, plan.pac_resolver.clone()).await {
                    Ok(d) => {
                        let fallback = Fallback {
                            way: explicit.way,
                            proxy: explicit.proxy,
                            reason: explicit.reason,
                        };
                        let d = Decision {
                            fallback: Some(fallback),
                            ..d
                        };
                        (d, None)
                    }
                    // Windows, too, takes the explicit settings when the script fails.
                    Err((label, detail)) => {
                        let failed = format!("{label}: {detail}");
                        let d = Decision {
                            reason: RouteReason::PacFailed {
                                explicit: Box::new(explicit.reason),
                                label,
                                detail,
                            },
                            ..explicit
                        };
                        (d, Some(failed))
                    }
                }
            }
        };
        let r = route(net, resolver, tls_ctx, families, plan, t, decision).await;
        (r, failed)
    });
    let (routes, failures): (Vec<_>, Vec<_>) = futures_util::future::join_all(routes)
        .await
        .into_iter()
        .unzip();
    round.routes = routes;
    // A script that was fetched but would not run is as unusable as one that never came.
    if let Some(pac) = round.pac.as_mut().filter(|p| p.error.is_none()) {
        pac.error = failures.into_iter().flatten().next();
    }
    round
}

async fn route(
    net: &NetOptions,
    resolver: Option<&DnsResolver>,
    tls_ctx: Option<&TlsContext>,
    families: &[Family],
    plan: &ProxyPlan,
    t: &ProxyTarget,
    d: Decision,
) -> TargetRoute {
    let target = HostPort {
        host: t.target.host.clone(),
        port: Some(t.target.port_or(443)),
    };
    let mut r = TargetRoute {
        name: t.name.clone(),
        target: target.to_string(),
        expected: t.expected,
        way: d.way,
        proxy: d.proxy.clone(),
        reason: d.reason,
        fallback: d.fallback,
        connect: None,
        tls: None,
    };
    let Some(proxy) = d.proxy else { return r };
    let spec = |addr| connect::ConnectSpec {
        proxy_name: proxy.clone(),
        proxy: addr,
        target: r.target.clone(),
        connect_timeout: plan.connect_timeout,
        response_timeout: plan.response_timeout,
    };
    let addr = match HostPort::parse(&proxy) {
        Ok(hp) => match hp.ip() {
            Some(ip) => Ok(SocketAddr::new(ip, hp.port_or(8080))),
            None => resolve(resolver, &hp.host, families, plan.response_timeout)
                .await
                .map(|ip| SocketAddr::new(ip, hp.port_or(8080))),
        },
        Err(e) => Err(e),
    };
    let addr = match addr {
        Ok(a) => a,
        Err(detail) => {
            let mut c = connect::unresolved(&proxy, &r.target, detail);
            c.proxy_addr = None;
            r.connect = Some(c);
            return r;
        }
    };
    let (c, stream) = connect::connect(net, &spec(addr)).await;
    r.connect = Some(c);
    if let (Some(stream), Some(ctx), Some(ep)) = (stream, tls_ctx, &t.tls) {
        let mut t_r = tls::blank_result(ep);
        tls::session(ctx, ep, stream, &mut t_r).await;
        r.tls = Some(t_r);
    }
    r
}

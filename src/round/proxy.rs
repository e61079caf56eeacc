//! The proxy section's plan: every place that says something about proxies read before the round
//! (`--proxy`, the environment, Windows' settings through `platform`, the profile), and the targets
//! with the way the profile expects each to go.

use crate::model::{HostPort, Profile, ProxySource, Way};
use crate::probe::pac::{FixedResolver, SystemResolver};
use crate::probe::proxy::{DhcpAsk, ProxyPlan, ProxyTarget, settings};
use std::sync::Arc;
use std::time::Duration;

/// Every proxy source this machine has, the flag's first.
pub fn sources(profile: &Profile, flag: Option<&str>) -> Result<Vec<ProxySource>, String> {
    let mut out = Vec::new();
    if let Some(f) = flag {
        out.push(settings::from_flag(f)?);
    }
    out.extend(settings::from_environment(|k| std::env::var(k).ok()));
    let (wininet, winhttp) = crate::platform::windows_proxy_settings();
    out.extend(wininet.as_ref().map(settings::from_wininet));
    out.extend(winhttp.as_deref().and_then(settings::from_winhttp));
    out.extend(
        profile
            .proxy
            .as_ref()
            .map(|p| settings::from_profile(&profile.name, p)),
    );
    Ok(out)
}

/// The bypass list a site should have: the profile's, plus the distribution server's host (it is
/// inside the closed network, like pweb.base.oqs-pdl.org, and each site names its own).
pub fn expected_bypass(profile: &Profile) -> Vec<String> {
    let mut list = profile
        .proxy
        .as_ref()
        .map(|p| p.bypass.clone())
        .unwrap_or_default();
    let dist = profile.tls.iter().find(|e| e.name == "distribution");
    if let Some(d) = dist.filter(|d| settings::bypassed_by(&list, &d.host.host).is_none()) {
        list.push(d.host.host.clone());
    }
    list
}

/// The way the profile expects traffic to `host` to go: DIRECT when the expected bypass list
/// covers it (or the profile names no proxy), else through the proxy.
pub fn expected_way(profile: &Profile, expected_bypass: &[String], host: &str) -> Way {
    if profile.proxy.is_none() || settings::bypassed_by(expected_bypass, host).is_some() {
        Way::Direct
    } else {
        Way::Proxy
    }
}

/// Every target whose way is checked: the profile's TLS endpoints (handshaken through a tunnel
/// when they go through the proxy) and its internet-bound hosts (a CONNECT only), each expected
/// to go the way `bypass` (the expected bypass list) says.
fn targets(profile: &Profile, bypass: &[String]) -> Vec<ProxyTarget> {
    let with_port = |h: &HostPort| HostPort {
        host: h.host.clone(),
        port: Some(h.port_or(443)),
    };
    let tls = profile.tls.iter().map(|e| ProxyTarget {
        name: e.name.clone(),
        target: with_port(&e.host),
        expected: expected_way(profile, bypass, &e.host.host),
        tls: Some(e.clone()),
    });
    let internet = profile
        .proxy
        .iter()
        .flat_map(|p| &p.internet)
        .map(|h| ProxyTarget {
            name: h.host.clone(),
            target: with_port(h),
            expected: expected_way(profile, bypass, &h.host),
            tls: None,
        });
    tls.chain(internet).collect()
}

/// Where WPAD by DHCP is asked: `--wpad-dhcp URL` when given, else this machine's DHCP client.
pub fn dhcp_ask(flag: Option<&str>) -> DhcpAsk {
    match flag {
        Some(url) => DhcpAsk::Given {
            origin: "--wpad-dhcp".into(),
            bytes: url.as_bytes().to_vec(),
        },
        None => DhcpAsk::System,
    }
}

/// The plan for `profile`'s targets; `None` when it has none.
pub fn plan(profile: &Profile, sources: Vec<ProxySource>, dhcp: DhcpAsk) -> Option<ProxyPlan> {
    let expected_bypass = expected_bypass(profile);
    let targets = targets(profile, &expected_bypass);
    if targets.is_empty() {
        return None;
    }
    let search_domains = hickory_resolver::system_conf::read_system_conf()
        .map(|(c, _)| {
            c.search()
                .iter()
                .map(|n| n.to_string().trim_end_matches('.').to_string())
                .collect()
        })
        .unwrap_or_default();
    Some(ProxyPlan {
        sources,
        targets,
        expected_bypass,
        dhcp,
        search_domains,
        wpad_port: 80,
        pac_resolver: Arc::new(SystemResolver {
            timeout: Duration::from_secs(2),
            overrides: FixedResolver::new(),
        }),
        connect_timeout: Duration::from_secs(3),
        response_timeout: Duration::from_secs(5),
    })
}

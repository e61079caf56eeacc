//! The servers' wiring at start: the names every listening server answers to, the proxy's own
//! name table, the proxy and WPAD servers on each bind address, and the PAC script pointed at the
//! proxy's real port. Used by [`crate::running`] only.

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, SocketAddr};

use crate::error::LabError;
use crate::pki;
use crate::proxy::{self, LabProxy};
use crate::spec::{LabName, LabProxyConf, LabWpadConf, normalize_name};
use crate::wpad::{self, LabWpad};

/// The WPAD / PAC server on each `tls_bind` address, plain and (with a PKI) over TLS.
#[derive(Default)]
pub(crate) struct WpadServers {
    pub(crate) servers: Vec<LabWpad>,
    pub(crate) http_port: Option<u16>,
    pub(crate) https_port: Option<u16>,
}

/// A name answered with the addresses a lab server listens on.
pub(crate) fn listening_name(host: &str, bind: &[IpAddr]) -> LabName {
    LabName {
        name: host.to_owned(),
        a: bind
            .iter()
            .filter_map(|ip| match ip {
                IpAddr::V4(v4) => Some(*v4),
                IpAddr::V6(_) => None,
            })
            .collect(),
        aaaa: bind
            .iter()
            .filter_map(|ip| match ip {
                IpAddr::V6(v6) => Some(*v6),
                IpAddr::V4(_) => None,
            })
            .collect(),
        rotate: false,
        ..LabName::default()
    }
}

/// The proxy's own name table: each lab name's first address (IPv4 first, as the lab's servers
/// all listen on 127.0.0.1).
pub(crate) fn proxy_hosts(names: &[LabName]) -> BTreeMap<String, IpAddr> {
    names
        .iter()
        .filter_map(|n| {
            let ip =
                n.a.first()
                    .map(|v4| IpAddr::V4(*v4))
                    .or_else(|| n.aaaa.first().map(|v6| IpAddr::V6(*v6)))?;
            Some((normalize_name(&n.name), ip))
        })
        .collect()
}

/// A free TCP port on every address (the first address picks it).
pub(crate) async fn start_proxies(
    conf: &LabProxyConf,
    bind: &[IpAddr],
    hosts: BTreeMap<String, IpAddr>,
    latency_ms: u64,
) -> Result<(Vec<LabProxy>, u16), LabError> {
    let mut port = conf.port;
    let mut servers = Vec::new();
    for ip in bind {
        let addr = SocketAddr::new(*ip, port);
        let failed = |source: io::Error| LabError::Bind {
            service: "proxy",
            addr,
            source,
        };
        if conf.down {
            // Find a port that is free now, and leave it closed.
            if port == 0 {
                port = std::net::TcpListener::bind(addr)
                    .and_then(|l| l.local_addr())
                    .map_err(failed)?
                    .port();
            }
            continue;
        }
        let server = LabProxy::start(proxy::LabProxySpec {
            bind: addr,
            fault: conf.fault,
            hosts: hosts.clone(),
            latency_ms,
        })
        .await
        .map_err(failed)?;
        port = server.addr().port();
        servers.push(server);
    }
    Ok((servers, port))
}

/// The script as served: `PROXY <proxy name>:8080` pointed at the port the lab proxy really has.
pub(crate) fn served_script(w: &LabWpadConf, proxy: Option<&LabProxyConf>, port: u16) -> String {
    match proxy {
        Some(p) if port != 0 && port != 8080 => w
            .script
            .replace(&format!("{}:8080", p.name), &format!("{}:{port}", p.name)),
        _ => w.script.clone(),
    }
}

pub(crate) async fn start_wpads(
    conf: &LabWpadConf,
    script: String,
    bind: &[IpAddr],
    pki: Option<&pki::LabPki>,
    latency_ms: u64,
) -> Result<WpadServers, LabError> {
    let mut out = WpadServers::default();
    for https in [false, true] {
        let identity = match (https, pki) {
            (false, _) => None,
            (true, Some(pki)) => Some(pki::Identity {
                chain: pki.server.chain.clone(),
                key: pki.server.key.clone_key(),
            }),
            (true, None) => continue,
        };
        let mut port = if https { 0 } else { conf.port };
        for ip in bind {
            let addr = SocketAddr::new(*ip, port);
            let server = LabWpad::start(wpad::LabWpadSpec {
                bind: addr,
                script: script.clone(),
                fault: conf.fault,
                latency_ms,
                tls: identity.as_ref().map(|i| pki::Identity {
                    chain: i.chain.clone(),
                    key: i.key.clone_key(),
                }),
            })
            .await
            .map_err(|source| LabError::Bind {
                service: if https { "WPAD/HTTPS" } else { "WPAD" },
                addr,
                source,
            })?;
            port = server.addr().port();
            out.servers.push(server);
        }
        if https {
            out.https_port = Some(port);
        } else {
            out.http_port = Some(port);
        }
    }
    Ok(out)
}

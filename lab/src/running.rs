//! The running lab: [`Lab::start`] binds every server's sockets and spawns them, [`Lab::update`]
//! changes the live spec they read per packet, [`Lab::stats`] and [`Lab::shutdown`]. The state the
//! servers share with the handle is [`crate::shared`]; how the proxy and the WPAD servers are
//! started is in [`crate::wiring`].

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::error::LabError;
use crate::proxy::LabProxy;
use crate::shared::Shared;
use crate::spec::LabSpec;
use crate::stats::LabStats;
use crate::wiring::{
    WpadServers, listening_name, proxy_hosts, served_script, start_proxies, start_wpads,
};
use crate::{dns, ntp, pki, tls};

/// A running lab. Dropping it or calling [`Lab::shutdown`] stops every server.
pub struct Lab {
    shared: Arc<Shared>,
    dns_addr: SocketAddr,
    /// The second DNS server (`spec.other_dns`).
    other_dns_addr: Option<SocketAddr>,
    ntp_port: u16,
    cancel: CancellationToken,
    tasks: JoinSet<()>,
    pki: Option<Arc<pki::LabPki>>,
    /// Port of each `spec.tls` server, in order.
    tls_ports: Vec<u16>,
    /// The proxy on each `tls_bind` address (none when it is down).
    proxies: Vec<LabProxy>,
    proxy_port: Option<u16>,
    wpads: WpadServers,
}

impl fmt::Debug for Lab {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lab")
            .field("dns_addr", &self.dns_addr)
            .field("ntp_port", &self.ntp_port)
            .field("tasks", &self.tasks.len())
            .finish_non_exhaustive()
    }
}

impl Lab {
    /// Binds the DNS server (UDP and TCP) and one NTP socket per member, then starts serving.
    /// Everything is bound before this returns, so a caller can probe immediately.
    pub async fn start(spec: LabSpec) -> Result<Lab, LabError> {
        let mut spec = spec;
        for (i, m) in spec.members.iter().enumerate() {
            if spec.members[..i].iter().any(|o| o.ip == m.ip) {
                return Err(LabError::DuplicateMember { ip: m.ip });
            }
        }
        let (udp, tcp) = dns::bind(spec.dns_bind).await?;
        let dns_addr = udp.local_addr().map_err(|source| LabError::Bind {
            service: "DNS/UDP",
            addr: spec.dns_bind,
            source,
        })?;
        let other_dns = if spec.other_dns {
            let at = SocketAddr::new(dns_addr.ip(), 0);
            let (u, t) = dns::bind(at).await?;
            let addr = u.local_addr().map_err(|source| LabError::Bind {
                service: "DNS/UDP",
                addr: at,
                source,
            })?;
            Some((u, t, addr))
        } else {
            None
        };
        let other_dns_addr = other_dns.as_ref().map(|(_, _, a)| *a);
        let ips: Vec<IpAddr> = spec.members.iter().map(|m| m.ip).collect();
        let (ntp_sockets, ntp_port) = ntp::bind(&ips, spec.ntp_port)?;
        spec.dns_bind = dns_addr;
        spec.ntp_port = ntp_port;
        if spec.tls_bind.is_empty() {
            spec.tls_bind.push(IpAddr::V4(Ipv4Addr::LOCALHOST));
        }
        // The TLS servers', the proxy's and the WPAD server's names resolve to where they listen.
        let listening: Vec<String> = spec
            .tls
            .iter()
            .map(|t| t.host.clone())
            .chain(spec.proxy.iter().map(|p| p.name.clone()))
            .chain(spec.wpad.iter().flat_map(|w| w.names.clone()))
            .collect();
        for host in listening {
            if spec.name(&host).is_none() {
                let name = listening_name(&host, &spec.tls_bind);
                spec.names.push(name);
            }
        }
        let (pki, tls_listeners) = if spec.tls.is_empty() {
            (None, Vec::new())
        } else {
            let hosts: Vec<String> = spec
                .tls
                .iter()
                .map(|t| t.host.clone())
                .chain(spec.wpad.iter().flat_map(|w| w.names.clone()))
                .collect();
            let pki = Arc::new(pki::LabPki::generate(&hosts)?);
            let mut listeners = Vec::new();
            for _ in &spec.tls {
                listeners.push(tls::bind(&spec.tls_bind).await?);
            }
            (Some(pki), listeners)
        };
        let tls_ports: Vec<u16> = tls_listeners.iter().map(|(_, p)| *p).collect();
        let (proxies, proxy_port) = match &mut spec.proxy {
            Some(conf) => {
                let hosts = proxy_hosts(&spec.names);
                let (servers, port) =
                    start_proxies(conf, &spec.tls_bind, hosts, spec.latency_ms).await?;
                conf.port = port;
                (servers, Some(port))
            }
            None => (Vec::new(), None),
        };
        let proxy_port_for_scripts = proxy_port.unwrap_or(0);
        let wpads = match &spec.wpad {
            Some(conf) => {
                let script = served_script(conf, spec.proxy.as_ref(), proxy_port_for_scripts);
                start_wpads(
                    conf,
                    script,
                    &spec.tls_bind,
                    pki.as_deref(),
                    spec.latency_ms,
                )
                .await?
            }
            None => WpadServers::default(),
        };
        if let Some(w) = &mut spec.wpad {
            w.port = wpads.http_port.unwrap_or(0);
        }

        let shared = Arc::new(Shared::new(spec));
        let cancel = CancellationToken::new();
        let mut tasks = JoinSet::new();
        tasks.spawn(dns::serve_udp(
            Arc::new(udp),
            shared.clone(),
            cancel.clone(),
        ));
        tasks.spawn(dns::serve_tcp(tcp, shared.clone(), cancel.clone()));
        if let Some((u, t, _)) = other_dns {
            tasks.spawn(dns::serve_udp(Arc::new(u), shared.clone(), cancel.clone()));
            tasks.spawn(dns::serve_tcp(t, shared.clone(), cancel.clone()));
        }
        for (ip, socket) in ips.into_iter().zip(ntp_sockets) {
            tasks.spawn(ntp::serve(
                Arc::new(socket),
                ip,
                shared.clone(),
                cancel.clone(),
            ));
        }
        if let Some(pki) = &pki {
            for (index, (listeners, _)) in tls_listeners.into_iter().enumerate() {
                for l in listeners {
                    tasks.spawn(tls::serve(
                        l,
                        index,
                        shared.clone(),
                        pki.clone(),
                        cancel.clone(),
                    ));
                }
            }
        }
        tracing::debug!(%dns_addr, ntp_port, ?tls_ports, ?proxy_port, "lab started");
        Ok(Lab {
            shared,
            dns_addr,
            other_dns_addr,
            ntp_port,
            cancel,
            tasks,
            pki,
            tls_ports,
            proxies,
            proxy_port,
            wpads,
        })
    }

    /// The proxy's port (also when it is `down`: then nothing listens there).
    pub fn proxy_port(&self) -> Option<u16> {
        self.proxy_port
    }

    /// The WPAD / PAC server's HTTP port.
    pub fn wpad_port(&self) -> Option<u16> {
        self.wpads.http_port
    }

    /// The WPAD / PAC server's HTTPS port (when the lab has a PKI).
    pub fn wpad_https_port(&self) -> Option<u16> {
        self.wpads.https_port
    }

    /// The port of the TLS server for profile endpoint `endpoint`.
    pub fn tls_port(&self, endpoint: &str) -> Option<u16> {
        let spec = self.shared.spec();
        let i = spec.tls.iter().position(|t| t.endpoint == endpoint)?;
        self.tls_ports.get(i).copied()
    }

    /// The lab's PKI (files for clients and tests), when it runs TLS servers.
    pub fn pki(&self) -> Option<&pki::LabPki> {
        self.pki.as_deref()
    }

    /// The DNS server's address (UDP and TCP).
    pub fn dns_addr(&self) -> SocketAddr {
        self.dns_addr
    }

    /// The second DNS server's address (UDP and TCP), when `spec.other_dns` asked for one.
    pub fn other_dns_addr(&self) -> Option<SocketAddr> {
        self.other_dns_addr
    }

    /// The NTP port shared by every member address.
    pub fn ntp_port(&self) -> u16 {
        self.ntp_port
    }

    /// The current spec, with `dns_bind` and `ntp_port` as actually bound.
    pub fn spec(&self) -> LabSpec {
        self.shared.spec().clone()
    }

    /// Changes names and member behaviour at runtime; servers see the change from the next packet.
    /// Bindings are fixed: changes to `dns_bind` and `ntp_port` are undone, a member added here has
    /// no socket, and a bound address whose member is removed behaves as dead.
    pub fn update(&self, f: impl FnOnce(&mut LabSpec)) {
        let mut spec = self.shared.spec_mut();
        let (dns_bind, ntp_port) = (spec.dns_bind, spec.ntp_port);
        f(&mut spec);
        spec.dns_bind = dns_bind;
        spec.ntp_port = ntp_port;
        if let Some(p) = &spec.proxy {
            for server in &self.proxies {
                server.set_fault(p.fault);
            }
        }
        if let Some(w) = &spec.wpad {
            let script = served_script(w, spec.proxy.as_ref(), self.proxy_port.unwrap_or(0));
            for server in &self.wpads.servers {
                server.set_fault(w.fault);
                server.set_script(script.clone());
            }
        }
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> LabStats {
        let mut stats = self.shared.stats().clone();
        stats.proxy_connects = self
            .proxies
            .iter()
            .map(|p| {
                p.stats()
                    .connects
                    .load(std::sync::atomic::Ordering::Relaxed)
            })
            .sum();
        stats.wpad_requests = self
            .wpads
            .servers
            .iter()
            .map(|w| {
                w.stats()
                    .requests
                    .load(std::sync::atomic::Ordering::Relaxed)
            })
            .sum();
        stats
    }

    /// Stops every server and waits until all sockets are closed.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        let mut tasks = std::mem::take(&mut self.tasks);
        while tasks.join_next().await.is_some() {}
        for p in std::mem::take(&mut self.proxies) {
            p.shutdown().await;
        }
        for w in std::mem::take(&mut self.wpads.servers) {
            w.shutdown().await;
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.cancel.cancel();
        // Dropping `tasks` aborts whatever is still running.
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::LabMember;

    #[tokio::test]
    async fn duplicate_member_and_unassigned_address_are_named() {
        let mut spec = LabSpec::healthy("n", &[], &[Ipv4Addr::LOCALHOST], &[]);
        spec.members
            .push(LabMember::healthy(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        let err = Lab::start(spec).await.expect_err("duplicate");
        assert_eq!(err.as_label(), "lab_duplicate_member");

        // 192.0.2.1 (TEST-NET-1) is not assigned to any interface here.
        let spec = LabSpec::healthy("n", &[], &[Ipv4Addr::new(192, 0, 2, 1)], &[]);
        let err = Lab::start(spec).await.expect_err("not assigned");
        let text = err.to_string();
        assert!(text.contains("192.0.2.1"), "{text}");
        assert!(text.contains("not assigned"), "{text}");
    }

    #[tokio::test]
    async fn shutdown_releases_the_ports() {
        let spec = LabSpec::healthy("n", &[], &[Ipv4Addr::new(127, 0, 0, 1)], &[]);
        let lab = Lab::start(spec).await.expect("starts");
        let (dns, port) = (lab.dns_addr(), lab.ntp_port());
        assert_eq!(lab.spec().dns_bind, dns);
        assert_eq!(lab.spec().ntp_port, port);
        lab.shutdown().await;
        let mut spec = LabSpec::healthy("n", &[], &[Ipv4Addr::new(127, 0, 0, 1)], &[]);
        spec.dns_bind = dns;
        spec.ntp_port = port;
        let lab = Lab::start(spec).await.expect("same ports are free again");
        lab.shutdown().await;
    }
}

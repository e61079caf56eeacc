//! The seam between probes and the operating system's sockets and resolver: which nameservers to ask,
//! which adapter (device or source address) and which address family to leave by, and sockets made
//! that way — UDP, TCP and the resolver's own. Probes get sockets only from here. Depends on
//! `platform` for device binding and on `model` for plain data; never on probes, engine or output.
//!
//! # Binding
//! Once the OQS adapter is known ([`NetOptions::bind_to`]), every socket to a peer off this machine
//! is bound to it: to the adapter's source address (Windows' strong host model then keeps it on that
//! adapter) and, on Linux as root, to the device as well (`SO_BINDTODEVICE`). A family the adapter
//! has no address of is refused rather than sent, so nothing leaves by another adapter by accident.
//! Loopback peers (a local stub resolver, the lab) are never bound: their traffic does not leave
//! the machine.

mod runtime;

use crate::model::{Adapter, AdapterRequest, Binding, Family};
use hickory_resolver::Resolver;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

pub(crate) use runtime::as_received;
pub use runtime::{BoundRuntime, ResolverUdp, Truncations};

/// The round's resolver: hickory's, on [`BoundRuntime`]'s sockets, with the truncated answers
/// those sockets saw.
#[derive(Clone)]
pub struct DnsResolver {
    inner: Resolver<BoundRuntime>,
    truncations: std::sync::Arc<Truncations>,
}

impl std::ops::Deref for DnsResolver {
    type Target = Resolver<BoundRuntime>;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl DnsResolver {
    /// The server that answered `name` (`qtype`) with the truncated flag at or after `since`.
    pub fn truncated_by(
        &self,
        name: &str,
        qtype: u16,
        since: std::time::Instant,
    ) -> Option<SocketAddr> {
        self.truncations.server_for(name, qtype, since)
    }
}

/// How this machine's traffic leaves for the probes.
#[derive(Clone, Debug, Default)]
pub struct NetOptions {
    /// Nameservers to ask instead of the system's.
    pub resolvers: Vec<SocketAddr>,
    pub source_v4: Option<Ipv4Addr>,
    pub source_v6: Option<Ipv6Addr>,
    /// Bind every socket to this device (Linux); elsewhere use a source address.
    pub device: Option<String>,
    /// Refuse sockets of a family that has no source address (set with source binding, so that a
    /// family the adapter lacks is not sent through another adapter).
    pub confined: bool,
    /// Only this address family, for every socket and nameserver (`--family v4|v6`).
    pub family: Option<Family>,
    /// When set, the round also checks the OQS adapter and the path through it (the engine
    /// chooses the adapter and binds to it).
    pub adapter: Option<AdapterRequest>,
}

#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("cannot read the system's DNS configuration: {0}")]
    SystemConfig(String),
    #[error("the system has no DNS server configured; give one with --resolver")]
    NoNameserver,
    #[error(
        "no {family} nameserver to ask (--family {family} leaves out {dropped}); give one with --resolver"
    )]
    NoNameserverOfFamily {
        family: &'static str,
        dropped: String,
    },
    #[error("cannot build the resolver: {0}")]
    Resolver(String),
}

impl NetError {
    pub fn as_label(&self) -> &'static str {
        match self {
            NetError::SystemConfig(_) => "system_config",
            NetError::NoNameserver => "no_nameserver",
            NetError::NoNameserverOfFamily { .. } => "no_nameserver_of_family",
            NetError::Resolver(_) => "resolver",
        }
    }
}

/// The source address the system's routing picks toward `peer`, found by connecting an unbound UDP
/// socket (which sends nothing). The adapter holding that address is the one traffic to `peer`
/// leaves by when an application does not choose.
pub fn route_to(peer: SocketAddr) -> io::Result<IpAddr> {
    let unspecified: SocketAddr = if peer.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let sock = std::net::UdpSocket::bind(unspecified)?;
    sock.connect(peer)?;
    Ok(sock.local_addr()?.ip())
}

/// [`route_to`] for an address alone: `None` without a route.
pub fn route_source(peer: IpAddr) -> Option<IpAddr> {
    route_to(SocketAddr::new(peer, 9))
        .ok()
        .filter(|ip| !ip.is_unspecified())
}

impl NetOptions {
    fn source_for(&self, peer: &IpAddr) -> Option<IpAddr> {
        match peer {
            IpAddr::V4(_) => self.source_v4.map(IpAddr::V4),
            IpAddr::V6(_) => self.source_v6.map(IpAddr::V6),
        }
    }

    /// Ties every later socket to `adapter`: to its source addresses, confined (a family it has
    /// no address of is refused at once, not sent: Linux would otherwise "assume on-link" for a
    /// device-bound IPv4 socket and ARP on an IPv6-only adapter), and also to its device where
    /// the platform can and this process may. Returns what was done, for the report.
    pub fn bind_to(&mut self, adapter: &Adapter) -> Binding {
        self.source_v4 = adapter.source_v4();
        self.source_v6 = adapter.source_v6();
        self.confined = true;
        if crate::platform::BINDS_DEVICE && crate::platform::can_bind_device(&adapter.name).is_ok()
        {
            self.device = Some(adapter.name.clone());
            return Binding::Device {
                name: adapter.name.clone(),
                v4: self.source_v4,
                v6: self.source_v6,
            };
        }
        self.device = None;
        Binding::Source {
            v4: self.source_v4,
            v6: self.source_v6,
        }
    }

    /// The nameservers the round asks: `--resolver`/the profile's, else the system's; only those
    /// of the forced family, if any.
    pub fn nameservers(&self) -> Result<Vec<SocketAddr>, NetError> {
        let all = if self.resolvers.is_empty() {
            let (cfg, _) = hickory_resolver::system_conf::read_system_conf()
                .map_err(|e| NetError::SystemConfig(e.to_string()))?;
            let mut v: Vec<SocketAddr> = Vec::new();
            for ns in cfg.name_servers() {
                let a = SocketAddr::new(ns.ip, 53);
                if !v.contains(&a) {
                    v.push(a);
                }
            }
            v
        } else {
            self.resolvers.clone()
        };
        if all.is_empty() {
            return Err(NetError::NoNameserver);
        }
        let Some(family) = self.family else {
            return Ok(all);
        };
        let (keep, drop): (Vec<SocketAddr>, Vec<SocketAddr>) =
            all.into_iter().partition(|a| Family::of(&a.ip()) == family);
        if keep.is_empty() {
            return Err(NetError::NoNameserverOfFamily {
                family: match family {
                    Family::Ipv4 => "v4",
                    Family::Ipv6 => "v6",
                },
                dropped: drop
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        Ok(keep)
    }

    /// A resolver that really asks on every lookup (cache off, one attempt, no hosts file), with
    /// its sockets bound as every other socket here.
    pub fn resolver(&self, timeout: Duration) -> Result<DnsResolver, NetError> {
        let servers = self
            .nameservers()?
            .into_iter()
            .map(|a| self.nameserver(a))
            .collect();
        let config = ResolverConfig::from_parts(None, vec![], servers);
        let mut opts = ResolverOpts::default();
        opts.cache_size = 0;
        opts.attempts = 1;
        opts.timeout = timeout;
        opts.use_hosts_file = ResolveHosts::Never;
        opts.ndots = 0;
        opts.edns0 = true;
        let runtime = BoundRuntime::new(self.clone());
        let truncations = runtime.truncations();
        Resolver::builder_with_config(config, runtime)
            .with_options(opts)
            .build()
            .map(|inner| DnsResolver { inner, truncations })
            .map_err(|e| NetError::Resolver(e.to_string()))
    }

    fn nameserver(&self, addr: SocketAddr) -> NameServerConfig {
        let conn = |mut c: ConnectionConfig| {
            c.port = addr.port();
            c
        };
        NameServerConfig::new(
            addr.ip(),
            true,
            vec![conn(ConnectionConfig::udp()), conn(ConnectionConfig::tcp())],
        )
    }

    /// A socket of `ty` for talking to `peer`, bound the way these options say, not yet connected.
    /// `local_port` is kept (0 lets the system choose).
    pub(crate) fn socket_for(
        &self,
        ty: Type,
        peer: SocketAddr,
        local: Option<SocketAddr>,
    ) -> io::Result<Socket> {
        if let Some(f) = self.family
            && Family::of(&peer.ip()) != f
            && !peer.ip().is_loopback()
        {
            return Err(io::Error::new(
                io::ErrorKind::AddrNotAvailable,
                format!("{peer} is not an {} address (--family)", f.as_label()),
            ));
        }
        let (domain, protocol) = match (peer.is_ipv4(), ty) {
            (true, Type::STREAM) => (Domain::IPV4, Protocol::TCP),
            (false, Type::STREAM) => (Domain::IPV6, Protocol::TCP),
            (true, _) => (Domain::IPV4, Protocol::UDP),
            (false, _) => (Domain::IPV6, Protocol::UDP),
        };
        let sock = crate::platform::nonblocking_socket(domain, ty, protocol)?;
        if peer.is_ipv6() {
            sock.set_only_v6(true)?;
        }
        let local_port = local.map_or(0, |l| l.port());
        let local_ip = local.map(|l| l.ip()).filter(|ip| !ip.is_unspecified());
        let unspecified: IpAddr = if peer.is_ipv4() {
            Ipv4Addr::UNSPECIFIED.into()
        } else {
            Ipv6Addr::UNSPECIFIED.into()
        };
        let bind_ip = if peer.ip().is_loopback() {
            local_ip.unwrap_or(unspecified)
        } else {
            if let Some(dev) = &self.device {
                crate::platform::bind_device(&sock, dev)?;
            }
            match local_ip.or_else(|| self.source_for(&peer.ip())) {
                Some(ip) => ip,
                None if self.confined => {
                    return Err(io::Error::new(
                        io::ErrorKind::NetworkUnreachable,
                        format!(
                            "the OQS adapter has no {} address to send to {peer} from",
                            Family::of(&peer.ip()).as_label()
                        ),
                    ));
                }
                None => unspecified,
            }
        };
        sock.bind(&SocketAddr::new(bind_ip, local_port).into())?;
        Ok(sock)
    }

    /// A UDP socket connected to `peer` (so ICMP errors come back as `ConnectionRefused`), leaving
    /// from the configured device or source address.
    pub fn udp_connected(&self, peer: SocketAddr) -> io::Result<tokio::net::UdpSocket> {
        let sock = self.socket_for(Type::DGRAM, peer, None)?;
        sock.connect(&peer.into())?;
        tokio::net::UdpSocket::from_std(sock.into())
    }

    /// A TCP connection to `peer` (the handshake only: nothing is sent), made the same way. The
    /// caller puts the deadline on it (or uses [`NetOptions::tcp_connect_within`]).
    pub async fn tcp_connect(&self, peer: SocketAddr) -> io::Result<tokio::net::TcpStream> {
        let sock = self.socket_for(Type::STREAM, peer, None)?;
        let stream = tokio::net::TcpSocket::from_std_stream(sock.into())
            .connect(peer)
            .await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    /// [`NetOptions::tcp_connect`], given up after `timeout` (a `TimedOut` error).
    pub async fn tcp_connect_within(
        &self,
        peer: SocketAddr,
        timeout: Duration,
    ) -> io::Result<tokio::net::TcpStream> {
        self.tcp_connect_from(peer, None, timeout).await
    }

    /// [`NetOptions::tcp_connect_within`] offering `mss` as the maximum segment size, so that
    /// every packet the peer sends on it stays small (see `platform::set_tcp_mss`).
    pub async fn tcp_connect_small_mss(
        &self,
        peer: SocketAddr,
        mss: u32,
        timeout: Duration,
    ) -> io::Result<tokio::net::TcpStream> {
        let sock = self.socket_for(Type::STREAM, peer, None)?;
        crate::platform::set_tcp_mss(&sock, mss)?;
        let sock = tokio::net::TcpSocket::from_std_stream(sock.into());
        let stream = match tokio::time::timeout(timeout, sock.connect(peer)).await {
            Ok(r) => r?,
            Err(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no answer from {peer} within {} ms", timeout.as_millis()),
                ));
            }
        };
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    pub(crate) async fn tcp_connect_from(
        &self,
        peer: SocketAddr,
        local: Option<SocketAddr>,
        timeout: Duration,
    ) -> io::Result<tokio::net::TcpStream> {
        let sock = self.socket_for(Type::STREAM, peer, local)?;
        let sock = tokio::net::TcpSocket::from_std_stream(sock.into());
        match tokio::time::timeout(timeout, sock.connect(peer)).await {
            Ok(r) => r,
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no answer from {peer} within {} ms", timeout.as_millis()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forced_family_keeps_only_its_nameservers() {
        let net = NetOptions {
            resolvers: vec![
                "192.0.2.53:53".parse().unwrap(),
                "[2001:db8::53]:53".parse().unwrap(),
            ],
            family: Some(Family::Ipv6),
            ..NetOptions::default()
        };
        assert_eq!(
            net.nameservers().unwrap(),
            ["[2001:db8::53]:53".parse().unwrap()]
        );
        let net = NetOptions {
            resolvers: vec!["192.0.2.53:53".parse().unwrap()],
            family: Some(Family::Ipv6),
            ..NetOptions::default()
        };
        let e = net.nameservers().unwrap_err();
        assert_eq!(e.as_label(), "no_nameserver_of_family");
        assert!(e.to_string().contains("192.0.2.53:53"), "{e}");
    }

    #[test]
    fn confined_without_a_source_refuses_instead_of_leaving_unbound() {
        let net = NetOptions {
            source_v6: Some(Ipv6Addr::LOCALHOST),
            confined: true,
            ..NetOptions::default()
        };
        // 192.0.2.1 (TEST-NET-1): nothing is sent, the socket is refused before connect.
        let e = net
            .socket_for(Type::DGRAM, "192.0.2.1:123".parse().unwrap(), None)
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NetworkUnreachable);
        assert!(e.to_string().contains("no ipv4 address"), "{e}");
        // Loopback peers are never confined.
        assert!(
            net.socket_for(Type::DGRAM, "127.0.0.1:123".parse().unwrap(), None)
                .is_ok()
        );
    }

    #[test]
    fn forced_family_refuses_the_other_family() {
        let net = NetOptions {
            family: Some(Family::Ipv6),
            ..NetOptions::default()
        };
        let e = net
            .socket_for(Type::STREAM, "192.0.2.1:443".parse().unwrap(), None)
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AddrNotAvailable);
    }

    #[tokio::test]
    async fn tcp_connect_reaches_a_listener_and_names_a_refusal() {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let net = NetOptions::default();
        assert!(net.tcp_connect(addr).await.is_ok());
        drop(l);
        let e = net
            .tcp_connect_within(addr, Duration::from_secs(2))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused);
    }

    #[test]
    fn route_source_to_loopback_is_loopback() {
        let s = route_to("127.0.0.1:53".parse().unwrap()).unwrap();
        assert!(s.is_loopback(), "{s}");
        assert_eq!(route_source(s), Some(s));
    }
}

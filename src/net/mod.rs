//! The seam between probes and the operating system's sockets and resolver: which nameservers to ask,
//! which source address or device to leave from, and sockets made that way. Probes get sockets only
//! from here. Depends on `platform` for device binding; never on probes, engine or output.

use hickory_resolver::Resolver;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

pub type DnsResolver = Resolver<TokioRuntimeProvider>;

/// How this machine's traffic leaves for the probes.
#[derive(Clone, Debug, Default)]
pub struct NetOptions {
    /// Nameservers to ask instead of the system's.
    pub resolvers: Vec<SocketAddr>,
    pub source_v4: Option<Ipv4Addr>,
    pub source_v6: Option<Ipv6Addr>,
    /// Bind every socket to this device (Linux); elsewhere use a source address.
    pub device: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("cannot read the system's DNS configuration: {0}")]
    SystemConfig(String),
    #[error("the system has no DNS server configured; give one with --resolver")]
    NoNameserver,
    #[error("cannot build the resolver: {0}")]
    Resolver(String),
}

impl NetError {
    pub fn as_label(&self) -> &'static str {
        match self {
            NetError::SystemConfig(_) => "system_config",
            NetError::NoNameserver => "no_nameserver",
            NetError::Resolver(_) => "resolver",
        }
    }
}

impl NetOptions {
    fn source_for(&self, peer: &IpAddr) -> Option<IpAddr> {
        match peer {
            IpAddr::V4(_) => self.source_v4.map(IpAddr::V4),
            IpAddr::V6(_) => self.source_v6.map(IpAddr::V6),
        }
    }

    /// A resolver that really asks on every lookup: cache off, one attempt, no hosts file.
    pub fn resolver(&self, timeout: Duration) -> Result<DnsResolver, NetError> {
        let config = if self.resolvers.is_empty() {
            let (cfg, _) = hickory_resolver::system_conf::read_system_conf()
                .map_err(|e| NetError::SystemConfig(e.to_string()))?;
            if cfg.name_servers().is_empty() {
                return Err(NetError::NoNameserver);
            }
            let servers = cfg
                .name_servers()
                .iter()
                .map(|ns| self.nameserver(SocketAddr::new(ns.ip, 53)))
                .collect();
            ResolverConfig::from_parts(None, vec![], servers)
        } else {
            let servers = self.resolvers.iter().map(|a| self.nameserver(*a)).collect();
            ResolverConfig::from_parts(None, vec![], servers)
        };
        let mut opts = ResolverOpts::default();
        opts.cache_size = 0;
        opts.attempts = 1;
        opts.timeout = timeout;
        opts.use_hosts_file = ResolveHosts::Never;
        opts.ndots = 0;
        opts.edns0 = true;
        Resolver::builder_with_config(config, TokioRuntimeProvider::default())
            .with_options(opts)
            .build()
            .map_err(|e| NetError::Resolver(e.to_string()))
    }

    fn nameserver(&self, addr: SocketAddr) -> NameServerConfig {
        let conn = |mut c: ConnectionConfig| {
            c.port = addr.port();
            c.bind_addr = self.source_for(&addr.ip()).map(|ip| SocketAddr::new(ip, 0));
            c
        };
        NameServerConfig::new(
            addr.ip(),
            true,
            vec![conn(ConnectionConfig::udp()), conn(ConnectionConfig::tcp())],
        )
    }

    /// A UDP socket connected to `peer` (so ICMP errors come back as `ConnectionRefused`), leaving
    /// from the configured source address or device.
    pub fn udp_connected(&self, peer: SocketAddr) -> io::Result<tokio::net::UdpSocket> {
        let domain = if peer.is_ipv4() {
            Domain::IPV4
        } else {
            Domain::IPV6
        };
        let sock = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))?;
        if peer.is_ipv6() {
            sock.set_only_v6(true)?;
        }
        if let Some(dev) = &self.device {
            crate::platform::bind_device(&socket2::SockRef::from(&sock), dev)?;
        }
        let local = match self.source_for(&peer.ip()) {
            Some(ip) => SocketAddr::new(ip, 0),
            None if peer.is_ipv4() => SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), 0),
            None => SocketAddr::new(Ipv6Addr::UNSPECIFIED.into(), 0),
        };
        sock.bind(&local.into())?;
        sock.set_nonblocking(true)?;
        sock.connect(&peer.into())?;
        tokio::net::UdpSocket::from_std(sock.into())
    }

    /// A TCP connection to `peer`, leaving from the configured source address or device. The
    /// caller puts the deadline on it.
    pub async fn tcp_connect(&self, peer: SocketAddr) -> io::Result<tokio::net::TcpStream> {
        let sock = if peer.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        if let Some(dev) = &self.device {
            let s2 = socket2::SockRef::from(&sock);
            crate::platform::bind_device(&s2, dev)?;
        }
        if let Some(ip) = self.source_for(&peer.ip()) {
            sock.bind(SocketAddr::new(ip, 0))?;
        }
        sock.set_nodelay(true)?;
        sock.connect(peer).await
    }
}

/// The address this machine would leave from towards `peer`, by the routing table: a UDP socket
/// is connected (which sends nothing) and its local address read. `None` without a route.
pub fn route_source(peer: IpAddr) -> Option<IpAddr> {
    let any: SocketAddr = match peer {
        IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        IpAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let sock = std::net::UdpSocket::bind(any).ok()?;
    sock.connect(SocketAddr::new(peer, 9)).ok()?;
    let ip = sock.local_addr().ok()?.ip();
    (!ip.is_unspecified()).then_some(ip)
}

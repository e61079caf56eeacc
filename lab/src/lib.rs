//! The lab: a simulated OQS network on loopback (round-robin DNS, per-member NTP servers, TLS
//! servers for the OQS hosts and the distribution server that demand a client certificate from the
//! lab's own PKI, the distribution base's proxy and a WPAD/PAC server, all with adjustable
//! faults), a test instrument. A crate of its own (`oqs-net-lab`, re-exported by the product as
//! `oqs_net::lab`), so it cannot import the product's probes, model or output; probes never depend
//! on it.
//!
//! # Shape
//! - [`LabSpec`] is plain data (TOML-deserialisable): the DNS names and their answers, the NTP members
//!   and each one's behaviour, and a fixed added latency.
//! - [`Lab::start`] binds every socket before it returns, then serves until [`Lab::shutdown`] or drop.
//!   Servers read the live spec per packet, so [`Lab::update`] changes faults at runtime.
//! - [`scenario`] turns named fault files (`fixtures/lab/*.toml`, also built in) into edits of a
//!   healthy spec.
//! - [`schedule`] changes a running lab over time (flapping, a member dying, drifting clocks,
//!   round-robin membership), from `fixtures/lab/faults/*.toml` or a file.
//!
//! # Latency model
//! `latency_ms` is added to every reply without queueing (each delayed reply is its own task), the
//! proxy's answer to a CONNECT and the WPAD server's answers too. For NTP it is modelled as a symmetric network path: the receive timestamp is stamped half the latency
//! after arrival and the transmit timestamp half the latency before departure, so a client measures
//! a round-trip delay of about `latency_ms` and still sees the configured offset.

mod dns;
mod ntp;
pub mod pki;
pub mod proxy;
pub mod scenario;
pub mod schedule;
pub mod tls;
pub mod wpad;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use serde::{Deserialize, Deserializer, Serialize};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use proxy::{LabProxy, ProxyFault};
pub use scenario::{Scenario, ScenarioError};
pub use tls::{LabTls, TlsFault};
pub use wpad::{LabWpad, WpadFault};

/// Everything the lab serves. Bindings (`dns_bind`, `ntp_port`, member addresses) are fixed at
/// [`Lab::start`]; the rest can be changed at runtime with [`Lab::update`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabSpec {
    /// Where the DNS server listens (UDP and TCP on the same port). Default `127.0.0.1:0`.
    pub dns_bind: SocketAddr,
    /// NTP port shared by every member address; 0 picks one free unprivileged port usable on all.
    pub ntp_port: u16,
    /// Fixed latency added to every DNS and NTP reply.
    pub latency_ms: u64,
    /// The names the DNS server is authoritative for.
    pub names: Vec<LabName>,
    /// One NTP server per member address.
    pub members: Vec<LabMember>,
    /// TLS servers (each on a port of its own, on every `tls_bind` address). Their host names
    /// are answered by the DNS server with the `tls_bind` addresses unless `names` has them.
    pub tls: Vec<LabTls>,
    /// Where the TLS servers listen; empty: 127.0.0.1. The proxy and the WPAD server listen
    /// there too.
    pub tls_bind: Vec<IpAddr>,
    /// The distribution base's proxy stand-in (an HTTP CONNECT proxy); `None`: no proxy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<LabProxyConf>,
    /// The WPAD / PAC web server; `None`: none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wpad: Option<LabWpadConf>,
}

/// The lab's HTTP CONNECT proxy. It reaches the lab's names (the TLS servers) by the addresses the
/// DNS server gives them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabProxyConf {
    /// The name the DNS server answers with the proxy's addresses.
    pub name: String,
    /// 0 picks a free port.
    pub port: u16,
    pub fault: ProxyFault,
    /// Nothing listens on the port: connections are refused.
    pub down: bool,
}

impl Default for LabProxyConf {
    fn default() -> Self {
        LabProxyConf {
            name: "proxy.lab.test".into(),
            port: 0,
            fault: ProxyFault::None,
            down: false,
        }
    }
}

/// The lab's WPAD / PAC web server: HTTP on one port and, when the lab has a PKI, HTTPS on
/// another, serving `script` at `/wpad.dat` and any `*.pac` path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabWpadConf {
    /// Names the DNS server answers with the server's addresses (`wpad.<domain>`, a PAC host).
    pub names: Vec<String>,
    /// 0 picks a free port.
    pub port: u16,
    /// The PAC file. `PROXY <proxy name>:8080` in it is served with the lab proxy's real port.
    pub script: String,
    pub fault: WpadFault,
}

impl Default for LabWpadConf {
    fn default() -> Self {
        LabWpadConf {
            names: Vec::new(),
            port: 0,
            script: String::new(),
            fault: WpadFault::None,
        }
    }
}

impl Default for LabSpec {
    fn default() -> Self {
        Self {
            dns_bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            ntp_port: 0,
            latency_ms: 0,
            names: Vec::new(),
            members: Vec::new(),
            tls: Vec::new(),
            tls_bind: Vec::new(),
            proxy: None,
            wpad: None,
        }
    }
}

impl LabSpec {
    /// A healthy network: `rr_name` answers with every member (A and AAAA), rotating; fallback `i`
    /// answers with the `i`-th address of each family (wrapping if there are more fallbacks than
    /// addresses, so fallbacks are always inside the set); every member runs a healthy NTP server
    /// (stratum 2, offset 0). Members are ordered v4 first, then v6. `names[0]` is the round-robin
    /// name and `names[1..]` the fallbacks, which is the order [`scenario`] roles refer to.
    pub fn healthy(rr_name: &str, fallbacks: &[&str], v4: &[Ipv4Addr], v6: &[Ipv6Addr]) -> LabSpec {
        let mut names = vec![LabName {
            name: rr_name.to_owned(),
            a: v4.to_vec(),
            aaaa: v6.to_vec(),
            ..LabName::default()
        }];
        for (i, fallback) in fallbacks.iter().enumerate() {
            let pick_v4 = (!v4.is_empty()).then(|| v4[i % v4.len()]);
            let pick_v6 = (!v6.is_empty()).then(|| v6[i % v6.len()]);
            names.push(LabName {
                name: (*fallback).to_owned(),
                a: pick_v4.into_iter().collect(),
                aaaa: pick_v6.into_iter().collect(),
                ..LabName::default()
            });
        }
        let members = v4
            .iter()
            .map(|ip| IpAddr::V4(*ip))
            .chain(v6.iter().map(|ip| IpAddr::V6(*ip)))
            .map(LabMember::healthy)
            .collect();
        LabSpec {
            names,
            members,
            ..LabSpec::default()
        }
    }

    /// The name entry matching `name` case-insensitively, with or without a trailing dot.
    pub fn name(&self, name: &str) -> Option<&LabName> {
        let key = normalize_name(name);
        self.names.iter().find(|n| normalize_name(&n.name) == key)
    }

    /// The member bound on `ip`, if any.
    pub fn member(&self, ip: IpAddr) -> Option<&LabMember> {
        self.members.iter().find(|m| m.ip == ip)
    }
}

/// One DNS name and how the lab answers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabName {
    /// e.g. `ntp.base.oqs-pdl.org`; matched case-insensitively, with or without a trailing dot.
    pub name: String,
    pub a: Vec<Ipv4Addr>,
    pub aaaa: Vec<Ipv6Addr>,
    /// Default 300.
    pub ttl: u32,
    /// Default true: each answer list is rotated by one relative to the previous query for the same
    /// (name, type), like BIND's `rrset-order cyclic`. The first query gets the list as written.
    pub rotate: bool,
    /// Answer with this rcode and no records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rcode: Option<LabRcode>,
    /// Never answer (the client times out).
    pub silent: bool,
}

impl Default for LabName {
    fn default() -> Self {
        Self {
            name: String::new(),
            a: Vec::new(),
            aaaa: Vec::new(),
            ttl: 300,
            rotate: true,
            rcode: None,
            silent: false,
        }
    }
}

/// The error rcodes a name can be configured to return.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LabRcode {
    #[serde(rename = "NXDOMAIN", alias = "NxDomain", alias = "nxdomain")]
    NxDomain,
    #[serde(rename = "SERVFAIL", alias = "ServFail", alias = "servfail")]
    ServFail,
    #[serde(rename = "REFUSED", alias = "Refused", alias = "refused")]
    Refused,
}

/// One NTP server of the lab.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabMember {
    pub ip: IpAddr,
    #[serde(default)]
    pub ntp: NtpBehaviour,
}

impl LabMember {
    /// A member with a healthy NTP server (stratum 2, offset 0).
    pub fn healthy(ip: IpAddr) -> LabMember {
        LabMember {
            ip,
            ntp: NtpBehaviour::default(),
        }
    }
}

/// How one member's NTP server behaves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NtpBehaviour {
    /// No reply at all.
    pub dead: bool,
    /// Server clock = real clock + offset.
    pub offset_ms: f64,
    /// Default 2.
    pub stratum: u8,
    /// Leap indicator, default 0; 3 = unsynchronised.
    pub leap: u8,
    /// e.g. "RATE", "DENY", "RSTR": the reply is a kiss-o'-death (stratum 0, refid = code, LI 3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kod: Option<String>,
    pub reply: ReplyShape,
    /// Reference id; default "LAB\0" for stratum 1, else the bytes of 127.0.0.1. In TOML either four
    /// integers or a string of at most four ASCII characters.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_ref_id"
    )]
    pub ref_id: Option<[u8; 4]>,
}

impl Default for NtpBehaviour {
    fn default() -> Self {
        Self {
            dead: false,
            offset_ms: 0.0,
            stratum: 2,
            leap: 0,
            kod: None,
            reply: ReplyShape::Normal,
            ref_id: None,
        }
    }
}

/// The shape of an NTP reply, for malformed-reply faults.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReplyShape {
    #[default]
    #[serde(alias = "Normal")]
    Normal,
    /// Only the first 20 bytes are sent.
    #[serde(alias = "Truncated")]
    Truncated,
    /// Mode 3 (client) instead of 4 (server).
    #[serde(alias = "WrongMode")]
    WrongMode,
    /// The origin timestamp is not the client's transmit timestamp.
    #[serde(alias = "WrongOrigin")]
    WrongOrigin,
    /// The transmit timestamp is 0.
    #[serde(alias = "ZeroTransmit")]
    ZeroTransmit,
}

/// Accepts `ref_id = [76, 65, 66, 0]` or `ref_id = "GPS"` (ASCII, at most four bytes, NUL-padded).
pub(crate) fn deserialize_ref_id<'de, D: Deserializer<'de>>(
    de: D,
) -> Result<Option<[u8; 4]>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum RefId {
        Bytes([u8; 4]),
        Text(String),
    }
    match Option::<RefId>::deserialize(de)? {
        None => Ok(None),
        Some(RefId::Bytes(b)) => Ok(Some(b)),
        Some(RefId::Text(s)) => ref_id_from_text(&s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("ref_id text must be 1 to 4 ASCII characters")),
    }
}

/// `"RATE"` -> `*b"RATE"`, `"GPS"` -> `*b"GPS\0"`; `None` unless 1..=4 ASCII characters.
pub(crate) fn ref_id_from_text(s: &str) -> Option<[u8; 4]> {
    if s.is_empty() || s.len() > 4 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 4];
    out[..s.len()].copy_from_slice(s.as_bytes());
    Some(out)
}

/// Lower-case, no trailing dot: the form names are matched and counted in.
pub(crate) fn normalize_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Counters that tests use to see what the lab was asked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabStats {
    /// Well-formed DNS queries received, by (name lower-cased without trailing dot, type mnemonic
    /// such as "A" or "AAAA").
    pub dns_queries: BTreeMap<(String, String), u64>,
    /// DNS replies sent, by the same key (silent names are queried but never answered).
    pub dns_replies: BTreeMap<(String, String), u64>,
    /// DNS messages dropped because they were not a decodable query.
    pub dns_malformed: u64,
    /// Well-formed NTP client requests received, per member address (dead members count too).
    pub ntp_requests: BTreeMap<IpAddr, u64>,
    /// NTP replies sent, per member address.
    pub ntp_replies: BTreeMap<IpAddr, u64>,
    /// NTP datagrams ignored (shorter than 48 bytes, or not mode 3).
    pub ntp_malformed: u64,
    /// TCP connections accepted by the TLS servers.
    pub tls_connections: u64,
    /// TLS handshakes completed by the TLS servers.
    pub tls_handshakes: u64,
    /// CONNECT requests the proxy received.
    pub proxy_connects: u64,
    /// Requests the WPAD / PAC server received.
    pub wpad_requests: u64,
}

impl LabStats {
    fn key(name: &str, rtype: &str) -> (String, String) {
        (normalize_name(name), rtype.to_ascii_uppercase())
    }
    /// DNS queries received for `name` (any case, trailing dot optional) and `rtype` ("A", "AAAA").
    pub fn dns_queries_for(&self, name: &str, rtype: &str) -> u64 {
        self.dns_queries
            .get(&Self::key(name, rtype))
            .copied()
            .unwrap_or(0)
    }
    /// DNS replies sent for `name` and `rtype`.
    pub fn dns_replies_for(&self, name: &str, rtype: &str) -> u64 {
        self.dns_replies
            .get(&Self::key(name, rtype))
            .copied()
            .unwrap_or(0)
    }
    /// NTP requests received by the member on `ip`.
    pub fn ntp_requests_for(&self, ip: IpAddr) -> u64 {
        self.ntp_requests.get(&ip).copied().unwrap_or(0)
    }
    /// NTP replies sent by the member on `ip`.
    pub fn ntp_replies_for(&self, ip: IpAddr) -> u64 {
        self.ntp_replies.get(&ip).copied().unwrap_or(0)
    }
    /// Everything received from clients at all: DNS queries (well-formed or not), NTP datagrams,
    /// TCP connections to the TLS servers. Zero means nothing reached this lab.
    pub fn anything_received(&self) -> u64 {
        self.dns_queries.values().sum::<u64>()
            + self.dns_malformed
            + self.ntp_requests.values().sum::<u64>()
            + self.ntp_malformed
            + self.tls_connections
            + self.proxy_connects
            + self.wpad_requests
    }
}

/// Why the lab could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LabError {
    /// A socket could not be bound.
    #[error("lab {service} server cannot bind {addr}: {source}{hint}", hint = bind_hint(.source))]
    Bind {
        service: &'static str,
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },
    /// With `ntp_port = 0`, no port was free on every member address.
    #[error(
        "lab NTP servers found no port free on every member address after {attempts} attempts \
         (last conflict on {addr}: {source})"
    )]
    NoCommonPort {
        attempts: u32,
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },
    /// Two members share one address.
    #[error("lab spec lists NTP member {ip} more than once; each member needs its own address")]
    DuplicateMember { ip: IpAddr },
    /// The PKI for the TLS servers could not be made.
    #[error("{0}")]
    Pki(#[from] pki::PkiError),
}

impl LabError {
    /// Stable short label for JSON, metrics and JUnit.
    pub fn as_label(&self) -> &'static str {
        match self {
            LabError::Bind { .. } => "lab_bind",
            LabError::NoCommonPort { .. } => "lab_no_common_port",
            LabError::DuplicateMember { .. } => "lab_duplicate_member",
            LabError::Pki(e) => e.as_label(),
        }
    }
}

fn bind_hint(e: &io::Error) -> &'static str {
    match e.kind() {
        io::ErrorKind::AddrNotAvailable => {
            " (the address is not assigned to any local interface: Linux routes all of 127.0.0.0/8 \
             to lo, but an IPv6 address other than ::1 must first be added to an interface, and \
             ::1 itself is missing when IPv6 is disabled)"
        }
        io::ErrorKind::PermissionDenied => {
            " (ports below 1024 need privileges; use port 0 to pick a free one)"
        }
        io::ErrorKind::AddrInUse => " (another socket already uses this address and port)",
        _ => "",
    }
}

/// State shared between the [`Lab`] handle and its server tasks. No lock is held across an await.
#[derive(Debug)]
struct Shared {
    spec: RwLock<LabSpec>,
    /// Next rotation per (normalised name, record type).
    rotation: Mutex<HashMap<(String, u16), usize>>,
    stats: Mutex<LabStats>,
}

impl Shared {
    fn spec(&self) -> std::sync::RwLockReadGuard<'_, LabSpec> {
        self.spec.read().unwrap_or_else(PoisonError::into_inner)
    }
    fn stats(&self) -> MutexGuard<'_, LabStats> {
        self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }
    fn rotation(&self) -> MutexGuard<'_, HashMap<(String, u16), usize>> {
        self.rotation.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running lab. Dropping it or calling [`Lab::shutdown`] stops every server.
pub struct Lab {
    shared: Arc<Shared>,
    dns_addr: SocketAddr,
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

/// The WPAD / PAC server on each `tls_bind` address, plain and (with a PKI) over TLS.
#[derive(Default)]
struct WpadServers {
    servers: Vec<LabWpad>,
    http_port: Option<u16>,
    https_port: Option<u16>,
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

        let shared = Arc::new(Shared {
            spec: RwLock::new(spec),
            rotation: Mutex::new(HashMap::new()),
            stats: Mutex::new(LabStats::default()),
        });
        let cancel = CancellationToken::new();
        let mut tasks = JoinSet::new();
        tasks.spawn(dns::serve_udp(
            Arc::new(udp),
            shared.clone(),
            cancel.clone(),
        ));
        tasks.spawn(dns::serve_tcp(tcp, shared.clone(), cancel.clone()));
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
        let mut spec = self
            .shared
            .spec
            .write()
            .unwrap_or_else(PoisonError::into_inner);
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

/// A name answered with the addresses a lab server listens on.
fn listening_name(host: &str, bind: &[IpAddr]) -> LabName {
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
fn proxy_hosts(names: &[LabName]) -> BTreeMap<String, IpAddr> {
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
async fn start_proxies(
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
fn served_script(w: &LabWpadConf, proxy: Option<&LabProxyConf>, port: u16) -> String {
    match proxy {
        Some(p) if port != 0 && port != 8080 => w
            .script
            .replace(&format!("{}:8080", p.name), &format!("{}:{port}", p.name)),
        _ => w.script.clone(),
    }
}

async fn start_wpads(
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

impl Drop for Lab {
    fn drop(&mut self) {
        self.cancel.cancel();
        // Dropping `tasks` aborts whatever is still running.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthy_spec_puts_fallbacks_inside_the_set() {
        let v4 = [Ipv4Addr::new(127, 0, 0, 1), Ipv4Addr::new(127, 0, 0, 2)];
        let v6 = [Ipv6Addr::LOCALHOST];
        let spec = LabSpec::healthy("ntp.example", &["ntp1.example", "ntp2.example"], &v4, &v6);
        assert_eq!(spec.names.len(), 3);
        assert_eq!(spec.names[0].a, v4);
        assert_eq!(spec.names[0].aaaa, v6);
        assert!(spec.names[0].rotate);
        assert_eq!(spec.names[1].a, [v4[0]]);
        assert_eq!(spec.names[2].a, [v4[1]]);
        assert_eq!(spec.names[2].aaaa, [v6[0]], "wraps around");
        assert_eq!(spec.members.len(), 3);
        assert!(
            spec.members
                .iter()
                .all(|m| m.ntp == NtpBehaviour::default())
        );
        assert_eq!(spec.members[0].ntp.stratum, 2);
        assert_eq!(
            spec.name("NTP1.Example.").map(|n| n.a.clone()),
            Some(vec![v4[0]])
        );
    }

    #[test]
    fn spec_round_trips_through_toml() {
        let text = r#"
            dns_bind = "127.0.0.1:0"
            latency_ms = 5
            [[names]]
            name = "ntp.example"
            a = ["127.0.0.1"]
            rcode = "SERVFAIL"
            [[members]]
            ip = "127.0.0.1"
            [[members]]
            ip = "::1"
            ntp = { stratum = 1, ref_id = "GPS", reply = "wrong-origin", kod = "RATE" }
        "#;
        let spec: LabSpec = toml::from_str(text).expect("parses");
        assert_eq!(spec.names[0].ttl, 300);
        assert_eq!(spec.names[0].rcode, Some(LabRcode::ServFail));
        assert_eq!(spec.members[0].ntp, NtpBehaviour::default());
        assert_eq!(spec.members[1].ntp.ref_id, Some(*b"GPS\0"));
        assert_eq!(spec.members[1].ntp.reply, ReplyShape::WrongOrigin);
        let again: LabSpec =
            toml::from_str(&toml::to_string(&spec).expect("serialises")).expect("reparses");
        assert_eq!(again, spec);
        assert!(toml::from_str::<LabSpec>("bogus = 1").is_err());
    }

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

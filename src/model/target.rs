//! What a round checks: the validated profile (modes, environments, hosts, thresholds).

use serde::Serialize;
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

/// The line type of the terminal: it decides the fallbacks and the address family expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// IP-VPN (commonly NTT NGN, OQS adapter IPv6-only).
    Ipvpn,
    /// IPsec+IKE over the internet (IPv4).
    Ipsec,
}

impl Mode {
    pub fn as_label(self) -> &'static str {
        match self {
            Mode::Ipvpn => "ipvpn",
            Mode::Ipsec => "ipsec",
        }
    }
}

/// Production (本番環境) or connection verification (接続検証環境).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Production,
    Verification,
}

impl Environment {
    pub fn as_label(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Verification => "verification",
        }
    }

    /// Production for verification and the other way round.
    pub fn other(self) -> Environment {
        match self {
            Environment::Production => Environment::Verification,
            Environment::Verification => Environment::Production,
        }
    }
}

/// A host name or IP literal with an optional port (`name`, `name:123`, `[2001:db8::1]:123`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HostPort {
    pub host: String,
    pub port: Option<u16>,
}

impl HostPort {
    /// Parses `host`, `host:port`, `v4:port`, `[v6]:port` or a bare IPv6 literal.
    pub fn parse(s: &str) -> Result<HostPort, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty host".into());
        }
        if let Some(rest) = s.strip_prefix('[') {
            let (host, tail) = rest
                .split_once(']')
                .ok_or_else(|| format!("`{s}`: missing `]`"))?;
            host.parse::<std::net::Ipv6Addr>()
                .map_err(|_| format!("`{host}` is not an IPv6 address"))?;
            let port = match tail {
                "" => None,
                t => {
                    Some(parse_port(t.strip_prefix(':').ok_or_else(|| {
                        format!("`{s}`: expected `:port` after `]`")
                    })?)?)
                }
            };
            return Ok(HostPort {
                host: host.to_string(),
                port,
            });
        }
        if s.parse::<std::net::Ipv6Addr>().is_ok() {
            return Ok(HostPort {
                host: s.to_string(),
                port: None,
            });
        }
        let (host, port) = match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(parse_port(p)?)),
            None => (s, None),
        };
        validate_hostname(host)?;
        Ok(HostPort {
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }

    /// The host as a socket address; it must be an IP literal (a nameserver, say).
    pub fn socket_addr(&self, default_port: u16) -> Result<std::net::SocketAddr, String> {
        let ip = self
            .ip()
            .ok_or_else(|| format!("`{}` is not an IP address", self.host))?;
        Ok(std::net::SocketAddr::new(ip, self.port_or(default_port)))
    }

    pub fn port_or(&self, default: u16) -> u16 {
        self.port.unwrap_or(default)
    }
}

fn parse_port(p: &str) -> Result<u16, String> {
    match p.parse::<u16>() {
        Ok(0) | Err(_) => Err(format!("`{p}` is not a port (1-65535)")),
        Ok(n) => Ok(n),
    }
}

fn validate_hostname(h: &str) -> Result<(), String> {
    if h.parse::<IpAddr>().is_ok() {
        return Ok(());
    }
    let name = h.strip_suffix('.').unwrap_or(h);
    if name.is_empty() || name.len() > 253 {
        return Err(format!("`{h}` is not a host name"));
    }
    for label in name.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(format!("`{h}` is not a valid host name (label `{label}`)"));
        }
    }
    Ok(())
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.port, self.host.contains(':')) {
            (None, _) => f.write_str(&self.host),
            (Some(p), true) => write!(f, "[{}]:{p}", self.host),
            (Some(p), false) => write!(f, "{}:{p}", self.host),
        }
    }
}

impl Serialize for HostPort {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl schemars::JsonSchema for HostPort {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "HostPort".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A host name or IP literal with an optional port (`name:123`, `[2001:db8::1]:123`)."
        })
    }
}

/// A checked profile: everything a round needs, already validated.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Profile {
    pub name: String,
    /// Where it came from: `builtin:NAME` or a file path.
    pub source: String,
    pub description: String,
    pub mode: Mode,
    pub environment: Environment,
    /// A provider whose hosts override the defaults (for example an IPsec+IKE provider's own NTP).
    pub provider: Option<String>,
    pub dns: DnsSettings,
    pub ntp: NtpSettings,
    pub tls: Vec<TlsEndpoint>,
    /// The client side of the TLS probes: CA bundle, PFX, password source, selection, thresholds.
    pub tls_settings: super::TlsSettings,
    pub proxy: Option<ProxySettings>,
    pub adapter: AdapterExpect,
    /// The line's own checks (`[line]`): NGN line authentication and the NGN's DNS servers.
    pub line: super::LineSettings,
    pub acceptance: Acceptance,
    pub soak: SoakSettings,
    /// When a measurement that succeeded counts as slow (`[slowness]`).
    pub slowness: Slowness,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DnsSettings {
    /// Nameservers to ask (empty: the system's); `--resolver` replaces them.
    pub resolvers: Vec<std::net::SocketAddr>,
    /// The round-robin NTP name (補24).
    pub round_robin: HostPort,
    /// Single-address names for devices without round-robin support (補24).
    pub fallbacks: Vec<HostPort>,
    /// Whether the name is expected to answer with several addresses.
    pub expect_round_robin: bool,
    /// Repeated queries per name and record type.
    pub queries: u32,
    #[serde(serialize_with = "ser_ms")]
    #[schemars(with = "u64")]
    pub timeout: Duration,
    /// The address families a terminal of this mode uses (and NTP probes).
    pub families: Vec<Family>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct NtpSettings {
    pub port: u16,
    pub samples: u32,
    /// Pacing between the samples sent to one server.
    #[serde(serialize_with = "ser_ms")]
    #[schemars(with = "u64")]
    pub interval: Duration,
    #[serde(serialize_with = "ser_ms")]
    #[schemars(with = "u64")]
    pub timeout: Duration,
    pub offset_warn_ms: f64,
    pub offset_fail_ms: f64,
    /// Largest spread of offsets between members before they count as disagreeing.
    pub disagreement_ms: f64,
}

/// A TLS endpoint: an OQS host or the distribution server (port 443 unless given).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct TlsEndpoint {
    pub name: String,
    pub host: HostPort,
    /// Whether the server is expected to demand a client certificate.
    pub client_certificate: bool,
    /// When set, one HTTPS GET of this path over the probed connection.
    pub request: Option<String>,
}

/// The proxy installers set and the bypass list beside it.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ProxySettings {
    pub server: HostPort,
    pub bypass: Vec<String>,
    /// Internet-bound hosts the terminal reaches through the proxy (Windows Update, 補22): each
    /// is checked to go that way, with a CONNECT through it.
    pub internet: Vec<HostPort>,
}

/// What the OQS adapter should look like (補35).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct AdapterExpect {
    pub name: Option<String>,
    pub ipv6_only: bool,
}

/// Hand-over criteria for an acceptance soak.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Acceptance {
    pub min_availability_pct: f64,
    pub max_flaps: u32,
    pub max_ntp_offset_ms: f64,
    /// Every TLS endpoint's handshake time, 95th percentile.
    pub max_handshake_p95_ms: f64,
    /// Days the client certificate must still be valid at the end of the run.
    pub min_cert_days: u32,
    /// How long `oqs-net accept` soaks unless `--duration` says otherwise.
    pub duration_min: u32,
}

/// How a soak judges a target's history (`[soak]` in a profile; flags override).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct SoakSettings {
    /// Flapping starts when the weighted percent state change reaches this.
    pub flap_high_pct: f64,
    /// Flapping ends when it falls to this.
    pub flap_low_pct: f64,
}

impl Default for SoakSettings {
    fn default() -> Self {
        SoakSettings {
            flap_high_pct: 30.0,
            flap_low_pct: 20.0,
        }
    }
}

/// When a measurement that succeeded counts as slow (`[slowness]` in a profile): a warning in a
/// round, and in a soak report when the 95th percentile reaches it. Each lies well below its
/// timeout, where a network engineer starts asking why.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Slowness {
    /// A DNS answer (the median of a name's answers in a round). Windows' resolver moves on to
    /// its next server after 1 s; half of that leaves room.
    pub dns_answer_ms: f64,
    /// An NTP exchange's round-trip delay (the kept, minimum-delay sample): the offset is only
    /// known to half of it, so 100 ms keeps that error at half the offset warning.
    pub ntp_delay_ms: f64,
    /// A TCP connect: one round trip, which inside Japan takes tens of milliseconds.
    pub tcp_connect_ms: f64,
    /// A TLS handshake with the client certificate: two round trips and the server's work.
    pub tls_handshake_ms: f64,
}

impl Default for Slowness {
    fn default() -> Self {
        Slowness {
            dns_answer_ms: 500.0,
            ntp_delay_ms: 100.0,
            tcp_connect_ms: 300.0,
            tls_handshake_ms: 1000.0,
        }
    }
}

impl Slowness {
    /// The threshold of a soak latency phase (`dns`, `ntp`, `connect`, `tcp_connect`,
    /// `handshake`), if it has one.
    pub fn for_phase(&self, phase: &str) -> Option<f64> {
        match phase {
            "dns" => Some(self.dns_answer_ms),
            "ntp" => Some(self.ntp_delay_ms),
            "connect" | "tcp_connect" => Some(self.tcp_connect_ms),
            "handshake" => Some(self.tls_handshake_ms),
            _ => None,
        }
    }
}

pub use super::result::Family;

fn ser_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostport_forms() {
        let h = HostPort::parse("NTP.base.oqs-pdl.org").unwrap();
        assert_eq!((h.host.as_str(), h.port), ("ntp.base.oqs-pdl.org", None));
        let h = HostPort::parse("ntp.base.oqs-pdl.org:11123").unwrap();
        assert_eq!(h.port, Some(11123));
        let h = HostPort::parse("[::1]:53").unwrap();
        assert_eq!((h.host.as_str(), h.port), ("::1", Some(53)));
        assert_eq!(h.to_string(), "[::1]:53");
        let h = HostPort::parse("2404:1a8:f583:d00::53:1").unwrap();
        assert_eq!(h.port, None);
        assert_eq!(
            HostPort::parse("127.0.0.1:53").unwrap().ip(),
            Some([127, 0, 0, 1].into())
        );
    }

    #[test]
    fn hostport_rejects() {
        for bad in [
            "",
            "ntp..org",
            "ntp.org:0",
            "ntp.org:99999",
            "[::1",
            "bad host",
            "-a.org",
        ] {
            assert!(HostPort::parse(bad).is_err(), "{bad}");
        }
    }
}

//! What a round measured about the path through the OQS adapter: where the system routes each
//! address, TCP reachability of every address of each endpoint, and NAT64 as DNS64 reveals it.
//! Plain data, no I/O.

use super::AdapterMeasurement;
use crate::model::{DnsQuery, Family};
use serde::Serialize;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// What the system would do with traffic to one address of the round: the source address its
/// routing picks, hence the adapter it leaves by (found without sending anything).
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RouteProbe {
    #[serde(serialize_with = "super::ser_ip")]
    pub peer: IpAddr,
    /// What the round used the address for (`dns`, `ntp`, `tcp`).
    pub uses: Vec<String>,
    #[serde(serialize_with = "super::ser_opt_ip")]
    pub source: Option<IpAddr>,
    /// Why no route was found.
    pub error: Option<String>,
}

/// How one TCP connect ended.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TcpOutcome {
    Connected,
    /// RST: nothing listens, or a firewall rejects.
    Refused,
    /// No answer within the deadline.
    Timeout,
    /// No route from the adapter (network or host unreachable).
    Unreachable {
        detail: String,
    },
    /// The socket could not be made or bound here.
    Local {
        detail: String,
    },
}

impl TcpOutcome {
    pub fn as_label(&self) -> &'static str {
        match self {
            TcpOutcome::Connected => "connected",
            TcpOutcome::Refused => "refused",
            TcpOutcome::Timeout => "timeout",
            TcpOutcome::Unreachable { .. } => "unreachable",
            TcpOutcome::Local { .. } => "local",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TcpAttempt {
    #[serde(serialize_with = "super::ser_sock")]
    pub addr: SocketAddr,
    pub outcome: TcpOutcome,
    pub elapsed_ms: f64,
}

/// TCP reachability of one endpoint: its addresses of both families (so a missing AAAA is seen),
/// and a connect (nothing sent) to each address of the families the round uses.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct TcpTargetResult {
    /// The endpoint's name in the profile (`oqs-web`...).
    pub name: String,
    pub host: String,
    pub port: u16,
    /// The A lookup (none for an IP literal).
    pub a: Option<DnsQuery>,
    /// The AAAA lookup (none for an IP literal).
    pub aaaa: Option<DnsQuery>,
    pub families: Vec<Family>,
    pub attempts: Vec<TcpAttempt>,
}

impl TcpTargetResult {
    /// Every address the host has, A then AAAA (the literal itself for an IP literal).
    pub fn addresses(&self, family: Family) -> Vec<IpAddr> {
        if let Ok(ip) = self.host.parse::<IpAddr>() {
            return if Family::of(&ip) == family {
                vec![ip]
            } else {
                vec![]
            };
        }
        let q = match family {
            Family::Ipv4 => &self.a,
            Family::Ipv6 => &self.aaaa,
        };
        q.iter().flat_map(|q| &q.answers).map(|a| a.ip).collect()
    }

    pub fn subject(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// What `ipv4only.arpa` AAAA said (RFC 7050): synthesised answers reveal DNS64 and the NAT64
/// prefix behind it.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Nat64Result {
    pub query: DnsQuery,
    /// The NAT64 prefixes found in synthesised answers, as `prefix/len`.
    pub prefixes: Vec<Nat64Prefix>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Nat64Prefix {
    #[serde(serialize_with = "super::ser_ip6")]
    pub prefix: Ipv6Addr,
    pub len: u8,
}

impl Nat64Prefix {
    /// The well-known prefix 64:ff9b::/96 (RFC 6052).
    pub const WELL_KNOWN: Nat64Prefix = Nat64Prefix {
        prefix: Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0),
        len: 96,
    };

    pub fn is_well_known(&self) -> bool {
        *self == Nat64Prefix::WELL_KNOWN
    }

    /// Whether `ip` lies inside this prefix (a synthesised address).
    pub fn contains(&self, ip: &Ipv6Addr) -> bool {
        let bits = u32::from(self.len.min(128));
        let mask = if bits == 0 {
            0
        } else {
            u128::MAX << (128 - bits)
        };
        u128::from(*ip) & mask == u128::from(self.prefix) & mask
    }
}

impl std::fmt::Display for Nat64Prefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.prefix, self.len)
    }
}

/// The path part of a round: present when the round checks the OQS adapter.
#[derive(Clone, Debug, Default, Serialize, schemars::JsonSchema)]
pub struct PathMeasurements {
    pub adapter: Option<AdapterMeasurement>,
    /// The nameservers the round's DNS went to.
    #[serde(serialize_with = "super::ser_socks")]
    pub nameservers: Vec<SocketAddr>,
    pub routes: Vec<RouteProbe>,
    pub tcp: Vec<TcpTargetResult>,
    pub nat64: Option<Nat64Result>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nat64_prefix_containment() {
        let wk = Nat64Prefix::WELL_KNOWN;
        assert!(wk.contains(&"64:ff9b::c000:aa".parse().unwrap()));
        assert!(!wk.contains(&"2001:db8::c000:aa".parse().unwrap()));
        assert_eq!(wk.to_string(), "64:ff9b::/96");
        let p = Nat64Prefix {
            prefix: "2001:db8:100::".parse().unwrap(),
            len: 40,
        };
        assert!(p.contains(&"2001:db8:1c0:0:aa::".parse().unwrap()));
    }
}

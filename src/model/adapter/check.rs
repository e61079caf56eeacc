//! What the adapter check reports beside the measurements: the mode's rules for the OQS adapter
//! (補35) and whether each is met, the DNS servers it shows, the adapter each route leaves by, and the
//! addresses reached over IPv4. Plain data the judge fills, no I/O.

use super::RouteProbe;
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};

/// One rule the mode sets for the OQS adapter (補35), and whether the adapter meets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Expectation {
    pub rule: Rule,
    pub met: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The adapter is up.
    Up,
    /// IP-VPN: a usable global IPv6 address.
    GlobalIpv6,
    /// IP-VPN with an IPv6-only adapter: no IPv4 address bound (補35).
    NoIpv4,
    /// IP-VPN: a default route over IPv6 (router discovery).
    Ipv6DefaultRoute,
    /// IPsec+IKE: an IPv4 address.
    Ipv4,
    /// Where the platform tells DNS servers per adapter: some are set.
    DnsServers,
}

impl Rule {
    pub fn as_label(self) -> &'static str {
        match self {
            Rule::Up => "up",
            Rule::GlobalIpv6 => "global_ipv6",
            Rule::NoIpv4 => "no_ipv4",
            Rule::Ipv6DefaultRoute => "ipv6_default_route",
            Rule::Ipv4 => "ipv4",
            Rule::DnsServers => "dns_servers",
        }
    }
}

/// The DNS servers shown in the adapter section, and where the list comes from.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AdapterDns {
    #[serde(serialize_with = "super::ser_ips")]
    pub servers: Vec<IpAddr>,
    /// `adapter` (set on this adapter) or `system` (system-wide, the platform keeps no per-adapter
    /// list).
    pub scope: &'static str,
    /// Which known OQS DNS service they are (`NTT East`, `NTT West`), if any.
    pub known_as: Option<&'static str>,
}

/// One address of the round with the adapter the system's routing sends it by.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RouteView {
    #[serde(flatten)]
    pub probe: RouteProbe,
    /// The adapter holding the picked source address.
    pub adapter: Option<String>,
}

/// An address the round reached over IPv4, and for what.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Contact {
    pub what: &'static str,
    #[serde(serialize_with = "super::ser_sock")]
    pub addr: SocketAddr,
}

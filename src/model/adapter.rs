//! The machine's network adapters as plain data (the inventory the platform reads), which one is the
//! OQS adapter and how it was chosen, how sockets were bound to it, and what the round measured
//! about the path through it (routes, TCP reachability, NAT64). No I/O: probes and judges take these
//! as data, so tests give them any inventory they like.

use super::{DnsQuery, Family};
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Every adapter the operating system reported, at one moment.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Inventory {
    pub adapters: Vec<Adapter>,
    /// Whether DNS servers are known per adapter (Windows) or only system-wide (Linux:
    /// `/etc/resolv.conf`, then in `system_dns`).
    pub dns_per_adapter: bool,
    /// The system-wide DNS servers, where the platform has no per-adapter list.
    #[serde(serialize_with = "ser_ips")]
    pub system_dns: Vec<IpAddr>,
}

/// One adapter.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Adapter {
    /// The system's name (Linux `eth0`; Windows the adapter's GUID).
    pub name: String,
    /// The name people see (Windows `イーサネット 2`); none on Linux.
    pub friendly_name: Option<String>,
    pub index: u32,
    pub up: bool,
    pub loopback: bool,
    pub addresses: Vec<AdapterAddress>,
    /// Default gateways (the next hops of this adapter's default routes), IPv4 and IPv6.
    #[serde(serialize_with = "ser_ips")]
    pub gateways: Vec<IpAddr>,
    /// DNS servers set on this adapter (only where the platform tells them per adapter).
    #[serde(serialize_with = "ser_ips")]
    pub dns_servers: Vec<IpAddr>,
    pub mtu: Option<u32>,
}

/// One address of an adapter, with its prefix and the states that make it unusable.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AdapterAddress {
    #[serde(serialize_with = "ser_ip")]
    pub ip: IpAddr,
    pub prefix: u8,
    pub kind: AddressKind,
    /// Duplicate address detection still running (IPv6).
    pub tentative: bool,
    /// Duplicate address detection failed: another host holds it (IPv6).
    pub duplicated: bool,
    /// Preferred lifetime over: kept, but not for new connections (IPv6).
    pub deprecated: bool,
}

impl AdapterAddress {
    /// An address with no special state.
    pub fn new(ip: IpAddr, prefix: u8) -> AdapterAddress {
        AdapterAddress {
            ip,
            prefix,
            kind: AddressKind::of(&ip),
            tentative: false,
            duplicated: false,
            deprecated: false,
        }
    }

    /// Whether new connections can leave from it.
    pub fn usable(&self) -> bool {
        !self.tentative && !self.duplicated && !self.deprecated
    }
}

impl std::fmt::Display for AdapterAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.ip, self.prefix)?;
        if self.duplicated {
            f.write_str(" (duplicate)")?;
        } else if self.tentative {
            f.write_str(" (tentative)")?;
        } else if self.deprecated {
            f.write_str(" (deprecated)")?;
        }
        Ok(())
    }
}

/// Family and scope of an address, as the adapter section groups them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressKind {
    /// IPv6 global unicast (2000::/3): what NGN lines hand out.
    GlobalV6,
    /// IPv6 unique local (fc00::/7).
    UniqueLocalV6,
    /// IPv6 link-local (fe80::/10): every IPv6 adapter has one; it reaches nothing beyond the link.
    LinkLocalV6,
    /// Any other IPv6 (IPv4-mapped, site-local, multicast...).
    OtherV6,
    /// IPv4, any scope but the two below.
    Ipv4,
    /// IPv4 link-local (169.254/16): Windows' automatic address when DHCP got no answer.
    Ipv4LinkLocal,
    Loopback,
}

impl AddressKind {
    pub fn of(ip: &IpAddr) -> AddressKind {
        match ip {
            IpAddr::V4(v4) if v4.is_loopback() => AddressKind::Loopback,
            IpAddr::V4(v4) if v4.is_link_local() => AddressKind::Ipv4LinkLocal,
            IpAddr::V4(_) => AddressKind::Ipv4,
            IpAddr::V6(v6) if v6.is_loopback() => AddressKind::Loopback,
            IpAddr::V6(v6) => {
                let first = v6.segments()[0];
                if first & 0xffc0 == 0xfe80 {
                    AddressKind::LinkLocalV6
                } else if first & 0xfe00 == 0xfc00 {
                    AddressKind::UniqueLocalV6
                } else if first & 0xe000 == 0x2000 {
                    AddressKind::GlobalV6
                } else {
                    AddressKind::OtherV6
                }
            }
        }
    }

    pub fn is_ipv4(self) -> bool {
        matches!(self, AddressKind::Ipv4 | AddressKind::Ipv4LinkLocal)
    }

    pub fn as_label(self) -> &'static str {
        match self {
            AddressKind::GlobalV6 => "global_v6",
            AddressKind::UniqueLocalV6 => "unique_local_v6",
            AddressKind::LinkLocalV6 => "link_local_v6",
            AddressKind::OtherV6 => "other_v6",
            AddressKind::Ipv4 => "ipv4",
            AddressKind::Ipv4LinkLocal => "ipv4_link_local",
            AddressKind::Loopback => "loopback",
        }
    }
}

impl Adapter {
    /// The addresses of one kind.
    pub fn of_kind(&self, kind: AddressKind) -> impl Iterator<Item = &AdapterAddress> {
        self.addresses.iter().filter(move |a| a.kind == kind)
    }

    pub fn ipv4(&self) -> impl Iterator<Item = &AdapterAddress> {
        self.addresses.iter().filter(|a| a.kind.is_ipv4())
    }

    pub fn has(&self, ip: &IpAddr) -> bool {
        self.addresses.iter().any(|a| a.ip == *ip)
    }

    /// The IPv6 gateways of this adapter's default routes.
    pub fn gateways_v6(&self) -> impl Iterator<Item = &IpAddr> {
        self.gateways.iter().filter(|g| g.is_ipv6())
    }

    pub fn gateways_v4(&self) -> impl Iterator<Item = &IpAddr> {
        self.gateways.iter().filter(|g| g.is_ipv4())
    }

    /// The address sockets of `family` should leave from when binding by source address: a usable
    /// global IPv6 (else unique local), or an IPv4 address (a routable one before 169.254/16).
    pub fn source(&self, family: Family) -> Option<IpAddr> {
        let first = |kind| self.of_kind(kind).find(|a| a.usable()).map(|a| a.ip);
        match family {
            Family::Ipv6 => {
                first(AddressKind::GlobalV6).or_else(|| first(AddressKind::UniqueLocalV6))
            }
            Family::Ipv4 => first(AddressKind::Ipv4).or_else(|| first(AddressKind::Ipv4LinkLocal)),
        }
    }

    pub fn source_v4(&self) -> Option<Ipv4Addr> {
        match self.source(Family::Ipv4) {
            Some(IpAddr::V4(v4)) => Some(v4),
            _ => None,
        }
    }

    pub fn source_v6(&self) -> Option<Ipv6Addr> {
        match self.source(Family::Ipv6) {
            Some(IpAddr::V6(v6)) => Some(v6),
            _ => None,
        }
    }

    /// How people name it: the friendly name where there is one, else the system name.
    pub fn label(&self) -> &str {
        self.friendly_name.as_deref().unwrap_or(&self.name)
    }

    /// Whether `name` designates this adapter: its system name, its friendly name (case-insensitive,
    /// as Windows compares them) or its index.
    pub fn answers_to(&self, name: &str) -> bool {
        self.name == name
            || self
                .friendly_name
                .as_deref()
                .is_some_and(|f| f.eq_ignore_ascii_case(name))
            || name.parse::<u32>().is_ok_and(|i| i == self.index && i != 0)
    }
}

impl Inventory {
    pub fn find(&self, name: &str) -> Option<&Adapter> {
        self.adapters
            .iter()
            .find(|a| a.name == name)
            .or_else(|| self.adapters.iter().find(|a| a.answers_to(name)))
    }

    /// The adapter that holds `ip` (the source address the system picked for a route).
    pub fn holding(&self, ip: &IpAddr) -> Option<&Adapter> {
        self.adapters.iter().find(|a| a.has(ip))
    }

    /// Names people can give to `--interface`, for error messages.
    pub fn names(&self) -> Vec<String> {
        self.adapters
            .iter()
            .map(|a| match &a.friendly_name {
                Some(f) if *f != a.name => format!("{} ({f})", a.name),
                _ => a.name.clone(),
            })
            .collect()
    }

    /// The DNS servers an adapter uses: its own list where the platform has one, else the
    /// system's.
    pub fn dns_of<'a>(&'a self, a: &'a Adapter) -> &'a [IpAddr] {
        if self.dns_per_adapter {
            &a.dns_servers
        } else {
            &self.system_dns
        }
    }
}

/// Where the name of the OQS adapter came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameSource {
    /// `--interface NAME`.
    Flag,
    /// The profile's `[adapter] name`.
    Profile,
}

/// What a round should do about the OQS adapter: the inventory, and a name if one was given.
/// Without a name the adapter holding the route to the OQS targets is used.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AdapterRequest {
    pub inventory: Inventory,
    pub name: Option<(String, NameSource)>,
}

/// How the OQS adapter was found, or why it was not.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Selection {
    /// Named by the user or the profile.
    Named { name: String, source: NameSource },
    /// The adapter holding the source address the system picks toward an OQS target (found by
    /// connecting a UDP socket, which sends nothing).
    Route {
        #[serde(serialize_with = "ser_ip")]
        target: IpAddr,
        #[serde(serialize_with = "ser_ip")]
        source: IpAddr,
        name: String,
    },
    /// No target address was known or routable: the adapter with the default route of the
    /// round's first family.
    DefaultRoute { family: Family, name: String },
    /// Nothing found: why.
    NotFound { reason: NotFound },
}

/// Why no OQS adapter was found.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NotFound {
    /// The name given matches no adapter.
    NoSuchName { name: String, source: NameSource },
    /// The system has no route (or none through a known adapter) to the target followed.
    NoRoute {
        #[serde(serialize_with = "ser_ip")]
        target: IpAddr,
    },
    /// No target address to follow, and several adapters have a default route of the family.
    SeveralDefaultRoutes {
        family: Family,
        adapters: Vec<String>,
    },
    /// No target address to follow, and no adapter has a default route.
    Nothing,
}

/// Why sockets were not bound, or the adapter not judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Skipped {
    /// The targets are on this machine (the route leads to loopback: a lab, a local stub).
    Loopback,
    /// No OQS adapter was found.
    NoAdapter,
    /// The chosen adapter is gone from the inventory.
    AdapterGone,
}

impl Selection {
    /// The chosen adapter's system name.
    pub fn name(&self) -> Option<&str> {
        match self {
            Selection::Named { name, .. }
            | Selection::Route { name, .. }
            | Selection::DefaultRoute { name, .. } => Some(name),
            Selection::NotFound { .. } => None,
        }
    }
}

/// How the round's sockets were tied to the adapter.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Binding {
    /// Every socket bound to the device (Linux `SO_BINDTODEVICE`) and to the adapter's source
    /// address: traffic cannot leave by another adapter; a family the adapter has no address of is
    /// not sent at all.
    Device {
        name: String,
        v4: Option<Ipv4Addr>,
        v6: Option<Ipv6Addr>,
    },
    /// Every socket bound to the adapter's source address (Windows, or Linux without root); a
    /// family the adapter has no address of is not sent at all.
    Source {
        v4: Option<Ipv4Addr>,
        v6: Option<Ipv6Addr>,
    },
    /// Not bound: why (no adapter, or the targets are on this machine).
    Unbound { reason: Skipped },
}

/// The adapter part of a round's measurements.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AdapterMeasurement {
    pub inventory: Inventory,
    pub selection: Selection,
    pub binding: Binding,
    /// The address families the round used (the profile's, or `--family`).
    pub families: Vec<Family>,
}

impl AdapterMeasurement {
    /// The chosen adapter's inventory entry.
    pub fn adapter(&self) -> Option<&Adapter> {
        self.selection.name().and_then(|n| self.inventory.find(n))
    }
}

/// What the system would do with traffic to one address of the round: the source address its
/// routing picks, hence the adapter it leaves by (found without sending anything).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouteProbe {
    #[serde(serialize_with = "ser_ip")]
    pub peer: IpAddr,
    /// What the round used the address for (`dns`, `ntp`, `tcp`).
    pub uses: Vec<String>,
    #[serde(serialize_with = "ser_opt_ip")]
    pub source: Option<IpAddr>,
    /// Why no route was found.
    pub error: Option<String>,
}

/// How one TCP connect ended.
#[derive(Clone, Debug, PartialEq, Serialize)]
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

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TcpAttempt {
    #[serde(serialize_with = "ser_sock")]
    pub addr: SocketAddr,
    pub outcome: TcpOutcome,
    pub elapsed_ms: f64,
}

/// TCP reachability of one endpoint: its addresses of both families (so a missing AAAA is seen),
/// and a connect (nothing sent) to each address of the families the round uses.
#[derive(Clone, Debug, Serialize)]
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
#[derive(Clone, Debug, Serialize)]
pub struct Nat64Result {
    pub query: DnsQuery,
    /// The NAT64 prefixes found in synthesised answers, as `prefix/len`.
    pub prefixes: Vec<Nat64Prefix>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Nat64Prefix {
    #[serde(serialize_with = "ser_ip6")]
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
#[derive(Clone, Debug, Default, Serialize)]
pub struct PathMeasurements {
    pub adapter: Option<AdapterMeasurement>,
    /// The nameservers the round's DNS went to.
    #[serde(serialize_with = "ser_socks")]
    pub nameservers: Vec<SocketAddr>,
    pub routes: Vec<RouteProbe>,
    pub tcp: Vec<TcpTargetResult>,
    pub nat64: Option<Nat64Result>,
}

/// One rule the mode sets for the OQS adapter (補35), and whether the adapter meets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Expectation {
    pub rule: Rule,
    pub met: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AdapterDns {
    #[serde(serialize_with = "ser_ips")]
    pub servers: Vec<IpAddr>,
    /// `adapter` (set on this adapter) or `system` (system-wide, the platform keeps no per-adapter
    /// list).
    pub scope: &'static str,
    /// Which known OQS DNS service they are (`NTT East`, `NTT West`), if any.
    pub known_as: Option<&'static str>,
}

/// One address of the round with the adapter the system's routing sends it by.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouteView {
    #[serde(flatten)]
    pub probe: RouteProbe,
    /// The adapter holding the picked source address.
    pub adapter: Option<String>,
}

/// An address the round reached over IPv4, and for what.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contact {
    pub what: &'static str,
    #[serde(serialize_with = "ser_sock")]
    pub addr: SocketAddr,
}

fn ser_ip<S: serde::Serializer>(ip: &IpAddr, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(ip)
}

fn ser_ip6<S: serde::Serializer>(ip: &Ipv6Addr, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(ip)
}

fn ser_opt_ip<S: serde::Serializer>(ip: &Option<IpAddr>, s: S) -> Result<S::Ok, S::Error> {
    match ip {
        Some(ip) => s.collect_str(ip),
        None => s.serialize_none(),
    }
}

fn ser_ips<S: serde::Serializer>(ips: &[IpAddr], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(ips.iter().map(ToString::to_string))
}

fn ser_sock<S: serde::Serializer>(a: &SocketAddr, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(a)
}

fn ser_socks<S: serde::Serializer>(a: &[SocketAddr], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(a.iter().map(ToString::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn kinds_by_family_and_scope() {
        for (a, k) in [
            ("2404:1a8:f583:d00::53:1", AddressKind::GlobalV6),
            ("2001:db8::1", AddressKind::GlobalV6),
            ("fd0e:a5::11", AddressKind::UniqueLocalV6),
            ("fe80::1", AddressKind::LinkLocalV6),
            ("febf::1", AddressKind::LinkLocalV6),
            ("fec0::1", AddressKind::OtherV6),
            ("::ffff:127.0.0.1", AddressKind::OtherV6),
            ("::1", AddressKind::Loopback),
            ("192.168.220.10", AddressKind::Ipv4),
            ("169.254.3.4", AddressKind::Ipv4LinkLocal),
            ("127.0.0.1", AddressKind::Loopback),
        ] {
            assert_eq!(AddressKind::of(&ip(a)), k, "{a}");
        }
    }

    #[test]
    fn source_prefers_usable_global_then_ula() {
        let mut a = Adapter {
            name: "eth1".into(),
            addresses: vec![
                AdapterAddress::new(ip("fe80::1"), 64),
                AdapterAddress::new(ip("fd00::2"), 64),
                AdapterAddress {
                    duplicated: true,
                    ..AdapterAddress::new(ip("2001:db8::9"), 64)
                },
                AdapterAddress::new(ip("2001:db8::2"), 64),
                AdapterAddress::new(ip("169.254.1.1"), 16),
            ],
            ..Adapter::default()
        };
        assert_eq!(a.source(Family::Ipv6), Some(ip("2001:db8::2")));
        assert_eq!(a.source(Family::Ipv4), Some(ip("169.254.1.1")));
        a.addresses.retain(|x| x.kind != AddressKind::GlobalV6);
        assert_eq!(a.source(Family::Ipv6), Some(ip("fd00::2")));
    }

    #[test]
    fn names_match_system_friendly_and_index() {
        let inv = Inventory {
            adapters: vec![Adapter {
                name: "{4F1C-GUID}".into(),
                friendly_name: Some("イーサネット 2".into()),
                index: 7,
                ..Adapter::default()
            }],
            ..Inventory::default()
        };
        assert!(inv.find("{4F1C-GUID}").is_some());
        assert!(inv.find("イーサネット 2").is_some());
        assert!(inv.find("7").is_some());
        assert!(inv.find("eth0").is_none());
        assert_eq!(inv.names(), ["{4F1C-GUID} (イーサネット 2)"]);
    }

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

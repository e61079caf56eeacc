//! Every adapter the operating system reported, at one moment: names, addresses with their family,
//! scope and state, gateways, DNS servers; and how an adapter is found by the name people give it
//! and which address its sockets leave from. Plain data, no I/O: the platform fills it, tests write
//! it by hand.

use crate::model::Family;
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Every adapter the operating system reported, at one moment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Inventory {
    pub adapters: Vec<Adapter>,
    /// Whether DNS servers are known per adapter (Windows) or only system-wide (Linux:
    /// `/etc/resolv.conf`, then in `system_dns`).
    pub dns_per_adapter: bool,
    /// The system-wide DNS servers, where the platform has no per-adapter list.
    #[serde(serialize_with = "super::ser_ips")]
    pub system_dns: Vec<IpAddr>,
}

/// One adapter.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
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
    #[serde(serialize_with = "super::ser_ips")]
    pub gateways: Vec<IpAddr>,
    /// DNS servers set on this adapter (only where the platform tells them per adapter).
    #[serde(serialize_with = "super::ser_ips")]
    pub dns_servers: Vec<IpAddr>,
    pub mtu: Option<u32>,
}

/// One address of an adapter, with its prefix and the states that make it unusable.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AdapterAddress {
    #[serde(serialize_with = "super::ser_ip")]
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
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
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
}

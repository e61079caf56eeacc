//! The IPv6-only OQS adapter (補35): which adapter it is (named, or the one holding the route to the
//! OQS targets), and NAT64/DNS64 detection through `ipv4only.arpa` (RFC 7050). The inventory comes
//! in as data and routing as a function, so tests give both. Uses `model` and `net` only.

use super::dns::query_once;
use crate::model::{
    DnsQuery, Family, HostPort, Inventory, NameSource, Nat64Prefix, Nat64Result, NotFound, Profile,
    Selection,
};
use crate::net::{DnsResolver, NetOptions};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// The name RFC 7050 reserves for finding a NAT64 prefix: it has only A records (192.0.0.170 and
/// 192.0.0.171), so any AAAA is a DNS64 synthesis.
pub const IPV4ONLY_ARPA: &str = "ipv4only.arpa";
const WKA: [Ipv4Addr; 2] = [Ipv4Addr::new(192, 0, 0, 170), Ipv4Addr::new(192, 0, 0, 171)];

/// Chooses the OQS adapter: the named one (`--interface` or the profile); else the adapter holding
/// the source address that `route` (the system's routing) picks toward `target`; else the only
/// adapter with a default route of the round's first family.
pub fn select_adapter(
    inventory: &Inventory,
    name: Option<&(String, NameSource)>,
    target: Option<SocketAddr>,
    families: &[Family],
    route: &dyn Fn(SocketAddr) -> Option<IpAddr>,
) -> Selection {
    if let Some((wanted, source)) = name {
        return match inventory.find(wanted) {
            Some(a) => Selection::Named {
                name: a.name.clone(),
                source: *source,
            },
            None => Selection::NotFound {
                reason: NotFound::NoSuchName {
                    name: wanted.clone(),
                    source: *source,
                },
            },
        };
    }
    if let Some(t) = target
        && let Some(source) = route(t)
        && let Some(a) = inventory.holding(&source)
    {
        return Selection::Route {
            target: t.ip(),
            source,
            name: a.name.clone(),
        };
    }
    for &family in families {
        let with_default: Vec<&str> = inventory
            .adapters
            .iter()
            .filter(|a| a.up && !a.loopback)
            .filter(|a| a.gateways.iter().any(|g| Family::of(g) == family))
            .map(|a| a.name.as_str())
            .collect();
        match with_default.as_slice() {
            [one] => {
                return Selection::DefaultRoute {
                    family,
                    name: (*one).to_string(),
                };
            }
            [] => {}
            several => {
                return Selection::NotFound {
                    reason: NotFound::SeveralDefaultRoutes {
                        family,
                        adapters: several.iter().map(|s| s.to_string()).collect(),
                    },
                };
            }
        }
    }
    Selection::NotFound {
        reason: match target {
            Some(t) => NotFound::NoRoute { target: t.ip() },
            None => NotFound::Nothing,
        },
    }
}

/// An OQS target address to follow for [`select_adapter`]: an IP literal of the profile, else the
/// first answer for the round-robin name in the round's family order. This one lookup goes the
/// system's own way (unbound): the adapter is not known yet.
pub async fn first_target(
    net: &NetOptions,
    profile: &Profile,
    families: &[Family],
) -> Option<SocketAddr> {
    let d = &profile.dns;
    let literal = |h: &HostPort, port: u16| {
        h.ip()
            .filter(|ip| families.contains(&Family::of(ip)))
            .map(|ip| SocketAddr::new(ip, h.port_or(port)))
    };
    let literals = std::iter::once(&d.round_robin)
        .chain(&d.fallbacks)
        .map(|h| literal(h, profile.ntp.port))
        .chain(profile.tls.iter().map(|t| literal(&t.host, 443)));
    for l in literals {
        if l.is_some() {
            return l;
        }
    }
    let unbound = NetOptions {
        resolvers: net.resolvers.clone(),
        family: net.family,
        ..NetOptions::default()
    };
    let resolver = unbound.resolver(d.timeout).ok()?;
    let port = d.round_robin.port_or(profile.ntp.port);
    for &family in families {
        let q = query_once(&resolver, &d.round_robin.host, family, d.timeout).await;
        if let Some(a) = q.answers.first() {
            return Some(SocketAddr::new(a.ip, port));
        }
    }
    None
}

/// Asks the round's resolver for `ipv4only.arpa` AAAA and reads any NAT64 prefix out of the answers.
pub async fn nat64(resolver: &DnsResolver, timeout: Duration) -> Nat64Result {
    let query = query_once(resolver, IPV4ONLY_ARPA, Family::Ipv6, timeout).await;
    nat64_from(query)
}

/// The NAT64 prefixes that a `ipv4only.arpa` AAAA answer reveals.
pub fn nat64_from(query: DnsQuery) -> Nat64Result {
    let mut prefixes: Vec<Nat64Prefix> = Vec::new();
    for a in &query.answers {
        if let IpAddr::V6(v6) = a.ip
            && let Some(p) = nat64_prefix(&v6)
            && !prefixes.contains(&p)
        {
            prefixes.push(p);
        }
    }
    Nat64Result { query, prefixes }
}

/// Where RFC 6052 puts the IPv4 address for each prefix length (octet 8 is always skipped and zero
/// below /96). Longest first: /96 is by far the most common.
const LAYOUTS: [(u8, [usize; 4]); 6] = [
    (96, [12, 13, 14, 15]),
    (64, [9, 10, 11, 12]),
    (56, [7, 9, 10, 11]),
    (48, [6, 7, 9, 10]),
    (40, [5, 6, 7, 9]),
    (32, [4, 5, 6, 7]),
];

/// The NAT64 prefix of a synthesised `ipv4only.arpa` address: the prefix in front of one of the
/// well-known IPv4 addresses at a position RFC 6052 allows (RFC 7050 §3).
pub fn nat64_prefix(ip: &Ipv6Addr) -> Option<Nat64Prefix> {
    let o = ip.octets();
    for (len, pos) in LAYOUTS {
        if len < 96 && o[8] != 0 {
            continue;
        }
        let embedded = Ipv4Addr::new(o[pos[0]], o[pos[1]], o[pos[2]], o[pos[3]]);
        if WKA.contains(&embedded) {
            let mut p = [0u8; 16];
            let n = usize::from(len / 8);
            p[..n].copy_from_slice(&o[..n]);
            return Some(Nat64Prefix {
                prefix: Ipv6Addr::from(p),
                len,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Adapter, AdapterAddress, DnsAnswer};

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn adapter(name: &str, addrs: &[&str], gws: &[&str]) -> Adapter {
        Adapter {
            name: name.into(),
            up: true,
            addresses: addrs
                .iter()
                .map(|a| AdapterAddress::new(ip(a), 64))
                .collect(),
            gateways: gws.iter().map(|g| ip(g)).collect(),
            ..Adapter::default()
        }
    }

    /// The kit's two adapters: OQS IPv6-only, receipt computer IPv4-only.
    fn two() -> Inventory {
        Inventory {
            adapters: vec![
                Adapter {
                    loopback: true,
                    ..adapter("lo", &["127.0.0.1", "::1"], &[])
                },
                adapter("rece0", &["198.51.100.2"], &["198.51.100.1"]),
                adapter("oqs0", &["fe80::2", "2001:db8:5::2"], &["fe80::1"]),
            ],
            ..Inventory::default()
        }
    }

    #[test]
    fn the_route_to_a_target_picks_the_adapter() {
        let inv = two();
        let t: SocketAddr = "[2001:db8:a5::11]:123".parse().unwrap();
        let s = select_adapter(&inv, None, Some(t), &[Family::Ipv6], &|_| {
            Some(ip("2001:db8:5::2"))
        });
        assert_eq!(s.name(), Some("oqs0"));
        assert!(matches!(s, Selection::Route { .. }), "{s:?}");
    }

    #[test]
    fn a_name_wins_and_an_unknown_name_says_so() {
        let inv = two();
        let flag = ("rece0".to_string(), NameSource::Flag);
        let s = select_adapter(&inv, Some(&flag), None, &[Family::Ipv6], &|_| None);
        assert_eq!(s.name(), Some("rece0"));
        let bad = ("eth9".to_string(), NameSource::Profile);
        match select_adapter(&inv, Some(&bad), None, &[Family::Ipv6], &|_| None) {
            Selection::NotFound { reason } => assert_eq!(
                reason,
                NotFound::NoSuchName {
                    name: "eth9".into(),
                    source: NameSource::Profile
                }
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn without_a_route_the_default_route_holder_of_the_family() {
        let inv = two();
        let s = select_adapter(&inv, None, None, &[Family::Ipv6], &|_| None);
        assert_eq!(
            s,
            Selection::DefaultRoute {
                family: Family::Ipv6,
                name: "oqs0".into()
            }
        );
        let s = select_adapter(&inv, None, None, &[Family::Ipv4], &|_| None);
        assert_eq!(s.name(), Some("rece0"));
        let mut both = two();
        both.adapters[1].gateways.push(ip("fe80::9"));
        match select_adapter(&both, None, None, &[Family::Ipv6], &|_| None) {
            Selection::NotFound {
                reason: NotFound::SeveralDefaultRoutes { adapters, .. },
            } => assert_eq!(adapters, ["rece0", "oqs0"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nat64_prefixes_of_every_rfc6052_length() {
        for (addr, prefix) in [
            ("64:ff9b::c000:aa", "64:ff9b::/96"),
            ("64:ff9b::192.0.0.171", "64:ff9b::/96"),
            ("2001:db8:64::c000:aa", "2001:db8:64::/96"),
            ("2001:db8:1:2:c0:0:aa00:0", "2001:db8:1:2::/64"),
            ("2001:db8:1:c0:0:aa::", "2001:db8:1::/56"),
            ("2001:db8:1:c000:0:aa00::", "2001:db8:1::/48"),
            ("2001:db8:c0:0:aa::", "2001:db8::/40"),
            ("2001:db8:c000:aa::", "2001:db8::/32"),
        ] {
            let p = nat64_prefix(&addr.parse().unwrap()).unwrap_or_else(|| panic!("{addr}"));
            assert_eq!(p.to_string(), prefix, "{addr}");
        }
        assert!(nat64_prefix(&"2001:db8::1".parse().unwrap()).is_none());
        assert!(Nat64Prefix::WELL_KNOWN.is_well_known());
    }

    #[test]
    fn nat64_from_dedups_and_ignores_non_synthesised() {
        let q = DnsQuery {
            answers: ["64:ff9b::c000:aa", "64:ff9b::c000:ab", "2001:db8::1"]
                .iter()
                .map(|a| DnsAnswer { ip: ip(a), ttl: 60 })
                .collect(),
            failure: None,
            elapsed_ms: 1.0,
        };
        let r = nat64_from(q);
        assert_eq!(r.prefixes, [Nat64Prefix::WELL_KNOWN]);
    }
}

//! Points a profile at the lab: the lab network made from a profile's names (NTP names, TLS
//! endpoints' hosts, `ipv4only.arpa`), a scenario applied, and the profile rewritten to use the
//! lab's resolver, NTP port and TCP port. Shared by `probe --lab`, `lab`, the tests and the
//! benchmark.

use crate::lab::{Lab, LabName, LabSpec, Scenario};
use crate::model::Profile;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

/// Round-robin members on IPv4 (Linux routes all of 127/8 to loopback).
pub const LAB_V4: [Ipv4Addr; 4] = [
    Ipv4Addr::new(127, 0, 0, 11),
    Ipv4Addr::new(127, 0, 0, 12),
    Ipv4Addr::new(127, 0, 0, 13),
    Ipv4Addr::new(127, 0, 0, 14),
];

/// Round-robin members on IPv6 when the lab has a network namespace of its own.
pub const LAB_V6_NETNS: [Ipv6Addr; 4] = [
    Ipv6Addr::new(0xfd0e, 0xa5, 0, 0, 0, 0, 0, 0x11),
    Ipv6Addr::new(0xfd0e, 0xa5, 0, 0, 0, 0, 0, 0x12),
    Ipv6Addr::new(0xfd0e, 0xa5, 0, 0, 0, 0, 0, 0x13),
    Ipv6Addr::new(0xfd0e, 0xa5, 0, 0, 0, 0, 0, 0x14),
];

/// The extra IPv6 address the namespace also holds, for scenarios that need an address outside
/// the round-robin set (`@spare-v6`).
pub const LAB_V6_SPARE: Ipv6Addr = Ipv6Addr::new(0xfd0e, 0xa5, 0, 0, 0, 0, 0, 0x100);

/// Every IPv6 address a lab namespace gets on its loopback.
pub fn netns_v6() -> Vec<Ipv6Addr> {
    let mut v = LAB_V6_NETNS.to_vec();
    v.push(LAB_V6_SPARE);
    v
}

/// Loads a scenario by built-in name, or from a file when the name is a path.
pub fn scenario(name_or_file: &str) -> Result<Scenario, String> {
    let path = std::path::Path::new(name_or_file);
    if path.exists() {
        Scenario::load(path).map_err(|e| e.to_string())
    } else {
        crate::lab::scenario::builtin(name_or_file).map_err(|e| {
            format!(
                "{e} (built-in scenarios: {})",
                crate::lab::scenario::builtin_names().join(", ")
            )
        })
    }
}

/// `ipv4only.arpa` as the real one answers (RFC 7050): two A records, no AAAA. A DNS64 scenario
/// gives it synthesised AAAA records.
pub const IPV4ONLY_A: [Ipv4Addr; 2] =
    [Ipv4Addr::new(192, 0, 0, 170), Ipv4Addr::new(192, 0, 0, 171)];

/// The lab network serving `profile`'s names, healthy unless `scenario` says otherwise.
pub fn spec_for(
    profile: &Profile,
    v6: &[Ipv6Addr],
    scenario: Option<&Scenario>,
    latency_ms: u64,
) -> LabSpec {
    let spare = (v6 == LAB_V6_NETNS).then_some(LAB_V6_SPARE);
    spec_with(profile, &LAB_V4, v6, spare, scenario, latency_ms)
}

/// As [`spec_for`], with the members on the given addresses (a lab reached over a veth pair, say)
/// and `spare_v6` for scenarios that need an IPv6 member outside the round-robin set.
pub fn spec_with(
    profile: &Profile,
    v4: &[Ipv4Addr],
    v6: &[Ipv6Addr],
    spare_v6: Option<Ipv6Addr>,
    scenario: Option<&Scenario>,
    latency_ms: u64,
) -> LabSpec {
    let fallbacks: Vec<&str> = profile
        .dns
        .fallbacks
        .iter()
        .map(|h| h.host.as_str())
        .collect();
    let mut spec = LabSpec::healthy(&profile.dns.round_robin.host, &fallbacks, v4, v6);
    // The TLS endpoints' hosts, each on one member (every member accepts TCP on the lab's port).
    for (i, t) in profile.tls.iter().enumerate() {
        if t.host.ip().is_some() || spec.name(&t.host.host).is_some() {
            continue;
        }
        spec.names.push(LabName {
            name: t.host.host.clone(),
            a: v4.get(i % v4.len().max(1)).copied().into_iter().collect(),
            aaaa: v6.get(i % v6.len().max(1)).copied().into_iter().collect(),
            ..LabName::default()
        });
    }
    spec.names.push(LabName {
        name: crate::probe::ipv6::IPV4ONLY_ARPA.to_string(),
        a: IPV4ONLY_A.to_vec(),
        rotate: false,
        ..LabName::default()
    });
    if let Some(s) = scenario {
        crate::lab::scenario::apply_with_spare_v6(&mut spec, s, spare_v6);
    }
    if latency_ms > 0 {
        spec.latency_ms = latency_ms;
    }
    spec
}

/// `profile` as it must be to probe `lab`: its NTP names on the lab's NTP port, its TLS endpoints'
/// hosts on the lab's TCP port.
pub fn point_at(profile: &Profile, lab: &Lab) -> (Profile, Vec<SocketAddr>) {
    let mut p = profile.clone();
    let port = lab.ntp_port();
    p.ntp.port = port;
    p.dns.round_robin.port = Some(port);
    for f in &mut p.dns.fallbacks {
        f.port = Some(port);
    }
    for t in &mut p.tls {
        if t.host.ip().is_none() {
            t.host.port = Some(lab.tcp_port());
        }
    }
    p.source = format!("{} (lab)", p.source);
    (p, vec![lab.dns_addr()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lab_serves_the_tls_hosts_and_ipv4only_arpa() {
        let p = crate::profile::shipped("ipvpn-production").unwrap();
        let spec = spec_for(&p, &LAB_V6_NETNS, None, 0);
        for t in &p.tls {
            let n = spec
                .name(&t.host.host)
                .unwrap_or_else(|| panic!("{}", t.host));
            assert_eq!((n.a.len(), n.aaaa.len()), (1, 1), "{}", t.host);
        }
        let v4only = spec.name("ipv4only.arpa").unwrap();
        assert_eq!(v4only.a, IPV4ONLY_A);
        assert!(v4only.aaaa.is_empty(), "no DNS64 unless a scenario says so");
    }
}

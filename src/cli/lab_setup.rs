//! Points a profile at the lab: the lab network made from a profile's names, a scenario applied,
//! and the profile rewritten to use the lab's resolver and NTP port. Shared by `probe --lab`,
//! `lab`, the tests and the benchmark.

use crate::lab::{Lab, LabSpec, Scenario};
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

/// The lab network serving `profile`'s NTP names, healthy unless `scenario` says otherwise.
pub fn spec_for(
    profile: &Profile,
    v6: &[Ipv6Addr],
    scenario: Option<&Scenario>,
    latency_ms: u64,
) -> LabSpec {
    let fallbacks: Vec<&str> = profile
        .dns
        .fallbacks
        .iter()
        .map(|h| h.host.as_str())
        .collect();
    let mut spec = LabSpec::healthy(&profile.dns.round_robin.host, &fallbacks, &LAB_V4, v6);
    if let Some(s) = scenario {
        let spare = (v6 == LAB_V6_NETNS).then_some(LAB_V6_SPARE);
        crate::lab::scenario::apply_with_spare_v6(&mut spec, s, spare);
    }
    if latency_ms > 0 {
        spec.latency_ms = latency_ms;
    }
    spec
}

/// `profile` as it must be to probe `lab`: its NTP names on the lab's NTP port.
pub fn point_at(profile: &Profile, lab: &Lab) -> (Profile, Vec<SocketAddr>) {
    let mut p = profile.clone();
    let port = lab.ntp_port();
    p.ntp.port = port;
    p.dns.round_robin.port = Some(port);
    for f in &mut p.dns.fallbacks {
        f.port = Some(port);
    }
    p.source = format!("{} (lab)", p.source);
    (p, vec![lab.dns_addr()])
}

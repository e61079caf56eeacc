//! The OQS adapter as plain data, one concern per file: `inventory` (the machine's adapters as the
//! platform read them), `selection` (which one is the OQS adapter and how sockets were bound to it),
//! `path` (what the round measured through it: routes, TCP reachability, NAT64) and `check` (the
//! mode's rules and what the adapter check shows). No I/O: probes and judges take these as data, so
//! tests give them any inventory they like.

mod check;
mod inventory;
mod path;
mod selection;

pub use check::{AdapterDns, Contact, Expectation, RouteView, Rule};
pub use inventory::{Adapter, AdapterAddress, AddressKind, Inventory};
pub use path::{
    Nat64Prefix, Nat64Result, PathMeasurements, RouteProbe, TcpAttempt, TcpOutcome, TcpTargetResult,
};
pub use selection::{
    AdapterMeasurement, AdapterRequest, Binding, NameSource, NotFound, Selection, Skipped,
};

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

// Addresses serialise as their text form (`2001:db8::1`, `[::1]:443`), as people write them.

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

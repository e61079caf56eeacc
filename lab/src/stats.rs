//! What the running lab was asked: counters per name, member and server, for tests. Plain data;
//! the servers fill it through [`crate::running`]'s shared state.

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::spec::normalize_name;

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

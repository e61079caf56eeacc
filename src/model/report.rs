//! One round's report: the profile it ran, every check with its verdict, data and findings.

use super::{
    Adapter, AdapterDns, Binding, Contact, Expectation, Inventory, Nat64Result, RouteView,
    Selection, Skipped, TcpTargetResult,
};
use super::{DnsNameResult, Environment, Family, Finding, Mode, NtpServerResult, Status};
use serde::Serialize;

/// Bumped whenever a field is removed or changes meaning (additions keep the number).
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ProfileSummary {
    pub name: String,
    pub source: String,
    pub mode: Mode,
    pub environment: Environment,
    pub provider: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    Dns,
    Ntp,
    /// Agreement between NTP servers.
    NtpConsensus,
    /// A probe that did not finish in time.
    Deadline,
    /// The client certificate: PFX, selection (補18), issuer, expiry.
    TlsClientCert,
    /// One TLS endpoint.
    Tls,
    /// The OQS adapter against what the mode expects (補35).
    Adapter,
    /// Which adapter the system's routing sends the round's addresses by.
    Route,
    /// Traffic of the round that went over IPv4 where the adapter is IPv6-only.
    Ipv4Fallback,
    /// NAT64/DNS64 (`ipv4only.arpa`).
    Nat64,
    /// TCP reachability of an endpoint through the OQS adapter.
    Tcp,
    /// Where the proxy settings come from and which decides.
    ProxySettings,
    /// The way one target goes (DIRECT or the proxy) and the CONNECT through the proxy.
    ProxyRoute,
    /// NGN line authentication (www.lineauth.mnw).
    LineAuth,
    /// The NGN's DNS servers on the OQS adapter (補35).
    NgnDns,
    /// The environment the profile says against the one that answers (補16, 補18).
    Environment,
}

/// What a name's answers of one family came to, with the NTP results of its members folded in.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct FamilySummary {
    pub family: Family,
    /// Whether the profile's mode uses this family (only those are judged and NTP-probed).
    pub expected: bool,
    pub members: Vec<String>,
    pub rotates: Option<bool>,
    pub ttl_min: Option<u32>,
    pub ttl_max: Option<u32>,
    pub failure: Option<String>,
    pub failed_queries: usize,
    /// Members that gave no NTP time.
    pub members_without_ntp: Vec<String>,
    /// A device that always takes the first answer: how often it picked, and how often it landed
    /// on a member without NTP.
    pub first_picks: usize,
    pub first_picks_without_ntp: usize,
    /// For a fallback: its addresses that are not in the round-robin set.
    pub outside_round_robin: Vec<String>,
}

/// The measurements behind a check, as the probe produced them.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckData {
    Dns {
        summary: Vec<FamilySummary>,
        result: DnsNameResult,
    },
    Ntp(NtpServerResult),
    Resolver {
        detail: String,
    },
    Deadline {
        deadline_ms: u64,
    },
    TlsClientCert(Box<super::IdentityReport>),
    Tls(Box<super::TlsEndpointResult>),
    NtpConsensus {
        servers: usize,
        spread_ms: Option<f64>,
        median_offset_ms: Option<f64>,
    },
    Adapter {
        selection: Selection,
        binding: Binding,
        families: Vec<Family>,
        /// The chosen adapter (none when it was not found).
        adapter: Option<Adapter>,
        dns: AdapterDns,
        /// The mode's rules (補35) and whether the adapter meets each; empty when not judged.
        expectations: Vec<Expectation>,
        /// Why the rules were not applied (the targets are on this machine...).
        not_judged: Option<Skipped>,
        inventory: Inventory,
    },
    Routes {
        /// The OQS adapter's system name, and the name people see.
        oqs_adapter: Option<String>,
        oqs_label: Option<String>,
        routes: Vec<RouteView>,
    },
    Ipv4Fallback {
        contacts: Vec<Contact>,
    },
    Nat64(Nat64Result),
    Tcp(TcpTargetResult),
    ProxySettings {
        sources: Vec<super::ProxySource>,
        effective: Option<super::ProxySourceKind>,
        auto_detect: bool,
        bypass_missing: Vec<String>,
        bypass_extra: Vec<String>,
        /// WPAD by DHCP, asked when auto-detect is on.
        #[serde(skip_serializing_if = "Option::is_none")]
        dhcp_wpad: Option<super::DhcpWpad>,
        pac: Option<super::PacUse>,
    },
    ProxyRoute(Box<super::TargetRoute>),
    LineAuth(Box<super::LineAuthResult>),
    NgnDns(Box<super::NgnDnsResult>),
    Environment {
        expected: super::Environment,
        /// Each host of either environment and whether it resolves.
        names: Vec<super::EnvName>,
        /// The environment the TLS endpoints' certificates name (host, environment).
        certificates: Vec<(String, super::Environment)>,
    },
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Check {
    /// Stable within a profile: `dns:NAME`, `ntp:ADDR`, `ntp-consensus`.
    pub id: String,
    pub kind: CheckKind,
    pub target: String,
    pub status: Status,
    pub findings: Vec<Finding>,
    pub data: CheckData,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Round {
    pub schema_version: u32,
    pub tool_version: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub duration_ms: f64,
    pub profile: ProfileSummary,
    /// The nameservers asked (empty = the system's).
    pub resolvers: Vec<String>,
    pub status: Status,
    pub checks: Vec<Check>,
    /// The findings no other finding explains, worst first, each with what it explains.
    pub root_causes: Vec<RootCause>,
}

/// Where one finding of the round is: its check, its place among that check's findings, and
/// enough of it to name it without looking it up.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FindingRef {
    pub check: String,
    pub index: usize,
    pub code: super::Code,
    pub severity: Status,
    pub subject: String,
}

/// A root cause: one code's findings that no other finding explains, and every finding they
/// explain (directly or through others). Fix these first; the consequences go with them.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RootCause {
    pub code: super::Code,
    /// The guide section (補N) that fixes it.
    pub section: &'static str,
    /// The worst severity among `findings`.
    pub severity: Status,
    pub findings: Vec<FindingRef>,
    pub explains: Vec<FindingRef>,
}

impl Round {
    pub fn findings(&self) -> impl Iterator<Item = (&Check, &Finding)> {
        self.checks
            .iter()
            .flat_map(|c| c.findings.iter().map(move |f| (c, f)))
    }

    /// The finding a [`FindingRef`] points at.
    pub fn finding(&self, at: &FindingRef) -> Option<(&Check, &Finding)> {
        let c = self.checks.iter().find(|c| c.id == at.check)?;
        c.findings.get(at.index).map(|f| (c, f))
    }
}

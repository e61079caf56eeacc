//! Lab scenarios: a named fault, written as TOML (`lab/scenarios/*.toml`, also compiled in), applied on
//! top of a healthy [`LabSpec`] so tests can be table-driven. Depends only on the lab's own data.
//!
//! # Format
//! ```toml
//! description = "one round-robin member does not answer NTP"
//! latency_ms = 50                  # optional: replaces spec.latency_ms
//!
//! [[member]]                       # change an existing member, by its order in spec.members
//! index = 1
//! dead = true                      # any NtpBehaviour field: dead, offset_ms, stratum, leap, kod,
//!                                  # reply, ref_id
//!
//! [[extra_member]]                 # add a member (or change the one already on that address)
//! ip = "@spare-v4"                 # an address or a role, see below; NtpBehaviour fields as above
//!
//! [[name]]                         # change a name, or add it if a literal name is not there
//! name = "@fallback1"              # "@rr" = names[0], "@fallbackN" = names[N], or a literal name
//! a = ["@spare-v4"]                # replaces the A list (addresses or "@spare-v4")
//! aaaa = ["@spare-v6"]             # replaces the AAAA list (addresses or "@spare-v6")
//! ttl = 60
//! rotate = false
//! rcode = "NXDOMAIN"               # or "SERVFAIL", "REFUSED"
//! silent = true
//! limit = 1                        # keep only the first N addresses of each family
//!
//! [line]                           # the line's own faults
//! page = "not-authenticated"       # the `line:auth` page: "authenticated", "not-authenticated",
//!                                  # "unexpected"
//! other_dns = true                 # the terminal asks a second DNS server, not the line's
//! other_environment = true         # the OQS hosts answer under the other environment's names
//! ```
//!
//! # Spare addresses
//! A fault such as "fallback outside the round-robin set" needs an address that is a lab member but
//! not in the set. `@spare-v4` is the first `127.0.0.N` (N from 100) that no member and no name
//! uses. An unprivileged loopback host has only one IPv6 address, `::1`, which the healthy spec
//! already puts in the set, so `@spare-v6` is the IPv4-mapped address `::ffff:127.0.0.M` (M from
//! 100, distinct from the spare v4 address): the lab binds it with a dual-stack socket, so a
//! dual-stack client reaches it over IPv6 sockets on Linux, though on the wire it travels as IPv4.
//! Custom scenarios may name a literal address instead when a real spare IPv6 address exists.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use super::spec::Terminal;
use super::spec::{deserialize_ref_id, normalize_name, ref_id_from_text};
use super::{LabMember, LabName, LabRcode, LabSpec, NtpBehaviour, ReplyShape};

/// TLS endpoints of the line's own checks are named `line:…` (`line:auth`): `@all` leaves them.
pub const LINE_ENDPOINT_PREFIX: &str = "line:";

/// A named fault applied on top of a healthy spec.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default)]
    pub description: String,
    /// Replaces `spec.latency_ms` when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// `[[member]]`: changes to existing members, by index: member `i` is the i-th address of
    /// each family (a dual-stacked NTP host).
    #[serde(default, rename = "member")]
    pub members: Vec<MemberPatch>,
    /// `[[extra_member]]`: members to add, by address.
    #[serde(default, rename = "extra_member")]
    pub extra_members: Vec<MemberPatch>,
    /// `[[name]]`: changes to names, by role or literal name.
    #[serde(default, rename = "name")]
    pub names: Vec<NamePatch>,
    /// `[[tls]]`: faults of TLS servers, by profile endpoint name or `@all`.
    #[serde(default, rename = "tls", skip_serializing_if = "Vec::is_empty")]
    pub tls: Vec<TlsPatch>,
    /// `[proxy]`: the lab proxy's fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<ProxyPatch>,
    /// `[wpad]`: what the WPAD / PAC server serves, and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wpad: Option<WpadPatch>,
    /// `[terminal]`: the proxy settings of the terminal the lab stands beside (its Internet
    /// Options, WinHTTP and environment), set over the spec's [`LabSpec::terminal`], where
    /// whoever points a client at the running lab reads them (`probe --lab` does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal: Option<Terminal>,
    /// `[line]`: the line's own faults (the line-authentication page, the terminal's DNS
    /// servers, the environment the OQS names answer as).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<LinePatch>,
    /// `client_certificate = "expiring"`: the client certificate the lab gives its terminal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate: Option<super::ClientCertificate>,
}

/// `[line]`: the line's own faults.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinePatch {
    /// What the line-authentication page (TLS endpoint `line:auth`) says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<super::LinePage>,
    /// The terminal asks a second DNS server (serving the same names), not the line's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_dns: Option<bool>,
    /// The OQS hosts answer under the other environment's names (`oqs` ↔ `oqs-st`, `prd` ↔
    /// `stg`), their certificates with them: a terminal on the wrong environment's network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_environment: Option<bool>,
}

/// `[proxy]`: the lab proxy's behaviour.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProxyPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<super::ProxyFault>,
    /// Nothing listens on the proxy's port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub down: Option<bool>,
}

/// `[wpad]`: the WPAD / PAC server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WpadPatch {
    /// A PAC file of the lab's by name (see [`builtin_pac_names`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
    /// Or the PAC file's text itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<super::WpadFault>,
    /// No WPAD name resolves (DNS discovery finds nothing); a PAC URL still works.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undiscoverable: Option<bool>,
}

/// A fault for one TLS server (`endpoint = "oqs-web"`) or all of them (`endpoint = "@all"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsPatch {
    pub endpoint: String,
    pub fault: super::TlsFault,
}

/// Changes to one member's NTP behaviour. In `[[member]]` it is found by `index`; in
/// `[[extra_member]]` by `ip`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemberPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<AddrRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stratum: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leap: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kod: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<ReplyShape>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_ref_id"
    )]
    pub ref_id: Option<[u8; 4]>,
}

/// Changes to one name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamePatch {
    pub name: NameRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a: Option<Vec<AddrRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aaaa: Option<Vec<AddrRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotate: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rcode: Option<LabRcode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silent: Option<bool>,
    /// Keep only the first N addresses of each family (after `a`/`aaaa` are applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// A name by role (`@rr`, `@fallbackN`) or literally.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum NameRef {
    /// `@rr`: `names[0]`.
    RoundRobin,
    /// `@fallbackN` (N ≥ 1): `names[N]`.
    Fallback(usize),
    Literal(String),
}

impl TryFrom<String> for NameRef {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s == "@rr" {
            return Ok(NameRef::RoundRobin);
        }
        if let Some(n) = s.strip_prefix("@fallback") {
            return match n.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(NameRef::Fallback(n)),
                _ => Err(format!(
                    "`{s}`: fallback roles are @fallback1, @fallback2, …"
                )),
            };
        }
        if s.starts_with('@') {
            return Err(format!("`{s}`: unknown role (use @rr or @fallbackN)"));
        }
        if s.trim_end_matches('.').is_empty() {
            return Err("empty name".to_owned());
        }
        Ok(NameRef::Literal(s))
    }
}

impl From<NameRef> for String {
    fn from(n: NameRef) -> String {
        n.to_string()
    }
}

impl fmt::Display for NameRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameRef::RoundRobin => f.write_str("@rr"),
            NameRef::Fallback(n) => write!(f, "@fallback{n}"),
            NameRef::Literal(s) => f.write_str(s),
        }
    }
}

/// An address literally or by role (`@spare-v4`, `@spare-v6`, see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum AddrRef {
    Ip(IpAddr),
    SpareV4,
    SpareV6,
}

impl AddrRef {
    fn is_v4(self) -> bool {
        match self {
            AddrRef::Ip(ip) => ip.is_ipv4(),
            AddrRef::SpareV4 => true,
            AddrRef::SpareV6 => false,
        }
    }
}

impl TryFrom<String> for AddrRef {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "@spare-v4" => Ok(AddrRef::SpareV4),
            "@spare-v6" => Ok(AddrRef::SpareV6),
            _ => s.parse().map(AddrRef::Ip).map_err(|_| {
                format!("`{s}` is neither an IP address nor a role (@spare-v4, @spare-v6)")
            }),
        }
    }
}

impl From<AddrRef> for String {
    fn from(a: AddrRef) -> String {
        match a {
            AddrRef::Ip(ip) => ip.to_string(),
            AddrRef::SpareV4 => "@spare-v4".to_owned(),
            AddrRef::SpareV6 => "@spare-v6".to_owned(),
        }
    }
}

/// Why a scenario could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    #[error("cannot read lab scenario {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("lab scenario {origin} is not valid TOML for a scenario: {source}")]
    Parse {
        origin: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("lab scenario {origin}: {message}")]
    Invalid { origin: String, message: String },
    #[error("no built-in lab scenario `{name}`; known: {}", builtin_names().join(", "))]
    UnknownBuiltin { name: String },
}

impl ScenarioError {
    /// Stable short label for JSON, metrics and JUnit.
    pub fn as_label(&self) -> &'static str {
        match self {
            ScenarioError::Io { .. } => "scenario_io",
            ScenarioError::Parse { .. } => "scenario_parse",
            ScenarioError::Invalid { .. } => "scenario_invalid",
            ScenarioError::UnknownBuiltin { .. } => "scenario_unknown",
        }
    }
}

impl Scenario {
    /// Parses and checks a scenario (`[[member]]` needs `index`, `[[extra_member]]` needs `ip`,
    /// `a` lists hold IPv4 and `aaaa` lists IPv6, leap ≤ 3, kod 1–4 ASCII characters).
    pub fn from_toml_str(text: &str) -> Result<Scenario, ScenarioError> {
        Self::parse(text, "<string>")
    }

    /// Reads and parses a scenario file.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    fn parse(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = toml::from_str(text).map_err(|source| ScenarioError::Parse {
            origin: origin.to_owned(),
            source,
        })?;
        scenario.check().map_err(|message| ScenarioError::Invalid {
            origin: origin.to_owned(),
            message,
        })?;
        Ok(scenario)
    }

    fn check(&self) -> Result<(), String> {
        if let Some(w) = &self.wpad {
            if w.script.is_some() && w.script_text.is_some() {
                return Err("[wpad]: `script` or `script_text`, not both".to_owned());
            }
            if let Some(name) = &w.script
                && builtin_pac(name).is_none()
            {
                return Err(format!(
                    "[wpad] script = {name:?}: no such lab PAC file (known: {})",
                    builtin_pac_names().join(", ")
                ));
            }
        }
        for (i, m) in self.members.iter().enumerate() {
            if m.index.is_none() || m.ip.is_some() {
                return Err(format!("[[member]] #{}: needs `index` and no `ip`", i + 1));
            }
            m.check()
                .map_err(|e| format!("[[member]] #{}: {e}", i + 1))?;
        }
        for (i, m) in self.extra_members.iter().enumerate() {
            if m.ip.is_none() || m.index.is_some() {
                return Err(format!(
                    "[[extra_member]] #{}: needs `ip` and no `index`",
                    i + 1
                ));
            }
            m.check()
                .map_err(|e| format!("[[extra_member]] #{}: {e}", i + 1))?;
        }
        for n in &self.names {
            if n.a.iter().flatten().any(|a| !a.is_v4()) {
                return Err(format!(
                    "[[name]] {}: `a` takes IPv4 addresses only",
                    n.name
                ));
            }
            if n.aaaa.iter().flatten().any(|a| a.is_v4()) {
                return Err(format!(
                    "[[name]] {}: `aaaa` takes IPv6 addresses only",
                    n.name
                ));
            }
        }
        Ok(())
    }
}

impl MemberPatch {
    fn check(&self) -> Result<(), String> {
        if self.leap.is_some_and(|l| l > 3) {
            return Err("`leap` is 0 to 3".to_owned());
        }
        if let Some(kod) = &self.kod
            && ref_id_from_text(kod).is_none()
        {
            return Err(format!(
                "`kod = {kod:?}`: a kiss code is 1 to 4 ASCII characters"
            ));
        }
        if self.offset_ms.is_some_and(|o| !o.is_finite()) {
            return Err("`offset_ms` must be finite".to_owned());
        }
        Ok(())
    }

    fn apply(&self, ntp: &mut NtpBehaviour) {
        if let Some(v) = self.dead {
            ntp.dead = v;
        }
        if let Some(v) = self.offset_ms {
            ntp.offset_ms = v;
        }
        if let Some(v) = self.stratum {
            ntp.stratum = v;
        }
        if let Some(v) = self.leap {
            ntp.leap = v;
        }
        if let Some(v) = &self.kod {
            ntp.kod = Some(v.clone());
        }
        if let Some(v) = self.reply {
            ntp.reply = v;
        }
        if let Some(v) = self.ref_id {
            ntp.ref_id = Some(v);
        }
    }
}

/// The spare addresses of a spec (see the module docs), computed before any change is applied.
struct Spares {
    v4: Ipv4Addr,
    v6: Ipv6Addr,
}

impl Spares {
    fn of(spec: &LabSpec) -> Spares {
        let used = |ip: IpAddr| {
            spec.members.iter().any(|m| m.ip == ip)
                || spec.names.iter().any(|n| match ip {
                    IpAddr::V4(v4) => n.a.contains(&v4),
                    IpAddr::V6(v6) => n.aaaa.contains(&v6),
                })
        };
        let free = |n: u8| {
            let v4 = Ipv4Addr::new(127, 0, 0, n);
            !used(IpAddr::V4(v4)) && !used(IpAddr::V6(v4.to_ipv6_mapped()))
        };
        let v4_n = (100..=254).find(|&n| free(n)).unwrap_or(254);
        let v6_n = (100..=254).find(|&n| n != v4_n && free(n)).unwrap_or(253);
        Spares {
            v4: Ipv4Addr::new(127, 0, 0, v4_n),
            v6: Ipv4Addr::new(127, 0, 0, v6_n).to_ipv6_mapped(),
        }
    }

    fn resolve(&self, a: AddrRef) -> IpAddr {
        match a {
            AddrRef::Ip(ip) => ip,
            AddrRef::SpareV4 => IpAddr::V4(self.v4),
            AddrRef::SpareV6 => IpAddr::V6(self.v6),
        }
    }
}

/// Applies `scenario` to `spec`. Roles resolve against the spec's order (`names[0]` is the
/// round-robin name, `names[1..]` the fallbacks). A member index or role that the spec does not
/// have is skipped with a warning; a literal name that is not there is added.
pub fn apply(spec: &mut LabSpec, scenario: &Scenario) {
    apply_with_spare_v6(spec, scenario, None);
}

/// As [`apply`], with `@spare-v6` bound to `spare_v6` when the caller has a real spare IPv6
/// address (a lab in a namespace of its own) instead of an IPv4-mapped one.
pub fn apply_with_spare_v6(spec: &mut LabSpec, scenario: &Scenario, spare_v6: Option<Ipv6Addr>) {
    let mut spares = Spares::of(spec);
    if let Some(v6) = spare_v6 {
        spares.v6 = v6;
    }
    if let Some(latency) = scenario.latency_ms {
        spec.latency_ms = latency;
    }
    if let Some(c) = scenario.client_certificate {
        spec.client_certificate = c;
    }
    if let Some(t) = &scenario.terminal {
        spec.terminal.get_or_insert_default().overlay(t);
    }
    if let (Some(patch), Some(proxy)) = (&scenario.proxy, &mut spec.proxy) {
        if let Some(f) = patch.fault {
            proxy.fault = f;
        }
        if let Some(d) = patch.down {
            proxy.down = d;
        }
    }
    if let (Some(patch), Some(wpad)) = (&scenario.wpad, &mut spec.wpad) {
        if let Some(text) = patch.script.as_deref().and_then(builtin_pac) {
            wpad.script = text.to_owned();
        }
        if let Some(text) = &patch.script_text {
            wpad.script = text.clone();
        }
        if let Some(f) = patch.fault {
            wpad.fault = f;
        }
        if patch.undiscoverable == Some(true) {
            wpad.names.retain(|n| !n.starts_with("wpad."));
        }
    }
    for patch in &scenario.tls {
        // `@all` is every OQS host; the line's own page (`line:…`) only by its name.
        for t in spec.tls.iter_mut().filter(|t| {
            (patch.endpoint == "@all" && !t.endpoint.starts_with(LINE_ENDPOINT_PREFIX))
                || t.endpoint == patch.endpoint
        }) {
            t.fault = patch.fault;
        }
    }
    if let Some(line) = &scenario.line {
        if let Some(page) = line.page {
            for t in spec.tls.iter_mut().filter(|t| t.page.is_some()) {
                t.page = Some(page);
            }
        }
        if let Some(other) = line.other_dns {
            spec.other_dns = other;
        }
        if line.other_environment == Some(true) {
            for t in &mut spec.tls {
                if let Some(c) = super::pki::counterpart(&t.host) {
                    t.host = c;
                }
            }
        }
    }
    for patch in &scenario.members {
        // Member `i` is a dual-stacked host: the i-th address of each family, so a fault lands on
        // whichever family a profile probes.
        let mut hit = false;
        for v6 in [false, true] {
            let member = patch.index.and_then(|i| {
                spec.members
                    .iter_mut()
                    .filter(|m| m.ip.is_ipv6() == v6)
                    .nth(i)
            });
            if let Some(member) = member {
                patch.apply(&mut member.ntp);
                hit = true;
            }
        }
        if !hit {
            tracing::warn!(
                index = ?patch.index,
                members = spec.members.len(),
                "lab scenario: no member at this index; skipped"
            );
        }
    }
    for patch in &scenario.extra_members {
        let Some(ip) = patch.ip.map(|a| spares.resolve(a)) else {
            continue;
        };
        let index = match spec.members.iter().position(|m| m.ip == ip) {
            Some(i) => i,
            None => {
                spec.members.push(LabMember::healthy(ip));
                spec.members.len() - 1
            }
        };
        patch.apply(&mut spec.members[index].ntp);
    }
    for patch in &scenario.names {
        let index = match &patch.name {
            NameRef::RoundRobin => Some(0).filter(|_| !spec.names.is_empty()),
            NameRef::Fallback(n) => Some(*n).filter(|n| *n < spec.names.len()),
            NameRef::Literal(name) => {
                let key = normalize_name(name);
                Some(
                    match spec
                        .names
                        .iter()
                        .position(|n| normalize_name(&n.name) == key)
                    {
                        Some(i) => i,
                        None => {
                            spec.names.push(LabName {
                                name: name.clone(),
                                ..LabName::default()
                            });
                            spec.names.len() - 1
                        }
                    },
                )
            }
        };
        let Some(entry) = index.and_then(|i| spec.names.get_mut(i)) else {
            tracing::warn!(name = %patch.name, names = spec.names.len(), "lab scenario: no such name role; skipped");
            continue;
        };
        if let Some(a) = &patch.a {
            entry.a = a
                .iter()
                .filter_map(|r| match spares.resolve(*r) {
                    IpAddr::V4(v4) => Some(v4),
                    IpAddr::V6(_) => None,
                })
                .collect();
        }
        if let Some(aaaa) = &patch.aaaa {
            entry.aaaa = aaaa
                .iter()
                .filter_map(|r| match spares.resolve(*r) {
                    IpAddr::V6(v6) => Some(v6),
                    IpAddr::V4(_) => None,
                })
                .collect();
        }
        if let Some(v) = patch.ttl {
            entry.ttl = v;
        }
        if let Some(v) = patch.rotate {
            entry.rotate = v;
        }
        if let Some(v) = patch.rcode {
            entry.rcode = Some(v);
        }
        if let Some(v) = patch.silent {
            entry.silent = v;
        }
        if let Some(n) = patch.limit {
            entry.a.truncate(n);
            entry.aaaa.truncate(n);
        }
    }
}

/// PAC files the WPAD server can serve, compiled in: the lab's own (`lab/pac/`) and three of the
/// product's hostile PAC test fixtures (`fixtures/pac/`) for the `wpad-hostile` scenario.
const BUILTIN_PAC: &[(&str, &str)] = &[
    ("installers", include_str!("../pac/lab-installers.pac")),
    (
        "everything-via-proxy",
        include_str!("../pac/wpad-everything-via-proxy.pac"),
    ),
    (
        "hostile-loop",
        include_str!("../../fixtures/pac/hostile-loop.pac"),
    ),
    (
        "hostile-syntax",
        include_str!("../../fixtures/pac/hostile-syntax.pac"),
    ),
    (
        "returns-number",
        include_str!("../../fixtures/pac/hostile-returns-number.pac"),
    ),
];

/// A lab PAC file by name.
pub fn builtin_pac(name: &str) -> Option<&'static str> {
    BUILTIN_PAC
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
}

/// The names of the lab's PAC files.
pub fn builtin_pac_names() -> Vec<&'static str> {
    BUILTIN_PAC.iter().map(|(n, _)| *n).collect()
}

/// The scenario files under `lab/scenarios/`, compiled in.
const BUILTIN: &[(&str, &str)] = &[
    ("healthy", include_str!("../scenarios/healthy.toml")),
    ("dead-member", include_str!("../scenarios/dead-member.toml")),
    (
        "cert-expiring",
        include_str!("../scenarios/cert-expiring.toml"),
    ),
    ("offset-warn", include_str!("../scenarios/offset-warn.toml")),
    ("offset-fail", include_str!("../scenarios/offset-fail.toml")),
    (
        "unsync-stratum16",
        include_str!("../scenarios/unsync-stratum16.toml"),
    ),
    (
        "unsync-leap3",
        include_str!("../scenarios/unsync-leap3.toml"),
    ),
    ("kod-rate", include_str!("../scenarios/kod-rate.toml")),
    ("kod-deny", include_str!("../scenarios/kod-deny.toml")),
    ("kod-rstr", include_str!("../scenarios/kod-rstr.toml")),
    ("no-rotation", include_str!("../scenarios/no-rotation.toml")),
    (
        "fallback-outside",
        include_str!("../scenarios/fallback-outside.toml"),
    ),
    ("nxdomain", include_str!("../scenarios/nxdomain.toml")),
    ("servfail", include_str!("../scenarios/servfail.toml")),
    ("refused", include_str!("../scenarios/refused.toml")),
    ("timeout", include_str!("../scenarios/timeout.toml")),
    ("slow", include_str!("../scenarios/slow.toml")),
    (
        "single-member",
        include_str!("../scenarios/single-member.toml"),
    ),
    ("truncated", include_str!("../scenarios/truncated.toml")),
    ("wrong-mode", include_str!("../scenarios/wrong-mode.toml")),
    (
        "wrong-origin",
        include_str!("../scenarios/wrong-origin.toml"),
    ),
    (
        "zero-transmit",
        include_str!("../scenarios/zero-transmit.toml"),
    ),
    ("disagree", include_str!("../scenarios/disagree.toml")),
    (
        "tls-reject-all",
        include_str!("../scenarios/tls-reject-all.toml"),
    ),
    (
        "tls-no-client-auth",
        include_str!("../scenarios/tls-no-client-auth.toml"),
    ),
    (
        "tls-expired-server",
        include_str!("../scenarios/tls-expired-server.toml"),
    ),
    (
        "tls-wrong-name",
        include_str!("../scenarios/tls-wrong-name.toml"),
    ),
    (
        "tls-other-env",
        include_str!("../scenarios/tls-other-env.toml"),
    ),
    ("tls-stall", include_str!("../scenarios/tls-stall.toml")),
    ("tls-reset", include_str!("../scenarios/tls-reset.toml")),
    ("tls12-only", include_str!("../scenarios/tls12-only.toml")),
    ("dns64", include_str!("../scenarios/dns64.toml")),
    ("dns64-nsp", include_str!("../scenarios/dns64-nsp.toml")),
    ("a-only", include_str!("../scenarios/a-only.toml")),
    ("proxy-auth", include_str!("../scenarios/proxy-auth.toml")),
    (
        "proxy-forbidden",
        include_str!("../scenarios/proxy-forbidden.toml"),
    ),
    (
        "proxy-bad-gateway",
        include_str!("../scenarios/proxy-bad-gateway.toml"),
    ),
    (
        "proxy-unavailable",
        include_str!("../scenarios/proxy-unavailable.toml"),
    ),
    ("proxy-stall", include_str!("../scenarios/proxy-stall.toml")),
    (
        "proxy-garbage",
        include_str!("../scenarios/proxy-garbage.toml"),
    ),
    ("proxy-reset", include_str!("../scenarios/proxy-reset.toml")),
    ("proxy-down", include_str!("../scenarios/proxy-down.toml")),
    ("proxy-flap", include_str!("../scenarios/proxy-flap.toml")),
    (
        "bypass-missing",
        include_str!("../scenarios/bypass-missing.toml"),
    ),
    (
        "winhttp-direct",
        include_str!("../scenarios/winhttp-direct.toml"),
    ),
    ("env-proxy", include_str!("../scenarios/env-proxy.toml")),
    ("pac-url", include_str!("../scenarios/pac-url.toml")),
    (
        "pac-url-https",
        include_str!("../scenarios/pac-url-https.toml"),
    ),
    ("wpad-on", include_str!("../scenarios/wpad-on.toml")),
    ("wpad-dhcp", include_str!("../scenarios/wpad-dhcp.toml")),
    (
        "line-auth-required",
        include_str!("../scenarios/line-auth-required.toml"),
    ),
    (
        "line-auth-unexpected",
        include_str!("../scenarios/line-auth-unexpected.toml"),
    ),
    (
        "line-auth-unreachable",
        include_str!("../scenarios/line-auth-unreachable.toml"),
    ),
    (
        "line-dns-other",
        include_str!("../scenarios/line-dns-other.toml"),
    ),
    (
        "wrong-environment",
        include_str!("../scenarios/wrong-environment.toml"),
    ),
    (
        "wpad-everything-proxy",
        include_str!("../scenarios/wpad-everything-proxy.toml"),
    ),
    ("wpad-flap", include_str!("../scenarios/wpad-flap.toml")),
    (
        "wpad-hostile",
        include_str!("../scenarios/wpad-hostile.toml"),
    ),
    (
        "wpad-not-found",
        include_str!("../scenarios/wpad-not-found.toml"),
    ),
];

/// Names of the built-in scenarios, in a stable order.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(name, _)| *name).collect()
}

/// A built-in scenario by name (the file stem under `lab/scenarios/`).
pub fn builtin(name: &str) -> Result<Scenario, ScenarioError> {
    let (_, text) =
        BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| ScenarioError::UnknownBuiltin {
                name: name.to_owned(),
            })?;
    Scenario::parse(text, &format!("builtin:{name}"))
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::time::Duration;

    use hickory_proto::op::{Message, Query, ResponseCode};
    use hickory_proto::rr::{Name, RData, RecordType};
    use tokio::net::UdpSocket;

    use super::super::Lab;
    use super::*;

    const RR: &str = "ntp.lab.example";
    const FB: [&str; 2] = ["ntp1.lab.example", "ntp2.lab.example"];

    fn v4(n: u8) -> Ipv4Addr {
        Ipv4Addr::new(127, 0, 0, n)
    }

    fn healthy() -> LabSpec {
        LabSpec::healthy(RR, &FB, &[v4(1), v4(2), v4(3)], &[Ipv6Addr::LOCALHOST])
    }

    fn scenario(name: &str) -> Scenario {
        builtin(name).unwrap_or_else(|e| panic!("{e}"))
    }

    fn applied(name: &str) -> LabSpec {
        let mut spec = healthy();
        apply(&mut spec, &scenario(name));
        spec
    }

    #[test]
    fn builtin_list_matches_the_fixture_directory() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("lab/scenarios exists")
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let p = e.path();
                (p.extension()? == "toml").then(|| p.file_stem()?.to_str().map(str::to_owned))?
            })
            .collect();
        on_disk.sort();
        let mut builtin: Vec<String> = builtin_names().iter().map(|s| s.to_string()).collect();
        builtin.sort();
        assert_eq!(on_disk, builtin);
        for name in builtin_names() {
            let from_file = Scenario::load(dir.join(format!("{name}.toml"))).expect("loads");
            assert_eq!(from_file, scenario(name), "{name}");
            assert!(
                !from_file.description.is_empty(),
                "{name} has a description"
            );
        }
    }

    #[test]
    fn every_builtin_applies_as_documented() {
        let base = healthy();
        assert_eq!(applied("healthy"), base);
        assert!(applied("dead-member").members[1].ntp.dead);
        assert_eq!(applied("offset-warn").members[1].ntp.offset_ms, 200.0);
        assert_eq!(applied("offset-fail").members[1].ntp.offset_ms, 2000.0);
        assert_eq!(applied("unsync-stratum16").members[1].ntp.stratum, 16);
        assert_eq!(applied("unsync-leap3").members[1].ntp.leap, 3);
        for (name, code) in [
            ("kod-rate", "RATE"),
            ("kod-deny", "DENY"),
            ("kod-rstr", "RSTR"),
        ] {
            assert_eq!(applied(name).members[1].ntp.kod.as_deref(), Some(code));
        }
        assert!(!applied("no-rotation").names[0].rotate);
        assert_eq!(applied("nxdomain").names[0].rcode, Some(LabRcode::NxDomain));
        assert_eq!(applied("servfail").names[0].rcode, Some(LabRcode::ServFail));
        assert_eq!(applied("refused").names[0].rcode, Some(LabRcode::Refused));
        assert!(applied("timeout").names[0].silent);
        assert_eq!(applied("slow").latency_ms, 400);
        let single = applied("single-member");
        assert_eq!(
            (single.names[0].a.len(), single.names[0].aaaa.len()),
            (1, 1)
        );
        for (name, shape) in [
            ("truncated", ReplyShape::Truncated),
            ("wrong-mode", ReplyShape::WrongMode),
            ("wrong-origin", ReplyShape::WrongOrigin),
            ("zero-transmit", ReplyShape::ZeroTransmit),
        ] {
            assert_eq!(applied(name).members[1].ntp.reply, shape, "{name}");
        }
        assert_eq!(
            applied("healthy").terminal,
            None,
            "the installers' settings"
        );
        let wpad_on = applied("wpad-on").terminal.expect("a terminal");
        assert_eq!(wpad_on.auto_detect, Some(true));
        assert_eq!(
            wpad_on.proxy_server, None,
            "unset fields stay the installers'"
        );
        let disagree = applied("disagree");
        let spread = disagree.members[0].ntp.offset_ms - disagree.members[1].ntp.offset_ms;
        assert!(spread.abs() >= 1000.0, "members disagree: {spread}");

        // fallback-outside: fallback 1 points at members that are not in the round-robin set.
        let out = applied("fallback-outside");
        let rr = &out.names[0];
        let fb = &out.names[1];
        assert_eq!(rr, &base.names[0], "round-robin set unchanged");
        assert_eq!(fb.a, [v4(100)]);
        assert_eq!(fb.aaaa, [v4(101).to_ipv6_mapped()]);
        assert!(!rr.a.contains(&fb.a[0]) && !rr.aaaa.contains(&fb.aaaa[0]));
        assert_eq!(out.members.len(), base.members.len() + 2);
        assert!(out.member(IpAddr::V4(fb.a[0])).is_some());
        assert!(out.member(IpAddr::V6(fb.aaaa[0])).is_some());
        assert_eq!(out.names[2], base.names[2], "fallback 2 untouched");

        // dns64: ipv4only.arpa gains synthesised AAAA records (added when the spec lacks it).
        let d = applied("dns64");
        let v4only = d.name("ipv4only.arpa").expect("added");
        assert_eq!(v4only.aaaa.len(), 2);
        assert!(
            v4only
                .aaaa
                .iter()
                .all(|a| a.segments()[..2] == [0x64, 0xff9b])
        );
        assert_eq!(
            applied("dns64-nsp")
                .name("ipv4only.arpa")
                .map(|n| n.aaaa.len()),
            Some(2)
        );
        // a-only: fallback 1 keeps its A record and loses its AAAA; the web host has A only.
        let a = applied("a-only");
        assert_eq!(a.names[1].a, base.names[1].a);
        assert!(a.names[1].aaaa.is_empty());
        let web = a.name("hweb.oqs.onshikaku.org").expect("added");
        assert!(web.aaaa.is_empty() && !web.a.is_empty());
    }

    #[test]
    fn roles_literals_and_bad_input() {
        let s = Scenario::from_toml_str(
            r#"
            [[name]]
            name = "WPAD.lab.example."
            a = ["127.0.0.7"]
            [[name]]
            name = "@fallback2"
            ttl = 5
            rcode = "REFUSED"
            [[name]]
            name = "@fallback9"
            silent = true
            [[member]]
            index = 0
            ref_id = "GPS"
            stratum = 1
            [[member]]
            index = 42
            dead = true
            "#,
        )
        .expect("parses");
        let mut spec = healthy();
        apply(&mut spec, &s);
        assert_eq!(
            spec.names.len(),
            4,
            "literal name added, missing role skipped"
        );
        assert_eq!(spec.names[3].a, [v4(7)]);
        assert_eq!(spec.names[2].ttl, 5);
        assert_eq!(spec.members[0].ntp.ref_id, Some(*b"GPS\0"));
        assert_eq!(spec.members[0].ntp.stratum, 1);

        for bad in [
            "bogus = 1",
            "[[member]]\ndead = true",
            "[[member]]\nindex = 0\nleap = 4",
            "[[member]]\nindex = 0\nkod = \"TOOLONG\"",
            "[[member]]\nindex = 0\nreply = \"sideways\"",
            "[[extra_member]]\nindex = 0",
            "[[name]]\nname = \"@rr\"\na = [\"::1\"]",
            "[[name]]\nname = \"@rr\"\naaaa = [\"@spare-v4\"]",
            "[[name]]\nname = \"@primary\"",
            "[[name]]\nname = \"@rr\"\nrcode = \"NOTAUTH\"",
            "[[name]]\nname = \"@rr\"\na = [\"not-an-ip\"]",
        ] {
            let err = Scenario::from_toml_str(bad).expect_err(bad);
            assert!(matches!(
                err.as_label(),
                "scenario_parse" | "scenario_invalid"
            ));
        }
        assert_eq!(
            builtin("nope").expect_err("unknown").as_label(),
            "scenario_unknown"
        );
        assert_eq!(
            Scenario::load("/nonexistent/x.toml")
                .expect_err("missing")
                .as_label(),
            "scenario_io"
        );
    }

    async fn dns_answers(server: SocketAddr, name: &str, rtype: RecordType) -> Option<Message> {
        let client = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.ok()?;
        let mut q = Message::query();
        q.add_query(Query::query(Name::from_ascii(name).ok()?, rtype));
        client.send_to(&q.to_vec().ok()?, server).await.ok()?;
        let mut buf = [0u8; 2048];
        let (len, _) = tokio::time::timeout(Duration::from_millis(500), client.recv_from(&mut buf))
            .await
            .ok()?
            .ok()?;
        Message::from_vec(&buf[..len]).ok()
    }

    async fn ntp_replies(ip: IpAddr, port: u16) -> Option<Vec<u8>> {
        let bind: SocketAddr = if ip.is_ipv4() {
            (Ipv4Addr::LOCALHOST, 0).into()
        } else {
            (Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let client = UdpSocket::bind(bind).await.ok()?;
        let mut req = [0u8; 48];
        req[0] = 0x23;
        client.send_to(&req, (ip, port)).await.ok()?;
        let mut buf = [0u8; 256];
        let (len, _) = tokio::time::timeout(Duration::from_millis(500), client.recv_from(&mut buf))
            .await
            .ok()?
            .ok()?;
        Some(buf[..len].to_vec())
    }

    /// Every built-in scenario starts a lab whose DNS and NTP behave as the scenario says.
    #[tokio::test]
    async fn every_builtin_runs_on_loopback() {
        let v6_ok = std::net::UdpSocket::bind((Ipv6Addr::LOCALHOST, 0)).is_ok();
        if !v6_ok {
            println!("::1 unavailable: running the scenarios with IPv4 members only");
        }
        for name in builtin_names() {
            let mut spec = healthy();
            apply(&mut spec, &scenario(name));
            if !v6_ok {
                spec.members.retain(|m| m.ip.is_ipv4());
                spec.names.iter_mut().for_each(|n| n.aaaa.clear());
            }
            let lab = Lab::start(spec.clone())
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));

            let rr = dns_answers(lab.dns_addr(), RR, RecordType::A).await;
            let expect_rcode = match spec.names[0].rcode {
                _ if spec.names[0].silent => None,
                Some(LabRcode::NxDomain) => Some(ResponseCode::NXDomain),
                Some(LabRcode::ServFail) => Some(ResponseCode::ServFail),
                Some(LabRcode::Refused) => Some(ResponseCode::Refused),
                None => Some(ResponseCode::NoError),
            };
            assert_eq!(
                rr.as_ref().map(|m| m.metadata.response_code),
                expect_rcode,
                "{name}"
            );
            if expect_rcode == Some(ResponseCode::NoError) {
                let got: Vec<_> = rr
                    .iter()
                    .flat_map(|m| &m.answers)
                    .filter_map(|r| match &r.data {
                        RData::A(a) => Some(a.0),
                        _ => None,
                    })
                    .collect();
                assert_eq!(got, spec.names[0].a, "{name}");
            }

            let fb = dns_answers(lab.dns_addr(), FB[0], RecordType::A)
                .await
                .unwrap_or_else(|| panic!("{name}: fallback answers"));
            let fb_ip = match fb.answers.first().map(|r| &r.data) {
                Some(RData::A(a)) => IpAddr::V4(a.0),
                other => panic!("{name}: fallback A is {other:?}"),
            };
            let fb_v6 = spec.names[1].aaaa.first().copied();

            for (i, member) in spec.members.iter().enumerate() {
                let reply = ntp_replies(member.ip, lab.ntp_port()).await;
                let b = &member.ntp;
                match reply {
                    None => assert!(b.dead, "{name}: member {i} silent"),
                    Some(bytes) => {
                        assert!(!b.dead, "{name}: member {i} should be dead");
                        let len = if b.reply == ReplyShape::Truncated {
                            20
                        } else {
                            48
                        };
                        assert_eq!(bytes.len(), len, "{name}: member {i}");
                        let stratum = if b.kod.is_some() { 0 } else { b.stratum };
                        assert_eq!(bytes[1], stratum, "{name}: member {i}");
                    }
                }
            }
            // The fallback's address answers NTP unless the scenario killed that very member.
            for ip in std::iter::once(fb_ip).chain(fb_v6.map(IpAddr::V6)) {
                let dead = spec.member(ip).is_none_or(|m| m.ntp.dead);
                assert_eq!(
                    ntp_replies(ip, lab.ntp_port()).await.is_some(),
                    !dead,
                    "{name}: fallback address {ip}"
                );
            }
            lab.shutdown().await;
        }
    }
}

//! The lab's spec: plain, TOML-(de)serialisable data saying what the lab serves (names and their
//! answers, NTP members and their behaviour, TLS servers, the proxy, the WPAD server). No sockets,
//! no tasks: [`crate::Lab`] serves it, [`crate::scenario`] and [`crate::schedule`] edit it.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use serde::{Deserialize, Deserializer, Serialize};

use crate::proxy::ProxyFault;
use crate::wpad::WpadFault;

/// Everything the lab serves. Bindings (`dns_bind`, `ntp_port`, member addresses) are fixed at
/// [`Lab::start`]; the rest can be changed at runtime with [`Lab::update`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabSpec {
    /// Where the DNS server listens (UDP and TCP on the same port). Default `127.0.0.1:0`.
    pub dns_bind: SocketAddr,
    /// NTP port shared by every member address; 0 picks one free unprivileged port usable on all.
    pub ntp_port: u16,
    /// Fixed latency added to every DNS and NTP reply.
    pub latency_ms: u64,
    /// The names the DNS server is authoritative for.
    pub names: Vec<LabName>,
    /// One NTP server per member address.
    pub members: Vec<LabMember>,
    /// TLS servers (each on a port of its own, on every `tls_bind` address). Their host names
    /// are answered by the DNS server with the `tls_bind` addresses unless `names` has them.
    pub tls: Vec<LabTls>,
    /// Where the TLS servers listen; empty: 127.0.0.1. The proxy and the WPAD server listen
    /// there too.
    pub tls_bind: Vec<IpAddr>,
    /// The distribution base's proxy stand-in (an HTTP CONNECT proxy); `None`: no proxy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<LabProxyConf>,
    /// The WPAD / PAC web server; `None`: none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wpad: Option<LabWpadConf>,
    /// The proxy settings of the terminal the lab stands beside; `None`: the installers'. The lab
    /// serves nothing for them: whoever points a client at the lab reads them from
    /// [`Lab::spec`](crate::Lab::spec), so a change made while the lab runs (a fault schedule's
    /// `[[terminal]]` step) is seen from then on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terminal: Option<Terminal>,
    /// A second DNS server serving the same names: the DNS servers a terminal uses when they are
    /// not the line's (a home router's, say). Its address is [`Lab::other_dns_addr`].
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub other_dns: bool,
    /// The client certificate whoever points a client at the lab presents (its PFX is in
    /// [`crate::pki::PkiFiles`]).
    #[serde(skip_serializing_if = "ClientCertificate::is_valid")]
    pub client_certificate: ClientCertificate,
}

/// Which of the lab's client certificates a client presents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientCertificate {
    /// Valid for a year.
    #[default]
    Valid,
    /// Valid for 10 more days ([`crate::pki::EXPIRING_DAYS`]).
    Expiring,
}

impl ClientCertificate {
    fn is_valid(&self) -> bool {
        *self == ClientCertificate::Valid
    }
}

/// The lab's HTTP CONNECT proxy. It reaches the lab's names (the TLS servers) by the addresses the
/// DNS server gives them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabProxyConf {
    /// The name the DNS server answers with the proxy's addresses.
    pub name: String,
    /// 0 picks a free port.
    pub port: u16,
    pub fault: ProxyFault,
    /// Nothing listens on the port: connections are refused.
    pub down: bool,
}

impl Default for LabProxyConf {
    fn default() -> Self {
        LabProxyConf {
            name: "proxy.lab.test".into(),
            port: 0,
            fault: ProxyFault::None,
            down: false,
        }
    }
}

/// The lab's WPAD / PAC web server: HTTP on one port and, when the lab has a PKI, HTTPS on
/// another, serving `script` at `/wpad.dat` and any `*.pac` path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabWpadConf {
    /// Names the DNS server answers with the server's addresses (`wpad.<domain>`, a PAC host).
    pub names: Vec<String>,
    /// 0 picks a free port.
    pub port: u16,
    /// The PAC file. `PROXY <proxy name>:8080` in it is served with the lab proxy's real port.
    pub script: String,
    pub fault: WpadFault,
}

impl Default for LabWpadConf {
    fn default() -> Self {
        LabWpadConf {
            names: Vec::new(),
            port: 0,
            script: String::new(),
            fault: WpadFault::None,
        }
    }
}

impl Default for LabSpec {
    fn default() -> Self {
        Self {
            dns_bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            ntp_port: 0,
            latency_ms: 0,
            names: Vec::new(),
            members: Vec::new(),
            tls: Vec::new(),
            tls_bind: Vec::new(),
            proxy: None,
            wpad: None,
            terminal: None,
            other_dns: false,
            client_certificate: ClientCertificate::Valid,
        }
    }
}

impl LabSpec {
    /// A healthy network: `rr_name` answers with every member (A and AAAA), rotating; fallback `i`
    /// answers with the `i`-th address of each family (wrapping if there are more fallbacks than
    /// addresses, so fallbacks are always inside the set); every member runs a healthy NTP server
    /// (stratum 2, offset 0). Members are ordered v4 first, then v6. `names[0]` is the round-robin
    /// name and `names[1..]` the fallbacks, which is the order [`scenario`] roles refer to.
    pub fn healthy(rr_name: &str, fallbacks: &[&str], v4: &[Ipv4Addr], v6: &[Ipv6Addr]) -> LabSpec {
        let mut names = vec![LabName {
            name: rr_name.to_owned(),
            a: v4.to_vec(),
            aaaa: v6.to_vec(),
            ..LabName::default()
        }];
        for (i, fallback) in fallbacks.iter().enumerate() {
            let pick_v4 = (!v4.is_empty()).then(|| v4[i % v4.len()]);
            let pick_v6 = (!v6.is_empty()).then(|| v6[i % v6.len()]);
            names.push(LabName {
                name: (*fallback).to_owned(),
                a: pick_v4.into_iter().collect(),
                aaaa: pick_v6.into_iter().collect(),
                ..LabName::default()
            });
        }
        let members = v4
            .iter()
            .map(|ip| IpAddr::V4(*ip))
            .chain(v6.iter().map(|ip| IpAddr::V6(*ip)))
            .map(LabMember::healthy)
            .collect();
        LabSpec {
            names,
            members,
            ..LabSpec::default()
        }
    }

    /// The name entry matching `name` case-insensitively, with or without a trailing dot.
    pub fn name(&self, name: &str) -> Option<&LabName> {
        let key = normalize_name(name);
        self.names.iter().find(|n| normalize_name(&n.name) == key)
    }

    /// The member bound on `ip`, if any.
    pub fn member(&self, ip: IpAddr) -> Option<&LabMember> {
        self.members.iter().find(|m| m.ip == ip)
    }
}

/// The terminal's proxy settings, as its registry and environment hold them. Every field is
/// optional: unset fields keep the installers' settings (proxy on with the expected bypass list
/// in Internet Options and WinHTTP alike, no PAC, auto-detect off, no environment). Values may
/// name the lab: `@proxy` (the lab proxy, `name:port`), `@bypass` (the expected bypass list,
/// `;`-separated), `@pac-url` and `@pac-url-https` (the lab's PAC file over HTTP or HTTPS).
/// `dhcp_wpad` is what the terminal's DHCP server offers, not a registry value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Terminal {
    /// Internet Options → LAN settings → "Automatically detect settings".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_detect: Option<bool>,
    /// "Use a proxy server for your LAN".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_enable: Option<bool>,
    /// `ProxyServer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_server: Option<String>,
    /// `ProxyOverride` (the bypass list, `;`-separated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_override: Option<String>,
    /// `AutoConfigURL` ("Use automatic configuration script").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_config_url: Option<String>,
    /// The PAC URL the terminal's DHCP server hands out in option 252 (WPAD by DHCP, asked before
    /// WPAD by DNS when auto-detect is on): a URL, `@pac-url` or `@pac-url-https`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dhcp_wpad: Option<String>,
    /// WinHTTP's proxy (`netsh winhttp set proxy`): `host:port`, `@proxy`, or `direct`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub winhttp_proxy: Option<String>,
    /// WinHTTP's bypass list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub winhttp_bypass: Option<String>,
    /// Environment variables (`HTTPS_PROXY`, `NO_PROXY`…) of the process that probes.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
}

impl Terminal {
    /// True when no field is set (the installers' settings throughout).
    pub fn is_empty(&self) -> bool {
        *self == Terminal::default()
    }

    /// Sets every field that `over` sets; environment variables are added or replaced one by one.
    pub fn overlay(&mut self, over: &Terminal) {
        fn set<T: Clone>(to: &mut Option<T>, from: &Option<T>) {
            if from.is_some() {
                to.clone_from(from);
            }
        }
        set(&mut self.auto_detect, &over.auto_detect);
        set(&mut self.proxy_enable, &over.proxy_enable);
        set(&mut self.proxy_server, &over.proxy_server);
        set(&mut self.proxy_override, &over.proxy_override);
        set(&mut self.auto_config_url, &over.auto_config_url);
        set(&mut self.dhcp_wpad, &over.dhcp_wpad);
        set(&mut self.winhttp_proxy, &over.winhttp_proxy);
        set(&mut self.winhttp_bypass, &over.winhttp_bypass);
        for (k, v) in &over.environment {
            self.environment.insert(k.clone(), v.clone());
        }
    }
}

/// One DNS name and how the lab answers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabName {
    /// e.g. `ntp.base.oqs-pdl.org`; matched case-insensitively, with or without a trailing dot.
    pub name: String,
    pub a: Vec<Ipv4Addr>,
    pub aaaa: Vec<Ipv6Addr>,
    /// Default 300.
    pub ttl: u32,
    /// Default true: each answer list is rotated by one relative to the previous query for the same
    /// (name, type), like BIND's `rrset-order cyclic`. The first query gets the list as written.
    pub rotate: bool,
    /// Answer with this rcode and no records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rcode: Option<LabRcode>,
    /// Never answer (the client times out).
    pub silent: bool,
}

impl Default for LabName {
    fn default() -> Self {
        Self {
            name: String::new(),
            a: Vec::new(),
            aaaa: Vec::new(),
            ttl: 300,
            rotate: true,
            rcode: None,
            silent: false,
        }
    }
}

/// The error rcodes a name can be configured to return.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LabRcode {
    #[serde(rename = "NXDOMAIN", alias = "NxDomain", alias = "nxdomain")]
    NxDomain,
    #[serde(rename = "SERVFAIL", alias = "ServFail", alias = "servfail")]
    ServFail,
    #[serde(rename = "REFUSED", alias = "Refused", alias = "refused")]
    Refused,
}

/// One NTP server of the lab.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabMember {
    pub ip: IpAddr,
    #[serde(default)]
    pub ntp: NtpBehaviour,
}

impl LabMember {
    /// A member with a healthy NTP server (stratum 2, offset 0).
    pub fn healthy(ip: IpAddr) -> LabMember {
        LabMember {
            ip,
            ntp: NtpBehaviour::default(),
        }
    }
}

/// How one member's NTP server behaves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NtpBehaviour {
    /// No reply at all.
    pub dead: bool,
    /// Server clock = real clock + offset.
    pub offset_ms: f64,
    /// Default 2.
    pub stratum: u8,
    /// Leap indicator, default 0; 3 = unsynchronised.
    pub leap: u8,
    /// e.g. "RATE", "DENY", "RSTR": the reply is a kiss-o'-death (stratum 0, refid = code, LI 3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kod: Option<String>,
    pub reply: ReplyShape,
    /// Reference id; default "LAB\0" for stratum 1, else the bytes of 127.0.0.1. In TOML either four
    /// integers or a string of at most four ASCII characters.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_ref_id"
    )]
    pub ref_id: Option<[u8; 4]>,
}

impl Default for NtpBehaviour {
    fn default() -> Self {
        Self {
            dead: false,
            offset_ms: 0.0,
            stratum: 2,
            leap: 0,
            kod: None,
            reply: ReplyShape::Normal,
            ref_id: None,
        }
    }
}

/// The shape of an NTP reply, for malformed-reply faults.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReplyShape {
    #[default]
    #[serde(alias = "Normal")]
    Normal,
    /// Only the first 20 bytes are sent.
    #[serde(alias = "Truncated")]
    Truncated,
    /// Mode 3 (client) instead of 4 (server).
    #[serde(alias = "WrongMode")]
    WrongMode,
    /// The origin timestamp is not the client's transmit timestamp.
    #[serde(alias = "WrongOrigin")]
    WrongOrigin,
    /// The transmit timestamp is 0.
    #[serde(alias = "ZeroTransmit")]
    ZeroTransmit,
}

/// Accepts `ref_id = [76, 65, 66, 0]` or `ref_id = "GPS"` (ASCII, at most four bytes, NUL-padded).
pub(crate) fn deserialize_ref_id<'de, D: Deserializer<'de>>(
    de: D,
) -> Result<Option<[u8; 4]>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum RefId {
        Bytes([u8; 4]),
        Text(String),
    }
    match Option::<RefId>::deserialize(de)? {
        None => Ok(None),
        Some(RefId::Bytes(b)) => Ok(Some(b)),
        Some(RefId::Text(s)) => ref_id_from_text(&s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("ref_id text must be 1 to 4 ASCII characters")),
    }
}

/// `"RATE"` -> `*b"RATE"`, `"GPS"` -> `*b"GPS\0"`; `None` unless 1..=4 ASCII characters.
pub(crate) fn ref_id_from_text(s: &str) -> Option<[u8; 4]> {
    if s.is_empty() || s.len() > 4 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 4];
    out[..s.len()].copy_from_slice(s.as_bytes());
    Some(out)
}

/// Lower-case, no trailing dot: the form names are matched and counted in.
pub(crate) fn normalize_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// One TLS server of the lab.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabTls {
    /// The endpoint's name in the profile (`oqs-web`, `distribution`…), used by scenarios.
    pub endpoint: String,
    /// The host name its certificate and DNS answer carry.
    pub host: String,
    #[serde(default)]
    pub fault: TlsFault,
    /// The page it answers with (a line-authentication page); `None`: one plain-text line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<LinePage>,
}

/// The NGN line-authentication page as the lab serves it, each in a charset such a device may
/// use (the client must decode by the declared charset).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinePage {
    /// 認証済みです, in Shift_JIS declared by the HTTP header.
    Authenticated,
    /// A login form saying the line is not authenticated, in EUC-JP declared by `<meta>`.
    NotAuthenticated,
    /// Another device's page (a home gateway's), in UTF-8.
    Unexpected,
}

/// How a lab TLS server misbehaves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsFault {
    #[default]
    None,
    /// Every client certificate is refused (alert bad_certificate).
    RejectAll,
    /// No CertificateRequest at all.
    NoClientAuth,
    /// The server certificate expired.
    ExpiredServerCert,
    /// The server certificate is for another name.
    WrongName,
    /// The server certificate is for the other environment's names (oqs ↔ oqs-st).
    OtherEnvironment,
    /// Reads the ClientHello, then never answers.
    Stall,
    /// Reads the ClientHello, then resets the connection (RST).
    Reset,
    /// Offers TLS 1.2 only.
    Tls12Only,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthy_spec_puts_fallbacks_inside_the_set() {
        let v4 = [Ipv4Addr::new(127, 0, 0, 1), Ipv4Addr::new(127, 0, 0, 2)];
        let v6 = [Ipv6Addr::LOCALHOST];
        let spec = LabSpec::healthy("ntp.example", &["ntp1.example", "ntp2.example"], &v4, &v6);
        assert_eq!(spec.names.len(), 3);
        assert_eq!(spec.names[0].a, v4);
        assert_eq!(spec.names[0].aaaa, v6);
        assert!(spec.names[0].rotate);
        assert_eq!(spec.names[1].a, [v4[0]]);
        assert_eq!(spec.names[2].a, [v4[1]]);
        assert_eq!(spec.names[2].aaaa, [v6[0]], "wraps around");
        assert_eq!(spec.members.len(), 3);
        assert!(
            spec.members
                .iter()
                .all(|m| m.ntp == NtpBehaviour::default())
        );
        assert_eq!(spec.members[0].ntp.stratum, 2);
        assert_eq!(
            spec.name("NTP1.Example.").map(|n| n.a.clone()),
            Some(vec![v4[0]])
        );
    }

    #[test]
    fn spec_round_trips_through_toml() {
        let text = r#"
            dns_bind = "127.0.0.1:0"
            latency_ms = 5
            [[names]]
            name = "ntp.example"
            a = ["127.0.0.1"]
            rcode = "SERVFAIL"
            [[members]]
            ip = "127.0.0.1"
            [[members]]
            ip = "::1"
            ntp = { stratum = 1, ref_id = "GPS", reply = "wrong-origin", kod = "RATE" }
            [terminal]
            auto_detect = true
            environment = { HTTPS_PROXY = "@proxy" }
        "#;
        let spec: LabSpec = toml::from_str(text).expect("parses");
        assert_eq!(spec.names[0].ttl, 300);
        assert_eq!(spec.names[0].rcode, Some(LabRcode::ServFail));
        assert_eq!(spec.members[0].ntp, NtpBehaviour::default());
        assert_eq!(spec.members[1].ntp.ref_id, Some(*b"GPS\0"));
        assert_eq!(spec.members[1].ntp.reply, ReplyShape::WrongOrigin);
        let terminal = spec.terminal.clone().expect("a terminal");
        assert_eq!(terminal.auto_detect, Some(true));
        assert_eq!(terminal.environment["HTTPS_PROXY"], "@proxy");
        let again: LabSpec =
            toml::from_str(&toml::to_string(&spec).expect("serialises")).expect("reparses");
        assert_eq!(again, spec);
        assert!(toml::from_str::<LabSpec>("bogus = 1").is_err());
    }
}

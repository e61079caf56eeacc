//! The line's own checks as data: what the profile's `[line]` section asks (NGN line
//! authentication, the NGN's DNS servers) and the environment check's names, and what a round
//! measured of each. No I/O; depends on nothing outside `model`.

use super::{Environment, HostPort};
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// The NGN line-authentication page (FACTS: IP-VPN over NGN).
pub const LINEAUTH_HOST: &str = "www.lineauth.mnw";
/// The OQS DNS servers installers set on the OQS adapter: NTT East, then NTT West (FACTS).
pub const NGN_DNS: [&str; 4] = [
    "2404:1a8:f583:d00::53:1",
    "2404:1a8:f583:d00::53:2",
    "2001:a7ff:f014:d00::53:1",
    "2001:a7ff:f014:d00::53:2",
];
/// The names installers resolve to test NGN DNS (east, west).
pub const NGN_TEST_NAMES: [&str; 2] = ["assv.asc.flets-east.jp", "assv.asc.flets-west.jp"];
/// How much of the authentication page is read at most.
pub const LINEAUTH_MAX_BYTES: usize = 256 * 1024;

/// `[line]` in a profile: the checks of the line itself. Both off unless the profile says so
/// (the shipped IP-VPN profiles do).
#[derive(Clone, Debug, Default, Serialize, schemars::JsonSchema)]
pub struct LineSettings {
    /// The line-authentication page to read (`auth = true`); `None`: not checked.
    pub auth: Option<LineAuth>,
    /// The NGN's DNS servers and the names they must answer (`dns = true`); `None`: not checked.
    pub ngn_dns: Option<NgnDns>,
}

/// One HTTPS GET of the line-authentication page through the OQS adapter.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct LineAuth {
    /// Host (and port, 443 unless given) of the page.
    pub host: HostPort,
    /// Path requested, starting with `/`.
    pub path: String,
    /// The whole fetch (name, connect, TLS, page).
    #[serde(serialize_with = "ser_ms")]
    #[schemars(with = "u64")]
    pub timeout: Duration,
    /// Whether the page's certificate must chain to the CA bundle or the system's roots
    /// (`auth_verify`); when it must not, the page is read whatever certificate it shows.
    pub verify: bool,
}

impl LineAuth {
    pub fn url(&self) -> String {
        format!("https://{}{}", self.host, self.path)
    }
}

/// The NGN's DNS servers (port 53 unless given) and the names each must answer.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct NgnDns {
    pub servers: Vec<SocketAddr>,
    /// The NGN test names (`assv.asc.flets-east.jp`…); the round adds the OQS names.
    pub names: Vec<String>,
}

/// The default NGN DNS servers (FACTS), on port 53.
pub fn ngn_dns_default() -> Vec<SocketAddr> {
    NGN_DNS
        .iter()
        .filter_map(|s| s.parse::<IpAddr>().ok())
        .map(|ip| SocketAddr::new(ip, 53))
        .collect()
}

/// The same host in the other environment (`oqs` ↔ `oqs-st`, `prd` ↔ `stg`), if the name tells.
pub fn counterpart(host: &str) -> Option<String> {
    let lower = host.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = lower.split('.').collect();
    let swapped: Vec<&str> = labels
        .iter()
        .map(|l| match *l {
            "oqs" => "oqs-st",
            "oqs-st" => "oqs",
            "prd" => "stg",
            "stg" => "prd",
            other => other,
        })
        .collect();
    (swapped != labels).then(|| swapped.join("."))
}

/// The environment a host name belongs to, where the name tells (`oqs-st`, `stg` are verification).
pub fn environment_of(name: &str) -> Option<Environment> {
    let n = name.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = n.split('.').collect();
    if labels
        .iter()
        .any(|l| *l == "oqs-st" || *l == "stg" || l.ends_with("-stg") || l.ends_with("-st"))
    {
        return Some(Environment::Verification);
    }
    if labels
        .iter()
        .any(|l| *l == "oqs" || *l == "prd" || l.ends_with("-pro"))
    {
        return Some(Environment::Production);
    }
    None
}

/// What the line-authentication page said.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthPage {
    /// The page says the line is authenticated (認証済み).
    Authenticated,
    /// The page asks for authentication (a login form, 未認証, 認証されていません…).
    NotAuthenticated,
    /// Neither: another page answers for the name.
    Unexpected,
}

impl AuthPage {
    pub fn as_label(self) -> &'static str {
        match self {
            AuthPage::Authenticated => "authenticated",
            AuthPage::NotAuthenticated => "not_authenticated",
            AuthPage::Unexpected => "unexpected",
        }
    }
}

/// The page as read: its verdict and what it was made of.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PageReading {
    pub verdict: AuthPage,
    pub status: u16,
    /// The charset it was decoded by, by its WHATWG name (`Shift_JIS`, `EUC-JP`, `UTF-8`).
    pub charset: String,
    /// Where that charset was found.
    pub charset_from: CharsetOrigin,
    /// Some bytes did not decode in it (they read as U+FFFD).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub undecodable: bool,
    pub bytes: usize,
    /// The page's title or first words (at most 80 characters), for the report.
    pub excerpt: String,
}

/// Where the charset a page was decoded by came from, in the order they are looked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CharsetOrigin {
    /// The HTTP header's `Content-Type: …; charset=`.
    HttpHeader,
    /// A byte order mark at the start of the page.
    Bom,
    /// The page's `<meta charset>` or `http-equiv` in its first 1024 bytes.
    Meta,
    /// Nothing declared; the bytes are valid UTF-8.
    ValidUtf8,
    /// Nothing declared; the first of Shift_JIS and EUC-JP that decodes without error.
    Guessed,
}

impl CharsetOrigin {
    pub fn as_label(self) -> &'static str {
        match self {
            CharsetOrigin::HttpHeader => "http_header",
            CharsetOrigin::Bom => "bom",
            CharsetOrigin::Meta => "meta",
            CharsetOrigin::ValidUtf8 => "valid_utf8",
            CharsetOrigin::Guessed => "guessed",
        }
    }
}

/// Which step of reaching the page failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReachStage {
    Dns,
    Connect,
    Tls,
    Timeout,
    Http,
}

impl ReachStage {
    pub fn as_label(self) -> &'static str {
        match self {
            ReachStage::Dns => "dns",
            ReachStage::Connect => "connect",
            ReachStage::Tls => "tls",
            ReachStage::Timeout => "timeout",
            ReachStage::Http => "http",
        }
    }
}

/// One read of the line-authentication page.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LineAuthResult {
    pub url: String,
    /// The page, when one was read.
    pub page: Option<PageReading>,
    /// Why no page was read.
    pub failure: Option<(ReachStage, String)>,
    /// Whether the certificate was checked against the CA bundle or the system's roots.
    pub verified: bool,
    pub elapsed_ms: f64,
}

/// One NGN DNS server's answer for one name.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NgnAnswer {
    pub server: SocketAddr,
    pub name: String,
    pub addresses: Vec<IpAddr>,
    /// Why there is no address (`nxdomain`, `timeout`…, with detail).
    pub failure: Option<String>,
    pub elapsed_ms: f64,
}

/// The NGN DNS check's measurements.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NgnDnsResult {
    /// The DNS servers the terminal uses on the OQS adapter (the round's nameservers).
    pub terminal_servers: Vec<SocketAddr>,
    /// The NGN's DNS servers the profile lists.
    pub ngn_servers: Vec<SocketAddr>,
    pub answers: Vec<NgnAnswer>,
}

/// A host of either environment, and whether the terminal's DNS resolves it.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EnvName {
    pub host: String,
    pub environment: Environment,
    pub resolves: bool,
    pub detail: Option<String>,
}

/// The environment check's measurements: the profile's hosts and their counterparts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EnvironmentResult {
    pub names: Vec<EnvName>,
}

/// What a round planned for the line's checks.
#[derive(Clone, Debug, Default)]
pub struct LinePlan {
    pub auth: Option<LineAuth>,
    pub ngn_dns: Option<NgnDns>,
    /// Hosts whose environment the name tells, with it: the profile's and their counterparts.
    pub environment: Vec<(String, Environment)>,
    /// The profile's own OQS hosts, which the NGN's DNS servers must also answer.
    pub oqs_names: Vec<String>,
    /// The terminal's DNS servers as the round uses them.
    pub terminal_servers: Vec<SocketAddr>,
    /// Per DNS query.
    pub dns_timeout: Duration,
    /// Trust for the page (`ca_bundle`, else the system's roots).
    pub ca_bundle: Option<std::path::PathBuf>,
}

/// The line's measurements of one round.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineRound {
    pub auth: Option<LineAuthResult>,
    pub ngn_dns: Option<NgnDnsResult>,
    pub environment: Option<EnvironmentResult>,
}

fn ser_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counterparts_swap_environments() {
        assert_eq!(
            counterpart("hweb.oqs.onshikaku.org").as_deref(),
            Some("hweb.oqs-st.onshikaku.org")
        );
        assert_eq!(
            counterpart("HWEB-API.OQS-ST.onshikaku.org").as_deref(),
            Some("hweb-api.oqs.onshikaku.org")
        );
        assert_eq!(
            counterpart("eps.prd.onshikaku.org").as_deref(),
            Some("eps.stg.onshikaku.org")
        );
        assert_eq!(
            counterpart("stg.pmh.onshikaku.org").as_deref(),
            Some("prd.pmh.onshikaku.org")
        );
        assert_eq!(counterpart("ntp.base.oqs-pdl.org"), None);
    }

    #[test]
    fn the_default_ngn_servers_are_facts_four() {
        let s = ngn_dns_default();
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].to_string(), "[2404:1a8:f583:d00::53:1]:53");
        assert_eq!(s[3].to_string(), "[2001:a7ff:f014:d00::53:2]:53");
    }
}

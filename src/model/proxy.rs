//! Proxy measurements as plain data: what a CONNECT through a proxy came to. No I/O.

use serde::Serialize;

/// How a CONNECT through a proxy ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConnectOutcome {
    /// `200`: the tunnel is open.
    Tunnel,
    /// `407`: the proxy wants credentials.
    AuthRequired { scheme: Option<String> },
    /// `403`: the proxy's policy refuses this destination.
    Forbidden,
    /// `502` / `504`: the proxy could not reach the destination.
    UpstreamFailed { status: u16 },
    /// `503`: the proxy itself is not serving.
    Unavailable,
    /// Any other HTTP status.
    OtherStatus { status: u16 },
    /// Nothing listens on the proxy's port.
    Refused,
    /// The TCP connection to the proxy was not made in time.
    ConnectTimeout,
    /// Connected, but the proxy never answered the CONNECT.
    Silent,
    /// The proxy reset the connection.
    Reset,
    /// The proxy closed the connection without answering.
    Closed,
    /// The answer is not HTTP (the first bytes, escaped).
    NotHttp { first_bytes: String },
    /// The answer's head is larger than any proxy sends.
    HeadTooLarge,
    /// The proxy's name did not resolve.
    Unresolvable { detail: String },
    /// This machine could not open the connection.
    Local { detail: String },
}

impl ConnectOutcome {
    pub fn as_label(&self) -> &'static str {
        match self {
            ConnectOutcome::Tunnel => "tunnel",
            ConnectOutcome::AuthRequired { .. } => "auth_required",
            ConnectOutcome::Forbidden => "forbidden",
            ConnectOutcome::UpstreamFailed { .. } => "upstream_failed",
            ConnectOutcome::Unavailable => "unavailable",
            ConnectOutcome::OtherStatus { .. } => "other_status",
            ConnectOutcome::Refused => "refused",
            ConnectOutcome::ConnectTimeout => "connect_timeout",
            ConnectOutcome::Silent => "silent",
            ConnectOutcome::Reset => "reset",
            ConnectOutcome::Closed => "closed",
            ConnectOutcome::NotHttp { .. } => "not_http",
            ConnectOutcome::HeadTooLarge => "head_too_large",
            ConnectOutcome::Unresolvable { .. } => "unresolvable",
            ConnectOutcome::Local { .. } => "local",
        }
    }
}

/// One CONNECT through a proxy.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ConnectResult {
    /// The proxy as configured (`host:port`).
    pub proxy: String,
    /// The address connected to, when it got that far.
    pub proxy_addr: Option<String>,
    /// The destination asked for (`host:port`).
    pub target: String,
    pub connect_ms: Option<f64>,
    /// From sending the CONNECT to the end of the proxy's answer head.
    pub response_ms: Option<f64>,
    /// The proxy's status line, as sent (bounded).
    pub status_line: Option<String>,
    pub outcome: ConnectOutcome,
}

/// Where a proxy setting was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProxySourceKind {
    /// `--proxy URL|none|auto`.
    Flag,
    /// `https_proxy`, `HTTPS_PROXY`, `all_proxy`, `no_proxy`… with curl's precedence.
    Environment,
    /// The user's Internet Options (WinINet): what browsers and most applications use.
    #[serde(rename = "wininet")]
    WinInet,
    /// WinHTTP (`netsh winhttp`): what services use.
    #[serde(rename = "winhttp")]
    WinHttp,
    /// The profile's expected proxy (what installers set).
    Profile,
}

impl ProxySourceKind {
    pub fn as_label(self) -> &'static str {
        match self {
            ProxySourceKind::Flag => "flag",
            ProxySourceKind::Environment => "environment",
            ProxySourceKind::WinInet => "wininet",
            ProxySourceKind::WinHttp => "winhttp",
            ProxySourceKind::Profile => "profile",
        }
    }
}

/// One place's proxy settings, as it says them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ProxySource {
    pub kind: ProxySourceKind,
    /// Exactly where (`HTTPS_PROXY`, a registry key, `--proxy`).
    pub origin: String,
    /// The proxy for https destinations (`host:port`), when one is set and switched on.
    pub proxy: Option<String>,
    /// The bypass list as written there, split into entries.
    pub bypass: Vec<String>,
    /// A PAC URL (`AutoConfigURL`, or `--proxy` with a .pac/.dat URL).
    pub pac_url: Option<String>,
    /// "Automatically detect settings" (WPAD), where the place has that switch.
    pub auto_detect: Option<bool>,
    /// Said "no proxy" explicitly (`--proxy none`, WinHTTP direct access).
    pub direct: bool,
}

/// The registry values of the user's Internet Options, as `platform` reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WinInetValues {
    pub proxy_enable: Option<u32>,
    pub proxy_server: Option<String>,
    pub proxy_override: Option<String>,
    pub auto_config_url: Option<String>,
    /// `Connections\DefaultConnectionSettings`.
    pub default_connection_settings: Option<Vec<u8>>,
}

/// DIRECT or through the proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Way {
    Direct,
    Proxy,
}

impl Way {
    pub fn as_label(self) -> &'static str {
        match self {
            Way::Direct => "direct",
            Way::Proxy => "proxy",
        }
    }
}

/// The way one target goes under the effective settings, and what came of going that way.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TargetRoute {
    /// The endpoint's name in the profile.
    pub name: String,
    /// `host:port`.
    pub target: String,
    /// What the profile expects: the expected bypass list sends it DIRECT, else the proxy.
    pub expected: Way,
    pub way: Way,
    /// The proxy (`host:port`) when `way` is `proxy`.
    pub proxy: Option<String>,
    /// Why it goes that way.
    pub reason: RouteReason,
    /// When a PAC file decided: the way the explicit settings give, which Windows takes whenever
    /// the PAC cannot be had (a WPAD lookup that fails now and then makes the way flap, 補17).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
    /// The CONNECT through the proxy, when it goes through one.
    pub connect: Option<ConnectResult>,
    /// The TLS handshake (and request) through the tunnel, when the CONNECT opened one.
    pub tls: Option<super::TlsEndpointResult>,
}

/// The way the explicit settings give a target that a PAC file routed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Fallback {
    pub way: Way,
    pub proxy: Option<String>,
    pub reason: RouteReason,
}

/// Why a target goes the way it does (`findings::route_reason` says it in either language).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RouteReason {
    /// No place sets a proxy: everything goes DIRECT.
    NothingSet,
    /// The deciding place says "no proxy" (`--proxy none`, WinHTTP direct access).
    SaysDirect { source: ProxySourceKind },
    /// The deciding place has no proxy server switched on.
    NoServer { source: ProxySourceKind },
    /// An entry of the deciding place's bypass list covers the host.
    Bypass {
        entry: String,
        source: ProxySourceKind,
    },
    /// The deciding place's proxy.
    ProxyOf { source: ProxySourceKind },
    /// What the PAC file's `FindProxyForURL` answered (`DIRECT`, `PROXY h:p`…).
    Pac { answer: String },
    /// The PAC file failed for this host, so the explicit settings decided.
    PacFailed {
        explicit: Box<RouteReason>,
        /// The failure's label (`timeout`, `syntax_error`…) and what it said.
        label: String,
        detail: String,
    },
}

/// The proxy section of a round.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ProxyRound {
    /// Every place that says something about proxies, as it says it.
    pub sources: Vec<ProxySource>,
    /// The source that decides (`None`: nothing is set, everything goes DIRECT).
    pub effective: Option<ProxySourceKind>,
    /// "Automatically detect settings" (WPAD) is on in the deciding place.
    pub auto_detect: bool,
    /// Bypass entries the profile expects that the deciding place lacks, and the reverse.
    pub bypass_missing: Vec<String>,
    pub bypass_extra: Vec<String>,
    /// WPAD by DHCP (option 252), asked first when auto-detect is on (as Windows does, before
    /// WPAD by DNS); `None` when auto-detect is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dhcp_wpad: Option<DhcpWpad>,
    /// The PAC file used (from WPAD or a PAC URL), and what became of it.
    pub pac: Option<PacUse>,
    pub routes: Vec<TargetRoute>,
}

/// What DHCP says about WPAD (option 252, the PAC URL a DHCP server hands out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DhcpWpad {
    /// This machine's DHCP client cannot be asked (no DHCP API, as under Wine; no lease file).
    NotAvailable { detail: String },
    /// Asked; no adapter's lease carries option 252.
    NotOffered {
        /// The adapters (or lease files) asked.
        asked: Vec<String>,
    },
    /// Option 252 is there: where, and the URL it gives (or why its bytes are no usable URL).
    Offered {
        /// The adapter, lease file or `--wpad-dhcp` it came from.
        origin: String,
        url: Option<String>,
        error: Option<String>,
    },
}

impl DhcpWpad {
    /// The URL to fetch the PAC from, when DHCP gave a usable one.
    pub fn url(&self) -> Option<&str> {
        match self {
            DhcpWpad::Offered { url, .. } => url.as_deref(),
            _ => None,
        }
    }
}

/// Option 252 as this machine's DHCP client holds it, read by `platform` and decoded elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DhcpRead {
    /// Per adapter, option 252's bytes as the DHCP API returned them (`None`: not in its lease).
    Adapters(Vec<(String, Option<Vec<u8>>)>),
    /// DHCP client lease files and their text (dhclient on Linux).
    LeaseFiles(Vec<(String, String)>),
    /// The platform cannot ask, and why.
    Unavailable(String),
}

/// Where the PAC came from and whether it could be used.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PacUse {
    /// `dhcp` (WPAD by DHCP), `wpad` (WPAD by DNS) or `pac_url`.
    pub via: String,
    /// WPAD host names tried, in order (empty for a PAC URL).
    pub tried: Vec<String>,
    /// The URL fetched, when one was found.
    pub url: Option<String>,
    /// Why it could not be used (fetch or evaluation failure, label and detail).
    pub error: Option<String>,
}

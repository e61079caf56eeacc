//! Proxy measurements as plain data: what a CONNECT through a proxy came to. No I/O.

use serde::Serialize;

/// How a CONNECT through a proxy ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Debug, Serialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProxySourceKind {
    /// `--proxy URL|none|auto`.
    Flag,
    /// `https_proxy`, `HTTPS_PROXY`, `all_proxy`, `no_proxy`… with curl's precedence.
    Environment,
    /// The user's Internet Options (WinINet): what browsers and most applications use.
    WinInet,
    /// WinHTTP (`netsh winhttp`): what services use.
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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

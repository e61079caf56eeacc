//! What a PAC script's `FindProxyForURL` answer means, as plain data: an ordered list of routes,
//! each DIRECT, a proxy, or garbage named by what is wrong with it. No I/O, no parsing here (that is
//! `probe::pac::routes`); renderers and the judge read these.

use serde::Serialize;

/// The keyword of a proxy route, as the PAC result wrote it (case-insensitively).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProxyKind {
    /// `PROXY host:port`: an HTTP proxy (CONNECT for https).
    Proxy,
    /// `HTTP host:port`: the same as PROXY (Firefox's spelling).
    Http,
    /// `HTTPS host:port`: an HTTP proxy reached over TLS.
    Https,
    /// `SOCKS host:port`: SOCKS, version 4 in Chrome and Windows.
    Socks,
    /// `SOCKS4 host:port`.
    Socks4,
    /// `SOCKS5 host:port`.
    Socks5,
}

impl ProxyKind {
    /// The keyword as written in a PAC result.
    pub fn keyword(self) -> &'static str {
        match self {
            ProxyKind::Proxy => "PROXY",
            ProxyKind::Http => "HTTP",
            ProxyKind::Https => "HTTPS",
            ProxyKind::Socks => "SOCKS",
            ProxyKind::Socks4 => "SOCKS4",
            ProxyKind::Socks5 => "SOCKS5",
        }
    }

    pub fn from_keyword(word: &str) -> Option<ProxyKind> {
        const ALL: [ProxyKind; 6] = [
            ProxyKind::Proxy,
            ProxyKind::Http,
            ProxyKind::Https,
            ProxyKind::Socks,
            ProxyKind::Socks4,
            ProxyKind::Socks5,
        ];
        ALL.into_iter()
            .find(|k| k.keyword().eq_ignore_ascii_case(word))
    }
}

/// Why one element of a PAC result is not a usable route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteFault {
    /// The whole result is empty or only separators and spaces.
    Empty,
    /// The first word is not DIRECT, PROXY, HTTP, HTTPS, SOCKS, SOCKS4 or SOCKS5.
    UnknownKeyword,
    /// A proxy keyword with nothing after it.
    MissingHost,
    /// `host` without `:port` (Chrome would assume a default port; an installer should write it).
    MissingPort,
    /// The port is not a number from 1 to 65535.
    BadPort,
    /// The host is empty, has characters no host name has, or is an IPv6 address without brackets.
    BadHost,
    /// More words than the keyword takes (`DIRECT x`, `PROXY a:1 b:2`).
    ExtraText,
    /// The element is longer than any real route (kept short in the report).
    TooLong,
}

impl RouteFault {
    pub fn as_label(self) -> &'static str {
        match self {
            RouteFault::Empty => "empty",
            RouteFault::UnknownKeyword => "unknown_keyword",
            RouteFault::MissingHost => "missing_host",
            RouteFault::MissingPort => "missing_port",
            RouteFault::BadPort => "bad_port",
            RouteFault::BadHost => "bad_host",
            RouteFault::ExtraText => "extra_text",
            RouteFault::TooLong => "too_long",
        }
    }
}

/// One element of a PAC result, in the order the result gave it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "route", rename_all = "snake_case")]
pub enum Route {
    Direct,
    Proxy {
        kind: ProxyKind,
        /// Host name or IP address (an IPv6 address without its brackets).
        host: String,
        port: u16,
    },
    Invalid {
        /// The element as written (cut short when long).
        text: String,
        fault: RouteFault,
    },
}

impl Route {
    pub fn is_invalid(&self) -> bool {
        matches!(self, Route::Invalid { .. })
    }
}

impl std::fmt::Display for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Route::Direct => f.write_str("DIRECT"),
            Route::Proxy { kind, host, port } if host.contains(':') => {
                write!(f, "{} [{host}]:{port}", kind.keyword())
            }
            Route::Proxy { kind, host, port } => write!(f, "{} {host}:{port}", kind.keyword()),
            Route::Invalid { text, fault } => write!(f, "invalid ({}): {text:?}", fault.as_label()),
        }
    }
}

/// A parsed PAC result: its routes in order, and whether elements past the limit were dropped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RouteList {
    pub routes: Vec<Route>,
    pub truncated: bool,
}

impl RouteList {
    /// The first usable route: what a browser tries first.
    pub fn first_usable(&self) -> Option<&Route> {
        self.routes.iter().find(|r| !r.is_invalid())
    }

    pub fn invalid(&self) -> impl Iterator<Item = &Route> {
        self.routes.iter().filter(|r| r.is_invalid())
    }
}

//! What a PAC script's `FindProxyForURL` answer means, as plain data: an ordered list of routes,
//! each DIRECT, a proxy, or garbage named by what is wrong with it; and every way fetching or
//! evaluating a PAC file can fail, as measured. No I/O, no parsing here (that is
//! `probe::pac::routes`), no verdicts (that is `judge::pac`); renderers and the judge read these.

use serde::Serialize;

/// The keyword of a proxy route, as the PAC result wrote it (case-insensitively).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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

/// Every way evaluating a PAC script can fail.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PacError {
    #[error("the script is {size} bytes, over the {limit}-byte limit")]
    ScriptTooLarge { size: usize, limit: usize },
    #[error("syntax error at line {line}: {message}")]
    Syntax { line: u32, message: String },
    #[error(
        "the script ran past its {limit_ms} ms time limit (an endless loop or a runaway regular expression)"
    )]
    Timeout { limit_ms: u64 },
    #[error("the script used more than its {limit_bytes}-byte memory limit")]
    OutOfMemory { limit_bytes: usize },
    #[error("the script recursed too deeply (native stack limit {limit_bytes} bytes)")]
    StackOverflow { limit_bytes: usize },
    #[error("FindProxyForURL returned {len} bytes, over the {limit}-byte limit")]
    ResultTooLong { len: usize, limit: usize },
    #[error("the script calls `{name}`, which is not defined")]
    Undefined { name: String },
    #[error("the script tries to use `{name}`: PAC scripts get no network, file or module access")]
    Sandboxed { name: String },
    #[error("the script defines no FindProxyForURL function{detail}")]
    NoEntryPoint { detail: String },
    #[error("FindProxyForURL returned {kind}, not a string")]
    NotAString { kind: String },
    #[error("the script threw an error while {phase}: {message}")]
    Thrown {
        phase: &'static str,
        message: String,
    },
    #[error("the JavaScript engine could not be set up: {0}")]
    Engine(String),
    #[error(
        "{running} earlier scripts are still being stopped after overrunning their time limit; try again shortly"
    )]
    Busy { running: usize },
}

impl PacError {
    pub fn as_label(&self) -> &'static str {
        match self {
            PacError::ScriptTooLarge { .. } => "script_too_large",
            PacError::Syntax { .. } => "syntax_error",
            PacError::Timeout { .. } => "timeout",
            PacError::OutOfMemory { .. } => "out_of_memory",
            PacError::StackOverflow { .. } => "stack_overflow",
            PacError::ResultTooLong { .. } => "result_too_long",
            PacError::Undefined { .. } => "undefined_function",
            PacError::Sandboxed { .. } => "sandbox_denied",
            PacError::NoEntryPoint { .. } => "no_find_proxy_for_url",
            PacError::NotAString { .. } => "non_string_result",
            PacError::Thrown { .. } => "script_error",
            PacError::Engine(_) => "engine_error",
            PacError::Busy { .. } => "engine_busy",
        }
    }
}

/// Every way fetching a PAC file from a URL can fail.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("`{0}` is not a URL")]
    BadUrl(String),
    #[error(
        "{0} PAC URLs are not fetched (only http:// and https://): save the file and pass its path"
    )]
    UnsupportedScheme(String),
    #[error("TLS with {host} failed: {detail}")]
    Tls { host: String, detail: String },
    #[error("cannot resolve {host}: {detail}")]
    Resolve { host: String, detail: String },
    #[error("cannot connect to {addr}: {detail}")]
    Connect { addr: String, detail: String },
    #[error("no complete answer within {ms} ms")]
    Timeout { ms: u64 },
    #[error("the server did not speak HTTP: {0}")]
    Protocol(String),
    #[error("the server answered {status}")]
    Status { status: u16 },
    #[error("redirected more than {0} times")]
    TooManyRedirects(u8),
    #[error("the file is over {limit} bytes")]
    TooLarge { limit: usize },
}

impl FetchError {
    pub fn as_label(&self) -> &'static str {
        match self {
            FetchError::BadUrl(_) => "bad_url",
            FetchError::UnsupportedScheme(_) => "unsupported_scheme",
            FetchError::Resolve { .. } => "resolve",
            FetchError::Connect { .. } => "connect",
            FetchError::Tls { .. } => "tls",
            FetchError::Timeout { .. } => "timeout",
            FetchError::Protocol(_) => "protocol",
            FetchError::Status { .. } => "http_status",
            FetchError::TooManyRedirects(_) => "too_many_redirects",
            FetchError::TooLarge { .. } => "too_large",
        }
    }
}

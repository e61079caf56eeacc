//! Fetching a PAC file from an `http://` or `https://` URL (as WPAD and AutoConfigURL serve it)
//! with reqwest: names looked up through the round's resolver when there is one (else the
//! system's), the connection bound the way `net` binds every socket (the OQS adapter's source
//! address, and its device on Linux; loopback peers never), our rustls configuration, never a
//! proxy, bounded in time and size, following a few redirects, and each failure named as a
//! [`FetchError`]. Uses `net`, `model` and the TLS probe's resolution; no output, no engine, no lab.

pub use crate::model::FetchError;

use crate::model::Family;
use crate::net::{DnsResolver, NetOptions};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::redirect;
use serde::Serialize;
use std::collections::HashMap;
use std::error::Error as StdError;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct FetchLimits {
    /// For the whole fetch, redirects included.
    #[serde(serialize_with = "ser_ms")]
    #[schemars(with = "u64")]
    pub timeout: Duration,
    pub max_bytes: usize,
    pub max_redirects: u8,
}

impl Default for FetchLimits {
    fn default() -> FetchLimits {
        FetchLimits {
            timeout: Duration::from_secs(5),
            max_bytes: 1024 * 1024,
            max_redirects: 3,
        }
    }
}

fn ser_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

/// A PAC file as fetched.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Fetched {
    /// The URL the file came from, after redirects.
    pub url: String,
    /// URLs redirected from, in order.
    pub redirects: Vec<String>,
    pub content_type: Option<String>,
    pub bytes: usize,
    /// The text (invalid UTF-8 replaced; see `lossy`).
    #[serde(skip)]
    pub text: String,
    /// The body was not valid UTF-8 (Windows reads such files in the system code page).
    pub lossy: bool,
    /// The body as it came, when it was not valid UTF-8 (for a reader that decodes by charset).
    #[serde(skip)]
    pub raw: Option<Vec<u8>>,
    #[serde(serialize_with = "ser_ms")]
    #[schemars(with = "u64")]
    pub elapsed: Duration,
}

/// Whether `source` names a URL to fetch rather than a file.
pub fn is_url(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// How a fetch finds its server and whom it trusts.
#[derive(Clone, Copy, Default)]
pub struct FetchVia<'a> {
    /// The round's resolver (the OQS adapter's DNS servers); `None`: the system's.
    pub resolver: Option<&'a DnsResolver>,
    /// The families asked of `resolver`, in order.
    pub families: &'a [Family],
    /// Trust for https:// URLs; `None` refuses them (`tls`).
    pub tls: Option<&'a Arc<rustls::ClientConfig>>,
}

const NO_TRUST: &str = "no trust store was given for https:// PAC URLs";

/// Fetches `url` directly (never through a proxy, as Windows fetches a PAC file).
pub async fn fetch(
    url: &str,
    net: &NetOptions,
    via: &FetchVia<'_>,
    limits: &FetchLimits,
) -> Result<Fetched, FetchError> {
    let started = Instant::now();
    match tokio::time::timeout(limits.timeout, fetch_inner(url, net, via, limits, started)).await {
        Ok(r) => r,
        Err(_) => Err(timeout(limits)),
    }
}

fn timeout(limits: &FetchLimits) -> FetchError {
    FetchError::Timeout {
        ms: limits.timeout.as_millis() as u64,
    }
}

async fn fetch_inner(
    url: &str,
    net: &NetOptions,
    via: &FetchVia<'_>,
    limits: &FetchLimits,
    started: Instant,
) -> Result<Fetched, FetchError> {
    let first = url::Url::parse(url).map_err(|_| FetchError::BadUrl(url.to_string()))?;
    let (host, port) = checked(&first, via.tls.is_some())?;
    let resolver = Arc::new(RoundResolver {
        dns: via.resolver.cloned(),
        families: via.families.to_vec(),
        timeout: limits.timeout,
        seen: Mutex::new(HashMap::new()),
        bind: Mutex::new(None),
    });
    // The connection is bound the way `net` would bind a socket to the first URL's server; a
    // redirect is followed only to where that binding reaches.
    let candidates = match literal(&host) {
        Some(ip) => vec![ip],
        None => resolver.lookup(&host).await?,
    };
    let bind = Bind::first_fitting(net, &candidates, port)?;
    *lock(&resolver.bind) = Some(bind.clone());
    let redirects = Arc::new(Mutex::new(Vec::new()));
    let client = client(via, limits, &bind, &resolver, &redirects)?;
    let fail = |e: reqwest::Error| failure(&e, &first, &resolver, &bind, limits);
    let mut resp = client.get(first.clone()).send().await.map_err(fail)?;
    let status = resp.status();
    // A redirect not followed (no usable Location) is an answer like any other non-200.
    if status != reqwest::StatusCode::OK {
        return Err(FetchError::Status {
            status: status.as_u16(),
        });
    }
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let too_large = || FetchError::TooLarge {
        limit: limits.max_bytes,
    };
    if let Some(len) = resp
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > limits.max_bytes as u64
    {
        return Err(too_large());
    }
    // A body without a length (or longer than it said) is read only up to the cap.
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(fail)? {
        if body.len() + chunk.len() > limits.max_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    let bytes = body.len();
    let (text, lossy, raw) = match String::from_utf8(body) {
        Ok(t) => (t, false, None),
        Err(e) => (
            String::from_utf8_lossy(e.as_bytes()).into_owned(),
            true,
            Some(e.into_bytes()),
        ),
    };
    let redirects = lock(&redirects).clone();
    Ok(Fetched {
        url: resp.url().to_string(),
        redirects,
        content_type,
        bytes,
        text,
        lossy,
        raw,
        elapsed: started.elapsed(),
    })
}

/// The host (without brackets) and port of a URL this fetch may ask, or why not.
fn checked(url: &url::Url, trusted: bool) -> Result<(String, u16), FetchError> {
    let https = match url.scheme() {
        "http" => false,
        "https" => true,
        other => return Err(FetchError::UnsupportedScheme(format!("{other}://"))),
    };
    let host = url
        .host_str()
        .ok_or_else(|| FetchError::BadUrl(url.to_string()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    if https && !trusted {
        return Err(FetchError::Tls {
            host,
            detail: NO_TRUST.into(),
        });
    }
    let port = url
        .port_or_known_default()
        .unwrap_or(if https { 443 } else { 80 });
    Ok((host, port))
}

fn literal(host: &str) -> Option<IpAddr> {
    host.parse().ok()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn connect_error(addr: impl ToString, detail: impl ToString) -> FetchError {
    FetchError::Connect {
        addr: addr.to_string(),
        detail: detail.to_string(),
    }
}

/// How this fetch's connections are bound: as `NetOptions::socket_for` binds a socket to the
/// first server's address.
#[derive(Clone, Debug)]
struct Bind {
    /// The round binds its sockets (a source address, a device, or confined to the adapter).
    bound: bool,
    loopback: bool,
    family: Option<Family>,
    /// The OQS adapter's source address of the server's family, when one is set.
    source: Option<IpAddr>,
    /// The device to bind to (Linux only), when one is set.
    device: Option<String>,
}

impl Bind {
    fn for_peer(net: &NetOptions, peer: SocketAddr) -> Result<Bind, FetchError> {
        let ip = peer.ip();
        let bound = net.source_v4.is_some()
            || net.source_v6.is_some()
            || net.device.is_some()
            || net.confined;
        if let Some(f) = net.family
            && Family::of(&ip) != f
            && !ip.is_loopback()
        {
            return Err(connect_error(
                peer,
                format!("{peer} is not an {} address (--family)", f.as_label()),
            ));
        }
        if ip.is_loopback() {
            // Loopback traffic does not leave the machine: never bound, as `net` does.
            return Ok(Bind {
                bound,
                loopback: true,
                family: net.family,
                source: None,
                device: None,
            });
        }
        let source = match ip {
            IpAddr::V4(_) => net.source_v4.map(IpAddr::V4),
            IpAddr::V6(_) => net.source_v6.map(IpAddr::V6),
        };
        if source.is_none() && net.confined {
            return Err(connect_error(
                peer,
                format!(
                    "the OQS adapter has no {} address to send to {peer} from",
                    Family::of(&ip).as_label()
                ),
            ));
        }
        if let Some(dev) = &net.device
            && !cfg!(target_os = "linux")
        {
            // reqwest binds to a device only where `net` does (Linux); elsewhere the adapter's
            // source address keeps the connection on it, and a device set anyway is refused.
            return Err(connect_error(
                peer,
                format!(
                    "binding to device `{dev}` is Linux-only; give the adapter's source address instead"
                ),
            ));
        }
        Ok(Bind {
            bound,
            loopback: false,
            family: net.family,
            source,
            device: net.device.clone(),
        })
    }

    /// The binding for the first of `ips` that can be reached, else the last refusal.
    fn first_fitting(net: &NetOptions, ips: &[IpAddr], port: u16) -> Result<Bind, FetchError> {
        let mut last = connect_error(format!("port {port}"), "no address");
        for ip in ips {
            match Bind::for_peer(net, SocketAddr::new(*ip, port)) {
                Ok(b) => return Ok(b),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Whether a connection to `ip` leaves the way this binding does: of the forced family, and
    /// when the round is bound, on the same side of loopback and of the bound source's family.
    fn fits(&self, ip: IpAddr) -> bool {
        if !ip.is_loopback() && self.family.is_some_and(|f| Family::of(&ip) != f) {
            return false;
        }
        !self.bound
            || ip.is_loopback() == self.loopback
                && self.source.is_none_or(|s| s.is_ipv4() == ip.is_ipv4())
    }

    /// A server this binding does not reach (`addr`: its address, with the port when known).
    fn refuse(&self, addr: impl ToString) -> FetchError {
        let way = if self.loopback {
            "loopback"
        } else {
            "the OQS adapter"
        };
        connect_error(
            addr,
            format!("redirected off the way this fetch is bound ({way})"),
        )
    }
}

/// Name lookups for reqwest: the round's resolver (or the system's), each name asked once per
/// fetch, and only addresses the fetch's binding reaches handed out.
struct RoundResolver {
    dns: Option<DnsResolver>,
    families: Vec<Family>,
    timeout: Duration,
    /// Addresses per name, as looked up (also what a connect failure names).
    seen: Mutex<HashMap<String, Vec<IpAddr>>>,
    bind: Mutex<Option<Bind>>,
}

impl RoundResolver {
    async fn lookup(&self, host: &str) -> Result<Vec<IpAddr>, FetchError> {
        let key = host.to_ascii_lowercase();
        if let Some(ips) = lock(&self.seen).get(&key) {
            return Ok(ips.clone());
        }
        let failed = |detail: String| FetchError::Resolve {
            host: host.to_string(),
            detail,
        };
        let ips = match &self.dns {
            Some(dns) => vec![
                crate::probe::resolve::resolve(Some(dns), host, &self.families, self.timeout)
                    .await
                    .map_err(failed)?,
            ],
            None => {
                let ips: Vec<IpAddr> = tokio::net::lookup_host((host, 0))
                    .await
                    .map_err(|e| failed(e.to_string()))?
                    .map(|a| a.ip())
                    .collect();
                if ips.is_empty() {
                    return Err(failed("no address".into()));
                }
                ips
            }
        };
        lock(&self.seen).insert(key, ips.clone());
        Ok(ips)
    }

    /// The addresses `host` was looked up to, for naming a connection that failed.
    fn addrs(&self, host: &str, port: u16) -> String {
        match lock(&self.seen).get(&host.to_ascii_lowercase()) {
            Some(ips) => ips
                .iter()
                .map(|ip| SocketAddr::new(*ip, port).to_string())
                .collect::<Vec<_>>()
                .join(", "),
            None => match literal(host) {
                Some(ip) => SocketAddr::new(ip, port).to_string(),
                None => format!("{host}:{port}"),
            },
        }
    }
}

struct ViaRound(Arc<RoundResolver>);

impl reqwest::dns::Resolve for ViaRound {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let r = Arc::clone(&self.0);
        Box::pin(async move {
            let ips = r.lookup(name.as_str()).await?;
            let bind = lock(&r.bind).clone();
            let fitting: Vec<SocketAddr> = ips
                .iter()
                .filter(|ip| bind.as_ref().is_none_or(|b| b.fits(**ip)))
                .map(|ip| SocketAddr::new(*ip, 0))
                .collect();
            match (fitting.is_empty(), bind, ips.first()) {
                (true, Some(b), Some(ip)) => Err(Box::new(b.refuse(ip)) as _),
                _ => Ok(Box::new(fitting.into_iter()) as reqwest::dns::Addrs),
            }
        })
    }
}

fn client(
    via: &FetchVia<'_>,
    limits: &FetchLimits,
    bind: &Bind,
    resolver: &Arc<RoundResolver>,
    redirects: &Arc<Mutex<Vec<String>>>,
) -> Result<reqwest::Client, FetchError> {
    let trusted = via.tls.is_some();
    let max = limits.max_redirects;
    let (policy_bind, log) = (bind.clone(), Arc::clone(redirects));
    // As before reqwest: at most `max_redirects` hops (a loop ends as too many), only to http(s)
    // URLs this fetch may ask, and only where its binding reaches.
    let policy = redirect::Policy::custom(move |attempt| {
        let hops = attempt.previous().len();
        if hops > usize::from(max) {
            return attempt.error(FetchError::TooManyRedirects(max));
        }
        let next = attempt.url();
        let refused = match checked(next, trusted) {
            Err(e) => Some(e),
            Ok((host, port)) => literal(&host)
                .filter(|ip| !policy_bind.fits(*ip))
                .map(|ip| policy_bind.refuse(SocketAddr::new(ip, port))),
        };
        if let Some(e) = refused {
            return attempt.error(e);
        }
        *lock(&log) = attempt.previous().iter().map(ToString::to_string).collect();
        attempt.follow()
    });
    let mut headers = HeaderMap::new();
    headers.insert(
        header::ACCEPT,
        HeaderValue::from_static("application/x-ns-proxy-autoconfig, */*"),
    );
    let tls = match via.tls {
        Some(config) => (**config).clone(),
        None => refusing_tls(),
    };
    let builder = reqwest::Client::builder()
        .no_proxy()
        .dns_resolver(ViaRound(Arc::clone(resolver)))
        .tls_backend_preconfigured(tls)
        .redirect(policy)
        .timeout(limits.timeout)
        .pool_max_idle_per_host(0)
        .tcp_nodelay(true)
        .user_agent(concat!("oqs-net/", env!("CARGO_PKG_VERSION")))
        .default_headers(headers)
        .local_address(bind.source);
    #[cfg(target_os = "linux")]
    let builder = match &bind.device {
        Some(dev) if !bind.loopback => builder.interface(dev),
        _ => builder,
    };
    builder
        .build()
        .map_err(|e| FetchError::Protocol(format!("cannot set up the HTTP client: {e}")))
}

/// A TLS configuration that trusts nothing, for a fetch given no trust store: https:// URLs are
/// refused before they are asked (`checked`), so it is never used to connect.
fn refusing_tls() -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map(|b| {
            b.with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth()
        })
        .expect("ring supports the default protocol versions")
}

/// The chain of errors below `e`, `e` first.
fn chain<'a>(
    e: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(e), |e: &&'a (dyn StdError + 'static)| (*e).source())
}

/// The rustls error in `e` itself or inside an I/O error (tokio-rustls wraps them so).
fn rustls_error<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    e.downcast_ref::<rustls::Error>().or_else(|| {
        e.downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    })
}

/// Names what reqwest reports, as the hand-made client did: our own errors (the redirect
/// policy's, the resolver's) as they were raised, then timeout, TLS, connect, and anything else
/// the server said that is not HTTP.
fn failure(
    e: &reqwest::Error,
    first: &url::Url,
    resolver: &RoundResolver,
    bind: &Bind,
    limits: &FetchLimits,
) -> FetchError {
    if let Some(ours) = chain(e).find_map(|e| e.downcast_ref::<FetchError>()) {
        return ours.clone();
    }
    if e.is_timeout() {
        return timeout(limits);
    }
    let url = e.url().unwrap_or(first);
    let (host, port) = match checked(url, true) {
        Ok(hp) => hp,
        Err(other) => return other,
    };
    let innermost = chain(e).last().map(ToString::to_string).unwrap_or_default();
    if let Some(t) = chain(e).find_map(rustls_error) {
        return FetchError::Tls {
            host,
            detail: t.to_string(),
        };
    }
    if e.is_connect() {
        // hyper-util names each step of opening the TCP connection "tcp …"; past those, an
        // https:// connection failed in its TLS handshake.
        let tcp = chain(e)
            .map(ToString::to_string)
            .find(|m| m.starts_with("tcp "));
        if tcp.is_none() && url.scheme() == "https" {
            return FetchError::Tls {
                host,
                detail: innermost,
            };
        }
        let detail = match (tcp.as_deref(), &bind.device) {
            (Some("tcp bind interface error"), Some(dev)) => {
                format!("cannot bind to device `{dev}`: {innermost}")
            }
            _ => innermost,
        };
        return FetchError::Connect {
            addr: resolver.addrs(&host, port),
            detail,
        };
    }
    FetchError::Protocol(innermost)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn binds_as_net_binds_a_socket() {
        let net = NetOptions {
            source_v4: Some("192.0.2.10".parse().unwrap()),
            confined: true,
            ..NetOptions::default()
        };
        let b = Bind::for_peer(&net, "198.51.100.1:80".parse().unwrap()).unwrap();
        assert_eq!(b.source, Some(ip("192.0.2.10")));
        assert!(b.fits(ip("198.51.100.2")));
        assert!(!b.fits(ip("127.0.0.1")), "a redirect to loopback");
        assert!(!b.fits(ip("2001:db8::1")), "the other family, unbound");
        // Loopback is never bound, and a binding for it reaches nothing else.
        let lo = Bind::for_peer(&net, "127.0.0.1:80".parse().unwrap()).unwrap();
        assert_eq!((lo.loopback, lo.source), (true, None));
        assert!(lo.fits(ip("::1")));
        assert!(!lo.fits(ip("198.51.100.2")));
        // Confined, and no IPv6 source: refused, named as `net` names it.
        let e = Bind::for_peer(&net, "[2001:db8::1]:80".parse().unwrap()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot connect to [2001:db8::1]:80: the OQS adapter has no ipv6 address to send to [2001:db8::1]:80 from"
        );
        // The first address that can be reached decides.
        let b = Bind::first_fitting(&net, &[ip("2001:db8::1"), ip("198.51.100.1")], 80).unwrap();
        assert_eq!(b.source, Some(ip("192.0.2.10")));
        let e = Bind::first_fitting(&net, &[ip("2001:db8::1")], 80).unwrap_err();
        assert_eq!(e.as_label(), "connect");
        // --family v6: an IPv4 server is refused, loopback is not.
        let v6 = NetOptions {
            family: Some(Family::Ipv6),
            ..NetOptions::default()
        };
        let e = Bind::for_peer(&v6, "198.51.100.1:80".parse().unwrap()).unwrap_err();
        assert!(e.to_string().ends_with("(--family)"), "{e}");
        assert!(Bind::for_peer(&v6, "127.0.0.1:80".parse().unwrap()).is_ok());
        let b = Bind::for_peer(&v6, "[2001:db8::1]:80".parse().unwrap()).unwrap();
        assert!(b.fits(ip("2001:db8::2")) && !b.fits(ip("198.51.100.1")));
        // Nothing bound: a redirect may go anywhere, as any socket of the round would.
        let free = Bind::for_peer(&NetOptions::default(), "127.0.0.1:80".parse().unwrap());
        let free = free.unwrap();
        assert!(free.fits(ip("198.51.100.1")) && free.fits(ip("2001:db8::1")));
    }

    #[test]
    fn only_http_and_https_urls_with_trust_are_asked() {
        let url = |s: &str| url::Url::parse(s).unwrap();
        assert_eq!(
            checked(&url("ftp://files.example/wpad.dat"), true),
            Err(FetchError::UnsupportedScheme("ftp://".into()))
        );
        assert_eq!(
            checked(&url("https://wpad.example/wpad.dat"), false),
            Err(FetchError::Tls {
                host: "wpad.example".into(),
                detail: NO_TRUST.into()
            })
        );
        assert_eq!(
            checked(&url("https://[2001:db8::1]/wpad.dat"), true),
            Ok(("2001:db8::1".into(), 443))
        );
        assert_eq!(
            checked(&url("http://wpad.example:8080/wpad.dat"), false),
            Ok(("wpad.example".into(), 8080))
        );
    }
}

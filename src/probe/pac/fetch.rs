//! Fetching a PAC file from an `http://` or `https://` URL (as WPAD and AutoConfigURL serve it): a
//! hyper client over a socket from `net` (rustls for https, trusting what the caller gives),
//! names looked up through the round's resolver when there is one, bounded in time and size,
//! following a few redirects, and each failure named. Uses `net` and the TLS probe's resolution;
//! no output, no engine, no lab.

pub use crate::model::FetchError;

use crate::model::Family;
use crate::net::{DnsResolver, NetOptions};
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper::{Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};

#[derive(Clone, Debug, Serialize)]
pub struct FetchLimits {
    /// For the whole fetch, redirects included.
    #[serde(serialize_with = "ser_ms")]
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
#[derive(Clone, Debug, Serialize)]
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
    #[serde(serialize_with = "ser_ms")]
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
        Err(_) => Err(FetchError::Timeout {
            ms: limits.timeout.as_millis() as u64,
        }),
    }
}

/// A connection a PAC request can go over: plain TCP or TLS on TCP.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

async fn fetch_inner(
    url: &str,
    net: &NetOptions,
    via: &FetchVia<'_>,
    limits: &FetchLimits,
    started: Instant,
) -> Result<Fetched, FetchError> {
    let mut current = url::Url::parse(url).map_err(|_| FetchError::BadUrl(url.to_string()))?;
    let mut redirects = Vec::new();
    loop {
        let https = match current.scheme() {
            "http" => false,
            "https" => true,
            other => return Err(FetchError::UnsupportedScheme(format!("{other}://"))),
        };
        let host = current
            .host_str()
            .ok_or_else(|| FetchError::BadUrl(current.to_string()))?
            .to_string();
        let port = current
            .port_or_known_default()
            .unwrap_or(if https { 443 } else { 80 });
        let addrs = resolve(via, &host, port, limits.timeout).await?;
        let tcp = connect(net, &addrs).await?;
        let stream: Box<dyn Io> = if https {
            Box::new(tls(via, &host, tcp).await?)
        } else {
            Box::new(tcp)
        };
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| FetchError::Protocol(e.to_string()))?;
        let conn = tokio::spawn(async move {
            let _ = conn.await;
        });
        let path = match current.query() {
            Some(q) => format!("{}?{q}", current.path()),
            None => current.path().to_string(),
        };
        let authority = match current.port() {
            Some(p) => format!("{}:{p}", bracket(&host)),
            None => bracket(&host),
        };
        let req = Request::get(path)
            .header(header::HOST, authority)
            .header(
                header::USER_AGENT,
                concat!("oqs-net/", env!("CARGO_PKG_VERSION")),
            )
            .header(header::ACCEPT, "application/x-ns-proxy-autoconfig, */*")
            .body(Empty::<Bytes>::new())
            .map_err(|e| FetchError::BadUrl(e.to_string()))?;
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| FetchError::Protocol(e.to_string()))?;
        let status = resp.status();
        if status.is_redirection() {
            conn.abort();
            let location = resp
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or(FetchError::Status {
                    status: status.as_u16(),
                })?;
            if redirects.len() >= usize::from(limits.max_redirects) {
                return Err(FetchError::TooManyRedirects(limits.max_redirects));
            }
            let next = current
                .join(location)
                .map_err(|_| FetchError::BadUrl(location.to_string()))?;
            redirects.push(current.to_string());
            current = next;
            continue;
        }
        if status != StatusCode::OK {
            conn.abort();
            return Err(FetchError::Status {
                status: status.as_u16(),
            });
        }
        let content_type = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if let Some(len) = resp
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            && len > limits.max_bytes as u64
        {
            conn.abort();
            return Err(FetchError::TooLarge {
                limit: limits.max_bytes,
            });
        }
        let body = Limited::new(resp.into_body(), limits.max_bytes)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    FetchError::TooLarge {
                        limit: limits.max_bytes,
                    }
                } else {
                    FetchError::Protocol(e.to_string())
                }
            })?
            .to_bytes();
        conn.abort();
        let (text, lossy) = match String::from_utf8(body.to_vec()) {
            Ok(t) => (t, false),
            Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
        };
        return Ok(Fetched {
            url: current.to_string(),
            redirects,
            content_type,
            bytes: body.len(),
            text,
            lossy,
            elapsed: started.elapsed(),
        });
    }
}

fn bracket(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

async fn resolve(
    via: &FetchVia<'_>,
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<Vec<SocketAddr>, FetchError> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let failed = |detail: String| FetchError::Resolve {
        host: host.to_string(),
        detail,
    };
    if let Some(resolver) = via.resolver {
        let ip = crate::probe::tls::resolve(Some(resolver), bare, via.families, timeout)
            .await
            .map_err(failed)?;
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((bare, port))
        .await
        .map_err(|e| failed(e.to_string()))?
        .collect();
    if addrs.is_empty() {
        return Err(failed("no address".into()));
    }
    Ok(addrs)
}

async fn tls(
    via: &FetchVia<'_>,
    host: &str,
    tcp: tokio::net::TcpStream,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, FetchError> {
    let failed = |detail: String| FetchError::Tls {
        host: host.to_string(),
        detail,
    };
    let config = via
        .tls
        .ok_or_else(|| failed("no trust store was given for https:// PAC URLs".into()))?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let name = rustls::pki_types::ServerName::try_from(bare.to_string())
        .map_err(|e| failed(e.to_string()))?;
    tokio_rustls::TlsConnector::from(config.clone())
        .connect(name, tcp)
        .await
        .map_err(|e| failed(e.to_string()))
}

async fn connect(
    net: &NetOptions,
    addrs: &[SocketAddr],
) -> Result<tokio::net::TcpStream, FetchError> {
    let mut last = String::new();
    for addr in addrs {
        match net.tcp_connect(*addr).await {
            Ok(s) => return Ok(s),
            Err(e) => last = e.to_string(),
        }
    }
    Err(FetchError::Connect {
        addr: addrs
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        detail: last,
    })
}

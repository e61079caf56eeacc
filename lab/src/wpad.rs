//! The lab's WPAD / PAC web server: what a terminal fetches as `http://wpad.<domain>/wpad.dat` or
//! an AutoConfigURL (`http(s)://host/proxy.pac`), over HTTP or HTTPS (rustls, ring), with faults a
//! test can switch: 404, 500, stall, garbage, a huge script, a redirect loop, flapping. Self-contained
//! like the rest of the lab: it imports nothing outside the lab (only its sibling [`super::pki`]).
//!
//! # Protocol
//! A small hand-written HTTP/1.1 responder (so faults can break the protocol itself): one request
//! per connection, answered with `Connection: close`. The request head is at most 8 KiB (longer:
//! 431), a connection lives at most 30 s, and at most 256 are served at once (more are closed at
//! once). `GET` of a path ending `.pac` or `.dat` (ASCII case-insensitive, query ignored; so
//! `/wpad.dat` too) answers 200 with the script as `application/x-ns-proxy-autoconfig`; any other
//! path 404; any other method 405; an unparsable request line 400. Faults apply to every
//! well-formed request, whatever its method or path.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::pki::Identity;

/// The longest request head read (request line and headers).
const MAX_HEAD: usize = 8 * 1024;
/// Connections served at once; more are closed at once.
const MAX_CONNS: usize = 256;
/// A connection's whole life, handshake included.
const CONN_LIFE: Duration = Duration::from_secs(30);
/// How long the server keeps reading (and discarding) after its answer, so unread request bytes
/// do not turn the close into a reset that destroys the answer in flight.
const LINGER: Duration = Duration::from_secs(1);
/// The JS comment put before the script by [`WpadFault::Huge`].
const HUGE_PADDING: usize = 2 * 1024 * 1024;
/// The content type of a PAC file.
pub const PAC_CONTENT_TYPE: &str = "application/x-ns-proxy-autoconfig";
/// What [`WpadFault::Garbage`] answers: not HTTP.
const GARBAGE: &[u8] = b"\x00\x01\x02oqs-net lab: this is not HTTP\r\n\xff\xfe\r\n\r\n";

/// How the WPAD server misbehaves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum WpadFault {
    /// Serves the script.
    #[default]
    None,
    /// 404 for every path.
    NotFound,
    /// 500 for every request.
    ServerError,
    /// Reads the request and never answers (the client's timeout must fire).
    Stall,
    /// Answers bytes that are not HTTP.
    Garbage,
    /// 200 with a body over 1 MiB: 2 MiB of JS comment, then the script, streamed.
    Huge,
    /// 302 to the requested path itself, forever.
    RedirectLoop,
    /// `every` requests served, then `every` answered 503, in turn (counted from when the fault
    /// was set; `every = 0` counts as 1).
    Flap { every: u32 },
}

/// What the WPAD server serves.
pub struct LabWpadSpec {
    /// Where it listens. Default `127.0.0.1:0`.
    pub bind: SocketAddr,
    /// The PAC text served.
    pub script: String,
    pub fault: WpadFault,
    /// Added before each answer.
    pub latency_ms: u64,
    /// Some: serve HTTPS with this identity (no client authentication) instead of HTTP.
    pub tls: Option<Identity>,
}

impl Default for LabWpadSpec {
    fn default() -> Self {
        LabWpadSpec {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            script: String::new(),
            fault: WpadFault::None,
            latency_ms: 0,
            tls: None,
        }
    }
}

impl fmt::Debug for LabWpadSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LabWpadSpec")
            .field("bind", &self.bind)
            .field("script_bytes", &self.script.len())
            .field("fault", &self.fault)
            .field("latency_ms", &self.latency_ms)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

/// Counters the tests read.
#[derive(Debug, Default)]
pub struct WpadStats {
    /// Well-formed requests received (any method or path; faults included).
    pub requests: AtomicU64,
    /// Answers 200 with the script (the huge one included), counted as the answer starts.
    pub served: AtomicU64,
}

/// What can change while the server runs.
struct State {
    script: Arc<str>,
    fault: WpadFault,
    latency: Duration,
    /// Requests since the fault was last set, for [`WpadFault::Flap`].
    since_fault: u64,
}

struct Shared {
    state: Mutex<State>,
    stats: WpadStats,
}

/// A running WPAD / PAC server; see the module documentation.
pub struct LabWpad {
    addr: SocketAddr,
    shared: Arc<Shared>,
    cancel: CancellationToken,
    tasks: JoinSet<()>,
}

impl LabWpad {
    /// Binds `spec.bind` (and checks the TLS identity) before it returns, then serves until
    /// [`LabWpad::shutdown`] or drop.
    pub async fn start(spec: LabWpadSpec) -> io::Result<LabWpad> {
        Self::start_with_limits(spec, MAX_CONNS, CONN_LIFE).await
    }

    /// [`LabWpad::start`] with other bounds, for tests.
    async fn start_with_limits(
        spec: LabWpadSpec,
        max_conns: usize,
        life: Duration,
    ) -> io::Result<LabWpad> {
        let tls = match &spec.tls {
            Some(id) => Some(tls_acceptor(id).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "lab WPAD server on {} cannot use its TLS identity: {e}",
                        spec.bind
                    ),
                )
            })?),
            None => None,
        };
        let listener = TcpListener::bind(spec.bind).await.map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("lab WPAD server cannot listen on {}: {e}", spec.bind),
            )
        })?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                script: Arc::from(spec.script),
                fault: spec.fault,
                latency: Duration::from_millis(spec.latency_ms),
                since_fault: 0,
            }),
            stats: WpadStats::default(),
        });
        let cancel = CancellationToken::new();
        let mut tasks = JoinSet::new();
        tasks.spawn(accept_loop(
            listener,
            tls,
            shared.clone(),
            cancel.clone(),
            max_conns,
            life,
        ));
        tracing::debug!(%addr, https = spec.tls.is_some(), "lab WPAD server started");
        Ok(LabWpad {
            addr,
            shared,
            cancel,
            tasks,
        })
    }

    /// The address it listens on (the port as bound).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Replaces the script, from the next request.
    pub fn set_script(&self, script: String) {
        self.shared.state().script = Arc::from(script);
    }

    /// Replaces the fault, from the next request; a flap starts its cycle afresh.
    pub fn set_fault(&self, fault: WpadFault) {
        let mut state = self.shared.state();
        state.fault = fault;
        state.since_fault = 0;
    }

    pub fn stats(&self) -> &WpadStats {
        &self.shared.stats
    }

    /// Stops accepting, ends every connection, and waits until the listener and every connection
    /// are closed.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        while self.tasks.join_next().await.is_some() {}
    }
}

impl Drop for LabWpad {
    fn drop(&mut self) {
        self.cancel.cancel();
        // Dropping `tasks` aborts the accept loop, whose own JoinSet aborts the connections.
    }
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn tls_acceptor(id: &Identity) -> Result<tokio_rustls::TlsAcceptor, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(id.chain.clone(), id.key())?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(cfg)))
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
    cancel: CancellationToken,
    max_conns: usize,
    life: Duration,
) {
    let limit = Arc::new(Semaphore::new(max_conns));
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                // Over the limit: the stream is dropped, which closes it at once.
                let Ok(permit) = limit.clone().try_acquire_owned() else { continue };
                let (tls, shared, cancel) = (tls.clone(), shared.clone(), cancel.clone());
                conns.spawn(async move {
                    let _permit = permit;
                    let serve = async {
                        match tls {
                            None => connection(stream, &shared).await,
                            Some(acceptor) => {
                                // A failed handshake just closes.
                                if let Ok(tls) = acceptor.accept(stream).await {
                                    connection(tls, &shared).await;
                                }
                            }
                        }
                    };
                    tokio::select! {
                        _ = cancel.cancelled() => {}
                        _ = tokio::time::timeout(life, serve) => {}
                    }
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    // Every connection task watches `cancel`; wait until each has closed its stream.
    while conns.join_next().await.is_some() {}
}

/// A request head as read.
enum Head {
    /// The request line (without its line end), not yet checked.
    Line(Vec<u8>),
    TooLarge,
    /// The client closed, or the read failed, before a whole head arrived.
    Closed,
}

/// Where the head ends (after its empty line), accepting bare LF line ends too.
fn head_end(buf: &[u8]) -> Option<usize> {
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Reads one request head, at most [`MAX_HEAD`] bytes, skipping empty lines before it.
async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> Head {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let start = buf
            .iter()
            .position(|b| *b != b'\r' && *b != b'\n')
            .unwrap_or(buf.len());
        if let Some(end) = head_end(&buf[start..]) {
            if start + end > MAX_HEAD {
                return Head::TooLarge;
            }
            let head = &buf[start..start + end];
            let line_end = head.iter().position(|b| *b == b'\n').unwrap_or(head.len());
            let line = head[..line_end]
                .strip_suffix(b"\r")
                .unwrap_or(&head[..line_end]);
            return Head::Line(line.to_vec());
        }
        if buf.len() >= MAX_HEAD {
            return Head::TooLarge;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return Head::Closed,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// A well-formed request line.
#[derive(Debug, PartialEq, Eq)]
struct Request {
    method: String,
    /// Path and query, as in origin form (an absolute-form target loses its scheme and authority).
    target: String,
}

impl Request {
    /// The path without query or fragment.
    fn path(&self) -> &str {
        let end = self.target.find(['?', '#']).unwrap_or(self.target.len());
        &self.target[..end]
    }

    fn is_script(&self) -> bool {
        let path = self.path().as_bytes();
        path.len() >= 4 && {
            let ext = &path[path.len() - 4..];
            ext.eq_ignore_ascii_case(b".pac") || ext.eq_ignore_ascii_case(b".dat")
        }
    }
}

/// `METHOD SP target SP HTTP/1.x`, printable ASCII only; `None` otherwise.
fn parse_request_line(line: &[u8]) -> Option<Request> {
    if line.iter().any(|b| !(0x21..0x7f).contains(b) && *b != b' ') {
        return None;
    }
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || method.is_empty() || target.is_empty() {
        return None;
    }
    if !version.starts_with("HTTP/1.") || version.len() != 8 {
        return None;
    }
    let target = match target.split_once("://") {
        Some((scheme, rest)) if !scheme.contains('/') => match rest.find('/') {
            Some(i) => rest[i..].to_string(),
            None => "/".to_string(),
        },
        _ => target.to_string(),
    };
    Some(Request {
        method: method.to_string(),
        target,
    })
}

/// What the server answers.
#[derive(Debug, PartialEq, Eq)]
enum Reply {
    Script,
    Huge,
    Status(u16),
    Redirect,
    Garbage,
    Stall,
}

/// The answer to a well-formed request under `fault`, where `n` requests came since it was set.
fn decide(fault: WpadFault, n: u64, req: &Request) -> Reply {
    let route = || {
        if req.method != "GET" {
            Reply::Status(405)
        } else if req.is_script() {
            Reply::Script
        } else {
            Reply::Status(404)
        }
    };
    match fault {
        WpadFault::None => route(),
        WpadFault::NotFound => Reply::Status(404),
        WpadFault::ServerError => Reply::Status(500),
        WpadFault::Stall => Reply::Stall,
        WpadFault::Garbage => Reply::Garbage,
        WpadFault::Huge => Reply::Huge,
        WpadFault::RedirectLoop => Reply::Redirect,
        WpadFault::Flap { every } => {
            if (n / u64::from(every.max(1))) % 2 == 1 {
                Reply::Status(503)
            } else {
                route()
            }
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn response_head(status: u16, content_type: &str, len: usize, extra: &str) -> String {
    format!(
        "HTTP/1.1 {status} {}\r\nServer: oqs-net-lab\r\nContent-Type: {content_type}\r\n\
         Content-Length: {len}\r\nCache-Control: no-store\r\n{extra}Connection: close\r\n\r\n",
        reason(status)
    )
}

/// Serves one connection (plain or TLS): one request, one answer, then close.
async fn connection<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, shared: &Shared) {
    let head = read_head(&mut stream).await;
    let request = match &head {
        Head::Closed => return,
        Head::TooLarge => None,
        Head::Line(line) => parse_request_line(line),
    };
    let (reply, script, latency) = {
        let mut state = shared.state();
        let reply = match (&head, &request) {
            (Head::TooLarge, _) => Reply::Status(431),
            (_, None) => Reply::Status(400),
            (_, Some(req)) => {
                shared.stats.requests.fetch_add(1, Ordering::Relaxed);
                let n = state.since_fault;
                state.since_fault += 1;
                decide(state.fault, n, req)
            }
        };
        (reply, state.script.clone(), state.latency)
    };
    if matches!(reply, Reply::Script | Reply::Huge) {
        shared.stats.served.fetch_add(1, Ordering::Relaxed);
    }
    if reply == Reply::Stall {
        // Hold the connection open, silent, until the client gives up (or the life ends).
        drain(&mut stream).await;
        return;
    }
    if !latency.is_zero() {
        crate::delay::sleep(latency).await;
    }
    let written = match reply {
        Reply::Script => {
            let mut out = response_head(200, PAC_CONTENT_TYPE, script.len(), "").into_bytes();
            out.extend_from_slice(script.as_bytes());
            stream.write_all(&out).await
        }
        Reply::Huge => write_huge(&mut stream, &script).await,
        Reply::Redirect => {
            let target = request.as_ref().map_or("/", |r| r.target.as_str());
            let head = response_head(302, "text/plain", 0, &format!("Location: {target}\r\n"));
            stream.write_all(head.as_bytes()).await
        }
        Reply::Garbage => stream.write_all(GARBAGE).await,
        Reply::Status(status) => {
            let body = format!("{status} {}\n", reason(status));
            let allow = if status == 405 { "Allow: GET\r\n" } else { "" };
            let mut out = response_head(status, "text/plain", body.len(), allow).into_bytes();
            out.extend_from_slice(body.as_bytes());
            stream.write_all(&out).await
        }
        Reply::Stall => Ok(()),
    };
    if written.is_err() {
        return;
    }
    // FIN (and close_notify over TLS), then a short lingering read before the socket closes.
    if stream.shutdown().await.is_ok() {
        let _ = tokio::time::timeout(LINGER, drain(&mut stream)).await;
    }
}

/// 200 with [`HUGE_PADDING`] bytes of JS comment lines, then the script, in 16 KiB writes.
async fn write_huge<S: AsyncWrite + Unpin>(stream: &mut S, script: &str) -> io::Result<()> {
    let head = response_head(200, PAC_CONTENT_TYPE, HUGE_PADDING + script.len(), "");
    stream.write_all(head.as_bytes()).await?;
    // 256 lines of 64 bytes: "// xxx…x\n".
    let mut line = [b'x'; 64];
    line[..3].copy_from_slice(b"// ");
    line[63] = b'\n';
    let chunk: Vec<u8> = line.iter().copied().cycle().take(16 * 1024).collect();
    for _ in 0..HUGE_PADDING / chunk.len() {
        stream.write_all(&chunk).await?;
    }
    stream.write_all(script.as_bytes()).await
}

/// Reads and discards until the peer closes or the read fails.
async fn drain<S: AsyncRead + Unpin>(stream: &mut S) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pki::LabPki;
    use super::*;
    use tokio::net::TcpStream;

    const SCRIPT: &str =
        "function FindProxyForURL(url, host) { return \"PROXY proxy.oqs-lab.test:3128\"; }\n";

    /// An answer as a test client reads it (until the server closes).
    #[derive(Debug)]
    struct Answer {
        raw: Vec<u8>,
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    }

    impl Answer {
        fn parse(raw: Vec<u8>) -> Answer {
            let end = raw.windows(4).position(|w| w == b"\r\n\r\n");
            let (head, body) = match end {
                Some(i) => (
                    String::from_utf8_lossy(&raw[..i]).into_owned(),
                    raw[i + 4..].to_vec(),
                ),
                None => (String::new(), Vec::new()),
            };
            let mut lines = head.split("\r\n");
            let status = lines
                .next()
                .and_then(|l| l.strip_prefix("HTTP/1.1 "))
                .and_then(|l| l.get(..3))
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let headers = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            Answer {
                raw,
                status,
                headers,
                body,
            }
        }

        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        }
    }

    /// Writes `request` and reads until the server closes (at most 5 s, 4 MiB).
    async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, request: &str) -> Answer {
        s.write_all(request.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        let read = async {
            let mut buf = [0u8; 16 * 1024];
            while let Ok(n) = s.read(&mut buf).await {
                if n == 0 || raw.len() > 4 * 1024 * 1024 {
                    break;
                }
                raw.extend_from_slice(&buf[..n]);
            }
        };
        tokio::time::timeout(Duration::from_secs(5), read)
            .await
            .expect("the server closes within 5 s");
        Answer::parse(raw)
    }

    async fn ask(addr: SocketAddr, request: &str) -> Answer {
        exchange(TcpStream::connect(addr).await.unwrap(), request).await
    }

    async fn get(addr: SocketAddr, path: &str) -> Answer {
        ask(
            addr,
            &format!("GET {path} HTTP/1.1\r\nHost: wpad.oqs-lab.test\r\n\r\n"),
        )
        .await
    }

    async fn start(fault: WpadFault) -> LabWpad {
        LabWpad::start(LabWpadSpec {
            script: SCRIPT.to_string(),
            fault,
            ..LabWpadSpec::default()
        })
        .await
        .unwrap()
    }

    fn count(n: &AtomicU64) -> u64 {
        n.load(Ordering::Relaxed)
    }

    #[tokio::test]
    async fn serves_the_script_and_routes_the_rest() {
        let wpad = start(WpadFault::None).await;
        let addr = wpad.addr();
        assert!(addr.ip().is_loopback() && addr.port() != 0, "{addr}");

        for path in ["/wpad.dat", "/proxy.pac", "/a/b/CONFIG.PAC?x=1", "/x.dat#f"] {
            let a = get(addr, path).await;
            assert_eq!(a.status, 200, "{path}: {a:?}");
            assert_eq!(a.header("content-type"), Some(PAC_CONTENT_TYPE), "{path}");
            assert_eq!(
                a.header("content-length"),
                Some(SCRIPT.len().to_string().as_str()),
                "{path}"
            );
            assert_eq!(a.header("connection"), Some("close"), "{path}");
            assert_eq!(a.body, SCRIPT.as_bytes(), "{path}");
        }
        // Absolute form, HTTP/1.0 and bare LF line ends are understood.
        let a = ask(addr, "GET http://wpad.oqs-lab.test/wpad.dat HTTP/1.0\n\n").await;
        assert_eq!((a.status, a.body.as_slice()), (200, SCRIPT.as_bytes()));

        for path in ["/", "/index.html", "/wpad.dat.bak", "/pac"] {
            let a = get(addr, path).await;
            assert_eq!(a.status, 404, "{path}: {a:?}");
            assert_eq!(a.body, b"404 Not Found\n", "{path}");
        }
        let a = ask(addr, "POST /wpad.dat HTTP/1.1\r\nContent-Length: 0\r\n\r\n").await;
        assert_eq!(a.status, 405);
        assert_eq!(a.header("allow"), Some("GET"));
        assert_eq!(
            ask(addr, "HEAD /wpad.dat HTTP/1.1\r\n\r\n").await.status,
            405
        );

        // Not requests: not counted, and faults would not apply.
        assert_eq!(ask(addr, "hello\r\n\r\n").await.status, 400);
        assert_eq!(
            ask(addr, "GET /wpad.dat HTTP/2.0\r\n\r\n").await.status,
            400
        );
        let long = format!(
            "GET /wpad.dat HTTP/1.1\r\nX-Pad: {}\r\n\r\n",
            "a".repeat(MAX_HEAD)
        );
        assert_eq!(ask(addr, &long).await.status, 431);
        // A head just under the limit is fine.
        let fits = format!(
            "GET /wpad.dat HTTP/1.1\r\nX-Pad: {}\r\n\r\n",
            "a".repeat(8000)
        );
        assert_eq!(ask(addr, &fits).await.status, 200);

        assert_eq!(count(&wpad.stats().requests), 5 + 4 + 2 + 1);
        assert_eq!(count(&wpad.stats().served), 5 + 1);
        wpad.shutdown().await;
    }

    #[tokio::test]
    async fn each_fault_answers_as_named() {
        let wpad = start(WpadFault::None).await;
        let addr = wpad.addr();

        for (fault, status) in [(WpadFault::NotFound, 404), (WpadFault::ServerError, 500)] {
            wpad.set_fault(fault);
            for path in ["/wpad.dat", "/proxy.pac", "/other"] {
                let a = get(addr, path).await;
                assert_eq!(a.status, status, "{fault:?} {path}: {a:?}");
            }
        }

        wpad.set_fault(WpadFault::Garbage);
        let a = get(addr, "/wpad.dat").await;
        assert!(!a.raw.is_empty(), "garbage is something");
        assert!(!a.raw.starts_with(b"HTTP/"), "{:?}", a.raw);
        assert_eq!(a.raw, GARBAGE);

        wpad.set_fault(WpadFault::RedirectLoop);
        for _ in 0..3 {
            let a = get(addr, "/dir/proxy.pac?v=1").await;
            assert_eq!(a.status, 302, "{a:?}");
            assert_eq!(a.header("location"), Some("/dir/proxy.pac?v=1"));
        }

        wpad.set_fault(WpadFault::Huge);
        let a = get(addr, "/wpad.dat").await;
        assert_eq!(a.status, 200);
        assert_eq!(a.header("content-type"), Some(PAC_CONTENT_TYPE));
        let len: usize = a.header("content-length").unwrap().parse().unwrap();
        assert_eq!(len, 2 * 1024 * 1024 + SCRIPT.len());
        assert!(len > 1024 * 1024);
        assert_eq!(a.body.len(), len, "the whole body arrives");
        assert!(a.body.starts_with(b"// xxx"));
        assert!(
            a.body.ends_with(SCRIPT.as_bytes()),
            "the script follows the comment"
        );

        wpad.set_fault(WpadFault::Stall);
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /wpad.dat HTTP/1.1\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 64];
        let got = tokio::time::timeout(Duration::from_millis(300), s.read(&mut buf)).await;
        assert!(got.is_err(), "no byte within 300 ms: {got:?}");

        // 6 + 1 + 3 + 1 + 1 requests; only the huge answer was a 200.
        assert_eq!(count(&wpad.stats().requests), 12);
        assert_eq!(count(&wpad.stats().served), 1);

        // Back to healthy, at once.
        wpad.set_fault(WpadFault::None);
        assert_eq!(get(addr, "/wpad.dat").await.body, SCRIPT.as_bytes());
        wpad.shutdown().await;
    }

    #[tokio::test]
    async fn flapping_alternates_in_runs_from_when_it_is_set() {
        let wpad = start(WpadFault::None).await;
        let addr = wpad.addr();
        // Requests before the flap do not shift its cycle.
        assert_eq!(get(addr, "/wpad.dat").await.status, 200);
        wpad.set_fault(WpadFault::Flap { every: 2 });
        let mut codes = Vec::new();
        for _ in 0..6 {
            codes.push(get(addr, "/wpad.dat").await.status);
        }
        assert_eq!(codes, [200, 200, 503, 503, 200, 200]);
        // While serving, a flap routes like a healthy server.
        wpad.set_fault(WpadFault::Flap { every: 1 });
        assert_eq!(get(addr, "/nothing-here").await.status, 404);
        assert_eq!(get(addr, "/wpad.dat").await.status, 503);
        assert_eq!(count(&wpad.stats().served), 5);
        wpad.shutdown().await;

        // `every = 0` counts as 1.
        let req = Request {
            method: "GET".into(),
            target: "/proxy.pac".into(),
        };
        let every0: Vec<Reply> = (0..3)
            .map(|i| decide(WpadFault::Flap { every: 0 }, i, &req))
            .collect();
        assert_eq!(every0, [Reply::Script, Reply::Status(503), Reply::Script]);
    }

    #[tokio::test]
    async fn set_script_takes_effect_on_the_next_request() {
        let wpad = start(WpadFault::None).await;
        assert_eq!(get(wpad.addr(), "/wpad.dat").await.body, SCRIPT.as_bytes());
        let next = "function FindProxyForURL(url, host) { return \"DIRECT\"; }\n";
        wpad.set_script(next.to_string());
        let a = get(wpad.addr(), "/wpad.dat").await;
        assert_eq!(a.body, next.as_bytes());
        assert_eq!(
            a.header("content-length"),
            Some(next.len().to_string().as_str())
        );
        wpad.shutdown().await;
    }

    #[tokio::test]
    async fn latency_delays_each_answer() {
        let wpad = LabWpad::start(LabWpadSpec {
            script: SCRIPT.to_string(),
            latency_ms: 200,
            ..LabWpadSpec::default()
        })
        .await
        .unwrap();
        let started = std::time::Instant::now();
        assert_eq!(get(wpad.addr(), "/wpad.dat").await.status, 200);
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(200), "{took:?}");
        wpad.shutdown().await;
    }

    #[tokio::test]
    async fn https_serves_the_script_chained_to_the_lab_root() {
        use rustls::pki_types::ServerName;
        let pki = LabPki::generate(&["wpad.oqs-lab.test".into()]).unwrap();
        let leaf = pki.server.chain[0].clone();
        let wpad = LabWpad::start(LabWpadSpec {
            script: SCRIPT.to_string(),
            tls: Some(pki.server),
            ..LabWpadSpec::default()
        })
        .await
        .unwrap();

        let mut roots = rustls::RootCertStore::empty();
        roots.add(pki.root.clone()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let cfg = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
        let name = ServerName::try_from("wpad.oqs-lab.test").unwrap();

        let tcp = TcpStream::connect(wpad.addr()).await.unwrap();
        let tls = connector
            .connect(name.clone(), tcp)
            .await
            .expect("the chain verifies to the lab root");
        let presented = tls.get_ref().1.peer_certificates().unwrap().to_vec();
        assert_eq!(presented.len(), 2, "leaf and intermediate");
        assert_eq!(presented[0], leaf);
        assert_eq!(presented[1], pki.intermediate);
        let a = exchange(
            tls,
            "GET /proxy.pac HTTP/1.1\r\nHost: wpad.oqs-lab.test\r\n\r\n",
        )
        .await;
        assert_eq!(a.status, 200, "{a:?}");
        assert_eq!(a.header("content-type"), Some(PAC_CONTENT_TYPE));
        assert_eq!(a.body, SCRIPT.as_bytes());

        // Plain HTTP to the HTTPS port: the handshake fails and the connection closes, unanswered.
        let a = get(wpad.addr(), "/proxy.pac").await;
        assert!(!a.raw.starts_with(b"HTTP/"), "{a:?}");
        assert_eq!(count(&wpad.stats().requests), 1);

        // A name the certificate does not carry is refused by the client.
        let tcp = TcpStream::connect(wpad.addr()).await.unwrap();
        let other = ServerName::try_from("other.oqs-lab.test").unwrap();
        assert!(connector.connect(other, tcp).await.is_err());

        // And the server still serves.
        let tcp = TcpStream::connect(wpad.addr()).await.unwrap();
        let tls = connector.connect(name, tcp).await.unwrap();
        assert_eq!(
            exchange(tls, "GET /wpad.dat HTTP/1.1\r\n\r\n").await.status,
            200
        );
        assert_eq!(count(&wpad.stats().served), 2);
        wpad.shutdown().await;
    }

    #[tokio::test]
    async fn shutdown_closes_connections_and_releases_the_port() {
        let wpad = start(WpadFault::Stall).await;
        let addr = wpad.addr();
        let mut stalled = TcpStream::connect(addr).await.unwrap();
        stalled
            .write_all(b"GET /wpad.dat HTTP/1.1\r\n\r\n")
            .await
            .unwrap();
        while count(&wpad.stats().requests) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        wpad.shutdown().await;
        // The stalled connection was closed, not left behind.
        let mut buf = [0u8; 16];
        let n = tokio::time::timeout(Duration::from_secs(1), stalled.read(&mut buf))
            .await
            .expect("closed by shutdown");
        assert!(matches!(n, Ok(0) | Err(_)), "{n:?}");

        let again = TcpListener::bind(addr)
            .await
            .expect("the port is free again");
        drop(again);
        let wpad = LabWpad::start(LabWpadSpec {
            bind: addr,
            script: SCRIPT.to_string(),
            ..LabWpadSpec::default()
        })
        .await
        .expect("and a new server can take it");
        assert_eq!(wpad.addr(), addr);
        assert_eq!(get(addr, "/wpad.dat").await.status, 200);

        // A taken port is an error that names the address.
        let err = LabWpad::start(LabWpadSpec {
            bind: addr,
            ..LabWpadSpec::default()
        })
        .await
        .err()
        .expect("the port is taken");
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
        assert!(err.to_string().contains(&addr.to_string()), "{err}");
        wpad.shutdown().await;
    }

    #[tokio::test]
    async fn connections_over_the_limit_are_closed_at_once() {
        let spec = LabWpadSpec {
            script: SCRIPT.to_string(),
            fault: WpadFault::Stall,
            ..LabWpadSpec::default()
        };
        let wpad = LabWpad::start_with_limits(spec, 2, CONN_LIFE)
            .await
            .unwrap();
        let addr = wpad.addr();
        let mut held = Vec::new();
        for _ in 0..2 {
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.write_all(b"GET /wpad.dat HTTP/1.1\r\n\r\n")
                .await
                .unwrap();
            held.push(s);
        }
        while count(&wpad.stats().requests) < 2 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let mut third = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 16];
        let n = tokio::time::timeout(Duration::from_secs(1), third.read(&mut buf))
            .await
            .expect("closed at once");
        assert!(matches!(n, Ok(0) | Err(_)), "{n:?}");
        assert_eq!(count(&wpad.stats().requests), 2);

        // Once one is free, the next is served.
        drop(held.pop());
        wpad.set_fault(WpadFault::None);
        let mut status = 0;
        for _ in 0..100 {
            status = get(addr, "/wpad.dat").await.status;
            if status == 200 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(status, 200);
        wpad.shutdown().await;
    }

    #[tokio::test]
    async fn a_connection_lives_no_longer_than_its_life() {
        let spec = LabWpadSpec {
            fault: WpadFault::Stall,
            ..LabWpadSpec::default()
        };
        let life = Duration::from_millis(200);
        let wpad = LabWpad::start_with_limits(spec, MAX_CONNS, life)
            .await
            .unwrap();
        // A stalled answer and a head that never ends are both cut at the end of the life.
        for request in [
            "GET /wpad.dat HTTP/1.1\r\n\r\n",
            "GET /wpad.dat HTTP/1.1\r\n",
        ] {
            let started = std::time::Instant::now();
            let a = ask(wpad.addr(), request).await;
            let took = started.elapsed();
            assert!(a.raw.is_empty(), "{request:?}: {a:?}");
            assert!(
                took >= life && took < Duration::from_secs(3),
                "{request:?}: closed after {took:?}"
            );
        }
        assert_eq!(count(&wpad.stats().requests), 1);
        wpad.shutdown().await;
    }

    #[test]
    fn faults_round_trip_as_tagged_kebab_case() {
        for (fault, json) in [
            (WpadFault::None, r#"{"kind":"none"}"#),
            (WpadFault::RedirectLoop, r#"{"kind":"redirect-loop"}"#),
            (WpadFault::Flap { every: 2 }, r#"{"kind":"flap","every":2}"#),
        ] {
            assert_eq!(serde_json::to_string(&fault).unwrap(), json);
            assert_eq!(serde_json::from_str::<WpadFault>(json).unwrap(), fault);
        }
        let t: WpadFault = toml::from_str("kind = \"server-error\"").unwrap();
        assert_eq!(t, WpadFault::ServerError);
    }

    #[test]
    fn request_lines_parse_strictly() {
        let r = |s: &str| parse_request_line(s.as_bytes());
        assert_eq!(
            r("GET http://wpad.lab:8080/wpad.dat?x HTTP/1.1"),
            Some(Request {
                method: "GET".into(),
                target: "/wpad.dat?x".into()
            })
        );
        assert_eq!(r("GET http://wpad.lab HTTP/1.1").unwrap().target, "/");
        assert_eq!(r("GET /a.pac HTTP/1.0").unwrap().target, "/a.pac");
        for bad in [
            "GET /a.pac",
            "GET /a.pac HTTP/1.1 x",
            "GET  /a.pac HTTP/1.1",
            "GET /a.pac HTTP/1.10",
            "GET /a\r.pac HTTP/1.1",
            "GET /é.pac HTTP/1.1",
        ] {
            assert_eq!(r(bad), None, "{bad:?}");
        }
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nA: b\r\n\r\nrest"), Some(24));
        assert_eq!(head_end(b"GET / HTTP/1.1\nA: b\n\n"), Some(21));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n"), None);
    }
}

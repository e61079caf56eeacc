//! The lab's HTTP CONNECT proxy (the distribution base's proxy stand-in) with faults a test can
//! switch: demand authentication, refuse by policy (403), answer 502, stall, speak garbage, reset,
//! or flap between working and 502. Upstream names resolve through a table the caller gives.
//! Self-contained like the rest of the lab: it imports nothing from the probes.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// How the proxy misbehaves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum ProxyFault {
    /// Tunnels every CONNECT.
    #[default]
    None,
    /// 407 unless `Proxy-Authorization: Basic bGFiOmxhYg==` (lab:lab) is sent.
    RequireAuth,
    /// 403: the proxy's policy refuses the destination.
    Forbidden,
    /// 502 for every CONNECT.
    BadGateway,
    /// 503 for every CONNECT.
    Unavailable,
    /// Reads the request and never answers.
    Stall,
    /// Answers with something that is not HTTP.
    Garbage,
    /// Closes the connection as soon as the request arrives (TCP reset).
    Reset,
    /// `every` CONNECTs tunnelled, then `every` answered 502, in turn.
    Flap { every: u32 },
}

/// What the proxy serves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabProxySpec {
    pub bind: SocketAddr,
    pub fault: ProxyFault,
    /// Names the proxy can connect to (lower case, no trailing dot); IP literals always work.
    pub hosts: BTreeMap<String, IpAddr>,
    /// Added before the proxy answers a CONNECT.
    pub latency_ms: u64,
}

impl Default for LabProxySpec {
    fn default() -> Self {
        LabProxySpec {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            fault: ProxyFault::None,
            hosts: BTreeMap::new(),
            latency_ms: 0,
        }
    }
}

/// Counters the tests read.
#[derive(Debug, Default)]
pub struct ProxyStats {
    pub connects: AtomicU64,
    pub tunnels: AtomicU64,
}

const MAX_REQUEST: usize = 8 * 1024;
const AUTH: &str = "basic bGFiOmxhYg==";

pub struct LabProxy {
    addr: SocketAddr,
    spec: Arc<RwLock<LabProxySpec>>,
    stats: Arc<ProxyStats>,
    cancel: CancellationToken,
    tasks: JoinSet<()>,
}

impl LabProxy {
    pub async fn start(spec: LabProxySpec) -> io::Result<LabProxy> {
        let listener = TcpListener::bind(spec.bind).await.map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("lab proxy cannot listen on {}: {e}", spec.bind),
            )
        })?;
        let addr = listener.local_addr()?;
        let spec = Arc::new(RwLock::new(spec));
        let stats = Arc::new(ProxyStats::default());
        let cancel = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let (s, st, c) = (spec.clone(), stats.clone(), cancel.clone());
        tasks.spawn(async move {
            let mut conns = JoinSet::new();
            loop {
                tokio::select! {
                    _ = c.cancelled() => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let (s, st, c) = (s.clone(), st.clone(), c.clone());
                        conns.spawn(async move {
                            tokio::select! {
                                _ = c.cancelled() => {}
                                _ = serve(stream, s, st) => {}
                            }
                        });
                    }
                    Some(_) = conns.join_next(), if !conns.is_empty() => {}
                }
            }
            conns.abort_all();
        });
        Ok(LabProxy {
            addr,
            spec,
            stats,
            cancel,
            tasks,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn set_fault(&self, fault: ProxyFault) {
        self.spec
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .fault = fault;
    }

    pub fn stats(&self) -> &ProxyStats {
        &self.stats
    }

    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        while self.tasks.join_next().await.is_some() {}
    }
}

impl Drop for LabProxy {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Reads the request head (bounded), or None when the client sent nothing usable in time.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    let read = async {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 || buf.len() + n > MAX_REQUEST {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Some(())
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .ok()??;
    String::from_utf8(buf).ok()
}

async fn serve(mut stream: TcpStream, spec: Arc<RwLock<LabProxySpec>>, stats: Arc<ProxyStats>) {
    let Some(head) = read_head(&mut stream).await else {
        return;
    };
    let n = stats.connects.fetch_add(1, Ordering::Relaxed);
    let (fault, latency, hosts) = {
        let s = spec.read().unwrap_or_else(PoisonError::into_inner);
        (s.fault, s.latency_ms, s.hosts.clone())
    };
    if latency > 0 {
        crate::delay::sleep(Duration::from_millis(latency)).await;
    }
    let mut lines = head.split("\r\n");
    let request = lines.next().unwrap_or_default();
    let mut parts = request.split_whitespace();
    let (method, target) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let authorised = lines.any(|l| {
        l.split_once(':').is_some_and(|(k, v)| {
            k.trim().eq_ignore_ascii_case("proxy-authorization")
                && v.trim().eq_ignore_ascii_case(AUTH)
        })
    });
    let answer =
        |code: &str| format!("HTTP/1.1 {code}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let refusal = match fault {
        _ if method != "CONNECT" => Some(answer("405 Method Not Allowed")),
        ProxyFault::None => None,
        ProxyFault::RequireAuth if authorised => None,
        ProxyFault::RequireAuth => Some(
            "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"lab\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                .to_string(),
        ),
        ProxyFault::Forbidden => Some(answer("403 Forbidden")),
        ProxyFault::BadGateway => Some(answer("502 Bad Gateway")),
        ProxyFault::Unavailable => Some(answer("503 Service Unavailable")),
        ProxyFault::Stall => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return;
        }
        ProxyFault::Garbage => Some("SSH-2.0-OpenSSH_9.2p1 lab\r\n\0\u{1}\u{2}".to_string()),
        ProxyFault::Reset => {
            // Zero linger: close with RST (a zero linger never blocks).
            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
            return;
        }
        ProxyFault::Flap { every } => {
            let every = u64::from(every.max(1));
            ((n / every) % 2 == 1).then(|| answer("502 Bad Gateway"))
        }
    };
    if let Some(r) = refusal {
        let _ = stream.write_all(r.as_bytes()).await;
        return;
    }
    let upstream = match resolve(target, &hosts) {
        Some(addr) => tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr)).await,
        None => {
            let _ = stream.write_all(answer("502 Bad Gateway").as_bytes()).await;
            return;
        }
    };
    let mut upstream = match upstream {
        Ok(Ok(u)) => u,
        Ok(Err(_)) => {
            let _ = stream.write_all(answer("502 Bad Gateway").as_bytes()).await;
            return;
        }
        Err(_) => {
            let _ = stream
                .write_all(answer("504 Gateway Timeout").as_bytes())
                .await;
            return;
        }
    };
    if stream
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .is_err()
    {
        return;
    }
    stats.tunnels.fetch_add(1, Ordering::Relaxed);
    let _ = tokio::io::copy_bidirectional(&mut stream, &mut upstream).await;
}

/// `host:port` or `[v6]:port` to an address, through the table for names.
fn resolve(target: &str, hosts: &BTreeMap<String, IpAddr>) -> Option<SocketAddr> {
    if let Ok(a) = target.parse::<SocketAddr>() {
        return Some(a);
    }
    let (host, port) = target.rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    let ip = hosts.get(&host.trim_end_matches('.').to_ascii_lowercase())?;
    Some(SocketAddr::new(*ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn ask(proxy: SocketAddr, request: &str) -> String {
        let mut s = TcpStream::connect(proxy).await.unwrap();
        s.write_all(request.as_bytes()).await.unwrap();
        let mut buf = vec![0u8; 256];
        let n = tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf))
            .await
            .map_or(0, |r| r.unwrap_or(0));
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    async fn echo_server() -> SocketAddr {
        let echo = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let echo_addr = echo.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = echo.accept().await {
                tokio::spawn(async move {
                    let mut b = [0u8; 64];
                    while let Ok(n) = s.read(&mut b).await {
                        if n == 0 || s.write_all(&b[..n]).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        echo_addr
    }

    #[tokio::test]
    async fn tunnels_and_each_fault_answers_as_named() {
        let echo_addr = echo_server().await;
        let mut hosts = BTreeMap::new();
        hosts.insert("echo.lab".to_string(), echo_addr.ip());
        let proxy = LabProxy::start(LabProxySpec {
            hosts,
            ..LabProxySpec::default()
        })
        .await
        .unwrap();
        let req = format!(
            "CONNECT echo.lab:{} HTTP/1.1\r\nHost: echo.lab\r\n\r\n",
            echo_addr.port()
        );

        // A working tunnel carries bytes both ways.
        let mut s = TcpStream::connect(proxy.addr()).await.unwrap();
        s.write_all(req.as_bytes()).await.unwrap();
        let mut buf = vec![0u8; 64];
        let n = s.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        s.write_all(b"ping").await.unwrap();
        let n = s.read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"ping");

        for (fault, want) in [
            (ProxyFault::RequireAuth, "HTTP/1.1 407"),
            (ProxyFault::Forbidden, "HTTP/1.1 403"),
            (ProxyFault::BadGateway, "HTTP/1.1 502"),
            (ProxyFault::Unavailable, "HTTP/1.1 503"),
            (ProxyFault::Garbage, "SSH-2.0"),
            (ProxyFault::Stall, ""),
            (ProxyFault::Reset, ""),
        ] {
            proxy.set_fault(fault);
            let got = ask(proxy.addr(), &req).await;
            assert!(got.starts_with(want), "{fault:?}: {got:?}");
        }
        proxy.set_fault(ProxyFault::RequireAuth);
        let authed = req.replace(
            "\r\n\r\n",
            "\r\nProxy-Authorization: Basic bGFiOmxhYg==\r\n\r\n",
        );
        assert!(ask(proxy.addr(), &authed).await.starts_with("HTTP/1.1 200"));
        proxy.set_fault(ProxyFault::None);
        assert!(
            ask(proxy.addr(), "CONNECT unknown.lab:443 HTTP/1.1\r\n\r\n")
                .await
                .starts_with("HTTP/1.1 502")
        );
        assert!(
            ask(proxy.addr(), "GET / HTTP/1.1\r\n\r\n")
                .await
                .starts_with("HTTP/1.1 405")
        );
        proxy.shutdown().await;
    }

    #[tokio::test]
    async fn flapping_alternates_in_runs() {
        let proxy = LabProxy::start(LabProxySpec {
            fault: ProxyFault::Flap { every: 2 },
            ..LabProxySpec::default()
        })
        .await
        .unwrap();
        let echo = echo_server().await;
        let req = format!("CONNECT {echo} HTTP/1.1\r\n\r\n");
        let mut codes = Vec::new();
        for _ in 0..6 {
            let got = ask(proxy.addr(), &req).await;
            codes.push(got.get(9..12).unwrap_or("").to_string());
        }
        assert_eq!(codes, ["200", "200", "502", "502", "200", "200"]);
        assert_eq!(proxy.stats().tunnels.load(Ordering::Relaxed), 4);
        proxy.shutdown().await;
    }
}

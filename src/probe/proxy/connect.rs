//! An HTTP CONNECT done by hand on a TCP stream, so that every answer is told apart (reqwest keeps
//! only 407 distinct): the status line is read with a bounded head and a deadline, and on `200` the
//! open tunnel is handed back for a TLS handshake through it.

use crate::model::{ConnectOutcome, ConnectResult};
use crate::net::NetOptions;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A proxy answer's head is never this large; more is not a proxy.
const MAX_HEAD: usize = 16 * 1024;

#[derive(Clone, Debug)]
pub struct ConnectSpec {
    /// How the proxy was named (shown in the report).
    pub proxy_name: String,
    pub proxy: SocketAddr,
    /// `host:port` to ask the proxy for.
    pub target: String,
    pub connect_timeout: Duration,
    pub response_timeout: Duration,
}

/// The result when the proxy's own name did not resolve.
pub fn unresolved(proxy: &str, target: &str, detail: String) -> ConnectResult {
    ConnectResult {
        proxy: proxy.to_string(),
        proxy_addr: None,
        target: target.to_string(),
        connect_ms: None,
        response_ms: None,
        status_line: None,
        outcome: ConnectOutcome::Unresolvable { detail },
    }
}

/// CONNECTs through the proxy. The stream comes back only when the tunnel is open.
pub async fn connect(net: &NetOptions, spec: &ConnectSpec) -> (ConnectResult, Option<TcpStream>) {
    let mut result = ConnectResult {
        proxy: spec.proxy_name.clone(),
        proxy_addr: Some(spec.proxy.to_string()),
        target: spec.target.clone(),
        connect_ms: None,
        response_ms: None,
        status_line: None,
        outcome: ConnectOutcome::Closed,
    };
    let start = Instant::now();
    let connected = tokio::time::timeout(spec.connect_timeout, net.tcp_connect(spec.proxy)).await;
    let mut stream = match connected {
        Ok(Ok(s)) => s,
        Err(_) => {
            result.outcome = ConnectOutcome::ConnectTimeout;
            return (result, None);
        }
        Ok(Err(e)) => {
            result.outcome = match e.kind() {
                io::ErrorKind::ConnectionRefused => ConnectOutcome::Refused,
                io::ErrorKind::TimedOut => ConnectOutcome::ConnectTimeout,
                io::ErrorKind::ConnectionReset => ConnectOutcome::Reset,
                _ => ConnectOutcome::Local {
                    detail: e.to_string(),
                },
            };
            return (result, None);
        }
    };
    result.connect_ms = Some(ms(start.elapsed()));
    let asked = Instant::now();
    let request = format!(
        "CONNECT {t} HTTP/1.1\r\nHost: {t}\r\nUser-Agent: oqs-net/{v}\r\nProxy-Connection: Keep-Alive\r\n\r\n",
        t = spec.target,
        v = env!("CARGO_PKG_VERSION")
    );
    let head = tokio::time::timeout(spec.response_timeout, async {
        stream.write_all(request.as_bytes()).await?;
        read_head(&mut stream).await
    })
    .await;
    result.response_ms = Some(ms(asked.elapsed()));
    let head = match head {
        Err(_) => {
            result.outcome = ConnectOutcome::Silent;
            return (result, None);
        }
        Ok(Err(e)) => {
            result.outcome = match e.kind() {
                io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => ConnectOutcome::Reset,
                io::ErrorKind::UnexpectedEof => ConnectOutcome::Closed,
                io::ErrorKind::InvalidData => ConnectOutcome::HeadTooLarge,
                _ => ConnectOutcome::Local {
                    detail: e.to_string(),
                },
            };
            return (result, None);
        }
        Ok(Ok(head)) => head,
    };
    let (status_line, outcome) = classify(&head);
    result.status_line = status_line;
    result.outcome = outcome;
    let open = result.outcome == ConnectOutcome::Tunnel;
    (result, open.then_some(stream))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Reads up to the blank line that ends the answer's head. Each chunk is peeked first and only
/// the bytes up to the head's end are taken, so no byte of the tunnel (a TLS ServerHello) is
/// swallowed, and a long head costs a few reads, not one per byte.
async fn read_head(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(256);
    let mut chunk = [0u8; 2048];
    loop {
        let n = stream.peek(&mut chunk).await?;
        if n == 0 {
            if head.is_empty() {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            return Ok(head);
        }
        let end = head_end(&head, &chunk[..n]);
        let take = end.unwrap_or(n);
        stream.read_exact(&mut chunk[..take]).await?;
        head.extend_from_slice(&chunk[..take]);
        if end.is_some() {
            return Ok(head);
        }
        // Something that is not speaking HTTP is judged on its first bytes.
        if head.len() >= 5 && !head.starts_with(b"HTTP/") {
            head.truncate(32);
            return Ok(head);
        }
        if head.len() >= MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "answer head too large",
            ));
        }
    }
}

/// How many bytes of `seen` (what follows `head`) complete the head, when they do: up to the
/// blank line (`\r\n\r\n`, or `\n\n` from sloppy proxies), which may straddle the two.
fn head_end(head: &[u8], seen: &[u8]) -> Option<usize> {
    let kept = head.len().min(3);
    let mut joined = head[head.len() - kept..].to_vec();
    joined.extend_from_slice(seen);
    (kept + 1..=joined.len())
        .find(|&i| joined[..i].ends_with(b"\r\n\r\n") || joined[..i].ends_with(b"\n\n"))
        .map(|i| i - kept)
}

/// The status line and what it means; anything not `HTTP/x.y NNN` is not HTTP.
pub fn classify(head: &[u8]) -> (Option<String>, ConnectOutcome) {
    let line_end = head.iter().position(|b| *b == b'\n').unwrap_or(head.len());
    let line: String = String::from_utf8_lossy(&head[..line_end])
        .trim_end()
        .chars()
        .take(200)
        .collect();
    let mut words = line.split_whitespace();
    let status = match (words.next(), words.next()) {
        (Some(v), Some(code)) if v.starts_with("HTTP/1.") && code.len() == 3 => {
            code.parse::<u16>().ok()
        }
        _ => None,
    };
    let Some(status) = status else {
        let first_bytes = head
            .iter()
            .take(32)
            .flat_map(|b| std::ascii::escape_default(*b))
            .map(char::from)
            .collect();
        return (None, ConnectOutcome::NotHttp { first_bytes });
    };
    let outcome = match status {
        200..=299 => ConnectOutcome::Tunnel,
        407 => ConnectOutcome::AuthRequired {
            scheme: auth_scheme(head),
        },
        403 => ConnectOutcome::Forbidden,
        502 | 504 => ConnectOutcome::UpstreamFailed { status },
        503 => ConnectOutcome::Unavailable,
        _ => ConnectOutcome::OtherStatus { status },
    };
    (Some(line), outcome)
}

/// The scheme of `Proxy-Authenticate` (Basic, NTLM, Negotiate...), which tells an installer what
/// credentials the proxy wants.
fn auth_scheme(head: &[u8]) -> Option<String> {
    String::from_utf8_lossy(head).lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("proxy-authenticate")
            .then(|| {
                v.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .take(32)
                    .collect()
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_ends_at_its_blank_line_even_across_reads() {
        assert_eq!(head_end(b"", b"HTTP/1.1 200 OK\r\n\r\n\x16\x03"), Some(19));
        assert_eq!(head_end(b"HTTP/1.1 200 OK\r\n\r", b"\n\x16"), Some(1));
        assert_eq!(head_end(b"HTTP/1.1 200 OK\r\n", b"\r\nrest"), Some(2));
        assert_eq!(head_end(b"HTTP/1.0 200 OK\n", b"\nrest"), Some(1));
        assert_eq!(head_end(b"HTTP/1.1 200 OK\r\n", b"X-Pad: a\r\n"), None);
        assert_eq!(head_end(b"", b""), None);
    }

    /// Issue 13: a proxy that sends an endless head is named for it at once, not "silent" after
    /// the answer's timeout while its bytes are read one by one; and the tunnel's first bytes
    /// are never taken as part of the head.
    #[tokio::test]
    async fn a_long_head_is_read_in_chunks_and_the_tunnel_is_left_whole() {
        use tokio::io::AsyncWriteExt;
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            let line = b"X-Pad: aaaaaaaaaaaaaaaaaaaaaaaa\r\n";
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\n").await;
            for _ in 0..10_000 {
                if s.write_all(line).await.is_err() {
                    return;
                }
            }
            let (mut s, _) = l.accept().await.unwrap();
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\n\r\n\x16\x03\x03").await;
            tokio::time::sleep(Duration::from_secs(1)).await;
        });
        let started = std::time::Instant::now();
        let mut s = TcpStream::connect(addr).await.unwrap();
        let e = read_head(&mut s).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(started.elapsed() < Duration::from_millis(500));
        let mut s = TcpStream::connect(addr).await.unwrap();
        assert_eq!(read_head(&mut s).await.unwrap(), b"HTTP/1.1 200 OK\r\n\r\n");
        let mut rest = [0u8; 3];
        s.read_exact(&mut rest).await.unwrap();
        assert_eq!(rest, [0x16, 0x03, 0x03]);
    }

    #[test]
    fn status_lines_are_told_apart() {
        let c = |s: &str| classify(s.as_bytes()).1;
        assert_eq!(
            c("HTTP/1.1 200 Connection established\r\n\r\n"),
            ConnectOutcome::Tunnel
        );
        assert_eq!(c("HTTP/1.0 200 OK\r\n\r\n"), ConnectOutcome::Tunnel);
        assert_eq!(
            c("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: NTLM\r\n\r\n"),
            ConnectOutcome::AuthRequired {
                scheme: Some("NTLM".into())
            }
        );
        assert_eq!(
            c("HTTP/1.1 403 Forbidden\r\n\r\n"),
            ConnectOutcome::Forbidden
        );
        assert_eq!(
            c("HTTP/1.1 502 Bad Gateway\r\n\r\n"),
            ConnectOutcome::UpstreamFailed { status: 502 }
        );
        assert_eq!(
            c("HTTP/1.1 503 Service Unavailable\r\n\r\n"),
            ConnectOutcome::Unavailable
        );
        assert_eq!(
            c("HTTP/1.1 418 I'm a teapot\r\n\r\n"),
            ConnectOutcome::OtherStatus { status: 418 }
        );
        assert!(matches!(
            c("SSH-2.0-OpenSSH\r\n"),
            ConnectOutcome::NotHttp { .. }
        ));
        assert!(matches!(
            c("HTTP/2 200\r\n\r\n"),
            ConnectOutcome::NotHttp { .. }
        ));
        assert!(matches!(
            c("HTTP/1.1 2000 x\r\n\r\n"),
            ConnectOutcome::NotHttp { .. }
        ));
        assert!(matches!(c("\u{0}\u{1}"), ConnectOutcome::NotHttp { .. }));
    }

    #[test]
    fn arbitrary_heads_never_panic() {
        let mut x: u64 = 0x1234_5678;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 300) as usize;
            let bytes: Vec<u8> = (0..len).map(|i| (x >> (i % 56)) as u8).collect();
            let (line, _) = classify(&bytes);
            assert!(line.is_none_or(|l| l.chars().count() <= 200));
        }
    }
}

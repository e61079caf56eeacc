//! Telling a path-MTU black hole from any other stalled handshake: the bytes a stalled handshake
//! received (a stream that counts them), and a second handshake offering a small TCP segment size,
//! which a black hole lets through (packets of 576 bytes over IPv4 and 1280 over IPv6 pass every
//! path). Uses `model`, `net` and the handshake; no output, no engine, no lab.

use super::config::TlsContext;
use super::handshake::{blank_result, session};
use crate::model::{MssRetry, TlsEndpoint};
use crate::net::NetOptions;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The segment size the retry offers: 576-byte IPv4 packets (the size every IPv4 host must
/// accept) and 1280-byte IPv6 packets (IPv6's minimum link MTU), with their 40- and 60-byte
/// headers.
pub(super) fn small_mss(addr: SocketAddr) -> u32 {
    if addr.is_ipv4() { 536 } else { 1220 }
}

/// A stream that counts the bytes read from it.
pub(super) struct Counting<S> {
    inner: S,
    read: Arc<AtomicU64>,
}

impl<S> Counting<S> {
    pub(super) fn new(inner: S) -> (Counting<S>, Arc<AtomicU64>) {
        let read = Arc::new(AtomicU64::new(0));
        (
            Counting {
                inner,
                read: read.clone(),
            },
            read,
        )
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Counting<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let got = buf.filled().len().saturating_sub(before) as u64;
        self.read.fetch_add(got, Ordering::Relaxed);
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counting<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// A second handshake with `addr` offering small segments, after the first stalled having read
/// `received` bytes; the handshake only (no request), given up at `until`. `None` when this
/// system cannot set the segment size (then nothing is claimed either way).
pub(super) async fn retry(
    ctx: &TlsContext,
    net: &NetOptions,
    ep: &TlsEndpoint,
    addr: SocketAddr,
    received: u64,
    until: tokio::time::Instant,
) -> Option<MssRetry> {
    let mss = small_mss(addr);
    let s = &ctx.settings;
    let mut out = MssRetry {
        mss,
        received_before_stall: received,
        handshake_ms: None,
        failed: None,
    };
    let left = until.saturating_duration_since(tokio::time::Instant::now());
    if left < Duration::from_millis(200) {
        out.failed = Some("no_time_left".into());
        return Some(out);
    }
    let work = async {
        let tcp = match net
            .tcp_connect_small_mss(addr, mss, s.connect_timeout)
            .await
        {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::Unsupported => return None,
            Err(e) => {
                return Some(Err(super::failure::connect_failure(&e)
                    .as_label()
                    .to_string()));
            }
        };
        let only_handshake = TlsEndpoint {
            request: None,
            ..ep.clone()
        };
        let mut r = blank_result(&only_handshake);
        session(ctx, &only_handshake, tcp, &mut r).await;
        Some(match r.handshake_ms {
            Some(ms) => Ok(ms),
            None => Err(r
                .failure
                .as_ref()
                .map_or("other", |f| f.as_label())
                .to_string()),
        })
    };
    match tokio::time::timeout(left, work).await {
        Err(_) => out.failed = Some("no_time_left".into()),
        Ok(None) => return None,
        Ok(Some(Ok(ms))) => out.handshake_ms = Some(ms),
        Ok(Some(Err(label))) => out.failed = Some(label),
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn the_small_segment_fits_the_minimum_packet_of_each_family() {
        assert_eq!(small_mss("192.0.2.1:443".parse().unwrap()) + 40, 576);
        assert_eq!(small_mss("[2001:db8::1]:443".parse().unwrap()) + 60, 1280);
    }

    #[tokio::test]
    async fn counting_counts_what_was_read_only() {
        let (a, mut b) = tokio::io::duplex(64);
        let (mut counted, read) = Counting::new(a);
        b.write_all(b"hello world").await.unwrap();
        counted.write_all(b"not counted").await.unwrap();
        let mut buf = [0u8; 5];
        counted.read_exact(&mut buf).await.unwrap();
        assert_eq!(read.load(Ordering::Relaxed), 5);
        let mut rest = [0u8; 6];
        counted.read_exact(&mut rest).await.unwrap();
        assert_eq!(read.load(Ordering::Relaxed), 11);
    }
}

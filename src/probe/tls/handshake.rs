//! One endpoint, step by step: resolve, TCP connect, TLS handshake, then acceptance (a request, or
//! a short wait for a rejection alert), each step timed and bounded. The server's certificate is
//! recorded even when it fails validation, and whether the server asked for ours. Uses `model`,
//! `net` and the round's resolver; no output, no engine, no lab.
//!
//! Under TLS 1.3 the client's handshake completes before the server has judged our certificate; its
//! verdict arrives as an alert on the first read. So acceptance is confirmed by a response to the
//! request, or, without a request, by waiting a short window for an alert.

use super::config::TlsContext;
use super::failure::{connect_failure, tls_failure};
use super::mtu::{self, Counting};
use super::request::request;
use super::verify::{Presenting, Recording};
use crate::model::{Family, Stage, TlsAcceptance, TlsEndpoint, TlsEndpointResult, TlsFailure};
use crate::net::{DnsResolver, NetOptions};
use crate::probe::pfx;
use crate::probe::resolve::resolve;
use rustls::pki_types::ServerName;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;

/// Without a request, how long to wait for a TLS 1.3 rejection alert at least.
const CONFIRM_MIN: Duration = Duration::from_millis(150);

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A result with nothing measured yet, for `ep`.
pub fn blank_result(ep: &TlsEndpoint) -> TlsEndpointResult {
    let port = ep.host.port_or(443);
    TlsEndpointResult {
        name: ep.name.clone(),
        host: ep.host.host.clone(),
        port,
        addr: None,
        resolve_ms: None,
        connect_ms: None,
        handshake_ms: None,
        request_ms: None,
        protocol: None,
        cipher: None,
        server_cert: None,
        server_chain_len: 0,
        client_cert_requested: None,
        client_cert_sent: false,
        client_cert_expected: ep.client_certificate,
        accepted_by: None,
        request: ep.request.clone(),
        http_status: None,
        http_reason: None,
        failure: None,
        small_mss_retry: None,
    }
}

/// Probes one endpoint. Never fails: every problem is the result's `failure`. A handshake that
/// stalls is tried once more with small TCP segments (a path-MTU black hole lets that one
/// through), if that can end by `until`.
pub async fn probe_endpoint(
    ctx: &TlsContext,
    net: &NetOptions,
    resolver: Option<&DnsResolver>,
    families: &[Family],
    dns_timeout: Duration,
    ep: &TlsEndpoint,
    until: tokio::time::Instant,
) -> TlsEndpointResult {
    let port = ep.host.port_or(443);
    let mut r = blank_result(ep);

    // 1. Resolve, in the families the mode uses.
    let ip = match ep.host.ip() {
        Some(ip) => ip,
        None => {
            let start = Instant::now();
            let got = resolve(resolver, &ep.host.host, families, dns_timeout).await;
            r.resolve_ms = Some(ms(start.elapsed()));
            match got {
                Ok(ip) => ip,
                Err(detail) => {
                    r.failure = Some(TlsFailure::Unresolved { detail });
                    return r;
                }
            }
        }
    };
    let addr = SocketAddr::new(ip, port);
    r.addr = Some(addr);

    // 2. TCP.
    let s = &ctx.settings;
    let start = Instant::now();
    let tcp = match tokio::time::timeout(s.connect_timeout, net.tcp_connect(addr)).await {
        Err(_) => {
            r.failure = Some(TlsFailure::ConnectTimeout);
            return r;
        }
        Ok(Err(e)) => {
            r.failure = Some(connect_failure(&e));
            return r;
        }
        Ok(Ok(t)) => t,
    };
    r.connect_ms = Some(ms(start.elapsed()));
    let (tcp, received) = Counting::new(tcp);
    session(ctx, ep, tcp, &mut r).await;
    if r.failure == Some(TlsFailure::HandshakeTimeout) {
        let received = received.load(std::sync::atomic::Ordering::Relaxed);
        r.small_mss_retry = mtu::retry(ctx, net, ep, addr, received, until).await;
        if r.small_mss_retry.as_ref().is_some_and(|t| t.completed()) {
            r.failure = Some(TlsFailure::MtuBlackHole);
        }
    }
    r
}

/// The TLS handshake and the acceptance check over an open stream: a direct TCP connection, or a
/// tunnel through a proxy. Fills `r` from the handshake on.
pub async fn session<S>(ctx: &TlsContext, ep: &TlsEndpoint, tcp: S, r: &mut TlsEndpointResult)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let port = ep.host.port_or(443);
    let s = &ctx.settings;
    // 3. TLS.
    let recorder = Arc::new(
        Recording::new(ctx.verifier.clone(), ctx.provider.clone())
            .with_verified(ctx.verified.clone()),
    );
    let presenting = Arc::new(Presenting::new(ctx.identity.clone()));
    let config = match ctx.connection_config(recorder.clone(), presenting.clone()) {
        Ok(c) => c,
        Err(detail) => {
            r.failure = Some(TlsFailure::Other { detail });
            return;
        }
    };
    let name = match ServerName::try_from(ep.host.host.clone()) {
        Ok(n) => n,
        Err(e) => {
            r.failure = Some(TlsFailure::Other {
                detail: format!("`{}` is not a TLS server name: {e}", ep.host.host),
            });
            return;
        }
    };
    let connector = tokio_rustls::TlsConnector::from(config);
    let start = Instant::now();
    let hs = tokio::time::timeout(s.handshake_timeout, connector.connect(name, tcp)).await;
    if let Some((der, n)) = recorder.take_seen() {
        r.server_cert = pfx::describe(&der, pfx::now_unix());
        r.server_chain_len = n;
    }
    r.client_cert_sent = presenting.sent();
    let mut tls = match hs {
        Err(_) => {
            r.client_cert_requested = presenting.asked().then_some(true);
            r.failure = Some(TlsFailure::HandshakeTimeout);
            return;
        }
        Ok(Err(e)) => {
            r.client_cert_requested = presenting.asked().then_some(true);
            r.failure = Some(tls_failure(
                &e,
                Stage::Handshake,
                presenting.asked(),
                r.client_cert_sent,
            ));
            return;
        }
        Ok(Ok(t)) => t,
    };
    r.handshake_ms = Some(ms(start.elapsed()));
    r.client_cert_requested = Some(presenting.asked());
    r.client_cert_sent = presenting.sent();
    {
        let (_, conn) = tls.get_ref();
        r.protocol = conn
            .protocol_version()
            .and_then(|v| v.as_str())
            .map(str::to_string);
        r.cipher = conn
            .negotiated_cipher_suite()
            .and_then(|c| c.suite().as_str())
            // IANA names, as OpenSSL's `-stdname` and Wireshark print them.
            .map(|s| s.replacen("TLS13_", "TLS_", 1));
    }
    let tls13 = r.protocol.as_deref() == Some("TLSv1_3");
    if let Some(p) = &r.protocol {
        r.protocol = Some(p.replace("TLSv1_", "TLSv1."));
    }

    // 4. Acceptance: a request, or a short wait for a TLS 1.3 rejection alert.
    match &ep.request {
        Some(path) => {
            let start = Instant::now();
            match tokio::time::timeout(
                s.request_timeout,
                request(tls, &ep.host.host, port, path, r.client_cert_sent),
            )
            .await
            {
                Err(_) => r.failure = Some(TlsFailure::RequestTimeout),
                Ok(Err(f)) => r.failure = Some(f),
                Ok(Ok((status, reason))) => {
                    r.http_status = Some(status);
                    r.http_reason = reason;
                    r.accepted_by = Some(TlsAcceptance::Response);
                    r.request_ms = Some(ms(start.elapsed()));
                }
            }
        }
        None if tls13 => {
            let window = CONFIRM_MIN.max(Duration::from_secs_f64(
                2.0 * r
                    .connect_ms
                    .unwrap_or(0.0)
                    .max(r.handshake_ms.unwrap_or(0.0))
                    / 1000.0,
            ));
            let mut buf = [0u8; 512];
            match tokio::time::timeout(window, tls.read(&mut buf)).await {
                Err(_) => r.accepted_by = Some(TlsAcceptance::NoAlert),
                Ok(Ok(0)) => {
                    r.failure = Some(TlsFailure::ClosedAfterHandshake {
                        stage: Stage::Handshake,
                    })
                }
                Ok(Ok(_)) => r.accepted_by = Some(TlsAcceptance::NoAlert),
                Ok(Err(e)) => {
                    r.failure = Some(tls_failure(&e, Stage::Handshake, true, r.client_cert_sent))
                }
            }
        }
        None => r.accepted_by = Some(TlsAcceptance::Handshake),
    }
}

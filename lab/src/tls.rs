//! The lab's TLS servers: one per OQS host or distribution server of the spec, on loopback, each
//! demanding a client certificate from the lab's root (rustls server), answering one HTTP/1.1
//! request (hyper), with the faults tests need: reject every client certificate, request none,
//! present an expired, wrong-name or other-environment certificate, stall the handshake, reset it,
//! TLS 1.2 only. Depends on the lab's own data and PKI; never on probes or anything else.
//!
//! # Latency
//! The kernel answers the TCP handshake at once, so the lab holds its first flight (ServerHello)
//! back by two latencies (the connect round trip it could not delay, and the handshake's own) and
//! each HTTP response by one: a client sees connect + handshake + request ≈ 3 × latency.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::{Acceptor, WebPkiClientVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, Error as TlsError, RootCertStore,
    ServerConfig, SignatureScheme,
};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::pki::LabPki;
use crate::LabError;
use crate::shared::Shared;
pub use crate::spec::{LabTls, LinePage, TlsFault};

/// Connections served at once per server; more are closed at once.
const MAX_CONNS: usize = 256;
/// A connection's whole life in the lab.
const CONN_LIFE: Duration = Duration::from_secs(30);

/// Refuses every client certificate after the chain checks pass.
#[derive(Debug)]
struct RejectAll(Arc<dyn ClientCertVerifier>);

impl ClientCertVerifier for RejectAll {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.0.root_hint_subjects()
    }
    fn verify_client_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<ClientCertVerified, TlsError> {
        Err(TlsError::InvalidCertificate(CertificateError::BadEncoding))
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, TlsError> {
        self.0.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, TlsError> {
        self.0.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// The server configuration a fault calls for.
pub(super) fn config(pki: &LabPki, fault: TlsFault) -> Result<Arc<ServerConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots.add(pki.root.clone()).map_err(|e| e.to_string())?;
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| e.to_string())?;
    let versions: &[&rustls::SupportedProtocolVersion] = match fault {
        TlsFault::Tls12Only => &[&rustls::version::TLS12],
        _ => &[&rustls::version::TLS13, &rustls::version::TLS12],
    };
    let b = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .map_err(|e| e.to_string())?;
    let b = match fault {
        TlsFault::NoClientAuth => b.with_no_client_auth(),
        TlsFault::RejectAll => b.with_client_cert_verifier(Arc::new(RejectAll(verifier))),
        _ => b.with_client_cert_verifier(verifier),
    };
    let id = match fault {
        TlsFault::ExpiredServerCert => &pki.server_expired,
        TlsFault::WrongName => &pki.server_wrong_name,
        TlsFault::OtherEnvironment => &pki.server_other_env,
        _ => &pki.server,
    };
    let mut cfg = b
        .with_single_cert(id.chain.clone(), id.key())
        .map_err(|e| e.to_string())?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    // No session tickets: every probe is a full handshake, as a first connection is.
    cfg.send_tls13_tickets = 0;
    Ok(Arc::new(cfg))
}

/// Binds every address on one port (0 picks one free on all).
pub(super) async fn bind(ips: &[IpAddr]) -> Result<(Vec<TcpListener>, u16), LabError> {
    let mut last = None;
    for _ in 0..16 {
        let mut out = Vec::new();
        let mut port = 0;
        let mut ok = true;
        for ip in ips {
            let addr = SocketAddr::new(*ip, port);
            match TcpListener::bind(addr).await {
                Ok(l) => {
                    if port == 0 {
                        port = l.local_addr().map(|a| a.port()).unwrap_or(0);
                    }
                    out.push(l);
                }
                Err(source) => {
                    if port == 0 || source.kind() != std::io::ErrorKind::AddrInUse {
                        return Err(LabError::Bind {
                            service: "TLS",
                            addr,
                            source,
                        });
                    }
                    last = Some((addr, source));
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            return Ok((out, port));
        }
    }
    let (addr, source) = last.expect("a conflict was recorded");
    Err(LabError::Bind {
        service: "TLS",
        addr,
        source,
    })
}

/// Serves one listener of server `index` of the spec until cancelled.
pub(super) async fn serve(
    listener: TcpListener,
    index: usize,
    shared: Arc<Shared>,
    pki: Arc<LabPki>,
    cancel: CancellationToken,
) {
    let limit = Arc::new(Semaphore::new(MAX_CONNS));
    loop {
        let (stream, _) = tokio::select! {
            _ = cancel.cancelled() => return,
            r = listener.accept() => match r {
                Ok(s) => s,
                Err(_) => continue,
            },
        };
        let Ok(permit) = limit.clone().try_acquire_owned() else {
            continue;
        };
        let (fault, latency, host, page) = {
            let spec = shared.spec();
            let Some(t) = spec.tls.get(index) else {
                continue;
            };
            (
                t.fault,
                Duration::from_millis(spec.latency_ms),
                t.host.clone(),
                t.page,
            )
        };
        let pki = pki.clone();
        let cancel = cancel.clone();
        let shared = shared.clone();
        tokio::spawn(async move {
            let _permit = permit;
            tokio::select! {
                _ = cancel.cancelled() => {}
                _ = tokio::time::timeout(CONN_LIFE, connection(stream, fault, latency, (host, page), &pki, &shared)) => {}
            }
        });
    }
}

async fn connection(
    mut stream: TcpStream,
    fault: TlsFault,
    latency: Duration,
    (host, page): (String, Option<LinePage>),
    pki: &LabPki,
    shared: &Shared,
) {
    shared.stats().tls_connections += 1;
    match fault {
        TlsFault::Stall => {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            // Hold the connection open, silent, until the client gives up.
            loop {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        }
        TlsFault::Reset => {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
            drop(stream);
            return;
        }
        _ => {}
    }
    let Ok(cfg) = config(pki, fault) else { return };
    let acceptor = tokio_rustls::LazyConfigAcceptor::new(Acceptor::default(), stream);
    let Ok(start) = acceptor.await else { return };
    // The connect round trip the kernel answered at once, and the handshake's own.
    crate::delay::sleep(latency * 2).await;
    let Ok(tls) = start.into_stream(cfg).await else {
        return;
    };
    shared.stats().tls_handshakes += 1;
    let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let host = host.clone();
        async move {
            crate::delay::sleep(latency).await;
            let (content_type, body) = match page {
                Some(p) => {
                    let (ct, bytes) = crate::line_page::body(p);
                    (ct, hyper::body::Bytes::from_static(bytes))
                }
                None => (
                    "text/plain",
                    hyper::body::Bytes::from(format!("oqs-net lab: {host} {}\n", req.uri().path())),
                ),
            };
            hyper::Response::builder()
                .status(200)
                .header("content-type", content_type)
                .header("x-oqs-net-lab", "1")
                .body(http_body_util::Full::new(body))
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
        .await;
}

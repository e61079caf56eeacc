//! TLS to one endpoint with the client certificate: resolve, TCP connect, TLS handshake (rustls with
//! ring), and optionally one HTTPS request over the same connection (hyper), each step timed and
//! bounded. Every failure is classified into a [`TlsFailure`]; the server's certificate is recorded
//! even when it fails validation, and whether the server asked for ours. Uses `model`, `net` and
//! the DNS probe's single query; no output, no engine, no lab.
//!
//! Under TLS 1.3 the client's handshake completes before the server has judged our certificate; its
//! verdict arrives as an alert on the first read. So acceptance is confirmed by a response to the
//! request, or, without a request, by waiting a short window for an alert.

use super::pfx::{self, KeyedCert};
use crate::model::{
    CertInfo, Family, IdentityReport, Stage, TlsAcceptance, TlsEndpoint, TlsEndpointResult,
    TlsFailure, TlsSettings, TlsVersion,
};
use crate::net::{DnsResolver, NetOptions};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ResolvesClientCert, WebPkiServerVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{
    AlertDescription, CertificateError, DigitallySignedStruct, Error as TlsError, PeerIncompatible,
    PeerMisbehaved, RootCertStore, SignatureScheme,
};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;

/// Largest CA bundle read.
const MAX_BUNDLE: u64 = 4 << 20;
/// Without a request, how long to wait for a TLS 1.3 rejection alert at least.
const CONFIRM_MIN: Duration = Duration::from_millis(150);
/// Largest response head accepted (hyper's own limit is larger).
const MAX_HEAD: usize = 16 * 1024;
/// Largest part of an error response's body read for its reason.
const MAX_BODY: usize = 4096;

/// The client side shared by every endpoint of a round.
pub struct TlsContext {
    provider: Arc<CryptoProvider>,
    verifier: Option<Arc<WebPkiServerVerifier>>,
    identity: Option<Arc<CertifiedKey>>,
    identity_info: Option<CertInfo>,
    settings: TlsSettings,
}

impl std::fmt::Debug for TlsContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsContext")
            .field("identity", &self.identity_info.as_ref().map(|c| &c.subject))
            .finish_non_exhaustive()
    }
}

/// The ring provider, also installed as the process default the first time (reqwest-free, so
/// only our own configs use it, but other rustls users in the process get the same choice).
pub fn provider() -> Arc<CryptoProvider> {
    let p = Arc::new(rustls::crypto::ring::default_provider());
    let _ = CryptoProvider::install_default(rustls::crypto::ring::default_provider());
    p
}

/// Loads the CA bundle (or the system's roots) and the client identity.
pub fn prepare(s: &TlsSettings) -> (IdentityReport, TlsContext) {
    let provider = provider();
    let (mut report, chosen) = pfx::load_identity(s);
    let (roots, ca_source, ca_error) = roots(s);
    report.ca_source = ca_source;
    report.ca_error = ca_error;
    let verifier = if roots.is_empty() {
        None
    } else {
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .ok()
    };
    let identity = chosen.as_ref().and_then(|k| certified(k, &provider));
    let ctx = TlsContext {
        provider,
        verifier,
        identity,
        identity_info: chosen.map(|k| k.info),
        settings: s.clone(),
    };
    (report, ctx)
}

impl TlsContext {
    pub fn settings(&self) -> &TlsSettings {
        &self.settings
    }

    /// A client configuration that checks servers against the same roots as the endpoints but
    /// presents no certificate: for fetching a PAC file from an https:// URL.
    pub fn server_auth_only(&self) -> Result<Arc<rustls::ClientConfig>, String> {
        without_identity(self.provider.clone(), self.verifier.clone())
    }
}

/// As [`TlsContext::server_auth_only`], trusting `ca_bundle` (PEM) or else the system's roots:
/// for `oqs-net pac https://…`, which has no round.
pub fn server_auth_config(ca_bundle: Option<PathBuf>) -> Result<Arc<rustls::ClientConfig>, String> {
    let provider = provider();
    let settings = TlsSettings {
        ca_bundle,
        ..TlsSettings::default()
    };
    let (roots, _, error) = roots(&settings);
    if let Some(e) = error {
        return Err(e);
    }
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| e.to_string())?;
    without_identity(provider, Some(verifier))
}

fn without_identity(
    provider: Arc<CryptoProvider>,
    verifier: Option<Arc<WebPkiServerVerifier>>,
) -> Result<Arc<rustls::ClientConfig>, String> {
    let recorder = Arc::new(Recording {
        inner: verifier,
        provider: provider.clone(),
        seen: Mutex::new(None),
    });
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(recorder)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn certified(k: &KeyedCert, provider: &CryptoProvider) -> Option<Arc<CertifiedKey>> {
    let key = provider.key_provider.load_private_key(k.key()).ok()?;
    Some(Arc::new(CertifiedKey::new(k.chain.clone(), key)))
}

fn roots(s: &TlsSettings) -> (RootCertStore, String, Option<String>) {
    use rustls::pki_types::pem::PemObject;
    let mut store = RootCertStore::empty();
    match &s.ca_bundle {
        Some(path) => {
            let src = path.display().to_string();
            let meta = match std::fs::metadata(path) {
                Ok(m) => m,
                Err(e) => return (store, src.clone(), Some(format!("{src}: {e}"))),
            };
            if meta.len() > MAX_BUNDLE {
                return (store, src.clone(), Some(format!("{src}: too large")));
            }
            let data = match std::fs::read(path) {
                Ok(d) => d,
                Err(e) => return (store, src.clone(), Some(format!("{src}: {e}"))),
            };
            let mut bad = 0;
            for c in CertificateDer::pem_slice_iter(&data) {
                match c {
                    Ok(c) => {
                        if store.add(c).is_err() {
                            bad += 1;
                        }
                    }
                    Err(_) => bad += 1,
                }
            }
            let err = if store.is_empty() {
                Some(format!("{src}: no usable PEM certificate ({bad} rejected)"))
            } else {
                None
            };
            (store, src, err)
        }
        None => {
            let r = rustls_native_certs::load_native_certs();
            for c in r.certs {
                let _ = store.add(c);
            }
            let err = store
                .is_empty()
                .then(|| "the system's certificate store is empty or unreadable".to_string());
            (store, "system".into(), err)
        }
    }
}

/// Records the server's certificate before delegating to webpki, so a failed check still shows
/// what the server presented.
#[derive(Debug)]
struct Recording {
    inner: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
    seen: Mutex<Option<(Vec<u8>, usize)>>,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        if let Ok(mut s) = self.seen.lock() {
            *s = Some((end_entity.to_vec(), 1 + intermediates.len()));
        }
        match &self.inner {
            Some(v) => v.verify_server_cert(end_entity, intermediates, server_name, ocsp, now),
            None => Err(TlsError::InvalidCertificate(
                CertificateError::UnknownIssuer,
            )),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Presents our certificate when asked, and remembers that it was asked.
#[derive(Debug)]
struct Presenting {
    key: Option<Arc<CertifiedKey>>,
    asked: AtomicBool,
    sent: AtomicBool,
}

impl ResolvesClientCert for Presenting {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.asked.store(true, Ordering::Relaxed);
        let k = self
            .key
            .clone()
            .filter(|k| k.key.choose_scheme(sigschemes).is_some());
        self.sent.store(k.is_some(), Ordering::Relaxed);
        k
    }

    fn has_certs(&self) -> bool {
        true
    }
}

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
    }
}

/// Probes one endpoint. Never fails: every problem is the result's `failure`.
pub async fn probe_endpoint(
    ctx: &TlsContext,
    net: &NetOptions,
    resolver: Option<&DnsResolver>,
    families: &[Family],
    dns_timeout: Duration,
    ep: &TlsEndpoint,
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
    session(ctx, ep, tcp, &mut r).await;
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
    let recorder = Arc::new(Recording {
        inner: ctx.verifier.clone(),
        provider: ctx.provider.clone(),
        seen: Mutex::new(None),
    });
    let presenting = Arc::new(Presenting {
        key: ctx.identity.clone(),
        asked: AtomicBool::new(false),
        sent: AtomicBool::new(false),
    });
    let versions: &[&rustls::SupportedProtocolVersion] = match s.min_version {
        TlsVersion::Tls12 => &[&rustls::version::TLS13, &rustls::version::TLS12],
        TlsVersion::Tls13 => &[&rustls::version::TLS13],
    };
    let config = match rustls::ClientConfig::builder_with_provider(ctx.provider.clone())
        .with_protocol_versions(versions)
    {
        Ok(b) => b
            .dangerous()
            .with_custom_certificate_verifier(recorder.clone())
            .with_client_cert_resolver(presenting.clone()),
        Err(e) => {
            r.failure = Some(TlsFailure::Other {
                detail: e.to_string(),
            });
            return;
        }
    };
    let mut config = config;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let name = match ServerName::try_from(ep.host.host.clone()) {
        Ok(n) => n,
        Err(e) => {
            r.failure = Some(TlsFailure::Other {
                detail: format!("`{}` is not a TLS server name: {e}", ep.host.host),
            });
            return;
        }
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let start = Instant::now();
    let hs = tokio::time::timeout(s.handshake_timeout, connector.connect(name, tcp)).await;
    let seen = recorder.seen.lock().ok().and_then(|mut s| s.take());
    if let Some((der, n)) = seen {
        r.server_cert = pfx::describe(&der, pfx::now_unix());
        r.server_chain_len = n;
    }
    r.client_cert_sent = presenting.sent.load(Ordering::Relaxed);
    let mut tls = match hs {
        Err(_) => {
            r.client_cert_requested = presenting.asked.load(Ordering::Relaxed).then_some(true);
            r.failure = Some(TlsFailure::HandshakeTimeout);
            return;
        }
        Ok(Err(e)) => {
            r.client_cert_requested = presenting.asked.load(Ordering::Relaxed).then_some(true);
            r.failure = Some(tls_failure(
                &e,
                Stage::Handshake,
                presenting.asked.load(Ordering::Relaxed),
                r.client_cert_sent,
            ));
            return;
        }
        Ok(Ok(t)) => t,
    };
    r.handshake_ms = Some(ms(start.elapsed()));
    r.client_cert_requested = Some(presenting.asked.load(Ordering::Relaxed));
    r.client_cert_sent = presenting.sent.load(Ordering::Relaxed);
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

pub(crate) async fn resolve(
    resolver: Option<&DnsResolver>,
    host: &str,
    families: &[Family],
    timeout: Duration,
) -> Result<IpAddr, String> {
    let Some(resolver) = resolver else {
        return Err("no resolver".into());
    };
    let mut why = Vec::new();
    for &f in families {
        let q = super::dns::query_once(resolver, host, f, timeout).await;
        if let Some(a) = q.answers.first() {
            return Ok(a.ip);
        }
        let reason = q.failure.map_or("no answer", |f| f.as_label());
        why.push(format!("{} {}", f.record(), reason.to_uppercase()));
    }
    Err(why.join(", "))
}

fn connect_failure(e: &io::Error) -> TlsFailure {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => TlsFailure::Refused,
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => TlsFailure::Reset {
            stage: Stage::Connect,
        },
        io::ErrorKind::TimedOut => TlsFailure::ConnectTimeout,
        _ => TlsFailure::ConnectError {
            detail: e.to_string(),
        },
    }
}

/// The rustls error inside an I/O error, if any (tokio-rustls wraps them so).
fn rustls_error(e: &io::Error) -> Option<&TlsError> {
    e.get_ref().and_then(|i| i.downcast_ref::<TlsError>())
}

/// Names an alert the way the RFC does (`bad_certificate`).
pub fn alert_name(a: AlertDescription) -> String {
    let dbg = format!("{a:?}");
    let mut out = String::new();
    for (i, ch) in dbg.char_indices() {
        if ch.is_ascii_uppercase() && i > 0 && !dbg[..i].ends_with(|c: char| c.is_ascii_uppercase())
        {
            out.push('_');
        }
        out.push(ch.to_ascii_lowercase());
    }
    match out.as_str() {
        "unknown_c_a" | "unknown_ca" => "unknown_ca".into(),
        _ => out,
    }
}

fn tls_failure(e: &io::Error, stage: Stage, asked: bool, sent_cert: bool) -> TlsFailure {
    let Some(t) = rustls_error(e) else {
        return match e.kind() {
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => TlsFailure::Reset { stage },
            io::ErrorKind::UnexpectedEof => TlsFailure::ClosedAfterHandshake { stage },
            _ => TlsFailure::Other {
                detail: e.to_string(),
            },
        };
    };
    classify(t, asked, sent_cert)
}

/// A rustls error as a failure a person can act on.
pub fn classify(t: &TlsError, asked: bool, sent_cert: bool) -> TlsFailure {
    match t {
        TlsError::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer => TlsFailure::ServerUnknownCa,
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                TlsFailure::ServerCertExpired
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TlsFailure::ServerNameMismatch
            }
            other => TlsFailure::ServerCertInvalid {
                detail: format!("{other}"),
            },
        },
        TlsError::AlertReceived(a) => match a {
            AlertDescription::ProtocolVersion | AlertDescription::InsufficientSecurity => {
                TlsFailure::ProtocolMismatch {
                    detail: format!("alert {}", alert_name(*a)),
                }
            }
            AlertDescription::HandshakeFailure if !asked => TlsFailure::ProtocolMismatch {
                detail: "alert handshake_failure".into(),
            },
            AlertDescription::HandshakeFailure | AlertDescription::CertificateRequired
                if !sent_cert =>
            {
                TlsFailure::ClientCertRequired
            }
            other => TlsFailure::Rejected {
                alert: alert_name(*other),
            },
        },
        TlsError::PeerIncompatible(p) => TlsFailure::ProtocolMismatch {
            detail: peer_incompatible(p),
        },
        TlsError::PeerMisbehaved(PeerMisbehaved::SelectedUnofferedCipherSuite)
        | TlsError::PeerMisbehaved(PeerMisbehaved::SelectedTls12UsingTls13VersionExtension) => {
            TlsFailure::ProtocolMismatch {
                detail: format!("{t}"),
            }
        }
        TlsError::InvalidMessage(m) => TlsFailure::NotTls {
            detail: format!("{m:?}"),
        },
        TlsError::NoCertificatesPresented => TlsFailure::ServerCertInvalid {
            detail: "the server presented no certificate".into(),
        },
        other => TlsFailure::Other {
            detail: format!("{other}"),
        },
    }
}

fn peer_incompatible(p: &PeerIncompatible) -> String {
    format!("{p:?}")
}

/// One GET over the established connection; returns the status code, and for an error status
/// what the body says (its HTML title or first line, from at most [`MAX_BODY`] bytes).
async fn request<S>(
    tls: S,
    host: &str,
    port: u16,
    path: &str,
    sent_cert: bool,
) -> Result<(u16, Option<String>), TlsFailure>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use http_body_util::Empty;
    let io = hyper_util::rt::TokioIo::new(tls);
    let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
        .max_buf_size(MAX_HEAD.max(8192))
        .handshake::<_, Empty<hyper::body::Bytes>>(io)
        .await
        .map_err(|e| http_failure(&e, sent_cert))?;
    let driver = tokio::spawn(conn);
    let authority = if port == 443 {
        host.to_string()
    } else {
        format!("{host}:{port}")
    };
    let req = hyper::Request::builder()
        .method("GET")
        .uri(path)
        .header(hyper::header::HOST, authority)
        .header(
            hyper::header::USER_AGENT,
            concat!("oqs-net/", env!("CARGO_PKG_VERSION")),
        )
        .header(hyper::header::CONNECTION, "close")
        .body(Empty::new())
        .map_err(|e| TlsFailure::Http {
            detail: e.to_string(),
        })?;
    let res = sender.send_request(req).await;
    let out = match res {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let reason = if status >= 400 {
                let body = read_some(resp.into_body()).await;
                reason_of(&body, status)
            } else {
                None
            };
            Ok((status, reason))
        }
        Err(e) => Err(http_failure(&e, sent_cert)),
    };
    driver.abort();
    out
}

async fn read_some(mut body: hyper::body::Incoming) -> Vec<u8> {
    use http_body_util::BodyExt;
    let mut out = Vec::new();
    while out.len() < MAX_BODY {
        match body.frame().await {
            Some(Ok(f)) => {
                if let Ok(d) = f.into_data() {
                    let take = d.len().min(MAX_BODY - out.len());
                    out.extend_from_slice(&d[..take]);
                }
            }
            _ => break,
        }
    }
    out
}

/// The `<title>` of an HTML body, else its first non-empty line, at most 120 characters.
pub fn reason_of(body: &[u8], status: u16) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    let raw = match (lower.find("<title>"), lower.find("</title>")) {
        (Some(a), Some(b)) if b > a + 7 => text[a + 7..b].to_string(),
        _ => text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
            .to_string(),
    };
    let clean: String = raw.chars().filter(|c| !c.is_control()).take(120).collect();
    let clean = clean.trim();
    let clean = clean
        .strip_prefix(&status.to_string())
        .map(str::trim)
        .unwrap_or(clean);
    (!clean.is_empty()).then(|| clean.to_string())
}

fn http_failure(e: &hyper::Error, sent_cert: bool) -> TlsFailure {
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<io::Error>() {
            return tls_failure(io, Stage::Request, true, sent_cert);
        }
        if let Some(t) = s.downcast_ref::<TlsError>() {
            return classify(t, true, sent_cert);
        }
        src = s.source();
    }
    if e.is_incomplete_message() {
        return TlsFailure::ClosedAfterHandshake {
            stage: Stage::Request,
        };
    }
    TlsFailure::Http {
        detail: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_names_follow_the_rfc() {
        assert_eq!(
            alert_name(AlertDescription::BadCertificate),
            "bad_certificate"
        );
        assert_eq!(alert_name(AlertDescription::UnknownCA), "unknown_ca");
        assert_eq!(
            alert_name(AlertDescription::CertificateRequired),
            "certificate_required"
        );
        assert_eq!(alert_name(AlertDescription::AccessDenied), "access_denied");
    }

    #[test]
    fn reasons_from_bodies() {
        let nginx = b"<html>\r\n<head><title>400 The SSL certificate error</title></head>\r\n";
        assert_eq!(
            reason_of(nginx, 400).as_deref(),
            Some("The SSL certificate error")
        );
        assert_eq!(
            reason_of(b"\n  forbidden here\nmore", 403).as_deref(),
            Some("forbidden here")
        );
        assert_eq!(reason_of(b"", 500), None);
    }

    #[test]
    fn classification() {
        let alert = |a| TlsError::AlertReceived(a);
        let f = classify(&alert(AlertDescription::CertificateRequired), true, false);
        assert_eq!(f, TlsFailure::ClientCertRequired);
        let f = classify(&alert(AlertDescription::CertificateRequired), true, true);
        assert_eq!(f.as_label(), "rejected");
        let f = classify(&alert(AlertDescription::HandshakeFailure), true, false);
        assert_eq!(f, TlsFailure::ClientCertRequired);
        let f = classify(&alert(AlertDescription::HandshakeFailure), false, false);
        assert_eq!(f.as_label(), "protocol_mismatch");
        let f = classify(&alert(AlertDescription::ProtocolVersion), true, true);
        assert_eq!(f.as_label(), "protocol_mismatch");
        let f = classify(
            &TlsError::InvalidCertificate(CertificateError::NotValidForName),
            true,
            true,
        );
        assert_eq!(f, TlsFailure::ServerNameMismatch);
    }
}

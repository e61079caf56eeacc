//! The NGN line-authentication page fetched once over HTTPS, the way the PAC fetch goes (the
//! round's resolver, sockets bound to the OQS adapter, never a proxy, bounded in time and size),
//! and what failed named by its step: DNS, connect, TLS, timeout, HTTP. Trust is the CA bundle or
//! the system's roots unless the profile says the page's certificate is not to be checked (see
//! docs/line.md). Uses `net`, `model` and the PAC fetch; no output.

use super::page;
use crate::model::{Family, LINEAUTH_MAX_BYTES, LineAuth, LineAuthResult, ReachStage};
use crate::net::{DnsResolver, NetOptions};
use crate::probe::pac::fetch::{self, FetchError, FetchLimits, FetchVia};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, Error as TlsError, SignatureScheme};
use std::sync::Arc;
use std::time::Instant;

/// Redirects followed at most (a login page may sit behind one).
const MAX_REDIRECTS: u8 = 3;

/// Reads the page once.
pub(crate) async fn probe(
    auth: &LineAuth,
    ca_bundle: Option<std::path::PathBuf>,
    net: &NetOptions,
    resolver: Option<&DnsResolver>,
    families: &[Family],
) -> LineAuthResult {
    let started = Instant::now();
    let url = auth.url();
    let mut out = LineAuthResult {
        url: url.clone(),
        page: None,
        failure: None,
        verified: auth.verify,
        elapsed_ms: 0.0,
    };
    // Without the round's resolver (none of the forced family, say) the name is not asked of
    // anyone else: the system's resolver may be one the round must not use.
    let Some(resolver) = resolver else {
        out.failure = Some((ReachStage::Dns, "no resolver".into()));
        return out;
    };
    let trust = if auth.verify {
        crate::probe::tls::server_auth_config(ca_bundle)
    } else {
        accept_any()
    };
    let trust = match trust {
        Ok(t) => t,
        Err(e) => {
            out.failure = Some((ReachStage::Tls, format!("no trust store: {e}")));
            return out;
        }
    };
    let via = FetchVia {
        resolver: Some(resolver),
        families,
        tls: Some(&trust),
    };
    let limits = FetchLimits {
        timeout: auth.timeout,
        max_bytes: LINEAUTH_MAX_BYTES,
        max_redirects: MAX_REDIRECTS,
    };
    match fetch::fetch(&url, net, &via, &limits).await {
        Ok(f) => {
            let body = f.raw.as_deref().unwrap_or(f.text.as_bytes());
            out.page = Some(page::read(body, f.content_type.as_deref(), 200));
        }
        Err(FetchError::Status { status }) => {
            out.page = Some(page::read(&[], None, status));
        }
        Err(e) => out.failure = Some((stage(&e), e.to_string())),
    }
    out.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    out
}

/// The step a failed fetch stopped at.
fn stage(e: &FetchError) -> ReachStage {
    match e {
        FetchError::Resolve { .. } => ReachStage::Dns,
        FetchError::Connect { .. } => ReachStage::Connect,
        FetchError::Tls { .. } => ReachStage::Tls,
        FetchError::Timeout { .. } => ReachStage::Timeout,
        FetchError::BadUrl(_)
        | FetchError::UnsupportedScheme(_)
        | FetchError::Protocol(_)
        | FetchError::Status { .. }
        | FetchError::TooManyRedirects(_)
        | FetchError::TooLarge { .. } => ReachStage::Http,
    }
}

/// A client configuration that reads the page whatever certificate it shows (the handshake's
/// signatures are still checked), presenting none.
fn accept_any() -> Result<Arc<rustls::ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[derive(Debug)]
struct AcceptAny(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        Ok(ServerCertVerified::assertion())
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
            &self.0.signature_verification_algorithms,
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
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

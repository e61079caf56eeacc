//! Who checks whose certificate during a handshake: the server-certificate verifier that records what
//! the server presented before webpki judges it (so a failed check still shows the certificate), and
//! the client-certificate resolver that presents ours and remembers whether the server asked. No I/O.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ResolvesClientCert, WebPkiServerVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{CertificateError, DigitallySignedStruct, Error as TlsError, SignatureScheme};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Records the server's certificate before delegating to webpki, so a failed check still shows
/// what the server presented. Without roots every server is of an unknown issuer.
#[derive(Debug)]
pub(super) struct Recording {
    inner: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
    seen: Mutex<Option<(Vec<u8>, usize)>>,
}

impl Recording {
    pub(super) fn new(
        inner: Option<Arc<WebPkiServerVerifier>>,
        provider: Arc<CryptoProvider>,
    ) -> Recording {
        Recording {
            inner,
            provider,
            seen: Mutex::new(None),
        }
    }

    /// The server's end-entity certificate (DER) and the length of the chain it sent, once.
    pub(super) fn take_seen(&self) -> Option<(Vec<u8>, usize)> {
        self.seen.lock().ok().and_then(|mut s| s.take())
    }
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
pub(super) struct Presenting {
    key: Option<Arc<CertifiedKey>>,
    asked: AtomicBool,
    sent: AtomicBool,
}

impl Presenting {
    pub(super) fn new(key: Option<Arc<CertifiedKey>>) -> Presenting {
        Presenting {
            key,
            asked: AtomicBool::new(false),
            sent: AtomicBool::new(false),
        }
    }

    /// Whether the server asked for a client certificate.
    pub(super) fn asked(&self) -> bool {
        self.asked.load(Ordering::Relaxed)
    }

    /// Whether ours went out (asked, and its key fits one of the server's signature schemes).
    pub(super) fn sent(&self) -> bool {
        self.sent.load(Ordering::Relaxed)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_roots_the_server_is_recorded_then_of_an_unknown_issuer() {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let r = Recording::new(None, provider);
        let leaf = CertificateDer::from(vec![1u8, 2, 3]);
        let mid = CertificateDer::from(vec![4u8]);
        let name = ServerName::try_from("oqs.example").unwrap();
        let got = r.verify_server_cert(&leaf, &[mid], &name, &[], UnixTime::now());
        assert_eq!(
            got.err(),
            Some(TlsError::InvalidCertificate(
                CertificateError::UnknownIssuer
            ))
        );
        assert_eq!(r.take_seen(), Some((vec![1, 2, 3], 2)));
        assert_eq!(r.take_seen(), None);
    }

    #[test]
    fn without_a_key_asked_is_remembered_and_nothing_is_sent() {
        let p = Presenting::new(None);
        assert!(!p.asked());
        assert!(
            p.resolve(&[], &[SignatureScheme::ECDSA_NISTP256_SHA256])
                .is_none()
        );
        assert!(p.asked());
        assert!(!p.sent());
    }
}

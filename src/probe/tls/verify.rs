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
    /// Chains webpki has already accepted, shared by the connections of one TLS context.
    verified: Option<Arc<VerifiedChains>>,
}

/// Chains webpki accepted against this context's roots, as a browser's verifier keeps them
/// (Chromium's caching certificate verifier): the same chain for the same name is not checked
/// again while every certificate in it is inside its validity period. Only a success is kept,
/// and only the chain's path to the roots: each handshake's own signature (the server's proof
/// that it holds the key) is verified every time. Bounded: [`VerifiedChains::MAX`] chains.
#[derive(Debug, Default)]
pub(super) struct VerifiedChains(Mutex<Vec<Verified>>);

#[derive(Debug)]
struct Verified {
    /// SHA-256 over the name, the end-entity certificate and the intermediates.
    key: [u8; 32],
    /// The latest `notBefore` and the earliest `notAfter` in the chain (unix seconds).
    from: u64,
    until: u64,
}

impl VerifiedChains {
    const MAX: usize = 64;

    fn key(
        end_entity: &[u8],
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
    ) -> [u8; 32] {
        let mut h = ring::digest::Context::new(&ring::digest::SHA256);
        let name = name.to_str();
        for part in std::iter::once(name.as_bytes())
            .chain(std::iter::once(end_entity))
            .chain(intermediates.iter().map(|c| c.as_ref()))
        {
            h.update(&(part.len() as u64).to_be_bytes());
            h.update(part);
        }
        let mut key = [0u8; 32];
        key.copy_from_slice(h.finish().as_ref());
        key
    }

    fn holds(&self, key: &[u8; 32], now: UnixTime) -> bool {
        let now = now.as_secs();
        self.0.lock().is_ok_and(|v| {
            v.iter()
                .any(|c| c.key == *key && c.from <= now && now <= c.until)
        })
    }

    fn keep(&self, key: [u8; 32], end_entity: &[u8], intermediates: &[CertificateDer<'_>]) {
        let mut from = 0u64;
        let mut until = u64::MAX;
        for der in std::iter::once(end_entity).chain(intermediates.iter().map(|c| c.as_ref())) {
            let Ok((_, c)) = x509_parser::parse_x509_certificate(der) else {
                return;
            };
            let v = c.validity();
            from = from.max(u64::try_from(v.not_before.timestamp()).unwrap_or(u64::MAX));
            until = until.min(u64::try_from(v.not_after.timestamp()).unwrap_or(0));
        }
        if let Ok(mut v) = self.0.lock() {
            if v.len() >= Self::MAX {
                v.clear();
            }
            v.push(Verified { key, from, until });
        }
    }
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
            verified: None,
        }
    }

    /// Also remembers (and trusts again) the chains webpki accepted, in `verified`.
    pub(super) fn with_verified(mut self, verified: Arc<VerifiedChains>) -> Recording {
        self.verified = Some(verified);
        self
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
        let Some(v) = &self.inner else {
            return Err(TlsError::InvalidCertificate(
                CertificateError::UnknownIssuer,
            ));
        };
        let Some(verified) = self.verified.as_ref().filter(|_| ocsp.is_empty()) else {
            return v.verify_server_cert(end_entity, intermediates, server_name, ocsp, now);
        };
        let key = VerifiedChains::key(end_entity, intermediates, server_name);
        if verified.holds(&key, now) {
            return Ok(ServerCertVerified::assertion());
        }
        let got = v.verify_server_cert(end_entity, intermediates, server_name, ocsp, now);
        if got.is_ok() {
            verified.keep(key, end_entity, intermediates);
        }
        got
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
    fn an_accepted_chain_is_trusted_again_for_the_same_name_inside_its_validity_only() {
        use rustls::pki_types::pem::PemObject;
        let pki = crate::lab::pki::LabPki::generate(&["oqs.example".into()]).unwrap();
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(&pki.files.ca_pem).unwrap() {
            roots.add(c.unwrap()).unwrap();
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .unwrap();
        let chains = Arc::new(VerifiedChains::default());
        let r = Recording::new(Some(webpki), provider).with_verified(chains.clone());
        let chain: Vec<CertificateDer> = CertificateDer::pem_file_iter(&pki.files.server_cert_pem)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let (ee, rest) = (&chain[0], &chain[1..]);
        let name = ServerName::try_from("oqs.example").unwrap();
        let now = UnixTime::now();
        let key = VerifiedChains::key(ee, rest, &name);
        assert!(!chains.holds(&key, now));
        r.verify_server_cert(ee, rest, &name, &[], now).unwrap();
        assert!(chains.holds(&key, now), "kept once webpki accepted it");
        // Another name is another key, and webpki refuses it; nothing is kept.
        let other = ServerName::try_from("other.example").unwrap();
        assert!(r.verify_server_cert(ee, rest, &other, &[], now).is_err());
        assert!(!chains.holds(&VerifiedChains::key(ee, rest, &other), now));
        // Twenty years on the chain has expired: not trusted from memory, and webpki says so.
        let later = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            now.as_secs() + 20 * 365 * 86_400,
        ));
        assert!(!chains.holds(&key, later));
        assert!(r.verify_server_cert(ee, rest, &name, &[], later).is_err());
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

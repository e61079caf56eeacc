//! The client side of TLS shared by a round: the crypto provider (ring), the trusted roots (a CA
//! bundle or the system's), the client identity, and the configurations built from them. Reads
//! files (the bundle, the PFX through `pfx`); opens no socket.

use super::verify::{Recording, VerifiedChains};
use crate::model::{CertInfo, IdentityReport, TlsSettings};
use crate::probe::pfx::{self, KeyedCert};
use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::sign::CertifiedKey;
use std::path::PathBuf;
use std::sync::Arc;

/// Largest CA bundle read.
const MAX_BUNDLE: u64 = 4 << 20;

/// The client side shared by every endpoint of a round.
pub struct TlsContext {
    pub(super) provider: Arc<CryptoProvider>,
    pub(super) verifier: Option<Arc<WebPkiServerVerifier>>,
    pub(super) identity: Option<Arc<CertifiedKey>>,
    identity_info: Option<CertInfo>,
    pub(super) settings: TlsSettings,
    /// The client configuration every connection starts from (versions, ALPN, no resumption),
    /// built once; each connection adds its own verifier and certificate resolver, which record
    /// what that one handshake saw. `Err`: the versions asked for cannot be offered.
    pub(super) template: Result<rustls::ClientConfig, String>,
    /// Server chains webpki accepted against these roots (see [`VerifiedChains`]).
    pub(super) verified: Arc<VerifiedChains>,
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
fn provider() -> Arc<CryptoProvider> {
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
    let template = template(&provider, s.min_version);
    let ctx = TlsContext {
        provider,
        verifier,
        identity,
        identity_info: chosen.map(|k| k.info),
        settings: s.clone(),
        template,
        verified: Arc::default(),
    };
    (report, ctx)
}

/// The configuration every endpoint's connection is cloned from. Session resumption is off: every
/// round makes a full handshake and presents the client certificate again (a resumed TLS 1.3
/// session sends no certificate, so a server that has begun refusing ours would go unnoticed), as
/// a terminal's client process started afresh does.
fn template(
    provider: &Arc<CryptoProvider>,
    min: crate::model::TlsVersion,
) -> Result<rustls::ClientConfig, String> {
    let versions: &[&rustls::SupportedProtocolVersion] = match min {
        crate::model::TlsVersion::Tls12 => &[&rustls::version::TLS13, &rustls::version::TLS12],
        crate::model::TlsVersion::Tls13 => &[&rustls::version::TLS13],
    };
    let recorder = Arc::new(Recording::new(None, provider.clone()));
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(recorder)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config.resumption = rustls::client::Resumption::disabled();
    Ok(config)
}

impl TlsContext {
    pub(crate) fn settings(&self) -> &TlsSettings {
        &self.settings
    }

    /// A configuration for one connection: the template with `verifier` and `presenting`, which
    /// record what this handshake saw.
    pub(super) fn connection_config(
        &self,
        verifier: Arc<Recording>,
        presenting: Arc<super::verify::Presenting>,
    ) -> Result<Arc<rustls::ClientConfig>, String> {
        let mut config = self.template.clone()?;
        config.dangerous().set_certificate_verifier(verifier);
        config.client_auth_cert_resolver = presenting;
        Ok(Arc::new(config))
    }

    /// A client configuration that checks servers against the same roots as the endpoints but
    /// presents no certificate: for fetching a PAC file from an https:// URL.
    pub(crate) fn server_auth_only(&self) -> Result<Arc<rustls::ClientConfig>, String> {
        without_identity(self.provider.clone(), self.verifier.clone())
    }
}

/// As [`TlsContext::server_auth_only`], trusting `ca_bundle` (PEM) or else the system's roots:
/// for `oqs-net pac https://…`, which has no round.
pub(crate) fn server_auth_config(
    ca_bundle: Option<PathBuf>,
) -> Result<Arc<rustls::ClientConfig>, String> {
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
    let recorder = Arc::new(Recording::new(verifier, provider.clone()));
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

/// The trusted roots, where they came from (the bundle's path or `system`), and why none are
/// usable if so.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(path: PathBuf) -> TlsSettings {
        TlsSettings {
            ca_bundle: Some(path),
            ..TlsSettings::default()
        }
    }

    #[test]
    fn a_missing_bundle_is_named_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.pem");
        let (store, src, err) = roots(&bundle(path.clone()));
        assert!(store.is_empty());
        assert_eq!(src, path.display().to_string());
        let err = err.expect("an error");
        assert!(err.starts_with(&format!("{}: ", path.display())), "{err}");
    }

    #[test]
    fn a_bundle_without_a_usable_certificate_says_how_many_were_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("text.pem");
        std::fs::write(&text, "not a certificate\n").unwrap();
        let (_, _, err) = roots(&bundle(text.clone()));
        assert_eq!(
            err,
            Some(format!(
                "{}: no usable PEM certificate (0 rejected)",
                text.display()
            ))
        );
        // Well-formed PEM around three zero bytes: read, then refused as a certificate.
        let junk = dir.path().join("junk.pem");
        std::fs::write(
            &junk,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let (_, _, err) = roots(&bundle(junk.clone()));
        assert_eq!(
            err,
            Some(format!(
                "{}: no usable PEM certificate (1 rejected)",
                junk.display()
            ))
        );
    }

    #[test]
    fn the_pac_fetch_config_fails_when_no_root_is_usable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.pem");
        assert!(server_auth_config(Some(path)).is_err());
    }
}

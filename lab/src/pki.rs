//! The lab's PKI, made fresh at every start (committed certificates would expire): a root named
//! like the real one with a "(lab)" marker, an intermediate, server certificates for the lab's TLS
//! host names (valid, expired, wrong name, other environment), client certificates carrying
//! 10-digit institution codes (valid, a second with a later expiry, expired, one from a foreign
//! CA), written as PFX (modern AES/PBKDF2 and legacy 3DES/SHA-1) and PEM into a private temporary
//! directory. Depends on rcgen and p12-keystore only; nothing else from the crate.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io;
use std::path::{Path, PathBuf};
use time::{Duration as TDuration, OffsetDateTime};

/// The root's common name: the real one's with a lab marker, so issuer checks can tell them apart.
/// Days the lab's expiring client certificate is still valid.
pub const EXPIRING_DAYS: i64 = 10;

pub const ROOT_CN: &str = "Online Billing NW Common Root CA (lab)";
/// The intermediate that issues the lab's server and client certificates.
pub const INTERMEDIATE_CN: &str = "Online Billing NW System (lab)";
/// A CA the OQS hosts do not trust.
pub const FOREIGN_CN: &str = "Foreign Test Root CA (lab)";
/// The institution code of the main client certificate.
pub const CODE: &str = "1234567890";
/// The institution code of the second client certificate (later expiry).
pub const OTHER_CODE: &str = "9876543210";

/// A certificate chain and its key, for a server or a client.
pub struct Identity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivatePkcs8KeyDer<'static>,
}

impl Identity {
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(self.key.clone_key())
    }
}

/// Files written for clients and tests (all inside [`LabPki::dir`]).
#[derive(Clone, Debug)]
pub struct PkiFiles {
    /// The lab root (PEM): trust it to validate the lab's servers.
    pub ca_pem: PathBuf,
    /// Root and intermediate (PEM), for servers that verify clients (nginx).
    pub ca_chain_pem: PathBuf,
    /// The random password of every PFX, alone on one line (mode 0600).
    pub password_file: PathBuf,
    /// Client certificate with code [`CODE`], chain and key: modern encoding.
    pub client_pfx: PathBuf,
    /// The same in the legacy encoding (3DES, SHA-1 MAC) older Windows exports.
    pub client_legacy_pfx: PathBuf,
    /// Two client certificates: [`CODE`] and [`OTHER_CODE`] (the latter expires later).
    pub two_clients_pfx: PathBuf,
    pub expired_pfx: PathBuf,
    /// The client certificate with code [`CODE`], valid for [`EXPIRING_DAYS`] more days.
    pub expiring_pfx: PathBuf,
    pub foreign_pfx: PathBuf,
    /// The client certificate without its key.
    pub no_key_pfx: PathBuf,
    /// PEM of the client certificate (with chain) and its key, for `openssl s_client`.
    pub client_cert_pem: PathBuf,
    pub client_key_pem: PathBuf,
    /// PEM of the valid server certificate (with chain) and its key, for a real server (nginx).
    pub server_cert_pem: PathBuf,
    pub server_key_pem: PathBuf,
}

/// Everything the lab's TLS servers and its clients need.
pub struct LabPki {
    pub dir: tempfile::TempDir,
    pub files: PkiFiles,
    pub password: String,
    pub root: CertificateDer<'static>,
    pub intermediate: CertificateDer<'static>,
    pub server: Identity,
    pub server_expired: Identity,
    pub server_wrong_name: Identity,
    pub server_other_env: Identity,
}

impl std::fmt::Debug for LabPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabPki")
            .field("dir", &self.dir.path())
            .finish_non_exhaustive()
    }
}

/// Why the PKI could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("lab PKI: cannot make a certificate: {0}")]
    Cert(#[from] rcgen::Error),
    #[error("lab PKI: cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("lab PKI: cannot encode a PFX: {0}")]
    Pfx(String),
}

impl PkiError {
    pub fn as_label(&self) -> &'static str {
        match self {
            PkiError::Cert(_) => "pki_cert",
            PkiError::Write { .. } => "pki_write",
            PkiError::Pfx(_) => "pki_pfx",
        }
    }
}

/// The other environment's name for a host (`oqs.` ↔ `oqs-st.`, `prd` ↔ `stg`), or `None`.
pub fn counterpart(host: &str) -> Option<String> {
    let labels: Vec<&str> = host.split('.').collect();
    let swapped: Vec<String> = labels
        .iter()
        .map(|l| match *l {
            "oqs" => "oqs-st".to_string(),
            "oqs-st" => "oqs".to_string(),
            "prd" => "stg".to_string(),
            "stg" => "prd".to_string(),
            other => other.to_string(),
        })
        .collect();
    let out = swapped.join(".");
    (out != host).then_some(out)
}

struct Ca {
    params: CertificateParams,
    key: KeyPair,
    der: CertificateDer<'static>,
}

fn dn(cn: &str, org: &str) -> DistinguishedName {
    let mut d = DistinguishedName::new();
    d.push(DnType::CountryName, "JP");
    d.push(DnType::OrganizationName, org);
    d.push(DnType::CommonName, cn);
    d
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// The end of a validity `days` from now, a few minutes short: a certificate's whole days left
/// then read `days - 1` from the second it is made on (X.509 times are whole seconds, so a count
/// taken within that second would otherwise read `days`, and two rounds of one lab would differ).
fn ends_in(days: i64) -> OffsetDateTime {
    now() + TDuration::days(days) - TDuration::minutes(10)
}

fn serial() -> SerialNumber {
    let mut b = [0u8; 16];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b);
    b[0] &= 0x7f;
    SerialNumber::from_slice(&b)
}

fn ca(cn: &str, parent: Option<&Ca>) -> Result<Ca, PkiError> {
    let mut p = CertificateParams::new(Vec::<String>::new())?;
    p.distinguished_name = dn(cn, "oqs-net lab");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.not_before = now() - TDuration::days(1);
    p.not_after = ends_in(3650);
    p.serial_number = Some(serial());
    let key = KeyPair::generate()?;
    let cert = match parent {
        None => p.self_signed(&key)?,
        Some(parent) => {
            p.use_authority_key_identifier_extension = true;
            p.signed_by(&key, &Issuer::from_params(&parent.params, &parent.key))?
        }
    };
    Ok(Ca {
        der: cert.der().clone(),
        params: p,
        key,
    })
}

fn leaf(
    subject: DistinguishedName,
    names: &[String],
    server: bool,
    valid_days: (i64, i64),
    issuer: &Ca,
) -> Result<(CertificateDer<'static>, KeyPair), PkiError> {
    let mut p = CertificateParams::new(names.to_vec())?;
    p.distinguished_name = subject;
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![if server {
        ExtendedKeyUsagePurpose::ServerAuth
    } else {
        ExtendedKeyUsagePurpose::ClientAuth
    }];
    p.not_before = now() + TDuration::days(valid_days.0);
    p.not_after = ends_in(valid_days.1);
    p.serial_number = Some(serial());
    p.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate()?;
    let cert = p.signed_by(&key, &Issuer::from_params(&issuer.params, &issuer.key))?;
    Ok((cert.der().clone(), key))
}

fn identity(leaf: (CertificateDer<'static>, KeyPair), chain: &[&Ca]) -> Identity {
    let mut certs = vec![leaf.0];
    certs.extend(chain.iter().map(|c| c.der.clone()));
    Identity {
        chain: certs,
        key: PrivatePkcs8KeyDer::from(leaf.1.serialize_der()),
    }
}

fn write(path: &Path, data: &[u8]) -> Result<(), PkiError> {
    let err = |source| PkiError::Write {
        path: path.display().to_string(),
        source,
    };
    std::fs::write(path, data).map_err(err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(err)?;
    }
    Ok(())
}

fn pem(label: &str, der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= n {
                b64.push(ALPHABET[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or(""));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn chain_pem(chain: &[CertificateDer<'static>]) -> String {
    chain.iter().map(|c| pem("CERTIFICATE", c)).collect()
}

/// One client identity for a PFX: its chain, and its key unless `with_key` is false.
fn pfx(entries: &[(&Identity, bool)], password: &str, legacy: bool) -> Result<Vec<u8>, PkiError> {
    use p12_keystore::{
        Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKey,
        PrivateKeyChain,
    };
    let e = |e: p12_keystore::error::Error| PkiError::Pfx(e.to_string());
    let mut ks = KeyStore::new();
    for (i, (id, with_key)) in entries.iter().enumerate() {
        let certs: Vec<Certificate> = id
            .chain
            .iter()
            .map(|c| Certificate::from_der(c))
            .collect::<Result<_, _>>()
            .map_err(e)?;
        if *with_key {
            let key = PrivateKey::from_der(id.key.secret_pkcs8_der()).map_err(e)?;
            let chain = PrivateKeyChain::new(vec![i as u8 + 1; 20], key, certs);
            ks.add_entry(
                &format!("lab-client-{}", i + 1),
                KeyStoreEntry::PrivateKeyChain(chain),
            );
        } else {
            for (j, c) in certs.into_iter().enumerate() {
                ks.add_entry(&format!("lab-cert-{i}-{j}"), KeyStoreEntry::Certificate(c));
            }
        }
    }
    let w = ks.writer(password);
    let w = if legacy {
        w.encryption_algorithm(EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc)
            .mac_algorithm(MacAlgorithm::HmacSha1)
            .encryption_iterations(2048)
            .mac_iterations(2048)
    } else {
        w.encryption_iterations(2048).mac_iterations(2048)
    };
    w.write().map_err(e)
}

fn random_password() -> String {
    let mut b = [0u8; 12];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b);
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("lab-{hex}")
}

/// The start of the name of every folder the lab makes in the temporary directory.
pub const DIR_PREFIX: &str = "oqs-net-lab-";
/// The file in such a folder that holds the id of the process that made it, so that a later start
/// can remove what a killed lab left (its private keys among it) and nothing a running lab uses.
pub const OWNER_FILE: &str = "owner.pid";

/// Writes this process's id as the owner of `dir` (see [`OWNER_FILE`]).
pub fn write_owner(dir: &Path) -> std::io::Result<()> {
    std::fs::write(dir.join(OWNER_FILE), std::process::id().to_string())
}

impl LabPki {
    /// Makes the whole PKI for servers named `hosts`, and writes its files.
    pub fn generate(hosts: &[String]) -> Result<LabPki, PkiError> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("{DIR_PREFIX}pki-"))
            .tempdir()
            .map_err(|source| PkiError::Write {
                path: std::env::temp_dir().display().to_string(),
                source,
            })?;
        write_owner(dir.path()).map_err(|source| PkiError::Write {
            path: dir.path().join(OWNER_FILE).display().to_string(),
            source,
        })?;
        let root = ca(ROOT_CN, None)?;
        let inter = ca(INTERMEDIATE_CN, Some(&root))?;
        let foreign = ca(FOREIGN_CN, None)?;

        let mut names: Vec<String> = hosts.to_vec();
        names.push("localhost".into());
        // IP literals too, so a real server (nginx) on loopback can be probed without DNS.
        names.push("127.0.0.1".into());
        names.push("::1".into());
        let server_dn = || dn("oqs-net lab server", "oqs-net lab");
        let server = identity(
            leaf(server_dn(), &names, true, (-1, 397), &inter)?,
            &[&inter],
        );
        let server_expired = identity(
            leaf(server_dn(), &names, true, (-400, -2), &inter)?,
            &[&inter],
        );
        let server_wrong_name = identity(
            leaf(
                server_dn(),
                &["wrong-name.lab.invalid".to_string()],
                true,
                (-1, 397),
                &inter,
            )?,
            &[&inter],
        );
        let mut other: Vec<String> = hosts.iter().filter_map(|h| counterpart(h)).collect();
        if other.is_empty() {
            other.push("other-environment.lab.invalid".into());
        }
        let server_other_env = identity(
            leaf(server_dn(), &other, true, (-1, 397), &inter)?,
            &[&inter],
        );

        let clinic = |code: &str| dn(&format!("LAB CLINIC {code}"), "oqs-net lab clinic");
        let client = identity(
            leaf(clinic(CODE), &[], false, (-1, 365), &inter)?,
            &[&inter],
        );
        let second = identity(
            leaf(clinic(OTHER_CODE), &[], false, (-1, 730), &inter)?,
            &[&inter],
        );
        let expired = identity(
            leaf(clinic(CODE), &[], false, (-400, -10), &inter)?,
            &[&inter],
        );
        let expiring = identity(
            leaf(clinic(CODE), &[], false, (-1, EXPIRING_DAYS), &inter)?,
            &[&inter],
        );
        let foreign_client = identity(
            leaf(clinic(CODE), &[], false, (-1, 365), &foreign)?,
            &[&foreign],
        );

        let password = random_password();
        let d = dir.path();
        let files = PkiFiles {
            ca_pem: d.join("ca.pem"),
            ca_chain_pem: d.join("ca-chain.pem"),
            password_file: d.join("pfx-password.txt"),
            client_pfx: d.join("client.pfx"),
            client_legacy_pfx: d.join("client-legacy.pfx"),
            two_clients_pfx: d.join("two-clients.pfx"),
            expired_pfx: d.join("expired.pfx"),
            expiring_pfx: d.join("expiring.pfx"),
            foreign_pfx: d.join("foreign.pfx"),
            no_key_pfx: d.join("no-key.pfx"),
            client_cert_pem: d.join("client.pem"),
            client_key_pem: d.join("client.key"),
            server_cert_pem: d.join("server.pem"),
            server_key_pem: d.join("server.key"),
        };
        write(&files.ca_pem, pem("CERTIFICATE", &root.der).as_bytes())?;
        write(
            &files.ca_chain_pem,
            (pem("CERTIFICATE", &root.der) + &pem("CERTIFICATE", &inter.der)).as_bytes(),
        )?;
        write(&files.password_file, format!("{password}\n").as_bytes())?;
        write(
            &files.client_pfx,
            &pfx(&[(&client, true)], &password, false)?,
        )?;
        write(
            &files.client_legacy_pfx,
            &pfx(&[(&client, true)], &password, true)?,
        )?;
        write(
            &files.two_clients_pfx,
            &pfx(&[(&client, true), (&second, true)], &password, false)?,
        )?;
        write(
            &files.expired_pfx,
            &pfx(&[(&expired, true)], &password, false)?,
        )?;
        write(
            &files.expiring_pfx,
            &pfx(&[(&expiring, true)], &password, false)?,
        )?;
        write(
            &files.foreign_pfx,
            &pfx(&[(&foreign_client, true)], &password, false)?,
        )?;
        write(
            &files.no_key_pfx,
            &pfx(&[(&client, false)], &password, false)?,
        )?;
        write(&files.client_cert_pem, chain_pem(&client.chain).as_bytes())?;
        write(
            &files.client_key_pem,
            pem("PRIVATE KEY", client.key.secret_pkcs8_der()).as_bytes(),
        )?;
        write(&files.server_cert_pem, chain_pem(&server.chain).as_bytes())?;
        write(
            &files.server_key_pem,
            pem("PRIVATE KEY", server.key.secret_pkcs8_der()).as_bytes(),
        )?;
        Ok(LabPki {
            dir,
            files,
            password,
            root: root.der.clone(),
            intermediate: inter.der.clone(),
            server,
            server_expired,
            server_wrong_name,
            server_other_env,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counterparts_swap_environments() {
        assert_eq!(
            counterpart("hweb.oqs.onshikaku.org").as_deref(),
            Some("hweb.oqs-st.onshikaku.org")
        );
        assert_eq!(
            counterpart("eps.stg.onshikaku.org").as_deref(),
            Some("eps.prd.onshikaku.org")
        );
        assert_eq!(counterpart("dist.example.lan"), None);
    }

    #[test]
    fn pem_matches_a_known_encoding() {
        assert_eq!(
            pem("X", b"Man"),
            "-----BEGIN X-----\nTWFu\n-----END X-----\n"
        );
        assert_eq!(
            pem("X", b"Ma"),
            "-----BEGIN X-----\nTWE=\n-----END X-----\n"
        );
    }

    #[test]
    fn generates_every_file() {
        let pki = LabPki::generate(&["hweb.oqs.onshikaku.org".into()]).unwrap();
        for p in [
            &pki.files.ca_pem,
            &pki.files.client_pfx,
            &pki.files.client_legacy_pfx,
            &pki.files.two_clients_pfx,
            &pki.files.server_cert_pem,
        ] {
            assert!(std::fs::metadata(p).unwrap().len() > 100, "{}", p.display());
        }
        assert_eq!(pki.server.chain.len(), 2);
    }
}

//! The client identity: PFX (PKCS#12) files read with p12-keystore (modern AES/PBKDF2 and legacy
//! RC2/3DES encodings), each certificate described with x509-parser, keys paired with their
//! certificates by public key, and the certificate to present chosen by the rules of 補18.
//! Uses `model` only; reads local files, never the network; never logs or echoes the password.

use crate::model::{
    CertInfo, IdentityReport, PasswordSource, PfxEntry, PfxFailure, PfxReport, Secret,
    SelectionRule, TlsSettings,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::Path;
use x509_parser::prelude::*;

/// Largest PFX read (real ones are a few kilobytes).
const MAX_PFX: u64 = 1 << 20;
/// Largest password file read.
const MAX_PASSWORD_FILE: u64 = 4096;

/// A certificate with its private key, ready to present.
pub struct KeyedCert {
    pub info: CertInfo,
    /// Leaf first, then the issuers the file carried.
    pub chain: Vec<CertificateDer<'static>>,
    pub chain_info: Vec<CertInfo>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl std::fmt::Debug for KeyedCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedCert")
            .field("subject", &self.info.subject)
            .finish_non_exhaustive()
    }
}

impl Clone for KeyedCert {
    fn clone(&self) -> Self {
        KeyedCert {
            info: self.info.clone(),
            chain: self.chain.clone(),
            chain_info: self.chain_info.clone(),
            key: self.key.clone_key(),
        }
    }
}

impl KeyedCert {
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(self.key.clone_key())
    }
}

/// One file's content: every certificate (described) and the keyed client certificates.
#[derive(Debug)]
pub struct PfxContent {
    pub report: PfxReport,
    pub keyed: Vec<KeyedCert>,
}

/// Describes one DER certificate; `None` when it does not parse.
pub fn describe(der: &[u8], now: i64) -> Option<CertInfo> {
    let (_, c) = X509Certificate::from_der(der).ok()?;
    let not_after = c.validity().not_after.timestamp();
    let days_left = (not_after - now).div_euclid(86_400);
    let mut names = Vec::new();
    if let Ok(Some(san)) = c.subject_alternative_name() {
        for n in &san.value.general_names {
            match n {
                GeneralName::DNSName(d) => names.push(d.to_string()),
                GeneralName::IPAddress(b) => match b.len() {
                    4 => names.push(std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string()),
                    16 => {
                        let mut a = [0u8; 16];
                        a.copy_from_slice(b);
                        names.push(std::net::Ipv6Addr::from(a).to_string());
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }
    let subject = c.subject().to_string();
    Some(CertInfo {
        institution_code: institution_code_in(&subject),
        issuer: c.issuer().to_string(),
        serial: c.raw_serial_as_string().replace(':', ""),
        not_before: rfc3339(c.validity().not_before.timestamp()),
        not_after: rfc3339(not_after),
        days_left,
        key_type: key_type(&c),
        is_ca: c.is_ca(),
        names,
        sha256: hex(ring::digest::digest(&ring::digest::SHA256, der).as_ref()),
        subject,
    })
}

fn key_type(c: &X509Certificate) -> String {
    let spki = c.public_key();
    let alg = spki.algorithm.algorithm.to_id_string();
    match spki.parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(k)) => format!("RSA {}", k.key_size()),
        Ok(x509_parser::public_key::PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string());
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => "ECDSA P-256".into(),
                Some("1.3.132.0.34") => "ECDSA P-384".into(),
                Some("1.3.132.0.35") => "ECDSA P-521".into(),
                Some(other) => format!("ECDSA {other}"),
                None => "ECDSA".into(),
            }
        }
        _ if alg == "1.3.101.112" => "Ed25519".into(),
        _ => alg,
    }
}

/// The first run of exactly ten digits in a subject (the institution code, 補18).
pub fn institution_code_in(subject: &str) -> Option<String> {
    let b = subject.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 10 {
                return Some(subject[start..i].to_string());
            }
        } else {
            i += 1;
        }
    }
    None
}

pub fn rfc3339(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| unix.to_string())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn now_unix() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Reads the password from its source. `Ok(None)`: no source (the empty password is tried).
pub fn read_password(src: &PasswordSource) -> Result<Option<Secret>, PfxFailure> {
    match src {
        PasswordSource::None => Ok(None),
        PasswordSource::Given(s) => Ok(Some(s.clone())),
        PasswordSource::Env(var) => match std::env::var(var) {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(std::env::VarError::NotPresent) => Err(PfxFailure::PasswordUnavailable {
                detail: format!("environment variable {var} is not set"),
            }),
            Err(std::env::VarError::NotUnicode(_)) => Err(PfxFailure::PasswordUnavailable {
                detail: format!("environment variable {var} is not valid UTF-8"),
            }),
        },
        PasswordSource::File(path) => {
            let fail = |detail: String| PfxFailure::PasswordUnavailable { detail };
            let meta = std::fs::metadata(path)
                .map_err(|e| fail(format!("{}: {}", path.display(), e.kind())))?;
            if meta.len() > MAX_PASSWORD_FILE {
                return Err(fail(format!(
                    "{}: larger than {MAX_PASSWORD_FILE} bytes",
                    path.display()
                )));
            }
            let bytes = zeroize::Zeroizing::new(
                std::fs::read(path)
                    .map_err(|e| fail(format!("{}: {}", path.display(), e.kind())))?,
            );
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| fail(format!("{}: not UTF-8", path.display())))?;
            let line = text.split(['\n', '\r']).next().unwrap_or("");
            Ok(Some(Secret::new(line.to_string())))
        }
    }
}

/// Reads one PFX. Errors become the report's `failure`, never an `Err` of the caller.
pub fn load(path: &Path, password: Option<&Secret>) -> PfxContent {
    let mut report = PfxReport {
        path: path.display().to_string(),
        entries: Vec::new(),
        failure: None,
    };
    let fail = |mut report: PfxReport, f: PfxFailure| {
        report.failure = Some(f);
        PfxContent {
            report,
            keyed: Vec::new(),
        }
    };
    let data = match std::fs::metadata(path) {
        Err(e) => {
            return fail(
                report,
                PfxFailure::Unreadable {
                    detail: io_text(&e),
                },
            );
        }
        Ok(m) if m.len() > MAX_PFX => {
            return fail(
                report,
                PfxFailure::Unreadable {
                    detail: format!("{} bytes; a PFX is at most {MAX_PFX}", m.len()),
                },
            );
        }
        Ok(_) => match std::fs::read(path) {
            Ok(d) => d,
            Err(e) => {
                return fail(
                    report,
                    PfxFailure::Unreadable {
                        detail: io_text(&e),
                    },
                );
            }
        },
    };
    let pw = password.map(Secret::expose).unwrap_or("");
    // The parser is third-party code fed hostile bytes: a panic there must not take us down.
    let parsed = std::panic::catch_unwind(|| p12_keystore::Pkcs12Archive::from_pkcs12(&data, pw));
    let archive = match parsed {
        Err(_) => {
            return fail(
                report,
                PfxFailure::Corrupt {
                    detail: "the PKCS#12 parser gave up".into(),
                },
            );
        }
        // The empty password stood in for none given: a file that needs one was not given one,
        // which is a different fix from a wrong one.
        Ok(Err(e)) => match (classify(&e), password) {
            (PfxFailure::WrongPassword, None) => return fail(report, PfxFailure::NoPassword),
            (f, _) => return fail(report, f),
        },
        Ok(Ok(a)) => a,
    };
    let now = now_unix();
    let certs: Vec<(Vec<u8>, CertInfo)> = archive
        .certs
        .iter()
        .filter_map(|c| {
            let der = c.cert.as_der().to_vec();
            describe(&der, now).map(|i| (der, i))
        })
        .collect();
    // Pair each key with the certificate holding its public key.
    let mut keyed = Vec::new();
    let mut has_key = vec![false; certs.len()];
    for k in &archive.keys {
        let key = PrivatePkcs8KeyDer::from(k.key.as_der().to_vec());
        let Some(spki) = public_key_of(&key) else {
            continue;
        };
        let Some(i) = certs
            .iter()
            .position(|(der, _)| spki_of(der) == Some(spki.clone()))
        else {
            continue;
        };
        has_key[i] = true;
        let (leaf_der, leaf) = &certs[i];
        let mut chain = vec![CertificateDer::from(leaf_der.clone())];
        let mut chain_info = Vec::new();
        let mut cur = leaf.clone();
        while let Some((der, info)) = certs
            .iter()
            .find(|(_, c)| c.subject == cur.issuer && c.subject != cur.subject)
        {
            if chain_info
                .iter()
                .any(|c: &CertInfo| c.sha256 == info.sha256)
                || chain.len() > 8
            {
                break;
            }
            chain.push(CertificateDer::from(der.clone()));
            chain_info.push(info.clone());
            cur = info.clone();
        }
        keyed.push(KeyedCert {
            info: leaf.clone(),
            chain,
            chain_info,
            key,
        });
    }
    report.entries = certs
        .iter()
        .zip(&has_key)
        .map(|((_, c), k)| PfxEntry {
            cert: c.clone(),
            has_private_key: *k,
        })
        .collect();
    if keyed.is_empty() {
        report.failure = Some(PfxFailure::NoPrivateKey);
    }
    PfxContent { report, keyed }
}

fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn classify(e: &p12_keystore::error::Error) -> PfxFailure {
    use p12_keystore::error::Error as E;
    match e {
        E::MacError(_) => PfxFailure::WrongPassword,
        // Without a MAC a wrong password shows as bad padding after decryption.
        E::UnpadError => PfxFailure::WrongPassword,
        E::IoError(e) => PfxFailure::Unreadable {
            detail: e.to_string(),
        },
        E::DerError(_) | E::X509Error(_) | E::InvalidLength | E::InvalidData => {
            PfxFailure::Corrupt {
                detail: "not valid PKCS#12 (truncated or damaged)".into(),
            }
        }
        other => PfxFailure::Corrupt {
            detail: other.to_string(),
        },
    }
}

fn spki_of(cert_der: &[u8]) -> Option<Vec<u8>> {
    let (_, c) = X509Certificate::from_der(cert_der).ok()?;
    Some(c.public_key().raw.to_vec())
}

/// The SubjectPublicKeyInfo of a PKCS#8 key, as ring computes it.
fn public_key_of(key: &PrivatePkcs8KeyDer<'static>) -> Option<Vec<u8>> {
    let any = PrivateKeyDer::Pkcs8(key.clone_key());
    let signing = rustls::crypto::ring::sign::any_supported_type(&any).ok()?;
    signing.public_key().map(|k| k.as_ref().to_vec())
}

/// Every candidate and the one to present: the institution code's, else the latest expiry.
pub fn select(
    keyed: &[KeyedCert],
    code: Option<&str>,
) -> (Option<usize>, Option<SelectionRule>, bool) {
    let leaves: Vec<usize> = (0..keyed.len()).filter(|&i| !keyed[i].info.is_ca).collect();
    let pool = if leaves.is_empty() {
        (0..keyed.len()).collect()
    } else {
        leaves
    };
    if pool.is_empty() {
        return (None, None, code.is_some());
    }
    let latest = |ix: &[usize]| {
        ix.iter()
            .copied()
            .max_by(|&a, &b| {
                keyed[a]
                    .info
                    .not_after
                    .cmp(&keyed[b].info.not_after)
                    .then(b.cmp(&a))
            })
            .expect("non-empty")
    };
    if let Some(code) = code {
        let matching: Vec<usize> = pool
            .iter()
            .copied()
            .filter(|&i| keyed[i].info.institution_code.as_deref() == Some(code))
            .collect();
        if !matching.is_empty() {
            return (
                Some(latest(&matching)),
                Some(SelectionRule::InstitutionCode),
                false,
            );
        }
        let rule = if pool.len() == 1 {
            SelectionRule::Only
        } else {
            SelectionRule::LatestExpiry
        };
        return (Some(latest(&pool)), Some(rule), true);
    }
    if pool.len() == 1 {
        return (Some(pool[0]), Some(SelectionRule::Only), false);
    }
    (
        Some(latest(&pool)),
        Some(SelectionRule::LatestExpiry),
        false,
    )
}

/// Reads every PFX of the settings and chooses the certificate to present.
pub fn load_identity(s: &TlsSettings) -> (IdentityReport, Option<KeyedCert>) {
    let mut report = IdentityReport {
        institution_code: s.institution_code.as_ref().map(|c| c.as_str().to_string()),
        expected_issuers: s.issuer_names.clone(),
        ..IdentityReport::default()
    };
    let mut keyed = Vec::new();
    if !s.pfx.is_empty() {
        match read_password(&s.password) {
            Err(f) => {
                for p in &s.pfx {
                    report.files.push(PfxReport {
                        path: p.display().to_string(),
                        entries: Vec::new(),
                        failure: Some(f.clone()),
                    });
                }
            }
            Ok(pw) => {
                for p in &s.pfx {
                    let c = load(p, pw.as_ref());
                    report.files.push(c.report);
                    keyed.extend(c.keyed);
                }
            }
        }
    }
    report.candidates = keyed.iter().map(|k| k.info.clone()).collect();
    let (sel, rule, unmatched) = select(&keyed, s.institution_code.as_ref().map(|c| c.as_str()));
    report.selected = sel;
    report.rule = rule;
    report.code_unmatched = unmatched && sel.is_some();
    let chosen = sel.map(|i| keyed[i].clone());
    if let Some(k) = &chosen {
        report.selected_chain = k.chain_info.clone();
    }
    (report, chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn institution_code_is_a_run_of_exactly_ten_digits() {
        assert_eq!(
            institution_code_in("CN=LAB CLINIC 1234567890, O=x").as_deref(),
            Some("1234567890")
        );
        assert_eq!(institution_code_in("CN=12345678901"), None);
        assert_eq!(institution_code_in("CN=123456789"), None);
        assert_eq!(
            institution_code_in("serialNumber=12345678901 CN=0987654321").as_deref(),
            Some("0987654321")
        );
    }

    #[test]
    fn garbage_is_corrupt_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.pfx");
        std::fs::write(&p, b"\x30\x82\xff\xff garbage").unwrap();
        let c = load(&p, None);
        assert_eq!(
            c.report.failure.as_ref().map(|f| f.as_label()),
            Some("corrupt")
        );
        let missing = load(&dir.path().join("none.pfx"), None);
        assert_eq!(
            missing.report.failure.as_ref().map(|f| f.as_label()),
            Some("unreadable")
        );
    }

    #[test]
    fn password_sources() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pw");
        std::fs::write(&p, "s3cret\nignored\n").unwrap();
        let s = read_password(&PasswordSource::File(p)).unwrap().unwrap();
        assert_eq!(s.expose(), "s3cret");
        let e = read_password(&PasswordSource::Env("OQS_NET_SURELY_UNSET_VAR".into()));
        assert_eq!(e.unwrap_err().as_label(), "password_unavailable");
        assert!(read_password(&PasswordSource::None).unwrap().is_none());
    }
}

//! `oqs-net cert inspect`'s renderings pinned by golden files (refresh with UPDATE_GOLDEN=1): a
//! report made by hand, as certificates made now would change serials and dates each run.

use crate::support::golden;
use oqs_net::findings::Lang;
use oqs_net::model::*;
use oqs_net::output::cert;

/// A certificate; `tag` (two hex digits) fills its serial and fingerprint.
fn info(
    tag: &str,
    subject: &str,
    issuer: &str,
    days_left: i64,
    is_ca: bool,
    code: Option<&str>,
) -> CertInfo {
    CertInfo {
        subject: subject.into(),
        issuer: issuer.into(),
        serial: tag.repeat(16),
        not_before: "2026-01-01T00:00:00Z".into(),
        not_after: "2027-01-01T00:00:00Z".into(),
        days_left,
        key_type: "ECDSA P-256".into(),
        is_ca,
        names: vec![],
        institution_code: code.map(Into::into),
        sha256: tag.repeat(32),
    }
}

/// Two files: one with two clinic certificates (one expired) and its CA, one that would not open;
/// the code given picks the live certificate.
fn report() -> IdentityReport {
    let ca = info(
        "ca",
        "C=JP, CN=Online Billing NW System",
        "C=JP, CN=Online Billing NW Common Root CA",
        3650,
        true,
        None,
    );
    let live = info(
        "1e",
        "C=JP, O=Clinic, CN=CLINIC 0123456789",
        "C=JP, CN=Online Billing NW System",
        25,
        false,
        Some("0123456789"),
    );
    let old = info(
        "0d",
        "C=JP, O=Clinic, CN=CLINIC 9876543210",
        "C=JP, CN=Online Billing NW System",
        -3,
        false,
        Some("9876543210"),
    );
    let entry = |cert: &CertInfo, key| PfxEntry {
        cert: cert.clone(),
        has_private_key: key,
    };
    IdentityReport {
        files: vec![
            PfxReport {
                path: "clinic.pfx".into(),
                entries: vec![entry(&old, true), entry(&live, true), entry(&ca, false)],
                failure: None,
            },
            PfxReport {
                path: "other.pfx".into(),
                entries: vec![],
                failure: Some(PfxFailure::WrongPassword),
            },
        ],
        candidates: vec![old, live],
        selected: Some(1),
        rule: Some(SelectionRule::InstitutionCode),
        institution_code: Some("0123456789".into()),
        ca_source: "system".into(),
        ..IdentityReport::default()
    }
}

#[test]
fn issue10_cert_inspect_renders_as_reviewed() {
    let r = report();
    golden("cert-inspect-en.txt", &cert::human(&r, Lang::En));
    golden("cert-inspect-ja.txt", &cert::human(&r, Lang::Ja));
    golden("cert-inspect-en.json", &cert::json(&r).unwrap());
}

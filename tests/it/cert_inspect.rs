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

/// Issue 15: `days_left` is whole days, rounded down, the same in JSON, English and Japanese text.
/// The certificate is made twelve hours in the past with 30 days of validity (openssl under
/// libfaketime), so its expiry is 29.5 days away: every rendering says 29, none 30.
#[test]
fn issue15_cert_inspect_days_left_agrees_across_renderers() {
    let dir = tempfile::tempdir().unwrap();
    let (pfx, pw) = pfx_expiring_in_29_5_days(dir.path());
    let at = |f: &std::path::PathBuf| f.to_str().unwrap().to_string();
    let inspect = |extra: &[&str]| {
        let mut args = vec!["cert", "inspect", "--pfx-password-file"];
        let (pw, pfx) = (at(&pw), at(&pfx));
        args.extend([pw.as_str(), pfx.as_str()]);
        args.extend(extra);
        let (code, out, err) = crate::support::run(&args);
        assert_eq!(code, 0, "{err}");
        out
    };
    let json: serde_json::Value = serde_json::from_str(&inspect(&["--format", "json"])).unwrap();
    let entry = &json["files"][0]["entries"][0]["cert"];
    let not_after: jiff::Timestamp = entry["not_after"].as_str().unwrap().parse().unwrap();
    let left = (not_after - jiff::Timestamp::now()).as_secs_f64() / 86_400.0;
    assert!(
        (29.4..29.6).contains(&left),
        "the expiry is {left} days away"
    );
    assert_eq!(entry["days_left"], 29, "{json}");
    let en = inspect(&[]);
    assert!(en.contains("(29 days left)"), "{en}");
    let ja = inspect(&["--lang", "ja"]);
    assert!(ja.contains("残り 29 日"), "{ja}");
    assert!(!en.contains("30 days") && !ja.contains("30 日"), "{en}{ja}");
}

/// A PFX (password in `pw.txt` beside it) whose certificate was made twelve hours ago with 30 days
/// of validity, by openssl under libfaketime: its expiry is 29.5 days away. Returns (pfx, pw file).
pub(crate) fn pfx_expiring_in_29_5_days(
    dir: &std::path::Path,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let Some(faketime) = std::fs::read_dir("/usr/lib")
        .unwrap()
        .flatten()
        .map(|d| d.path().join("faketime/libfaketime.so.1"))
        .find(|p| p.exists())
    else {
        panic!("libfaketime is missing: run scripts/test (apt-get install -y libfaketime)");
    };
    let at = |f: &str| dir.join(f).to_str().unwrap().to_string();
    let openssl = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .env("LD_PRELOAD", &faketime)
            .env("FAKETIME", "-12h")
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        &at("k.pem"),
        "-out",
        &at("c.pem"),
        "-days",
        "30",
        "-subj",
        "/CN=LAB CLINIC 0123456789",
    ]);
    openssl(&[
        "pkcs12",
        "-export",
        "-inkey",
        &at("k.pem"),
        "-in",
        &at("c.pem"),
        "-out",
        &at("c.pfx"),
        "-passout",
        "pass:pw",
    ]);
    std::fs::write(at("pw.txt"), "pw\n").unwrap();
    (dir.join("c.pfx"), dir.join("pw.txt"))
}

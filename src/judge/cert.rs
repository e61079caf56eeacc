//! The verdict of `oqs-net cert inspect`: whether a set of PFX files yields a client certificate
//! to present (補18). A pure function of the identity report; depends on `model` only.

use crate::model::{IdentityReport, PfxFailure};

/// Whether `report` passes: every file opened (a file with certificates but no private key is
/// shown, not failed, when another file supplies the key) and a certificate with its key was
/// selected. Expiry and issuer are shown by the renderer, not judged here.
pub(crate) fn usable(report: &IdentityReport) -> bool {
    let file_failed = report.files.iter().any(|f| {
        f.failure
            .as_ref()
            .is_some_and(|x| !matches!(x, PfxFailure::NoPrivateKey))
    });
    !file_failed && report.selected.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CertInfo, PfxEntry, PfxReport, SelectionRule};

    fn cert() -> CertInfo {
        CertInfo {
            subject: "C=JP, O=Clinic, CN=CLINIC 0123456789".into(),
            issuer: "C=JP, CN=Online Billing NW System".into(),
            serial: "01".into(),
            not_before: "2026-01-01T00:00:00Z".into(),
            not_after: "2027-01-01T00:00:00Z".into(),
            days_left: 25,
            key_type: "ECDSA P-256".into(),
            is_ca: false,
            names: vec![],
            institution_code: Some("0123456789".into()),
            sha256: "ab".into(),
        }
    }

    fn file(path: &str, has_key: bool, failure: Option<PfxFailure>) -> PfxReport {
        PfxReport {
            path: path.into(),
            entries: vec![PfxEntry {
                cert: cert(),
                has_private_key: has_key,
            }],
            failure,
        }
    }

    fn selected(files: Vec<PfxReport>) -> IdentityReport {
        IdentityReport {
            files,
            candidates: vec![cert()],
            selected: Some(0),
            rule: Some(SelectionRule::Only),
            ..IdentityReport::default()
        }
    }

    #[test]
    fn a_selected_certificate_from_files_that_opened_passes() {
        assert!(usable(&selected(vec![file("a.pfx", true, None)])));
    }

    #[test]
    fn a_file_without_its_key_beside_one_with_it_still_passes() {
        let r = selected(vec![
            file("a.pfx", true, None),
            file("b.pfx", false, Some(PfxFailure::NoPrivateKey)),
        ]);
        assert!(usable(&r));
    }

    #[test]
    fn a_file_that_did_not_open_fails_the_set() {
        let r = selected(vec![
            file("a.pfx", true, None),
            file("b.pfx", true, Some(PfxFailure::WrongPassword)),
        ]);
        assert!(!usable(&r));
        let r = selected(vec![PfxReport {
            path: "gone.pfx".into(),
            entries: vec![],
            failure: Some(PfxFailure::Unreadable {
                detail: "not found".into(),
            }),
        }]);
        assert!(!usable(&r));
    }

    #[test]
    fn nothing_selected_fails() {
        let r = IdentityReport {
            files: vec![file("b.pfx", false, Some(PfxFailure::NoPrivateKey))],
            ..IdentityReport::default()
        };
        assert!(!usable(&r));
        assert!(!usable(&IdentityReport::default()));
    }
}

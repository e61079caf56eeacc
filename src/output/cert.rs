//! The terminal and JSON forms of `oqs-net cert inspect`: every certificate of each PFX file, why a
//! file could not be used, and which certificate is presented by the rules of 補18. Reads `model`
//! only; the password is not in what it is given.

use crate::findings::Lang;
use crate::findings::labels::Label;
use crate::model::{IdentityReport, PfxFailure, SelectionRule};
use crate::output::width::pad_right;
use std::fmt::Write;

/// The identity report as JSON: the model as serde writes it, in the shared envelope
/// (`schema_version` [`CERT_SCHEMA_VERSION`](super::envelope::CERT_SCHEMA_VERSION)).
pub fn json(r: &IdentityReport) -> Result<String, serde_json::Error> {
    Ok(super::envelope::finish(
        super::envelope::CERT_SCHEMA_VERSION,
        serde_json::to_value(r)?,
    ))
}

fn failure_text(f: &PfxFailure, lang: Lang) -> String {
    match f {
        PfxFailure::WrongPassword => Label::PfxWrongPassword.text(lang).into(),
        PfxFailure::NoPassword => Label::PfxNoPassword.text(lang).into(),
        PfxFailure::Corrupt { detail } => Label::PfxCorrupt.with(lang, detail),
        PfxFailure::NoPrivateKey => Label::PfxNoPrivateKey.text(lang).into(),
        PfxFailure::Unreadable { detail } => Label::PfxUnreadable.with(lang, detail),
        PfxFailure::PasswordUnavailable { detail } => {
            Label::PfxPasswordUnavailable.with(lang, detail)
        }
    }
}

/// The files, their certificates, and the selection, for the terminal.
pub fn human(r: &IdentityReport, lang: Lang) -> String {
    let mut out = String::new();
    let selected = r.selected_cert().map(|c| c.sha256.clone());
    for f in &r.files {
        let _ = writeln!(out, "{}", f.path);
        if let Some(fail) = &f.failure {
            let _ = writeln!(out, "  ✗ {}", failure_text(fail, lang));
        }
        for (i, e) in f.entries.iter().enumerate() {
            let c = &e.cert;
            let mark = if selected.as_deref() == Some(c.sha256.as_str()) {
                format!("  ← {}", Label::Presented.text(lang))
            } else {
                String::new()
            };
            // Row labels padded to one column by display width, so both languages line up.
            let row = |label: Label| pad_right(label.text(lang), 10);
            let _ = writeln!(out, "  [{}] {}{mark}", i + 1, c.subject);
            let _ = writeln!(out, "      {} {}", row(Label::Issuer), c.issuer);
            let _ = writeln!(out, "      {} {}", row(Label::Serial), c.serial);
            let left = if c.expired() {
                Label::Expired.with(lang, c.days_left)
            } else {
                Label::DaysLeft.with(lang, c.days_left)
            };
            let _ = writeln!(
                out,
                "      {} {} → {} ({left})",
                row(Label::Valid),
                c.not_before,
                c.not_after,
            );
            let _ = writeln!(
                out,
                "      {} {}{}{}",
                row(Label::Key),
                c.key_type,
                if c.is_ca { " · CA" } else { "" },
                if e.has_private_key {
                    Label::PrivateKeyPresent
                } else {
                    Label::NoPrivateKey
                }
                .text(lang)
            );
            if let Some(code) = &c.institution_code {
                let _ = writeln!(out, "      {}  {code}", Label::InstitutionCode.text(lang));
            }
            let _ = writeln!(out, "      sha256     {}", c.sha256);
        }
    }
    let rule = match r.rule {
        Some(SelectionRule::InstitutionCode) => {
            Label::RuleInstitutionCode.with(lang, r.institution_code.clone().unwrap_or_default())
        }
        Some(SelectionRule::LatestExpiry) => match r.code_unmatched {
            true => Label::RuleLatestExpiryUnmatched,
            false => Label::RuleLatestExpiryNoCode,
        }
        .text(lang)
        .into(),
        Some(SelectionRule::Only) => Label::RuleOnly.text(lang).into(),
        None => Label::RuleNone.text(lang).into(),
    };
    let _ = writeln!(out, "\n{}: {rule}", Label::Selection.text(lang));
    out
}

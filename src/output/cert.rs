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

fn failure_text(f: &PfxFailure, ja: bool) -> String {
    match (f, ja) {
        (PfxFailure::WrongPassword, false) => {
            "wrong password (the file's integrity check failed)".into()
        }
        (PfxFailure::WrongPassword, true) => "パスワードが違います（整合性検査に失敗）".into(),
        (PfxFailure::NoPassword, false) => "no password given, and the file needs one: name it with \
             --pfx-password-env VAR or --pfx-password-file FILE (on a terminal it is asked for)"
            .into(),
        (PfxFailure::NoPassword, true) => "パスワードが指定されていませんが、このファイルには必要です。\
             --pfx-password-env VAR または --pfx-password-file FILE で指定してください（端末からの実行では入力を求めます）"
            .into(),
        (PfxFailure::Corrupt { detail }, false) => format!("not a readable PFX file ({detail})"),
        (PfxFailure::Corrupt { detail }, true) => {
            format!("読み取れるPFXファイルではありません（{detail}）")
        }
        (PfxFailure::NoPrivateKey, false) => {
            "certificates but no private key: export again with the private key".into()
        }
        (PfxFailure::NoPrivateKey, true) => {
            "秘密キーが含まれていません。秘密キーを含めて再エクスポートしてください".into()
        }
        (PfxFailure::Unreadable { detail }, false) => format!("cannot read the file: {detail}"),
        (PfxFailure::Unreadable { detail }, true) => format!("ファイルを読み込めません: {detail}"),
        (PfxFailure::PasswordUnavailable { detail }, false) => {
            format!("the password could not be read: {detail}")
        }
        (PfxFailure::PasswordUnavailable { detail }, true) => {
            format!("パスワードを読み込めません: {detail}")
        }
    }
}

/// The files, their certificates, and the selection, for the terminal.
pub fn human(r: &IdentityReport, lang: Lang) -> String {
    let ja = lang == Lang::Ja;
    let mut out = String::new();
    let selected = r.selected_cert().map(|c| c.sha256.clone());
    for f in &r.files {
        let _ = writeln!(out, "{}", f.path);
        if let Some(fail) = &f.failure {
            let _ = writeln!(out, "  ✗ {}", failure_text(fail, ja));
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
                    if ja {
                        " · 秘密キーあり"
                    } else {
                        " · private key present"
                    }
                } else if ja {
                    " · 秘密キーなし"
                } else {
                    " · no private key"
                }
            );
            if let Some(code) = &c.institution_code {
                let _ = writeln!(
                    out,
                    "      {}  {code}",
                    if ja {
                        "医療機関コード"
                    } else {
                        "institution code"
                    }
                );
            }
            let _ = writeln!(out, "      sha256     {}", c.sha256);
        }
    }
    let rule = match r.rule {
        Some(SelectionRule::InstitutionCode) => {
            if ja {
                format!(
                    "医療機関コード {} を含む証明書（補18）",
                    r.institution_code.clone().unwrap_or_default()
                )
            } else {
                format!(
                    "the one carrying institution code {} (補18)",
                    r.institution_code.clone().unwrap_or_default()
                )
            }
        }
        Some(SelectionRule::LatestExpiry) => {
            let why = if r.code_unmatched {
                if ja {
                    "コードに一致する証明書がないため"
                } else {
                    "no certificate carries the code given, so "
                }
            } else if ja {
                "コード指定がないため"
            } else {
                "no institution code given, so "
            };
            if ja {
                format!("{why}有効期限が最も遅い証明書（補18）")
            } else {
                format!("{why}the latest expiry (補18)")
            }
        }
        Some(SelectionRule::Only) => {
            if ja {
                "唯一の証明書".into()
            } else {
                "the only client certificate with a key".into()
            }
        }
        None => {
            if ja {
                "提示できる証明書がありません".into()
            } else {
                "none: no client certificate with its private key".into()
            }
        }
    };
    let _ = writeln!(out, "\n{}: {rule}", Label::Selection.text(lang));
    out
}

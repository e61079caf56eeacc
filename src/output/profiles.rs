//! `oqs-net profiles`: the shipped profiles as a list, and a validated file's summary, in either
//! language with the word table's words. Reads `model` and `findings` only.

use super::width::pad_right;
use crate::findings::Lang;
use crate::findings::labels::{self, Label};
use crate::model::Profile;

/// The list of shipped profiles: name, line type, environment and what it is. In Japanese the
/// line type and environment are the guide's names and the provider stands for the (English)
/// description the profile file carries.
pub(crate) fn list(profiles: &[Profile], lang: Lang) -> String {
    let mut out = format!("{}\n", Label::ShippedProfiles.text(lang));
    let mode = |p: &Profile| labels::mode(p.mode.as_label(), lang).to_string();
    let env = |p: &Profile| labels::environment(p.environment.as_label(), lang).to_string();
    let width = |f: &dyn Fn(&Profile) -> String, min: usize| {
        profiles
            .iter()
            .map(|p| super::width::display_width(&f(p)))
            .max()
            .unwrap_or(0)
            .max(min)
    };
    let (wm, we) = (width(&mode, 6), width(&env, 13));
    for p in profiles {
        let what = match lang {
            Lang::En => p.description.clone(),
            Lang::Ja => p
                .provider
                .as_deref()
                .map(|x| Label::ProviderOwn.with(lang, x))
                .unwrap_or_default(),
        };
        let row = format!(
            "  {} {} {} {what}",
            pad_right(&p.name, 27),
            pad_right(&mode(p), wm),
            pad_right(&env(p), we),
        );
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out.push('\n');
    out.push_str(Label::ProfilesHint.text(lang));
    out.push('\n');
    out
}

/// A profile file that loaded: its name, line type and environment, its NTP names and its TLS
/// endpoints.
pub(crate) fn valid(path: &str, p: &Profile, lang: Lang) -> String {
    let fallbacks: Vec<String> = p.dns.fallbacks.iter().map(ToString::to_string).collect();
    let tls: Vec<&str> = p.tls.iter().map(|t| t.name.as_str()).collect();
    let rows = [
        (Label::RoundRobin, p.dns.round_robin.to_string()),
        (
            Label::Fallbacks,
            if fallbacks.is_empty() {
                "-".to_string()
            } else {
                fallbacks.join(", ")
            },
        ),
        (
            Label::TlsEndpoints,
            format!(
                "{}: {}",
                Label::Endpoints.with(lang, p.tls.len()),
                tls.join(", ")
            ),
        ),
    ];
    let mut out = Label::ValidProfile.fill(
        lang,
        &[
            ("path", &path),
            ("name", &p.name),
            ("mode", &labels::mode(p.mode.as_label(), lang)),
            (
                "environment",
                &labels::environment(p.environment.as_label(), lang),
            ),
        ],
    );
    out.push('\n');
    let w = rows
        .iter()
        .map(|(l, _)| super::width::display_width(l.text(lang)))
        .max()
        .unwrap_or(0)
        .max(11);
    for (l, v) in rows {
        out.push_str(&format!("  {}  {v}\n", pad_right(l.text(lang), w)));
    }
    out
}

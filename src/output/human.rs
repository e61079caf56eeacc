//! The one-screen terminal report: each check with its status and key figures, and under anything
//! not passing, its finding code, guide section, cause and fix. Colour only when asked.

mod line;
mod path;
mod proxy;

use super::width::{display_width, pad_right};
use crate::findings::labels::{self, Label};
use crate::findings::{self, Lang};
use crate::model::{Check, CheckData, CheckKind, FamilySummary, NtpSampleOutcome, Round, Status};
use std::fmt::Write;

pub struct Style {
    pub color: bool,
    pub lang: Lang,
}

impl Style {
    fn paint(&self, s: Status, text: &str) -> String {
        super::paint(self.color, s, text)
    }

    /// The status word, padded to the widest status word of the language.
    fn tag(&self, s: Status) -> String {
        let width = [Status::Pass, Status::Warn, Status::Fail, Status::Error]
            .iter()
            .map(|s| display_width(labels::status(*s, self.lang)))
            .max()
            .unwrap_or(5);
        self.paint(s, &pad_right(labels::status(s, self.lang), width))
    }
}

pub fn render(round: &Round, style: &Style) -> String {
    let mut out = String::new();
    let p = &round.profile;
    let lang = style.lang;
    let resolvers = if round.resolvers.is_empty() {
        Label::SystemResolver.text(lang).to_string()
    } else {
        round.resolvers.join(", ")
    };
    let _ = writeln!(
        out,
        "oqs-net {} · {} ({} / {}{}) · {} {} · {:.0} ms",
        round.tool_version,
        p.name,
        labels::mode(p.mode.as_label(), lang),
        labels::environment(p.environment.as_label(), lang),
        p.provider
            .as_deref()
            .map(|x| format!(" / {x}"))
            .unwrap_or_default(),
        Label::Resolver.text(lang),
        resolvers,
        round.duration_ms,
    );
    root_causes(&mut out, round, style);
    let sections: [(&str, &[CheckKind]); 8] = [
        (Label::SectionDns.text(lang), &[CheckKind::Dns]),
        ("NTP", &[CheckKind::Ntp, CheckKind::NtpConsensus]),
        (
            Label::SectionTls.text(lang),
            &[CheckKind::TlsClientCert, CheckKind::Tls],
        ),
        (
            Label::SectionAdapter.text(lang),
            &[
                CheckKind::Adapter,
                CheckKind::Route,
                CheckKind::Ipv4Fallback,
                CheckKind::Nat64,
            ],
        ),
        (Label::SectionTcp.text(lang), &[CheckKind::Tcp]),
        (
            Label::SectionProxy.text(lang),
            &[CheckKind::ProxySettings, CheckKind::ProxyRoute],
        ),
        (
            Label::SectionLine.text(lang),
            &[
                CheckKind::LineAuth,
                CheckKind::NgnDns,
                CheckKind::Environment,
            ],
        ),
        (Label::SectionCutOff.text(lang), &[CheckKind::Deadline]),
    ];
    let width = round
        .checks
        .iter()
        .map(|c| display_width(labels::target(&c.target, lang)))
        .max()
        .unwrap_or(10)
        .min(34);
    for (title, kinds) in sections {
        let checks: Vec<&Check> = round
            .checks
            .iter()
            .filter(|c| kinds.contains(&c.kind))
            .collect();
        if checks.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}");
        for c in checks {
            let _ = writeln!(
                out,
                "  {}  {}  {}",
                style.tag(c.status),
                pad_right(labels::target(&c.target, lang), width),
                figures(c, lang)
            );
            for line in path::details(c, lang) {
                let _ = writeln!(out, "         {line}");
            }
            for f in &c.findings {
                let r = findings::render(f, style.lang);
                let _ = writeln!(
                    out,
                    "         {} {} [{}] {}",
                    style.paint(f.severity, "▸"),
                    f.code.as_label(),
                    r.section,
                    r.cause
                );
                let _ = writeln!(out, "           → {}", r.fix);
            }
        }
    }
    let s = super::json::summary(round);
    let verdict = style.paint(round.status, labels::status(round.status, lang));
    let count = |st, n: usize| labels::status_count(st, n, lang);
    let _ = writeln!(
        out,
        "\n{}: {verdict} — {} · {} · {} · {}",
        Label::Result.text(lang),
        count(Status::Pass, s.pass),
        count(Status::Warn, s.warn),
        count(Status::Fail, s.fail),
        count(Status::Error, s.error)
    );
    out
}

/// The block that opens a round that did not pass: each root cause with its 補N, its cause, how many
/// failures it explains, and those failures grouped under it (they stay in their sections too,
/// where each finding's fix is).
fn root_causes(out: &mut String, round: &Round, style: &Style) {
    if round.root_causes.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", Label::RootCauses.text(style.lang));
    for rc in &round.root_causes {
        let Some((_, first)) = rc.findings.first().and_then(|at| round.finding(at)) else {
            continue;
        };
        let r = findings::render(first, style.lang);
        let n = rc.explains.len();
        let count = labels::explains(n, style.lang);
        let _ = writeln!(
            out,
            "  {} {} [{}] {}{count}",
            style.paint(rc.severity, "▸"),
            rc.code.as_label(),
            rc.section,
            r.cause
        );
        if rc.findings.len() > 1 {
            let subjects: Vec<&str> = rc
                .findings
                .iter()
                .map(|f| labels::target(&f.subject, style.lang))
                .collect();
            let _ = writeln!(
                out,
                "      {} {}",
                Label::At.text(style.lang),
                subjects.join(", ")
            );
        }
        for e in &rc.explains {
            let _ = writeln!(
                out,
                "      {} {}  {}",
                style.paint(e.severity, "▹"),
                e.code.as_label(),
                labels::target(&e.subject, style.lang)
            );
        }
    }
}

fn family_figures(f: &FamilySummary, lang: Lang) -> String {
    let rec = f.family.record();
    if let Some(fail) = &f.failure {
        return format!("{rec} {}", labels::dns_failure(fail, lang));
    }
    let members = match f.members.len() {
        1 => Label::OneMember,
        _ => Label::MembersCount,
    };
    let mut s = format!("{rec} {}", members.with(lang, f.members.len()));
    match f.rotates {
        Some(true) => s.push_str(Label::Rotating.text(lang)),
        Some(false) => s.push_str(Label::FixedOrder.text(lang)),
        None => {}
    }
    if let (Some(lo), Some(hi)) = (f.ttl_min, f.ttl_max) {
        if lo == hi {
            let _ = write!(s, " TTL {lo}");
        } else {
            let _ = write!(s, " TTL {lo}-{hi}");
        }
    }
    if f.expected && f.first_picks > 0 {
        let _ = write!(
            s,
            "{} {}/{}",
            Label::FirstPickDead.text(lang),
            f.first_picks_without_ntp,
            f.first_picks
        );
    }
    if !f.outside_round_robin.is_empty() {
        s.push_str(Label::OutsideSet.text(lang));
    }
    s
}

fn figures(c: &Check, lang: Lang) -> String {
    let ja = lang == Lang::Ja;
    match &c.data {
        CheckData::Dns { summary, .. } => {
            let (expected, other): (Vec<_>, Vec<_>) = summary.iter().partition(|f| f.expected);
            let mut parts: Vec<String> = expected.iter().map(|f| family_figures(f, lang)).collect();
            parts.extend(
                other
                    .iter()
                    .map(|f| format!("({})", family_figures(f, lang))),
            );
            parts.join(" · ")
        }
        CheckData::Ntp(r) => match r.best() {
            Some(b) => format!(
                "{} {:+.3} ms ±{:.3} · {} {:.3} ms · {} {} · {} {} · {}/{}",
                Label::Offset.text(lang),
                b.offset_ms,
                b.error_bound_ms,
                Label::Delay.text(lang),
                b.delay_ms,
                Label::Stratum.text(lang),
                b.stratum,
                Label::RefId.text(lang),
                b.ref_id,
                r.readings().count(),
                r.samples.len()
            ),
            None => {
                let errs: Vec<String> = r
                    .samples
                    .iter()
                    .filter_map(|s| match &s.outcome {
                        NtpSampleOutcome::Error(e) => Some(e.as_label().to_string()),
                        NtpSampleOutcome::Reading(_) => None,
                    })
                    .collect();
                format!(
                    "{} 0/{} ({})",
                    Label::Answered.text(lang),
                    r.samples.len(),
                    errs.join(", ")
                )
            }
        },
        CheckData::NtpConsensus {
            servers,
            spread_ms,
            median_offset_ms,
        } => match (spread_ms, median_offset_ms) {
            (Some(s), Some(m)) => format!(
                "{} · {} {s:.3} ms · {} {m:+.3} ms",
                Label::Servers.with(lang, servers),
                Label::Spread.text(lang),
                Label::MedianOffset.text(lang)
            ),
            (None, Some(m)) => format!(
                "{} · {} {m:+.3} ms",
                Label::Servers.with(lang, servers),
                Label::Offset.text(lang)
            ),
            _ => Label::Servers.with(lang, servers),
        },
        CheckData::Resolver { detail } => detail.clone(),
        CheckData::Deadline { deadline_ms } => format!("{deadline_ms} ms"),
        CheckData::TlsClientCert(id) => identity_figures(id, lang),
        CheckData::Tls(r) => tls_figures(r, lang),
        _ => proxy::figures(c, ja)
            .or_else(|| line::figures(c, lang))
            .unwrap_or_else(|| path::figures(c, lang)),
    }
}

fn identity_figures(id: &crate::model::IdentityReport, lang: Lang) -> String {
    let Some(c) = id.selected_cert() else {
        return if id.files.is_empty() {
            Label::NoPfxGiven
        } else {
            Label::NoUsableCertificate
        }
        .text(lang)
        .to_string();
    };
    let rule = match id.rule {
        Some(crate::model::SelectionRule::InstitutionCode) => Label::ByInstitutionCode,
        Some(crate::model::SelectionRule::LatestExpiry) => Label::LatestExpiry,
        _ => Label::OnlyOne,
    }
    .text(lang);
    let days = Label::DaysLeft.with(lang, c.days_left);
    format!(
        "{} · {} {} · {} · {} ({}/{})",
        cn(&c.subject),
        Label::Issuer.text(lang),
        cn(&c.issuer),
        days,
        rule,
        id.selected.map_or(0, |i| i + 1),
        id.candidates.len()
    )
}

/// The CN of a DN as x509-parser prints it, else the whole DN.
fn cn(dn: &str) -> &str {
    dn.split(", ")
        .find_map(|p| p.strip_prefix("CN="))
        .unwrap_or(dn)
}

fn tls_figures(r: &crate::model::TlsEndpointResult, lang: Lang) -> String {
    let mut parts = Vec::new();
    if let Some(a) = r.addr {
        parts.push(a.to_string());
    }
    if let Some(c) = r.connect_ms {
        parts.push(format!("{} {c:.1} ms", Label::Connect.text(lang)));
    }
    if let Some(h) = r.handshake_ms {
        parts.push(format!("{} {h:.1} ms", Label::Handshake.text(lang)));
    }
    if let (Some(p), Some(c)) = (&r.protocol, &r.cipher) {
        parts.push(format!("{p} {c}"));
    }
    if let Some(c) = &r.server_cert {
        let shown = c
            .names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(&r.host))
            .or(c.names.first())
            .cloned()
            .unwrap_or_else(|| c.subject.clone());
        let more = c.names.len().saturating_sub(1);
        parts.push(format!(
            "{} {}{} ({})",
            Label::Cert.text(lang),
            shown,
            if more > 0 {
                format!(" +{more}")
            } else {
                String::new()
            },
            Label::Days.with(lang, c.days_left),
        ));
    }
    match r.client_cert_requested {
        Some(true) if r.failure.is_none() => parts.push(
            match r.accepted_by {
                Some(crate::model::TlsAcceptance::NoAlert) => Label::ClientCertAcceptedNoAlert,
                _ => Label::ClientCertAccepted,
            }
            .text(lang)
            .to_string(),
        ),
        Some(true) => parts.push(Label::ClientCertRequested.text(lang).to_string()),
        Some(false) => parts.push(Label::NoClientCertRequested.text(lang).to_string()),
        None => {}
    }
    if let Some(s) = r.http_status {
        parts.push(format!("HTTP {s}"));
    }
    if let Some(f) = &r.failure {
        parts.push(f.as_label().to_string());
    }
    parts.join(" · ")
}

//! The soak report as one self-contained HTML file (`report FILE --html OUT`, `soak --html OUT`):
//! a header (profile, mode, environment, span, rounds, verdict, the acceptance verdict when one
//! was judged, root causes first), per target a timeline strip with outages and flapping periods,
//! latency per phase, NTP offsets with the drift, round-robin members over time, the findings
//! with their 補N and advice, in the report's language. No script, font, image or fetch: inline
//! CSS and SVG, and a Content-Security-Policy that forbids the page any request, so it opens
//! from a USB stick on a closed network exactly as it was written.
//!
//! # Why hand-written SVG
//! plotters' SVG backend lays out text through a font backend (its `ttf` feature pulls font-kit
//! with FreeType/fontconfig, or `ab_glyph` needs a font file compiled in) just to place axis
//! labels, and writes elements without the ids and classes a reader or a test can find. These
//! charts are rectangles and stepped paths over columns the report already downsampled
//! ([`crate::model::Columns`]); the browser lays out their few labels itself. A few hundred lines
//! here cost less than a charting crate with native font dependencies on every platform.
//!
//! Reads `model`, `findings` and the soak renderer's style, words and grouping only; every
//! string from the journal goes through [`esc`].

mod svg;

use super::soak::{Style, drift_text, grouped};
use crate::findings::{self, labels::Label};
use crate::model::{SoakReport, Stamp, Status, TargetReport, display_target, human_duration};
use std::fmt::Write;

/// Outages and flapping periods listed per target; the JSON has them all.
const LIST: usize = 50;

/// An acceptance verdict judged elsewhere (`oqs-net accept`), shown right under the header when
/// given: the overall status and one row per criterion.
#[derive(Clone, Debug)]
pub struct AcceptanceView {
    pub status: Status,
    pub criteria: Vec<CriterionView>,
}

#[derive(Clone, Debug)]
pub struct CriterionView {
    pub name: String,
    pub wanted: String,
    pub measured: String,
    pub status: Status,
}

/// `text` safe in HTML text and in a quoted attribute.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "\
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1000px;color:#222;padding:0 1em}\
h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:1.6em}h3{font-size:1em;margin:1em 0 .2em}\
table{border-collapse:collapse;margin:.4em 0}td,th{padding:.15em .6em;text-align:left;vertical-align:top}\
th{font-weight:600}tbody tr:nth-child(odd){background:#f6f6f6}.num{text-align:right}\
dl.head{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}dl.head dt{font-weight:600}dl.head dd{margin:0}\
.st{font-weight:700;padding:0 .4em;border-radius:3px;color:#fff}.st-pass{background:#2e7d32}.st-warn{background:#b26a00}\
.st-fail{background:#c62828}.st-error{background:#6a1b9a}\
svg{width:100%;height:auto;display:block}svg text{font-size:10px;fill:#444}\
.none{fill:#e0e0e0}.up{fill:#43a047}.down{fill:#e53935}.mixed{fill:#fb8c00}.outage{fill:#b71c1c}\
.flap{fill:#ff9800;fill-opacity:.35;stroke:#e65100;stroke-width:1}\
.minmax{fill:#90caf9;fill-opacity:.5}.p95{fill:#1e88e5;fill-opacity:.6}\
.p50,.mean{fill:none;stroke:#0d47a1;stroke-width:1.5;vector-effect:non-scaling-stroke}\
.grid{stroke:#ddd;stroke-width:1}.member{fill:#7e57c2;fill-opacity:.7}svg text.addr{fill:#fff;font-size:9px}\
.key span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em;vertical-align:middle}\
.row{margin:.5em 0}.row .cap{font-size:.9em}.explained{margin-left:2em}.fix{margin:.1em 0 .6em 1.2em}\
";

/// The page. `journal` is the journal's path as the user gave it; `acceptance` the verdict of
/// `oqs-net accept` when one was judged.
pub fn render(
    r: &SoakReport,
    journal: &str,
    style: &Style,
    acceptance: Option<&AcceptanceView>,
) -> String {
    let mut out = String::with_capacity(256 * 1024);
    let lang = style.lang;
    let h = &r.header;
    let title = format!(
        "oqs-net {} · {}",
        style.w(Label::SoakReport),
        esc(&h.profile)
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{title}</title><style>{CSS}</style></head><body>\n<h1>{title}</h1>\n",
        if lang == findings::Lang::Ja {
            "ja"
        } else {
            "en"
        },
    );
    header(&mut out, r, journal, style);
    if let Some(a) = acceptance {
        acceptance_section(&mut out, a, style);
    }
    root_causes(&mut out, r, style);
    if let Some(c) = r.columns.as_ref() {
        let frame = svg::Frame::of(c);
        let slot = (h.interval_s * 1000.0).round() as i64;
        let last = r
            .last_round
            .map_or(frame.t1, |l| (l.0 + slot).min(frame.t1));
        targets(&mut out, r, style, &frame, last);
        latency(&mut out, r, style, &frame);
        ntp(&mut out, r, style, &frame);
        answer_sets(&mut out, r, style, &frame, last);
    }
    proxy_settings(&mut out, r, style);
    findings_section(&mut out, r, style);
    if !r.notes.is_empty() {
        let _ = write!(out, "<h2>{}</h2><ul>", style.w(Label::Notes));
        for n in &r.notes {
            let _ = write!(out, "<li>{}</li>", esc(n));
        }
        out.push_str("</ul>");
    }
    let _ = write!(
        out,
        "<p id=\"result\">{}: {}</p>\n</body></html>\n",
        style.w(Label::Result),
        badge(r.status)
    );
    out
}

fn badge(s: Status) -> String {
    format!(
        "<span class=\"st st-{}\">{}</span>",
        s.as_label(),
        s.as_label().to_uppercase()
    )
}

/// `NTP 127.0.0.12:123`: the kind and the target as the terminal page names them.
fn label(t: &TargetReport) -> String {
    format!(
        "{} {}",
        t.kind.replace('_', " ").to_uppercase(),
        display_target(&t.id)
    )
}

fn dur(secs: f64) -> String {
    human_duration(secs)
}

fn header(out: &mut String, r: &SoakReport, journal: &str, style: &Style) {
    let h = &r.header;
    out.push_str("<dl class=\"head\">");
    let mut row = |k: &str, v: String| {
        let _ = write!(out, "<dt>{k}</dt><dd>{v}</dd>");
    };
    row(
        style.w(Label::Profile),
        format!(
            "{} <small>({})</small>",
            esc(&h.profile),
            esc(&h.profile_source)
        ),
    );
    row(style.w(Label::Mode), esc(&h.mode));
    row(style.w(Label::Environment), esc(&h.environment));
    let span = match (r.first_round, r.last_round) {
        (Some(a), Some(b)) => format!("{} → {}", esc(&style.full(a)), esc(&style.full(b))),
        _ => style.w(Label::NoRound).to_string(),
    };
    row(style.w(Label::Soak), span);
    let every = if h.interval_s > 0.0 {
        format!("{} {}", style.w(Label::Every), dur(h.interval_s))
    } else {
        style.w(Label::BackToBack).to_string()
    };
    let state = if r.complete {
        style.w(Label::Complete)
    } else {
        style.w(Label::NotFinished)
    };
    let resumed = match r.segments {
        1 => String::new(),
        n => format!(" · {} {}", style.w(Label::Resumed), n - 1),
    };
    row(
        style.w(Label::RoundsTitle),
        format!(
            "{} {} · {} {}, {every}{resumed} · {state} · {} pass · {} warn · {} fail · {} error",
            dur(r.active_s),
            style.w(Label::Measured),
            r.rounds,
            style.w(Label::Rounds),
            r.round_status.pass,
            r.round_status.warn,
            r.round_status.fail,
            r.round_status.error
        ),
    );
    row(
        style.w(Label::FlapThresholds),
        format!("{:.0} % / {:.0} %", h.flap_high_pct, h.flap_low_pct),
    );
    let lab = match (h.lab, &h.lab_faults) {
        (true, Some(f)) => format!(" · lab, faults {}", esc(f)),
        (true, None) => " · lab".to_string(),
        _ => String::new(),
    };
    row(
        style.w(Label::WrittenBy),
        format!("{} · oqs-net {}{lab}", esc(journal), esc(&h.written_by)),
    );
    row(style.w(Label::Result), badge(r.status));
    out.push_str("</dl>\n");
}

fn acceptance_section(out: &mut String, a: &AcceptanceView, style: &Style) {
    let _ = write!(
        out,
        "<section id=\"acceptance\"><h2>{} {}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead><tbody>",
        style.w(Label::Acceptance),
        badge(a.status),
        style.w(Label::Criterion),
        style.w(Label::Wanted),
        style.w(Label::MeasuredValue)
    );
    for c in &a.criteria {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.name),
            esc(&c.wanted),
            esc(&c.measured),
            badge(c.status)
        );
    }
    out.push_str("</tbody></table></section>\n");
}

/// The findings no other explains, worst first, each with the number it explains.
fn root_causes(out: &mut String, r: &SoakReport, style: &Style) {
    let roots = grouped(r);
    if roots.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section id=\"root-causes\"><h2>{}</h2><ul>",
        style.w(Label::RootCauses)
    );
    for (root, explained) in &roots {
        let f = &r.findings[*root];
        let x = findings::render(f, style.lang);
        let _ = write!(
            out,
            "<li>{} <code>{}</code> [{}] {}{}</li>",
            badge(f.severity),
            f.code.as_label(),
            x.section,
            esc(&x.cause),
            crate::findings::labels::explains(explained.len(), style.lang)
        );
    }
    out.push_str("</ul></section>\n");
}

fn targets(out: &mut String, r: &SoakReport, style: &Style, f: &svg::Frame, last: i64) {
    if r.targets.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section id=\"targets\"><h2>{}</h2><p class=\"key\"><span class=\"up\" style=\"background:#43a047\"></span>{}<span style=\"background:#e53935\"></span>{}<span style=\"background:#fb8c00\"></span>{}<span style=\"background:#e0e0e0\"></span>{}<span style=\"background:#ffcc80;border:1px solid #e65100\"></span>{}<span style=\"background:#b71c1c;height:.3em\"></span>{}</p>",
        style.w(Label::Timeline),
        style.w(Label::Up),
        style.w(Label::Down),
        style.w(Label::UpAndDown),
        style.w(Label::NotMeasured),
        style.w(Label::Flapping),
        style.w(Label::Outages),
    );
    let tip = |a: i64, b: i64| {
        format!(
            "{} → {} ({})",
            style.short(Stamp(a)),
            style.short(Stamp(b)),
            dur(Stamp(a).secs_to(Stamp(b)))
        )
    };
    let when = |t: i64| style.short(Stamp(t));
    for (i, t) in r.targets.iter().enumerate() {
        let _ = write!(
            out,
            "<div class=\"row\" id=\"target-{i}\"><div class=\"cap\"><b>{}</b> · {} {:.3}% · {} {} · {} {} · {} {}</div>",
            esc(&label(t)),
            style.w(Label::Avail),
            t.availability_pct,
            style.w(Label::Changes),
            t.state_changes,
            style.w(Label::OutagesCol),
            t.outages_total,
            style.w(Label::Flapping),
            t.flaps.len()
        );
        svg::timeline(
            out,
            f,
            &format!("timeline-{i}"),
            &t.id,
            &t.columns.states,
            &t.outages,
            &t.flaps,
            last,
            &tip,
        );
        periods(out, t, style);
        out.push_str("</div>\n");
    }
    // The time axis once, under the strips.
    let _ = write!(
        out,
        "<svg class=\"axis\" viewBox=\"0 0 {} 14\">",
        svg::WIDTH
    );
    f.axis(out, 11.0, &when);
    out.push_str("</svg></section>\n");
}

/// A target's outages and flapping periods listed (start, end, length).
fn periods(out: &mut String, t: &TargetReport, style: &Style) {
    if t.outages.is_empty() && t.flaps.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<details><summary>{} {} · {} {}</summary>",
        style.w(Label::Outages),
        t.outages_total,
        style.w(Label::Flapping),
        t.flaps.len()
    );
    let _ = write!(
        out,
        "<table class=\"periods\"><thead><tr><th></th><th>{}</th><th>{}</th><th class=\"num\">{}</th><th></th></tr></thead><tbody>",
        style.w(Label::Start),
        style.w(Label::End),
        style.w(Label::Length)
    );
    for o in t.outages.iter().take(LIST) {
        let tail = if o.ongoing {
            style.w(Label::StillDown)
        } else if o.cut {
            style.w(Label::Interrupted)
        } else {
            ""
        };
        let _ = write!(
            out,
            "<tr class=\"outage-row\"><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{} {} {tail}</td></tr>",
            style.w(Label::Outages),
            esc(&style.short(o.start)),
            esc(&style.short(o.end)),
            dur(o.duration_s),
            o.rounds,
            if o.rounds == 1 {
                style.w(Label::Round)
            } else {
                style.w(Label::Rounds)
            }
        );
    }
    if t.outages_total > LIST as u64 {
        let _ = write!(
            out,
            "<tr><td colspan=\"5\">… {} {}</td></tr>",
            t.outages_total - LIST as u64,
            style.w(Label::MoreJson)
        );
    }
    for p in t.flaps.iter().take(LIST) {
        let end = match p.end {
            Some(e) => esc(&style.short(e)),
            None => style.w(Label::Ongoing).to_string(),
        };
        let _ = write!(
            out,
            "<tr class=\"flap-row\"><td>{}</td><td>{}</td><td>{end}</td><td class=\"num\">{}</td><td>{} {:.1} %</td></tr>",
            style.w(Label::Flapping),
            esc(&style.short(p.start)),
            dur(p.duration_s),
            style.w(Label::Peak),
            p.peak_score_pct
        );
    }
    out.push_str("</tbody></table></details>");
}

fn latency(out: &mut String, r: &SoakReport, style: &Style, f: &svg::Frame) {
    let with: Vec<(usize, &TargetReport)> = r
        .targets
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.columns.latency.is_empty())
        .collect();
    if with.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section id=\"latency\"><h2>{}</h2><p class=\"key\"><span style=\"background:#90caf9\"></span>{}<span style=\"background:#1e88e5\"></span>{}<span style=\"background:#0d47a1;height:.2em\"></span>{}</p>",
        style.w(Label::Latency),
        style.w(Label::MinMax),
        style.w(Label::P50P95),
        style.w(Label::Median)
    );
    let when = |t: i64| style.short(Stamp(t));
    for (i, t) in with {
        for (k, p) in t.columns.latency.iter().enumerate() {
            let whole = t.latency.iter().find(|l| l.phase == p.phase);
            let figures = whole
                .map(|l| {
                    format!(
                        " · p50 {:.3} · p95 {:.3} · p99 {:.3} · max {:.3} · {} {}",
                        l.p50_ms,
                        l.p95_ms,
                        l.p99_ms,
                        l.max_ms,
                        l.samples,
                        style.w(Label::Samples)
                    )
                })
                .unwrap_or_default();
            let _ = write!(
                out,
                "<div class=\"row\"><div class=\"cap\"><b>{}</b> · {} {}{figures}</div>",
                esc(&label(t)),
                style.w(Label::Phase),
                esc(&p.phase)
            );
            svg::latency(out, f, &format!("latency-{i}-{k}"), p, &when);
            out.push_str("</div>\n");
        }
    }
    out.push_str("</section>\n");
}

fn ntp(out: &mut String, r: &SoakReport, style: &Style, f: &svg::Frame) {
    let with: Vec<(usize, &TargetReport)> = r
        .targets
        .iter()
        .enumerate()
        .filter(|(_, t)| t.ntp.as_ref().is_some_and(|n| !n.series.is_empty()))
        .collect();
    if with.is_empty() && r.local_clock.is_none() {
        return;
    }
    let _ = write!(
        out,
        "<section id=\"ntp\"><h2>{}</h2><p class=\"key\"><span style=\"background:#90caf9\"></span>{}<span style=\"background:#0d47a1;height:.2em\"></span>{}</p>",
        style.w(Label::NtpOffset),
        style.w(Label::MinMax),
        style.w(Label::Mean)
    );
    let when = |t: i64| style.short(Stamp(t));
    let chart = |out: &mut String, id: String, name: String, n: &crate::model::NtpOffsets| {
        let fit = n
            .fit
            .as_ref()
            .map(|x| drift_text(x, style.lang))
            .unwrap_or_else(|| "–".into());
        let _ = write!(
            out,
            "<div class=\"row\"><div class=\"cap\"><b>{name}</b> · {} {:+.3} · {} {:+.3} · min {:+.3} · max {:+.3} · {} {fit}</div>",
            style.w(Label::First),
            n.first_ms,
            style.w(Label::Last),
            n.last_ms,
            n.min_ms,
            n.max_ms,
            style.w(Label::Drift)
        );
        svg::offsets(out, f, &id, n, &when);
        out.push_str("</div>\n");
    };
    for (i, t) in with {
        if let Some(n) = &t.ntp {
            chart(out, format!("offsets-{i}"), esc(&label(t)), n);
        }
    }
    if let Some(n) = r.local_clock.as_ref().filter(|n| !n.series.is_empty()) {
        chart(
            out,
            "offsets-local".into(),
            style.w(Label::LocalClock).into(),
            n,
        );
    }
    out.push_str("</section>\n");
}

fn answer_sets(out: &mut String, r: &SoakReport, style: &Style, f: &svg::Frame, last: i64) {
    let with: Vec<(usize, &TargetReport)> = r
        .targets
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.first_sets.is_empty())
        .collect();
    if with.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section id=\"answer-sets\"><h2>{}</h2>",
        style.w(Label::RrSets)
    );
    let when = |t: i64| style.short(Stamp(t));
    for (i, t) in with {
        let truncated = t.set_changes_total > t.set_changes.len() as u64;
        for (k, first) in t.first_sets.iter().enumerate() {
            let changes: Vec<&crate::model::SetChange> = t
                .set_changes
                .iter()
                .filter(|c| c.family == first.family)
                .collect();
            let until = if truncated {
                t.set_changes.last().map_or(last, |c| c.at.0)
            } else {
                last
            };
            let count = if changes.is_empty() {
                style.w(Label::NoChange).to_string()
            } else {
                format!("{} {}", changes.len(), style.w(Label::Changes))
            };
            let _ = write!(
                out,
                "<div class=\"row\"><div class=\"cap\"><b>{}</b> {} · {} {} {} · {count}{}</div>",
                esc(&display_target(&t.id)),
                esc(&first.family),
                style.w(Label::AtStart),
                first.set.len(),
                style.w(Label::Members),
                if truncated {
                    format!(" · {}", style.w(Label::NotDrawn))
                } else {
                    String::new()
                }
            );
            svg::members(
                out,
                f,
                &format!("members-{i}-{k}"),
                first,
                &changes,
                until,
                &when,
            );
            out.push_str("</div>\n");
        }
    }
    out.push_str("</section>\n");
}

fn proxy_settings(out: &mut String, r: &SoakReport, style: &Style) {
    for t in r.targets.iter().filter(|t| !t.settings_changes.is_empty()) {
        let _ = write!(
            out,
            "<section class=\"proxy\"><h2>{}</h2><table><tbody>",
            style.w(Label::ProxySettings)
        );
        for c in &t.settings_changes {
            let detect = match c.auto_detect {
                Some(true) => style.w(Label::AutoDetectOn),
                Some(false) => style.w(Label::AutoDetectOff),
                None => style.w(Label::AutoDetectUnknown),
            };
            let _ = write!(
                out,
                "<tr><td>{}</td><td>#{}</td><td>{detect}</td><td>{} {}</td></tr>",
                esc(&style.short(c.at)),
                c.seq,
                style.w(Label::Decides),
                esc(c.source.as_deref().unwrap_or("DIRECT"))
            );
        }
        out.push_str("</tbody></table></section>\n");
    }
}

/// Every finding, root causes first with those they explain under them: its 補N, its cause and
/// the advice.
fn findings_section(out: &mut String, r: &SoakReport, style: &Style) {
    if r.findings.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section id=\"findings\"><h2>{}</h2>",
        style.w(Label::Findings)
    );
    let one = |out: &mut String, i: usize, class: &str| {
        let f = &r.findings[i];
        let x = findings::render(f, style.lang);
        let _ = write!(
            out,
            "<div class=\"finding {class}\" data-code=\"{}\"><div>{} <code>{}</code> <b>[{}]</b> {}</div><div class=\"fix\">{} → {}</div></div>",
            f.code.as_label(),
            badge(f.severity),
            f.code.as_label(),
            x.section,
            esc(&x.cause),
            style.w(Label::Advice),
            esc(&x.fix)
        );
    };
    for (root, explained) in grouped(r) {
        one(out, root, "root");
        for j in explained {
            one(out, j, "explained");
        }
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests;

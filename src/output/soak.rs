//! Renderers of a soak report: a terminal page (per target availability, flapping periods, outages,
//! latency, NTP offset and drift, answer-set changes, findings) and JSON (the report as data, each
//! finding with its guide section and text). Read `model` and `findings` only; no sockets, no
//! clock: the time zone to show is given.

use super::json::{FindingView, finding};
use super::width::Align::{Left, Right};
use super::width::{Align, display_width, pad, pad_right, widen};
use crate::findings::labels::{self, Label};
use crate::findings::{self, Lang};
use crate::model::{SoakReport, Stamp, Status, TargetReport};
use std::fmt::Write;

pub struct Style {
    pub color: bool,
    pub lang: Lang,
    /// Times are shown in this zone (the JSON is always UTC).
    pub tz: jiff::tz::TimeZone,
}

impl Style {
    fn paint(&self, s: Status, text: &str) -> String {
        super::paint(self.color, s, text)
    }

    pub(crate) fn w(&self, w: Label) -> &'static str {
        w.text(self.lang)
    }

    pub(crate) fn zoned(&self, s: Stamp) -> Option<jiff::ZonedDateTime> {
        jiff::Timestamp::from_millisecond(s.0)
            .ok()
            .map(|t| t.to_zoned_datetime(self.tz.clone()))
    }

    /// `2025-06-01 10:00:00 JST`
    pub(crate) fn full(&self, s: Stamp) -> String {
        self.zoned(s)
            .map(|z| z.strftime("%Y-%m-%d %H:%M:%S %Z").to_string())
            .unwrap_or_else(|| s.rfc3339())
    }

    /// `06-01 10:00:00`
    pub(crate) fn short(&self, s: Stamp) -> String {
        self.zoned(s)
            .map(|z| z.strftime("%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| s.rfc3339())
    }
}

fn dur(secs: f64) -> String {
    crate::model::human_duration(secs)
}

/// `DNS ntp.base.oqs-pdl.org`, `NTP [fd0e:a5::11]:123`, `TLS CLIENT CERT client-certificate`; in
/// Japanese the rows that stand for no host by their kind alone (`電子証明書`).
fn label(t: &TargetReport, lang: Lang) -> String {
    let id = crate::model::display_target(&t.id);
    let id = labels::soak_id(&id, lang);
    let kind = labels::soak_kind(&t.kind, lang);
    if id.is_empty() {
        kind
    } else {
        format!("{kind} {id}")
    }
}

/// The label column of a table: as wide as its widest label (ten at least), with the title above
/// it standing over the rows' two-space indent.
fn label_width<'a>(
    targets: impl IntoIterator<Item = &'a TargetReport>,
    title: &str,
    lang: Lang,
) -> usize {
    targets
        .into_iter()
        .map(|t| display_width(&label(t, lang)))
        .fold(10, usize::max)
        .max(display_width(title).saturating_sub(2))
}

/// Each of `cells` after two spaces, padded by display width to its column.
fn cells_line<S: AsRef<str>>(out: &mut String, cells: &[S], widths: &[usize], aligns: &[Align]) {
    for ((c, width), align) in cells.iter().zip(widths).zip(aligns) {
        out.push_str("  ");
        out.push_str(&pad(c.as_ref(), *width, *align));
    }
}

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map(f).unwrap_or_else(|| "–".into())
}

/// Rows shown per target in the outage and answer-set lists; the JSON has them all.
const LIST: usize = 10;

pub fn human(r: &SoakReport, journal: &str, style: &Style) -> String {
    let mut out = String::new();
    let h = &r.header;
    let _ = writeln!(out, "oqs-net {} · {}", style.w(Label::SoakReport), journal);
    let lab = match (h.lab, &h.lab_faults) {
        (true, Some(f)) => format!(" · {} {f}", style.w(Label::LabFaults)),
        (true, None) => format!(" · {}", style.w(Label::Lab)),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{}  {} ({} / {}){lab} · {} oqs-net {}",
        style.w(Label::Profile),
        h.profile,
        labels::mode(&h.mode, style.lang),
        labels::environment(&h.environment, style.lang),
        style.w(Label::WrittenBy),
        h.written_by
    );
    let span = match (r.first_round, r.last_round) {
        (Some(a), Some(b)) => format!("{} → {}", style.full(a), style.full(b)),
        _ => style.w(Label::NoRound).to_string(),
    };
    let planned = match h.duration_s {
        Some(d) => format!(" {} {}", style.w(Label::Of), dur(d)),
        None => String::new(),
    };
    let state = if r.complete {
        style.w(Label::Complete).to_string()
    } else {
        let left = h
            .duration_s
            .map(|d| (d - r.active_s).max(0.0))
            .filter(|l| *l > 0.0)
            .map(|l| format!(", {} {}", dur(l), style.w(Label::Left)))
            .unwrap_or_default();
        format!(
            "{}{left} — {} `oqs-net soak --resume {journal}`",
            style.w(Label::NotFinished),
            style.w(Label::ContinueWith),
        )
    };
    let resumed = match r.segments {
        1 => String::new(),
        n => format!(" · {} {}", style.w(Label::Resumed), n - 1),
    };
    let _ = writeln!(out, "{}  {span}", style.w(Label::Soak));
    let every = if h.interval_s > 0.0 {
        format!("{} {}", style.w(Label::Every), dur(h.interval_s))
    } else {
        style.w(Label::BackToBack).to_string()
    };
    let _ = writeln!(
        out,
        "      {} {}{planned} · {} {}, {every}{resumed} · {state}",
        dur(r.active_s),
        style.w(Label::Measured),
        r.rounds,
        style.w(Label::Rounds),
    );
    let c = &r.round_status;
    let count = |st, n: u64| labels::status_count(st, n, style.lang);
    let _ = writeln!(
        out,
        "{}  {} · {} · {} · {} · {} {} ({} {}) · {} {:.0} % / {:.0} %",
        style.w(Label::RoundsTitle),
        count(crate::model::Status::Pass, c.pass),
        count(crate::model::Status::Warn, c.warn),
        count(crate::model::Status::Fail, c.fail),
        count(crate::model::Status::Error, c.error),
        r.overruns,
        style.w(Label::Overran),
        r.skipped_slots,
        if r.skipped_slots == 1 {
            style.w(Label::SlotSkipped)
        } else {
            style.w(Label::SlotsSkipped)
        },
        style.w(Label::FlapThresholds),
        h.flap_high_pct,
        h.flap_low_pct,
    );

    if !r.targets.is_empty() {
        let heads = [
            style.w(Label::NowCol),
            style.w(Label::Avail),
            style.w(Label::Changes),
            style.w(Label::OutagesCol),
            style.w(Label::Longest),
            "MTBF",
            "MTTR",
        ];
        let aligns = [Left, Right, Right, Right, Right, Right, Right];
        let mut widths = [4, 9, 7, 7, 8, 8, 8];
        let rows: Vec<(&TargetReport, [String; 7])> = r
            .targets
            .iter()
            .map(|t| {
                let now = labels::up_down(t.up, style.lang);
                let cells = [
                    now.to_string(),
                    format!("{:.3}%", t.availability_pct),
                    t.state_changes.to_string(),
                    t.outages_total.to_string(),
                    opt(t.longest_outage.as_ref().map(|o| o.duration_s), dur),
                    opt(t.mtbf_s, dur),
                    opt(t.mttr_s, dur),
                ];
                (t, cells)
            })
            .collect();
        widen(&mut widths, &heads);
        for (_, cells) in &rows {
            widen(&mut widths, cells);
        }
        let title = style.w(Label::Targets);
        let w = label_width(&r.targets, title, style.lang);
        let _ = write!(out, "\n{}", pad_right(title, w + 2));
        cells_line(&mut out, &heads, &widths, &aligns);
        let _ = writeln!(out, "  {}", style.w(Label::FlappingCol));
        for (t, cells) in rows {
            let flapping = match (t.flaps.len(), t.flapping) {
                (0, _) => "–".to_string(),
                (n, true) => format!("{n} ({})", style.w(Label::FlappingNow)),
                (n, false) => n.to_string(),
            };
            let now = pad(&cells[0], widths[0], aligns[0]);
            let now = style.paint(if t.up { Status::Pass } else { Status::Fail }, &now);
            let _ = write!(out, "  {}  {now}", pad_right(&label(t, style.lang), w));
            cells_line(&mut out, &cells[1..], &widths[1..], &aligns[1..]);
            let _ = writeln!(out, "  {flapping}");
        }
    }

    let flapping: Vec<&TargetReport> = r.targets.iter().filter(|t| !t.flaps.is_empty()).collect();
    if !flapping.is_empty() {
        let _ = writeln!(out, "\n{}", style.w(Label::Flapping));
        for t in flapping {
            for f in &t.flaps {
                let end = match f.end {
                    Some(e) => style.short(e),
                    None => style.w(Label::Ongoing).to_string(),
                };
                let _ = writeln!(
                    out,
                    "  {}  {} → {end}  ({})  {} {:.1} %",
                    label(t, style.lang),
                    style.short(f.start),
                    dur(f.duration_s),
                    style.w(Label::Peak),
                    f.peak_score_pct
                );
            }
        }
    }

    let down: Vec<&TargetReport> = r.targets.iter().filter(|t| t.outages_total > 0).collect();
    if !down.is_empty() {
        let _ = writeln!(out, "\n{}", style.w(Label::Outages));
        for t in down {
            for o in t.outages.iter().take(LIST) {
                let tail = if o.ongoing {
                    format!(" {}", style.w(Label::StillDown))
                } else if o.cut {
                    format!(" {}", style.w(Label::Interrupted))
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "  {}  {} → {}  {} ({} {}){tail}",
                    label(t, style.lang),
                    style.short(o.start),
                    style.short(o.end),
                    dur(o.duration_s),
                    o.rounds,
                    if o.rounds == 1 {
                        style.w(Label::Round)
                    } else {
                        style.w(Label::Rounds)
                    },
                );
            }
            if t.outages_total > LIST as u64 {
                let _ = writeln!(
                    out,
                    "  {}  … {} {}",
                    label(t, style.lang),
                    t.outages_total - LIST as u64,
                    style.w(Label::MoreJson)
                );
            }
        }
    }

    let with_lat: Vec<&TargetReport> = r.targets.iter().filter(|t| !t.latency.is_empty()).collect();
    if !with_lat.is_empty() {
        let title = style.w(Label::Latency);
        let heads = [
            style.w(Label::Phase),
            "p50",
            "p95",
            "p99",
            style.w(Label::Max),
            style.w(Label::Samples),
            style.w(Label::LimitCol),
        ];
        let aligns = [Left, Right, Right, Right, Right, Right, Right];
        let mut widths = [11, 9, 9, 9, 9, 8, 8];
        let rows: Vec<(&TargetReport, [String; 7])> = with_lat
            .iter()
            .flat_map(|t| {
                t.latency.iter().map(move |l| {
                    let cells = [
                        labels::value("stage", &l.phase.to_string(), style.lang).into_owned(),
                        format!("{:.3}", l.p50_ms),
                        format!("{:.3}", l.p95_ms),
                        format!("{:.3}", l.p99_ms),
                        format!("{:.3}", l.max_ms),
                        l.samples.to_string(),
                        // The profile's slowness threshold, marked when the p95 reached it.
                        match l.threshold_ms {
                            Some(t) if l.p95_ms >= t => format!("! {t:.0}"),
                            Some(t) => format!("{t:.0}"),
                            None => "–".into(),
                        },
                    ];
                    (*t, cells)
                })
            })
            .collect();
        widen(&mut widths, &heads);
        for (_, cells) in &rows {
            widen(&mut widths, cells);
        }
        let w = label_width(with_lat.iter().copied(), title, style.lang);
        let _ = write!(out, "\n{}", pad_right(title, w + 2));
        cells_line(&mut out, &heads, &widths, &aligns);
        out.push('\n');
        for (t, cells) in rows {
            let _ = write!(out, "  {}", pad_right(&label(t, style.lang), w));
            cells_line(&mut out, &cells, &widths, &aligns);
            out.push('\n');
        }
    }

    let with_ntp: Vec<&TargetReport> = r.targets.iter().filter(|t| t.ntp.is_some()).collect();
    if !with_ntp.is_empty() || r.local_clock.is_some() {
        let _ = writeln!(out, "\n{}", style.w(Label::NtpOffset));
        for t in with_ntp {
            let Some(n) = &t.ntp else { continue };
            let drift = n
                .fit
                .as_ref()
                .map(|f| format!("{:+.1} ± {:.1} ppm", f.local_drift_ppm, f.stderr_ppm))
                .unwrap_or_else(|| "–".into());
            let _ = writeln!(
                out,
                "  {}  {} {:+.3} · {} {:+.3} · {} {:+.3} · {} {:+.3} · {} {drift}",
                label(t, style.lang),
                style.w(Label::First),
                n.first_ms,
                style.w(Label::Last),
                n.last_ms,
                style.w(Label::Min),
                n.min_ms,
                style.w(Label::Max),
                n.max_ms,
                style.w(Label::Drift),
            );
            for st in &n.steps {
                let _ = writeln!(
                    out,
                    "    {}  {} {:+.1} ms ({:+.3} → {:+.3})",
                    style.short(st.at),
                    style.w(Label::Step),
                    st.step_ms,
                    st.from_ms,
                    st.to_ms
                );
            }
        }
        if let Some(series) = r.local_clock.as_ref().map(|l| &l.series)
            && series.len() > 1
        {
            // At most eight points of the median offset over the soak, evenly spread.
            let n = series.len();
            let picks: Vec<usize> = if n <= 8 {
                (0..n).collect()
            } else {
                (0..8).map(|i| i * (n - 1) / 7).collect()
            };
            let points: Vec<String> = picks
                .iter()
                .map(|&i| format!("{} {:+.3}", style.short(series[i].start), series[i].mean_ms))
                .collect();
            let _ = writeln!(
                out,
                "  {}: {}",
                style.w(Label::MedianOverTime),
                points.join(" · ")
            );
        }
        if let Some(fit) = r.local_clock.as_ref().and_then(|l| l.fit.as_ref()) {
            let _ = writeln!(
                out,
                "  {}: {}",
                style.w(Label::LocalClock),
                drift_text(fit, style.lang)
            );
        }
    }

    let with_sets: Vec<&TargetReport> = r
        .targets
        .iter()
        .filter(|t| !t.first_sets.is_empty())
        .collect();
    if !with_sets.is_empty() {
        let _ = writeln!(out, "\n{}", style.w(Label::RrSets));
        for t in with_sets {
            let name = crate::model::display_target(&t.id);
            for s in &t.first_sets {
                let _ = writeln!(
                    out,
                    "  {name} {} {}: {}",
                    s.family,
                    style.w(Label::AtStart),
                    s.set.join(" ")
                );
            }
            for c in t.set_changes.iter().take(LIST) {
                let mut parts = Vec::new();
                parts.extend(c.removed.iter().map(|a| format!("−{a}")));
                parts.extend(c.added.iter().map(|a| format!("+{a}")));
                let _ = writeln!(
                    out,
                    "    {}  {} {}  → {} {}",
                    style.short(c.at),
                    c.family,
                    parts.join(" "),
                    c.set.len(),
                    style.w(Label::Members)
                );
            }
            if t.set_changes_total > LIST as u64 {
                let _ = writeln!(
                    out,
                    "    … {} {}",
                    t.set_changes_total - LIST as u64,
                    style.w(Label::MoreChanges)
                );
            }
            if t.set_changes_total == 0 {
                let _ = writeln!(out, "    {}", style.w(Label::NoChange));
            }
        }
    }

    let with_settings: Vec<&TargetReport> = r
        .targets
        .iter()
        .filter(|t| !t.settings_changes.is_empty())
        .collect();
    for t in with_settings {
        let _ = writeln!(out, "\n{}", style.w(Label::ProxySettings));
        for (i, c) in t.settings_changes.iter().enumerate() {
            let detect = match c.auto_detect {
                Some(true) => style.w(Label::AutoDetectOn),
                Some(false) => style.w(Label::AutoDetectOff),
                None => style.w(Label::AutoDetectUnknown),
            };
            let source = labels::proxy_source(c.source.as_deref().unwrap_or("DIRECT"), style.lang);
            let when = if i == 0 {
                style.w(Label::AtStart).to_string()
            } else {
                Label::FromRound.with(style.lang, c.seq)
            };
            let _ = writeln!(
                out,
                "  {}  {detect} {when} · {} {source}",
                style.short(c.at),
                style.w(Label::Decides)
            );
        }
    }

    let with_values: Vec<&TargetReport> = r
        .targets
        .iter()
        .filter(|t| t.cert_changes.len() > 1 || t.way_changes.len() > 1)
        .collect();
    if !with_values.is_empty() {
        let _ = writeln!(out, "\n{}", style.w(Label::WaysChanged));
        for t in with_values {
            let name = crate::model::display_target(&t.id);
            for c in t
                .cert_changes
                .iter()
                .chain(&t.way_changes)
                .filter(|c| c.from.is_some())
                .take(LIST)
            {
                let _ = writeln!(
                    out,
                    "  {}  {name}  {} → {}{}",
                    style.short(c.at),
                    c.from.as_deref().unwrap_or("-"),
                    c.to,
                    if c.across_resume {
                        style.w(Label::FoundAfterResume)
                    } else {
                        ""
                    }
                );
            }
        }
    }

    if !r.findings.is_empty() {
        let _ = writeln!(out, "\n{}", style.w(Label::Findings));
        // Root causes first, each with the findings it explains indented under it.
        for (root, explained) in grouped(r) {
            let f = &r.findings[root];
            let x = findings::render(f, style.lang);
            let count = labels::explains(explained.len(), style.lang);
            let _ = writeln!(
                out,
                "  {} {} [{}] {}{count}",
                style.paint(f.severity, "▸"),
                f.code.as_label(),
                x.section,
                x.cause
            );
            let _ = writeln!(out, "    → {}", x.fix);
            for j in explained {
                let e = &r.findings[j];
                let y = findings::render(e, style.lang);
                let _ = writeln!(
                    out,
                    "      {} {} [{}] {}",
                    style.paint(e.severity, "▹"),
                    e.code.as_label(),
                    y.section,
                    y.cause
                );
                let _ = writeln!(out, "        → {}", y.fix);
            }
        }
    }

    if !r.notes.is_empty() {
        let _ = writeln!(out, "\n{}", style.w(Label::Notes));
        for n in &r.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }

    let verdict = style.paint(r.status, labels::status(r.status, style.lang));
    let _ = writeln!(out, "\n{}: {verdict}", style.w(Label::Result));
    out
}

/// A clock's drift as both pages say it: `-12.0 ± 0.3 ppm (fitted over 7d 0h 0m, ≈ 1.0 s a
/// day) — runs slow`; a drift within three standard errors is none to tell.
pub(crate) fn drift_text(fit: &crate::model::DriftFit, lang: Lang) -> String {
    let verdict = match fit.local_drift_ppm {
        d if d.abs() < 3.0 * fit.stderr_ppm || d == 0.0 => Label::NoDrift,
        d if d > 0.0 => Label::RunsFast,
        _ => Label::RunsSlow,
    };
    format!(
        "{:+.1} ± {:.1} ppm ({} {}, ≈ {:.1} {}){}",
        fit.local_drift_ppm,
        fit.stderr_ppm,
        Label::FittedOver.text(lang),
        dur(fit.span_s),
        fit.local_drift_ppm.abs() * 86_400.0 / 1e6,
        Label::SADay.text(lang),
        verdict.text(lang)
    )
}

/// The soak's findings as root causes (indices into `r.findings`, worst first), each with the
/// findings it explains; a finding explained by several roots goes under the first.
pub(crate) fn grouped(r: &SoakReport) -> Vec<(usize, Vec<usize>)> {
    let all: Vec<&crate::model::Finding> = r.findings.iter().collect();
    let mut roots = findings::causes::roots(&all);
    roots.sort_by(|a, b| r.findings[b.0].severity.cmp(&r.findings[a.0].severity));
    let mut placed = vec![false; all.len()];
    for (root, explained) in &mut roots {
        placed[*root] = true;
        explained.retain(|j| !std::mem::replace(&mut placed[*j], true));
    }
    roots
}

/// A soak finding that no other explains, by its place in `findings`, and the places of those it
/// explains.
#[derive(serde::Serialize, schemars::JsonSchema)]
struct RootCauseView {
    finding: usize,
    code: &'static str,
    section: &'static str,
    explains: Vec<usize>,
}

#[derive(serde::Serialize, schemars::JsonSchema)]
pub(crate) struct JsonView<'a> {
    journal: &'a str,
    lang: Lang,
    #[serde(flatten)]
    report: &'a SoakReport,
    root_causes: Vec<RootCauseView>,
    findings: Vec<FindingView<'a>>,
}

/// The report as JSON (`schema_version`, described in docs/soak.md): the model as serde writes
/// it, with each finding's guide section, cause and fix in `lang`.
pub fn json(r: &SoakReport, journal: &str, lang: Lang) -> String {
    let view = JsonView {
        journal,
        lang,
        report: r,
        root_causes: grouped(r)
            .into_iter()
            .map(|(i, explains)| {
                let code = r.findings[i].code;
                RootCauseView {
                    finding: i,
                    code: code.as_label(),
                    section: findings::entry(code).section,
                    explains,
                }
            })
            .collect(),
        findings: r.findings.iter().map(|f| finding(f, lang)).collect(),
    };
    match serde_json::to_value(&view) {
        Ok(v) => super::envelope::finish(r.schema_version, v),
        Err(e) => super::envelope::error(r.schema_version, "harness", &e.to_string()),
    }
}

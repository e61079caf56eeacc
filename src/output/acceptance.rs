//! An acceptance run's verdict: the terminal table (each criterion with its value beside its
//! limit, then what to do about each failure with its 補N), JUnit XML (one testsuite per area,
//! one testcase per criterion), the JSON envelope, and a monitoring-plugin status line. Reads
//! `model` and `findings` only; decides nothing.

use super::nagios::{State, clean, num};
use super::width::{display_width, pad_right};
use crate::findings::acceptance as words;
use crate::findings::labels::Label;
use crate::findings::{self, Lang};
use crate::model::{
    AcceptanceReport, Area, Code, CriterionResult, Finding, Limit, Measured, Mode, Status, Unit,
    Verdict, display_target,
};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use serde::Serialize;
use std::fmt::Write;

/// The number as the table shows it: at most three decimals, no trailing zeros.
fn number(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Count | Unit::Days => format!("{}", v.round() as i64),
        _ => num(v),
    }
}

/// The value measured, with its unit, and where (the worst target).
pub fn measured(r: &CriterionResult, lang: Lang) -> String {
    let v = match &r.measured {
        None => return Label::AccNotMeasured.text(lang).to_string(),
        Some(Measured::Number(v)) => format!("{}{}", number(*v, r.unit), words::unit(r.unit, lang)),
        Some(Measured::Text(t)) => common_name(t).to_string(),
    };
    match (&r.subject, &r.measured) {
        (Some(s), Some(Measured::Number(_)))
            if r.unit != Unit::Days && (r.verdict != Verdict::Pass || r.unit != Unit::Count) =>
        {
            format!("{v} ({})", display_target(s))
        }
        _ => v,
    }
}

/// A DN's common name (`CN=`), or the whole DN.
fn common_name(dn: &str) -> &str {
    dn.split(',')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("CN="))
        .unwrap_or(dn)
}

/// The limit, with its unit.
pub fn limit(r: &CriterionResult, lang: Lang) -> String {
    let u = words::unit(r.unit, lang);
    match &r.limit {
        Limit::AtLeast(l) => format!("≥ {}{u}", number(*l, r.unit)),
        Limit::AtMost(l) => format!("≤ {}{u}", number(*l, r.unit)),
        Limit::OneOf(names) => format!("{}: {}", Label::AccOneOf.text(lang), names.join(" / ")),
    }
}

/// The finding a failed criterion stands for, with its values and the line's mode, for the
/// catalogue's text.
fn finding(r: &CriterionResult, mode: Mode, lang: Lang) -> Option<Finding> {
    let code = r.code?;
    let subject = match code {
        Code::AcceptNotMeasured => words::criterion(r.id, lang).to_string(),
        _ => r.subject.as_deref().map(display_target).unwrap_or_default(),
    };
    let m = match &r.measured {
        Some(Measured::Number(v)) => number(*v, r.unit),
        Some(Measured::Text(t)) => t.clone(),
        None => String::new(),
    };
    let l = match &r.limit {
        Limit::AtLeast(l) | Limit::AtMost(l) => number(*l, r.unit),
        Limit::OneOf(n) => n.join(" / "),
    };
    Some(
        Finding::new(code, Status::Fail, subject)
            .with("measured", m)
            .with("limit", l)
            .with("mode", mode.as_label()),
    )
}

/// The advice for a failed criterion: `code [補N] fix`.
pub fn advice(r: &CriterionResult, mode: Mode, lang: Lang) -> Option<(Code, &'static str, String)> {
    let f = finding(r, mode, lang)?;
    let t = findings::render(&f, lang);
    Some((f.code, t.section, t.fix))
}

/// The terminal table.
pub fn human(a: &AcceptanceReport, journal: &str, lang: Lang, color: bool) -> String {
    let mut out = String::new();
    let (profile, source) = a
        .soak
        .as_ref()
        .map(|s| (s.header.profile.as_str(), s.header.profile_source.as_str()))
        .unwrap_or(("?", "?"));
    let _ = writeln!(
        out,
        "{} — {profile} ({source}, {})",
        Label::AccTitle.text(lang),
        a.mode.as_label()
    );
    let span = match (a.first_round, a.last_round) {
        (Some(f), Some(l)) => format!(" — {} → {}", f.rfc3339_secs(), l.rfc3339_secs()),
        _ => String::new(),
    };
    let _ = writeln!(out, "{} {}{span}", a.rounds, Label::AccRounds.text(lang));
    let _ = writeln!(out, "{}: {journal}\n", Label::AccJournal.text(lang));
    let rows: Vec<[String; 5]> = a
        .results
        .iter()
        .map(|r| {
            let result = match (r.verdict, r.blocked_by) {
                (Verdict::Blocked, Some(by)) => format!(
                    "{} ({} {})",
                    words::verdict(r.verdict, lang),
                    Label::AccBlockedBy.text(lang),
                    by.as_label()
                ),
                _ => words::verdict(r.verdict, lang).to_string(),
            };
            [
                words::area(r.area, lang).to_string(),
                words::criterion(r.id, lang).to_string(),
                measured(r, lang),
                limit(r, lang),
                result,
            ]
        })
        .collect();
    let head = [
        Label::AccArea.text(lang),
        Label::AccCriterion.text(lang),
        Label::AccMeasured.text(lang),
        Label::AccLimit.text(lang),
        Label::AccResult.text(lang),
    ]
    .map(String::from);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&head).chain(rows.iter()) {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(display_width(cell));
        }
    }
    let line = |cells: &[String; 5], paint: Option<Verdict>| {
        let mut s = String::from(" ");
        for (i, c) in cells.iter().enumerate() {
            s.push(' ');
            if i == 4 {
                s.push_str(&paint_verdict(c, paint, color));
            } else {
                s.push_str(&pad_right(c, widths[i]));
                s.push(' ');
            }
        }
        s.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(&head, None));
    for (row, r) in rows.iter().zip(&a.results) {
        let _ = writeln!(out, "{}", line(row, Some(r.verdict)));
    }
    let failed: Vec<&CriterionResult> = a.failed().filter(|r| r.code.is_some()).collect();
    if !failed.is_empty() {
        out.push('\n');
        for r in failed {
            if let Some((code, section, fix)) = advice(r, a.mode, lang) {
                let _ = writeln!(
                    out,
                    "  ✗ {} — {} [{section}]",
                    words::criterion(r.id, lang),
                    code.as_label()
                );
                if r.offenders.len() > 1 {
                    let names: Vec<String> =
                        r.offenders.iter().map(|o| display_target(o)).collect();
                    let _ = writeln!(out, "    {}: {}", Label::AccAt.text(lang), names.join(", "));
                }
                let _ = writeln!(out, "    → {fix}");
            }
        }
    }
    let n = a.failed().count();
    let total = a.results.len();
    let verdict = if a.passed {
        format!("{} ({total}/{total})", Label::AccPassed.text(lang))
    } else {
        format!("{} ({n}/{total})", Label::AccFailed.text(lang))
    };
    let v = if a.passed {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    let _ = writeln!(out, "\n{}", paint_verdict(&verdict, Some(v), color));
    out
}

fn paint_verdict(text: &str, v: Option<Verdict>, color: bool) -> String {
    let code = match v {
        Some(Verdict::Pass) => "32",
        Some(Verdict::Fail | Verdict::NotMeasured) => "31",
        Some(Verdict::Blocked) => "33",
        None => return text.to_string(),
    };
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// JUnit XML: one testsuite per area, one testcase per criterion; a failed criterion's type is
/// its finding code, its text the value beside the limit, the advice and 補N; the values
/// measured are properties.
pub fn junit(
    a: &AcceptanceReport,
    journal: &str,
    lang: Lang,
) -> Result<String, quick_junit::SerializeError> {
    let profile = a.soak.as_ref().map_or("?", |s| s.header.profile.as_str());
    let mut report = Report::new(format!("oqs-net accept {profile}"));
    let stamp = a
        .first_round
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s.rfc3339()).ok());
    if let Some(t) = stamp {
        report.set_timestamp(t);
    }
    if let (Some(f), Some(l)) = (a.first_round, a.last_round) {
        report.set_time(std::time::Duration::from_millis((l.0 - f.0).max(0) as u64));
    }
    let mut suites: Vec<(Area, TestSuite)> = Vec::new();
    for r in &a.results {
        let at = match suites.iter().position(|(k, _)| *k == r.area) {
            Some(i) => i,
            None => {
                let mut s = TestSuite::new(format!("oqs-net.accept.{}", r.area.as_label()));
                if let Some(t) = stamp {
                    s.set_timestamp(t);
                }
                s.add_properties([
                    Property::new("profile", profile),
                    Property::new("mode", a.mode.as_label()),
                    Property::new("journal", journal),
                    Property::new("rounds", a.rounds.to_string()),
                ]);
                suites.push((r.area, s));
                suites.len() - 1
            }
        };
        suites[at].1.add_test_case(case(r, profile, a.mode, lang));
    }
    report.add_test_suites(suites.into_iter().map(|(_, s)| s));
    report.to_string()
}

fn case(r: &CriterionResult, profile: &str, mode: Mode, lang: Lang) -> TestCase {
    let status = match r.verdict {
        Verdict::Pass => TestCaseStatus::success(),
        Verdict::Blocked => {
            let mut st = TestCaseStatus::skipped();
            if let Some(by) = r.blocked_by {
                st.set_message(format!(
                    "{} {}",
                    Label::AccBlockedBy.text(lang),
                    by.as_label()
                ));
            }
            st
        }
        Verdict::Fail | Verdict::NotMeasured => {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let head = format!(
                "{}: {} ({} {})",
                words::criterion(r.id, lang),
                measured(r, lang),
                Label::AccLimit.text(lang),
                limit(r, lang)
            );
            if let Some((code, section, fix)) = advice(r, mode, lang) {
                st.set_type(code.as_label());
                st.set_message(format!("{} [{section}] {head}", code.as_label()));
                let mut text = format!("{head}\n→ {fix} ({section})\n");
                if !r.offenders.is_empty() {
                    let names: Vec<String> =
                        r.offenders.iter().map(|o| display_target(o)).collect();
                    let _ = writeln!(text, "{}: {}", Label::AccAt.text(lang), names.join(", "));
                }
                st.set_description(text);
            }
            st
        }
    };
    let mut tc = TestCase::new(r.id.as_label(), status);
    tc.set_classname(format!("oqs-net.accept.{profile}.{}", r.area.as_label()));
    tc.add_properties([
        Property::new("verdict", verdict_label(r.verdict)),
        Property::new("measured", measured(r, Lang::En)),
        Property::new("limit", limit(r, Lang::En)),
    ]);
    if let Some(Measured::Number(v)) = &r.measured {
        tc.add_property(Property::new("measured_value", num(*v)));
    }
    for s in &r.samples {
        tc.add_property(Property::new(
            format!("value {}", display_target(&s.subject)),
            num(s.value),
        ));
    }
    tc
}

fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::NotMeasured => "not_measured",
        Verdict::Blocked => "blocked",
    }
}

/// What `accept --json` writes (its schema is `docs/schema/accept.json`).
#[derive(Serialize, schemars::JsonSchema)]
pub struct JsonView<'a> {
    /// The soak journal judged, kept as evidence.
    pub journal: &'a str,
    pub profile: &'a str,
    pub lang: Lang,
    #[serde(flatten)]
    pub report: &'a AcceptanceReport,
    /// Per failed criterion, in the order of `results`: the finding code, 補N and what to do.
    pub advice: Vec<AdviceView>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct AdviceView {
    pub criterion: crate::model::CriterionId,
    pub code: Code,
    pub section: &'static str,
    pub fix: String,
}

/// The JSON envelope of an acceptance run.
pub fn json(a: &AcceptanceReport, journal: &str, lang: Lang) -> String {
    let view = JsonView {
        journal,
        profile: a.soak.as_ref().map_or("?", |s| s.header.profile.as_str()),
        lang,
        report: a,
        advice: a
            .failed()
            .filter_map(|r| {
                advice(r, a.mode, lang).map(|(code, section, fix)| AdviceView {
                    criterion: r.id,
                    code,
                    section,
                    fix,
                })
            })
            .collect(),
    };
    let version = crate::model::ACCEPT_SCHEMA_VERSION;
    match serde_json::to_value(&view) {
        Ok(v) => super::envelope::finish(version, v),
        Err(e) => super::envelope::error(version, "harness", &e.to_string()),
    }
}

/// The plugin state: a failed criterion is CRITICAL; criteria only unmeasured are UNKNOWN.
pub fn state(a: &AcceptanceReport) -> State {
    if a.passed {
        State::Ok
    } else if a.results.iter().any(|r| r.verdict == Verdict::Fail) {
        State::Critical
    } else {
        State::Unknown
    }
}

/// One status line (the first failed criterion, root causes come first), performance data, and
/// a line per other failed criterion.
pub fn nagios(a: &AcceptanceReport, lang: Lang) -> super::nagios::Plugin {
    let state = state(a);
    let failed: Vec<&CriterionResult> = a.failed().filter(|r| r.code.is_some()).collect();
    let line = |r: &CriterionResult| {
        let (code, section) = advice(r, a.mode, lang)
            .map(|(c, s, _)| (c.as_label(), s))
            .unwrap_or(("", ""));
        format!(
            "{code} [{section}] {}: {} ({} {})",
            words::criterion(r.id, lang),
            measured(r, lang),
            Label::AccLimit.text(lang),
            limit(r, lang)
        )
    };
    let headline = match failed.first() {
        Some(r) => {
            let more = failed.len() - 1;
            let mut s = line(r);
            if more > 0 {
                s.push_str(&Label::AndMore.with(lang, more));
            }
            s
        }
        None => Label::AllCriteriaHold.with(lang, a.results.len()),
    };
    let mut text = format!(
        "OQS-NET-ACCEPT {} - {} | {}\n",
        state.as_label(),
        clean(&headline),
        perfdata(a).join(" ")
    );
    for r in failed.iter().skip(1) {
        let _ = writeln!(text, "{}", clean(&line(r)));
    }
    super::nagios::Plugin { text, state }
}

/// The numbers a monitor graphs, with the limits as the critical threshold.
fn perfdata(a: &AcceptanceReport) -> Vec<String> {
    use crate::model::CriterionId as C;
    let mut out = Vec::new();
    for r in &a.results {
        let v = match &r.measured {
            Some(Measured::Number(v)) => Some(*v),
            _ => None,
        };
        let (label, uom) = match r.id {
            C::Availability => ("availability_pct", "%"),
            C::Flapping => ("flaps", ""),
            C::NtpOffset => ("ntp_offset_ms", "ms"),
            C::TlsHandshake => ("tls_handshake_p95_ms", "ms"),
            C::CertDays => ("cert_days", ""),
            C::NtpMembers => ("ntp_members_silent", ""),
            C::LastRound => ("last_round_failed", ""),
            _ => continue,
        };
        // The monitoring-plugins range syntax: `N` alerts above N, `N:` below N.
        let crit = match &r.limit {
            Limit::AtMost(l) => num(*l),
            Limit::AtLeast(l) => format!("{}:", num(*l)),
            Limit::OneOf(_) => String::new(),
        };
        let value = v.map_or_else(|| "U".to_string(), |v| format!("{}{uom}", num(v)));
        let p = format!("'{label}'={value};;{crit}");
        out.push(p);
    }
    out
}

/// The verdict as the HTML report's acceptance section shows it: each criterion's name, limit,
/// measured value and verdict (one not judged, explained by an earlier failure, as a warning).
pub fn html_view(a: &AcceptanceReport, lang: Lang) -> super::html::AcceptanceView {
    super::html::AcceptanceView {
        status: if a.passed { Status::Pass } else { Status::Fail },
        criteria: a
            .results
            .iter()
            .map(|r| super::html::CriterionView {
                name: words::criterion(r.id, lang).to_string(),
                wanted: limit(r, lang),
                measured: measured(r, lang),
                status: match r.verdict {
                    Verdict::Pass => Status::Pass,
                    Verdict::Blocked => Status::Warn,
                    Verdict::Fail | Verdict::NotMeasured => Status::Fail,
                },
            })
            .collect(),
    }
}

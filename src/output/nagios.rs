//! One round as a monitoring plugin reports it (`oqs-net probe --format nagios`), for the monitors
//! operators already run (Nagios, Icinga, Zabbix external checks), by the monitoring-plugins
//! conventions: one status line `OQS-NET STATE - <the root cause: code, 補N, cause>` with
//! performance data after `|`, then long text lines, and the state as the exit code
//! (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). Reads `model` and `findings` only.
//!
//! Performance data, in the syntax of Debian's monitoring-plugins (`'label'=value[UOM];warn;crit;min;max`,
//! `U` for a value not measured):
//! - `'ntp_offset_ms'`: the offset of largest magnitude among the NTP servers that answered, signed,
//!   with the profile's warn and fail thresholds (which apply to its magnitude, as with
//!   `check_ntp_time`'s `offset`); `'ntp_servers_answering'` out of the servers asked.
//! - `'tls_handshake_ms NAME'` per TLS endpoint of the profile.
//! - `'dns_ms NAME RECORD'` per name and record type the mode uses: the median time of the answered
//!   queries.

use crate::findings::labels::{self, Label};
use crate::findings::{self, Lang};
use crate::model::{CheckData, Finding, NtpSettings, Round, Status};
use std::fmt::Write;

/// The plugin states, with their exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}

impl State {
    pub fn as_label(self) -> &'static str {
        match self {
            State::Ok => "OK",
            State::Warning => "WARNING",
            State::Critical => "CRITICAL",
            State::Unknown => "UNKNOWN",
        }
    }

    pub fn exit_code(self) -> u8 {
        self as u8
    }

    /// A round's state: a failed check is CRITICAL even beside one that could not be carried out
    /// (that alone is UNKNOWN: the network was not judged); then WARNING, then OK.
    pub fn of(round: &Round) -> State {
        let any = |s| round.checks.iter().any(|c| c.status == s);
        if any(Status::Fail) {
            State::Critical
        } else if any(Status::Error) {
            State::Unknown
        } else if any(Status::Warn) {
            State::Warning
        } else {
            State::Ok
        }
    }

    /// The verdict whose findings explain this state.
    fn status(self) -> Status {
        match self {
            State::Ok => Status::Pass,
            State::Warning => Status::Warn,
            State::Critical => Status::Fail,
            State::Unknown => Status::Error,
        }
    }
}

/// The plugin's output and its state (the exit code).
pub struct Plugin {
    pub text: String,
    pub state: State,
}

/// The round as plugin output; `ntp` gives the thresholds of the offset's performance data.
pub fn render(round: &Round, ntp: &NtpSettings, lang: Lang) -> Plugin {
    let state = State::of(round);
    let bad: Vec<&Finding> = round
        .findings()
        .map(|(_, f)| f)
        .filter(|f| f.severity != Status::Pass)
        .collect();
    let summary = super::json::summary(round);
    let headline = match bad.iter().find(|f| f.severity == state.status()) {
        Some(f) => {
            let r = findings::render(f, lang);
            let more = bad.len() - 1;
            let mut s = format!("{} [{}] {}", f.code.as_label(), r.section, r.cause);
            if more > 0 {
                s.push_str(&Label::AndMore.with(lang, more));
            }
            s
        }
        None => Label::AllChecksPassed.with(lang, round.checks.len()),
    };
    let mut text = format!(
        "OQS-NET {} - {} | {}\n",
        state.as_label(),
        clean(&headline),
        perfdata(round, ntp).join(" ")
    );
    for f in &bad {
        let r = findings::render(f, lang);
        let line = format!(
            "{} {} [{}] {} → {}",
            labels::status(f.severity, lang),
            f.code.as_label(),
            r.section,
            r.cause,
            r.fix
        );
        let _ = writeln!(text, "{}", clean(&line));
    }
    let _ = writeln!(
        text,
        "{} ({}) {}",
        round.profile.name,
        round.started_at,
        Label::Totals.fill(
            lang,
            &[
                ("pass", &summary.pass),
                ("warn", &summary.warn),
                ("fail", &summary.fail),
                ("error", &summary.error),
            ]
        )
    );
    Plugin { text, state }
}

/// The status line of a plugin that could not run (bad flags, a bad profile, the harness broke).
pub fn unknown(message: &str) -> String {
    format!("OQS-NET UNKNOWN - {}\n", clean(message))
}

/// Plugin text may not hold `|` (it starts the performance data) nor break its line.
pub(crate) fn clean(s: &str) -> String {
    s.replace('|', "/").replace(['\n', '\r'], " ")
}

/// `'label'=value[UOM];warn;crit;min;max`, with the trailing empty fields left off.
fn perf(label: &str, value: Option<f64>, uom: &str, rest: [Option<f64>; 4]) -> String {
    let mut s = format!("'{}'=", label.replace(['\'', '='], "_"));
    match value {
        Some(v) => {
            let _ = write!(s, "{}{uom}", num(v));
        }
        None => s.push('U'),
    }
    let fields: Vec<String> = rest
        .iter()
        .map(|v| v.map(num).unwrap_or_default())
        .collect();
    let used = fields
        .iter()
        .rposition(|f| !f.is_empty())
        .map_or(0, |i| i + 1);
    for f in &fields[..used] {
        s.push(';');
        s.push_str(f);
    }
    s
}

/// A number as performance data writes it: no exponent, at most three decimals, no trailing zeros.
pub(crate) fn num(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

fn perfdata(round: &Round, ntp: &NtpSettings) -> Vec<String> {
    let mut out = Vec::new();
    let mut asked = 0usize;
    let mut offsets = Vec::new();
    for c in &round.checks {
        if let CheckData::Ntp(r) = &c.data {
            asked += 1;
            if let Some(best) = r.best() {
                offsets.push(best.offset_ms);
            }
        }
    }
    if asked > 0 {
        let worst = offsets
            .iter()
            .copied()
            .max_by(|a, b| a.abs().total_cmp(&b.abs()));
        out.push(perf(
            "ntp_offset_ms",
            worst,
            "ms",
            [
                Some(ntp.offset_warn_ms),
                Some(ntp.offset_fail_ms),
                None,
                None,
            ],
        ));
        out.push(perf(
            "ntp_servers_answering",
            Some(offsets.len() as f64),
            "",
            [None, None, Some(0.0), Some(asked as f64)],
        ));
    }
    for c in &round.checks {
        if let CheckData::Tls(t) = &c.data {
            out.push(perf(
                &format!("tls_handshake_ms {}", t.name),
                t.handshake_ms,
                "ms",
                [None, None, Some(0.0), None],
            ));
        }
    }
    for c in &round.checks {
        if let CheckData::Dns { summary, result } = &c.data {
            for fam in summary.iter().filter(|f| f.expected) {
                let mut times: Vec<f64> = result
                    .lookup(fam.family)
                    .map(|l| l.answered().map(|q| q.elapsed_ms).collect())
                    .unwrap_or_default();
                times.sort_by(f64::total_cmp);
                let median = match times.len() {
                    0 => None,
                    n if n % 2 == 1 => Some(times[n / 2]),
                    n => Some((times[n / 2 - 1] + times[n / 2]) / 2.0),
                };
                out.push(perf(
                    &format!("dns_ms {} {}", result.name, fam.family.record()),
                    median,
                    "ms",
                    [None, None, Some(0.0), None],
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Check, CheckKind, Code, Environment, Mode, ProfileSummary};

    fn round(checks: Vec<(Status, Option<Code>)>) -> Round {
        Round {
            schema_version: 1,
            tool_version: "0.0.0".into(),
            started_at: "2026-12-06T23:00:00Z".into(),
            duration_ms: 10.0,
            profile: ProfileSummary {
                name: "p".into(),
                source: "builtin:p".into(),
                mode: Mode::Ipsec,
                environment: Environment::Production,
                provider: None,
            },
            resolvers: vec![],
            status: Status::Pass,
            checks: checks
                .into_iter()
                .enumerate()
                .map(|(i, (status, code))| Check {
                    id: format!("c{i}"),
                    kind: CheckKind::Deadline,
                    target: format!("t{i}"),
                    status,
                    findings: code
                        .map(|c| Finding::new(c, status, format!("t{i}")))
                        .into_iter()
                        .collect(),
                    data: CheckData::Deadline { deadline_ms: 1 },
                })
                .collect(),
            root_causes: Vec::new(),
        }
    }

    fn ntp() -> NtpSettings {
        NtpSettings {
            port: 123,
            samples: 1,
            interval: std::time::Duration::ZERO,
            timeout: std::time::Duration::ZERO,
            offset_warn_ms: 100.0,
            offset_fail_ms: 1000.0,
            disagreement_ms: 50.0,
        }
    }

    #[test]
    fn a_failure_outranks_a_check_not_carried_out() {
        use Status::*;
        let r = round(vec![
            (Error, Some(Code::ProbeDeadline)),
            (Warn, Some(Code::NtpKodRate)),
            (Fail, Some(Code::NtpKodDeny)),
        ]);
        let p = render(&r, &ntp(), Lang::En);
        assert_eq!(p.state, State::Critical);
        assert_eq!(p.state.exit_code(), 2);
        assert!(
            p.text.starts_with("OQS-NET CRITICAL - ntp.kod_deny [補24] t2 sent a kiss-o'-death DENY: access denied (+2 more) | \n"),
            "{}",
            p.text
        );
        assert_eq!(
            State::of(&round(vec![
                (Pass, None),
                (Error, Some(Code::ProbeDeadline))
            ])),
            State::Unknown
        );
        assert_eq!(
            State::of(&round(vec![(Warn, Some(Code::NtpKodRate)), (Pass, None)])),
            State::Warning
        );
        let ok = render(&round(vec![(Pass, None), (Pass, None)]), &ntp(), Lang::Ja);
        assert_eq!(ok.state.exit_code(), 0);
        assert!(
            ok.text
                .starts_with("OQS-NET OK - 2 件のチェックすべて合格 | \n"),
            "{}",
            ok.text
        );
    }

    #[test]
    fn performance_data_syntax() {
        assert_eq!(
            perf(
                "ntp_offset_ms",
                Some(-0.0123),
                "ms",
                [Some(100.0), Some(1000.0), None, None]
            ),
            "'ntp_offset_ms'=-0.012ms;100;1000"
        );
        assert_eq!(
            perf("n", Some(3.0), "", [None, None, Some(0.0), Some(4.0)]),
            "'n'=3;;;0;4"
        );
        assert_eq!(
            perf(
                "tls_handshake_ms a'b=c",
                None,
                "ms",
                [None, None, Some(0.0), None]
            ),
            "'tls_handshake_ms a_b_c'=U;;;0"
        );
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(clean("a|b\nc"), "a/b c");
    }
}

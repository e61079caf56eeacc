//! One round as JUnit XML (`oqs-net probe --format junit`), the test report CI systems and
//! ticket pipelines read: one testsuite per section (DNS, NTP, TLS, adapter, TCP, proxy, cut
//! off), one testcase per check. A failing check is a `<failure>` whose type is its first
//! finding's code and whose text is every finding's cause, fix and 補N; a check that could not be
//! carried out is an `<error>`; a warning passes with its findings in `<system-out>`.
//! Reads `model` and `findings` only.

use crate::findings::{self, Lang};
use crate::model::{Check, Finding, Round, Status};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// The round as JUnit XML in `lang` (the failure texts; names and types are stable labels).
pub fn render(round: &Round, lang: Lang) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new(format!("oqs-net {}", round.profile.name));
    report.set_time(ms(round.duration_ms));
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&round.started_at) {
        report.set_timestamp(t);
    }
    let mut suites: Vec<(&'static str, TestSuite)> = Vec::new();
    for check in &round.checks {
        let key = super::section(check.kind);
        let at = match suites.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                suites.push((key, suite(round, key)));
                suites.len() - 1
            }
        };
        suites[at].1.add_test_case(case(round, check, key, lang));
    }
    report.add_test_suites(suites.into_iter().map(|(_, s)| s));
    report.to_string()
}

fn suite(round: &Round, key: &str) -> TestSuite {
    let p = &round.profile;
    let mut s = TestSuite::new(format!("oqs-net.{key}"));
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&round.started_at) {
        s.set_timestamp(t);
    }
    s.add_properties([
        Property::new("profile", p.name.as_str()),
        Property::new("profile_source", p.source.as_str()),
        Property::new("mode", p.mode.as_label()),
        Property::new("environment", p.environment.as_label()),
        Property::new("tool_version", round.tool_version.as_str()),
    ]);
    if let Some(provider) = &p.provider {
        s.add_property(Property::new("provider", provider.as_str()));
    }
    if !round.resolvers.is_empty() {
        s.add_property(Property::new("resolvers", round.resolvers.join(", ")));
    }
    s
}

fn case(round: &Round, check: &Check, key: &str, lang: Lang) -> TestCase {
    let status = match check.status {
        Status::Pass | Status::Warn => TestCaseStatus::success(),
        Status::Fail | Status::Error => {
            let kind = if check.status == Status::Fail {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut st = TestCaseStatus::non_success(kind);
            // The first finding as bad as the check names it (the root cause comes first).
            if let Some(f) = check
                .findings
                .iter()
                .find(|f| f.severity == check.status)
                .or(check.findings.first())
            {
                let r = findings::render(f, lang);
                st.set_type(f.code.as_label());
                st.set_message(format!("{} [{}] {}", f.code.as_label(), r.section, r.cause));
            }
            st.set_description(text(&check.findings, lang));
            st
        }
    };
    let mut tc = TestCase::new(check.id.as_str(), status);
    tc.set_classname(format!("oqs-net.{}.{key}", round.profile.name));
    tc.add_properties([
        Property::new("target", check.target.as_str()),
        Property::new("status", check.status.as_label()),
    ]);
    if check.status == Status::Warn {
        tc.set_system_out(text(&check.findings, lang));
    }
    tc
}

/// Every finding of a check: `code [補N] cause`, then `→ fix` under it.
fn text(fs: &[Finding], lang: Lang) -> String {
    let mut out = String::new();
    for f in fs {
        let r = findings::render(f, lang);
        out.push_str(&format!(
            "{} {} [{}] {}\n  → {}\n",
            f.severity.as_label().to_uppercase(),
            f.code.as_label(),
            r.section,
            r.cause,
            r.fix
        ));
    }
    out
}

fn ms(v: f64) -> Duration {
    Duration::from_secs_f64((v / 1000.0).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CheckData, CheckKind, Code, Environment, Mode, ProfileSummary};

    fn check(id: &str, kind: CheckKind, status: Status, findings: Vec<Finding>) -> Check {
        Check {
            id: id.into(),
            kind,
            target: id.into(),
            status,
            findings,
            data: CheckData::Deadline { deadline_ms: 1 },
        }
    }

    fn round(checks: Vec<Check>) -> Round {
        Round {
            schema_version: 1,
            tool_version: "0.0.0".into(),
            started_at: "2026-12-06T23:00:00Z".into(),
            duration_ms: 1500.0,
            profile: ProfileSummary {
                name: "ipsec-production".into(),
                source: "builtin:ipsec-production".into(),
                mode: Mode::Ipsec,
                environment: Environment::Production,
                provider: None,
            },
            resolvers: vec![],
            status: Status::Fail,
            checks,
            root_causes: Vec::new(),
        }
    }

    #[test]
    fn sections_become_suites_and_verdicts_failures_errors_and_output() {
        let dead = Finding::new(Code::DnsMemberNoNtp, Status::Fail, "ntp.base.oqs-pdl.org")
            .with("member", "127.0.0.12");
        let slow = Finding::new(Code::NtpOffsetWarn, Status::Warn, "127.0.0.11")
            .with("offset_ms", "150.0")
            .with("threshold_ms", "100");
        let cut = Finding::new(Code::ProbeDeadline, Status::Error, "tls:api")
            .with("deadline_ms", "30000");
        let r = round(vec![
            check("dns:a", CheckKind::Dns, Status::Fail, vec![dead]),
            check("dns:b", CheckKind::Dns, Status::Pass, vec![]),
            check("ntp:1", CheckKind::Ntp, Status::Warn, vec![slow]),
            check(
                "deadline:tls",
                CheckKind::Deadline,
                Status::Error,
                vec![cut],
            ),
        ]);
        let xml = render(&r, Lang::En).unwrap();
        assert_eq!(xml.matches("<testsuite ").count(), 3, "{xml}");
        assert!(
            xml.contains(r#"name="oqs-net.dns" tests="2" skipped="0" errors="0" failures="1""#),
            "{xml}"
        );
        assert!(xml.contains(r#"<failure message="dns.member_no_ntp [補24] round-robin member 127.0.0.12 of ntp.base.oqs-pdl.org does not answer NTP" type="dns.member_no_ntp">"#), "{xml}");
        assert!(
            xml.contains("→ Devices without round-robin support"),
            "{xml}"
        );
        assert!(
            xml.contains(r#"" type="probe.deadline">ERROR probe.deadline [補35]"#),
            "{xml}"
        );
        // The warning passes, with its finding in system-out.
        assert!(
            xml.contains(r#"name="oqs-net.ntp" tests="1" skipped="0" errors="0" failures="0""#),
            "{xml}"
        );
        assert!(
            xml.contains("<system-out>WARN ntp.offset_warn [補24]"),
            "{xml}"
        );
        assert!(xml.contains(r#"timestamp="2026-12-06T23:00:00"#), "{xml}");
    }
}

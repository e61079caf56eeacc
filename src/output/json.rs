//! The JSON form of a round (schema in `docs/json-schema.md` and `docs/schema/round.json`, in the
//! shared envelope): the model as serde writes it, plus
//! each finding's guide section and its cause and fix in the chosen language.

use crate::findings::{self, Lang};
use crate::model::{Check, Finding, Round};
use serde::Serialize;

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct RoundView<'a> {
    #[serde(flatten)]
    round: RoundHead<'a>,
    lang: Lang,
    root_causes: Vec<RootCauseView<'a>>,
    checks: Vec<CheckView<'a>>,
    summary: Summary,
}

#[derive(Serialize, schemars::JsonSchema)]
struct RoundHead<'a> {
    schema_version: u32,
    tool_version: &'a str,
    started_at: &'a str,
    duration_ms: f64,
    profile: &'a crate::model::ProfileSummary,
    resolvers: &'a [String],
    status: crate::model::Status,
}

#[derive(Serialize, schemars::JsonSchema)]
struct CheckView<'a> {
    #[serde(flatten)]
    check: CheckHead<'a>,
    findings: Vec<FindingView<'a>>,
    data: &'a crate::model::CheckData,
}

#[derive(Serialize, schemars::JsonSchema)]
struct CheckHead<'a> {
    id: &'a str,
    kind: crate::model::CheckKind,
    target: &'a str,
    status: crate::model::Status,
}

/// A finding as JSON shows it: code, severity, 補N section, subject, cause and fix in one language,
/// and the values its texts use. Shared by the round's and the soak report's JSON.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct FindingView<'a> {
    code: &'static str,
    severity: crate::model::Status,
    section: &'static str,
    subject: &'a str,
    cause: String,
    fix: String,
    values: serde_json::Map<String, serde_json::Value>,
}

/// A root cause as JSON shows it: its code, 補N, cause and fix (of its first finding) in one
/// language, where it is, and what it explains.
#[derive(Serialize, schemars::JsonSchema)]
struct RootCauseView<'a> {
    code: &'static str,
    severity: crate::model::Status,
    section: &'static str,
    cause: String,
    fix: String,
    findings: &'a [crate::model::FindingRef],
    explains_count: usize,
    explains: &'a [crate::model::FindingRef],
}

fn root_cause<'a>(
    round: &'a Round,
    rc: &'a crate::model::RootCause,
    lang: Lang,
) -> RootCauseView<'a> {
    let text = rc
        .findings
        .first()
        .and_then(|at| round.finding(at))
        .map(|(_, f)| findings::render(f, lang));
    RootCauseView {
        code: rc.code.as_label(),
        severity: rc.severity,
        section: rc.section,
        cause: text.as_ref().map(|t| t.cause.clone()).unwrap_or_default(),
        fix: text.map(|t| t.fix).unwrap_or_default(),
        findings: &rc.findings,
        explains_count: rc.explains.len(),
        explains: &rc.explains,
    }
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct Summary {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub error: usize,
}

pub fn summary(round: &Round) -> Summary {
    let count = |s| round.checks.iter().filter(|c| c.status == s).count();
    use crate::model::Status::*;
    Summary {
        pass: count(Pass),
        warn: count(Warn),
        fail: count(Fail),
        error: count(Error),
    }
}

pub(crate) fn finding<'a>(f: &'a Finding, lang: Lang) -> FindingView<'a> {
    let r = findings::render(f, lang);
    FindingView {
        code: f.code.as_label(),
        severity: f.severity,
        section: r.section,
        subject: &f.subject,
        cause: r.cause,
        fix: r.fix,
        values: f
            .values
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect(),
    }
}

fn check<'a>(c: &'a Check, lang: Lang) -> CheckView<'a> {
    CheckView {
        check: CheckHead {
            id: &c.id,
            kind: c.kind,
            target: &c.target,
            status: c.status,
        },
        findings: c.findings.iter().map(|f| finding(f, lang)).collect(),
        data: &c.data,
    }
}

pub fn render(round: &Round, lang: Lang) -> String {
    let view = RoundView {
        round: RoundHead {
            schema_version: round.schema_version,
            tool_version: &round.tool_version,
            started_at: &round.started_at,
            duration_ms: round.duration_ms,
            profile: &round.profile,
            resolvers: &round.resolvers,
            status: round.status,
        },
        lang,
        root_causes: round
            .root_causes
            .iter()
            .map(|rc| root_cause(round, rc, lang))
            .collect(),
        checks: round.checks.iter().map(|c| check(c, lang)).collect(),
        summary: summary(round),
    };
    match serde_json::to_value(&view) {
        Ok(v) => super::envelope::finish(round.schema_version, v),
        Err(e) => super::envelope::error(round.schema_version, "harness", &e.to_string()),
    }
}

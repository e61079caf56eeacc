//! Acceptance verdicts: a soak's report and the journal's evidence judged against written
//! criteria, one row of [`ROWS`] per criterion, each with the value measured beside its limit.
//! A pure function of plain data; depends on `model` only.
//!
//! # One failure, one criterion
//! The rows are judged in order, root causes first (the environment, the line, the certificate,
//! then NTP, flapping, and last availability and the last round). A failing row *claims* the
//! targets it explains; later rows leave claimed targets out, so a terminal on the wrong
//! environment fails the environment criterion and not also availability, the handshake times and
//! the last round. A row left with nothing to judge because every target it reads was claimed is
//! `blocked` by the claiming row, never passed.
//!
//! A row whose data is missing (its check never ran) fails as `not_measured`, unless the
//! terminal's path itself was found wrong before it (the environment, IPv4 fallback): then what
//! could not be measured, and every target never reached, are that failure's consequences.

use crate::model::{
    AcceptanceReport, Area, Code, Criteria, CriterionId, CriterionResult, Evidence, Limit,
    Measured, Mode, Sample, SoakReport, Status, TargetReport, Unit, Verdict, display_target,
};
use std::collections::BTreeMap;

/// The finding codes that say the terminal reaches the wrong environment or the wrong line: any
/// of them in any round fails the environment criterion. A line check's code is one more line.
pub const ENVIRONMENT_CODES: &[Code] = &[Code::EnvOtherEnvironment, Code::TlsWrongEnvironment];

/// The NGN line-authentication page's verdicts (NGN lines whose profile reads the page).
const LINE_AUTH_CODES: &[Code] = &[
    Code::LineAuthRequired,
    Code::LineAuthUnreachable,
    Code::LineAuthUnexpected,
];

/// The OQS adapter's DNS servers against the NGN's, and the NGN's servers' answers.
const NGN_DNS_CODES: &[Code] = &[Code::LineDnsNotNgn, Code::LineNgnDnsNoAnswer];

/// IPv4 used where the OQS adapter is IPv6-only.
const IPV4_CODES: &[Code] = &[Code::Ipv4Fallback];

/// A way through (or past) the proxy that is not the expected one (補22).
const PROXY_CODES: &[Code] = &[Code::ProxyRouteWrong, Code::ProxyBypassMissing];

/// The codes of the round-robin members' verdict.
const MEMBER_CODES: &[Code] = &[Code::DnsMemberNoNtp, Code::DnsFirstPickDead];

/// How one criterion is judged.
#[derive(Clone, Copy)]
enum Rule {
    /// Fails when a target of a kind in `ran` had one of `codes` in any round; not measured when
    /// no target of those kinds ran.
    Codes {
        codes: &'static [Code],
        ran: &'static [&'static str],
    },
    CertDays,
    CertIssuer,
    Handshake,
    Members,
    Offset,
    Flapping,
    Availability,
    LastRound,
}

/// Where a criterion applies.
#[derive(Clone, Copy)]
enum Scope {
    Always,
    /// IP-VPN lines only (the OQS adapter is IPv6-only).
    Ipvpn,
    /// Profiles with a proxy section.
    Proxy,
    /// Profiles that read the NGN's line-authentication page.
    LineAuth,
    /// Profiles that check the NGN's DNS servers.
    NgnDns,
}

struct Row {
    id: CriterionId,
    area: Area,
    scope: Scope,
    rule: Rule,
    /// The terminal's path itself is wrong when this fails: what it never reached, and what
    /// could not be measured after it, are its consequences.
    path: bool,
}

/// Every criterion, in the order they are judged and shown.
const ROWS: &[Row] = &[
    Row {
        id: CriterionId::Environment,
        area: Area::Line,
        scope: Scope::Always,
        path: true,
        rule: Rule::Codes {
            codes: ENVIRONMENT_CODES,
            ran: &["tls", "environment"],
        },
    },
    Row {
        id: CriterionId::NgnDns,
        area: Area::Line,
        scope: Scope::NgnDns,
        path: true,
        rule: Rule::Codes {
            codes: NGN_DNS_CODES,
            ran: &["ngn_dns"],
        },
    },
    Row {
        id: CriterionId::LineAuth,
        area: Area::Line,
        scope: Scope::LineAuth,
        path: true,
        rule: Rule::Codes {
            codes: LINE_AUTH_CODES,
            ran: &["line_auth"],
        },
    },
    Row {
        id: CriterionId::Ipv4Fallback,
        area: Area::Line,
        scope: Scope::Ipvpn,
        path: true,
        rule: Rule::Codes {
            codes: IPV4_CODES,
            ran: &["ipv4_fallback"],
        },
    },
    Row {
        id: CriterionId::ProxyWays,
        area: Area::Line,
        scope: Scope::Proxy,
        path: false,
        rule: Rule::Codes {
            codes: PROXY_CODES,
            ran: &["proxy_route"],
        },
    },
    Row {
        id: CriterionId::CertDays,
        area: Area::Tls,
        scope: Scope::Always,
        path: false,
        rule: Rule::CertDays,
    },
    Row {
        id: CriterionId::CertIssuer,
        area: Area::Tls,
        scope: Scope::Always,
        path: false,
        rule: Rule::CertIssuer,
    },
    Row {
        id: CriterionId::TlsHandshake,
        area: Area::Tls,
        scope: Scope::Always,
        path: false,
        rule: Rule::Handshake,
    },
    Row {
        id: CriterionId::NtpMembers,
        area: Area::Ntp,
        scope: Scope::Always,
        path: false,
        rule: Rule::Members,
    },
    Row {
        id: CriterionId::NtpOffset,
        area: Area::Ntp,
        scope: Scope::Always,
        path: false,
        rule: Rule::Offset,
    },
    Row {
        id: CriterionId::Flapping,
        area: Area::Soak,
        scope: Scope::Always,
        path: false,
        rule: Rule::Flapping,
    },
    Row {
        id: CriterionId::Availability,
        area: Area::Soak,
        scope: Scope::Always,
        path: false,
        rule: Rule::Availability,
    },
    Row {
        id: CriterionId::LastRound,
        area: Area::Soak,
        scope: Scope::Always,
        path: false,
        rule: Rule::LastRound,
    },
];

/// What the profile says about where the criteria apply.
#[derive(Clone, Debug)]
pub struct Applies {
    pub mode: Mode,
    /// The profile has a proxy section (its ways are checked).
    pub proxy: bool,
    /// The profile's round-robin NTP name.
    pub round_robin: String,
    /// The profile reads the NGN's line-authentication page (`[line] auth`).
    pub line_auth: bool,
    /// The profile checks the NGN's DNS servers (`[line] dns`).
    pub ngn_dns: bool,
}

/// Targets explained by a failing criterion, and by which.
type Claims = BTreeMap<String, CriterionId>;

struct Ctx<'a> {
    soak: &'a SoakReport,
    ev: &'a Evidence,
    c: &'a Criteria,
    applies: &'a Applies,
}

/// Judges a soak against `criteria`.
pub fn judge(
    soak: SoakReport,
    ev: &Evidence,
    criteria: &Criteria,
    applies: &Applies,
) -> AcceptanceReport {
    let mut claims = Claims::new();
    let mut results = Vec::new();
    let mut path_cause: Option<(CriterionId, Option<Code>)> = None;
    let links = crate::findings::causes::links();
    let ctx = Ctx {
        soak: &soak,
        ev,
        c: criteria,
        applies,
    };
    for row in ROWS {
        let applies_here = match row.scope {
            Scope::Always => true,
            Scope::Ipvpn => applies.mode == Mode::Ipvpn,
            Scope::Proxy => applies.proxy,
            Scope::LineAuth => applies.line_auth,
            Scope::NgnDns => applies.ngn_dns,
        };
        if !applies_here {
            continue;
        }
        let mut r = judge_row(&ctx, row, &mut claims);
        // A failure whose code the path's root cause explains (the causal links beside the
        // catalogue) is its consequence, not a second fault.
        let explained = |r: &CriterionResult, root: Option<Code>| {
            r.verdict == Verdict::Fail
                && links
                    .iter()
                    .any(|l| Some(l.cause) == root && Some(l.consequence) == r.code)
        };
        match path_cause {
            Some((by, _)) if r.verdict == Verdict::NotMeasured => r = blocked(r, by),
            Some((by, root)) if explained(&r, root) => r = blocked(r, by),
            None if row.path && r.verdict == Verdict::Fail => {
                path_cause = Some((row.id, r.code));
                // Targets never reached while the path was wrong are its consequences.
                for t in soak
                    .targets
                    .iter()
                    .filter(|t| t.rounds > 0 && t.up_rounds == 0)
                {
                    claims.entry(t.id.clone()).or_insert(row.id);
                }
            }
            _ => {}
        }
        results.push(r);
    }
    AcceptanceReport {
        mode: applies.mode,
        criteria: criteria.clone(),
        first_round: soak.first_round,
        last_round: soak.last_round,
        rounds: soak.rounds,
        passed: results.iter().all(|r| r.verdict == Verdict::Pass),
        results,
        soak: Some(Box::new(soak)),
    }
}

/// A criterion's result before its verdict is known.
fn result(row: &Row, unit: Unit, limit: Limit) -> CriterionResult {
    CriterionResult {
        id: row.id,
        area: row.area,
        verdict: Verdict::NotMeasured,
        unit,
        measured: None,
        limit,
        subject: None,
        blocked_by: None,
        code: Some(Code::AcceptNotMeasured),
        offenders: Vec::new(),
        samples: Vec::new(),
    }
}

fn judge_row(ctx: &Ctx, row: &Row, claims: &mut Claims) -> CriterionResult {
    let r = match row.rule {
        Rule::Codes { codes, ran } => by_codes(ctx, row, codes, ran),
        Rule::CertDays => cert_days(ctx, row),
        Rule::CertIssuer => cert_issuer(ctx, row),
        Rule::Handshake => handshake(ctx, row, claims),
        Rule::Members => members(ctx, row, claims),
        Rule::Offset => offset(ctx, row, claims),
        Rule::Flapping => flapping(ctx, row),
        Rule::Availability => availability(ctx, row, claims),
        Rule::LastRound => last_round(ctx, row, claims),
    };
    if r.verdict == Verdict::Fail {
        for o in &r.offenders {
            claims.entry(o.clone()).or_insert(row.id);
        }
    }
    r
}

/// Sets the verdict from the worst value and the limit.
fn conclude(
    mut r: CriterionResult,
    worst: f64,
    subject: Option<String>,
    code: Code,
) -> CriterionResult {
    let holds = match &r.limit {
        Limit::AtLeast(l) => worst >= *l,
        Limit::AtMost(l) => worst <= *l,
        Limit::OneOf(_) => false,
    };
    r.measured = Some(Measured::Number(worst));
    r.subject = subject;
    r.verdict = if holds { Verdict::Pass } else { Verdict::Fail };
    r.code = (!holds).then_some(code);
    if holds {
        r.offenders.clear();
    }
    r
}

/// Left with nothing to judge: every target was explained by `by`.
fn blocked(mut r: CriterionResult, by: CriterionId) -> CriterionResult {
    r.verdict = Verdict::Blocked;
    r.blocked_by = Some(by);
    r.code = None;
    r
}

fn code_of(label: &str) -> Option<Code> {
    Code::ALL.iter().copied().find(|c| c.as_label() == label)
}

/// The first of `codes` (in their order: the root cause first) that `t` had, and in how many rounds.
fn has_code(t: &TargetReport, codes: &[Code]) -> Option<(Code, u64)> {
    codes.iter().find_map(|c| {
        t.codes
            .iter()
            .find(|cc| cc.code == c.as_label())
            .map(|cc| (*c, cc.rounds))
    })
}

fn by_codes(ctx: &Ctx, row: &Row, codes: &[Code], ran: &[&str]) -> CriterionResult {
    let mut r = result(row, Unit::Count, Limit::AtMost(0.0));
    let checked: Vec<&TargetReport> = ctx
        .soak
        .targets
        .iter()
        .filter(|t| t.rounds > 0 && ran.contains(&t.kind.as_str()))
        .collect();
    if checked.is_empty() {
        return r;
    }
    // The worst offender: the code that comes first (the root cause first), then the most rounds.
    let mut worst: Option<(usize, u64, String, Code)> = None;
    for t in &checked {
        if let Some((code, rounds)) = has_code(t, codes) {
            r.offenders.push(t.id.clone());
            r.samples.push(Sample {
                subject: t.id.clone(),
                value: rounds as f64,
            });
            let rank = codes.iter().position(|c| *c == code).unwrap_or(codes.len());
            if worst
                .as_ref()
                .is_none_or(|w| (rank, std::cmp::Reverse(rounds)) < (w.0, std::cmp::Reverse(w.1)))
            {
                worst = Some((rank, rounds, t.id.clone(), code));
            }
        }
    }
    let (_, rounds, subject, code) = worst.unwrap_or((0, 0, String::new(), codes[0]));
    conclude(
        r,
        rounds as f64,
        (!subject.is_empty()).then_some(subject),
        code,
    )
}

/// Days from the end of the soak to the certificate's expiry (whole days, down).
fn cert_days(ctx: &Ctx, row: &Row) -> CriterionResult {
    let r = result(
        row,
        Unit::Days,
        Limit::AtLeast(f64::from(ctx.c.min_cert_days)),
    );
    let (Some(cert), Some(at)) = (&ctx.ev.certificate, ctx.soak.last_round) else {
        return r;
    };
    let Ok(not_after) = cert.not_after.parse::<jiff::Timestamp>() else {
        return r;
    };
    let days = ((not_after.as_millisecond() - at.0) as f64 / 86_400_000.0).floor();
    let code = if days < 0.0 {
        Code::CertExpired
    } else {
        Code::CertExpiring
    };
    let mut r = r;
    r.offenders = vec!["tls:client-certificate".into()];
    conclude(r, days, Some(cert.subject.clone()), code)
}

fn cert_issuer(ctx: &Ctx, row: &Row) -> CriterionResult {
    let mut r = result(row, Unit::Count, Limit::OneOf(ctx.c.issuer_names.clone()));
    let Some(issuer) = ctx.ev.certificate.as_ref().and_then(|c| c.issuer.clone()) else {
        return r;
    };
    let holds = ctx
        .c
        .issuer_names
        .iter()
        .any(|n| !n.is_empty() && issuer.contains(n.as_str()));
    r.subject = ctx.ev.certificate.as_ref().map(|c| c.subject.clone());
    r.measured = Some(Measured::Text(issuer));
    r.verdict = if holds { Verdict::Pass } else { Verdict::Fail };
    r.code = (!holds).then_some(Code::CertForeignIssuer);
    if !holds {
        r.offenders = vec!["tls:client-certificate".into()];
    }
    r
}

fn handshake(ctx: &Ctx, row: &Row, claims: &Claims) -> CriterionResult {
    let mut r = result(row, Unit::Ms, Limit::AtMost(ctx.c.max_handshake_p95_ms));
    let endpoints: Vec<&TargetReport> = ctx
        .soak
        .targets
        .iter()
        .filter(|t| t.kind == "tls" && t.rounds > 0)
        .collect();
    let mut worst: Option<(f64, String)> = None;
    let mut by = None;
    let mut missing = Vec::new();
    for t in &endpoints {
        let p95 = t
            .latency
            .iter()
            .find(|p| p.phase == "handshake" && p.samples > 0)
            .map(|p| p.p95_ms);
        match (p95, claims.get(&t.id)) {
            (Some(v), _) => {
                r.samples.push(Sample {
                    subject: t.id.clone(),
                    value: v,
                });
                if v > ctx.c.max_handshake_p95_ms {
                    r.offenders.push(t.id.clone());
                }
                if worst.as_ref().is_none_or(|w| v > w.0) {
                    worst = Some((v, t.id.clone()));
                }
            }
            (None, Some(c)) => by = Some(*c),
            (None, None) => missing.push(t.id.clone()),
        }
    }
    r.samples.sort_by(|a, b| {
        b.value
            .partial_cmp(&a.value)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    if !missing.is_empty() {
        // An endpoint that never completed a handshake, for no reason another criterion names.
        r.offenders = missing;
        return r;
    }
    match (worst, by) {
        (Some((v, id)), _) => conclude(r, v, Some(id), Code::AcceptHandshakeSlow),
        (None, Some(by)) => blocked(r, by),
        (None, None) => r,
    }
}

fn is_member(t: &TargetReport, rr: &str) -> bool {
    t.kind == "ntp" && t.via.iter().any(|v| v.eq_ignore_ascii_case(rr))
}

/// Every member of the round-robin set answered NTP at the end of the soak.
fn members(ctx: &Ctx, row: &Row, claims: &Claims) -> CriterionResult {
    let mut r = result(row, Unit::Count, Limit::AtMost(0.0));
    let rr = &ctx.applies.round_robin;
    let all: Vec<&TargetReport> = ctx
        .soak
        .targets
        .iter()
        .filter(|t| is_member(t, rr))
        .collect();
    if all.is_empty() {
        return r;
    }
    let mut silent = Vec::new();
    for t in &all {
        r.samples.push(Sample {
            subject: t.id.clone(),
            value: t.availability_pct,
        });
        if !t.up && !claims.contains_key(&t.id) {
            silent.push(t.id.clone());
        }
    }
    r.samples.sort_by(|a, b| {
        a.value
            .partial_cmp(&b.value)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let subject = silent.first().cloned();
    let n = silent.len() as f64;
    let code = ctx
        .soak
        .targets
        .iter()
        .filter(|t| t.kind == "dns" && display_target(&t.id).eq_ignore_ascii_case(rr))
        .find_map(|t| has_code(t, MEMBER_CODES).map(|x| x.0))
        .unwrap_or(Code::DnsMemberNoNtp);
    r.offenders = silent;
    if !r.offenders.is_empty() {
        // The name's own check fails because of them.
        r.offenders.push(format!("dns:{rr}"));
    }
    conclude(r, n, subject, code)
}

/// |offset| on every NTP server (members and fallbacks), and the servers agreeing in each round.
fn offset(ctx: &Ctx, row: &Row, claims: &Claims) -> CriterionResult {
    let limit = ctx.c.max_ntp_offset_ms;
    let mut r = result(row, Unit::Ms, Limit::AtMost(limit));
    let mut worst: Option<(f64, String)> = None;
    let mut code = Code::NtpOffsetFail;
    for t in ctx.soak.targets.iter().filter(|t| t.kind == "ntp") {
        let Some(n) = &t.ntp else { continue };
        if claims.contains_key(&t.id) {
            continue;
        }
        let v = n.min_ms.abs().max(n.max_ms.abs());
        r.samples.push(Sample {
            subject: t.id.clone(),
            value: v,
        });
        if v > limit {
            r.offenders.push(t.id.clone());
            if let Some((c, _)) = has_code(t, &[Code::NtpServerOff]) {
                code = c;
            }
        }
        if worst.as_ref().is_none_or(|w| v > w.0) {
            worst = Some((v, t.id.clone()));
        }
    }
    r.samples.sort_by(|a, b| {
        b.value
            .partial_cmp(&a.value)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let Some((v, id)) = worst else {
        return r;
    };
    let spread = ctx.ev.ntp_spread_ms;
    if let Some(s) = spread {
        r.samples.push(Sample {
            subject: "spread".into(),
            value: s,
        });
    }
    let r = conclude(r, v, Some(id), code);
    match spread {
        // Each server within the limit, but not with each other.
        Some(s) if r.verdict == Verdict::Pass && s > ctx.c.max_ntp_spread_ms => {
            let mut r = r;
            r.verdict = Verdict::Fail;
            r.code = Some(Code::NtpMembersDisagree);
            r.limit = Limit::AtMost(ctx.c.max_ntp_spread_ms);
            r.measured = Some(Measured::Number(s));
            r.subject = Some("spread".into());
            r
        }
        _ => r,
    }
}

fn flapping(ctx: &Ctx, row: &Row) -> CriterionResult {
    let mut r = result(row, Unit::Count, Limit::AtMost(f64::from(ctx.c.max_flaps)));
    if ctx.soak.rounds == 0 {
        return r;
    }
    let mut total = 0u64;
    let mut worst: Option<(usize, String)> = None;
    for t in ctx.soak.targets.iter().filter(|t| !t.flaps.is_empty()) {
        total += t.flaps.len() as u64;
        r.offenders.push(t.id.clone());
        r.samples.push(Sample {
            subject: t.id.clone(),
            value: t.flaps.len() as f64,
        });
        if worst.as_ref().is_none_or(|w| t.flaps.len() > w.0) {
            worst = Some((t.flaps.len(), t.id.clone()));
        }
    }
    let code = ctx
        .soak
        .findings
        .iter()
        .map(|f| f.code)
        .find(|c| {
            matches!(
                c,
                Code::SoakFlapping | Code::SoakNtpFlapping | Code::SoakDnsFlapping
            )
        })
        .unwrap_or(Code::SoakFlapping);
    conclude(r, total as f64, worst.map(|w| w.1), code)
}

fn availability(ctx: &Ctx, row: &Row, claims: &Claims) -> CriterionResult {
    let limit = ctx.c.min_availability_pct;
    let mut r = result(row, Unit::Pct, Limit::AtLeast(limit));
    let measured: Vec<&TargetReport> = ctx.soak.targets.iter().filter(|t| t.rounds > 0).collect();
    let mut worst: Option<(f64, String)> = None;
    let mut by = None;
    for t in &measured {
        if let Some(c) = claims.get(&t.id) {
            by.get_or_insert(*c);
            continue;
        }
        r.samples.push(Sample {
            subject: t.id.clone(),
            value: t.availability_pct,
        });
        if t.availability_pct < limit {
            r.offenders.push(t.id.clone());
        }
        if worst.as_ref().is_none_or(|w| t.availability_pct < w.0) {
            worst = Some((t.availability_pct, t.id.clone()));
        }
    }
    r.samples.sort_by(|a, b| {
        a.value
            .partial_cmp(&b.value)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    match (worst, by) {
        (Some((v, id)), _) => conclude(r, v, Some(id), Code::AcceptAvailability),
        (None, Some(by)) => blocked(r, by),
        (None, None) => r,
    }
}

/// No check failing in the last round, besides those another criterion already explains.
fn last_round(ctx: &Ctx, row: &Row, claims: &Claims) -> CriterionResult {
    let mut r = result(row, Unit::Count, Limit::AtMost(0.0));
    if ctx.ev.last_round.is_empty() {
        return r;
    }
    let mut code = None;
    for t in &ctx.ev.last_round {
        if matches!(t.status, Status::Fail | Status::Error) && !claims.contains_key(&t.id) {
            r.offenders.push(t.id.clone());
            if code.is_none() {
                code = t.codes.iter().find_map(|c| code_of(c));
            }
        }
    }
    let n = r.offenders.len() as f64;
    let subject = r.offenders.first().cloned();
    conclude(r, n, subject, code.unwrap_or(Code::AcceptLastRound))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LastTarget;
    use crate::soak::journal::{Header, Record};
    use crate::soak::report::Aggregator;

    fn criteria() -> Criteria {
        Criteria {
            min_availability_pct: 99.9,
            max_flaps: 0,
            max_ntp_offset_ms: 100.0,
            max_ntp_spread_ms: 100.0,
            max_handshake_p95_ms: 500.0,
            min_cert_days: 30,
            issuer_names: vec!["Online Billing NW System".into()],
        }
    }

    fn applies() -> Applies {
        Applies {
            mode: Mode::Ipvpn,
            proxy: true,
            round_robin: "ntp.base.oqs-pdl.org".into(),
            line_auth: false,
            ngn_dns: false,
        }
    }

    /// A journal's report from its lines (the header first).
    fn soak(lines: &[&str]) -> SoakReport {
        let header: Header = serde_json::from_str(lines[0]).unwrap();
        let mut agg = Aggregator::new(&header, None);
        for l in &lines[1..] {
            agg.add(&serde_json::from_str::<Record>(l).unwrap());
        }
        agg.finish(Vec::new())
    }

    const HEADER: &str = r#"{"type":"header","journal_version":1,"tool_version":"0.1.0","started_at":"2025-06-15T15:06:40Z","ts":1750000000000,"profile":{"name":"ipvpn-production","source":"builtin:ipvpn-production","mode":"ipvpn","environment":"production"},"settings":{"interval_ms":10000,"duration_ms":100000,"flap_high_pct":30.0,"flap_low_pct":20.0,"deadline_ms":9000,"concurrency":32}}"#;

    #[test]
    fn a_soak_without_rounds_passes_nothing_silently() {
        let a = judge(
            soak(&[HEADER]),
            &Evidence::default(),
            &criteria(),
            &applies(),
        );
        assert!(!a.passed);
        assert_eq!(a.results.len(), 11);
        for r in &a.results {
            assert_eq!(r.verdict, Verdict::NotMeasured, "{:?}", r.id);
            assert_eq!(r.code, Some(Code::AcceptNotMeasured));
        }
        // IPsec+IKE has no IPv4 fallback to judge, a profile without proxy no proxy ways.
        let ipsec = Applies {
            mode: Mode::Ipsec,
            proxy: false,
            ..applies()
        };
        let a = judge(soak(&[HEADER]), &Evidence::default(), &criteria(), &ipsec);
        let ids: Vec<CriterionId> = a.results.iter().map(|r| r.id).collect();
        assert!(!ids.contains(&CriterionId::Ipv4Fallback));
        assert!(!ids.contains(&CriterionId::ProxyWays));
        assert_eq!(ids.len(), 9);
    }

    #[test]
    fn the_wrong_environment_explains_the_endpoints_it_spoils() {
        let round = |seq: u64| {
            format!(
                r#"{{"type":"round","seq":{seq},"ts":{},"at":"x","dur_ms":5.0,"status":"fail","targets":[{{"id":"tls:api","kind":"tls","up":false,"status":"fail","codes":["tls.wrong_environment"]}},{{"id":"dns:ntp.base.oqs-pdl.org","kind":"dns","up":true,"status":"pass"}}]}}"#,
                1_750_000_000_000i64 + 10_000 * seq as i64
            )
        };
        let (r1, r2) = (round(1), round(2));
        let report = soak(&[HEADER, &r1, &r2]);
        let ev = Evidence {
            last_round: vec![LastTarget {
                id: "tls:api".into(),
                kind: "tls".into(),
                up: false,
                status: Status::Fail,
                codes: vec!["tls.wrong_environment".into()],
            }],
            ..Evidence::default()
        };
        let a = judge(report, &ev, &criteria(), &applies());
        let get = |id| a.results.iter().find(|r| r.id == id).unwrap();
        let env = get(CriterionId::Environment);
        assert_eq!(env.verdict, Verdict::Fail);
        assert_eq!(env.code, Some(Code::TlsWrongEnvironment));
        assert_eq!(env.measured, Some(Measured::Number(2.0)), "two rounds");
        // Down in every round because of it: neither availability nor the last round fail again.
        assert_eq!(get(CriterionId::Availability).verdict, Verdict::Pass);
        assert_eq!(get(CriterionId::LastRound).verdict, Verdict::Pass);
        let hs = get(CriterionId::TlsHandshake);
        assert_eq!(hs.verdict, Verdict::Blocked);
        assert_eq!(hs.blocked_by, Some(CriterionId::Environment));
        // No certificate in this journal: not measured, and so judged as a consequence.
        assert_eq!(get(CriterionId::CertDays).verdict, Verdict::Blocked);
    }

    #[test]
    fn every_row_is_a_distinct_criterion() {
        for (i, a) in ROWS.iter().enumerate() {
            for b in &ROWS[i + 1..] {
                assert_ne!(a.id, b.id);
            }
        }
        assert_eq!(ROWS.len(), 13);
    }
}

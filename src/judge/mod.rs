//! Verdicts: turns a round's raw measurements into checks with a status and findings, by the rules
//! of the guide (補24 for NTP and round robin, 補35 for the IPv6-only adapter, 補16/補18/補23 for TLS
//! and the client certificate) and the profile's
//! thresholds. A pure function of its inputs; depends on `model` (and `engine`'s measurement type).
//! Which findings are root causes comes from `findings::causes`'s table, attached here as data.
//! The soak's report asks [`soak_proxy`] for its 補17 verdict, with plain data, and [`slow`] for
//! its percentiles against the profile's `[slowness]` (which [`slow`] also judges in a round).

pub mod acceptance;
pub mod adapter;
pub(crate) mod cert;
mod dns;
mod line;
mod ntp;
pub(crate) mod pac;
mod proxy;
pub mod reach;
pub(crate) mod slow;
pub(crate) mod soak_proxy;
mod tls;

use crate::model::{
    Check, CheckData, CheckKind, Code, Finding, Measurements, Profile, ProfileSummary, Round,
    SCHEMA_VERSION, Status,
};

/// The status a set of findings gives a check.
fn worst(findings: &[Finding]) -> Status {
    findings
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Status::Pass)
}

pub fn judge(profile: &Profile, m: &Measurements) -> Round {
    let mut checks = Vec::new();
    if let Some(err) = &m.resolver_error {
        let f = Finding::new(
            Code::DnsResolverError,
            Status::Error,
            profile.dns.round_robin.host.clone(),
        )
        .with("detail", err);
        checks.push(Check {
            id: "dns:resolver".into(),
            kind: CheckKind::Dns,
            target: "resolver".into(),
            status: Status::Error,
            findings: vec![f],
            data: CheckData::Resolver {
                detail: err.clone(),
            },
        });
    }
    let ntp_checks: Vec<Check> = m
        .ntp
        .iter()
        .map(|r| ntp::server_check(profile, r, &m.ntp))
        .collect();
    checks.extend(dns::checks(profile, &m.dns, &m.ntp));
    checks.extend(ntp_checks);
    checks.push(ntp::consensus_check(profile, &m.ntp));
    if let Some(id) = &m.tls.identity {
        checks.push(tls::identity_check(profile, id, &m.tls.endpoints));
    }
    for r in &m.tls.endpoints {
        checks.push(tls::endpoint_check(profile, m.tls.identity.as_ref(), r));
    }
    // What the other probes reached, for the IPv4-fallback check (a PAC or proxy probe in the
    // round would add its own here).
    let reached: Vec<(&'static str, std::net::SocketAddr)> = m
        .ntp
        .iter()
        .map(|r| ("NTP", r.addr))
        .chain(
            m.tls
                .endpoints
                .iter()
                .filter_map(|e| e.addr.map(|a| ("TLS", a))),
        )
        .collect();
    if let Some(p) = &m.proxy {
        checks.extend(proxy::checks(p));
    }
    checks.extend(adapter::checks(profile, &m.path, &reached));
    checks.extend(reach::checks(profile, &m.path));
    checks.extend(line::checks(profile, &m.line, &m.tls.endpoints));
    for (subject, deadline) in &m.cut_off {
        let f = Finding::new(Code::ProbeDeadline, Status::Error, subject.clone())
            .with("deadline_ms", deadline.as_millis());
        checks.push(Check {
            id: format!("deadline:{subject}"),
            kind: CheckKind::Deadline,
            target: subject.clone(),
            status: Status::Error,
            findings: vec![f],
            data: CheckData::Deadline {
                deadline_ms: deadline.as_millis() as u64,
            },
        });
    }
    dns::mark_failing_fallbacks(&mut checks, &m.dns, &m.ntp);
    attach_mode(
        checks.iter_mut().flat_map(|c| c.findings.iter_mut()),
        profile.mode.as_label(),
    );
    let status = checks
        .iter()
        .map(|c| c.status)
        .max()
        .unwrap_or(Status::Pass);
    Round {
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        started_at: jiff::Timestamp::try_from(m.started_at)
            .map(|t| t.round(jiff::Unit::Millisecond).unwrap_or(t).to_string())
            .unwrap_or_default(),
        duration_ms: m.duration.as_secs_f64() * 1000.0,
        profile: ProfileSummary {
            name: profile.name.clone(),
            source: profile.source.clone(),
            mode: profile.mode,
            environment: profile.environment,
            provider: profile.provider.clone(),
        },
        resolvers: m.resolvers.clone(),
        status,
        root_causes: crate::findings::causes::root_causes(&checks),
        checks,
    }
}

/// Gives the round's (or the soak's) mode to every finding whose words depend on it and that
/// the verdict did not give it: the fallback NTP names a device is told to use (補24) are
/// ntp1/ntp2 on an IP-VPN line and ntp1v4/ntp2v4 on an IPsec+IKE line.
pub fn attach_mode<'a>(findings: impl IntoIterator<Item = &'a mut Finding>, mode: &str) {
    for f in findings {
        if f.value("mode").is_none()
            && crate::findings::placeholders(f.code)
                .iter()
                .any(|k| k == "mode")
        {
            f.values.push(("mode".into(), mode.into()));
        }
    }
}

/// Rounds a figure for findings' texts: 0.1 ms is as fine as anyone reads.
fn ms(v: f64) -> String {
    format!("{v:.1}")
}

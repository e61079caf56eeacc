//! NTP verdicts: per server (no reply, refused, KoD by code, unsynchronised, invalid replies, offset
//! against the profile's thresholds) and across servers (do they agree).

use super::{ms, worst};
use crate::model::{
    Check, CheckData, CheckKind, Code, Finding, NtpSampleError, NtpServerResult, Profile, Status,
};

/// How telling an error is when a server gave no time: the most specific one names the finding.
fn rank(e: &NtpSampleError) -> u8 {
    match e {
        NtpSampleError::KissOfDeath { .. } => 6,
        NtpSampleError::Unsynchronised { .. } => 5,
        NtpSampleError::Refused => 3,
        NtpSampleError::Network { .. } => 2,
        NtpSampleError::Timeout => 1,
        _ => 4, // invalid replies of every kind
    }
}

fn error_finding(
    e: &NtpSampleError,
    subject: &str,
    r: &NtpServerResult,
    got_time: bool,
) -> Finding {
    let f = |code, sev| Finding::new(code, sev, subject);
    let soft = |sev| if got_time { Status::Warn } else { sev };
    match e {
        NtpSampleError::KissOfDeath { code } => match code.as_str() {
            "RATE" => f(Code::NtpKodRate, Status::Warn),
            "DENY" => f(Code::NtpKodDeny, Status::Fail),
            "RSTR" => f(Code::NtpKodRstr, Status::Fail),
            other => f(Code::NtpKodOther, soft(Status::Fail)).with("kod", other),
        },
        NtpSampleError::Unsynchronised { leap, stratum } => {
            f(Code::NtpUnsynchronised, soft(Status::Fail))
                .with("leap", leap)
                .with("stratum", stratum)
        }
        NtpSampleError::Refused => {
            f(Code::NtpRefused, soft(Status::Fail)).with("port", r.addr.port())
        }
        NtpSampleError::Network { detail } => {
            f(Code::NtpLocalError, Status::Error).with("detail", detail)
        }
        NtpSampleError::Timeout => f(Code::NtpNoReply, Status::Fail)
            .with("samples", r.samples.len())
            .with("port", r.addr.port()),
        other => f(Code::NtpInvalidReply, soft(Status::Fail)).with("reason", other.as_label()),
    }
}

pub(super) fn server_check(p: &Profile, r: &NtpServerResult) -> Check {
    let subject = r.addr.to_string();
    let mut findings = Vec::new();
    let answered = r.readings().count();
    match r.best() {
        None => {
            if let Some(e) = r.errors().max_by_key(|e| rank(e)) {
                findings.push(error_finding(e, &subject, r, false));
            }
        }
        Some(best) => {
            let off = best.offset_ms.abs();
            let t = &p.ntp;
            if off >= t.offset_fail_ms {
                findings.push(
                    Finding::new(Code::NtpOffsetFail, Status::Fail, &subject)
                        .with("offset_ms", ms(best.offset_ms))
                        .with("threshold_ms", ms(t.offset_fail_ms)),
                );
            } else if off >= t.offset_warn_ms {
                findings.push(
                    Finding::new(Code::NtpOffsetWarn, Status::Warn, &subject)
                        .with("offset_ms", ms(best.offset_ms))
                        .with("threshold_ms", ms(t.offset_warn_ms)),
                );
            }
            let timeouts = r
                .errors()
                .filter(|e| **e == NtpSampleError::Timeout)
                .count();
            if timeouts > 0 {
                findings.push(
                    Finding::new(Code::NtpPartialLoss, Status::Warn, &subject)
                        .with("answered", answered)
                        .with("samples", r.samples.len()),
                );
            }
            if let Some(e) = r
                .errors()
                .filter(|e| **e != NtpSampleError::Timeout)
                .max_by_key(|e| rank(e))
            {
                findings.push(error_finding(e, &subject, r, true));
            }
        }
    }
    Check {
        id: format!("ntp:{subject}"),
        kind: CheckKind::Ntp,
        target: subject,
        status: worst(&findings),
        findings,
        data: CheckData::Ntp(r.clone()),
    }
}

pub(super) fn consensus_check(p: &Profile, servers: &[NtpServerResult]) -> Check {
    let mut best: Vec<(String, f64)> = servers
        .iter()
        .filter_map(|r| r.best().map(|b| (r.addr.to_string(), b.offset_ms)))
        .collect();
    best.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut findings = Vec::new();
    let spread = match (best.first(), best.last()) {
        (Some(lo), Some(hi)) if best.len() >= 2 => Some((lo.clone(), hi.clone(), hi.1 - lo.1)),
        _ => None,
    };
    if servers.is_empty() {
        findings.push(Finding::new(
            Code::NtpNoServers,
            Status::Fail,
            p.dns.round_robin.host.clone(),
        ));
    }
    if let Some((lo, hi, s)) = &spread
        && *s > p.ntp.disagreement_ms
    {
        let sev = if *s > p.ntp.offset_fail_ms {
            Status::Fail
        } else {
            Status::Warn
        };
        findings.push(
            Finding::new(
                Code::NtpMembersDisagree,
                sev,
                p.dns.round_robin.host.clone(),
            )
            .with("spread_ms", ms(*s))
            .with("low", format!("{} {:+.1} ms", lo.0, lo.1))
            .with("high", format!("{} {:+.1} ms", hi.0, hi.1)),
        );
    }
    let median = match best.len() {
        0 => None,
        n if n % 2 == 1 => Some(best[n / 2].1),
        n => Some((best[n / 2 - 1].1 + best[n / 2].1) / 2.0),
    };
    Check {
        id: "ntp-consensus".into(),
        kind: CheckKind::NtpConsensus,
        target: "ntp servers".into(),
        status: worst(&findings),
        findings,
        data: CheckData::NtpConsensus {
            servers: best.len(),
            spread_ms: spread.map(|s| s.2),
            median_offset_ms: median,
        },
    }
}

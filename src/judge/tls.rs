//! TLS verdicts: the client certificate by the guide's rules (PFX problems, 補18 selection, issuer,
//! expiry by 補16/補18/補23) and each endpoint's connection, handshake and acceptance, with the wrong
//! environment told apart by the server certificate's names. Pure; reads `model` only.

use super::worst;
pub(crate) use crate::model::environment_of;
use crate::model::{
    Check, CheckData, CheckKind, Code, Environment, Finding, IdentityReport, PfxFailure, Profile,
    Status, TlsEndpointResult, TlsFailure,
};

fn env_label(e: Environment, ja: bool) -> &'static str {
    match (e, ja) {
        (Environment::Production, false) => "production",
        (Environment::Verification, false) => "verification",
        (Environment::Production, true) => "本番環境",
        (Environment::Verification, true) => "接続検証環境",
    }
}

/// The client certificate's check; `None` when no TLS endpoint was probed.
pub(super) fn identity_check(
    p: &Profile,
    id: &IdentityReport,
    endpoints: &[TlsEndpointResult],
) -> Check {
    let mut findings = Vec::new();
    for f in &id.files {
        let Some(fail) = &f.failure else { continue };
        let subject = f.path.clone();
        // A file that only lacks a key is a problem when nothing else supplies one.
        let finding = match fail {
            PfxFailure::WrongPassword => {
                Finding::new(Code::PfxWrongPassword, Status::Fail, subject)
            }
            PfxFailure::NoPassword => Finding::new(Code::PfxNoPassword, Status::Fail, subject),
            PfxFailure::Corrupt { detail } => {
                Finding::new(Code::PfxCorrupt, Status::Fail, subject).with("detail", detail)
            }
            PfxFailure::NoPrivateKey => Finding::new(Code::PfxNoPrivateKey, Status::Fail, subject),
            PfxFailure::Unreadable { detail } => {
                Finding::new(Code::PfxUnreadable, Status::Fail, subject).with("detail", detail)
            }
            PfxFailure::PasswordUnavailable { detail } => {
                Finding::new(Code::PfxPasswordUnavailable, Status::Fail, subject)
                    .with("detail", detail)
            }
        };
        findings.push(finding);
    }
    if let Some(err) = &id.ca_error {
        findings.push(Finding::new(Code::TlsCaBundle, Status::Error, "ca").with("detail", err));
    }
    let needs_cert = p.tls.iter().any(|e| e.client_certificate)
        || endpoints
            .iter()
            .any(|e| e.client_cert_requested == Some(true));
    match id.selected_cert() {
        None if needs_cert && id.files.iter().all(|f| f.failure.is_none()) => {
            findings.push(Finding::new(
                Code::CertNotInstalled,
                Status::Fail,
                "client certificate",
            ));
        }
        None => {}
        Some(c) => {
            let subject = c.subject.clone();
            if c.expired() {
                findings.push(
                    Finding::new(Code::CertExpired, Status::Fail, &subject)
                        .with("not_after", &c.not_after),
                );
            } else if c.days_left < i64::from(p.tls_settings.expiry_warn_days) {
                findings.push(
                    Finding::new(Code::CertExpiring, Status::Warn, &subject)
                        .with("days_left", c.days_left)
                        .with("not_after", &c.not_after)
                        .with("warn_days", p.tls_settings.expiry_warn_days),
                );
            }
            let issuers = std::iter::once(c.issuer.as_str())
                .chain(id.selected_chain.iter().map(|x| x.issuer.as_str()))
                .map(str::to_ascii_lowercase)
                .collect::<Vec<_>>();
            let known = id.expected_issuers.iter().any(|want| {
                let want = want.to_ascii_lowercase();
                issuers.iter().any(|i| i.contains(&want))
            });
            if !known && !id.expected_issuers.is_empty() {
                findings.push(
                    Finding::new(Code::CertForeignIssuer, Status::Fail, &subject)
                        .with("issuer", &c.issuer)
                        .with("expected", id.expected_issuers.join(" / ")),
                );
            }
            if id.code_unmatched {
                findings.push(
                    Finding::new(Code::CertCodeUnmatched, Status::Warn, &subject)
                        .with("code", id.institution_code.clone().unwrap_or_default()),
                );
            }
        }
    }
    Check {
        id: "tls:client-certificate".into(),
        kind: CheckKind::TlsClientCert,
        target: "client certificate".into(),
        status: worst(&findings),
        findings,
        data: CheckData::TlsClientCert(Box::new(id.clone())),
    }
}

pub(super) fn endpoint_check(
    p: &Profile,
    id: Option<&IdentityReport>,
    r: &TlsEndpointResult,
) -> Check {
    let subject = r.name.clone();
    let addr = r
        .addr
        .map(|a| a.to_string())
        .unwrap_or_else(|| format!("{}:{}", r.host, r.port));
    let s = &p.tls_settings;
    let f = |code, sev| Finding::new(code, sev, &subject);
    let cert = id
        .and_then(|i| i.selected_cert())
        .map(|c| c.subject.clone())
        .unwrap_or_else(|| "-".into());
    let cert_issuer = id
        .and_then(|i| i.selected_cert())
        .map(|c| c.issuer.clone())
        .unwrap_or_else(|| "-".into());
    let server_names = r
        .server_cert
        .as_ref()
        .map(|c| {
            if c.names.is_empty() {
                c.subject.clone()
            } else {
                c.names.join(", ")
            }
        })
        .unwrap_or_else(|| "?".into());
    let mut findings = Vec::new();

    // Wrong environment first: it explains a name mismatch better than the mismatch itself.
    let actual_env = r.server_cert.as_ref().and_then(|c| {
        let envs: Vec<Environment> = c.names.iter().filter_map(|n| environment_of(n)).collect();
        let first = *envs.first()?;
        envs.iter().all(|e| *e == first).then_some(first)
    });
    let wrong_env = matches!(actual_env, Some(e) if e != p.environment
        && environment_of(&r.host).is_none_or(|h| h == p.environment));
    if wrong_env && let Some(actual) = actual_env {
        findings.push(
            f(Code::TlsWrongEnvironment, Status::Fail)
                .with("host", &r.host)
                .with("expected", env_label(p.environment, false))
                .with("actual", env_label(actual, false))
                .with("expected_ja", env_label(p.environment, true))
                .with("actual_ja", env_label(actual, true))
                .with("server_names", &server_names),
        );
    }

    if let Some(fail) = &r.failure {
        let finding = match fail {
            TlsFailure::Unresolved { detail } => f(Code::TlsUnresolved, Status::Fail)
                .with("host", &r.host)
                .with("detail", detail),
            TlsFailure::Refused => f(Code::TlsRefused, Status::Fail)
                .with("addr", &addr)
                .with("port", r.port),
            TlsFailure::Reset { stage } => f(Code::TlsReset, Status::Fail)
                .with("addr", &addr)
                .with("stage", stage.as_label()),
            TlsFailure::ConnectTimeout => f(Code::TlsConnectTimeout, Status::Fail)
                .with("addr", &addr)
                .with("timeout_ms", s.connect_timeout.as_millis()),
            TlsFailure::ConnectError { detail } => f(Code::TlsConnectError, Status::Fail)
                .with("addr", &addr)
                .with("detail", detail),
            TlsFailure::HandshakeTimeout => {
                let retry = r.small_mss_retry.as_ref();
                let (note, note_ja) = match retry {
                    Some(t) => (
                        format!(
                            "; {} bytes had come from the server, and a second handshake allowing only {}-byte segments did not complete either ({}), so packet size is not the cause",
                            t.received_before_stall,
                            t.mss,
                            t.failed.as_deref().unwrap_or("stalled")
                        ),
                        format!(
                            "（サーバから {} バイト受信）。TCPセグメントを {} バイトに制限した再試行も完了しなかったため（{}）、パケットサイズが原因ではありません",
                            t.received_before_stall,
                            t.mss,
                            t.failed.as_deref().unwrap_or("stalled")
                        ),
                    ),
                    None => (String::new(), String::new()),
                };
                f(Code::TlsHandshakeTimeout, Status::Fail)
                    .with("addr", &addr)
                    .with("timeout_ms", s.handshake_timeout.as_millis())
                    .with("retry_note", note)
                    .with("retry_note_ja", note_ja)
            }
            TlsFailure::MtuBlackHole => {
                let retry = r.small_mss_retry.as_ref();
                f(Code::TlsMtuBlackHole, Status::Fail)
                    .with("addr", &addr)
                    .with("timeout_ms", s.handshake_timeout.as_millis())
                    .with("received", retry.map_or(0, |t| t.received_before_stall))
                    .with("mss", retry.map_or(0, |t| t.mss))
                    .with(
                        "retry_ms",
                        super::ms(retry.and_then(|t| t.handshake_ms).unwrap_or(0.0)),
                    )
            }
            TlsFailure::ServerUnknownCa => {
                let c = r.server_cert.as_ref();
                f(Code::TlsServerUnknownCa, Status::Fail)
                    .with("server_subject", c.map_or("?", |c| c.subject.as_str()))
                    .with("server_issuer", c.map_or("?", |c| c.issuer.as_str()))
                    .with("ca", id.map_or("?".to_string(), |i| i.ca_source.clone()))
            }
            TlsFailure::ServerCertExpired => f(Code::TlsServerCertExpired, Status::Fail).with(
                "not_after",
                r.server_cert.as_ref().map_or("?", |c| c.not_after.as_str()),
            ),
            TlsFailure::ServerNameMismatch if wrong_env => {
                // Already said, better, by the wrong-environment finding.
                Finding::new(Code::TlsServerNameMismatch, Status::Fail, &subject)
                    .with("server_names", &server_names)
                    .with("host", &r.host)
            }
            TlsFailure::ServerNameMismatch => f(Code::TlsServerNameMismatch, Status::Fail)
                .with("server_names", &server_names)
                .with("host", &r.host),
            TlsFailure::ServerCertInvalid { detail } => {
                f(Code::TlsServerCertInvalid, Status::Fail).with("detail", detail)
            }
            TlsFailure::ClientCertRequired => f(Code::TlsClientCertRequired, Status::Fail),
            TlsFailure::Rejected { alert } => {
                let code = match alert.as_str() {
                    "bad_certificate" | "unsupported_certificate" | "certificate_unknown" => {
                        Code::TlsRejectedBadCertificate
                    }
                    "unknown_ca" => Code::TlsRejectedUnknownCa,
                    "certificate_expired" => Code::TlsRejectedCertificateExpired,
                    "certificate_revoked" => Code::TlsRejectedCertificateRevoked,
                    "certificate_required" => Code::TlsRejectedCertificateRequired,
                    "access_denied" => Code::TlsRejectedAccessDenied,
                    _ => Code::TlsRejectedOther,
                };
                f(code, Status::Fail)
                    .with("alert", alert)
                    .with("cert", &cert)
                    .with("cert_issuer", &cert_issuer)
            }
            TlsFailure::NotTls { detail } => f(Code::TlsNotTls, Status::Fail)
                .with("addr", &addr)
                .with("detail", detail),
            TlsFailure::ProtocolMismatch { detail } => {
                f(Code::TlsProtocolMismatch, Status::Fail).with("detail", detail)
            }
            TlsFailure::ClosedAfterHandshake { stage } => {
                f(Code::TlsClosedAfterHandshake, Status::Fail).with("stage", stage.as_label())
            }
            TlsFailure::RequestTimeout => f(Code::TlsRequestTimeout, Status::Fail)
                .with("request", r.request.as_deref().unwrap_or("/"))
                .with("timeout_ms", s.request_timeout.as_millis()),
            TlsFailure::Http { detail } => {
                f(Code::TlsHttpError, Status::Fail).with("detail", detail)
            }
            TlsFailure::Other { detail } => f(Code::TlsOther, Status::Fail).with("detail", detail),
        };
        let duplicate = wrong_env && finding.code == Code::TlsServerNameMismatch;
        if !duplicate {
            findings.push(finding);
        }
    }
    if let (None, Some(status)) = (&r.failure, r.http_status) {
        let reason = r.http_reason.clone().unwrap_or_default();
        let about_cert = {
            let l = reason.to_ascii_lowercase();
            l.contains("certificate") || l.contains("ssl") || l.contains("tls")
        };
        if status == 495 || status == 496 || (status >= 400 && about_cert) {
            findings.push(
                f(Code::TlsRejectedHttp, Status::Fail)
                    .with("status", status)
                    .with("reason", &reason),
            );
        }
    }
    if r.failure.is_none() {
        let slow = &p.slowness;
        findings.extend(
            r.connect_ms
                .and_then(|v| super::slow::tcp(slow, &subject, &addr, v)),
        );
        findings.extend(
            r.handshake_ms
                .and_then(|v| super::slow::tls(slow, &subject, &addr, v)),
        );
    }
    if r.failure.is_none() && r.client_cert_expected && r.client_cert_requested == Some(false) {
        findings.push(f(Code::TlsClientCertNotRequested, Status::Warn));
    }
    if let Some(c) = &r.server_cert
        && !c.expired()
        && c.days_left < i64::from(s.expiry_warn_days)
        && r.failure.is_none()
    {
        findings.push(
            f(Code::TlsServerCertExpiring, Status::Warn)
                .with("days_left", c.days_left)
                .with("not_after", &c.not_after),
        );
    }
    Check {
        id: format!("tls:{}", r.name),
        kind: CheckKind::Tls,
        target: format!("{} {}:{}", r.name, r.host, r.port),
        status: worst(&findings),
        findings,
        data: CheckData::Tls(Box::new(r.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stalled(retry: Option<crate::model::MssRetry>, failure: TlsFailure) -> TlsEndpointResult {
        TlsEndpointResult {
            name: "distribution".into(),
            host: "dist.example".into(),
            port: 443,
            addr: Some("[2001:db8:a5::11]:443".parse().unwrap()),
            resolve_ms: None,
            connect_ms: Some(1.0),
            handshake_ms: None,
            request_ms: None,
            protocol: None,
            cipher: None,
            server_cert: None,
            server_chain_len: 0,
            client_cert_requested: None,
            client_cert_sent: false,
            client_cert_expected: true,
            accepted_by: None,
            request: None,
            http_status: None,
            http_reason: None,
            failure: Some(failure),
            small_mss_retry: retry,
        }
    }

    fn retry(handshake_ms: Option<f64>) -> crate::model::MssRetry {
        crate::model::MssRetry {
            mss: 1220,
            received_before_stall: 0,
            handshake_ms,
            failed: handshake_ms
                .is_none()
                .then(|| "handshake_timeout".to_string()),
        }
    }

    #[test]
    fn a_handshake_that_passes_with_small_segments_is_an_mtu_black_hole_fixed_on_the_line() {
        use crate::findings::{Lang, render};
        let p = crate::profile::shipped("ipvpn-production").unwrap();
        let r = stalled(Some(retry(Some(12.34))), TlsFailure::MtuBlackHole);
        let c = endpoint_check(&p, None, &r);
        assert_eq!(c.findings.len(), 1);
        let f = &c.findings[0];
        assert_eq!(f.code, Code::TlsMtuBlackHole);
        assert_eq!(f.value("mss"), Some("1220"));
        assert_eq!(f.value("retry_ms"), Some("12.3"));
        let en = render(f, Lang::En);
        assert!(en.cause.contains("1220-byte TCP segments"), "{}", en.cause);
        assert!(en.fix.contains("clamp the TCP MSS"), "{}", en.fix);
        assert!(
            !en.fix.contains("bypass"),
            "no proxy is on this way: {}",
            en.fix
        );
        let ja = render(f, Lang::Ja);
        assert!(ja.fix.contains("MSSクランプ"), "{}", ja.fix);
        assert!(!en.cause.contains('?') && !ja.cause.contains('?'));
    }

    #[test]
    fn a_stall_that_small_segments_do_not_cure_blames_no_proxy_and_not_the_mtu() {
        use crate::findings::{Lang, render};
        let p = crate::profile::shipped("ipvpn-production").unwrap();
        let r = stalled(Some(retry(None)), TlsFailure::HandshakeTimeout);
        let c = endpoint_check(&p, None, &r);
        let f = &c.findings[0];
        assert_eq!(f.code, Code::TlsHandshakeTimeout);
        let en = render(f, Lang::En);
        assert!(
            en.cause.contains(
                "0 bytes had come from the server, and a second handshake allowing only 1220-byte segments did not complete either (handshake_timeout)"
            ),
            "{}",
            en.cause
        );
        assert!(
            en.fix.starts_with("No proxy is on this connection"),
            "{}",
            en.fix
        );
        assert!(!en.fix.contains("bypass list"), "{}", en.fix);
        // Where the retry could not be made, nothing is said of it.
        let r = stalled(None, TlsFailure::HandshakeTimeout);
        let f = &endpoint_check(&p, None, &r).findings[0];
        let en = render(f, Lang::En);
        assert!(en.cause.ends_with("ms)"), "{}", en.cause);
        let ja = render(f, Lang::Ja);
        assert!(!ja.cause.contains('?'), "{}", ja.cause);
    }

    #[test]
    fn environments_from_names() {
        use Environment::*;
        assert_eq!(environment_of("hweb.oqs.onshikaku.org"), Some(Production));
        assert_eq!(
            environment_of("hweb.oqs-st.onshikaku.org"),
            Some(Verification)
        );
        assert_eq!(environment_of("eps.stg.onshikaku.org"), Some(Verification));
        assert_eq!(environment_of("eps.prd.onshikaku.org"), Some(Production));
        assert_eq!(environment_of("stg.pmh.onshikaku.org"), Some(Verification));
        assert_eq!(environment_of("dist.example.lan"), None);
    }
}

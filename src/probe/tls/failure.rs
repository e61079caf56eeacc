//! Every way a TLS attempt fails, named as a [`TlsFailure`] a person can act on: a TCP connect
//! error, an I/O error carrying a rustls error, a rustls error itself (certificate checks, alerts,
//! protocol mismatches), and alerts named as the RFC names them. Pure functions: no I/O.

use crate::model::{Stage, TlsFailure};
use rustls::{AlertDescription, CertificateError, Error as TlsError, PeerMisbehaved};
use std::io;

/// A TCP connect error.
pub(super) fn connect_failure(e: &io::Error) -> TlsFailure {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => TlsFailure::Refused,
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => TlsFailure::Reset {
            stage: Stage::Connect,
        },
        io::ErrorKind::TimedOut => TlsFailure::ConnectTimeout,
        _ => TlsFailure::ConnectError {
            detail: e.to_string(),
        },
    }
}

/// The rustls error inside an I/O error, if any (tokio-rustls wraps them so).
fn rustls_error(e: &io::Error) -> Option<&TlsError> {
    e.get_ref().and_then(|i| i.downcast_ref::<TlsError>())
}

/// Names an alert the way the RFC does (`bad_certificate`).
pub(super) fn alert_name(a: AlertDescription) -> String {
    let dbg = format!("{a:?}");
    let mut out = String::new();
    for (i, ch) in dbg.char_indices() {
        if ch.is_ascii_uppercase() && i > 0 && !dbg[..i].ends_with(|c: char| c.is_ascii_uppercase())
        {
            out.push('_');
        }
        out.push(ch.to_ascii_lowercase());
    }
    match out.as_str() {
        "unknown_c_a" | "unknown_ca" => "unknown_ca".into(),
        _ => out,
    }
}

/// An I/O error of the TLS stream at `stage`: the rustls error inside it, else what the socket
/// did (reset, closed).
pub(super) fn tls_failure(e: &io::Error, stage: Stage, asked: bool, sent_cert: bool) -> TlsFailure {
    let Some(t) = rustls_error(e) else {
        return match e.kind() {
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => TlsFailure::Reset { stage },
            io::ErrorKind::UnexpectedEof => TlsFailure::ClosedAfterHandshake { stage },
            _ => TlsFailure::Other {
                detail: e.to_string(),
            },
        };
    };
    classify(t, asked, sent_cert)
}

/// A rustls error as a failure a person can act on.
pub(super) fn classify(t: &TlsError, asked: bool, sent_cert: bool) -> TlsFailure {
    match t {
        TlsError::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer => TlsFailure::ServerUnknownCa,
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                TlsFailure::ServerCertExpired
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TlsFailure::ServerNameMismatch
            }
            other => TlsFailure::ServerCertInvalid {
                detail: format!("{other}"),
            },
        },
        TlsError::AlertReceived(a) => match a {
            AlertDescription::ProtocolVersion | AlertDescription::InsufficientSecurity => {
                TlsFailure::ProtocolMismatch {
                    detail: format!("alert {}", alert_name(*a)),
                }
            }
            AlertDescription::HandshakeFailure if !asked => TlsFailure::ProtocolMismatch {
                detail: "alert handshake_failure".into(),
            },
            AlertDescription::HandshakeFailure | AlertDescription::CertificateRequired
                if !sent_cert =>
            {
                TlsFailure::ClientCertRequired
            }
            other => TlsFailure::Rejected {
                alert: alert_name(*other),
            },
        },
        TlsError::PeerIncompatible(p) => TlsFailure::ProtocolMismatch {
            detail: format!("{p:?}"),
        },
        TlsError::PeerMisbehaved(PeerMisbehaved::SelectedUnofferedCipherSuite)
        | TlsError::PeerMisbehaved(PeerMisbehaved::SelectedTls12UsingTls13VersionExtension) => {
            TlsFailure::ProtocolMismatch {
                detail: format!("{t}"),
            }
        }
        TlsError::InvalidMessage(m) => TlsFailure::NotTls {
            detail: format!("{m:?}"),
        },
        TlsError::NoCertificatesPresented => TlsFailure::ServerCertInvalid {
            detail: "the server presented no certificate".into(),
        },
        other => TlsFailure::Other {
            detail: format!("{other}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_names_follow_the_rfc() {
        assert_eq!(
            alert_name(AlertDescription::BadCertificate),
            "bad_certificate"
        );
        assert_eq!(alert_name(AlertDescription::UnknownCA), "unknown_ca");
        assert_eq!(
            alert_name(AlertDescription::CertificateRequired),
            "certificate_required"
        );
        assert_eq!(alert_name(AlertDescription::AccessDenied), "access_denied");
    }

    #[test]
    fn classification() {
        let alert = |a| TlsError::AlertReceived(a);
        let f = classify(&alert(AlertDescription::CertificateRequired), true, false);
        assert_eq!(f, TlsFailure::ClientCertRequired);
        let f = classify(&alert(AlertDescription::CertificateRequired), true, true);
        assert_eq!(f.as_label(), "rejected");
        let f = classify(&alert(AlertDescription::HandshakeFailure), true, false);
        assert_eq!(f, TlsFailure::ClientCertRequired);
        let f = classify(&alert(AlertDescription::HandshakeFailure), false, false);
        assert_eq!(f.as_label(), "protocol_mismatch");
        let f = classify(&alert(AlertDescription::ProtocolVersion), true, true);
        assert_eq!(f.as_label(), "protocol_mismatch");
        let f = classify(
            &TlsError::InvalidCertificate(CertificateError::NotValidForName),
            true,
            true,
        );
        assert_eq!(f, TlsFailure::ServerNameMismatch);
    }

    #[test]
    fn stream_errors_carry_their_rustls_error_or_their_kind() {
        let wrapped = io::Error::new(
            io::ErrorKind::InvalidData,
            TlsError::InvalidCertificate(CertificateError::Expired),
        );
        assert_eq!(
            tls_failure(&wrapped, Stage::Handshake, true, true),
            TlsFailure::ServerCertExpired
        );
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert_eq!(
            tls_failure(&reset, Stage::Request, true, true),
            TlsFailure::Reset {
                stage: Stage::Request
            }
        );
        let eof = io::Error::from(io::ErrorKind::UnexpectedEof);
        assert_eq!(
            tls_failure(&eof, Stage::Handshake, true, true),
            TlsFailure::ClosedAfterHandshake {
                stage: Stage::Handshake
            }
        );
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(connect_failure(&refused), TlsFailure::Refused);
        let aborted = io::Error::from(io::ErrorKind::ConnectionAborted);
        assert_eq!(
            connect_failure(&aborted),
            TlsFailure::Reset {
                stage: Stage::Connect
            }
        );
    }
}

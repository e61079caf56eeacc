//! One HTTPS GET over an established TLS stream (hyper, HTTP/1.1, `Connection: close`), bounded in
//! head and body size: the server's answer proves it accepted our certificate, and an error status
//! comes with the reason its body gives. Uses the stream it is given; opens no socket.

use super::failure::{classify, tls_failure};
use crate::model::{Stage, TlsFailure};
use rustls::Error as TlsError;
use std::io;

/// Largest response head accepted (hyper's own limit is larger).
const MAX_HEAD: usize = 16 * 1024;
/// Largest part of an error response's body read for its reason.
const MAX_BODY: usize = 4096;

/// One GET over the established connection; returns the status code, and for an error status
/// what the body says (its HTML title or first line, from at most [`MAX_BODY`] bytes).
pub(super) async fn request<S>(
    tls: S,
    host: &str,
    port: u16,
    path: &str,
    sent_cert: bool,
) -> Result<(u16, Option<String>), TlsFailure>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use http_body_util::Empty;
    let io = hyper_util::rt::TokioIo::new(tls);
    let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
        .max_buf_size(MAX_HEAD.max(8192))
        .handshake::<_, Empty<hyper::body::Bytes>>(io)
        .await
        .map_err(|e| http_failure(&e, sent_cert))?;
    let driver = tokio::spawn(conn);
    let authority = if port == 443 {
        host.to_string()
    } else {
        format!("{host}:{port}")
    };
    let req = hyper::Request::builder()
        .method("GET")
        .uri(path)
        .header(hyper::header::HOST, authority)
        .header(
            hyper::header::USER_AGENT,
            concat!("oqs-net/", env!("CARGO_PKG_VERSION")),
        )
        .header(hyper::header::CONNECTION, "close")
        .body(Empty::new())
        .map_err(|e| TlsFailure::Http {
            detail: e.to_string(),
        })?;
    let res = sender.send_request(req).await;
    let out = match res {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let reason = if status >= 400 {
                let body = read_some(resp.into_body()).await;
                reason_of(&body, status)
            } else {
                None
            };
            Ok((status, reason))
        }
        Err(e) => Err(http_failure(&e, sent_cert)),
    };
    driver.abort();
    out
}

async fn read_some(mut body: hyper::body::Incoming) -> Vec<u8> {
    use http_body_util::BodyExt;
    let mut out = Vec::new();
    while out.len() < MAX_BODY {
        match body.frame().await {
            Some(Ok(f)) => {
                if let Ok(d) = f.into_data() {
                    let take = d.len().min(MAX_BODY - out.len());
                    out.extend_from_slice(&d[..take]);
                }
            }
            _ => break,
        }
    }
    out
}

/// The `<title>` of an HTML body, else its first non-empty line, at most 120 characters.
fn reason_of(body: &[u8], status: u16) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    let raw = match (lower.find("<title>"), lower.find("</title>")) {
        (Some(a), Some(b)) if b > a + 7 => text[a + 7..b].to_string(),
        _ => text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
            .to_string(),
    };
    let clean: String = raw.chars().filter(|c| !c.is_control()).take(120).collect();
    let clean = clean.trim();
    let clean = clean
        .strip_prefix(&status.to_string())
        .map(str::trim)
        .unwrap_or(clean);
    (!clean.is_empty()).then(|| clean.to_string())
}

/// A hyper error as a failure: the I/O or rustls error under it where there is one (the server
/// judged our certificate only now, under TLS 1.3), else a connection closed or an HTTP error.
fn http_failure(e: &hyper::Error, sent_cert: bool) -> TlsFailure {
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<io::Error>() {
            return tls_failure(io, Stage::Request, true, sent_cert);
        }
        if let Some(t) = s.downcast_ref::<TlsError>() {
            return classify(t, true, sent_cert);
        }
        src = s.source();
    }
    if e.is_incomplete_message() {
        return TlsFailure::ClosedAfterHandshake {
            stage: Stage::Request,
        };
    }
    TlsFailure::Http {
        detail: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_from_bodies() {
        let nginx = b"<html>\r\n<head><title>400 The SSL certificate error</title></head>\r\n";
        assert_eq!(
            reason_of(nginx, 400).as_deref(),
            Some("The SSL certificate error")
        );
        assert_eq!(
            reason_of(b"\n  forbidden here\nmore", 403).as_deref(),
            Some("forbidden here")
        );
        assert_eq!(reason_of(b"", 500), None);
    }
}

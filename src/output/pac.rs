//! The terminal and JSON forms of `oqs-net pac`: where the script came from, the call made, the
//! answer and the routes parsed from it (or why there is none), the lookups and alerts, and the
//! findings with their guide sections. Reads the PAC evaluator's plain result types
//! (`probe::pac`) and `findings`; never runs a script or opens a socket.

use super::width::pad_right;
use crate::findings::{self, Lang};
use crate::model::{Finding, Route};
use crate::probe::pac::fetch::Fetched;
use crate::probe::pac::{PacAnswer, PacLimits, PacQuery, UrlPolicy};
use serde_json::json;
use std::net::IpAddr;

/// Where the script came from.
pub(crate) struct Source<'a> {
    /// The path, `<stdin>`, or the URL.
    pub(crate) name: &'a str,
    /// The script's length in bytes.
    pub(crate) bytes: usize,
    /// How a URL was fetched.
    pub(crate) fetched: Option<&'a Fetched>,
}

/// What the evaluation came to.
pub(crate) enum Outcome {
    Answered(PacAnswer),
    Failed {
        label: &'static str,
        message: String,
    },
}

/// One evaluation as the command reports it.
pub(crate) struct Report<'a> {
    pub(crate) given_url: &'a str,
    pub(crate) source: Source<'a>,
    pub(crate) query: &'a PacQuery,
    pub(crate) policy: UrlPolicy,
    pub(crate) my_ip: &'a [IpAddr],
    pub(crate) limits: &'a PacLimits,
    pub(crate) outcome: &'a Outcome,
    pub(crate) findings: &'a [Finding],
    pub(crate) lang: Lang,
}

impl Report<'_> {
    /// The report as JSON, in the shared envelope (`schema_version` [`PAC_SCHEMA_VERSION`]).
    ///
    /// [`PAC_SCHEMA_VERSION`]: super::envelope::PAC_SCHEMA_VERSION
    pub(crate) fn json(&self) -> String {
        let (status, answer, error) = match self.outcome {
            Outcome::Answered(a) => (
                "answered",
                json!({
                    "entry": a.entry,
                    "raw": a.raw,
                    "routes": a.routes,
                    "lookups": a.lookups.iter().map(|l| json!({
                        "name": l.name,
                        "addresses": l.result.as_ref().ok(),
                        "error": l.result.as_ref().err(),
                        "took_ms": l.took.as_secs_f64() * 1000.0,
                    })).collect::<Vec<_>>(),
                    "alerts": a.alerts,
                    "elapsed_ms": a.elapsed.as_secs_f64() * 1000.0,
                }),
                serde_json::Value::Null,
            ),
            Outcome::Failed { label, message } => (
                "failed",
                serde_json::Value::Null,
                json!({"label": label, "message": message}),
            ),
        };
        let findings: Vec<_> = self
            .findings
            .iter()
            .map(|f| {
                let r = findings::render(f, self.lang);
                json!({
                    "code": f.code,
                    "severity": f.severity,
                    "subject": f.subject,
                    "section": r.section,
                    "cause": r.cause,
                    "fix": r.fix,
                })
            })
            .collect();
        let doc = json!({
            "source": {
                "name": self.source.name,
                "bytes": self.source.bytes,
                "fetch": self.source.fetched,
            },
            "query": self.query,
            "url_policy": self.policy.as_label(),
            "my_ip": self.my_ip,
            "limits": self.limits,
            "status": status,
            "answer": answer,
            "error": error,
            "findings": findings,
        });
        super::envelope::finish(super::envelope::PAC_SCHEMA_VERSION, doc)
    }

    /// The report for the terminal.
    pub(crate) fn human(&self) -> String {
        let mut o = String::new();
        let line = |o: &mut String, k: &str, v: &str| {
            o.push_str(&format!("  {} {v}\n", pad_right(k, 10)));
        };
        o.push_str(&format!(
            "PAC {} ({} bytes)\n",
            self.source.name, self.source.bytes
        ));
        if let Some(f) = self.source.fetched {
            let mut v = format!(
                "{} in {:.0} ms, {}",
                f.url,
                f.elapsed.as_secs_f64() * 1000.0,
                f.content_type.as_deref().unwrap_or("no content type")
            );
            if !f.redirects.is_empty() {
                v.push_str(&format!(", redirected from {}", f.redirects.join(" -> ")));
            }
            if f.lossy {
                v.push_str(", not UTF-8 (invalid bytes replaced)");
            }
            line(&mut o, "fetched", &v);
        }
        line(
            &mut o,
            "call",
            &format!(
                "FindProxyForURL({:?}, {:?})",
                self.query.url, self.query.host
            ),
        );
        if self.query.url != self.given_url {
            line(
                &mut o,
                "url",
                match self.policy {
                    UrlPolicy::StripHttpsPath => {
                        "path, query and credentials stripped, as Chrome and Windows do (--keep-path passes them)"
                    }
                    UrlPolicy::Keep => "passed as given, as pacparser does",
                },
            );
        }
        let ips: Vec<String> = self.my_ip.iter().map(ToString::to_string).collect();
        line(
            &mut o,
            "my ip",
            &if ips.is_empty() {
                "127.0.0.1 (no route found)".to_string()
            } else {
                ips.join(", ")
            },
        );
        match self.outcome {
            Outcome::Answered(a) => {
                line(
                    &mut o,
                    "answered",
                    &format!(
                        "by {} in {:.1} ms",
                        a.entry,
                        a.elapsed.as_secs_f64() * 1000.0
                    ),
                );
                line(&mut o, "result", &format!("{:?}", a.raw));
                for (i, r) in a.routes.routes.iter().enumerate() {
                    let k = if i == 0 { "routes" } else { "" };
                    let mark = match r {
                        Route::Invalid { .. } => "  (skipped by browsers)",
                        _ => "",
                    };
                    line(&mut o, k, &format!("{}. {r}{mark}", i + 1));
                }
                if a.routes.truncated {
                    line(&mut o, "", "... more routes not shown");
                }
                if a.routes.first_usable().is_none() {
                    line(
                        &mut o,
                        "effective",
                        "no usable route: Chrome falls back to DIRECT on such an answer",
                    );
                }
                for (i, l) in a.lookups.iter().enumerate() {
                    let k = if i == 0 { "lookups" } else { "" };
                    let v = match &l.result {
                        Ok(ips) => ips
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", "),
                        Err(e) => e.clone(),
                    };
                    line(
                        &mut o,
                        k,
                        &format!(
                            "{} -> {v} ({:.1} ms)",
                            l.name,
                            l.took.as_secs_f64() * 1000.0
                        ),
                    );
                }
                for (i, m) in a.alerts.iter().enumerate() {
                    line(
                        &mut o,
                        if i == 0 { "alerts" } else { "" },
                        &format!("{m:?}"),
                    );
                }
            }
            Outcome::Failed { label, message } => {
                line(&mut o, "failed", &format!("{label}: {message}"));
            }
        }
        for f in self.findings {
            let r = findings::render(f, self.lang);
            o.push_str(&format!(
                "\n{} [{}] {}\n    {}\n",
                f.severity.as_label().to_uppercase(),
                r.section,
                r.cause,
                r.fix
            ));
        }
        o
    }
}

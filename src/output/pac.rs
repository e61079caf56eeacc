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
        use crate::findings::labels::{self, Label::*};
        let lang = self.lang;
        let t = |l: crate::findings::labels::Label| l.text(lang);
        let mut o = String::new();
        let line = |o: &mut String, k: &str, v: &str| {
            o.push_str(&format!("  {} {v}\n", pad_right(k, 10)));
        };
        o.push_str(&format!(
            "PAC {} {}\n",
            self.source.name,
            PacBytes.with(lang, self.source.bytes)
        ));
        if let Some(f) = self.source.fetched {
            let mut v = format!(
                "{} {} {:.0} ms, {}",
                f.url,
                t(PacIn),
                f.elapsed.as_secs_f64() * 1000.0,
                f.content_type.as_deref().unwrap_or(t(PacNoContentType))
            );
            if !f.redirects.is_empty() {
                v.push_str(&format!(
                    ", {} {}",
                    t(PacRedirectedFrom),
                    f.redirects.join(" -> ")
                ));
            }
            if f.lossy {
                v.push_str(", ");
                v.push_str(t(PacLossy));
            }
            line(&mut o, t(PacFetched), &v);
        }
        line(
            &mut o,
            t(PacCall),
            &format!(
                "FindProxyForURL({:?}, {:?})",
                self.query.url, self.query.host
            ),
        );
        if self.query.url != self.given_url {
            line(
                &mut o,
                t(PacUrl),
                match self.policy {
                    UrlPolicy::StripHttpsPath => t(PacUrlStripped),
                    UrlPolicy::Keep => t(PacUrlKept),
                },
            );
        }
        let ips: Vec<String> = self.my_ip.iter().map(ToString::to_string).collect();
        line(
            &mut o,
            t(PacMyIp),
            &if ips.is_empty() {
                format!("127.0.0.1 {}", t(PacNoRoute))
            } else {
                ips.join(", ")
            },
        );
        match self.outcome {
            Outcome::Answered(a) => {
                line(
                    &mut o,
                    t(Answered),
                    &format!(
                        "{} {:.1} ms",
                        PacAnsweredBy.with(lang, a.entry),
                        a.elapsed.as_secs_f64() * 1000.0
                    ),
                );
                line(&mut o, t(PacResult), &format!("{:?}", a.raw));
                for (i, r) in a.routes.routes.iter().enumerate() {
                    let k = if i == 0 { t(PacRoutes) } else { "" };
                    let shown = match r {
                        Route::Invalid { text, fault } => format!(
                            "{} ({}): {text:?}  {}",
                            t(PacInvalid),
                            fault.as_label(),
                            t(PacSkipped)
                        ),
                        _ => r.to_string(),
                    };
                    line(&mut o, k, &format!("{}. {shown}", i + 1));
                }
                if a.routes.truncated {
                    line(&mut o, "", t(PacMoreRoutes));
                }
                if a.routes.first_usable().is_none() {
                    line(&mut o, t(PacEffective), t(PacNoUsableRoute));
                }
                for (i, l) in a.lookups.iter().enumerate() {
                    let k = if i == 0 { t(PacLookups) } else { "" };
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
                        if i == 0 { t(PacAlerts) } else { "" },
                        &format!("{m:?}"),
                    );
                }
            }
            Outcome::Failed { label, message } => {
                line(
                    &mut o,
                    t(PacFailed),
                    &labels::pac_failure(&format!("{label}: {message}"), lang),
                );
            }
        }
        for f in self.findings {
            let r = findings::render(f, self.lang);
            o.push_str(&format!(
                "\n{} {} [{}] {}\n    {}\n",
                labels::status(f.severity, lang),
                f.code.as_label(),
                r.section,
                r.cause,
                r.fix
            ));
        }
        o
    }
}

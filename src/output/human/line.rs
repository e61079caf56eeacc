//! The terminal lines of the line section: what the line-authentication page said, whether the
//! adapter's DNS servers are the NGN's and answer, and which environment the OQS names answer as.
//! Reads `model` only.

use crate::findings::Lang;
use crate::findings::labels::{self, Label};
use crate::model::{AuthPage, Check, CheckData, Environment, PageReading};

fn env(e: Environment, lang: Lang) -> &'static str {
    labels::environment(e.as_label(), lang)
}

/// The charset the page was decoded by and where it was found (`Shift_JIS (HTTP header)`).
fn charset(p: &PageReading, lang: Lang) -> String {
    let mut from = labels::charset_origin(p.charset_from, lang).to_string();
    if p.undecodable {
        from.push_str(Label::Undecodable.text(lang));
    }
    Label::CharsetFrom.fill(lang, &[("charset", &p.charset), ("from", &from)])
}

pub(super) fn figures(c: &Check, lang: Lang) -> Option<String> {
    match &c.data {
        CheckData::LineAuth(r) => {
            let trust = if r.verified {
                String::new()
            } else {
                format!(" · {}", Label::CertNotChecked.text(lang))
            };
            Some(match (&r.page, &r.failure) {
                (Some(p), _) => {
                    let verdict = match p.verdict {
                        AuthPage::Authenticated => Label::Authenticated,
                        AuthPage::NotAuthenticated => Label::NotAuthenticated,
                        AuthPage::Unexpected => Label::UnexpectedPage,
                    };
                    format!(
                        "{} · HTTP {} · {} · {} · “{}” · {:.0} ms{trust}",
                        verdict.text(lang),
                        p.status,
                        Label::Bytes.with(lang, p.bytes),
                        charset(p, lang),
                        p.excerpt,
                        r.elapsed_ms
                    )
                }
                (None, Some((stage, detail))) => format!(
                    "{} ({}): {detail}{trust}",
                    Label::Unreachable.text(lang),
                    stage.as_label()
                ),
                (None, None) => "-".into(),
            })
        }
        CheckData::NgnDns(r) => {
            let list = |v: &[std::net::SocketAddr]| {
                if v.is_empty() {
                    "-".to_string()
                } else {
                    // The port only where it is not DNS's own (a lab's server, say).
                    v.iter()
                        .map(|a| match a.port() {
                            53 => a.ip().to_string(),
                            _ => a.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            let answered = r.answers.iter().filter(|a| a.failure.is_none()).count();
            Some(format!(
                "{} {} · NGN {} · {} {answered}/{}",
                Label::TerminalDns.text(lang),
                list(&r.terminal_servers),
                list(&r.ngn_servers),
                Label::Answered.text(lang),
                r.answers.len()
            ))
        }
        CheckData::Environment {
            expected,
            names,
            certificates,
        } => {
            let count = |e: Environment| {
                let of: Vec<_> = names.iter().filter(|n| n.environment == e).collect();
                let ok = of.iter().filter(|n| n.resolves).count();
                format!("{} {ok}/{}", env(e, lang), of.len())
            };
            let mut s = format!(
                "{} {} · {} {} · {}",
                Label::ProfileLower.text(lang),
                env(*expected, lang),
                Label::Resolving.text(lang),
                count(*expected),
                count(expected.other()),
            );
            let other = certificates.iter().filter(|(_, e)| e != expected).count();
            if !certificates.is_empty() {
                s.push_str(&format!(
                    " · {} {}/{} {}",
                    Label::Certificates.text(lang),
                    other,
                    certificates.len(),
                    env(expected.other(), lang)
                ));
            }
            Some(s)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CheckKind, NgnDnsResult, Status};

    #[test]
    fn dns_servers_show_their_port_only_when_it_is_not_53() {
        let c = Check {
            id: "line:ngn-dns".into(),
            kind: CheckKind::NgnDns,
            target: "NGN DNS".into(),
            status: Status::Warn,
            findings: vec![],
            data: CheckData::NgnDns(Box::new(NgnDnsResult {
                terminal_servers: vec!["127.0.0.1:5353".parse().unwrap()],
                ngn_servers: vec!["[2404:1a8:f583:d00::53:1]:53".parse().unwrap()],
                answers: vec![],
            })),
        };
        assert_eq!(
            figures(&c, Lang::En).unwrap(),
            "terminal DNS 127.0.0.1:5353 · NGN 2404:1a8:f583:d00::53:1 · answered 0/0"
        );
        assert_eq!(
            figures(&c, Lang::Ja).unwrap(),
            "端末のDNS 127.0.0.1:5353 · NGN 2404:1a8:f583:d00::53:1 · 応答 0/0"
        );
    }
}

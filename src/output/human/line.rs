//! The terminal lines of the line section: what the line-authentication page said, whether the
//! adapter's DNS servers are the NGN's and answer, and which environment the OQS names answer as.
//! Reads `model` only.

use crate::model::{AuthPage, Check, CheckData, Environment};

fn env(e: Environment, ja: bool) -> &'static str {
    match (e, ja) {
        (Environment::Production, false) => "production",
        (Environment::Verification, false) => "verification",
        (Environment::Production, true) => "本番環境",
        (Environment::Verification, true) => "接続検証環境",
    }
}

/// The charset the page was decoded by and how it was found (`Shift_JIS (HTTP header)`), the
/// how in Japanese where asked.
fn charset(c: &str, ja: bool) -> String {
    if !ja {
        return c.to_string();
    }
    [
        (" (", "（"),
        (")", "）"),
        ("HTTP header", "HTTPヘッダで宣言"),
        ("BOM", "バイト順マーク"),
        ("meta", "ページ内で宣言"),
        ("valid UTF-8", "UTF-8として解読"),
        ("guessed", "推定"),
        (", with undecodable bytes", "、解読できないバイトあり"),
    ]
    .iter()
    .fold(c.to_string(), |s, (en, ja)| s.replace(en, ja))
}

pub(super) fn figures(c: &Check, ja: bool) -> Option<String> {
    match &c.data {
        CheckData::LineAuth(r) => {
            let trust = match (r.verified, ja) {
                (true, _) => "",
                (false, false) => " · certificate not checked",
                (false, true) => " · 証明書未検証",
            };
            Some(match (&r.page, &r.failure) {
                (Some(p), _) => {
                    let verdict = match (p.verdict, ja) {
                        (AuthPage::Authenticated, false) => "authenticated",
                        (AuthPage::Authenticated, true) => "認証済み",
                        (AuthPage::NotAuthenticated, false) => "NOT authenticated",
                        (AuthPage::NotAuthenticated, true) => "未認証",
                        (AuthPage::Unexpected, false) => "unexpected page",
                        (AuthPage::Unexpected, true) => "想定外のページ",
                    };
                    format!(
                        "{verdict} · HTTP {} · {} {} · {} · “{}” · {:.0} ms{trust}",
                        p.status,
                        p.bytes,
                        if ja { "バイト" } else { "B" },
                        charset(&p.charset, ja),
                        p.excerpt,
                        r.elapsed_ms
                    )
                }
                (None, Some((stage, detail))) => format!(
                    "{} ({}): {detail}{trust}",
                    if ja {
                        "到達できません"
                    } else {
                        "unreachable"
                    },
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
                if ja { "端末のDNS" } else { "terminal DNS" },
                list(&r.terminal_servers),
                list(&r.ngn_servers),
                if ja { "応答" } else { "answered" },
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
                format!("{} {ok}/{}", env(e, ja), of.len())
            };
            let mut s = format!(
                "{} {} · {} {} · {}",
                if ja { "プロファイル" } else { "profile" },
                env(*expected, ja),
                if ja { "名前解決" } else { "resolving" },
                count(*expected),
                count(expected.other()),
            );
            let other = certificates.iter().filter(|(_, e)| e != expected).count();
            if !certificates.is_empty() {
                s.push_str(&format!(
                    " · {} {}/{} {}",
                    if ja { "証明書" } else { "certificates" },
                    other,
                    certificates.len(),
                    env(expected.other(), ja)
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
            figures(&c, false).unwrap(),
            "terminal DNS 127.0.0.1:5353 · NGN 2404:1a8:f583:d00::53:1 · answered 0/0"
        );
        assert_eq!(
            figures(&c, true).unwrap(),
            "端末のDNS 127.0.0.1:5353 · NGN 2404:1a8:f583:d00::53:1 · 応答 0/0"
        );
    }
}

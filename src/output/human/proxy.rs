//! The terminal lines of the proxy section: which place decides and what each says, and for each
//! target the way it goes, why, and the CONNECT through the proxy. Reads `model` and `findings`.

use crate::findings::labels::{self, Label};
use crate::findings::{Lang, route_reason};
use crate::model::{Check, CheckData, ConnectOutcome, DhcpWpad, ProxySource, Way};

/// "WPAD by DHCP: …", the first WPAD source Windows asks.
fn dhcp_line(d: &DhcpWpad, lang: Lang) -> String {
    let said = match d {
        DhcpWpad::NotAvailable { .. } => Label::NotAvailable.text(lang).to_string(),
        DhcpWpad::NotOffered { .. } => Label::NotOffered.text(lang).to_string(),
        DhcpWpad::Offered { url: Some(u), .. } => u.clone(),
        DhcpWpad::Offered {
            url: None, error, ..
        } => error.clone().unwrap_or_default(),
    };
    format!("{}: {said}", Label::WpadByDhcp.text(lang))
}

fn source_line(s: &ProxySource, lang: Lang) -> String {
    let mut parts = Vec::new();
    if s.direct {
        parts.push(Label::DirectOnly.text(lang).to_string());
    }
    if let Some(p) = &s.proxy {
        parts.push(format!("{} {p}", Label::Proxy.text(lang)));
    }
    if let Some(u) = &s.pac_url {
        parts.push(format!("PAC {u}"));
    }
    if let Some(a) = s.auto_detect {
        parts.push(
            if a {
                Label::AutoDetectOn
            } else {
                Label::AutoDetectOff
            }
            .text(lang)
            .to_string(),
        );
    }
    if !s.bypass.is_empty() {
        parts.push(format!("{} {}", Label::Bypass.text(lang), s.bypass.len()));
    }
    if parts.is_empty() {
        parts.push(Label::NothingSet.text(lang).into());
    }
    format!(
        "{}: {}",
        labels::proxy_source(s.kind.as_label(), lang),
        parts.join(", ")
    )
}

pub(super) fn figures(c: &Check, ja: bool) -> Option<String> {
    let lang = if ja { Lang::Ja } else { Lang::En };
    match &c.data {
        CheckData::ProxySettings {
            sources,
            effective,
            auto_detect,
            dhcp_wpad,
            pac,
            ..
        } => {
            let deciding = match effective {
                Some(k) => format!(
                    "{} {}",
                    Label::Decides.text(lang),
                    labels::proxy_source(k.as_label(), lang)
                ),
                None => Label::NoProxyAnywhere.text(lang).to_string(),
            };
            let mut s = deciding;
            if *auto_detect {
                s.push_str(" · ");
                s.push_str(Label::AutoDetectOn.text(lang));
            }
            if let Some(d) = dhcp_wpad {
                s.push_str(" · ");
                s.push_str(&dhcp_line(d, lang));
            }
            if let Some(u) = pac {
                let via = match u.via.as_str() {
                    // After the DHCP line: by DNS, which Windows asks next.
                    "wpad" if dhcp_wpad.is_some() => "WPAD (DNS)",
                    "wpad" => "WPAD",
                    "dhcp" => "WPAD (DHCP)",
                    _ => "PAC",
                };
                match (&u.url, &u.error) {
                    (Some(url), None) => s.push_str(&format!(" · {via} {url}")),
                    (_, Some(_)) => s.push_str(&format!(" · {via} {}", Label::Unusable.text(lang))),
                    (None, None) => {}
                }
            }
            let listed: Vec<String> = sources.iter().map(|s| source_line(s, lang)).collect();
            if !listed.is_empty() {
                s.push_str(" · ");
                s.push_str(&listed.join(" | "));
            }
            Some(s)
        }
        CheckData::ProxyRoute(r) => {
            let shown = |way: Way, proxy: &Option<String>| match way {
                Way::Direct => "DIRECT".to_string(),
                Way::Proxy => format!("PROXY {}", proxy.as_deref().unwrap_or("?")),
            };
            let mut s = format!(
                "{} → {} ({})",
                r.target,
                shown(r.way, &r.proxy),
                route_reason(&r.reason, lang)
            );
            if let Some(f) = r
                .fallback
                .as_ref()
                .filter(|f| f.way != r.way || f.proxy != r.proxy)
            {
                s.push_str(&format!(
                    " · {} {}",
                    Label::WithoutThePac.text(lang),
                    shown(f.way, &f.proxy)
                ));
            }
            if let Some(c) = &r.connect {
                let ms = c
                    .response_ms
                    .map(|m| format!(" {m:.0} ms"))
                    .unwrap_or_default();
                s.push_str(&match &c.outcome {
                    ConnectOutcome::Tunnel => format!(" · CONNECT 200{ms}"),
                    other => format!(" · CONNECT {}", other.as_label()),
                });
            }
            if let Some(t) = &r.tls {
                match (&t.failure, &t.protocol) {
                    (None, Some(p)) => {
                        s.push_str(&format!(" · TLS {p} {}", Label::ThroughTunnel.text(lang)))
                    }
                    (Some(f), _) => s.push_str(&format!(" · TLS {}", f.as_label())),
                    _ => {}
                }
            }
            Some(s)
        }
        _ => None,
    }
}

//! The terminal lines of the path checks: the OQS adapter section (addresses by family and scope,
//! default routes, DNS servers, the mode's expectations), routes, IPv4 fallback, NAT64, and TCP
//! reachability. Reads `model` only.

use crate::findings::{self, Lang};
use crate::model::{
    Adapter, AddressKind, Binding, Check, CheckData, DnsFailure, DnsQuery, Rule, Selection,
    TcpOutcome, TcpTargetResult,
};

fn yes_no(met: bool) -> &'static str {
    if met { "✓" } else { "✗" }
}

fn rule_name(r: Rule, ja: bool) -> &'static str {
    match (r, ja) {
        (Rule::Up, false) => "up",
        (Rule::Up, true) => "有効",
        (Rule::GlobalIpv6, false) => "global IPv6",
        (Rule::GlobalIpv6, true) => "グローバルIPv6あり",
        (Rule::NoIpv4, false) => "no IPv4",
        (Rule::NoIpv4, true) => "IPv4なし",
        (Rule::Ipv6DefaultRoute, false) => "IPv6 default route",
        (Rule::Ipv6DefaultRoute, true) => "IPv6デフォルトルートあり",
        (Rule::Ipv4, false) => "IPv4 address",
        (Rule::Ipv4, true) => "IPv4アドレスあり",
        (Rule::DnsServers, false) => "DNS servers set",
        (Rule::DnsServers, true) => "DNSサーバ設定あり",
    }
}

fn addresses(a: &Adapter, kind: AddressKind) -> String {
    let v: Vec<String> = a.of_kind(kind).map(ToString::to_string).collect();
    if v.is_empty() {
        "—".into()
    } else {
        v.join(", ")
    }
}

fn selection(s: &Selection, ja: bool) -> String {
    match (s, ja) {
        (Selection::Named { source, .. }, false) => format!(
            "named by {}",
            match source {
                crate::model::NameSource::Flag => "--interface",
                crate::model::NameSource::Profile => "the profile",
            }
        ),
        (Selection::Named { source, .. }, true) => format!(
            "{}で指定",
            match source {
                crate::model::NameSource::Flag => "--interface",
                crate::model::NameSource::Profile => "プロファイル",
            }
        ),
        (Selection::Route { target, source, .. }, false) => {
            format!("holds the route to {target} (source {source})")
        }
        (Selection::Route { target, source, .. }, true) => {
            format!("{target} への経路を持つアダプタ（送信元 {source}）")
        }
        (Selection::DefaultRoute { family, .. }, false) => {
            format!("the only {} default route", family.as_label())
        }
        (Selection::DefaultRoute { family, .. }, true) => {
            format!("{}デフォルトルートを持つ唯一のアダプタ", family.as_label())
        }
        (Selection::NotFound { reason }, false) => {
            format!("not found: {}", findings::not_found(reason, Lang::En))
        }
        (Selection::NotFound { reason }, true) => {
            format!("特定できません: {}", findings::not_found(reason, Lang::Ja))
        }
    }
}

fn binding(b: &Binding, ja: bool) -> String {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    match (b, ja) {
        (Binding::Device { name, .. }, false) => format!("sockets bound to device {name}"),
        (Binding::Device { name, .. }, true) => format!("ソケットをデバイス {name} に固定"),
        (Binding::Source { v4, v6 }, false) => format!(
            "sockets bound to source {} / {}",
            opt(v6.map(|a| a.to_string())),
            opt(v4.map(|a| a.to_string()))
        ),
        (Binding::Source { v4, v6 }, true) => format!(
            "ソケットを送信元 {} / {} に固定",
            opt(v6.map(|a| a.to_string())),
            opt(v4.map(|a| a.to_string()))
        ),
        (Binding::Unbound { reason }, false) => {
            format!("not bound: {}", findings::skipped(*reason, Lang::En))
        }
        (Binding::Unbound { reason }, true) => {
            format!("固定なし: {}", findings::skipped(*reason, Lang::Ja))
        }
    }
}

/// The one line after the check's target.
pub(super) fn figures(c: &Check, ja: bool) -> String {
    match &c.data {
        CheckData::Adapter {
            selection: s,
            binding: b,
            ..
        } => format!("{} · {}", selection(s, ja), binding(b, ja)),
        CheckData::Routes {
            oqs_adapter,
            oqs_label,
            routes,
        } => {
            let total = routes.len();
            let via = routes
                .iter()
                .filter(|r| r.adapter.is_some() && r.adapter == *oqs_adapter)
                .count();
            match (oqs_label, ja) {
                (_, false) if total == 0 => "no address off this machine".into(),
                (_, true) if total == 0 => "端末外の宛先なし".into(),
                (Some(a), false) => format!("{via} of {total} addresses leave by {a}"),
                (Some(a), true) => format!("{total} 件中 {via} 件が {a} から送出"),
                (None, false) => format!("{total} addresses, no OQS adapter to compare"),
                (None, true) => format!("{total} 件（比較するOQS用アダプタなし）"),
            }
        }
        CheckData::Ipv4Fallback { contacts } => {
            let mut whats: Vec<&str> = contacts.iter().map(|c| c.what).collect();
            whats.dedup();
            match (whats.is_empty(), ja) {
                (true, false) => "none: the round used IPv6 only".into(),
                (true, true) => "なし（IPv6のみ使用）".into(),
                (false, false) => format!("IPv4 used for {}", whats.join(", ")),
                (false, true) => format!("{} でIPv4を使用", whats.join("、")),
            }
        }
        CheckData::Nat64(n) => {
            if !n.prefixes.is_empty() {
                let p: Vec<String> = n
                    .prefixes
                    .iter()
                    .map(|p| {
                        if p.is_well_known() {
                            format!("{p} (well-known)")
                        } else {
                            p.to_string()
                        }
                    })
                    .collect();
                format!("DNS64/NAT64 · prefix {}", p.join(", "))
            } else if !n.query.answers.is_empty() {
                if ja {
                    "AAAAあり（合成ではない）".into()
                } else {
                    "AAAA not synthesised".into()
                }
            } else {
                let failure = n.query.failure.as_ref();
                let why = failure.map_or("nodata", |f| f.as_label()).to_uppercase();
                let answered = matches!(
                    failure,
                    None | Some(DnsFailure::NoData) | Some(DnsFailure::NxDomain)
                );
                match (answered, ja) {
                    (true, false) => format!("no NAT64/DNS64 (AAAA {why})"),
                    (true, true) => format!("NAT64/DNS64なし（AAAA {why}）"),
                    (false, false) => format!("cannot tell (AAAA {why})"),
                    (false, true) => format!("判定できません（AAAA {why}）"),
                }
            }
        }
        CheckData::Tcp(t) => tcp_figures(t, ja),
        _ => String::new(),
    }
}

fn tcp_figures(t: &TcpTargetResult, ja: bool) -> String {
    let mut parts = vec![t.name.clone()];
    if t.attempts.is_empty() {
        let lookup = |rec: &str, q: &Option<DnsQuery>| match q {
            Some(q) if q.answers.is_empty() => format!(
                "{rec} {}",
                q.failure
                    .as_ref()
                    .map_or("nodata", |f| f.as_label())
                    .to_uppercase()
            ),
            Some(q) => format!("{rec} {}", q.answers.len()),
            None => format!("{rec} —"),
        };
        parts.push(format!(
            "{} ({}, {})",
            if ja {
                "接続先なし"
            } else {
                "no address to connect to"
            },
            lookup("AAAA", &t.aaaa),
            lookup("A", &t.a)
        ));
    }
    for a in &t.attempts {
        parts.push(match &a.outcome {
            TcpOutcome::Connected => format!("{} {:.1} ms", a.addr, a.elapsed_ms),
            other => format!("{} {}", a.addr, other.as_label()),
        });
    }
    parts.join(" · ")
}

/// Lines under the check line: for the adapter, its addresses, routes, DNS and expectations.
pub(super) fn details(c: &Check, ja: bool) -> Vec<String> {
    let CheckData::Adapter {
        adapter,
        dns,
        expectations,
        not_judged,
        inventory,
        families,
        ..
    } = &c.data
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(a) = adapter {
        let state = if a.up {
            ""
        } else if ja {
            " · 無効"
        } else {
            " · down"
        };
        out.push(format!(
            "{} {} · {} {} · ULA {} · IPv4 {}{state}",
            if ja {
                "グローバルIPv6"
            } else {
                "global IPv6"
            },
            addresses(a, AddressKind::GlobalV6),
            if ja {
                "リンクローカル"
            } else {
                "link-local"
            },
            addresses(a, AddressKind::LinkLocalV6),
            addresses(a, AddressKind::UniqueLocalV6),
            {
                let v: Vec<String> = a.ipv4().map(ToString::to_string).collect();
                if v.is_empty() {
                    "—".into()
                } else {
                    v.join(", ")
                }
            },
        ));
        let gw = |v: Vec<String>| {
            if v.is_empty() {
                "—".to_string()
            } else {
                v.join(", ")
            }
        };
        let v6: Vec<String> = a.gateways_v6().map(ToString::to_string).collect();
        let v4: Vec<String> = a.gateways_v4().map(ToString::to_string).collect();
        let servers: Vec<String> = dns.servers.iter().map(ToString::to_string).collect();
        let scope = match (dns.scope, ja) {
            ("adapter", _) => "",
            (_, false) => " (system-wide)",
            (_, true) => "（端末全体）",
        };
        let known = dns
            .known_as
            .map(|k| format!(" = {k} OQS DNS"))
            .unwrap_or_default();
        out.push(format!(
            "{} {} · {} {} · DNS {}{scope}{known}",
            if ja {
                "IPv6デフォルトルート"
            } else {
                "IPv6 default route via"
            },
            gw(v6),
            if ja {
                "IPv4デフォルトルート"
            } else {
                "IPv4 default route via"
            },
            gw(v4),
            gw(servers),
        ));
    }
    let fams: Vec<&str> = families.iter().map(|f| f.as_label()).collect();
    if let Some(why) = not_judged {
        out.push(if ja {
            format!(
                "期待値は判定しません: {}",
                findings::skipped(*why, Lang::Ja)
            )
        } else {
            format!(
                "expectations not judged: {}",
                findings::skipped(*why, Lang::En)
            )
        });
    } else if !expectations.is_empty() {
        let rules: Vec<String> = expectations
            .iter()
            .map(|e| format!("{} {}", rule_name(e.rule, ja), yes_no(e.met)))
            .collect();
        let fams = fams.join("+");
        out.push(if ja {
            format!("期待値（補35、{fams}）: {}", rules.join(" · "))
        } else {
            format!("expected with {fams} (補35): {}", rules.join(" · "))
        });
    }
    let others: Vec<String> = inventory
        .adapters
        .iter()
        .filter(|o| !o.loopback && adapter.as_ref().is_none_or(|a| a.name != o.name))
        .map(|o| {
            let addrs: Vec<String> = o
                .addresses
                .iter()
                .filter(|x| x.kind != AddressKind::LinkLocalV6)
                .map(|x| x.ip.to_string())
                .collect();
            let down = if o.up {
                ""
            } else if ja {
                " 無効"
            } else {
                " down"
            };
            format!(
                "{} {}{down}",
                o.label(),
                if addrs.is_empty() {
                    "—".into()
                } else {
                    addrs.join(", ")
                }
            )
        })
        .collect();
    if !others.is_empty() {
        out.push(format!(
            "{}: {}",
            if ja {
                "他のアダプタ"
            } else {
                "other adapters"
            },
            others.join("; ")
        ));
    }
    out
}

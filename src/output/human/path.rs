//! The terminal lines of the path checks: the OQS adapter section (addresses by family and scope,
//! default routes, DNS servers, the mode's expectations), routes, IPv4 fallback, NAT64, and TCP
//! reachability. Reads `model` only.

use crate::findings::labels::Label;
use crate::findings::{self, Lang};
use crate::model::{
    Adapter, AddressKind, Binding, Check, CheckData, DnsFailure, DnsQuery, Rule, Selection,
    TcpOutcome, TcpTargetResult,
};

fn yes_no(met: bool) -> &'static str {
    if met { "✓" } else { "✗" }
}

fn rule_name(r: Rule, lang: Lang) -> &'static str {
    match r {
        Rule::Up => Label::RuleUp,
        Rule::GlobalIpv6 => Label::RuleGlobalIpv6,
        Rule::NoIpv4 => Label::RuleNoIpv4,
        Rule::Ipv6DefaultRoute => Label::RuleIpv6DefaultRoute,
        Rule::Ipv4 => Label::RuleIpv4,
        Rule::DnsServers => Label::RuleDnsServers,
    }
    .text(lang)
}

fn addresses(a: &Adapter, kind: AddressKind) -> String {
    let v: Vec<String> = a.of_kind(kind).map(ToString::to_string).collect();
    if v.is_empty() {
        "—".into()
    } else {
        v.join(", ")
    }
}

fn selection(s: &Selection, lang: Lang) -> String {
    match s {
        Selection::Named { source, .. } => Label::NamedBy.with(
            lang,
            match source {
                crate::model::NameSource::Flag => "--interface",
                crate::model::NameSource::Profile => Label::TheProfile.text(lang),
            },
        ),
        Selection::Route { target, source, .. } => {
            Label::HoldsRouteTo.fill(lang, &[("target", target), ("source", source)])
        }
        Selection::DefaultRoute { family, .. } => {
            Label::OnlyDefaultRoute.with(lang, family.as_label())
        }
        Selection::NotFound { reason } => {
            Label::NotFound.with(lang, findings::not_found(reason, lang))
        }
    }
}

fn binding(b: &Binding, lang: Lang) -> String {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    match b {
        Binding::Device { name, .. } => Label::BoundToDevice.with(lang, name),
        Binding::Source { v4, v6 } => Label::BoundToSource.fill(
            lang,
            &[
                ("v6", &opt(v6.map(|a| a.to_string()))),
                ("v4", &opt(v4.map(|a| a.to_string()))),
            ],
        ),
        Binding::Unbound { reason } => Label::NotBound.with(lang, findings::skipped(*reason, lang)),
    }
}

/// The one line after the check's target.
pub(super) fn figures(c: &Check, lang: Lang) -> String {
    match &c.data {
        CheckData::Adapter {
            selection: s,
            binding: b,
            ..
        } => format!("{} · {}", selection(s, lang), binding(b, lang)),
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
            match oqs_label {
                _ if total == 0 => Label::NoAddressOff.text(lang).into(),
                Some(a) => Label::LeaveBy.fill(lang, &[("via", &via), ("total", &total), ("a", a)]),
                None => Label::NoOqsAdapterToCompare.with(lang, total),
            }
        }
        CheckData::Ipv4Fallback { contacts } => {
            let mut whats: Vec<&str> = contacts.iter().map(|c| c.what).collect();
            whats.dedup();
            if whats.is_empty() {
                Label::Ipv6Only.text(lang).into()
            } else {
                Label::Ipv4UsedFor.with(lang, whats.join(Label::ListComma.text(lang)))
            }
        }
        CheckData::Nat64(n) => {
            if !n.prefixes.is_empty() {
                let p: Vec<String> = n
                    .prefixes
                    .iter()
                    .map(|p| {
                        if p.is_well_known() {
                            Label::WellKnown.with(lang, p)
                        } else {
                            p.to_string()
                        }
                    })
                    .collect();
                format!(
                    "DNS64/NAT64 · {} {}",
                    Label::Prefix.text(lang),
                    p.join(", ")
                )
            } else if !n.query.answers.is_empty() {
                Label::AaaaNotSynthesised.text(lang).into()
            } else {
                let failure = n.query.failure.as_ref();
                let why = failure.map_or("nodata", |f| f.as_label()).to_uppercase();
                let answered = matches!(
                    failure,
                    None | Some(DnsFailure::NoData) | Some(DnsFailure::NxDomain)
                );
                if answered {
                    Label::NoNat64.with(lang, why)
                } else {
                    Label::CannotTell.with(lang, why)
                }
            }
        }
        CheckData::Tcp(t) => tcp_figures(t, lang),
        _ => String::new(),
    }
}

fn tcp_figures(t: &TcpTargetResult, lang: Lang) -> String {
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
            Label::NoAddressToConnect.text(lang),
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
pub(super) fn details(c: &Check, lang: Lang) -> Vec<String> {
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
            String::new()
        } else {
            format!(" · {}", Label::AdapterDown.text(lang))
        };
        out.push(format!(
            "{} {} · {} {} · ULA {} · IPv4 {}{state}",
            Label::GlobalIpv6.text(lang),
            addresses(a, AddressKind::GlobalV6),
            Label::LinkLocal.text(lang),
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
        let scope = match dns.scope {
            "adapter" => "",
            _ => Label::SystemWide.text(lang),
        };
        let known = dns
            .known_as
            .map(|k| format!(" = {k} OQS DNS"))
            .unwrap_or_default();
        out.push(format!(
            "{} {} · {} {} · DNS {}{scope}{known}",
            Label::Ipv6DefaultRouteVia.text(lang),
            gw(v6),
            Label::Ipv4DefaultRouteVia.text(lang),
            gw(v4),
            gw(servers),
        ));
    }
    let fams: Vec<&str> = families.iter().map(|f| f.as_label()).collect();
    if let Some(why) = not_judged {
        out.push(Label::NotJudged.with(lang, findings::skipped(*why, lang)));
    } else if !expectations.is_empty() {
        let rules: Vec<String> = expectations
            .iter()
            .map(|e| format!("{} {}", rule_name(e.rule, lang), yes_no(e.met)))
            .collect();
        let fams = fams.join("+");
        out.push(Label::ExpectedWith.fill(lang, &[("fams", &fams), ("rules", &rules.join(" · "))]));
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
                String::new()
            } else {
                format!(" {}", Label::AdapterDown.text(lang))
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
            Label::OtherAdapters.text(lang),
            others.join("; ")
        ));
    }
    out
}

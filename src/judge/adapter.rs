//! OQS adapter verdicts (補35): the chosen adapter against what the mode expects (IP-VPN: a global
//! IPv6 address, no IPv4, an IPv6 default route; IPsec+IKE: an IPv4 address), routes that leave by
//! another adapter, and IPv4 used anywhere in an IP-VPN round. Pure functions of the inventory and
//! the measurements, so tests give them inventories as data.

use super::worst;
use crate::findings::{self, Lang};
use crate::model::{
    Adapter, AdapterDns, AdapterMeasurement, AddressKind, Binding, Check, CheckData, CheckKind,
    Code, Contact, Expectation, Family, Finding, Inventory, Mode, NotFound, PathMeasurements,
    Profile, RouteProbe, RouteView, Rule, Selection, Skipped, Status,
};
use std::net::{IpAddr, SocketAddr};

/// The OQS DNS servers installers set on IP-VPN lines (FACTS: one vendor's kit, 2021 onwards).
const KNOWN_DNS: &[(&str, [&str; 2])] = &[
    (
        "NTT East",
        ["2404:1a8:f583:d00::53:1", "2404:1a8:f583:d00::53:2"],
    ),
    (
        "NTT West",
        ["2001:a7ff:f014:d00::53:1", "2001:a7ff:f014:d00::53:2"],
    ),
];

/// The checks of the path: the adapter, the routes, and (IP-VPN with an IPv6-only adapter) the
/// IPv4 used by the round. `others` are the addresses other probes reached, and for what (`NTP`,
/// `TLS`...). Empty when the round did not check the adapter.
pub(super) fn checks(
    p: &Profile,
    path: &PathMeasurements,
    others: &[(&'static str, SocketAddr)],
) -> Vec<Check> {
    let Some(am) = &path.adapter else {
        return Vec::new();
    };
    let mut out = vec![
        adapter_check(p, am, &path.routes),
        routes_check(p, am, &path.routes),
    ];
    if p.mode == Mode::Ipvpn && p.adapter.ipv6_only {
        out.push(fallback_check(path, others));
    }
    out
}

fn known_as(servers: &[IpAddr]) -> Option<&'static str> {
    if servers.is_empty() {
        return None;
    }
    KNOWN_DNS.iter().find_map(|(who, set)| {
        servers
            .iter()
            .all(|s| set.iter().any(|k| k.parse::<IpAddr>().ok() == Some(*s)))
            .then_some(*who)
    })
}

fn describe(addrs: &[&crate::model::AdapterAddress], none: &str) -> String {
    if addrs.is_empty() {
        return none.to_string();
    }
    addrs
        .iter()
        .map(|a| {
            let kind = match a.kind {
                AddressKind::LinkLocalV6 | AddressKind::Ipv4LinkLocal => " link-local",
                AddressKind::UniqueLocalV6 => " unique-local",
                _ => "",
            };
            format!("{a}{kind}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether every IPv6 address of the round that has a route is sent by `adapter` (then nothing
/// depends on a default route: specific routes carry the targets).
fn v6_routes_all_via(inv: &Inventory, adapter: &Adapter, routes: &[RouteProbe]) -> bool {
    let v6: Vec<&RouteProbe> = routes.iter().filter(|r| r.peer.is_ipv6()).collect();
    !v6.is_empty()
        && v6.iter().all(|r| {
            r.source
                .and_then(|s| inv.holding(&s))
                .is_some_and(|a| a.name == adapter.name)
        })
}

/// The mode's rules for the OQS adapter, each with whether `adapter` meets it, and a finding for
/// each departure. `v6_routed` says the round's IPv6 targets are routed through this adapter
/// anyway (a missing default route is then no finding: nothing depends on it).
pub fn expectations(
    p: &Profile,
    inv: &Inventory,
    adapter: &Adapter,
    v6_routed: bool,
) -> (Vec<Expectation>, Vec<Finding>) {
    let subject = adapter.label().to_string();
    let mut rules = Vec::new();
    let mut findings = Vec::new();
    let mut competing = Vec::new();
    let mut rule = |rule, met: bool, f: Option<Finding>| {
        rules.push(Expectation { rule, met });
        if let (false, Some(f)) = (met, f) {
            findings.push(f);
        }
    };
    rule(
        Rule::Up,
        adapter.up,
        Some(Finding::new(Code::AdapterDown, Status::Fail, &subject)),
    );
    let v6: Vec<_> = adapter
        .addresses
        .iter()
        .filter(|a| !a.kind.is_ipv4())
        .collect();
    let v4: Vec<_> = adapter.ipv4().collect();
    match p.mode {
        Mode::Ipvpn => {
            let global = adapter.of_kind(AddressKind::GlobalV6).any(|a| a.usable());
            rule(
                Rule::GlobalIpv6,
                global,
                Some(
                    Finding::new(Code::AdapterNoGlobalIpv6, Status::Fail, &subject)
                        .with("found", describe(&v6, "no IPv6 address")),
                ),
            );
            if p.adapter.ipv6_only {
                rule(
                    Rule::NoIpv4,
                    v4.is_empty(),
                    Some(
                        Finding::new(Code::AdapterIpv4Bound, Status::Fail, &subject)
                            .with("addresses", describe(&v4, "")),
                    ),
                );
            }
            // What the terminal needs is its targets reached: when specific routes carry every
            // IPv6 target of the round through this adapter, nothing depends on a default route
            // and its absence is no finding (the rule still shows it unmet).
            let default_v6 = adapter.gateways_v6().next().is_some();
            rule(
                Rule::Ipv6DefaultRoute,
                default_v6,
                (!v6_routed)
                    .then(|| Finding::new(Code::AdapterNoIpv6DefaultRoute, Status::Fail, &subject)),
            );
            for other in inv
                .adapters
                .iter()
                .filter(|o| o.name != adapter.name && o.up && !o.loopback)
            {
                if let Some(gw) = other.gateways_v6().next() {
                    competing.push(
                        Finding::new(Code::AdapterOtherIpv6DefaultRoute, Status::Warn, &subject)
                            .with("other", other.label())
                            .with("gateway", gw),
                    );
                }
            }
        }
        Mode::Ipsec => {
            let usable_v4 = adapter.of_kind(AddressKind::Ipv4).next().is_some();
            rule(
                Rule::Ipv4,
                usable_v4,
                Some(
                    Finding::new(Code::AdapterNoIpv4, Status::Fail, &subject)
                        .with("found", describe(&v4, "no IPv4 address")),
                ),
            );
        }
    }
    if inv.dns_per_adapter {
        rule(
            Rule::DnsServers,
            !adapter.dns_servers.is_empty(),
            Some(
                Finding::new(Code::AdapterNoDns, Status::Warn, &subject)
                    .with("mode", p.mode.as_label()),
            ),
        );
    }
    findings.extend(competing);
    (rules, findings)
}

fn adapter_check(p: &Profile, am: &AdapterMeasurement, routes: &[RouteProbe]) -> Check {
    let inv = &am.inventory;
    let adapter = am.adapter().cloned();
    let mut findings = Vec::new();
    let mut rules = Vec::new();
    let mut not_judged = None;
    match (&am.selection, &adapter) {
        (Selection::NotFound { reason }, _) => {
            let subject = match reason {
                NotFound::NoSuchName { name, .. } => name.clone(),
                _ => "OQS adapter".to_string(),
            };
            findings.push(
                Finding::new(Code::AdapterNotFound, Status::Fail, subject)
                    .with("reason", findings::not_found(reason, Lang::En))
                    .with("reason_ja", findings::not_found(reason, Lang::Ja))
                    .with("adapters", inv.names().join(", "))
                    .with("mode", p.mode.as_label()),
            );
        }
        (_, Some(a)) if a.loopback && !matches!(am.selection, Selection::Named { .. }) => {
            not_judged = Some(Skipped::Loopback);
        }
        (_, Some(a)) => {
            let (r, f) = expectations(p, inv, a, v6_routes_all_via(inv, a, routes));
            rules = r;
            findings = f;
        }
        (_, None) => {
            // The inventory changed between selection and now: say so, judge nothing.
            not_judged = Some(Skipped::AdapterGone);
        }
    }
    let servers = adapter
        .as_ref()
        .map(|a| inv.dns_of(a).to_vec())
        .unwrap_or_else(|| inv.system_dns.clone());
    let dns = AdapterDns {
        known_as: known_as(&servers),
        servers,
        scope: if inv.dns_per_adapter {
            "adapter"
        } else {
            "system"
        },
    };
    let target = adapter
        .as_ref()
        .map(|a| a.label().to_string())
        .unwrap_or_else(|| "OQS adapter".to_string());
    Check {
        id: "adapter".into(),
        kind: CheckKind::Adapter,
        target,
        status: worst(&findings),
        findings,
        data: CheckData::Adapter {
            selection: am.selection.clone(),
            binding: am.binding.clone(),
            families: am.families.clone(),
            adapter,
            dns,
            expectations: rules,
            not_judged,
            inventory: inv.clone(),
        },
    }
}

fn routes_check(p: &Profile, am: &AdapterMeasurement, routes: &[RouteProbe]) -> Check {
    let inv = &am.inventory;
    let oqs = am.adapter().map(|a| a.name.clone());
    let views: Vec<RouteView> = routes
        .iter()
        .map(|r| RouteView {
            probe: r.clone(),
            adapter: r
                .source
                .and_then(|s| inv.holding(&s))
                .map(|a| a.name.clone()),
        })
        .collect();
    let mut findings = Vec::new();
    let unrouted: Vec<&RouteView> = views.iter().filter(|v| v.probe.error.is_some()).collect();
    if let Some(first) = unrouted.first() {
        findings.push(
            Finding::new(Code::RouteNone, Status::Fail, join_peers(&unrouted))
                .with("addresses", join_peers(&unrouted))
                .with("detail", first.probe.error.as_deref().unwrap_or_default())
                .with("mode", p.mode.as_label()),
        );
    }
    // Only a known OQS adapter that sockets were bound to can be left by the wrong way.
    let judged = !matches!(am.binding, Binding::Unbound { .. });
    if let (Some(oqs), true) = (&oqs, judged) {
        let oqs_label = inv.find(oqs).map_or(oqs.as_str(), |a| a.label());
        let mut wrong: Vec<(String, Vec<&RouteView>)> = Vec::new();
        for v in views
            .iter()
            .filter(|v| v.probe.source.is_some() && v.adapter.as_deref() != Some(oqs))
        {
            let by = v.adapter.clone().unwrap_or_else(|| "(unknown)".into());
            match wrong.iter_mut().find(|(a, _)| *a == by) {
                Some((_, list)) => list.push(v),
                None => wrong.push((by, vec![v])),
            }
        }
        for (by, list) in wrong {
            let label = inv.find(&by).map_or(by.clone(), |a| a.label().to_string());
            let sources: Vec<String> = {
                let mut s: Vec<String> = Vec::new();
                for v in &list {
                    if let Some(src) = v.probe.source.map(|x| x.to_string())
                        && !s.contains(&src)
                    {
                        s.push(src);
                    }
                }
                s
            };
            findings.push(
                Finding::new(Code::RouteWrongAdapter, Status::Fail, join_peers(&list))
                    .with("addresses", join_peers(&list))
                    .with("adapter", label)
                    .with("source", sources.join(", "))
                    .with("oqs_adapter", oqs_label),
            );
        }
    }
    Check {
        id: "routes".into(),
        kind: CheckKind::Route,
        target: "routes".into(),
        status: worst(&findings),
        findings,
        data: CheckData::Routes {
            oqs_label: am.adapter().map(|a| a.label().to_string()),
            oqs_adapter: oqs,
            routes: views,
        },
    }
}

fn join_peers(list: &[&RouteView]) -> String {
    list.iter()
        .map(|v| v.probe.peer.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every address the round reached over IPv4 off this machine, and for what.
fn ipv4_contacts(path: &PathMeasurements, others: &[(&'static str, SocketAddr)]) -> Vec<Contact> {
    let v4 = |a: &SocketAddr| a.is_ipv4() && !a.ip().is_loopback();
    let mut out: Vec<Contact> = Vec::new();
    let mut add = |what, addr: SocketAddr| {
        if v4(&addr) && !out.iter().any(|c| c.what == what && c.addr == addr) {
            out.push(Contact { what, addr });
        }
    };
    for a in &path.nameservers {
        add("DNS", *a);
    }
    for t in &path.tcp {
        for a in &t.attempts {
            add("TCP", a.addr);
        }
    }
    for (what, a) in others {
        add(what, *a);
    }
    out
}

fn fallback_check(path: &PathMeasurements, others: &[(&'static str, SocketAddr)]) -> Check {
    let contacts = ipv4_contacts(path, others);
    let mut findings = Vec::new();
    let mut whats: Vec<&'static str> = Vec::new();
    for c in &contacts {
        if !whats.contains(&c.what) {
            whats.push(c.what);
        }
    }
    for what in whats {
        let addrs: Vec<String> = contacts
            .iter()
            .filter(|c| c.what == what)
            .map(|c| c.addr.to_string())
            .collect();
        if !addrs.is_empty() {
            findings.push(
                Finding::new(Code::Ipv4Fallback, Status::Fail, what)
                    .with("what", what)
                    .with("addresses", addrs.join(", ")),
            );
        }
    }
    Check {
        id: "ipv4-fallback".into(),
        kind: CheckKind::Ipv4Fallback,
        target: "IPv4 fallback".into(),
        status: worst(&findings),
        findings,
        data: CheckData::Ipv4Fallback { contacts },
    }
}

/// Whether a round family list uses IPv6 (for the reachability verdicts).
pub(super) fn uses_v6(families: &[Family]) -> bool {
    families.contains(&Family::Ipv6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AdapterAddress, Environment};

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn adapter(name: &str, addrs: &[&str], gws: &[&str]) -> Adapter {
        Adapter {
            name: name.into(),
            up: true,
            index: 2,
            addresses: addrs
                .iter()
                .map(|a| {
                    let (a, len) = a.split_once('/').unwrap_or((a, "64"));
                    AdapterAddress::new(ip(a), len.parse().unwrap())
                })
                .collect(),
            gateways: gws.iter().map(|g| ip(g)).collect(),
            ..Adapter::default()
        }
    }

    fn ipvpn() -> Profile {
        crate::profile::shipped_for(Mode::Ipvpn, Environment::Production)
    }

    fn ipsec() -> Profile {
        crate::profile::shipped_for(Mode::Ipsec, Environment::Production)
    }

    fn inv(adapters: Vec<Adapter>) -> Inventory {
        Inventory {
            adapters,
            ..Inventory::default()
        }
    }

    /// The codes, after checking that each finding supplies every value its texts use.
    fn codes(f: &[Finding]) -> Vec<Code> {
        for x in f {
            for key in crate::findings::placeholders(x.code) {
                assert!(x.value(&key).is_some(), "{:?} lacks {key}", x.code);
            }
        }
        f.iter().map(|f| f.code).collect()
    }

    /// The kit's OQS adapter: DHCPv6 and router discovery, IPv4 unbound.
    fn v6_only() -> Adapter {
        adapter("oqs0", &["fe80::2/64", "2001:db8:5::2/64"], &["fe80::1"])
    }

    #[test]
    fn v6_only_adapter_meets_every_ipvpn_rule() {
        let a = v6_only();
        let (rules, f) = expectations(&ipvpn(), &inv(vec![a.clone()]), &a, false);
        assert!(f.is_empty(), "{f:?}");
        let labels: Vec<_> = rules.iter().map(|r| (r.rule.as_label(), r.met)).collect();
        assert_eq!(
            labels,
            [
                ("up", true),
                ("global_ipv6", true),
                ("no_ipv4", true),
                ("ipv6_default_route", true)
            ]
        );
    }

    #[test]
    fn ipv4_still_bound_is_a_finding_citing_the_addresses() {
        let mut a = v6_only();
        a.addresses.push(AdapterAddress::new(ip("169.254.7.9"), 16));
        let (_, f) = expectations(&ipvpn(), &inv(vec![a.clone()]), &a, false);
        assert_eq!(codes(&f), [Code::AdapterIpv4Bound]);
        assert_eq!(f[0].severity, Status::Fail);
        assert_eq!(f[0].value("addresses"), Some("169.254.7.9/16 link-local"));
        let r = crate::findings::render(&f[0], crate::findings::Lang::Ja);
        assert_eq!(r.section, "補35");
        assert!(
            r.fix.contains("インターネット プロトコル バージョン 4"),
            "{}",
            r.fix
        );
        // A profile whose adapter may keep IPv4 does not object.
        let mut p = ipvpn();
        p.adapter.ipv6_only = false;
        let (rules, f) = expectations(&p, &inv(vec![a.clone()]), &a, false);
        assert!(f.is_empty(), "{f:?}");
        assert!(!rules.iter().any(|r| r.rule == Rule::NoIpv4));
    }

    #[test]
    fn only_link_local_is_no_global_ipv6() {
        let a = adapter("oqs0", &["fe80::2/64"], &["fe80::1"]);
        let (_, f) = expectations(&ipvpn(), &inv(vec![a.clone()]), &a, false);
        assert_eq!(codes(&f), [Code::AdapterNoGlobalIpv6]);
        assert_eq!(f[0].value("found"), Some("fe80::2/64 link-local"));
        // A ULA is not global either, and a duplicate global address is not usable.
        let mut a = adapter("oqs0", &["fd00::2/64"], &["fe80::1"]);
        a.addresses.push(AdapterAddress {
            duplicated: true,
            ..AdapterAddress::new(ip("2001:db8::2"), 64)
        });
        let (_, f) = expectations(&ipvpn(), &inv(vec![a.clone()]), &a, false);
        assert_eq!(codes(&f), [Code::AdapterNoGlobalIpv6]);
        assert_eq!(
            f[0].value("found"),
            Some("fd00::2/64 unique-local, 2001:db8::2/64 (duplicate)")
        );
        let a = adapter("oqs0", &[], &[]);
        let (_, f) = expectations(&ipvpn(), &inv(vec![a.clone()]), &a, false);
        assert_eq!(f[0].value("found"), Some("no IPv6 address"));
    }

    #[test]
    fn no_default_route_fails_unless_specific_routes_carry_the_targets() {
        let a = adapter("oqs0", &["fe80::2/64", "2001:db8:5::2/64"], &[]);
        let (rules, f) = expectations(&ipvpn(), &inv(vec![a.clone()]), &a, false);
        assert_eq!(codes(&f), [Code::AdapterNoIpv6DefaultRoute]);
        assert_eq!(f[0].severity, Status::Fail);
        assert!(
            rules
                .iter()
                .any(|r| r.rule == Rule::Ipv6DefaultRoute && !r.met)
        );
        // Issue 16: every target reached by a specific route through the adapter: nothing
        // depends on the default route, so its absence is no finding (the rule still says so).
        let (rules, f) = expectations(&ipvpn(), &inv(vec![a.clone()]), &a, true);
        assert!(codes(&f).is_empty(), "{f:?}");
        assert!(
            rules
                .iter()
                .any(|r| r.rule == Rule::Ipv6DefaultRoute && !r.met)
        );
    }

    #[test]
    fn two_adapters_as_the_kit_sets_them_pass() {
        let oqs = v6_only();
        let rece = adapter("rece0", &["198.51.100.2/24"], &["198.51.100.1"]);
        let i = inv(vec![rece.clone(), oqs.clone()]);
        let (_, f) = expectations(&ipvpn(), &i, &oqs, false);
        assert!(f.is_empty(), "{f:?}");
        // The same receipt adapter with an IPv6 default route of its own competes for OQS traffic.
        let mut rece6 = rece.clone();
        rece6
            .addresses
            .push(AdapterAddress::new(ip("2001:db8:7::2"), 64));
        rece6.gateways.push(ip("fe80::7"));
        let i = inv(vec![rece6, oqs.clone()]);
        let (_, f) = expectations(&ipvpn(), &i, &oqs, false);
        assert_eq!(codes(&f), [Code::AdapterOtherIpv6DefaultRoute]);
        assert_eq!(f[0].value("other"), Some("rece0"));
        assert_eq!(f[0].value("gateway"), Some("fe80::7"));
        assert_eq!(f[0].severity, Status::Warn);
        // An adapter that is down does not compete.
        let mut rece_down = rece.clone();
        rece_down.up = false;
        rece_down.gateways.push(ip("fe80::7"));
        let (_, f) = expectations(&ipvpn(), &inv(vec![rece_down, oqs.clone()]), &oqs, false);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn ipsec_wants_an_ipv4_address_and_apipa_is_not_one() {
        let a = adapter("eth0", &["198.51.100.2/24"], &["198.51.100.1"]);
        let (rules, f) = expectations(&ipsec(), &inv(vec![a.clone()]), &a, false);
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(rules.len(), 2, "up and ipv4: {rules:?}");
        let a = adapter("eth0", &["169.254.1.1/16"], &[]);
        let (_, f) = expectations(&ipsec(), &inv(vec![a.clone()]), &a, false);
        assert_eq!(codes(&f), [Code::AdapterNoIpv4]);
        assert_eq!(f[0].value("found"), Some("169.254.1.1/16 link-local"));
    }

    #[test]
    fn down_adapter_and_missing_dns_where_the_platform_tells() {
        let mut a = v6_only();
        a.up = false;
        let mut i = inv(vec![a.clone()]);
        i.dns_per_adapter = true;
        let (_, f) = expectations(&ipvpn(), &i, &a, false);
        assert_eq!(codes(&f), [Code::AdapterDown, Code::AdapterNoDns]);
        let fix = |f: &Finding| findings::render(f, Lang::En).fix;
        assert!(fix(&f[1]).contains("2404:1a8:f583:d00::53:1"));
        // An IPsec+IKE line's DNS servers are its operator's, not NTT's IP-VPN ones.
        let mut v4 = adapter("eth0", &["192.0.2.5/24"], &["192.0.2.1"]);
        v4.up = false;
        let mut i4 = inv(vec![v4.clone()]);
        i4.dns_per_adapter = true;
        let (_, f) = expectations(&ipsec(), &i4, &v4, false);
        assert_eq!(codes(&f), [Code::AdapterDown, Code::AdapterNoDns]);
        assert!(!fix(&f[1]).contains("2404:1a8"), "{}", fix(&f[1]));
        assert!(fix(&f[1]).contains("IPsec+IKE"), "{}", fix(&f[1]));
        a.up = true;
        a.dns_servers = vec![ip("2404:1a8:f583:d00::53:1")];
        let (_, f) = expectations(&ipvpn(), &i, &a, false);
        assert!(f.is_empty());
        assert_eq!(known_as(&a.dns_servers), Some("NTT East"));
        assert_eq!(known_as(&[ip("2001:db8::53")]), None);
    }

    fn measurement(selection: Selection, inventory: Inventory) -> AdapterMeasurement {
        AdapterMeasurement {
            inventory,
            selection,
            binding: Binding::Device {
                name: "oqs0".into(),
                v4: None,
                v6: Some("2001:db8:5::2".parse().unwrap()),
            },
            families: vec![Family::Ipv6],
        }
    }

    fn route(peer: &str, source: &str) -> RouteProbe {
        RouteProbe {
            peer: ip(peer),
            uses: vec!["ntp".into()],
            source: Some(ip(source)),
            error: None,
        }
    }

    #[test]
    fn a_route_by_the_other_adapter_is_a_finding() {
        let mut rece = adapter("rece0", &["198.51.100.2/24", "2001:db8:7::2/64"], &[]);
        rece.friendly_name = Some("Receipt LAN".into());
        let i = inv(vec![v6_only(), rece]);
        let am = measurement(
            Selection::Named {
                name: "oqs0".into(),
                source: crate::model::NameSource::Flag,
            },
            i,
        );
        let routes = [
            route("2001:db8:a5::11", "2001:db8:5::2"),
            route("2001:db8:a5::12", "2001:db8:7::2"),
            route("2001:db8:a5::13", "2001:db8:7::2"),
        ];
        let c = routes_check(&ipvpn(), &am, &routes);
        assert_eq!(c.status, Status::Fail);
        assert_eq!(codes(&c.findings), [Code::RouteWrongAdapter]);
        let f = &c.findings[0];
        assert_eq!(
            f.value("addresses"),
            Some("2001:db8:a5::12, 2001:db8:a5::13")
        );
        assert_eq!(f.value("adapter"), Some("Receipt LAN"));
        assert_eq!(f.value("source"), Some("2001:db8:7::2"));
        assert_eq!(f.value("oqs_adapter"), Some("oqs0"));
        // Unbound (no adapter, or loopback): nothing to leave by the wrong way.
        let mut unbound = am.clone();
        unbound.binding = Binding::Unbound {
            reason: Skipped::NoAdapter,
        };
        assert!(
            routes_check(&ipvpn(), &unbound, &routes)
                .findings
                .is_empty()
        );
    }

    #[test]
    fn no_route_at_all_is_a_finding() {
        let am = measurement(
            Selection::NotFound {
                reason: NotFound::Nothing,
            },
            inv(vec![v6_only()]),
        );
        let r = RouteProbe {
            peer: ip("2001:db8:a5::11"),
            uses: vec!["tcp".into()],
            source: None,
            error: Some("Network is unreachable (os error 101)".into()),
        };
        let c = routes_check(&ipvpn(), &am, std::slice::from_ref(&r));
        assert_eq!(codes(&c.findings), [Code::RouteNone]);
        let fix = |c: &Check| findings::render(&c.findings[0], Lang::En).fix;
        assert!(fix(&c).contains("router discovery"), "{}", fix(&c));
        // An IPsec+IKE line's routes come from the IPsec router, not router discovery.
        let c = routes_check(&ipsec(), &am, &[r]);
        assert!(fix(&c).contains("IPsec router"), "{}", fix(&c));
        assert!(!fix(&c).contains("router discovery"), "{}", fix(&c));
    }

    /// Issue 13: an IPsec+IKE line's adapter keeps IPv4, so it is not "the one whose IPv4 is
    /// unbound"; nor are NTT's IP-VPN DNS servers its DNS servers.
    #[test]
    fn an_ipsec_line_is_advised_as_an_ipsec_line() {
        let am = measurement(
            Selection::NotFound {
                reason: NotFound::Nothing,
            },
            inv(vec![adapter("eth0", &["192.0.2.5/24"], &[])]),
        );
        let c = adapter_check(&ipsec(), &am, &[]);
        assert_eq!(codes(&c.findings), [Code::AdapterNotFound]);
        for lang in [Lang::En, Lang::Ja] {
            let fix = findings::render(&c.findings[0], lang).fix;
            assert!(!fix.contains("IPv4 is unbound"), "{fix}");
            assert!(!fix.contains("IPv4のチェックを外した"), "{fix}");
            assert!(fix.contains("IPsec"), "{fix}");
        }
        let ipvpn_fix =
            findings::render(&adapter_check(&ipvpn(), &am, &[]).findings[0], Lang::En).fix;
        assert!(ipvpn_fix.contains("IPv4 is unbound"), "{ipvpn_fix}");
    }

    #[test]
    fn not_found_names_the_adapters_there_are() {
        let am = measurement(
            Selection::NotFound {
                reason: NotFound::NoSuchName {
                    name: "eth9".into(),
                    source: crate::model::NameSource::Flag,
                },
            },
            inv(vec![v6_only()]),
        );
        let c = adapter_check(&ipvpn(), &am, &[]);
        assert_eq!(codes(&c.findings), [Code::AdapterNotFound]);
        assert_eq!(c.findings[0].value("adapters"), Some("oqs0"));
        assert_eq!(c.findings[0].subject, "eth9");
        let ja = findings::render(&c.findings[0], Lang::Ja);
        assert!(
            ja.cause.contains("`eth9` という名前のアダプタがありません"),
            "{}",
            ja.cause
        );
    }

    #[test]
    fn ipv4_anywhere_in_an_ipvpn_round_is_a_fallback() {
        let path = PathMeasurements {
            nameservers: vec![
                "198.51.100.1:53".parse().unwrap(),
                "127.0.0.53:53".parse().unwrap(),
                "[2001:db8:5::1]:53".parse().unwrap(),
            ],
            ..PathMeasurements::default()
        };
        let others = [
            ("NTP", "203.0.113.11:123".parse().unwrap()),
            ("NTP", "[2001:db8::1]:123".parse().unwrap()),
            ("TLS", "203.0.113.12:443".parse().unwrap()),
        ];
        let c = fallback_check(&path, &others);
        assert_eq!(c.findings.len(), 3, "{:?}", c.findings);
        assert_eq!(c.findings[0].value("what"), Some("DNS"));
        assert_eq!(c.findings[0].value("addresses"), Some("198.51.100.1:53"));
        assert_eq!(c.findings[1].value("addresses"), Some("203.0.113.11:123"));
        assert_eq!(c.findings[2].value("what"), Some("TLS"));
        let clean = fallback_check(&PathMeasurements::default(), &[]);
        assert_eq!(clean.status, Status::Pass);
    }
}

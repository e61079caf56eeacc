//! The bridge to the lab: the lab network made from a profile's names (and `ipv4only.arpa`), a
//! scenario applied, the profile rewritten to use the lab's resolver, NTP port, TLS ports, CA and
//! client PFX, and the proxy settings of the lab's terminal. Used by the round builder, `oqs-net
//! lab`, the tests and the benchmarks; the lab itself knows nothing of probes.

use crate::lab::{Lab, LabName, LabSpec, Scenario};
use crate::model::{PasswordSource, Profile, ProxySource, Slowness, WinInetValues};
use crate::probe::pac::FixedResolver;
use crate::probe::proxy::{DhcpAsk, ProxyPlan, settings};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};

/// Round-robin members on IPv4 (Linux routes all of 127/8 to loopback).
pub const LAB_V4: [Ipv4Addr; 4] = [
    Ipv4Addr::new(127, 0, 0, 11),
    Ipv4Addr::new(127, 0, 0, 12),
    Ipv4Addr::new(127, 0, 0, 13),
    Ipv4Addr::new(127, 0, 0, 14),
];

/// Round-robin members on IPv6 when the lab has a network namespace of its own.
pub const LAB_V6_NETNS: [Ipv6Addr; 4] = [
    Ipv6Addr::new(0xfd0e, 0xa5, 0, 0, 0, 0, 0, 0x11),
    Ipv6Addr::new(0xfd0e, 0xa5, 0, 0, 0, 0, 0, 0x12),
    Ipv6Addr::new(0xfd0e, 0xa5, 0, 0, 0, 0, 0, 0x13),
    Ipv6Addr::new(0xfd0e, 0xa5, 0, 0, 0, 0, 0, 0x14),
];

/// The extra IPv6 address the namespace also holds, for scenarios that need an address outside
/// the round-robin set (`@spare-v6`).
pub const LAB_V6_SPARE: Ipv6Addr = Ipv6Addr::new(0xfd0e, 0xa5, 0, 0, 0, 0, 0, 0x100);

/// Every IPv6 address a lab namespace gets on its loopback.
pub fn netns_v6() -> Vec<Ipv6Addr> {
    let mut v = LAB_V6_NETNS.to_vec();
    v.push(LAB_V6_SPARE);
    v
}

/// The host the lab's distribution server answers as, when the profile names none (the real one
/// is not public). `.test` is reserved for testing (RFC 6761).
pub const LAB_DISTRIBUTION_HOST: &str = "distribution.oqs-lab.test";

/// The profile's TLS endpoints plus a distribution server when it has none (the lab stands one up).
pub fn with_distribution(profile: &Profile) -> Vec<crate::model::TlsEndpoint> {
    let mut eps = profile.tls.clone();
    if !eps.is_empty() && !eps.iter().any(|e| e.name == "distribution") {
        eps.push(crate::model::TlsEndpoint {
            name: "distribution".into(),
            host: crate::model::HostPort {
                host: LAB_DISTRIBUTION_HOST.into(),
                port: Some(443),
            },
            client_certificate: true,
            request: Some("/".into()),
        });
    }
    eps
}

/// The lab's DNS domain, the search domain its terminal has (so WPAD walks from
/// `wpad.clinic.oqs-lab.test` up to `wpad.oqs-lab.test`, where the lab's WPAD server is), and
/// the host of its PAC URL.
pub const LAB_DOMAIN: &str = "oqs-lab.test";
pub const LAB_SEARCH_DOMAIN: &str = "clinic.oqs-lab.test";
pub const LAB_WPAD_HOST: &str = "wpad.oqs-lab.test";
pub const LAB_PAC_HOST: &str = "pac.oqs-lab.test";

/// The lab's PAC file at `scheme://pac.oqs-lab.test[:port]/proxy.pac`.
pub fn pac_url(scheme: &str, port: u16) -> String {
    match (scheme, port) {
        ("http", 80) | ("https", 443) => format!("{scheme}://{LAB_PAC_HOST}/proxy.pac"),
        _ => format!("{scheme}://{LAB_PAC_HOST}:{port}/proxy.pac"),
    }
}

/// The lab's TLS server standing in for the line-authentication page (scenarios name it so; a
/// scenario's `@all` leaves it alone).
pub const LINE_AUTH_ENDPOINT: &str = "line:auth";

/// The lab's TLS server standing in for an internet-bound host of the profile.
fn internet_endpoint(host: &str) -> String {
    format!("internet:{host}")
}

/// Loads a scenario by built-in name, or from a file when the name is a path.
pub fn scenario(name_or_file: &str) -> Result<Scenario, String> {
    let path = std::path::Path::new(name_or_file);
    if path.exists() {
        Scenario::load(path).map_err(|e| e.to_string())
    } else {
        crate::lab::scenario::builtin(name_or_file).map_err(|e| {
            format!(
                "{e} (built-in scenarios: {})",
                crate::lab::scenario::builtin_names().join(", ")
            )
        })
    }
}

/// What the lab adds to every measurement by itself: its servers run in this process and share
/// the probes' CPU, so on a busy machine (a debug build, a test suite running beside it) they
/// answer tens of milliseconds late, which is no line's fault. Slowness against the lab allows
/// for it; a scenario's `latency_ms` (the line it plays) comes on top.
pub const LAB_OVERHEAD_MS: f64 = 200.0;

/// The slowness thresholds for probing the lab: the profile's, plus [`LAB_OVERHEAD_MS`].
pub fn lab_slowness(s: Slowness) -> Slowness {
    Slowness {
        dns_answer_ms: s.dns_answer_ms + LAB_OVERHEAD_MS,
        ntp_delay_ms: s.ntp_delay_ms + LAB_OVERHEAD_MS,
        tcp_connect_ms: s.tcp_connect_ms + LAB_OVERHEAD_MS,
        tls_handshake_ms: s.tls_handshake_ms + LAB_OVERHEAD_MS,
    }
}

/// `ipv4only.arpa` as the real one answers (RFC 7050): two A records, no AAAA. A DNS64 scenario
/// gives it synthesised AAAA records.
pub const IPV4ONLY_A: [Ipv4Addr; 2] =
    [Ipv4Addr::new(192, 0, 0, 170), Ipv4Addr::new(192, 0, 0, 171)];

/// The lab network serving `profile`'s NTP names, healthy unless `scenario` says otherwise.
pub fn spec_for(
    profile: &Profile,
    v6: &[Ipv6Addr],
    scenario: Option<&Scenario>,
    latency_ms: u64,
) -> LabSpec {
    // A TLS server per endpoint, on 127.0.0.1 and the first IPv6 member address.
    let mut tls_bind: Vec<IpAddr> = vec![Ipv4Addr::LOCALHOST.into()];
    if let Some(v6) = v6.first() {
        tls_bind.push((*v6).into());
    }
    let spare = (v6 == LAB_V6_NETNS).then_some(LAB_V6_SPARE);
    spec_with(profile, &LAB_V4, v6, spare, tls_bind, scenario, latency_ms)
}

/// As [`spec_for`], with the members and TLS servers on the given addresses (a lab reached over a
/// veth pair, say), and `spare_v6` for scenarios that need an IPv6 member outside the set.
pub fn spec_with(
    profile: &Profile,
    v4: &[Ipv4Addr],
    v6: &[Ipv6Addr],
    spare_v6: Option<Ipv6Addr>,
    tls_bind: Vec<IpAddr>,
    scenario: Option<&Scenario>,
    latency_ms: u64,
) -> LabSpec {
    let fallbacks: Vec<&str> = profile
        .dns
        .fallbacks
        .iter()
        .map(|h| h.host.as_str())
        .collect();
    let mut spec = LabSpec::healthy(&profile.dns.round_robin.host, &fallbacks, v4, v6);
    spec.tls = with_distribution(profile)
        .iter()
        .map(|e| crate::lab::LabTls {
            endpoint: e.name.clone(),
            host: e.host.host.clone(),
            fault: crate::lab::TlsFault::None,
            page: None,
        })
        .collect();
    // The line-authentication page (no client certificate asked, as on the NGN), saying the
    // line is authenticated; the NGN test names on the lab's resolver.
    if let Some(a) = &profile.line.auth {
        spec.tls.push(crate::lab::LabTls {
            endpoint: LINE_AUTH_ENDPOINT.into(),
            host: a.host.host.clone(),
            fault: crate::lab::TlsFault::NoClientAuth,
            page: Some(crate::lab::LinePage::Authenticated),
        });
    }
    if let Some(n) = &profile.line.ngn_dns {
        for name in &n.names {
            spec.names.push(LabName {
                name: name.clone(),
                a: v4.first().into_iter().copied().collect(),
                aaaa: v6.first().into_iter().copied().collect(),
                rotate: false,
                ..LabName::default()
            });
        }
    }
    // Internet-bound hosts: a TLS server each (no client certificate, as on the internet), reached
    // only through the proxy.
    if let Some(proxy) = &profile.proxy {
        spec.tls
            .extend(proxy.internet.iter().map(|h| crate::lab::LabTls {
                endpoint: internet_endpoint(&h.host),
                host: h.host.clone(),
                fault: crate::lab::TlsFault::NoClientAuth,
                page: None,
            }));
        spec.proxy = Some(crate::lab::LabProxyConf {
            name: proxy.server.host.clone(),
            ..crate::lab::LabProxyConf::default()
        });
    }
    spec.wpad = Some(crate::lab::LabWpadConf {
        names: vec![LAB_WPAD_HOST.into(), LAB_PAC_HOST.into()],
        script: crate::lab::scenario::builtin_pac("installers")
            .unwrap_or_default()
            .to_string(),
        ..crate::lab::LabWpadConf::default()
    });
    spec.tls_bind = tls_bind;
    spec.names.push(LabName {
        name: crate::probe::ipv6::IPV4ONLY_ARPA.to_string(),
        a: IPV4ONLY_A.to_vec(),
        rotate: false,
        ..LabName::default()
    });
    if let Some(s) = scenario {
        crate::lab::scenario::apply_with_spare_v6(&mut spec, s, spare_v6);
    }
    if latency_ms > 0 {
        spec.latency_ms = latency_ms;
    }
    spec
}

/// `profile` as it must be to probe `lab`: its NTP names on the lab's NTP port.
pub fn point_at(profile: &Profile, lab: &Lab) -> (Profile, Vec<SocketAddr>) {
    let mut p = profile.clone();
    p.tls = with_distribution(profile);
    let port = lab.ntp_port();
    p.ntp.port = port;
    p.dns.round_robin.port = Some(port);
    for f in &mut p.dns.fallbacks {
        f.port = Some(port);
    }
    for e in &mut p.tls {
        if let Some(port) = lab.tls_port(&e.name) {
            e.host.port = Some(port);
        }
    }
    if let Some(proxy) = &mut p.proxy {
        if let Some(port) = lab.proxy_port() {
            proxy.server.port = Some(port);
        }
        for h in &mut proxy.internet {
            if let Some(port) = lab.tls_port(&internet_endpoint(&h.host)) {
                h.port = Some(port);
            }
        }
    }
    if let Some(pki) = lab.pki() {
        let t = &mut p.tls_settings;
        t.ca_bundle = Some(pki.files.ca_pem.clone());
        // A PFX the user gave (to see a foreign or expired one fail) is kept.
        if t.pfx.is_empty() {
            t.pfx = vec![match lab.spec().client_certificate {
                crate::lab::ClientCertificate::Valid => pki.files.client_pfx.clone(),
                crate::lab::ClientCertificate::Expiring => pki.files.expiring_pfx.clone(),
            }];
            t.password = PasswordSource::File(pki.files.password_file.clone());
        }
    }
    p.slowness = lab_slowness(p.slowness);
    // The line's checks: the page on its lab server, and the lab's resolver as the NGN's DNS
    // server (never the real ones). A scenario's other DNS server is the terminal's then.
    if let Some(a) = &mut p.line.auth
        && let Some(port) = lab.tls_port(LINE_AUTH_ENDPOINT)
    {
        a.host.port = Some(port);
    }
    if let Some(n) = &mut p.line.ngn_dns {
        n.servers = vec![lab.dns_addr()];
    }
    p.source = format!("{} (lab)", p.source);
    (p, vec![lab.other_dns_addr().unwrap_or(lab.dns_addr())])
}

/// A profile file for `profile` as [`point_at`] made it, so that another terminal can probe the lab
/// with `--profile-file FILE` alone: names with the lab's ports, its resolver, its PKI.
pub fn profile_toml(p: &Profile, resolvers: &[SocketAddr]) -> String {
    use toml::{Table, Value};
    let strings = |v: Vec<String>| Value::Array(v.into_iter().map(Value::String).collect());
    let mut top = Table::new();
    top.insert("name".into(), Value::String(format!("{} (lab)", p.name)));
    top.insert(
        "description".into(),
        Value::String("written by `oqs-net lab`; gone when it stops".into()),
    );
    top.insert("mode".into(), Value::String(p.mode.as_label().into()));
    top.insert(
        "environment".into(),
        Value::String(p.environment.as_label().into()),
    );
    let mut dns = Table::new();
    dns.insert(
        "round_robin".into(),
        Value::String(p.dns.round_robin.to_string()),
    );
    dns.insert(
        "fallbacks".into(),
        strings(p.dns.fallbacks.iter().map(ToString::to_string).collect()),
    );
    dns.insert(
        "resolvers".into(),
        strings(resolvers.iter().map(ToString::to_string).collect()),
    );
    dns.insert(
        "families".into(),
        strings(
            p.dns
                .families
                .iter()
                .map(|f| f.as_label().to_string())
                .collect(),
        ),
    );
    top.insert("dns".into(), Value::Table(dns));
    let mut ntp = Table::new();
    ntp.insert("port".into(), Value::Integer(i64::from(p.ntp.port)));
    top.insert("ntp".into(), Value::Table(ntp));
    let tls: Vec<Value> = p
        .tls
        .iter()
        .map(|e| {
            let mut t = Table::new();
            t.insert("name".into(), Value::String(e.name.clone()));
            t.insert("host".into(), Value::String(e.host.to_string()));
            Value::Table(t)
        })
        .collect();
    top.insert("tls".into(), Value::Array(tls));
    if let Some(proxy) = &p.proxy {
        let mut t = Table::new();
        t.insert("server".into(), Value::String(proxy.server.to_string()));
        t.insert("bypass".into(), strings(proxy.bypass.clone()));
        t.insert(
            "internet".into(),
            strings(proxy.internet.iter().map(ToString::to_string).collect()),
        );
        top.insert("proxy".into(), Value::Table(t));
    }
    let t = &p.tls_settings;
    let mut settings = Table::new();
    let path = |p: &std::path::Path| Value::String(p.display().to_string());
    if let Some(ca) = &t.ca_bundle {
        settings.insert("ca_bundle".into(), path(ca));
    }
    settings.insert(
        "pfx".into(),
        Value::Array(t.pfx.iter().map(|f| path(f)).collect()),
    );
    if let crate::model::PasswordSource::File(f) = &t.password {
        settings.insert("pfx_password_file".into(), path(f));
    }
    top.insert("tls_settings".into(), Value::Table(settings));
    let mut line = Table::new();
    if let Some(a) = &p.line.auth {
        line.insert("auth".into(), Value::Boolean(true));
        line.insert("auth_url".into(), Value::String(a.url()));
    }
    if let Some(n) = &p.line.ngn_dns {
        line.insert("dns".into(), Value::Boolean(true));
        line.insert(
            "ngn_dns".into(),
            strings(n.servers.iter().map(ToString::to_string).collect()),
        );
        line.insert("ngn_names".into(), strings(n.names.clone()));
    }
    if !line.is_empty() {
        top.insert("line".into(), Value::Table(line));
    }
    format!(
        "# The `{}` profile pointed at a running `oqs-net lab`.\n{}",
        p.name,
        toml::to_string(&top).unwrap_or_default()
    )
}

/// The proxy settings of the terminal the lab stands beside as they are now (the scenario's
/// `[terminal]`, changed by a fault schedule, over the installers' settings), written as Windows
/// keeps them and read back by the same decoders as on Windows; then `--proxy` (first, as it
/// rules) and the profile. The machine's own environment and settings are not read: the lab's
/// terminal replaces them.
pub fn proxy_sources(
    pointed: &Profile,
    lab: &Lab,
    flag: Option<&str>,
) -> Result<Vec<ProxySource>, String> {
    let mut out = Vec::new();
    if let Some(f) = flag {
        out.push(settings::from_flag(f)?);
    }
    let t = lab.spec().terminal.unwrap_or_default();
    let proxy = pointed
        .proxy
        .as_ref()
        .map(|p| p.server.to_string())
        .unwrap_or_default();
    let bypass = super::proxy::expected_bypass(pointed).join(";");
    let pac = |scheme: &str, port: Option<u16>| pac_url(scheme, port.unwrap_or(0));
    let fill = |v: &str| match v {
        "@proxy" => proxy.clone(),
        "@bypass" => bypass.clone(),
        "@pac-url" => pac("http", lab.wpad_port()),
        "@pac-url-https" => pac("https", lab.wpad_https_port()),
        other => other.to_string(),
    };
    let lab_origin = |mut s: ProxySource| {
        s.origin = format!("{} (the lab's terminal)", s.origin);
        s
    };
    let environment: std::collections::BTreeMap<String, String> = t
        .environment
        .iter()
        .map(|(k, v)| (k.clone(), fill(v)))
        .collect();
    out.extend(settings::from_environment(|k| environment.get(k).cloned()).map(lab_origin));

    let server = fill(t.proxy_server.as_deref().unwrap_or("@proxy"));
    let enabled = t.proxy_enable.unwrap_or(!server.is_empty());
    let auto_config_url = t.auto_config_url.as_deref().map(fill);
    let auto_detect = t.auto_detect.unwrap_or(false);
    let flags = 0x01
        | if enabled { 0x02 } else { 0 }
        | if auto_config_url.is_some() { 0x04 } else { 0 }
        | if auto_detect { 0x08 } else { 0 };
    let mut connection = vec![0x46, 0, 0, 0, 1, 0, 0, 0, flags, 0, 0, 0];
    connection.extend_from_slice(&[0; 8]);
    let wininet = WinInetValues {
        proxy_enable: Some(u32::from(enabled)),
        proxy_server: Some(server.clone()),
        proxy_override: Some(fill(t.proxy_override.as_deref().unwrap_or("@bypass"))),
        auto_config_url,
        default_connection_settings: Some(connection),
    };
    out.push(lab_origin(settings::from_wininet(&wininet)));

    // WinHTTP: as Internet Options unless the scenario says otherwise (`netsh winhttp import
    // proxy source=ie` is what installers run).
    let winhttp_proxy = match t.winhttp_proxy.as_deref() {
        Some(v) => fill(v),
        None if enabled => server,
        None => "direct".into(),
    };
    let winhttp_bypass = fill(
        t.winhttp_bypass
            .as_deref()
            .or(t.proxy_override.as_deref())
            .unwrap_or("@bypass"),
    );
    let blob = winhttp_blob(&winhttp_proxy, &winhttp_bypass);
    out.extend(settings::from_winhttp(&blob).map(lab_origin));
    out.extend(
        pointed
            .proxy
            .as_ref()
            .map(|p| settings::from_profile(&pointed.name, p)),
    );
    Ok(out)
}

/// The `WinHttpSettings` value `netsh winhttp set proxy` writes: version, counter, flags (1 direct,
/// 3 proxy), then the proxy and the bypass list, each after its length.
fn winhttp_blob(proxy: &str, bypass: &str) -> Vec<u8> {
    let direct = proxy.is_empty() || proxy.eq_ignore_ascii_case("direct");
    let mut blob = vec![0x18, 0, 0, 0, 0, 0, 0, 0];
    blob.extend_from_slice(&(if direct { 1u32 } else { 3u32 }).to_le_bytes());
    for text in [
        if direct { "" } else { proxy },
        if direct { "" } else { bypass },
    ] {
        blob.extend_from_slice(&(text.len() as u32).to_le_bytes());
        blob.extend_from_slice(text.as_bytes());
    }
    blob
}

/// The proxy section's plan for a profile pointed at `lab`: WPAD by DHCP is `--wpad-dhcp` (the
/// lab's terminal has no DHCP server that offers it otherwise), WPAD by DNS walks the lab
/// terminal's search domain on the lab WPAD server's port, and PAC scripts resolve the lab's
/// names.
pub fn proxy_plan(
    pointed: &Profile,
    sources: Vec<ProxySource>,
    lab: &Lab,
    dhcp_flag: Option<&str>,
) -> Option<ProxyPlan> {
    let terminal = lab.spec().terminal.unwrap_or_default();
    let offered = terminal.dhcp_wpad.as_deref().map(|v| match v {
        "@pac-url" => pac_url("http", lab.wpad_port().unwrap_or(0)),
        "@pac-url-https" => pac_url("https", lab.wpad_https_port().unwrap_or(0)),
        other => other.to_string(),
    });
    let dhcp = match (dhcp_flag, offered) {
        (Some(_), _) => super::proxy::dhcp_ask(dhcp_flag),
        (None, Some(url)) => DhcpAsk::Given {
            origin: "the lab's DHCP server".into(),
            bytes: url.into_bytes(),
        },
        (None, None) => DhcpAsk::NotOffered {
            asked: "the lab's terminal".into(),
        },
    };
    let mut plan = super::proxy::plan(pointed, sources, dhcp)?;
    plan.search_domains = vec![LAB_SEARCH_DOMAIN.into()];
    plan.wpad_port = lab.wpad_port().unwrap_or(80);
    let mut names = FixedResolver::new();
    for n in lab.spec().names {
        for ip in
            n.a.iter()
                .map(|a| IpAddr::V4(*a))
                .chain(n.aaaa.iter().map(|a| IpAddr::V6(*a)))
        {
            names.insert(&n.name, ip);
        }
    }
    plan.pac_resolver = std::sync::Arc::new(names);
    Some(plan)
}

/// Removes what a lab stopped without warning (SIGKILL, a power cut) left in `tmp`: folders named
/// like the lab's ([`pki::DIR_PREFIX`](crate::lab::pki::DIR_PREFIX)), belonging to this user,
/// whose owner process ([`pki::OWNER_FILE`](crate::lab::pki::OWNER_FILE)) is gone. A folder
/// without a readable owner, or whose owner still runs, is left alone. Returns what was removed.
/// Every command that starts a lab calls it first.
pub fn sweep_leftovers(tmp: &Path) -> Vec<PathBuf> {
    use crate::lab::pki::{DIR_PREFIX, OWNER_FILE};
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(DIR_PREFIX));
        // Not followed if it is a link: only a real folder of this user is ever removed.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !ours || !meta.is_dir() || !crate::platform::owned_by_this_user(&meta) {
            continue;
        }
        let owner = std::fs::read_to_string(path.join(OWNER_FILE))
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok());
        let gone = owner
            .is_some_and(|pid| pid != std::process::id() && crate::platform::process_gone(pid));
        if gone && std::fs::remove_dir_all(&path).is_ok() {
            removed.push(path);
        }
    }
    removed
}

#[cfg(all(test, target_os = "linux"))]
mod sweep_tests {
    use super::*;
    use crate::lab::pki::{DIR_PREFIX, OWNER_FILE};

    /// A process id no process has: one past the system's limit.
    fn dead_pid() -> u32 {
        std::fs::read_to_string("/proc/sys/kernel/pid_max")
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
            .unwrap_or(4_194_304)
            + 1
    }

    #[test]
    fn only_folders_of_gone_owners_are_swept() {
        let tmp = tempfile::tempdir().unwrap();
        let make = |name: &str, owner: Option<String>| {
            let d = tmp.path().join(name);
            std::fs::create_dir(&d).unwrap();
            std::fs::write(d.join("client.key"), "secret").unwrap();
            if let Some(o) = owner {
                std::fs::write(d.join(OWNER_FILE), o).unwrap();
            }
            d
        };
        let dead = make(
            &format!("{DIR_PREFIX}pki-dead"),
            Some(dead_pid().to_string()),
        );
        let mine = make(
            &format!("{DIR_PREFIX}pki-mine"),
            Some(std::process::id().to_string()),
        );
        // The parent of this test process runs (cargo's runner, or init).
        let parent = std::os::unix::process::parent_id();
        let running = make(
            &format!("{DIR_PREFIX}pki-running"),
            Some(parent.to_string()),
        );
        let unknown = make(&format!("{DIR_PREFIX}pki-unknown"), None);
        let garbage = make(&format!("{DIR_PREFIX}x"), Some("not a pid".into()));
        let group = make(&format!("{DIR_PREFIX}y"), Some("0".into()));
        let other = make("someone-else", Some(dead_pid().to_string()));
        assert_eq!(sweep_leftovers(tmp.path()), vec![dead.clone()]);
        assert!(!dead.exists());
        for kept in [mine, running, unknown, garbage, group, other] {
            assert!(kept.exists(), "{}", kept.display());
        }
        assert!(sweep_leftovers(tmp.path()).is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lab_answers_ipv4only_arpa_without_aaaa() {
        let p = crate::profile::shipped("ipvpn-production").unwrap();
        let spec = spec_for(&p, &LAB_V6_NETNS, None, 0);
        let v4only = spec.name("ipv4only.arpa").unwrap();
        assert_eq!(v4only.a, IPV4ONLY_A);
        assert!(v4only.aaaa.is_empty(), "no DNS64 unless a scenario says so");
        assert_eq!(
            spec.tls_bind,
            [IpAddr::from(Ipv4Addr::LOCALHOST), LAB_V6_NETNS[0].into()]
        );
    }
}

//! `oqs-net lab`: the lab in the foreground until Ctrl-C or SIGTERM (both remove its namespace and
//! its PKI), with the command that probes it; folders a killed lab left are swept at the start.

use super::{CliError, LabArgs, exit, runtime};
use crate::findings::labels::Label;
use crate::output::width::pad_right;
use crate::round::lab as lab_setup;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

pub fn run(args: LabArgs) -> Result<u8, CliError> {
    if args.list_scenarios {
        for name in crate::lab::scenario::builtin_names() {
            let desc = crate::lab::scenario::builtin(name)
                .map(|s| s.description)
                .unwrap_or_default();
            super::print(&format!("{name:<22} {desc}\n"));
        }
        return Ok(exit::OK);
    }
    let lang = super::lang(args.lang);
    let profile = args.which.load()?;
    let scenario = args
        .scenario
        .as_deref()
        .map(lab_setup::scenario)
        .transpose()
        .map_err(CliError::Usage)?;

    // Enter a named namespace (before any thread starts) so several IPv6 members can exist.
    let (netns, v6) = if args.no_netns {
        (None, vec![Ipv6Addr::LOCALHOST])
    } else {
        match enter_netns(&args.netns) {
            Ok(guard) => (Some(guard), lab_setup::LAB_V6_NETNS.to_vec()),
            Err(e) => {
                eprintln!("oqs-net: note: {e}; serving in this namespace, IPv6 members: ::1 only");
                (None, vec![Ipv6Addr::LOCALHOST])
            }
        }
    };
    // The namespace (if any) lives until the end of this function and is deleted on drop.
    let in_netns = netns.is_some();
    let mut spec = lab_setup::spec_for(&profile, &v6, scenario.as_ref(), args.latency_ms);
    let port = args.dns_port.unwrap_or(if in_netns { 53 } else { 0 });
    spec.dns_bind = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    // A namespace of its own has the real ports free: the proxy on 8080 as the profile names it,
    // WPAD on 80 where Windows looks.
    if in_netns {
        if let Some(p) = &mut spec.proxy {
            p.port = 8080;
        }
        if let Some(w) = &mut spec.wpad {
            w.port = 80;
        }
    }

    for gone in lab_setup::sweep_leftovers(&std::env::temp_dir()) {
        eprintln!(
            "oqs-net: note: removed {}, left by a lab that was killed",
            gone.display()
        );
    }
    let scratch = tempfile::Builder::new()
        .prefix(crate::lab::pki::DIR_PREFIX)
        .tempdir()
        .and_then(|d| crate::lab::pki::write_owner(d.path()).map(|()| d))
        .map_err(|e| CliError::Harness(format!("cannot make a temporary directory: {e}")))?;
    let rt = runtime()?;
    rt.block_on(async {
        // Listening before the lab makes its PKI: Ctrl-C or SIGTERM from then on stops the lab,
        // so its keys, the PFX password file and the namespace are removed.
        let stop = crate::platform::stop_listener();
        let lab = crate::lab::Lab::start(spec.clone())
            .await
            .map_err(|e| CliError::Lab(e.to_string()))?;
        // The running executable, not `oqs-net`: it need not be on PATH (`cargo run`, a copy in
        // a download folder), and the printed command must run as it stands.
        let exe = std::env::current_exe()
            .map(|p| shell_word(&p.display().to_string()))
            .unwrap_or_else(|_| "oqs-net".to_string());
        let prefix = if in_netns {
            format!("ip netns exec {} ", args.netns)
        } else {
            String::new()
        };
        let members = |f: &dyn Fn(&crate::lab::LabMember) -> bool| {
            spec.members
                .iter()
                .filter(|m| f(m))
                .map(|m| m.ip.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        // A profile file with the lab's ports, resolver and PKI: the other terminal needs only it.
        let (pointed, resolvers) = lab_setup::point_at(&profile, &lab);
        let dir = match lab.pki() {
            Some(pki) => pki.dir.path().to_path_buf(),
            None => scratch.path().to_path_buf(),
        };
        let profile_file = dir.join("lab-profile.toml");
        std::fs::write(&profile_file, lab_setup::profile_toml(&pointed, &resolvers)).map_err(
            |e| CliError::Harness(format!("cannot write {}: {e}", profile_file.display())),
        )?;
        let ns = if in_netns {
            Label::LabInNetns.with(lang, &args.netns)
        } else {
            String::new()
        };
        super::print(&format!(
            "{serving}\n  \
             DNS  {dns} ({udp_tcp})\n  \
             NTP  {ntp}  {v4}\n                      {v6}\n  \
             {scenario} {sc}\n\n\
             {how}\n  \
             {prefix}{exe} probe --profile-file {file}{proxy}\n\n",
            serving = Label::LabServing.fill(lang, &[("name", &profile.name), ("ns", &ns)]),
            udp_tcp = Label::UdpAndTcp.text(lang),
            dns = lab.dns_addr(),
            ntp = Label::PortOn.with(lang, lab.ntp_port()),
            v4 = members(&|m| m.ip.is_ipv4()),
            v6 = members(&|m| m.ip.is_ipv6()),
            scenario = Label::LabScenario.text(lang),
            sc = args.scenario.as_deref().unwrap_or("healthy"),
            how = Label::LabProbeIt.text(lang),
            file = shell_word(&profile_file.display().to_string()),
            proxy = lab
                .wpad_port()
                .map(|p| format!(" --proxy {}", lab_setup::pac_url("http", p)))
                .unwrap_or_default(),
        ));
        let mut servers = String::new();
        if let (Some(p), Some(port)) = (&spec.proxy, lab.proxy_port()) {
            servers.push_str(&format!(
                "  {}  {}:{port} (HTTP CONNECT)\n",
                pad_right(Label::Proxy.text(lang), 5),
                p.name
            ));
        }
        if let Some(port) = lab.wpad_port() {
            servers.push_str(&format!(
                "  WPAD   http://{}{}/wpad.dat ({})\n  PAC    {}",
                lab_setup::LAB_WPAD_HOST,
                if port == 80 {
                    String::new()
                } else {
                    format!(":{port}")
                },
                Label::SearchDomain.with(lang, lab_setup::LAB_SEARCH_DOMAIN),
                lab_setup::pac_url("http", port),
            ));
            if let Some(https) = lab.wpad_https_port() {
                servers.push_str(&format!(", {}", lab_setup::pac_url("https", https)));
            }
            servers.push_str("\n\n");
        }
        super::print(&servers);
        if let Some(pki) = lab.pki() {
            let mut t = format!("{}\n", Label::LabTlsServers.text(lang));
            for e in lab_setup::with_distribution(&profile) {
                if let Some(port) = lab.tls_port(&e.name) {
                    t.push_str(&format!(
                        "  {:<13} {:<32} {}\n",
                        e.name,
                        e.host.host,
                        Label::Port.with(lang, port)
                    ));
                }
            }
            let f = &pki.files;
            let row = |l: Label| pad_right(l.text(lang), 18);
            t.push_str(&format!(
                "{head}\n  \
                 {ca_l}  {ca}\n  \
                 {pfx_l}  {pfx}  ({legacy_l} {legacy})\n  \
                 {other_l}  {two}, {expired}, {expiring}, {foreign}, {nokey}\n  \
                 {pw_l}  {pw}\n\n\
                 {look}\n  {exe} cert inspect {pfx} --pfx-password-file {pw}\n\n",
                head = Label::LabPki.with(lang, pki.dir.path().display()),
                ca_l = row(Label::LabCa),
                pfx_l = row(Label::LabClientPfx),
                legacy_l = Label::LabLegacy.text(lang),
                other_l = row(Label::LabOtherPfx),
                pw_l = row(Label::LabPasswordFile),
                look = Label::LabLookInside.text(lang),
                ca = f.ca_pem.display(),
                pfx = f.client_pfx.display(),
                legacy = f.client_legacy_pfx.display(),
                two = f.two_clients_pfx.display(),
                expired = f.expired_pfx.display(),
                expiring = f.expiring_pfx.display(),
                foreign = f.foreign_pfx.display(),
                nokey = f.no_key_pfx.display(),
                pw = f.password_file.display(),
            ));
            super::print(&t);
        }
        super::print(&format!("{}\n", Label::LabStops.text(lang)));
        stop.await;
        let stats = lab.stats();
        lab.shutdown().await;
        super::print(&format!(
            "\n{}\n",
            Label::LabStopped.fill(
                lang,
                &[
                    ("dns", &stats.dns_replies.values().sum::<u64>()),
                    ("ntp", &stats.ntp_replies.values().sum::<u64>()),
                ]
            )
        ));
        Ok::<_, CliError>(())
    })?;
    Ok(exit::OK)
}

/// `s` as one word for a POSIX shell: as it is when it needs no quoting, else in single quotes.
fn shell_word(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+:@%=,".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(target_os = "linux")]
fn enter_netns(name: &str) -> Result<crate::platform::netns::Named, String> {
    crate::platform::netns::enter_named(name, &lab_setup::netns_v6())
}

#[cfg(not(target_os = "linux"))]
fn enter_netns(_name: &str) -> Result<(), String> {
    Err("network namespaces are Linux-only".into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn printed_paths_survive_the_shell() {
        assert_eq!(super::shell_word("/usr/bin/oqs-net"), "/usr/bin/oqs-net");
        assert_eq!(
            super::shell_word("/home/a b/it's/oqs-net"),
            "'/home/a b/it'\\''s/oqs-net'"
        );
    }
}

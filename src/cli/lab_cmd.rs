//! `oqs-net lab`: the lab in the foreground until Ctrl-C, with the command that probes it.

use super::{CliError, LabArgs, exit, lab_setup, runtime};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

pub fn run(args: LabArgs) -> Result<u8, CliError> {
    if args.list_scenarios {
        for name in crate::lab::scenario::builtin_names() {
            let desc = crate::lab::scenario::builtin(name)
                .map(|s| s.description)
                .unwrap_or_default();
            super::print(&format!("{name:<18} {desc}\n"));
        }
        return Ok(exit::OK);
    }
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
    // In its own namespace the lab can take the TLS endpoints' real port, so the profile's hosts
    // (`name:443`) reach it unchanged.
    spec.tcp_port = if in_netns { 443 } else { 0 };

    let rt = runtime()?;
    rt.block_on(async {
        let lab = crate::lab::Lab::start(spec.clone())
            .await
            .map_err(|e| CliError::Lab(e.to_string()))?;
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
        let mode = profile.mode.as_label();
        let env = profile.environment.as_label();
        super::print(&format!(
            "oqs-net lab: serving the names of `{name}`{ns}\n  \
             DNS  {dns} (UDP and TCP)\n  \
             NTP  port {ntp} on  {v4}\n                      {v6}\n  \
             TCP  port {tcp} on the same addresses (accepts and closes: the TLS endpoints){tcp_note}\n  \
             scenario: {sc}\n\n\
             Probe it from another terminal:\n  \
             {prefix}oqs-net probe --mode {mode} --env {env} --resolver {dns} --ntp-port {ntp}\n\n\
             Ctrl-C stops the lab.\n",
            name = profile.name,
            ns = if in_netns {
                format!(" in network namespace `{}`", args.netns)
            } else {
                String::new()
            },
            dns = lab.dns_addr(),
            ntp = lab.ntp_port(),
            tcp = lab.tcp_port(),
            tcp_note = if lab.tcp_port() == 443 {
                ""
            } else {
                "\n       (not 443 outside a namespace of its own: the TCP reachability checks will fail)"
            },
            v4 = members(&|m| m.ip.is_ipv4()),
            v6 = members(&|m| m.ip.is_ipv6()),
            sc = args.scenario.as_deref().unwrap_or("healthy"),
        ));
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| CliError::Harness(format!("cannot wait for Ctrl-C: {e}")))?;
        let stats = lab.stats();
        lab.shutdown().await;
        super::print(&format!(
            "\nlab stopped: answered {} DNS queries and {} NTP requests\n",
            stats.dns_replies.values().sum::<u64>(),
            stats.ntp_replies.values().sum::<u64>()
        ));
        Ok::<_, CliError>(())
    })?;
    Ok(exit::OK)
}

#[cfg(target_os = "linux")]
fn enter_netns(name: &str) -> Result<crate::platform::netns::Named, String> {
    crate::platform::netns::enter_named(name, &lab_setup::netns_v6())
}

#[cfg(not(target_os = "linux"))]
fn enter_netns(_name: &str) -> Result<(), String> {
    Err("network namespaces are Linux-only".into())
}

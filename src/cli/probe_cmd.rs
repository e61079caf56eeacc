//! `oqs-net probe`: one round against the real network or the built-in lab, rendered.

use super::{CliError, FamilyArg, ProbeArgs, exit, lab_setup, print, runtime};
use crate::engine::{self, Plan};
use crate::model::{AdapterRequest, Family, Mode, NameSource, Status};
use crate::net::NetOptions;
use crate::output::{self, Format};
use std::io::IsTerminal;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub fn run(args: ProbeArgs) -> Result<u8, CliError> {
    let mut profile = args.which.load()?;
    super::override_round(&mut profile, args.queries, args.samples, args.ntp_port);
    args.tls.apply(&mut profile)?;
    let proxy_flag = |e: String| CliError::Usage(format!("--proxy: {e}"));
    // With --lab the lab's terminal stands in for this machine's settings (read once it runs).
    let mut proxy_sources = if args.lab {
        if let Some(f) = &args.proxy {
            crate::probe::proxy::settings::from_flag(f).map_err(proxy_flag)?;
        }
        Vec::new()
    } else {
        super::proxy_setup::sources(&profile, args.proxy.as_deref()).map_err(proxy_flag)?
    };
    let family = match args.family {
        FamilyArg::V6 => Some(Family::Ipv6),
        FamilyArg::V4 => Some(Family::Ipv4),
        FamilyArg::Auto => None,
    };
    if let Some(f) = family {
        profile.dns.families = vec![f];
    }
    let scenario = args
        .lab_scenario
        .as_deref()
        .map(lab_setup::scenario)
        .transpose()
        .map_err(CliError::Usage)?;
    let lang = super::lang(args.lang);

    // The lab's IPv6 members need a namespace of their own, entered before any thread starts.
    let mut v6 = vec![std::net::Ipv6Addr::LOCALHOST];
    if args.lab && profile.mode == Mode::Ipvpn {
        match enter_private_netns() {
            Ok(()) => v6 = lab_setup::LAB_V6_NETNS.to_vec(),
            Err(e) => eprintln!("oqs-net: note: {e}; the lab's IPv6 set is only ::1"),
        }
    }

    // Read where the round runs (inside the lab's namespace with --lab): nothing is sent.
    let inventory = crate::platform::inventory();
    let name = match (&args.interface, &profile.adapter.name) {
        (Some(n), _) => {
            if inventory.find(n).is_none() {
                return Err(CliError::Usage(format!(
                    "--interface {n}: no such adapter here (adapters: {})",
                    inventory.names().join(", ")
                )));
            }
            Some((n.clone(), NameSource::Flag))
        }
        (None, Some(n)) => Some((n.clone(), NameSource::Profile)),
        (None, None) => None,
    };
    let adapter = AdapterRequest { inventory, name };

    let rt = runtime()?;
    let round = rt.block_on(async {
        let mut resolvers = if args.resolver.is_empty() {
            profile.dns.resolvers.clone()
        } else {
            args.resolver.clone()
        };
        let lab = if args.lab {
            let spec = lab_setup::spec_for(
                &profile,
                &v6,
                scenario.as_ref(),
                args.lab_latency_ms.unwrap_or(0),
            );
            let lab = crate::lab::Lab::start(spec)
                .await
                .map_err(|e| CliError::Lab(e.to_string()))?;
            let (p, r) = lab_setup::point_at(&profile, &lab);
            proxy_sources =
                lab_setup::proxy_sources(&p, scenario.as_ref(), &lab, args.proxy.as_deref())
                    .map_err(proxy_flag)?;
            profile = p;
            resolvers = r;
            Some(lab)
        } else {
            None
        };
        let proxy = match &lab {
            Some(lab) => lab_setup::proxy_plan(&profile, proxy_sources, lab),
            None => super::proxy_setup::plan(&profile, proxy_sources),
        };
        let plan = Plan {
            profile: profile.clone(),
            net: NetOptions {
                resolvers,
                family,
                adapter: Some(adapter),
                ..NetOptions::default()
            },
            concurrency: args.concurrency as usize,
            round_deadline: Duration::from_secs(args.deadline),
            proxy: proxy.map(std::sync::Arc::new),
        };
        let cancel = CancellationToken::new();
        let ctrl_c = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                ctrl_c.cancel();
            }
        });
        let m = engine::run_round(&plan, &cancel)
            .await
            .map_err(|e| CliError::Harness(e.to_string()))?;
        if let Some(lab) = lab {
            lab.shutdown().await;
        }
        Ok::<_, CliError>(crate::judge::judge(&profile, &m))
    })?;

    match args.format {
        Format::Json => print(&output::json::render(&round, lang)),
        Format::Human => {
            let color = std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
            print(&output::human::render(
                &round,
                &output::human::Style { color, lang },
            ));
        }
    }
    Ok(match round.status {
        Status::Pass | Status::Warn => exit::OK,
        Status::Fail | Status::Error => exit::CHECK_FAILED,
    })
}

#[cfg(target_os = "linux")]
fn enter_private_netns() -> Result<(), String> {
    crate::platform::netns::enter_private(&lab_setup::netns_v6())
}

#[cfg(not(target_os = "linux"))]
fn enter_private_netns() -> Result<(), String> {
    Err("private network namespaces are Linux-only".into())
}

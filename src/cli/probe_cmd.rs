//! `oqs-net probe`: one round against the real network or the built-in lab, rendered.

use super::{CliError, ProbeArgs, exit, print, runtime};
use crate::model::{Mode, Status};
use crate::output::{self, Format};
use crate::round::{Builder, lab};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub fn run(args: ProbeArgs) -> Result<u8, CliError> {
    let a = &args.round;
    let profile = a.which.load()?;
    let scenario = a
        .lab_scenario
        .as_deref()
        .map(lab::scenario)
        .transpose()
        .map_err(CliError::Usage)?;
    let lang = super::lang(args.lang);

    // The lab's IPv6 members need a namespace of their own, entered before any thread starts
    // (and before the adapter is looked for: the round runs inside it).
    let mut v6 = vec![std::net::Ipv6Addr::LOCALHOST];
    if a.lab && profile.mode == Mode::Ipvpn {
        match super::enter_private_netns() {
            Ok(()) => v6 = lab::LAB_V6_NETNS.to_vec(),
            Err(e) => eprintln!("oqs-net: note: {e}; the lab's IPv6 set is only ::1"),
        }
    }
    let (settings, typed) = a.settings(&profile, Duration::from_secs(30))?;
    let mut builder = Builder::new(profile, settings, typed)?;
    for note in builder.notes() {
        eprintln!("oqs-net: note: {note}");
    }

    let rt = runtime()?;
    let round = rt.block_on(async {
        let lab = if a.lab {
            let spec = lab::spec_for(
                builder.profile(),
                &v6,
                scenario.as_ref(),
                a.lab_latency_ms.unwrap_or(0),
            );
            lab::sweep_leftovers(&std::env::temp_dir());
            let lab = crate::lab::Lab::start(spec)
                .await
                .map_err(|e| CliError::Lab(e.to_string()))?;
            builder.point_at(&lab);
            Some(lab)
        } else {
            None
        };
        let plan = builder.plan(lab.as_ref())?;
        let cancel = CancellationToken::new();
        let ctrl_c = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                ctrl_c.cancel();
            }
        });
        let m = crate::engine::run_round(&plan, &cancel)
            .await
            .map_err(|e| CliError::Harness(e.to_string()))?;
        if let Some(lab) = lab {
            lab.shutdown().await;
        }
        Ok::<_, CliError>(crate::judge::judge(&plan.profile, &m))
    })?;

    match args.format {
        Format::Json => print(&output::json::render(&round, lang)),
        Format::Human => {
            let color = super::colour(&std::io::stdout());
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

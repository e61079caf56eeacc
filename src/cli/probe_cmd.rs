//! `oqs-net probe`: one round against the real network or the built-in lab, rendered in the
//! chosen format (under `--format nagios`, also its exit codes and an UNKNOWN status line for an
//! error of the command itself).

use super::{CliError, ProbeArgs, exit, print, runtime};
use crate::model::Status;
use crate::output::{self, RoundFormat};
use crate::round::{Builder, lab};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub fn run(args: ProbeArgs) -> Result<u8, CliError> {
    if args.format != RoundFormat::Nagios {
        return probe(args);
    }
    match probe(args) {
        Ok(code) => Ok(code),
        Err(e) => {
            // A monitor reads only 3 as "the check itself broke".
            eprintln!("oqs-net: {e}");
            print(&output::nagios::unknown(&e.to_string()));
            Ok(output::nagios::State::Unknown.exit_code())
        }
    }
}

/// The round, rendered; its exit code.
fn probe(args: ProbeArgs) -> Result<u8, CliError> {
    let a = &args.round;
    let profile = a.which.load()?;
    let scenario = a
        .lab_scenario
        .as_deref()
        .map(lab::scenario)
        .transpose()
        .map_err(CliError::Usage)?;
    let lang = super::lang(args.lang);

    let v6 = super::lab_v6(a.lab, profile.mode);
    let (settings, typed) = a.settings(&profile, Duration::from_secs(30))?;
    let mut builder = Builder::new(profile, settings, typed)?;
    for note in builder.notes() {
        eprintln!("oqs-net: note: {note}");
    }

    let rt = runtime()?;
    let (round, ntp) = rt.block_on(async {
        let lab = if a.lab {
            let lab =
                super::start_lab(&mut builder, &v6, scenario.as_ref(), a.lab_latency_ms).await?;
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
        Ok::<_, CliError>((
            crate::judge::judge(&plan.profile, &m),
            plan.profile.ntp.clone(),
        ))
    })?;

    match args.format {
        RoundFormat::Json => print(&output::json::render(&round, lang)),
        RoundFormat::Junit => print(
            &output::junit::render(&round, lang)
                .map_err(|e| CliError::Harness(format!("cannot write the JUnit XML: {e}")))?,
        ),
        RoundFormat::Nagios => {
            let plugin = output::nagios::render(&round, &ntp, lang);
            print(&plugin.text);
            return Ok(plugin.state.exit_code());
        }
        RoundFormat::Human => {
            let color = super::colour(false);
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

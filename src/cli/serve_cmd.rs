//! `oqs-net serve`: rounds on demand for Prometheus, as blackbox_exporter's multi-target pattern:
//! `/probe?profile=NAME` runs a round of the profile the flags name (one at a time, at most one
//! real round per minimum interval) and answers its metrics; `/metrics` is the process's own.
//! Ctrl-C or SIGTERM stop it (exit 0).

use super::duration::parse_duration;
use super::metrics_args::bind;
use super::round_args::RoundArgs;
use super::{CliError, exit, runtime};
use crate::exporter::{http, probe::Prober};
use crate::round::{Builder, lab};
use clap::Args;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub round: RoundArgs,
    /// Where to answer scrapes. Loopback only, unless --allow-remote.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:9464")]
    pub listen: SocketAddr,
    /// Let --listen take an address other hosts can reach (no authentication: put it behind a
    /// firewall).
    #[arg(long)]
    pub allow_remote: bool,
    /// The least time between two real rounds; a scrape sooner gets the last round's metrics
    /// (so does one that arrived while a round ran).
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = parse_duration)]
    pub min_interval: Duration,
}

pub fn run(args: ServeArgs) -> Result<u8, CliError> {
    let a = &args.round;
    let profile = a.which.load()?;
    let scenario = a
        .lab_scenario
        .as_deref()
        .map(lab::scenario)
        .transpose()
        .map_err(CliError::Usage)?;
    let listener = bind(args.listen, args.allow_remote, "--listen", "--allow-remote")?;
    let v6 = super::lab_v6(a.lab, profile.mode);
    // A scrape's deadline is Prometheus' scrape_timeout: 25 s leaves room within a 30 s one.
    let (settings, typed) = a.settings(&profile, Duration::from_secs(25))?;
    let mut builder = Builder::new(profile, settings, typed)?;
    for note in builder.notes() {
        eprintln!("oqs-net: note: {note}");
    }
    let rt = runtime()?;
    rt.block_on(async {
        let lab = if a.lab {
            let lab =
                super::start_lab(&mut builder, &v6, scenario.as_ref(), a.lab_latency_ms).await?;
            Some(Arc::new(lab))
        } else {
            None
        };
        // A plan that cannot be made now would fail every scrape: say so at once.
        builder.plan(lab.as_deref())?;
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| CliError::Harness(format!("--listen: {e}")))?;
        let name = builder.profile().name.clone();
        eprintln!(
            "oqs-net: serving http://{}/probe?profile={name} (and /metrics) until Ctrl-C",
            args.listen
        );
        let stop = CancellationToken::new();
        let prober = Arc::new(Prober::new(
            builder,
            lab.clone(),
            args.min_interval,
            stop.clone(),
        ));
        let signal = stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                Ok(()) = tokio::signal::ctrl_c() => {}
                _ = crate::platform::terminate_requested() => {}
            }
            eprintln!("oqs-net: stopping");
            signal.cancel();
        });
        http::serve(listener, prober.clone(), stop).await;
        drop(prober);
        if let Some(lab) = lab.and_then(|l| Arc::try_unwrap(l).ok()) {
            lab.shutdown().await;
        }
        Ok::<_, CliError>(())
    })?;
    Ok(exit::OK)
}

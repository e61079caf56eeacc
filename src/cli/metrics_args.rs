//! The Prometheus flags: `soak`'s `--metrics-listen`/`--metrics-textfile` and the listening
//! address `serve` shares with it, checked here: loopback unless a remote address is asked for
//! by its own flag (and then a warning), bound before anything is measured.

use super::{CliError, usage};
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Args, Debug, Clone, Default)]
pub struct SoakMetricsArgs {
    /// Serve Prometheus metrics of the latest round (flap state included) at
    /// http://ADDR:PORT/metrics while the soak runs. Loopback only, unless
    /// --metrics-allow-remote.
    #[arg(long, value_name = "ADDR:PORT")]
    pub metrics_listen: Option<SocketAddr>,
    /// Let --metrics-listen take an address other hosts can reach (no authentication: put it
    /// behind a firewall).
    #[arg(long, requires = "metrics_listen")]
    pub metrics_allow_remote: bool,
    /// After every round, replace FILE (for node_exporter's textfile collector: a `.prom` file
    /// in its directory) with the same metrics, atomically.
    #[arg(long, value_name = "FILE")]
    pub metrics_textfile: Option<PathBuf>,
}

/// Binds `addr` for scrapes: refused unless loopback or `allow_remote`; a warning when remote.
pub(super) fn bind(
    addr: SocketAddr,
    allow_remote: bool,
    flag: &str,
    allow_flag: &str,
) -> Result<std::net::TcpListener, CliError> {
    if !addr.ip().is_loopback() {
        if !allow_remote {
            return Err(usage(format!(
                "{flag} {addr}: not a loopback address; other hosts could read the metrics. Add {allow_flag} to mean it"
            )));
        }
        eprintln!(
            "oqs-net: warning: {flag} {addr} can be reached from other hosts, without authentication; let a firewall decide who may scrape it"
        );
    }
    let l = std::net::TcpListener::bind(addr).map_err(|e| usage(format!("{flag} {addr}: {e}")))?;
    l.set_nonblocking(true)
        .map_err(|e| usage(format!("{flag} {addr}: {e}")))?;
    Ok(l)
}

/// The soak's metrics outputs, checked: the listener bound, the textfile written once (the
/// build info alone) so a directory that cannot take it is named before the soak starts.
#[derive(Debug, Default)]
pub(super) struct SoakMetrics {
    pub listener: Option<std::net::TcpListener>,
    pub textfile: Option<PathBuf>,
}

impl SoakMetricsArgs {
    pub(super) fn open(&self) -> Result<SoakMetrics, CliError> {
        let listener = self
            .metrics_listen
            .map(|a| {
                bind(
                    a,
                    self.metrics_allow_remote,
                    "--metrics-listen",
                    "--metrics-allow-remote",
                )
            })
            .transpose()?;
        if let Some(p) = &self.metrics_textfile {
            crate::exporter::textfile::write(p, &crate::output::metrics::build_only())
                .map_err(usage)?;
        }
        Ok(SoakMetrics {
            listener,
            textfile: self.metrics_textfile.clone(),
        })
    }
}

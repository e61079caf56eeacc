//! The flags of `oqs-net soak`: the round's (shared with `probe`), the soak's own schedule, and
//! what `--resume` refuses because the journal names it.

use super::LangArg;
use super::duration::parse_duration;
use super::round_args::RoundArgs;
use super::tls_args::PasswordArgs;
use crate::output::Format;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct SoakArgs {
    #[command(flatten)]
    pub round: RoundArgs,
    #[command(flatten)]
    pub run: SoakRunArgs,
    #[command(flatten)]
    pub metrics: super::metrics_args::SoakMetricsArgs,
    /// Continue the interrupted soak in FILE with every setting its journal names, for the time
    /// it still had. The PFX password is got again the way the first run got it (the same
    /// variable, file or prompt), unless --pfx-password-env or --pfx-password-file is given;
    /// every other flag that shapes a round or the soak is refused.
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,
    /// List the built-in lab fault schedules and exit.
    #[arg(long)]
    pub list_lab_faults: bool,
    /// Format of the report printed at the end.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Language of the report's findings (default: from the locale).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// At the end (also after Ctrl-C), write the report as one self-contained HTML file too.
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<PathBuf>,
    /// No progress on stderr (the journal and the report are unchanged).
    #[arg(long, short)]
    pub quiet: bool,
}

/// How long and how often: the soak's own flags besides the round's. With [`RoundArgs`], what
/// `--resume` refuses (see [`resume_refuses`]).
#[derive(Args, Debug)]
pub struct SoakRunArgs {
    /// How long to run: 30m, 24h, 2d, 1h30m... (default: until Ctrl-C).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Time between round starts: 30s, 5m... (0 runs them back to back). Rounds never overlap; one that
    /// overruns is recorded and the missed slots are skipped, so the schedule does not drift.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub interval: Duration,
    /// Stop after this many rounds.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub rounds: Option<u64>,
    /// The journal to write, JSON Lines (default: oqs-soak-DATE-TIME.jsonl here). It must not
    /// exist yet.
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Flapping starts when a target's weighted state-change score reaches this (default: the
    /// profile's [soak] flap_high_pct, normally 30).
    #[arg(long, value_name = "PCT")]
    pub flap_high: Option<f64>,
    /// Flapping ends when the score falls to this (default: the profile's, normally 20).
    #[arg(long, value_name = "PCT")]
    pub flap_low: Option<f64>,
    /// With --lab: scheduled faults (flapping, a member dying, drift, the terminal's proxy
    /// settings changing...), by built-in name or file (see --list-lab-faults).
    #[arg(long, value_name = "NAME|FILE", requires = "lab")]
    pub lab_faults: Option<String>,
}

/// The flags `--resume` refuses: every flag of the round and of the soak's schedule, read from
/// their definitions (the journal names them all), except where the PFX password comes from.
pub(super) fn resume_refuses() -> Vec<clap::Id> {
    let ids = |c: clap::Command| -> Vec<clap::Id> {
        c.get_arguments().map(|a| a.get_id().clone()).collect()
    };
    let password = ids(PasswordArgs::augment_args(clap::Command::new("password")));
    let mut refused = ids(RoundArgs::augment_args(clap::Command::new("round")));
    refused.extend(ids(SoakRunArgs::augment_args(clap::Command::new("run"))));
    refused.retain(|id| !password.contains(id));
    refused
}

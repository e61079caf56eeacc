//! `oqs-net accept`: a short soak (the soak's own setup and session, with every round flag) into a
//! journal kept as evidence, judged against the profile's `[acceptance]` criteria with the flags
//! over them; or `--from JOURNAL`, an existing soak's journal judged without probing. Prints the
//! verdict table (or the plugin line) and writes `--junit`/`--json` files. Arguments and
//! dispatch only: the verdicts are `judge::acceptance`'s, the words the renderer's.

use super::round_args::RoundArgs;
use super::soak_args::SoakRunArgs;
use super::soak_session;
use super::soak_setup::{Setup, journal_profile};
use super::{CliError, LangArg, exit, print, usage};
use crate::findings::Lang;
use crate::judge::acceptance::{self, Applies};
use crate::model::{AcceptanceReport, Criteria, Profile};
use crate::output;
use crate::soak::{evidence, journal, report};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

/// What `accept` prints on stdout.
// (Plain comments on the variants: doc comments would switch `--help` to its long layout.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AcceptFormat {
    Human,
    Nagios,
}

#[derive(Args, Debug)]
pub struct AcceptArgs {
    #[command(flatten)]
    pub round: RoundArgs,
    #[command(flatten)]
    pub run: SoakRunArgs,
    /// Judge this soak journal instead of soaking (nothing is sent); the profile is the one the
    /// journal names.
    #[arg(long, value_name = "JOURNAL", conflicts_with_all = ["lab", "duration", "rounds", "journal", "lab_faults"])]
    pub from: Option<PathBuf>,
    /// Lowest availability of any check, percent (default: the profile's
    /// [acceptance] min_availability_pct, normally 99.9).
    #[arg(long, value_name = "PCT")]
    pub min_availability: Option<f64>,
    /// Most flapping periods allowed (default: the profile's max_flaps, normally 0).
    #[arg(long, value_name = "N")]
    pub max_flaps: Option<u32>,
    /// Largest NTP offset allowed on any server (default: the profile's max_ntp_offset_ms).
    #[arg(long, value_name = "MS")]
    pub max_ntp_offset: Option<f64>,
    /// Largest TLS handshake time, 95th percentile, of any endpoint (default: the profile's
    /// max_handshake_p95_ms, normally 500).
    #[arg(long, value_name = "MS")]
    pub max_handshake_p95: Option<f64>,
    /// Days the client certificate must still be valid (default: the profile's min_cert_days,
    /// normally 30).
    #[arg(long, value_name = "DAYS")]
    pub min_cert_days: Option<u32>,
    /// Also write the verdict as JUnit XML (one testsuite per area, a testcase per criterion).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write the verdict as JSON (the shared envelope; docs/schema/accept.json).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Also write the soak as one self-contained HTML file, the verdict at its top.
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<PathBuf>,
    /// What to print: the verdict table, or a monitoring-plugin status line (exit 0/1/2/3 as
    /// OK/WARNING/CRITICAL/UNKNOWN).
    #[arg(long, value_enum, default_value = "human")]
    pub format: AcceptFormat,
    /// Language of the table and the advice (default: from the locale).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// No soak progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

fn default_journal() -> PathBuf {
    let now = jiff::ZonedDateTime::now();
    PathBuf::from(format!(
        "oqs-accept-{}.jsonl",
        now.strftime("%Y%m%d-%H%M%S")
    ))
}

/// The criteria: the profile's `[acceptance]`, each flag over its key.
fn criteria(args: &AcceptArgs, p: &Profile) -> Result<Criteria, CliError> {
    let a = &p.acceptance;
    let max_ntp_offset_ms = args.max_ntp_offset.unwrap_or(a.max_ntp_offset_ms);
    let c = Criteria {
        min_availability_pct: args.min_availability.unwrap_or(a.min_availability_pct),
        max_flaps: args.max_flaps.unwrap_or(a.max_flaps),
        max_ntp_offset_ms,
        // The servers agree within the same limit each must keep to this clock.
        max_ntp_spread_ms: max_ntp_offset_ms,
        max_handshake_p95_ms: args.max_handshake_p95.unwrap_or(a.max_handshake_p95_ms),
        min_cert_days: args.min_cert_days.unwrap_or(a.min_cert_days),
        issuer_names: p.tls_settings.issuer_names.clone(),
    };
    if !(0.0..=100.0).contains(&c.min_availability_pct) {
        return Err(usage("--min-availability is a percentage (0 to 100)"));
    }
    for (v, flag) in [
        (c.max_ntp_offset_ms, "--max-ntp-offset"),
        (c.max_handshake_p95_ms, "--max-handshake-p95"),
    ] {
        if !(v.is_finite() && v > 0.0) {
            return Err(usage(format!("{flag} must be a positive number of ms")));
        }
    }
    Ok(c)
}

pub fn run(args: AcceptArgs) -> Result<u8, CliError> {
    if args.format != AcceptFormat::Nagios {
        return accept(args);
    }
    match accept(args) {
        Ok(code) => Ok(code),
        Err(e) => {
            // A monitor reads only 3 as "the check itself broke".
            eprintln!("oqs-net: {e}");
            print(&output::nagios::unknown(&e.to_string()));
            Ok(output::nagios::State::Unknown.exit_code())
        }
    }
}

/// The soak (or the journal given), judged and written out; the exit code.
fn accept(mut args: AcceptArgs) -> Result<u8, CliError> {
    let lang = super::lang(args.lang);
    if let Some(out) = &args.html {
        super::report_cmd::check_html_path(out)?;
    }
    let (path, profile, outcome) = match args.from.clone() {
        Some(path) => {
            let (header, _) = journal::open(&path).map_err(usage)?;
            (path, journal_profile(&header)?, Ok(()))
        }
        None => {
            let profile = args.round.which.load()?;
            if args.run.duration.is_none() && args.run.rounds.is_none() {
                args.run.duration = Some(std::time::Duration::from_secs(
                    u64::from(profile.acceptance.duration_min) * 60,
                ));
            }
            if args.run.journal.is_none() {
                args.run.journal = Some(default_journal());
            }
            criteria(&args, &profile)?;
            let setup = Setup::new(&args.round, &args.run)?;
            let ran = soak_session::execute(setup, Default::default(), args.quiet)?;
            (ran.journal, profile, ran.outcome)
        }
    };
    let c = criteria(&args, &profile)?;
    let unreadable = |e: journal::JournalError| match args.from {
        Some(_) => usage(e),
        None => CliError::Harness(format!(
            "the soak ran, but its journal cannot be read back: {e}"
        )),
    };
    let soak = report::from_path(&path, None, super::report_cmd::charts(&args.html))
        .map_err(unreadable)?;
    let rr = profile.dns.round_robin.host.clone();
    let ev = evidence::from_path(&path, &rr).map_err(unreadable)?;
    let applies = Applies {
        mode: profile.mode,
        proxy: profile.proxy.is_some(),
        round_robin: rr,
        line_auth: profile.line.auth.is_some(),
        ngn_dns: profile.line.ngn_dns.is_some(),
    };
    let verdict = acceptance::judge(soak, &ev, &c, &applies);
    let shown = path.display().to_string();
    write_files(&args, &verdict, &shown, lang)?;
    let code = match args.format {
        AcceptFormat::Human => {
            let color = super::colour(false);
            print(&output::acceptance::human(&verdict, &shown, lang, color));
            if verdict.passed {
                exit::OK
            } else {
                exit::CHECK_FAILED
            }
        }
        AcceptFormat::Nagios => {
            eprintln!("oqs-net: journal (evidence): {shown}");
            let p = output::acceptance::nagios(&verdict, lang);
            print(&p.text);
            p.state.exit_code()
        }
    };
    match outcome {
        Ok(()) => Ok(code),
        Err(e) => {
            eprintln!("oqs-net: {e}");
            Ok(e.exit_code())
        }
    }
}

fn write_files(
    args: &AcceptArgs,
    v: &AcceptanceReport,
    journal: &str,
    lang: Lang,
) -> Result<(), CliError> {
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text)
            .map_err(|e| CliError::Harness(format!("cannot write {}: {e}", path.display())))
    };
    if let Some(path) = &args.junit {
        let xml = output::acceptance::junit(v, journal, lang)
            .map_err(|e| CliError::Harness(format!("cannot write JUnit XML: {e}")))?;
        write(path, &xml)?;
    }
    if let Some(path) = &args.json {
        write(path, &output::acceptance::json(v, journal, lang))?;
    }
    if let (Some(out), Some(soak)) = (&args.html, &v.soak) {
        let view = output::acceptance::html_view(v, lang);
        super::report_cmd::write_html(soak, Path::new(journal), args.lang, out, Some(&view))?;
    }
    Ok(())
}

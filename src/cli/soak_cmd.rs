//! `oqs-net soak`: rounds every interval for a duration (or until Ctrl-C), journalled as they
//! finish, with live progress and the report at the end; `--resume FILE` continues an interrupted
//! soak with the settings its journal names, for the time it still had.
//!
//! This half checks the flags (or the journal's header) into a [`Setup`] before any packet;
//! `soak_session` runs it. Ctrl-C (or SIGTERM) stops after the journal is ended and prints the
//! report (exit 0 or 1 by its result); a second Ctrl-C exits 130 at once, but only while holding
//! the journal's lock, so it never leaves a half-written record.

use super::soak_session;
use super::soak_setup::{default_deadline, parse_duration};
use super::{CliError, LangArg, ProfileArgs, exit, lab_setup, print, runtime};
use crate::lab::Scenario;
use crate::lab::schedule::{self, FaultSchedule, Timeline};
use crate::model::{Mode, Profile, SoakReport, Status};
use crate::output::{self, Format};
use crate::soak::journal::{self, Header, JOURNAL_VERSION, LabSettings, ProfileRef, Settings};
use crate::soak::run::Schedule;
use crate::soak::{Thresholds, report, resume, track::Tracker};
use clap::Args;
use std::io::IsTerminal;
use std::net::{Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

const NOT_WITH_RESUME: [&str; 21] = [
    "mode",
    "environment",
    "targets",
    "profile",
    "duration",
    "interval",
    "rounds",
    "journal",
    "flap_high",
    "flap_low",
    "resolver",
    "ntp_port",
    "queries",
    "samples",
    "lab",
    "lab_scenario",
    "lab_faults",
    "lab_latency_ms",
    "deadline",
    "concurrency",
    "list_lab_faults",
];

#[derive(Args, Debug)]
pub struct SoakArgs {
    #[command(flatten)]
    pub which: ProfileArgs,
    /// How long to run: 30m, 24h, 2d, 1h30m... (default: until Ctrl-C).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Time between round starts (0 runs them back to back). Rounds never overlap; one that
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
    /// Continue the interrupted soak in FILE, with its settings, for the time it still had.
    #[arg(long, value_name = "FILE", conflicts_with_all = NOT_WITH_RESUME)]
    pub resume: Option<PathBuf>,
    /// Flapping starts when a target's weighted state-change score reaches this (default: the
    /// profile's [soak] flap_high_pct, normally 30).
    #[arg(long, value_name = "PCT")]
    pub flap_high: Option<f64>,
    /// Flapping ends when the score falls to this (default: the profile's, normally 20).
    #[arg(long, value_name = "PCT")]
    pub flap_low: Option<f64>,
    /// Ask this nameserver instead of the system's (repeatable). IP, IP:PORT or [IPv6]:PORT.
    #[arg(long, value_name = "IP[:PORT]", value_parser = super::parse_resolver)]
    pub resolver: Vec<SocketAddr>,
    /// NTP port to use for every server (default: the profile's, normally 123).
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub ntp_port: Option<u16>,
    /// Repeated DNS queries per name and record type (default: the profile's).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub queries: Option<u32>,
    /// NTP samples per server (default: the profile's).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=8))]
    pub samples: Option<u32>,
    /// Soak the built-in lab on loopback instead of the real network.
    #[arg(long)]
    pub lab: bool,
    /// With --lab: a fault scenario, by built-in name or file (see `oqs-net lab --list-scenarios`).
    #[arg(long, value_name = "NAME|FILE", requires = "lab")]
    pub lab_scenario: Option<String>,
    /// With --lab: scheduled faults (flapping, a member dying, drift...), by built-in name or
    /// file (see --list-lab-faults).
    #[arg(long, value_name = "NAME|FILE", requires = "lab")]
    pub lab_faults: Option<String>,
    /// With --lab: fixed latency added to every lab reply.
    #[arg(long, value_name = "MS", requires = "lab")]
    pub lab_latency_ms: Option<u64>,
    /// List the built-in lab fault schedules and exit.
    #[arg(long)]
    pub list_lab_faults: bool,
    /// Give up on a round after this long (default: 90 % of the interval, at most 30s).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub deadline: Option<Duration>,
    /// Probes in flight at once.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub concurrency: u64,
    /// Format of the report printed at the end.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Language of the report's findings (default: from the locale).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// No progress on stderr (the journal and the report are unchanged).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Everything a soak needs, checked, before the first packet.
pub(super) struct Setup {
    pub(super) profile: Profile,
    pub(super) header: Header,
    pub(super) journal_path: PathBuf,
    pub(super) schedule: Schedule,
    pub(super) tracker: Tracker,
    pub(super) resolvers: Vec<SocketAddr>,
    pub(super) scenario: Option<Scenario>,
    pub(super) faults: Option<FaultSchedule>,
    /// Time already run (a resume), where the fault timeline picks up.
    pub(super) lab_offset: Duration,
    pub(super) resuming: bool,
}

pub(super) fn usage(e: impl std::fmt::Display) -> CliError {
    CliError::Usage(e.to_string())
}

/// A fault schedule by built-in name or file, with the file's text for the journal.
fn load_faults(name_or_file: &str) -> Result<(FaultSchedule, String, Option<String>), CliError> {
    let path = Path::new(name_or_file);
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| usage(format!("cannot read {name_or_file}: {e}")))?;
        let s = FaultSchedule::from_toml_str(&text, name_or_file).map_err(usage)?;
        let shown = journal::absolute(path).display().to_string();
        Ok((s, shown, Some(text)))
    } else {
        let s = schedule::builtin(name_or_file).map_err(usage)?;
        Ok((s, name_or_file.to_string(), None))
    }
}

fn scenario_ref(name_or_file: &str) -> String {
    let p = Path::new(name_or_file);
    if p.exists() {
        journal::absolute(p).display().to_string()
    } else {
        name_or_file.to_string()
    }
}

fn default_journal() -> PathBuf {
    let now = jiff::ZonedDateTime::now();
    PathBuf::from(format!("oqs-soak-{}.jsonl", now.strftime("%Y%m%d-%H%M%S")))
}

impl Setup {
    fn new(args: &SoakArgs) -> Result<Setup, CliError> {
        let mut profile = args.which.load()?;
        super::override_round(&mut profile, args.queries, args.samples, args.ntp_port);
        let thresholds = Thresholds::new(
            args.flap_high.unwrap_or(profile.soak.flap_high_pct),
            args.flap_low.unwrap_or(profile.soak.flap_low_pct),
        )
        .map_err(usage)?;
        let scenario = args
            .lab_scenario
            .as_deref()
            .map(lab_setup::scenario)
            .transpose()
            .map_err(CliError::Usage)?;
        let faults = args.lab_faults.as_deref().map(load_faults).transpose()?;
        let toml = match &args.which.targets {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?,
            ),
            None => None,
        };
        let resolvers = if args.resolver.is_empty() {
            profile.dns.resolvers.clone()
        } else {
            args.resolver.clone()
        };
        let deadline = args
            .deadline
            .unwrap_or_else(|| default_deadline(args.interval))
            .max(Duration::from_millis(100));
        let ts = journal::now_ms();
        let header = Header {
            journal_version: JOURNAL_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            started_at: journal::rfc3339(ts),
            ts,
            profile: ProfileRef {
                name: profile.name.clone(),
                source: profile.source.clone(),
                mode: profile.mode.as_label().to_string(),
                environment: profile.environment.as_label().to_string(),
                provider: profile.provider.clone(),
                toml,
            },
            settings: Settings {
                interval_ms: args.interval.as_millis() as u64,
                duration_ms: args.duration.map(|d| d.as_millis() as u64),
                rounds: args.rounds,
                deadline_ms: deadline.as_millis() as u64,
                concurrency: args.concurrency,
                flap_high_pct: thresholds.high_pct(),
                flap_low_pct: thresholds.low_pct(),
                resolvers: args.resolver.iter().map(|r| r.to_string()).collect(),
                ntp_port: args.ntp_port,
                queries: args.queries,
                samples: args.samples,
                lab: args.lab.then(|| LabSettings {
                    scenario: args.lab_scenario.as_deref().map(scenario_ref),
                    faults: faults.as_ref().map(|f| f.1.clone()),
                    faults_toml: faults.as_ref().and_then(|f| f.2.clone()),
                    latency_ms: args.lab_latency_ms.unwrap_or(0),
                    ntp_port: None,
                }),
            },
        };
        Ok(Setup {
            profile,
            header,
            journal_path: args.journal.clone().unwrap_or_else(default_journal),
            schedule: Schedule {
                interval: args.interval,
                remaining: args.duration,
                rounds: args.rounds,
                first_seq: 1,
            },
            tracker: Tracker::new(thresholds),
            resolvers,
            scenario,
            faults: faults.map(|f| f.0),
            lab_offset: Duration::ZERO,
            resuming: false,
        })
    }

    /// The setup a journal's header describes, continued where it stopped. `Ok(Err(report))`
    /// when nothing is left to run.
    fn resume(path: &Path) -> Result<Result<Setup, SoakReport>, CliError> {
        let scan = resume::scan(path).map_err(usage)?;
        if scan.finished() {
            return Ok(Err(scan.report));
        }
        let h = &scan.header;
        let s = &h.settings;
        let mut profile = match &h.profile.toml {
            Some(text) => crate::profile::parse(text, &h.profile.source)?,
            None => {
                let name = h
                    .profile
                    .source
                    .strip_prefix("builtin:")
                    .unwrap_or(&h.profile.name);
                crate::profile::shipped(name)?
            }
        };
        if let Some(q) = s.queries {
            profile.dns.queries = q;
        }
        if let Some(n) = s.samples {
            profile.ntp.samples = n;
        }
        if let Some(port) = s.ntp_port {
            profile.ntp.port = port;
        }
        let mut resolvers = Vec::new();
        for r in &s.resolvers {
            resolvers.push(
                r.parse::<SocketAddr>()
                    .map_err(|_| usage(format!("the journal names a bad resolver `{r}`")))?,
            );
        }
        if resolvers.is_empty() {
            resolvers = profile.dns.resolvers.clone();
        }
        let (scenario, faults) = match &s.lab {
            None => (None, None),
            Some(lab) => {
                let scenario = lab
                    .scenario
                    .as_deref()
                    .map(lab_setup::scenario)
                    .transpose()
                    .map_err(CliError::Usage)?;
                let faults = match (&lab.faults_toml, &lab.faults) {
                    (Some(text), Some(name)) => {
                        Some(FaultSchedule::from_toml_str(text, name).map_err(usage)?)
                    }
                    (None, Some(name)) => Some(schedule::builtin(name).map_err(usage)?),
                    _ => None,
                };
                (scenario, faults)
            }
        };
        let active = Duration::from_secs_f64(scan.report.active_s.max(0.0));
        Ok(Ok(Setup {
            schedule: Schedule {
                interval: Duration::from_millis(s.interval_ms),
                remaining: scan.remaining(),
                rounds: scan.rounds_left(),
                first_seq: scan.last_seq + 1,
            },
            tracker: scan.tracker,
            header: scan.header,
            profile,
            journal_path: path.to_path_buf(),
            resolvers,
            scenario,
            faults,
            lab_offset: active,
            resuming: true,
        }))
    }

    pub(super) fn lab(&self) -> Option<&LabSettings> {
        self.header.settings.lab.as_ref()
    }
}

/// Prints the report of a journal; the exit code by its result.
pub(super) fn print_report(
    r: &SoakReport,
    journal: &Path,
    format: Format,
    lang_arg: Option<LangArg>,
) -> u8 {
    let shown = journal.display().to_string();
    let lang = super::lang(lang_arg);
    match format {
        Format::Json => print(&output::soak::json(r, &shown, lang)),
        Format::Human => {
            let color = std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
            print(&output::soak::human(
                r,
                &shown,
                &output::soak::Style {
                    color,
                    lang,
                    tz: jiff::tz::TimeZone::system(),
                },
            ));
        }
    }
    match r.status {
        Status::Pass | Status::Warn => exit::OK,
        Status::Fail | Status::Error => exit::CHECK_FAILED,
    }
}

pub fn run(args: SoakArgs) -> Result<u8, CliError> {
    if args.list_lab_faults {
        for name in schedule::builtin_names() {
            let desc = schedule::builtin(name)
                .map(|s| s.description)
                .unwrap_or_default();
            print(&format!("{name:<14} {desc}\n"));
        }
        return Ok(exit::OK);
    }
    let setup = match &args.resume {
        Some(path) => match Setup::resume(path)? {
            Ok(s) => s,
            Err(report) => {
                eprintln!(
                    "oqs-net: the soak in {} has nothing left to run; its report follows",
                    path.display()
                );
                return Ok(print_report(&report, path, args.format, args.lang));
            }
        },
        None => Setup::new(&args)?,
    };

    // The lab's IPv6 members need a network namespace of their own, entered before any thread.
    let lab = setup.lab().cloned();
    let mut v6 = vec![Ipv6Addr::LOCALHOST];
    if lab.is_some() && setup.profile.mode == Mode::Ipvpn {
        match enter_private_netns() {
            Ok(()) => v6 = lab_setup::LAB_V6_NETNS.to_vec(),
            Err(e) => eprintln!("oqs-net: note: {e}; the lab's IPv6 set is only ::1"),
        }
    }
    let lab_spec = lab
        .as_ref()
        .map(|l| lab_setup::spec_for(&setup.profile, &v6, setup.scenario.as_ref(), l.latency_ms));
    // Bind the fault schedule to the lab before anything is written, so a bad one costs nothing.
    if let (Some(f), Some(spec)) = (&setup.faults, &lab_spec) {
        Timeline::new(f.clone(), spec.clone()).map_err(usage)?;
    }

    let journal = soak_session::prepare_journal(&setup)?;
    let tty = std::io::stderr().is_terminal();
    let color = std::env::var_os("NO_COLOR").is_none() && tty;
    let path = setup.journal_path.clone();

    let rt = runtime()?;
    let outcome = rt.block_on(soak_session::session(
        setup, lab_spec, journal, args.quiet, tty, color,
    ));
    drop(rt);
    // A failure before the first round (the journal, the lab) leaves nothing to report.
    let outcome = match outcome {
        Err(soak_session::Failure::BeforeStart(e)) => return Err(e),
        Err(soak_session::Failure::During(e)) => Err(e),
        Ok(()) => Ok(()),
    };

    let report = report::from_path(&path, None).map_err(|e| {
        CliError::Harness(format!(
            "the soak ran, but its journal cannot be read back: {e}"
        ))
    })?;
    let code = print_report(&report, &path, args.format, args.lang);
    match outcome {
        Ok(()) => Ok(code),
        Err(e) => {
            eprintln!("oqs-net: {e}");
            Ok(e.exit_code())
        }
    }
}

#[cfg(target_os = "linux")]
fn enter_private_netns() -> Result<(), String> {
    crate::platform::netns::enter_private(&lab_setup::netns_v6())
}

#[cfg(not(target_os = "linux"))]
fn enter_private_netns() -> Result<(), String> {
    Err("private network namespaces are Linux-only".into())
}

//! The command line: the flags of every command, checked into settings before any packet, and
//! dispatch to the command; the documented exit codes. Arguments and dispatch only: rounds are
//! planned in `round`, judged in `judge` and rendered in `output`.

mod accept_cmd;
mod cert_cmd;
mod console;
mod duration;
mod explain_cmd;
mod lab_cmd;
mod metrics_args;
mod pac_cmd;
mod probe_cmd;
mod profiles_cmd;
mod report_cmd;
mod round_args;
mod serve_cmd;
mod soak_args;
mod soak_cmd;
mod soak_progress;
mod soak_session;
mod soak_setup;
mod tls_args;

pub use duration::{default_deadline, parse_duration};
pub use round_args::{ProfileArgs, RoundArgs};
pub use tls_args::TlsArgs;

use crate::findings::Lang;
use crate::output::{Format, RoundFormat};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes, the same for every command.
pub mod exit {
    /// Every check passed (warnings allowed).
    pub const OK: u8 = 0;
    /// At least one check failed or could not be carried out.
    pub const CHECK_FAILED: u8 = 1;
    /// Bad flags or a bad profile: nothing was sent.
    pub const USAGE: u8 = 2;
    /// oqs-net itself failed (the lab would not start, a task crashed).
    pub const HARNESS: u8 = 3;
}

const EXIT_HELP: &str = "\
Examples:
  oqs-net probe --mode ipvpn                 check this terminal's path (IP-VPN, production)
  oqs-net probe --lab --lab-scenario dead-member   see a failing round without a network
  oqs-net explain --list                     every finding code and its guide section (補N)

Exit codes:
  0  every check passed (warnings allowed)
  1  a check failed, or could not be carried out
  2  usage or profile error (nothing was sent)
  3  oqs-net itself failed (the lab would not start, an internal error)";

const PROBE_HELP: &str = "\
Examples:
  oqs-net probe --mode ipvpn --env production
  oqs-net probe --profile-file site.toml --format json > round.json
  oqs-net probe --lab --lab-scenario dead-member

Exit codes:
  0  every check passed (warnings allowed)
  1  a check failed, or could not be carried out
  2  usage or profile error (nothing was sent)
  3  oqs-net itself failed (the lab would not start, an internal error)
With --format nagios: 0/1/2/3 are OK/WARNING/CRITICAL/UNKNOWN, as monitors read them.";

const LAB_HELP: &str = "\
Examples:
  oqs-net lab --list-scenarios
  sudo oqs-net lab --mode ipvpn --scenario dead-member
  oqs-net lab --no-netns --latency-ms 40

Exit codes:
  0  stopped with Ctrl-C
  2  usage, profile or scenario error (nothing was started)
  3  the lab would not start (a port taken, no network namespace)";

const PROFILES_HELP: &str = "\
Examples:
  oqs-net profiles
  oqs-net profiles --show ipvpn-production > site.toml
  oqs-net profiles --show site.toml

Exit codes:
  0  listed, shown, or the profile is valid
  2  the profile is wrong (file:line and why)";

const CERT_HELP: &str = "\
Examples:
  oqs-net cert inspect clinic.pfx --pfx-password-env PFX_PASSWORD
  oqs-net cert inspect a.pfx b.pfx --institution-code 0123456789 --pfx-password-file pw.txt
  oqs-net cert inspect clinic.pfx --format json

Exit codes:
  0  a certificate would be presented
  1  none is usable (wrong password, expired, no private key, ...)
  2  usage error (the password source cannot be read)
  3  oqs-net itself failed";

const SOAK_HELP: &str = "\
Examples:
  oqs-net soak --mode ipvpn --duration 24h --journal soak.jsonl --html soak.html
  oqs-net soak --resume soak.jsonl
  oqs-net soak --mode ipvpn --duration 7d --metrics-listen 127.0.0.1:9464

Exit codes:
  0  every target stayed up (warnings allowed)
  1  a target failed, flapped or had an outage
  2  usage or profile error, or a journal that cannot be used (nothing was sent)
  3  oqs-net itself failed (a journal or HTML file not writable, the lab would not start)";

const ACCEPT_HELP: &str = "\
Examples:
  oqs-net accept --mode ipvpn --duration 15m --junit accept.xml
  oqs-net accept --from soak.jsonl --json accept.json
  oqs-net accept --lab --duration 10s --interval 1s --format nagios

Exit codes:
  0  every acceptance criterion holds
  1  a criterion failed, or could not be measured
  2  usage or profile error, or a journal that cannot be used (nothing was sent)
  3  oqs-net itself failed (the journal could not be written, the lab would not start)
With --format nagios: 0/1/2/3 are OK/WARNING/CRITICAL/UNKNOWN, as monitors read them.";

const SERVE_HELP: &str = "\
Examples:
  oqs-net serve --mode ipvpn --env production
  oqs-net serve --profile ipsec-production --listen 127.0.0.1:9464 --min-interval 30s
  oqs-net serve --lab --mode ipsec

Then: curl 'http://127.0.0.1:9464/probe?profile=ipsec-production' (README: a scrape config).

Exit codes:
  0  stopped with Ctrl-C or SIGTERM
  2  usage or profile error, or the address cannot be listened on (nothing was sent)
  3  oqs-net itself failed (the lab would not start)";

const REPORT_HELP: &str = "\
Examples:
  oqs-net report soak.jsonl --html soak.html
  oqs-net report soak.jsonl --format json > report.json
  oqs-net report soak.jsonl --flap-high 40 --flap-low 20

Exit codes:
  0  every target stayed up (warnings allowed)
  1  a target failed, flapped or had an outage
  2  the file is not a soak journal, or a bad flag
  3  the HTML file could not be written";

const EXPLAIN_HELP: &str = "\
Examples:
  oqs-net explain dns.member_no_ntp
  oqs-net explain --list --lang ja

Exit codes:
  0  explained
  2  no such code (the nearest ones are suggested)";

const COMPLETIONS_HELP: &str = "\
Examples:
  oqs-net completions bash > ~/.local/share/bash-completion/completions/oqs-net
  oqs-net completions zsh > ~/.zfunc/_oqs-net
  oqs-net completions powershell >> $PROFILE

Exit codes:
  0  written
  2  an unknown shell";

const MAN_HELP: &str = "\
Examples:
  oqs-net man --dir ~/.local/share/man/man1     # oqs-net.1 and one page per subcommand
  oqs-net man | man -l -                        # the top-level page, to read now

Exit codes:
  0  written
  2  a bad flag
  3  the directory cannot be written";

#[derive(Parser, Debug)]
#[command(name = "oqs-net", version, about = "Checks the network path of an Online Qualification Confirmation (オンライン資格確認) terminal, and names the guide section (補N) that fixes what fails.", after_help = EXIT_HELP)]
pub struct Cli {
    /// Log what happens to stderr (-v debug, -vv trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub enum Command {
    /// Run one round of every check of a profile, concurrently, and report it.
    #[command(after_help = PROBE_HELP)]
    Probe(ProbeArgs),
    /// Run the built-in lab (a simulated OQS network on loopback) until Ctrl-C.
    #[command(after_help = LAB_HELP)]
    Lab(LabArgs),
    /// List the shipped profiles, or validate a profile file (`targets` is the old name).
    #[command(after_help = PROFILES_HELP, visible_alias = "targets")]
    Profiles(ProfilesArgs),
    /// Evaluate a PAC file (path, http:// or https:// URL) for a URL, as pactester does, in a sandbox.
    Pac(pac_cmd::PacArgs),
    /// Client certificates: `cert inspect FILE.pfx` lists what a PFX holds and which one is used.
    #[command(subcommand)]
    Cert(CertCommand),
    /// Run a round every interval for hours or days, journalled as it goes, and report
    /// availability, flapping, outages, latency and NTP drift per target.
    #[command(after_help = SOAK_HELP)]
    Soak(Box<soak_args::SoakArgs>),
    /// Hand a line over: a short soak judged against the profile's [acceptance] criteria (or
    /// `--from` an existing journal), as a verdict table, JUnit, JSON or a plugin line.
    #[command(after_help = ACCEPT_HELP)]
    Accept(Box<accept_cmd::AcceptArgs>),
    /// Answer Prometheus: `/probe?profile=NAME` runs a round (one at a time, at most one per
    /// --min-interval) and answers its metrics, as blackbox_exporter does.
    #[command(after_help = SERVE_HELP)]
    Serve(Box<serve_cmd::ServeArgs>),
    /// Summarise a soak's journal, finished or not.
    #[command(after_help = REPORT_HELP)]
    Report(report_cmd::ReportArgs),
    /// Explain a finding code: what was seen, what to do, and the guide section (補N); `--list`
    /// lists every code.
    #[command(after_help = EXPLAIN_HELP)]
    Explain(explain_cmd::ExplainArgs),
    /// Write the shell completion script for SHELL to stdout (see README, "Install").
    #[command(hide = true, after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Write the man pages (roff): the top-level page to stdout, or with --dir every page (oqs-net.1
    /// and oqs-net-SUBCOMMAND.1 for each subcommand) into a directory (see README, "Install").
    #[command(hide = true, after_help = MAN_HELP)]
    Man(ManArgs),
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write oqs-net.1 and one page per subcommand (oqs-net-probe.1, oqs-net-cert-inspect.1, …)
    /// into DIR, creating it, and list the files written; without it the top-level page goes to
    /// stdout.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to write the completion script for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Subcommand, Debug)]
pub enum CertCommand {
    /// List every certificate in a PFX: subject, issuer, serial, validity, key, and which one
    /// oqs-net would present (補18). The password comes from --pfx-password-env,
    /// --pfx-password-file, or a prompt on a terminal; never from the command line.
    #[command(after_help = CERT_HELP)]
    Inspect(CertInspectArgs),
}

#[derive(Args, Debug)]
pub struct CertInspectArgs {
    /// The PFX (PKCS#12) file(s).
    #[arg(value_name = "FILE.pfx", required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub password: tls_args::PasswordArgs,
    /// The 10-digit institution code that selects among several certificates (補18).
    #[arg(long, value_name = "CODE", value_parser = tls_args::parse_code)]
    pub institution_code: Option<crate::model::InstitutionCode>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Language (default: Japanese when the locale is Japanese, else English).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    Ipvpn,
    Ipsec,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EnvArg {
    Production,
    Verification,
}

/// The address family every probe uses: only IPv6, only IPv4, or the profile's families.
// (Plain comments on the variants: doc comments would switch `--help` to its long layout.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FamilyArg {
    V6,
    V4,
    Auto,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    Ja,
    En,
}

#[derive(Args, Debug)]
pub struct ProbeArgs {
    #[command(flatten)]
    pub round: RoundArgs,
    /// Output format: junit is JUnit XML for CI; nagios is a monitoring-plugin status line with
    /// performance data, exiting 0/1/2/3 as OK/WARNING/CRITICAL/UNKNOWN.
    #[arg(long, value_enum, default_value = "human")]
    pub format: RoundFormat,
    /// Language of the findings (default: Japanese when the locale is Japanese, else English).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
}

#[derive(Args, Debug)]
pub struct LabArgs {
    #[command(flatten)]
    pub which: ProfileArgs,
    /// A fault scenario, by built-in name or file.
    #[arg(long, value_name = "NAME|FILE")]
    pub scenario: Option<String>,
    /// List the built-in scenarios and exit.
    #[arg(long)]
    pub list_scenarios: bool,
    /// Fixed latency added to every reply.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// DNS port (default: 53 inside the lab's own namespace, else any free port).
    #[arg(long, value_name = "PORT")]
    pub dns_port: Option<u16>,
    /// The network namespace the lab creates for itself (as root), reached with `ip netns exec`.
    #[arg(long, value_name = "NAME", default_value = "oqs-lab")]
    pub netns: String,
    /// Stay in this network namespace instead (then the lab's IPv6 set is only ::1).
    #[arg(long, conflicts_with = "netns")]
    pub no_netns: bool,
    /// Language of what the lab prints (default: Japanese when the locale is Japanese, else
    /// English).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
}

#[derive(Args, Debug)]
pub struct ProfilesArgs {
    /// A profile file to validate (exit 2 with file:line when it is wrong).
    pub file: Option<PathBuf>,
    /// Print a shipped profile's TOML, to copy and adapt; or, given a profile FILE, the profile
    /// after inheritance, each value marked with where it came from (the file, `base NAME`, default).
    #[arg(long, value_name = "NAME|FILE", conflicts_with = "file")]
    pub show: Option<String>,
    /// Language of the list and of a file's summary (default: Japanese when the locale is
    /// Japanese, else English); `--show` prints TOML as it is.
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
}

/// Failures of the command itself (not of the network it checks).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Profile(#[from] crate::profile::ProfileError),
    #[error(transparent)]
    Plan(#[from] crate::round::PlanError),
    #[error("the lab did not start: {0}")]
    Lab(String),
    #[error("{0}")]
    Harness(String),
}

impl CliError {
    /// The stable label of the error, as `--format json` prints it under `error.code`.
    pub fn as_label(&self) -> &'static str {
        match self {
            CliError::Usage(_) => "usage",
            CliError::Profile(_) => "profile",
            CliError::Plan(_) => "plan",
            CliError::Lab(_) => "lab",
            CliError::Harness(_) => "harness",
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::Profile(_) | CliError::Plan(_) => exit::USAGE,
            CliError::Lab(_) | CliError::Harness(_) => exit::HARNESS,
        }
    }
}

fn lang(arg: Option<LangArg>) -> Lang {
    match arg {
        Some(LangArg::Ja) => Lang::Ja,
        Some(LangArg::En) => Lang::En,
        None => Lang::from_locale(crate::platform::locale().as_deref()),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    crate::engine::runtime()
        .map_err(|e| CliError::Harness(format!("cannot start the async runtime: {e}")))
}

/// Whether to colour what goes to stdout (`false`) or stderr (`true`), the same for output,
/// progress and logs: see [`console::colour`].
fn colour(stderr: bool) -> bool {
    console::colour(stderr)
}

/// Logs to stderr. Without `-v` only oqs-net's own warnings (the `oqs_net` targets, the lab's
/// included), never a library's: the resolver warns at every reply it drops, and those lines are
/// not the user's business. Colour only on a terminal and never with a non-empty `NO_COLOR`.
/// `OQS_NET_LOG` (an `EnvFilter`) overrides the levels.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "oqs_net=warn",
        1 => "oqs_net=debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("OQS_NET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour(true))
        .with_writer(std::io::stderr)
        .try_init();
}

/// The command line as clap checks it: the derived definition, with `soak --resume` refusing the
/// flags its journal already names.
pub fn command() -> clap::Command {
    let refused = soak_args::resume_refuses();
    Cli::command().mut_subcommand("soak", |c| {
        c.mut_arg("resume", |a| a.conflicts_with_all(refused))
    })
}

/// The completion script for `shell`, generated from the command line's definition.
pub fn completions(shell: clap_complete::Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command(), "oqs-net", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The man page (roff), generated from the command line's definition: synopsis, options, the
/// subcommands, the examples and exit codes.
pub fn man() -> Result<String, CliError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command())
        .render(&mut out)
        .map_err(|e| CliError::Harness(format!("cannot write the man page: {e}")))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Every man page — the top-level one and one per visible subcommand, nested ones included
/// (`oqs-net-cert-inspect.1`) — written into `dir` (created when missing); returns the paths written.
/// The same walk as `clap_mangen::generate_to`, keeping each page's path.
pub fn man_pages(dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>, CliError> {
    fn walk(
        cmd: clap::Command,
        dir: &std::path::Path,
        out: &mut Vec<std::path::PathBuf>,
    ) -> std::io::Result<()> {
        out.push(clap_mangen::Man::new(cmd.clone()).generate_to(dir)?);
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub.clone(), dir, out)?;
        }
        Ok(())
    }
    let mut cmd = command().disable_help_subcommand(true);
    cmd.build();
    let mut written = Vec::new();
    std::fs::create_dir_all(dir)
        .and_then(|()| walk(cmd, dir, &mut written))
        .map_err(|e| {
            CliError::Harness(format!(
                "cannot write the man pages to {}: {e}",
                dir.display()
            ))
        })?;
    Ok(written)
}

/// Parses the command line, runs the command, and returns the process's exit code.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let matches = match command().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => parse_failed(e, &args),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => parse_failed(e, &args),
    };
    init_logging(cli.verbose);
    let json = json_schema(&cli.command);
    let result = match cli.command {
        Command::Probe(args) => probe_cmd::run(args),
        Command::Lab(args) => lab_cmd::run(args),
        Command::Profiles(args) => profiles_cmd::run(args),
        Command::Pac(args) => pac_cmd::run(args),
        Command::Cert(CertCommand::Inspect(args)) => cert_cmd::inspect(args),
        Command::Soak(args) => soak_cmd::run(*args),
        Command::Accept(args) => accept_cmd::run(*args),
        Command::Serve(args) => serve_cmd::run(*args),
        Command::Report(args) => report_cmd::run(args),
        Command::Explain(args) => explain_cmd::run(args),
        Command::Completions(args) => {
            print(&completions(args.shell));
            Ok(exit::OK)
        }
        Command::Man(ManArgs { dir: None }) => man().map(|page| {
            print(&page);
            exit::OK
        }),
        Command::Man(ManArgs { dir: Some(dir) }) => man_pages(&dir).map(|written| {
            for path in written {
                println!("{}", path.display());
            }
            exit::OK
        }),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("oqs-net: {e}");
            if let Some(version) = json {
                print(&crate::output::envelope::error(
                    version,
                    e.as_label(),
                    &e.to_string(),
                ));
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// The schema version of what `command` prints when it was asked for JSON, else `None`.
fn json_schema(command: &Command) -> Option<u32> {
    use crate::output::envelope::{CERT_SCHEMA_VERSION, PAC_SCHEMA_VERSION};
    let soak = crate::model::SOAK_SCHEMA_VERSION;
    match command {
        Command::Probe(a) if a.format == RoundFormat::Json => Some(crate::model::SCHEMA_VERSION),
        Command::Pac(a) if a.format == Format::Json => Some(PAC_SCHEMA_VERSION),
        Command::Cert(CertCommand::Inspect(a)) if a.format == Format::Json => {
            Some(CERT_SCHEMA_VERSION)
        }
        Command::Soak(a) if a.format == Format::Json => Some(soak),
        Command::Report(a) if a.format == Format::Json => Some(soak),
        _ => None,
    }
}

/// The schema version of the JSON the raw command line asks for, when it asks for JSON: a
/// command line clap refuses still answers in JSON then.
fn json_requested(args: &[std::ffi::OsString]) -> Option<u32> {
    use crate::output::envelope::{CERT_SCHEMA_VERSION, PAC_SCHEMA_VERSION};
    let words: Vec<&str> = args.iter().skip(1).filter_map(|a| a.to_str()).collect();
    let json =
        words.contains(&"--format=json") || words.windows(2).any(|w| w == ["--format", "json"]);
    if !json {
        return None;
    }
    match words.iter().find(|w| !w.starts_with('-')).copied()? {
        "probe" => Some(crate::model::SCHEMA_VERSION),
        "pac" => Some(PAC_SCHEMA_VERSION),
        "cert" => Some(CERT_SCHEMA_VERSION),
        "soak" | "report" => Some(crate::model::SOAK_SCHEMA_VERSION),
        _ => None,
    }
}

/// Ends the process on a command line clap refused: clap's message and exit 2, except under
/// `probe` or `accept` with `--format nagios`, where a monitor would read 2 as CRITICAL: there an UNKNOWN status
/// line and exit 3.
fn parse_failed(e: clap::Error, args: &[std::ffi::OsString]) -> ! {
    use clap::error::ErrorKind;
    let shown = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
    if !shown && probe_nagios_requested(args) {
        let msg = e.kind().as_str().unwrap_or("invalid command line");
        let detail = e.to_string();
        let first = detail
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or(msg)
            .trim_start_matches("error: ");
        eprint!("{detail}");
        print(&crate::output::nagios::unknown(first));
        std::process::exit(exit::HARNESS.into());
    }
    if let (false, Some(version)) = (shown, json_requested(args)) {
        let detail = e.to_string();
        let first = detail
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("invalid command line")
            .trim_start_matches("error: ");
        eprint!("{detail}");
        print(&crate::output::envelope::error(version, "usage", first));
        std::process::exit(exit::USAGE.into());
    }
    e.exit()
}

/// Whether the raw command line asks `probe` or `accept` for the nagios format.
fn probe_nagios_requested(args: &[std::ffi::OsString]) -> bool {
    let words: Vec<&str> = args.iter().skip(1).filter_map(|a| a.to_str()).collect();
    matches!(
        words.iter().find(|w| !w.starts_with('-')),
        Some(&"probe" | &"accept")
    ) && (words.contains(&"--format=nagios")
        || words.windows(2).any(|w| w == ["--format", "nagios"]))
}

/// A usage error in words: nothing was sent.
fn usage(e: impl std::fmt::Display) -> CliError {
    CliError::Usage(e.to_string())
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print(s: &str) {
    console::print(s);
}

/// The lab's IPv6 members for a command run `--lab` in `mode`: on IP-VPN lines a network
/// namespace of this process's own holds several (entered before any thread starts, and before
/// the adapter is looked for: the round runs inside it); elsewhere, or where that cannot be,
/// `::1` alone.
fn lab_v6(lab: bool, mode: crate::model::Mode) -> Vec<std::net::Ipv6Addr> {
    if lab && mode == crate::model::Mode::Ipvpn {
        match enter_private_netns() {
            Ok(()) => return crate::round::lab::LAB_V6_NETNS.to_vec(),
            Err(e) => eprintln!("oqs-net: note: {e}; the lab's IPv6 set is only ::1"),
        }
    }
    vec![std::net::Ipv6Addr::LOCALHOST]
}

/// Starts the lab a command was asked for (`--lab`): the leftovers of killed labs swept first,
/// then the builder pointed at its servers.
async fn start_lab(
    builder: &mut crate::round::Builder,
    v6: &[std::net::Ipv6Addr],
    scenario: Option<&crate::lab::Scenario>,
    latency_ms: Option<u64>,
) -> Result<crate::lab::Lab, CliError> {
    let spec =
        crate::round::lab::spec_for(builder.profile(), v6, scenario, latency_ms.unwrap_or(0));
    crate::round::lab::sweep_leftovers(&std::env::temp_dir());
    let lab = crate::lab::Lab::start(spec)
        .await
        .map_err(|e| CliError::Lab(e.to_string()))?;
    builder.point_at(&lab);
    Ok(lab)
}

/// Gives this process a network namespace of its own holding the lab's IPv6 addresses (root).
#[cfg(target_os = "linux")]
fn enter_private_netns() -> Result<(), String> {
    crate::platform::netns::enter_private(&crate::round::lab::netns_v6())
}

#[cfg(not(target_os = "linux"))]
fn enter_private_netns() -> Result<(), String> {
    Err("private network namespaces are Linux-only".into())
}

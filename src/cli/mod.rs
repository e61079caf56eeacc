//! The command line: flags into a checked plan before any packet, the commands (`probe`, `lab`,
//! `targets`, `pac`), and the documented exit codes. The only module that ties probes, engine, judge,
//! output and lab together.

mod cert_cmd;
mod lab_cmd;
pub mod lab_setup;
mod pac_cmd;
mod probe_cmd;
pub mod proxy_setup;
mod report_cmd;
mod soak_cmd;
pub mod soak_progress;
mod soak_session;
pub mod soak_setup;
mod targets_cmd;
mod tls_args;

pub use tls_args::TlsArgs;

use crate::findings::Lang;
use crate::model::{Environment, Mode};
use crate::output::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
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
Exit codes:
  0  every check passed (warnings allowed)
  1  a check failed, or could not be carried out
  2  usage or profile error (nothing was sent)
  3  oqs-net itself failed (the lab would not start, an internal error)";

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
    #[command(after_help = EXIT_HELP)]
    Probe(ProbeArgs),
    /// Run the built-in lab (a simulated OQS network on loopback) until Ctrl-C.
    #[command(after_help = EXIT_HELP)]
    Lab(LabArgs),
    /// List the shipped profiles, or validate a profile file.
    #[command(after_help = EXIT_HELP)]
    Targets(TargetsArgs),
    /// Evaluate a PAC file (path, http:// or https:// URL) for a URL, as pactester does, in a sandbox.
    Pac(pac_cmd::PacArgs),
    /// Client certificates: `cert inspect FILE.pfx` lists what a PFX holds and which one is used.
    #[command(subcommand)]
    Cert(CertCommand),
    /// Run a round every interval for hours or days, journalled as it goes, and report
    /// availability, flapping, outages, latency and NTP drift per target.
    #[command(after_help = EXIT_HELP)]
    Soak(Box<soak_cmd::SoakArgs>),
    /// Summarise a soak's journal, finished or not.
    #[command(after_help = EXIT_HELP)]
    Report(report_cmd::ReportArgs),
}

#[derive(Subcommand, Debug)]
pub enum CertCommand {
    /// List every certificate in a PFX: subject, issuer, serial, validity, key, and which one
    /// oqs-net would present (補18). The password comes from --pfx-password-env,
    /// --pfx-password-file, or a prompt on a terminal; never from the command line.
    #[command(after_help = EXIT_HELP)]
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

/// Which profile: by mode and environment, by shipped name, or from a file.
#[derive(Args, Debug, Clone)]
pub struct ProfileArgs {
    /// Line type: IP-VPN (IPv6-only OQS adapter) or IPsec+IKE (IPv4).
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// OQS environment.
    #[arg(long = "env", value_enum)]
    pub environment: Option<EnvArg>,
    /// Load the profile from this TOML file (see `oqs-net targets`).
    #[arg(long, value_name = "FILE", conflicts_with = "profile")]
    pub targets: Option<PathBuf>,
    /// Use a shipped profile by name (for example ipsec-ondemand-production).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
}

#[derive(Args, Debug)]
pub struct ProbeArgs {
    #[command(flatten)]
    pub which: ProfileArgs,
    /// Ask this nameserver instead of the system's (repeatable). IP, IP:PORT or [IPv6]:PORT.
    #[arg(long, value_name = "IP[:PORT]", value_parser = parse_resolver)]
    pub resolver: Vec<SocketAddr>,
    /// The OQS adapter every socket is bound to (Linux `eth1`; Windows its ncpa.cpl name). Default:
    /// the profile's `[adapter] name`, else the adapter holding the route to the OQS targets.
    #[arg(long, value_name = "NAME")]
    pub interface: Option<String>,
    /// Address family for every probe (auto: the profile's; IP-VPN IPv6, IPsec+IKE IPv4).
    #[arg(long, value_enum, default_value = "auto")]
    pub family: FamilyArg,
    /// NTP port to use for every server (default: the profile's, normally 123).
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub ntp_port: Option<u16>,
    /// Repeated DNS queries per name and record type (default: the profile's, normally 8).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub queries: Option<u32>,
    /// NTP samples per server (default: the profile's, normally 4).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=8))]
    pub samples: Option<u32>,
    /// The proxy to use instead of the machine's settings: a URL, a PAC URL (.pac/.dat), `auto`
    /// (WPAD) or `none`. Without it the environment and Windows' settings decide.
    #[arg(long, value_name = "URL|auto|none")]
    pub proxy: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Language of the findings (default: Japanese when the locale is Japanese, else English).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Start the built-in lab on loopback and probe it instead of the real network (its terminal's
    /// proxy settings replace this machine's environment and Windows settings).
    #[arg(long)]
    pub lab: bool,
    /// With --lab: a fault scenario, by built-in name or file (see `oqs-net lab --list-scenarios`).
    #[arg(long, value_name = "NAME|FILE", requires = "lab")]
    pub lab_scenario: Option<String>,
    /// With --lab: fixed latency added to every lab reply.
    #[arg(long, value_name = "MS", requires = "lab")]
    pub lab_latency_ms: Option<u64>,
    /// Give up on the round after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub deadline: u64,
    /// Probes in flight at once.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub concurrency: u64,
    #[command(flatten)]
    pub tls: TlsArgs,
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
}

#[derive(Args, Debug)]
pub struct TargetsArgs {
    /// A profile file to validate (exit 2 with file:line when it is wrong).
    pub file: Option<PathBuf>,
    /// Print a shipped profile's TOML, to copy and adapt.
    #[arg(long, value_name = "NAME", conflicts_with = "file")]
    pub show: Option<String>,
}

fn parse_resolver(s: &str) -> Result<SocketAddr, String> {
    crate::model::HostPort::parse(s)?.socket_addr(53)
}

/// Failures of the command itself (not of the network it checks).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Profile(#[from] crate::profile::ProfileError),
    #[error("the lab did not start: {0}")]
    Lab(String),
    #[error("{0}")]
    Harness(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::Profile(_) => exit::USAGE,
            CliError::Lab(_) | CliError::Harness(_) => exit::HARNESS,
        }
    }
}

impl ProfileArgs {
    /// The profile these flags name, checked.
    pub fn load(&self) -> Result<crate::model::Profile, CliError> {
        let mode = self.mode.map(|m| match m {
            ModeArg::Ipvpn => Mode::Ipvpn,
            ModeArg::Ipsec => Mode::Ipsec,
        });
        let env = self.environment.map(|e| match e {
            EnvArg::Production => Environment::Production,
            EnvArg::Verification => Environment::Verification,
        });
        let profile = match (&self.targets, &self.profile) {
            (Some(path), _) => crate::profile::load(path)?,
            (None, Some(name)) => crate::profile::shipped(name)?,
            (None, None) => {
                return Ok(crate::profile::shipped_for(
                    mode.unwrap_or(Mode::Ipvpn),
                    env.unwrap_or(Environment::Production),
                ));
            }
        };
        if let Some(m) = mode.filter(|m| *m != profile.mode) {
            return Err(CliError::Usage(format!(
                "--mode {} contradicts profile `{}` (mode {})",
                m.as_label(),
                profile.name,
                profile.mode.as_label()
            )));
        }
        if let Some(e) = env.filter(|e| *e != profile.environment) {
            return Err(CliError::Usage(format!(
                "--env {} contradicts profile `{}` (environment {})",
                e.as_label(),
                profile.name,
                profile.environment.as_label()
            )));
        }
        Ok(profile)
    }
}

fn lang(arg: Option<LangArg>) -> Lang {
    match arg {
        Some(LangArg::Ja) => Lang::Ja,
        Some(LangArg::En) => Lang::En,
        None => Lang::from_locale(crate::platform::locale().as_deref()),
    }
}

/// The round's flags that override a profile (`--queries`, `--samples`, `--ntp-port`).
fn override_round(
    profile: &mut crate::model::Profile,
    queries: Option<u32>,
    samples: Option<u32>,
    ntp_port: Option<u16>,
) {
    if let Some(q) = queries {
        profile.dns.queries = q;
    }
    if let Some(s) = samples {
        profile.ntp.samples = s;
    }
    if let Some(port) = ntp_port {
        profile.ntp.port = port;
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Harness(format!("cannot start the async runtime: {e}")))
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "oqs_net=debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("OQS_NET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Parses the command line, runs the command, and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let result = match cli.command {
        Command::Probe(args) => probe_cmd::run(args),
        Command::Lab(args) => lab_cmd::run(args),
        Command::Targets(args) => targets_cmd::run(args),
        Command::Pac(args) => pac_cmd::run(args),
        Command::Cert(CertCommand::Inspect(args)) => cert_cmd::inspect(args),
        Command::Soak(args) => soak_cmd::run(*args),
        Command::Report(args) => report_cmd::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("oqs-net: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print(s: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes()).and_then(|_| out.flush());
}

//! `oqs-net pac`: evaluates a PAC file (a path, `-` for stdin, or an http:// URL) the way pactester
//! does, prints the `FindProxyForURL` result and the routes parsed from it, and names what went
//! wrong with the guide section that fixes it. Argument handling, loading and dispatch: the
//! evaluation is `probe::pac`, the rendering `output::pac`.

use super::{CliError, LangArg, exit, print};
use crate::judge;
use crate::model::Finding;
use crate::net::NetOptions;
use crate::output::Format;
use crate::output::pac::{Outcome, Report, Source as Shown};
use crate::probe::pac::fetch::{self, FetchLimits};
use crate::probe::pac::{
    self, FixedClock, FixedResolver, PacClock, PacEnv, PacError, PacLimits, PacResolver, PacTime,
    SystemClock, SystemResolver, UrlPolicy,
};
use clap::Args;
use std::io::Read;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

#[derive(Args, Debug)]
#[command(after_help = PAC_HELP)]
pub struct PacArgs {
    /// The PAC file: a path, `-` for standard input, or an http:// or https:// URL to fetch
    /// (directly, never through a proxy).
    #[arg(value_name = "FILE_OR_URL")]
    pub source: String,
    /// The URL to find the proxy for.
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// The host passed to FindProxyForURL (default: the URL's host).
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// This machine's address for myIpAddress()/myIpAddressEx() (repeatable; default: the
    /// addresses the routing table would leave from).
    #[arg(long = "my-ip", value_name = "ADDR")]
    pub my_ip: Vec<IpAddr>,
    /// Answer dnsResolve(NAME) with IP without asking DNS (repeatable).
    #[arg(long, value_name = "NAME=IP", value_parser = parse_resolve)]
    pub resolve: Vec<(String, IpAddr)>,
    /// Resolve only the names given with --resolve; never ask the system's resolver.
    #[arg(long)]
    pub no_dns: bool,
    /// Pass only scheme://host[:port]/ for https URLs, as Chrome and Windows do (the default).
    #[arg(long, conflicts_with = "keep_path")]
    pub strip_https_path: bool,
    /// Pass the URL exactly as given, path and query included, as pacparser and pactester do.
    #[arg(long)]
    pub keep_path: bool,
    /// Evaluate as if the clock showed this instant (RFC 3339, e.g. 2025-03-14T10:30:00+09:00);
    /// its offset is the local time zone for weekdayRange, dateRange and timeRange.
    #[arg(long, value_name = "TIME", value_parser = parse_at)]
    pub at: Option<PacTime>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Language of the findings (default: Japanese when the locale is Japanese, else English).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Time limit for the script, in milliseconds (resolver waits not included).
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub timeout_ms: u64,
    /// Time limit for each name lookup the script makes, in milliseconds.
    #[arg(long, value_name = "N", default_value_t = 1500, value_parser = clap::value_parser!(u64).range(10..=30_000))]
    pub dns_timeout_ms: u64,
    /// Time limit for fetching a PAC URL, in milliseconds.
    #[arg(long, value_name = "N", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(10..=120_000))]
    pub fetch_timeout_ms: u64,
    /// PEM roots that an https:// PAC server's certificate must chain to (default: the system's).
    #[arg(long, value_name = "FILE")]
    pub ca_bundle: Option<std::path::PathBuf>,
}

const PAC_HELP: &str = "\
The script runs in a sandbox: no network, file or module access; the time limit above; 32 MiB of
memory; scripts up to 1 MiB; results up to 64 KiB. Standard PAC helpers and the Microsoft IPv6
extensions are defined, with results that agree with pacparser (see docs/pac.md).

Examples:
  oqs-net pac proxy.pac --url https://www.onshikaku.example/
  oqs-net pac http://wpad/wpad.dat --url https://example.org/ --my-ip 10.0.0.5
  oqs-net pac proxy.pac --url https://example.org/ --resolve proxy.local=10.0.0.1 --no-dns

Exit codes:
  0  the script answered (the routes may still include unusable entries, shown as warnings)
  1  the script failed (syntax error, timeout, ...) or could not be fetched
  2  usage error (nothing was evaluated)
  3  oqs-net itself failed";

fn parse_resolve(s: &str) -> Result<(String, IpAddr), String> {
    let (name, ip) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: write NAME=IP"))?;
    let ip: IpAddr = ip
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .map_err(|_| format!("`{ip}` is not an IP address"))?;
    if name.is_empty() {
        return Err(format!("`{s}`: the name is empty"));
    }
    Ok((name.to_string(), ip))
}

fn parse_at(s: &str) -> Result<PacTime, String> {
    let ts: jiff::Timestamp = s
        .parse()
        .map_err(|e| format!("`{s}` is not an RFC 3339 time with an offset: {e}"))?;
    let offset_s = if s.ends_with('Z') || s.ends_with('z') {
        0
    } else {
        let tail = s.get(s.len().saturating_sub(6)..).unwrap_or_default();
        let sign = match tail.as_bytes().first() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Err(format!("`{s}`: end it with an offset such as +09:00 or Z")),
        };
        let h: i32 = tail[1..3]
            .parse()
            .map_err(|_| format!("`{s}`: bad offset"))?;
        let m: i32 = tail[4..6]
            .parse()
            .map_err(|_| format!("`{s}`: bad offset"))?;
        sign * (h * 3600 + m * 60)
    };
    Ok(PacTime {
        unix_ms: ts.as_millisecond(),
        utc_offset_s: offset_s,
    })
}

/// Where the script came from.
struct Source {
    name: String,
    text: String,
    fetched: Option<fetch::Fetched>,
}

pub fn run(args: PacArgs) -> Result<u8, CliError> {
    let policy = if args.keep_path {
        UrlPolicy::Keep
    } else {
        UrlPolicy::StripHttpsPath
    };
    let query = pac::query_for(&args.url, args.host.as_deref(), policy)
        .map_err(|e| CliError::Usage(format!("--url: {e}")))?;
    let lang = super::lang(args.lang);
    let limits = PacLimits {
        time_limit: Duration::from_millis(args.timeout_ms),
        ..PacLimits::default()
    };
    let my_ip = if args.my_ip.is_empty() {
        default_my_ip()
    } else {
        args.my_ip.clone()
    };
    let mut overrides = FixedResolver::new();
    for (name, ip) in &args.resolve {
        overrides.insert(name, *ip);
    }
    let resolver: Arc<dyn PacResolver + Send + Sync> = if args.no_dns {
        Arc::new(overrides)
    } else {
        Arc::new(SystemResolver {
            timeout: Duration::from_millis(args.dns_timeout_ms),
            overrides,
        })
    };
    let clock: Arc<dyn PacClock + Send + Sync> = match args.at {
        Some(t) => Arc::new(FixedClock(t)),
        None => Arc::new(SystemClock),
    };
    let env = PacEnv {
        resolver,
        clock,
        my_ip,
    };

    let mut findings: Vec<Finding> = Vec::new();
    let (source, outcome) = match load(&args, limits.max_script_bytes)? {
        Ok(source) => {
            let outcome = match pac::evaluate(&source.text, &query, &env, &limits) {
                Ok(answer) => {
                    findings.extend(judge::pac::route_findings(&source.name, &answer.routes));
                    Outcome::Answered(answer)
                }
                Err(e @ (PacError::Engine(_) | PacError::Busy { .. })) => {
                    return Err(CliError::Harness(e.to_string()));
                }
                Err(e) => {
                    findings.extend(judge::pac::script_failed(&source.name, &e));
                    Outcome::Failed {
                        label: e.as_label(),
                        message: e.to_string(),
                    }
                }
            };
            (source, outcome)
        }
        Err((name, e)) => {
            findings.push(judge::pac::fetch_failed(&name, &e));
            let source = Source {
                name,
                text: String::new(),
                fetched: None,
            };
            let outcome = Outcome::Failed {
                label: e.as_label(),
                message: e.to_string(),
            };
            (source, outcome)
        }
    };

    let report = Report {
        given_url: &args.url,
        source: Shown {
            name: &source.name,
            bytes: source.text.len(),
            fetched: source.fetched.as_ref(),
        },
        query: &query,
        policy,
        my_ip: &env.my_ip,
        limits: &limits,
        outcome: &outcome,
        findings: &findings,
        lang,
    };
    match args.format {
        Format::Json => print(&report.json()),
        Format::Human => print(&report.human()),
    }
    Ok(match outcome {
        Outcome::Answered(_) => exit::OK,
        Outcome::Failed { .. } => exit::CHECK_FAILED,
    })
}

/// The script text, or (for a URL) why it could not be fetched. A file that cannot be read is a
/// usage error.
fn load(
    args: &PacArgs,
    max_bytes: usize,
) -> Result<Result<Source, (String, fetch::FetchError)>, CliError> {
    if fetch::is_url(&args.source) {
        let limits = FetchLimits {
            timeout: Duration::from_millis(args.fetch_timeout_ms),
            max_bytes,
            ..FetchLimits::default()
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CliError::Harness(format!("cannot start the async runtime: {e}")))?;
        // A trust store that cannot be read matters only for an https:// URL, where it is named.
        let trust = crate::probe::tls::server_auth_config(args.ca_bundle.clone());
        if let (Err(e), true) = (
            &trust,
            args.source.to_ascii_lowercase().starts_with("https:"),
        ) {
            return Err(CliError::Usage(format!("--ca-bundle: {e}")));
        }
        let via = fetch::FetchVia {
            tls: trust.as_ref().ok(),
            ..fetch::FetchVia::default()
        };
        let r = rt.block_on(fetch::fetch(
            &args.source,
            &NetOptions::default(),
            &via,
            &limits,
        ));
        return Ok(match r {
            Ok(f) => Ok(Source {
                name: args.source.clone(),
                text: f.text.clone(),
                fetched: Some(f),
            }),
            Err(e) => Err((args.source.clone(), e)),
        });
    }
    let mut bytes = Vec::new();
    let read = if args.source == "-" {
        std::io::stdin()
            .take(max_bytes as u64 + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(&args.source)
            .and_then(|f| f.take(max_bytes as u64 + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| CliError::Usage(format!("cannot read {}: {e}", args.source)))?;
    // Over the limit by one byte is enough for the evaluator to name it.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Ok(Ok(Source {
        name: if args.source == "-" {
            "<stdin>".into()
        } else {
            args.source.clone()
        },
        text,
        fetched: None,
    }))
}

/// This machine's addresses towards the networks a PAC is about: the IPv4 and IPv6 source
/// addresses the routing table picks (documentation prefixes as destinations; nothing is sent).
fn default_my_ip() -> Vec<IpAddr> {
    [
        IpAddr::from([198, 51, 100, 1]),
        "2001:db8::1".parse().expect("literal"),
    ]
    .into_iter()
    .filter_map(crate::net::route_source)
    .collect()
}

//! The flags that shape a round, one group flattened into `probe` and `soak` (and later `accept`),
//! so each means the same everywhere: which profile, where the round runs (the OQS adapter, the
//! family, the nameservers, the proxy, or the lab), how hard it looks, and the TLS flags. They
//! become [`RoundSettings`] here; the round builder does the rest.

use super::duration::parse_duration;
use super::tls_args::TlsArgs;
use super::{CliError, EnvArg, FamilyArg, ModeArg};
use crate::model::{Environment, Family, Mode, Profile, RoundSettings, Secret};
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Which profile: by mode and environment, by shipped name, or from a file.
#[derive(Args, Debug, Clone, Default)]
pub struct ProfileArgs {
    /// Line type: IP-VPN (IPv6-only OQS adapter) or IPsec+IKE (IPv4).
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// OQS environment.
    #[arg(long = "env", value_enum)]
    pub environment: Option<EnvArg>,
    /// Load the profile from this TOML file (see `oqs-net profiles`). `--targets` is the old name.
    #[arg(
        long = "profile-file",
        visible_alias = "targets",
        value_name = "FILE",
        conflicts_with = "profile"
    )]
    pub file: Option<PathBuf>,
    /// Use a shipped profile by name (for example ipsec-ondemand-production).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
}

/// Every flag that shapes a round.
#[derive(Args, Debug, Clone, Default)]
pub struct RoundArgs {
    #[command(flatten)]
    pub which: ProfileArgs,
    /// Ask this nameserver instead of the system's (repeatable). IP, IP:PORT or [IPv6]:PORT.
    #[arg(long, value_name = "IP[:PORT]", value_parser = parse_resolver)]
    pub resolver: Vec<SocketAddr>,
    /// The OQS adapter every socket is bound to (Linux `eth1`; Windows its ncpa.cpl name). Default:
    /// the profile's `[adapter] name`, else the adapter holding the route to the OQS targets.
    #[arg(long, value_name = "NAME")]
    pub interface: Option<String>,
    /// Address family for every probe (default auto: the profile's; IP-VPN IPv6, IPsec+IKE IPv4).
    #[arg(long, value_enum)]
    pub family: Option<FamilyArg>,
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
    /// (WPAD) or `none`. Without it the environment and Windows' settings decide, read afresh
    /// every round.
    #[arg(long, value_name = "URL|auto|none")]
    pub proxy: Option<String>,
    /// The PAC URL that DHCP's option 252 (WPAD by DHCP) gives, instead of asking this machine's
    /// DHCP client (Windows' DHCP API; dhclient's lease files on Linux). Used when auto-detect
    /// is on, before WPAD by DNS, as Windows does.
    #[arg(long, value_name = "URL", value_parser = parse_wpad_dhcp)]
    pub wpad_dhcp: Option<String>,
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
    /// Give up on a round after this long: 30s, 2m, 500ms (a number needs its unit). Default:
    /// 30s for `probe`; for `soak` 90 % of the interval, at most 30s.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub deadline: Option<Duration>,
    /// Probes in flight at once.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub concurrency: u64,
    #[command(flatten)]
    pub tls: TlsArgs,
}

fn parse_resolver(s: &str) -> Result<SocketAddr, String> {
    crate::model::HostPort::parse(s)?.socket_addr(53)
}

impl ProfileArgs {
    /// The profile these flags name, checked.
    pub fn load(&self) -> Result<Profile, CliError> {
        let mode = self.mode.map(|m| match m {
            ModeArg::Ipvpn => Mode::Ipvpn,
            ModeArg::Ipsec => Mode::Ipsec,
        });
        let env = self.environment.map(|e| match e {
            EnvArg::Production => Environment::Production,
            EnvArg::Verification => Environment::Verification,
        });
        let profile = match (&self.file, &self.profile) {
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

impl RoundArgs {
    /// The settings these flags give `profile`'s rounds, and the password if one was typed at
    /// the prompt (which happens here, before any packet). `deadline` when none is given.
    pub fn settings(
        &self,
        profile: &Profile,
        deadline: Duration,
    ) -> Result<(RoundSettings, Option<Secret>), CliError> {
        let (tls, typed) = self.tls.overrides(profile)?;
        let settings = RoundSettings {
            resolvers: self.resolver.clone(),
            interface: self.interface.clone(),
            family: match self.family {
                Some(FamilyArg::V6) => Some(Family::Ipv6),
                Some(FamilyArg::V4) => Some(Family::Ipv4),
                Some(FamilyArg::Auto) | None => None,
            },
            ntp_port: self.ntp_port,
            queries: self.queries,
            samples: self.samples,
            proxy: self.proxy.clone(),
            wpad_dhcp: self.wpad_dhcp.clone(),
            tls,
            deadline_ms: self.deadline.unwrap_or(deadline).as_millis() as u64,
            concurrency: self.concurrency,
        };
        Ok((settings, typed))
    }
}

/// `--wpad-dhcp URL`: checked as option 252 would be, before any packet.
fn parse_wpad_dhcp(s: &str) -> Result<String, String> {
    crate::probe::proxy::dhcp::decode(s.as_bytes()).map_err(|e| e.to_string())
}

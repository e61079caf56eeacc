//! One round, planned: a profile and the round's settings ([`RoundSettings`], the flags that
//! shape a round) into the engine's [`Plan`], the same way for `probe`, `soak`, a resumed soak,
//! the tests and the benchmarks. The OQS adapter's inventory and the proxy settings are read
//! afresh for every plan, so a soak sees them change. Above the engine, the judge, the probes and
//! the lab bridge ([`lab`]); knows no flag and prints nothing.

pub mod identity;
pub mod lab;
pub mod proxy;
pub mod source;

use crate::engine::Plan;
use crate::lab::Lab;
use crate::model::{
    AdapterRequest, ChosenCertificate, Environment, HostPort, InstitutionCode, LinePlan,
    NameSource, PasswordOrigin, PasswordSource, Profile, ProxySource, RoundSettings, Secret,
    StartFacts, TlsEndpoint, TlsOverrides,
};
use crate::model::{counterpart, environment_of};
use crate::net::NetOptions;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The parts of the path a round looks at besides DNS, NTP and TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sections {
    /// Choose the OQS adapter, bind every socket to it, and check the path through it.
    pub adapter: bool,
    /// The proxy section: settings, WPAD/PAC, the way of every target, a CONNECT.
    pub proxy: bool,
    /// The line's own checks (`[line]`: NGN line authentication, the NGN's DNS servers) and the
    /// environment the OQS names answer as.
    pub line: bool,
}

impl Sections {
    /// What every command runs.
    pub const ALL: Sections = Sections {
        adapter: true,
        proxy: true,
        line: true,
    };
    /// DNS, NTP and TLS alone: for tests and benchmarks of those probes on loopback.
    pub const CORE: Sections = Sections {
        adapter: false,
        proxy: false,
        line: false,
    };
}

/// A setting that cannot make a round; nothing was sent.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("--interface {name}: no such adapter here (adapters: {known})")]
    NoSuchAdapter { name: String, known: String },
    #[error("--proxy: {0}")]
    Proxy(String),
    #[error("--distribution-server: {0}")]
    Distribution(String),
    #[error("--institution-code: {0}")]
    InstitutionCode(String),
    #[error(
        "the PFX password is to be typed at a prompt, and none was given (give --pfx-password-env or --pfx-password-file instead)"
    )]
    NoPromptedPassword,
}

impl PlanError {
    pub fn as_label(&self) -> &'static str {
        match self {
            PlanError::NoSuchAdapter { .. } => "no_such_adapter",
            PlanError::Proxy(_) => "proxy",
            PlanError::Distribution(_) => "distribution_server",
            PlanError::InstitutionCode(_) => "institution_code",
            PlanError::NoPromptedPassword => "no_prompted_password",
        }
    }
}

/// Makes the plan of every round from one profile and one set of settings.
#[derive(Clone, Debug)]
pub struct Builder {
    profile: Profile,
    settings: RoundSettings,
    sections: Sections,
    resolvers: Vec<SocketAddr>,
    notes: Vec<String>,
    /// The client identity and TLS configuration, read again only when their files change.
    tls: Arc<Mutex<identity::TlsCache>>,
}

impl Builder {
    /// Lays the settings over the profile and checks them, before any packet. `typed` is the
    /// password read at a prompt when the settings say it was ([`PasswordOrigin::Prompt`]).
    pub fn new(
        profile: Profile,
        settings: RoundSettings,
        typed: Option<Secret>,
    ) -> Result<Builder, PlanError> {
        let mut p = profile;
        let s = &settings;
        if let Some(q) = s.queries {
            p.dns.queries = q;
        }
        if let Some(n) = s.samples {
            p.ntp.samples = n;
        }
        if let Some(port) = s.ntp_port {
            p.ntp.port = port;
        }
        if let Some(f) = s.family {
            p.dns.families = vec![f];
        }
        apply_tls(&mut p, &s.tls, typed)?;
        if let Some(f) = &s.proxy {
            crate::probe::proxy::settings::from_flag(f).map_err(PlanError::Proxy)?;
        }
        if let Some(name) = &s.interface {
            let inventory = crate::platform::inventory();
            if inventory.find(name).is_none() {
                return Err(PlanError::NoSuchAdapter {
                    name: name.clone(),
                    known: inventory.names().join(", "),
                });
            }
        }
        let notes = fit_to_deadline(&mut p, Duration::from_millis(s.deadline_ms));
        let resolvers = if s.resolvers.is_empty() {
            p.dns.resolvers.clone()
        } else {
            s.resolvers.clone()
        };
        Ok(Builder {
            profile: p,
            settings,
            sections: Sections::ALL,
            resolvers,
            notes,
            tls: Arc::default(),
        })
    }

    /// Only these sections besides DNS, NTP and TLS.
    pub fn sections(mut self, sections: Sections) -> Builder {
        self.sections = sections;
        self
    }

    /// The profile with the settings laid over it (and pointed at the lab, once it is).
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn settings(&self) -> &RoundSettings {
        &self.settings
    }

    /// What fitting the round into its deadline changed, in words (empty for the usual 30 s).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Points every round at `lab`: its resolver, ports, CA and client PFX.
    pub fn point_at(&mut self, lab: &Lab) {
        let (p, resolvers) = lab::point_at(&self.profile, lab);
        self.profile = p;
        self.resolvers = resolvers;
    }

    /// The proxy settings as they are now: the lab terminal's with `lab`, else this machine's
    /// (`--proxy`, the environment, Windows' settings, the profile).
    pub fn proxy_sources(&self, lab: Option<&Lab>) -> Result<Vec<ProxySource>, PlanError> {
        let flag = self.settings.proxy.as_deref();
        match lab {
            Some(lab) => lab::proxy_sources(&self.profile, lab, flag),
            None => proxy::sources(&self.profile, flag),
        }
        .map_err(PlanError::Proxy)
    }

    /// How many times the client identity's files (PFX, CA bundle, password) were read and
    /// decoded by this builder's plans: once, and again after each change of one of them.
    pub fn tls_loads(&self) -> u64 {
        self.tls_cache().loads()
    }

    fn tls_cache(&self) -> std::sync::MutexGuard<'_, identity::TlsCache> {
        self.tls.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The plan of the next round: the adapter's inventory and the proxy settings read now, the
    /// client identity as kept unless its files changed.
    pub fn plan(&self, lab: Option<&Lab>) -> Result<Plan, PlanError> {
        let proxy = if self.sections.proxy {
            let sources = self.proxy_sources(lab)?;
            let dhcp_flag = self.settings.wpad_dhcp.as_deref();
            match lab {
                Some(lab) => lab::proxy_plan(&self.profile, sources, lab, dhcp_flag),
                None => proxy::plan(&self.profile, sources, proxy::dhcp_ask(dhcp_flag)),
            }
        } else {
            None
        };
        Ok(Plan {
            profile: self.profile.clone(),
            net: NetOptions {
                resolvers: self.resolvers.clone(),
                family: self.settings.family,
                adapter: self.sections.adapter.then(|| self.adapter_request()),
                ..NetOptions::default()
            },
            concurrency: self.settings.concurrency.max(1) as usize,
            round_deadline: Duration::from_millis(self.settings.deadline_ms.max(1)),
            proxy: proxy.map(Arc::new),
            line: self.sections.line.then(|| Arc::new(self.line_plan())),
            tls: (!self.profile.tls.is_empty())
                .then(|| self.tls_cache().get(&self.profile.tls_settings)),
        })
    }

    /// The line's checks as the profile asks them, and the OQS hosts of both environments.
    fn line_plan(&self) -> LinePlan {
        let p = &self.profile;
        let mut environment: Vec<(String, Environment)> = Vec::new();
        let mut oqs_names = Vec::new();
        for e in &p.tls {
            let host = &e.host.host;
            let (Some(env), Some(other)) = (environment_of(host), counterpart(host)) else {
                continue;
            };
            oqs_names.push(host.clone());
            for (h, v) in [(host.clone(), env), (other, env.other())] {
                if !environment.iter().any(|(x, _)| *x == h) {
                    environment.push((h, v));
                }
            }
        }
        LinePlan {
            auth: p.line.auth.clone(),
            ngn_dns: p.line.ngn_dns.clone(),
            environment,
            oqs_names,
            terminal_servers: self.resolvers.clone(),
            dns_timeout: p.dns.timeout,
            ca_bundle: p.tls_settings.ca_bundle.clone(),
        }
    }

    /// The adapter as this machine has it now, named by `--interface` or the profile if at all.
    fn adapter_request(&self) -> AdapterRequest {
        let name = match (&self.settings.interface, &self.profile.adapter.name) {
            (Some(n), _) => Some((n.clone(), NameSource::Flag)),
            (None, Some(n)) => Some((n.clone(), NameSource::Profile)),
            (None, None) => None,
        };
        AdapterRequest {
            inventory: crate::platform::inventory(),
            name,
        }
    }

    /// The certificate the rounds present and the proxy sources read now, for a soak's journal.
    /// Reads the PFX (no packet is sent), and keeps it for the first round.
    pub fn start_facts(&self, lab: Option<&Lab>) -> StartFacts {
        let t = &self.profile.tls_settings;
        let certificate = if self.profile.tls.is_empty() || t.pfx.is_empty() {
            None
        } else {
            let (report, _) = self.tls_cache().get(t);
            report.selected_cert().map(|c| ChosenCertificate {
                serial: c.serial.clone(),
                subject: c.subject.clone(),
                not_after: c.not_after.clone(),
                issuer: Some(c.issuer.clone()),
            })
        };
        let proxy_sources = if self.sections.proxy {
            self.proxy_sources(lab)
                .unwrap_or_default()
                .iter()
                .map(|s| format!("{}: {}", s.kind.as_label(), s.origin))
                .collect()
        } else {
            Vec::new()
        };
        StartFacts {
            certificate,
            proxy_sources,
        }
    }
}

/// The TLS flags over the profile: certificate files, institution code, CA bundle, the
/// distribution server, and where the password comes from.
fn apply_tls(p: &mut Profile, t: &TlsOverrides, typed: Option<Secret>) -> Result<(), PlanError> {
    if t.no_tls {
        p.tls.clear();
        return Ok(());
    }
    let s = &mut p.tls_settings;
    if !t.pfx.is_empty() {
        s.pfx = t.pfx.clone();
    }
    if let Some(c) = &t.institution_code {
        s.institution_code = Some(InstitutionCode::parse(c).map_err(PlanError::InstitutionCode)?);
    }
    if let Some(ca) = &t.ca_bundle {
        s.ca_bundle = Some(ca.clone());
    }
    match &t.password {
        Some(PasswordOrigin::Env(var)) => s.password = PasswordSource::Env(var.clone()),
        Some(PasswordOrigin::File(f)) => s.password = PasswordSource::File(f.clone()),
        Some(PasswordOrigin::Prompt) => {
            s.password = PasswordSource::Given(typed.ok_or(PlanError::NoPromptedPassword)?)
        }
        None => {}
    }
    if let Some(d) = t.distribution().map_err(PlanError::Distribution)? {
        let host = HostPort {
            port: Some(d.port_or(443)),
            ..d
        };
        p.tls.retain(|e| e.name != "distribution");
        p.tls.push(TlsEndpoint {
            name: "distribution".into(),
            host,
            client_certificate: true,
            request: Some("/".into()),
        });
    }
    Ok(())
}

/// Shortens the profile's per-query and per-sample timeouts (and NTP pacing) when a round could
/// not otherwise finish inside `deadline`, so a silent server shows as "no reply" rather than a
/// probe cut off. Returns what it changed, in words; changes nothing for the usual 30 s interval.
pub fn fit_to_deadline(profile: &mut Profile, deadline: Duration) -> Vec<String> {
    let mut notes = Vec::new();
    // An NTP probe starts as soon as a DNS answer reveals its address, so a healthy round is
    // about as long as the slower of the two; give each 60 % of the round at worst.
    let budget = deadline * 3 / 5;
    let floor = Duration::from_millis(50);
    let d = &mut profile.dns;
    if d.timeout * d.queries > budget {
        let t = (budget / d.queries.max(1)).max(floor).min(d.timeout);
        notes.push(format!(
            "DNS timeout per query shortened from {} ms to {} ms to fit the {} ms round deadline",
            d.timeout.as_millis(),
            t.as_millis(),
            deadline.as_millis()
        ));
        d.timeout = t;
    }
    let n = &mut profile.ntp;
    let spec = crate::probe::ntp::NtpSpec {
        samples: n.samples,
        interval: n.interval,
        timeout: n.timeout,
    };
    if spec.worst_case() > budget {
        let t = (budget / n.samples.max(1)).max(floor).min(n.timeout);
        notes.push(format!(
            "NTP timeout per sample shortened from {} ms to {} ms (and pacing to at most that) to fit the {} ms round deadline",
            n.timeout.as_millis(),
            t.as_millis(),
            deadline.as_millis()
        ));
        n.timeout = t;
        n.interval = n.interval.min(t);
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Environment, Family, Mode};

    fn shipped() -> Profile {
        crate::profile::shipped_for(Mode::Ipvpn, Environment::Production)
    }

    #[test]
    fn settings_lay_over_the_profile() {
        let settings = RoundSettings {
            resolvers: vec!["127.0.0.1:5353".parse().unwrap()],
            family: Some(Family::Ipv4),
            queries: Some(3),
            samples: Some(2),
            ntp_port: Some(11123),
            tls: TlsOverrides {
                pfx: vec!["/nowhere/clinic.pfx".into()],
                password: Some(PasswordOrigin::Env("PFX_PW".into())),
                institution_code: Some("1234567890".into()),
                distribution_server: Some("dist.clinic.example".into()),
                ..TlsOverrides::default()
            },
            deadline_ms: 25_000,
            concurrency: 8,
            ..RoundSettings::default()
        };
        let b = Builder::new(shipped(), settings, None).unwrap();
        let plan = b.sections(Sections::CORE).plan(None).unwrap();
        let p = &plan.profile;
        assert_eq!(p.dns.queries, 3);
        assert_eq!(p.ntp.samples, 2);
        assert_eq!(p.ntp.port, 11123);
        assert_eq!(p.dns.families, [Family::Ipv4]);
        assert_eq!(plan.net.family, Some(Family::Ipv4));
        assert_eq!(plan.net.resolvers, ["127.0.0.1:5353".parse().unwrap()]);
        assert!(plan.net.adapter.is_none() && plan.proxy.is_none());
        assert_eq!(plan.concurrency, 8);
        assert_eq!(plan.round_deadline, Duration::from_secs(25));
        assert_eq!(
            p.tls_settings.pfx,
            [std::path::PathBuf::from("/nowhere/clinic.pfx")]
        );
        assert_eq!(
            p.tls_settings.password,
            PasswordSource::Env("PFX_PW".into())
        );
        let dist = p.tls.iter().find(|e| e.name == "distribution").unwrap();
        assert_eq!(dist.host.to_string(), "dist.clinic.example:443");
    }

    #[test]
    fn every_command_binds_the_adapter_and_plans_the_proxy() {
        let b = Builder::new(shipped(), RoundSettings::default(), None).unwrap();
        let plan = b.plan(None).unwrap();
        assert!(
            plan.net.adapter.is_some(),
            "the OQS adapter is chosen and bound"
        );
        assert!(plan.proxy.is_some(), "the proxy section is planned");
    }

    #[test]
    fn bad_settings_are_named_before_any_packet() {
        let with = |f: &dyn Fn(&mut RoundSettings)| {
            let mut s = RoundSettings::default();
            f(&mut s);
            Builder::new(shipped(), s, None).unwrap_err().as_label()
        };
        assert_eq!(
            with(&|s| s.interface = Some("no-such-adapter-here0".into())),
            "no_such_adapter"
        );
        assert_eq!(with(&|s| s.proxy = Some("ftp://x".into())), "proxy");
        assert_eq!(
            with(&|s| s.tls.password = Some(PasswordOrigin::Prompt)),
            "no_prompted_password"
        );
        assert_eq!(
            with(&|s| s.tls.institution_code = Some("12345".into())),
            "institution_code"
        );
    }

    #[test]
    fn no_tls_drops_every_endpoint() {
        let s = RoundSettings {
            tls: TlsOverrides {
                no_tls: true,
                ..TlsOverrides::default()
            },
            ..RoundSettings::default()
        };
        let b = Builder::new(shipped(), s, None).unwrap();
        assert!(b.profile().tls.is_empty());
    }

    #[test]
    fn timeouts_fit_short_rounds_only() {
        let mut p = shipped();
        assert!(fit_to_deadline(&mut p, Duration::from_secs(27)).is_empty());
        let notes = fit_to_deadline(&mut p, Duration::from_millis(1800));
        assert_eq!(notes.len(), 2, "{notes:?}");
        // 60 % of 1.8 s = 1080 ms: 8 DNS queries of 135 ms, 4 NTP samples of 270 ms, paced at
        // most 250 ms apart as the profile says.
        assert_eq!(p.dns.timeout, Duration::from_millis(135));
        assert_eq!(p.ntp.timeout, Duration::from_millis(270));
        assert_eq!(p.ntp.interval, Duration::from_millis(250));
        let worst = crate::probe::ntp::NtpSpec {
            samples: p.ntp.samples,
            interval: p.ntp.interval,
            timeout: p.ntp.timeout,
        }
        .worst_case();
        assert!(worst <= Duration::from_millis(1080), "{worst:?}");
    }
}

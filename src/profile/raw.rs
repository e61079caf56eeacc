//! The profile file as written (every field optional, positions kept), merged over its `base`,
//! then checked into the model.

use super::ProfileError;
use crate::model::{
    Acceptance, AdapterExpect, DnsSettings, Environment, Family, HostPort, Mode, NtpSettings,
    Profile, ProxySettings, Slowness, SoakSettings, TlsEndpoint,
};
use crate::model::{InstitutionCode, PasswordSource, TlsSettings, TlsVersion};
use crate::model::{
    LINEAUTH_HOST, LineAuth, LineSettings, NGN_TEST_NAMES, NgnDns, ngn_dns_default,
};
use serde::Deserialize;
use std::ops::Range;
use std::time::Duration;
use toml::Spanned;

type S<T> = Option<Spanned<T>>;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Raw {
    base: S<String>,
    name: S<String>,
    description: Option<String>,
    mode: S<String>,
    environment: S<String>,
    provider: Option<String>,
    #[serde(default)]
    dns: RawDns,
    #[serde(default)]
    ntp: RawNtp,
    tls: Option<Vec<RawTls>>,
    /// Names of the base's `[[tls]]` endpoints this profile takes away.
    remove_tls: S<Vec<String>>,
    #[serde(default)]
    tls_settings: RawTlsSettings,
    proxy: Option<RawProxy>,
    #[serde(default)]
    adapter: RawAdapter,
    #[serde(default)]
    line: RawLine,
    #[serde(default)]
    acceptance: RawAcceptance,
    #[serde(default)]
    soak: RawSoak,
    #[serde(default)]
    slowness: RawSlowness,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDns {
    round_robin: S<String>,
    fallbacks: S<Vec<String>>,
    expect_round_robin: Option<bool>,
    queries: S<u32>,
    timeout_ms: S<u64>,
    families: S<Vec<String>>,
    resolvers: S<Vec<String>>,
    /// The base's fallbacks this profile takes away.
    remove_fallbacks: S<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawNtp {
    port: S<u16>,
    samples: S<u32>,
    interval_ms: S<u64>,
    timeout_ms: S<u64>,
    offset_warn_ms: S<f64>,
    offset_fail_ms: S<f64>,
    disagreement_ms: S<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTls {
    name: String,
    host: Spanned<String>,
    #[serde(default = "yes")]
    client_certificate: bool,
    request: Option<Spanned<String>>,
}

/// `[tls_settings]`: the client side of the TLS probes. Each field replaces the base's.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTlsSettings {
    ca_bundle: Option<String>,
    pfx: Option<Vec<String>>,
    pfx_password_env: S<String>,
    pfx_password_file: Option<String>,
    institution_code: S<String>,
    expiry_warn_days: S<u32>,
    issuer_names: S<Vec<String>>,
    min_version: S<String>,
    connect_timeout_ms: S<u64>,
    handshake_timeout_ms: S<u64>,
    request_timeout_ms: S<u64>,
    /// The distribution server's host (not public: each site names it).
    distribution_server: S<String>,
}

impl RawTlsSettings {
    fn over(self, base: RawTlsSettings) -> RawTlsSettings {
        RawTlsSettings {
            ca_bundle: self.ca_bundle.or(base.ca_bundle),
            pfx: self.pfx.or(base.pfx),
            pfx_password_env: inherit(self.pfx_password_env, base.pfx_password_env),
            pfx_password_file: self.pfx_password_file.or(base.pfx_password_file),
            institution_code: inherit(self.institution_code, base.institution_code),
            expiry_warn_days: inherit(self.expiry_warn_days, base.expiry_warn_days),
            issuer_names: inherit(self.issuer_names, base.issuer_names),
            min_version: inherit(self.min_version, base.min_version),
            connect_timeout_ms: inherit(self.connect_timeout_ms, base.connect_timeout_ms),
            handshake_timeout_ms: inherit(self.handshake_timeout_ms, base.handshake_timeout_ms),
            request_timeout_ms: inherit(self.request_timeout_ms, base.request_timeout_ms),
            distribution_server: inherit(self.distribution_server, base.distribution_server),
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProxy {
    server: S<String>,
    bypass: S<Vec<String>>,
    internet: S<Vec<String>>,
    /// The base's bypass entries and internet hosts this profile takes away.
    remove_bypass: S<Vec<String>>,
    remove_internet: S<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAdapter {
    name: Option<String>,
    ipv6_only: Option<bool>,
}

/// `[line]`: the line's own checks. Each key replaces the base's.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLine {
    auth: Option<bool>,
    auth_url: S<String>,
    auth_timeout_ms: S<u64>,
    auth_verify: Option<bool>,
    dns: Option<bool>,
    ngn_dns: S<Vec<String>>,
    ngn_names: S<Vec<String>>,
}

impl RawLine {
    fn over(self, base: RawLine) -> RawLine {
        RawLine {
            auth: self.auth.or(base.auth),
            auth_url: inherit(self.auth_url, base.auth_url),
            auth_timeout_ms: inherit(self.auth_timeout_ms, base.auth_timeout_ms),
            auth_verify: self.auth_verify.or(base.auth_verify),
            dns: self.dns.or(base.dns),
            ngn_dns: inherit(self.ngn_dns, base.ngn_dns),
            ngn_names: inherit(self.ngn_names, base.ngn_names),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAcceptance {
    min_availability_pct: S<f64>,
    max_flaps: Option<u32>,
    max_ntp_offset_ms: S<f64>,
    max_handshake_p95_ms: S<f64>,
    min_cert_days: Option<u32>,
    duration_min: S<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSoak {
    flap_high_pct: S<f64>,
    flap_low_pct: S<f64>,
}

/// `[slowness]`: when a measurement that succeeded counts as slow.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSlowness {
    dns_answer_ms: S<f64>,
    ntp_delay_ms: S<f64>,
    tcp_connect_ms: S<f64>,
    tls_handshake_ms: S<f64>,
}

/// Values inherited from a base carry this span, so errors say "inherited" instead of a wrong line.
const INHERITED: Range<usize> = 0..0;

fn inherit<T>(over: S<T>, base: S<T>) -> S<T> {
    over.or_else(|| base.map(|b| Spanned::new(INHERITED, b.into_inner())))
}

/// Whether two entries of an inherited list name the same thing (host names ignore case).
pub(super) fn same_entry(a: &str, b: &str) -> bool {
    match (HostPort::parse(a), HostPort::parse(b)) {
        (Ok(x), Ok(y)) => x.host.eq_ignore_ascii_case(&y.host) && x.port == y.port,
        _ => a.trim().eq_ignore_ascii_case(b.trim()),
    }
}

/// An inherited list: the base's entries, less those `remove` names, plus this profile's own
/// (an entry already there is not repeated). A removal the base does not hold is an error, so a
/// typo cannot leave an entry in place unnoticed.
fn add_to_base(
    own: S<Vec<String>>,
    remove: &S<Vec<String>>,
    base: S<Vec<String>>,
    key: &str,
    src: &Src,
) -> Result<S<Vec<String>>, ProfileError> {
    if own.is_none() && remove.is_none() {
        return Ok(inherit(None, base));
    }
    let mut out = base.map(Spanned::into_inner).unwrap_or_default();
    if let Some(r) = remove {
        for gone in r.get_ref() {
            let at = out
                .iter()
                .position(|e| same_entry(e, gone))
                .ok_or_else(|| {
                    src.err(
                        r.span(),
                        format!(
                            "`{key}`: the base has no `{gone}` (it has: {})",
                            listed(&out)
                        ),
                    )
                })?;
            out.remove(at);
        }
    }
    let span = own
        .as_ref()
        .or(remove.as_ref())
        .map_or(INHERITED, |s| s.span());
    for e in own.into_iter().flat_map(Spanned::into_inner) {
        if !out.iter().any(|o| same_entry(o, &e)) {
            out.push(e);
        }
    }
    Ok(Some(Spanned::new(span, out)))
}

/// What the base has, for an error that names what it lacks.
fn listed(names: &[impl AsRef<str>]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    names
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The base's `[[tls]]` endpoints less `remove_tls`, then this profile's: one with a base
/// endpoint's name replaces it in place, any other is added.
fn tls_over_base(
    own: Option<Vec<RawTls>>,
    remove: &S<Vec<String>>,
    base: Option<Vec<RawTls>>,
    src: &Src,
) -> Result<Option<Vec<RawTls>>, ProfileError> {
    if own.is_none() && remove.is_none() {
        return Ok(base);
    }
    let mut out = base.unwrap_or_default();
    if let Some(r) = remove {
        for gone in r.get_ref() {
            let at = out.iter().position(|e| &e.name == gone).ok_or_else(|| {
                let names: Vec<&str> = out.iter().map(|e| e.name.as_str()).collect();
                src.err(
                    r.span(),
                    format!(
                        "`remove_tls`: the base has no TLS endpoint `{gone}` (it has: {})",
                        listed(&names)
                    ),
                )
            })?;
            out.remove(at);
        }
    }
    for t in own.into_iter().flatten() {
        match out.iter_mut().find(|e| e.name == t.name) {
            Some(slot) => *slot = t,
            None => out.push(t),
        }
    }
    Ok(Some(out))
}

fn proxy_over_base(
    own: Option<RawProxy>,
    base: Option<RawProxy>,
    src: &Src,
) -> Result<Option<RawProxy>, ProfileError> {
    let Some(own) = own else {
        return Ok(base.map(|b| RawProxy {
            server: inherit(None, b.server),
            bypass: inherit(None, b.bypass),
            internet: inherit(None, b.internet),
            remove_bypass: None,
            remove_internet: None,
        }));
    };
    let (b_server, b_bypass, b_internet) = match base {
        Some(b) => (b.server, b.bypass, b.internet),
        None => (None, None, None),
    };
    Ok(Some(RawProxy {
        server: inherit(own.server, b_server),
        bypass: add_to_base(
            own.bypass,
            &own.remove_bypass,
            b_bypass,
            "proxy.remove_bypass",
            src,
        )?,
        internet: add_to_base(
            own.internet,
            &own.remove_internet,
            b_internet,
            "proxy.remove_internet",
            src,
        )?,
        remove_bypass: None,
        remove_internet: None,
    }))
}

impl Raw {
    /// This profile over its base: a value replaces the base's; a list of targets (`[[tls]]`,
    /// `dns.fallbacks`, `proxy.bypass`, `proxy.internet`) adds to the base's, and its `remove_*`
    /// key takes entries away.
    fn over(self, base: Raw, src: &Src) -> Result<Raw, ProfileError> {
        Ok(Raw {
            base: self.base,
            name: inherit(self.name, base.name),
            description: self.description.or(base.description),
            mode: inherit(self.mode, base.mode),
            environment: inherit(self.environment, base.environment),
            provider: self.provider.or(base.provider),
            dns: RawDns {
                round_robin: inherit(self.dns.round_robin, base.dns.round_robin),
                fallbacks: add_to_base(
                    self.dns.fallbacks,
                    &self.dns.remove_fallbacks,
                    base.dns.fallbacks,
                    "dns.remove_fallbacks",
                    src,
                )?,
                expect_round_robin: self.dns.expect_round_robin.or(base.dns.expect_round_robin),
                queries: inherit(self.dns.queries, base.dns.queries),
                timeout_ms: inherit(self.dns.timeout_ms, base.dns.timeout_ms),
                families: inherit(self.dns.families, base.dns.families),
                resolvers: inherit(self.dns.resolvers, base.dns.resolvers),
                remove_fallbacks: None,
            },
            ntp: RawNtp {
                port: inherit(self.ntp.port, base.ntp.port),
                samples: inherit(self.ntp.samples, base.ntp.samples),
                interval_ms: inherit(self.ntp.interval_ms, base.ntp.interval_ms),
                timeout_ms: inherit(self.ntp.timeout_ms, base.ntp.timeout_ms),
                offset_warn_ms: inherit(self.ntp.offset_warn_ms, base.ntp.offset_warn_ms),
                offset_fail_ms: inherit(self.ntp.offset_fail_ms, base.ntp.offset_fail_ms),
                disagreement_ms: inherit(self.ntp.disagreement_ms, base.ntp.disagreement_ms),
            },
            tls: tls_over_base(self.tls, &self.remove_tls, base.tls, src)?,
            remove_tls: None,
            tls_settings: self.tls_settings.over(base.tls_settings),
            proxy: proxy_over_base(self.proxy, base.proxy, src)?,
            adapter: RawAdapter {
                name: self.adapter.name.or(base.adapter.name),
                ipv6_only: self.adapter.ipv6_only.or(base.adapter.ipv6_only),
            },
            line: self.line.over(base.line),
            acceptance: RawAcceptance {
                min_availability_pct: inherit(
                    self.acceptance.min_availability_pct,
                    base.acceptance.min_availability_pct,
                ),
                max_flaps: self.acceptance.max_flaps.or(base.acceptance.max_flaps),
                max_ntp_offset_ms: inherit(
                    self.acceptance.max_ntp_offset_ms,
                    base.acceptance.max_ntp_offset_ms,
                ),
                max_handshake_p95_ms: inherit(
                    self.acceptance.max_handshake_p95_ms,
                    base.acceptance.max_handshake_p95_ms,
                ),
                min_cert_days: self
                    .acceptance
                    .min_cert_days
                    .or(base.acceptance.min_cert_days),
                duration_min: inherit(self.acceptance.duration_min, base.acceptance.duration_min),
            },
            soak: RawSoak {
                flap_high_pct: inherit(self.soak.flap_high_pct, base.soak.flap_high_pct),
                flap_low_pct: inherit(self.soak.flap_low_pct, base.soak.flap_low_pct),
            },
            slowness: RawSlowness {
                dns_answer_ms: inherit(self.slowness.dns_answer_ms, base.slowness.dns_answer_ms),
                ntp_delay_ms: inherit(self.slowness.ntp_delay_ms, base.slowness.ntp_delay_ms),
                tcp_connect_ms: inherit(self.slowness.tcp_connect_ms, base.slowness.tcp_connect_ms),
                tls_handshake_ms: inherit(
                    self.slowness.tls_handshake_ms,
                    base.slowness.tls_handshake_ms,
                ),
            },
        })
    }
}

/// Turns byte offsets into `file:line:column` errors.
struct Src<'a> {
    text: &'a str,
    file: &'a str,
    base: Option<String>,
}

impl Src<'_> {
    fn err(&self, span: Range<usize>, message: impl Into<String>) -> ProfileError {
        let mut message = message.into();
        if span == INHERITED
            && let Some(b) = &self.base
        {
            message.push_str(&format!(" (value inherited from base `{b}`)"));
        }
        let before = &self.text[..span.start.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ProfileError::Invalid {
            file: self.file.to_string(),
            line,
            column,
            message,
        }
    }

    fn required<'v, T>(&self, v: &'v S<T>, what: &str) -> Result<&'v Spanned<T>, ProfileError> {
        v.as_ref()
            .ok_or_else(|| self.err(0..0, format!("`{what}` is required")))
    }
}

fn de(text: &str, src: &Src) -> Result<Raw, ProfileError> {
    toml::from_str::<Raw>(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        src.err(span, e.message().to_string())
    })
}

pub(super) fn parse(
    text: &str,
    file: &str,
    shipped: &dyn Fn(&str) -> Option<&'static str>,
) -> Result<Profile, ProfileError> {
    let mut src = Src {
        text,
        file,
        base: None,
    };
    let mut raw = de(text, &src)?;
    if let Some(list) = &raw.tls {
        for (i, t) in list.iter().enumerate() {
            if list[..i].iter().any(|e| e.name == t.name) {
                return Err(src.err(
                    t.host.span(),
                    format!("two `[[tls]]` endpoints are named `{}`", t.name),
                ));
            }
        }
    }
    if let Some(base) = &raw.base {
        let name = base.get_ref().clone();
        let base_text = shipped(&name).ok_or_else(|| {
            let known: Vec<&str> = super::SHIPPED.iter().map(|(n, _)| *n).collect();
            src.err(
                base.span(),
                format!(
                    "no shipped profile `{name}` to use as base (shipped: {})",
                    known.join(", ")
                ),
            )
        })?;
        let base_src = Src {
            text: base_text,
            file: &name,
            base: None,
        };
        let base_raw = de(base_text, &base_src)?;
        raw = raw.over(base_raw, &src)?;
        src.base = Some(name);
    } else if let Some(r) = raw
        .remove_tls
        .as_ref()
        .or(raw.dns.remove_fallbacks.as_ref())
        .or(raw.proxy.as_ref().and_then(|p| p.remove_bypass.as_ref()))
        .or(raw.proxy.as_ref().and_then(|p| p.remove_internet.as_ref()))
    {
        return Err(src.err(
            r.span(),
            "a `remove_*` key takes entries from a base; this profile has no `base`",
        ));
    }
    check(raw, &src)
}

fn host(v: &Spanned<String>, src: &Src) -> Result<HostPort, ProfileError> {
    HostPort::parse(v.get_ref()).map_err(|m| src.err(v.span(), m))
}

fn positive_ms(
    v: &S<u64>,
    default: u64,
    what: &str,
    max: u64,
    src: &Src,
) -> Result<Duration, ProfileError> {
    match v {
        None => Ok(Duration::from_millis(default)),
        Some(s) if *s.get_ref() == 0 || *s.get_ref() > max => {
            Err(src.err(s.span(), format!("`{what}` must be between 1 and {max}")))
        }
        Some(s) => Ok(Duration::from_millis(*s.get_ref())),
    }
}

fn threshold(v: &S<f64>, default: f64, what: &str, src: &Src) -> Result<f64, ProfileError> {
    match v {
        None => Ok(default),
        Some(s) if !(s.get_ref().is_finite() && *s.get_ref() > 0.0) => {
            Err(src.err(s.span(), format!("`{what}` must be a positive number")))
        }
        Some(s) => Ok(*s.get_ref()),
    }
}

fn check(raw: Raw, src: &Src) -> Result<Profile, ProfileError> {
    let name = src.required(&raw.name, "name")?.get_ref().clone();
    let mode = src.required(&raw.mode, "mode")?;
    let mode = match mode.get_ref().as_str() {
        "ipvpn" => Mode::Ipvpn,
        "ipsec" => Mode::Ipsec,
        other => {
            return Err(src.err(
                mode.span(),
                format!("unknown mode `{other}`: use `ipvpn` or `ipsec`"),
            ));
        }
    };
    let env = src.required(&raw.environment, "environment")?;
    let environment = match env.get_ref().as_str() {
        "production" => Environment::Production,
        "verification" => Environment::Verification,
        other => {
            return Err(src.err(
                env.span(),
                format!("unknown environment `{other}`: use `production` or `verification`"),
            ));
        }
    };

    let d = &raw.dns;
    let round_robin = host(src.required(&d.round_robin, "dns.round_robin")?, src)?;
    let fallbacks = match &d.fallbacks {
        None => Vec::new(),
        Some(list) => list
            .get_ref()
            .iter()
            .map(|h| HostPort::parse(h).map_err(|m| src.err(list.span(), m)))
            .collect::<Result<_, _>>()?,
    };
    let queries = match &d.queries {
        None => 8,
        Some(q) if (1..=64).contains(q.get_ref()) => *q.get_ref(),
        Some(q) => return Err(src.err(q.span(), "`dns.queries` must be between 1 and 64")),
    };
    let families = match &d.families {
        None => match mode {
            Mode::Ipvpn => vec![Family::Ipv6],
            Mode::Ipsec => vec![Family::Ipv4],
        },
        Some(list) => {
            let mut out = Vec::new();
            for f in list.get_ref() {
                let fam = match f.as_str() {
                    "ipv4" => Family::Ipv4,
                    "ipv6" => Family::Ipv6,
                    other => {
                        return Err(src.err(
                            list.span(),
                            format!("unknown family `{other}`: use `ipv4` or `ipv6`"),
                        ));
                    }
                };
                if !out.contains(&fam) {
                    out.push(fam);
                }
            }
            if out.is_empty() {
                return Err(src.err(list.span(), "`dns.families` needs at least one family"));
            }
            out
        }
    };
    let resolvers = match &d.resolvers {
        None => Vec::new(),
        Some(list) => list
            .get_ref()
            .iter()
            .map(|r| {
                HostPort::parse(r)
                    .and_then(|h| h.socket_addr(53))
                    .map_err(|m| src.err(list.span(), m))
            })
            .collect::<Result<_, _>>()?,
    };
    let dns = DnsSettings {
        resolvers,
        round_robin,
        fallbacks,
        expect_round_robin: d.expect_round_robin.unwrap_or(true),
        queries,
        timeout: positive_ms(&d.timeout_ms, 2000, "dns.timeout_ms", 30_000, src)?,
        families,
    };

    let n = &raw.ntp;
    let samples = match &n.samples {
        None => 4,
        Some(s) if (1..=8).contains(s.get_ref()) => *s.get_ref(),
        Some(s) => {
            return Err(src.err(
                s.span(),
                "`ntp.samples` must be between 1 and 8 (more would exceed a server's burst allowance)",
            ));
        }
    };
    let interval = match &n.interval_ms {
        None => Duration::from_millis(250),
        Some(s) if (100..=10_000).contains(s.get_ref()) => Duration::from_millis(*s.get_ref()),
        Some(s) => {
            return Err(src.err(
                s.span(),
                "`ntp.interval_ms` must be between 100 and 10000 (be polite)",
            ));
        }
    };
    let offset_warn_ms = threshold(&n.offset_warn_ms, 100.0, "ntp.offset_warn_ms", src)?;
    let offset_fail_ms = threshold(&n.offset_fail_ms, 1000.0, "ntp.offset_fail_ms", src)?;
    if offset_fail_ms < offset_warn_ms {
        let span = n
            .offset_fail_ms
            .as_ref()
            .or(n.offset_warn_ms.as_ref())
            .map_or(0..0, |s| s.span());
        return Err(src.err(
            span,
            format!("`ntp.offset_fail_ms` ({offset_fail_ms}) is below `ntp.offset_warn_ms` ({offset_warn_ms})"),
        ));
    }
    let port = match &n.port {
        None => 123,
        Some(p) if *p.get_ref() == 0 => return Err(src.err(p.span(), "`ntp.port` must be 1-65535")),
        Some(p) => *p.get_ref(),
    };
    let ntp = NtpSettings {
        port,
        samples,
        interval,
        timeout: positive_ms(&n.timeout_ms, 1000, "ntp.timeout_ms", 10_000, src)?,
        offset_warn_ms,
        offset_fail_ms,
        disagreement_ms: threshold(&n.disagreement_ms, 100.0, "ntp.disagreement_ms", src)?,
    };

    let mut tls: Vec<TlsEndpoint> = raw
        .tls
        .unwrap_or_default()
        .iter()
        .map(|t| {
            // One GET of `/` unless the profile says otherwise (`request = ""`: none). Without
            // a request, a server that checks the certificate after the handshake (nginx does)
            // cannot be told from one that accepted it.
            let request = match &t.request {
                Some(r) if r.get_ref().is_empty() => None,
                Some(r)
                    if !r.get_ref().starts_with('/')
                        || r.get_ref().len() > 2048
                        || r.get_ref().chars().any(|c| c.is_whitespace() || c.is_control()) =>
                {
                    return Err(src.err(
                        r.span(),
                        "`request` is a path starting with `/` (at most 2048 characters, no spaces), or \"\" for none",
                    ));
                }
                Some(r) => Some(r.get_ref().clone()),
                None => Some("/".to_string()),
            };
            Ok(TlsEndpoint {
                name: t.name.clone(),
                host: host(&t.host, src)?,
                client_certificate: t.client_certificate,
                request,
            })
        })
        .collect::<Result<_, ProfileError>>()?;
    let tls_settings = tls_settings(&raw.tls_settings, &mut tls, src)?;
    let proxy = raw
        .proxy
        .map(|p| {
            Ok::<_, ProfileError>(ProxySettings {
                server: host(src.required(&p.server, "proxy.server")?, src)?,
                bypass: p.bypass.map(Spanned::into_inner).unwrap_or_default(),
                internet: match &p.internet {
                    None => Vec::new(),
                    Some(list) => list
                        .get_ref()
                        .iter()
                        .map(|h| HostPort::parse(h).map_err(|m| src.err(list.span(), m)))
                        .collect::<Result<_, _>>()?,
                },
            })
        })
        .transpose()?;
    let a = &raw.acceptance;
    let min_availability_pct = threshold(
        &a.min_availability_pct,
        99.9,
        "acceptance.min_availability_pct",
        src,
    )?;
    if min_availability_pct > 100.0 {
        let span = a.min_availability_pct.as_ref().map_or(0..0, |s| s.span());
        return Err(src.err(
            span,
            "`acceptance.min_availability_pct` is a percentage (at most 100)",
        ));
    }

    let soak = soak_settings(&raw.soak, src)?;
    let slowness = slowness(&raw.slowness, &dns, &ntp, &tls_settings, src)?;
    let line = line_settings(&raw.line, src)?;

    Ok(Profile {
        name,
        source: src.file.to_string(),
        description: raw.description.unwrap_or_default(),
        mode,
        environment,
        provider: raw.provider,
        dns,
        ntp,
        tls,
        tls_settings,
        proxy,
        adapter: AdapterExpect {
            name: raw.adapter.name,
            ipv6_only: raw.adapter.ipv6_only.unwrap_or(mode == Mode::Ipvpn),
        },
        line,
        acceptance: Acceptance {
            min_availability_pct,
            max_flaps: a.max_flaps.unwrap_or(0),
            max_ntp_offset_ms: threshold(
                &a.max_ntp_offset_ms,
                100.0,
                "acceptance.max_ntp_offset_ms",
                src,
            )?,
            max_handshake_p95_ms: threshold(
                &a.max_handshake_p95_ms,
                500.0,
                "acceptance.max_handshake_p95_ms",
                src,
            )?,
            min_cert_days: a.min_cert_days.unwrap_or(30),
            duration_min: match &a.duration_min {
                None => 15,
                Some(d) if *d.get_ref() == 0 => {
                    return Err(src.err(
                        d.span(),
                        "`acceptance.duration_min` must be at least 1 (minutes)",
                    ));
                }
                Some(d) => *d.get_ref(),
            },
        },
        soak,
        slowness,
    })
}

/// The slowness thresholds, each below the timeout it would otherwise never warn before.
fn slowness(
    s: &RawSlowness,
    dns: &DnsSettings,
    ntp: &NtpSettings,
    tls: &TlsSettings,
    src: &Src,
) -> Result<Slowness, ProfileError> {
    let d = Slowness::default();
    let one = |v: &S<f64>, default: f64, key: &str, timeout: Duration, timeout_key: &str| {
        let t = threshold(v, default, &format!("slowness.{key}"), src)?;
        let limit = timeout.as_secs_f64() * 1000.0;
        match v {
            Some(x) if t >= limit && x.span() != INHERITED => Err(src.err(
                x.span(),
                format!("`slowness.{key}` ({t}) is not below `{timeout_key}` ({limit}): it could never warn"),
            )),
            // A default or the base's value above a timeout this file lowered: the timeout
            // already says it all.
            _ if t >= limit => Ok(limit),
            _ => Ok(t),
        }
    };
    Ok(Slowness {
        dns_answer_ms: one(
            &s.dns_answer_ms,
            d.dns_answer_ms,
            "dns_answer_ms",
            dns.timeout,
            "dns.timeout_ms",
        )?,
        ntp_delay_ms: one(
            &s.ntp_delay_ms,
            d.ntp_delay_ms,
            "ntp_delay_ms",
            ntp.timeout,
            "ntp.timeout_ms",
        )?,
        tcp_connect_ms: one(
            &s.tcp_connect_ms,
            d.tcp_connect_ms,
            "tcp_connect_ms",
            tls.connect_timeout,
            "tls_settings.connect_timeout_ms",
        )?,
        tls_handshake_ms: one(
            &s.tls_handshake_ms,
            d.tls_handshake_ms,
            "tls_handshake_ms",
            tls.handshake_timeout,
            "tls_settings.handshake_timeout_ms",
        )?,
    })
}

/// `[line]` into its checks: each off unless switched on, with FACTS' page, servers and names.
fn line_settings(l: &RawLine, src: &Src) -> Result<LineSettings, ProfileError> {
    let auth = if l.auth.unwrap_or(false) {
        let (host, path) = match &l.auth_url {
            None => (
                HostPort {
                    host: LINEAUTH_HOST.into(),
                    port: Some(443),
                },
                "/".to_string(),
            ),
            Some(u) => auth_url(u.get_ref()).map_err(|m| src.err(u.span(), m))?,
        };
        Some(LineAuth {
            host,
            path,
            timeout: positive_ms(
                &l.auth_timeout_ms,
                5000,
                "line.auth_timeout_ms",
                60_000,
                src,
            )?,
            verify: l.auth_verify.unwrap_or(true),
        })
    } else {
        None
    };
    let ngn_dns = if l.dns.unwrap_or(false) {
        let servers = match &l.ngn_dns {
            None => ngn_dns_default(),
            Some(list) => list
                .get_ref()
                .iter()
                .map(|r| {
                    HostPort::parse(r)
                        .and_then(|h| h.socket_addr(53))
                        .map_err(|m| src.err(list.span(), m))
                })
                .collect::<Result<_, _>>()?,
        };
        if servers.is_empty() {
            let span = l.ngn_dns.as_ref().map_or(0..0, |s| s.span());
            return Err(src.err(span, "`line.ngn_dns` needs at least one server"));
        }
        let names = match &l.ngn_names {
            None => NGN_TEST_NAMES.iter().map(|s| s.to_string()).collect(),
            Some(list) => list
                .get_ref()
                .iter()
                .map(|n| {
                    HostPort::parse(n)
                        .map(|h| h.host)
                        .map_err(|m| src.err(list.span(), m))
                })
                .collect::<Result<_, _>>()?,
        };
        Some(NgnDns { servers, names })
    } else {
        None
    };
    Ok(LineSettings { auth, ngn_dns })
}

/// `https://host[:port][/path]` into the page's host and path.
fn auth_url(s: &str) -> Result<(HostPort, String), String> {
    let u = url::Url::parse(s).map_err(|e| format!("`line.auth_url` `{s}`: {e}"))?;
    if u.scheme() != "https" {
        return Err(format!(
            "`line.auth_url` is an https:// URL (the page is served over HTTPS), not `{s}`"
        ));
    }
    let host = match u.host() {
        Some(url::Host::Ipv6(a)) => a.to_string(),
        Some(h) => h.to_string(),
        None => return Err(format!("`line.auth_url` `{s}` has no host")),
    };
    let mut hp = HostPort::parse(&host)?;
    hp.port = Some(u.port().unwrap_or(443));
    let mut path = u.path().to_string();
    if let Some(q) = u.query() {
        path.push('?');
        path.push_str(q);
    }
    Ok((hp, path))
}

fn soak_settings(s: &RawSoak, src: &Src) -> Result<SoakSettings, ProfileError> {
    let d = SoakSettings::default();
    let pct = |v: &S<f64>, default: f64, what: &str| match v {
        None => Ok(default),
        Some(x) if x.get_ref().is_finite() && (0.0..=100.0).contains(x.get_ref()) => {
            Ok(*x.get_ref())
        }
        Some(x) => Err(src.err(
            x.span(),
            format!("`{what}` is a percentage between 0 and 100"),
        )),
    };
    let high = pct(&s.flap_high_pct, d.flap_high_pct, "soak.flap_high_pct")?;
    let low = pct(&s.flap_low_pct, d.flap_low_pct, "soak.flap_low_pct")?;
    if low >= high || high == 0.0 {
        let span = s
            .flap_low_pct
            .as_ref()
            .or(s.flap_high_pct.as_ref())
            .map_or(0..0, |x| x.span());
        return Err(src.err(
            span,
            format!("`soak.flap_low_pct` ({low}) must be below `soak.flap_high_pct` ({high})"),
        ));
    }
    Ok(SoakSettings {
        flap_high_pct: high,
        flap_low_pct: low,
    })
}

fn tls_settings(
    t: &RawTlsSettings,
    endpoints: &mut Vec<TlsEndpoint>,
    src: &Src,
) -> Result<TlsSettings, ProfileError> {
    let mut out = TlsSettings {
        ca_bundle: t.ca_bundle.as_ref().map(Into::into),
        pfx: t.pfx.iter().flatten().map(Into::into).collect(),
        ..TlsSettings::default()
    };
    out.password = match (&t.pfx_password_env, &t.pfx_password_file) {
        (Some(v), _) if v.get_ref().is_empty() || v.get_ref().contains('=') => {
            return Err(src.err(v.span(), "`pfx_password_env` is a variable name"));
        }
        (Some(v), _) => PasswordSource::Env(v.get_ref().clone()),
        (None, Some(f)) => PasswordSource::File(f.into()),
        (None, None) => PasswordSource::None,
    };
    if let Some(c) = &t.institution_code {
        out.institution_code =
            Some(InstitutionCode::parse(c.get_ref()).map_err(|m| src.err(c.span(), m))?);
    }
    if let Some(d) = &t.expiry_warn_days {
        if *d.get_ref() > 3650 {
            return Err(src.err(d.span(), "`expiry_warn_days` must be at most 3650"));
        }
        out.expiry_warn_days = *d.get_ref();
    }
    if let Some(n) = &t.issuer_names {
        if n.get_ref().is_empty() || n.get_ref().iter().any(|s| s.trim().is_empty()) {
            return Err(src.err(n.span(), "`issuer_names` needs at least one non-empty name"));
        }
        out.issuer_names = n.get_ref().clone();
    }
    if let Some(v) = &t.min_version {
        out.min_version = match v.get_ref().as_str() {
            "1.2" => TlsVersion::Tls12,
            "1.3" => TlsVersion::Tls13,
            other => {
                return Err(src.err(
                    v.span(),
                    format!("unknown `min_version` `{other}`: use \"1.2\" or \"1.3\""),
                ));
            }
        };
    }
    out.connect_timeout = positive_ms(
        &t.connect_timeout_ms,
        3000,
        "tls_settings.connect_timeout_ms",
        60_000,
        src,
    )?;
    out.handshake_timeout = positive_ms(
        &t.handshake_timeout_ms,
        5000,
        "tls_settings.handshake_timeout_ms",
        60_000,
        src,
    )?;
    out.request_timeout = positive_ms(
        &t.request_timeout_ms,
        5000,
        "tls_settings.request_timeout_ms",
        60_000,
        src,
    )?;
    if let Some(d) = &t.distribution_server {
        let mut h = host(d, src)?;
        h.port.get_or_insert(443);
        endpoints.retain(|e| e.name != "distribution");
        endpoints.push(TlsEndpoint {
            name: "distribution".into(),
            host: h,
            client_certificate: true,
            request: Some("/".into()),
        });
    }
    Ok(out)
}

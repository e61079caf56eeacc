//! Helpers shared by the integration tests: running a round against a lab or any resolver.

#![allow(dead_code)]

use oqs_net::engine;
use oqs_net::lab::{Lab, Scenario};
use oqs_net::model::{Code, Measurements, Mode, Profile, Round, RoundSettings};
use oqs_net::round::lab as lab_setup;
use oqs_net::round::{Builder, Sections};
use std::net::{Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A shipped profile with short timeouts so fault tests finish quickly. Its 8 queries per name
/// and family (the shipped default) are what it takes to call 4 members in one order
/// `dns.no_rotation` (a server picking the first at random does that once in 4^7 rounds).
pub fn quick_profile(mode: Mode) -> Profile {
    let mut p = oqs_net::profile::shipped_for(mode, oqs_net::model::Environment::Production);
    p.dns.queries = 8;
    p.dns.timeout = Duration::from_millis(500);
    p.ntp.samples = 2;
    p.ntp.interval = Duration::from_millis(100);
    p.ntp.timeout = Duration::from_millis(300);
    p
}

/// The round builder for `profile` against nameservers `resolvers`, as the commands make it but
/// with DNS, NTP and TLS alone (no adapter binding, no proxy section) and a 20 s deadline.
pub fn builder(profile: &Profile, resolvers: Vec<SocketAddr>) -> Builder {
    builder_within(profile, resolvers, Duration::from_secs(20))
}

/// [`builder`] with a round deadline of `deadline`.
pub fn builder_within(
    profile: &Profile,
    resolvers: Vec<SocketAddr>,
    deadline: Duration,
) -> Builder {
    let settings = RoundSettings {
        resolvers,
        deadline_ms: deadline.as_millis() as u64,
        ..RoundSettings::default()
    };
    Builder::new(profile.clone(), settings, None)
        .expect("the test's settings are valid")
        .sections(Sections::CORE)
}

/// Runs one round of `profile` against nameservers `resolvers`.
pub async fn round_with(profile: &Profile, resolvers: Vec<SocketAddr>) -> (Measurements, Round) {
    round_with_proxy(profile, resolvers, None).await
}

/// [`round_with`], with a proxy section.
pub async fn round_with_proxy(
    profile: &Profile,
    resolvers: Vec<SocketAddr>,
    proxy: Option<oqs_net::probe::proxy::ProxyPlan>,
) -> (Measurements, Round) {
    round_with_sections(profile, resolvers, proxy, Sections::CORE).await
}

/// [`round_with_proxy`], with `sections` (the line's checks, say) besides DNS, NTP and TLS.
pub async fn round_with_sections(
    profile: &Profile,
    resolvers: Vec<SocketAddr>,
    proxy: Option<oqs_net::probe::proxy::ProxyPlan>,
    sections: Sections,
) -> (Measurements, Round) {
    let mut plan = builder(profile, resolvers)
        .sections(sections)
        .plan(None)
        .expect("a plan");
    plan.proxy = proxy.map(std::sync::Arc::new);
    let m = engine::run_round(&plan, &CancellationToken::new())
        .await
        .expect("round runs");
    let r = oqs_net::judge::judge(&plan.profile, &m);
    (m, r)
}

/// [`quick_profile`] with the line's own checks of an NGN line (`[line]` of the shipped IP-VPN
/// profiles: the line-authentication page and the NGN's DNS servers), for a lab to stand in for.
pub fn quick_profile_with_line(mode: Mode) -> Profile {
    let mut p = quick_profile(mode);
    p.line =
        oqs_net::profile::shipped_for(Mode::Ipvpn, oqs_net::model::Environment::Production).line;
    if let Some(a) = &mut p.line.auth {
        a.timeout = Duration::from_millis(1500);
    }
    p
}

/// DNS, NTP and TLS with the line's own checks.
pub const WITH_LINE: Sections = Sections {
    line: true,
    ..Sections::CORE
};

/// Starts a lab for `profile` (IPv4 members on 127.0.0.11-14, IPv6 on ::1) with a scenario.
pub async fn lab_for(
    profile: &Profile,
    scenario: Option<&Scenario>,
) -> (Lab, Profile, Vec<SocketAddr>) {
    let spec = lab_setup::spec_for(profile, &[Ipv6Addr::LOCALHOST], scenario, 0);
    let lab = Lab::start(spec).await.expect("lab starts");
    let (p, r) = lab_setup::point_at(profile, &lab);
    (lab, p, r)
}

/// Runs an IPsec (IPv4) round against the lab with a built-in scenario.
pub async fn lab_round(mode: Mode, scenario: Option<&str>) -> Round {
    let sc = scenario.map(|s| oqs_net::lab::scenario::builtin(s).expect("builtin scenario"));
    let (lab, p, r) = lab_for(&quick_profile(mode), sc.as_ref()).await;
    let (_, round) = round_with(&p, r).await;
    lab.shutdown().await;
    round
}

pub fn codes(r: &Round) -> Vec<Code> {
    let mut v: Vec<Code> = r.findings().map(|(_, f)| f.code).collect();
    v.sort();
    v.dedup();
    v
}

/// Path of the built binary, for CLI tests.
pub fn bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_oqs-net"))
}

/// Compares `actual` with `fixtures/golden/NAME`; `UPDATE_GOLDEN=1` writes it instead, for review
/// as a diff.
pub fn golden(name: &str, actual: &str) {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {}: run with UPDATE_GOLDEN=1", path.display()));
    assert_eq!(
        actual, want,
        "{name} differs; review and run with UPDATE_GOLDEN=1 to accept"
    );
}

/// Every finding of `r` supplies each placeholder its texts use.
pub fn assert_filled(r: &Round) {
    for (_, f) in r.findings() {
        for key in oqs_net::findings::placeholders(f.code) {
            assert!(f.value(&key).is_some(), "{:?} lacks `{key}`: {f:?}", f.code);
        }
    }
}

/// A section's renderings against `{stem}-en.txt`, `{stem}-ja.txt` (human, no colour) and
/// `{stem}-en.json`, and every finding's placeholders filled.
pub fn section_goldens(stem: &str, r: &Round) {
    use oqs_net::findings::Lang;
    // A section's round keeps only its own checks: its root causes are computed from those.
    let r = &Round {
        root_causes: oqs_net::findings::causes::root_causes(&r.checks),
        ..r.clone()
    };
    for (lang, suffix) in [(Lang::En, "en"), (Lang::Ja, "ja")] {
        let style = oqs_net::output::human::Style { color: false, lang };
        golden(
            &format!("{stem}-{suffix}.txt"),
            &oqs_net::output::human::render(r, &style),
        );
    }
    golden(
        &format!("{stem}-en.json"),
        &oqs_net::output::json::render(r, Lang::En),
    );
    assert_filled(r);
}

/// Runs the binary without colour in the C locale: (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .args(args)
        .env("NO_COLOR", "1")
        .env("LANG", "C")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A round that measured one name's DNS and nothing else, for judging a DNS result alone.
pub fn dns_only(r: oqs_net::model::DnsNameResult) -> Measurements {
    Measurements {
        started_at: std::time::SystemTime::now(),
        duration: Duration::ZERO,
        dns: vec![r],
        ntp: vec![],
        cut_off: vec![],
        resolvers: vec![],
        resolver_error: None,
        path: Default::default(),
        tls: Default::default(),
        line: Default::default(),
        proxy: None,
    }
}

//! Target profiles: TOML (`targets/*.toml`, shipped inside the binary, or any file) into a checked
//! [`Profile`]. Every mistake is reported with file, line and what is wrong, before any packet.
//! Depends on `model` only.

mod raw;
mod show;

use crate::model::{Environment, Mode, Profile};
use std::path::Path;

/// The profiles shipped in `targets/`, compiled in.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "ipvpn-production",
        include_str!("../../targets/ipvpn-production.toml"),
    ),
    (
        "ipvpn-verification",
        include_str!("../../targets/ipvpn-verification.toml"),
    ),
    (
        "ipsec-production",
        include_str!("../../targets/ipsec-production.toml"),
    ),
    (
        "ipsec-verification",
        include_str!("../../targets/ipsec-verification.toml"),
    ),
    (
        "ipsec-ondemand-production",
        include_str!("../../targets/ipsec-ondemand-production.toml"),
    ),
];

/// A profile that could not be loaded: where, and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("no shipped profile `{name}` (shipped: {known})")]
    Unknown { name: String, known: String },
}

impl ProfileError {
    pub fn as_label(&self) -> &'static str {
        match self {
            ProfileError::Invalid { .. } => "invalid",
            ProfileError::Read { .. } => "read",
            ProfileError::Unknown { .. } => "unknown",
        }
    }
}

/// The shipped profile for a mode and environment.
pub fn shipped_for(mode: Mode, env: Environment) -> Profile {
    let name = format!("{}-{}", mode.as_label(), env.as_label());
    shipped(&name).expect("every mode and environment has a shipped profile (tested)")
}

pub fn shipped(name: &str) -> Result<Profile, ProfileError> {
    let (n, text) =
        SHIPPED
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| ProfileError::Unknown {
                name: name.to_string(),
                known: SHIPPED
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
    parse(text, &format!("builtin:{n}"))
}

pub fn load(path: &Path) -> Result<Profile, ProfileError> {
    let (text, file) = read(path)?;
    parse(&text, &file)
}

/// A profile file after inheritance, as TOML with each value's origin (the file, `base NAME`,
/// or the default) in a comment: what `oqs-net profiles --show FILE` prints.
pub fn effective(path: &Path) -> Result<String, ProfileError> {
    let (text, file) = read(path)?;
    show::effective(&text, &file)
}

/// A profile file's text and its name for errors, refusing what cannot be a profile.
fn read(path: &Path) -> Result<(String, String), ProfileError> {
    const MAX: u64 = 1 << 20;
    let file = path.display().to_string();
    let read_err = |source| ProfileError::Read {
        file: file.clone(),
        source,
    };
    let len = std::fs::metadata(path).map_err(read_err)?.len();
    if len > MAX {
        return Err(ProfileError::Invalid {
            file,
            line: 1,
            column: 1,
            message: format!("file is {len} bytes; a profile is at most {MAX}"),
        });
    }
    let text = std::fs::read_to_string(path).map_err(read_err)?;
    Ok((text, file))
}

/// Parses a profile's text; `source` names it in errors (a path or `builtin:NAME`).
pub fn parse(text: &str, source: &str) -> Result<Profile, ProfileError> {
    raw::parse(text, source, &|name| {
        SHIPPED.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Family;

    #[test]
    fn every_shipped_profile_loads_with_the_facts() {
        for (name, _) in SHIPPED {
            let p = shipped(name).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(&p.name, name);
        }
        let v = shipped_for(Mode::Ipvpn, Environment::Production);
        assert_eq!(v.dns.round_robin.host, "ntp.base.oqs-pdl.org");
        let f: Vec<_> = v.dns.fallbacks.iter().map(|h| h.host.as_str()).collect();
        assert_eq!(f, ["ntp1.base.oqs-pdl.org", "ntp2.base.oqs-pdl.org"]);
        assert_eq!(v.dns.families, [Family::Ipv6]);
        let s = shipped_for(Mode::Ipsec, Environment::Verification);
        let f: Vec<_> = s.dns.fallbacks.iter().map(|h| h.host.as_str()).collect();
        assert_eq!(f, ["ntp1v4.base.oqs-pdl.org", "ntp2v4.base.oqs-pdl.org"]);
        assert_eq!(s.dns.families, [Family::Ipv4]);
        assert!(
            s.tls
                .iter()
                .any(|t| t.host.host == "hweb.oqs-st.onshikaku.org")
        );
        let od = shipped("ipsec-ondemand-production").unwrap();
        assert_eq!(od.dns.round_robin.host, "ntp.healthcare-on-demand.jp");
        assert_eq!(
            od.proxy.unwrap().server.to_string(),
            "proxy.healthcare-on-demand.jp:8080"
        );
        assert_eq!(od.provider.as_deref(), Some("@OnDemand"));
    }

    fn err(text: &str) -> String {
        parse(text, "t.toml").unwrap_err().to_string()
    }

    #[test]
    fn typos_and_bad_values_name_file_and_line() {
        let e = err("base = \"ipvpn-production\"\nname = \"x\"\n[ntp]\nsampels = 4\n");
        assert!(e.starts_with("t.toml:4:"), "{e}");
        assert!(e.contains("sampels"), "{e}");
        let e =
            err("base = \"ipvpn-production\"\nname = \"x\"\n[dns]\nround_robin = \"bad host\"\n");
        assert!(e.starts_with("t.toml:4:"), "{e}");
        assert!(e.contains("not a valid host name"), "{e}");
        let e = err(
            "base = \"ipvpn-production\"\nname = \"x\"\n[ntp]\noffset_warn_ms = 500\noffset_fail_ms = 100\n",
        );
        assert!(e.contains("offset_fail_ms"), "{e}");
        assert!(e.starts_with("t.toml:5:"), "{e}");
        let e = err("name = \"x\"\nmode = \"ipv6\"\n");
        assert!(e.starts_with("t.toml:2:"), "{e}");
        assert!(e.contains("ipvpn"), "{e}");
        let e = err("name = \"x\"\nmode = \"ipvpn\"\n");
        assert!(e.contains("environment"), "{e}");
        let e = err("base = \"nope\"\n");
        assert!(e.contains("ipvpn-production"), "{e}");
        let e = err("name = [\n");
        assert!(e.starts_with("t.toml:1:"), "{e}");
    }

    #[test]
    fn the_line_checks_are_on_for_ngn_lines_and_a_site_can_point_them() {
        use crate::model::Environment::*;
        use crate::model::Mode::*;
        let ipvpn = shipped_for(Ipvpn, Production).line;
        let auth = ipvpn
            .auth
            .expect("IP-VPN profiles read the line-authentication page");
        assert_eq!(auth.url(), "https://www.lineauth.mnw:443/");
        assert!(auth.verify);
        let ngn = ipvpn.ngn_dns.expect("and check the NGN's DNS servers");
        assert_eq!(ngn.servers, crate::model::ngn_dns_default());
        assert_eq!(ngn.names, crate::model::NGN_TEST_NAMES);
        assert!(shipped_for(Ipvpn, Verification).line.auth.is_some());
        for env in [Production, Verification] {
            let l = shipped_for(Ipsec, env).line;
            assert!(
                l.auth.is_none() && l.ngn_dns.is_none(),
                "not on IPsec+IKE lines"
            );
        }
        let p = parse(
            "base = \"ipvpn-production\"\nname = \"x\"\n[line]\nauth_url = \"https://[2001:db8::5]:8443/status?x=1\"\nauth_verify = false\nngn_dns = [\"[2001:db8::53]:5353\"]\n",
            "t.toml",
        )
        .unwrap();
        let a = p.line.auth.unwrap();
        assert_eq!(a.url(), "https://[2001:db8::5]:8443/status?x=1");
        assert!(!a.verify);
        assert_eq!(
            p.line.ngn_dns.unwrap().servers,
            ["[2001:db8::53]:5353".parse().unwrap()]
        );
        let e = err(
            "base = \"ipvpn-production\"\nname = \"x\"\n[line]\nauth_url = \"http://www.lineauth.mnw/\"\n",
        );
        assert!(e.starts_with("t.toml:4:") && e.contains("https://"), "{e}");
        let e = err("base = \"ipvpn-production\"\nname = \"x\"\n[line]\nngn_dns = []\n");
        assert!(e.contains("at least one server"), "{e}");
        let e = err("base = \"ipvpn-production\"\nname = \"x\"\n[line]\nauht = true\n");
        assert!(e.starts_with("t.toml:4:") && e.contains("auht"), "{e}");
    }

    #[test]
    fn a_site_names_its_pfx_distribution_server_and_code() {
        let p = parse(
            "base = \"ipvpn-production\"\nname = \"site\"\n[tls_settings]\npfx = [\"c.pfx\"]\npfx_password_env = \"PW\"\ninstitution_code = \"0123456789\"\nexpiry_warn_days = 45\ndistribution_server = \"dist.site.lan\"\nmin_version = \"1.3\"\n",
            "t.toml",
        )
        .unwrap();
        let t = &p.tls_settings;
        assert_eq!(t.pfx, [std::path::PathBuf::from("c.pfx")]);
        assert_eq!(t.password, crate::model::PasswordSource::Env("PW".into()));
        assert_eq!(
            t.institution_code.as_ref().map(|c| c.as_str()),
            Some("0123456789")
        );
        assert_eq!(t.expiry_warn_days, 45);
        assert_eq!(t.min_version, crate::model::TlsVersion::Tls13);
        let d = p.tls.iter().find(|e| e.name == "distribution").unwrap();
        assert_eq!(d.host.to_string(), "dist.site.lan:443");
        assert_eq!(d.request.as_deref(), Some("/"));
        assert_eq!(p.tls.len(), 6, "the base's five OQS hosts are kept");

        let e = err(
            "base = \"ipvpn-production\"\nname = \"x\"\n[tls_settings]\ninstitution_code = \"12345\"\n",
        );
        assert!(e.starts_with("t.toml:4:"), "{e}");
        assert!(e.contains("10 digits"), "{e}");
        let e = err(
            "base = \"ipvpn-production\"\nname = \"x\"\n[tls_settings]\nmin_version = \"1.1\"\n",
        );
        assert!(e.starts_with("t.toml:4:"), "{e}");
        let e = err(
            "base = \"ipvpn-production\"\nname = \"x\"\n[[tls]]\nname = \"a\"\nhost = \"a.example\"\nrequest = \"no-slash\"\n",
        );
        assert!(e.starts_with("t.toml:6:"), "{e}");
        let e = err(
            "base = \"ipvpn-production\"\nname = \"x\"\n[tls_settings]\npfx_password = \"secret\"\n",
        );
        assert!(
            e.contains("pfx_password"),
            "a password in the profile is refused: {e}"
        );
    }

    #[test]
    fn soak_thresholds_come_from_the_profile() {
        let p = shipped_for(Mode::Ipvpn, Environment::Production);
        assert_eq!((p.soak.flap_high_pct, p.soak.flap_low_pct), (30.0, 20.0));
        let p = parse(
            "base = \"ipvpn-production\"\nname = \"x\"\n[soak]\nflap_high_pct = 50\nflap_low_pct = 25\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!((p.soak.flap_high_pct, p.soak.flap_low_pct), (50.0, 25.0));
        let e = err("base = \"ipvpn-production\"\nname = \"x\"\n[soak]\nflap_low_pct = 40\n");
        assert!(e.starts_with("t.toml:4:"), "{e}");
        assert!(e.contains("below"), "{e}");
        let e = err("base = \"ipvpn-production\"\nname = \"x\"\n[soak]\nflap_high_pct = 130\n");
        assert!(e.contains("percentage"), "{e}");
        let e = err("base = \"ipvpn-production\"\nname = \"x\"\n[soak]\nflap_hihg_pct = 30\n");
        assert!(e.contains("flap_hihg_pct"), "{e}");
    }

    /// Issue 16: slowness thresholds, shipped in every base, overridable, each below its timeout.
    #[test]
    fn slowness_thresholds_come_from_the_profile_below_their_timeouts() {
        for (name, _) in SHIPPED {
            let p = shipped(name).unwrap();
            assert_eq!(p.slowness, crate::model::Slowness::default(), "{name}");
        }
        let p = parse(
            "base = \"ipsec-production\"\nname = \"x\"\n[slowness]\ndns_answer_ms = 800\ntls_handshake_ms = 2500\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!(p.slowness.dns_answer_ms, 800.0);
        assert_eq!(p.slowness.tls_handshake_ms, 2500.0);
        assert_eq!(p.slowness.ntp_delay_ms, 100.0, "the base's");
        let e =
            err("base = \"ipsec-production\"\nname = \"x\"\n[slowness]\ndns_answer_ms = 2000\n");
        assert!(e.starts_with("t.toml:4:"), "{e}");
        assert!(
            e.contains("dns.timeout_ms") && e.contains("never warn"),
            "{e}"
        );
        let e = err("base = \"ipsec-production\"\nname = \"x\"\n[slowness]\nntp_delay_ms = -1\n");
        assert!(e.contains("positive"), "{e}");
        let e = err("base = \"ipsec-production\"\nname = \"x\"\n[slowness]\ndns_ms = 1\n");
        assert!(e.contains("dns_ms"), "{e}");
        // A timeout lowered under a default threshold takes it down with it.
        let p = parse(
            "base = \"ipsec-production\"\nname = \"x\"\n[dns]\ntimeout_ms = 400\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!(p.slowness.dns_answer_ms, 400.0);
        // `profiles --show` writes them out with their origin.
        let out = show::effective(
            "base = \"ipsec-production\"\nname = \"x\"\n[slowness]\ntcp_connect_ms = 250\n",
            "site.toml",
        )
        .unwrap();
        assert!(out.contains("[slowness]"), "{out}");
        let line = |start: &str| {
            out.lines()
                .find(|l| l.starts_with(start))
                .unwrap()
                .to_string()
        };
        assert!(
            line("tcp_connect_ms = 250.0").ends_with("# site.toml"),
            "{out}"
        );
        assert!(
            line("dns_answer_ms = 500.0").ends_with("# base ipsec-production"),
            "{out}"
        );
    }

    #[test]
    fn a_base_can_be_overridden_field_by_field() {
        let p = parse(
            "base = \"ipvpn-production\"\nname = \"lab\"\n[dns]\nround_robin = \"ntp.lab.test:1123\"\n[ntp]\nsamples = 2\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!(p.dns.round_robin.to_string(), "ntp.lab.test:1123");
        assert_eq!(p.dns.fallbacks.len(), 2, "inherited");
        assert_eq!(p.ntp.samples, 2);
        assert_eq!(p.ntp.offset_fail_ms, 1000.0, "inherited");
        assert_eq!(p.mode, Mode::Ipvpn);
    }

    /// README's site profile: a `[[tls]]` for the distribution server adds to the base's five
    /// OQS hosts (issue 15: it replaced them, so a round never tested the OQS hosts).
    #[test]
    fn a_site_profile_adds_to_the_base_lists() {
        let base = shipped("ipvpn-production").unwrap();
        let p = parse(
            "base = \"ipvpn-production\"\nname = \"clinic\"\n[[tls]]\nname = \"distribution\"\nhost = \"dist.example.oqs:443\"\n",
            "t.toml",
        )
        .unwrap();
        let names: Vec<&str> = p.tls.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "oqs-web",
                "oqs-api",
                "oqs-mnc",
                "eps",
                "pmh",
                "distribution"
            ]
        );

        // Same name: replaced in place; `remove_tls`: taken away; every other list likewise.
        let p = parse(
            "base = \"ipvpn-production\"\nname = \"x\"\nremove_tls = [\"eps\", \"pmh\"]\n\
             [dns]\nfallbacks = [\"ntp3.site.lan\"]\nremove_fallbacks = [\"NTP2.base.oqs-pdl.org\"]\n\
             [proxy]\nbypass = [\"*.site.lan\", \"*.rece\"]\nremove_bypass = [\"*.flets-west.jp\"]\n\
             internet = [\"example.com:443\"]\nremove_internet = [\"update.microsoft.com:443\"]\n\
             [[tls]]\nname = \"oqs-api\"\nhost = \"api.site.lan:8443\"\n",
            "t.toml",
        )
        .unwrap();
        let tls: Vec<String> = p
            .tls
            .iter()
            .map(|t| format!("{}={}", t.name, t.host))
            .collect();
        assert_eq!(
            tls,
            [
                "oqs-web=hweb.oqs.onshikaku.org:443",
                "oqs-api=api.site.lan:8443",
                "oqs-mnc=hweb-mnc.oqs.onshikaku.org:443",
            ]
        );
        let f: Vec<String> = p.dns.fallbacks.iter().map(ToString::to_string).collect();
        assert_eq!(f, ["ntp1.base.oqs-pdl.org", "ntp3.site.lan"]);
        let px = p.proxy.unwrap();
        assert_eq!(px.server.to_string(), "proxy.base.oqs-pdl.org:8080");
        let b = base.proxy.unwrap().bypass;
        assert_eq!(
            px.bypass.len(),
            b.len(),
            "one removed, one added, one already there"
        );
        assert!(px.bypass.iter().any(|e| e == "*.site.lan"));
        assert!(!px.bypass.iter().any(|e| e == "*.flets-west.jp"));
        let n: Vec<String> = px.internet.iter().map(ToString::to_string).collect();
        assert_eq!(n, ["windowsupdate.microsoft.com:443", "example.com:443"]);

        // A removal the base does not hold, a removal without a base, a name used twice.
        let e = err("base = \"ipvpn-production\"\nname = \"x\"\nremove_tls = [\"epz\"]\n");
        assert!(e.starts_with("t.toml:3:"), "{e}");
        assert!(e.contains("`epz`") && e.contains("eps"), "{e}");
        let e = err(
            "base = \"ipvpn-production\"\nname = \"x\"\n[proxy]\nremove_bypass = [\"*.nope\"]\n",
        );
        assert!(e.starts_with("t.toml:4:") && e.contains("*.nope"), "{e}");
        let e = err(
            "name = \"x\"\nmode = \"ipvpn\"\nenvironment = \"production\"\n[dns]\nround_robin = \"a.b\"\nremove_fallbacks = [\"c.d\"]\n",
        );
        assert!(e.starts_with("t.toml:6:") && e.contains("no `base`"), "{e}");
        let e = err(
            "base = \"ipvpn-production\"\nname = \"x\"\n[[tls]]\nname = \"a\"\nhost = \"a.lan\"\n[[tls]]\nname = \"a\"\nhost = \"b.lan\"\n",
        );
        assert!(e.starts_with("t.toml:8:") && e.contains("`a`"), "{e}");
    }

    /// `profiles --show FILE`: the profile after inheritance, each value with its origin, and
    /// itself a profile that loads to the same values.
    #[test]
    fn the_effective_profile_marks_each_origin_and_loads_back() {
        let text = "base = \"ipvpn-production\"\nname = \"clinic\"\nremove_tls = [\"pmh\"]\n[ntp]\nsamples = 2\n[tls_settings]\ndistribution_server = \"dist.lan\"\n[[tls]]\nname = \"eps\"\nhost = \"eps.site.lan:443\"\n[proxy]\nbypass = [\"*.site.lan\"]\n";
        let out = show::effective(text, "site.toml").unwrap();
        let line = |start: &str| {
            out.lines()
                .find(|l| l.starts_with(start))
                .unwrap_or_else(|| panic!("no `{start}` in\n{out}"))
                .to_string()
        };
        assert!(line("name = \"clinic\"").ends_with("# site.toml"), "{out}");
        assert!(line("samples = 2").ends_with("# site.toml"), "{out}");
        assert!(
            line("interval_ms = 250").ends_with("# base ipvpn-production"),
            "{out}"
        );
        assert!(line("flap_high_pct = 30.0").ends_with("# default"), "{out}");
        assert!(
            line("host = \"hweb.oqs.onshikaku.org:443\"").ends_with("# base ipvpn-production"),
            "{out}"
        );
        assert!(
            line("host = \"eps.site.lan:443\"")
                .ends_with("# site.toml (replaces base ipvpn-production's)"),
            "{out}"
        );
        assert!(
            line("host = \"dist.lan:443\"")
                .ends_with("# site.toml (tls_settings.distribution_server)"),
            "{out}"
        );
        assert!(
            line("    \"*.site.lan\",").ends_with("# site.toml"),
            "{out}"
        );
        assert!(
            line("    \"*.rece\",").ends_with("# base ipvpn-production"),
            "{out}"
        );
        assert!(!out.contains("pmh"), "{out}");

        let json = |p: Profile| {
            let mut v = serde_json::to_value(p).unwrap();
            v["source"] = serde_json::Value::Null;
            v
        };
        let again = parse(&out, "effective.toml").unwrap_or_else(|e| panic!("{e}\n{out}"));
        assert_eq!(json(again), json(parse(text, "site.toml").unwrap()));
        assert_eq!(
            json(parse(&show::effective(SHIPPED[0].1, "x").unwrap(), "y").unwrap()),
            json(shipped(SHIPPED[0].0).unwrap()),
            "a profile without base writes back to itself"
        );
    }
}

//! Target profiles: TOML (`targets/*.toml`, shipped inside the binary, or any file) into a checked
//! [`Profile`]. Every mistake is reported with file, line and what is wrong, before any packet.
//! Depends on `model` only.

mod raw;

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
    parse(&text, &file)
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
}

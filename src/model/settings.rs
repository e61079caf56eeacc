//! The round's settings as a user gave them (flags over the profile): what shapes every round of
//! `probe`, `soak` and `accept` alike, recorded in a soak's journal so that `--resume` runs the
//! same rounds. Plain data, no I/O; the PFX password is never here, only where it came from.

use super::{Family, HostPort};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything that shapes a round besides the profile. Field names are the journal's (version 1
/// journals wrote `resolvers`, `ntp_port`, `queries`, `samples`, `deadline_ms` and `concurrency`
/// already; the rest are additive).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RoundSettings {
    /// Nameservers to ask instead of the profile's or the system's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolvers: Vec<SocketAddr>,
    /// The OQS adapter named with `--interface` (else the profile's, else the route's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// Only this family for every probe (`--family v4|v6`); `None`: the profile's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<Family>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ntp_port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queries: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<u32>,
    /// `--proxy`: a proxy URL, a PAC URL, `auto` or `none`, ruling over the machine's settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// `--wpad-dhcp`: the PAC URL that stands in for DHCP's option 252 (WPAD by DHCP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wpad_dhcp: Option<String>,
    #[serde(default, skip_serializing_if = "TlsOverrides::is_empty")]
    pub tls: TlsOverrides,
    /// The whole round ends by then.
    pub deadline_ms: u64,
    /// Probes in flight at once.
    pub concurrency: u64,
}

impl Default for RoundSettings {
    fn default() -> Self {
        RoundSettings {
            resolvers: Vec::new(),
            interface: None,
            family: None,
            ntp_port: None,
            queries: None,
            samples: None,
            proxy: None,
            wpad_dhcp: None,
            tls: TlsOverrides::default(),
            deadline_ms: 30_000,
            concurrency: 32,
        }
    }
}

/// The TLS flags laid over the profile's `[tls_settings]` and endpoints.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TlsOverrides {
    /// Client certificate files, replacing the profile's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pfx: Vec<PathBuf>,
    /// Where the PFX password came from; `None`: the profile's source, or none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<PasswordOrigin>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_bundle: Option<PathBuf>,
    /// Probed as endpoint `distribution` (HOST[:PORT]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution_server: Option<String>,
    /// No TLS endpoint is probed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_tls: bool,
}

impl TlsOverrides {
    pub fn is_empty(&self) -> bool {
        *self == TlsOverrides::default()
    }

    /// The distribution server, checked.
    pub fn distribution(&self) -> Result<Option<HostPort>, String> {
        self.distribution_server
            .as_deref()
            .map(HostPort::parse)
            .transpose()
    }
}

/// How the PFX password was obtained: the way a resumed soak asks for it again. Never the
/// password itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "from", rename_all = "snake_case")]
pub enum PasswordOrigin {
    /// An environment variable's name.
    Env(String),
    /// A file whose first line is the password.
    File(PathBuf),
    /// Typed at a prompt.
    Prompt,
}

/// What a round started with that its settings alone do not say: the certificate chosen from the
/// PFX and where the proxy settings came from. Recorded in a soak's journal header.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StartFacts {
    /// The client certificate that is presented (補18), by serial and subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<ChosenCertificate>,
    /// Each proxy source read at the start, as `kind: origin` (read again every round).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proxy_sources: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChosenCertificate {
    /// Hex, colon-free.
    pub serial: String,
    pub subject: String,
    pub not_after: String,
    /// The issuer's DN; absent in journals written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_journal_header_still_reads() {
        let old = r#"{"resolvers":["127.0.0.1:5353","[::1]:53"],"queries":2,"deadline_ms":1800,"concurrency":32}"#;
        let s: RoundSettings = serde_json::from_str(old).unwrap();
        assert_eq!(s.resolvers.len(), 2);
        assert_eq!(s.queries, Some(2));
        assert_eq!(s.tls, TlsOverrides::default());
        assert_eq!(s.interface, None);
    }

    #[test]
    fn settings_round_trip_without_any_secret() {
        let s = RoundSettings {
            interface: Some("oqs0".into()),
            family: Some(Family::Ipv6),
            proxy: Some("auto".into()),
            tls: TlsOverrides {
                pfx: vec!["/x/clinic.pfx".into()],
                password: Some(PasswordOrigin::Prompt),
                institution_code: Some("1234567890".into()),
                distribution_server: Some("dist.example:8443".into()),
                ..TlsOverrides::default()
            },
            ..RoundSettings::default()
        };
        let text = serde_json::to_string(&s).unwrap();
        assert!(text.contains(r#""password":{"kind":"prompt"}"#), "{text}");
        let back: RoundSettings = serde_json::from_str(&text).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.tls.distribution().unwrap().unwrap().port, Some(8443));
    }
}
